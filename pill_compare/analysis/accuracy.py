"""Two written definitions of "accuracy" for a detector (a hand-written comparison report quoted 97% vs 88% without one).

Both use the operating point: detections with score >= s count, boxes match at IoU >= u.

(a) ``classification_accuracy``: among counted detections matched *class-agnostically* to a
    non-crowd GT box (one-to-one, greedy by score within each image, a detection takes the
    free GT of any class with the highest IoU >= u), the share whose category equals that GT's.
    It measures labels alone, given the box was found; it is the diagonal share of the class
    block of the confusion matrix. None when nothing matched.
(b) ``image_exact_match``: the share of ground-truth images whose multiset of predicted
    categories (counted detections, minus those a crowd region absorbed) equals the multiset of
    their non-crowd GT categories: every pill found once, nothing extra, ignoring boxes. An image
    with no GT and no counted detection is an exact match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_score_threshold
from pill_compare.analysis.matching import IGNORED, TP, MatchTable

DEFINITIONS: dict[str, str] = {
    "classification_accuracy": "(a) among detections with score >= s matched one-to-one to a "
    "GT box of any class at IoU >= u (class-agnostic, greedy by score), the share whose "
    "category equals the GT's",
    "image_exact_match": "(b) share of GT images whose multiset of predicted categories "
    "(score >= s, crowd-absorbed ones left out) equals the multiset of GT categories "
    "(crowd regions left out); boxes are not compared",
}


@dataclass(frozen=True)
class Accuracy:
    """Both accuracies with their counts (definitions in the module docstring)."""

    score_threshold: float
    iou_threshold: float
    classification_accuracy: float | None
    correct: int
    matched: int
    image_exact_match: float | None
    exact_images: int
    images: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "score_threshold": self.score_threshold,
            "iou_threshold": self.iou_threshold,
            "classification_accuracy": self.classification_accuracy,
            "correct": self.correct,
            "matched": self.matched,
            "image_exact_match": self.image_exact_match,
            "exact_images": self.exact_images,
            "images": self.images,
            "definitions": dict(DEFINITIONS),
        }


def compute_accuracy(table: MatchTable, *, score_threshold: float = 0.5) -> Accuracy:
    """Classification accuracy (a) and image exact-match accuracy (b) at ``score_threshold``.

    The IoU threshold is the table's ``agnostic_iou_threshold``.

    Example:
        Image 1 has GT {A, B}; detections A (on A's box) and C (on B's box), both above s:
        (a) = 1/2; image 1 is not an exact match ({A, C} != {A, B}).
    """
    check_inputs("compute_accuracy", table=(table, MatchTable))
    score_threshold = check_score_threshold(score_threshold)
    dets, ann = table.dets, table.gt.annotations
    counted = dets.score >= score_threshold
    matched = counted & (table.agnostic_status == TP)
    gt_rows = table.agnostic_gt[matched]
    correct = int((dets.category_id[matched] == ann.category_id[gt_rows]).sum())
    n_matched = int(matched.sum())

    predicted = counted & (table.agnostic_status != IGNORED)
    real = ~ann.iscrowd
    image_ids = table.gt.images.id
    keys = np.r_[
        _key(ann.image_id[real], ann.category_id[real]),
        _key(dets.image_id[predicted], dets.category_id[predicted]),
    ]
    weight = np.r_[np.ones(int(real.sum()), np.int64), -np.ones(int(predicted.sum()), np.int64)]
    bad_images = 0
    if keys.shape[0]:
        order = np.lexsort((keys[:, 1], keys[:, 0]))
        keys, weight = keys[order], weight[order]
        starts = np.flatnonzero(np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)])
        balance = np.add.reduceat(weight, starts)
        bad_images = np.unique(keys[starts][balance != 0, 0]).size
    n_images = int(image_ids.size)
    return Accuracy(
        score_threshold=float(score_threshold),
        iou_threshold=table.agnostic_iou_threshold,
        classification_accuracy=correct / n_matched if n_matched else None,
        correct=correct,
        matched=n_matched,
        image_exact_match=(n_images - bad_images) / n_images if n_images else None,
        exact_images=n_images - bad_images,
        images=n_images,
    )


def _key(image_id: np.ndarray, category_id: np.ndarray) -> np.ndarray:
    return np.stack([image_id, category_id], axis=1).reshape(-1, 2)
