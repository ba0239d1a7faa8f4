"""LRP and optimal LRP per class, and the score thresholds a team would submit at.

Definitions (Oksuz et al., "One Metric to Measure them All: Localisation Recall Precision (LRP)
for Evaluating Visual Detection Tasks", TPAMI 2021; ECCV 2018 for the first version). The
matching is the match table's COCO matching at IoU τ = 0.5 over all object sizes (greedy by
score per image and category; crowd regions absorb, and absorbed detections count neither way).
A detection *counts* at score threshold s when its score >= s; matching is greedy by score, so
what a counted detection matched does not depend on s.

For one category, at threshold s, with N_TP, N_FP counted detections and N_FN = G − N_TP
missed non-crowd GT boxes (G of them):

* LRP(s) = (Σ_TP (1 − IoU)/(1 − τ) + N_FP + N_FN) / (N_TP + N_FP + N_FN), in [0, 1]; 0 only
  for a perfect detector (every GT found at IoU 1, no false detection). Each TP costs its
  localisation error scaled to [0, 1] (a TP at IoU τ costs as much as a miss), each FP and FN 1.
* Components at s: ``loc`` = Σ_TP (1 − IoU)/(1 − τ) / N_TP (mean scaled localisation error of
  the TPs, undefined without TP); ``fp`` = N_FP / (N_TP + N_FP) = 1 − precision (undefined
  without counted detection); ``fn`` = N_FN / G = 1 − recall. Then
  LRP = (N_TP·loc + (N_TP + N_FP)·fp + G·fn) / (N_TP + N_FP + N_FN).
* oLRP = min over s of LRP(s); s runs over every distinct score of a TP or FP detection of the
  category, plus "keep none" (s above every score: LRP = 1). The threshold reported is the
  *highest* s reaching the minimum (fewest detections for the same error); None when keeping
  none is optimal (no TP at any threshold: oLRP = 1, then ``fn`` = 1 and loc, fp undefined).
  A category without GT box has no oLRP (None) and is left out of every mean.
* Means: ``olrp`` and ``olrp_fn`` over the categories with GT boxes; ``olrp_loc`` and
  ``olrp_fp`` over the categories whose optimum keeps at least one TP.
* F1-optimal threshold: the highest s maximising F1(s) = 2 N_TP / (2 N_TP + N_FP + N_FN) over
  the same candidate thresholds (the operating point's ``best_f1``); None when the best F1 is 0.

These equal vernier's ``optimal_lrp`` (v0.5.4, bbox, tp_threshold 0.5) when its τ grid holds
every detection score (its default grid 0.00, 0.01, ..., 1.00 only approximates the minimum);
vernier reports ``olrp_fp`` 0.0 rather than undefined for a category with false detections but
no TP at any threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs
from pill_compare.analysis.matching import FP, IGNORED, TP, MatchTable
from pill_compare.analysis.operating_point import _best_f1_per_class

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: The IoU threshold τ LRP is defined at (the paper's and vernier's default).
LRP_IOU_THRESHOLD = 0.5

#: The rules a per-class threshold file can follow.
THRESHOLD_RULES: tuple[str, ...] = ("olrp", "f1")

DEFINITIONS: dict[str, str] = {
    "lrp": "(sum over TPs of (1 - IoU)/(1 - tau) + FP + FN) / (TP + FP + FN), detections with "
    "score >= s, matched at IoU tau = 0.5 (Oksuz et al. 2021); 0 is perfect, 1 the worst",
    "olrp": "the lowest LRP over every score threshold s of the class",
    "threshold": "the highest score threshold reaching the class's oLRP (none: keeping no "
    "detection is optimal)",
    "olrp_loc": "mean (1 - IoU)/(1 - tau) of the TPs at the oLRP threshold",
    "olrp_fp": "FP / (TP + FP) at the oLRP threshold (1 - precision)",
    "olrp_fn": "FN / GT at the oLRP threshold (1 - recall)",
    "f1_threshold": "the highest score threshold maximising F1 = 2 TP / (2 TP + FP + FN)",
    "mean": "olrp and olrp_fn averaged over classes with GT boxes; olrp_loc and olrp_fp over "
    "classes whose optimum keeps a TP",
}


@dataclass(frozen=True)
class ClassLrp:
    """One category's optimal LRP (see the module docstring for every definition).

    Attributes:
        category_id / name: The category.
        gt: Non-crowd GT boxes G.
        olrp: The minimum LRP; None without GT box.
        threshold: The highest score threshold reaching it; None when keeping none is optimal
            or the category has no GT box.
        olrp_loc / olrp_fp / olrp_fn: The components at that threshold (None when undefined).
        tp / fp / fn: The counts at that threshold (fp counts only non-absorbed detections).
        f1: The best F1; None without GT box and detections.
        f1_threshold: The highest threshold reaching it; None when the best F1 is 0.
    """

    category_id: int
    name: str
    gt: int
    olrp: float | None
    threshold: float | None
    olrp_loc: float | None
    olrp_fp: float | None
    olrp_fn: float | None
    tp: int
    fp: int
    fn: int
    f1: float | None
    f1_threshold: float | None


@dataclass(frozen=True, eq=False)
class Lrp:
    """Optimal LRP per class and its means, plus the F1-optimal thresholds.

    Attributes:
        name: The run's display name.
        iou_threshold: τ (0.5).
        max_dets: The cap on detections per (image, category) by score, or None (all count).
        olrp / olrp_loc / olrp_fp / olrp_fn: The means (module docstring); None when no
            category qualifies.
        per_class: One row per declared category, ascending id.
    """

    name: str
    iou_threshold: float
    max_dets: int | None
    olrp: float | None
    olrp_loc: float | None
    olrp_fp: float | None
    olrp_fn: float | None
    per_class: tuple[ClassLrp, ...]

    def __repr__(self) -> str:
        shown = "n/a" if self.olrp is None else f"{self.olrp:.4f}"
        return f"Lrp(name={self.name!r}, olrp={shown}, categories={len(self.per_class)})"

    def thresholds(self, rule: str = "olrp") -> dict[int, float]:
        """Per-class score thresholds under ``rule`` ('olrp' or 'f1'), classes with one only.

        Raises:
            ValueError: an unknown rule.
        """
        if rule not in THRESHOLD_RULES:
            raise ValueError(f"Expected rule to be one of {THRESHOLD_RULES}, got {rule!r}")
        field = "threshold" if rule == "olrp" else "f1_threshold"
        out = {}
        for c in self.per_class:
            value = getattr(c, field)
            if value is not None:
                out[c.category_id] = value
        return out

    def thresholds_dict(self, rule: str = "olrp") -> dict[str, Any]:
        """JSON-ready per-class thresholds: ``{"rule", "iou_threshold", "name", "thresholds":
        {category_id: threshold}}`` (classes without a threshold are absent: keep them all)."""
        values = self.thresholds(rule)
        return {
            "rule": rule,
            "iou_threshold": self.iou_threshold,
            "name": self.name,
            "thresholds": {str(k): v for k, v in values.items()},
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the means, ``per_class`` rows and the definitions."""
        return {
            "iou_threshold": self.iou_threshold,
            "max_dets": self.max_dets,
            "olrp": self.olrp,
            "olrp_loc": self.olrp_loc,
            "olrp_fp": self.olrp_fp,
            "olrp_fn": self.olrp_fn,
            "per_class": [asdict(c) for c in self.per_class],
            "definitions": dict(DEFINITIONS),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per declared category."""
        import pandas as pd

        return pd.DataFrame([asdict(c) for c in self.per_class])


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def _tp_ious(table: MatchTable, a: int, t: int, rows: np.ndarray) -> np.ndarray:
    """IoU of each detection row in ``rows`` with the GT it matched, read from the table's pairs."""
    det, gt, iou = table.overlaps()
    g = max(table.n_gts, 1)
    keys = det * g + gt  # pairs are sorted by detection row then GT row: keys ascend
    wanted = rows.astype(np.int64) * g + table.det_gt_at(a, t)[rows].astype(np.int64)
    at = np.searchsorted(keys, wanted)
    if not (at < keys.size).all() or not np.array_equal(keys[at], wanted):
        raise ValueError("Expected every matched pair among the table's overlaps")
    return iou[at]


def compute_lrp(table: MatchTable, *, max_dets: int | None = None) -> Lrp:
    """Optimal LRP per class (τ = 0.5), its components and thresholds, and F1-optimal thresholds.

    Args:
        table: The match table; it must have been matched at IoU 0.5.
        max_dets: Count only the top ``max_dets`` detections per (image, category) by score
            (COCO's and vernier's 100); None (default) counts every detection, as a submission
            does.

    Returns:
        The :class:`Lrp`.

    Raises:
        ValueError: the table was not matched at 0.5, or ``max_dets`` is not an integer >= 1.

    Example:
        One class, two GT boxes; detections 0.9 (IoU 0.8), 0.7 (FP), 0.55 (IoU 1.0). At
        s = 0.55: (0.2/0.5 + 0 + 1 + 0) / 3 = 0.4667, lower than at s = 0.9 (0.4 + 1)/2 = 0.7 or
        0.7 (0.4 + 1 + 1)/3 = 0.8: oLRP 0.4667 at threshold 0.55, loc 0.2, fp 1/3, fn 0.
    """
    check_inputs("compute_lrp", table=(table, MatchTable))
    if max_dets is not None and not (isinstance(max_dets, int) and max_dets >= 1):
        raise ValueError(f"Expected max_dets to be None or an integer >= 1, got {max_dets!r}")
    tau = LRP_IOU_THRESHOLD
    t = table.threshold_index(tau)
    a = table.area_index("all")
    cat_ids, det_k, gt_k = table.category_index()
    n_k = cat_ids.size
    status = table.det_status[a, t].copy()
    if max_dets is not None:
        status[table.det_rank >= max_dets] = IGNORED
    n_gt = np.bincount(gt_k[table.gt_status[a, t] != IGNORED], minlength=n_k)
    score = table.dets.score

    counted = np.flatnonzero((status == TP) | (status == FP))
    is_tp = status[counted] == TP
    loss = np.zeros(counted.size)  # (1 - IoU)/(1 - tau) for TPs, 0 for FPs
    loss[is_tp] = (1.0 - _tp_ious(table, a, t, counted[is_tp])) / (1.0 - tau)
    # Per class by descending score, ties in row order; one column at a time (memory).
    order = _class_score_order(table, counted)
    k = det_k[counted[order]]
    s = score[counted[order]]
    del counted
    is_tp = is_tp[order]
    loss = loss[order]
    del order
    bounds = np.flatnonzero(np.r_[True, k[1:] != k[:-1], True]) if k.size else np.zeros(1, int)
    best: dict[int, tuple[float, float, int, int, float]] = {}
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        kk = int(k[lo])
        best[kk] = _optimum(s[lo:hi], is_tp[lo:hi], loss[lo:hi], int(n_gt[kk]))
    del k, s, is_tp, loss

    f1, f1_thr = _best_f1_per_class(score, status, det_k, n_gt, ranked=table.accumulation_order())
    names = table.gt.category_names
    rows = []
    for kk, cid in enumerate(cat_ids.tolist()):
        row: dict[str, Any] = {"category_id": cid, "name": names.get(cid, str(cid))}
        row.update(gt=int(n_gt[kk]), f1=f1[kk], f1_threshold=f1_thr[kk])
        opt = best.get(kk)
        if n_gt[kk] == 0:
            row.update(olrp=None, threshold=None, olrp_loc=None, olrp_fp=None, olrp_fn=None)
            row.update(tp=0, fp=0, fn=0)
        elif opt is None or not opt[0] < 1.0:  # keeping none (LRP 1) is as good: highest s
            row.update(olrp=1.0, threshold=None, olrp_loc=None, olrp_fp=None, olrp_fn=1.0)
            row.update(tp=0, fp=0, fn=int(n_gt[kk]))
        else:
            value, threshold, n_tp, n_fp, loc = opt
            row.update(olrp=value, threshold=threshold)
            row.update(olrp_loc=loc / n_tp, olrp_fp=n_fp / (n_tp + n_fp))
            row.update(olrp_fn=(int(n_gt[kk]) - n_tp) / int(n_gt[kk]))
            row.update(tp=n_tp, fp=n_fp, fn=int(n_gt[kk]) - n_tp)
        rows.append(ClassLrp(**row))
    per_class = tuple(rows)
    return Lrp(
        name=table.dets.name,
        iou_threshold=tau,
        max_dets=max_dets,
        olrp=_mean([c.olrp for c in per_class]),
        olrp_loc=_mean([c.olrp_loc for c in per_class]),
        olrp_fp=_mean([c.olrp_fp for c in per_class]),
        olrp_fn=_mean([c.olrp_fn for c in per_class]),
        per_class=per_class,
    )


def _class_score_order(table: MatchTable, rows: np.ndarray) -> np.ndarray:
    """Positions in ``rows`` (ascending detection rows) ordered by category, then descending
    score, ties in row order: the order of the running loss sum, which vernier forms so.

    The table's accumulation order (category, descending score, image id, row), cached and
    shared with the COCO metrics, is that order whenever image ids never decrease along the
    rows (results files grouped by image, the usual case); else a sort here.
    """
    dets = table.dets
    if np.all(dets.image_id[1:] >= dets.image_id[:-1]):
        index = np.int32 if rows.size < 2**31 else np.int64  # half the memory of int64
        position = np.full(table.n_dets, -1, dtype=index)
        position[rows] = np.arange(rows.size, dtype=index)
        ranked = position[table.accumulation_order()]
        del position
        return ranked[ranked >= 0]
    _, det_k, _ = table.category_index()
    return np.lexsort((-dets.score[rows], det_k[rows]))


def _optimum(
    score: np.ndarray, is_tp: np.ndarray, loss: np.ndarray, n_gt: int
) -> tuple[float, float, int, int, float]:
    """One class's minimum LRP over its thresholds, detections sorted by descending score.

    Returns:
        ``(lrp, threshold, tp, fp, loc_sum)`` at the highest threshold reaching the minimum;
        ``loc_sum`` = Σ_TP (1 − IoU)/(1 − τ). ``lrp`` is NaN when the class has no GT box.
    """
    tp = np.cumsum(is_tp.astype(np.int64))
    fp = np.arange(1, score.size + 1) - tp
    loc = np.cumsum(loss)  # one class's own running sum: the same float sum vernier forms
    # A threshold s keeps every detection with score >= s: evaluate at the last of a tie run.
    last = np.flatnonzero(np.r_[score[1:] != score[:-1], True])
    with np.errstate(invalid="ignore", divide="ignore"):
        lrp = (loc[last] + (fp[last] + n_gt - tp[last])) / (fp[last] + n_gt)  # TP+FP+FN = FP+G
    i = int(last[np.argmin(lrp)]) if n_gt else int(last[0])  # argmin: the first = highest s
    value = float("nan") if not n_gt else float(np.min(lrp))
    return value, float(score[i]), int(tp[i]), int(fp[i]), float(loc[i])
