"""Box-level disagreements between two runs: pair A's and B's boxes, then say who was right.

Pairing (:func:`pair_models`, no ground truth needed):

* Each run keeps its detections with ``score >= score_threshold`` (a threshold of 0 keeps all).
* Per image, class-agnostic, one-to-one, greedy by score at IoU >= ``pair_iou`` (capped at
  1 − 1e-10 as pycocotools caps thresholds). IoU is pycocotools' bbox IoU (non-crowd).
* The greedy rule is symmetric in A and B: the boxes of *both* runs in an image are visited
  together by descending score; a visiting box that is still unpaired takes the unpaired box of
  the *other* run with the highest IoU >= ``pair_iou`` (an IoU tie goes to the later box in that
  run's file order, pycocotools' tie rule). A box taken as a partner no longer visits. With
  all scores distinct this is the same as taking pairs in order of descending
  max(score_a, score_b), then descending IoU. Equal scores within a run keep file order; an A
  box and a B box with exactly equal scores visit A's first, the only place where A and B are
  not treated alike, so ``pair_models(b, a)`` is the mirror of ``pair_models(a, b)`` (a and b
  swapped, ``a_only`` ↔ ``b_only``) whenever no A box and B box competing for a partner have
  exactly equal scores. The engine is :func:`~pill_compare.analysis.greedy.greedy_pairs`
  (mutual mode), the greedy pass of the COCO matching.
* A pair is ``agree`` (same category id) or ``class_swap``; an unpaired box is ``a_only`` or
  ``b_only`` (a *one-sided* box).

Verdicts (:func:`adjudicate`, against the ground truth through each run's match table), at the
operating point: IoU u = ``iou_threshold`` over all object sizes, and the score threshold of the
pairing. A box is *right* when it is a TP of its class at u (COCO's matching: same class,
IoU >= u, one-to-one, greedy by score); *ignored* when a crowd region absorbed it (COCO counts it
neither way); *wrong* otherwise. Every pair (``agree`` or ``class_swap``) gets one verdict, the
first that holds:

1. ``both_right``: both boxes are TPs. A swap can only be this with two overlapping GT boxes of
   the two classes, A's box matching one and B's the other.
2. ``a_right``: A's box is a TP, B's is not.
3. ``b_right``: B's box is a TP, A's is not.
4. ``ignored``: neither is a TP and at least one box was absorbed by a crowd region.
5. ``both_wrong``: neither is a TP and a GT object is there: a non-crowd GT box of any class has
   IoU >= ``bg_iou`` (TIDE's background threshold, 0.1) with A's box or with B's box. Neither
   class is its class, or the right class is too poorly localized (IoU < u), or a
   higher-scoring box of the same run already took that GT (a duplicate).
6. ``no_gt``: neither is a TP and no non-crowd GT box reaches IoU ``bg_iou`` with either box:
   both are on background.

A one-sided box is ``right``, ``wrong`` or ``ignored`` as above, with its TIDE error type from
:func:`~pill_compare.analysis.error_types.classify_errors` (NONE for a TP; the type is TIDE's at
its foreground IoU, so ``right`` and "no error" agree when u equals it, 0.5 by default). The GT
object "there" for a box (``a_gt`` / ``b_gt``) is the GT it matched at u (a crowd region for an
absorbed box), else the non-crowd GT of any class with the highest IoU when that IoU is >=
``bg_iou``, else none.

Swap patterns: the class swaps grouped by (category in A, category in B), with their images and
how many times each verdict was given, most swaps first (ties: more images, then ascending ids).

Agreement without ground truth (:func:`agreement`) is labelled agreement, never accuracy: two
runs can agree and both be wrong. Over the *items* of a pairing (pairs and one-sided boxes):

* Agreement rate of an image = agreeing pairs / (pairs + one-sided boxes) there; undefined
  (None) for an image with no box in either run. Overall rate = the same ratio over all images
  (micro); ``mean_image_rate`` = the unweighted mean over images where it is defined.
* Agreement rate of a category c = agreeing pairs of c / items involving c (an agreeing pair of
  c, a swap with c on either side, a one-sided box of c); undefined when none involves c.
* Cohen's kappa on the categories of paired boxes (agree and swap pairs, n of them): with
  p_o = agreeing pairs / n and p_e = Σ_c (n_A(c) / n)(n_B(c) / n), where n_X(c) is the number of
  pairs where run X says c, κ = (p_o − p_e) / (1 − p_e). None when n = 0 or p_e = 1 (both runs
  use one and the same category on every pair). κ = 1 is perfect agreement, 0 what chance
  agreement with these category frequencies would give.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import (
    check_inputs,
    check_iou_threshold,
    check_number,
    check_score_threshold,
)
from pill_compare.analysis.boxes import box_iou_pairs, overlapping_pairs
from pill_compare.analysis.error_types import ErrorAssignment, ErrorType
from pill_compare.analysis.greedy import IOU_CAP, greedy_pairs
from pill_compare.analysis.matching import FP, IGNORED, STATUS_NAMES, TP, MatchTable
from pill_compare.core import Detections, GroundTruth, expect_type

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd


class PairKind(IntEnum):
    """What an item of a pairing is (codes stored in arrays)."""

    AGREE = 0  #: an A box and a B box paired, same category
    CLASS_SWAP = 1  #: paired, different categories
    A_ONLY = 2  #: an A box left unpaired
    B_ONLY = 3  #: a B box left unpaired

    @property
    def key(self) -> str:
        """'agree', 'class_swap', 'a_only' or 'b_only'."""
        return self.name.lower()


class Verdict(IntEnum):
    """Who was right about a pair of boxes (see the module docstring for each rule)."""

    A_RIGHT = 0
    B_RIGHT = 1
    BOTH_WRONG = 2
    NO_GT = 3
    BOTH_RIGHT = 4
    IGNORED = 5

    @property
    def key(self) -> str:
        """'a_right', 'b_right', 'both_wrong', 'no_gt', 'both_right' or 'ignored'."""
        return self.name.lower()


#: Outcome keys of a one-sided box, by its status at the operating point.
OUTCOME_KEYS = {TP: "right", FP: "wrong", IGNORED: "ignored"}
#: Error types a detection can have (MISS is a GT box's), in TIDE's order, NONE first.
_DET_ERRORS = (ErrorType.NONE, ErrorType.CLS, ErrorType.LOC, ErrorType.BOTH, ErrorType.DUPE)
_DET_ERRORS += (ErrorType.BKG,)


def take_rows(values: np.ndarray, rows: np.ndarray, fill: Any) -> np.ndarray:
    """``values[rows]`` where ``rows >= 0``, ``fill`` where -1 (no box) — also when ``values``
    is empty (a run without detections: every row is -1)."""
    if values.size == 0:
        return np.full(rows.shape, fill, dtype=np.result_type(values.dtype, np.asarray(fill)))
    return np.where(rows >= 0, values[np.maximum(rows, 0)], fill)


def _run_names(a: Detections, b: Detections) -> tuple[str, str]:
    """The runs' display names; equal names get '_a' / '_b' so table columns stay apart."""
    names = (a.name or "a", b.name or "b")
    return (f"{names[0]}_a", f"{names[1]}_b") if names[0] == names[1] else names


def _read_only(*arrays: np.ndarray) -> None:
    """Result arrays are frozen like the data model's (a result cannot be edited by accident)."""
    for arr in arrays:
        arr.setflags(write=False)


def _nullable(values: np.ndarray, present: np.ndarray) -> pd.array:
    """An Int64 column with <NA> where ``present`` is False."""
    import pandas as pd

    arr = pd.array(np.where(present, values, 0).astype(np.int64), dtype="Int64")
    arr[~present] = pd.NA
    return arr


def _labels(codes: np.ndarray, keys: dict[int, str]) -> pd.Series:
    """A column of ``keys[code]`` (None for a code ``keys`` lacks, and for a negative code: no
    box), kept as Python objects.

    One lookup table indexed by the codes: a loop over 270,000 pairs in Python took ~0.04 s
    per column at COCO scale. Objects, not pandas 3's string dtype (pyarrow-backed where
    pyarrow is installed), which the report's files and JSON rows converted back: its tables at
    COCO scale took 1.30-1.40 s that way, 1.09-1.21 s this way, for the same bytes."""
    import pandas as pd

    codes = np.asarray(codes).reshape(-1)
    out = np.full(codes.size, None, dtype=object)
    has = codes >= 0
    if has.any():
        table = np.empty(int(codes[has].max()) + 1, dtype=object)  # filled with None
        for code, key in keys.items():
            if 0 <= code < table.size:
                table[code] = key
        out[has] = table[codes[has]]
    return pd.Series(out, dtype=object)


@dataclass(frozen=True, eq=False)
class Pairing:
    """A's and B's boxes paired per image (see the module docstring for the rule).

    Items are the pairs and the one-sided boxes, K of them, sorted by image id, then kind, then
    A's row, then B's row. Rows index the detections as given (``a`` and ``b``); -1 means no box.

    Attributes:
        a / b: The two runs, as given (their rows are the rows below).
        names: Display names of A and B (suffixed '_a' / '_b' when equal).
        score_threshold: Boxes with ``score >= score_threshold`` take part.
        pair_iou: The pairing IoU threshold.
        image_id: (K,) int64 image of each item.
        kind: (K,) int8 :class:`PairKind` code.
        a_row: (K,) int64 row of A's box, -1 for ``b_only``.
        b_row: (K,) int64 row of B's box, -1 for ``a_only``.
        iou: (K,) float64 IoU of a pair, NaN for a one-sided box.
        a_partner: (N_A,) int64 B row paired with each A row, -1 when unpaired or below the
            score threshold.
        b_partner: (N_B,) int64 A row paired with each B row, likewise.
        boxes: Boxes taking part per run, ``{'a': n, 'b': n}``.
    """

    a: Detections
    b: Detections
    names: tuple[str, str]
    score_threshold: float
    pair_iou: float
    image_id: np.ndarray
    kind: np.ndarray
    a_row: np.ndarray
    b_row: np.ndarray
    iou: np.ndarray
    a_partner: np.ndarray
    b_partner: np.ndarray
    boxes: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        return (
            f"Pairing(a={self.names[0]!r}, b={self.names[1]!r}, {shown}, "
            f"score_threshold={self.score_threshold:g}, pair_iou={self.pair_iou:g})"
        )

    def __len__(self) -> int:
        return int(self.kind.size)

    def counts(self) -> dict[str, int]:
        """Items per kind: ``{'agree': n, 'class_swap': n, 'a_only': n, 'b_only': n}``."""
        by_code = np.bincount(self.kind, minlength=len(PairKind))
        return {k.key: int(by_code[k]) for k in PairKind}

    def a_category(self) -> np.ndarray:
        """(K,) int64 category id of A's box of each item, -1 without one."""
        return take_rows(self.a.category_id, self.a_row, -1)

    def b_category(self) -> np.ndarray:
        """(K,) int64 category id of B's box of each item, -1 without one."""
        return take_rows(self.b.category_id, self.b_row, -1)

    def disagreements_by_class(self) -> dict[int, int]:
        """Category id → disagreements involving it: class swaps with it on either side plus its
        one-sided boxes (most first, ties by ascending id; only categories with at least one).
        """
        swap = self.kind == PairKind.CLASS_SWAP
        cats = np.r_[
            self.a_category()[swap | (self.kind == PairKind.A_ONLY)],
            self.b_category()[swap | (self.kind == PairKind.B_ONLY)],
        ]
        ids, n = np.unique(cats, return_counts=True)
        order = np.lexsort((ids, -n))
        return {int(ids[i]): int(n[i]) for i in order}

    def swap_patterns(self) -> tuple[SwapPattern, ...]:
        """The class swaps grouped by (category in A, category in B), most swaps first (ties:
        more images, then ascending ids), as :func:`adjudicate` groups them but without
        verdicts (``verdicts`` is empty): what is known without a ground truth."""
        return _swap_patterns(self, None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the rule's parameters, boxes taking part and counts per kind."""
        return {
            "names": {"a": self.names[0], "b": self.names[1]},
            "score_threshold": self.score_threshold,
            "pair_iou": self.pair_iou,
            "boxes": dict(self.boxes),
            "counts": self.counts(),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per item: image, kind, both boxes' rows, categories and scores, the IoU."""
        import pandas as pd

        has_a, has_b = self.a_row >= 0, self.b_row >= 0
        return pd.DataFrame(
            {
                "image_id": self.image_id,
                "kind": _labels(self.kind, {k.value: k.key for k in PairKind}),
                "a_row": _nullable(self.a_row, has_a),
                "b_row": _nullable(self.b_row, has_b),
                "a_category_id": _nullable(self.a_category(), has_a),
                "b_category_id": _nullable(self.b_category(), has_b),
                "a_score": take_rows(self.a.score, self.a_row, np.nan),
                "b_score": take_rows(self.b.score, self.b_row, np.nan),
                "iou": self.iou,
            }
        )


def pair_models(
    a: Detections, b: Detections, *, score_threshold: float = 0.5, pair_iou: float = 0.5
) -> Pairing:
    """Pair run A's boxes with run B's, per image, class-agnostic, one-to-one, greedy by score.

    The rule is in the module docstring; it treats A and B alike (``pair_models(b, a)`` is the
    mirror), except that an A box and a B box with exactly equal scores visit A's first.

    Args:
        a: Run A's detections.
        b: Run B's detections.
        score_threshold: Boxes with ``score >= score_threshold`` take part (0 keeps all).
        pair_iou: IoU threshold in (0, 1] for two boxes to pair.

    Returns:
        The :class:`Pairing`.

    Raises:
        TypeError: ``a`` or ``b`` is not Detections.
        ValueError: a negative or non-finite ``score_threshold``, or ``pair_iou`` outside
            (0, 1].

    Example:
        A's box of class 25366 (score 0.92) and B's of class 10223 (score 0.84) on the same pill
        (IoU 0.9) form one ``class_swap`` pair; a second B box elsewhere is ``b_only``.
    """
    check_inputs("pair_models", a=(a, Detections), b=(b, Detections))
    score_threshold = check_score_threshold(score_threshold)
    pair_iou = check_iou_threshold(pair_iou, "pair_iou")
    rows_a, rows_b = (
        np.flatnonzero(run.score >= score_threshold) if score_threshold > 0 else np.arange(len(run))
        for run in (a, b)
    )
    na, nb = rows_a.size, rows_b.size
    img_a, img_b = a.image_id[rows_a], b.image_id[rows_b]
    # Every (A box, B box) of one image that could pair: pairs below the (capped) threshold never
    # do, so they are dropped here.
    pa, pb, iou = overlapping_pairs(
        img_a, a.bbox[rows_a], img_b, b.bbox[rows_b], min_iou=min(pair_iou, IOU_CAP)
    )
    # Nodes: A's boxes 0..na-1, then B's na..na+nb-1; each pair listed in both directions.
    partner = greedy_pairs(
        np.r_[pa, pb + na],
        np.r_[pb + na, pa],
        np.r_[iou, iou],
        left_score=np.r_[a.score[rows_a], b.score[rows_b]],
        left_group=np.r_[img_a, img_b],
        n_right=na + nb,
        iou_threshold=pair_iou,
        mutual=True,
    ).left
    pa_local = np.flatnonzero(partner[:na] >= 0)
    pb_local = partner[pa_local] - na
    a_partner = np.full(len(a), -1, dtype=np.int64)
    b_partner = np.full(len(b), -1, dtype=np.int64)
    a_partner[rows_a[pa_local]] = rows_b[pb_local]
    b_partner[rows_b[pb_local]] = rows_a[pa_local]

    paired_a, paired_b = rows_a[pa_local], rows_b[pb_local]
    only_a = rows_a[partner[:na] < 0]
    only_b = rows_b[partner[na:] < 0]
    same = a.category_id[paired_a] == b.category_id[paired_b]
    none_a, none_b = np.full(only_b.size, -1), np.full(only_a.size, -1)
    a_row = np.r_[paired_a, only_a, none_a].astype(np.int64)
    b_row = np.r_[paired_b, none_b, only_b].astype(np.int64)
    kind = np.r_[
        np.where(same, PairKind.AGREE, PairKind.CLASS_SWAP),
        np.full(only_a.size, PairKind.A_ONLY),
        np.full(only_b.size, PairKind.B_ONLY),
    ].astype(np.int8)
    # IoU of each pair recomputed with the same operations (bbIou is symmetric bit for bit).
    pair_iou_values = box_iou_pairs(a.bbox[paired_a], b.bbox[paired_b])
    iou_col = np.r_[pair_iou_values, np.full(only_a.size + only_b.size, np.nan)]
    image_id = np.r_[a.image_id[paired_a], a.image_id[only_a], b.image_id[only_b]].astype(np.int64)
    order = np.lexsort((b_row, a_row, kind, image_id))
    items = image_id[order], kind[order], a_row[order], b_row[order], iou_col[order]
    _read_only(*items, a_partner, b_partner)
    return Pairing(
        a=a,
        b=b,
        names=_run_names(a, b),
        score_threshold=float(score_threshold),
        pair_iou=float(pair_iou),
        image_id=items[0],
        kind=items[1],
        a_row=items[2],
        b_row=items[3],
        iou=items[4],
        a_partner=a_partner,
        b_partner=b_partner,
        boxes={"a": int(na), "b": int(nb)},
    )


# --- adjudication by ground truth ---------------------------------------------------------------


@dataclass(frozen=True)
class SwapPattern:
    """Category ``a`` in run A where run B has ``b`` on the same box, with the verdicts.

    Attributes:
        a / b: The category ids (A's, B's).
        swaps: Pairs with this swap.
        image_ids: Images where it occurs, ascending.
        verdicts: Swaps per verdict key ('a_right', 'b_right', 'both_wrong', 'no_gt',
            'both_right', 'ignored'); empty without a ground truth
            (:meth:`Pairing.swap_patterns`).
    """

    a: int
    b: int
    swaps: int
    image_ids: tuple[int, ...]
    verdicts: dict[str, int]

    @property
    def images(self) -> int:
        return len(self.image_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "swaps": self.swaps,
            "images": self.images,
            "image_ids": list(self.image_ids),
            **self.verdicts,
        }


@dataclass(frozen=True, eq=False)
class Disagreements:
    """A pairing adjudicated by ground truth (definitions in the module docstring).

    Arrays are per item of the pairing (K, in its order); -1 means "no box" (or no GT).

    Attributes:
        pairing: The pairing adjudicated.
        gt: The ground truth of both match tables (``a_gt`` / ``b_gt`` index its annotations).
        iou_threshold: u, the operating-point IoU a box must reach to be right.
        bg_iou: IoU at or above which a GT object counts as "there".
        a_status / b_status: (K,) int8 TP / FP / IGNORED of the box at the operating point.
        a_error / b_error: (K,) int8 :class:`~pill_compare.analysis.error_types.ErrorType` code.
        a_gt / b_gt: (K,) int64 GT row "there" for the box (see the module docstring).
        verdict: (K,) int8 :class:`Verdict` code of a pair, -1 for a one-sided box.
        swap_patterns: Every (A category, B category) swap, most swaps first.
        category_names: Category id → name from the ground truth.
    """

    pairing: Pairing
    gt: GroundTruth
    iou_threshold: float
    bg_iou: float
    a_status: np.ndarray
    b_status: np.ndarray
    a_error: np.ndarray
    b_error: np.ndarray
    a_gt: np.ndarray
    b_gt: np.ndarray
    verdict: np.ndarray
    swap_patterns: tuple[SwapPattern, ...]
    category_names: dict[int, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        v = self.swap_verdicts()
        return (
            f"Disagreements(a={self.pairing.names[0]!r}, b={self.pairing.names[1]!r}, "
            f"class_swaps={self.pairing.counts()['class_swap']}, a_right={v['a_right']}, "
            f"b_right={v['b_right']}, both_wrong={v['both_wrong']}, no_gt={v['no_gt']}, "
            f"patterns={len(self.swap_patterns)})"
        )

    def _verdicts(self, kind: PairKind) -> dict[str, int]:
        codes = self.verdict[self.pairing.kind == kind]
        by_code = np.bincount(codes.astype(np.int64), minlength=len(Verdict))
        return {v.key: int(by_code[v]) for v in Verdict}

    def swap_verdicts(self) -> dict[str, int]:
        """Class swaps per verdict key (the four of the issue first, then both_right, ignored)."""
        return self._verdicts(PairKind.CLASS_SWAP)

    def agree_verdicts(self) -> dict[str, int]:
        """Agreeing pairs per verdict key (``both_wrong``: both runs made the same mistake)."""
        return self._verdicts(PairKind.AGREE)

    def one_sided(self) -> dict[str, dict[str, Any]]:
        """Per kind ('a_only', 'b_only'): boxes, right / wrong / ignored, and the wrong boxes'
        TIDE error types (``{'none': n, 'cls': n, 'loc': n, 'both': n, 'dupe': n, 'bkg': n}``;
        'none' only for a wrong box TIDE left unclassified: ranked beyond its ``max_dets``, or
        u differs from TIDE's foreground IoU).
        """
        out = {}
        for kind, status, error in (
            (PairKind.A_ONLY, self.a_status, self.a_error),
            (PairKind.B_ONLY, self.b_status, self.b_error),
        ):
            mine = self.pairing.kind == kind
            s, e = status[mine], error[mine]
            wrong = s == FP
            errors = np.bincount(e[wrong].astype(np.int64), minlength=len(ErrorType))
            out[kind.key] = {
                "boxes": int(mine.sum()),
                **{key: int((s == code).sum()) for code, key in OUTCOME_KEYS.items()},
                "errors": {t.key: int(errors[t]) for t in _DET_ERRORS},
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``counts``, ``swap_verdicts``, ``agree_verdicts``, ``one_sided``,
        ``swap_patterns`` (list of ``{a, b, swaps, images, image_ids, a_right, b_right,
        both_wrong, no_gt, both_right, ignored}``) and the parameters."""
        p = self.pairing
        return {
            "names": {"a": p.names[0], "b": p.names[1]},
            "score_threshold": p.score_threshold,
            "pair_iou": p.pair_iou,
            "iou_threshold": self.iou_threshold,
            "bg_iou": self.bg_iou,
            "boxes": dict(p.boxes),
            "counts": p.counts(),
            "swap_verdicts": self.swap_verdicts(),
            "agree_verdicts": self.agree_verdicts(),
            "one_sided": self.one_sided(),
            "swap_patterns": [s.to_dict() for s in self.swap_patterns],
        }

    def to_frame(self) -> pd.DataFrame:
        """The pair table: one row per item (pairing columns, then each box's status, error
        type and GT "there", and the verdict). Built once per object (a report reads it for
        its table, its CSV file and its JSON: 0.5 s each for 270,000 pairs); each call returns
        a copy, the caller's to change."""
        cached = self.__dict__.get("_frame")
        if cached is None:
            cached = self._build_frame()
            object.__setattr__(self, "_frame", cached)
        return cached.copy()

    def _build_frame(self) -> pd.DataFrame:
        frame = self.pairing.to_frame()
        ann = self.gt.annotations
        error_keys = {t.value: t.key for t in ErrorType}
        for side, status, error, gt in (
            ("a", self.a_status, self.a_error, self.a_gt),
            ("b", self.b_status, self.b_error, self.b_gt),
        ):
            frame[f"{side}_status"] = _labels(status, STATUS_NAMES)
            frame[f"{side}_error"] = _labels(error, error_keys)
            has = gt >= 0
            rows = np.where(has, gt, 0)
            for column, values in (("gt_id", ann.id), ("gt_category_id", ann.category_id)):
                frame[f"{side}_{column}"] = _nullable(values[rows] if values.size else rows, has)
        frame["verdict"] = _labels(self.verdict, {v.value: v.key for v in Verdict})
        return frame

    def patterns_frame(self) -> pd.DataFrame:
        """One row per swap pattern: categories (with names), counts per verdict, image ids
        (space-separated)."""
        import pandas as pd

        keys = [v.key for v in Verdict]
        columns = ["a", "a_name", "b", "b_name", "swaps", "images", *keys, "image_ids"]
        rows = [
            {
                "a": s.a,
                "a_name": self.category_names.get(s.a, ""),
                "b": s.b,
                "b_name": self.category_names.get(s.b, ""),
                "swaps": s.swaps,
                "images": s.images,
                **s.verdicts,
                "image_ids": " ".join(map(str, s.image_ids)),
            }
            for s in self.swap_patterns
        ]
        return pd.DataFrame(rows, columns=columns)


def adjudicate(
    pairing: Pairing,
    table_a: MatchTable,
    table_b: MatchTable,
    errors_a: ErrorAssignment,
    errors_b: ErrorAssignment,
    *,
    iou_threshold: float = 0.5,
    bg_iou: float = 0.1,
) -> Disagreements:
    """Say, from the ground truth, which run was right about every pair and one-sided box.

    The rules are in the module docstring.

    Args:
        pairing: ``pair_models(table_a.dets, table_b.dets, ...)`` (the tables' detections: an
            evaluation may have left out detections with ids the ground truth lacks).
        table_a / table_b: The runs' match tables against one ground truth (e.g.
            ``evaluate(gt, a).matches``), matched at ``iou_threshold``.
        errors_a / errors_b: ``classify_errors(table_a)`` / ``classify_errors(table_b)``.
        iou_threshold: u in (0, 1]: a box is right when it is a TP of its class at IoU u.
        bg_iou: In (0, u]: a non-crowd GT box with IoU >= ``bg_iou`` with a box is "there".

    Returns:
        The :class:`Disagreements`.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: the pairing was not built from the tables' detections, the tables have
            different ground truths, an error assignment does not fit its table, a table was not
            matched at ``iou_threshold`` or has no 'all' area range, or a threshold is out of
            range.

    Example:
        On a pill whose GT class is 25366, A says 25366 (IoU 0.9 with the GT) and B says 10223
        on the same box: the pair is a ``class_swap`` with verdict ``a_right``.
    """
    expect_type(pairing, Pairing, "pairing", "build it with pair_models(a, b)")
    check_inputs("adjudicate", table_a=(table_a, MatchTable), table_b=(table_b, MatchTable))
    for name, errors in (("errors_a", errors_a), ("errors_b", errors_b)):
        expect_type(errors, ErrorAssignment, name, "build it with classify_errors(table)")
    u = check_iou_threshold(iou_threshold)
    bg = check_number(bg_iou, "bg_iou", low=0.0, low_open=True, high=u)
    _check_same_detections(pairing.a, table_a, "a")
    _check_same_detections(pairing.b, table_b, "b")
    _check_same_ground_truth(table_a.gt, table_b.gt)
    for name, errors, table in (("errors_a", errors_a, table_a), ("errors_b", errors_b, table_b)):
        if errors.det_error.shape != (table.n_dets,):
            raise ValueError(
                f"Expected {name} for the {table.n_dets} detections of its table, got "
                f"{errors.det_error.shape[0]}; build it with classify_errors(table)"
            )

    sides = []
    for rows, table, errors in (
        (pairing.a_row, table_a, errors_a),
        (pairing.b_row, table_b, errors_b),
    ):
        t, area = table.threshold_index(u), table.area_index("all")
        status = table.det_status[area, t]
        matched = table.det_gt_at(area, t).astype(np.int64)
        there = np.where(matched >= 0, matched, np.where(table.best_iou >= bg, table.best_gt, -1))
        has = rows >= 0
        sides.append(
            (
                take_rows(status, rows, -1).astype(np.int8),
                take_rows(errors.det_error, rows, -1).astype(np.int8),
                take_rows(there, rows, -1).astype(np.int64),
                has & (take_rows(table.best_iou, rows, 0.0) >= bg),
            )
        )
    (a_status, a_error, a_gt, a_near), (b_status, b_error, b_gt, b_near) = sides

    paired = (pairing.a_row >= 0) & (pairing.b_row >= 0)
    a_tp, b_tp = a_status == TP, b_status == TP
    rules = (
        (a_tp & b_tp, Verdict.BOTH_RIGHT),
        (a_tp, Verdict.A_RIGHT),
        (b_tp, Verdict.B_RIGHT),
        ((a_status == IGNORED) | (b_status == IGNORED), Verdict.IGNORED),
        (a_near | b_near, Verdict.BOTH_WRONG),
        (np.ones(len(pairing), dtype=bool), Verdict.NO_GT),
    )
    verdict = np.full(len(pairing), -1, dtype=np.int8)
    todo = paired.copy()
    for test, code in rules:
        hit = todo & test
        verdict[hit] = code
        todo &= ~hit
    _read_only(a_status, b_status, a_error, b_error, a_gt, b_gt, verdict)

    return Disagreements(
        pairing=pairing,
        gt=table_a.gt,
        iou_threshold=u,
        bg_iou=bg,
        a_status=a_status,
        b_status=b_status,
        a_error=a_error,
        b_error=b_error,
        a_gt=a_gt,
        b_gt=b_gt,
        verdict=verdict,
        swap_patterns=_swap_patterns(pairing, verdict),
        category_names=table_a.gt.category_names,
    )


def _check_same_detections(dets: Detections, table: MatchTable, side: str) -> None:
    """The pairing's run must be the table's detections (rows must mean the same boxes)."""
    mine = table.dets
    if dets is mine:
        return
    same = len(dets) == len(mine) and all(
        np.array_equal(getattr(dets, f), getattr(mine, f))
        for f in ("image_id", "category_id", "bbox", "score")
    )
    if not same:
        raise ValueError(
            f"Expected pairing.{side} to be the detections of table_{side} ({len(mine)} rows), "
            f"got other detections ({len(dets)} rows); pair "
            "pair_models(table_a.dets, table_b.dets) so that rows match"
        )


def _check_same_ground_truth(gt_a: GroundTruth, gt_b: GroundTruth) -> None:
    if gt_a is gt_b:
        return
    x, y = gt_a.annotations, gt_b.annotations
    same = len(x) == len(y) and all(
        np.array_equal(getattr(x, f), getattr(y, f))
        for f in ("id", "image_id", "category_id", "bbox", "iscrowd")
    )
    if not same:
        raise ValueError(
            "Expected table_a and table_b matched against one ground truth, got two different "
            f"ones ({len(x)} and {len(y)} annotations)"
        )


def _swap_patterns(pairing: Pairing, verdict: np.ndarray | None) -> tuple[SwapPattern, ...]:
    swap = np.flatnonzero(pairing.kind == PairKind.CLASS_SWAP)
    if swap.size == 0:
        return ()
    cat_a, cat_b = pairing.a_category()[swap], pairing.b_category()[swap]
    order = np.lexsort((pairing.image_id[swap], cat_b, cat_a))
    swap, cat_a, cat_b = swap[order], cat_a[order], cat_b[order]
    starts = np.flatnonzero(np.r_[True, (cat_a[1:] != cat_a[:-1]) | (cat_b[1:] != cat_b[:-1])])
    patterns = []
    for lo, hi in zip(starts, np.r_[starts[1:], swap.size], strict=True):
        rows = swap[lo:hi]
        verdicts = {}
        if verdict is not None:
            by_code = np.bincount(verdict[rows].astype(np.int64), minlength=len(Verdict))
            verdicts = {v.key: int(by_code[v]) for v in Verdict}
        patterns.append(
            SwapPattern(
                a=int(cat_a[lo]),
                b=int(cat_b[lo]),
                swaps=int(hi - lo),
                image_ids=tuple(np.unique(pairing.image_id[rows]).tolist()),
                verdicts=verdicts,
            )
        )
    patterns.sort(key=lambda s: (-s.swaps, -s.images, s.a, s.b))
    return tuple(patterns)


# --- agreement without ground truth -------------------------------------------------------------

#: Per-image and per-class count columns of :class:`Agreement`.
IMAGE_COLUMNS = ("agree", "class_swap", "a_only", "b_only")
CLASS_COLUMNS = ("a_boxes", "b_boxes", "agree", "swap_as_a", "swap_as_b", "a_only", "b_only")


@dataclass(frozen=True, eq=False)
class Agreement:
    """How much two runs agree, box by box, without ground truth (never an accuracy).

    Definitions are in the module docstring. NaN in the rate arrays means undefined.

    Attributes:
        names: Display names of A and B.
        score_threshold / pair_iou: The pairing's parameters.
        counts: Items per kind over all images.
        rate: Agreeing pairs / items over all images (None without items).
        mean_image_rate: Unweighted mean of the defined per-image rates (None when none is).
        kappa: Cohen's kappa on the paired boxes' categories (None when undefined).
        p_observed / p_expected: Its p_o and p_e (None without pairs).
        image_ids: (I,) int64 images reported, ascending.
        image_counts: (I, 4) int64 agree, class_swap, a_only, b_only per image.
        image_rate: (I,) float64 agreement rate per image.
        category_ids: (C,) int64 categories either run used on a box taking part, ascending.
        class_counts: (C, 7) int64 per category: A's boxes, B's boxes, agreeing pairs, swaps
            where A says it, swaps where B says it, A-only and B-only boxes.
        class_rate: (C,) float64 agreement rate per category.
    """

    names: tuple[str, str]
    score_threshold: float
    pair_iou: float
    counts: dict[str, int]
    rate: float | None
    mean_image_rate: float | None
    kappa: float | None
    p_observed: float | None
    p_expected: float | None
    image_ids: np.ndarray
    image_counts: np.ndarray
    image_rate: np.ndarray
    category_ids: np.ndarray
    class_counts: np.ndarray
    class_rate: np.ndarray

    def __repr__(self) -> str:
        def show(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.4f}"

        return (
            f"Agreement(a={self.names[0]!r}, b={self.names[1]!r}, rate={show(self.rate)}, "
            f"kappa={show(self.kappa)}, pairs={self.pairs}, images={self.image_ids.size})"
        )

    @property
    def pairs(self) -> int:
        """Paired boxes (agree + class_swap), the n of kappa."""
        return self.counts["agree"] + self.counts["class_swap"]

    def to_frame(self) -> pd.DataFrame:
        """One row per image: ``image_id``, the four counts, ``agreement_rate`` (NaN undefined)."""
        import pandas as pd

        frame = pd.DataFrame(self.image_counts, columns=list(IMAGE_COLUMNS))
        frame.insert(0, "image_id", self.image_ids)
        frame["agreement_rate"] = self.image_rate
        return frame

    def class_frame(self) -> pd.DataFrame:
        """One row per category: ``category_id``, the seven counts, ``agreement_rate``."""
        import pandas as pd

        frame = pd.DataFrame(self.class_counts, columns=list(CLASS_COLUMNS))
        frame.insert(0, "category_id", self.category_ids)
        frame["agreement_rate"] = self.class_rate
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; undefined rates are None."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

        return {
            "names": {"a": self.names[0], "b": self.names[1]},
            "score_threshold": self.score_threshold,
            "pair_iou": self.pair_iou,
            "counts": dict(self.counts),
            "agreement_rate": self.rate,
            "mean_image_agreement_rate": self.mean_image_rate,
            "kappa": {
                "kappa": self.kappa,
                "p_observed": self.p_observed,
                "p_expected": self.p_expected,
                "pairs": self.pairs,
            },
            "images": int(self.image_ids.size),
            "per_image": records(self.to_frame()),
            "per_class": records(self.class_frame()),
        }


def agreement(pairing: Pairing, *, image_ids: Iterable[int] | None = None) -> Agreement:
    """Agreement of two runs from their pairing alone (definitions in the module docstring).

    Args:
        pairing: From :func:`pair_models`.
        image_ids: Images to report (e.g. the ground truth's, or every image the runs were run
            on): one with no box in either run gets a row with an undefined rate. Images with
            boxes outside it are reported too (nothing is hidden). Default: the images with a
            box in either run.

    Returns:
        The :class:`Agreement`.

    Raises:
        TypeError: ``pairing`` is not a Pairing, or ``image_ids`` not integers.

    Example:
        Two agreeing pairs, one swap and one A-only box on an image: its rate is 2 / 4 = 0.5.
    """
    expect_type(pairing, Pairing, "pairing", "build it with pair_models(a, b)")
    images = pairing.image_id
    if image_ids is not None:
        if isinstance(image_ids, (str, bytes)) or not isinstance(image_ids, Iterable):
            raise TypeError(
                f"Expected image_ids to be a sequence of int, got {type(image_ids).__name__}"
            )
        given = np.asarray(list(image_ids))
        if given.size and not np.issubdtype(given.dtype, np.integer):
            raise TypeError(f"Expected image_ids to be a sequence of int, got {given.dtype}")
        images = np.r_[images, given.astype(np.int64).reshape(-1)]
    ids, where = np.unique(images, return_inverse=True)
    where = where[: pairing.image_id.size]
    image_counts = np.zeros((ids.size, len(IMAGE_COLUMNS)), dtype=np.int64)
    np.add.at(image_counts, (where, pairing.kind.astype(np.int64)), 1)
    image_rate = _rates(image_counts[:, 0], image_counts.sum(axis=1))

    cat_a, cat_b, kind = pairing.a_category(), pairing.b_category(), pairing.kind
    category_ids = np.unique(np.r_[cat_a[cat_a >= 0], cat_b[cat_b >= 0]])
    k_a = np.searchsorted(category_ids, cat_a)
    k_b = np.searchsorted(category_ids, cat_b)
    class_counts = np.zeros((category_ids.size, len(CLASS_COLUMNS)), dtype=np.int64)
    has_a, has_b = cat_a >= 0, cat_b >= 0
    column = dict(zip(CLASS_COLUMNS, range(len(CLASS_COLUMNS)), strict=True))
    for name, k, mask in (
        ("a_boxes", k_a, has_a),
        ("b_boxes", k_b, has_b),
        ("agree", k_a, kind == PairKind.AGREE),
        ("swap_as_a", k_a, kind == PairKind.CLASS_SWAP),
        ("swap_as_b", k_b, kind == PairKind.CLASS_SWAP),
        ("a_only", k_a, kind == PairKind.A_ONLY),
        ("b_only", k_b, kind == PairKind.B_ONLY),
    ):
        class_counts[:, column[name]] = np.bincount(k[mask], minlength=category_ids.size)
    involved = class_counts[:, 2:].sum(axis=1)  # agree + swaps either side + one-sided
    class_rate = _rates(class_counts[:, column["agree"]], involved)

    counts = pairing.counts()
    n_items = sum(counts.values())
    n = counts["agree"] + counts["class_swap"]
    p_o = p_e = kappa = None
    if n:
        n_a = class_counts[:, column["agree"]] + class_counts[:, column["swap_as_a"]]
        n_b = class_counts[:, column["agree"]] + class_counts[:, column["swap_as_b"]]
        p_o = counts["agree"] / n
        p_e = int((n_a * n_b).sum()) / (n * n)
        kappa = (p_o - p_e) / (1 - p_e) if p_e < 1 else None
    defined = image_rate[~np.isnan(image_rate)]
    _read_only(ids, image_counts, image_rate, category_ids, class_counts, class_rate)
    return Agreement(
        names=pairing.names,
        score_threshold=pairing.score_threshold,
        pair_iou=pairing.pair_iou,
        counts=counts,
        rate=counts["agree"] / n_items if n_items else None,
        mean_image_rate=float(defined.mean()) if defined.size else None,
        kappa=kappa,
        p_observed=p_o,
        p_expected=p_e,
        image_ids=ids,
        image_counts=image_counts,
        image_rate=image_rate,
        category_ids=category_ids,
        class_counts=class_counts,
        class_rate=class_rate,
    )


def _rates(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den as float64, NaN where den is 0."""
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out
