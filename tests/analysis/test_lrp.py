"""Optimal LRP per class, its components and thresholds, and F1-optimal thresholds, by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.lrp import (
    _Counted,
    _counted,
    _segments,
    compare_lrp,
    compute_lrp,
    replicate_olrp,
)
from pill_compare.analysis.matching import FP, IGNORED, TP, match_detections
from pill_compare.analysis.significance import resample_images
from pill_compare.io import load_ground_truth, load_results
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc, random_case
from tests.conftest import SAMPLE


def tiny():
    """Category 1: GT A (0,0,10,10), A2 (50,50,10,10) on image 1.
    Category 2: GT B (20,20,10,10). Category 3: declared, no GT box, one detection.

    Detections of category 1, by score:
        0.9  (0,0,10,8)   on A, IoU 80/100 = 0.8     TP, loss (1 - 0.8)/(1 - 0.5) = 0.4
        0.7  (30,30,10,10) on nothing                FP
        0.55 (50,50,10,10) on A2, IoU 1.0            TP, loss 0
    Category 2: 0.8 on nothing (FP). Category 3: 0.6 on nothing.
    """
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
        {"image_id": 1, "category_id": 1, "bbox": box(50, 50, 10, 10)},
        {"image_id": 1, "category_id": 2, "bbox": box(20, 20, 10, 10)},
    ]
    dets = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 8), "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": box(30, 30, 10, 10), "score": 0.7},
        {"image_id": 1, "category_id": 1, "bbox": box(50, 50, 10, 10), "score": 0.55},
        {"image_id": 1, "category_id": 2, "bbox": box(70, 70, 10, 10), "score": 0.8},
        {"image_id": 1, "category_id": 3, "bbox": box(90, 0, 5, 5), "score": 0.6},
    ]
    gt = ground_truth(gt_doc(anns, categories=[1, 2, 3]))
    return match_detections(gt, detections(dets), iou_thresholds=np.array([0.5]))


def test_olrp_is_the_lowest_lrp_over_the_class_thresholds():
    # Category 1, G = 2; LRP(s) = (loss + FP + FN) / (TP + FP + FN):
    #   s = 0.9:  TP 1, FP 0, FN 1: (0.4 + 0 + 1) / 2     = 0.7
    #   s = 0.7:  TP 1, FP 1, FN 1: (0.4 + 1 + 1) / 3     = 0.8
    #   s = 0.55: TP 2, FP 1, FN 0: (0.4 + 1 + 0) / 3     = 0.4667  <- minimum
    # Components at 0.55: loc = 0.4 / 2 = 0.2, fp = 1/3, fn = 0.
    one = compute_lrp(tiny()).per_class[0]
    assert one.olrp == pytest.approx(1.4 / 3)
    assert one.threshold == 0.55
    assert (one.olrp_loc, one.olrp_fp, one.olrp_fn) == (pytest.approx(0.2), 1 / 3, 0.0)
    assert (one.tp, one.fp, one.fn) == (2, 1, 0)


def test_lrp_is_the_weighted_sum_of_its_components():
    # LRP = (TP·loc + (TP + FP)·fp + G·fn) / (TP + FP + FN) at the optimum, here
    # (2·0.2 + 3·(1/3) + 2·0) / 3 = 1.4 / 3.
    for c in compute_lrp(tiny()).per_class:
        if c.olrp_loc is not None:
            total = c.tp * c.olrp_loc + (c.tp + c.fp) * c.olrp_fp + c.gt * c.olrp_fn
            assert total / (c.tp + c.fp + c.fn) == pytest.approx(c.olrp)


def test_a_class_without_true_positive_keeps_no_detection_and_one_without_gt_is_left_out():
    # Category 2: its only detection is an FP: LRP = 1 at every threshold, as keeping none:
    # oLRP 1, no threshold, fn = 1. Category 3 has no GT box: no oLRP, out of the means.
    # Means: olrp = (1.4/3 + 1) / 2; loc and fp over category 1 only; fn = (0 + 1) / 2.
    lrp = compute_lrp(tiny())
    two, three = lrp.per_class[1], lrp.per_class[2]
    assert (two.olrp, two.threshold, two.olrp_loc, two.olrp_fp, two.olrp_fn) == (
        1.0,
        None,
        None,
        None,
        1.0,
    )
    # Its F1 is 0 (one FP, no GT: 0 / 1), so it has no F1 threshold either.
    assert (three.olrp, three.threshold, three.f1, three.f1_threshold) == (None, None, 0.0, None)
    assert lrp.olrp == pytest.approx((1.4 / 3 + 1) / 2)
    assert (lrp.olrp_loc, lrp.olrp_fp, lrp.olrp_fn) == (pytest.approx(0.2), 1 / 3, 0.5)


def test_the_highest_threshold_wins_a_tie():
    # Two GT boxes found exactly (IoU 1) at 0.9 and 0.8: LRP(0.9) = (0 + 0 + 1) / 2 = 0.5,
    # LRP(0.8) = 0. A third detection at 0.3 lies inside a crowd region (absorbed: neither TP
    # nor FP), so LRP(0.3) = LRP(0.8) = 0: the tie goes to the higher threshold, 0.8.
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
        {"image_id": 1, "category_id": 1, "bbox": box(20, 0, 10, 10)},
        {"image_id": 1, "category_id": 1, "bbox": box(50, 50, 40, 40), "iscrowd": 1},
    ]
    dets = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": box(20, 0, 10, 10), "score": 0.8},
        {"image_id": 1, "category_id": 1, "bbox": box(60, 60, 10, 10), "score": 0.3},
    ]
    table = match_detections(ground_truth(gt_doc(anns)), detections(dets))
    one = compute_lrp(table).per_class[0]
    assert (one.olrp, one.threshold, one.tp, one.fp, one.fn) == (0.0, 0.8, 2, 0, 0)


def test_f1_threshold_is_the_highest_score_maximising_f1():
    # Category 1 of tiny(): F1(s) = 2 TP / (TP + FP + G):
    #   0.9: 2/3; 0.7: 2/4 = 0.5; 0.55: 4/5 = 0.8 <- best. Category 2: F1 0 -> no threshold.
    lrp = compute_lrp(tiny())
    assert (lrp.per_class[0].f1, lrp.per_class[0].f1_threshold) == (pytest.approx(0.8), 0.55)
    assert (lrp.per_class[1].f1, lrp.per_class[1].f1_threshold) == (0.0, None)
    assert lrp.thresholds("f1") == {1: 0.55}
    assert lrp.thresholds("olrp") == {1: 0.55}
    with pytest.raises(ValueError, match="Expected rule to be one of"):
        lrp.thresholds("ap")


def test_max_dets_counts_only_the_top_detections_per_image_and_class():
    # max_dets = 1 keeps the 0.9 detection only (rank 0) in category 1: TP 1, FP 0, FN 1:
    # (0.4 + 1) / 2 = 0.7 at 0.9.
    one = compute_lrp(tiny(), max_dets=1).per_class[0]
    assert (one.olrp, one.threshold) == (pytest.approx(0.7), 0.9)
    with pytest.raises(ValueError, match="Expected max_dets to be None or an integer >= 1"):
        compute_lrp(tiny(), max_dets=0)


def test_a_table_not_matched_at_half_is_refused():
    table = match_detections(tiny().gt, tiny().dets, iou_thresholds=np.array([0.75]))
    with pytest.raises(ValueError, match="Expected one of the matched IoU thresholds"):
        compute_lrp(table)


def test_json_keys_of_the_contract():
    doc = json.loads(json.dumps(compute_lrp(tiny()).to_dict()))
    assert doc["olrp"] == pytest.approx((1.4 / 3 + 1) / 2)
    row = doc["per_class"][0]
    for key in ("category_id", "olrp", "threshold", "olrp_loc", "olrp_fp", "olrp_fn"):
        assert key in row
    assert row["f1_threshold"] == 0.55
    assert doc["definitions"]["olrp"]
    out = compute_lrp(tiny()).thresholds_dict("olrp")
    assert out == {"rule": "olrp", "iou_threshold": 0.5, "name": "model", "thresholds": {"1": 0.55}}


def test_evaluate_carries_lrp_only_when_matched_at_half():
    case = random_case(3)
    gt, dets = ground_truth(case.gt), detections(case.results)
    assert evaluate(gt, dets).to_dict()["lrp"]["per_class"]
    assert evaluate(gt, dets, iou_thresholds=[0.75], iou_threshold=0.75).lrp is None


@pytest.mark.parametrize("run_file", ["resnet101.json", "efficientnet_b3.json"])
def test_equals_vernier_on_the_sample(run_file):
    # vernier 0.5.4 (pip install vernier) is the reference: with a τ grid holding every score
    # and no per-image cap its oLRP, components and thresholds equal ours bit for bit (also
    # checked on 300 random datasets with crowds, ties and classes without TP when written).
    vernier = pytest.importorskip("vernier.instance")
    gt_path, run_path = SAMPLE / "ground_truth.json", SAMPLE / run_file
    gt = load_ground_truth(gt_path)
    dets = load_results(run_path, gt=gt)
    ours = compute_lrp(match_detections(gt, dets, iou_thresholds=np.array([0.5])))
    ref = vernier.optimal_lrp(
        gt_path.read_bytes(),
        run_path.read_bytes(),
        tau_grid=sorted(set(dets.score.tolist())),
        max_dets_per_image=10**6,
    )
    assert (ours.olrp, ours.olrp_loc, ours.olrp_fp, ours.olrp_fn) == (
        ref.olrp,
        ref.loc,
        ref.fp,
        ref.fn,
    )

    def none(values):  # vernier's NaN = our None; its fp 0.0 without a threshold = undefined
        out = [None if np.isnan(v) else v for v in values]
        return (*out[:2], None if out[4] is None else out[2], *out[3:])

    theirs = {
        c.category_id: none((c.olrp, c.olrp_loc, c.olrp_fp, c.olrp_fn, c.tau))
        for c in ref.per_class
    }
    for c in ours.per_class:
        assert (c.olrp, c.olrp_loc, c.olrp_fp, c.olrp_fn, c.threshold) == theirs[c.category_id]


def test_sample_olrp_matches_the_value_vernier_gave():
    # vernier 0.5.4 on data/sample/resnet101.json (command in the report): oLRP 0.19367865281502267.
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    dets = load_results(SAMPLE / "resnet101.json", gt=gt)
    lrp = compute_lrp(match_detections(gt, dets, iou_thresholds=np.array([0.5])))
    assert lrp.olrp == 0.19367865281502267


def two_images():
    """Category 1, one GT box (0,0,10,10) on each of images 1 and 2.
    Image 1: detection 0.9 (0,0,10,8), IoU 0.8: TP, loss 0.4. Image 2: 0.8 on nothing: FP.
    """
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
        {"image_id": 2, "category_id": 1, "bbox": box(0, 0, 10, 10)},
    ]
    dets = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 8), "score": 0.9},
        {"image_id": 2, "category_id": 1, "bbox": box(50, 50, 10, 10), "score": 0.8},
    ]
    gt = ground_truth(gt_doc(anns, categories=[1]))
    return match_detections(gt, detections(dets), iou_thresholds=np.array([0.5]))


def test_replicate_olrp_counts_an_image_drawn_k_times_k_times():
    # LRP(s) = (loss + FP + FN) / (TP + FP + FN), G the weighted GT boxes:
    #   (1, 1): G 2; s = 0.9: (0.4 + 0 + 1) / 2 = 0.7; s = 0.8: (0.4 + 1 + 1) / 3 = 0.8 -> 0.7
    #   (1, 0): G 1; s = 0.9: 0.4 / 1 = 0.4
    #   (0, 1): G 1; the FP only: 1 at every threshold, as keeping none -> 1
    #   (2, 1): G 3; s = 0.9: (0.8 + 0 + 1) / 3 = 0.6; s = 0.8: (0.8 + 1 + 1) / 4 = 0.7 -> 0.6
    #   (0, 0): no GT box drawn: undefined
    weights = np.array([[1, 1], [1, 0], [0, 1], [2, 1], [0, 0]])
    out = replicate_olrp(two_images(), weights)
    assert out[:4] == pytest.approx([0.7, 0.4, 1.0, 0.6])
    assert np.isnan(out[4])
    assert compute_lrp(two_images()).olrp == pytest.approx(0.7)


@pytest.mark.parametrize("seed", range(6))
def test_replicate_olrp_equals_compute_lrp_on_the_dataset_with_the_copies(seed):
    case = random_case(seed)
    gt = ground_truth(case.gt)
    table = match_detections(gt, detections(case.results), iou_thresholds=np.array([0.5]))
    image_ids = gt.images.id.tolist()
    weights = np.random.default_rng(seed).integers(0, 3, size=(4, len(image_ids)))
    out = replicate_olrp(table, weights)
    for row, w in zip(out, weights, strict=True):
        copies = {
            i: [i * 1000 + c for c in range(k)] for i, k in zip(image_ids, w.tolist(), strict=True)
        }
        doc = {
            "images": [{**im, "id": new} for im in case.gt["images"] for new in copies[im["id"]]],
            "annotations": [
                {**a, "id": n, "image_id": new}
                for n, (a, new) in enumerate(
                    ((a, new) for a in case.gt["annotations"] for new in copies[a["image_id"]]),
                    start=1,
                )
            ],
            "categories": case.gt["categories"],
        }
        records = [{**r, "image_id": new} for r in case.results for new in copies[r["image_id"]]]
        if not doc["annotations"]:  # no GT box drawn (or none at all): undefined
            assert np.isnan(row)
            continue
        expected = compute_lrp(
            match_detections(ground_truth(doc), detections(records), iou_thresholds=np.array([0.5]))
        ).olrp
        assert (np.nan if expected is None else expected) == pytest.approx(row, nan_ok=True)


def reference_replicate_olrp(table, weights):
    """The replicate the plain way (the implementation before the segments): per row and
    class, the weighted running sums detection after detection, LRP at the end of every tie
    group, the minimum with keeping none (1), the mean over classes with weighted GT > 0."""
    c = _counted(table, None)
    column = {image_id: i for i, image_id in enumerate(table.gt.images.id.tolist())}
    det_col = [column[i] for i in table.dets.image_id[c.row].tolist()]
    kept = table.gt_status[table.area_index("all"), table.threshold_index(0.5)] != IGNORED
    gt_col = [column[i] for i in table.gt.annotations.image_id[kept].tolist()]
    gt_k = table.category_index()[2][kept].tolist()
    out = []
    for w in weights.tolist():
        values = []
        for kk in range(c.cat_ids.size):
            g = sum(w[i] for i, k in zip(gt_col, gt_k, strict=True) if k == kk)
            if g == 0:
                continue
            best, tp, fp, loc = 1.0, 0, 0, 0.0
            rows = np.flatnonzero(c.k == kk).tolist()
            for n, j in enumerate(rows):
                tp, fp = tp + w[det_col[j]] * c.is_tp[j], fp + w[det_col[j]] * (not c.is_tp[j])
                loc += w[det_col[j]] * c.loss[j]
                if n == len(rows) - 1 or c.score[rows[n + 1]] != c.score[j]:
                    best = min(best, (loc + fp + g - tp) / (fp + g))
            values.append(best)
        out.append(np.mean(values) if values else np.nan)
    return np.array(out)


@pytest.mark.parametrize("seed", range(40))
def test_replicate_olrp_equals_the_plain_running_sums_over_every_threshold(seed):
    # random_case draws tied scores (0.5, 0.9 twice in its pool), crowd regions, duplicate GT
    # boxes and classes without GT; the weights 0..3 drop and repeat images.
    case = random_case(seed)
    table = match_detections(
        ground_truth(case.gt), detections(case.results), iou_thresholds=np.array([0.5])
    )
    weights = np.random.default_rng(seed).integers(0, 4, size=(6, table.gt.images.id.size))
    weights[0] = 1
    expected = reference_replicate_olrp(table, weights)
    assert replicate_olrp(table, weights) == pytest.approx(expected, rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("run_file", ["efficientnet_b3.json", "resnet101.json"])
def test_replicate_olrp_on_the_sample_equals_the_plain_running_sums(run_file):
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    dets = load_results(SAMPLE / run_file, gt=gt)
    table = match_detections(gt, dets, iou_thresholds=np.array([0.5]))
    weights = resample_images(gt.images.id.size, 3, 0)
    expected = reference_replicate_olrp(table, weights)
    assert replicate_olrp(table, weights) == pytest.approx(expected, rel=1e-12)


def test_segments_end_where_a_run_of_true_positives_meets_a_false_one():
    # One class, by score: 0.9 TP | 0.8 TP, 0.8 FP | 0.7 TP | 0.6 TP | 0.5 FP | 0.4 FP.
    # Ends: 0.9 (next group holds an FP); not 0.8 nor 0.7 (a TP-only group follows, which only
    # lowers LRP); 0.6 (an FP follows). The FPs at 0.5 and 0.4 only raise it: in no segment.
    # A second class: 0.9 FP | 0.3 TP -> one segment to the class's end.
    score = np.array([0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.9, 0.3])
    is_tp = np.array([1, 1, 0, 1, 1, 0, 0, 0, 1], dtype=bool)
    k = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1])
    n = score.size
    c = _Counted(
        cat_ids=np.array([1, 2]),
        det_k=k,
        status=np.where(is_tp, TP, FP),
        n_gt=np.array([5, 1]),
        row=np.arange(n),
        k=k,
        score=score,
        is_tp=is_tp,
        loss=np.zeros(n),
        bounds=np.array([0, 7, n]),
    )
    assert _segments(c).tolist() == [0, 1, 1, 1, 1, -1, -1, 2, 2]


def test_replicate_olrp_refuses_weights_of_the_wrong_shape_or_sign():
    table = two_images()
    with pytest.raises(ValueError, match=r"Expected image_weights of shape \(B, 2\), got \(3,\)"):
        replicate_olrp(table, np.ones(3, dtype=int))
    with pytest.raises(ValueError, match="Expected image_weights >= 0, got -1"):
        replicate_olrp(table, np.array([[1, -1]]))
    with pytest.raises(ValueError, match="Expected image_weights to hold integers"):
        replicate_olrp(table, np.ones((1, 2)))


def test_compare_lrp_on_the_sample_finds_the_lower_olrp_with_its_interval():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    tables = [
        match_detections(gt, load_results(SAMPLE / f, gt=gt), iou_thresholds=np.array([0.5]))
        for f in ("efficientnet_b3.json", "resnet101.json")
    ]
    c = compare_lrp(*tables, n_resamples=200)
    # resnet101 (B) 0.194 against efficientnet_b3 (A) 0.348: B − A = -0.155, far from 0.
    assert c.delta == c.b.olrp - c.a.olrp == pytest.approx(-0.1547, abs=1e-4)
    assert c.ci_low < c.delta < c.ci_high < 0
    assert (c.finding, c.n_resamples) == ("b_better", 200)
    # A row of ones is the full data. Not bit for bit: the replicate sums the localisation
    # costs per (segment, image) before the running sum, compute_lrp detection after detection
    # (as vernier does), so the last bits can differ (here by 2.8e-17).
    ones = np.ones((1, gt.images.id.size), dtype=np.int64)
    assert replicate_olrp(tables[1], ones)[0] == pytest.approx(c.b.olrp, rel=1e-12, abs=0)
    untested = compare_lrp(*tables, n_resamples=0)
    assert (untested.finding, untested.ci_low, untested.n_resamples) == ("not_tested", None, 0)
    assert untested.to_dict()["ci"] is None and untested.to_dict()["delta"] == c.delta


@pytest.mark.parametrize("shuffle", [False, True])
def test_the_loss_sum_order_is_category_then_score_then_row_with_or_without_image_order(shuffle):
    # The shared accumulation order (category, -score, image, row) is used when image ids never
    # decrease along the rows; a shuffled file takes the sort. Both give (category, -score, row).
    from pill_compare.analysis.lrp import _class_score_order
    from pill_compare.analysis.matching import TP

    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    dets = load_results(SAMPLE / "resnet101.json", gt=gt)
    rows = np.argsort(dets.image_id, kind="stable")
    if shuffle:
        rows = np.random.default_rng(0).permutation(len(dets))
    dets = dets.select(rows)
    table = match_detections(gt, dets)
    counted = np.flatnonzero(table.det_status[0, 0] <= TP)
    _, det_k, _ = table.category_index()
    want = np.lexsort((-dets.score[counted], det_k[counted]))
    assert np.array_equal(_class_score_order(table, counted), want)
