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

Comparing two runs (:func:`compare_lrp`): ΔoLRP = B − A with a paired percentile bootstrap
over images (:func:`~pill_compare.analysis.significance.resample_images`, the mAP bootstrap's
draws): an image drawn k times counts k times, its detections and GT boxes alike, and each
resample's oLRP (:func:`replicate_olrp`) is the minimum over the full data's thresholds of the
weighted LRP, with no re-matching (a copy of an image matches as the image does).

These equal vernier's ``optimal_lrp`` (v0.5.4, bbox, tp_threshold 0.5) when its τ grid holds
every detection score (its default grid 0.00, 0.01, ..., 1.00 only approximates the minimum);
vernier reports ``olrp_fp`` 0.0 rather than undefined for a category with false detections but
no TP at any threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.analysis.intervals import PairedComparison, lower_is_better_finding
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


@dataclass(frozen=True, eq=False)
class _Counted:
    """A table's detections that count at τ (TP or FP, area 'all', within ``max_dets``), sorted
    per class by descending score (ties in row order), with what each costs.

    Attributes:
        cat_ids: (K,) declared category ids; det_k: (N,) each detection's index among them.
        status: (N,) every detection's status at τ, IGNORED beyond ``max_dets``.
        n_gt: (K,) non-crowd GT boxes per class.
        row / k / score / is_tp / loss: (M,) the counted detections' rows, class indices, scores,
            TP flags and (1 − IoU)/(1 − τ) (0 for an FP), in that order.
        bounds: (R + 1,) where each class's run starts in the sorted arrays, and the end.
    """

    cat_ids: np.ndarray
    det_k: np.ndarray
    status: np.ndarray
    n_gt: np.ndarray
    row: np.ndarray
    k: np.ndarray
    score: np.ndarray
    is_tp: np.ndarray
    loss: np.ndarray
    bounds: np.ndarray


def _counted(table: MatchTable, max_dets: int | None) -> _Counted:
    """The detections that count for LRP (see :class:`_Counted`)."""
    if max_dets is not None and not (isinstance(max_dets, int) and max_dets >= 1):
        raise ValueError(f"Expected max_dets to be None or an integer >= 1, got {max_dets!r}")
    tau = LRP_IOU_THRESHOLD
    t = table.threshold_index(tau)
    a = table.area_index("all")
    cat_ids, det_k, gt_k = table.category_index()
    status = table.det_status[a, t].copy()
    if max_dets is not None:
        status[table.det_rank >= max_dets] = IGNORED
    n_gt = np.bincount(gt_k[table.gt_status[a, t] != IGNORED], minlength=cat_ids.size)
    counted = np.flatnonzero((status == TP) | (status == FP))
    is_tp = status[counted] == TP
    loss = np.zeros(counted.size)  # (1 - IoU)/(1 - tau) for TPs, 0 for FPs
    loss[is_tp] = (1.0 - _tp_ious(table, a, t, counted[is_tp])) / (1.0 - tau)
    k, s = det_k[counted], table.dets.score[counted]
    order = _class_score_order(table, counted)  # per class by descending score, ties in row order
    k = k[order]
    bounds = np.flatnonzero(np.r_[True, k[1:] != k[:-1], True]) if k.size else np.zeros(1, int)
    return _Counted(
        cat_ids=cat_ids,
        det_k=det_k,
        status=status,
        n_gt=n_gt,
        row=counted[order],
        k=k,
        score=s[order],
        is_tp=is_tp[order],
        loss=loss[order],
        bounds=bounds,
    )


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
    c = _counted(table, max_dets)
    best: dict[int, tuple[float, float, int, int, float]] = {}
    for lo, hi in zip(c.bounds[:-1].tolist(), c.bounds[1:].tolist(), strict=True):
        kk = int(c.k[lo])
        best[kk] = _optimum(c.score[lo:hi], c.is_tp[lo:hi], c.loss[lo:hi], int(c.n_gt[kk]))
    n_gt = c.n_gt
    f1, f1_thr = _best_f1_per_class(
        table.dets.score, c.status, c.det_k, n_gt, ranked=table.accumulation_order()
    )
    names = table.gt.category_names
    rows = []
    for kk, cid in enumerate(c.cat_ids.tolist()):
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
        iou_threshold=LRP_IOU_THRESHOLD,
        max_dets=max_dets,
        olrp=_mean([x.olrp for x in per_class]),
        olrp_loc=_mean([x.olrp_loc for x in per_class]),
        olrp_fp=_mean([x.olrp_fp for x in per_class]),
        olrp_fn=_mean([x.olrp_fn for x in per_class]),
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


def replicate_olrp(
    table: MatchTable, image_weights: np.ndarray, *, max_dets: int | None = None
) -> np.ndarray:
    """The mean oLRP of one run under each row of image weights (a bootstrap's resamples).

    An image of weight w counts w times: its detections and its GT boxes (a dataset holding w
    copies of it; copies match exactly as the image does, so nothing is re-matched). Per class
    and row, LRP(s) is formed from the weighted running sums of TPs, FPs and localisation
    costs at the thresholds of the full data, oLRP is its minimum (1 when keeping none is as
    good), and the mean runs over the classes with a GT box of positive weight.

    Only the thresholds where the minimum can fall are formed (:func:`_segments`): each ends a
    *segment* of the class's score order, and a segment's weighted sums are one sparse
    (segments x images) matrix of per-image sums times the (images x rows) weights, so the
    work grows with the (segment, image) pairs, not with detections x rows.

    Args:
        table: The run's match table, matched at IoU 0.5.
        image_weights: (B, I) integers >= 0, column i = ``table.gt.images.id[i]`` (e.g. from
            :func:`~pill_compare.analysis.significance.resample_images`); a row of ones is the
            full data.
        max_dets: As for :func:`compute_lrp`.

    Returns:
        (B,) float64 mean oLRP per row, NaN where no class has a GT box of positive weight. A
        row of ones gives :func:`compute_lrp`'s ``olrp`` up to float rounding (~1e-16: the
        localisation costs are summed per segment first, then segment after segment).

    Raises:
        ValueError: as :func:`compute_lrp`; weights of the wrong shape, not integers, or
            negative.
    """
    check_inputs("replicate_olrp", table=(table, MatchTable))
    weights = _check_weights(image_weights, table.gt.images.id.size)
    c = _counted(table, max_dets)
    images = np.asarray(table.gt.images.id)
    order = np.argsort(images, kind="stable")
    column = order[np.searchsorted(images, table.dets.image_id[c.row], sorter=order)]
    a = table.area_index("all")
    t = table.threshold_index(LRP_IOU_THRESHOLD)
    kept = table.gt_status[a, t] != IGNORED
    gt_column = order[np.searchsorted(images, table.gt.annotations.image_id[kept], sorter=order)]
    from scipy import sparse  # ~0.6 s to import: only when a bootstrap runs

    n_images = images.size
    per_image = sparse.csr_matrix(  # GT boxes per (image, class); duplicates add up
        (np.ones(gt_column.size), (gt_column, table.category_index()[2][kept])),
        shape=(n_images, c.cat_ids.size),
    )
    n_gt = np.asarray(weights @ per_image)  # (B, K) weighted GT boxes
    olrp = np.where(n_gt > 0, 1.0, np.nan)  # keeping none: LRP 1
    seg = _segments(c)
    n_seg = int(seg.max()) + 1 if seg.size else 0
    inside = seg >= 0
    seg, col, is_tp = seg[inside], column[inside], c.is_tp[inside]
    seg_k = np.zeros(n_seg, dtype=np.int64)
    seg_k[seg] = c.k[inside]
    # The counts are integers, exact in float32 (half the memory traffic of the product) while
    # below 2**24: a row's weighted count of every detection bounds each of its sums.
    per_row = weights @ np.bincount(column, minlength=n_images).astype(np.float64)
    exact32 = per_row.size == 0 or per_row.max() < 2.0**24
    count_type = np.float32 if exact32 else np.float64
    counts = sparse.csr_matrix(  # row s / n_seg + s: segment s's TPs / FPs per image
        (np.ones(seg.size, dtype=count_type), (np.where(is_tp, seg, n_seg + seg), col)),
        shape=(2 * n_seg, n_images),
    )
    costs = sparse.csr_matrix(  # segment s's Σ (1 − IoU)/(1 − τ) per image
        (c.loss[inside][is_tp], (seg[is_tp], col[is_tp])), shape=(n_seg, n_images)
    )
    first = np.flatnonzero(np.diff(seg_k, prepend=-1))  # each class's first segment
    bounds = np.r_[first, n_seg].tolist()
    classes = seg_k[first]
    step = max(1, min(_BATCH, _CHUNK_CELLS // max(n_seg, 1)))
    for lo in range(0, weights.shape[0] if n_seg else 0, step):
        rows = slice(lo, lo + step)
        w = np.ascontiguousarray(weights[rows].T)  # (I, b)
        both = (counts @ w.astype(count_type)).astype(np.float64)
        both, loc = both.reshape(2, n_seg, -1), costs @ w  # TPs, FPs; localisation cost
        for i in range(classes.size):  # running sums within each class
            j, k = bounds[i], bounds[i + 1]
            np.cumsum(both[:, j:k], axis=1, out=both[:, j:k])
            np.cumsum(loc[j:k], axis=0, out=loc[j:k])
        tp, fp = both
        g = n_gt[rows][:, seg_k].T  # (segments, b)
        with np.errstate(invalid="ignore", divide="ignore"):  # G = 0: left out below
            lrp = (loc + (fp + g - tp)) / (fp + g)  # TP + FP + FN = FP + G
        best = np.minimum(np.minimum.reduceat(lrp, first, axis=0).T, 1.0)  # (b, classes)
        olrp[rows, classes] = np.where(n_gt[rows][:, classes] > 0, best, np.nan)
    defined = np.isfinite(olrp)
    with np.errstate(invalid="ignore", divide="ignore"):  # no class defined: 0 / 0 = NaN
        return np.where(defined, olrp, 0.0).sum(axis=1) / defined.sum(axis=1)


def _segments(c: _Counted) -> np.ndarray:
    """Each counted detection's segment for :func:`replicate_olrp`, -1 where it is in none.

    Under any weights, LRP(s) = (L + F + G − T) / (F + G) with L, F, T the weighted running
    sums of localisation cost, FPs and TPs at s, and L <= T (each TP costs at most 1). Going
    down the score order one tie group at a time (a threshold keeps whole tie groups):

    * a group of FPs only adds f to both terms: (N + f)/(D + f) >= N/D as N <= D, so its LRP
      is no lower than the previous threshold's (or than keeping none, 1, for the first group);
    * a group of TPs only adds l − t <= 0 to the numerator: its LRP is no higher than the
      previous one's, so a TP-only group followed by another TP-only group is never needed.

    Hence the minimum over every threshold and keeping none is the minimum over keeping none
    and the ends of the groups holding a TP whose next group holds an FP (or that end the
    class). Segment j runs from after end j − 1 to end j (in one class); detections after
    their class's last end (lower scores) matter to no minimum and get -1.

    Returns:
        (M,) int64 segment per detection of ``c``'s order; segments ascend with it.
    """
    m = c.row.size
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    new_group = np.r_[True, (c.score[1:] != c.score[:-1]) | (c.k[1:] != c.k[:-1])]
    group = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    has_tp = np.bincount(group, weights=c.is_tp, minlength=starts.size) > 0
    has_fp = np.bincount(group, weights=~c.is_tp, minlength=starts.size) > 0
    group_k = c.k[starts]
    class_end = np.r_[group_k[1:] != group_k[:-1], True]
    ends = (np.r_[starts[1:], m] - 1)[has_tp & (class_end | np.r_[has_fp[1:], False])]
    is_end = np.zeros(m, dtype=np.int64)
    is_end[ends] = 1
    seg = np.cumsum(is_end) - is_end  # the ends before a detection: the segment it is in
    outside = seg >= ends.size
    outside[~outside] = c.k[ends[seg[~outside]]] != c.k[~outside]
    seg[outside] = -1
    return seg


#: Resamples per sparse product in :func:`replicate_olrp`: (images x 64) weights stay in cache.
_BATCH = 64

#: Segments x resamples held at once by :func:`replicate_olrp` (~16 MB per float array).
_CHUNK_CELLS = 2_000_000


def _check_weights(image_weights: np.ndarray, n_images: int) -> np.ndarray:
    weights = np.asarray(image_weights)
    if weights.ndim != 2 or weights.shape[1] != n_images:
        raise ValueError(f"Expected image_weights of shape (B, {n_images}), got {weights.shape}")
    if weights.size and not np.issubdtype(weights.dtype, np.integer):
        raise ValueError(f"Expected image_weights to hold integers, got dtype {weights.dtype}")
    if weights.size and weights.min() < 0:
        raise ValueError(f"Expected image_weights >= 0, got {int(weights.min())}")
    return weights.astype(np.float64)


@dataclass(frozen=True, eq=False)
class LrpComparison(PairedComparison[Lrp]):
    """A's and B's optimal LRP side by side, with ΔoLRP = B − A and its paired interval.

    Attributes:
        a / b: Each run's :class:`Lrp`.
        delta: oLRP of B − A (negative: B's errors are lower, B is better); None when either
            is undefined.
        ci_low / ci_high: Percentile interval of ``delta`` at level 1 − ``alpha`` from the
            paired image bootstrap; None when not tested.
        n_resamples: Resamples whose delta is defined (0: not tested).
        alpha: The interval is the (alpha/2, 1 − alpha/2) percentiles.
        finding: ``"a_better"`` / ``"b_better"`` (the interval excludes 0: that run's oLRP is
            lower), ``"no_difference"`` (it holds 0) or ``"not_tested"``.
    """


def compare_lrp(
    table_a: MatchTable,
    table_b: MatchTable,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    max_dets: int | None = None,
) -> LrpComparison:
    """Both runs' oLRP, ΔoLRP = B − A and its paired percentile bootstrap interval.

    The resamples are :func:`~pill_compare.analysis.significance.resample_images`'
    (from the random seed): the same images for A and B, and the same draws as the mAP bootstrap of
    :func:`~pill_compare.analysis.significance.paired_bootstrap` with that random seed. Each
    resample's oLRP is :func:`replicate_olrp`'s; a resample where either is undefined is left
    out.

    Args:
        table_a / table_b: The runs' match tables against one ground truth, matched at 0.5.
        n_resamples: Bootstrap resamples; 0 skips the interval (``finding="not_tested"``).
        seed: The bootstrap's random seed.
        alpha: The interval is the (alpha/2, 1 − alpha/2) percentiles.
        max_dets: As for :func:`compute_lrp`.

    Returns:
        The :class:`LrpComparison`.

    Raises:
        ValueError: as :func:`compute_lrp`; ``n_resamples`` < 0; ``alpha`` outside (0, 1].
    """
    n_resamples = int(check_number(n_resamples, "n_resamples", low=0, integer=True))
    alpha = float(check_number(alpha, "alpha", low=0.0, low_open=True, high=1.0))
    a, b = compute_lrp(table_a, max_dets=max_dets), compute_lrp(table_b, max_dets=max_dets)
    delta = None if a.olrp is None or b.olrp is None else b.olrp - a.olrp
    if delta is None or n_resamples == 0:
        return LrpComparison(a, b, delta, None, None, 0, alpha, "not_tested")
    # Imported here: significance imports scipy (~0.6 s), and `import pill_compare` loads lrp.
    from pill_compare.analysis.significance import resample_images

    weights = resample_images(table_a.gt.images.id.size, n_resamples, seed)
    diffs = replicate_olrp(table_b, weights, max_dets=max_dets) - replicate_olrp(
        table_a, weights, max_dets=max_dets
    )
    interval = lower_is_better_finding(diffs, alpha)
    if interval is None:
        return LrpComparison(a, b, delta, None, None, 0, alpha, "not_tested")
    low, high, finding = interval
    used = int(np.isfinite(diffs).sum())
    return LrpComparison(a, b, delta, low, high, used, alpha, finding)
