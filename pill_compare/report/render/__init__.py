"""Renderers of the report structure: any section tree as text, Markdown, or one HTML file.

Section builders (:mod:`pill_compare.report.sections`) turn results into
:class:`~pill_compare.report.structure.Section` trees; these functions turn any tree into an
output, formatting every cell the same way and escaping every text once, where it is written:

- :func:`render_text` — a terminal (wrapped to 120 cells, controls made harmless),
- :func:`render_markdown` — GitHub-flavoured Markdown and the PNG files it links,
- :func:`render_html` — one self-contained HTML file (Jinja2 templates, autoescape on).

Example:
    >>> from pill_compare.report.structure import Paragraph, Section
    >>> print(render_text([Section("s", "Findings", (Paragraph("B is better."),))]), end="")
    Findings
    ========
    B is better.
"""

from __future__ import annotations

from pill_compare.report.render.html import render_html
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text

__all__ = ["render_html", "render_markdown", "render_text"]
