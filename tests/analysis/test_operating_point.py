"""Operating point (TP/FP/FN, P/R/F1, best F1) and the two accuracies, checked by hand."""

from __future__ import annotations

import pytest

from pill_compare.analysis.accuracy import compute_accuracy
from pill_compare.analysis.matching import match_detections
from pill_compare.analysis.operating_point import compute_operating_point
from tests.analysis.eval_fixtures import (
    box,
    detections,
    ground_truth,
    gt_doc,
    hand_case,
    random_case,
)


@pytest.fixture
def table():
    case = hand_case()
    return match_detections(ground_truth(case.gt), detections(case.results))


def test_counts_per_class_at_the_operating_point(table):
    # s = 0.5, u = 0.5 (see hand_case):
    # cat 1: GT A1, A2, C = 3; counted d0 TP, d1 FP (d4 absorbed) -> TP 1, FP 1, FN 2;
    #        P = 1/2, R = 1/3, F1 = 2*1 / (2*1 + 1 + 2) = 0.4.
    # cat 2: GT B, B2 = 2; counted d2 FP, d5 FP (d3 below s) -> TP 0, FP 2, FN 2; P = R = F1 = 0.
    op = compute_operating_point(table, score_threshold=0.5, iou_threshold=0.5)
    one, two = op.per_class
    assert (one.gt, one.tp, one.fp, one.fn) == (3, 1, 1, 2)
    assert (one.precision, one.recall, one.f1) == (0.5, pytest.approx(1 / 3), pytest.approx(0.4))
    assert (two.gt, two.tp, two.fp, two.fn) == (2, 0, 2, 2)
    assert (two.precision, two.recall, two.f1) == (0.0, 0.0, 0.0)
    assert op.absorbed == 1


def test_micro_and_macro(table):
    # micro: TP 1, FP 3, FN 4 -> P 1/4, R 1/5, F1 2 / (2 + 3 + 4) = 2/9.
    # macro: P (1/2 + 0) / 2, R (1/3 + 0) / 2, F1 (0.4 + 0) / 2.
    op = compute_operating_point(table, score_threshold=0.5, iou_threshold=0.5)
    m = op.micro
    assert (m.tp, m.fp, m.fn) == (1, 3, 4)
    assert (m.precision, m.recall) == (0.25, 0.2)
    assert m.f1 == pytest.approx(2 / 9)
    assert op.macro_precision == 0.25
    assert op.macro_recall == pytest.approx(1 / 6)
    assert op.macro_f1 == pytest.approx(0.2)


def test_best_f1_thresholds_come_from_the_raw_counts(table):
    # cat 1 (GT 3): s = 0.9 -> TP 1, FP 0: F1 = 2/(1+3) = 0.5; s = 0.8 -> 2/(2+3) = 0.4. Best 0.9.
    # cat 2 (GT 2): 0.95 and 0.7 -> F1 0; 0.4 -> TP 1 of 3 counted: 2/(3+2) = 0.4. Best 0.4.
    # overall (GT 5): 0.95: 0; 0.9: 2/7; 0.8: 2/8; 0.7: 2/9; 0.4: 4/10. Best 0.4 at 0.4.
    op = compute_operating_point(table, score_threshold=0.5, iou_threshold=0.5)
    one, two = op.per_class
    assert (one.best_f1, one.best_f1_score_threshold) == (0.5, 0.9)
    assert (two.best_f1, two.best_f1_score_threshold) == (pytest.approx(0.4), 0.4)
    assert (op.best_f1, op.best_f1_score_threshold) == (pytest.approx(0.4), 0.4)


def test_best_f1_equals_a_brute_force_sweep_over_thresholds():
    case = random_case(42)
    table = match_detections(ground_truth(case.gt), detections(case.results))
    op = compute_operating_point(table, score_threshold=0.5, iou_threshold=0.5)
    candidates = sorted(set(table.dets.score.tolist()), reverse=True)
    f1s = [
        compute_operating_point(table, score_threshold=s, iou_threshold=0.5).micro.f1 or 0.0
        for s in candidates
    ]
    best = max(f1s)
    assert op.best_f1 == pytest.approx(best)
    if best > 0:
        assert op.best_f1_score_threshold == candidates[f1s.index(best)]


def test_threshold_zero_counts_every_detection(table):
    op = compute_operating_point(table, score_threshold=0.0, iou_threshold=0.5)
    # d3 now counts: cat 2 gets its TP on B.
    assert op.per_class[1].tp == 1
    assert op.micro.tp + op.micro.fp + op.absorbed == len(table.dets)


def test_class_without_gt_or_detections_is_na():
    doc = gt_doc([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}], categories=[1, 2])
    table = match_detections(ground_truth(doc), detections([]))
    op = compute_operating_point(table, score_threshold=0.5, iou_threshold=0.5)
    one, two = op.per_class
    assert (one.precision, one.recall, one.f1, one.best_f1) == (None, 0.0, 0.0, 0.0)
    assert (two.precision, two.recall, two.f1, two.best_f1) == (None, None, None, None)
    assert op.best_f1_score_threshold is None


def test_iou_threshold_must_have_been_matched(table):
    with pytest.raises(ValueError, match="Expected one of the matched IoU thresholds"):
        compute_operating_point(table, score_threshold=0.5, iou_threshold=0.42)


# --- accuracy ----------------------------------------------------------------------------------


def test_classification_accuracy_among_class_agnostic_matches(table):
    # Counted (s = 0.5) detections matched class-agnostically: d0 -> A1 (cat 1 = cat 1, correct)
    # and d2 -> A2 (cat 2 != cat 1). d1 finds A1 taken, d5 overlaps nothing, d4 is absorbed.
    acc = compute_accuracy(table, score_threshold=0.5)
    assert (acc.correct, acc.matched) == (1, 2)
    assert acc.classification_accuracy == 0.5


def test_image_exact_match_compares_category_multisets(table):
    # image 1: GT {1, 1, 2}, predicted d0, d1, d2 = {1, 1, 2}: exact (boxes are not compared).
    # image 2: GT {2} (crowd left out), predicted d5 = {2} (d4 absorbed): exact.
    # image 3: GT {1}, nothing predicted: not exact. -> 2 / 3.
    acc = compute_accuracy(table, score_threshold=0.5)
    assert (acc.exact_images, acc.images) == (2, 3)
    assert acc.image_exact_match == pytest.approx(2 / 3)


def test_image_without_gt_and_without_detections_is_an_exact_match():
    doc = gt_doc([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}], image_ids=[1, 2])
    results = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 0.9}]
    table = match_detections(ground_truth(doc), detections(results))
    acc = compute_accuracy(table, score_threshold=0.5)
    assert (acc.exact_images, acc.images, acc.classification_accuracy) == (2, 2, 1.0)


def test_accuracy_without_matches_is_na():
    doc = gt_doc([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}])
    table = match_detections(ground_truth(doc), detections([]))
    acc = compute_accuracy(table, score_threshold=0.5)
    assert acc.classification_accuracy is None
    assert acc.image_exact_match == 0.0
