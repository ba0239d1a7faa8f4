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

from pill_compare.lazy import lazy_exports

# Imported on first use: importing the HTML renderer (and importlib.resources, for its
# templates) cost every command that writes no HTML 0.016-0.024 s.
_EXPORTS = {
    "render_html": "pill_compare.report.render.html",
    "render_markdown": "pill_compare.report.render.markdown",
    "render_text": "pill_compare.report.render.text",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
