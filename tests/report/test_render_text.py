"""render_text on a hand-built tree: every block kind, hostile text harmless, 120 cells wide."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from pill_compare.report.render.text import render_text
from pill_compare.report.structure import Paragraph, Section, Table
from pill_compare.report.tables import TEXT_WIDTH
from tests.report.test_render_common import hostile_sections


def test_every_block_kind_is_shown():
    text = render_text(hostile_sections())
    lines = text.splitlines()
    # A top-level title is underlined; a subsection's ends in a colon, its first block under it.
    assert lines[0].startswith("Overview <script>alert(1)</script>")
    assert set(lines[1]) == {"="}
    assert "Gallery:\n[gallery: Worst first (2 images)]" in text
    assert "Intro <script>" in text and "\nSecond line." in text
    assert "\n* B is better" in text
    assert "\n  - one <script>" in text and "\n  - two\n" in text
    assert "\nPer class <script>" in text  # the caption, above the table
    assert "Note: info" in text
    assert "Not shown: Without a ground truth there is no accuracy." in text
    assert "Caveat: Two tools define recall differently." in text
    assert "Warning: 3 detections left out." in text
    assert "[figure: AP per class <script>" in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_a_table_limit_shows_the_first_rows_and_counts_the_rest():
    text = render_text(hostile_sections())
    header = next(line for line in text.splitlines() if line.startswith("category"))
    assert header.split() == ["category", "AP", "ΔAP", "GT"]
    assert "=HYPERLINK(1)|x" in text and "+0.125" in text and "-0.25" in text
    rows = text.split(header)[1].split("… and")[0].strip().splitlines()[1:]  # under the rule
    assert [row.split()[0] for row in rows] == ["=HYPERLINK(1)|x", "<script>alert(1)</script>"]
    assert "… and 2 more rows (md/json/csv list all)" in text
    one = Table("t", ("a",), (("x",), ("y",)), limit=1)
    assert "… and 1 more row (md/json/csv list all)" in render_text([Section("s", "", (one,))])


def test_legends_only_with_explain():
    assert "ΔAP: AP of B minus AP of A" not in render_text(hostile_sections())
    assert "\n  ΔAP: AP of B minus AP of A" in render_text(hostile_sections(), explain=True)


def test_control_characters_are_shown_not_acted_on():
    text = render_text(hostile_sections(), explain=True)
    for raw in ("\x1b", "\r", "\u202e"):
        assert raw not in text
    assert "\\x1b[2J" in text and "\\x0d" in text and "\\u202e" in text


def test_prose_wraps_to_the_width_by_display_cells():
    text = render_text(hostile_sections(), explain=True)
    widths = [cell_len(line) for line in text.splitlines()]
    assert max(widths) <= TEXT_WIDTH
    korean = [line for line in text.splitlines() if "문장입니다" in line]
    assert len(korean) > 3  # 30 sentences of Hangul (2 cells a syllable) need several lines
    assert all(line.startswith("  ") for line in korean[1:])
    assert all(cell_len(line) > TEXT_WIDTH - 20 for line in korean[:-1])
    narrow = render_text(hostile_sections(), width=60)
    assert max(cell_len(line) for line in narrow.split("Per class")[0].splitlines()) <= 60


def test_wrapped_lines_continue_indented_and_unwrapped_paragraphs_stay_whole():
    long = "word " * 40
    text = render_text([Section("s", "", (Paragraph(long), Paragraph(long, wrap=False)))])
    first, second = text.split("\n\n")
    assert len(first.splitlines()) == 2 and first.splitlines()[1].startswith("  word")
    assert second == long + "\n"


def test_renderer_words_follow_the_language():
    text = render_text(hostile_sections(), lang="ko")
    assert "주의: Two tools" in text and "[그림: AP per class" in text


def test_misuse_is_refused():
    with pytest.raises(ValueError, match="Expected width >= 20, got 5"):
        render_text(hostile_sections(), width=5)
    with pytest.raises(TypeError, match=r"Expected a report block .* got str"):
        render_text([Section("s", "S", ("just text",))])  # type: ignore[arg-type]
