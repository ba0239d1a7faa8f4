"""A :class:`~pill_compare.analysis.diff.DiffResult` as report sections (the category lists per image, as a hand-written comparison report reads them).

Two shapes of the same numbers: the full one (Markdown, HTML, the report: every id, every name,
"None." where a part is empty) and the compact one for a terminal (``compact=True``: id lists
cut to a few ids with "(+N more)", long names cut with "…", empty parts left out, no titles
where the lines say what they count), which keeps the default text within 120 columns.
"""

from __future__ import annotations

from pill_compare.analysis.diff import DiffResult
from pill_compare.report.escape import Md
from pill_compare.report.structure import Block, Bullets, Paragraph, Section, Table
from pill_compare.report.tables import fit_width, fmt_ids

__all__ = ["CELL_IDS", "LABEL_CELLS", "LINE_IDS", "diff_sections"]

#: Compact view: ids shown per list in a table cell, and in a summary line ("(+N more)" beyond).
CELL_IDS = 4
LINE_IDS = 10
#: Compact view: a category label is cut (with "…") to this many terminal cells.
LABEL_CELLS = 30

NO_IMAGE_DIFFERS = "No image differs."
NONE = "None."


def diff_sections(
    r: DiffResult, lang: str = "en", *, compact: bool = False, key: str = "diff"
) -> list[Section]:
    """The diff as one section: detections, differing images, one-sided categories,
    substitutions, caveats.

    Args:
        r: The diff.
        lang: The report's language (the words are English for now).
        compact: The terminal's shape (see the module docstring).
        key: The section's key; its parts are keyed ``<key>-images`` etc.

    Returns:
        ``[Section]``: titled "Category-id diff: A vs B" (untitled when ``compact``).

    Raises:
        TypeError: ``r`` is not a DiffResult.
    """
    del lang  # one language so far: the words below are the English catalogue's to take over
    if not isinstance(r, DiffResult):
        raise TypeError(f"Expected a DiffResult, got {type(r).__name__}")
    return [_compact(r, key) if compact else _full(r, key)]


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
    for name, ids in ((a, r.images_only_a), (b, r.images_only_b)):
        if ids:
            lines.append(f"Images with detections only in {name}: {len(ids)} {fmt_ids(ids, limit)}")
    return lines


def _ids(ids: tuple[int, ...], limit: int | None) -> Md:
    # Digits, commas and brackets only: the same read as Markdown or as plain text.
    return Md(fmt_ids(ids, limit))


def _label(r: DiffResult, category_id: int, cells: int | None) -> str:
    label = r.category_label(category_id)
    return label if cells is None else fit_width(label, cells)


def _images_table(r: DiffResult, key: str, limit: int | None) -> Table:
    a, b = r.names
    return Table(
        key=f"{key}-images",
        headers=("image_id", a, b, f"only {a}", f"only {b}"),
        rows=tuple(
            (str(d.image_id), *(_ids(ids, limit) for ids in (d.a, d.b, d.only_a, d.only_b)))
            for d in r.differing_images
        ),
        align="lllll",
    )


def _counts_table(
    r: DiffResult, key: str, counts: dict[int, int], header: str, cells: int | None
) -> Table:
    return Table(
        key=key,
        headers=("category", header),
        rows=tuple((_label(r, c, cells), n) for c, n in counts.items()),
        align="lr",
    )


def _substitutions_table(r: DiffResult, key: str, limit: int | None, cells: int | None) -> Table:
    a, b = r.names
    return Table(
        key=f"{key}-substitutions",
        headers=(f"{a} (X)", f"{b} (Y)", "images", "image ids"),
        rows=tuple(
            (_label(r, s.a, cells), _label(r, s.b, cells), s.images, _ids(s.image_ids, limit))
            for s in r.substitutions
        ),
        align="llrl",
    )


def _full(r: DiffResult, key: str) -> Section:
    a, b = r.names
    parts = [
        Section(f"{key}-detections", "Detections", (Bullets(tuple(_summary_lines(r))),)),
        Section(
            f"{key}-images",
            "Differing images",
            (_images_table(r, key, None) if r.differing_images else Paragraph(NO_IMAGE_DIFFERS),),
        ),
    ]
    for side, name, counts in (("a", a, r.only_a_counts), ("b", b, r.only_b_counts)):
        parts.append(
            Section(
                f"{key}-only-{side}",
                f"Categories detected only by {name}",
                (
                    _counts_table(r, f"{key}-only-{side}", counts, "differing images", None)
                    if counts
                    else Paragraph(NONE),
                ),
            )
        )
    substitutions: tuple[Block, ...] = (Paragraph(NONE),)
    if r.substitutions:
        substitutions = (
            Paragraph(
                f"An image counts as X → Y when {a} has exactly one category X that {b} lacks "
                f"and {b} exactly one category Y that {a} lacks."
            ),
            _substitutions_table(r, key, None, None),
        )
    parts.append(Section(f"{key}-substitutions", "Substitutions", substitutions))
    if r.caveats:
        parts.append(Section(f"{key}-caveats", "Caveats", (Bullets(tuple(r.caveats)),)))
    return Section(key, f"Category-id diff: {a} vs {b}", subsections=tuple(parts))


def _compact(r: DiffResult, key: str) -> Section:
    a, b = r.names
    blocks: list[Block] = [Paragraph("\n".join(_summary_lines(r, LINE_IDS)))]
    parts: list[Section] = []
    if not r.differing_images:
        blocks.append(Paragraph(NO_IMAGE_DIFFERS))
    else:
        parts.append(
            Section(f"{key}-images", "Differing images", (_images_table(r, key, CELL_IDS),))
        )
    for side, name, counts in (("a", a, r.only_a_counts), ("b", b, r.only_b_counts)):
        if counts:
            table = _counts_table(r, f"{key}-only-{side}", counts, "images", LABEL_CELLS)
            title = f"Categories detected only by {name} (in how many differing images)"
            parts.append(Section(f"{key}-only-{side}", title, (table,)))
    if r.substitutions:
        title = f"Substitutions ({a} has X where {b} has Y, nothing else differs)"
        table = _substitutions_table(r, key, CELL_IDS + 1, LABEL_CELLS)
        parts.append(Section(f"{key}-substitutions", title, (table,)))
    if r.caveats:
        parts.append(Section(f"{key}-caveats", "Caveats", (Bullets(tuple(r.caveats)),)))
    return Section(key, "", tuple(blocks), tuple(parts))
