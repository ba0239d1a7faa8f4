"""compute_causes: AP by IoU threshold, the localization share and the dominant cause, on tiny
hand-made cases with the answer worked out, and on the sample."""

from __future__ import annotations

import pytest

from pill_compare import compare, evaluate, load_ground_truth, load_results
from pill_compare.analysis.causes import ap_by_iou, compute_causes
from pill_compare.analysis.error_types import compute_error_breakdown
from tests.analysis.eval_fixtures import detections, ground_truth, gt_doc
from tests.conftest import SAMPLE

GT_BOX = [0.0, 0.0, 10.0, 10.0]
# Shifted right by 2: intersection 8 x 10 = 80, union 100 + 100 − 80 = 120, IoU 2/3: a hit at
# IoU 0.50, a miss at 0.75.
LOOSE_BOX = [2.0, 0.0, 10.0, 10.0]


def _run(records, name):
    return detections(
        [{"image_id": i, "category_id": c, "bbox": b, "score": s} for i, c, b, s in records],
        name=name,
    )


def _evaluate(gt, run):
    return evaluate(gt, run, iou_thresholds=[0.5, 0.75])


def test_a_loosely_placed_box_makes_the_whole_gap_localization():
    # One class, two images with one GT box each. B puts both boxes exactly; A puts image 1's
    # exactly (score 0.9) and image 2's at IoU 2/3 (score 0.8).
    # IoU 0.50: both runs find both boxes: AP 1 each, ΔAP = 0.
    # IoU 0.75: A's second box is an FP after its TP: precision 1 up to recall 0.5, recall never
    # reaches 0.51, so AP(A) = 51 / 101 (recall points 0, 0.01, ..., 0.50); AP(B) = 1.
    # Δ = (0 + 50/101) / 2 = 25/101; Δ_loose = 0; Δ_loc = 25/101; share 1.
    gt = ground_truth(gt_doc([{"image_id": i, "category_id": 1, "bbox": GT_BOX} for i in (1, 2)]))
    a = _run([(1, 1, GT_BOX, 0.9), (2, 1, LOOSE_BOX, 0.8)], "a")
    b = _run([(1, 1, GT_BOX, 0.9), (2, 1, GT_BOX, 0.8)], "b")
    causes = compute_causes(_evaluate(gt, a), _evaluate(gt, b))
    assert causes.ap_by_iou_a == pytest.approx((1.0, 51 / 101), abs=1e-12)
    assert causes.ap_by_iou_b == pytest.approx((1.0, 1.0), abs=1e-12)
    assert causes.delta == pytest.approx(25 / 101, abs=1e-12)
    assert causes.delta_loose == pytest.approx(0.0, abs=1e-12)
    assert causes.delta_localization == pytest.approx(25 / 101, abs=1e-12)
    assert causes.localization_share == pytest.approx(1.0, abs=1e-12)
    assert (causes.dominant.code, causes.dominant.basis) == ("localization", "ap_by_iou")
    # A's matched IoUs at 0.50: 1 and 2/3 (mean 5/6); B's: 1 and 1.
    assert causes.matched_iou_a.n == 2
    assert causes.matched_iou_a.mean == pytest.approx(5 / 6, abs=1e-12)
    assert causes.matched_iou_b.quantiles[0.5] == 1.0
    assert sum(causes.matched_iou_a.counts) == 2 and causes.matched_iou_a.counts[-1] == 1


def test_a_wrong_class_on_a_well_placed_box_makes_classification_dominant():
    # Classes 1 and 2, one GT box each (images 1 and 2). B finds both exactly. A says class 2
    # on image 1's box (score 0.9) and finds image 2's box (class 2, score 0.8).
    # At every threshold: class 1 AP(A) = 0; class 2 ranks FP then TP: precision 1/2 at recall
    # 1, so AP = 0.5; mAP(A) = 0.25, mAP(B) = 1; Δ = Δ_loose = 0.75, localization share 0.
    # TIDE at 0.50: A's box on image 1 is a Cls error (IoU 1 with a class-1 box); fixing it
    # gives A AP50 1, so ΔAP50(cls) = 0.75 in A, 0 in B: the classification group's value is
    # 0.75, its share 0.75 / (1 − 0.25) = 1.
    gt = ground_truth(
        gt_doc(
            [
                {"image_id": 1, "category_id": 1, "bbox": GT_BOX},
                {"image_id": 2, "category_id": 2, "bbox": GT_BOX},
            ]
        )
    )
    a = _run([(1, 2, GT_BOX, 0.9), (2, 2, GT_BOX, 0.8)], "a")
    b = _run([(1, 1, GT_BOX, 0.9), (2, 2, GT_BOX, 0.8)], "b")
    ev_a, ev_b = _evaluate(gt, a), _evaluate(gt, b)
    causes = compute_causes(
        ev_a, ev_b, compute_error_breakdown(ev_a.matches), compute_error_breakdown(ev_b.matches)
    )
    assert causes.delta == pytest.approx(0.75, abs=1e-12)
    assert causes.localization_share == pytest.approx(0.0, abs=1e-12)
    assert causes.tide_gap["classification"] == pytest.approx(0.75, abs=1e-12)
    assert causes.dominant.to_dict() == pytest.approx(
        {"code": "classification", "basis": "tide", "value": 0.75, "share": 1.0}, abs=1e-12
    )


def test_a_run_compared_with_itself_has_no_share_and_no_dominant_cause():
    gt = ground_truth(gt_doc([{"image_id": 1, "category_id": 1, "bbox": GT_BOX}]))
    ev = _evaluate(gt, _run([(1, 1, LOOSE_BOX, 0.9)], "a"))
    causes = compute_causes(ev, ev)
    assert causes.delta == 0.0
    assert causes.localization_share is None and causes.dominant is None


def test_different_thresholds_are_refused():
    gt = ground_truth(gt_doc([{"image_id": 1, "category_id": 1, "bbox": GT_BOX}]))
    run = _run([(1, 1, GT_BOX, 0.9)], "a")
    with pytest.raises(ValueError, match="same IoU thresholds"):
        compute_causes(_evaluate(gt, run), evaluate(gt, run, iou_thresholds=[0.5]))
    with pytest.raises(TypeError, match="compute_causes"):
        compute_causes(_evaluate(gt, run), "b.json")


@pytest.fixture(scope="module")
def sample_result():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    return compare(gt, a, b, n_bootstrap=0)


def test_ap_by_iou_averages_to_the_reported_map_on_the_sample(sample_result):
    for ev in (sample_result.eval_a, sample_result.eval_b):
        aps = ap_by_iou(ev)
        # The same entries are defined at every threshold, so the mean of the per-threshold
        # means is the mean of them all; only the order of the additions differs.
        assert sum(aps) / len(aps) == pytest.approx(ev.coco.stats["map"], abs=1e-15)
        # One threshold's slice is summarize's AP50 / AP75, bit for bit.
        assert aps[0] == ev.coco.stats["map_50"] and aps[5] == ev.coco.stats["map_75"]


def test_most_of_the_sample_gap_is_localization(sample_result):
    c = sample_result.causes
    # Measured (pycocotools-exact, deterministic): Δ = 0.17055, ΔAP50 = 0.03691, so
    # Δ_loc = 0.13364 and the share 0.78359. ΔAP by threshold rises from 0.037 (0.50-0.60) to
    # 0.172 (0.75) and 0.551 (0.85). The range allows float noise only: a change of
    # definition (e.g. dividing by mAP@[0.75:0.95]) would leave it.
    assert 0.78 < c.localization_share < 0.79
    assert c.delta_loose == pytest.approx(0.0369, abs=1e-4)
    assert [round(d, 3) for d in c.delta_by_iou][:3] == [0.037, 0.037, 0.037]
    assert c.delta_by_iou[5] == pytest.approx(0.1717, abs=1e-4)
    assert c.delta_by_iou[7] == pytest.approx(0.5515, abs=1e-4)
    assert c.dominant.code == "localization"
    # B's true positives sit tighter on their boxes (median IoU 0.914 vs 0.857).
    assert c.matched_iou_b.quantiles[0.5] > c.matched_iou_a.quantiles[0.5]


def test_strict_tide_sees_the_localization_errors_tide_at_050_cannot(sample_result):
    r = sample_result
    assert r.parameters["tide_iou"] == 0.75
    assert r.errors_a.counts["loc"] == 0  # at IoU 0.50 no false positive is a Loc error
    assert r.errors_strict_a.fg_iou == 0.75
    assert r.errors_strict_a.counts["loc"] > 50  # 86 on the sample
    assert r.errors_strict_a.base_ap == r.eval_a.coco.stats["map_75"]


def test_json_has_the_causes_and_strict_errors_key_paths(sample_result):
    d = sample_result.to_dict()
    n = len(d["causes"]["iou_thresholds"])
    assert n == 10
    assert len(d["causes"]["ap_by_iou"]["a"]) == len(d["causes"]["ap_by_iou"]["b"]) == n
    assert isinstance(d["causes"]["localization_share"], float)
    assert set(d["causes"]["dominant"]) == {"code", "basis", "value", "share"}
    for side in ("a", "b"):
        assert set(d["errors_strict"][side]["loc"]) == {"count", "delta_ap"}
        assert d["errors_strict"][side]["fg_iou"] == 0.75
        assert d["errors"][side]["fg_iou"] == 0.5


def test_tide_iou_auto_none_and_unknown_thresholds():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    only_50 = compare(gt, a, a, iou_thresholds=[0.5], n_bootstrap=0)
    assert only_50.errors_strict_a is None and only_50.parameters["tide_iou"] is None
    assert "errors_strict" not in only_50.to_dict()
    with pytest.raises(ValueError, match="tide_iou among the COCO IoU thresholds"):
        compare(gt, a, a, iou_thresholds=[0.5], tide_iou=0.75, n_bootstrap=0)
