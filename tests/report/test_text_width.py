"""The default text output fits 120 terminal columns; definitions come with ``explain``.

Every renderer runs on the sample data (tests/conftest.py SAMPLE) and, for the Korean case, on
the same data with AIHub-style Hangul names; widths are display widths (Hangul = 2 cells).
"""

from __future__ import annotations

import dataclasses
import functools
import json

import pytest
from rich.cells import cell_len

from pill_compare import (
    check_submission,
    diff,
    evaluate,
    imbalance,
    load_ground_truth,
    load_results,
    merge_annotations,
)
from pill_compare.analysis.coco_metrics import SUMMARY_LEGEND
from pill_compare.analysis.operating_point import DEFINITIONS as OP_DEFINITIONS
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.diff_render import render_diff
from pill_compare.report.eval_render import render_eval
from pill_compare.report.imbalance_render import INDEX_DEFINITIONS, render_imbalance
from pill_compare.report.prep_render import render_merge, render_submission_check
from pill_compare.report.tables import TEXT_WIDTH
from tests.conftest import SAMPLE
from tests.prep.pill_folder import build_pill_folder

GT_PATH = SAMPLE / "ground_truth.json"
KOREAN = ("흰색 원형정", "보령부스파정 5mg", "노란색 장방형 필름코팅정", "분홍색 타원형정")


@functools.cache
def _gt(korean: bool):
    if not korean:
        return load_ground_truth(GT_PATH)
    doc = json.loads(GT_PATH.read_text(encoding="utf-8"))
    for k, c in enumerate(doc["categories"]):
        c["name"] = f"{c['name'].split()[0]} {KOREAN[k % len(KOREAN)]}"
    return ground_truth_from_dict(doc, source=str(GT_PATH))


@functools.cache
def _eval(korean: bool):
    gt = _gt(korean)
    return evaluate(gt, load_results(SAMPLE / "resnet101.json", gt=gt))


def _widest(text: str) -> tuple[int, str]:
    return max((cell_len(line), line) for line in text.splitlines())


def _renderings(korean: bool, tmp_path):
    gt = _gt(korean)
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    submission = SAMPLE / "resnet101_submission.csv"
    return {
        "diff": render_diff(diff(a, b, category_names=gt.category_names), "text"),
        "imbalance": render_imbalance(imbalance(gt), "text"),
        "eval": render_eval(_eval(korean), "text"),
        "check-submission": render_submission_check(check_submission(submission), "text"),
        "check-submission --gt": render_submission_check(
            check_submission(submission, gt=gt), "text"
        ),
        # a relative folder: the width rule is for text, not for how long a temporary path is
        # (a line led by a path is kept whole)
        "merge": render_merge(
            merge_annotations(
                build_pill_folder(tmp_path).relative_to(tmp_path), skip_bad_files=True
            ),
            "text",
        ),
    }


@pytest.mark.parametrize("korean", [False, True], ids=["sample", "korean names"])
def test_default_text_output_fits_120_columns(korean, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in _renderings(korean, tmp_path).items():
        width, line = _widest(text)
        assert width <= TEXT_WIDTH, f"{name}: {width} columns: {line!r}"


def test_eval_text_with_explain_has_every_definition_and_without_it_none():
    r = _eval(False)
    short, full = render_eval(r, "text"), render_eval(r, "text", explain=True)
    assert "AP, IoU 0.75, all sizes, top 100" in full  # the map_75 definition
    assert "(a) among detections with score >= s" in full
    assert "f1: 2 TP / (2 TP + FP + FN)" in full
    assert SUMMARY_LEGEND[:40] in full.replace("\n", " ")
    assert "Confusion matrix: rows = GT class, columns = predicted class" in full
    for text in ("AP, IoU 0.75, all sizes", "(a) among detections", "2 TP / (2 TP + FP + FN)"):
        assert text not in short
    assert not any(f"{k}: {v[:20]}" in short for k, v in OP_DEFINITIONS.items())
    # The numbers are the same either way.
    assert "map_75      0.987" in short and "map_75      0.987" in full


def test_eval_per_class_text_is_two_tables_with_every_class_once_each():
    text = render_eval(_eval(False), "text")
    assert "Per class: COCO metrics (all scores)" in text
    assert "Per class: operating point (score >= 0.5, IoU >= 0.5)" in text
    assert sum(line.startswith("25366 ") for line in text.splitlines()) == 2


def test_explain_keeps_the_old_call_working_and_adds_definitions():
    r = imbalance(_gt(False))
    assert render_imbalance(r, "text") == render_imbalance(r, "text", explain=False)
    full = render_imbalance(r, "text", explain=True)
    for key, definition in INDEX_DEFINITIONS:
        shown = definition.replace("R annotations", f"{r.rare_threshold} annotations")
        assert shown in full, key


def test_check_submission_text_with_explain_says_what_each_rule_checks():
    r = check_submission(SAMPLE / "resnet101_submission.csv")
    assert "0 <= score <= 1" not in render_submission_check(r, "text")
    assert "0 <= score <= 1" in render_submission_check(r, "text", explain=True)
    assert "0 &lt;= score &lt;= 1" in render_submission_check(r, "md")  # '<' escaped once


def test_markdown_and_json_are_complete_whatever_the_text_cuts():
    gt = _gt(False)
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    r = diff(a, b, category_names=gt.category_names)
    many = dataclasses.replace(r, images_only_b=tuple(range(1000, 1030)))
    text, md = render_diff(many, "text"), render_diff(many, "md")
    assert "(+20 more)" in text
    assert "1029" in md and "more)" not in md
    assert json.loads(render_diff(many, "json"))["images_only_b"][-1] == 1029
