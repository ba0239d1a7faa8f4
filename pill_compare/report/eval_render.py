"""Render an :class:`~pill_compare.analysis.evaluate.EvalResult` as text, Markdown, JSON or CSV.

Text and Markdown are the evaluation's sections
(:func:`~pill_compare.report.sections.eval.eval_sections`) through the shared renderers: Markdown
prints every number with its definition in a legend under its table; the text view does so with
``explain=True`` and otherwise fits 120 columns. JSON is ``to_dict()``, CSV ``to_frame()``.
"""

from __future__ import annotations

from pill_compare.analysis.evaluate import EvalResult
from pill_compare.report.messages import catalogue
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.eval import LABEL_CELLS, NAME_CELLS, TOP_CONFUSIONS, eval_sections
from pill_compare.report.tables import render_as

__all__ = [
    "LABEL_CELLS",
    "NAME_CELLS",
    "TOP_CONFUSIONS",
    "render_eval",
    "render_eval_markdown",
    "render_eval_text",
]


def render_eval_text(r: EvalResult, *, explain: bool = False, lang: str = "en") -> str:
    """The terminal view: COCO stats, operating point, accuracy, per class, confusions.

    Without ``explain`` it fits :data:`~pill_compare.report.tables.TEXT_WIDTH` (120) columns:
    the definitions (the tables' legends) are left out (Markdown and JSON always have them),
    long names end in "…", prose is wrapped.

    Args:
        r: The evaluation.
        explain: Add every definition: under the COCO stats, the operating point, the
            accuracies, the per-class tables and the confusion matrix (its convention).
        lang: 'en' or 'ko'.
    """
    return render_text(eval_sections(r, lang, compact=True), explain=explain, lang=lang)


def render_eval_markdown(r: EvalResult, *, lang: str = "en") -> str:
    """A Markdown report section with the same content as the text view, every definition
    included."""
    msg = catalogue(lang)
    title = msg.text("eval.title", name=r.name or msg.text("eval.unnamed"))
    return render_markdown(eval_sections(r, lang), title=title, lang=lang, toc=False)[0]


def render_eval(r: EvalResult, fmt: str, *, explain: bool = False) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per category).

    ``explain`` adds the definitions to the text view (Markdown and JSON always have them).
    """
    return render_as(r, fmt, text=render_eval_text, md=render_eval_markdown, explain=explain)
