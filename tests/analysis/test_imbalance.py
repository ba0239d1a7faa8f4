"""Class imbalance indices: the seed's 88 / 7, hand-computed Gini, neutral values when uniform."""

import math

import numpy as np
import pytest

from pill_compare.analysis.imbalance import CategoryCount, compute_indices, imbalance
from pill_compare.io import ground_truth_from_dict
from tests.conftest import SEED_COUNTS, gt_dict, gt_with_counts


def test_seed_ratio_is_88_over_7():
    r = imbalance(gt_with_counts(SEED_COUNTS))
    assert r.imbalance_ratio == 88 / 7  # 12.571428...
    assert round(r.imbalance_ratio, 2) == 12.57
    assert (r.most.annotations, r.least.annotations) == (88, 7)
    assert r.least.category_id == 33877
    # Ties (34596 and 25366 both 88) are broken by category id.
    assert [c.category_id for c in r.categories] == [25366, 34596, 31884, 33877]
    assert r.total_annotations == 268 and r.total_images == 268


def test_seed_gini_hand_computed():
    # Counts 7, 85, 88, 88: K = 4, mean = 268 / 4 = 67.
    # |differences| of the 6 unordered pairs: 78, 81, 81, 3, 3, 0 → 246; ordered pairs: 492.
    # Gini = 492 / (2 · K² · mean) = 492 / (2 · 16 · 67) = 492 / 2144.
    r = imbalance(gt_with_counts(SEED_COUNTS))
    assert r.gini == pytest.approx(492 / 2144, rel=1e-12)


def test_two_class_indices_hand_computed():
    # Counts 1 and 3: p = 1/4, 3/4.
    # Gini = 2·|1 − 3| / (2 · 2² · 2) = 4 / 16 = 0.25.
    # H = −(¼ ln ¼ + ¾ ln ¾) = ln 4 − ¾ ln 3; J = H / ln 2; effective = e^H = 4 / 3^¾.
    # CV = population std / mean = 1 / 2.
    idx = compute_indices(np.array([1, 3]))
    h = math.log(4) - 0.75 * math.log(3)
    assert idx["gini"] == pytest.approx(0.25, rel=1e-12)
    assert idx["imbalance_ratio"] == 3.0
    assert idx["shannon_entropy"] == pytest.approx(h, rel=1e-12)
    assert idx["pielou_evenness"] == pytest.approx(h / math.log(2), rel=1e-12)
    assert idx["effective_classes"] == pytest.approx(4 / 3**0.75, rel=1e-12)
    assert idx["coefficient_of_variation"] == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("k", [2, 3, 7])
def test_uniform_counts_give_each_index_its_neutral_value(k):
    r = imbalance(gt_with_counts({c: 5 for c in range(1, k + 1)}))
    assert r.imbalance_ratio == 1.0
    assert r.gini == pytest.approx(0.0, abs=1e-12)
    assert r.pielou_evenness == pytest.approx(1.0, rel=1e-12)
    assert r.effective_classes == pytest.approx(k, rel=1e-12)
    assert r.coefficient_of_variation == pytest.approx(0.0, abs=1e-12)


def test_gini_grows_toward_one_as_one_class_dominates():
    # Counts (1, ..., 1, m): Gini = (K−1)(m−1)·2 / (2K² · mean) → (K−1)/K as m → ∞.
    ginis = [compute_indices(np.array([1, 1, 1, m]))["gini"] for m in (1, 10, 1000, 10**6)]
    assert ginis == sorted(ginis)
    assert ginis[-1] == pytest.approx(3 / 4, abs=1e-5)


def test_zero_annotation_categories_are_listed_and_kept_out_of_the_indices():
    r = imbalance(gt_with_counts({1: 4, 2: 2}, extra_categories=(9, 3)))
    assert r.imbalance_ratio == 2.0  # 4 / 2, not 4 / 0
    assert r.zero_annotation_categories == (
        CategoryCount(9, "c9", 0, 0),
        CategoryCount(3, "c3", 0, 0),
    )
    assert [c.category_id for c in r.categories] == [1, 2]
    frame = r.to_frame()
    assert frame["category_id"].tolist() == [1, 2, 9, 3]  # zero-annotation ones last
    assert frame["share"].tolist() == [4 / 6, 2 / 6, 0.0, 0.0]


def test_single_annotated_category_has_no_evenness_and_ratio_one():
    r = imbalance(gt_with_counts({5: 3}, extra_categories=(6,)))
    assert r.pielou_evenness is None  # H / ln 1 = 0 / 0: undefined
    assert r.imbalance_ratio == 1.0
    assert r.gini == 0.0
    assert r.effective_classes == 1.0


def test_no_annotation_at_all_leaves_every_index_undefined():
    r = imbalance(gt_with_counts({}, extra_categories=(1, 2)))
    assert r.categories == () and len(r.zero_annotation_categories) == 2
    for key in ("imbalance_ratio", "gini", "pielou_evenness", "effective_classes", "rare_share"):
        assert getattr(r, key) is None
    assert r.most is None and r.least is None
    assert r.to_dict()["max"] is None


def test_images_count_distinct_images_per_category():
    # Category 1: 3 annotations on 2 images; category 2: 1 annotation.
    gt = ground_truth_from_dict(gt_dict({1: [1, 1, 2], 2: [1]}))
    r = imbalance(gt)
    assert [(c.category_id, c.annotations, c.images) for c in r.categories] == [
        (1, 3, 2),
        (2, 1, 1),
    ]
    assert r.total_images == 2


def test_rare_share_counts_classes_below_the_threshold():
    # Counts 7, 85, 88, 88 with R = 10: one class of four is rare; with R = 86, two.
    gt = gt_with_counts(SEED_COUNTS)
    assert imbalance(gt).rare_share == 0.25
    assert imbalance(gt, rare_threshold=86).rare_share == 0.5
    assert imbalance(gt, rare_threshold=0).rare_share == 0.0


def test_bad_arguments_are_programmer_misuse():
    with pytest.raises(ValueError, match="Expected rare_threshold to be an integer >= 0, got -1"):
        imbalance(gt_with_counts({1: 1}), rare_threshold=-1)
    with pytest.raises(ValueError, match="Expected every count > 0; exclude zero-annotation"):
        compute_indices(np.array([3, 0]))


def test_to_dict_has_the_documented_keys():
    d = imbalance(gt_with_counts(SEED_COUNTS, extra_categories=(18109,))).to_dict()
    for key in (
        "imbalance_ratio",
        "gini",
        "pielou_evenness",
        "effective_classes",
        "zero_annotation_categories",
        "categories",
    ):
        assert key in d
    assert d["max"] == {"category_id": 25366, "name": "c25366", "annotations": 88, "images": 88}
    assert d["min"]["annotations"] == 7
    assert d["zero_annotation_categories"] == [
        {"category_id": 18109, "name": "c18109", "annotations": 0, "images": 0}
    ]
    assert d["source"] == "train.json"
