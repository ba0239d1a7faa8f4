"""Render a :class:`~pill_compare.analysis.diagnosis.Diagnosis` (``pillcmp doctor``) as text,
Markdown or JSON."""

from __future__ import annotations

from collections.abc import Sequence
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
