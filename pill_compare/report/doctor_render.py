"""Render a :class:`~pill_compare.analysis.diagnosis.Diagnosis` (``pillcmp doctor``) as text,
Markdown or JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pill_compare.analysis.diagnosis import Diagnosis
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.diagnosis import doctor_sections
from pill_compare.report.tables import to_json


def render_doctor(
    diagnosis: Diagnosis, fmt: str, *, runs: Sequence[Any] = (), lang: str = "en"
) -> str:
    """'text', 'md' or 'json' (``Diagnosis.to_dict()``: ``findings`` with ``code``,
    ``severity``, ``file``, ``count``)."""
    if fmt == "json":
        return to_json(diagnosis.to_dict())
    sections = doctor_sections(diagnosis, lang, runs=runs)
    if fmt == "md":
        return render_markdown(sections, lang=lang)[0]
    if fmt == "text":
        return render_text(sections, lang=lang)
    raise ValueError(f"Expected fmt 'text', 'md' or 'json', got {fmt!r}")


def render_with_diagnosis(
    result: Any,
    fmt: str,
    render: Callable[[], str],
    diagnosis: Diagnosis | None,
    *,
    runs: Sequence[Any] = (),
    lang: str = "en",
) -> str:
    """A command's output (``render()``, in ``fmt``) with the input check put first: in JSON as
    ``diagnosis`` beside the result's keys; in Markdown and text, the input-check section above
    the rest when a finding stands or a category map was applied (a file written with ``-o``
    must say it too, not only stderr). CSV (a table of rows) is left as it is."""
    if diagnosis is None or fmt == "csv":
        return render()
    if fmt == "json":  # the result's own keys beside the diagnosis: one dict, one dump
        return to_json({**result.to_dict(), "diagnosis": diagnosis.to_dict()})
    rendered = render()
    if not diagnosis.standing and not any(getattr(r, "category_map", None) for r in runs):
        return rendered
    from pill_compare.report.sections.diagnosis import diagnosis_section

    section = [diagnosis_section(diagnosis, lang, runs=runs)]
    if fmt == "md":
        return render_markdown(section, lang=lang)[0] + "\n" + rendered
    return render_text(section, lang=lang) + "\n" + rendered
