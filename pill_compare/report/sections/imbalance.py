"""An :class:`~pill_compare.analysis.imbalance.ImbalanceResult` as report sections.

The full shape (Markdown, HTML, the report) has the indices with their definitions as a column;
the compact one for a terminal (``compact=True``) has the indices with their definitions as the
table's legend (shown with ``explain``), names cut with "…" and the categories without a count
named only for the first few ("(+N more)").
"""

from __future__ import annotations

from pill_compare.analysis.imbalance import ImbalanceResult
from pill_compare.report.structure import Block, Paragraph, Section, Table
from pill_compare.report.tables import fit_width, fmt_number

__all__ = ["INDEX_DEFINITIONS", "NAME_CELLS", "ZERO_NOTE_IDS", "imbalance_sections"]

#: Compact view: categories named in the zero-annotation note ("(+N more)" beyond), and the
#: terminal cells a category name may take in the table ("…" beyond).
ZERO_NOTE_IDS = 10
NAME_CELLS = 40

#: Each index with its definition, written next to the number in every rendering.
INDEX_DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("imbalance_ratio", "max / min annotations per class (1 = balanced)"),
    ("gini", "Gini coefficient of class counts (0 = balanced, toward 1 = one class dominates)"),
    ("pielou_evenness", "Shannon entropy / ln(K) (1 = balanced)"),
    ("effective_classes", "exp(Shannon entropy): how many equally frequent classes it equals"),
    ("coefficient_of_variation", "std / mean of class counts, population std (0 = balanced)"),
    ("rare_share", "share of classes with fewer than R annotations"),
)


def imbalance_sections(
    r: ImbalanceResult, lang: str = "en", *, compact: bool = False, key: str = "imbalance"
) -> list[Section]:
    """The imbalance as one section: counts, the indices, one row per annotated category, and
    the declared categories without an annotation.

    Args:
        r: The imbalance result.
        lang: The report's language (the words are English for now).
        compact: The terminal's shape (see the module docstring).
        key: The section's key; its parts are keyed ``<key>-indices`` and ``<key>-categories``.

    Returns:
        ``[Section]``: titled "Class imbalance" (untitled when ``compact``).

    Raises:
        TypeError: ``r`` is not an ImbalanceResult.
    """
    del lang  # one language so far: the words below are the English catalogue's to take over
    if not isinstance(r, ImbalanceResult):
        raise TypeError(f"Expected an ImbalanceResult, got {type(r).__name__}")
    return [_compact(r, key) if compact else _full(r, key)]


def _definitions(r: ImbalanceResult) -> list[tuple[str, str]]:
    return [
        (k, d.replace("R", str(r.rare_threshold)) if k == "rare_share" else d)
        for k, d in INDEX_DEFINITIONS
    ]


def _values(r: ImbalanceResult) -> list[str]:
    out = []
    for index, _ in INDEX_DEFINITIONS:
        value = getattr(r, index)
        shown = fmt_number(value)
        if index == "imbalance_ratio" and r.most and r.least and value is not None:
            shown = f"{r.most.annotations} / {r.least.annotations} = {value:.2f}"
        out.append(shown)
    return out


def _categories_table(r: ImbalanceResult, key: str, name_cells: int | None) -> Table:
    total = max(r.total_annotations, 1)
    return Table(
        key=f"{key}-categories",
        headers=("category_id", "name", "annotations", "images", "share"),
        rows=tuple(
            (
                str(c.category_id),  # an id, not a count: no thousands separator
                c.name if name_cells is None else fit_width(c.name, name_cells),
                c.annotations,
                c.images,
                f"{c.annotations / total:.1%}",
            )
            for c in r.categories
        ),
        align="llrrr",
    )


def _zero_note(r: ImbalanceResult, limit: int | None = None) -> str:
    zero = r.zero_annotation_categories
    shown = zero if limit is None else zero[:limit]
    ids = ", ".join(f"{c.category_id} ({c.name})" for c in shown)
    if len(zero) > len(shown):
        ids += f" (+{len(zero) - len(shown)} more)"
    return (
        "1 declared category has no annotation and is"
        if len(zero) == 1
        else f"{len(zero)} declared categories have no annotation and are"
    ) + f" left out of every index: {ids}"


def _counts(r: ImbalanceResult) -> str:
    return (
        f"{r.total_annotations} annotations on {r.total_images} images, "
        f"{len(r.categories)} annotated categories"
    )


def _full(r: ImbalanceResult, key: str) -> Section:
    indices = Table(
        key=f"{key}-indices",
        headers=("index", "value", "definition"),
        rows=tuple(
            (index, value, definition)
            for (index, definition), value in zip(_definitions(r), _values(r), strict=True)
        ),
        align="lrl",
    )
    categories: tuple[Block, ...] = (_categories_table(r, key, None),)
    if r.zero_annotation_categories:
        categories += (Paragraph(_zero_note(r)),)
    return Section(
        key,
        "Class imbalance",
        (Paragraph(_counts(r) + (f" ({r.source})." if r.source else ".")),),
        (
            Section(f"{key}-indices", "Indices", (indices,)),
            Section(f"{key}-categories", "Categories", categories),
        ),
    )


def _compact(r: ImbalanceResult, key: str) -> Section:
    indices = Table(
        key=f"{key}-indices",
        headers=("index", "value"),
        rows=tuple(zip((k for k, _ in INDEX_DEFINITIONS), _values(r), strict=True)),
        align="lr",
        legend=tuple(_definitions(r)),
    )
    blocks: list[Block] = [
        Paragraph(f"{r.source or 'annotations'}: {_counts(r)}", wrap=False),
        indices,
        _categories_table(r, key, NAME_CELLS),
    ]
    if r.zero_annotation_categories:
        blocks.append(Paragraph(_zero_note(r, ZERO_NOTE_IDS)))
    return Section(key, "", tuple(blocks))
