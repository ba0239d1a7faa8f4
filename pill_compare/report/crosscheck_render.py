"""Render a :class:`~pill_compare.analysis.crosscheck.CrossCheck` as text, Markdown, JSON or CSV.

One row per COCO stat: pillcmp's value, pycocotools' value, their absolute difference and where
pycocotools' number was read; a summary line with the largest difference.
"""

from __future__ import annotations

from typing import Any

from pill_compare.analysis.coco_metrics import describe_thresholds
from pill_compare.analysis.crosscheck import CrossCheck
from pill_compare.report.tables import fmt_number, md_escape, md_table, render_as, text_table

HEADERS = ("metric", "pillcmp", "pycocotools", "|difference|", "pycocotools source")

#: Said under the table: how pycocotools was run and what its ``stats[0]`` means.
NOTE = (
    "pycocotools COCOeval (bbox) was run in memory on the same ground truth and detections, "
    "with the same IoU thresholds and caps. Values are printed rounded; the difference is "
    "computed on the full float64 values. COCOeval.summarize hard-codes maxDets=100 for "
    "stats[0] and maxDets[2] for the other stats; where that is not pillcmp's definition "
    "(pillcmp's map uses the largest cap) the pycocotools value is read from its "
    "eval['precision'] / eval['recall'] arrays with summarize's own formula."
)


def _diff(value: float | None) -> str:
    """The exact difference: '0' for equal, otherwise full precision; n/a in one tool only."""
    if value is None:
        return "n/a in one tool only"
    return "0" if value == 0.0 else f"{value:.3g}"


def _rows(c: CrossCheck) -> list[list[Any]]:
    return [
        [s.key, fmt_number(s.pillcmp), fmt_number(s.pycocotools), _diff(s.abs_diff), s.source]
        for s in c.stats
    ]


def _summary(c: CrossCheck) -> str:
    if c.equal:
        verdict = "every stat equal (largest |difference| 0)"
    elif c.max_abs_diff is None:
        verdict = "some stat is n/a in one tool only"
    else:
        verdict = f"largest |difference| {c.max_abs_diff:.3g}"
    return f"cross-check against pycocotools: {verdict}"


def _settings(c: CrossCheck) -> str:
    caps = ", ".join(str(m) for m in c.max_dets)
    line = (
        f"{c.detections} detections given to pycocotools; "
        f"{describe_thresholds(c.iou_thresholds)}; caps {caps}"
    )
    if c.left_out:
        line += (
            f"; {c.left_out} detection(s) on images the ground truth lacks left out "
            "(pycocotools' loadRes refuses them)"
        )
    return line


def render_text(c: CrossCheck) -> str:
    """A fixed-width table with a summary line above it."""
    table = text_table(list(HEADERS), _rows(c), align="lrrrl")
    return f"{_summary(c)}\n{_settings(c)}\n\n{table}\n"


def render_markdown(c: CrossCheck) -> str:
    """A Markdown section: summary, settings, the table, then how pycocotools was run."""
    title = "## Cross-check against pycocotools"
    if c.name:
        title += f": {md_escape(c.name)}"
    return (
        f"{title}\n\n{_summary(c)}.\n\n{_settings(c)}.\n\n"
        f"{md_table(list(HEADERS), _rows(c))}\n\n{NOTE}\n"
    )


def render_cross_check(c: CrossCheck, fmt: str = "text") -> str:
    """Render ``c`` as 'text', 'md', 'json' (``to_dict``) or 'csv' (``to_frame``)."""
    return render_as(c, fmt, text=render_text, md=render_markdown)
