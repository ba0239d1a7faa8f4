"""Ground-truth audit: likely missing and wrong annotations, and the numbers if completed.

The hand-made case has its answer worked out in comments; the sample cases delete a quarter of
the sample's annotations and ask the audit to find them again. Boxes are (x, y, w, h).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from pill_compare import compare, evaluate, load_ground_truth, load_results
from pill_compare.analysis.boxes import box_iou_pairs
from pill_compare.analysis.disagreements import (
    PairKind,
    Verdict,
    adjudicate,
    pair_models,
)
from pill_compare.analysis.error_types import classify_errors
from pill_compare.analysis.gt_audit import AUDIT_METRICS, audit_ground_truth
from pill_compare.analysis.matching import match_detections
from pill_compare.io import ground_truth_from_dict
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc
from tests.conftest import SAMPLE


def _d(image_id, category_id, score, x=0.0, y=0.0, w=10.0, h=10.0):
    return {
        "image_id": image_id,
        "category_id": category_id,
        "bbox": box(x, y, w, h),
        "score": score,
    }


def _g(image_id, category_id, x=0.0, y=0.0, w=10.0, h=10.0):
    return {"image_id": image_id, "category_id": category_id, "bbox": box(x, y, w, h)}


def _audit(anns, a_records, b_records, **kwargs):
    gt = ground_truth(gt_doc(anns, categories=[1, 2, 3]))
    tables = [
        match_detections(gt, detections(r, name=n), iou_thresholds=[0.5])
        for r, n in ((a_records, "a"), (b_records, "b"))
    ]
    pairing = pair_models(tables[0].dets, tables[1].dets, score_threshold=0.5, pair_iou=0.5)
    return audit_ground_truth(pairing, *tables, score_threshold=0.5, pair_iou=0.5, **kwargs), tables


# Image 1: GT class 1 at the origin. Both runs find it (TPs) and both also say class 1 on an
#   unannotated pill at (100, 100) (A 0.95; B 0.8 at (101, 100): IoU 90/110 = 0.82 with A's):
#   one likely-missing case, class 1, lower score 0.8.
# Image 2: GT class 1 at the origin; both runs say class 2 on it (A 0.9, B 0.7; IoU 1): one
#   likely wrong label, GT class 1 -> class 2.
# Image 3 (disagreements, neither kind): GT class 1 at the origin. On it A says 2 and B says 3
#   (not the same other class). At (200, 200) A says 2 and B says 3 (a class swap, not an agree
#   pair). At (300, 300) both say 1 but B's score is 0.4 < 0.5 (B's box does not take part).
ANNS = [_g(1, 1), _g(2, 1), _g(3, 1)]
A_RECS = [
    _d(1, 1, 0.9),
    _d(1, 1, 0.95, 100, 100),
    _d(2, 2, 0.9),
    _d(3, 2, 0.9),
    _d(3, 2, 0.9, 200, 200),
    _d(3, 1, 0.9, 300, 300),
]
B_RECS = [
    _d(1, 1, 0.85),
    _d(1, 1, 0.8, 101, 100),
    _d(2, 2, 0.7),
    _d(3, 3, 0.9),
    _d(3, 3, 0.9, 200, 200),
    _d(3, 1, 0.4, 300, 300),
]


def test_two_runs_agreeing_on_an_unannotated_box_make_one_likely_missing_case():
    audit, _ = _audit(ANNS, A_RECS, B_RECS)
    m = audit.likely_missing
    assert m.count == 1
    assert (m.image_id.tolist(), m.category_id.tolist()) == ([1], [1])
    assert (m.a_score.tolist(), m.b_score.tolist()) == ([0.95], [0.8])
    assert m.a_bbox.tolist() == [[100.0, 100.0, 10.0, 10.0]]
    assert m.b_bbox.tolist() == [[101.0, 100.0, 10.0, 10.0]]
    assert m.iou[0] == pytest.approx(90 / 110)
    assert m.per_class() == [{"category_id": 1, "count": 1}]


def test_both_runs_relabelling_a_gt_box_the_same_way_make_one_likely_wrong_label():
    audit, _ = _audit(ANNS, A_RECS, B_RECS)
    w = audit.likely_wrong_label
    assert w.count == 1  # image 2 only: on image 3 the runs say 2 and 3
    assert (w.image_id.tolist(), w.gt_category_id.tolist(), w.category_id.tolist()) == (
        [2],
        [1],
        [2],
    )
    assert (w.a_score.tolist(), w.b_score.tolist()) == ([0.9], [0.7])
    assert (w.a_iou.tolist(), w.b_iou.tolist()) == ([1.0], [1.0])
    assert w.per_gt_class() == [{"category_id": 1, "count": 1}]
    assert w.per_pair() == [{"gt_category_id": 1, "predicted_category_id": 2, "count": 1}]


def test_disagreements_and_low_scores_make_neither_case():
    # Only image 3 of the case: a class swap, two different other classes on the GT box, and an
    # agreeing box with one score below the operating point.
    audit, _ = _audit(ANNS, [r for r in A_RECS if r["image_id"] == 3], B_RECS[3:])
    assert (audit.likely_missing.count, audit.likely_wrong_label.count) == (0, 0)


def test_a_box_near_a_gt_box_of_another_class_is_not_missing():
    # Both say class 2 at (6, 0): IoU 40/160 = 0.25 with the class-1 GT box: an error of both
    # runs on an annotated object (TIDE's "both"), not an object without a label.
    a, b = [_d(1, 2, 0.9, 6, 0)], [_d(1, 2, 0.8, 6, 0)]
    audit, _ = _audit([_g(1, 1)], a, b)
    assert audit.likely_missing.count == 0
    # With near_iou above that IoU (0.25 < 0.3 <= u = 0.5) it would be.
    audit, _ = _audit([_g(1, 1)], a, b, near_iou=0.3)
    assert audit.likely_missing.count == 1


def test_a_run_confirming_the_label_keeps_it_from_being_wrong():
    # Both runs say 2 on the GT box of class 1 (0.9), but B also says 1 there at 0.6 >= 0.5: a
    # true positive of the annotated class backs the label.
    audit, _ = _audit([_g(1, 1)], [_d(1, 2, 0.9)], [_d(1, 2, 0.9), _d(1, 1, 0.6)])
    assert audit.likely_wrong_label.count == 0


def test_if_completed_ignores_the_likely_missing_detections():
    audit, tables = _audit(ANNS, A_RECS, B_RECS)
    # Precision at s = 0.5, u = 0.5. A: TP = 1 (image 1's origin box), FP = 5 (image 1's extra
    # box, image 2's class 2, image 3's two class-2 boxes and its class-1 box at (300, 300)):
    # 1 / 6. Ignoring the missing box: 1 / 5.
    assert audit.actual["a"]["precision"] == pytest.approx(1 / 6)
    assert audit.if_completed["a"]["precision"] == pytest.approx(1 / 5)
    # B: TP 1, FP 4 (image 1's extra box, image 2, image 3's two class-3 boxes; its 0.4 box does
    # not count): 1 / 5 -> 1 / 4.
    assert audit.actual["b"]["precision"] == pytest.approx(1 / 5)
    assert audit.if_completed["b"]["precision"] == pytest.approx(1 / 4)
    # AP50 of class 1 (the only class with GT, 3 boxes): A ranks the missing box (0.95, FP) above
    # its TP (0.9; image 3's 0.9 FP ranks after it, higher image id): precision 1/2 at recall
    # 1/3, i.e. on the 34 recall points 0..0.33. Ignoring the missing box: precision 1 there.
    assert audit.actual["a"]["map_50"] == pytest.approx(34 * 0.5 / 101)
    assert audit.if_completed["a"]["map_50"] == pytest.approx(34 * 1.0 / 101)
    # The table itself is untouched (the real numbers stay real).
    again = match_detections(tables[0].gt, tables[0].dets, iou_thresholds=[0.5])
    assert (tables[0].det_status == again.det_status).all()
    assert audit.delta()["a"]["map_50"] == pytest.approx(34 * 0.5 / 101)
    assert audit.if_completed["a"]["map_75_95"] is None  # not matched at 0.75:0.95


def test_to_dict_has_the_contract_keys():
    audit, _ = _audit(ANNS, A_RECS, B_RECS)
    d = json.loads(json.dumps(audit.to_dict()))
    assert d["likely_missing"]["count"] == 1
    assert d["likely_wrong_label"]["count"] == 1
    assert d["likely_missing"]["top_cases"][0]["a_bbox"] == [100.0, 100.0, 10.0, 10.0]
    assert set(d["if_completed"]["a"]) == set(AUDIT_METRICS)
    assert audit.to_frame().shape[0] == 1


def test_misuse_says_what_was_expected():
    gt = ground_truth(gt_doc(ANNS, categories=[1, 2, 3]))
    ta = match_detections(gt, detections(A_RECS, "a"), iou_thresholds=[0.5])
    tb = match_detections(gt, detections(B_RECS, "b"), iou_thresholds=[0.5])
    pairing = pair_models(ta.dets, tb.dets, score_threshold=0.3, pair_iou=0.5)
    with pytest.raises(ValueError, match=r"Expected a pairing made at score_threshold=0\.5"):
        audit_ground_truth(pairing, ta, tb, score_threshold=0.5, pair_iou=0.5)
    with pytest.raises(ValueError, match="near_iou"):
        audit_ground_truth(pairing, ta, tb, score_threshold=0.3, pair_iou=0.5, near_iou=0.7)
    with pytest.raises(TypeError, match="Pairing"):
        audit_ground_truth("pairs", ta, tb, score_threshold=0.3, pair_iou=0.5)


# --- on the sample ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    return doc, gt, a, b


def _run(gt, a, b):
    ev = [evaluate(gt, x) for x in (a, b)]
    pairing = pair_models(ev[0].matches.dets, ev[1].matches.dets, score_threshold=0.5, pair_iou=0.5)
    audit = audit_ground_truth(
        pairing,
        ev[0].matches,
        ev[1].matches,
        score_threshold=0.5,
        pair_iou=0.5,
        iou_thresholds=ev[0].coco.iou_thresholds,
    )
    return ev, pairing, audit


@pytest.fixture(scope="module")
def quarter_deleted(sample):
    """The sample's GT with a quarter of its annotations deleted (a fixed random choice)."""
    doc, _, a, b = sample
    n = len(doc["annotations"])
    deleted = np.zeros(n, dtype=bool)
    deleted[np.random.default_rng(0).choice(n, size=n // 4, replace=False)] = True
    kept = dict(
        doc, annotations=[x for x, d in zip(doc["annotations"], deleted, strict=True) if not d]
    )
    gt = ground_truth_from_dict(kept, source="quarter_deleted.json")
    return deleted, *_run(gt, a, b)


def test_complete_sample_gt_has_no_likely_missing_annotation(sample):
    _, gt, a, b = sample
    ev, _, audit = _run(gt, a, b)
    assert audit.likely_missing.count == 0  # measured: 0 (every sample pill is annotated)
    # ... so the estimate is the real numbers, which equal evaluate's.
    for side, e in zip("ab", ev, strict=True):
        assert audit.actual[side]["map"] == e.coco.stats["map"]
        assert audit.actual[side]["map_50"] == e.coco.stats["map_50"]
        assert audit.actual[side]["precision"] == e.operating_point.micro.precision
        assert audit.if_completed[side] == audit.actual[side]


def test_audit_finds_most_deleted_annotations_both_runs_found(sample, quarter_deleted):
    _, full, a, b = sample
    deleted, _, _, audit = quarter_deleted
    full_ev = [evaluate(full, x) for x in (a, b)]

    def found(e):  # GT boxes a detection with score >= 0.5 matched at IoU 0.5 (full GT)
        t = e.matches.threshold_index(0.5)
        rows = e.matches.gt_det[0, t].astype(np.int64)
        ok = rows >= 0
        ok[ok] = e.matches.dets.score[rows[ok]] >= 0.5
        return ok

    target = deleted & found(full_ev[0]) & found(full_ev[1])
    ann, m = full.annotations, audit.likely_missing
    recovered = np.zeros(len(ann), dtype=bool)
    case_hits = np.zeros(m.count, dtype=bool)
    for k in range(m.count):
        rows = np.flatnonzero((ann.image_id == m.image_id[k]) & deleted)
        iou = box_iou_pairs(np.repeat(m.a_bbox[k : k + 1], rows.size, axis=0), ann.bbox[rows])
        recovered[rows[iou >= 0.5]] = True
        case_hits[k] = (iou >= 0.5).any()
    recall = (recovered & target).sum() / target.sum()
    precision = case_hits.mean()
    # Measured on this deletion (and on four others): recall 1.0, precision 1.0 (242 cases for
    # 253 deleted boxes, 242 of them found by both runs).
    assert recall >= 0.95
    assert precision >= 0.95


def test_likely_missing_are_the_agree_pairs_adjudicated_no_gt(quarter_deleted):
    _, ev, pairing, audit = quarter_deleted
    d = adjudicate(pairing, ev[0].matches, ev[1].matches, *(classify_errors(e.matches) for e in ev))
    no_gt = (pairing.kind == PairKind.AGREE) & (d.verdict == Verdict.NO_GT)
    assert sorted(pairing.a_row[no_gt].tolist()) == sorted(audit.likely_missing.a_row.tolist())
    low = np.minimum(audit.likely_missing.a_score, audit.likely_missing.b_score)
    assert (np.diff(low) <= 0).all()  # most confident first


def test_completed_map_is_closer_to_the_full_gt_map(sample, quarter_deleted):
    _, full, a, b = sample
    _, ev, _, audit = quarter_deleted
    for side, run, e in zip("ab", (a, b), ev, strict=True):
        full_map = evaluate(full, run).coco.stats["map"]
        raw = e.coco.stats["map"]
        assert audit.actual[side]["map"] == raw
        assert abs(audit.if_completed[side]["map"] - full_map) < abs(raw - full_map)


def test_compare_carries_the_audit_and_its_json(sample):
    _, gt, a, b = sample
    r = compare(gt, a, b, n_bootstrap=0)
    assert r.gt_audit is not None
    d = r.to_dict()["gt_audit"]
    assert d["likely_missing"]["count"] == 0
    assert d["likely_wrong_label"]["count"] == r.gt_audit.likely_wrong_label.count
    assert d["actual"]["a"]["map_75_95"] == r.metrics()["a"]["map_75_95"]
    without = compare(None, a, b)
    assert without.gt_audit is None
    assert "gt_audit" not in without.to_dict()


def test_the_first_cases_are_the_first_rows_of_the_whole_table(quarter_deleted):
    *_, audit = quarter_deleted
    for part in (audit.likely_missing, audit.likely_wrong_label):
        whole = part.to_frame()
        assert len(whole) >= 2  # measured: 2 wrong labels, dozens of missing boxes
        for n in (0, 1, len(whole) - 1, len(whole) + 5):
            got = part.head(n).to_frame().to_dict(orient="records")
            assert got == whole.head(n).to_dict(orient="records")
