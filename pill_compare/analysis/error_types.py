"""TIDE's error types (Bolya et al., ECCV 2020; ``tidecv``) from a match table.

Every false positive of a match table gets one type, and every missed GT box that no false
positive explains is a *miss*. The rules are ``tidecv/quantify.py`` (``TIDERun._eval_image``)
and ``tidecv/errors/main_errors.py``, reproduced exactly; fg = ``fg_iou`` (TIDE's
``pos_threshold``, 0.5), bg = ``bg_iou`` (TIDE's ``background_threshold``, 0.1).

Which boxes take part: the detections evaluated by COCO AP at IoU fg over the 'all' area range
with the top ``max_dets`` per (image, category) (``det_rank < max_dets``), and the countable GT
boxes (not crowd, not ignored under 'all'). A GT box is *used* when one of those detections
matched it (COCO's greedy matching at fg, as in the table). IoUs are pycocotools' (``bbIou``),
read from the table's overlap pairs (:meth:`~pill_compare.analysis.matching.MatchTable.overlaps`;
no box is paired again).

For each false positive d, with, over the countable GT boxes of its image,
S = the highest IoU with a GT box of d's class, O = the highest IoU with a GT box of another
class, U = the highest IoU with a *used* GT box of d's class, M = max(S, O), the tests run in
TIDE's order and the first that holds gives the type (the GT box it refers to is the one
reaching that highest IoU; on an IoU tie the first in file order, as ``np.argmax``):

1. the image has no countable GT box → BKG (no GT box);
2. bg <= S <= fg → LOC, "Localization": the right class, poorly placed (fg itself included);
3. O >= fg → CLS, "Classification": well placed on a box of another class (tested after LOC:
   a box at IoU 0.3 with its own class and 0.9 with another class is LOC, as in TIDE);
4. U >= fg → DUPE, "Duplicate": well placed on a box of its class that a higher-scoring
   detection already took;
5. M <= bg → BKG, "Background": on no object (no GT box);
6. otherwise BOTH ("Both" / TIDE's ``OtherError``): the wrong class and poorly placed
   (bg < O < fg with S < bg); it refers to the GT box of highest IoU M.

A countable GT box that no evaluated detection found is MISS unless a LOC or CLS error refers
to it (TIDE's ``usable`` flag: such a box is explained by that error, not missed).

Oracle fixes (``Error.fix`` in tidecv), each applied to all errors of one type while the rest of
the data stays as it is, AP recomputed, and ΔAP = max(fixed AP − base AP, 0):

* CLS / LOC: among all LOC and CLS errors that refer to one unused GT box, the highest-scoring
  (ties: the first in file order) becomes a true positive of that GT box's class (CLS: the
  detection takes the GT's class; LOC: the box is put on the GT, its class already is the
  GT's); every other error of the type being fixed is removed (one on a used GT box, or one
  that is not the best for its box, also when the best is of the other type).
* DUPE, BKG, BOTH: the detection is removed.
* MISS: the GT box is removed from the GT count of its class.
* FalsePos (special, not clipped): every false positive removed (TIDE scores them 0, which
  gives the same AP: they rank after every true positive).
* FalseNeg (special, not clipped): every unused countable GT box removed from the GT counts.

AP is pycocotools' AP at IoU fg, area 'all', ``max_dets`` per (image, category): the 101-point
interpolated precision, averaged over the categories with a countable GT box (the base AP is
exactly ``evaluate(...).coco.stats['map_50']`` for fg = 0.5). A fix that leaves a category with
no GT box counted: its AP is 0 when it still has evaluated detections (they are all false
positives) and it is left out of the mean when it has none, as TIDE does.

Deliberate differences from tidecv (identical results where none of them applies: no crowd
regions, every category with a detection has GT, at most ``max_dets`` detections per image, no
tied scores or IoUs):

* Categories averaged: tidecv averages over every category with GT *or* detections (a category
  with detections and no GT scores 0 there); pillcmp over the categories with GT, as COCO does.
* ``maxDets``: tidecv keeps the top 100 detections per *image*; pillcmp the top ``max_dets``
  per (image, category), as COCO AP does; the others get no error type (NONE).
* Crowd regions: tidecv ignores a false positive whose crowd IoU with a crowd region of its
  class is > fg, but still gives it an error type (and its fix may even count it); pillcmp uses
  COCO's matching (a detection absorbed by a crowd region is ignored) and an ignored detection
  has no error type (NONE). GT boxes ignored under 'all' (crowd, or 'area' outside COCO's range)
  take no part in the error tests either.
* IoU ties: COCO's matching (the table's) takes the later GT box on an IoU tie, tidecv's the
  first (then a different box is used, and the errors near it refer to another box).
* Tied scores: pillcmp ranks every run, base and fixed, as COCO does (score, then image id,
  then file order). tidecv ranks its base run in insertion order but its fixed runs with every
  false positive before every true positive of equal score (``fix_errors`` pushes the errors
  first and adds the true positives back after), so with tied scores tidecv's fixed APs are
  biased low: on 300 synthetic COCO-like images (benchmarks/bench_eval.py's data, scores with
  2 decimals, crowd regions left out) tidecv gives ΔAP Cls 0.085, Loc 0.029, Both 0.0 and
  FalseNeg −0.019 where pillcmp gives 0.105, 0.049, 0.015 and 0.003; with the same scores
  made distinct both give 0.105, 0.051, 0.016 and 0.003 (every ΔAP within 4e-5, counts equal).
* Recall points: pycocotools' ``linspace(0, 1, 101)`` rather than tidecv's ``k / 100``: ten
  of them (0.35, 0.41, 0.47, 0.57, 0.69, 0.7, 0.82, 0.83, 0.94, 0.95) are one ulp above k / 100,
  so a recall of exactly 7/10, 7/20, 14/20, 19/20 or 21/30 reaches the point in tidecv and not
  here (one point of 101 for that category). With tidecv's points set to pycocotools', every
  count and ΔAP of 344 random comparable cases agrees to 4e-15; tests/analysis/test_error_types.py
  holds 1e-9 on such cases, the ones where the points differ included.
* pycocotools' annotation-id-0 quirk (a match to a GT box with id 0 counts as FP) stays in the
  AP, as in ``evaluate``; the error types read that match as a true positive.
* A CLS fix moves the detection to the GT's category; its ``maxDets`` rank is then taken in that
  category (:func:`~pill_compare.analysis.coco_metrics.accumulate_precision_recall`), which only
  matters when that (image, category) already holds ``max_dets`` detections.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.analysis.coco_metrics import (
    RECALL_THRESHOLDS,
    accumulate_precision_recall,
    accumulated_status,
    interpolated_precision,
)
from pill_compare.analysis.matching import FN, FP, IGNORED, TP, MatchTable

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd


class ErrorType(IntEnum):
    """TIDE's error vocabulary; the codes are fixed (stored in arrays and shared by modules)."""

    NONE = 0  #: a true positive, an ignored or unevaluated detection, a found GT box: no error
    CLS = 1  #: classification: well localized on a GT box of another class
    LOC = 2  #: localization: the right class, bg <= IoU <= fg
    BOTH = 3  #: the wrong class and poorly localized
    DUPE = 4  #: duplicate: well localized on a GT box a higher-scoring detection took
    BKG = 5  #: background: on no object
    MISS = 6  #: a GT box no detection found or explains

    @property
    def key(self) -> str:
        """The short key used in outputs and colours: 'cls', 'loc', 'both', 'dupe', 'bkg',
        'miss' ('none' for NONE)."""
        return self.name.lower()


#: The six error types in TIDE's order (its ``_error_types``), and their keys.
ERROR_TYPES: tuple[ErrorType, ...] = (
    ErrorType.CLS,
    ErrorType.LOC,
    ErrorType.BOTH,
    ErrorType.DUPE,
    ErrorType.BKG,
    ErrorType.MISS,
)
ERROR_KEYS: tuple[str, ...] = tuple(e.key for e in ERROR_TYPES)
#: TIDE's two special errors: every false positive, every false negative.
SPECIAL_KEYS: tuple[str, ...] = ("false_pos", "false_neg")


@dataclass(frozen=True, eq=False)
class ErrorAssignment:
    """The TIDE error type of every detection and every missed GT box of one match table.

    N = detections, G = GT boxes of the table (rows as in the table).

    Attributes:
        fg_iou: Foreground IoU (the matching threshold of the true positives).
        bg_iou: Background IoU.
        max_dets: Detections evaluated per (image, category), by descending score.
        det_error: (N,) int8 :class:`ErrorType` code per detection; NONE for a true positive,
            an ignored detection and one ranked at or beyond ``max_dets``.
        det_gt: (N,) int64 GT row the error refers to (the matched GT for a true positive),
            -1 for BKG and where there is none.
        gt_missed: (G,) bool, MISS: a countable GT box no evaluated detection found and no LOC
            or CLS error refers to.
        det_status: (N,) int8 TP / FP / IGNORED at IoU fg, area 'all', among the evaluated
            detections (IGNORED also for those ranked at or beyond ``max_dets``).
        gt_status: (G,) int8 TP (found by an evaluated detection) / FN / IGNORED (crowd, or
            outside the 'all' area range).
        det_fix_tp: (N,) bool: the LOC and CLS errors TIDE's oracle fix turns into a true
            positive (the highest-scoring error on each unused GT box; ties: first row).
    """

    fg_iou: float
    bg_iou: float
    max_dets: int
    det_error: np.ndarray
    det_gt: np.ndarray
    gt_missed: np.ndarray
    det_status: np.ndarray
    gt_status: np.ndarray
    det_fix_tp: np.ndarray

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        return f"ErrorAssignment({shown}, fg_iou={self.fg_iou:g}, bg_iou={self.bg_iou:g})"

    def counts(self) -> dict[str, int]:
        """Errors per type key, in TIDE's order: {'cls': n, 'loc': n, ..., 'miss': n}."""
        by_code = np.bincount(self.det_error, minlength=len(ErrorType))
        out = {e.key: int(by_code[e]) for e in ERROR_TYPES}
        out[ErrorType.MISS.key] = int(self.gt_missed.sum())
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "fg_iou": self.fg_iou,
            "bg_iou": self.bg_iou,
            "max_dets": self.max_dets,
            "counts": self.counts(),
        }


def classify_errors(
    table: MatchTable, *, fg_iou: float = 0.5, bg_iou: float = 0.1, max_dets: int = 100
) -> ErrorAssignment:
    """Give every false positive its TIDE error type and find the missed GT boxes.

    The rules are in the module docstring (TIDE's, in TIDE's order).

    Args:
        table: A match table matched at ``fg_iou`` and over the 'all' area range.
        fg_iou: Foreground IoU in (0, 1]: true positives are matches at this threshold.
        bg_iou: Background IoU in (0, fg_iou]: below it a box is on no object.
        max_dets: Detections evaluated per (image, category) (COCO's ``maxDets``), >= 1.

    Returns:
        The :class:`ErrorAssignment`.

    Raises:
        TypeError: ``table`` is not a MatchTable, or a threshold is not a number.
        ValueError: a threshold out of range, ``fg_iou`` not among the table's thresholds, no
            'all' area range, or ``max_dets`` not an integer >= 1.

    Example:
        >>> errors = classify_errors(evaluate(gt, dets).matches)  # doctest: +SKIP
        >>> errors.counts()
        {'cls': 3, 'loc': 12, 'both': 1, 'dupe': 4, 'bkg': 7, 'miss': 9}
    """
    check_inputs("classify_errors", table=(table, MatchTable))
    fg = check_number(fg_iou, "fg_iou", low=0.0, low_open=True, high=1.0)
    bg = check_number(bg_iou, "bg_iou", low=0.0, low_open=True, high=fg)
    cap = check_number(max_dets, "max_dets", low=1, integer=True)
    t = table.threshold_index(fg)
    a = table.area_index("all")
    n, g = table.n_dets, table.n_gts
    ann = table.gt.annotations

    evaluated = table.det_rank < cap
    det_status = np.where(evaluated, table.det_status[a, t], IGNORED).astype(np.int8)
    matched = table.det_gt_at(a, t).astype(np.int64)
    gt_status = table.gt_status[a, t].copy()
    found_by = table.gt_det[a, t].astype(np.int64)
    lost = gt_status == TP
    lost[lost] = ~evaluated[found_by[lost]]
    gt_status[lost] = FN  # found only by a detection beyond max_dets: missed at this cap
    countable = gt_status != IGNORED
    used = gt_status == TP

    det_error = np.zeros(n, dtype=np.int8)
    det_gt = np.where(det_status == TP, matched, -1)
    fp = det_status == FP

    # Every (false positive, countable GT box) pair of one image that overlaps, read from the
    # table's pairs, sorted by detection then GT row (what _best_first's tie rule needs). A
    # countable box is never a crowd region (crowd regions are ignored under every area range),
    # so its stored IoU is the plain one, intersection / union, as TIDE's. A pair whose IoU
    # underflows to 0.0 could never pass a test below (bg > 0) nor be a best (a pair with
    # IoU > 0 beats it).
    pair_det, pair_gt, pair_iou = table.overlaps(dets_mask=fp, gt_mask=countable)
    same = table.dets.category_id[pair_det] == ann.category_id[pair_gt]
    s_gt, s_iou = _best_first(n, pair_det[same], pair_gt[same], pair_iou[same])
    o_gt, o_iou = _best_first(n, pair_det[~same], pair_gt[~same], pair_iou[~same])
    keep = same & used[pair_gt]
    u_gt, u_iou = _best_first(n, pair_det[keep], pair_gt[keep], pair_iou[keep])
    m_gt, m_iou = _best_first(n, pair_det, pair_gt, pair_iou)

    image_has_gt = np.isin(table.dets.image_id, ann.image_id[countable])
    rules = (
        (~image_has_gt, ErrorType.BKG, None),
        ((s_iou >= bg) & (s_iou <= fg), ErrorType.LOC, s_gt),
        (o_iou >= fg, ErrorType.CLS, o_gt),
        (u_iou >= fg, ErrorType.DUPE, u_gt),
        (m_iou <= bg, ErrorType.BKG, None),
        (np.ones(n, dtype=bool), ErrorType.BOTH, m_gt),
    )
    todo = fp.copy()
    for test, code, refers in rules:
        hit = todo & test
        det_error[hit] = code
        if refers is not None:
            det_gt[hit] = refers[hit]
        todo &= ~hit

    # TIDE's BestGTMatch: among the LOC/CLS errors on one unused GT box, the highest score
    # (strict '<' while visiting in score order, so the first row on ties) is the one fixed.
    explains = np.isin(det_error, (ErrorType.LOC, ErrorType.CLS))
    explains &= det_gt >= 0
    explains[explains] = ~used[det_gt[explains]]
    det_fix_tp = np.zeros(n, dtype=bool)
    rows = np.flatnonzero(explains)
    if rows.size:
        order = np.lexsort((rows, -table.dets.score[rows], det_gt[rows]))
        rows = rows[order]
        first = np.r_[True, det_gt[rows][1:] != det_gt[rows][:-1]]
        det_fix_tp[rows[first]] = True
    explained = np.zeros(g, dtype=bool)
    explained[det_gt[explains]] = True
    gt_missed = countable & ~used & ~explained

    return ErrorAssignment(
        fg_iou=fg,
        bg_iou=bg,
        max_dets=cap,
        det_error=det_error,
        det_gt=det_gt,
        gt_missed=gt_missed,
        det_status=det_status,
        gt_status=gt_status.astype(np.int8),
        det_fix_tp=det_fix_tp,
    )


def _best_first(
    n: int, pair_det: np.ndarray, pair_gt: np.ndarray, pair_iou: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per detection: the highest IoU among its pairs and its GT row (ties: the first pair,
    i.e. the first GT row, as ``np.argmax`` over the image's GT boxes in file order); -1 and
    0.0 without pairs. Pairs must be grouped by detection with GT rows ascending."""
    best_gt = np.full(n, -1, dtype=np.int64)
    best_iou = np.zeros(n, dtype=np.float64)
    if pair_det.size == 0:
        return best_gt, best_iou
    seg = np.flatnonzero(np.r_[True, pair_det[1:] != pair_det[:-1]])
    top = np.maximum.reduceat(pair_iou, seg)
    seg_of_pair = np.repeat(np.arange(seg.size), np.diff(np.r_[seg, pair_det.size]))
    first = np.where(pair_iou == top[seg_of_pair], np.arange(pair_det.size), pair_det.size)
    first = np.minimum.reduceat(first, seg)
    rows = pair_det[seg]
    best_gt[rows] = pair_gt[first]
    best_iou[rows] = top
    return best_gt, best_iou


@dataclass(frozen=True, eq=False)
class ErrorBreakdown:
    """Count and ΔAP of each TIDE error type of one match table (definitions: module docstring).

    Attributes:
        fg_iou / bg_iou / max_dets: As in :func:`classify_errors`.
        base_ap: COCO AP at IoU ``fg_iou`` (area 'all', ``max_dets``) over the categories with
            GT: ``evaluate(...).coco.stats['map_50']`` for fg = 0.5; None without GT.
        counts: Key → count: 'cls', 'loc', 'both', 'dupe', 'bkg' (false positives), 'miss'
            (GT boxes), 'false_pos' (every false positive), 'false_neg' (every GT box not
            found).
        fixed_ap: Key → AP once every error of that key is fixed (None without GT).
        delta_ap: Key → ``fixed_ap - base_ap``, clipped at 0 for the six main types (TIDE
            clips them; its two special errors are not clipped).
        assignment: The per-detection and per-GT types the counts come from.
    """

    fg_iou: float
    bg_iou: float
    max_dets: int
    base_ap: float | None
    counts: dict[str, int]
    fixed_ap: dict[str, float | None]
    delta_ap: dict[str, float | None]
    assignment: ErrorAssignment

    def __repr__(self) -> str:
        base = "n/a" if self.base_ap is None else f"{self.base_ap:.4f}"
        shown = ", ".join(
            f"{k}={self.counts[k]}/{'n/a' if v is None else format(v, '.4f')}"
            for k, v in self.delta_ap.items()
        )
        return f"ErrorBreakdown(base_ap={base}, {shown})"

    def to_dict(self) -> dict[str, Any]:
        """``{cls: {count, delta_ap}, ..., false_neg: {...}, base_ap, fg_iou, bg_iou,
        max_dets}`` (the ``errors.<model>`` part of the compare output)."""
        out: dict[str, Any] = {
            k: {"count": self.counts[k], "delta_ap": self.delta_ap[k]} for k in self.delta_ap
        }
        out.update(
            base_ap=self.base_ap, fg_iou=self.fg_iou, bg_iou=self.bg_iou, max_dets=self.max_dets
        )
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per key (the six types in TIDE's order, then false_pos, false_neg): ``type``,
        ``count``, ``fixed_ap``, ``delta_ap`` (NaN without GT)."""
        import pandas as pd

        keys = list(self.delta_ap)
        return pd.DataFrame(
            {
                "type": keys,
                "count": np.array([self.counts[k] for k in keys], dtype=np.int64),
                "fixed_ap": _floats(self.fixed_ap[k] for k in keys),
                "delta_ap": _floats(self.delta_ap[k] for k in keys),
            }
        )


def compute_error_breakdown(
    table: MatchTable, *, fg_iou: float = 0.5, bg_iou: float = 0.1, max_dets: int = 100
) -> ErrorBreakdown:
    """Count every TIDE error type and the AP gained by fixing each (TIDE's oracle fixes).

    Each type is fixed on its own (TIDE's non-progressive mode) and AP recomputed with
    :func:`~pill_compare.analysis.coco_metrics.accumulate_precision_recall` on modified flags,
    without re-matching; the rules are in the module docstring.

    Args:
        table: A match table matched at ``fg_iou`` and over the 'all' area range.
        fg_iou: Foreground IoU in (0, 1] (also the IoU of the AP).
        bg_iou: Background IoU in (0, fg_iou].
        max_dets: Detections evaluated per (image, category), >= 1.

    Returns:
        The :class:`ErrorBreakdown`.

    Raises:
        TypeError / ValueError: as :func:`classify_errors`.

    Example:
        >>> breakdown = compute_error_breakdown(evaluate(gt, dets).matches)  # doctest: +SKIP
        >>> breakdown.to_dict()["loc"]
        {'count': 12, 'delta_ap': 0.0612}
    """
    errors = classify_errors(table, fg_iou=fg_iou, bg_iou=bg_iou, max_dets=max_dets)
    a = table.area_index("all")
    t = table.threshold_index(errors.fg_iou)
    ann = table.gt.annotations
    det_cat = table.dets.category_id
    code = errors.det_error

    fast = _FixedAP(table, a, t, errors.max_dets)

    def average_precision(
        det_status: np.ndarray, gt_status: np.ndarray, det_category: np.ndarray | None = None
    ) -> float | None:
        if base_cats.size == 0:
            return None  # no category with GT: AP is undefined whatever the fix
        if det_category is None:  # the table's ranking: no re-sort, no full-array copies
            return fast(det_status, gt_status, base_cats)
        full_det = table.det_status.copy()
        full_det[a, t] = det_status
        full_gt = table.gt_status.copy()
        full_gt[a, t] = gt_status
        pr = accumulate_precision_recall(
            table,
            iou_thresholds=[errors.fg_iou],
            max_dets=[errors.max_dets],
            area_names=["all"],
            det_status=full_det,
            gt_status=full_gt,
            det_category=det_category,
        )
        precision = pr.precision[0, :, :, 0, 0].copy()  # (R, K), -1 where no GT is counted
        # A category with GT whose every GT box a fix removed: 0 if detections are left (all
        # false positives), left out otherwise -- TIDE's rule (module docstring).
        cats = det_cat if det_category is None else det_category
        with_dets = np.isin(pr.category_ids, cats[det_status != IGNORED])
        emptied = (pr.npig[0, :, 0] == 0) & np.isin(pr.category_ids, base_cats) & with_dets
        precision[:, emptied] = 0.0
        kept = precision[precision > -1]
        return float(np.mean(kept)) if kept.size else None

    base_status, base_gt = errors.det_status, errors.gt_status
    base_cats = np.unique(ann.category_id[base_gt != IGNORED])
    base_ap = average_precision(base_status, base_gt)

    fixed: dict[str, float | None] = {}
    for kind in ERROR_TYPES:
        status, gt_status, category = base_status.copy(), base_gt, None
        rows = code == kind
        if kind in (ErrorType.CLS, ErrorType.LOC):
            status[rows] = IGNORED
            hit = rows & errors.det_fix_tp
            status[hit] = TP
            if kind is ErrorType.CLS:
                category = det_cat.copy()
                category[hit] = ann.category_id[errors.det_gt[hit]]
        elif kind is ErrorType.MISS:
            gt_status = np.where(errors.gt_missed, IGNORED, base_gt).astype(np.int8)
        else:
            status[rows] = IGNORED
        fixed[kind.key] = average_precision(status, gt_status, category)
    fixed["false_pos"] = average_precision(
        np.where(base_status == FP, IGNORED, base_status).astype(np.int8), base_gt
    )
    fixed["false_neg"] = average_precision(
        base_status, np.where(base_gt == FN, IGNORED, base_gt).astype(np.int8)
    )

    delta: dict[str, float | None] = {}
    for key, value in fixed.items():
        if value is None or base_ap is None:
            delta[key] = None
        else:
            gain = value - base_ap
            delta[key] = max(gain, 0.0) if key in ERROR_KEYS else gain
    counts = errors.counts()
    counts["false_pos"] = int((base_status == FP).sum())
    counts["false_neg"] = int((base_gt == FN).sum())
    return ErrorBreakdown(
        fg_iou=errors.fg_iou,
        bg_iou=errors.bg_iou,
        max_dets=errors.max_dets,
        base_ap=base_ap,
        counts=counts,
        fixed_ap=fixed,
        delta_ap=delta,
        assignment=errors,
    )


class _FixedAP:
    """AP of one table at one threshold (area 'all', one cap) under modified statuses.

    The same number as :func:`accumulate_precision_recall` followed by the fixes' rule for
    emptied categories (in ``compute_error_breakdown``), for status changes only (no detection
    changes category, so the table's accumulation order and ranks hold): the ranking, the ranks
    and the matched GT rows are gathered once, and each call only counts TPs and FPs.
    """

    def __init__(self, table: MatchTable, a: int, t: int, max_dets: int) -> None:
        self.order = table.accumulation_order()
        self.a, self.t = a, t
        self.category_ids, det_k, self.gt_k = table.category_index()
        self.det_k = det_k
        self.k_sorted = det_k[self.order]
        self.cat_start = np.searchsorted(self.k_sorted, np.arange(self.category_ids.size))
        self.kept = table.det_rank[self.order] < max_dets
        self.det_gt = table.det_gt_at(a, t)[self.order]
        area = table.area_ranges[a]
        det_area = table.det_area()[self.order]
        self.det_out = (det_area < area.low) | (det_area > area.high)
        self.ann_id = table.gt.annotations.id

    def __call__(
        self, det_status: np.ndarray, gt_status: np.ndarray, base_cats: np.ndarray
    ) -> float | None:
        """Mean interpolated precision over the categories with counted GT (and those a fix
        emptied that keep detections, at 0), or None when there is none."""
        n_k = self.category_ids.size
        npig = np.bincount(self.gt_k[gt_status != IGNORED], minlength=n_k)
        status, _ = accumulated_status(
            det_status[self.order], self.det_gt, self.ann_id, self.det_out
        )
        counted = np.flatnonzero((status != IGNORED) & self.kept)  # TPs and FPs, in order
        tp_at = np.flatnonzero(status[counted] == TP)
        positions = counted[tp_at]
        cum_tp = np.arange(1, tp_at.size + 1, dtype=np.int64)
        cum_fp = tp_at + 1 - cum_tp
        base_tp = np.searchsorted(positions, self.cat_start)
        base_fp = np.searchsorted(counted, self.cat_start) - base_tp
        k_pos = self.k_sorted[positions]
        defined = npig[k_pos] > 0
        k_pos, cum_tp, cum_fp = k_pos[defined], cum_tp[defined], cum_fp[defined]
        precision = np.where(npig > 0, 0.0, -1.0)[None, :].repeat(RECALL_THRESHOLDS.size, 0)
        if k_pos.size:
            starts = np.flatnonzero(np.r_[True, k_pos[1:] != k_pos[:-1]])
            ks = k_pos[starts]
            q = interpolated_precision(
                cum_tp - base_tp[k_pos], cum_fp - base_fp[k_pos], starts, npig[ks]
            )
            precision[:, ks] = q.T
        with_dets = np.zeros(n_k, dtype=bool)
        with_dets[self.det_k[det_status != IGNORED]] = True
        emptied = (npig == 0) & np.isin(self.category_ids, base_cats) & with_dets
        precision[:, emptied] = 0.0
        kept = precision[precision > -1]
        return float(np.mean(kept)) if kept.size else None


def _floats(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
