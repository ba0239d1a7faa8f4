"""What the three renderers share: cell formatting, key checks, and their few words of their own.

Every renderer formats a cell the same way (:func:`format_cell`), so a number reads the same in
the terminal, in ``report.md`` and in ``report.html``. Keys become anchors and file names, so
they are checked once here (:func:`check_keys`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence

from pill_compare.report.structure import (
    Block,
    Cell,
    Figure,
    Gallery,
    Note,
    Section,
    Table,
)
from pill_compare.report.tables import fmt_number

__all__ = [
    "DEFAULT_WORDS",
    "KEY_PATTERN",
    "NOTE_KINDS",
    "check_keys",
    "format_cell",
    "iter_blocks",
    "label_of",
    "note_kind",
    "page_note",
    "table_cells",
    "words",
]

#: A key: letters, digits, '_', '.', '-', starting with a letter or digit (an HTML id, a file name).
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
NOTE_KINDS: tuple[str, ...] = ("info", "absent", "caveat", "warning")

#: The renderers' own words, in English. A catalogue may override any of them with a
#: ``RENDER_WORDS`` mapping (``report/messages/<lang>.py``), so a Korean report says 목차.
DEFAULT_WORDS: dict[str, str] = {
    "contents": "Contents",
    "note.info": "Note",
    "note.absent": "Not shown",
    "note.caveat": "Caveat",
    "note.warning": "Warning",
    "more_row": "… and 1 more row (md/json/csv list all)",
    "more_rows": "… and {n} more rows (md/json/csv list all)",
    "figure": "[figure: {caption}]",
    "gallery": "[gallery: {n} images]",
    "gallery_one": "[gallery: 1 image]",
    "gallery_caption": "[gallery: {caption} ({n} images)]",
    "gallery_caption_one": "[gallery: {caption} (1 image)]",
    "sort": "Sort by this column",
    "page_cut": "The first {shown} of {total} rows; report.json lists all.",
    "page_cut_file": "The first {shown} of {total} rows; every row and column: {file}",
    "page_file": "Every column, for spreadsheets and scripts: {file}",
}


def words(lang: str = "en") -> dict[str, str]:
    """The renderers' words in ``lang``: :data:`DEFAULT_WORDS`, overridden by the catalogue's
    ``RENDER_WORDS`` where the language has a catalogue that defines them."""
    from pill_compare.report.messages import catalogue

    try:
        extra = getattr(catalogue(lang), "RENDER_WORDS", None) or {}
    except (ValueError, ImportError):  # no catalogue for this language (yet): English words
        extra = {}
    return {**DEFAULT_WORDS, **extra}


def format_cell(value: Cell, *, signed: bool = False) -> str:
    """A cell as people read it: strings as they are, numbers through
    :func:`~pill_compare.report.tables.fmt_number` (counts ``1,234``, floats with 3 decimals,
    None and NaN as "n/a"), with a '+' on a positive difference when ``signed`` (a difference
    that rounds to zero is ``0.000``, unsigned).

    Example:
        >>> format_cell(0.12345), format_cell(0.5, signed=True), format_cell(None)
        ('0.123', '+0.500', 'n/a')
    """
    if isinstance(value, str):
        return value  # an Md string stays Md
    text = fmt_number(value)
    if (
        signed
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and not math.isnan(value)
        and value > 0
        and text.strip("0.,") != ""
    ):
        return "+" + text
    return text


def table_cells(table: Table, *, page: bool = False) -> list[list[str]]:
    """Every row of ``table`` (``page``: the rows a page shows, :meth:`Table.page_rows`), each
    cell formatted by :func:`format_cell`."""
    signed = set(table.signed)
    rows = table.page_rows() if page else table.rows
    return [[format_cell(c, signed=j in signed) for j, c in enumerate(row)] for row in rows]


def page_note(table: Table, vocabulary: Mapping[str, str]) -> str:
    """The line Markdown and HTML put under ``table``: how many rows the page leaves out
    (:attr:`Table.page_limit`) and which CSV file holds the complete table
    (:attr:`Table.file`); '' when the page shows it all and names no file.

    Example:
        >>> t = Table("t", ("n",), tuple((i,) for i in range(1500)), page_limit=100, file="t.csv")
        >>> page_note(t, DEFAULT_WORDS)
        'The first 100 of 1,500 rows; every row and column: t.csv'
    """
    shown, total = len(table.page_rows()), table.row_count()
    counts = {"shown": fmt_number(shown), "total": fmt_number(total), "file": table.file}
    if shown < total:
        return vocabulary["page_cut_file" if table.file else "page_cut"].format(**counts)
    return vocabulary["page_file"].format(**counts) if table.file else ""


def note_kind(note: Note) -> str:
    """``note.kind``, checked (it becomes a CSS class and picks a label).

    Raises:
        ValueError: not one of :data:`NOTE_KINDS`.
    """
    if note.kind not in NOTE_KINDS:
        raise ValueError(f"Expected a note kind in {NOTE_KINDS}, got {note.kind!r}")
    return note.kind


def iter_blocks(sections: Sequence[Section]) -> Iterator[tuple[Section, Block]]:
    """Every (section, block), in reading order."""
    for top in sections:
        for s in top.walk():
            for block in s.blocks:
                yield s, block


def check_keys(sections: Sequence[Section]) -> None:
    """Check every key is an id (:data:`KEY_PATTERN`) and unique in its kind: sections, tables,
    pictures (figures and gallery items share one namespace: they become file names), galleries.

    Raises:
        TypeError: ``sections`` holds something that is not a :class:`Section`.
        ValueError: a key that is not an id, or used twice.
    """
    seen: dict[str, set[str]] = {
        "section": set(),
        "table": set(),
        "picture": set(),
        "gallery": set(),
    }

    def take(kind: str, key: str) -> None:
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            raise ValueError(
                f"Expected a {kind} key of letters, digits, '_', '.' or '-', got {key!r}"
            )
        if key in seen[kind]:
            raise ValueError(f"Expected unique {kind} keys, got {key!r} twice")
        seen[kind].add(key)

    for top in sections:
        if not isinstance(top, Section):
            raise TypeError(f"Expected a Section, got {type(top).__name__}")
        for s in top.walk():
            take("section", s.key)
    for _, block in iter_blocks(sections):
        if isinstance(block, Table):
            take("table", block.key)
        elif isinstance(block, Figure):
            take("picture", block.key)
        elif isinstance(block, Gallery):
            take("gallery", block.key)
            for item in block.items:
                take("picture", item.key)


def label_of(kind: str, vocabulary: Mapping[str, str]) -> str:
    """The label of a note kind in ``vocabulary`` (from :func:`words`)."""
    return vocabulary[f"note.{kind}"]
