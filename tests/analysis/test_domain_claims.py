"""The domain's claims: a permutation test countable by hand, Mann-Whitney equal to scipy's, the
sample's planted look-alike swaps found, and 'not testable' where the data cannot answer."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import scipy.stats

from pill_compare.analysis.domain_claims import (
    class_attributes,
    compute_domain_claims,
    imprint_of,
    look_of,
    mann_whitney,
    same_label_permutation_test,
)
from pill_compare.analysis.evaluate import evaluate
from pill_compare.core import GroundTruth
from pill_compare.io import load_ground_truth, load_results
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc
from tests.conftest import SAMPLE

WHITE_ROUND = {"drug_shape": "원형", "color_class1": "하양", "print_front": "", "print_back": ""}
YELLOW_OVAL = {"drug_shape": "타원형", "color_class1": "노랑", "print_front": "Y", "print_back": ""}


def test_permutation_test_over_three_classes_counts_every_ordering():
    # Classes A, B, C labelled (x, x, y); 2 swaps A→B, 1 swap A→C: 2 of 3 swaps look-alike.
    # Of the 3! = 6 orderings of the labels, 2 put y on C (A, B alike: 2 same), 2 on B (A, C
    # alike: 1 same), 2 on A (0 same): p = #{same >= 2} / 6 = 2/6; mean share (2+2+1+1+0+0)/6/3.
    r = same_label_permutation_test(
        np.array([[0, 1], [0, 2]]), np.array([2, 1]), np.array([0, 0, 1])
    )
    assert (r.same, r.total, r.exact, r.permutations) == (2, 3, True, 6)
    assert r.p_value == pytest.approx(2 / 6)
    assert r.null_mean == pytest.approx(6 / 18)


def test_permutation_test_draws_random_orderings_when_there_are_too_many():
    # 8 classes (8! = 40320 > 200): random permutations, p = (1 + hits) / (1 + 200).
    labels = np.array([0, 0, 1, 2, 3, 4, 5, 6])
    pairs, counts = np.array([[0, 1], [2, 3]]), np.array([5, 1])
    r = same_label_permutation_test(pairs, counts, labels, n_permutations=200, seed=3)
    assert not r.exact and r.permutations == 200
    hits = 201 * r.p_value - 1  # permutations with at least as many alike swaps
    assert hits == pytest.approx(round(hits))
    # only 1 pair of 28 is alike: a permutation keeps the 5 swaps alike with probability 1/28
    assert r.p_value < 0.1
    again = same_label_permutation_test(pairs, counts, labels, n_permutations=200, seed=3)
    assert again == r  # a fixed generator: the same p every run
    # no swap is alike: every permutation has at least as many, p = (1 + 200) / (1 + 200)
    none = same_label_permutation_test(
        np.array([[2, 3]]), np.array([4]), labels, n_permutations=200
    )
    assert none.same == 0 and none.p_value == 1.0
    with pytest.raises(ValueError, match="Expected at least one swap, got none"):
        same_label_permutation_test(pairs, np.array([0, 0]), labels)


def test_mann_whitney_equals_scipy_and_names_its_method():
    # No overlap: U of the lower group is 0; exact p = 1 / C(7, 3) = 1/35 (one ordering of 35).
    u, p, method = mann_whitney([0.1, 0.2, 0.3], [0.4, 0.5, 0.6, 0.7], "less")
    assert (u, method) == (0.0, "exact") and p == pytest.approx(1 / 35)
    # A tie across the groups: scipy's normal approximation (tie and continuity corrections).
    x, y = [0.1, 0.5, 0.3], [0.5, 0.6, 0.9, 0.8]
    u, p, method = mann_whitney(x, y, "less")
    ref = scipy.stats.mannwhitneyu(x, y, alternative="less", method="asymptotic")
    assert method == "asymptotic" and (u, p) == (ref.statistic, ref.pvalue)
    # More than 8 in a group: asymptotic too, as scipy's 'auto' would choose.
    x, y = list(range(9)), [3.5, 20.5, 30.5]
    u, p, method = mann_whitney(x, y, "greater")
    assert method == "asymptotic"
    assert p == scipy.stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic").pvalue


def test_a_class_takes_its_most_frequent_attribute_value():
    doc = gt_doc(
        [
            {
                "image_id": 1,
                "category_id": 7,
                "bbox": box(0, 0, 9, 9),
                "attributes": {"drug_shape": "원형"},
            },
            {
                "image_id": 2,
                "category_id": 7,
                "bbox": box(0, 0, 9, 9),
                "attributes": {"drug_shape": " 원형 "},
            },
            {
                "image_id": 3,
                "category_id": 7,
                "bbox": box(0, 0, 9, 9),
                "attributes": {"drug_shape": "타원형"},
            },
            {"image_id": 4, "category_id": 8, "bbox": box(0, 0, 9, 9)},
        ]
    )
    got = class_attributes(ground_truth(doc), ["drug_shape", "print_front"])
    assert got == {7: {"drug_shape": "원형"}, 8: {}}


def test_look_and_imprint_of_a_class():
    assert look_of(WHITE_ROUND) == ("원형", "하양", "")
    assert look_of({"drug_shape": "원형", "color_class1": ""}) is None  # colour unknown
    assert look_of({}) is None
    assert imprint_of(WHITE_ROUND) is False  # both sides empty: no imprint
    assert imprint_of({"print_back": "5"}) is True
    assert imprint_of({"print_front": ""}) is False  # one side known and empty
    assert imprint_of({"drug_shape": "원형"}) is None


def _swap_case():
    """Classes 1, 2 (white round, no imprint) and 3 (yellow oval, imprinted), 3 images each.
    Run A calls two class-1 pills class 2 and one class-1 pill class 3, the rest right; run B
    gets everything right. Swaps: 1→2 twice (alike), 1→3 once: same = 2 of 3; the exact
    permutation test gives p = 2/6 (see the three-class test above): not supported."""
    attrs = {1: WHITE_ROUND, 2: WHITE_ROUND, 3: YELLOW_OVAL}
    anns, a, b = [], [], []
    for k, cat in enumerate([1, 1, 1, 2, 2, 2, 3, 3, 3], start=1):
        bb = box(10, 10, 50, 50)
        anns.append({"image_id": k, "category_id": cat, "bbox": bb, "attributes": attrs[cat]})
        called = {1: 2, 2: 2, 3: 3}.get(k, cat)
        a.append({"image_id": k, "category_id": called, "bbox": bb, "score": 0.9})
        b.append({"image_id": k, "category_id": cat, "bbox": bb, "score": 0.9})
    gt = ground_truth(gt_doc(anns))
    return gt, evaluate(gt, detections(a, "a")), evaluate(gt, detections(b, "b"))


def test_hand_made_swaps_are_tested_exactly():
    gt, ev_a, ev_b = _swap_case()
    claims = compute_domain_claims(gt, ev_a, ev_b)
    swaps = claims.claim("look_alike_swaps", "pooled")
    assert (swaps.verdict, swaps.reason, swaps.test, swaps.alternative) == (
        "not_supported",
        "p_not_below_alpha",
        "permutation",
        "greater",
    )
    assert swaps.statistic == pytest.approx(2 / 3) and swaps.p_value == pytest.approx(2 / 6)
    assert swaps.n == 3
    assert swaps.details["exact"] is True and swaps.details["permutations"] == 6
    assert (swaps.details["swaps_a"], swaps.details["swaps_b"]) == (3, 0)
    assert swaps.details["look_alike_pairs"] == 1
    # Two imprint-less classes, one imprinted: fewer than 3 in a group, not testable.
    for scope in ("a", "b"):
        c = claims.claim("imprint_lower_ap", scope)
        assert (c.verdict, c.reason) == ("not_testable", "too_few_classes")
        assert (c.details["n_no_imprint"], c.details["n_imprint"]) == (2, 1)
    gap = claims.claim("imprint_larger_gap", "gap")
    assert (gap.verdict, gap.reason, gap.details["better"]) == (
        "not_testable",
        "too_few_classes",
        "b",
    )


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = evaluate(gt, load_results(SAMPLE / "efficientnet_b3.json", gt=gt))
    b = evaluate(gt, load_results(SAMPLE / "resnet101.json", gt=gt))
    return gt, a, b


def test_the_samples_planted_look_alike_swaps_are_found(sample):
    claims = compute_domain_claims(*sample)
    swaps = claims.claim("look_alike_swaps", "pooled")
    # measured: 45 swaps at score >= 0.5 (efficientnet_b3 38, resnet101 7), 35 of them between
    # classes of the same shape and colour (4.8 % expected): no permutation of 9,999 reaches
    # it, so p = 1 / 10,000, the smallest this test can give.
    assert (swaps.verdict, swaps.n, swaps.details["same"]) == ("supported", 45, 35)
    assert swaps.p_value == 1 / 10_000 and swaps.statistic == 35 / 45
    assert swaps.details["expected_share"] < 0.1
    top = [(s["gt"], s["predicted"]) for s in swaps.details["top_look_alike_swaps"]][:3]
    assert top == [(30307, 34596), (10223, 25366), (19231, 22073)]  # the planted pairs


def test_the_samples_imprint_claims_equal_scipy(sample):
    gt, ev_a, ev_b = sample
    claims = compute_domain_claims(gt, ev_a, ev_b)
    absent = [6191, 10223, 16550, 19231, 30307]
    for ev, scope in ((ev_a, "a"), (ev_b, "b")):
        ap = {c.category_id: c.ap for c in ev.coco.per_class if c.ap is not None}
        x = [ap[c] for c in absent]
        y = [v for c, v in sorted(ap.items()) if c not in absent]
        ref = scipy.stats.mannwhitneyu(x, y, alternative="less", method="asymptotic")
        c = claims.claim("imprint_lower_ap", scope)
        assert (c.statistic, c.p_value, c.n) == (ref.statistic, ref.pvalue, 21)
        assert c.details["no_imprint"] == absent and c.details["method"] == "asymptotic"
    # measured: efficientnet_b3 p = 0.087, resnet101 p = 0.151: not supported at 5 %
    assert [claims.claim("imprint_lower_ap", s).verdict for s in "ab"] == ["not_supported"] * 2
    gap = claims.claim("imprint_larger_gap", "gap")
    # resnet101 (B) leads; its lead is larger on the imprint-less classes (medians 0.222 vs
    # 0.157), U = 66 of 5 x 16 = 80, p = 0.018: supported.
    assert (gap.verdict, gap.details["better"], gap.statistic) == ("supported", "b", 66.0)
    assert gap.p_value == pytest.approx(0.0176, abs=1e-4)


def _with_attributes(gt: GroundTruth, change) -> GroundTruth:
    ann = gt.annotations
    rows = [change(int(c), ann.attributes_of(i)) for i, c in enumerate(ann.category_id)]
    keys = sorted({k for row in rows for k in row})
    attributes = {k: [row.get(k) for row in rows] for k in keys}
    return dataclasses.replace(
        gt, annotations=dataclasses.replace(gt.annotations, attributes=attributes)
    )


def test_a_ground_truth_without_attributes_leaves_every_claim_not_testable(sample):
    gt, ev_a, ev_b = sample
    bare = _with_attributes(gt, lambda c, a: {})
    claims = compute_domain_claims(bare, ev_a, ev_b)
    assert not claims.has_attributes
    assert [(c.code, c.scope, c.verdict, c.reason) for c in claims.claims] == [
        ("look_alike_swaps", "pooled", "not_testable", "no_attributes"),
        ("imprint_lower_ap", "a", "not_testable", "no_attributes"),
        ("imprint_lower_ap", "b", "not_testable", "no_attributes"),
        ("imprint_larger_gap", "gap", "not_testable", "no_attributes"),
    ]
    assert all(c.statistic is None and c.p_value is None for c in claims.claims)


def test_without_look_alikes_or_enough_imprintless_classes_the_claims_are_not_testable(sample):
    gt, ev_a, ev_b = sample

    def unique(c, a):
        # every class its own colour; only 6191 and 10223 print nothing
        return {
            **a,
            "color_class1": f"colour {c}",
            "print_front": "" if c in (6191, 10223) else "X",
        }

    claims = compute_domain_claims(_with_attributes(gt, unique), ev_a, ev_b)
    assert claims.claim("look_alike_swaps", "pooled").reason == "no_look_alikes"
    assert claims.claim("imprint_lower_ap", "a").reason == "too_few_classes"
    assert claims.claim("imprint_larger_gap", "gap").reason == "too_few_classes"


def test_claims_are_json_ready(sample):
    import json

    d = compute_domain_claims(*sample).to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["alpha"] == 0.05 and d["classes_with_look"] == 21 == d["classes_with_imprint"]
    assert math.isclose(d["claims"][0]["statistic"], 35 / 45)
