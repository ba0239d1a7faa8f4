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

Everything is vectorized: one sort of the detections, one cumulative sum per (area, threshold,
cap), and one segmented maximum over the true positives of every (t, k, a, m) at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pill_compare.analysis.arguments import check_inputs, check_max_dets
from pill_compare.analysis.matching import FP, IGNORED, TP, MatchTable, coco_iou_thresholds

#: pycocotools' ``recThrs``: 0, 0.01, ..., 1.00 (101 values, float64 linspace).
RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)

#: pycocotools' default ``maxDets``.
COCO_MAX_DETS = (1, 10, 100)


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


def compute_coco_metrics(
    table: MatchTable,
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
) -> CocoMetrics:
    """pycocotools ``accumulate()`` and ``summarize()`` on a match table, bit for bit.

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
    thresholds = coco_iou_thresholds() if iou_thresholds is None else np.asarray(iou_thresholds)
    thresholds = thresholds.astype(np.float64).reshape(-1)
    t_index = [table.threshold_index(float(t)) for t in thresholds]
    caps = check_max_dets(max_dets)
    table.area_index("all")

    gt = table.gt
    ann = gt.annotations
    dets = table.dets
    declared, det_k, gt_k = table.category_index()
    # Array columns only for categories with a GT box or a detection: every other declared
    # category is -1 throughout in pycocotools (no GT) and changes no number, and a ground truth
    # declaring 20,000 unused categories would otherwise need (T, 101, 20000, A, M) floats (2 GB).
    present = np.unique(np.r_[det_k, gt_k])
    cat_ids = declared[present]
    det_k, gt_k = np.searchsorted(present, det_k), np.searchsorted(present, gt_k)
    n_k, n_a, n_t, n_m = cat_ids.size, len(table.area_ranges), thresholds.size, len(caps)
    n_r = RECALL_THRESHOLDS.size

    # npig[k, a]: non-ignored GT per category and area range (ignoring does not depend on t).
    counted_gt = table.gt_status[:, 0, :] != IGNORED if n_t else np.zeros((n_a, len(ann)), bool)
    npig = np.stack([np.bincount(gt_k[c], minlength=n_k) for c in counted_gt], axis=1)

    precision = -np.ones((n_t, n_r, n_k, n_a, n_m))
    recall = -np.ones((n_t, n_k, n_a, n_m))
    defined = np.broadcast_to((npig > 0)[None, :, :, None], recall.shape)
    recall[defined] = 0.0
    precision[np.broadcast_to(defined[:, None], precision.shape)] = 0.0

    # Accumulation order: category, then descending score, then image id, then file order.
    order = np.lexsort((np.arange(len(dets)), dets.image_id, -dets.score, det_k))
    k_sorted = det_k[order]
    cat_start = np.searchsorted(k_sorted, np.arange(n_k), side="left")
    rank_sorted = table.det_rank[order]
    det_area = table.det_area()[order]

    seg_group: list[np.ndarray] = []  # (t, k, a, m) of each TP, in accumulation order
    seg_tp: list[np.ndarray] = []
    seg_fp: list[np.ndarray] = []
    zero_id = 0
    for a, area in enumerate(table.area_ranges):
        det_out = (det_area < area.low) | (det_area > area.high)
        for t, ti in enumerate(t_index):
            status = table.det_status[a, ti, order]
            matched_rows = table.det_gt[a, ti, order]
            # pycocotools tests the matched GT *id* for truth: id 0 reads as "no match".
            zero = (status == TP) & (ann.id[np.maximum(matched_rows, 0)] == 0)
            if zero.any():
                status = status.copy()
                status[zero] = np.where(det_out[zero], IGNORED, FP)
                if area.name == "all" and t == 0:
                    zero_id = int(zero.sum())
            for m, cap in enumerate(caps):
                kept = rank_sorted < cap
                tp = (status == TP) & kept
                fp = (status == FP) & kept
                positions = np.flatnonzero(tp)
                if positions.size == 0:
                    continue
                cum_tp = np.cumsum(tp)
                cum_fp = np.cumsum(fp)
                k_pos = k_sorted[positions]
                before = cat_start[k_pos] - 1
                base_tp = np.where(before >= 0, cum_tp[np.maximum(before, 0)], 0)
                base_fp = np.where(before >= 0, cum_fp[np.maximum(before, 0)], 0)
                seg_tp.append(cum_tp[positions] - base_tp)
                seg_fp.append(cum_fp[positions] - base_fp)
                seg_group.append(((t * n_k + k_pos) * n_a + a) * n_m + m)
                # recall = final TP / npig for every (t, k, a, m) that has a TP.
                last = np.flatnonzero(np.r_[k_pos[1:] != k_pos[:-1], True])
                ks = k_pos[last]
                recall[t, ks, a, m] = (cum_tp[positions[last]] - base_tp[last]).astype(
                    np.float64
                ) / npig[ks, a]

    if seg_group:
        _fill_precision(
            precision,
            np.concatenate(seg_group),
            np.concatenate(seg_tp).astype(np.float64),
            np.concatenate(seg_fp).astype(np.float64),
            npig,
            (n_t, n_k, n_a, n_m),
        )

    specs = stat_specs(caps)
    area_names = tuple(r.name for r in table.area_ranges)
    stats = {s.key: _summarize(precision, recall, s, thresholds, area_names, caps) for s in specs}
    definitions = {s.key: s.definition(thresholds) for s in specs}
    per_class = _per_class(
        table, declared, present, npig, precision, recall, thresholds, caps, det_k, gt_k
    )
    return CocoMetrics(
        stats=stats,
        definitions=definitions,
        iou_thresholds=thresholds,
        max_dets=caps,
        area_names=area_names,
        category_ids=cat_ids,
        precision=precision,
        recall=recall,
        per_class=per_class,
        zero_id_matches=zero_id,
    )


def _fill_precision(
    precision: np.ndarray,
    group: np.ndarray,
    tp: np.ndarray,
    fp: np.ndarray,
    npig: np.ndarray,
    shape: tuple[int, int, int, int],
) -> None:
    """Write the interpolated precision of every (t, k, a, m) that has at least one TP.

    ``group`` holds each TP's flat (t, k, a, m) index; TPs of one group are contiguous and in
    accumulation order, with their running TP and FP counts. Only TPs matter: precision rises
    only at a TP, and the first detection reaching a recall threshold r > 0 is a TP.
    """
    _, n_k, n_a, n_m = shape
    pr = tp / (fp + tp + np.spacing(1))
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    lengths = np.diff(np.r_[starts, group.size])
    seg = np.repeat(np.arange(starts.size), lengths)
    # Envelope: max of pr over later TPs of the same group. Exact segmented reverse cummax:
    # rank the values, shift each group's ranks by an offset that grows toward earlier groups.
    uniq, pr_rank = np.unique(pr, return_inverse=True)
    pr_rank = pr_rank.reshape(-1).astype(np.int64)
    offset = (starts.size - 1 - seg).astype(np.int64) * np.int64(uniq.size)
    env_rank = np.maximum.accumulate((pr_rank + offset)[::-1])[::-1] - offset
    envelope = uniq[env_rank]

    g = group[starts]
    m = g % n_m
    a = (g // n_m) % n_a
    k = (g // (n_m * n_a)) % n_k
    t = g // (n_m * n_a * n_k)
    n_gt = npig[k, a].astype(np.float64)[:, None]  # (S, 1)
    # First n (1-based TP count) with n / npig >= r, reproducing np.searchsorted(rc, r, 'left')
    # on the float64 recalls exactly: start from ceil(r * npig) and fix the rounding.
    r = RECALL_THRESHOLDS[None, :]
    n = np.maximum(np.ceil(r * n_gt), 1.0)
    for _ in range(4):
        down = (n > 1) & ((n - 1) / n_gt >= r)
        up = n / n_gt < r
        if not (down.any() or up.any()):
            break
        n = n - down + up
    n = n.astype(np.int64)
    reached = n <= lengths[:, None]
    idx = starts[:, None] + np.minimum(n, lengths[:, None]) - 1
    q = np.where(reached, envelope[idx], 0.0)  # (S, R)
    precision[
        t[:, None], np.arange(RECALL_THRESHOLDS.size)[None, :], k[:, None], a[:, None], m[:, None]
    ] = q


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
    precision: np.ndarray,
    recall: np.ndarray,
    thresholds: np.ndarray,
    caps: tuple[int, ...],
    det_k: np.ndarray,
    gt_k: np.ndarray,
) -> tuple[ClassAP, ...]:
    """Per declared category, area 'all', largest cap: the slices detectron2 and others report.

    ``present[k]`` is the declared index of array column k; a declared category with no column
    (no GT, no detection) gets zero counts and n/a everywhere.
    """
    a = table.area_index("all")
    m = len(caps) - 1
    crowd = np.bincount(gt_k[table.gt.annotations.iscrowd], minlength=present.size)
    n_det = np.bincount(det_k, minlength=present.size)
    names = table.gt.category_names
    t50 = np.flatnonzero(thresholds == 0.5)
    t75 = np.flatnonzero(thresholds == 0.75)
    column = dict(zip(present.tolist(), range(present.size), strict=True))
    out = []
    for i, cat in enumerate(declared.tolist()):
        k = column.get(i)
        if k is None:
            out.append(ClassAP(cat, names.get(cat, str(cat)), 0, 0, 0, None, None, None, None))
            continue
        p = precision[:, :, k, a, m]
        out.append(
            ClassAP(
                category_id=cat,
                name=names.get(cat, str(cat)),
                gt=int(npig[k, a]),
                crowd=int(crowd[k]),
                detections=int(n_det[k]),
                ap=_mean_defined(p),
                ap_50=_mean_defined(p[t50]) if t50.size else None,
                ap_75=_mean_defined(p[t75]) if t75.size else None,
                ar=_mean_defined(recall[:, k, a, m]),
            )
        )
    return tuple(out)
