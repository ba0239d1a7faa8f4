"""Record validation (fast and slow path) and the one number grammar for text cells."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pill_compare.errors import InputFormatError
from pill_compare.io.records import (
    NUMBER_PATTERN,
    Field,
    cell_integer,
    extract_columns,
    id_from_digits,
    number_cell_problem,
    parse_int64,
    parse_number_cells,
    show,
)

FIELDS = (Field("id", "id"), Field("name", "str"), Field("bbox", "bbox"))


def _records(n=3, **bad):
    recs = [{"id": i, "name": f"c{i}", "bbox": [1, 2, 3, 4]} for i in range(n)]
    recs[-1].update(bad)
    return recs


def test_valid_records_take_the_fast_path_and_keep_exact_int64_ids():
    cols = extract_columns(_records(id=2**63 - 1), FIELDS, path="f.json", what="category")
    assert cols["id"].dtype == np.int64 and cols["id"][-1] == 2**63 - 1


def test_a_lone_surrogate_in_a_string_field_is_refused():
    with pytest.raises(InputFormatError, match=r"f\.json: 1 problem\(s\) in its categories") as e:
        extract_columns(_records(name="pill\ud800"), FIELDS, path="f.json", what="category")
    assert "f.json: category #2: 'name' must be valid Unicode text, got a lone surrogate" in str(
        e.value
    )


def test_int64_range_message_says_it_is_an_integer_but_too_large():
    with pytest.raises(InputFormatError) as e:
        extract_columns(_records(id=2**70), FIELDS, path="f.json", what="category")
    assert (
        "'id' must be an integer in the int64 range (|id| < 2^63), got 1180591620717411303424"
        in str(e.value)
    )


@pytest.mark.parametrize(
    "box",
    [[1e308, 0, 1e308, 1], [0, 1e308, 1, 1e308], [0, 0, 1e160, 1e160], [-1e200, 0, 1, 1]],
    ids=["x-plus-w", "y-plus-h", "w-times-h", "far-left"],
)
def test_boxes_too_large_for_box_arithmetic_are_refused_without_a_warning(box):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's 'overflow encountered' must not escape
        with pytest.raises(
            InputFormatError,
            match=r"'bbox' must have every coordinate within ±1e\+150 px \(beyond, x \+ w",
        ):
            extract_columns(_records(bbox=box), FIELDS, path="f.json", what="category")


def test_optional_id_without_default_keeps_none_for_null():
    fields = (Field("id", "id"), Field("parent", "id", required=False, default=None))
    cols = extract_columns(
        [{"id": 1, "parent": 5}, {"id": 2, "parent": None}], fields, path="f", what="x"
    )
    assert cols["parent"].tolist() == [5, None]


# --- numbers in text cells ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["0", "17", "-3", "+4", "1.5", ".5", "5.", "1e3", "1E-3", "-2.5e+2", " 7", "8 ", "\t9"]
)
def test_ascii_numbers_are_accepted(cell):
    values, ok = parse_number_cells([cell])
    assert ok[0] and values[0] == float(cell)


@pytest.mark.parametrize(
    "cell",
    [
        "５",
        "٥",
        "²",
        "1_000",
        "0x10",
        "1,5",
        "nan",
        "inf",
        "Infinity",
        "",
        " ",
        "1e",
        "--1",
        "1e400",
    ],
)
def test_unicode_digits_underscores_and_non_finite_cells_are_refused(cell):
    values, ok = parse_number_cells([cell, "1"])
    assert not ok[0] and np.isnan(values[0]) and ok[1]
    assert number_cell_problem(cell) == f"must be a finite number, got {cell!r}".replace("'", '"')


def test_integer_cells_are_exact_and_within_int64():
    cells = ["9007199254740993", "17.0", "1.7e1", "9223372036854775807", "-9223372036854775807"]
    cells += ["0" * 30 + "17", "-0.0"]
    values, ok = parse_number_cells(cells, integer=True)
    assert ok.all()
    assert values.tolist() == [9007199254740993, 17, 17, 2**63 - 1, -(2**63) + 1, 17, 0]
    assert [cell_integer(c) for c in cells] == values.tolist()  # the cell-by-cell path agrees


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ("9223372036854775808", "must be an integer in the int64 range (|id| < 2^63)"),
        ("-9223372036854775808", "must be an integer in the int64 range (|id| < 2^63)"),
        ("1e30", "must be an integer in the int64 range (|id| < 2^63)"),
        ("1.5", "must be an integer"),
        ("５", "must be an integer"),
        ("1_0", "must be an integer"),
    ],
)
def test_integer_cells_outside_int64_or_not_integral_are_refused(cell, why):
    values, ok = parse_number_cells([cell, "2"], integer=True)
    assert ok.tolist() == [False, True] and values.tolist() == [0, 2]
    assert number_cell_problem(cell, integer=True).startswith(f"{why}, got ")


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("17", 17),
        ("0017", 17),
        ("9223372036854775807", 2**63 - 1),
        ("²", None),  # '²'.isdigit() is True, int('²') fails
        ("１７", None),  # int('１７') is 17
        ("1_7", None),
        (" 17", None),
        ("17.0", None),
        ("9223372036854775808", None),
        ("9" * 5000, None),
    ],
)
def test_id_from_digits_reads_only_ascii_int64(stem, expected):
    assert id_from_digits(stem) == expected


_CELL_CHARS = st.text(alphabet="0123456789+-.eE \t_５", max_size=8)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(_CELL_CHARS, min_size=1, max_size=6))
def test_vectorized_parse_equals_the_grammar_cell_by_cell(cells):
    grammar = re.compile(NUMBER_PATTERN)
    values, ok = parse_number_cells(cells)
    for cell, value, good in zip(cells, values.tolist(), ok.tolist(), strict=True):
        text = cell.strip(" \t")
        expected = float(text) if grammar.fullmatch(text) else float("nan")
        assert good == (expected == expected and abs(expected) != float("inf")), cell
        if good:
            assert value == expected
    ints, int_ok = parse_number_cells(cells, integer=True)
    for cell, value, good in zip(cells, ints.tolist(), int_ok.tolist(), strict=True):
        assert (cell_integer(cell) if good else None) == (value if good else None)
        assert good == (cell_integer(cell) is not None), cell


def test_found_values_in_messages_are_printable_and_writable():
    assert show("알약") == '"알약"'
    assert show("pill\ud800") == '"pill\\ud800"'  # a lone surrogate cannot be encoded
    assert show("a\x7fb\x1b[2J") == '"a\\x7fb\\u001b[2J"'  # DEL, and ESC as JSON escapes it
    show(["\udcff"] * 3).encode("utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1899", 1899),
        (1899, 1899),
        (1899.0, 1899),
        (" 42 ", 42),
        ("17.0", 17),  # the CSV cell grammar: the same answer as check-submission and eval
        ("-5", -5),
        ("18.5", None),
        (True, None),
        (None, None),
        ([1], None),
        (float("nan"), None),
        (float("inf"), None),
        ("１８９９", None),  # fullwidth digits: int() takes them, no id file writes them
        (2**63, None),
        (-(2**63), None),
        (2**63 - 1, 2**63 - 1),
        ("9" * 5000, None),  # past Python's int-string limit: None, not ValueError
        (float(2**70), None),
    ],
)
def test_parse_int64_is_the_one_integer_parser(value, expected):
    # used by merge (AIHub dl_idx), the YOLO class maps and the JSON id checks
    assert parse_int64(value) == expected
