"""Render an :class:`~pill_compare.analysis.imbalance.ImbalanceResult` (text, Markdown, JSON, CSV)."""

from __future__ import annotations

from pill_compare.analysis.imbalance import ImbalanceResult
from pill_compare.report.tables import fmt_number, md_table, render_as, text_table

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


def _category_rows(r: ImbalanceResult) -> list[list[object]]:
    total = max(r.total_annotations, 1)
    return [
        [str(c.category_id), c.name, c.annotations, c.images, f"{c.annotations / total:.1%}"]
        for c in r.categories
    ]


def _zero_note(r: ImbalanceResult) -> str:
    ids = ", ".join(f"{c.category_id} ({c.name})" for c in r.zero_annotation_categories)
    return (
        f"{len(r.zero_annotation_categories)} declared categor(ies) have no annotation and are "
        f"left out of every index: {ids}"
    )


def render_imbalance_text(r: ImbalanceResult) -> str:
    out = [
        f"{r.source or 'annotations'}: {r.total_annotations} annotations on {r.total_images} images, "
        f"{len(r.categories)} annotated categories",
        "",
        text_table(["index", "value", "definition"], _index_rows(r), align="lrl"),
        "",
        text_table(
            ["category_id", "name", "annotations", "images", "share"],
            _category_rows(r),
            align="llrrr",
        ),
    ]
    if r.zero_annotation_categories:
        out += ["", _zero_note(r)]
    return "\n".join(out) + "\n"


def render_imbalance_markdown(r: ImbalanceResult) -> str:
    out = [
        "# Class imbalance",
        "",
        f"{r.total_annotations} annotations on {r.total_images} images, "
        f"{len(r.categories)} annotated categories (`{r.source}`).",
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
        out += ["", _zero_note(r)]
    return "\n".join(out) + "\n"


def render_imbalance(r: ImbalanceResult, fmt: str) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per category)."""
    return render_as(r, fmt, text=render_imbalance_text, md=render_imbalance_markdown)
