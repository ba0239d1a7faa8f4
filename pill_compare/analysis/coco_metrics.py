"""The COCO bbox metrics (pycocotools ``accumulate`` + ``summarize``) from a match table.

Definitions (pycocotools', reproduced to the last bit):

* For a category k, area range a, IoU threshold t and cap m (``maxDets``): take the detections of
  k with ``det_rank < m`` that are not ignored, in descending score (ties: ascending image id,
  then file order). ``npig`` = the number of non-ignored GT boxes of k under a. After each
  detection, recall = TP / npig and precision = TP / (TP + FP + ε) with ε = ``np.spacing(1)``.
* Precision is made monotone (each value replaced by the maximum at higher recall), then read at
  the 101 recall thresholds 0, 0.01, …, 1: precision[t, r, k, a, m] = that envelope at the first
  detection whose recall >= r, or 0 when recall never reaches r. recall[t, k, a, m] = the final
  recall. Both are -1 (undefined) when npig = 0: a category without GT in that range.
* Each summary number is the mean of the defined (> -1) entries of a slice of those arrays; when
  none is defined it is reported as None ("n/a"; pycocotools prints -1).
* pycocotools quirk kept for exactness: a detection matched to a GT whose annotation ``id`` is 0
  counts as a false positive (it tests the matched id for truthiness).

Seams: :func:`accumulate_precision_recall` computes the arrays from the table, optionally with
replaced flags (``det_status``, ``gt_status``), moved detections (``det_category``) and integer
weights (``det_weight``, ``gt_weight``: a row counted w times), so TIDE's oracle fixes and a
bootstrap replicate need no re-matching; :func:`summarize_precision_recall` turns the arrays into
the 12 stats and :func:`class_average_precision` into per-class AP. :func:`compute_coco_metrics`
is the two in a row.

Everything is vectorized: one sort of the detections, one cumulative sum per (area, threshold,
cap), and one pass over the true positives of every (t, k, a, m) at once
(:func:`interpolated_precision`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_max_dets
from pill_compare.analysis.matching import (
    FP,
    IGNORED,
    TP,
    MatchTable,
    coco_iou_thresholds,
    column_of,
    present_categories,
)

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: pycocotools' ``recThrs``: 0, 0.01, ..., 1.00 (101 values, float64 linspace).
RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)

#: TP entries gathered before they are turned into precision (bounds the accumulation's
#: memory: ~40 bytes each, with interpolated_precision's temporaries).
_FLUSH_ENTRIES = 100000

#: pycocotools' default ``maxDets``.
COCO_MAX_DETS = (1, 10, 100)

#: The pill competition's mAP@[0.75:0.95] (start, stop, step for ``coco_iou_thresholds``) and its
#: key, reported beside the COCO stats when the evaluation's thresholds include these
#: (pycocotools' default 0.50:0.95 does, bit for bit).
COMPETITION_IOU = (0.75, 0.95, 0.05)
COMPETITION_KEY = "map_75_95"


@dataclass(frozen=True)
class StatSpec:
    """One summary number: AP or AR over a slice (``iou`` None = every threshold)."""

    key: str
    ap: bool
    iou: float | None
    area: str
    max_dets: int

    def definition(self, iou_thresholds: np.ndarray) -> str:
        """E.g. 'AP, IoU 0.50:0.95 step 0.05 (10 thresholds), all sizes, top 100'."""
        ious = describe_thresholds(iou_thresholds) if self.iou is None else f"IoU {self.iou:.2f}"
        area = {
            "all": "all sizes",
            "small": "small (area ≤ 32²)",
            "medium": "medium (32² ≤ area ≤ 96²)",
            "large": "large (area ≥ 96²)",
        }.get(self.area, self.area)
        return f"{'AP' if self.ap else 'AR'}, {ious}, {area}, top {self.max_dets}"


#: What AP, AR and 'top m' mean in every summary definition.
SUMMARY_LEGEND = (
    "AP = precision averaged over 101 recall points (0, 0.01, ..., 1) and the IoU thresholds, "
    "then over categories with GT; AR = final recall averaged over the IoU thresholds, then over "
    "categories with GT; top m = at most the m highest-scoring detections per image and "
    "category; sizes use the GT 'area' field (a box exactly on 32² or 96² is in both ranges); n/a = no category with GT in that slice "
    "(pycocotools prints -1)"
)


def stat_specs(max_dets: Sequence[int]) -> tuple[StatSpec, ...]:
    """The 12 COCO summary numbers in pycocotools' order, keyed as in JSON output.

    With ``max_dets = (m1, ..., mL)`` the AP numbers and the size-range ARs use the largest cap;
    there is one ``mar_<m>`` per cap. For (1, 10, 100) this is exactly ``COCOeval.stats``.
    """
    top = max_dets[-1]
    specs = [
        StatSpec("map", True, None, "all", top),
        StatSpec("map_50", True, 0.5, "all", top),
        StatSpec("map_75", True, 0.75, "all", top),
        StatSpec("map_small", True, None, "small", top),
        StatSpec("map_medium", True, None, "medium", top),
        StatSpec("map_large", True, None, "large", top),
    ]
    specs += [StatSpec(f"mar_{m}", False, None, "all", m) for m in max_dets]
    specs += [
        StatSpec("mar_small", False, None, "small", top),
        StatSpec("mar_medium", False, None, "medium", top),
        StatSpec("mar_large", False, None, "large", top),
    ]
    return tuple(specs)


def describe_thresholds(thresholds: np.ndarray) -> str:
    """'IoU 0.50:0.95 step 0.05 (10 thresholds)', 'IoU 0.50' or 'IoU 0.30, 0.50, 0.62'."""
    t = np.asarray(thresholds)
    if t.size == 1:
        return f"IoU {t[0]:.2f}"
    steps = np.diff(t)
    if t.size > 2 and np.allclose(steps, steps[0]):
        return f"IoU {t[0]:.2f}:{t[-1]:.2f} step {steps[0]:.2f} ({t.size} thresholds)"
    return "IoU " + ", ".join(f"{v:.2f}" for v in t)


@dataclass(frozen=True)
class ClassAP:
    """COCO numbers of one category (area 'all', the largest ``maxDets``).

    Attributes:
        category_id: The category.
        name: Its name.
        gt: Non-crowd GT boxes (the recall denominator; 'support').
        crowd: Crowd regions (ignored).
        detections: Detections of this category (all scores).
        ap: Mean precision over every IoU threshold and the 101 recall points; None without GT.
        ap_50: The same at IoU 0.50 only (None when 0.50 was not evaluated).
        ap_75: The same at IoU 0.75 only.
        ar: Mean final recall over the IoU thresholds (``ar_<maxDets>`` in outputs).
    """

    category_id: int
    name: str
    gt: int
    crowd: int
    detections: int
    ap: float | None
    ap_50: float | None
    ap_75: float | None
    ar: float | None


@dataclass(frozen=True, eq=False)
class CocoMetrics:
    """pycocotools' ``eval['precision']``, ``eval['recall']`` and ``stats``, plus per-class AP.

    Attributes:
        stats: Summary key → value (None = n/a), in pycocotools' order (see :func:`stat_specs`).
        definitions: Summary key → one-line definition.
        iou_thresholds: (T,) float64.
        max_dets: (M,) caps on detections per (image, category), ascending.
        area_names: The A area ranges' names.
        category_ids: (K,) ascending ids of the categories the arrays cover: the declared ones
            with a GT box or a detection (the others would be -1 throughout, as pycocotools
            has them, and change no number).
        precision: (T, R, K, A, M) float64, -1 where undefined (R = 101 recall points).
        recall: (T, K, A, M) float64, -1 where undefined.
        per_class: One :class:`ClassAP` per declared category, ascending id (all of them).
        zero_id_matches: Detections counted as FP only because the GT they matched has
            annotation id 0 (the pycocotools quirk in the module docstring).
    """

    stats: dict[str, float | None]
    definitions: dict[str, str]
    iou_thresholds: np.ndarray
    max_dets: tuple[int, ...]
    area_names: tuple[str, ...]
    category_ids: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    per_class: tuple[ClassAP, ...]
    zero_id_matches: int = 0

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{k}={'n/a' if self.stats.get(k) is None else format(self.stats[k], '.4f')}"
            for k in ("map", "map_50", "map_75")
            if k in self.stats
        )
        return (
            f"CocoMetrics({shown}, categories={len(self.per_class)}, "
            f"iou_thresholds={self.iou_thresholds.size}, max_dets={self.max_dets})"
        )

    def stats_frame(self) -> pd.DataFrame:
        """The summary numbers, one row each, in pycocotools' order.

        Columns: ``metric`` (e.g. 'map_50'), ``value`` (float, NaN where n/a: pycocotools
        prints -1 there) and ``definition`` (one line saying what the number averages).
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "metric": list(self.stats),
                "value": np.array(
                    [np.nan if v is None else v for v in self.stats.values()], dtype=np.float64
                ),
                "definition": [self.definitions[k] for k in self.stats],
            }
        )

    @property
    def declared_categories(self) -> int:
        """How many categories the ground truth declares (``per_class`` has one row each)."""
        return len(self.per_class)

    @property
    def ar_key(self) -> str:
        """Per-class recall key, e.g. 'ar_100'."""
        return f"ar_{self.max_dets[-1]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "stats": dict(self.stats),
            "definitions": dict(self.definitions),
            "legend": SUMMARY_LEGEND,
            "iou_thresholds": self.iou_thresholds.tolist(),
            "max_dets": list(self.max_dets),
            "zero_id_matches": self.zero_id_matches,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per declared category."""
        import pandas as pd

        return pd.DataFrame(
            {
                "category_id": [c.category_id for c in self.per_class],
                "name": [c.name for c in self.per_class],
                "gt": [c.gt for c in self.per_class],
                "crowd": [c.crowd for c in self.per_class],
                "detections": [c.detections for c in self.per_class],
                "ap": [c.ap for c in self.per_class],
                "ap_50": [c.ap_50 for c in self.per_class],
                "ap_75": [c.ap_75 for c in self.per_class],
                self.ar_key: [c.ar for c in self.per_class],
            }
        )


@dataclass(frozen=True, eq=False)
class PrecisionRecall:
    """pycocotools' ``eval['precision']`` and ``eval['recall']``, from possibly modified arrays.

    What :func:`accumulate_precision_recall` returns and :func:`summarize_precision_recall` /
    :func:`class_average_precision` read. T thresholds, R = 101 recall points, K categories,
    A area ranges, M caps.

    Attributes:
        iou_thresholds: (T,) float64.
        max_dets: (M,) caps on detections per (image, category), ascending.
        area_names: The A area ranges' names.
        category_ids: (K,) ascending ids of the declared categories with a GT box or a detection
            (after any ``det_category`` override; weights do not change this set, so every
            bootstrap replicate has the same columns).
        precision: (T, R, K, A, M) float64, -1 where undefined (no counted GT).
        recall: (T, K, A, M) float64, -1 where undefined.
        npig: (T, K, A) int64 counted (non-ignored) GT boxes, weighted: pycocotools' ``npig``.
        zero_id_matches: Detections counted as FP only because the GT they matched has
            annotation id 0 (see the module docstring), at the first threshold over 'all'
            (0 when 'all' was not accumulated).
    """

    iou_thresholds: np.ndarray
    max_dets: tuple[int, ...]
    area_names: tuple[str, ...]
    category_ids: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    npig: np.ndarray
    zero_id_matches: int = 0

    def __repr__(self) -> str:
        return (
            f"PrecisionRecall(categories={self.category_ids.size}, "
            f"iou_thresholds={self.iou_thresholds.size}, area_names={self.area_names}, "
            f"max_dets={self.max_dets})"
        )


def accumulate_precision_recall(
    table: MatchTable,
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    area_names: Sequence[str] | None = None,
    det_status: np.ndarray | None = None,
    gt_status: np.ndarray | None = None,
    det_category: np.ndarray | None = None,
    det_weight: np.ndarray | None = None,
    gt_weight: np.ndarray | None = None,
) -> PrecisionRecall:
    """pycocotools ``accumulate()`` on a match table, optionally with modified flags and weights.

    Without overrides and weights this is pycocotools' ``eval['precision']`` / ``['recall']``
    bit for bit (the definitions are in the module docstring). The overrides let a caller ask
    "what would AP be if ..." without re-matching:

    * ``det_status`` / ``gt_status`` replace the table's arrays (same shapes, same axes as the
      table's area ranges and thresholds). TIDE's oracle fixes use them: a detection set to
      IGNORED disappears from the ranking (neither TP nor FP); a GT box set to IGNORED no longer
      counts in ``npig``; a detection set to TP counts as a hit. They are taken as given: nothing
      checks them against ``det_gt`` (the annotation-id-0 quirk still looks at the table's
      ``det_gt``: a TP whose table match is a GT with id 0 counts as FP; a TP without a table
      match is a TP).
    * ``det_category`` moves detections to other (declared) categories. A moved detection joins
      its new category's ranking by score (ties: ascending image id, then file order, as
      always). Its ``maxDets`` rank is recomputed: when any category differs from the table's,
      every (image, category) group is re-ranked by descending score with ties in file order
      (the matching's rule, so groups no detection joined or left keep the table's ranks, and
      the groups a moved detection joined or left rank exactly as if the results file had said
      ``det_category``).
    * ``det_weight`` / ``gt_weight``: a detection with weight w adds w to the running TP (or FP)
      count where it stands in the ranking; a GT box with weight w adds w to ``npig``. Weight 0
      removes the row; weights of 1 everywhere give the unweighted arrays exactly. An image
      drawn k times in a bootstrap resample gives its detections and GT boxes weight k: the
      result equals pycocotools on a dataset holding k copies of that image under new ids,
      whenever the copies' scores do not tie with other images' (with ties pycocotools orders
      copies by their new image ids, which the weights cannot know). Ranks do not change
      with weights (copies of an image have the same ranks).

    Args:
        table: From :func:`~pill_compare.analysis.matching.match_detections`, matched at every
            threshold in ``iou_thresholds``.
        iou_thresholds: (T,) thresholds; default pycocotools' 0.50:0.95.
        max_dets: Caps on detections per (image, category); sorted ascending.
        area_names: Area ranges to accumulate, by name; default every range of the table.
            Restricting (e.g. to ``("all",)``) saves time; stats of left-out ranges are None.
        det_status: (A, T, N) int8 TP / FP / IGNORED, replaces ``table.det_status``.
        gt_status: (A, T, G) int8 TP / FN / IGNORED, replaces ``table.gt_status`` (only
            IGNORED vs not matters here).
        det_category: (N,) int64 category id of each detection, replaces
            ``table.dets.category_id``; every id must be declared by the ground truth.
        det_weight: (N,) integers >= 0.
        gt_weight: (G,) integers >= 0.

    Returns:
        The :class:`PrecisionRecall`.

    Raises:
        TypeError: ``table`` is not a MatchTable.
        ValueError: a threshold the table was not matched at, an unknown area name, a cap that
            is not an integer >= 1, or an override of the wrong shape or values.
    """
    check_inputs("accumulate_precision_recall", table=(table, MatchTable))
    thresholds = coco_iou_thresholds() if iou_thresholds is None else np.asarray(iou_thresholds)
    thresholds = thresholds.astype(np.float64).reshape(-1)
    t_index = [table.threshold_index(float(t)) for t in thresholds]
    caps = check_max_dets(max_dets)
    names = tuple(r.name for r in table.area_ranges) if area_names is None else tuple(area_names)
    a_index = [table.area_index(name) for name in names]
    n, g = table.n_dets, table.n_gts
    shape_a_t = (len(table.area_ranges), table.iou_thresholds.size)
    det_status = _status_override(det_status, table.det_status, (*shape_a_t, n), "det_status")
    gt_status = _status_override(gt_status, table.gt_status, (*shape_a_t, g), "gt_status")
    w_det = _weights(det_weight, n, "det_weight")
    w_gt = _weights(gt_weight, g, "gt_weight")

    ann = table.gt.annotations
    dets = table.dets
    declared, det_k, gt_k = table.category_index()
    det_rank = table.det_rank
    if det_category is not None:
        det_k, det_rank = _moved_categories(table, declared, det_category)
    # Array columns only for categories with a GT box or a detection: every other declared
    # category is -1 throughout in pycocotools (no GT) and changes no number, and a ground truth
    # declaring 20,000 unused categories would otherwise need (T, 101, 20000, A, M) floats (2 GB).
    present = present_categories(declared.size, det_k, gt_k)
    cat_ids = declared[present]
    det_k, gt_k = column_of(present, det_k), column_of(present, gt_k)
    n_k, n_a, n_t, n_m = cat_ids.size, len(names), thresholds.size, len(caps)
    n_r = RECALL_THRESHOLDS.size

    # npig[t, k, a]: counted GT per category and area range (weighted).
    npig = np.zeros((n_t, n_k, n_a), dtype=np.int64)
    for a, ai in enumerate(a_index):
        for t, ti in enumerate(t_index):
            counted = gt_status[ai, ti] != IGNORED
            w = None if w_gt is None else w_gt[counted]
            npig[t, :, a] = np.bincount(gt_k[counted], weights=w, minlength=n_k).astype(np.int64)

    precision = np.full((n_t, n_r, n_k, n_a, n_m), -1.0)
    recall = np.full((n_t, n_k, n_a, n_m), -1.0)
    defined = np.broadcast_to((npig > 0)[:, :, :, None], recall.shape)
    recall[defined] = 0.0
    precision[np.broadcast_to(defined[:, None], precision.shape)] = 0.0

    # Accumulation order: category, then descending score, then image id, then file order.
    if det_category is None:  # det_k follows the category ids: the table's own order
        order = table.accumulation_order()
    else:
        order = np.lexsort((np.arange(n), dets.image_id, -dets.score, det_k))
    k_sorted = det_k[order]
    cat_start = np.searchsorted(k_sorted, np.arange(n_k), side="left")
    rank_sorted = det_rank[order]
    det_area = table.det_area()[order]
    w_sorted = None if w_det is None else w_det[order]

    # The TPs of a few thresholds of one area range at a time (at most _FLUSH_ENTRIES, or one
    # threshold's), (t, k, m) of each in accumulation order (lists of arrays, one per (t, m)),
    # turned into precision before the next: all at once held ~100 MB of int64 at COCO scale.
    seg_group: list[np.ndarray] = []
    seg_tp: list[np.ndarray] = []
    seg_fp: list[np.ndarray] = []
    zero_id = 0
    # None: the cap keeps every detection (no (image, category) has more), so no mask.
    top_rank = int(rank_sorted.max()) if rank_sorted.size else -1
    kept_by_cap = [None if cap > top_rank else rank_sorted < cap for cap in caps]
    del rank_sorted
    # The annotation-id-0 quirk needs the matched GT of every detection; most ground truths
    # have no id 0, and then the gathers of det_gt are skipped.
    any_zero_id = bool(ann.id.size and (ann.id == 0).any())
    # The table's own statuses, unweighted: running counts from the matches (_SparseCounts)
    # instead of scans of every detection per (area, threshold, cap).
    sparse = (
        _SparseCounts(table, order, cat_start)
        if det_status is table.det_status and w_sorted is None and not any_zero_id
        else None
    )
    for a, ai in enumerate(a_index):
        area = table.area_ranges[ai]
        det_out = (det_area < area.low) | (det_area > area.high)
        if sparse is not None:
            sparse.set_area(ai, det_out, kept_by_cap)
        for t, ti in enumerate(t_index):
            if sparse is not None:
                sparse.set_threshold(ti)
                status = None
            else:
                status = det_status[ai, ti, order]
            if any_zero_id:
                status, zero = accumulated_status(
                    status, table.det_gt_at(ai, ti)[order], ann.id, det_out
                )
                if area.name == "all" and t == 0:
                    zero_id = zero
            for m in range(len(caps)):
                kept = kept_by_cap[m]
                if sparse is not None:
                    cum_tp, cum_fp, positions, base_tp, base_fp = sparse.counts(m)
                elif w_sorted is None:
                    cum_tp, cum_fp, positions, base_tp, base_fp = _running_counts(
                        status, kept, cat_start
                    )
                else:
                    tp = (status == TP) & (w_sorted > 0)
                    fp = status == FP
                    if kept is not None:
                        tp &= kept
                        fp &= kept
                    positions = np.flatnonzero(tp)
                    if positions.size == 0:
                        continue
                    all_tp = np.cumsum(np.where(tp, w_sorted, 0))
                    all_fp = np.cumsum(np.where(fp, w_sorted, 0))
                    before = cat_start - 1  # (K,) the running counts before each category
                    base_tp = np.where(before >= 0, all_tp[np.maximum(before, 0)], 0)
                    base_fp = np.where(before >= 0, all_fp[np.maximum(before, 0)], 0)
                    cum_tp, cum_fp = all_tp[positions], all_fp[positions]
                # A TP in a category without counted GT (only possible with overrides) has no
                # recall to reach: leave that category undefined, as pycocotools would.
                k_pos = k_sorted[positions]
                defined_k = npig[t, k_pos, a] > 0
                if not defined_k.all():
                    k_pos, cum_tp, cum_fp = k_pos[defined_k], cum_tp[defined_k], cum_fp[defined_k]
                if k_pos.size == 0:
                    continue
                tp_in_k = cum_tp - base_tp[k_pos]
                seg_tp.append(tp_in_k)
                seg_fp.append(cum_fp - base_fp[k_pos])
                seg_group.append((t * n_k + k_pos) * n_m + m)
                # recall = final TP / npig for every (t, k, a, m) that has a TP.
                last = np.flatnonzero(np.r_[k_pos[1:] != k_pos[:-1], True])
                ks = k_pos[last]
                recall[t, ks, a, m] = tp_in_k[last].astype(np.float64) / npig[t, ks, a]
            if t + 1 < n_t and sum(x.size for x in seg_group) < _FLUSH_ENTRIES:
                continue
            if not seg_group:
                continue
            group = np.concatenate(seg_group)
            starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
            gs = group[starts]
            m_of, k_of, t_of = gs % n_m, (gs // n_m) % n_k, gs // (n_m * n_k)
            q = interpolated_precision(
                np.concatenate(seg_tp), np.concatenate(seg_fp), starts, npig[t_of, k_of, a]
            )
            precision[t_of[:, None], np.arange(n_r)[None, :], k_of[:, None], a, m_of[:, None]] = q
            seg_group.clear()
            seg_tp.clear()
            seg_fp.clear()
            del group, q

    return PrecisionRecall(
        iou_thresholds=thresholds,
        max_dets=caps,
        area_names=names,
        category_ids=cat_ids,
        precision=precision,
        recall=recall,
        npig=npig,
        zero_id_matches=zero_id,
    )


def summarize_precision_recall(pr: PrecisionRecall) -> dict[str, float | None]:
    """pycocotools ``summarize()``: the 12 stats of :func:`stat_specs`, None where n/a.

    Args:
        pr: From :func:`accumulate_precision_recall`. A stat whose area range or IoU threshold
            was not accumulated is None.

    Returns:
        Stat key → value, in pycocotools' order.
    """
    check_inputs("summarize_precision_recall", pr=(pr, PrecisionRecall))
    return {
        s.key: _summarize(pr.precision, pr.recall, s, pr.iou_thresholds, pr.area_names, pr.max_dets)
        for s in stat_specs(pr.max_dets)
    }


def class_average_precision(
    pr: PrecisionRecall,
    *,
    iou_threshold: float | None = None,
    area: str = "all",
    max_det: int | None = None,
) -> np.ndarray:
    """Per-category AP: the mean precision over the 101 recall points and the thresholds.

    Args:
        pr: From :func:`accumulate_precision_recall`.
        iou_threshold: One threshold of ``pr.iou_thresholds``; None averages over all of them
            (COCO's AP@[.50:.95]).
        area: An accumulated area range.
        max_det: One of ``pr.max_dets``; None = the largest.

    Returns:
        (K,) float64 aligned with ``pr.category_ids``, NaN where undefined (no counted GT).
        :func:`compute_coco_metrics` reads its :class:`ClassAP` ``ap`` / ``ap_50`` / ``ap_75`` here.

    Raises:
        ValueError: a threshold, area or cap that ``pr`` does not hold.
    """
    check_inputs("class_average_precision", pr=(pr, PrecisionRecall))
    if area not in pr.area_names:
        raise ValueError(f"Expected an area range among {list(pr.area_names)}, got {area!r}")
    a = pr.area_names.index(area)
    cap = pr.max_dets[-1] if max_det is None else max_det
    if cap not in pr.max_dets:
        raise ValueError(f"Expected max_det among {list(pr.max_dets)}, got {max_det!r}")
    m = pr.max_dets.index(cap)
    p = pr.precision[:, :, :, a, m]
    if iou_threshold is not None:
        hits = np.flatnonzero(pr.iou_thresholds == iou_threshold)
        if hits.size == 0:
            raise ValueError(
                f"Expected one of the IoU thresholds {pr.iou_thresholds.tolist()}, "
                f"got {iou_threshold}"
            )
        p = p[hits[:1]]
    out = np.full(pr.category_ids.size, np.nan)
    for k in range(out.size):
        ap = _mean_defined(p[:, :, k])
        if ap is not None:
            out[k] = ap
    return out


def compute_coco_metrics(
    table: MatchTable,
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
) -> CocoMetrics:
    """pycocotools ``accumulate()`` and ``summarize()`` on a match table, bit for bit.

    :func:`accumulate_precision_recall` then :func:`summarize_precision_recall`, plus the
    per-class numbers and the definitions.

    Args:
        table: From :func:`~pill_compare.analysis.matching.match_detections`; it must have been
            matched at every threshold in ``iou_thresholds`` and over the 'all' area range.
        iou_thresholds: (T,) thresholds to average over; default pycocotools' 0.50:0.95.
        max_dets: Caps on detections per (image, category), e.g. (1, 10, 100); sorted ascending
            as pycocotools does.

    Returns:
        The :class:`CocoMetrics`.

    Raises:
        ValueError: a threshold the table was not matched at, or a cap that is not an integer
            >= 1.
    """
    check_inputs("compute_coco_metrics", table=(table, MatchTable))
    table.area_index("all")
    pr = accumulate_precision_recall(table, iou_thresholds=iou_thresholds, max_dets=max_dets)
    thresholds, caps = pr.iou_thresholds, pr.max_dets
    declared, det_k, gt_k = table.category_index()
    present = np.searchsorted(declared, pr.category_ids)
    det_k, gt_k = column_of(present, det_k), column_of(present, gt_k)
    # Per-class GT counts: ignoring does not depend on the threshold.
    counted_gt = table.gt_status[:, 0, :] != IGNORED
    npig = np.stack([np.bincount(gt_k[c], minlength=present.size) for c in counted_gt], axis=1)
    specs = stat_specs(caps)
    per_class = _per_class(table, declared, present, npig, pr, det_k, gt_k)
    return CocoMetrics(
        stats=summarize_precision_recall(pr),
        definitions={s.key: s.definition(thresholds) for s in specs},
        iou_thresholds=thresholds,
        max_dets=caps,
        area_names=pr.area_names,
        category_ids=pr.category_ids,
        precision=pr.precision,
        recall=pr.recall,
        per_class=per_class,
        zero_id_matches=pr.zero_id_matches,
    )


def _status_override(
    value: np.ndarray | None, default: np.ndarray, shape: tuple[int, ...], name: str
) -> np.ndarray:
    if value is None:
        return default
    arr = np.asarray(value)
    if arr.shape != shape:
        raise ValueError(f"Expected {name} of shape {shape} (the table's), got {arr.shape}")
    # FP, TP, IGNORED are 0, 1, 2: for integers a range check says the same as np.isin, which
    # costs 100x more on (A, T, N) arrays (5 s of a COCO-scale compare's TIDE oracle fixes).
    if np.issubdtype(arr.dtype, np.integer) and arr.size:
        valid = bool(arr.min() >= min(FP, TP, IGNORED) and arr.max() <= max(FP, TP, IGNORED))
    else:
        valid = not arr.size or bool(np.isin(arr, (FP, TP, IGNORED)).all())
    if not valid:
        bad = np.unique(arr[~np.isin(arr, (FP, TP, IGNORED))])[:10].tolist()
        raise ValueError(f"Expected {name} values among 0 (FP/FN), 1 (TP), 2 (IGNORED), got {bad}")
    return arr


def _weights(value: np.ndarray | None, length: int, name: str) -> np.ndarray | None:
    """``value`` as (length,) int64 >= 0, or None when not given."""
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.shape != (length,):
        raise ValueError(f"Expected {name} of shape ({length},), got {arr.shape}")
    if arr.size and not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool):
        raise ValueError(f"Expected {name} to hold integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError(f"Expected {name} >= 0, got {int(arr.min())}")
    return arr


def _moved_categories(
    table: MatchTable, declared: np.ndarray, det_category: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Category index and ``maxDets`` rank of each detection under ``det_category``."""
    cats = np.asarray(det_category)
    n = table.n_dets
    if cats.shape != (n,):
        raise ValueError(f"Expected det_category of shape ({n},), got {cats.shape}")
    if cats.size and not np.issubdtype(cats.dtype, np.integer):
        raise ValueError(f"Expected det_category to hold integer ids, got dtype {cats.dtype}")
    cats = cats.astype(np.int64)
    k = np.searchsorted(declared, cats)
    known = k < declared.size
    known[known] = declared[k[known]] == cats[known]
    if not known.all():
        raise ValueError(
            "Expected det_category ids declared by the ground truth, got "
            f"{np.unique(cats[~known])[:20].tolist()}"
        )
    if np.array_equal(cats, table.dets.category_id):
        return k, table.det_rank
    dets = table.dets
    order = np.lexsort((np.arange(n), -dets.score, cats, dets.image_id))
    image, cat = dets.image_id[order], cats[order]
    new = np.r_[True, (image[1:] != image[:-1]) | (cat[1:] != cat[:-1])] if n else np.zeros(0, bool)
    starts = np.flatnonzero(new)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    return k, rank


def _running_counts(
    status: np.ndarray, kept: np.ndarray | None, cat_start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Running TP and FP counts at each TP of a ranked list, unweighted, without a full cumsum.

    Args:
        status: (N,) int8 TP / FP / IGNORED in accumulation order.
        kept: (N,) bool, within the ``maxDets`` cap; None when every detection is.
        cat_start: (K,) first position of each category in that order.

    Returns:
        ``(cum_tp, cum_fp, positions, base_tp, base_fp)``: at the TPs' positions (P,), the
        numbers of TPs and FPs up to and including them (over the whole list); (K,) the numbers
        of TPs and FPs before each category's first position. ``cum - base[k]`` are the counts
        within the category, as ``np.cumsum`` over the TP and FP masks gives them.
    """
    counted = status != IGNORED
    if kept is not None:
        counted &= kept
    counted = np.flatnonzero(counted)  # the TPs and FPs, in order
    tp_at = np.flatnonzero(status[counted] == TP)  # which of them are TPs
    positions = counted[tp_at]
    cum_tp = np.arange(1, tp_at.size + 1, dtype=np.int64)
    cum_fp = tp_at + 1 - cum_tp  # counted so far, less the TPs
    base_tp = np.searchsorted(positions, cat_start)
    base_fp = np.searchsorted(counted, cat_start) - base_tp
    return cum_tp, cum_fp, positions, base_tp, base_fp


class _SparseCounts:
    """:func:`_running_counts` of the table's own statuses, from its matches.

    An unmatched detection is FP, or IGNORED when its area lies outside the range (the
    matching's rule), so within one area range the detections counted (TP or FP) are those
    inside the range, except the matched ones, whose status says. Per area range and cap, one
    cumulative count of the detections inside the range (``base``) serves every threshold; at
    each threshold only its matched detections (a few per GT box, however many detections
    there are) correct it. The counts are the same integers :func:`_running_counts` gives; at
    1.8M detections this takes a quarter of the time of the scans.
    """

    def __init__(self, table: MatchTable, order: np.ndarray, cat_start: np.ndarray) -> None:
        n = order.size
        self.table, self.cat_start, self.n = table, cat_start, n
        # Counts and positions fit int32 below 2^31 detections: half the memory of int64.
        self.int = np.int32 if n < 2**31 else np.int64
        self.position = np.empty(n, dtype=self.int)  # detection row -> accumulation position
        self.position[order] = np.arange(n, dtype=self.int)
        m = table.det_matches
        n_t = table.iou_thresholds.size
        n_keys = len(table.area_ranges) * n_t
        # int16 keys sort by radix (linear) and take a quarter of int64's memory.
        key_type = np.int16 if n_keys < 2**15 else np.int64
        key = m.variant.astype(key_type) * key_type(n_t) + m.threshold.astype(key_type)
        by_key = np.argsort(key, kind="stable")
        self.key_start = np.searchsorted(key[by_key], np.arange(n_keys + 1))
        del key
        self.rows = m.left[by_key]  # the matched detections, by (area range, threshold)
        self.area = -1

    def set_area(self, area: int, out: np.ndarray, kept_by_cap: list[np.ndarray | None]) -> None:
        """Start area range ``area``: ``out`` (N,) detections outside it, accumulation order."""
        self.area, self.out, self.kept_by_cap = area, out, kept_by_cap
        inside = ~out
        # base[m][p]: detections inside the range and within cap m at positions <= p.
        self.base = [
            np.cumsum(inside if kept is None else inside & kept, dtype=self.int)
            for kept in kept_by_cap
        ]

    def set_threshold(self, threshold: int) -> None:
        """Start a threshold: its TPs' positions and the positions where a match changes what
        is counted (+1: a TP outside the range, -1: an ignored match inside it), ascending."""
        n_t = self.table.iou_thresholds.size
        k = self.area * n_t + threshold
        rows = self.rows[self.key_start[k] : self.key_start[k + 1]]
        status = self.table.det_status[self.area, threshold, rows]
        pos = self.position[rows]
        # 2 + (1 outside) for a TP, -1 for an ignored match inside the range, 0 otherwise; the
        # nonzero codes in position order (a sort of the matches: a few per GT box, where a scan
        # of every position cost ~3 ms per threshold at 1.8M detections).
        code = (status == TP).astype(np.int8) * 2 + (status != IGNORED) - ~self.out[pos]
        marked = np.flatnonzero(code)
        pos, code = pos[marked], code[marked]
        by_position = np.argsort(pos)  # a detection matches once per threshold: no ties
        marked, code = pos[by_position], code[by_position]
        self.tp_pos = marked[code >= 2]
        changed = code != 2  # a TP inside the range is counted by base already
        self.change_pos = marked[changed]
        code = code[changed].astype(np.int64)
        self.change = np.where(code >= 2, code - 2, code)

    def counts(self, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:func:`_running_counts`' ``(cum_tp, cum_fp, positions, base_tp, base_fp)``."""
        kept = self.kept_by_cap[cap]
        positions, change_pos, change = self.tp_pos, self.change_pos, self.change
        if kept is not None:
            positions = positions[kept[positions]]
            keep = kept[change_pos]
            change_pos, change = change_pos[keep], change[keep]
        change_sum = np.r_[0, np.cumsum(change)]  # [i]: the sum of the first i changes
        base = self.base[cap]

        def counted_through(p: np.ndarray) -> np.ndarray:
            """Counted detections at positions <= p (p >= 0)."""
            if base.size == 0:  # no detection at all
                return np.zeros(p.size, dtype=np.int64)
            return base[p].astype(np.int64) + change_sum[np.searchsorted(change_pos, p, "right")]

        positions = positions.astype(np.int64)
        cum_tp = np.arange(1, positions.size + 1, dtype=np.int64)
        cum_fp = counted_through(positions) - cum_tp
        base_tp = np.searchsorted(positions, self.cat_start)
        before = self.cat_start - 1
        counted_before = np.where(before >= 0, counted_through(np.maximum(before, 0)), 0)
        return cum_tp, cum_fp, positions, base_tp, counted_before - base_tp


def accumulated_status(
    status: np.ndarray, matched_rows: np.ndarray, ann_id: np.ndarray, det_out: np.ndarray
) -> tuple[np.ndarray, int]:
    """Detection status as pycocotools accumulates it, and how many the id-0 quirk changed.

    pycocotools tests the matched GT *id* for truth: a TP whose GT has id 0 reads as "no
    match", so it is an FP, or ignored when the detection lies outside the area range.
    """
    if ann_id.size == 0:  # no GT box: nothing matched, nothing to reread
        return status, 0
    zero = (status == TP) & (matched_rows >= 0) & (ann_id[np.maximum(matched_rows, 0)] == 0)
    if not zero.any():
        return status, 0
    status = status.copy()
    status[zero] = np.where(det_out[zero], IGNORED, FP)
    return status, int(zero.sum())


def interpolated_precision(
    tp: np.ndarray, fp: np.ndarray, starts: np.ndarray, n_gt: np.ndarray
) -> np.ndarray:
    """pycocotools' interpolated precision at the 101 recall points of each ranked list.

    Args:
        tp: (P,) int64 running TP count (within its list) after each TP entry; the entries of a
            list are contiguous, in ranking order, non-decreasing (a weight-0 entry repeats
            the count before it).
        fp: (P,) int64 running FP count at the same entries.
        starts: (S,) index of each list's first entry, ascending, ``starts[0] == 0``.
        n_gt: (S,) int64 counted GT of each list, > 0.

    Returns:
        (S, R) float64: at recall point r, the maximum precision at or after the first entry
        whose recall TP / n_gt reaches r, 0 when recall never reaches r.

    Only TPs are needed: precision rises only at a TP, and the first detection reaching a
    recall point r > 0 is a TP (r = 0 reads the maximum over the whole list, also a TP's).
    The maximum after the first entry reaching each recall point is taken per chunk between
    consecutive recall points (``np.maximum.reduceat``) then as a running maximum from the
    right over the 101 chunks, so the values are exact.
    """
    size = tp.size
    lengths = np.diff(np.r_[starts, size])
    last = starts + lengths - 1
    totals = tp[last]
    # One non-decreasing key over all lists: each list's counts shifted past the previous ones.
    offset = np.r_[0, np.cumsum(totals)[:-1]]
    key = tp + np.repeat(offset, lengths)
    # first[c] = the first entry whose key reaches c: entry j covers the counts
    # key[j - 1] + 1 .. key[j] (none for a weight-0 entry). Linear, unlike a binary search:
    # mark where each entry's counts begin, then carry the mark forward.
    previous = np.r_[0, key[:-1]]
    rises = np.flatnonzero(key > previous)
    if rises.size == 0:  # no list has a TP of positive weight
        return np.zeros((starts.size, RECALL_THRESHOLDS.size))
    first = np.zeros(int(key[-1]) + 1, dtype=np.int64)  # first[c]; first[0] = 0
    first[previous[rises] + 1] = rises
    np.maximum.accumulate(first, out=first)
    uniq, inverse = np.unique(n_gt, return_inverse=True)
    n = recall_counts(uniq)[inverse.reshape(-1)]  # (S, R)
    reached = n <= totals[:, None]
    # Unreached points read the entry where the list reaches its total (masked below); in a
    # list without any (totals 0) that is the previous list's such entry, which keeps the
    # bounds non-decreasing and leaves the previous list's maximum unchanged (after that entry
    # a list only repeats its TP count with more FPs: lower precision).
    bounds = first[offset[:, None] + np.minimum(n, totals[:, None])]
    pr = tp / (fp + tp + np.spacing(1))
    envelope = np.maximum.reduceat(pr, bounds.ravel()).reshape(n.shape)
    # Running maximum from the right over the recall points, in place, one column (all lists)
    # per step: several times faster than np.maximum.accumulate along that axis.
    for r in range(envelope.shape[1] - 2, -1, -1):
        np.maximum(envelope[:, r], envelope[:, r + 1], out=envelope[:, r])
    envelope[~reached] = 0.0
    return envelope


def recall_counts(n_gt: np.ndarray) -> np.ndarray:
    """(S, R) int64: per GT count, the fewest TPs whose recall reaches each recall point.

    The first n >= 1 with n / n_gt >= r in float64, i.e. where ``np.searchsorted(rc, r,
    'left')`` lands on pycocotools' recalls ``rc``: start from ceil(r * n_gt) and fix the
    rounding.
    """
    n_gt_f = np.asarray(n_gt, dtype=np.float64).reshape(-1)[:, None]  # (S, 1)
    r = RECALL_THRESHOLDS[None, :]
    n = np.maximum(np.ceil(r * n_gt_f), 1.0)
    for _ in range(4):
        down = (n > 1) & ((n - 1) / n_gt_f >= r)
        up = n / n_gt_f < r
        if not (down.any() or up.any()):
            break
        n = n - down + up
    return n.astype(np.int64)


def _summarize(
    precision: np.ndarray,
    recall: np.ndarray,
    spec: StatSpec,
    thresholds: np.ndarray,
    area_names: tuple[str, ...],
    caps: tuple[int, ...],
) -> float | None:
    """pycocotools ``_summarize``: mean of the defined entries of one slice, None when none."""
    aind = [i for i, name in enumerate(area_names) if name == spec.area]
    mind = [i for i, cap in enumerate(caps) if cap == spec.max_dets]
    if spec.ap:
        s = precision
        if spec.iou is not None:
            s = s[np.where(spec.iou == thresholds)[0]]
        s = s[:, :, :, aind, mind]
    else:
        s = recall
        if spec.iou is not None:
            s = s[np.where(spec.iou == thresholds)[0]]
        s = s[:, :, aind, mind]
    kept = s[s > -1]
    return float(np.mean(kept)) if kept.size else None


def _mean_defined(values: np.ndarray) -> float | None:
    kept = values[values > -1]
    return float(np.mean(kept)) if kept.size else None


def _per_class(
    table: MatchTable,
    declared: np.ndarray,
    present: np.ndarray,
    npig: np.ndarray,
    pr: PrecisionRecall,
    det_k: np.ndarray,
    gt_k: np.ndarray,
) -> tuple[ClassAP, ...]:
    """Per declared category, area 'all', largest cap: the slices detectron2 and others report.

    The APs are :func:`class_average_precision`'s (the one per-class AP), the AR the mean of the
    final recall over the thresholds. ``present[k]`` is the declared index of array column k; a
    declared category with no column (no GT, no detection) gets zero counts and n/a everywhere.
    """
    a = pr.area_names.index("all")
    m = len(pr.max_dets) - 1

    def ap_at(iou_threshold: float | None) -> list[float | None]:
        if iou_threshold is not None and iou_threshold not in pr.iou_thresholds:
            return [None] * present.size
        ap = class_average_precision(pr, iou_threshold=iou_threshold, area="all")
        return [None if np.isnan(v) else float(v) for v in ap.tolist()]

    ap, ap_50, ap_75 = ap_at(None), ap_at(0.5), ap_at(0.75)
    crowd = np.bincount(gt_k[table.gt.annotations.iscrowd], minlength=present.size)
    n_det = np.bincount(det_k, minlength=present.size)
    names = table.gt.category_names
    column = dict(zip(present.tolist(), range(present.size), strict=True))
    table_all = table.area_index("all")  # npig's area axis is the table's
    out = []
    for i, cat in enumerate(declared.tolist()):
        k = column.get(i)
        if k is None:
            out.append(ClassAP(cat, names.get(cat, str(cat)), 0, 0, 0, None, None, None, None))
            continue
        out.append(
            ClassAP(
                category_id=cat,
                name=names.get(cat, str(cat)),
                gt=int(npig[k, table_all]),
                crowd=int(crowd[k]),
                detections=int(n_det[k]),
                ap=ap[k],
                ap_50=ap_50[k],
                ap_75=ap_75[k],
                ar=_mean_defined(pr.recall[:, k, a, m]),
            )
        )
    return tuple(out)
