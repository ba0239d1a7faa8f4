"""Render an :class:`~pill_compare.analysis.imbalance.ImbalanceResult` (text, Markdown, JSON, CSV).

Text and Markdown are the result's sections
(:func:`~pill_compare.report.sections.imbalance.imbalance_sections`) through the shared
renderers; JSON is ``to_dict()``, CSV ``to_frame()``.
"""

from __future__ import annotations

from pill_compare.analysis.imbalance import ImbalanceResult
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.imbalance import (
    INDEX_DEFINITIONS,
    NAME_CELLS,
    ZERO_NOTE_IDS,
    imbalance_sections,
)
from pill_compare.report.tables import render_as

__all__ = [
    "INDEX_DEFINITIONS",
    "NAME_CELLS",
    "ZERO_NOTE_IDS",
    "render_imbalance",
    "render_imbalance_markdown",
    "render_imbalance_text",
]


def render_imbalance_text(r: ImbalanceResult, *, explain: bool = False) -> str:
    """The terminal view: the indices, then one row per annotated category.

    Fits :data:`~pill_compare.report.tables.TEXT_WIDTH` (120) columns: long names end in "…"
    and the zero-annotation note names the first few categories ("(+N more)").

    Args:
        r: The imbalance result.
        explain: Add each index's definition under the indices (Markdown always has them).
    """
    return render_text(imbalance_sections(r, compact=True), explain=explain)


def render_imbalance_markdown(r: ImbalanceResult) -> str:
    """Markdown: the counts, the indices with their definitions, every category."""
    return render_markdown(imbalance_sections(r))[0]


def render_imbalance(r: ImbalanceResult, fmt: str, *, explain: bool = False) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per category).

    ``explain`` adds the definitions to the text view (Markdown and JSON always have them).
    """
    return render_as(
        r, fmt, text=render_imbalance_text, md=render_imbalance_markdown, explain=explain
    )
