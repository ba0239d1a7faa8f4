"""Loading detections: every validation case pinned by its message, and the accepted forms."""

import re
import time
import warnings

import numpy as np
import pytest

from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io import load_results
from tests.conftest import SAMPLE, det, gt_dict, write_json, write_text

HEADER = "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score\n"


def _load_bad(tmp_path, records):
    return load_results(write_json(tmp_path, "bad.json", records))


# --- files that are not a detections list at all -----------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hello", r"r\.json: not valid JSON: Expecting value at line 1, column 1"),
        ('[{"image_id": 1, "sc', r"r\.json: the JSON is truncated: it ends inside a string"),
        ('[{"image_id": 1', r"r\.json: the JSON is truncated: it ends unexpectedly at line 1"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", r"r\.json: binary data \(a NUL byte at offset 8\)"),
        ("", r"r\.json: the file is empty, expected COCO results JSON or submission CSV"),
    ],
    ids=["not-json", "truncated-in-string", "truncated-in-value", "binary", "empty"],
)
def test_unreadable_results_file(tmp_path, content, message):
    with pytest.raises(InputFormatError, match=message):
        load_results(write_text(tmp_path, "r.json", content))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (42, r"expected COCO results JSON \(a list of .*\), got 42"),
        ("detections", r'expected COCO results JSON \(a list of .*\), got "detections"'),
        ({"a": 1}, r"or an object with an 'annotations' list, got an object with keys \[\"a\"\]"),
        ({"annotations": {"x": 1}}, r"expected COCO results JSON \(a list of .*\), got {\"x\": 1}"),
    ],
    ids=["number", "string", "object", "annotations-not-a-list"],
)
def test_wrong_top_level_type(tmp_path, doc, message):
    with pytest.raises(InputFormatError, match=message):
        _load_bad(tmp_path, doc)


def test_ground_truth_passed_as_results_says_to_use_gt(tmp_path):
    with pytest.raises(
        InputFormatError,
        match=r"this is a COCO ground-truth file .*; pass it as the ground truth instead",
    ):
        _load_bad(tmp_path, gt_dict({1: [5]}))


def test_annotations_object_form_is_accepted(tmp_path):
    path = write_json(tmp_path, "wrapped.json", {"annotations": [det(1, 5), det(2, 6)]})
    dets = load_results(path)
    assert dets.image_id.tolist() == [1, 2]
    assert dets.category_id.tolist() == [5, 6]


# --- bad records: each names file, record, field, expectation and finding -----------------------


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},
            "detection #0: 'image_id' is missing",
        ),
        (det(1, None), "detection #0: 'category_id' is null"),
        (det(1, 2, score="high"), "detection #0: 'score' must be a finite number, got \"high\""),
        (det(1, 2, score=float("nan")), "detection #0: 'score' must be a finite number, got NaN"),
        (det(1, 2, score=float("inf")), "'score' must be a finite number, got Infinity"),
        (det(1, 2, score=True), "'score' must be a finite number, got true"),
        (
            det(1, 2, bbox=[1, 2, 3]),
            r"'bbox' must be \[x, y, w, h\]: 4 finite numbers with w, h >= 0, got \[1, 2, 3\]",
        ),
        (det(1, 2, bbox=[1, 2, 3, 4, 5]), r"got \[1, 2, 3, 4, 5\]"),
        (det(1, 2, bbox=[1, 2, -1, 4]), r"'bbox' must be .* w, h >= 0, got \[1, 2, -1, 4\]"),
        (det(1, 2, bbox=[1, 2, 3, -4]), r"'bbox' must be .* w, h >= 0, got \[1, 2, 3, -4\]"),
        (det(1, 2, bbox=[1, "2", 3, 4]), r"got \[1, \"2\", 3, 4\]"),
        (det(1, 2, bbox="1 2 3 4"), r"'bbox' must be .*, got \"1 2 3 4\""),
        (det(1.5, 2), "detection #0: 'image_id' must be an integer, got 1.5"),
        (det("7", 2), "'image_id' must be an integer, got \"7\""),
        (det(1, True), "'category_id' must be an integer, got true"),
        (
            det(2**63, 2),
            r"'image_id' must be an integer in the int64 range \(\|id\| < 2\^63\), "
            "got 9223372036854775808",
        ),
        (det(1, -(2**63)), r"'category_id' must be an integer in the int64 range"),
        (det(1, 2, score=10**400), "'score' must be a finite number, got 1000"),
        (
            det(1, 2, bbox=[1e308, 2, 1e308, 4]),
            r"'bbox' must have every coordinate within ±1e\+150 px \(beyond, x \+ w, y \+ h, "
            r"w \* h and IoU overflow\), got \[1e\+308, 2, 1e\+308, 4\]",
        ),
        (
            det(1, 2, bbox=[1, 2, 1e200, 1e200]),
            r"'bbox' must have every coordinate within ±1e\+150 px",
        ),
        (det(1, 2, bbox=[1, 2, 10**400, 4]), r"'bbox' must be \[x, y, w, h\]: 4 finite numbers"),
    ],
    ids=[
        "missing-key",
        "null",
        "non-numeric",
        "nan",
        "infinite",
        "bool-score",
        "bbox-3",
        "bbox-5",
        "bbox-w-zero",
        "bbox-h-negative",
        "bbox-string-item",
        "bbox-string",
        "float-id",
        "string-id",
        "bool-id",
        "id-overflow",
        "id-int64-min",
        "int-beyond-float",
        "bbox-right-edge-overflows",
        "bbox-area-overflows",
        "bbox-int-beyond-float",
    ],
)
def test_bad_record_is_named_precisely(tmp_path, record, message):
    with pytest.raises(InputFormatError, match=r"bad\.json: 1 problem\(s\) in its detections") as e:
        _load_bad(tmp_path, [det(1, 2), record])
    assert re.search(message.replace("#0", "#1"), str(e.value)), str(e.value)
    assert str(e.value).count("bad.json: detection #1: ") == 1


def test_record_that_is_not_an_object(tmp_path):
    with pytest.raises(
        InputFormatError, match=r"detection #0: must be a JSON object, got \[1, 2\]"
    ):
        _load_bad(tmp_path, [[1, 2]])


def test_every_problem_of_a_record_is_listed(tmp_path):
    bad = {"image_id": 1.5, "category_id": None, "bbox": [1, 2, 3], "score": "x"}
    with pytest.raises(InputFormatError, match=r"4 problem\(s\)") as e:
        _load_bad(tmp_path, [bad])
    fields = re.findall(r"detection #0: '(\w+)'", str(e.value))
    assert fields == ["image_id", "category_id", "bbox", "score"]


def test_more_than_20_bad_records_lists_20_and_counts_the_rest(tmp_path):
    records = [det(i, 3, score="bad") for i in range(27)]
    with pytest.raises(InputFormatError, match=r"27 problem\(s\) in its detections") as e:
        _load_bad(tmp_path, records)
    text = str(e.value)
    assert text.count("\n  - ") == 20
    assert "detection #19:" in text and "detection #20:" not in text
    assert text.endswith("... and 7 more problem(s) not listed")


def test_integral_float_ids_are_accepted(tmp_path):
    dets = _load_bad(tmp_path, [det(1.0, 25366.0), det(2, 10223)])
    assert dets.image_id.dtype == np.int64
    assert dets.category_id.tolist() == [25366, 10223]


# --- submission CSV -------------------------------------------------------------------------------


def test_csv_with_missing_columns_lists_them_and_the_header_found(tmp_path):
    path = write_text(tmp_path, "s.csv", "annotation_id,image_id,category_id,bbox_x\n1,1,2,3\n")
    with pytest.raises(
        InputFormatError,
        match=r"s\.csv: missing column\(s\) bbox_y, bbox_w, bbox_h, score; found header "
        r'"annotation_id,image_id,category_id,bbox_x"; expected submission CSV with header',
    ):
        load_results(path)


def test_csv_bad_numbers_name_line_and_column(tmp_path):
    # Line 1 is the header, so the second data row is line 3.
    path = write_text(tmp_path, "s.csv", HEADER + "1,1,2,3,4,5,6,0.5\n2,1.5,x,3,4,-1,6,nan\n")
    with pytest.raises(InputFormatError, match=r"s\.csv: 4 problem\(s\) in its rows") as e:
        load_results(path)
    text = str(e.value)
    assert "s.csv: line 3: 'image_id' must be an integer, got \"1.5\"" in text
    assert "s.csv: line 3: 'category_id' must be an integer, got \"x\"" in text
    assert "s.csv: line 3: 'bbox_w' must be a number >= 0, got \"-1\"" in text
    assert "s.csv: line 3: 'score' must be a finite number, got \"nan\"" in text


def test_csv_line_numbers_count_blank_lines(tmp_path):
    # pandas skips the blank line 3 (and CRLF endings change nothing): the bad row is line 4.
    path = write_text(tmp_path, "s.csv", HEADER + "1,1,2,3,4,5,6,0.5\r\n\r\n2,1,2,3,4,5,6,bad\r\n")
    with pytest.raises(InputFormatError, match=r"s\.csv: line 4: 'score' must be a finite number"):
        load_results(path)


def test_csv_line_with_too_many_fields(tmp_path):
    path = write_text(tmp_path, "s.csv", HEADER + "1,1,2,3,4,5,6,0.5\n2,1,2,3,4,5,6,0.5,9\n")
    with pytest.raises(
        InputFormatError,
        match=r"s\.csv: 1 line\(s\) with more fields than the header \(submission CSV with header "
        r".*\n  - .*s\.csv: line 3: 9 fields, the header has 8$",
    ):
        load_results(path)


def test_csv_with_a_trailing_comma_on_every_line_is_refused_not_shifted(tmp_path):
    # pandas alone would take the first column as the index and shift every column left.
    path = write_text(tmp_path, "s.csv", HEADER + "1,1,2,3,4,5,6,0.5,\n2,1,2,3,4,5,6,0.5,\n")
    with pytest.raises(InputFormatError, match=r"2 line\(s\) with more fields") as e:
        load_results(path)
    assert "s.csv: line 2: 9 fields, the header has 8 (a trailing comma?)" in str(e.value)
    assert "s.csv: line 3: 9 fields, the header has 8 (a trailing comma?)" in str(e.value)


def test_csv_line_with_too_few_fields_names_the_empty_cells(tmp_path):
    path = write_text(tmp_path, "s.csv", HEADER + "1,1,2,3,4,5,6,0.5\n2,1,2,3,4\n")
    with pytest.raises(InputFormatError, match=r"3 problem\(s\) in its rows") as e:
        load_results(path)
    assert "line 3: 'bbox_h' must be a number >= 0, got \"\"" in str(e.value)
    assert "line 3: 'score' must be a finite number, got \"\"" in str(e.value)


@pytest.mark.parametrize(
    "text",
    [
        "annotation_id,image_id,category_id,bbox_x,bb\rox_y,bbox_w,bbox_h,score\n1,1,2,3,4,5,6,0.5\n",
        "\r" + HEADER + "1,1,2,3,4,5,6,0.5\n1,2\r3,4,5,6,7,8,9,10,11\n",
    ],
    ids=["in-the-header", "in-a-row"],
)
def test_csv_with_a_lone_carriage_return_is_an_input_error(tmp_path, text):
    # csv.reader without newline="" raised "new-line character seen in unquoted field" (exit 70).
    with pytest.raises(InputFormatError, match=r"s\.csv: 1 line\(s\) with more fields"):
        load_results(write_text(tmp_path, "s.csv", text))


def test_csv_many_bad_rows_are_counted_past_the_listed_20(tmp_path):
    rows = "".join(f"{i},{i},2,3,4,5,6,high\n" for i in range(25))
    with pytest.raises(InputFormatError, match=r"25 problem\(s\) in its rows") as e:
        load_results(write_text(tmp_path, "s.csv", HEADER + rows))
    assert str(e.value).count("\n  - ") == 20
    assert str(e.value).endswith("... and 5 more problem(s) not listed")


@pytest.mark.parametrize(
    ("cell", "column", "why"),
    [
        ("５", "score", 'must be a finite number, got "５"'),  # fullwidth: float() takes it
        ("٥", "bbox_x", 'must be a finite number, got "٥"'),  # Arabic-Indic five
        ("1_000", "bbox_y", 'must be a finite number, got "1_000"'),
        ("１", "image_id", 'must be an integer, got "１"'),
        (
            "9223372036854775808",
            "image_id",
            'must be an integer in the int64 range (|id| < 2^63), got "9223372036854775808"',
        ),
        ("1e30", "category_id", "must be an integer in the int64 range (|id| < 2^63)"),
    ],
)
def test_csv_numbers_outside_the_ascii_grammar_or_int64_are_refused(tmp_path, cell, column, why):
    row = dict(
        zip(HEADER.strip().split(","), ["1", "1", "2", "3", "4", "5", "6", "0.5"], strict=True)
    )
    row[column] = cell
    path = write_text(tmp_path, "s.csv", HEADER + "2,1,2,3,4,5,6,0.5\n" + ",".join(row.values()))
    with pytest.raises(InputFormatError, match=r"s\.csv: 1 problem\(s\) in its rows") as e:
        load_results(path)
    assert f"s.csv: line 3: '{column}' {why}" in str(e.value)


def test_csv_ids_are_exact_int64_even_beyond_float_precision(tmp_path):
    # 2^53 + 1 has no float64; a float parse would make it 2^53 (another image).
    path = write_text(
        tmp_path, "s.csv", HEADER + "1,9007199254740993,9223372036854775807,3,4,5,6,0.5\n"
    )
    dets = load_results(path)
    assert dets.image_id.tolist() == [9007199254740993]
    assert dets.category_id.tolist() == [2**63 - 1]


def test_csv_with_a_repeated_header_column_is_refused(tmp_path):
    path = write_text(tmp_path, "s.csv", HEADER.strip() + ",score\n1,1,2,3,4,5,6,0.5,0.7\n")
    with pytest.raises(
        InputFormatError, match=r's\.csv: line 1: the header repeats column\(s\) \["score"\]'
    ):
        load_results(path)


def test_csv_with_100000_extra_columns_loads_in_linear_time(tmp_path):
    extra = "".join(f",x{i}" for i in range(100_000))
    row = "1,1,2,3,4,5,6,0.5" + ",7" * 100_000
    path = write_text(tmp_path, "s.csv", HEADER.strip() + extra + "\n" + row + "\n")
    start = time.perf_counter()
    assert load_results(path).bbox.tolist() == [[3.0, 4.0, 5.0, 6.0]]
    assert time.perf_counter() - start < 5  # pandas built 100,000 columns in 6 s


def test_wide_csv_still_refuses_rows_with_extra_fields(tmp_path):
    extra = "".join(f",x{i}" for i in range(100))
    path = write_text(
        tmp_path, "s.csv", HEADER.strip() + extra + "\n1,1,2,3,4,5,6,0.5" + ",7" * 101 + "\n"
    )
    with pytest.raises(InputFormatError, match=r"s\.csv: line 2: 109 fields, the header has 108"):
        load_results(path)


def test_csv_with_thousands_of_repeated_columns_is_refused_quickly(tmp_path):
    path = write_text(tmp_path, "s.csv", HEADER.strip() + ",x" * 20_000 + "\n1,1,2,3,4,5,6,0.5\n")
    start = time.perf_counter()
    with pytest.raises(InputFormatError, match=r'the header repeats column\(s\) \["x"\]'):
        load_results(path)
    assert time.perf_counter() - start < 2  # pandas renaming x.1 .. x.19999 took 4 s


def test_csv_with_a_doubled_bom_is_refused(tmp_path):
    path = write_text(tmp_path, "s.csv", ("\ufeff\ufeff" + HEADER + "1,1,2,3,4,5,6,0.5\n").encode())
    with pytest.raises(InputFormatError, match=r"s\.csv: line 1: starts with a second byte-order"):
        load_results(path)


def test_csv_box_too_large_for_box_arithmetic_is_refused_without_a_warning(tmp_path):
    path = write_text(tmp_path, "s.csv", HEADER + "1,1,2,1e308,4,1e308,6,0.5\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            InputFormatError,
            match=r"s\.csv: line 2: the box must have every coordinate within ±1e\+150 px",
        ):
            load_results(path)


def test_json_with_an_integer_too_long_for_python_names_the_file(tmp_path):
    path = write_text(tmp_path, "r.json", '[{"image_id": ' + "1" * 4301 + "}]")
    with pytest.raises(
        InputFormatError, match=r"r\.json: line 1, column 15: an integer with 4,301"
    ):
        load_results(path)


def test_csv_keeps_annotation_ids_and_matches_the_json_it_was_made_from():
    csv = load_results(SAMPLE / "resnet101_submission.csv")
    js = load_results(SAMPLE / "resnet101.json")
    assert csv.annotation_id.tolist() == list(range(1, len(js) + 1))
    assert js.annotation_id is None
    for col in ("image_id", "category_id", "bbox", "score"):
        np.testing.assert_array_equal(getattr(csv, col), getattr(js, col))


def test_csv_without_annotation_id_column_is_accepted(tmp_path):
    path = write_text(tmp_path, "s.csv", HEADER.split(",", 1)[1] + "1,2,3,4,5,6,0.5\n")
    dets = load_results(path)
    assert dets.annotation_id is None
    assert dets.bbox.tolist() == [[3.0, 4.0, 5.0, 6.0]]


def test_input_format_csv_forces_csv_whatever_the_suffix(tmp_path):
    # "image_id,..." has a comma so auto would sniff CSV too; a header-only line without a
    # comma would not. Forcing csv reads a .json-named file as CSV.
    path = write_text(tmp_path, "export.json", HEADER + "1,1,2,3,4,5,6,0.5\n")
    assert load_results(path, input_format="csv").category_id.tolist() == [2]
    with pytest.raises(InputFormatError, match="not valid JSON"):
        load_results(path, input_format="coco")


def test_input_format_csv_on_a_json_file_says_it_is_json(tmp_path):
    path = write_json(tmp_path, "r.json", [det(1, 2)])
    with pytest.raises(
        InputFormatError,
        match=r"r\.json: this is JSON, not CSV; .* read it with input_format='coco' or 'auto'",
    ):
        load_results(path, input_format="csv")


def test_unknown_input_format_is_a_config_error(tmp_path):
    with pytest.raises(
        ConfigError, match="input_format: must be one of auto, coco, csv, got 'xml'"
    ):
        load_results(write_json(tmp_path, "r.json", []), input_format="xml")


# --- names and warnings (legal but suspicious) --------------------------------------------------


def test_name_defaults_to_the_file_stem(tmp_path):
    path = write_json(tmp_path, "resnet101.json", [det(1, 2)])
    assert load_results(path).name == "resnet101"
    assert load_results(path, name="r101").name == "r101"


def test_clean_results_give_no_warning(tmp_path):
    records = [det(1, 2, score=0.9), det(2, 3, score=0.4)]
    assert load_results(write_json(tmp_path, "r.json", records)).warnings == ()


def test_empty_results_warn_and_do_not_crash(tmp_path):
    dets = load_results(write_json(tmp_path, "r.json", []))
    assert len(dets) == 0
    assert dets.warnings == (f"{tmp_path / 'r.json'}: no detections at all",)


def test_all_scores_equal_warns(tmp_path):
    dets = load_results(write_json(tmp_path, "r.json", [det(1, 2, score=1), det(2, 2, score=1)]))
    assert any(
        "all 2 scores are equal (1); AP then depends on file order" in w for w in dets.warnings
    )


def test_scores_outside_0_1_warn_with_min_and_max(tmp_path):
    records = [det(1, 2, score=-2.5), det(2, 2, score=0.5), det(3, 2, score=3.0)]
    dets = load_results(write_json(tmp_path, "r.json", records))
    assert any(
        "2 score(s) outside [0, 1] (min -2.5, max 3); are these logits?" in w for w in dets.warnings
    )


def test_boxes_that_look_like_xyxy_are_found_by_the_input_check_alone(tmp_path):
    # [x1, y1, x2, y2] boxes away from the corner: every "w" > x and "h" > y. One check says
    # it (the diagnosis, with the data to decide when there is a reference), not loading too.
    from pill_compare.analysis.diagnosis import diagnose

    records = [det(i, 2, bbox=[100 + i, 100, 150 + i, 180], score=0.1 * i) for i in range(1, 6)]
    dets = load_results(write_json(tmp_path, "r.json", records))
    assert dets.warnings == ()
    (finding,) = diagnose(None, {"a": dets}).findings
    assert (finding.code, finding.severity, finding.params["sign"]) == (
        "box_format_xyxy",
        "warning",
        "corners",
    )


def test_few_or_true_xywh_boxes_do_not_warn_as_xyxy(tmp_path):
    few = [det(i, 2, bbox=[100, 100, 150, 180], score=0.1 * i) for i in range(1, 5)]
    xywh = [det(i, 2, bbox=[300, 300, 50, 80], score=0.1 * i) for i in range(1, 7)]
    for records in (few, xywh):
        dets = load_results(write_json(tmp_path, "r.json", records))
        assert not any("x1, y1, x2, y2" in w for w in dets.warnings)


def test_csv_read_in_chunks_gives_the_same_numbers_and_lines(tmp_path, monkeypatch):
    import pill_compare.io.results as results

    rows = "".join(f"{i},{i},2,3,4,5,6,0.{i}\n" for i in range(1, 8))
    path = write_text(tmp_path, "s.csv", HEADER + rows + "\n8,8,2,3,4,5,6,bad\n")
    monkeypatch.setattr(results, "_CSV_CHUNK_ROWS", 3)  # 8 rows: chunks of 3, 3, 2
    # the bad row is the 8th data row, after a blank line: file line 10
    with pytest.raises(InputFormatError, match=r"s\.csv: 1 problem\(s\) in its rows") as e:
        load_results(path)
    assert "s.csv: line 10: 'score' must be a finite number, got \"bad\"" in str(e.value)
    path.write_text(HEADER + rows, encoding="utf-8")
    dets = load_results(path)
    assert dets.image_id.tolist() == list(range(1, 8))
    assert dets.score.tolist() == [float(f"0.{i}") for i in range(1, 8)]
