"""Training support vs per-class AP and recall: Spearman equals scipy's, monotone cases give ±1."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from pill_compare.analysis.diff import diff
from pill_compare.analysis.evaluate import EvalResult, evaluate
from pill_compare.analysis.support import spearman, support_vs_performance
from pill_compare.io import load_ground_truth, load_results
from tests.analysis.eval_fixtures import detections, ground_truth, gt_doc
from tests.conftest import SAMPLE, gt_with_counts

BOX = [10.0, 10.0, 20.0, 20.0]


def _eval_case(hits: dict[int, int], gt_per_class: int = 4, name: str = "m") -> EvalResult:
    """Classes 1..K, ``gt_per_class`` GT boxes each on its own image; the model finds exactly
    ``hits[k]`` of class k's boxes (exact box, score 0.9) and nothing else, so recall_k =
    hits[k] / gt_per_class, precision 1, and AP_k rises strictly with hits[k]."""
    anns, records, image_id = [], [], 0
    for k in sorted(hits):
        for j in range(gt_per_class):
            image_id += 1
            anns.append({"image_id": image_id, "category_id": k, "bbox": BOX})
            if j < hits[k]:
                records.append({"image_id": image_id, "category_id": k, "bbox": BOX, "score": 0.9})
    gt = ground_truth(gt_doc(anns))
    return evaluate(gt, detections(records, name=name))


def _sample() -> tuple[object, EvalResult, EvalResult]:
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = evaluate(gt, load_results(SAMPLE / "efficientnet_b3.json", gt=gt))
    b = evaluate(gt, load_results(SAMPLE / "resnet101.json", gt=gt))
    return gt, a, b


# Training support 3, 6, 9, 12, 15 for classes 1..5.
TRAIN = {k: 3 * k for k in range(1, 6)}


def test_ap_rising_monotonically_with_support_gives_rho_one():
    a = _eval_case({k: k - 1 for k in TRAIN}, name="a")  # hits 0..4: AP and recall rise with k
    b = _eval_case({k: 5 - k for k in TRAIN}, name="b")  # hits 4..0: they fall
    s = support_vs_performance(gt_with_counts(TRAIN), a, b)
    assert [c.support for c in s.classes] == [3, 6, 9, 12, 15]
    assert [c.recall_a for c in s.classes] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert s.ap_a.rho == pytest.approx(1.0, abs=1e-12)
    assert s.recall_a.rho == pytest.approx(1.0, abs=1e-12)
    assert s.ap_a.n == 5 and s.ap_a.reason is None
    assert s.ap_a.p_value < 0.05 and s.ap_a.finding == "support_explains"
    assert s.ap_b.rho == pytest.approx(-1.0, abs=1e-12) and s.ap_b.finding == "inverse"
    # B − A falls with support: B's advantage is on the rare classes.
    assert s.ap_delta.rho == pytest.approx(-1.0, abs=1e-12)
    assert s.ap_delta.finding == "gap_larger_on_rare"


def test_rho_and_p_equal_scipy_spearmanr_called_directly():
    train = {1: 3, 2: 50, 3: 7, 4: 20, 5: 20, 6: 1}
    a = _eval_case({1: 2, 2: 1, 3: 4, 4: 0, 5: 3, 6: 2}, name="a")
    b = _eval_case({1: 4, 2: 3, 3: 3, 4: 1, 5: 0, 6: 4}, name="b")
    s = support_vs_performance(gt_with_counts(train), a, b)
    support = [train[c.category_id] for c in s.classes]
    for corr, values in (
        (s.ap_a, [c.ap_a for c in s.classes]),
        (s.ap_b, [c.ap_b for c in s.classes]),
        (s.recall_a, [c.recall_a for c in s.classes]),
        (s.ap_delta, [c.ap_delta for c in s.classes]),
    ):
        ref = scipy.stats.spearmanr(support, values)
        assert (corr.rho, corr.p_value) == (float(ref.statistic), float(ref.pvalue))


def test_sample_data_gives_finite_numbers_equal_to_scipy_and_the_json_keys():
    gt, a, b = _sample()
    s = support_vs_performance(gt, a, b)
    d = s.to_dict()
    for side in ("a", "b"):
        assert math.isfinite(d["spearman"][side]["rho"])
        assert 0.0 <= d["spearman"][side]["p_value"] <= 1.0
        assert math.isfinite(d["spearman_recall"][side]["rho"])
    # Category 18109 is declared with no annotation: no AP, left out of n.
    assert d["spearman"]["a"]["n"] == 21
    frame = s.to_frame().dropna(subset=["ap_a"])
    ref = scipy.stats.spearmanr(frame["support"].astype(float), frame["ap_a"].astype(float))
    assert d["spearman"]["a"]["rho"] == float(ref.statistic)
    assert d["indices"]["imbalance_ratio"] == 88 / 7
    assert len(s.to_frame()) == 22 and list(s.to_frame().columns)[:3] == [
        "category_id",
        "name",
        "support",
    ]
    assert d["models"] == {"a": "efficientnet_b3", "b": "resnet101"}


def test_sample_disputes_from_diff_substitutions_give_finite_numbers():
    gt, a, b = _sample()
    counts: dict[int, int] = {}
    for sub in diff(a.matches.dets, b.matches.dets, gt=gt).substitutions:
        for c in (sub.a, sub.b):
            counts[c] = counts.get(c, 0) + len(sub.image_ids)
    s = support_vs_performance(gt, a, b, disagreement_by_class=counts)
    d = s.disputes
    assert d is not None and len(d.top_categories) == 5
    assert math.isfinite(d.count.rho) and math.isfinite(d.rate.rho)
    assert 0.0 <= d.enrichment_p_value <= 1.0


def test_top_disputed_classes_rare_share_and_hypergeometric_p():
    # Support 3, 6, 9, 12, 15 with rare_threshold 10: classes 1, 2, 3 are rare (base rate 3/5).
    a = _eval_case({k: 2 for k in TRAIN}, name="a")
    b = _eval_case({k: 3 for k in TRAIN}, name="b")
    counts = {1: 9, 2: 7, 3: 7, 4: 1}  # class 5 is never disputed
    s = support_vs_performance(gt_with_counts(TRAIN), a, b, disagreement_by_class=counts, top_k=3)
    d = s.disputes
    assert d.top_categories == (1, 2, 3)  # 2 and 3 tie at 7: ascending id
    assert (d.top_rare, d.top_rare_share, d.rare_share) == (3, 1.0, 0.6)
    # P(3 rare of 3 drawn from 5 with 3 rare) = 1 / C(5, 3) = 0.1.
    assert d.enrichment_p_value == pytest.approx(0.1, rel=1e-12)
    # Rates 9/4, 7/4, 7/4, 1/4, 0 fall with support.
    ref = scipy.stats.spearmanr([3, 6, 9, 12, 15], [9 / 4, 7 / 4, 7 / 4, 1 / 4, 0])
    assert d.rate.rho == float(ref.statistic) and d.rate.rho < 0
    assert d.finding == d.rate.finding == "disputes_on_rare"
    assert [c.disagreements for c in s.classes] == [9, 7, 7, 1, 0]


def test_constant_support_or_too_few_classes_gives_no_rho_with_a_reason():
    a = _eval_case({1: 1, 2: 2, 3: 3}, name="a")
    flat = support_vs_performance(gt_with_counts({1: 5, 2: 5, 3: 5}), a, a)
    assert (flat.ap_a.rho, flat.ap_a.p_value, flat.ap_a.reason) == (None, None, "constant_input")
    assert flat.ap_a.finding == "not_computable"
    assert flat.ap_delta.reason == "constant_input"  # the same model twice: Δ = 0 everywhere
    two = _eval_case({1: 1, 2: 2}, name="a")
    few = support_vs_performance(gt_with_counts({1: 5, 2: 9}), two, two)
    assert (few.ap_a.rho, few.ap_a.n, few.ap_a.reason) == (None, 2, "too_few_classes")


def test_classes_without_training_annotations_have_support_zero_and_are_listed():
    a = _eval_case({1: 1, 2: 2, 3: 3, 4: 4}, name="a")
    s = support_vs_performance(gt_with_counts({1: 4, 2: 8, 3: 12, 99: 5}), a, a)
    assert [c.support for c in s.classes] == [4, 8, 12, 0]
    assert s.unsupported_categories == (4,)
    assert s.training_only_categories == (99,)
    assert s.ap_a.n == 4


def test_spearman_leaves_undefined_values_out():
    rho, p, n, reason = spearman([1, 2, 3, 4], [0.1, None, 0.3, float("nan")], metric="ap")
    assert (rho, p, n, reason) == (None, None, 2, "too_few_classes")
    with pytest.raises(ValueError, match="Expected support and ap of the same length, got 2 and 1"):
        spearman([1, 2], [0.5], metric="ap")


def test_results_on_different_ground_truths_are_refused():
    a = _eval_case({1: 1, 2: 2, 3: 3}, name="a")
    b = _eval_case({1: 1, 2: 2, 3: 3}, gt_per_class=5, name="b")
    with pytest.raises(ValueError, match="Expected result_a and result_b evaluated against"):
        support_vs_performance(gt_with_counts(TRAIN), a, b)


@pytest.mark.parametrize(
    ("counts", "error", "message"),
    [
        ([1, 2], TypeError, "Expected disagreement_by_class to be a mapping"),
        ({"1": 2}, TypeError, "keys to be category ids"),
        ({1: -1}, ValueError, r"Expected disagreement_by_class\[1\] to be an integer >= 0"),
        ({7: 1}, ValueError, r"keys among the evaluated category ids, got \[7\]"),
    ],
)
def test_bad_disagreement_counts_are_refused(counts, error, message):
    a = _eval_case({1: 1, 2: 2, 3: 3}, name="a")
    with pytest.raises(error, match=message):
        support_vs_performance(gt_with_counts(TRAIN), a, a, disagreement_by_class=counts)


def test_wrong_argument_types_and_ranges_are_refused():
    a = _eval_case({1: 1, 2: 2, 3: 3}, name="a")
    with pytest.raises(TypeError, match="support_vs_performance\\(\\) expects GroundTruth"):
        support_vs_performance("train.json", a, a)
    with pytest.raises(ValueError, match="Expected alpha to be a finite number > 0"):
        support_vs_performance(gt_with_counts(TRAIN), a, a, alpha=0)
    with pytest.raises(ValueError, match="Expected top_k to be an integer >= 1"):
        support_vs_performance(gt_with_counts(TRAIN), a, a, top_k=0)


def test_repr_is_short_and_frame_uses_none_for_undefined():
    a = _eval_case({1: 0, 2: 2, 3: 4}, name="a")
    s = support_vs_performance(gt_with_counts({1: 2, 2: 4}), a, a)
    assert repr(s).startswith("SupportAnalysis(a='a', b='a', classes=3, rho_ap_a=")
    assert s.to_frame()["disagreements"].tolist() == [None, None, None]
    assert np.isclose(s.to_frame()["recall_a"].tolist(), [0.0, 0.5, 1.0]).all()


def test_dispute_base_rate_leaves_out_categories_that_cannot_be_disputed():
    # 18109 is declared but has no evaluation box and no detection: no draw of the lottery.
    from pill_compare import compare, load_ground_truth, load_results

    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    train = load_ground_truth(SAMPLE / "train_annotations.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    disputes = compare(gt, a, b, train_gt=train, n_bootstrap=0).support.disputes
    # Rare in training (< 10): 21324, 29450, 38161, 33877 (and 18109, with none): 4 of 21.
    assert disputes.rare_share == 4 / 21


def test_detectable_rho_is_the_fisher_z_bound():
    from pill_compare.analysis.support import detectable_rho

    # n = 21, α = 0.05, power 0.8: tanh((1.95996 + 0.84162) / √18) = tanh(0.66034) = 0.57859.
    assert detectable_rho(21) == pytest.approx(0.57859, abs=1e-5)
    assert detectable_rho(3) is None
    assert detectable_rho(103) < detectable_rho(21)  # more classes, smaller effects seen


def test_findings_are_decided_on_holm_adjusted_p_over_the_family():
    gt, a, b = _sample()
    s = support_vs_performance(gt, a, b)
    family = [s.ap_a, s.ap_b, s.recall_a, s.recall_b, s.ap_delta]
    from pill_compare.analysis.significance import holm

    assert [c.p_holm for c in family] == holm([c.p_value for c in family])
    assert all(c.p_holm >= c.p_value for c in family if c.p_value is not None)
    assert all(c.detectable_rho == pytest.approx(0.5786, abs=1e-4) for c in family if c.n == 21)
