"""Shared formatters: numbers for people, Markdown escaping, JSON without NaN."""

import json

import pandas as pd

from pill_compare.report.tables import fmt_ids, fmt_number, md_table, text_table, to_csv, to_json


def test_fmt_number():
    assert fmt_number(None) == "n/a"
    assert fmt_number(float("nan")) == "n/a"
    assert fmt_number(True) == "true"
    assert fmt_number(12) == "12"
    assert fmt_number(88 / 7) == "12.57"
    assert fmt_number(0.0) == "0"
    assert fmt_number(0.00001234) == "1.23e-05"
    assert fmt_number("x") == "x"


def test_fmt_ids_writes_lists_like_the_seed_report():
    assert fmt_ids([3482, 19860]) == "[3482, 19860]"
    assert fmt_ids([]) == "[]"


def test_md_table_escapes_pipes_and_right_aligns_numbers():
    md = md_table(["name", "n"], [["a|b", 3], ["c\nd", 4]])
    assert md.splitlines() == ["| name | n |", "|---|---:|", "| a\\|b | 3 |", "| c d | 4 |"]


def test_text_table_aligns_columns():
    # Number columns (and their headers) align right, text columns left.
    lines = text_table(["id", "name"], [[1, "x"], [100, "long"]]).splitlines()
    assert lines == [" id  name", "---  ----", "  1  x", "100  long"]


def test_to_json_writes_nan_as_null():
    assert json.loads(to_json({"a": float("nan"), "b": [1.5, float("nan")], "c": (1,)})) == {
        "a": None,
        "b": [1.5, None],
        "c": [1],
    }


def test_to_csv_has_no_index():
    assert to_csv(pd.DataFrame({"a": [1, 2]})) == "a\n1\n2\n"
