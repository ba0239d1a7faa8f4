"""What the three renderers share (cell formatting, key checks, their words), and the hand-built
section tree with every block kind and hostile text that the renderer tests use."""

from __future__ import annotations

import math
import struct
import zlib

import pytest

from pill_compare.report.escape import Md
from pill_compare.report.render.common import DEFAULT_WORDS, check_keys, format_cell, words
from pill_compare.report.structure import (
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

#: Text from someone else's file: markup, a table pipe, a formula, a carriage return, an ANSI
#: escape (clear the screen), a bidirectional override, and Hangul.
HOSTILE = "<script>alert(1)</script> a|b =cmd\rx \x1b[2J \u202eevil 흰색 원형정"


def tiny_png(width: int = 3, height: int = 2, shade: int = 0) -> bytes:
    """A valid RGB PNG of one colour, without matplotlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes([shade, 128, 255 - shade]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def hostile_sections() -> list[Section]:
    """Every block kind, every note kind, nested sections, hostile text everywhere."""
    per_class = Table(
        key="per_class",
        headers=("category", "AP", "ΔAP", "GT"),
        rows=(
            ("=HYPERLINK(1)|x", 0.5, 0.125, 10),
            (HOSTILE, None, -0.25, 3),
            ("흰색 원형정", 0.75, 0.0, 7),
            ("c4", float("nan"), 0.5, 1),
        ),
        caption=f"Per class {HOSTILE}",
        legend=(("ΔAP", f"AP of B minus AP of A {HOSTILE}"),),
        limit=2,
        signed=(2,),
    )
    return [
        Section(
            "overview",
            f"Overview {HOSTILE}",
            (
                Paragraph(f"Intro {HOSTILE}\nSecond line."),
                Paragraph(f"B is better {HOSTILE}", emphasis=True),
                Bullets((f"one {HOSTILE}", "two")),
                per_class,
                Note(f"info {HOSTILE}", "info"),
                Note("Without a ground truth there is no accuracy.", "absent"),
                Note("Two tools define recall differently.", "caveat"),
                Note("3 detections left out.", "warning"),
                Figure("ap", tiny_png(), f"AP per class {HOSTILE}", alt="AP chart"),
            ),
            (
                Section(
                    "overview.gallery",
                    "Gallery",
                    (
                        Gallery(
                            "disagreements",
                            (
                                GalleryItem("img-277", tiny_png(4, 2, 10), f"image 277 {HOSTILE}"),
                                GalleryItem("img-409", tiny_png(2, 4, 99), "image 409"),
                            ),
                            caption="Worst first",
                        ),
                    ),
                ),
            ),
        ),
        Section(
            "korean",
            "분석",
            (
                Paragraph("한국어 문장입니다. " * 30),
                Table(
                    "plain",
                    ("a", "b"),
                    (("x", 1), ("y", 2)),
                    sortable=False,
                ),
            ),
        ),
    ]


def hostile_report(lang: str = "ko") -> Report:
    return Report(
        title=f"Report {HOSTILE}",
        lang=lang,
        sections=tuple(hostile_sections()),
        meta=(("models", f"A vs B {HOSTILE}"), ("date", "2024-05-01")),
    )


def test_cells_are_formatted_once_for_every_renderer():
    # One format per column: floats with 3 decimals, counts with thousands separators.
    assert format_cell(0.123456) == "0.123"
    assert format_cell(0.5) == "0.500"
    assert format_cell(12) == "12"
    assert format_cell(21000) == "21,000"
    assert format_cell(None) == format_cell(math.nan) == "n/a"
    assert format_cell(True) == "true"
    assert format_cell(0.5, signed=True) == "+0.500"
    assert format_cell(-0.5, signed=True) == "-0.500"
    assert format_cell(0.0, signed=True) == "0.000"
    # A difference that rounds to zero has no sign: neither "+0.000" nor "-0.000".
    assert format_cell(0.0004, signed=True) == format_cell(-0.0004, signed=True) == "0.000"
    assert format_cell(3, signed=True) == "+3"
    assert format_cell(None, signed=True) == "n/a"
    assert isinstance(format_cell(Md("[1, 2]")), Md)


def test_keys_must_be_ids_and_unique():
    check_keys(hostile_sections())  # the test tree is valid
    with pytest.raises(ValueError, match=r"Expected a section key of letters, digits.*'a b'"):
        check_keys([Section("a b", "A")])
    with pytest.raises(ValueError, match="Expected unique section keys, got 'x' twice"):
        check_keys([Section("x", "X", subsections=(Section("x", "again"),))])
    # A figure and a gallery item become files of one folder: their keys may not collide.
    figure = Figure("same", tiny_png(), "c")
    gallery = Gallery("g", (GalleryItem("same", tiny_png(), "c"),))
    with pytest.raises(ValueError, match="Expected unique picture keys, got 'same' twice"):
        check_keys([Section("s", "S", (figure, gallery))])
    with pytest.raises(TypeError, match="Expected a Section, got str"):
        check_keys(["overview"])


def test_words_fall_back_to_english_where_a_language_has_none():
    assert words("en") == DEFAULT_WORDS
    assert words("xx") == DEFAULT_WORDS
    assert set(words("ko")) == set(DEFAULT_WORDS)


def test_a_table_built_from_its_top_rows_counts_the_whole_file():
    from pill_compare.report.render.common import page_note
    from pill_compare.report.render.text import render_text

    # 3 rows built of 1,500: the page and the text say 1,497 / 1,500 from the total, not the 3.
    top = Table(
        "t", ("n",), ((1,), (2,), (3,)), limit=2, page_limit=3, file="t.csv", total_rows=1500
    )
    assert top.row_count() == 1500
    assert page_note(top, DEFAULT_WORDS) == "The first 3 of 1,500 rows; every row and column: t.csv"
    assert "1498 more rows" in render_text([Section("s", "S", (top,))])
    with pytest.raises(ValueError, match="total_rows of table 't' >= its 3 rows and a file"):
        Table("t", ("n",), ((1,), (2,), (3,)), total_rows=2, file="t.csv")
    with pytest.raises(ValueError, match="a file holding them all"):
        Table("t", ("n",), ((1,),), total_rows=5)
