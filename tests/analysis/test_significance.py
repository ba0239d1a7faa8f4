"""Paired image bootstrap and McNemar's exact test: identities, hand computations, known effects."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.coco_metrics import (
    accumulate_precision_recall,
    summarize_precision_recall,
)
from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import coco_iou_thresholds, match_detections
from pill_compare.analysis.significance import (
    BOOTSTRAP_METRICS,
    binomtest_two_sided,
    mcnemar,
    paired_bootstrap,
    replicate_metrics,
    resample_images,
    significance_verdict,
)
from pill_compare.io import load_ground_truth, load_results
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc, random_case
from tests.analysis.test_precision_recall import _cases, _physically_weighted
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample():
    """The bundled sample: (gt, resnet101 as A, efficientnet_b3 as B)."""
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    return (
        gt,
        load_results(SAMPLE / "resnet101.json", gt=gt),
        load_results(SAMPLE / "efficientnet_b3.json", gt=gt),
    )


def _eval_numbers(result) -> dict[str, float]:
    """evaluate()'s map, map_50 and micro F1, NaN where n/a."""
    values = {
        "map": result.coco.stats["map"],
        "map_50": result.coco.stats["map_50"],
        "f1": result.operating_point.micro.f1,
    }
    return {k: np.nan if v is None else v for k, v in values.items()}


def _same(x: float, y: float) -> bool:
    return (np.isnan(x) and np.isnan(y)) or x == y


# --- a resample of every image once is the evaluation ------------------------------------------


@pytest.mark.parametrize("seed", _cases(1000, 60))
def test_every_image_once_gives_exactly_the_eval_numbers(seed):
    case = random_case(seed)
    gt = ground_truth(case.gt)
    result = evaluate(gt, detections(case.results))
    ones = np.ones((1, len(gt.images)), dtype=np.int64)
    got = replicate_metrics(result.matches, ones)
    for key, expected in _eval_numbers(result).items():
        assert _same(got[key][0], expected), key  # bit for bit


def test_every_image_once_on_the_sample_gives_exactly_the_eval_numbers(sample):
    gt, a, b = sample
    for dets in (a, b):
        result = evaluate(gt, dets, score_threshold=0.3, iou_threshold=0.6)
        got = replicate_metrics(
            result.matches,
            np.ones((2, len(gt.images)), dtype=np.int64),
            score_threshold=0.3,
            iou_threshold=0.6,
        )
        for key, expected in _eval_numbers(result).items():
            assert got[key].tolist() == [expected, expected], key


def test_full_data_delta_is_b_minus_a_of_the_evaluations(sample):
    gt, a, b = sample
    ra, rb = evaluate(gt, a), evaluate(gt, b)
    boot = paired_bootstrap(ra.matches, rb.matches, n_resamples=20)
    for key in BOOTSTRAP_METRICS:
        ea, eb = _eval_numbers(ra)[key], _eval_numbers(rb)[key]
        assert boot[key].a == ea and boot[key].b == eb and boot[key].delta == eb - ea


# --- weights: the same as accumulate's, the same as duplicated images --------------------------


@pytest.mark.parametrize("lane_limit", [2**31, 0], ids=["two_per_word", "int64"])
@pytest.mark.parametrize("seed", _cases(2000, 40))
def test_resampled_map_equals_accumulate_with_the_same_weights(seed, lane_limit, monkeypatch):
    import pill_compare.analysis.significance as significance

    # Both arithmetics: two resamples per int64 word (the weights here are tiny) and, with the
    # bound forced to 0, one resample per word.
    monkeypatch.setattr(significance, "_LANE_LIMIT", lane_limit)
    case = random_case(seed)
    gt = ground_truth(case.gt)
    table = evaluate(gt, detections(case.results)).matches
    weights = np.random.default_rng(seed).integers(0, 4, size=(5, len(gt.images)))
    got = replicate_metrics(table, weights)
    column = {int(i): c for c, i in enumerate(gt.images.id)}
    det_col = np.array([column[int(i)] for i in table.dets.image_id], dtype=np.int64)
    gt_col = np.array([column[int(i)] for i in gt.annotations.image_id], dtype=np.int64)
    for row, w in enumerate(weights):
        pr = accumulate_precision_recall(
            table, area_names=["all"], det_weight=w[det_col], gt_weight=w[gt_col]
        )
        stats = summarize_precision_recall(pr)
        for key in ("map", "map_50"):
            expected = np.nan if stats[key] is None else stats[key]
            assert _same(got[key][row], expected), (row, key)


def test_two_resamples_per_word_only_while_every_sum_fits_in_31_bits(sample, monkeypatch):
    import pill_compare.analysis.significance as significance

    gt, a, _ = sample
    prepared = significance._Prepared(evaluate(gt, a).matches, None, (1, 10, 100), 0.5, 0.5)
    weights = resample_images(len(gt.images), 3, 0).astype(np.int64)
    # The largest sum a row can form is its weights times the entries on each image.
    most = int((weights @ prepared.load).max())
    monkeypatch.setattr(significance, "_LANE_LIMIT", most + 1)
    assert prepared._lanes(weights) == 2
    monkeypatch.setattr(significance, "_LANE_LIMIT", most)
    assert prepared._lanes(weights) == 1
    assert prepared._lanes(weights[:1]) == 1  # a single resample: nothing to pair


def test_resamples_give_the_same_numbers_alone_in_pairs_in_batches_or_in_int64(sample, monkeypatch):
    import pill_compare.analysis.significance as significance

    # 7 resamples: one batch of three pairs and a last word with one empty lane; one at a
    # time (one resample per word); batches of one word or of three words; one resample per
    # int64 word: the same values bit for bit (the work buffers are reused).
    gt, a, _ = sample
    table = evaluate(gt, a).matches
    weights = resample_images(len(gt.images), 7, 5)
    whole = replicate_metrics(table, weights)
    alone = [replicate_metrics(table, weights[i : i + 1]) for i in range(7)]
    prepared = significance._Prepared(table, None, (1, 10, 100), 0.5, 0.5)
    per_word = max(prepared.tp_img.size, prepared.det_img.size, prepared.n_lists * 102)
    batched = []
    for words in (1, 3):
        monkeypatch.setattr(significance, "_BATCH_ELEMENTS", words * per_word)
        batched.append(replicate_metrics(table, weights))
    monkeypatch.setattr(significance, "_LANE_LIMIT", 0)
    wide = replicate_metrics(table, weights)
    for key in BOOTSTRAP_METRICS:
        assert np.array_equal(np.concatenate([x[key] for x in alone]), whole[key], equal_nan=True)
        for got in (*batched, wide):
            assert np.array_equal(got[key], whole[key], equal_nan=True), key


@pytest.mark.parametrize("seed", _cases(3000, 30))
def test_resampled_f1_equals_evaluate_on_physically_duplicated_images(seed):
    case = random_case(seed)
    gt = ground_truth(case.gt)
    rng = np.random.default_rng(seed)
    weights = {int(i): int(rng.integers(0, 4)) for i in gt.images.id}
    weights[case.gt["annotations"][0]["image_id"]] = 1  # evaluate needs a GT box
    doc, dets = _physically_weighted(case.gt, case.results, weights)
    expected = evaluate(ground_truth(doc), detections(dets)).operating_point.micro.f1
    row = np.array([[weights[int(i)] for i in gt.images.id]])
    got = replicate_metrics(evaluate(gt, detections(case.results)).matches, row)["f1"][0]
    assert _same(got, np.nan if expected is None else expected)


# --- the resample draws ------------------------------------------------------------------------


def test_resamples_are_the_histograms_of_the_documented_draws():
    counts = resample_images(7, 5, seed=3)
    draws = np.random.default_rng(3).integers(0, 7, size=(5, 7))
    expected = np.stack([np.bincount(row, minlength=7) for row in draws])
    assert counts.dtype == np.int32 and np.array_equal(counts, expected)
    assert (counts.sum(axis=1) == 7).all()


def test_the_seed_fixes_the_numbers_and_another_seed_changes_them(sample):
    gt, a, b = sample
    ta, tb = match_detections(gt, a), match_detections(gt, b)
    one = paired_bootstrap(ta, tb, n_resamples=50, seed=7)
    again = paired_bootstrap(ta, tb, n_resamples=50, seed=7)
    other = paired_bootstrap(ta, tb, n_resamples=50, seed=8)
    assert one.to_dict() == again.to_dict()
    assert np.array_equal(one.deltas("map"), again.deltas("map"))
    assert not np.array_equal(one.deltas("map"), other.deltas("map"))


# --- known answers -----------------------------------------------------------------------------


def test_a_model_compared_with_itself_differs_by_zero_and_is_not_significant(sample):
    gt, a, _ = sample
    table = match_detections(gt, a)
    boot = paired_bootstrap(table, table, n_resamples=100)
    for key in BOOTSTRAP_METRICS:
        m = boot[key]
        assert (m.delta, m.ci_low, m.ci_high, m.p_value) == (0.0, 0.0, 0.0, 1.0)
        assert m.resamples_used == 100
    assert boot.verdict().code == "not_significant"


def _effect_case():
    """60 images, 1-4 boxes each on a grid (3 classes). B returns every box (perfect); A returns
    only a third of them plus a background box per image: B is far better on every metric."""
    rng = np.random.default_rng(0)
    anns = []
    for image_id in range(1, 61):
        for j in range(int(rng.integers(1, 5))):
            cat = int(rng.integers(1, 4))
            anns.append({"image_id": image_id, "category_id": cat, "bbox": box(100 * j, 0, 60, 60)})
    doc = gt_doc(anns, categories=[1, 2, 3])
    perfect = [{**a, "score": 0.9} for a in doc["annotations"]]
    partial = [r for i, r in enumerate(perfect) if i % 3 == 0]
    partial += [
        {"image_id": i, "category_id": 1, "bbox": box(0, 300, 40, 40), "score": 0.8}
        for i in range(1, 61)
    ]
    gt = ground_truth(doc)
    return gt, evaluate(gt, detections(partial, "a")), evaluate(gt, detections(perfect, "b"))


def test_a_large_effect_is_significant_and_its_interval_covers_the_difference():
    _, ra, rb = _effect_case()
    boot = paired_bootstrap(ra.matches, rb.matches, n_resamples=300, seed=1)
    for key in BOOTSTRAP_METRICS:
        m = boot[key]
        true_delta = _eval_numbers(rb)[key] - _eval_numbers(ra)[key]
        assert m.delta == true_delta > 0.3
        assert 0 < m.ci_low <= true_delta <= m.ci_high
        # No resample reverses the order: p is the floor 2 / (N + 1).
        assert m.p_value == 2 / 301
        verdict = boot.verdict(key)
        assert (verdict.code, verdict.metric, verdict.n_images) == ("b_better", key, 60)
    swapped = paired_bootstrap(rb.matches, ra.matches, n_resamples=300, seed=1)
    assert swapped.verdict("map").code == "a_better"
    assert swapped["map"].delta == -boot["map"].delta


def test_interval_and_p_value_follow_their_definitions_on_the_resampled_deltas(sample):
    gt, a, b = sample
    boot = paired_bootstrap(match_detections(gt, a), match_detections(gt, b), n_resamples=200)
    for key in BOOTSTRAP_METRICS:
        d = boot.deltas(key)
        low, high = np.quantile(d, [0.025, 0.975])
        assert (boot[key].ci_low, boot[key].ci_high) == (low, high)
        smaller = min((d <= 0).sum(), (d >= 0).sum())
        assert boot[key].p_value == min(1.0, 2 * (1 + smaller) / 201)


def test_p_value_doubles_the_smaller_tail_with_the_plus_one_correction():
    # Deltas on both sides of 0: B slightly better on 2 of 4 images, worse on 1. With few
    # images some resamples reverse the sign; p = 2 (1 + #tail) / (N + 1) < 1.
    doc = gt_doc(
        [{"image_id": i, "category_id": 1, "bbox": box(0, 0, 50, 50)} for i in range(1, 5)]
    )
    gt = ground_truth(doc)
    hit = {"category_id": 1, "bbox": box(0, 0, 50, 50), "score": 0.9}
    a = detections([{**hit, "image_id": i} for i in (1, 2)], "a")
    b = detections([{**hit, "image_id": i} for i in (1, 3, 4)], "b")
    boot = paired_bootstrap(match_detections(gt, a), match_detections(gt, b), n_resamples=400)
    d = boot.deltas("f1")
    tail = min((d <= 0).sum(), (d >= 0).sum())
    assert 0 < tail < 200
    assert boot["f1"].p_value == 2 * (1 + tail) / 401
    assert boot.verdict("f1").code == "not_significant"


def test_map_50_is_n_a_when_the_thresholds_lack_0_5(sample):
    gt, a, b = sample
    thresholds = coco_iou_thresholds(0.75, 0.95, 0.05)
    matched = np.r_[thresholds, 0.5]
    ta = match_detections(gt, a, iou_thresholds=matched)
    tb = match_detections(gt, b, iou_thresholds=matched)
    boot = paired_bootstrap(ta, tb, n_resamples=20, iou_thresholds=thresholds)
    m = boot["map_50"]
    assert (m.a, m.delta, m.p_value, m.resamples_used) == (None, None, None, 0)
    assert boot.verdict("map_50").code == "not_significant"
    assert boot["map"].a == evaluate(gt, a, iou_thresholds=thresholds).coco.stats["map"]


def test_outputs_have_the_json_contract_keys(sample):
    gt, a, b = sample
    boot = paired_bootstrap(match_detections(gt, a), match_detections(gt, b), n_resamples=10)
    out = boot.to_dict()
    for key in BOOTSTRAP_METRICS:
        assert {"delta", "ci_low", "ci_high", "p_value"} <= set(out[key])
    assert (out["n_images"], out["n_resamples"], out["seed"]) == (len(gt.images), 10, 0)
    assert list(boot.to_frame()["metric"]) == list(BOOTSTRAP_METRICS)
    assert "n_resamples=10" in repr(boot)
    verdict = significance_verdict(boot, "f1").to_dict()
    assert verdict["code"] in {"a_better", "b_better", "not_significant"}
    assert "sentence" not in verdict


# --- McNemar -----------------------------------------------------------------------------------


def _mcnemar_case():
    """12 images with one 50x50 box each (image 12's a crowd region); boxes 0..10 are countable.

    A is correct on boxes 0-7 (8). B is correct on 0, 1, 8, 9 (4). Traps that are *not* correct:
    B labels box 3 with the wrong class; A finds box 10 at score 0.3 < 0.5 and B finds it with a
    50x20 box (IoU 0.4 < 0.5); both "find" the crowd region (not a GT object).
    a_only = {2..7} = 6, b_only = {8, 9} = 2, both = {0, 1} = 2, neither = {10} = 1 (of 11).
    p = binomtest(6, 8, 1/2) = 2 (C(8,0) + C(8,1) + C(8,2)) / 2^8 = 2 * 37 / 256 = 0.2890625.
    """
    anns = [{"image_id": i, "category_id": 1, "bbox": box(0, 0, 50, 50)} for i in range(1, 12)]
    anns.append({"image_id": 12, "category_id": 1, "bbox": box(0, 0, 50, 50), "iscrowd": 1})
    doc = gt_doc(anns, categories=[1, 2])

    def det(image_box, score=0.9, cat=1, bbox=None):
        return {
            "image_id": image_box + 1,
            "category_id": cat,
            "bbox": bbox or box(0, 0, 50, 50),
            "score": score,
        }

    a = [det(i) for i in range(8)] + [det(10, score=0.3), det(11)]
    b = [det(0), det(1), det(3, cat=2), det(8), det(9), det(10, bbox=box(0, 0, 50, 20)), det(11)]
    gt = ground_truth(doc)
    return gt, match_detections(gt, detections(a, "a")), match_detections(gt, detections(b, "b"))


def test_mcnemar_counts_and_p_value_match_the_hand_computation():
    _, ta, tb = _mcnemar_case()
    result = mcnemar(ta, tb)
    assert (result.a_only_correct, result.b_only_correct) == (6, 2)
    assert (result.both, result.neither, result.gt_objects) == (2, 1, 11)
    assert result.p_value == pytest.approx(74 / 256, rel=1e-12)
    assert result.to_dict()["a_only_correct"] == 6
    assert np.flatnonzero(result.a_correct).tolist() == list(range(8))


def _binomtest_cases():
    rng = np.random.default_rng(0)
    small = [(k, n) for n in range(1, 61) for k in range(n + 1)]
    large = [
        (int(k), n)
        for n in (101, 999, 1000, 4321, 36417, 100_000)
        for k in (*rng.integers(0, n + 1, 12), 0, n, n // 2, n // 2 + 1, n // 2 - 1)
    ]
    return small + large


def test_the_exact_test_gives_scipys_binomtest_bit_for_bit():
    from scipy.stats import binomtest

    for k, n in _binomtest_cases():
        assert binomtest_two_sided(k, n) == float(binomtest(k, n, 0.5).pvalue), (k, n)


def test_mcnemar_does_not_import_scipy_stats():
    import subprocess
    import sys

    code = (
        "import sys\nfrom tests.analysis.test_significance import _mcnemar_case\n"
        "from pill_compare.analysis.significance import mcnemar\n"
        "_, a, b = _mcnemar_case(); print(mcnemar(a, b).p_value, 'scipy.stats' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [repr(74 / 256), "False"]


def test_mcnemar_agrees_with_the_operating_point_tp_counts(sample):
    gt, a, b = sample
    ra, rb = evaluate(gt, a), evaluate(gt, b)
    result = mcnemar(ra.matches, rb.matches)
    assert result.both + result.a_only_correct == ra.operating_point.micro.tp
    assert result.both + result.b_only_correct == rb.operating_point.micro.tp
    assert result.gt_objects == ra.gt_boxes


def test_mcnemar_without_discordant_boxes_has_p_one(sample):
    gt, a, _ = sample
    table = match_detections(gt, a)
    result = mcnemar(table, table)
    assert (result.a_only_correct, result.b_only_correct, result.p_value) == (0, 0, 1.0)


# --- misuse ------------------------------------------------------------------------------------


def test_tables_of_different_ground_truths_are_refused(sample):
    gt, a, _ = sample
    _, ta, _ = _mcnemar_case()
    tb = match_detections(gt, a)
    with pytest.raises(ValueError, match="Expected table_a and table_b matched against one"):
        paired_bootstrap(ta, tb)
    with pytest.raises(ValueError, match="Expected table_a and table_b matched against one"):
        mcnemar(ta, tb)


def test_bad_arguments_are_refused(sample):
    gt, a, _ = sample
    t = match_detections(gt, a)
    with pytest.raises(ValueError, match="Expected n_resamples to be an integer >= 1, got 0"):
        paired_bootstrap(t, t, n_resamples=0)
    with pytest.raises(ValueError, match="Expected confidence to be a number > 0 and < 1"):
        paired_bootstrap(t, t, confidence=1.0)
    with pytest.raises(ValueError, match="Expected seed to be an integer >= 0, got -1"):
        paired_bootstrap(t, t, seed=-1)
    with pytest.raises(TypeError, match=r"paired_bootstrap\(\) expects MatchTable"):
        paired_bootstrap(a, t)
    with pytest.raises(ValueError, match=r"Expected image_weights of shape \(B, 280\)"):
        replicate_metrics(t, np.ones((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="Expected image_weights >= 0, got -1"):
        replicate_metrics(t, -np.ones((1, 280), dtype=np.int64))
    with pytest.raises(ValueError, match="Expected one of the matched IoU thresholds"):
        mcnemar(t, t, iou_threshold=0.42)
    boot = paired_bootstrap(t, t, n_resamples=5)
    with pytest.raises(ValueError, match=r"Expected metric among \['map', 'map_50', 'f1'\]"):
        boot.verdict("mar_100")


def test_holm_adjusts_a_hand_computed_family():
    from pill_compare.analysis.significance import holm

    # m = 4, sorted 0.005, 0.01, 0.03, 0.04: 4 × 0.005 = 0.02, 3 × 0.01 = 0.03,
    # 2 × 0.03 = 0.06, 1 × 0.04 = 0.04 → max(0.06, 0.04) = 0.06 (step-down keeps order).
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02], abs=1e-15)
    # Capped at 1; an untestable entry (None) stays None and is not counted in m (m = 2 here).
    assert holm([0.6, None, 0.3]) == pytest.approx([0.6, None, 0.6], abs=1e-15)
    assert holm([]) == []
    with pytest.raises(ValueError, match=r"p-values in \[0, 1\]"):
        holm([0.5, 1.5])
