"""D-ECE (Küppers et al. 2020): hand-computed cases, equal-count bins, a calibrated and an
over-confident run, the paired bootstrap and the JSON key paths."""

import dataclasses

import numpy as np
import pytest

from pill_compare import evaluate, load_ground_truth, load_results
from pill_compare.analysis.calibration import compare_calibration, compute_calibration
from pill_compare.analysis.matching import match_detections
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc
from tests.conftest import SAMPLE


def _gt_and_dets(scores, hits):
    """One image; detection i is a copy of GT box i when hits[i] (a TP at any IoU), else a
    box far below every GT box (an FP). Returns (gt, dets)."""
    gt = ground_truth(
        gt_doc(
            [
                {"image_id": 1, "category_id": 1, "bbox": box(20 * i, 0, 10, 10)}
                for i in range(len(scores))
            ]
        )
    )
    dets = detections(
        [
            {
                "image_id": 1,
                "category_id": 1,
                "bbox": box(20 * i, 0 if hit else 50, 10, 10),
                "score": float(s),
            }
            for i, (s, hit) in enumerate(zip(scores, hits, strict=True))
        ]
    )
    return gt, dets


def test_hand_computed_ece_with_two_equal_count_bins():
    # Scores 0.1, 0.2, 0.8, 0.9; correct 0, 1, 1, 1. Two equal-count bins:
    # low bin {0.1, 0.2}: confidence 0.15, precision 0.5 -> |0.5 - 0.15| = 0.35, weight 2/4;
    # high bin {0.8, 0.9}: confidence 0.85, precision 1.0 -> 0.15, weight 2/4.
    # D-ECE = 0.5 * 0.35 + 0.5 * 0.15 = 0.25; overconfidence = mean 0.5 - precision 0.75 = -0.25.
    gt, dets = _gt_and_dets([0.9, 0.1, 0.8, 0.2], [True, False, True, True])
    cal = compute_calibration(match_detections(gt, dets), n_bins=2)
    assert cal.ece == pytest.approx(0.25)
    assert cal.overconfidence == pytest.approx(-0.25)
    assert cal.bin_count.tolist() == [2, 2]
    assert cal.bin_confidence.tolist() == pytest.approx([0.15, 0.85])
    assert cal.bin_precision.tolist() == pytest.approx([0.5, 1.0])
    assert cal.bin_low.tolist() == [0.1, 0.8] and cal.bin_high.tolist() == [0.2, 0.9]


def test_equal_count_bins_hold_sizes_differing_by_at_most_one():
    rng = np.random.default_rng(1)
    gt, dets = _gt_and_dets(rng.random(23), rng.random(23) < 0.5)
    cal = compute_calibration(match_detections(gt, dets), n_bins=5)
    # 23 detections in 5 bins: 5, 5, 5, 4, 4 (numpy.array_split), in score order.
    assert cal.bin_count.tolist() == [5, 5, 5, 4, 4]
    assert (cal.bin_high[:-1] <= cal.bin_low[1:]).all()
    assert cal.n_bins == 5 and cal.strategy == "equal_count"


def test_equal_width_bins_leave_empty_ones_out():
    # Scores 0.05, 0.15 (bin 0.0-0.5) and 0.95 (bin 0.5-1.0); correct 0, 0, 1:
    # |0 - 0.1| * 2/3 + |1 - 0.95| * 1/3 = 0.0666... + 0.0166... = 0.08333...
    gt, dets = _gt_and_dets([0.05, 0.15, 0.95], [False, False, True])
    cal = compute_calibration(match_detections(gt, dets), n_bins=2, strategy="equal_width")
    assert cal.ece == pytest.approx(0.25 / 3)
    assert cal.bin_count.tolist() == [2, 1]


def test_a_perfectly_calibrated_run_has_an_ece_near_zero():
    # Each score s is right a share s of the time: 10 bins of 200 detections at score
    # k/10 + 0.05, exactly round(200 * s) of them correct.
    scores, hits = [], []
    for k in range(10):
        s = k / 10 + 0.05
        scores += [s] * 200
        hits += [i < round(200 * s) for i in range(200)]
    gt, dets = _gt_and_dets(scores, hits)
    cal = compute_calibration(match_detections(gt, dets, iou_thresholds=[0.5]), n_bins=10)
    assert cal.ece == pytest.approx(0.0, abs=1e-12)


def test_refuses_an_unknown_strategy_and_a_threshold_not_matched():
    gt, dets = _gt_and_dets([0.5], [True])
    table = match_detections(gt, dets, iou_thresholds=[0.5])
    with pytest.raises(ValueError, match="strategy"):
        compute_calibration(table, strategy="quantile")
    with pytest.raises(ValueError, match="matched IoU thresholds"):
        compute_calibration(table, iou_threshold=0.75)


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    return gt, a, b


def test_over_confident_scores_are_flagged(sample):
    gt, a, _ = sample
    table = evaluate(gt, a).matches
    original = compute_calibration(table)
    # The sample's efficientnet_b3 is under-confident: precision 0.954, mean score 0.796.
    assert original.overconfidence < 0
    wrong = table.det_status[0, table.threshold_index(0.5)] != 1
    # Its false detections scored ~1: over-confident where it is wrong, a larger D-ECE.
    loud = dataclasses.replace(a, score=np.where(wrong, 0.99 + 0.01 * a.score, a.score))
    over = compute_calibration(evaluate(gt, loud).matches)
    assert over.ece > original.ece + 0.05
    # Every score pushed to ~1: the claim (0.998) now exceeds the precision (0.954).
    # (On this under-confident run that shrinks the D-ECE: the sign says which way it is off.)
    pushed = dataclasses.replace(a, score=0.99 + 0.01 * a.score)
    assert compute_calibration(evaluate(gt, pushed).matches).overconfidence > 0.04
    # Compared with the original, the over-confident run is the worse calibrated, clearly.
    c = compare_calibration(table, evaluate(gt, loud).matches, n_resamples=200)
    assert c.delta > 0 and c.ci_low > 0 and c.finding == "a_better"


def test_comparing_a_run_with_itself_gives_no_difference(sample):
    gt, a, _ = sample
    table = evaluate(gt, a).matches
    c = compare_calibration(table, table, n_resamples=50)
    assert c.delta == 0.0 and c.ci_low == 0.0 == c.ci_high and c.finding == "no_difference"
    assert compare_calibration(table, table, n_resamples=0).finding == "not_tested"


def test_the_samples_over_confident_run_is_flagged_against_resnet101():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    resnet = evaluate(gt, load_results(SAMPLE / "resnet101.json", gt=gt)).matches
    loud = evaluate(gt, load_results(SAMPLE / "overconfident.json", gt=gt)).matches
    over = compute_calibration(loud)
    # measured: mean score 0.931, precision at IoU 0.5 0.584 -> over-confidence +0.347 = D-ECE
    # (every bin claims more than it delivers); resnet101 is under-confident (-0.192).
    assert over.overconfidence == pytest.approx(0.3474, abs=1e-4)
    assert over.ece == pytest.approx(over.overconfidence)
    assert np.all(over.bin_confidence > over.bin_precision)
    assert compute_calibration(resnet).overconfidence < 0
    c = compare_calibration(resnet, loud, n_resamples=200)
    assert c.delta > 0.1 and c.ci_low > 0 and c.finding == "a_better"
