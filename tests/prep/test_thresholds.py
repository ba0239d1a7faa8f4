"""Per-class score thresholds: reading the file and keeping detections at or above them."""

from __future__ import annotations

import json

import pytest

from pill_compare.errors import InputFormatError
from pill_compare.prep.thresholds import (
    ClassThresholds,
    apply_class_thresholds,
    load_class_thresholds,
)
from tests.analysis.eval_fixtures import box, detections


def dets():
    return detections(
        [
            {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 5, 5), "score": 0.4},
            {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 5, 5), "score": 0.5},
            {"image_id": 1, "category_id": 2, "bbox": box(0, 0, 5, 5), "score": 0.1},
            {"image_id": 2, "category_id": 3, "bbox": box(0, 0, 5, 5), "score": 0.2},
        ]
    )


def test_keeps_scores_at_or_above_their_class_threshold_and_classes_without_one():
    # {1: 0.5, 3: 0.3}: class 1 at 0.4 dropped, at 0.5 kept (>=); class 2 has no threshold:
    # kept; class 3 at 0.2 < 0.3 dropped -> rows 1 and 2 remain, in file order.
    kept = apply_class_thresholds(dets(), ClassThresholds({1: 0.5, 3: 0.3}))
    assert kept.score.tolist() == [0.5, 0.1]
    assert kept.category_id.tolist() == [1, 2]
    assert len(apply_class_thresholds(dets(), ClassThresholds({}))) == 4


def test_reads_the_eval_file_and_a_plain_mapping(tmp_path):
    written = tmp_path / "t.json"
    written.write_text(json.dumps({"rule": "f1", "iou_threshold": 0.5, "thresholds": {"7": 0.25}}))
    plain = tmp_path / "p.json"
    plain.write_text(json.dumps({"7": 0.25, "8": 1}))
    assert load_class_thresholds(written).thresholds == {7: 0.25}
    assert load_class_thresholds(written).rule == "f1"
    assert load_class_thresholds(plain) == ClassThresholds({7: 0.25, 8: 1.0}, None, str(plain))


def test_bad_entries_are_listed(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"x": 0.5, "2": -1, "3": "high", "4": 0.5}))
    with pytest.raises(InputFormatError, match="3 bad entries") as info:
        load_class_thresholds(bad)
    assert "key 'x': expected an integer category id" in info.value.problems
    assert "category 2: expected a finite score threshold >= 0, got -1" in info.value.problems
    listing = tmp_path / "list.json"
    listing.write_text("[0.5]")
    with pytest.raises(InputFormatError, match=r"expected a JSON object \{category_id"):
        load_class_thresholds(listing)
