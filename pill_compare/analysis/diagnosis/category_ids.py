"""Category-id space checks: ``category_offset``, ``category_class_index``, ``category_permutation``.

Real results files often carry the right boxes with the wrong category-id space: the K-number
written for ``dl_idx`` (every id + 1), the detector's class index 0..K−1 written as the category
id, or the whole id list permuted (a model trained on one class order mapped through another list,
1899 written for 16547). Every number is then computable and meaningless (mAP ≈ 0). The boxes
still say which object each detection is, so the right ids can be read off the data.

Inference (:func:`infer_category_map`), against a ground truth:

1. *Matching*: every detection with ``score >= score_threshold`` is matched to the GT boxes of its
   image class-agnostically, one-to-one, greedy by descending score at IoU >= ``iou_threshold``
   (pycocotools' bbox IoU and greedy rule: :func:`~pill_compare.analysis.boxes.overlapping_pairs`
   and :func:`~pill_compare.analysis.greedy.greedy_pairs`, the class-agnostic pass of
   :func:`~pill_compare.analysis.matching.match_detections`; crowd regions absorb a detection
   without counting it). A *matched box* is a detection matched to a non-crowd GT box.
2. *Co-occurrence*: ``C[p, g]`` = matched boxes whose detection says ``p`` and whose GT box is
   of category ``g``.
3. *Assignment*: ``scipy.optimize.linear_sum_assignment`` on ``C`` (maximized) gives the
   one-to-one map ``p → g`` under which the most matched boxes agree.
4. *Noise guard*: a pair ``p → g`` is kept only when it rests on at least :data:`MIN_BOXES`
   matched boxes and on at least :data:`MIN_SHARE` of the matched boxes of ``p``, and (when it
   rewrites ``p``) when more of them say ``g`` than say ``p`` itself.
5. *Kind*, the first that holds:

   * ``'offset'``: at least two kept pairs, all with one difference ``p − g = N ≠ 0``; the map is
     ``id − N`` for every id (``offset:-N``).
   * ``'class_index'``: at least :data:`CLASS_INDEX_SHARE` of the detections carry an id in
     0..K (K = the ground truth's categories) and fewer than half carry a GT id. When the kept
     pairs fit exactly one rule "index i (from 0, or from 1 as torchvision's labels with 0 for
     the background) → the i-th category of the GT's list, in file order or in sorted order"
     (at least two pairs), the map is that rule over every index, also those that matched
     nothing; otherwise the kept pairs.
   * ``'permutation'``: the kept pairs. An id the file uses that no pair maps and that is a
     GT id no pair targets stays itself; then, when exactly one id the file uses is left
     unmapped and exactly one GT category with boxes is no pair's target, that id is mapped to
     it.

6. *Decision*: the map is reported (kind other than ``'identity'``) only when it makes at least
   :data:`MIN_GAIN` of the matched boxes (and :data:`MIN_BOXES` boxes) agree that did not agree
   as given. A correct file, whose ids as given explain the matches best, gives ``'identity'``;
   so does a model that confuses a few look-alike pills.

Without a ground truth (:func:`infer_category_map_between`), A's boxes are paired with B's by
:func:`~pill_compare.analysis.disagreements.pair_models` (class-agnostic, one-to-one, greedy by
score) and A's ids are mapped onto B's the same way, with B's ids in the place of the GT's
(the category list of the class-index rule: ``known_ids`` when given, else B's ids sorted).

:func:`check_category_ids` turns an inference into a :class:`Finding`. The share *explained* is
the share of matched boxes whose (mapped) id equals the GT box's category; severity
``'blocking'`` when the map explains >= :data:`BLOCKING_EXPLAINED` of them and at least
:data:`BLOCKING_RATIO` times as many as the ids as given, else ``'warning'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from pill_compare.analysis.arguments import (
    check_inputs,
    check_iou_threshold,
    check_score_threshold,
)
from pill_compare.analysis.boxes import overlapping_pairs
from pill_compare.analysis.diagnosis.finding import MAX_EVIDENCE, Finding, Severity
from pill_compare.analysis.diagnosis.sample import first_images
from pill_compare.analysis.greedy import IOU_CAP, greedy_pairs
from pill_compare.core import CategoryIdMap, Detections, GroundTruth

if TYPE_CHECKING:
    from pill_compare.analysis.diagnosis import DiagnosisInputs

IdSpaceKind = Literal["identity", "offset", "class_index", "permutation"]

#: A pair of the map must rest on at least this many matched boxes (fewer is noise).
MIN_BOXES = 3
#: ... and on at least this share of the matched boxes of its source id.
MIN_SHARE = 0.5
#: The map is reported only when it makes at least this share of the matched boxes agree that
#: did not agree as given (a model confusing a few look-alike pills stays 'identity').
MIN_GAIN = 0.1
#: 'class_index' needs at least this share of the detections to carry an id in 0..K.
CLASS_INDEX_SHARE = 0.9
#: Severity 'blocking' when the map explains at least this share of the matched boxes ...
BLOCKING_EXPLAINED = 0.5
#: ... and at least this many times the boxes the ids as given explain.
BLOCKING_RATIO = 2.0
#: The id map of a large run is read on the images holding its first this many boxes
#: (:func:`~pill_compare.analysis.diagnosis.sample.first_images`): hundreds of boxes per class
#: at COCO scale, the whole file at pill scale.
MAX_INFERENCE_BOXES = 50_000

#: The finding code of each kind.
CODES: dict[str, str] = {
    "offset": "category_offset",
    "class_index": "category_class_index",
    "permutation": "category_permutation",
}


class IdPair(NamedTuple):
    """One pair of the map with its evidence.

    Attributes:
        from_id: The id the file writes.
        to_id: The reference's (GT's) id it stands for.
        boxes: Matched boxes whose detection says ``from_id`` and whose GT box is ``to_id``.
        of: Matched boxes whose detection says ``from_id``.
    """

    from_id: int
    to_id: int
    boxes: int
    of: int

    def to_dict(self) -> dict[str, int]:
        return {"from": self.from_id, "to": self.to_id, "boxes": self.boxes, "of": self.of}


@dataclass(frozen=True)
class IdSpaceInference:
    """Which category-id space a run speaks, read from its class-agnostic matches.

    Attributes:
        kind: ``'identity'`` (the ids as given explain the matches best: nothing to map),
            ``'offset'``, ``'class_index'`` or ``'permutation'`` (module docstring).
        matched: Matched boxes (detections matched class-agnostically to a reference box).
        agree_as_given: Matched boxes whose id equals the reference box's category.
        agree_mapped: Matched boxes whose id, rewritten by ``category_map``, equals it.
        category_map: The inferred map (``origin='auto'``, ``source`` = the reference's path);
            changes nothing when ``kind`` is ``'identity'``.
        shift: For ``'offset'``: file id − reference id (+1 for the K-number written for
            ``dl_idx``); the map's offset is ``-shift``. None otherwise.
        order: For a ``'class_index'`` map made from a rule: ``'file'`` or ``'sorted'`` (which
            order of the reference's category list the index counts in); None otherwise.
        first_index: With ``order``: 0 or 1 (the index of the list's first category).
        pairs: The pairs the assignment kept (noise guard passed), most boxes first.
        unmapped: Ids the file uses that the map leaves as they are (not 'identity' only).
        reference: The reference's path (GT, or the other run in
            :func:`infer_category_map_between`).
    """

    kind: IdSpaceKind
    matched: int
    agree_as_given: int
    agree_mapped: int
    category_map: CategoryIdMap
    shift: int | None = None
    order: Literal["file", "sorted"] | None = None
    first_index: int | None = None
    pairs: tuple[IdPair, ...] = ()
    unmapped: tuple[int, ...] = ()
    reference: str = ""

    @property
    def explained(self) -> float:
        """Share of the matched boxes the map explains (0.0 when nothing matched)."""
        return self.agree_mapped / self.matched if self.matched else 0.0

    @property
    def explained_as_given(self) -> float:
        """Share of the matched boxes the ids as given explain (0.0 when nothing matched)."""
        return self.agree_as_given / self.matched if self.matched else 0.0

    @property
    def differs(self) -> bool:
        """True when the run speaks another id space than the reference (a map is reported)."""
        return self.kind != "identity"

    @property
    def code(self) -> str | None:
        """The finding code (``'category_offset'`` …), None for ``'identity'``."""
        return CODES.get(self.kind)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the fields, the shares and the map (``CategoryIdMap.to_dict``)."""
        return {
            "kind": self.kind,
            "matched": self.matched,
            "agree_as_given": self.agree_as_given,
            "agree_mapped": self.agree_mapped,
            "explained": self.explained,
            "explained_as_given": self.explained_as_given,
            "shift": self.shift,
            "order": self.order,
            "first_index": self.first_index,
            "pairs": [p.to_dict() for p in self.pairs],
            "unmapped": list(self.unmapped),
            "reference": self.reference,
            "category_map": self.category_map.to_dict(),
        }


def _matched_gt_ids(
    dets: Detections, gt: GroundTruth, iou_threshold: float, score_threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """(detection id, GT category id) of each matched box (class-agnostic, one-to-one)."""
    rows = np.flatnonzero(dets.score >= score_threshold) if score_threshold > 0 else None
    run = dets if rows is None else dets.select(rows)
    ann = gt.annotations
    pairs = overlapping_pairs(
        run.image_id,
        run.bbox,
        ann.image_id,
        ann.bbox,
        right_iscrowd=ann.iscrowd,
        min_iou=min(iou_threshold, IOU_CAP),
    )
    # The class-agnostic pass of match_detections: groups = images, crowd regions taken only
    # when no regular GT box qualifies and never used up.
    taken = greedy_pairs(
        pairs.left,
        pairs.right,
        pairs.iou,
        left_score=run.score,
        left_group=run.image_id,
        n_right=len(ann),
        iou_threshold=iou_threshold,
        right_fallback=ann.iscrowd,
        right_reusable=ann.iscrowd,
    ).left
    hit = np.flatnonzero(taken >= 0)
    hit = hit[~ann.iscrowd[taken[hit]]]
    return run.category_id[hit], ann.category_id[taken[hit]]


def infer_category_map(
    dets: Detections,
    gt: GroundTruth,
    *,
    iou_threshold: float = 0.5,
    score_threshold: float = 0.0,
) -> IdSpaceInference:
    """Infer the category-id map that makes a run speak the ground truth's ids.

    The rule (matching, co-occurrence, assignment, noise guard, kind, decision) is in the module
    docstring.

    Args:
        dets: The run *as loaded* (no id left out: ``load_results(path)`` without ``gt``).
        gt: The ground truth.
        iou_threshold: IoU in (0, 1] at which a detection matches a GT box.
        score_threshold: Detections with ``score >= score_threshold`` take part (0: all).

    Returns:
        The :class:`IdSpaceInference`; ``kind == 'identity'`` for a file whose ids are right.

    Raises:
        TypeError: ``dets`` is not Detections or ``gt`` not a GroundTruth.
        ValueError: a threshold out of range.

    Example:
        >>> inf = infer_category_map(load_results("shifted.json"), gt)  # doctest: +SKIP
        >>> inf.kind, inf.shift, inf.category_map
        ('offset', 1, CategoryIdMap({}, offset=-1, origin='auto'))
    """
    check_inputs("infer_category_map", dets=(dets, Detections), gt=(gt, GroundTruth))
    iou_threshold = check_iou_threshold(iou_threshold)
    score_threshold = check_score_threshold(score_threshold)
    pred, true = _matched_gt_ids(dets, gt, iou_threshold, score_threshold)
    with_boxes = np.unique(gt.annotations.category_id[~gt.annotations.iscrowd])
    return _infer(
        pred,
        true,
        used=_used_ids(dets, score_threshold),
        reference_list=gt.category_ids,
        reference_with_boxes=with_boxes,
        source=gt.source,
    )


def infer_category_map_between(
    a: Detections,
    b: Detections,
    *,
    pair_iou: float = 0.5,
    score_threshold: float = 0.5,
    known_ids: Sequence[int] | np.ndarray | None = None,
) -> IdSpaceInference:
    """Infer the map of A's category ids onto B's, without a ground truth.

    A's boxes are paired with B's per image, class-agnostically, one-to-one and greedy by score
    (:func:`~pill_compare.analysis.disagreements.pair_models`); ``C[p, q]`` counts the pairs
    where A says ``p`` and B says ``q``, and the rest is :func:`infer_category_map`'s rule with
    B's ids in the place of the ground truth's.

    Args:
        a: Run A as loaded.
        b: Run B as loaded (the reference).
        pair_iou: IoU in (0, 1] at which two boxes are the same object.
        score_threshold: Boxes with ``score >= score_threshold`` take part (0: all).
        known_ids: The category list (e.g. the training annotations' ids, in file order) the
            class-index rule counts in; default B's ids, sorted.

    Returns:
        The :class:`IdSpaceInference` of A against B (``matched`` counts pairs, ``reference`` is
        B's source).

    Raises:
        TypeError: ``a`` or ``b`` is not Detections.
        ValueError: a threshold out of range.
    """
    from pill_compare.analysis.disagreements import pair_models

    check_inputs("infer_category_map_between", a=(a, Detections), b=(b, Detections))
    pairing = pair_models(a, b, score_threshold=score_threshold, pair_iou=pair_iou)
    paired = np.flatnonzero(pairing.a_partner >= 0)
    pred = a.category_id[paired]
    true = b.category_id[pairing.a_partner[paired]]
    b_used = _used_ids(b, pairing.score_threshold)
    if known_ids is None:
        reference_list = b_used
    else:
        reference_list = np.asarray(known_ids, dtype=np.int64).reshape(-1)
    return _infer(
        pred,
        true,
        used=_used_ids(a, pairing.score_threshold),
        reference_list=reference_list,
        reference_with_boxes=b_used,
        source=b.source or b.name,
    )


def _used_ids(dets: Detections, score_threshold: float) -> np.ndarray:
    """Sorted unique ids of the detections taking part."""
    ids = (
        dets.category_id
        if score_threshold <= 0
        else dets.category_id[dets.score >= score_threshold]
    )
    return np.unique(ids)


def _infer(
    pred: np.ndarray,
    true: np.ndarray,
    *,
    used: np.ndarray,
    reference_list: np.ndarray,
    reference_with_boxes: np.ndarray,
    source: str,
) -> IdSpaceInference:
    """The rule of the module docstring on matched (file id, reference id) pairs.

    Args:
        pred / true: (M,) int64 ids of the matched boxes: the file's and the reference's.
        used: Ids the file uses (matched or not), sorted unique.
        reference_list: The reference's category list in its file order (class-index rule).
        reference_with_boxes: Reference ids with at least one box (leftover targets).
        source: The reference's path.
    """
    matched = int(pred.size)
    as_given = int(np.count_nonzero(pred == true))
    identity = IdSpaceInference(
        kind="identity",
        matched=matched,
        agree_as_given=as_given,
        agree_mapped=as_given,
        category_map=CategoryIdMap({}, origin="auto", source=source),
        reference=source,
    )
    if matched == 0 or matched - as_given < max(MIN_BOXES, MIN_GAIN * matched):
        # No map can make enough more boxes agree to be a finding (the gain rule below): the
        # ids as given are right, and neither the matrix nor scipy (0.5 s to import) is needed.
        return identity

    # Co-occurrence of (file id, reference id) over the matched boxes. Only file ids with at
    # least MIN_BOXES matched boxes can be kept, so the others are left out of the matrix
    # (which bounds its rows by matched / MIN_BOXES whatever ids a broken file invents).
    src_all, src_count = np.unique(pred, return_counts=True)
    strong = np.isin(pred, src_all[src_count >= MIN_BOXES])
    if not strong.any():
        return identity
    src_ids, src_idx = np.unique(pred[strong], return_inverse=True)
    dst_ids, dst_idx = np.unique(true[strong], return_inverse=True)
    flat = src_idx.reshape(-1) * dst_ids.size + dst_idx.reshape(-1)
    co = np.bincount(flat, minlength=src_ids.size * dst_ids.size).reshape(src_ids.size, -1)
    # No one-to-one map can beat every id taking its most frequent partner: when even that
    # bound gains too few boxes over the ids as given, skip the assignment (and scipy's import).
    as_given_strong = int(np.count_nonzero(pred[strong] == true[strong]))
    if int(co.max(axis=1).sum()) - as_given_strong < max(MIN_BOXES, MIN_GAIN * matched):
        return identity
    from scipy.optimize import linear_sum_assignment  # scipy is imported lazily (see compare)

    rows, cols = linear_sum_assignment(co, maximize=True)

    row_total = co.sum(axis=1)
    dst_pos = {int(g): j for j, g in enumerate(dst_ids.tolist())}
    kept: list[IdPair] = []
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        p, g, n = int(src_ids[i]), int(dst_ids[j]), int(co[i, j])
        if n < MIN_BOXES or n < MIN_SHARE * row_total[i]:
            continue
        if p != g and p in dst_pos and n <= co[i, dst_pos[p]]:
            continue  # as many boxes say p is right: not evidence for a rewrite
        kept.append(IdPair(p, g, n, int(row_total[i])))
    kept.sort(key=lambda x: (-x.boxes, x.from_id))
    if all(x.from_id == x.to_id for x in kept):
        return identity

    shift: int | None = None
    order: Literal["file", "sorted"] | None = None
    first_index: int | None = None
    diffs = {x.from_id - x.to_id for x in kept}
    if len(kept) >= 2 and len(diffs) == 1:
        kind: IdSpaceKind = "offset"
        shift = diffs.pop()
        cmap = CategoryIdMap({}, offset=-shift, origin="auto", source=source)
    else:
        mapping = {x.from_id: x.to_id for x in kept}
        kind = (
            "class_index" if _looks_like_class_index(pred, used, reference_list) else "permutation"
        )
        rule = _class_index_rule(kept, reference_list) if kind == "class_index" else None
        if rule is not None:
            order, first_index, mapping = rule
        else:
            _map_leftover(mapping, used, reference_list, reference_with_boxes)
        cmap = CategoryIdMap(mapping, origin="auto", source=source)

    mapped = cmap.map_ids(pred)
    agree_mapped = int(np.count_nonzero(mapped == true))
    gain = agree_mapped - as_given
    if gain < max(MIN_BOXES, MIN_GAIN * matched):
        return identity
    if cmap.offset:
        unmapped: tuple[int, ...] = ()
    else:
        unmapped = tuple(int(i) for i in used.tolist() if i not in cmap.mapping)
    return IdSpaceInference(
        kind=kind,
        matched=matched,
        agree_as_given=as_given,
        agree_mapped=agree_mapped,
        category_map=cmap,
        shift=shift,
        order=order,
        first_index=first_index,
        pairs=tuple(kept),
        unmapped=unmapped,
        reference=source,
    )


def _looks_like_class_index(pred: np.ndarray, used: np.ndarray, reference_list: np.ndarray) -> bool:
    """Most ids are small integers 0..K (K categories) and fewer than half are reference ids.

    Weighted by matched boxes (``pred``) and checked on every id the file uses."""
    k = reference_list.size
    small = (pred >= 0) & (pred <= k)
    in_reference = np.isin(pred, reference_list)
    used_small = np.count_nonzero((used >= 0) & (used <= k))
    return (
        small.mean() >= CLASS_INDEX_SHARE
        and used_small >= CLASS_INDEX_SHARE * used.size
        and in_reference.mean() < 0.5
    )


def _class_index_rule(
    kept: Sequence[IdPair], reference_list: np.ndarray
) -> tuple[Literal["file", "sorted"], int, dict[int, int]] | None:
    """The one rule "index → category list (file or sorted order, from 0 or 1)" every kept pair
    fits, as ``(order, first_index, mapping over every index)``; None when none fits, several
    different ones do, or fewer than two pairs were kept."""
    if len(kept) < 2:
        return None
    orders: dict[Literal["file", "sorted"], list[int]] = {
        "file": [int(i) for i in reference_list.tolist()],
        "sorted": sorted(int(i) for i in reference_list.tolist()),
    }
    found: list[tuple[Literal["file", "sorted"], int, dict[int, int]]] = []
    for name, ids in orders.items():
        for first in (0, 1):
            fits = all(
                0 <= x.from_id - first < len(ids) and ids[x.from_id - first] == x.to_id
                for x in kept
            )
            if fits:
                found.append((name, first, {i + first: g for i, g in enumerate(ids)}))
    if not found or any(f[2] != found[0][2] for f in found[1:]):
        return None
    return found[0]


def _map_leftover(
    mapping: dict[int, int], used: np.ndarray, reference: np.ndarray, targets: np.ndarray
) -> None:
    """Complete the kept pairs in place.

    A used id the map leaves out that is itself a reference id no pair takes stays itself (an
    explicit ``g → g``: nothing says it is wrong). Then, when exactly one used id is still left
    out and exactly one target (a reference id with boxes) is no pair's, the one is mapped onto
    the other.
    """
    taken = set(mapping.values())
    known = {int(g) for g in reference.tolist()}
    left_src = [int(i) for i in used.tolist() if i not in mapping]
    for i in left_src:
        if i in known and i not in taken:
            mapping[i] = i
    taken = set(mapping.values())
    left_src = [i for i in left_src if i not in mapping]
    left_dst = [int(g) for g in targets.tolist() if g not in taken]
    if len(left_src) == 1 and len(left_dst) == 1:
        mapping[left_src[0]] = left_dst[0]


# --- the check --------------------------------------------------------------------------------


def _changed(run: Detections, cmap: CategoryIdMap) -> int:
    """Detections whose id the map changes."""
    return int(np.count_nonzero(cmap.map_ids(run.category_id) != run.category_id))


def _coco_map(gt: GroundTruth, run: Detections) -> float | None:
    """COCO mAP@[.5:.95] of the run restricted to the GT's ids (None when undefined)."""
    from pill_compare.analysis.evaluate import evaluate
    from pill_compare.consistency import restrict_to_ground_truth

    kept, _ = restrict_to_ground_truth(run, gt)
    return evaluate(gt, kept).coco.stats["map"]


def _severity(inf: IdSpaceInference) -> Severity:
    strong = inf.explained >= BLOCKING_EXPLAINED
    return (
        "blocking"
        if strong and inf.agree_mapped >= BLOCKING_RATIO * inf.agree_as_given
        else "warning"
    )


def _option(inf: IdSpaceInference) -> str:
    if inf.kind == "offset" and inf.shift is not None:
        return f"--category-map offset:{-inf.shift}"
    return "--category-map auto"


def _finding(
    inf: IdSpaceInference,
    *,
    role: str,
    file: str,
    count: int,
    map_before: float | None,
    map_after: float | None,
    category_map: CategoryIdMap | None,
) -> Finding:
    assert inf.code is not None  # only called for a map that differs
    params: dict[str, Any] = {
        "file": file,
        "reference": inf.reference,
        "kind": inf.kind,
        "matched": inf.matched,
        "explained": inf.explained,
        "explained_as_given": inf.explained_as_given,
        "agree_mapped": inf.agree_mapped,
        "agree_as_given": inf.agree_as_given,
        "mapped_ids": len(inf.pairs),
        "unmapped_ids": len(inf.unmapped),
        "map_before": map_before,
        "map_after": map_after,
    }
    if inf.kind == "offset":
        params["offset"] = inf.shift
        params["correction"] = -int(inf.shift or 0)
    if inf.kind == "class_index":
        params["order"] = inf.order
        params["first_index"] = inf.first_index
    evidence = [
        {"from": x.from_id, "to": x.to_id, "boxes": x.boxes}
        for x in inf.pairs
        if x.from_id != x.to_id
    ][:MAX_EVIDENCE]
    return Finding(
        code=inf.code,
        severity=_severity(inf),
        role=role,
        file=file,
        count=count,
        params=params,
        evidence=tuple(evidence),
        fix="category_map",
        fix_params={"option": _option(inf)},
        category_map=category_map,
    )


def _outside_share(run: Detections, known: np.ndarray) -> float:
    return float(np.mean(~np.isin(run.category_id, known))) if len(run) else 0.0


def check_category_ids(inputs: DiagnosisInputs) -> list[Finding]:
    """``category_offset`` / ``category_class_index`` / ``category_permutation`` findings.

    With a ground truth: one finding per run whose ids another map explains far better
    (:func:`infer_category_map` at ``inputs.iou_threshold``, every detection), with the mAP
    before and after the map (COCO mAP@[.5:.95] of the run restricted to the GT's ids).

    Without one: per pair of runs, :func:`infer_category_map_between` (at ``inputs.pair_iou``
    and ``inputs.score_threshold``). The finding names the run that uses ids outside
    ``inputs.known_category_ids`` (mostly outside, while the other's are mostly inside) and
    carries the map of its ids onto the other's; otherwise it names both (``'a,b'``) and carries
    no map (which side is wrong is unknown). ``map_before`` / ``map_after`` are None.

    Args:
        inputs: The :class:`~pill_compare.analysis.diagnosis.DiagnosisInputs`.

    Returns:
        The findings (``fix='category_map'``, ``category_map`` set for a single run).
    """
    found: list[Finding] = []
    gt = inputs.gt
    if gt is not None:
        if len(gt.annotations) == 0:
            return []
        for role, run in inputs.runs.items():
            # a large run is read on the images holding its first MAX_INFERENCE_BOXES boxes
            looked = first_images(run, MAX_INFERENCE_BOXES)
            inf = infer_category_map(looked, gt, iou_threshold=inputs.iou_threshold)
            if not inf.differs:
                continue
            cmap = inf.category_map
            found.append(
                _finding(
                    inf,
                    role=role,
                    file=inputs.file(role),
                    count=_changed(run, cmap),
                    map_before=_coco_map(gt, run),
                    map_after=_coco_map(gt, cmap.apply(run)),
                    category_map=cmap,
                )
            )
        return found

    known = inputs.known_category_ids
    known_arr = None if known is None else np.asarray(known, dtype=np.int64).reshape(-1)
    for x, y in inputs.pairs():
        kwargs = {
            "pair_iou": inputs.pair_iou,
            "score_threshold": inputs.score_threshold,
            "known_ids": known_arr,
        }
        inf = infer_category_map_between(inputs.runs[x], inputs.runs[y], **kwargs)
        if not inf.differs:
            continue
        role, cmap = f"{x},{y}", None
        if known_arr is not None:
            x_out = _outside_share(inputs.runs[x], known_arr) >= 0.5
            y_out = _outside_share(inputs.runs[y], known_arr) >= 0.5
            if x_out and not y_out:
                role, cmap = x, inf.category_map
            elif y_out and not x_out:
                back = infer_category_map_between(inputs.runs[y], inputs.runs[x], **kwargs)
                if back.differs:
                    inf, role, cmap = back, y, back.category_map
        run = inputs.runs[role.split(",")[0]]
        found.append(
            _finding(
                inf,
                role=role,
                file=",".join(inputs.file(r) for r in role.split(",")),
                count=_changed(run, inf.category_map),
                map_before=None,
                map_after=None,
                category_map=cmap,
            )
        )
    return found


__all__ = [
    "BLOCKING_EXPLAINED",
    "BLOCKING_RATIO",
    "CLASS_INDEX_SHARE",
    "CODES",
    "MIN_BOXES",
    "MIN_GAIN",
    "MIN_SHARE",
    "IdPair",
    "IdSpaceInference",
    "check_category_ids",
    "infer_category_map",
    "infer_category_map_between",
]
