"""Render a :class:`~pill_compare.analysis.diff.DiffResult` as text, Markdown, JSON or CSV."""

from __future__ import annotations

from pill_compare.analysis.diff import DiffResult
from pill_compare.report.escape import Md, md_code, md_escape, terminal_safe
from pill_compare.report.tables import (
    fit_width,
    fmt_ids,
    md_table,
    render_as,
    text_table,
    wrap_text,
)

#: Text output: ids shown per list in a table cell, and in a summary line ("(+N more)" beyond).
CELL_IDS = 4
LINE_IDS = 10
#: Text output: a category label is cut (with "…") to this many terminal cells.
LABEL_CELLS = 30


def _summary_lines(r: DiffResult, limit: int | None = None) -> list[str]:
    a, b = r.names
    thr = f" with score >= {r.score_threshold:g}" if r.score_threshold > 0 else ""
    mode = "multiset (duplicates count)" if r.multiset else "set of category ids"
    lines = [
        f"Result A ({a}) loaded: {r.loaded['a']} detections"
        + (f", {r.detections['a']} kept{thr}" if thr else ""),
        f"Result B ({b}) loaded: {r.loaded['b']} detections"
        + (f", {r.detections['b']} kept{thr}" if thr else ""),
        f"Images with detections in both: {r.images_compared}",
        f"Images whose category lists differ: {len(r.differing_images)} "
        f"of {r.images_total} (compared as a {mode})",
    ]
    if r.images_only_a:
        lines.append(
            f"Images with detections only in {a}: {len(r.images_only_a)} {fmt_ids(r.images_only_a, limit)}"
        )
    if r.images_only_b:
        lines.append(
            f"Images with detections only in {b}: {len(r.images_only_b)} {fmt_ids(r.images_only_b, limit)}"
        )
    return lines


def _image_rows(r: DiffResult, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    a, b = r.names
    headers = ["image_id", a, b, f"only {a}", f"only {b}"]
    rows = [
        [
            str(d.image_id),
            *(fmt_ids(ids, limit) for ids in (d.a, d.b, d.only_a, d.only_b)),
        ]
        for d in r.differing_images
    ]
    return headers, rows


def _label(r: DiffResult, category_id: int, cells: int | None) -> str:
    label = r.category_label(category_id)
    return label if cells is None else fit_width(label, cells)


def _count_rows(
    r: DiffResult, counts: dict[int, int], cells: int | None = None
) -> list[list[object]]:
    return [[_label(r, c, cells), n] for c, n in counts.items()]


def _substitution_rows(
    r: DiffResult, limit: int | None = None, cells: int | None = None
) -> list[list[object]]:
    return [
        [_label(r, s.a, cells), _label(r, s.b, cells), s.images, fmt_ids(s.image_ids, limit)]
        for s in r.substitutions
    ]


def render_diff_text(r: DiffResult, *, explain: bool = False) -> str:
    """The terminal view: summary, differing images, one-sided categories, substitutions.

    Fits :data:`~pill_compare.report.tables.TEXT_WIDTH` (120) columns: long id lists end in
    "(+N more)" and long category labels in "…" (JSON, CSV and Markdown list everything).

    Args:
        r: The diff.
        explain: Accepted for a uniform signature; the diff's text has no definitions to add.
    """
    del explain  # every line of a diff already says what it counts
    a, b = r.names
    out = _summary_lines(r, LINE_IDS)
    if not r.differing_images:
        out += ["", "No image differs.", *_caveat_lines(r)]
        return terminal_safe("\n".join(out) + "\n")
    headers, rows = _image_rows(r, CELL_IDS)
    out += ["", "Differing images:", text_table(headers, rows, align="lllll")]
    for name, counts in ((a, r.only_a_counts), (b, r.only_b_counts)):
        if counts:
            out += ["", f"Categories detected only by {name} (in how many differing images):"]
            out.append(text_table(["category", "images"], _count_rows(r, counts, LABEL_CELLS)))
    if r.substitutions:
        out += ["", f"Substitutions ({a} has X where {b} has Y, nothing else differs):"]
        out.append(
            text_table(
                [f"{a} (X)", f"{b} (Y)", "images", "image ids"],
                _substitution_rows(r, CELL_IDS + 1, LABEL_CELLS),
                align="llrl",
            )
        )
    out += _caveat_lines(r)
    return terminal_safe("\n".join(out) + "\n")


def _caveat_lines(r: DiffResult) -> list[str]:
    caveats = r.caveats
    if not caveats:
        return []
    return [
        "",
        "Caveats:",
        *(line for c in caveats for line in wrap_text(f"  - {c}", indent="    ")),
    ]


def render_diff_markdown(r: DiffResult) -> str:
    """A Markdown section in the shape of the seed report's §3.2–4.2."""
    a, b = r.names
    out = [f"# Category-id diff: {md_escape(a)} vs {md_escape(b)}", "", "## Detections", ""]
    out += [f"- {md_escape(line)}" for line in _summary_lines(r)]
    out += ["", "## Differing images", ""]
    if r.differing_images:
        headers, rows = _image_rows(r)
        out.append(
            md_table(headers, [[md_code(c) if i else c for i, c in enumerate(row)] for row in rows])
        )
    else:
        out.append("No image differs.")
    for name, counts in ((a, r.only_a_counts), (b, r.only_b_counts)):
        out += ["", f"## Categories detected only by {md_escape(name)}", ""]
        out.append(
            md_table(["category", "differing images"], _count_rows(r, counts))
            if counts
            else "None."
        )
    out += ["", "## Substitutions", ""]
    if r.substitutions:
        out.append(
            md_escape(
                f"An image counts as X → Y when {a} has exactly one category X that {b} lacks "
                f"and {b} exactly one category Y that {a} lacks."
            )
        )
        out += [
            "",
            md_table(
                [f"{a} (X)", f"{b} (Y)", "images", "image ids"],
                # The id list is ours (digits only): written as is, like the seed report.
                [[*row[:3], Md(str(row[3]))] for row in _substitution_rows(r)],
            ),
        ]
    else:
        out.append("None.")
    caveats = r.caveats
    if caveats:
        out += ["", "## Caveats", "", *(f"- {md_escape(c)}" for c in caveats)]
    return "\n".join(out) + "\n"


def render_diff(r: DiffResult, fmt: str, *, explain: bool = False) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per differing image).

    ``explain`` is accepted like every renderer's (a diff has no definitions to add).
    """
    return render_as(r, fmt, text=render_diff_text, md=render_diff_markdown, explain=explain)
