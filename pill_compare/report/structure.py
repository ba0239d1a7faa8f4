"""The report structure: pure data between the results and the renderers.

Section builders (``report/sections/*.py``) turn result objects into :class:`Section` trees;
renderers (``report/render/{text,markdown,html}.py``) turn any section tree into text, Markdown or
one self-contained HTML file. Nothing here computes a metric or formats a number: cells hold the
values (the renderers format them the same way everywhere), texts are already in the report's
language (the builders take them from :mod:`pill_compare.report.messages`).

A block is one of :class:`Paragraph`, :class:`Bullets`, :class:`Table`, :class:`Figure`,
:class:`Note`, :class:`Gallery`; a section holds blocks and subsections. Keys are stable
identifiers (anchors in HTML, file names of figures, keys in tests), titles are for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: A table cell: text, a number (formatted by the renderer), or None (shown as "n/a").
Cell = str | int | float | None
NoteKind = Literal["info", "absent", "caveat", "warning"]


@dataclass(frozen=True)
class Paragraph:
    """Running text (plain; the renderer escapes it). ``emphasis`` shows it as a key finding.
    A ``\\n`` starts a new line. ``wrap=False``: the text renderer keeps each line whole (a line
    led by a file path, which wrapping would split mid-sentence)."""

    text: str
    emphasis: bool = False
    wrap: bool = True


@dataclass(frozen=True)
class Bullets:
    """A list of short lines."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of cells.

    Attributes:
        key: Stable id (e.g. 'per_class'), unique within the report.
        headers: Column titles.
        rows: One tuple of cells per row, as long as ``headers``.
        align: One 'l' or 'r' per column; default: 'r' for columns whose first non-None cell is
            a number, else 'l'.
        caption: One line above the table.
        legend: Definitions shown under it (term, definition).
        limit: Text renderers show at most this many rows and say how many more there are.
        page_limit: Markdown and HTML show at most this many rows (the top of the table) and
            say how many are left out; None shows every row.
        file: The CSV file beside the report that holds the complete table (every row, and
            columns the page leaves out); the renderers name it under the table. The file
            itself is one of :attr:`Report.files`.
        sortable: HTML may let the reader sort it.
        signed: Column indices whose numbers are differences (shown with a sign).
        total_rows: The complete table's row count when ``rows`` holds only its top (the rows
            every renderer can show, at most ``max(limit, page_limit)``) and ``file`` holds
            every row; None when ``rows`` is the whole table. A table of 100,000 disputed boxes
            is built as its 100 top rows and the count, not as 100,000 rows of text.
    """

    key: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: str = ""
    caption: str = ""
    legend: tuple[tuple[str, str], ...] = ()
    limit: int | None = None
    page_limit: int | None = None
    file: str = ""
    sortable: bool = True
    signed: tuple[int, ...] = ()
    total_rows: int | None = None

    def __post_init__(self) -> None:
        width = len(self.headers)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(
                    f"Expected every row of table {self.key!r} to have {width} cells, got "
                    f"{len(row)} in row {i}"
                )
        for name, value in (("limit", self.limit), ("page_limit", self.page_limit)):
            if value is not None and (isinstance(value, bool) or value < 1):
                raise ValueError(
                    f"Expected {name} of table {self.key!r} >= 1 or None, got {value!r}"
                )
        if self.file and (
            not self.file.endswith(".csv") or "/" in self.file or self.file.startswith(".")
        ):
            raise ValueError(
                f"Expected file of table {self.key!r} as a CSV file name (name.csv), got "
                f"{self.file!r}"
            )
        if self.total_rows is not None and (
            isinstance(self.total_rows, bool) or self.total_rows < len(self.rows) or not self.file
        ):
            raise ValueError(
                f"Expected total_rows of table {self.key!r} >= its {len(self.rows)} rows and a "
                f"file holding them all, got total_rows={self.total_rows!r}, file={self.file!r}"
            )
        if self.align and len(self.align) != width:
            raise ValueError(
                f"Expected align of table {self.key!r} to have {width} letters, got {self.align!r}"
            )

    def row_count(self) -> int:
        """Rows of the complete table (:attr:`total_rows`, else ``len(rows)``)."""
        return len(self.rows) if self.total_rows is None else self.total_rows

    def page_rows(self) -> tuple[tuple[Cell, ...], ...]:
        """The rows Markdown and HTML show: the first :attr:`page_limit` (all without one)."""
        return self.rows if self.page_limit is None else self.rows[: self.page_limit]

    def alignment(self) -> str:
        """The alignment letters, derived when ``align`` is empty."""
        if self.align:
            return self.align
        out = []
        for j in range(len(self.headers)):
            first = next((row[j] for row in self.rows if row[j] is not None), None)
            out.append(
                "r" if isinstance(first, int | float) and not isinstance(first, bool) else "l"
            )
        return "".join(out)


@dataclass(frozen=True)
class Figure:
    """A rendered figure.

    Attributes:
        key: Stable id; Markdown writes it as ``<key>.png`` beside the report.
        png: The PNG bytes (deterministic: :func:`pill_compare.report.figures.figure_to_bytes`).
        caption: What the figure shows, one or two sentences.
        alt: Text for screen readers (default: the caption).
        svg: Optional SVG bytes; HTML may inline them instead of the PNG.
    """

    key: str
    png: bytes
    caption: str
    alt: str = ""
    svg: bytes | None = None


@dataclass(frozen=True)
class Note:
    """A remark. ``absent``: a section left out, saying what would add it (e.g. a ground truth);
    ``caveat``: something the reader must know to read a number right; ``warning``: a loading
    warning; ``info``: anything else."""

    text: str
    kind: NoteKind = "info"


@dataclass(frozen=True)
class GalleryItem:
    """One image of a gallery (the disagreements', the ground-truth audit's): a picture with
    both runs' boxes drawn on it."""

    key: str
    png: bytes
    caption: str
    alt: str = ""


@dataclass(frozen=True)
class Gallery:
    """Side-by-side pictures (A | B | GT): of differing images, worst first, or of the
    ground-truth audit's cases, most confident first."""

    key: str
    items: tuple[GalleryItem, ...]
    caption: str = ""


Block = Paragraph | Bullets | Table | Figure | Note | Gallery


@dataclass(frozen=True)
class Section:
    """A titled part of a report: blocks, then subsections."""

    key: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()

    def walk(self) -> list[Section]:
        """This section and every subsection, depth first."""
        out = [self]
        for s in self.subsections:
            out += s.walk()
        return out

    def find(self, key: str) -> Section | None:
        """The (sub)section with ``key``, or None."""
        return next((s for s in self.walk() if s.key == key), None)


@dataclass(frozen=True)
class Report:
    """A whole report: title, language, metadata lines, sections, and the JSON of every number.

    Attributes:
        title: The report's title.
        lang: 'en' or 'ko' (the HTML ``lang``; the texts are already in it).
        meta: Ordered (label, value) lines for the overview (models, inputs, date, version).
        sections: The top-level sections, in order.
        data: ``report.json``: every number in the report (JSON-ready).
        files: Extra files of the report folder, name → CSV text: the complete tables the
            pages cut or narrow (:attr:`Table.file` names them).
        diagnosis: The input check the report shows first
            (:class:`~pill_compare.analysis.diagnosis.Diagnosis`, with the ground-truth audit's
            findings), for a caller that acts on it (``--strict``); None when none was run.
    """

    title: str
    lang: str
    sections: tuple[Section, ...]
    meta: tuple[tuple[str, str], ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    diagnosis: Any = None
    files: Mapping[str, str] = field(default_factory=dict)

    def walk(self) -> list[Section]:
        out: list[Section] = []
        for s in self.sections:
            out += s.walk()
        return out

    def find(self, key: str) -> Section | None:
        return next((s for s in self.walk() if s.key == key), None)

    def figures(self) -> list[Figure]:
        """Every figure, in reading order."""
        return [b for s in self.walk() for b in s.blocks if isinstance(b, Figure)]
