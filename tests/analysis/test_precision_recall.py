"""accumulate_precision_recall: overrides and integer weights, against pycocotools.

The weights are the proof that a bootstrap replicate needs no re-matching: weighting an image by
k gives exactly pycocotools on a dataset holding k copies of it (under new ids), and weight 0
gives pycocotools with the image deleted.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from pill_compare.analysis import coco_metrics
from pill_compare.analysis.coco_metrics import (
    PrecisionRecall,
    accumulate_precision_recall,
    class_average_precision,
    compute_coco_metrics,
    summarize_precision_recall,
)
from pill_compare.analysis.matching import IGNORED, TP, match_detections
from tests.analysis.eval_fixtures import (
    box,
    coco_oracle,
    detections,
    ground_truth,
    gt_doc,
    random_case,
)

SMALL_CAPS = (1, 3, 5)  # caps that bite on these small cases


def _cases(start: int, count: int, *, no_zero_id: bool = False) -> list[int]:
    """Seeds from ``start`` whose case has annotations (and no annotation id 0 if asked)."""
    out, seed = [], start
    while len(out) < count:
        anns = random_case(seed).gt["annotations"]
        if anns and not (no_zero_id and any(a["id"] == 0 for a in anns)):
            out.append(seed)
        seed += 1
    return out


def _table(doc, results):
    return match_detections(ground_truth(doc), detections(results))


def _stats(pr: PrecisionRecall) -> np.ndarray:
    """Stats as pycocotools prints them (-1 for n/a)."""
    return np.array([-1.0 if v is None else v for v in summarize_precision_recall(pr).values()])


def _assert_equals_oracle(pr: PrecisionRecall, doc, results, max_dets) -> None:
    """Bit-identical to pycocotools on (doc, results): arrays on our columns, -1 elsewhere."""
    oracle = coco_oracle(doc, results, max_dets=max_dets)
    declared = sorted(c["id"] for c in doc["categories"])
    cols = np.searchsorted(declared, pr.category_ids)
    assert np.array_equal(pr.precision, oracle.precision[:, :, cols])
    assert np.array_equal(pr.recall, oracle.recall[:, cols])
    rest = np.setdiff1d(np.arange(len(declared)), cols)
    assert (oracle.precision[:, :, rest] == -1).all()
    # stats[0] is hard-coded to maxDets=100 in pycocotools: compare it only with default caps.
    first = 0 if max_dets is None else 1
    assert np.array_equal(_stats(pr)[first:], oracle.stats[first:])


def _distinct_scores(results, seed):
    """The same detections with pairwise distinct scores (a random order of them)."""
    rng = np.random.default_rng(seed)
    scores = (rng.permutation(len(results)) + 1) / (len(results) + 1)
    return [{**r, "score": float(s)} for r, s in zip(results, scores, strict=True)]


def _physically_weighted(doc, results, weights: dict[int, int]):
    """The dataset where image i appears weights[i] times: copy c > 0 gets id i + 1000 c, its GT
    boxes and detections copied with it; weight 0 deletes the image."""
    images, anns, dets = [], [], []
    next_id = max([a["id"] for a in doc["annotations"]], default=0) + 1
    for img in doc["images"]:
        for c in range(weights[img["id"]]):
            new_id = img["id"] + 1000 * c
            images.append({**img, "id": new_id})
            for a in doc["annotations"]:
                if a["image_id"] == img["id"]:
                    anns.append({**a, "image_id": new_id, "id": a["id"] if c == 0 else next_id})
                    next_id += c > 0
            dets += [{**r, "image_id": new_id} for r in results if r["image_id"] == img["id"]]
    return {**doc, "images": images, "annotations": anns}, dets


def _keep_some_gt(doc, weights: dict[int, int]) -> dict[int, int]:
    """``weights`` with the first image holding GT set to at least 1 (pycocotools needs GT)."""
    first = doc["annotations"][0]["image_id"]
    return {**weights, first: max(1, weights[first])}


def _row_weights(table, weights: dict[int, int]):
    ann = table.gt.annotations
    det_w = np.array([weights[int(i)] for i in table.dets.image_id], dtype=np.int64)
    gt_w = np.array([weights[int(i)] for i in ann.image_id], dtype=np.int64)
    return det_w, gt_w


# --- identities ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", _cases(1000, 60))
def test_weights_of_one_give_exactly_the_unweighted_arrays_and_stats(seed):
    case = random_case(seed)
    table = _table(case.gt, case.results)
    plain = accumulate_precision_recall(table, max_dets=SMALL_CAPS)
    ones = accumulate_precision_recall(
        table,
        max_dets=SMALL_CAPS,
        det_weight=np.ones(table.n_dets, dtype=np.int64),
        gt_weight=np.ones(table.n_gts, dtype=np.int64),
    )
    assert np.array_equal(plain.precision, ones.precision)
    assert np.array_equal(plain.recall, ones.recall)
    assert np.array_equal(plain.npig, ones.npig)
    assert np.array_equal(_stats(plain), _stats(ones))


@pytest.mark.parametrize("seed", _cases(1000, 40))
def test_compute_coco_metrics_is_accumulate_then_summarize(seed):
    case = random_case(seed)
    table = _table(case.gt, case.results)
    coco = compute_coco_metrics(table)
    pr = accumulate_precision_recall(table)
    assert summarize_precision_recall(pr) == coco.stats
    assert np.array_equal(pr.precision, coco.precision)
    assert pr.zero_id_matches == coco.zero_id_matches


@pytest.mark.parametrize("seed", _cases(1000, 40))
def test_class_average_precision_equals_the_per_class_numbers_bit_for_bit(seed):
    case = random_case(seed)
    coco = compute_coco_metrics(_table(case.gt, case.results))
    pr = accumulate_precision_recall(_table(case.gt, case.results))
    by_id = {c.category_id: c for c in coco.per_class}
    for name, kwargs in (("ap", {}), ("ap_50", {"iou_threshold": 0.5})):
        ap = class_average_precision(pr, **kwargs)
        for cat, value in zip(pr.category_ids.tolist(), ap.tolist(), strict=True):
            expected = getattr(by_id[cat], name)
            assert (np.isnan(value) and expected is None) or value == expected


def test_the_per_class_ap_of_compute_coco_metrics_is_class_average_precision(monkeypatch):
    # One per-class AP: compute_coco_metrics reads it from class_average_precision (what the
    # module docstring says), so a change there shows in every report. A stand-in that answers
    # 0.25 for the 0.50:0.95 mean, 0.5 at IoU 0.5 and 0.75 at IoU 0.75 must show in per_class.
    def stand_in(pr, *, iou_threshold=None, area="all", max_det=None):
        return np.full(pr.category_ids.size, {None: 0.25, 0.5: 0.5, 0.75: 0.75}[iou_threshold])

    monkeypatch.setattr(coco_metrics, "class_average_precision", stand_in)
    case = random_case(1000)
    per_class = compute_coco_metrics(_table(case.gt, case.results)).per_class
    counted = [c for c in per_class if c.gt or c.detections]
    assert counted
    assert {(c.ap, c.ap_50, c.ap_75) for c in counted} == {(0.25, 0.5, 0.75)}


def test_restricting_to_area_all_keeps_its_stats_and_leaves_the_others_n_a():
    case = random_case(1003)
    table = _table(case.gt, case.results)
    full = summarize_precision_recall(accumulate_precision_recall(table))
    only_all = summarize_precision_recall(accumulate_precision_recall(table, area_names=["all"]))
    for key in ("map", "map_50", "map_75", "mar_1", "mar_10", "mar_100"):
        assert only_all[key] == full[key]
    assert only_all["map_small"] is None and only_all["mar_large"] is None


# --- weights against pycocotools on physically re-weighted datasets ---------------------------


@pytest.mark.parametrize("seed", _cases(2000, 80, no_zero_id=True))
def test_integer_image_weights_equal_pycocotools_on_duplicated_images(seed):
    # Distinct scores: with ties pycocotools orders an image's copies by their new ids.
    case = random_case(seed)
    results = _distinct_scores(case.results, seed)
    rng = np.random.default_rng(seed)
    weights = _keep_some_gt(case.gt, {i["id"]: int(rng.integers(0, 4)) for i in case.gt["images"]})
    doc, dets = _physically_weighted(case.gt, results, weights)
    table = _table(case.gt, results)
    det_w, gt_w = _row_weights(table, weights)
    pr = accumulate_precision_recall(table, max_dets=SMALL_CAPS, det_weight=det_w, gt_weight=gt_w)
    _assert_equals_oracle(pr, doc, dets, SMALL_CAPS)


@pytest.mark.parametrize("seed", _cases(3000, 60))
def test_weight_zero_equals_pycocotools_with_the_image_deleted(seed):
    # Deleting an image changes no other image's order, so score ties and id 0 are fine here.
    case = random_case(seed)
    rng = np.random.default_rng(seed)
    weights = _keep_some_gt(case.gt, {i["id"]: int(rng.random() < 0.7) for i in case.gt["images"]})
    doc, dets = _physically_weighted(case.gt, case.results, weights)
    table = _table(case.gt, case.results)
    det_w, gt_w = _row_weights(table, weights)
    pr = accumulate_precision_recall(table, det_weight=det_w, gt_weight=gt_w)
    _assert_equals_oracle(pr, doc, dets, None)


def test_a_weight_of_two_on_one_image_is_worked_out_by_hand():
    # Image 1: GT g1 found by d (score 0.9). Image 2: GT g2 missed, FP f (score 0.8).
    # Unweighted, at IoU 0.5: ranking d (TP), f (FP); npig 2: precision 1 up to recall 0.5,
    # 0 beyond -> AP = 51 / 101. Image 1 weighted 2: npig 3, d counts 2 TPs: precision 1 up to
    # recall 2/3 -> the 67 recall points 0, 0.01, ..., 0.66 -> AP = 67 / 101 (1 is 1/(1+eps)).
    doc = gt_doc(
        [
            {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50)},
            {"image_id": 2, "category_id": 1, "bbox": box(0, 0, 50, 50)},
        ]
    )
    results = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50), "score": 0.9},
        {"image_id": 2, "category_id": 1, "bbox": box(200, 200, 50, 50), "score": 0.8},
    ]
    table = _table(doc, results)
    plain = summarize_precision_recall(accumulate_precision_recall(table, iou_thresholds=[0.5]))
    assert plain["map"] == pytest.approx(51 / 101, abs=1e-12)
    pr = accumulate_precision_recall(
        table, iou_thresholds=[0.5], det_weight=np.array([2, 1]), gt_weight=np.array([2, 1])
    )
    assert summarize_precision_recall(pr)["map"] == pytest.approx(67 / 101, abs=1e-12)
    assert pr.npig[0, 0, 0] == 3 and pr.recall[0, 0, 0, -1] == 2 / 3


# --- status and category overrides ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [s for s in _cases(4000, 40) if random_case(s).results])
def test_an_ignored_detection_is_the_same_as_weight_zero(seed):
    case = random_case(seed)
    table = _table(case.gt, case.results)
    rng = np.random.default_rng(seed)
    drop = rng.random(table.n_dets) < 0.3
    status = table.det_status.copy()
    status[:, :, drop] = IGNORED
    by_status = accumulate_precision_recall(table, det_status=status)
    by_weight = accumulate_precision_recall(table, det_weight=(~drop).astype(np.int64))
    assert np.array_equal(by_status.precision, by_weight.precision)
    assert np.array_equal(by_status.recall, by_weight.recall)


def _never_matched_gt(seed: int) -> np.ndarray:
    """GT rows no detection matched under any area range and threshold."""
    case = random_case(seed)
    table = _table(case.gt, case.results)
    return np.flatnonzero((table.gt_det == -1).all(axis=(0, 1)))


@pytest.mark.parametrize(
    "seed",
    [
        s
        for s in _cases(5000, 50)
        if 0 < _never_matched_gt(s).size < len(random_case(s).gt["annotations"])
    ],
)
def test_an_ignored_never_matched_gt_equals_pycocotools_without_it(seed):
    # A GT box no detection matched under any area range and threshold can be deleted without
    # changing the matching; setting it IGNORED must give pycocotools without it.
    case = random_case(seed)
    table = _table(case.gt, case.results)
    free = _never_matched_gt(seed)
    gone = free[: max(1, free.size // 2)]
    status = table.gt_status.copy()
    status[:, :, gone] = IGNORED
    pr = accumulate_precision_recall(table, gt_status=status)
    kept = np.setdiff1d(np.arange(table.n_gts), gone)
    doc = copy.deepcopy(case.gt)
    doc["annotations"] = [case.gt["annotations"][j] for j in kept.tolist()]
    _assert_equals_oracle(pr, doc, case.results, None)


@pytest.mark.parametrize(
    "seed", [s for s in _cases(6000, 50) if len(random_case(s).gt["categories"]) > 1]
)
def test_moving_detections_to_another_class_equals_pycocotools_on_the_relabelled_file(seed):
    # Far-away detections (x >= 1000) overlap no GT, so their label changes no match; moving them
    # changes the rankings and the maxDets ranks of both classes, which must be recomputed.
    case = random_case(seed)
    cats = sorted(c["id"] for c in case.gt["categories"])
    rng = np.random.default_rng(seed)
    far = [
        {
            "image_id": int(rng.choice([i["id"] for i in case.gt["images"]])),
            "category_id": int(rng.choice(cats)),
            "bbox": box(1000 + 50 * j, 0, float(rng.integers(5, 150)), 40),
            "score": float(rng.choice([0.3, 0.5, 0.9, 0.95])),
        }
        for j in range(8)
    ]
    results = case.results + far
    moved = [
        {**r, "category_id": cats[(cats.index(r["category_id"]) + 1) % len(cats)]} for r in far
    ]
    table = _table(case.gt, results)
    det_category = np.array([r["category_id"] for r in case.results + moved], dtype=np.int64)
    pr = accumulate_precision_recall(table, max_dets=SMALL_CAPS, det_category=det_category)
    _assert_equals_oracle(pr, case.gt, case.results + moved, SMALL_CAPS)


def test_det_category_equal_to_the_table_changes_nothing():
    case = random_case(1003)
    table = _table(case.gt, case.results)
    same = accumulate_precision_recall(table, det_category=table.dets.category_id.copy())
    plain = accumulate_precision_recall(table)
    assert np.array_equal(same.precision, plain.precision)


def test_a_tp_override_makes_a_missed_gt_found():
    # One GT, one detection 60 px away (IoU 0: an FP). Setting it TP gives AP 1 at every
    # threshold (TIDE's oracle: the localization error fixed).
    doc = gt_doc([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50)}])
    results = [{"image_id": 1, "category_id": 1, "bbox": box(60, 0, 50, 50), "score": 0.9}]
    table = _table(doc, results)
    assert summarize_precision_recall(accumulate_precision_recall(table))["map"] == 0.0
    status = table.det_status.copy()
    status[...] = TP
    fixed = summarize_precision_recall(accumulate_precision_recall(table, det_status=status))
    assert fixed["map"] == pytest.approx(1.0, abs=1e-12)


# --- misuse -----------------------------------------------------------------------------------


@pytest.fixture
def small_table():
    case = random_case(1003)
    return _table(case.gt, case.results)


def test_overrides_of_the_wrong_shape_are_refused(small_table):
    t = small_table
    with pytest.raises(ValueError, match=r"Expected det_status of shape \(4, 10, \d+\)"):
        accumulate_precision_recall(t, det_status=t.det_status[0])
    with pytest.raises(ValueError, match=r"Expected gt_weight of shape \(\d+,\), got \(3,\)"):
        accumulate_precision_recall(t, gt_weight=np.ones(3, dtype=np.int64))


def test_bad_override_values_are_refused(small_table):
    t = small_table
    status = t.det_status.copy()
    status[0, 0, 0] = 5
    with pytest.raises(ValueError, match=r"Expected det_status values among .* got \[5\]"):
        accumulate_precision_recall(t, det_status=status)
    with pytest.raises(ValueError, match="Expected det_weight >= 0, got -1"):
        accumulate_precision_recall(t, det_weight=-np.ones(t.n_dets, dtype=np.int64))
    with pytest.raises(ValueError, match="Expected det_weight to hold integers, got dtype float64"):
        accumulate_precision_recall(t, det_weight=np.ones(t.n_dets) * 0.5)
    cats = t.dets.category_id.copy()
    cats[0] = 424242
    with pytest.raises(ValueError, match=r"declared by the ground truth, got \[424242\]"):
        accumulate_precision_recall(t, det_category=cats)


def test_unknown_slices_are_refused(small_table):
    pr = accumulate_precision_recall(small_table)
    with pytest.raises(ValueError, match="Expected one of the IoU thresholds"):
        class_average_precision(pr, iou_threshold=0.33)
    with pytest.raises(ValueError, match="Expected an area range among"):
        class_average_precision(pr, area="tiny")
    with pytest.raises(ValueError, match=r"Expected max_det among \[1, 10, 100\], got 7"):
        class_average_precision(pr, max_det=7)
    with pytest.raises(ValueError, match="Expected an area range among"):
        accumulate_precision_recall(small_table, area_names=["tiny"])
    with pytest.raises(TypeError, match=r"summarize_precision_recall\(\) expects PrecisionRecall"):
        summarize_precision_recall(small_table)


def test_ground_truth_without_boxes_gives_undefined_precision_not_an_index_error():
    from pill_compare.analysis.matching import match_detections
    from pill_compare.core import Detections
    from pill_compare.io import ground_truth_from_dict

    gt = ground_truth_from_dict(
        {"images": [{"id": 1}], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
    )
    dets = Detections(image_id=[1], category_id=[1], bbox=[[1.0, 1.0, 5.0, 5.0]], score=[0.5])
    pr = accumulate_precision_recall(match_detections(gt, dets))
    assert (pr.precision == -1).all()  # pycocotools' -1: no GT, AP undefined
