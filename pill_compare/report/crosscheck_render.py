"""Render a :class:`~pill_compare.analysis.crosscheck.CrossCheck` as text, Markdown, JSON or CSV.

One row per COCO stat: pillcmp's value, the engine's value (pycocotools by default), their
absolute difference and where its number was read; a summary line with the largest difference
above the table.
"""

from __future__ import annotations

from typing import Any

from pill_compare.analysis.coco_metrics import describe_thresholds
from pill_compare.analysis.crosscheck import CrossCheck
from pill_compare.report.tables import (
    md_code,
    md_escape,
    md_table,
    render_as,
    text_table,
    wrap_text,
)


def _headers(c: CrossCheck) -> list[str]:
    name = c.engine_package
    return ["metric", "pillcmp", name, "|difference|", f"{name} source"]


#: How the engine was run and where its numbers come from (text with ``explain``, Markdown);
#: {engine} is the engine's package name.
NOTE = (
    "{engine} COCOeval (bbox) was run in memory on the same ground truth and detections, "
    "with the same IoU thresholds and caps. Values are shown rounded; each difference is "
    "computed on the full float64 values. COCOeval.summarize hard-codes maxDets=100 for "
    "stats[0] and maxDets[2] for the other stats; where that is not pillcmp's definition "
    "(pillcmp's map uses the largest cap) the {engine} value is read from its "
    "eval['precision'] or eval['recall'] array with summarize's own formula (the mean of the "
    "defined entries of the same slice)."
)


def _diff(value: float | None) -> str:
    """'0' when equal, else 3 significant digits; one-sided n/a has no number."""
    if value is None:
        return "n/a in one tool only"
    return "0" if value == 0.0 else f"{value:.3g}"


def _exact(value: float | None) -> str:
    """Every digit (``repr``): a cross-check shows that two numbers are the same float, which
    a table's 3 decimals would hide."""
    return "n/a" if value is None else repr(float(value))


def _rows(c: CrossCheck) -> list[list[Any]]:
    return [
        [s.key, _exact(s.pillcmp), _exact(s.reference), _diff(s.abs_diff), s.source]
        for s in c.stats
    ]


def _summary(c: CrossCheck) -> str:
    if c.equal:
        verdict = "every stat equal (largest |difference| 0)"
    elif c.max_abs_diff is None:
        verdict = "some stat is n/a in one tool only"
    else:
        verdict = f"largest |difference| {c.max_abs_diff:.3g}"
    return f"cross-check against {c.engine_package}: {verdict}"


def _settings(c: CrossCheck) -> str:
    caps = ", ".join(str(m) for m in c.max_dets)
    line = (
        f"{c.detections} detections given to {c.engine_package}; "
        f"{describe_thresholds(c.iou_thresholds)}; caps {caps}"
    )
    if c.left_out:
        line += (
            f"; {c.left_out} detection(s) on images the ground truth lacks left out "
            "(pycocotools' loadRes refuses them; the drop-in engines follow it)"
        )
    return line


def render_cross_check_text(c: CrossCheck, *, explain: bool = False) -> str:
    """Summary, settings and the table (fits 120 columns); ``explain`` adds each stat's
    definition and how the engine was run."""
    out = [_summary(c), *wrap_text(_settings(c), indent="  "), ""]
    out.append(text_table(_headers(c), _rows(c), align="lrrrl"))
    if explain:
        out += [""] + [
            line for s in c.stats for line in wrap_text(f"{s.key}: {s.definition}", indent="  ")
        ]
        out += ["", *wrap_text(NOTE.format(engine=c.engine_package))]
    return "\n".join(out) + "\n"


def render_cross_check_markdown(c: CrossCheck) -> str:
    """A Markdown section: summary, settings, the table, definitions and how the engine ran."""
    title = f"## Cross-check against {md_escape(c.engine_package)}"
    if c.name:
        title += f": {md_escape(c.name)}"
    rows = [[*row[:4], md_code(row[4])] for row in _rows(c)]
    definitions = [f"- {md_code(s.key)}: {md_escape(s.definition)}" for s in c.stats]
    return (
        "\n\n".join(
            [
                title,
                md_escape(_summary(c)) + ".",
                md_escape(_settings(c)) + ".",
                md_table(_headers(c), rows),
                "\n".join(definitions),
                md_escape(NOTE.format(engine=c.engine_package)),
            ]
        )
        + "\n"
    )


def render_cross_check(c: CrossCheck, fmt: str = "text", *, explain: bool = False) -> str:
    """Render ``c`` as 'text', 'md', 'json' (``to_dict``) or 'csv' (``to_frame``).

    Args:
        c: The cross-check.
        fmt: One of 'text', 'md', 'json', 'csv'.
        explain: Text only: add the definitions and how the engine was run (Markdown always
            has them).

    Raises:
        ValueError: an unknown ``fmt``.
    """
    return render_as(
        c, fmt, text=render_cross_check_text, md=render_cross_check_markdown, explain=explain
    )
