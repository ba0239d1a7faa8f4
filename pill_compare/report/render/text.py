"""Render a section tree for a terminal: plain lines, at most ``width`` cells wide.

The layout every pillcmp command already uses: a titled section starts with ``Title:`` (a
top-level one is underlined instead), its first block on the next line; blocks and subsections
are separated by one blank line; wrapped lines of prose continue indented by two spaces. Every
text is made harmless for the terminal (:func:`~pill_compare.report.escape.terminal_safe`)
before it is wrapped, so an ANSI escape in a category name is shown, never acted on.
"""

from __future__ import annotations

from collections.abc import Sequence

from pill_compare.report.escape import terminal_safe
from pill_compare.report.render.common import label_of, note_kind, table_cells, words
from pill_compare.report.structure import (
    Block,
    Bullets,
    Figure,
    Gallery,
    Note,
    Paragraph,
    Section,
    Table,
)
from pill_compare.report.tables import TEXT_WIDTH, cell_width, text_table, wrap_text

__all__ = ["render_text"]

#: How wrapped lines of prose, bullets and legends continue.
CONTINUE = "  "


def render_text(
    sections: Sequence[Section],
    *,
    explain: bool = False,
    width: int = TEXT_WIDTH,
    lang: str = "en",
) -> str:
    """The sections as terminal text.

    Paragraphs are wrapped to ``width`` display cells (a Hangul syllable takes two; a ``\\n`` in a
    paragraph starts a new line), bullets are ``  - item``, tables are
    :func:`~pill_compare.report.tables.text_table` (a :attr:`Table.limit` shows the first rows
    and says how many more there are), a table's legend only with ``explain``, notes prefixed by
    their kind ("Caveat: ..."), figures as ``[figure: caption]``, galleries as a count.

    Args:
        sections: The top-level sections.
        explain: Show the tables' legends (the definitions) under them.
        width: Wrap prose to this many cells (tables are as wide as their cells).
        lang: The language of the renderer's own words ("Caveat", "more rows"); the
            sections' texts are already in the report's language.

    Returns:
        The text, ending in one newline.

    Raises:
        TypeError: a block that is not one of the structure's block types.
        ValueError: ``width`` is below 20, or a note of an unknown kind.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 20:
        raise ValueError(f"Expected width >= 20, got {width!r}")
    renderer = _TextRenderer(explain=explain, width=width, vocabulary=words(lang))
    parts = [renderer.section(s, 0) for s in sections]
    return "\n\n".join(p for p in parts if p) + "\n"


class _TextRenderer:
    def __init__(self, *, explain: bool, width: int, vocabulary: dict[str, str]) -> None:
        self.explain = explain
        self.width = width
        self.words = vocabulary

    def wrap(self, text: str, first: str = "") -> list[str]:
        """Each line of ``text`` wrapped; the first starts with ``first`` (a bullet), the rest
        line up under its text (or continue by :data:`CONTINUE` without one)."""
        indent = " " * len(first) if first else CONTINUE
        out: list[str] = []
        for k, line in enumerate(terminal_safe(text).split("\n")):
            lead = first if k == 0 else " " * len(first)
            out += wrap_text(lead + line, width=self.width, indent=indent)
        return out

    def section(self, s: Section, depth: int) -> str:
        head: list[str] = []
        if s.title:
            if depth == 0:
                head = self.wrap(s.title)
                head.append("=" * min(max(cell_width(line) for line in head), self.width))
            else:
                head = self.wrap(s.title + ":")
        body = [self.block(b) for b in s.blocks]
        body += [self.section(sub, depth + 1) for sub in s.subsections]
        body = [b for b in body if b]
        if not body:
            return "\n".join(head)
        text = "\n\n".join(body)
        return "\n".join(head) + "\n" + text if head else text

    def block(self, b: Block) -> str:
        if isinstance(b, Paragraph):
            first = "* " if b.emphasis else ""
            if not b.wrap:
                lines = terminal_safe(b.text).split("\n")
                return "\n".join([first + lines[0], *(" " * len(first) + x for x in lines[1:])])
            return "\n".join(self.wrap(b.text, first))
        if isinstance(b, Bullets):
            return "\n".join(line for item in b.items for line in self.wrap(item, "  - "))
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, Note):
            label = label_of(note_kind(b), self.words)
            return "\n".join(self.wrap(f"{label}: {b.text}"))
        if isinstance(b, Figure):
            return "\n".join(self.wrap(self.words["figure"].format(caption=b.caption)))
        if isinstance(b, Gallery):
            n = len(b.items)
            key = ("gallery_caption" if b.caption else "gallery") + ("_one" if n == 1 else "")
            line = self.words[key].format(caption=b.caption, n=n)
            return "\n".join(self.wrap(line))
        raise TypeError(f"Expected a report block (Paragraph, Table, ...), got {type(b).__name__}")

    def table(self, t: Table) -> str:
        out = self.wrap(t.caption) if t.caption else []
        rows = table_cells(t)
        shown = rows if t.limit is None else rows[: max(t.limit, 0)]
        out.append(text_table(t.headers, shown, align=t.alignment()))
        more = t.row_count() - len(shown)
        if more:
            out.append(
                self.words["more_row"] if more == 1 else self.words["more_rows"].format(n=more)
            )
        if self.explain:
            for term, definition in t.legend:
                out += self.wrap(f"{term}: {definition}", "  ")
        return "\n".join(out)
