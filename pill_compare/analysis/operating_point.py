"""Precision, recall and F1 at an operating point, and the score threshold that maximizes F1.

Definitions. The operating point is a score threshold s and an IoU threshold u. Matching is the
COCO matching of the match table at IoU u over all object sizes (greedy by score within each
image and category; crowd regions absorb). A detection *counts* when its score >= s; since the
matching is greedy by score, what a counted detection matched does not depend on s.

* TP_k: counted detections of category k matched to a non-crowd GT of k.
* FP_k: counted detections of k that matched nothing (detections absorbed by a crowd region
  count neither way).
* FN_k: non-crowd GT boxes of k that no counted detection matched (= GT_k − TP_k).
* precision = TP / (TP + FP); recall = TP / (TP + FN); F1 = 2·TP / (2·TP + FP + FN), the
  harmonic mean of the two. Each is None ("n/a") when its denominator is 0.
* micro: the same formulas on TP, FP, FN summed over categories.
* macro: the unweighted mean of the per-category values over the categories where the value is
  defined (precision: categories with detections; recall: with GT; F1: with either).
* best F1: every distinct score of a TP or FP detection is tried as s; the maximum F1 and the
  highest threshold reaching it. Computed from the match table's counts, not from an
  interpolated curve. None when no detection counts; threshold None when the best F1 is 0.

Unlike COCO AP, no ``maxDets`` cap applies here: every detection above s counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_score_threshold
from pill_compare.analysis.matching import FP, IGNORED, TP, MatchTable

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

DEFINITIONS: dict[str, str] = {
    "tp": "detections with score >= s matched (IoU >= u, same category, one-to-one, greedy by "
    "score) to a non-crowd GT box",
    "fp": "detections with score >= s that matched nothing (crowd-absorbed ones count neither way)",
    "fn": "non-crowd GT boxes no detection with score >= s matched (= GT - TP)",
    "precision": "TP / (TP + FP)",
    "recall": "TP / (TP + FN)",
    "f1": "2 TP / (2 TP + FP + FN): harmonic mean of precision and recall",
    "micro": "the formulas on TP, FP, FN summed over categories",
    "macro": "unweighted mean over categories where the value is defined",
    "best_f1": "maximum F1 over every distinct detection score used as the threshold s, "
    "from the raw match counts (highest such threshold reported)",
}


@dataclass(frozen=True)
class ClassCounts:
    """One category at the operating point (see the module docstring for every definition)."""

    category_id: int
    name: str
    gt: int
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None
    best_f1: float | None
    best_f1_score_threshold: float | None


@dataclass(frozen=True, eq=False)
class OperatingPoint:
    """TP/FP/FN, precision, recall, F1 per class and overall at one (score, IoU) threshold.

    Attributes:
        score_threshold: s; detections with ``score >= s`` count.
        iou_threshold: u.
        per_class: One row per declared category, ascending id.
        micro: The summed counts and their precision/recall/F1 (``category_id`` -1, name 'micro').
        macro_precision / macro_recall / macro_f1: Means of the defined per-class values.
        best_f1 / best_f1_score_threshold: Overall (micro) best F1 and its threshold.
        absorbed: Counted detections absorbed by crowd regions (in neither TP nor FP).
    """

    score_threshold: float
    iou_threshold: float
    per_class: tuple[ClassCounts, ...]
    micro: ClassCounts
    macro_precision: float | None
    macro_recall: float | None
    macro_f1: float | None
    best_f1: float | None
    best_f1_score_threshold: float | None
    absorbed: int

    def __repr__(self) -> str:
        m = self.micro

        def show(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.4f}"

        return (
            f"OperatingPoint(score_threshold={self.score_threshold:g}, "
            f"iou_threshold={self.iou_threshold:g}, tp={m.tp}, fp={m.fp}, fn={m.fn}, "
            f"precision={show(m.precision)}, recall={show(m.recall)}, f1={show(m.f1)}, "
            f"categories={len(self.per_class)})"
        )

    def to_dict(self) -> dict[str, Any]:
        micro = asdict(self.micro)
        for key in ("category_id", "name", "best_f1", "best_f1_score_threshold"):
            micro.pop(key)
        return {
            "score_threshold": self.score_threshold,
            "iou_threshold": self.iou_threshold,
            "micro": micro,
            "macro": {
                "precision": self.macro_precision,
                "recall": self.macro_recall,
                "f1": self.macro_f1,
            },
            "best_f1": self.best_f1,
            "best_f1_score_threshold": self.best_f1_score_threshold,
            "absorbed_by_crowd": self.absorbed,
            "definitions": dict(DEFINITIONS),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per declared category."""
        import pandas as pd

        return pd.DataFrame([asdict(c) for c in self.per_class])


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den > 0 else None


def _counts(cid: int, name: str, gt: int, tp: int, fp: int) -> dict[str, Any]:
    fn = gt - tp
    return {
        "category_id": cid,
        "name": name,
        "gt": gt,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, gt),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
    }


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def compute_operating_point(
    table: MatchTable, *, score_threshold: float = 0.5, iou_threshold: float = 0.5
) -> OperatingPoint:
    """Counts and rates at ``score >= score_threshold`` and ``IoU >= iou_threshold``.

    Args:
        table: The match table; it must have been matched at ``iou_threshold``.
        score_threshold: s (0 counts every detection).
        iou_threshold: u.

    Returns:
        The :class:`OperatingPoint`.

    Raises:
        ValueError: ``iou_threshold`` is not one of the table's thresholds, or s is negative or
            not finite.

    Example:
        One GT and two detections of its class, scores 0.9 (IoU 0.8) and 0.6 (IoU 0.3): at
        s = 0.5, u = 0.5, TP = 1, FP = 1, FN = 0, so precision 0.5, recall 1, F1 = 2/3; the best
        F1 is 1.0 at s = 0.9.
    """
    check_inputs("compute_operating_point", table=(table, MatchTable))
    score_threshold = check_score_threshold(score_threshold)
    t = table.threshold_index(iou_threshold)
    a = table.area_index("all")
    gt, dets = table.gt, table.dets
    cat_ids, det_k, gt_k = table.category_index()
    names = gt.category_names
    n_k = cat_ids.size
    status = table.det_status[a, t]
    counted = dets.score >= score_threshold
    tp = np.bincount(det_k[counted & (status == TP)], minlength=n_k)
    fp = np.bincount(det_k[counted & (status == FP)], minlength=n_k)
    n_gt = np.bincount(gt_k[table.gt_status[a, t] != IGNORED], minlength=n_k)

    ranked = table.accumulation_order()  # category, then descending score: shared, cached
    best, best_thr = _best_f1_per_class(dets.score, status, det_k, n_gt, ranked=ranked)
    per_class = tuple(
        ClassCounts(
            **_counts(c, names.get(c, str(c)), int(n_gt[k]), int(tp[k]), int(fp[k])),
            best_f1=best[k],
            best_f1_score_threshold=best_thr[k],
        )
        for k, c in enumerate(cat_ids.tolist())
    )
    counted_rows = np.flatnonzero((status == TP) | (status == FP))
    by_score = dets.score[counted_rows]
    np.negative(by_score, out=by_score)
    ranked = counted_rows[np.argsort(by_score)]  # descending score, ties in any order
    del counted_rows, by_score
    overall, overall_thr = _best_f1_per_class(
        dets.score, status, np.zeros_like(det_k), np.array([n_gt.sum()]), ranked=ranked
    )
    del ranked
    micro = ClassCounts(
        **_counts(-1, "micro", int(n_gt.sum()), int(tp.sum()), int(fp.sum())),
        best_f1=overall[0],
        best_f1_score_threshold=overall_thr[0],
    )
    return OperatingPoint(
        score_threshold=float(score_threshold),
        iou_threshold=float(iou_threshold),
        per_class=per_class,
        micro=micro,
        macro_precision=_mean([c.precision for c in per_class]),
        macro_recall=_mean([c.recall for c in per_class]),
        macro_f1=_mean([c.f1 for c in per_class]),
        best_f1=overall[0],
        best_f1_score_threshold=overall_thr[0],
        absorbed=int((counted & (status == IGNORED)).sum()),
    )


def _best_f1_per_class(
    score: np.ndarray,
    status: np.ndarray,
    det_k: np.ndarray,
    n_gt: np.ndarray,
    *,
    ranked: np.ndarray | None = None,
) -> tuple[list[float | None], list[float | None]]:
    """Per class k: max over thresholds s (distinct TP/FP scores) of F1(s), and the highest s.

    F1(s) = 2 TP(s) / (TP(s) + FP(s) + GT_k), where TP(s), FP(s) count detections >= s.

    ``ranked``: detection rows (at least every TP and FP row) ordered by class, then
    descending score, ties in any order (the counts at the end of a run of equal scores do not
    depend on it), e.g. the match table's accumulation order; None sorts here.
    """
    n_k = n_gt.size
    best: list[float | None] = [0.0 if g > 0 else None for g in n_gt.tolist()]
    best_thr: list[float | None] = [None] * n_k
    keep = (status == TP) | (status == FP)
    if not keep.any():
        return best, best_thr
    if ranked is None:
        rows = np.flatnonzero(keep)
        rows = rows[np.lexsort((-score[rows], det_k[rows]))]
    else:
        rows = ranked[keep[ranked]]
    k, s = det_k[rows], score[rows]
    cum_tp = np.cumsum(status[rows] == TP)
    del rows, ranked
    new_class = k[1:] != k[:-1]
    starts = np.flatnonzero(np.r_[True, new_class])
    # A threshold s includes every detection with score >= s: evaluate at the last of a tie run
    # (only there: the counts are read at those positions, not kept for every detection).
    new_class |= s[1:] != s[:-1]
    last = np.flatnonzero(np.r_[new_class, True])
    del new_class
    class_start = starts[np.searchsorted(starts, last, side="right") - 1]
    tp = cum_tp[last] - np.r_[0, cum_tp][class_start]
    total = last + 1 - class_start  # TP + FP up to here within the class
    kl, sl = k[last], s[last]
    f1 = 2.0 * tp / (total + n_gt[kl])
    pick = np.lexsort((-sl, -f1, kl))  # per class: highest F1, then highest threshold
    first = pick[np.r_[True, kl[pick][1:] != kl[pick][:-1]]]
    for i in first.tolist():
        cls = int(kl[i])
        best[cls] = float(f1[i])
        best_thr[cls] = float(sl[i]) if f1[i] > 0 else None
    return best, best_thr
