"""One matching pass → one match table: the hub every evaluation metric is derived from.

The matching reproduces pycocotools ``COCOeval.evaluateImg`` for ``iouType='bbox'`` exactly:

* Candidates: a detection and a ground-truth (GT) box of the same image and category. IoU is
  pycocotools' ``bbIou`` (same float64 operations, so bit-identical): for a crowd GT the union is
  replaced by the detection's own area (a crowd region "absorbs" detections inside it).
* Per (image, category), detections are visited by descending score; equal scores keep file order
  (pycocotools' stable mergesort). Each detection takes, among GTs with IoU >= min(t, 1 − 1e-10)
  that are still free (crowd regions are never used up), a non-ignored GT if there is one, else an
  ignored one; among those the highest IoU, and on an IoU tie the later GT in file order.
* A GT is *ignored* under an area range when it is a crowd region or its ``area`` field lies
  outside the range (pycocotools overwrites any ``ignore`` field with ``iscrowd`` for bbox).
  A detection is *ignored* (neither TP nor FP) when it matched an ignored GT, or matched nothing
  and its own area w*h lies outside the range.
* Unlike pycocotools, every detection is matched (no ``maxDets`` cut): matching is greedy by
  score, so the extra low-ranked detections never change what the top-ranked ones matched;
  ``det_rank`` lets COCO metrics apply ``maxDets`` afterwards (rank < maxDet).

The greedy pass (:mod:`~pill_compare.analysis.greedy`, which the cross-model pairing of
:mod:`~pill_compare.analysis.disagreements` calls too) is vectorized over all (image, category)
groups at once: step *s* handles the *s*-th candidate detection of every group (groups never
share a GT, so they cannot conflict), for all area ranges and IoU thresholds together. pycocotools' C IoU works on one (image, category)
block per Python call (hundreds of thousands of calls at COCO scale) and faster-coco-eval's C++
matcher reads one Python dict per annotation; building those costs more than this whole pass. The
candidate pairs and their IoUs come from :func:`~pill_compare.analysis.boxes.overlapping_pairs`
(pycocotools' formula, tested bit-identical against ``pycocotools.mask.iou``), which the
cross-model pairing calls too. The table keeps those pairs (``pair_det``, ``pair_gt``,
``pair_iou``; :meth:`MatchTable.overlaps`), so later passes (TIDE's error types) read them
instead of pairing the boxes again.

The table also keeps a class-agnostic view for confusion matrices and error analysis: the
best-IoU GT of any class per detection, and a one-to-one class-agnostic matching at
``agnostic_iou_threshold`` (same greedy rule with groups = images), both built from the pairs
on first read (an evaluation reads them for its confusion matrix and accuracy only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from pill_compare.analysis.arguments import check_inputs
from pill_compare.analysis.boxes import BoxPairs, box_iou_pairs, overlapping_pairs
from pill_compare.analysis.greedy import IOU_CAP as IOU_CAP  # the threshold cap, re-exported
from pill_compare.analysis.greedy import GreedyPairs, Matches, greedy_assign, groups_and_ranks
from pill_compare.analysis.sorting import stable_order
from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import ConfigError

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: Status codes in ``det_status`` / ``gt_status`` / ``agnostic_status``.
FP = 0  #: detection matched nothing countable (for GTs: FN, a missed GT)
FN = 0
TP = 1  #: detection matched a countable GT (for GTs: the GT was found)
IGNORED = 2  #: crowd region / outside the area range: counted neither way
STATUS_NAMES = {FP: "FP", TP: "TP", IGNORED: "ignored"}
GT_STATUS_NAMES = {FN: "FN", TP: "TP", IGNORED: "ignored"}


class AreaRange(NamedTuple):
    """A COCO area range: objects with ``low <= area <= high`` (both ends inclusive)."""

    name: str
    low: float
    high: float


#: pycocotools' ``areaRng`` / ``areaRngLbl`` for bbox, in its order.
COCO_AREA_RANGES: tuple[AreaRange, ...] = (
    AreaRange("all", 0**2, 1e5**2),
    AreaRange("small", 0**2, 32**2),
    AreaRange("medium", 32**2, 96**2),
    AreaRange("large", 96**2, 1e5**2),
)


#: The most IoU thresholds one evaluation takes: the match table holds (areas, thresholds,
#: detections) entries, so 0.5:0.95:1e-12 (4.5e11 thresholds) would need terabytes.
MAX_IOU_THRESHOLDS = 1000


def coco_iou_thresholds(start: float = 0.5, stop: float = 0.95, step: float = 0.05) -> np.ndarray:
    """IoU thresholds built exactly as pycocotools builds ``iouThrs`` (float64 ``linspace``).

    Args:
        start: First threshold.
        stop: Last threshold (included), >= ``start``.
        step: Spacing, > 0; the count is ``round((stop - start) / step) + 1``.

    Returns:
        (T,) float64. ``coco_iou_thresholds()`` is pycocotools' 0.50:0.95 (10 values), bit for bit.

    Raises:
        ConfigError: (``param="iou_thresholds"``) a non-finite value, ``step <= 0``,
            ``stop < start``, or more than :data:`MAX_IOU_THRESHOLDS` thresholds.
    """
    values = (float(start), float(stop), float(step))
    if not (np.all(np.isfinite(values)) and step > 0 and stop >= start):
        raise ConfigError(
            "expected start:stop:step with finite numbers, step > 0 and stop >= start, e.g. "
            f"0.5:0.95:0.05; got {start:g}:{stop:g}:{step:g}",
            param="iou_thresholds",
        )
    count = np.round((stop - start) / step) + 1
    if not count <= MAX_IOU_THRESHOLDS:
        raise ConfigError(
            f"{start:g}:{stop:g}:{step:g} makes {count:.3g} IoU thresholds; at most "
            f"{MAX_IOU_THRESHOLDS} are supported (the match table grows with thresholds x "
            "detections): use a larger step, e.g. 0.05",
            param="iou_thresholds",
        )
    return np.linspace(start, stop, int(count), endpoint=True)


def _agnostic_view(table: MatchTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(agnostic_gt, agnostic_status, gt_agnostic_det): the COCO pass's greedy rule with groups
    = images and any categories, at ``agnostic_iou_threshold``; crowd regions are taken only
    when no regular GT qualifies and are never used up, as in the COCO pass."""
    dets, ann = table.dets, table.gt.annotations
    n, g = table.n_dets, table.n_gts
    # By image, then descending score, ties in file order: one stable integer sort of the
    # dense score ranks match_detections computed (the same order as a float sort by score
    # followed by a stable sort by image).
    score_rank = table.__dict__.get("_score_rank")
    if score_rank is None:
        score_rank = _descending_ranks(dets.score, np.argsort(-dets.score, kind="stable"))
    by_image = stable_order((score_rank, dets.image_id))
    del score_rank
    group, rank = groups_and_ranks(by_image, dets.image_id)
    del by_image
    left, right = greedy_assign(
        table.pair_det,
        table.pair_gt,
        table.pair_iou,
        n_left=n,
        n_right=g,
        left_group=group,
        left_rank=rank,
        thresholds=np.array([table.agnostic_iou_threshold]),
        right_fallback=ann.iscrowd[None, :],
        right_reusable=ann.iscrowd,
    )
    del group, rank
    agnostic = GreedyPairs(left[0, 0].astype(np.int64), right[0, 0].astype(np.int64))
    rows = np.flatnonzero(agnostic.left >= 0)
    zeros = np.zeros(rows.size, dtype=np.int16)
    status, _ = _statuses(
        Matches(zeros, zeros, rows, agnostic.left[rows]),
        agnostic.right[None, None, :],
        ann.iscrowd[None, :],
        np.zeros((1, n), dtype=bool),
    )
    return _read_only(agnostic.left, status[0, 0], agnostic.right)


def _best_view(table: MatchTable) -> tuple[np.ndarray, ...]:
    """(best_gt, best_iou, best_same_class_gt, best_same_class_iou) from the table's pairs."""
    ann = table.gt.annotations
    pair_det, pair_gt, pair_iou = table.pair_det, table.pair_gt, table.pair_iou
    n = table.n_dets
    not_crowd = ~ann.iscrowd[pair_gt]
    best = _best_per_det(n, pair_det, pair_gt, pair_iou, not_crowd)
    same = table.dets.category_id[pair_det] == ann.category_id[pair_gt]
    same_class = _best_per_det(n, pair_det, pair_gt, pair_iou, np.logical_and(same, not_crowd))
    return _read_only(*best, *same_class)


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for arr in arrays:
        arr.flags.writeable = False  # shared by every reader of the table
    return arrays


class _LazyColumn:
    """A table attribute read from a view (a tuple of arrays) that ``view`` builds from the
    table on its first read; the view is cached on the table."""

    def __init__(self, view: Callable[[MatchTable], tuple[np.ndarray, ...]], index: int) -> None:
        self.view, self.key, self.index = view, "_" + view.__name__, index

    def __get__(self, table: MatchTable | None, owner: type | None = None) -> Any:
        if table is None:
            return self
        cached = table.__dict__.get(self.key)
        if cached is None:
            cached = self.view(table)
            object.__setattr__(table, self.key, cached)
        return cached[self.index]


@dataclass(frozen=True, eq=False)
class MatchTable:
    """Every detection and every GT box with what it matched, per area range and IoU threshold.

    Rows are indices into the inputs: detection row ``i`` is ``dets.<field>[i]``, GT row ``j`` is
    ``gt.annotations.<field>[j]``. ``-1`` means "no match". A = len(area_ranges),
    T = len(iou_thresholds), N = len(dets), G = len(gt.annotations).

    Attributes:
        gt: The ground truth matched against.
        dets: The detections (``name`` is the run's display name).
        iou_thresholds: (T,) float64 thresholds the matching was run at.
        area_ranges: The A area ranges (COCO's all/small/medium/large by default).
        det_rank: (N,) int64 position of the detection in its (image_id, category_id) group by
            descending score, ties in file order (0 = highest). COCO's ``maxDets = m`` keeps
            ``det_rank < m``.
        det_matches: Every (area range, threshold, detection, GT row) match as a list
            (:class:`~pill_compare.analysis.greedy.Matches`: ``variant`` is the area range
            index): what ``det_gt`` is built from, a few entries per GT box instead of A*T*N.
        det_gt: (A, T, N) int32 GT row the detection matched, -1 when none; built from
            ``det_matches`` on first use (72 MB at COCO scale: :meth:`det_gt_at` gives one
            (area, threshold) slice without it).
        det_status: (A, T, N) int8: TP (matched a countable GT), FP, or IGNORED.
        gt_det: (A, T, G) int32 detection row that matched the GT, -1 when none (for a crowd
            region: the last detection it absorbed).
        gt_status: (A, T, G) int8: TP (found), FN (missed) or IGNORED (crowd / outside the range).
        pair_det: (P,) int64 detection row of every (detection, GT box) pair of one image that
            overlaps (intersection with positive width and height), *any* categories, crowd
            regions included: the candidates of every matching above. Sorted by detection row,
            then GT row; read-only. Read them with :meth:`overlaps`.
        pair_gt: (P,) int64 GT row of each pair.
        pair_iou: (P,) float64 pycocotools' IoU of each pair, as the matching used it: for a
            regular GT box the plain IoU, intersection / union; for a crowd region (``iscrowd``)
            pycocotools' crowd IoU, intersection / the *detection's* area. Bit-identical to
            ``COCOeval.computeIoU`` (and > 0 unless w*h underflows).
        best_gt: (N,) int64 non-crowd GT row of *any* class in the same image with the highest
            IoU (ties: later row), -1 when the detection overlaps none.
        best_iou: (N,) float64 that IoU (0.0 when none).
        best_same_class_gt: (N,) int64 like ``best_gt`` restricted to the detection's category.
        best_same_class_iou: (N,) float64 that IoU.
        agnostic_iou_threshold: IoU threshold of the class-agnostic matching.
        agnostic_gt: (N,) int64 GT row (any class) from the one-to-one class-agnostic matching,
            -1 when none.
        agnostic_status: (N,) int8: TP = matched a non-crowd GT of any class (the labels may
            differ), FP = matched nothing, IGNORED = absorbed by a crowd region.
        gt_agnostic_det: (G,) int64 detection row that matched the GT class-agnostically, or -1.
    """

    gt: GroundTruth
    dets: Detections
    iou_thresholds: np.ndarray
    area_ranges: tuple[AreaRange, ...]
    det_rank: np.ndarray
    det_matches: Matches
    det_status: np.ndarray
    gt_det: np.ndarray
    gt_status: np.ndarray
    pair_det: np.ndarray
    pair_gt: np.ndarray
    pair_iou: np.ndarray
    agnostic_iou_threshold: float

    def __repr__(self) -> str:
        return (
            f"MatchTable(name={self.dets.name!r}, detections={self.n_dets}, gt_boxes={self.n_gts}, "
            f"iou_thresholds={self.iou_thresholds.size}, area_ranges={len(self.area_ranges)})"
        )

    # The class-agnostic view (see the class docstring), computed from the pairs on first read:
    # an evaluation reads it only where its confusion matrix and accuracy are computed (a
    # child process at COCO scale), so the matching itself does not build it.
    best_gt = _LazyColumn(_best_view, 0)
    best_iou = _LazyColumn(_best_view, 1)
    best_same_class_gt = _LazyColumn(_best_view, 2)
    best_same_class_iou = _LazyColumn(_best_view, 3)
    agnostic_gt = _LazyColumn(_agnostic_view, 0)
    agnostic_status = _LazyColumn(_agnostic_view, 1)
    gt_agnostic_det = _LazyColumn(_agnostic_view, 2)

    @property
    def det_gt(self) -> np.ndarray:
        """(A, T, N) int32 GT row each detection matched, -1 when none (built once, read-only)."""
        cached = self.__dict__.get("_det_gt")
        if cached is None:
            a, t = len(self.area_ranges), self.iou_thresholds.size
            cached = self.det_matches.dense(a, t, self.n_dets)
            cached.flags.writeable = False
            object.__setattr__(self, "_det_gt", cached)
        return cached

    def det_gt_at(self, area_index: int, threshold_index: int) -> np.ndarray:
        """(N,) int32 ``det_gt[area_index, threshold_index]``, without building all of ``det_gt``.

        Args:
            area_index: Index into ``area_ranges`` (see :meth:`area_index`).
            threshold_index: Index into ``iou_thresholds`` (see :meth:`threshold_index`).
        """
        a, t = len(self.area_ranges), self.iou_thresholds.size
        if not (-a <= area_index < a and -t <= threshold_index < t):
            raise IndexError(
                f"Expected an area index in [0, {a}) and a threshold index in [0, {t}), got "
                f"{area_index} and {threshold_index}"
            )
        cached = self.__dict__.get("_det_gt")
        if cached is not None:
            return cached[area_index, threshold_index]
        return self.det_matches.at(area_index % a, threshold_index % t, self.n_dets)

    @property
    def n_dets(self) -> int:
        return len(self.dets)

    @property
    def n_gts(self) -> int:
        return len(self.gt.annotations)

    def threshold_index(self, iou_threshold: float) -> int:
        """Index of ``iou_threshold`` in ``iou_thresholds`` (exact float equality).

        Raises:
            ValueError: the table was not matched at that threshold.
        """
        hits = np.flatnonzero(self.iou_thresholds == iou_threshold)
        if hits.size == 0:
            raise ValueError(
                f"Expected one of the matched IoU thresholds {self.iou_thresholds.tolist()}, "
                f"got {iou_threshold}"
            )
        return int(hits[0])

    def area_index(self, name: str) -> int:
        """Index of the area range called ``name`` ('all', 'small', 'medium', 'large')."""
        for i, r in enumerate(self.area_ranges):
            if r.name == name:
                return i
        raise ValueError(
            f"Expected an area range among {[r.name for r in self.area_ranges]}, got {name!r}"
        )

    def category_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Declared category ids and where each detection and GT box falls among them.

        Returns:
            ``(category_ids, det_k, gt_k)``: (K,) ascending declared ids, (N,) and (G,) indices
            into them; read-only arrays, computed once per table.

        Raises:
            ValueError: a detection or GT category that the ground truth does not declare (the
                loaders refuse those; this guards tables built from unchecked arrays).
        """
        cached = self.__dict__.get("_category_index")
        if cached is not None:  # computed once per table: several metrics read it
            return cached
        cat_ids = np.unique(self.gt.category_ids)
        out = [cat_ids]
        for what, ids in (
            ("detection", self.dets.category_id),
            ("GT", self.gt.annotations.category_id),
        ):
            k = _positions(cat_ids, ids)
            known = k >= 0
            if not known.all():
                raise ValueError(
                    f"Expected {what} category ids declared by the ground truth, got "
                    f"{np.unique(ids[~known])[:20].tolist()}"
                )
            out.append(k)
        for arr in out:
            arr.flags.writeable = False  # shared by every caller
        result = (out[0], out[1], out[2])
        object.__setattr__(self, "_category_index", result)
        return result

    def accumulation_order(self) -> np.ndarray:
        """(N,) detection rows in pycocotools' accumulation order: category id, then descending
        score, then image id, then file order; read-only, computed once per table (every AP
        computed from this table, TIDE's oracle fixes included, ranks its detections so)."""
        cached = self.__dict__.get("_accumulation_order")  # match_detections sets it
        if cached is not None:
            return cached
        dets = self.dets
        order = np.lexsort((dets.image_id, -dets.score, dets.category_id))  # stable: file order
        order.flags.writeable = False
        object.__setattr__(self, "_accumulation_order", order)
        return order

    def overlaps(
        self, dets_mask: np.ndarray | None = None, gt_mask: np.ndarray | None = None
    ) -> BoxPairs:
        """The overlapping (detection, GT box) pairs the matching computed, optionally a subset.

        Args:
            dets_mask: (N,) bool, keep the pairs of these detections; None: every detection.
            gt_mask: (G,) bool, keep the pairs of these GT boxes; None: every GT box.

        Returns:
            :class:`~pill_compare.analysis.boxes.BoxPairs` ``(left, right, iou)``: (P',) int64
            detection rows, int64 GT rows and float64 IoUs (see ``pair_iou`` for which IoU a
            crowd region has), sorted by detection row, then GT row. Without masks these are
            the table's own read-only arrays.

        Raises:
            ValueError: a mask that is not a bool array of shape (N,) / (G,).

        Example:
            >>> fp = table.det_status[0, 0] == FP  # doctest: +SKIP
            >>> det, gt, iou = table.overlaps(dets_mask=fp, gt_mask=~table.gt.annotations.iscrowd)
        """
        keep = None
        for name, mask, rows, size in (
            ("dets_mask", dets_mask, self.pair_det, self.n_dets),
            ("gt_mask", gt_mask, self.pair_gt, self.n_gts),
        ):
            if mask is None:
                continue
            mask = np.asarray(mask)
            if mask.dtype != bool or mask.shape != (size,):
                raise ValueError(
                    f"Expected {name} to be a bool array of shape ({size},), "
                    f"got {mask.dtype} of shape {mask.shape}"
                )
            hit = mask[rows]
            keep = hit if keep is None else keep & hit
        if keep is None:
            return BoxPairs(self.pair_det, self.pair_gt, self.pair_iou)
        rows = np.flatnonzero(keep)
        return BoxPairs(self.pair_det[rows], self.pair_gt[rows], self.pair_iou[rows])

    def det_area(self) -> np.ndarray:
        """(N,) float64 detection areas w*h (what pycocotools' loadRes stores as 'area')."""
        return self.dets.bbox[:, 2] * self.dets.bbox[:, 3]

    def matched_iou(self, area: str = "all") -> np.ndarray:
        """(T, N) float64 IoU of each detection with the GT it matched (NaN when unmatched)."""
        a = self.area_index(area)
        rows = np.stack([self.det_gt_at(a, t) for t in range(self.iou_thresholds.size)])
        out = np.full(rows.shape, np.nan)
        t_idx, d_idx = np.nonzero(rows >= 0)
        g_idx = rows[t_idx, d_idx]
        ann = self.gt.annotations
        out[t_idx, d_idx] = box_iou_pairs(
            self.dets.bbox[d_idx], ann.bbox[g_idx], ann.iscrowd[g_idx]
        )
        return out

    def det_frame(self, area: str = "all") -> pd.DataFrame:
        """One row per detection: ids, score, rank, area range and, per IoU threshold, the GT
        annotation id it matched, the IoU and the status (TP / FP / ignored) under ``area``.
        """
        import pandas as pd

        a = self.area_index(area)
        dets, ann = self.dets, self.gt.annotations
        cols: dict[str, Any] = {
            "kind": np.full(len(dets), "det", dtype=object),
            "row": _int_column(np.arange(len(dets))),
            "image_id": _int_column(dets.image_id),
            "category_id": _int_column(dets.category_id),
            "score": dets.score,
            "rank": _int_column(self.det_rank),
            "area": self.det_area(),
            "area_range": _area_labels(self.det_area(), self.area_ranges),
        }
        ious = self.matched_iou(area)
        for t, thr in enumerate(self.iou_thresholds):
            rows = self.det_gt_at(a, t)
            cols[f"gt_id@{thr:.4g}"] = _ids_or_na(rows, ann.id)
            cols[f"iou@{thr:.4g}"] = ious[t]
            cols[f"status@{thr:.4g}"] = _status_labels(self.det_status[a, t], STATUS_NAMES)
        cols["best_gt_id"] = _ids_or_na(self.best_gt, ann.id)
        cols["best_gt_category_id"] = _ids_or_na(self.best_gt, ann.category_id)
        cols["best_iou"] = self.best_iou
        thr = self.agnostic_iou_threshold
        cols[f"agnostic_gt_id@{thr:.4g}"] = _ids_or_na(self.agnostic_gt, ann.id)
        cols[f"agnostic_gt_category_id@{thr:.4g}"] = _ids_or_na(self.agnostic_gt, ann.category_id)
        cols[f"agnostic_status@{thr:.4g}"] = _status_labels(self.agnostic_status, STATUS_NAMES)
        return pd.DataFrame(cols)

    def gt_frame(self, area: str = "all") -> pd.DataFrame:
        """One row per GT box: ids, area, crowd flag, area range and, per IoU threshold, the
        detection row that found it and its status (TP / FN / ignored) under ``area``.
        """
        import pandas as pd

        a = self.area_index(area)
        ann = self.gt.annotations
        cols: dict[str, Any] = {
            "kind": np.full(len(ann), "gt", dtype=object),
            "row": _int_column(np.arange(len(ann))),
            "gt_id": _int_column(ann.id),
            "image_id": _int_column(ann.image_id),
            "category_id": _int_column(ann.category_id),
            "area": ann.area,
            "iscrowd": pd.array(ann.iscrowd, dtype="boolean"),
            "area_range": _area_labels(ann.area, self.area_ranges),
        }
        for t, thr in enumerate(self.iou_thresholds):
            cols[f"det_row@{thr:.4g}"] = _ids_or_na(self.gt_det[a, t], np.arange(self.n_dets))
            cols[f"status@{thr:.4g}"] = _status_labels(self.gt_status[a, t], GT_STATUS_NAMES)
        thr = self.agnostic_iou_threshold
        cols[f"agnostic_det_row@{thr:.4g}"] = _ids_or_na(
            self.gt_agnostic_det, np.arange(self.n_dets)
        )
        return pd.DataFrame(cols)

    def to_frame(self, area: str = "all") -> pd.DataFrame:
        """Detection rows then GT rows in one table (``kind`` says which); columns that do not
        apply to a kind are empty. This is what ``--dump-matches`` writes.
        """
        import pandas as pd

        dets, gts = self.det_frame(area), self.gt_frame(area)
        head = ["kind", "row", "gt_id", "image_id", "category_id", "score", "rank", "area"]
        head += ["iscrowd", "area_range"]
        per_threshold = [
            f"{name}@{thr:.4g}"
            for thr in self.iou_thresholds
            for name in ("status", "gt_id", "iou", "det_row")
        ]
        rest = [c for c in [*dets.columns, *gts.columns] if c not in {*head, *per_threshold}]
        frame = pd.concat([dets, gts], ignore_index=True)
        return frame[head + per_threshold + list(dict.fromkeys(rest))]


#: Declared category ids spanning at most this many values are looked up in a table (one
#: gather per id) instead of a binary search (log2(K) passes).
_LOOKUP_SPAN = 1 << 20


def _positions(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Index of each of ``ids`` in ``sorted_ids`` (ascending, unique int64), -1 where absent."""
    if sorted_ids.size == 0:
        return np.full(ids.shape, -1, dtype=np.int64)
    low, high = int(sorted_ids[0]), int(sorted_ids[-1])
    if high - low < _LOOKUP_SPAN and low > -(1 << 62) and high < 1 << 62:  # ids - low can't wrap
        table = np.full(high - low + 2, -1, dtype=np.int64)  # the last slot: out of range
        table[sorted_ids - low] = np.arange(sorted_ids.size)
        offset = ids - low
        outside = (offset < 0) | (offset > high - low)
        if outside.any():
            offset[outside] = high - low + 1
        return table[offset]
    k = np.searchsorted(sorted_ids, ids)
    known = k < sorted_ids.size
    known[known] = sorted_ids[k[known]] == ids[known]
    return np.where(known, k, -1)


def present_categories(n_declared: int, *indices: np.ndarray) -> np.ndarray:
    """The sorted distinct values of category indices in ``[0, n_declared)`` (what
    ``np.unique(np.r_[*indices])`` gives), by counting instead of sorting."""
    counts = np.zeros(n_declared, dtype=np.int64)
    for k in indices:
        counts += np.bincount(k, minlength=n_declared)
    return np.flatnonzero(counts)


def column_of(present: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Positions of the category indices ``k`` in ``present`` (sorted unique, holding every
    value of ``k``): ``np.searchsorted``, skipped when ``present`` is ``0..K-1`` (every declared
    category has a box), the common case."""
    if present.size and present[-1] == present.size - 1:
        return k
    return np.searchsorted(present, k)


def _int_column(values: np.ndarray) -> pd.array:
    """Nullable integers, so they stay integers when det and GT rows share one table."""
    import pandas as pd

    return pd.array(values, dtype="Int64")


def _ids_or_na(rows: np.ndarray, ids: np.ndarray) -> pd.array:
    """``ids[rows]`` as a nullable integer column, <NA> where ``rows`` is -1."""
    import pandas as pd

    out = np.zeros(rows.shape, dtype=np.int64)
    hit = rows >= 0
    out[hit] = ids[rows[hit]]
    arr = pd.array(out, dtype="Int64")
    arr[~hit] = pd.NA
    return arr


def _status_labels(status: np.ndarray, names: dict[int, str]) -> np.ndarray:
    labels = np.array([names[k] for k in sorted(names)], dtype=object)
    return labels[status]


def _area_labels(area: np.ndarray, ranges: Sequence[AreaRange]) -> np.ndarray:
    """The name of the first non-'all' range containing each area ('' when none)."""
    out = np.full(area.shape, "", dtype=object)
    for r in reversed([r for r in ranges if r.name != "all"]):
        out[(area >= r.low) & (area <= r.high)] = r.name
    return out


# --- the matching pass -------------------------------------------------------------------------


def match_detections(
    gt: GroundTruth,
    dets: Detections,
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    area_ranges: Sequence[AreaRange] = COCO_AREA_RANGES,
    agnostic_iou_threshold: float = 0.5,
) -> MatchTable:
    """Match detections to ground truth once, exactly as pycocotools COCOeval does for bbox.

    Args:
        gt: The ground truth.
        dets: One run's detections; every ``image_id`` must be a GT image (see
            :func:`pill_compare.io.load_results`, which checks it).
        iou_thresholds: (T,) thresholds in (0, 1]; default pycocotools' 0.50:0.95 (10 values).
        area_ranges: Area ranges to match under (COCO's all/small/medium/large by default).
        agnostic_iou_threshold: IoU threshold of the one-to-one class-agnostic matching.

    Returns:
        The :class:`MatchTable`.

    Raises:
        TypeError: ``gt`` is not a GroundTruth or ``dets`` not Detections.
        ValueError: a threshold outside (0, 1], no thresholds, or more than
            :data:`MAX_IOU_THRESHOLDS`.

    Example:
        >>> table = match_detections(gt, dets)  # doctest: +SKIP
        >>> table.det_status[0, 0]  # TP/FP/IGNORED of every detection at IoU 0.5, all areas
    """
    check_inputs("match_detections", gt=(gt, GroundTruth), dets=(dets, Detections))
    thresholds = _check_thresholds(iou_thresholds)
    _check_thresholds([agnostic_iou_threshold])
    area_ranges = tuple(AreaRange(*r) for r in area_ranges)
    ann = gt.annotations
    n, g = len(dets), len(ann)

    # Every (detection, GT) pair of one image that overlaps, any categories, by detection row;
    # kept in the table (read-only: they are shared by everything that reads them).
    pair_det, pair_gt, pair_iou = overlapping_pairs(
        dets.image_id, dets.bbox, ann.image_id, ann.bbox, right_iscrowd=ann.iscrowd
    )
    for arr in (pair_det, pair_gt, pair_iou):
        arr.flags.writeable = False
    same = dets.category_id[pair_det] == ann.category_id[pair_gt]

    # Groups: (image, category); inside a group, descending score with ties in file order
    # (pycocotools' stable mergesort). One float sort; the rest are stable integer sorts of it.
    by_score = np.argsort(-dets.score, kind="stable")
    order = by_score[stable_order((dets.category_id[by_score], dets.image_id[by_score]))]
    group, det_rank = groups_and_ranks(order, dets.image_id, dets.category_id)
    # pycocotools' accumulation order (see MatchTable.accumulation_order) from the same sorts:
    # `order` sorted stably by (category, score) keeps image, then file order among equals.
    score_rank = _descending_ranks(dets.score, by_score)
    accumulation = order[stable_order((score_rank[order], dets.category_id[order]))]
    del by_score, order

    gt_ignored = (
        np.stack([ann.iscrowd | (ann.area < r.low) | (ann.area > r.high) for r in area_ranges])
        if area_ranges
        else np.zeros((0, g), dtype=bool)
    )
    det_area = dets.bbox[:, 2] * dets.bbox[:, 3]
    det_out = (
        np.stack([(det_area < r.low) | (det_area > r.high) for r in area_ranges])
        if area_ranges
        else np.zeros((0, n), dtype=bool)
    )

    det_matches, gt_det = greedy_assign(
        pair_det[same],
        pair_gt[same],
        pair_iou[same],
        n_left=n,
        n_right=g,
        left_group=group,
        left_rank=det_rank,
        thresholds=thresholds,
        right_fallback=gt_ignored,
        right_reusable=ann.iscrowd,
        as_list=True,
    )
    det_status, gt_status = _statuses(det_matches, gt_det, gt_ignored, det_out)

    table = MatchTable(
        gt=gt,
        dets=dets,
        iou_thresholds=thresholds,
        area_ranges=area_ranges,
        det_rank=det_rank,
        det_matches=det_matches,
        det_status=det_status,
        gt_det=gt_det,
        gt_status=gt_status,
        pair_det=pair_det,
        pair_gt=pair_gt,
        pair_iou=pair_iou,
        agnostic_iou_threshold=float(agnostic_iou_threshold),
    )
    accumulation.flags.writeable = False
    object.__setattr__(table, "_accumulation_order", accumulation)
    object.__setattr__(table, "_score_rank", score_rank)  # the class-agnostic view's order
    return table


def _descending_ranks(score: np.ndarray, by_score: np.ndarray) -> np.ndarray:
    """(N,) int64 dense rank of each score from the highest (0), equal scores sharing one;
    ``by_score`` is the rows by descending score."""
    ranked = score[by_score]
    rank = np.empty(score.size, dtype=np.int64)
    rank[by_score] = np.cumsum(np.r_[False, ranked[1:] != ranked[:-1]])
    return rank


def _check_thresholds(values: Sequence[float] | np.ndarray | None) -> np.ndarray:
    if values is None:
        return coco_iou_thresholds()
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size == 0:
        raise ValueError("Expected at least one IoU threshold, got none")
    if arr.size > MAX_IOU_THRESHOLDS:
        raise ValueError(f"Expected at most {MAX_IOU_THRESHOLDS} IoU thresholds, got {arr.size}")
    bad = arr[~((arr > 0) & (arr <= 1))]
    if bad.size:
        raise ValueError(f"Expected IoU thresholds in (0, 1], got {bad.tolist()}")
    return arr


def _statuses(
    matches: Matches, gt_det: np.ndarray, gt_ignored: np.ndarray, det_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """TP / FP / IGNORED per detection and TP / FN / IGNORED per GT (see module docstring)."""
    # Unmatched detections first (IGNORED outside the area range, else FP), then the few
    # matched entries: TP, or IGNORED when the GT they matched is ignored.
    n_area, n_thr = gt_det.shape[:2]
    det_status = np.empty((n_area, n_thr, det_out.shape[1]), dtype=np.int8)
    det_status[...] = np.where(det_out, np.int8(IGNORED), np.int8(FP))[:, None, :]
    a_i, t_i, d_i = matches.variant, matches.threshold, matches.left
    det_status[a_i, t_i, d_i] = np.where(gt_ignored[a_i, matches.right], IGNORED, TP)
    # An ignored GT is IGNORED whether found or not; a countable one TP when found, else FN.
    found = np.where(gt_det >= 0, np.int8(TP), np.int8(FN))
    gt_status = np.where(gt_ignored[:, None, :], np.int8(IGNORED), found)
    return det_status, gt_status


def _best_per_det(
    n_dets: int, pair_det: np.ndarray, pair_gt: np.ndarray, pair_iou: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per detection: among its pairs where ``keep``, the GT with the highest IoU (ties: later
    GT row) and that IoU; -1 and 0.0 for a detection with no such pair.

    The pairs left out get IoU -1 (below any IoU) instead of being copied out: one array
    instead of three at the size of every pair."""
    best_gt = np.full(n_dets, -1, dtype=np.int64)
    best_iou = np.zeros(n_dets, dtype=np.float64)
    if pair_det.size == 0:
        return best_gt, best_iou
    iou = np.where(keep, pair_iou, -1.0)
    seg = np.flatnonzero(np.r_[True, pair_det[1:] != pair_det[:-1]])
    top = np.maximum.reduceat(iou, seg)
    seg_of_pair = np.repeat(np.arange(seg.size), np.diff(np.r_[seg, pair_det.size]))
    cand = np.where(iou == top[seg_of_pair], pair_gt, -1)
    del iou, seg_of_pair
    has = top >= 0  # a kept pair (IoU >= 0); -1: every pair of the detection left out
    rows = pair_det[seg][has]
    best_gt[rows] = np.maximum.reduceat(cand, seg)[has]
    best_iou[rows] = top[has]
    return best_gt, best_iou
