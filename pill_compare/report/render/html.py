"""Render a :class:`~pill_compare.report.structure.Report` as one self-contained HTML file.

The page is made from Jinja2 templates shipped as package data
(``pill_compare/report/templates/``), autoescape on: every text from the structure is escaped
by Jinja2, nowhere else. The stylesheet and the sorting script are inlined, figures are PNG data
URIs, and a Content-Security-Policy allows nothing but that inline style, that script (by
their hashes) and ``data:`` images, so the file opens offline and cannot fetch anything even if
a text tried. The same report gives the same bytes: nothing here adds a date.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import re
import struct
from importlib import resources
from typing import Any

from pill_compare.report.escape import terminal_safe
from pill_compare.report.render.common import (
    check_keys,
    label_of,
    note_kind,
    table_cells,
    words,
)
from pill_compare.report.structure import (
    Block,
    Bullets,
    Figure,
    Gallery,
    GalleryItem,
    Note,
    Paragraph,
    Report,
    Section,
    Table,
)

__all__ = ["PNG_MAGIC", "render_html"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_TEMPLATES = "templates"
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def render_html(report: Report) -> str:
    """The report as one HTML document: no external URL, figures embedded, CSS and JS inline.

    A table of contents links every titled section (anchors are the section keys); tables scroll
    sideways in their own box on a narrow screen and can be sorted by clicking a header (a small
    inline script; without it they stay in the report's order); notes are styled by kind;
    galleries are a responsive grid; ``@media print`` drops the contents sidebar and lets tables
    run over pages instead of being cut.

    Args:
        report: The report (``report.lang`` becomes ``<html lang>``; ``report.meta`` the lines
            under the title).

    Returns:
        The HTML text (UTF-8 when written), the same for the same report.

    Raises:
        TypeError: ``report`` is not a :class:`Report`, or holds a block of an unknown type.
        ValueError: a bad ``lang``, a key that is not an id or is used twice, a figure whose
            bytes are not a PNG, a note of an unknown kind.
    """
    if not isinstance(report, Report):
        raise TypeError(f"Expected a Report, got {type(report).__name__}")
    if not isinstance(report.lang, str) or not _LANG.fullmatch(report.lang):
        raise ValueError(
            f"Expected lang as a language tag such as 'en' or 'ko', got {report.lang!r}"
        )
    check_keys(report.sections)
    vocabulary = words(report.lang)
    css, js = _asset("report.css"), _asset("report.js")
    view = _View(vocabulary)
    sections = [view.section(s, 2) for s in report.sections]
    _check_ids(report)
    toc = [e for s in report.sections for e in _toc(s)]
    from markupsafe import Markup

    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            lang=report.lang,
            title=_safe(report.title),
            meta=[(_safe(k), _safe(v)) for k, v in report.meta],
            sections=sections,
            toc=toc,
            words=vocabulary,
            css=Markup(css),
            js=Markup(js),
            csp=_policy(css, js),
        )
    )


@functools.cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("pill_compare.report", _TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


@functools.cache
def _asset(name: str) -> str:
    text = resources.files("pill_compare.report").joinpath(_TEMPLATES, name).read_text("utf-8")
    closing = "</style" if name.endswith(".css") else "</script"
    if closing in text.lower():  # our own file; guard against an edit that would end the element
        raise ValueError(f"Expected {name} without {closing!r}")
    return text


def _check_ids(report: Report) -> None:
    """Section ids are their keys; tables, figures, galleries and pictures get a prefix. A section
    key may not take one of those ids."""
    taken = {f"table-{b.key}" for s in report.walk() for b in s.blocks if isinstance(b, Table)}
    for s in report.walk():
        for b in s.blocks:
            if isinstance(b, Figure):
                taken.add(f"figure-{b.key}")
            elif isinstance(b, Gallery):
                taken.add(f"gallery-{b.key}")
                taken.update(f"picture-{item.key}" for item in b.items)
    clash = sorted(s.key for s in report.walk() if s.key in taken)
    if clash:
        raise ValueError(
            f"Expected section keys apart from the HTML ids of blocks, got {clash[0]!r}"
        )


def _policy(css: str, js: str) -> str:
    """Content-Security-Policy: nothing from the network; only this style, this script and
    ``data:`` images."""

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    return (
        "default-src 'none'; img-src data:; "
        f"style-src 'sha256-{digest(css)}'; script-src 'sha256-{digest(js)}'; "
        "base-uri 'none'; form-action 'none'"
    )


def _safe(text: str) -> str:
    """Control characters and bidirectional overrides shown as escapes (Jinja2 escapes HTML)."""
    return terminal_safe(str(text))


def _toc(s: Section) -> list[dict[str, Any]]:
    children = [e for sub in s.subsections for e in _toc(sub)]
    if not s.title:
        return children
    return [{"id": s.key, "title": _safe(s.title), "children": children}]


def _data_uri(png: bytes, what: str) -> tuple[str, int | None, int | None]:
    if not isinstance(png, bytes | bytearray) or not bytes(png[:8]) == PNG_MAGIC:
        raise ValueError(f"Expected PNG bytes for {what}, got {bytes(png[:8])!r}...")
    width = height = None
    if len(png) >= 24 and png[12:16] == b"IHDR":
        width, height = struct.unpack(">II", png[16:24])
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii"), width, height


def _sort_value(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and math.isnan(value):
        return ""
    return repr(value)


class _View:
    """The structure as plain dicts for the template (every text made safe, every image a URI)."""

    def __init__(self, vocabulary: dict[str, str]) -> None:
        self.words = vocabulary

    def section(self, s: Section, level: int) -> dict[str, Any]:
        return {
            "id": s.key,
            "title": _safe(s.title),
            "level": min(level, 6),
            "blocks": [self.block(b) for b in s.blocks],
            "subsections": [
                self.section(sub, level + 1 if s.title else level) for sub in s.subsections
            ],
        }

    def block(self, b: Block) -> dict[str, Any]:
        if isinstance(b, Paragraph):
            lines = [_safe(line) for line in b.text.split("\n")]
            return {"kind": "paragraph", "lines": lines, "emphasis": b.emphasis}
        if isinstance(b, Bullets):
            return {"kind": "bullets", "entries": [_safe(i) for i in b.items]}
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, Note):
            kind = note_kind(b)
            return {
                "kind": "note",
                "note_kind": kind,
                "label": _safe(label_of(kind, self.words)),
                "text": _safe(b.text),
            }
        if isinstance(b, Figure):
            return {"kind": "figure", **self.picture(b, f"figure-{b.key}")}
        if isinstance(b, Gallery):
            return {
                "kind": "gallery",
                "id": f"gallery-{b.key}",
                "caption": _safe(b.caption),
                "entries": [self.picture(item, f"picture-{item.key}") for item in b.items],
            }
        raise TypeError(f"Expected a report block (Paragraph, Table, ...), got {type(b).__name__}")

    def table(self, t: Table) -> dict[str, Any]:
        align = t.alignment()
        cells = table_cells(t)
        return {
            "kind": "table",
            "id": f"table-{t.key}",
            "label": _safe(t.caption or t.key),
            "caption": _safe(t.caption),
            "sortable": t.sortable,
            "headers": [
                {"text": _safe(h), "num": a == "r"} for h, a in zip(t.headers, align, strict=True)
            ],
            "rows": [
                [
                    {"text": _safe(text), "num": a == "r", "sort": _sort_value(value)}
                    for text, value, a in zip(shown, row, align, strict=True)
                ]
                for shown, row in zip(cells, t.rows, strict=True)
            ],
            "legend": [(_safe(term), _safe(text)) for term, text in t.legend],
        }

    def picture(self, p: Figure | GalleryItem, anchor: str) -> dict[str, Any]:
        src, width, height = _data_uri(p.png, f"{type(p).__name__.lower()} {p.key!r}")
        return {
            "id": anchor,
            "src": src,
            "alt": _safe(p.alt or p.caption),
            "caption": _safe(p.caption),
            "width": width,
            "height": height,
        }
