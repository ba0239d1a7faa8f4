"""TIDE error types: hand-made cases worked out by hand, and tidecv as the oracle on random data."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from pill_compare.analysis.boxes import overlapping_pairs
from pill_compare.analysis.error_types import (
    ERROR_KEYS,
    ErrorType,
    classify_errors,
    compute_error_breakdown,
)
from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import FN, FP, IGNORED, TP, match_detections
from pill_compare.report.style import ERROR_TYPE_COLORS
from tests.analysis.eval_fixtures import (
    box,
    detections,
    ground_truth,
    gt_doc,
    hand_case,
    random_case,
)
from tests.analysis.tide_oracle import dense_case, tide_comparable, tide_oracle

E = ErrorType


def _table(anns, results, image_ids=None, categories=None, **kwargs):
    doc = gt_doc(anns, image_ids=image_ids, categories=categories)
    return match_detections(ground_truth(doc), detections(results), **kwargs)


def _det(image_id, category_id, x, score, y=0.0, w=10.0, h=10.0):
    return {
        "image_id": image_id,
        "category_id": category_id,
        "bbox": box(x, y, w, h),
        "score": score,
    }


def _gt(image_id, category_id, x, y=0.0, w=10.0, h=10.0):
    return {"image_id": image_id, "category_id": category_id, "bbox": box(x, y, w, h)}


# Two 10x10 boxes shifted by dx along x: IoU = (10 - dx) / (10 + dx):
# dx = 2 -> 8/12 = 0.667, dx = 5 -> 5/15 = 0.333, dx = 8 -> 2/18 = 0.111, dx = 9 -> 1/19 = 0.053.
ONE_OF_EACH_GT = [
    _gt(1, 1, 0),  # g0
    _gt(2, 1, 0),  # g1
    _gt(2, 2, 100),  # g2
    _gt(4, 2, 0),  # g3
    _gt(5, 1, 0),  # g4
]
ONE_OF_EACH_DETS = [
    _det(1, 1, 0, 0.9),  # d0 on g0, its class: TP
    _det(1, 1, 0, 0.8),  # d1 on g0 again (IoU 1, g0 taken by d0): DUPE -> g0
    _det(1, 1, 5, 0.7),  # d2 IoU 0.333 with g0 (used): LOC -> g0, not fixable
    _det(2, 2, 0, 0.9),  # d3 cat 2 on g1 (cat 1, IoU 1), g1 unused: CLS -> g1, fixed to a TP
    _det(2, 1, 108, 0.8),  # d4 cat 1, IoU 0.111 with g2 (cat 2), none with cat 1: BOTH -> g2
    _det(3, 1, 0, 0.5),  # d5 in image 3 (no GT at all): BKG
    _det(4, 1, 9, 0.6),  # d6 IoU 0.053 <= 0.1 with g3 (cat 2), no cat-1 GT: BKG
    _det(5, 1, 5, 0.4),  # d7 IoU 0.333 with g4 (its class, unused): LOC -> g4, the best: fixed
    _det(5, 2, 2, 0.3),  # d8 cat 2, IoU 0.667 with g4 (cat 1): CLS -> g4; d7 scores higher
]
# g0 is found (d0). g1 and g4 are not found but a CLS / LOC error explains each: not missed.
# g2 is not found and only a BOTH error touches it: MISS; g3 likewise with a BKG error: MISS.


@pytest.fixture
def one_of_each_table():
    return _table(ONE_OF_EACH_GT, ONE_OF_EACH_DETS, image_ids=[1, 2, 3, 4, 5])


@pytest.fixture
def one_of_each(one_of_each_table):
    return classify_errors(one_of_each_table)


def test_each_false_positive_gets_tides_type(one_of_each):
    assert one_of_each.det_error.tolist() == [
        E.NONE, E.DUPE, E.LOC, E.CLS, E.BOTH, E.BKG, E.BKG, E.LOC, E.CLS,
    ]  # fmt: skip
    assert one_of_each.det_gt.tolist() == [0, 0, 0, 1, 2, -1, -1, 4, 4]


def test_missed_gt_is_an_unfound_box_no_loc_or_cls_error_explains(one_of_each):
    assert one_of_each.gt_missed.tolist() == [False, False, True, True, False]
    assert one_of_each.gt_status.tolist() == [TP, FN, FN, FN, FN]


def test_oracle_fix_turns_the_best_error_on_each_unused_gt_into_a_true_positive(one_of_each):
    # d3 (CLS on g1, alone); d7 (LOC on g4, 0.4) beats d8 (CLS on g4, 0.3); d2's g0 is used.
    assert np.flatnonzero(one_of_each.det_fix_tp).tolist() == [3, 7]


def test_counts_per_type_in_tides_order(one_of_each):
    counts = one_of_each.counts()
    assert list(counts) == list(ERROR_KEYS) == ["cls", "loc", "both", "dupe", "bkg", "miss"]
    assert counts == {"cls": 2, "loc": 2, "both": 1, "dupe": 1, "bkg": 2, "miss": 2}
    assert "cls=2" in repr(one_of_each)


def test_localization_is_tested_before_classification():
    # d0 (cat 1) has IoU 0.333 with g0 (cat 1) and IoU 1 with g1 (cat 2): TIDE tests LOC first.
    table = _table([_gt(1, 1, 0), _gt(1, 2, 5)], [_det(1, 1, 5, 0.9)])
    errors = classify_errors(table)
    assert errors.det_error.tolist() == [E.LOC]
    assert errors.det_gt.tolist() == [0]
    # g1 (cat 2) is missed: the LOC error explains g0 only.
    assert errors.gt_missed.tolist() == [False, True]


def test_classification_is_tested_before_duplicate():
    # d1 (cat 1) has IoU 1 with g0 (cat 1, taken by d0) and IoU 0.667 with g1 (cat 2): CLS.
    table = _table([_gt(1, 1, 0), _gt(1, 2, 2)], [_det(1, 1, 0, 0.9), _det(1, 1, 0, 0.8)])
    assert classify_errors(table).det_error.tolist() == [E.NONE, E.CLS]


def test_thresholds_are_inclusive_as_in_tide():
    # LOC is bg <= IoU <= fg: (0,0,10,10) vs (0,0,10,20) is IoU 100/200 = 0.5 exactly, and with
    # its GT already taken that detection is LOC, not DUPE.
    table = _table([_gt(1, 1, 0)], [_det(1, 1, 0, 0.9), _det(1, 1, 0, 0.8, h=20.0)])
    assert classify_errors(table).det_error.tolist() == [E.NONE, E.LOC]
    # BKG is IoU <= bg: (0,0,10,1) vs (0,0,10,10) is IoU 10/100 = 0.1, with another class: BKG;
    # with bg_iou = 0.05 it is BOTH.
    table = _table([_gt(1, 2, 0)], [_det(1, 1, 0, 0.9, h=1.0)])
    assert classify_errors(table).det_error.tolist() == [E.BKG]
    assert classify_errors(table, bg_iou=0.05).det_error.tolist() == [E.BOTH]


def test_ignored_and_unevaluated_detections_have_no_error_type():
    # hand_case: d4 is absorbed by a crowd region (ignored): NONE.
    case = hand_case()
    table = match_detections(ground_truth(case.gt), detections(case.results))
    errors = classify_errors(table)
    assert errors.det_status[4] == IGNORED and errors.det_error[4] == E.NONE
    # With max_dets = 1 only the top detection per (image, category) is evaluated: d1 (the
    # duplicate, second in image 1 / cat 1) gets no type, d0 stays a TP.
    errors = classify_errors(table, max_dets=1)
    assert errors.det_status[:2].tolist() == [TP, IGNORED]
    assert errors.det_error[1] == E.NONE


def test_a_gt_found_only_beyond_max_dets_is_missed():
    # Two detections of cat 1 in image 1: d0 (0.9) on nothing, d1 (0.8) on g0. With max_dets = 1
    # d1 is not evaluated, so g0 counts as not found and nothing explains it: MISS.
    table = _table([_gt(1, 1, 0)], [_det(1, 1, 50, 0.9), _det(1, 1, 0, 0.8)])
    assert classify_errors(table).gt_missed.tolist() == [False]
    errors = classify_errors(table, max_dets=1)
    assert errors.gt_status.tolist() == [FN]
    assert errors.gt_missed.tolist() == [True]
    assert errors.det_error.tolist() == [E.BKG, E.NONE]


def test_true_positives_keep_their_matched_gt():
    table = _table([_gt(1, 1, 0), _gt(1, 1, 50)], [_det(1, 1, 50, 0.9)])
    errors = classify_errors(table)
    assert errors.det_status.tolist() == [TP]
    assert errors.det_gt.tolist() == [1]
    assert errors.gt_missed.tolist() == [True, False]


def test_empty_inputs():
    table = _table([_gt(1, 1, 0)], [])
    errors = classify_errors(table)
    assert errors.det_error.shape == (0,)
    assert errors.counts() == {"cls": 0, "loc": 0, "both": 0, "dupe": 0, "bkg": 0, "miss": 1}


def test_keys_are_the_report_colour_keys():
    assert [e.key for e in ErrorType] == ["none", *ERROR_KEYS]
    assert [int(e) for e in ErrorType] == [0, 1, 2, 3, 4, 5, 6]
    assert {k.lower() for k in ERROR_TYPE_COLORS} == set(ERROR_KEYS)


def test_misuse_is_refused_with_expected_and_got():
    table = _table([_gt(1, 1, 0)], [_det(1, 1, 0, 0.9)], iou_thresholds=[0.5])
    with pytest.raises(TypeError, match="classify_errors\\(\\) expects MatchTable for table"):
        classify_errors("table.json")
    with pytest.raises(ValueError, match=r"Expected bg_iou to be a finite number > 0 and <= 0\.5"):
        classify_errors(table, bg_iou=0.6)
    with pytest.raises(ValueError, match="Expected bg_iou to be a finite number > 0"):
        classify_errors(table, bg_iou=0.0)
    with pytest.raises(ValueError, match="Expected one of the matched IoU thresholds"):
        classify_errors(table, fg_iou=0.75)
    with pytest.raises(ValueError, match="Expected max_dets to be an integer >= 1, got 0"):
        classify_errors(table, max_dets=0)


@pytest.mark.parametrize("seed", range(60))
def test_the_table_pairs_error_types_read_are_plain_iou_pairs_of_countable_boxes(seed):
    """classify_errors reads the table's pairs of false positives x countable GT boxes; those
    are exactly what pairing the boxes again without crowd flags gives (plain IoU, bit for bit):
    a countable box is never a crowd region. Random cases hold crowd regions and ignored GTs."""
    case = random_case(seed)
    table = match_detections(ground_truth(case.gt), detections(case.results))
    errors = classify_errors(table)
    fp = np.flatnonzero(errors.det_status == FP)
    countable = np.flatnonzero(errors.gt_status != IGNORED)
    ann, dets = table.gt.annotations, table.dets
    assert not ann.iscrowd[countable].any()
    again = overlapping_pairs(
        dets.image_id[fp], dets.bbox[fp], ann.image_id[countable], ann.bbox[countable]
    )
    read = table.overlaps(dets_mask=errors.det_status == FP, gt_mask=errors.gt_status != IGNORED)
    assert np.array_equal(read.left, fp[again.left])
    assert np.array_equal(read.right, countable[again.right])
    assert read.iou.tobytes() == again.iou.tobytes()


def test_error_types_come_from_the_tables_pairs_not_from_the_boxes():
    # d0 on g0 with the wrong class is CLS; a table that kept no pair leaves d0 on no object.
    table = _table([_gt(1, 1, 0)], [_det(1, 2, 0, 0.9)])
    assert classify_errors(table).det_error.tolist() == [E.CLS]
    none = np.zeros(0, dtype=np.int64)
    blind = dataclasses.replace(table, pair_det=none, pair_gt=none, pair_iou=np.zeros(0))
    assert classify_errors(blind).det_error.tolist() == [E.BKG]


# --- ΔAP of the oracle fixes, by hand -----------------------------------------------------------
# AP here: one IoU (0.5), 101 recall points 0, 0.01, ..., 1; a recall of 0.5 reaches 51 of them.


def test_delta_ap_of_background_and_miss_by_hand():
    # One class, GT g0 (0,0) and g1 (50,0). d0 (0.95) on nothing: BKG; d1 (0.9) on g0: TP;
    # g1: MISS. Ranking FP, TP: at the TP recall 1/2 and precision 1/2, so
    # base AP = 51/101 * 1/2 = 51/202.
    # BKG fixed (d0 removed): precision 1 up to recall 1/2: 51/101; ΔAP = 51/202.
    # MISS fixed (g1 removed): recall 1 at precision 1/2: AP 1/2; ΔAP = 1/2 - 51/202 = 50/202.
    # FalsePos = the BKG fix here, FalseNeg = the MISS fix here; nothing else to fix.
    table = _table([_gt(1, 1, 0), _gt(1, 1, 50)], [_det(1, 1, 200, 0.95), _det(1, 1, 0, 0.9)])
    got = compute_error_breakdown(table)
    assert got.base_ap == pytest.approx(51 / 202)
    want = {"bkg": 51 / 202, "miss": 50 / 202, "false_pos": 51 / 202, "false_neg": 50 / 202}
    want |= {"cls": 0.0, "loc": 0.0, "both": 0.0, "dupe": 0.0}
    assert got.delta_ap == pytest.approx(want)
    assert got.counts == {
        "cls": 0, "loc": 0, "both": 0, "dupe": 0, "bkg": 1, "miss": 1,
        "false_pos": 1, "false_neg": 1,
    }  # fmt: skip
    assert got.fixed_ap["bkg"] == pytest.approx(51 / 101)


@pytest.mark.parametrize(
    ("category", "x", "kind"), [(2, 0.0, "cls"), (1, 5.0, "loc")], ids=["cls", "loc"]
)
def test_fixing_cls_or_loc_makes_the_error_a_true_positive(category, x, kind):
    # GT g0 (cat 1). d0 is a cat-2 box on g0 (CLS) or a cat-1 box at IoU 1/3 (LOC). Categories
    # averaged: those with GT, so cat 1 only: base AP 0 (no hit). Fixed: d0 is a TP of cat 1,
    # the only detection: AP 1, ΔAP 1. FalsePos (d0 removed): still 0.
    table = _table([_gt(1, 1, 0)], [_det(1, category, x, 0.9)], categories=[1, 2])
    got = compute_error_breakdown(table)
    # (1.0 up to pycocotools' ε: precision = TP / (TP + FP + ε).)
    assert got.base_ap == 0.0
    assert got.counts[kind] == 1
    assert got.delta_ap[kind] == pytest.approx(1.0)
    assert got.delta_ap["false_pos"] == 0.0
    assert got.delta_ap["miss"] == 0.0  # g0 is explained by the error, not missed


@pytest.mark.parametrize("with_bkg", [True, False])
def test_a_class_left_without_gt_scores_zero_only_if_it_keeps_detections(with_bkg):
    # cat 1: g0 found by d0 (AP 1). cat 2: g1 missed (AP 0); with_bkg adds d1, a cat-2 box on
    # nothing (BKG). Base AP = (1 + 0) / 2 = 1/2. Fixing MISS leaves cat 2 with no GT: with d1
    # it scores 0 (all its detections are false positives, as tidecv has it): ΔAP 0; without
    # detections it leaves the mean: AP 1, ΔAP 1/2.
    anns = [_gt(1, 1, 0), _gt(1, 2, 50)]
    dets = [_det(1, 1, 0, 0.9)] + ([_det(1, 2, 200, 0.8)] if with_bkg else [])
    table = _table(anns, dets)
    got = compute_error_breakdown(table)
    assert got.base_ap == pytest.approx(0.5)
    assert got.delta_ap["miss"] == pytest.approx(0.0 if with_bkg else 0.5)
    doc = gt_doc(anns)
    assert got.delta_ap["miss"] == pytest.approx(tide_oracle(doc, dets).delta_ap["miss"])


def test_breakdown_outputs(one_of_each_table):
    got = compute_error_breakdown(one_of_each_table)
    out = got.to_dict()
    assert list(out)[:8] == [*ERROR_KEYS, "false_pos", "false_neg"]
    assert out["cls"] == {"count": 2, "delta_ap": got.delta_ap["cls"]}
    assert (out["base_ap"], out["fg_iou"], out["bg_iou"], out["max_dets"]) == (
        got.base_ap, 0.5, 0.1, 100,
    )  # fmt: skip
    assert out["false_pos"]["count"] == 8 and out["false_neg"]["count"] == 4
    frame = got.to_frame()
    assert frame["type"].tolist() == [*ERROR_KEYS, "false_pos", "false_neg"]
    assert frame["count"].tolist() == [2, 2, 1, 1, 2, 2, 8, 4]
    assert all(v >= 0 for k, v in got.delta_ap.items() if k in ERROR_KEYS)
    assert repr(got).startswith("ErrorBreakdown(base_ap=")


def test_no_gt_at_all_gives_no_ap():
    table = _table([], [_det(1, 1, 0, 0.9)], image_ids=[1], categories=[1])
    got = compute_error_breakdown(table)
    assert got.base_ap is None
    assert set(got.delta_ap.values()) == {None}
    assert got.counts["bkg"] == 1


# --- tidecv as the oracle ----------------------------------------------------------------------


#: How closely pillcmp and tidecv agree where none of error_types' documented differences applies
#: (they agree to ~1e-15: the same sums in another order).
TIDE_TOLERANCE = 1e-9
#: The one bound for a documented difference: tidecv's own recall points k / 100 (error_types,
#: "Recall points") move one of 101 points of a category, so a (Δ)AP by less than 1/101 / K.
RECALL_POINTS_TOLERANCE = 0.005


def _tide_seeds(start: int, count: int, *, recall_point_ties: bool = False) -> list[int]:
    """Seeds whose tidecv-comparable random case has GT boxes and detections, and no category
    with 10, 20 or 30 GT boxes (``recall_point_ties``: at least one such category instead):
    pycocotools' recall points 0.35, 0.57, 0.7, 0.95, ... are one ulp above tidecv's k / 100, so
    a recall of 7/10, 7/20, 14/20, 19/20 or 21/30 reaches the point in tidecv and not in
    pycocotools (one point of 101 apart; see the module docstring of error_types)."""
    out, seed = [], start
    while len(out) < count:
        case = tide_comparable(random_case(seed), seed)
        per_class = Counter(a["category_id"] for a in case.gt["annotations"])
        ties = bool({10, 20, 30} & set(per_class.values()))
        if case.results and per_class and ties == recall_point_ties:
            out.append(seed)
        seed += 1
    return out


def _assert_equal_to_tidecv(ours, tide, tolerance=TIDE_TOLERANCE):
    assert ours.base_ap == pytest.approx(tide.ap, abs=tolerance)
    assert {k: ours.counts[k] for k in ERROR_KEYS} == tide.counts
    assert set(tide.delta_ap) == set(ours.delta_ap)
    for key, value in tide.delta_ap.items():
        assert ours.delta_ap[key] == pytest.approx(value, abs=tolerance), key


@pytest.mark.parametrize("seed", _tide_seeds(0, 80))
def test_counts_and_delta_ap_equal_tidecv(seed):
    case = tide_comparable(random_case(seed), seed)
    table = match_detections(ground_truth(case.gt), detections(case.results), iou_thresholds=[0.5])
    # The base APs are the same number here (tidecv's mAP vs pycocotools' AP50), and so is
    # every ΔAP.
    _assert_equal_to_tidecv(compute_error_breakdown(table), tide_oracle(case.gt, case.results))


def test_the_tidecv_comparison_would_catch_a_delta_ap_stuck_at_zero():
    # The tolerance is far below the values compared: for every error type some case has a
    # ΔAP a thousand times the tolerance, so a ΔAP that always returned 0 fails the test above.
    # (With the former tolerance 0.005, 53 % of these values were smaller than it.)
    largest: dict[str, float] = {}
    for seed in _tide_seeds(0, 80):
        case = tide_comparable(random_case(seed), seed)
        for key, value in tide_oracle(case.gt, case.results).delta_ap.items():
            largest[key] = max(largest.get(key, 0.0), abs(value))
    assert set(largest) == {*ERROR_KEYS, "false_pos", "false_neg"}
    assert min(largest.values()) > 1000 * TIDE_TOLERANCE, largest


@pytest.mark.parametrize("seed", _tide_seeds(0, 20, recall_point_ties=True))
def test_with_pycocotools_recall_points_tidecv_agrees_where_its_own_points_differ(seed):
    # error_types' docstring: with tidecv's recall points set to pycocotools', every count and
    # ΔAP agrees, also on the cases with a category of 10, 20 or 30 GT boxes.
    case = tide_comparable(random_case(seed), seed)
    table = match_detections(ground_truth(case.gt), detections(case.results), iou_thresholds=[0.5])
    tide = tide_oracle(case.gt, case.results, recall_points="pycocotools")
    _assert_equal_to_tidecv(compute_error_breakdown(table), tide)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dense_images_equal_tidecv(seed):
    # ~20 images of ~8 GT boxes and ~60 detections: many LOC/CLS errors compete for one box.
    case = dense_case(seed)
    table = match_detections(ground_truth(case.gt), detections(case.results), iou_thresholds=[0.5])
    ours = compute_error_breakdown(table)
    tide = tide_oracle(case.gt, case.results)
    assert min(tide.counts[k] for k in ("cls", "loc", "both", "dupe", "bkg")) > 50
    # Equal with pycocotools' recall points; within the documented bound with tidecv's own.
    _assert_equal_to_tidecv(ours, tide_oracle(case.gt, case.results, recall_points="pycocotools"))
    _assert_equal_to_tidecv(ours, tide, tolerance=RECALL_POINTS_TOLERANCE)


@pytest.mark.parametrize("seed", _tide_seeds(500, 10))
def test_other_thresholds_equal_tidecv(seed):
    # fg 0.75, bg 0.2, from a table matched at COCO's ten thresholds (0.75 is not the first).
    case = tide_comparable(random_case(seed), seed)
    table = match_detections(ground_truth(case.gt), detections(case.results))
    ours = compute_error_breakdown(table, fg_iou=0.75, bg_iou=0.2)
    tide = tide_oracle(case.gt, case.results, pos_threshold=0.75, background_threshold=0.2)
    _assert_equal_to_tidecv(ours, tide)


@pytest.mark.parametrize("seed", [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1010, 1011])
def test_base_ap_is_evals_ap50_exactly(seed):
    # Any random case (crowd regions, ties, categories without GT, id 0): the same number.
    case = random_case(seed)
    result = evaluate(ground_truth(case.gt), detections(case.results))
    assert compute_error_breakdown(result.matches).base_ap == result.coco.stats["map_50"]
