"""Render a :class:`~pill_compare.report.structure.Report` as one self-contained HTML file.

The page is made from Jinja2 templates shipped as package data
(``pill_compare/report/templates/``), autoescape on: every text from the structure is escaped
by Jinja2, nowhere else. The stylesheet and the sorting script are inlined, figures are PNG data
URIs, and a Content-Security-Policy allows nothing but that inline style, that script (by
their hashes) and ``data:`` images and fonts, so the file opens offline and cannot fetch
anything even if a text tried. The same report gives the same bytes: nothing here adds a date.

Hangul on any machine: a reader without a Korean font would see empty boxes, so when the page's
text holds Hangul (or other CJK characters) a subset of NanumGothic (SIL Open Font License 1.1,
found inside the installed koreanize-matplotlib, :func:`~pill_compare.report.style.
hangul_font_path`) is embedded as a WOFF ``@font-face`` data URI holding exactly the page's
non-ASCII characters, first in the font stack. The OFL reserves the font's name for the
unmodified font, so the subset is renamed :data:`EMBEDDED_FONT_FAMILY`. Without the font file
(or fontTools) the page keeps the font stack alone and says so in a comment in its head.
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
    page_note,
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

__all__ = ["EMBEDDED_FONT_FAMILY", "PNG_MAGIC", "embedded_font_css", "render_html"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_TEMPLATES = "templates"
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

#: The CSS family of the embedded Hangul subset (first in report.css's font stack). Not
#: "NanumGothic": the OFL reserves that name for the unmodified font.
EMBEDDED_FONT_FAMILY = "pillcmp Hangul"

# Characters a reader's fonts may lack where no Korean font is installed: Hangul jamo and
# syllables, CJK punctuation, enclosed forms, ideographs, halfwidth/fullwidth forms. A page
# holding none of these (an English report on ASCII names) embeds no font.
_NEEDS_FONT = re.compile(
    "[\u1100-\u11ff\u3000-\u303f\u3130-\u318f\u3200-\u32ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]"
)


def render_html(report: Report) -> str:
    """The report as one HTML document: no external URL, figures embedded, CSS and JS inline.

    A table of contents links every titled section (anchors are the section keys); tables scroll
    sideways in their own box on a narrow screen and can be sorted by clicking a header (a small
    inline script; without it they stay in the report's order); notes are styled by kind;
    galleries are a responsive grid; ``@media print`` drops the contents sidebar and lets tables
    run over pages instead of being cut. A page with Hangul carries its own font subset
    (:func:`embedded_font_css`), so it never shows empty boxes.

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

    def page(style: str, head_note: str) -> str:
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
                css=Markup(style),
                js=Markup(js),
                csp=_policy(style, js),
                head_note=head_note,
            )
        )

    plain = page(css, "")
    face, head_note = embedded_font_css(plain)
    if not face and not head_note:
        return plain
    return page(face + css, head_note)


def embedded_font_css(text: str) -> tuple[str, str]:
    """The ``@font-face`` rule that makes ``text``'s Hangul display without a Korean font.

    Args:
        text: The page (or any text): its non-ASCII characters are what the subset holds.

    Returns:
        ``(rule, note)``: the CSS rule (a WOFF data URI of the NanumGothic subset named
        :data:`EMBEDDED_FONT_FAMILY`) and a one-line ASCII note for the page's head; both ''
        when ``text`` holds no Hangul or CJK character; ``('', why)`` when the font file or
        fontTools is missing or the font cannot be subset (the reader's fonts are used).
        The same text gives the same bytes.
    """
    from pill_compare.report.style import hangul_font_path

    if not _NEEDS_FONT.search(text):
        return "", ""
    path = hangul_font_path()
    if path is None:
        return "", (
            "Hangul: no font embedded (NanumGothic.ttf from koreanize-matplotlib is not "
            "installed): the reader's own Korean fonts are used"
        )
    chars = "".join(sorted({c for c in text if ord(c) > 0x7F}))
    try:
        woff, glyphs = _font_subset(str(path), chars)
    except Exception as exc:  # any failure inside fontTools must not cost the report
        return "", (
            f"Hangul: no font embedded (the subset of {path.name} failed: "
            f"{type(exc).__name__}): the reader's own Korean fonts are used"
        )
    data = base64.b64encode(woff).decode("ascii")
    rule = (
        f'@font-face {{ font-family: "{EMBEDDED_FONT_FAMILY}"; font-style: normal; '
        f"font-weight: 400; font-display: block; "
        f'src: url("data:font/woff;base64,{data}") format("woff"); }}\n'
    )
    note = (
        f"Hangul: {glyphs} characters of NanumGothic (c) NHN Corporation, SIL Open Font "
        f"License 1.1, embedded as the subset font {EMBEDDED_FONT_FAMILY}"
    )
    return rule, note


# The name records the subset keeps (copyright and version are NanumGothic's; the names are
# changed, as the OFL asks of a modified version; the licence is stated in ID 13).
_SUBSET_NAMES = {
    1: EMBEDDED_FONT_FAMILY,
    2: "Regular",
    3: f"{EMBEDDED_FONT_FAMILY}: subset of NanumGothic",
    4: EMBEDDED_FONT_FAMILY,
    6: EMBEDDED_FONT_FAMILY.replace(" ", "") + "-Regular",
    13: "A subset of NanumGothic (c) NHN Corporation, licensed under the SIL Open Font "
    "License, Version 1.1, renamed as that licence asks of a modified version.",
}


@functools.lru_cache(maxsize=8)
def _font_subset(path: str, chars: str) -> tuple[bytes, int]:
    """WOFF (zlib) bytes of the font at ``path`` cut to ``chars``, and how many of them it has.

    Unhinted (a third of the size; browsers hint outlines themselves), no layout features,
    the source's timestamps kept (fontTools would stamp the time of saving): the same input
    gives the same bytes. WOFF rather than WOFF2 so no optional brotli decides the output.
    """
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.layout_features = []
    options.name_IDs = [0, 5]  # the rest are set below
    options.name_languages = [0x409]
    options.drop_tables = [*options.drop_tables, "TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    font = TTFont(path, recalcTimestamp=False, lazy=True)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        cmap = font.getBestCmap() or {}
        names = font["name"]
        for name_id, value in _SUBSET_NAMES.items():
            names.setName(value, name_id, 3, 1, 0x409)
        font.flavor = "woff"
        out = io.BytesIO()
        font.save(out)
    finally:
        font.close()
    return out.getvalue(), sum(ord(c) in cmap for c in chars)


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
    ``data:`` images and fonts."""

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    return (
        "default-src 'none'; img-src data:; font-src data:; "
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
        cells = table_cells(t, page=True)
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
                for shown, row in zip(cells, t.page_rows(), strict=True)
            ],
            "more": _safe(page_note(t, self.words)),
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
