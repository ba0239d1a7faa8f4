"""Shared formatters: numbers for people, Markdown escaping, JSON without NaN."""

import json

import numpy as np
import pandas as pd
import pytest
from rich.cells import cell_len

import pill_compare.report.tables as tables_module
from pill_compare.report.tables import (
    fit_width,
    fmt_ids,
    fmt_number,
    md_table,
    text_table,
    to_csv,
    to_json,
    wrap_text,
)


def test_fmt_number():
    assert fmt_number(None) == "n/a"
    assert fmt_number(float("nan")) == "n/a"
    assert fmt_number(True) == "true"
    assert fmt_number(12) == "12"
    # Counts with thousands separators, never scientific notation (issue 15 §2).
    assert fmt_number(21000) == "21,000"
    assert fmt_number(21000.0) == "21,000"
    assert fmt_number(1234567) == "1,234,567"
    assert fmt_number(np.int64(4500)) == "4,500"
    # Floats with 3 decimals, so a column of AP, rates or IoU lines up.
    assert fmt_number(88 / 7) == "12.571"
    assert fmt_number(0.6534) == "0.653"
    assert fmt_number(0.0) == "0.000"
    assert fmt_number(0.00001234) == "0.000"
    assert fmt_number(-0.00001234) == "0.000"  # never "-0.000"
    assert fmt_number(np.float32(0.25)) == "0.250"
    assert fmt_number(np.bool_(True)) == "true"
    assert fmt_number("x") == "x"


def test_fmt_ids_writes_lists_like_the_seed_report():
    assert fmt_ids([3482, 19860]) == "[3482, 19860]"
    assert fmt_ids([]) == "[]"


def test_fmt_ids_cuts_long_lists_with_how_many_more():
    assert fmt_ids([1, 2, 3, 4, 5], limit=3) == "[1, 2, 3 (+2 more)]"
    assert fmt_ids([1, 2, 3], limit=3) == "[1, 2, 3]"
    assert fmt_ids(list(range(100))) == "[" + ", ".join(map(str, range(100))) + "]"
    with pytest.raises(ValueError, match="Expected limit >= 1 or None, got 0"):
        fmt_ids([1], limit=0)


def test_md_table_escapes_pipes_and_right_aligns_numbers():
    md = md_table(["name", "n"], [["a|b", 3], ["c\nd", 4]])
    assert md.splitlines() == ["| name | n |", "|---|---:|", "| a\\|b | 3 |", "| c d | 4 |"]


def test_text_table_aligns_columns():
    # Number columns (and their headers) align right, text columns left.
    lines = text_table(["id", "name"], [[1, "x"], [100, "long"]]).splitlines()
    assert lines == [" id  name", "---  ----", "  1  x", "100  long"]


def test_text_table_aligns_korean_names_by_display_width():
    # A Hangul syllable takes two terminal cells: "흰색 원형정" is 11 cells, not 6 characters.
    rows = [
        ["1899", "K-001900 흰색 원형정", 57],
        ["3482", "보령부스파정 5mg", 5],
        ["7", "white", 1],
    ]
    lines = text_table(["id", "name", "GT"], rows).splitlines()
    # Every line puts the GT column's last digit in the same terminal cell.
    assert len({cell_len(line) for line in lines}) == 1
    name_starts = {
        cell_len(line[: line.index(row[1])]) for line, row in zip(lines[2:], rows, strict=True)
    }
    assert name_starts == {6}
    assert lines[2] == "1899  K-001900 흰색 원형정  57"
    assert lines[3] == "3482  보령부스파정 5mg       5"  # 16 cells + 4 padding


def test_fit_width_cuts_by_display_width_with_an_ellipsis():
    assert fit_width("K-025367 흰색 원형정", 40) == "K-025367 흰색 원형정"
    cut = fit_width("K-025367 흰색 원형정", 14)
    assert cut == "K-025367 흰색…" and cell_len(cut) <= 14


def test_wrap_text_wraps_by_display_width_and_indents_continuations():
    lines = wrap_text("가나다 " * 30, width=40, indent="  ")
    assert all(cell_len(line) <= 40 for line in lines)
    assert all(line.startswith("  ") for line in lines[1:])
    assert wrap_text("short") == ["short"]


def test_to_json_writes_nan_as_null():
    assert json.loads(to_json({"a": float("nan"), "b": [1.5, float("nan")], "c": (1,)})) == {
        "a": None,
        "b": [1.5, None],
        "c": [1],
    }


DOCUMENT = {
    "stats": {"map": 0.123456789, "tiny": 1e-05, "huge": 1e16, "n/a": float("nan")},
    "counts": [3, 0.5, True, None],
    "name": "약 \x1b[31m \u2028",
    "nested": [[], {}, {"k": (1, 2)}],
}


@pytest.mark.parametrize("writer", ["msgspec", "standard library"])
def test_to_json_gives_the_same_document_with_either_writer(writer, monkeypatch):
    if writer == "standard library":
        monkeypatch.setattr(tables_module, "_msgspec_json", lambda data: None)
    text = to_json(DOCUMENT)
    assert json.loads(text) == {
        "stats": {"map": 0.123456789, "tiny": 1e-05, "huge": 1e16, "n/a": None},
        "counts": [3, 0.5, True, None],
        "name": "약 \x1b[31m \u2028",
        "nested": [[], {}, {"k": [1, 2]}],
    }
    assert "\x1b" not in text and "\\u001b" in text  # control characters escaped
    assert text.startswith('{\n  "stats": {\n    "map": 0.123456789,') and text.endswith("}\n")


def test_to_csv_has_no_index():
    assert to_csv(pd.DataFrame({"a": [1, 2]})) == "a\n1\n2\n"


def test_to_csv_neutralises_every_formula_cell_and_leaves_numbers_and_gaps():
    # 2 distinct strings need a quote ("=1+1", "-x"); numbers (a negative one too) and missing
    # cells stay as they are, in every row where they occur.
    frame = pd.DataFrame(
        {
            "s": ["=1+1", "ok", "=1+1", None, "-x"],
            "n": [-1, 2, 3, 4, 5],
            "m": [1, "a", 2.5, None, 7],
        }
    )
    assert to_csv(frame) == ("s,n,m\n'=1+1,-1,1\nok,2,a\n'=1+1,3,2.5\n,4,\n'-x,5,7\n")
