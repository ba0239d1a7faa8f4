"""Sizes that used to explode: memory scales with what is present, threshold counts are bounded."""

import json
import tracemalloc

import numpy as np
import pytest

from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import MAX_IOU_THRESHOLDS, coco_iou_thresholds
from pill_compare.errors import ConfigError
from pill_compare.io import ground_truth_from_dict, load_ground_truth, load_results
from tests.conftest import SAMPLE

UNUSED = 20_000


def _with_unused_categories(doc: dict) -> dict:
    start = max(c["id"] for c in doc["categories"]) + 1
    extra = [{"id": start + i, "name": f"unused_{i}"} for i in range(UNUSED)]
    return {**doc, "categories": [*doc["categories"], *extra]}


def test_20000_unused_categories_evaluate_in_modest_memory_with_the_same_numbers():
    # A (T, 101, K, A, M) precision array over every declared category took 1.9 GB here and the
    # (K + 1)² confusion matrix 3.2 GB; both now cover only categories with a GT box or a
    # detection, which changes no number (unused categories are -1 throughout in pycocotools).
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    small = load_ground_truth(SAMPLE / "ground_truth.json")
    big = ground_truth_from_dict(_with_unused_categories(doc), source="big.json")
    dets = load_results(SAMPLE / "resnet101.json", gt=big)
    expected = evaluate(small, dets)
    tracemalloc.start()
    try:
        result = evaluate(big, dets)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6, f"peak {peak / 1e6:.0f} MB"
    assert result.coco.stats == expected.coco.stats
    assert np.array_equal(result.coco.precision, expected.coco.precision)
    assert len(result.coco.per_class) == len(small.categories) + UNUSED
    unused = result.coco.per_class[-1]
    assert (unused.gt, unused.detections, unused.ap) == (0, 0, None)
    assert np.array_equal(result.confusion.matrix, expected.confusion.matrix)
    assert result.operating_point.micro == expected.operating_point.micro


@pytest.mark.parametrize(
    ("start", "stop", "step"), [(0.5, 0.95, 1e-12), (0.0001, 1.0, 1e-6), (0.5, 0.95, 0.00045)]
)
def test_too_many_iou_thresholds_are_refused_before_allocating(start, stop, step):
    with pytest.raises(ConfigError, match=rf"at most {MAX_IOU_THRESHOLDS} are supported") as e:
        coco_iou_thresholds(start, stop, step)
    assert e.value.param == "iou_thresholds"


def test_the_bound_itself_is_allowed():
    assert coco_iou_thresholds(0.001, 1.0, 0.001).size == MAX_IOU_THRESHOLDS


@pytest.mark.parametrize(
    ("start", "stop", "step"),
    [(0.5, 0.95, 0.0), (0.5, 0.95, -0.05), (0.9, 0.5, 0.1), (0.5, float("inf"), 0.1)],
)
def test_degenerate_ranges_are_usage_errors(start, stop, step):
    with pytest.raises(ConfigError, match="step > 0 and stop >= start") as e:
        coco_iou_thresholds(start, stop, step)
    assert e.value.param == "iou_thresholds"
