"""check_submission: every rule with a failing and a passing case.

The ground truth: three 976x1280 images, categories 1899, 3482, 10223, one to two boxes each.
CLEAN is a submission that breaks no rule; each test changes one thing.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path

import pytest

from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io import ground_truth_from_dict, load_results
from pill_compare.prep.submission_check import RULE_NAMES, check_submission
from tests.prep.pill_folder import write_png

HEADER = "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score"
ROWS = [
    "1,1,1899,101,99,198,202,0.97",
    "2,1,3482,400,500,150,150,0.91",
    "3,2,10223,50,60,100,120,0.88",
    "4,3,1899,600,700,180,160,0.5",
]
CLEAN = "\n".join([HEADER, *ROWS]) + "\n"

GT = ground_truth_from_dict(
    {
        "images": [
            {"id": i, "file_name": f"{i}.png", "width": 976, "height": 1280} for i in (1, 2, 3)
        ],
        "categories": [
            {"id": 1899, "name": "K-001900"},
            {"id": 3482, "name": "K-003483"},
            {"id": 10223, "name": "K-010224"},
        ],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1899, "bbox": [100, 100, 200, 200]},
            {"id": 2, "image_id": 1, "category_id": 3482, "bbox": [400, 500, 150, 150]},
            {"id": 3, "image_id": 2, "category_id": 10223, "bbox": [50, 60, 100, 120]},
            {"id": 4, "image_id": 3, "category_id": 1899, "bbox": [600, 700, 180, 160]},
        ],
    },
    source="gt.json",
)


def run(tmp_path: Path, text: str, **kwargs):
    path = tmp_path / "submission.csv"
    path.write_text(text, encoding="utf-8")
    kwargs.setdefault("gt", GT)
    return check_submission(path, **kwargs)


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def findings(result, rule: str) -> list[tuple[str, str, str]]:
    return [(f.severity, f.location, f.message) for f in result.findings if f.rule == rule]


def status(result, rule: str) -> str:
    return next(r.status for r in result.rules if r.rule == rule)


def test_a_clean_submission_passes_every_rule(tmp_path):
    r = run(tmp_path, CLEAN)
    assert r.ok
    assert r.findings == ()
    assert [(s.rule, s.status) for s in r.rules] == [(name, "ok") for name in RULE_NAMES]
    assert (r.rows, r.images, r.expected_images) == (4, 3, 3)


# --- file ----------------------------------------------------------------------------------


def test_file_json_instead_of_csv(tmp_path):
    r = run(tmp_path, '[{"image_id": 1}]')
    assert not r.ok
    [(sev, _, msg)] = findings(r, "file")
    assert sev == "error"
    assert msg.startswith("this is JSON (a COCO results file?), not a submission CSV; convert it")
    assert {s.status for s in r.rules if s.rule != "file"} == {"skipped"}


def test_file_binary_content(tmp_path):
    path = tmp_path / "submission.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = check_submission(path)
    [(sev, _, msg)] = findings(r, "file")
    assert (sev, msg) == ("error", "submission.csv: binary data (a NUL byte at offset 8), expected "
                          "submission CSV with header annotation_id,image_id,category_id,bbox_x,"
                          "bbox_y,bbox_w,bbox_h,score text".replace("submission.csv", str(path), 1))  # fmt: skip


def test_file_header_only(tmp_path):
    r = run(tmp_path, HEADER + "\n")
    assert findings(r, "file") == [
        ("error", str(tmp_path / "submission.csv"), "no detection rows, only a header")
    ]


def test_file_rows_with_the_wrong_number_of_fields(tmp_path):
    r = run(tmp_path, csv_of(*ROWS[:2], "3,2,10223,50,60,100,120", ROWS[3] + ",extra"))
    assert findings(r, "file") == [
        ("error", "lines 4, 5", "2 row(s) do not have the header's 8 fields; "
         "these rows are left out of the other checks"),
    ]  # fmt: skip
    assert r.rows == 2


# --- header --------------------------------------------------------------------------------


def test_header_missing_column(tmp_path):
    header = "image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score"
    r = run(tmp_path, csv_of(*[row.split(",", 1)[1] for row in ROWS], header=header))
    assert findings(r, "header") == [
        ("error", "line 1", f"missing column(s) annotation_id; found {header}; expected {HEADER}")
    ]
    assert status(r, "annotation_id") == "skipped"
    assert status(r, "score_range") == "ok"  # the other columns are still checked


def test_header_reordered_and_extra_columns_are_warnings(tmp_path):
    header = "image_id,annotation_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score,note"
    rows = [",".join([r.split(",")[1], r.split(",")[0], *r.split(",")[2:], "x"]) for r in ROWS]
    r = run(tmp_path, csv_of(*rows, header=header))
    assert r.ok
    assert findings(r, "header") == [
        ("warning", "line 1", "extra column(s) note; a scorer may refuse them"),
        ("warning", "line 1", "columns are in another order (image_id,annotation_id,category_id,"
         f"bbox_x,bbox_y,bbox_w,bbox_h,score); expected {HEADER}"),
    ]  # fmt: skip


def test_header_names_with_spaces_are_errors(tmp_path):
    r = run(tmp_path, csv_of(*ROWS, header=HEADER.replace(",score", ", score")))
    assert findings(r, "header") == [
        ("error", "line 1", 'column name(s) with spaces: [" score"]; scorers match names exactly '
         "(' score' is not 'score'): remove the spaces"),
    ]  # fmt: skip
    assert status(r, "score_range") == "ok"  # still checked under the stripped name


def test_header_semicolon_separated(tmp_path):
    rows = [row.replace(",", ";") for row in ROWS]
    r = run(tmp_path, csv_of(*rows, header=HEADER.replace(",", ";")))
    [(sev, _, msg)] = findings(r, "header")
    assert sev == "error"
    assert msg.startswith("the file is separated by ';', not by commas")


def test_header_absent(tmp_path):
    r = run(tmp_path, "\n".join(ROWS) + "\n")
    [(sev, loc, msg)] = findings(r, "header")
    assert (sev, loc) == ("error", "line 1")
    assert msg == f'no header line: the first line is data ("{ROWS[0]}"); add the header {HEADER}'


# --- numeric -------------------------------------------------------------------------------


def test_numeric_fields(tmp_path):
    r = run(tmp_path, csv_of(ROWS[0], "2,1.5,3482,400,500,150,150,high", *ROWS[2:]))
    assert findings(r, "numeric") == [
        ("error", "line 3", "'image_id' must be an integer: 1 value(s) are not, e.g. \"1.5\" (line 3)"),
        ("error", "line 3", "'score' must be a finite number: 1 value(s) are not, e.g. \"high\" (line 3)"),
    ]  # fmt: skip
    assert status(run(tmp_path, CLEAN), "numeric") == "ok"


def test_line_numbers_are_file_lines_with_crlf_and_blank_lines(tmp_path):
    # Line 1 header, 2 a row, 3 blank, 4 the bad row.
    text = "\r\n".join([HEADER, ROWS[0], "", "2,1,3482,400,500,150,150,x", *ROWS[2:]]) + "\r\n"
    r = run(tmp_path, text)
    assert [loc for _, loc, _ in findings(r, "numeric")] == ["line 4"]


# --- annotation_id -------------------------------------------------------------------------


def test_annotation_ids_repeated(tmp_path):
    rows = [ROWS[0], "1" + ROWS[1][1:], ROWS[2], "1" + ROWS[3][1:]]
    r = run(tmp_path, csv_of(*rows))
    assert findings(r, "annotation_id") == [
        ("error", "lines 2, 3, 5", "1 annotation id(s) used more than once: 1 on lines 2, 3, 5; "
         "ids must be unique: number the rows 1..N"),
    ]  # fmt: skip


def test_annotation_ids_not_positive(tmp_path):
    r = run(tmp_path, csv_of("0" + ROWS[0][1:], *ROWS[1:]))
    assert findings(r, "annotation_id") == [
        (
            "error",
            "line 2",
            "1 annotation id(s) <= 0 (e.g. 0); ids must be positive: number the rows 1..N",
        )
    ]


# --- score_range ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (["0.97", "1.7", "0.88", "0.5"], "1 score(s) outside [0, 1] (min 0.5, max 1.7)."),
        (
            ["2.1", "-0.4", "0.88", "-3"],
            "3 score(s) outside [0, 1] (min -3, max 2.1). Logits? apply a sigmoid.",
        ),
        (
            ["97", "91", "88", "50"],
            "4 score(s) outside [0, 1] (min 50, max 97). Percentages? divide by 100.",
        ),
    ],
)
def test_scores_outside_0_1(tmp_path, scores, message):
    rows = [row.rsplit(",", 1)[0] + "," + s for row, s in zip(ROWS, scores, strict=True)]
    r = run(tmp_path, csv_of(*rows))
    [(sev, _, msg)] = findings(r, "score_range")
    assert (sev, msg) == ("error", message)


# --- box_size ------------------------------------------------------------------------------


def test_box_size(tmp_path):
    r = run(tmp_path, csv_of(*ROWS[:3], "4,3,1899,600,700,0,160,0.5"))
    assert findings(r, "box_size") == [
        ("error", "line 5", "1 box(es) with bbox_w <= 0 or bbox_h <= 0 (e.g. w=0, h=160 on line 5); "
         "these can never match"),
    ]  # fmt: skip


# --- box_inside ----------------------------------------------------------------------------


def test_boxes_leaving_the_image(tmp_path):
    # Line 4 ends at x = 900 + 100 = 1000 > 976 + 1; line 5 starts at x = 980 >= 976: no overlap.
    # Line 3 ends at x = 976.5: inside the 1 px tolerance.
    rows = [ROWS[0], "2,1,3482,876.5,500,100,150,0.91", "3,2,10223,900,60,100,120,0.88",
            "4,3,1899,980,700,180,160,0.5"]  # fmt: skip
    r = run(tmp_path, csv_of(*rows))
    assert findings(r, "box_inside") == [
        ("error", "line 5", "1 box(es) lie wholly outside their image; they can never match"),
        ("warning", "line 4", "1 box(es) leave their image by more than 1 px; clip them to the image"),
    ]  # fmt: skip


def test_box_inside_is_skipped_without_sizes(tmp_path):
    r = run(tmp_path, CLEAN, gt=None)
    rule = next(s for s in r.rules if s.rule == "box_inside")
    assert (rule.status, rule.note) == (
        "skipped",
        "no image sizes: give the test images, or a ground truth with width/height",
    )


# --- box_format ----------------------------------------------------------------------------


def test_normalized_boxes(tmp_path):
    rows = ["1,1,1899,0.1,0.08,0.2,0.16,0.97", "2,1,3482,0.41,0.39,0.15,0.12,0.91"]
    r = run(tmp_path, csv_of(*rows))
    [(sev, _, msg)] = findings(r, "box_format")
    assert sev == "error"
    assert msg.startswith("every box value lies in [0, 1]: the boxes look normalized")


def test_xyxy_boxes_against_ground_truth_boxes(tmp_path):
    # ROWS as [x1, y1, x2, y2]: e.g. [101, 99, 299, 301]. Read as xywh, the best IoUs with the
    # ground truth are 0.441 (39800 / 90199), 0.063 ([400, 500, 550, 650] vs [400, 500, 150,
    # 150]: 150·150 / 550·650), 0.444, 0.043: median (0.063 + 0.441) / 2 = 0.25; read as xyxy
    # they are 0.98, 1, 1, 1: median 1.
    rows = ["1,1,1899,101,99,299,301,0.97", "2,1,3482,400,500,550,650,0.91",
            "3,2,10223,50,60,150,180,0.88", "4,3,1899,600,700,780,860,0.5"]  # fmt: skip
    r = run(tmp_path, csv_of(*rows))
    [(sev, _, msg)] = findings(r, "box_format")
    assert sev == "error"
    assert msg == (
        "the boxes look like [x1, y1, x2, y2] (convert: w = x2 - x1, h = y2 - y1): read that way "
        "their median best IoU with the ground truth is 1.00, read as [x, y, w, h] 0.25 "
        "(4 detections on ground-truth images)"
    )


def test_centre_form_boxes_by_image_overflow(tmp_path):
    # True boxes near the right/bottom edges, written as [cx, cy, w, h]: e.g. [800, 1100, 150,
    # 150] → [875, 1175, 150, 150], which read as xywh ends at x 1025 > 976. 3 of 5 leave the
    # image as xywh (60% >= 20%); read as centre form none does; read as xyxy all are empty.
    for i in range(1, 6):
        write_png(tmp_path / "test" / f"{i}.png", 976, 1280)
    rows = ["1,1,1899,875,1175,150,150,0.9", "2,2,1899,900,500,120,100,0.9",
            "3,3,1899,500,1200,100,140,0.9", "4,4,1899,300,300,100,100,0.9",
            "5,5,1899,400,400,100,100,0.9"]  # fmt: skip
    r = run(tmp_path, csv_of(*rows), gt=None, test_images=tmp_path / "test")
    [(sev, _, msg)] = findings(r, "box_format")
    assert (sev, msg) == (
        "warning",
        "60% of the boxes leave their image when read as [x, y, w, h], none when read as centre "
        "form [cx, cy, w, h] (convert: x = cx - w/2, y = cy - h/2)",
    )


def test_xyxy_pattern_without_sizes(tmp_path):
    rows = [f"{i},{i},1899,{10 * i},{20 * i},{10 * i + 50},{20 * i + 60},0.9" for i in range(1, 6)]
    r = run(tmp_path, csv_of(*rows), gt=None)
    [(sev, _, msg)] = findings(r, "box_format")
    assert sev == "warning"
    assert msg.startswith("every box has bbox_w > bbox_x and bbox_h > bbox_y")


# --- category_id ---------------------------------------------------------------------------


def test_unknown_category_ids(tmp_path):
    r = run(tmp_path, csv_of(*ROWS[:3], "4,3,5555,600,700,180,160,0.5"))
    assert findings(r, "category_id") == [
        ("error", "line 5", "1 detection(s) with 1 category id(s) not in the ground truth: 5555; "
         "they score zero."),
    ]  # fmt: skip


def test_category_ids_off_by_one_get_the_k_code_hint(tmp_path):
    # K-numbers 1900, 3483, 10224 where the ground truth uses dl_idx = K-number - 1.
    rows = [row.replace(",1899,", ",1900,").replace(",3482,", ",3483,").replace(",10223,", ",10224,")
            for row in ROWS]  # fmt: skip
    r = run(tmp_path, csv_of(*rows))
    [(sev, loc, msg)] = findings(r, "category_id")
    assert (sev, loc) == ("error", "lines 2, 3, 4, 5")
    assert msg.endswith(
        "Every id becomes a ground-truth id after adding -1: the K-code vs dl_idx mix-up "
        "(dl_idx = K-number - 1); subtract 1 from every category_id."
    )


def test_contiguous_class_indices_get_a_mapping_hint(tmp_path):
    rows = [row.replace(",1899,", ",0,").replace(",3482,", ",1,").replace(",10223,", ",2,")
            for row in ROWS]  # fmt: skip
    r = run(tmp_path, csv_of(*rows))
    [(_, _, msg)] = findings(r, "category_id")
    assert msg.endswith(
        "The ids look like contiguous class indices (0..2), not category ids: map each index to "
        "its category id, e.g. in ground-truth order 0 → 1899, 1 → 3482, 2 → 10223, ... "
        "(a class map does this when converting YOLO predictions)."
    )


def test_labels_shifted_by_one_against_the_ground_truth_labels_warn(tmp_path):
    # 25 images, image i has one pill of category 10 + i; the submission says 11 + i: every id
    # is a known category (10..40), but shifted by -1 every detection names its image's label.
    gt = ground_truth_from_dict(
        {
            "images": [
                {"id": i, "file_name": f"{i}.png", "width": 100, "height": 100} for i in range(25)
            ],
            "categories": [{"id": c, "name": str(c)} for c in range(10, 41)],
            "annotations": [
                {"id": i + 1, "image_id": i, "category_id": 10 + i, "bbox": [10, 10, 50, 50]}
                for i in range(25)
            ],
        }
    )
    rows = [f"{i + 1},{i},{11 + i},10,10,50,50,0.9" for i in range(25)]
    r = run(tmp_path, csv_of(*rows), gt=gt)
    [(sev, _, msg)] = findings(r, "category_id")
    assert sev == "warning"
    assert msg.startswith("category ids look shifted by one: with id -1, 100% of detections")


def test_category_rule_is_skipped_without_ground_truth(tmp_path):
    r = run(tmp_path, CLEAN, gt=None)
    assert status(r, "category_id") == "skipped"
    assert status(r, "image_coverage") == "skipped"


# --- image_coverage ------------------------------------------------------------------------


def test_unknown_and_missing_images(tmp_path):
    r = run(tmp_path, csv_of(*ROWS[:2], "3,7,10223,50,60,100,120,0.88"))
    assert findings(r, "image_coverage") == [
        ("error", "line 4", "1 detection(s) on 1 image id(s) that are not test images: 7"),
        ("warning", "image ids 2, 3", "2 of 3 test image(s) have no detection (every pill on them counts as missed)"),
    ]  # fmt: skip


def test_test_images_folder_gives_ids_and_sizes(tmp_path):
    folder = tmp_path / "test_images"
    for i in (1, 2, 3, 4):
        write_png(folder / f"{i}.png", 976, 1280)
    write_png(folder / "readme.png", 2, 2)
    r = run(tmp_path, CLEAN, test_images=folder)
    assert findings(r, "image_coverage") == [
        ("warning", f"{folder}: readme.png", "1 test image name(s) are not an integer image id "
         "(image_id is the file stem: 17.png is 17); ignored"),
        ("warning", "image id 4", "1 of 4 test image(s) have no detection (every pill on them counts as missed)"),
    ]  # fmt: skip
    assert r.reference == f"ground truth gt.json and test images in {folder}"
    assert status(r, "box_inside") == "ok"


def test_a_test_folder_without_integer_names_is_an_error(tmp_path):
    folder = tmp_path / "test_images"
    write_png(folder / "a.png", 2, 2)
    r = run(tmp_path, CLEAN, test_images=folder)
    assert ("error", str(folder), "no test image named by an integer id (expected files such as "
            "1.png, 2.png)") in findings(r, "image_coverage")  # fmt: skip


# --- max_per_image -------------------------------------------------------------------------


def test_more_detections_per_image_than_allowed(tmp_path):
    extra = [f"{i},1,1899,{10 * i},10,20,20,0.1" for i in range(5, 9)]  # image 1: 2 + 4 = 6
    r = run(tmp_path, csv_of(*ROWS, *extra))
    assert findings(r, "max_per_image") == [
        ("warning", "image id 1 (6)", "1 image(s) have more than 4 detections (count in brackets); "
         "if the competition takes at most 4 per image, keep the 4 highest-scoring"),
    ]  # fmt: skip
    assert run(tmp_path, csv_of(*ROWS, *extra), max_per_image=6).ok
    assert (
        status(run(tmp_path, csv_of(*ROWS, *extra), max_per_image=None), "max_per_image")
        == "skipped"
    )


def test_max_per_image_must_be_positive(tmp_path):
    with pytest.raises(ConfigError, match=r"max_per_image: must be >= 1, got 0"):
        run(tmp_path, CLEAN, max_per_image=0)


def test_to_dict_and_to_frame(tmp_path):
    r = run(tmp_path, csv_of(*ROWS[:3], "4,3,1899,600,700,0,160,0.5"))
    d = r.to_dict()
    assert d["ok"] is False and d["severities"] == {"error": 1, "warning": 0, "info": 0}
    assert [x["rule"] for x in d["rules"]] == list(RULE_NAMES)
    assert list(r.to_frame()["rule"]) == ["box_size"]
    assert list(r.to_frame().columns) == ["source", "rule", "severity", "location", "message"]
    assert set(r.to_frame()["source"]) == {str(tmp_path / "submission.csv")}


# --- hostile input: the same number grammar as the loaders, bounded work, no warning ---------


@pytest.mark.parametrize("cell", ["５", "٥", "1_000", "１"])
def test_unicode_digits_and_underscores_fail_here_as_they_fail_to_load(tmp_path, cell):
    text = csv_of(*ROWS[:3], f"4,3,1899,600,700,{cell},160,0.5")
    r = run(tmp_path, text)
    assert not r.ok
    assert findings(r, "numeric") == [
        ("error", "line 5", f"'bbox_w' must be a finite number: 1 value(s) are not, e.g. \"{cell}\" (line 5)"),
    ]  # fmt: skip
    with pytest.raises(InputFormatError, match=r"line 5: 'bbox_w' must be a number >= 0"):
        load_results(tmp_path / "submission.csv")  # eval refuses the same file


def test_ids_beyond_int64_are_numeric_errors_not_wrapped_ids(tmp_path):
    r = run(tmp_path, csv_of(*ROWS[:3], "4,9223372036854775808,1899,600,700,180,160,0.5"))
    assert findings(r, "numeric") == [
        ("error", "line 5", "'image_id' must be an integer in the int64 range (|id| < 2^63): "
         "1 value(s) are not, e.g. \"9223372036854775808\" (line 5)"),
    ]  # fmt: skip


def test_boxes_too_large_for_box_arithmetic_are_box_size_errors_without_a_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = run(tmp_path, csv_of(*ROWS[:3], "4,3,1899,1e308,700,1e308,160,0.5"))
    assert [(s, loc) for s, loc, _ in findings(r, "box_size")] == [("error", "line 5")]
    assert "1 box(es) with a coordinate beyond ±1e+150 px (e.g. line 5)" in r.findings[0].message


def test_a_100000_column_header_is_checked_in_linear_time(tmp_path):
    header = HEADER + "," + ",".join(f"x{i}" for i in range(100_000)) + ",score"
    start = time.perf_counter()
    r = run(tmp_path, header + "\n")
    assert time.perf_counter() - start < 5  # was ~100 s: names.count() per name
    repeated = [m for s, _, m in findings(r, "header") if m.startswith("repeated")]
    assert repeated == [
        "repeated column(s) score; each column must appear once (the first is checked)"
    ]
    extra = next(m for _, _, m in findings(r, "header") if m.startswith("extra"))
    assert len(extra) < 200 and "(+99990 more)" in extra


def test_test_image_stems_that_are_not_ascii_int64_are_ignored_with_a_warning(tmp_path):
    folder = tmp_path / "test_images"
    for stem in ("1", "2", "3", "²", "１７", "99999999999999999999"):
        write_png(folder / f"{stem}.png", 976, 1280)
    r = run(tmp_path, CLEAN, test_images=folder)
    assert r.ok
    (warning,) = [m for s, _, m in findings(r, "image_coverage") if "not an integer" in m]
    assert warning.startswith("3 test image name(s) are not an integer image id")


def test_an_undecodable_file_name_is_shown_escaped(tmp_path):
    path = tmp_path / os.fsdecode(b"sub\xff.csv")
    path.write_text("[]", encoding="utf-8")
    r = check_submission(path, gt=GT)
    assert r.source.endswith("sub\\udcff.csv")
    json.dumps(r.to_dict(), ensure_ascii=False).encode("utf-8")  # every report can be written


# --- one CSV reader ------------------------------------------------------------------------


def test_a_file_reads_the_same_in_check_submission_and_the_loaders(tmp_path):
    # both read through io.results.iter_csv_rows: a line of spaces is a blank line for both ...
    r = run(tmp_path, csv_of(*ROWS[:2], "   ", *ROWS[2:]))
    assert r.findings == ()
    assert r.rows == len(load_results(tmp_path / "submission.csv")) == 4
    # ... and a quoted cell after a space is the cell ' "0.91"' for both (as for a scorer's
    # pandas.read_csv): refused by each, naming the same cell on the same line (line 3)
    r = run(tmp_path, csv_of(ROWS[0], '2,1,3482,400,500,150,150, "0.91"', *ROWS[2:]))
    [(severity, location, message)] = findings(r, "numeric")
    assert (severity, location) == ("error", "line 3")
    assert message.startswith("'score' must be a finite number") and '\\"0.91\\"' in message
    with pytest.raises(InputFormatError, match=r"line 3: 'score' must be a finite number, got "):
        load_results(tmp_path / "submission.csv")


def test_only_blank_lines_is_a_file_error_not_a_crash(tmp_path):
    r = run(tmp_path, '""\n\n')  # one empty cell: a blank line
    assert findings(r, "file") == [
        ("error", str(tmp_path / "submission.csv"), "no header and no rows, only blank lines")
    ]
