"""One escaping helper per output: Markdown shows names as written, CSV cells never run as
formulas, nothing printed can move the cursor, clear the screen or change colours."""

import io
import json

import pandas as pd
import pytest

from pill_compare.report.escape import Md, csv_safe, md_code, md_escape, terminal_safe
from pill_compare.report.tables import md_table, text_table, to_csv, to_json


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("*bold* and **strong**", "\\*bold\\* and \\*\\*strong\\*\\*"),
        ("_emphasis_", "\\_emphasis\\_"),
        ("imbalance_ratio", "imbalance_ratio"),  # '_' between letters never starts emphasis
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("`code`", "\\`code\\`"),
        ("~~strike~~", "\\~\\~strike\\~\\~"),
        ("back\\slash", "back\\\\slash"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("&amp; stays text", "&amp;amp; stays text"),
        ("R&D", "R&D"),  # an '&' that starts no entity is shown as is
        ("# heading", "\\# heading"),
        ("1. item", "1\\. item"),
        ("- item", "\\- item"),
        ("-0.5", "-0.5"),  # not a list marker: no space after '-'
        ("K-025367 흰색 원형정", "K-025367 흰색 원형정"),
    ],
)
def test_md_escape_shows_every_rendering_character_as_written(raw, escaped):
    assert md_escape(raw) == escaped


def test_md_escape_keeps_a_row_on_one_line():
    assert md_escape("a\r\nb\rc\nd\te") == "a b c d e"


def test_md_table_escapes_exactly_once():
    md = md_table(["rule", "message"], [["x", "=cmd|x"]])
    assert md.splitlines()[2] == "| x | =cmd\\|x |"  # not '=cmd\\\\|x' (escaped twice)


def test_hostile_category_names_land_escaped_in_markdown():
    md = md_table(
        ["name", "n"],
        [["<script>alert(1)</script>", 1], ["<img onerror=alert(1)>", 2], ["a\rb|c", 3]],
    )
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    lines = md.splitlines()
    assert len(lines) == 5  # header, separator, three rows: '\r' broke no row
    assert lines[4] == "| a b\\|c | 3 |"


def test_md_code_wraps_in_a_fence_longer_than_any_backtick_run():
    assert md_code("data/x.json") == "`data/x.json`"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x") == "`` `x ``"
    assert md_code("") == ""
    assert isinstance(md_code("x"), Md)


def test_md_cells_that_already_are_markdown_are_kept_but_pipes_cannot_split_the_row():
    md = md_table(["path"], [[md_code("a|b")], [Md("**x**")]])
    assert md.splitlines()[2:] == ["| `a\\|b` |", "| **x** |"]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\nx", "＝1"])
def test_csv_safe_neutralises_a_formula_start(cell):
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize("value", ["name", "K-025367", "", -3, -0.5, 7, None])
def test_csv_safe_leaves_text_and_numbers_alone(value):
    assert csv_safe(value) == value


def test_csv_safe_escapes_control_characters_as_every_format_does():
    # the same cleaning as terminal_safe: ESC shown as the four characters \x1b; a leading
    # carriage return becomes the text \x0d, which starts no formula
    assert csv_safe("\x1b[31mred\x1b[0m") == terminal_safe("\x1b[31mred\x1b[0m")
    assert csv_safe("\rx") == "\\x0dx"
    assert csv_safe("=\x1b[2J") == "'=\\x1b[2J"


def test_to_csv_neutralises_string_cells_and_keeps_negative_numbers_numbers():
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "@cmd", "plain"], "delta": [-1.5, 2.0, -3.0], "n": [-1, 0, 1]}
    )
    back = pd.read_csv(io.StringIO(to_csv(frame)))
    assert back["name"].tolist() == ['\'=HYPERLINK("x")', "'@cmd", "plain"]
    assert back["delta"].tolist() == [-1.5, 2.0, -3.0]
    assert back["n"].tolist() == [-1, 0, 1]


@pytest.mark.parametrize(
    "hostile", ["\x1b[2J", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "a\rb", "\x9b2J", "\x7f"]
)
def test_terminal_safe_leaves_no_control_character(hostile):
    out = terminal_safe(hostile)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in out)


def test_terminal_safe_shows_what_it_escaped_and_keeps_text_newlines_and_tabs():
    assert terminal_safe("red\x1b[2Jtext") == "red\\x1b[2Jtext"
    assert terminal_safe("a\u202eb") == "a\\u202eb"  # right-to-left override
    assert terminal_safe("line\n\tK-025367 흰색 원형정") == "line\n\tK-025367 흰색 원형정"


def test_terminal_safe_makes_a_lone_surrogate_printable():
    out = terminal_safe("x\ud800y")
    assert out == "x\\ud800y"
    out.encode("utf-8")  # would raise UnicodeEncodeError before


def test_text_tables_pass_every_cell_through_terminal_safe():
    table = text_table(["name", "n"], [["\x1b[2Jevil", 1]])
    assert "\x1b" not in table
    assert "\\x1b[2Jevil" in table


def test_json_output_escapes_control_characters_and_parses_back_to_the_same_strings():
    name = "K-1\x1b[2J\x85\u202e\ud800 흰색"
    text = to_json({"name": name})
    assert terminal_safe(text) == text  # nothing left for the terminal to act on
    assert json.loads(text) == {"name": name}
    assert "흰색" in text  # Hangul stays readable (no ASCII escaping)
