"""compare(): each part equals the module it comes from; B − A; self-comparison is neutral."""

import numpy as np
import pytest

from pill_compare import compare, evaluate, load_ground_truth, load_results
from pill_compare.analysis.calibration import compute_calibration
from pill_compare.analysis.compare import ComparisonResult
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    return gt, a, b


@pytest.fixture(scope="module")
def result(sample):
    gt, a, b = sample
    return compare(gt, a, b, train_gt=gt, n_bootstrap=200, seed=0)


def test_each_models_metrics_are_exactly_what_eval_gives(sample, result):
    gt, a, b = sample
    for side, run in (("a", a), ("b", b)):
        ev = evaluate(gt, run)
        got = result.metrics()[side]
        for key, value in ev.coco.stats.items():
            assert got[key] == value
        assert got["f1"] == ev.operating_point.micro.f1
        assert got["image_exact_match"] == ev.accuracy.image_exact_match


def test_delta_is_b_minus_a(result):
    m = result.metrics()
    assert m["delta"]["map"] == m["b"]["map"] - m["a"]["map"]
    assert m["delta"]["map_small"] is None  # n/a in both: no delta


def test_per_class_table_is_sorted_by_absolute_ap_delta(result):
    frame = result.per_class_frame()
    assert len(frame) == 22  # every declared category
    deltas = np.abs(frame["ap_delta"].to_numpy())
    defined = deltas[~np.isnan(deltas)]
    assert (np.diff(defined) <= 0).all()
    assert np.isnan(deltas[-1])  # 18109 has no GT and no detection: last


def test_the_seeds_substitution_gets_a_verdict(result):
    patterns = {(p.a, p.b): p for p in result.disagreements.swap_patterns}
    seed_pattern = patterns[(25366, 10223)]
    assert seed_pattern.swaps == 10 and seed_pattern.verdicts["b_right"] == 10


def test_sample_verdict_is_significant_for_resnet101(result):
    assert result.verdict.code == "b_better"
    assert result.bootstrap["map"].ci_low > 0
    assert result.mcnemar.b_only_correct > result.mcnemar.a_only_correct


def test_json_has_the_contract_key_paths(result):
    d = result.to_dict()
    assert set(d["metrics"]) == {"a", "b", "delta"} and "map_75" in d["metrics"]["delta"]
    assert set(d["disagreements"]["counts"]) == {"agree", "class_swap", "a_only", "b_only"}
    assert {"a_right", "b_right", "both_wrong", "no_gt"} <= set(d["disagreements"]["swap_verdicts"])
    assert isinstance(d["disagreements"]["swap_patterns"], list)
    for side in ("a", "b"):
        for key in ("cls", "loc", "both", "dupe", "bkg", "miss", "false_pos", "false_neg"):
            assert set(d["errors"][side][key]) == {"count", "delta_ap"}
        assert set(d["imbalance"]["spearman"][side]) >= {"rho", "p_value"}
    for metric in ("map", "map_50", "f1"):
        assert {"delta", "ci_low", "ci_high", "p_value"} <= set(
            d["significance"]["bootstrap"][metric]
        )
    assert {"a_only_correct", "b_only_correct", "p_value"} <= set(d["significance"]["mcnemar"])
    # oLRP of each model, as eval gives it (issue 17): lrp.{a,b}.olrp, per_class with threshold.
    assert d["lrp"]["a"]["olrp"] == result.eval_a.lrp.olrp
    assert "threshold" in d["lrp"]["b"]["per_class"][0]


def test_a_model_compared_with_itself_is_neutral(sample):
    gt, a, _ = sample
    same = compare(gt, a, a, n_bootstrap=100)
    assert same.metrics()["delta"]["map"] == 0
    assert same.verdict.code == "not_significant" and same.bootstrap["map"].p_value == 1.0
    assert same.pairing.counts()["class_swap"] == 0
    assert same.mcnemar.a_only_correct == same.mcnemar.b_only_correct == 0


def test_same_seed_same_numbers(sample):
    gt, a, b = sample
    one = compare(gt, a, b, n_bootstrap=50, seed=3).bootstrap.to_dict()
    two = compare(gt, a, b, n_bootstrap=50, seed=3).bootstrap.to_dict()
    assert one == two


def test_without_ground_truth_only_agreement(sample):
    _, a, b = sample
    r = compare(None, a, b)
    assert isinstance(r, ComparisonResult) and not r.has_ground_truth
    d = r.to_dict()
    assert d["metrics"] == {} and "significance" not in d and "errors" not in d
    assert d["disagreements"]["counts"]["class_swap"] == 41
    assert 0 < d["agreement"]["kappa"]["kappa"] < 1


def test_no_bootstrap_still_tests_mcnemar(sample):
    gt, a, b = sample
    r = compare(gt, a, b, n_bootstrap=0)
    assert r.bootstrap is None and r.verdict is None and r.mcnemar is not None
    assert r.to_dict()["significance"]["bootstrap"] is None


def test_progress_is_told_each_part(sample):
    gt, a, b = sample
    steps = []
    compare(gt, a, b, n_bootstrap=10, progress=steps.append)
    assert steps[0] == "diff" and "McNemar" in steps and any("bootstrap" in s for s in steps)


def test_misuse_says_what_was_expected(sample):
    gt, a, _ = sample
    with pytest.raises(TypeError, match="compare"):
        compare(gt, "a.json", a)
    with pytest.raises(TypeError, match="category_names"):
        compare(None, a, a, category_names=["x"])


def test_competition_map_equals_eval_at_those_thresholds(sample, result):
    from pill_compare import coco_iou_thresholds

    gt, a, b = sample
    for side, run in (("a", a), ("b", b)):
        ev = evaluate(gt, run, iou_thresholds=coco_iou_thresholds(0.75, 0.95, 0.05))
        assert result.metrics()[side]["map_75_95"] == ev.coco.stats["map"]


def test_competition_map_is_accumulated_once_per_evaluation(sample, monkeypatch):
    from pill_compare.analysis import compare as module

    gt, a, _ = sample
    ev = evaluate(gt, a)
    calls = []
    accumulate = module.accumulate_precision_recall
    monkeypatch.setattr(
        module,
        "accumulate_precision_recall",
        lambda *x, **k: calls.append(1) or accumulate(*x, **k),
    )
    first = module.competition_map(ev)
    assert module.competition_map(ev) == first is not None
    assert len(calls) == 1


def test_competition_map_is_none_when_not_matched_at_those_thresholds(sample):
    gt, a, b = sample
    r = compare(gt, a, b, iou_thresholds=[0.5], n_bootstrap=0)
    assert r.metrics()["a"]["map_75_95"] is None and r.metrics()["delta"]["map_75_95"] is None


@pytest.mark.parametrize("with_gt", [True, False])
def test_a_run_without_detections_compares_without_error(sample, with_gt):
    from pill_compare.core import Detections

    gt, a, _ = sample
    empty = Detections(
        image_id=np.zeros(0, np.int64),
        category_id=np.zeros(0, np.int64),
        bbox=np.zeros((0, 4)),
        score=np.zeros(0),
        name="empty",
    )
    r = compare(gt if with_gt else None, a, empty, n_bootstrap=20)
    assert r.pairing.counts() == {"agree": 0, "class_swap": 0, "a_only": 1000, "b_only": 0}
    if with_gt:
        assert (
            r.metrics()["b"]["map"] == 0.0
            and r.disagreements.one_sided()["a_only"]["boxes"] == 1000
        )


def test_compare_reports_calibration_at_the_json_key_paths(result):
    r = result
    d = r.to_dict()["calibration"]
    assert d["a"]["ece"] == compute_calibration(r.eval_a.matches).ece
    assert d["b"]["ece"] == compute_calibration(r.eval_b.matches).ece
    assert d["delta"] == pytest.approx(d["b"]["ece"] - d["a"]["ece"])
    assert d["a"]["n_bins"] == 10 and d["a"]["iou_threshold"] == 0.5
    assert len(d["ci"]) == 2 and d["finding"] in {"a_better", "b_better", "no_difference"}
    # Classes with at least 30 detections get their own D-ECE.
    assert all(c["n"] >= 30 for c in d["a"]["per_class"]) and d["a"]["per_class"]
