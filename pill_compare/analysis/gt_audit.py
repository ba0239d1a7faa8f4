"""Ground-truth audit: which "false detections" are more likely missing or wrong annotations.

Real annotations are often partial (a photo of four pills with two of them labelled). A box that
two good runs agree on, with high scores and the same class, where the ground truth has nothing,
is counted as a false positive of *both* runs; it is more likely an object the annotators left
out. This module lists those boxes and what the headline numbers would be without them. It
reads the pairing and the match tables as they are: nothing is matched again.

Likely missing annotation (:class:`LikelyMissing`). A pair of the pairing
(:func:`~pill_compare.analysis.disagreements.pair_models`: class-agnostic, one-to-one, greedy by
score) such that

1. both runs say the same category (kind ``agree``), the pair's IoU is >= ``pair_iou`` and both
   scores are >= ``score_threshold`` (the operating score s);
2. neither box is near a GT box of *any* class: each box's highest IoU with a non-crowd GT box
   of its image, whatever its class (the match table's ``best_iou``), is < ``near_iou`` (0.1 by
   default, TIDE's background threshold). Why any class and why so low: a box on an annotated
   object, even with the wrong class or poorly placed (IoU 0.3), is a classification or
   localization error of the runs, not an object without a label; below 0.1 with every GT box
   the box covers no annotated object at all (TIDE's "background" error). Pills lie apart in
   a photo, so the box of an unlabelled pill has an IoU near 0 with every labelled one;
3. both boxes are false positives at the operating point (IoU u = ``iou_threshold``, all
   sizes): a box absorbed by a crowd region is already counted neither way.

With ``near_iou`` equal to the adjudication's ``bg_iou`` these are exactly the ``agree`` pairs
whose verdict is ``no_gt``. Cases are sorted by the lower of the two scores (most confident
first; ties: image id, then A's row).

Likely wrong label (:class:`LikelyWrongLabel`). A countable GT box g (not crowd) such that

1. in each run, the detection that took g in the class-agnostic one-to-one matching at IoU
   >= u (the match table's ``gt_agnostic_det``: greedy by score, any category) has score >= s;
2. both those detections say the same category, and it is not g's;
3. no detection with score >= s of either run is a true positive of g at u (greedy COCO
   matching, g's category): a run that also finds g's own class there backs the label.

Counted per GT category and per (GT category, category both runs say). Cases sorted like the
missing ones.

If completed (an *estimate*, never the real numbers, which stay in ``evaluate``'s results). For
each run, the detections of the likely-missing boxes (A's box in A's table, B's box in B's) are
set to IGNORED in the table's ``det_status`` at every area range and IoU threshold: neither TP
nor FP, as pycocotools treats a detection absorbed by an ignored region; their ``maxDets`` ranks
stay. The numbers are then recomputed with
:func:`~pill_compare.analysis.coco_metrics.accumulate_precision_recall` (the evaluator's own
function, on the modified flags): ``map`` (AP@[the evaluation's thresholds]), ``map_50``,
``map_75_95`` (mAP@[0.75:0.95], None unless the table was matched at those thresholds) and
``precision`` at the operating point (micro: TP / (TP + FP) over detections with score >= s at
IoU u). A complete ground truth would also count those objects as GT boxes found (recall up)
and could add boxes one run alone found, so this is what the numbers would be with the
suspicious regions left out of the evaluation, not with them labelled. ``actual`` holds the
same four numbers computed the same way without the change: they equal ``evaluate``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import (
    check_inputs,
    check_iou_threshold,
    check_max_dets,
    check_number,
    check_score_threshold,
)
from pill_compare.analysis.coco_metrics import (
    COCO_MAX_DETS,
    COMPETITION_IOU,
    COMPETITION_KEY,
    accumulate_precision_recall,
    summarize_precision_recall,
)
from pill_compare.analysis.disagreements import (
    Pairing,
    PairKind,
    _check_same_detections,
    _check_same_ground_truth,
)
from pill_compare.analysis.greedy import IOU_CAP
from pill_compare.analysis.matching import FP, IGNORED, TP, MatchTable, coco_iou_thresholds
from pill_compare.core import expect_type
from pill_compare.parallel import run_parallel

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

__all__ = [
    "AUDIT_METRICS",
    "TOP_CASES",
    "GtAudit",
    "LikelyMissing",
    "LikelyWrongLabel",
    "audit_ground_truth",
]

#: The numbers recomputed "if completed", in order (see the module docstring).
AUDIT_METRICS = ("map", "map_50", COMPETITION_KEY, "precision")
#: Cases listed in ``to_dict()`` (``to_frame()`` has every case).
TOP_CASES = 50


def _frozen(*arrays: np.ndarray) -> None:
    for arr in arrays:
        arr.setflags(write=False)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _count_by(keys: np.ndarray, names: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of ``keys`` ((n, k) int64) counted per distinct row: ``{name: id, ..., 'count': n}``,
    most first (ties: ascending ids)."""
    if keys.shape[0] == 0:
        return []
    uniq, n = np.unique(keys, axis=0, return_counts=True)
    order = np.lexsort((*uniq.T[::-1], -n))
    return [
        {**{name: int(v) for name, v in zip(names, uniq[i], strict=True)}, "count": int(n[i])}
        for i in order
    ]


def _head(cases: Any, n: int) -> Any:
    """The first ``n`` rows of every array field of ``cases`` (a dataclass of (M, ...) arrays):
    a table of cases cut before it becomes a frame (building a frame of thousands of cases to
    keep ten took 0.4 s at COCO scale)."""
    return type(cases)(**{f.name: getattr(cases, f.name)[:n] for f in fields(cases)})


@dataclass(frozen=True, eq=False)
class LikelyMissing:
    """Boxes both runs agree on where the ground truth has no box (rule in the module docstring).

    M cases, most confident first. Rows index the match tables' detections.

    Attributes:
        image_id: (M,) int64.
        category_id: (M,) int64 the category both runs say.
        a_row / b_row: (M,) int64 the boxes' rows in run A / run B.
        a_bbox / b_bbox: (M, 4) float64 xywh boxes.
        a_score / b_score: (M,) float64.
        iou: (M,) float64 IoU of the two boxes.
        a_best_iou / b_best_iou: (M,) float64 each box's highest IoU with a GT box of any class
            (< ``near_iou``; 0 when it overlaps none).
    """

    image_id: np.ndarray
    category_id: np.ndarray
    a_row: np.ndarray
    b_row: np.ndarray
    a_bbox: np.ndarray
    b_bbox: np.ndarray
    a_score: np.ndarray
    b_score: np.ndarray
    iou: np.ndarray
    a_best_iou: np.ndarray
    b_best_iou: np.ndarray

    def __len__(self) -> int:
        return int(self.image_id.size)

    @property
    def count(self) -> int:
        return len(self)

    def head(self, n: int) -> LikelyMissing:
        """The ``n`` most confident cases (all when there are fewer)."""
        return _head(self, n)

    def per_class(self) -> list[dict[str, Any]]:
        """``[{'category_id': c, 'count': n}, ...]``, most first (ties: ascending id)."""
        return _count_by(self.category_id[:, None], ("category_id",))

    def to_frame(self) -> pd.DataFrame:
        """One row per case: image, category, both rows, boxes (xywh lists), scores, the lower
        score, the pair's IoU and each box's highest IoU with any GT box."""
        import pandas as pd

        return pd.DataFrame(
            {
                "image_id": self.image_id,
                "category_id": self.category_id,
                "a_row": self.a_row,
                "b_row": self.b_row,
                "a_bbox": [list(map(float, b)) for b in self.a_bbox],
                "b_bbox": [list(map(float, b)) for b in self.b_bbox],
                "a_score": self.a_score,
                "b_score": self.b_score,
                "min_score": np.minimum(self.a_score, self.b_score),
                "iou": self.iou,
                "a_best_iou": self.a_best_iou,
                "b_best_iou": self.b_best_iou,
            }
        )

    def to_dict(self, top: int = TOP_CASES) -> dict[str, Any]:
        """``{'count', 'per_class', 'top_cases'}`` (the ``top`` most confident cases)."""
        return {
            "count": self.count,
            "per_class": self.per_class(),
            "top_cases": _records(self.head(top).to_frame()),
        }


@dataclass(frozen=True, eq=False)
class LikelyWrongLabel:
    """GT boxes both runs confidently call the same other category (rule in the module
    docstring).

    W cases, most confident first.

    Attributes:
        gt_row: (W,) int64 row in the ground truth's annotations.
        gt_id: (W,) int64 annotation id.
        image_id: (W,) int64.
        gt_category_id: (W,) int64 the annotated category.
        category_id: (W,) int64 the category both runs say.
        gt_bbox: (W, 4) float64 xywh.
        a_row / b_row: (W,) int64 the runs' boxes on it.
        a_score / b_score: (W,) float64.
        a_iou / b_iou: (W,) float64 each box's IoU with the GT box.
    """

    gt_row: np.ndarray
    gt_id: np.ndarray
    image_id: np.ndarray
    gt_category_id: np.ndarray
    category_id: np.ndarray
    gt_bbox: np.ndarray
    a_row: np.ndarray
    b_row: np.ndarray
    a_score: np.ndarray
    b_score: np.ndarray
    a_iou: np.ndarray
    b_iou: np.ndarray

    def __len__(self) -> int:
        return int(self.gt_row.size)

    @property
    def count(self) -> int:
        return len(self)

    def head(self, n: int) -> LikelyWrongLabel:
        """The ``n`` most confident cases (all when there are fewer)."""
        return _head(self, n)

    def per_gt_class(self) -> list[dict[str, Any]]:
        """``[{'category_id': annotated, 'count': n}, ...]``, most first."""
        return _count_by(self.gt_category_id[:, None], ("category_id",))

    def per_pair(self) -> list[dict[str, Any]]:
        """``[{'gt_category_id', 'predicted_category_id', 'count'}, ...]``, most first."""
        keys = np.stack([self.gt_category_id, self.category_id], axis=1)
        return _count_by(keys, ("gt_category_id", "predicted_category_id"))

    def to_frame(self) -> pd.DataFrame:
        """One row per case: the GT box (id, image, category, xywh list), the category both
        runs say, both rows, scores, the lower score and each box's IoU with the GT box."""
        import pandas as pd

        return pd.DataFrame(
            {
                "gt_id": self.gt_id,
                "image_id": self.image_id,
                "gt_category_id": self.gt_category_id,
                "predicted_category_id": self.category_id,
                "gt_bbox": [list(map(float, b)) for b in self.gt_bbox],
                "a_row": self.a_row,
                "b_row": self.b_row,
                "a_score": self.a_score,
                "b_score": self.b_score,
                "min_score": np.minimum(self.a_score, self.b_score),
                "a_iou": self.a_iou,
                "b_iou": self.b_iou,
            }
        )

    def to_dict(self, top: int = TOP_CASES) -> dict[str, Any]:
        """``{'count', 'per_gt_class', 'per_pair', 'top_cases'}``."""
        return {
            "count": self.count,
            "per_gt_class": self.per_gt_class(),
            "per_pair": self.per_pair(),
            "top_cases": _records(self.head(top).to_frame()),
        }


@dataclass(frozen=True, eq=False)
class GtAudit:
    """Where the ground truth, not the runs, is likely wrong (see the module docstring).

    Attributes:
        names: Display names of A and B.
        score_threshold / iou_threshold / pair_iou / near_iou: The rules' parameters.
        likely_missing: Agreed boxes with no GT box of any class near them.
        likely_wrong_label: GT boxes both runs call the same other category.
        actual: ``{'a': {metric: value}, 'b': {...}}`` for :data:`AUDIT_METRICS` as evaluated
            (equal to ``evaluate``'s numbers).
        if_completed: The same numbers with the likely-missing boxes' detections ignored: an
            ESTIMATE of a complete ground truth, never the real numbers.
        category_names: Category id → name from the ground truth.
    """

    names: tuple[str, str]
    score_threshold: float
    iou_threshold: float
    pair_iou: float
    near_iou: float
    likely_missing: LikelyMissing
    likely_wrong_label: LikelyWrongLabel
    actual: dict[str, dict[str, float | None]]
    if_completed: dict[str, dict[str, float | None]]
    category_names: dict[int, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"GtAudit(a={self.names[0]!r}, b={self.names[1]!r}, "
            f"likely_missing={self.likely_missing.count}, "
            f"likely_wrong_label={self.likely_wrong_label.count})"
        )

    def delta(self) -> dict[str, dict[str, float | None]]:
        """``if_completed − actual`` per run and metric (None where either is None)."""
        return {
            side: {
                k: None if v is None or self.actual[side][k] is None else v - self.actual[side][k]
                for k, v in self.if_completed[side].items()
            }
            for side in ("a", "b")
        }

    def to_frame(self) -> pd.DataFrame:
        """The likely-missing cases (:meth:`LikelyMissing.to_frame`)."""
        return self.likely_missing.to_frame()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``parameters``, ``likely_missing.{count, per_class, top_cases}``,
        ``likely_wrong_label.{count, per_gt_class, per_pair, top_cases}``, ``actual.{a,b}``,
        ``if_completed.{a,b}`` (the estimate) and ``if_completed_delta.{a,b}``."""
        return {
            "names": {"a": self.names[0], "b": self.names[1]},
            "parameters": {
                "score_threshold": self.score_threshold,
                "iou_threshold": self.iou_threshold,
                "pair_iou": self.pair_iou,
                "near_iou": self.near_iou,
            },
            "likely_missing": self.likely_missing.to_dict(),
            "likely_wrong_label": self.likely_wrong_label.to_dict(),
            "actual": {k: dict(v) for k, v in self.actual.items()},
            "if_completed": {k: dict(v) for k, v in self.if_completed.items()},
            "if_completed_delta": self.delta(),
        }


def audit_ground_truth(
    pairing: Pairing,
    table_a: MatchTable,
    table_b: MatchTable,
    *,
    score_threshold: float,
    pair_iou: float,
    iou_threshold: float = 0.5,
    near_iou: float = 0.1,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
) -> GtAudit:
    """Find likely missing and likely wrong annotations, and estimate the numbers without them.

    The rules are in the module docstring.

    Args:
        pairing: ``pair_models(table_a.dets, table_b.dets, score_threshold=score_threshold,
            pair_iou=pair_iou)``.
        table_a / table_b: The runs' match tables against one ground truth (e.g.
            ``evaluate(gt, a).matches``), matched at ``iou_threshold`` over the 'all' area
            range, with the class-agnostic matching at ``iou_threshold`` (``evaluate`` does).
        score_threshold: The operating score s; must be the pairing's.
        pair_iou: The pairing IoU; must be the pairing's.
        iou_threshold: The operating IoU u (a wrong label's boxes reach it on the GT box).
        near_iou: In (0, u]: a box with IoU >= ``near_iou`` with some GT box is near it.
        iou_thresholds: The COCO thresholds of ``map`` (as given to ``evaluate``); default the
            table's.
        max_dets: COCO caps, as given to ``evaluate``.

    Returns:
        The :class:`GtAudit`.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: thresholds out of range or not the pairing's, a pairing not built from the
            tables' detections, tables with different ground truths, or a table not matched at
            ``iou_threshold`` (or its class-agnostic matching at another IoU).

    Example:
        Both runs put class 7 (scores 0.95, 0.9) on a pill the ground truth does not label and
        that overlaps no GT box: one likely-missing case of class 7; ignoring those two boxes
        raises both runs' precision at the operating point.
    """
    expect_type(pairing, Pairing, "pairing", "build it with pair_models(a, b)")
    check_inputs("audit_ground_truth", table_a=(table_a, MatchTable), table_b=(table_b, MatchTable))
    s = check_score_threshold(score_threshold)
    p_iou = check_iou_threshold(pair_iou, "pair_iou")
    u = check_iou_threshold(iou_threshold)
    near = check_number(near_iou, "near_iou", low=0.0, low_open=True, high=u)
    caps = check_max_dets(max_dets)
    if pairing.score_threshold != s or pairing.pair_iou != p_iou:
        raise ValueError(
            f"Expected a pairing made at score_threshold={s:g} and pair_iou={p_iou:g}, got one at "
            f"{pairing.score_threshold:g} and {pairing.pair_iou:g}; pair the runs with "
            f"pair_models(table_a.dets, table_b.dets, score_threshold={s:g}, pair_iou={p_iou:g})"
        )
    _check_same_detections(pairing.a, table_a, "a")
    _check_same_detections(pairing.b, table_b, "b")
    _check_same_ground_truth(table_a.gt, table_b.gt)
    for side, table in (("a", table_a), ("b", table_b)):
        if table.agnostic_iou_threshold != u:
            raise ValueError(
                f"Expected table_{side}'s class-agnostic matching at iou_threshold={u:g}, got "
                f"{table.agnostic_iou_threshold:g}; match with "
                f"match_detections(..., agnostic_iou_threshold={u:g}) (evaluate does)"
            )
    area, t = table_a.area_index("all"), table_a.threshold_index(u)
    table_b.area_index("all"), table_b.threshold_index(u)
    thresholds = (
        table_a.iou_thresholds
        if iou_thresholds is None
        else np.asarray(iou_thresholds, dtype=np.float64).reshape(-1)
    )

    missing = _likely_missing(pairing, table_a, table_b, s, p_iou, near, area, t)
    wrong = _likely_wrong_label(table_a, table_b, s, area, t)

    def numbers(table: MatchTable, rows: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
        """One run's numbers as they are, and with its likely-missing boxes ignored."""
        status = table.det_status.copy()
        status[:, :, rows] = IGNORED
        return (
            _audit_metrics(table, None, thresholds, caps, s, area, t),
            _audit_metrics(table, status, thresholds, caps, s, area, t),
        )

    # One thread per run (pill_compare/parallel.py); each writes only its own copy of the status.
    (actual_a, completed_a), (actual_b, completed_b) = run_parallel(
        lambda: numbers(table_a, missing.a_row), lambda: numbers(table_b, missing.b_row)
    )
    actual = {"a": actual_a, "b": actual_b}
    completed = {"a": completed_a, "b": completed_b}
    return GtAudit(
        names=pairing.names,
        score_threshold=s,
        iou_threshold=u,
        pair_iou=p_iou,
        near_iou=near,
        likely_missing=missing,
        likely_wrong_label=wrong,
        actual=actual,
        if_completed=completed,
        category_names=dict(table_a.gt.category_names),
    )


def _likely_missing(
    pairing: Pairing,
    table_a: MatchTable,
    table_b: MatchTable,
    s: float,
    pair_iou: float,
    near: float,
    area: int,
    t: int,
) -> LikelyMissing:
    a, b = pairing.a, pairing.b
    keep = (pairing.kind == PairKind.AGREE) & (pairing.iou >= min(pair_iou, IOU_CAP))
    rows_a, rows_b = pairing.a_row[keep], pairing.b_row[keep]
    ok = (a.score[rows_a] >= s) & (b.score[rows_b] >= s)
    # Far from every GT box of any class (the table's best_iou is over non-crowd GT boxes).
    ok &= (table_a.best_iou[rows_a] < near) & (table_b.best_iou[rows_b] < near)
    # Counted as false positives (not absorbed by a crowd region).
    ok &= (table_a.det_status[area, t, rows_a] == FP) & (table_b.det_status[area, t, rows_b] == FP)
    rows_a, rows_b, iou = rows_a[ok], rows_b[ok], pairing.iou[keep][ok]
    low = np.minimum(a.score[rows_a], b.score[rows_b])
    order = np.lexsort((rows_a, a.image_id[rows_a], -low))
    rows_a, rows_b, iou = rows_a[order], rows_b[order], iou[order]
    out = LikelyMissing(
        image_id=a.image_id[rows_a].astype(np.int64),
        category_id=a.category_id[rows_a].astype(np.int64),
        a_row=rows_a.astype(np.int64),
        b_row=rows_b.astype(np.int64),
        a_bbox=a.bbox[rows_a].reshape(-1, 4).astype(np.float64),
        b_bbox=b.bbox[rows_b].reshape(-1, 4).astype(np.float64),
        a_score=a.score[rows_a].astype(np.float64),
        b_score=b.score[rows_b].astype(np.float64),
        iou=iou.astype(np.float64),
        a_best_iou=table_a.best_iou[rows_a].astype(np.float64),
        b_best_iou=table_b.best_iou[rows_b].astype(np.float64),
    )
    _frozen(*(getattr(out, f) for f in out.__dataclass_fields__))
    return out


def _likely_wrong_label(
    table_a: MatchTable, table_b: MatchTable, s: float, area: int, t: int
) -> LikelyWrongLabel:
    ann = table_a.gt.annotations
    g_cat = ann.category_id
    candidate = table_a.gt_status[area, t] != IGNORED  # countable: not crowd
    took, scores, cats = [], [], []
    for table in (table_a, table_b):
        det = table.gt_agnostic_det
        has = det >= 0
        score = np.where(has, table.dets.score[np.maximum(det, 0)] if table.n_dets else 0.0, -1.0)
        cat = np.where(has, table.dets.category_id[np.maximum(det, 0)] if table.n_dets else -1, -1)
        candidate &= has & (score >= s) & (cat != g_cat)
        # A confident true positive of the annotated class backs the label.
        found = table.gt_det[area, t].astype(np.int64)
        confirmed = found >= 0
        confirmed[confirmed] = table.dets.score[found[confirmed]] >= s
        candidate &= ~confirmed
        took.append(det)
        scores.append(score)
        cats.append(cat)
    candidate &= cats[0] == cats[1]
    rows = np.flatnonzero(candidate)
    low = np.minimum(scores[0][rows], scores[1][rows])
    rows = rows[np.lexsort((rows, ann.image_id[rows], -low))]
    da, db = took[0][rows], took[1][rows]
    out = LikelyWrongLabel(
        gt_row=rows.astype(np.int64),
        gt_id=ann.id[rows].astype(np.int64),
        image_id=ann.image_id[rows].astype(np.int64),
        gt_category_id=g_cat[rows].astype(np.int64),
        category_id=cats[0][rows].astype(np.int64),
        gt_bbox=ann.bbox[rows].reshape(-1, 4).astype(np.float64),
        a_row=da.astype(np.int64),
        b_row=db.astype(np.int64),
        a_score=scores[0][rows].astype(np.float64),
        b_score=scores[1][rows].astype(np.float64),
        a_iou=_pair_iou(table_a, da, rows),
        b_iou=_pair_iou(table_b, db, rows),
    )
    _frozen(*(getattr(out, f) for f in out.__dataclass_fields__))
    return out


def _pair_iou(table: MatchTable, det_rows: np.ndarray, gt_rows: np.ndarray) -> np.ndarray:
    """The stored IoU of each (detection, GT) pair, read from the table's overlap pairs (sorted
    by detection row, then GT row)."""
    if det_rows.size == 0:
        return np.zeros(0, dtype=np.float64)
    n_gt = max(table.n_gts, 1)
    keys = table.pair_det * n_gt + table.pair_gt
    where = np.searchsorted(keys, det_rows * n_gt + gt_rows)
    return table.pair_iou[where].astype(np.float64)


def _audit_metrics(
    table: MatchTable,
    det_status: np.ndarray | None,
    thresholds: np.ndarray,
    caps: tuple[int, ...],
    s: float,
    area: int,
    t: int,
) -> dict[str, float | None]:
    """:data:`AUDIT_METRICS` of ``table`` with ``det_status`` (None: the table's own)."""
    pr = accumulate_precision_recall(
        table, iou_thresholds=thresholds, max_dets=caps, area_names=("all",), det_status=det_status
    )
    stats = summarize_precision_recall(pr)
    competition = coco_iou_thresholds(*COMPETITION_IOU)
    map_75_95 = None
    if np.isin(competition, table.iou_thresholds).all():
        pr = accumulate_precision_recall(
            table,
            iou_thresholds=competition,
            max_dets=caps,
            area_names=("all",),
            det_status=det_status,
        )
        map_75_95 = summarize_precision_recall(pr)["map"]
    status = (table.det_status if det_status is None else det_status)[area, t]
    counted = table.dets.score >= s
    tp = int((counted & (status == TP)).sum())
    fp = int((counted & (status == FP)).sum())
    return {
        "map": stats["map"],
        "map_50": stats["map_50"],
        COMPETITION_KEY: map_75_95,
        "precision": tp / (tp + fp) if tp + fp else None,
    }
