"""Render an :class:`~pill_compare.analysis.imbalance.ImbalanceResult` (text, Markdown, JSON, CSV)."""

from __future__ import annotations

from pill_compare.analysis.imbalance import ImbalanceResult
from pill_compare.report.escape import md_code, md_escape, terminal_safe
from pill_compare.report.tables import (
    fit_width,
    fmt_number,
    md_table,
    render_as,
    text_table,
    wrap_text,
)

#: Text output: categories named in the zero-annotation note ("(+N more)" beyond), and the
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


def _index_rows(r: ImbalanceResult) -> list[list[str]]:
    rows = []
    for key, definition in INDEX_DEFINITIONS:
        value = getattr(r, key)
        shown = fmt_number(value)
        if key == "imbalance_ratio" and r.most and r.least and value is not None:
            shown = f"{r.most.annotations} / {r.least.annotations} = {value:.2f}"
        if key == "rare_share":
            definition = definition.replace("R", str(r.rare_threshold))
        rows.append([key, shown, definition])
    return rows


def _category_rows(r: ImbalanceResult, name_cells: int | None = None) -> list[list[object]]:
    total = max(r.total_annotations, 1)
    return [
        [
            str(c.category_id),
            c.name if name_cells is None else fit_width(c.name, name_cells),
            c.annotations,
            c.images,
            f"{c.annotations / total:.1%}",
        ]
        for c in r.categories
    ]


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


def render_imbalance_text(r: ImbalanceResult, *, explain: bool = False) -> str:
    """The terminal view: the indices, then one row per annotated category.

    Fits :data:`~pill_compare.report.tables.TEXT_WIDTH` (120) columns: long names end in "…"
    and the zero-annotation note names the first few categories ("(+N more)").

    Args:
        r: The imbalance result.
        explain: Add each index's definition next to its value (Markdown always has them).
    """
    index_rows = _index_rows(r)
    index_table = (
        text_table(["index", "value", "definition"], index_rows, align="lrl")
        if explain
        else text_table(["index", "value"], [row[:2] for row in index_rows], align="lr")
    )
    out = [
        f"{r.source or 'annotations'}: {r.total_annotations} annotations on {r.total_images} images, "
        f"{len(r.categories)} annotated categories",
        "",
        index_table,
        "",
        text_table(
            ["category_id", "name", "annotations", "images", "share"],
            _category_rows(r, NAME_CELLS),
            align="llrrr",
        ),
    ]
    if r.zero_annotation_categories:
        out += ["", *wrap_text(_zero_note(r, ZERO_NOTE_IDS), indent="  ")]
    return terminal_safe("\n".join(out) + "\n")


def render_imbalance_markdown(r: ImbalanceResult) -> str:
    out = [
        "# Class imbalance",
        "",
        f"{r.total_annotations} annotations on {r.total_images} images, "
        f"{len(r.categories)} annotated categories ({md_code(r.source)}).",
        "",
        "## Indices",
        "",
        md_table(["index", "value", "definition"], _index_rows(r)),
        "",
        "## Categories",
        "",
        md_table(["category_id", "name", "annotations", "images", "share"], _category_rows(r)),
    ]
    if r.zero_annotation_categories:
        out += ["", md_escape(_zero_note(r))]
    return "\n".join(out) + "\n"


def render_imbalance(r: ImbalanceResult, fmt: str, *, explain: bool = False) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per category).

    ``explain`` adds the definitions to the text view (Markdown and JSON always have them).
    """
    return render_as(
        r, fmt, text=render_imbalance_text, md=render_imbalance_markdown, explain=explain
    )
