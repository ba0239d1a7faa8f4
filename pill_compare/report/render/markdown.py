"""Render a section tree as GitHub-flavoured Markdown, with its figures as PNG files beside it.

Every text from the structure goes through :func:`~pill_compare.report.escape.md_escape`
exactly once, where it is written (table cells through
:func:`~pill_compare.report.tables.md_table`, which escapes them; an
:class:`~pill_compare.report.escape.Md` cell is already Markdown and kept). Nothing here links
outside the report: figures are relative file names, the table of contents links to anchors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pill_compare.report.escape import md_escape
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
    Section,
    Table,
)
from pill_compare.report.tables import md_table

__all__ = ["render_markdown"]

#: A figure prefix is a relative folder or file-name prefix: no scheme, no space, no '..'.
_PREFIX = re.compile(r"[A-Za-z0-9_./\-]*")


def render_markdown(
    sections: Sequence[Section],
    *,
    title: str | None = None,
    figure_prefix: str = "",
    meta: Sequence[tuple[str, str]] = (),
    lang: str = "en",
    toc: bool | None = None,
) -> tuple[str, dict[str, bytes]]:
    """The sections as Markdown, and the figure files it links.

    Headings are ``#`` for the top-level sections (``##`` under a ``title``), one more per
    level; bullets ``- item``; tables GitHub pipe tables with their caption above and their
    legend under them; figures ``![alt](<prefix><key>.png)`` with the caption under it; gallery
    items the same, one after the other; notes blockquotes led by their kind ("Caveat").

    Args:
        sections: The top-level sections.
        title: The document's ``#`` heading; with it, a table of contents follows (linking
            ``<a id="key">`` anchors placed in the headings).
        figure_prefix: Put before every figure's file name, e.g. ``"figures/"``; letters,
            digits, ``_ - . /`` only, relative, no ``..``.
        meta: (label, value) lines shown under the title (``Report.meta``: models, inputs,
            date, version), as a list.
        lang: The language of the renderer's own words ("Contents", "Caveat"): pass
            ``Report.lang``.
        toc: Write the table of contents; default: when there is a ``title``.

    Returns:
        The Markdown (ending in one newline) and ``{file name: PNG bytes}`` for every figure and
        gallery item, named as linked (``figure_prefix + key + ".png"``), in reading order.
        A command's ``-f md`` may ignore the files when the sections hold no figure.

    Raises:
        ValueError: a bad ``figure_prefix``, a key that is not an id or is used twice, a note
            of an unknown kind.
        TypeError: a block that is not one of the structure's block types.
    """
    if not isinstance(figure_prefix, str) or (
        figure_prefix
        and (
            not _PREFIX.fullmatch(figure_prefix)
            or figure_prefix.startswith(("/", "."))
            or ".." in figure_prefix
            or "//" in figure_prefix
        )
    ):
        raise ValueError(
            "Expected figure_prefix of letters, digits, '_', '-', '.' and '/' (a relative "
            f"folder), got {figure_prefix!r}"
        )
    check_keys(sections)
    make_toc = title is not None if toc is None else toc
    r = _MarkdownRenderer(figure_prefix, words(lang), anchors=make_toc)
    out: list[str] = []
    base = 1
    if title is not None:
        out.append(f"# {md_escape(title)}")
        base = 2
    if meta:
        out.append(
            "\n".join(f"- **{md_escape(label)}:** {md_escape(value)}" for label, value in meta)
        )
    if make_toc:
        entries = [line for s in sections for line in _toc(s, 0)]
        if entries:
            out.append(f"**{md_escape(r.words['contents'])}**\n\n" + "\n".join(entries))
    out += [r.section(s, base) for s in sections]
    return "\n\n".join(part for part in out if part) + "\n", r.files


def _toc(s: Section, depth: int) -> list[str]:
    lines = [f"{'  ' * depth}- [{md_escape(s.title)}](#{s.key})"] if s.title else []
    for sub in s.subsections:
        lines += _toc(sub, depth + 1 if s.title else depth)
    return lines


class _MarkdownRenderer:
    def __init__(self, prefix: str, vocabulary: dict[str, str], *, anchors: bool) -> None:
        self.prefix = prefix
        self.words = vocabulary
        self.anchors = anchors
        self.files: dict[str, bytes] = {}

    def section(self, s: Section, level: int) -> str:
        out = []
        if s.title:
            anchor = f'<a id="{s.key}"></a>' if self.anchors else ""
            out.append(f"{'#' * min(level, 6)} {anchor}{md_escape(s.title)}")
        out += [self.block(b) for b in s.blocks]
        out += [self.section(sub, level + 1 if s.title else level) for sub in s.subsections]
        return "\n\n".join(part for part in out if part)

    def block(self, b: Block) -> str:
        if isinstance(b, Paragraph):
            # A '\n' in a paragraph is a line break (a backslash at the end of a line).
            text = "\\\n".join(md_escape(line) for line in b.text.split("\n"))
            return f"**{text.strip()}**" if b.emphasis and text.strip() else text
        if isinstance(b, Bullets):
            return "\n".join(f"- {md_escape(item)}" for item in b.items)
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, Note):
            label = label_of(note_kind(b), self.words)
            return f"> **{md_escape(label)}:** {md_escape(b.text)}"
        if isinstance(b, Figure):
            return self.picture(b)
        if isinstance(b, Gallery):
            out = [md_escape(b.caption)] if b.caption else []
            out += [self.picture(item) for item in b.items]
            return "\n\n".join(out)
        raise TypeError(f"Expected a report block (Paragraph, Table, ...), got {type(b).__name__}")

    def table(self, t: Table) -> str:
        out = [md_escape(t.caption)] if t.caption else []
        lines = md_table(t.headers, table_cells(t, page=True)).split("\n")
        # The structure's alignment, not md_table's guess from the first row's types (a signed
        # difference is a string by then).
        lines[1] = "|" + "|".join("---:" if a == "r" else "---" for a in t.alignment()) + "|"
        out.append("\n".join(lines))
        below = page_note(t, self.words)
        if below:
            out.append(f"*{md_escape(below)}*")
        if t.legend:
            out.append(
                "\n".join(f"- **{md_escape(term)}**: {md_escape(text)}" for term, text in t.legend)
            )
        return "\n\n".join(out)

    def picture(self, p: Figure | GalleryItem) -> str:
        name = f"{self.prefix}{p.key}.png"
        self.files[name] = p.png
        image = f"![{md_escape(p.alt or p.caption)}]({name})"
        caption = p.caption.strip()
        return f"{image}\\\n*{md_escape(caption)}*" if caption else image
