"""Render a :class:`~pill_compare.analysis.compare.ComparisonResult`: text (one screen of
findings first, details after), Markdown, JSON (``to_dict()`` plus the sentences), CSV (the
per-class table). Computes nothing: every number comes from the result.

Text and Markdown are the command's sections
(:func:`~pill_compare.report.sections.compare.compare_command_sections`) through the shared
renderers; the report's fuller arrangement is
:func:`~pill_compare.report.sections.compare.compare_sections`.
"""

from __future__ import annotations

from typing import Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.report.escape import Md
from pill_compare.report.messages import catalogue
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.compare import (
    calibration_sentence,
    compare_command_sections,
    summary_sentences,
    support_lines,
    verdict_lines,
)
from pill_compare.report.sections.scores import lrp_sentence
from pill_compare.report.tables import to_csv, to_json

__all__ = ["Md", "compare_json", "render_compare", "render_compare_markdown", "render_compare_text"]


def render_compare_text(r: ComparisonResult, *, explain: bool = False, lang: str = "en") -> str:
    """The terminal view: verdict, headline metrics, swap patterns, error types, imbalance on the
    first screen; the per-class table and caveats after; ``explain`` adds the definitions (the
    tables' legends and the method definitions)."""
    sections = compare_command_sections(r, lang, compact=True)
    if not explain:
        sections = [s for s in sections if s.key != "definitions"]
    return render_text(sections, explain=explain, lang=lang)


def render_compare_markdown(r: ComparisonResult, *, lang: str = "en") -> str:
    """A Markdown section: findings, headline metrics, disagreements, error types, imbalance,
    every class, caveats and definitions."""
    title = catalogue(lang).text("compare.title", a=r.names[0], b=r.names[1])
    sections = compare_command_sections(r, lang)
    return render_markdown(sections, title=title, lang=lang, toc=False)[0]


def compare_json(r: ComparisonResult, *, lang: str = "en") -> dict[str, Any]:
    """``r.to_dict()`` plus the sentences: ``significance.sentence`` (and ``mcnemar_sentence``),
    ``imbalance.sentence``, ``calibration.sentence``, ``lrp.sentence``, ``summary`` (every finding line) and ``report_summary`` (the
    report's three summary sentences)."""
    msg = catalogue(lang)
    doc = r.to_dict()
    if "significance" in doc:
        doc["significance"]["sentence"] = (
            msg.significance_sentence(r.verdict) if r.verdict is not None else msg.NO_BOOTSTRAP
        )
        doc["significance"]["mcnemar_sentence"] = msg.mcnemar_sentence(r.mcnemar)
    if "calibration" in doc:
        doc["calibration"]["sentence"] = calibration_sentence(msg.text, r)
    if "lrp" in doc:
        doc["lrp"]["sentence"] = lrp_sentence(msg.text, r)
    support = support_lines(r, lang)
    if "imbalance" in doc:
        doc["imbalance"]["sentence"] = support[0]
    # Without a ground truth the findings are the agreement sentences (training ones included).
    doc["summary"] = (
        [*verdict_lines(r, lang), *support] if r.has_ground_truth else summary_sentences(r, lang)
    )
    doc["report_summary"] = summary_sentences(r, lang)
    return doc


def render_compare(
    r: ComparisonResult, fmt: str, *, explain: bool = False, lang: str = "en"
) -> str:
    """Dispatch: 'text', 'md', 'json' (with the sentences) or 'csv' (one row per class)."""
    if fmt == "json":
        return to_json(compare_json(r, lang=lang))
    if fmt == "csv":
        return to_csv(r.to_frame())
    if fmt == "md":
        return render_compare_markdown(r, lang=lang)
    if fmt == "text":
        return render_compare_text(r, explain=explain, lang=lang)
    raise ValueError(f"Expected fmt in ('text', 'md', 'json', 'csv'), got {fmt!r}")
