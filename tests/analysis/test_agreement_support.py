"""Training support beside two runs' agreement without a ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.agreement_support import agreement_vs_support
from pill_compare.analysis.disagreements import pair_models
from pill_compare.core import Detections
from pill_compare.io import ground_truth_from_dict, load_ground_truth, load_results
from tests.conftest import SAMPLE


def _train(counts):
    """Training annotations with ``counts[c]`` boxes of category c, one box an image."""
    anns, k = [], 0
    for c, n in counts.items():
        for _ in range(n):
            k += 1
            anns.append({"id": k, "image_id": k, "category_id": c, "bbox": [0, 0, 5, 5]})
    doc = {
        "images": [
            {"id": i, "file_name": f"{i}.png", "width": 10, "height": 10} for i in range(1, k + 1)
        ],
        "annotations": anns,
        "categories": [{"id": c, "name": f"c{c}"} for c in counts],
    }
    return ground_truth_from_dict(doc, source="train.json")


def test_hand_made_case_counts_disagreements_on_rare_classes():
    # Image 1: both say 1 on the same box (agree); image 2: A says 1, B says 2 (a swap).
    # Training: class 1 has 40 annotations, class 2 has 5 (rare below 10).
    def run(cats):
        return Detections(
            image_id=np.array([1, 2]),
            category_id=np.array(cats),
            bbox=np.array([[0, 0, 10, 10], [0, 0, 10, 10]], dtype=float),
            score=np.array([0.9, 0.9]),
            name="x",
        )

    pairing = pair_models(run([1, 1]), run([1, 2]))
    s = agreement_vs_support(_train({1: 40, 2: 5}), pairing, rare_threshold=10)
    # One disagreement (the swap), on a rare class: share 1.0. Rare boxes: B's one box of 2 of
    # 4 boxes = 0.25. Items with a rare class: the swap (agreeing 0 / 1); others: 1 / 1.
    assert (s.disagreements, s.disagreements_on_rare, s.share_on_rare) == (1, 1, 1.0)
    assert s.rare_box_share == 0.25
    assert (s.agreement_rate_rare, s.agreement_rate_frequent) == (0.0, 1.0)
    assert s.rare_categories == (2,)
    assert [(p.a, p.b, p.swaps) for p in s.rare_patterns] == [(1, 2, 1)]
    assert s.to_dict()["ratio"] == 8.0  # 40 / 5


def test_sample_training_ratio_and_rare_classes():
    a = load_results(SAMPLE / "efficientnet_b3.json")
    b = load_results(SAMPLE / "resnet101.json")
    train = load_ground_truth(SAMPLE / "train_annotations.json")
    s = agreement_vs_support(train, pair_models(a, b), rare_threshold=10)
    # data/README.md: 88 / 7 = 12.57; 4 rare classes (21324, 29450, 38161, 33877); 18109 has
    # no annotation and no run uses it: not a class here.
    assert s.training.imbalance_ratio == pytest.approx(88 / 7)
    assert s.rare_categories == (21324, 29450, 33877, 38161)
    assert 18109 not in [c.category_id for c in s.classes]
    assert s.disagreements == 61 and s.disagreements_on_rare == 4
