"""Cross-model pairing, verdicts from ground truth, and agreement without it.

Every hand-made case has its answer worked out in a comment. Boxes are (x, y, w, h); two 10x10
boxes at the same place have IoU 1.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from pill_compare.analysis.disagreements import (
    Pairing,
    PairKind,
    Verdict,
    adjudicate,
    agreement,
    pair_models,
)
from pill_compare.analysis.error_types import ErrorType, classify_errors
from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import FP, IGNORED, TP, match_detections
from pill_compare.io import load_ground_truth, load_results
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc, random_case
from tests.conftest import SAMPLE

E = ErrorType
#: Every verdict key at 0 (the issue's four first).
NO_VERDICTS = dict.fromkeys(
    ("a_right", "b_right", "both_wrong", "no_gt", "both_right", "ignored"), 0
)


def _d(image_id, category_id, score, x=0.0, y=0.0, w=10.0, h=10.0):
    return {
        "image_id": image_id,
        "category_id": category_id,
        "bbox": box(x, y, w, h),
        "score": score,
    }


def _g(image_id, category_id, x=0.0, y=0.0, w=10.0, h=10.0, iscrowd=0):
    return {
        "image_id": image_id,
        "category_id": category_id,
        "bbox": box(x, y, w, h),
        "iscrowd": iscrowd,
    }


def _judge(anns, a_records, b_records, image_ids=None, categories=None, **kwargs):
    gt = ground_truth(gt_doc(anns, image_ids=image_ids, categories=categories))
    tables = [
        match_detections(gt, detections(r, name=n), iou_thresholds=[0.5])
        for r, n in ((a_records, "a"), (b_records, "b"))
    ]
    pairing = pair_models(tables[0].dets, tables[1].dets, **kwargs)
    errors = [classify_errors(t) for t in tables]
    return adjudicate(pairing, *tables, *errors)


def _only(d, kind):
    """The single item of ``kind``: (its index, verdict code)."""
    (k,) = np.flatnonzero(d.pairing.kind == kind)
    return k, int(d.verdict[k])


# --- one case per verdict ----------------------------------------------------------------------


def test_a_right_when_only_a_names_the_gt_class():
    # GT: class 1 at the origin. A says 1, B says 2, both on the GT box (IoU 1 with each other):
    # a class swap; A's box is a TP of class 1, B's is an FP with a CLS error (IoU 1 >= fg with a
    # box of another class).
    d = _judge([_g(1, 1)], [_d(1, 1, 0.9)], [_d(1, 2, 0.8)], categories=[1, 2])
    k, verdict = _only(d, PairKind.CLASS_SWAP)
    assert verdict == Verdict.A_RIGHT
    assert (d.a_status[k], d.b_status[k]) == (TP, FP)
    assert (d.a_error[k], d.b_error[k]) == (E.NONE, E.CLS)
    assert d.a_gt[k] == d.b_gt[k] == 0  # both boxes sit on GT row 0
    assert d.swap_verdicts() == {**NO_VERDICTS, "a_right": 1}


def test_b_right_when_only_b_names_the_gt_class():
    # The mirror of the case above: GT class 2; A says 1, B says 2.
    d = _judge([_g(1, 2)], [_d(1, 1, 0.9)], [_d(1, 2, 0.8)], categories=[1, 2])
    _, verdict = _only(d, PairKind.CLASS_SWAP)
    assert verdict == Verdict.B_RIGHT


def test_both_wrong_when_the_gt_has_a_third_class():
    # GT class 3 on the box; A says 1, B says 2: neither is a TP, a GT object is there
    # (IoU 1 >= 0.1): both wrong, both CLS errors.
    d = _judge([_g(1, 3)], [_d(1, 1, 0.9)], [_d(1, 2, 0.8)], categories=[1, 2, 3])
    k, verdict = _only(d, PairKind.CLASS_SWAP)
    assert verdict == Verdict.BOTH_WRONG
    assert (d.a_error[k], d.b_error[k]) == (E.CLS, E.CLS)


def test_both_wrong_when_the_right_class_is_too_poorly_localized():
    # GT class 1 at (0,0,10,10). A says 1 on (0,0,10,4): IoU 40/100 = 0.4 < 0.5, a LOC error.
    # B says 2 on (0,0,10,5): IoU 50/100 = 0.5 with a box of another class, a CLS error.
    # A vs B: 40/50 = 0.8, so they pair (a swap). Neither is a TP; the GT is there: both wrong.
    d = _judge([_g(1, 1)], [_d(1, 1, 0.9, h=4)], [_d(1, 2, 0.8, h=5)], categories=[1, 2])
    k, verdict = _only(d, PairKind.CLASS_SWAP)
    assert verdict == Verdict.BOTH_WRONG
    assert (d.a_error[k], d.b_error[k]) == (E.LOC, E.CLS)
    assert d.pairing.iou[k] == pytest.approx(0.8)


def test_no_gt_when_both_boxes_are_on_background():
    # GT class 1 at the origin; A (class 1) and B (class 2) both at (50,50): no GT overlaps them
    # (IoU 0 < 0.1): no GT object there; both are BKG errors and no GT is "there".
    d = _judge([_g(1, 1)], [_d(1, 1, 0.9, 50, 50)], [_d(1, 2, 0.8, 50, 50)], categories=[1, 2])
    k, verdict = _only(d, PairKind.CLASS_SWAP)
    assert verdict == Verdict.NO_GT
    assert (d.a_error[k], d.b_error[k]) == (E.BKG, E.BKG)
    assert d.a_gt[k] == d.b_gt[k] == -1


def test_both_right_when_two_overlapping_gts_have_the_two_classes():
    # GT row 0: class 1 at (0,0,10,10); GT row 1: class 2 at (0,0,10,9) (two pills stacked).
    # A says 1 on row 0's box (IoU 1), B says 2 on row 1's box (IoU 1). A vs B: 90/100 = 0.9,
    # so they pair as a swap, yet each is a TP of its own GT: both right.
    d = _judge([_g(1, 1), _g(1, 2, h=9)], [_d(1, 1, 0.9)], [_d(1, 2, 0.8, h=9)])
    k, verdict = _only(d, PairKind.CLASS_SWAP)
    assert verdict == Verdict.BOTH_RIGHT
    assert (d.a_gt[k], d.b_gt[k]) == (0, 1)


def test_ignored_when_a_crowd_region_absorbs_a_box_and_neither_is_right():
    # A class-1 crowd region (0,0,100,100); A says 1 on (10,10,10,10): absorbed (ignored). B says
    # 2 there: no class-2 GT, an FP; no regular GT box anywhere near (BKG). Verdict: ignored.
    d = _judge(
        [_g(1, 1, 0, 0, 100, 100, iscrowd=1), _g(1, 2, 300, 300)],
        [_d(1, 1, 0.9, 10, 10)],
        [_d(1, 2, 0.8, 10, 10)],
    )
    k, verdict = _only(d, PairKind.CLASS_SWAP)
    assert verdict == Verdict.IGNORED
    assert (d.a_status[k], d.b_status[k]) == (IGNORED, FP)
    assert d.a_gt[k] == 0  # the crowd region that absorbed it
    assert d.b_error[k] == E.BKG


def test_an_agreeing_pair_gets_a_verdict_too():
    # GT class 1 at the origin; A says 1 on it, B says 1 two px to the right: IoU 8/12 = 0.667
    # with the GT and with A's box. They pair and agree; each run's box is a TP in its own
    # match table: both right.
    d = _judge([_g(1, 1)], [_d(1, 1, 0.9)], [_d(1, 1, 0.8, x=2)])
    _, verdict = _only(d, PairKind.AGREE)
    assert verdict == Verdict.BOTH_RIGHT
    assert d.agree_verdicts()["both_right"] == 1


# --- one-sided boxes ---------------------------------------------------------------------------


def test_one_sided_boxes_are_right_or_wrong_with_their_tide_type():
    # GT: image 1 class 1 at x=0 and class 1 at x=100; image 2 class 2 at x=0.
    # A: on GT x=0 (0.9) and again on it (0.8, a duplicate), on GT x=100 (0.7, only A finds it).
    # B: on GT x=0 (0.85); at (300,0) on nothing (0.6); in image 2 class 2 shifted 5 px
    #    (IoU 5/15 = 0.33: LOC).
    # Pairing visits 0.9 (A0) -> B0 (IoU 1); 0.85 (B0) taken; 0.8 (A1): B0 taken -> a_only;
    # 0.7 (A2) -> nothing -> a_only; B1 and B2 -> b_only.
    anns = [_g(1, 1), _g(1, 1, 100), _g(2, 2)]
    a = [_d(1, 1, 0.9), _d(1, 1, 0.8), _d(1, 1, 0.7, 100)]
    b = [_d(1, 1, 0.85), _d(1, 1, 0.6, 300), _d(2, 2, 0.5, 5)]
    d = _judge(anns, a, b)
    assert d.pairing.counts() == {"agree": 1, "class_swap": 0, "a_only": 2, "b_only": 2}
    got = {}
    for r in d.to_frame().to_dict(orient="records"):
        side = {"a_only": "a", "b_only": "b"}.get(r["kind"])
        if side:
            got[(r["kind"], r[f"{side}_row"])] = (r[f"{side}_status"], r[f"{side}_error"])
    assert got == {
        ("a_only", 1): ("FP", "dupe"),
        ("a_only", 2): ("TP", "none"),
        ("b_only", 1): ("FP", "bkg"),
        ("b_only", 2): ("FP", "loc"),
    }
    one = d.one_sided()
    assert one["a_only"] == {
        "boxes": 2,
        "right": 1,
        "wrong": 1,
        "ignored": 0,
        "errors": {"none": 0, "cls": 0, "loc": 0, "both": 0, "dupe": 1, "bkg": 0},
    }
    assert one["b_only"]["errors"] == {
        "none": 0,
        "cls": 0,
        "loc": 1,
        "both": 0,
        "dupe": 0,
        "bkg": 1,
    }
    assert (d.verdict[d.pairing.kind >= PairKind.A_ONLY] == -1).all()


# --- the pairing rule --------------------------------------------------------------------------


def _boxes(records, name):
    return detections(records, name=name)


def test_pairing_gives_each_visiting_box_its_best_free_partner():
    # A0 (0.9) at x=0, A1 (0.5) at x=3; B0 (0.8) at x=2.5, B1 (0.7) at x=0.5 (10x10 boxes:
    # IoU = (10 - dx) / (10 + dx)). A0-B1 9.5/10.5 = 0.90, A0-B0 7.5/12.5 = 0.6,
    # A1-B0 0.90, A1-B1 0.6. Visits: A0 (0.9) takes B1; B0 (0.8) takes A1; the rest are taken.
    a = _boxes([_d(1, 1, 0.9), _d(1, 2, 0.5, x=3)], "a")
    b = _boxes([_d(1, 2, 0.8, x=2.5), _d(1, 1, 0.7, x=0.5)], "b")
    p = pair_models(a, b)
    assert p.a_partner.tolist() == [1, 0]
    assert p.b_partner.tolist() == [1, 0]
    assert p.counts() == {"agree": 2, "class_swap": 0, "a_only": 0, "b_only": 0}
    assert p.iou.tolist() == pytest.approx([9.5 / 10.5, 9.5 / 10.5])


def test_pairing_takes_a_higher_scored_b_box_before_a_weaker_a_box_chooses():
    # A0 (0.6) and B0 (0.9), B1 (0.7). B0 overlaps A0 (IoU 0.8); B1 overlaps A0 (IoU 0.9).
    # Visiting by score: B0 (0.9) takes A0 first, so B1 is unpaired, although A0 would prefer
    # B1 (higher IoU). Visiting A's boxes alone by A's score would give (A0, B1).
    a = _boxes([_d(1, 1, 0.6)], "a")
    b = _boxes([_d(1, 1, 0.9, h=8), _d(1, 1, 0.7, h=9)], "b")
    p = pair_models(a, b)
    assert p.a_partner.tolist() == [0]
    assert p.counts()["b_only"] == 1


def test_equal_scores_across_runs_visit_a_first_the_one_asymmetry():
    # A0 and B0 both score 0.8; B1 0.5. A0-B0 IoU 0.7, A0-B1 IoU 0.9; B0 meets only A0.
    # pair_models(a, b): A0 visits first and takes B1 (its best IoU); B0 is left alone.
    # pair_models(b, a): B0 is now the first run's box and visits first: it takes A0.
    a = _boxes([_d(1, 1, 0.8)], "a")
    b = _boxes([_d(1, 1, 0.8, h=7), _d(1, 1, 0.5, h=9)], "b")
    assert pair_models(a, b).a_partner.tolist() == [1]
    assert pair_models(b, a).b_partner.tolist() == [0]


def test_score_threshold_and_pair_iou_are_applied():
    # B's box at IoU 8/12 = 0.667 with A's: it pairs at pair_iou 0.5 but not at 0.7; a box
    # below the score threshold takes no part at all.
    a = _boxes([_d(1, 1, 0.9), _d(1, 1, 0.3, x=50)], "a")
    b = _boxes([_d(1, 1, 0.9, x=2)], "b")
    assert pair_models(a, b).counts() == {"agree": 1, "class_swap": 0, "a_only": 0, "b_only": 0}
    assert pair_models(a, b, pair_iou=0.7).counts()["a_only"] == 1
    everything = pair_models(a, b, score_threshold=0)
    assert everything.counts()["a_only"] == 1 and everything.boxes == {"a": 2, "b": 1}


def test_boxes_of_different_images_never_pair():
    a = _boxes([_d(1, 1, 0.9)], "a")
    b = _boxes([_d(2, 1, 0.9)], "b")
    assert pair_models(a, b).counts() == {"agree": 0, "class_swap": 0, "a_only": 1, "b_only": 1}


def test_empty_runs_give_an_empty_pairing():
    empty = _boxes([], "a")
    p = pair_models(empty, _boxes([], "b"))
    assert len(p) == 0 and p.counts()["agree"] == 0
    ag = agreement(p, image_ids=[1, 2])
    assert ag.rate is None and ag.kappa is None and np.isnan(ag.image_rate).all()


def _mirror_rows(p: Pairing) -> set[tuple]:
    swap = {PairKind.A_ONLY: PairKind.B_ONLY, PairKind.B_ONLY: PairKind.A_ONLY}
    return {
        (int(i), int(swap.get(k, k)), int(br), int(ar))
        for i, k, ar, br in zip(p.image_id, p.kind, p.a_row, p.b_row, strict=True)
    }


def _rows(p: Pairing) -> set[tuple]:
    return {
        (int(i), int(k), int(ar), int(br))
        for i, k, ar, br in zip(p.image_id, p.kind, p.a_row, p.b_row, strict=True)
    }


def _jittered(results, categories, seed):
    """Another run of the same images: boxes moved a little, some classes changed, some dropped,
    new scores (continuous, so no score equals one of the first run's)."""
    rng = np.random.default_rng(seed)
    cats = [c["id"] for c in categories]
    out = []
    for r in results:
        if rng.random() < 0.15:
            continue
        x, y, w, h = r["bbox"]
        out.append(
            {
                "image_id": r["image_id"],
                "category_id": r["category_id"] if rng.random() < 0.8 else int(rng.choice(cats)),
                "bbox": [x + rng.normal(0, 2), y + rng.normal(0, 2), w, h],
                "score": float(rng.uniform(0.3, 1.0)),
            }
        )
    return out


@pytest.mark.parametrize("seed", range(40))
def test_pair_models_b_a_mirrors_pair_models_a_b(seed):
    case = random_case(seed)
    gt = ground_truth(case.gt)
    a = detections(case.results, name="a")
    b = detections(_jittered(case.results, case.gt["categories"], seed), name="b")
    assert not np.isin(b.score, a.score).any()  # the rule's one asymmetry cannot arise
    ab, ba = pair_models(a, b, score_threshold=0.4), pair_models(b, a, score_threshold=0.4)
    assert _rows(ab) == _mirror_rows(ba)
    assert ab.a_partner.tolist() == ba.b_partner.tolist()
    if not len(gt.annotations):
        return
    tables = {r.name: match_detections(gt, r, iou_thresholds=[0.5]) for r in (a, b)}
    errors = {k: classify_errors(t) for k, t in tables.items()}
    d_ab = adjudicate(ab, tables["a"], tables["b"], errors["a"], errors["b"])
    d_ba = adjudicate(ba, tables["b"], tables["a"], errors["b"], errors["a"])
    swap = {"a_right": "b_right", "b_right": "a_right"}
    v_ab = d_ab.swap_verdicts()
    assert {swap.get(k, k): n for k, n in d_ba.swap_verdicts().items()} == v_ab
    mirrored = {
        (s.b, s.a, s.image_ids, tuple(s.verdicts[swap.get(k, k)] for k in sorted(s.verdicts)))
        for s in d_ba.swap_patterns
    }
    assert mirrored == {
        (s.a, s.b, s.image_ids, tuple(s.verdicts[k] for k in sorted(s.verdicts)))
        for s in d_ab.swap_patterns
    }
    ag_ab, ag_ba = agreement(ab), agreement(ba)
    assert ag_ab.kappa == ag_ba.kappa and ag_ab.rate == ag_ba.rate


def _pairs_by_edges(a, b, score_threshold, pair_iou):
    """The docstring's equivalent rule, pair by pair: every (A box, B box) of one image with
    IoU >= pair_iou, taken in order of descending max(score_a, score_b), then descending IoU,
    then the later box of the lower-scored side, when both boxes are still free."""
    from pill_compare.analysis.boxes import box_iou_pairs

    ka = [i for i in range(len(a)) if a.score[i] >= score_threshold]
    kb = [j for j in range(len(b)) if b.score[j] >= score_threshold]
    edges = []
    for i in ka:
        for j in kb:
            if a.image_id[i] != b.image_id[j]:
                continue
            iou = box_iou_pairs(a.bbox[i : i + 1], b.bbox[j : j + 1])[0]
            if iou >= pair_iou:
                low = j if a.score[i] > b.score[j] else i
                edges.append((-max(a.score[i], b.score[j]), -iou, -low, i, j))
    free_a, free_b, out = set(ka), set(kb), set()
    for *_, i, j in sorted(edges):
        if i in free_a and j in free_b:
            free_a.discard(i)
            free_b.discard(j)
            out.add((i, j))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_with_distinct_scores_pairs_are_taken_by_max_score_then_iou(seed):
    # Every score distinct, within each run too (random_case ties scores on purpose).
    case = random_case(seed)
    rng = np.random.default_rng(10_000 + seed)  # not _jittered's stream
    results = [dict(r, score=float(rng.uniform(0.3, 1.0))) for r in case.results]
    a = detections(results, name="a")
    b = detections(_jittered(results, case.gt["categories"], seed), name="b")
    assert np.unique(np.r_[a.score, b.score]).size == len(a) + len(b)
    p = pair_models(a, b, score_threshold=0.4)
    got = {(int(i), int(j)) for i, j in enumerate(p.a_partner) if j >= 0}
    assert got == _pairs_by_edges(a, b, 0.4, 0.5)


# --- agreement without ground truth ------------------------------------------------------------


def _labelled(pairs, a_extra=(), b_extra=()):
    """Runs A and B with one box per (image, A class, B class) pair at its own place (x = 20 k),
    plus unpaired boxes (image, class) far apart (y = 500 + 20 k)."""
    a, b = [], []
    for k, (image_id, ca, cb) in enumerate(pairs):
        a.append(_d(image_id, ca, 0.9, x=20 * k))
        b.append(_d(image_id, cb, 0.8, x=20 * k))
    for k, (image_id, c) in enumerate(a_extra):
        a.append(_d(image_id, c, 0.7, y=500 + 20 * k))
    for k, (image_id, c) in enumerate(b_extra):
        b.append(_d(image_id, c, 0.7, y=900 + 20 * k))
    return pair_models(_boxes(a, "a"), _boxes(b, "b"))


def test_cohens_kappa_equals_the_hand_computation():
    # 10 pairs: (1,1) x4, (2,2) x3, (1,2) x2, (2,1) x1, plus one A-only box (not a pair).
    # p_o = 7/10. A says 1 on 6 pairs, 2 on 4; B says 1 on 5, 2 on 5.
    # p_e = (6*5 + 4*5) / 100 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    pairs = [(1, 1, 1)] * 4 + [(1, 2, 2)] * 3 + [(1, 1, 2)] * 2 + [(1, 2, 1)]
    ag = agreement(_labelled(pairs, a_extra=[(1, 1)]))
    assert ag.p_observed == pytest.approx(0.7)
    assert ag.p_expected == pytest.approx(0.5)
    assert ag.kappa == pytest.approx(0.4)
    assert ag.pairs == 10
    assert ag.rate == pytest.approx(7 / 11)  # 7 agreeing of 11 items (10 pairs + 1 one-sided)


def test_kappa_is_undefined_when_both_runs_use_one_category_everywhere():
    # Every pair (1, 1): p_o = p_e = 1, kappa = 0/0: undefined, not 1.
    ag = agreement(_labelled([(1, 1, 1)] * 3))
    assert ag.p_expected == 1.0 and ag.kappa is None and ag.rate == 1.0


def test_agreement_rates_per_image_and_per_class():
    # Image 1: 2 agreeing pairs (class 1), 1 swap (A 1, B 2), 1 A-only (class 3): 2/4 = 0.5.
    # Image 2: nothing, but listed in image_ids: undefined. Image 3: one B-only (class 2): 0/1.
    # Class 1: agree 2, swap as A 1 -> 2/3. Class 2: swap as B 1, B-only 1 -> 0/2.
    # Class 3: A-only 1 -> 0/1. Overall 2 of 5 items; mean over defined images (0.5 + 0) / 2 = 0.25.
    p = _labelled([(1, 1, 1), (1, 1, 1), (1, 1, 2)], a_extra=[(1, 3)], b_extra=[(3, 2)])
    ag = agreement(p, image_ids=[2, 1])
    frame = ag.to_frame()
    assert frame.image_id.tolist() == [1, 2, 3]
    assert frame[["agree", "class_swap", "a_only", "b_only"]].values.tolist() == [
        [2, 1, 1, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 1],
    ]
    assert frame.agreement_rate.tolist()[0] == 0.5 and np.isnan(frame.agreement_rate[1])
    assert frame.agreement_rate[2] == 0.0
    classes = ag.class_frame().set_index("category_id")
    assert classes.agreement_rate.to_dict() == {1: 2 / 3, 2: 0.0, 3: 0.0}
    assert classes.loc[1, ["a_boxes", "b_boxes", "agree", "swap_as_a"]].tolist() == [3, 2, 2, 1]
    assert ag.rate == pytest.approx(2 / 5)
    assert ag.mean_image_rate == pytest.approx(0.25)
    out = ag.to_dict()
    json.dumps(out)
    assert out["per_image"][1]["agreement_rate"] is None
    assert set(out) >= {"agreement_rate", "kappa", "per_image", "per_class", "counts"}
    assert "accuracy" not in json.dumps(out)


def test_disagreements_by_class_counts_swaps_on_both_sides_and_one_sided_boxes():
    p = _labelled([(1, 1, 1), (1, 1, 2)], a_extra=[(1, 3)], b_extra=[(3, 2)])
    # class 2: the swap (B side) and the B-only box; class 1: the swap (A side); class 3: A-only.
    assert p.disagreements_by_class() == {2: 2, 1: 1, 3: 1}


# --- results, JSON and misuse ------------------------------------------------------------------


def test_to_dict_has_the_compare_contract_keys_and_is_json():
    d = _judge([_g(1, 1)], [_d(1, 1, 0.9)], [_d(1, 2, 0.8)], categories=[1, 2])
    out = d.to_dict()
    json.dumps(out)
    assert set(out["counts"]) == {"agree", "class_swap", "a_only", "b_only"}
    assert {"a_right", "b_right", "both_wrong", "no_gt"} <= set(out["swap_verdicts"])
    (pattern,) = out["swap_patterns"]
    assert pattern == {
        "a": 1,
        "b": 2,
        "swaps": 1,
        "images": 1,
        "image_ids": [1],
        **NO_VERDICTS,
        "a_right": 1,
    }
    patterns = d.patterns_frame()
    assert patterns.loc[0, ["a", "a_name", "b", "b_name"]].tolist() == [1, "pill_1", 2, "pill_2"]
    assert "Disagreements(" in repr(d) and "Pairing(" in repr(d.pairing)


def test_adjudicate_refuses_a_pairing_of_other_detections():
    gt = ground_truth(gt_doc([_g(1, 1)]))
    a, b = detections([_d(1, 1, 0.9)], "a"), detections([_d(1, 1, 0.8)], "b")
    ta, tb = (match_detections(gt, r, iou_thresholds=[0.5]) for r in (a, b))
    other = pair_models(detections([_d(1, 1, 0.9), _d(1, 1, 0.5)], "a"), b)
    with pytest.raises(ValueError, match=r"Expected pairing.a to be the detections of table_a"):
        adjudicate(other, ta, tb, classify_errors(ta), classify_errors(tb))
    with pytest.raises(ValueError, match="Expected errors_b for the 1 detections of its table"):
        adjudicate(pair_models(a, b), ta, tb, classify_errors(ta), classify_errors(ta_two(gt)))
    gt2 = ground_truth(gt_doc([_g(1, 1, x=5)]))
    tb2 = match_detections(gt2, b, iou_thresholds=[0.5])
    with pytest.raises(ValueError, match="Expected table_a and table_b matched against one"):
        adjudicate(pair_models(a, b), ta, tb2, classify_errors(ta), classify_errors(tb2))
    with pytest.raises(ValueError, match="Expected one of the matched IoU thresholds"):
        adjudicate(
            pair_models(a, b), ta, tb, classify_errors(ta), classify_errors(tb), iou_threshold=0.75
        )
    with pytest.raises(TypeError, match="Expected pairing to be Pairing, got dict"):
        adjudicate({}, ta, tb, classify_errors(ta), classify_errors(tb))
    with pytest.raises(TypeError, match="Expected errors_a to be ErrorAssignment, got MatchTable"):
        adjudicate(pair_models(a, b), ta, tb, ta, classify_errors(tb))


def ta_two(gt):
    """A table of two detections (an error assignment that fits no one-detection table)."""
    return match_detections(gt, detections([_d(1, 1, 0.9), _d(1, 1, 0.5)]), iou_thresholds=[0.5])


def test_pair_models_refuses_bad_arguments():
    a = detections([_d(1, 1, 0.9)], "a")
    with pytest.raises(TypeError, match=r"pair_models\(\) expects Detections for a and b"):
        pair_models("a.json", a)
    with pytest.raises(ValueError, match=r"Expected pair_iou to be a finite number > 0 and <= 1"):
        pair_models(a, a, pair_iou=0)
    with pytest.raises(ValueError, match="Expected score_threshold to be a finite number >= 0"):
        pair_models(a, a, score_threshold=-1)
    with pytest.raises(TypeError, match="Expected image_ids to be a sequence of int, got str"):
        agreement(pair_models(a, a), image_ids="12")


# --- the bundled sample ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    runs = {
        n: evaluate(gt, load_results(SAMPLE / f"{n}.json", gt=gt))
        for n in ("efficientnet_b3", "resnet101")
    }
    return gt, runs["efficientnet_b3"].matches, runs["resnet101"].matches


def test_sample_look_alike_pills_appear_as_swap_patterns_with_verdicts(sample):
    gt, ta, tb = sample
    pairing = pair_models(ta.dets, tb.dets)
    d = adjudicate(pairing, ta, tb, classify_errors(ta), classify_errors(tb))
    assert pairing.names == ("efficientnet_b3", "resnet101")
    assert pairing.counts() == {"agree": 953, "class_swap": 41, "a_only": 6, "b_only": 14}
    assert d.swap_verdicts()["a_right"] == 5 and d.swap_verdicts()["b_right"] == 36
    top = {(s.a, s.b): s for s in d.swap_patterns[:2]}
    # The seed's look-alikes: white oval 34596 -> 30307 and white round 25366 -> 10223, where
    # efficientnet_b3 says the first and resnet101 the second; the ground truth sides with
    # resnet101 every time.
    assert set(top) == {(34596, 30307), (25366, 10223)}
    assert top[(34596, 30307)].swaps == 12 and top[(34596, 30307)].verdicts["b_right"] == 12
    seed_pair = top[(25366, 10223)]
    assert seed_pair.swaps == seed_pair.images == seed_pair.verdicts["b_right"] == 10
    assert [s.swaps for s in d.swap_patterns] == sorted(
        (s.swaps for s in d.swap_patterns), reverse=True
    )
    assert gt.category_names[25366].endswith("white round")
    # The same pairs seen from the other side: the mirror.
    back = pair_models(tb.dets, ta.dets)
    assert _rows(pairing) == _mirror_rows(back)


def test_code_labels_are_the_names_of_the_codes_and_none_for_no_box():
    from pill_compare.analysis.disagreements import _labels

    codes = np.array([2, -1, 0, 5, 2, 7, -3], dtype=np.int8)  # 5 has no name, 7 lies beyond
    got = _labels(codes, {0: "tp", 2: "fp", 3: "fn"})
    assert got.dtype == object
    assert got.tolist() == ["fp", None, "tp", None, "fp", None, None]
    assert _labels(np.array([], dtype=np.int8), {0: "tp"}).tolist() == []
    assert _labels(np.array([-1, -1]), {0: "tp"}).tolist() == [None, None]


def test_the_pair_tables_labels_are_python_strings_or_none():
    # Object columns, as pandas 2 made them: pandas 3's string dtype cost the report's files
    # a conversion back per column.
    anns = [_g(1, 1), _g(1, 1, 100)]
    d = _judge(anns, [_d(1, 1, 0.9)], [_d(1, 2, 0.8), _d(1, 1, 0.7, 100)])
    frame = d.to_frame()
    for column in ("kind", "a_status", "a_error", "b_status", "b_error", "verdict"):
        assert frame[column].dtype == object, column
    assert set(frame["kind"]) == {"class_swap", "b_only"}
    assert None in set(frame["a_status"])  # the b_only row has no A box
    assert d.pairing.to_frame()["kind"].dtype == object
