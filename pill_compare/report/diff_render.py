"""Render a :class:`~pill_compare.analysis.diff.DiffResult` as text, Markdown, JSON or CSV.

Text and Markdown are the diff's sections (:func:`~pill_compare.report.sections.diff.diff_sections`)
through the shared renderers; JSON is ``to_dict()``, CSV ``to_frame()``.
"""

from __future__ import annotations

from pill_compare.analysis.diff import DiffResult
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.diff import CELL_IDS, LABEL_CELLS, LINE_IDS, diff_sections
from pill_compare.report.tables import render_as

__all__ = [
    "CELL_IDS",
    "LABEL_CELLS",
    "LINE_IDS",
    "render_diff",
    "render_diff_markdown",
    "render_diff_text",
]


def render_diff_text(r: DiffResult, *, explain: bool = False) -> str:
    """The terminal view: summary, differing images, one-sided categories, substitutions.

    Fits :data:`~pill_compare.report.tables.TEXT_WIDTH` (120) columns: long id lists end in
    "(+N more)" and long category labels in "…" (JSON, CSV and Markdown list everything).

    Args:
        r: The diff.
        explain: Accepted for a uniform signature; the diff's text has no definitions to add.
    """
    return render_text(diff_sections(r, compact=True), explain=explain)


def render_diff_markdown(r: DiffResult) -> str:
    """A Markdown section in the shape of a hand-written comparison report's category-list part."""
    return render_markdown(diff_sections(r))[0]


def render_diff(r: DiffResult, fmt: str, *, explain: bool = False) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per differing image).

    ``explain`` is accepted like every renderer's (a diff has no definitions to add).
    """
    return render_as(r, fmt, text=render_diff_text, md=render_diff_markdown, explain=explain)
