"""Greedy one-to-one assignment by descending score: the one greedy pass every matching uses.

The rule (pycocotools ``COCOeval.evaluateImg``'s, made reusable):

* Input: candidate pairs (left row, right row, IoU), e.g. (detection, GT box) or (A's box,
  B's box), and a *group* per left row (an image, or an (image, category)); pairs never cross
  groups.
* Within each group, left rows are visited by descending score; equal scores keep row (file)
  order, as pycocotools' stable mergesort does.
* A visiting left row takes, among the right rows still free with IoU >= min(t, 1 − 1e-10)
  (pycocotools' cap, so that t = 1 still matches a perfect box), the one with the highest IoU;
  on an IoU tie the *later* right row (pycocotools scans GTs with ``>=``). Optional refinements:
  *fallback* right rows (pycocotools' ignored GTs) are taken only when no other right row
  qualifies; *reusable* right rows (crowd regions) are never used up.
* *Mutual* mode, for pairing two sets of boxes symmetrically: left and right rows are the same
  nodes (e.g. A's and B's boxes stacked), a node already taken as a partner no longer visits,
  and a pairing uses up both nodes.

Vectorized over every group at once: step *s* handles the *s*-th visited left row of every group
(groups never share a right row, so they cannot conflict), for every set of fallback flags and
every IoU threshold together. The Python loop runs once per step (the largest number of
candidate left rows in one group), not once per row. Groups whose pairs all lead to one right
row (at COCO scale most (image, category) groups: one GT box) skip the loop: at each threshold
that row goes to the first visitor reaching it (every visitor, when reusable), the same for
every set of fallback flags.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

#: pycocotools caps IoU thresholds at 1 - 1e-10 so that t = 1.0 can still match a perfect box.
IOU_CAP = 1 - 1e-10


class GreedyPairs(NamedTuple):
    """A one-to-one assignment at one IoU threshold.

    Attributes:
        left: (N_left,) int64 right row each left row took, -1 when none.
        right: (N_right,) int64 left row that took each right row, -1 when none (for a
            reusable right row: the last left row it took).
    """

    left: np.ndarray
    right: np.ndarray


class Matches(NamedTuple):
    """Every assignment of a greedy pass as a list: entry i says that, under fallback variant
    ``variant[i]`` and threshold ``threshold[i]``, left row ``left[i]`` took right row
    ``right[i]``. Entries come step by step (a reusable right row's later takers come later);
    each (variant, threshold, left row) appears at most once.

    Attributes:
        variant: (M,) int16 index into the fallback variants (pycocotools: the area ranges);
            int64 when there are 2^15 or more variants or thresholds.
        threshold: (M,) int16 (or int64, as ``variant``) index into the thresholds.
        left: (M,) int32 left row.
        right: (M,) int32 right row.
    """

    variant: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray

    @classmethod
    def empty(cls) -> Matches:
        return cls(
            np.zeros(0, np.int16),
            np.zeros(0, np.int16),
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
        )

    def dense(self, n_variants: int, n_thresholds: int, n_left: int) -> np.ndarray:
        """(A, T, N_left) int32: the right row each left row took, -1 when none."""
        out = np.full((n_variants, n_thresholds, n_left), -1, dtype=np.int32)
        out[self.variant, self.threshold, self.left] = self.right
        return out

    def at(self, variant: int, threshold: int, n_left: int) -> np.ndarray:
        """(N_left,) int32: the right row each left row took under one variant and threshold."""
        out = np.full(n_left, -1, dtype=np.int32)
        hit = (self.variant == variant) & (self.threshold == threshold)
        out[self.left[hit]] = self.right[hit]
        return out


def groups_and_ranks(order: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group id and rank within the group of each row.

    Args:
        order: (N,) row order sorted by (keys..., visiting priority).
        keys: (N,) arrays defining the groups.

    Returns:
        ``(group, rank)``: (N,) int64 dense group ids (in sorted key order) and 0-based ranks.
    """
    n = order.size
    group = np.zeros(n, dtype=np.int64)
    rank = np.zeros(n, dtype=np.int64)
    if n == 0:
        return group, rank
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for k in keys:
        ks = k[order]
        new[1:] |= ks[1:] != ks[:-1]
    starts = np.flatnonzero(new)
    lengths = np.diff(np.r_[starts, n])
    group[order] = np.repeat(np.arange(starts.size), lengths)
    rank[order] = np.arange(n) - np.repeat(starts, lengths)
    return group, rank


def score_ranks(score: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group of each row (by ``keys``) and its rank there by descending score, ties in row order.

    Args:
        score: (N,) float64 scores.
        keys: (N,) arrays defining the groups (e.g. ``image_id``, then ``category_id``).

    Returns:
        ``(group, rank)`` as :func:`groups_and_ranks` gives them (rank 0 = highest score).
    """
    order = np.lexsort((-score, *reversed(keys)))  # stable: ties keep row order
    return groups_and_ranks(order, *keys)


def greedy_pairs(
    pair_left: np.ndarray,
    pair_right: np.ndarray,
    pair_iou: np.ndarray,
    *,
    left_score: np.ndarray,
    left_group: np.ndarray,
    n_right: int,
    iou_threshold: float,
    right_fallback: np.ndarray | None = None,
    right_reusable: np.ndarray | None = None,
    mutual: bool = False,
) -> GreedyPairs:
    """Greedy one-to-one assignment at one IoU threshold (the rule is in the module docstring).

    Args:
        pair_left: (P,) int left row of each candidate pair.
        pair_right: (P,) int right row of each candidate pair.
        pair_iou: (P,) float64 IoU of each pair; pairs below ``iou_threshold`` never match.
        left_score: (N_left,) float64 visiting priority (descending; ties in row order).
        left_group: (N_left,) int group of each left row (e.g. its image id); every pair joins
            rows of one group.
        n_right: Number of right rows.
        iou_threshold: t in (0, 1]; a pair qualifies when IoU >= min(t, 1 − 1e-10).
        right_fallback: (N_right,) bool, right rows taken only when no other one qualifies.
        right_reusable: (N_right,) bool, right rows never used up.
        mutual: Left and right rows are the same nodes (``n_right == N_left``; list each pair
            in both directions); a node taken as a partner no longer visits.

    Returns:
        The :class:`GreedyPairs`; in mutual mode ``left`` and ``right`` are the same partner
        array.

    Raises:
        ValueError: arrays of mismatched lengths, rows out of range, a threshold outside
            (0, 1], or (mutual) a pair joining two groups.

    Example:
        Left 0 (score 0.9) and left 1 (0.8) both overlap right 0 (IoU 0.7 and 0.9); only left 0
        also overlaps right 1 (IoU 0.6). Left 0 visits first and takes right 0 (its higher IoU),
        so left 1 gets nothing:

        >>> g = greedy_pairs(np.array([0, 0, 1]), np.array([0, 1, 0]),
        ...                  np.array([0.7, 0.6, 0.9]), left_score=np.array([0.9, 0.8]),
        ...                  left_group=np.zeros(2), n_right=2, iou_threshold=0.5)
        >>> g.left.tolist(), g.right.tolist()
        ([0, -1], [0, -1])
    """
    left_score = np.asarray(left_score, dtype=np.float64)
    left_group = np.asarray(left_group)
    n_left = left_score.size
    if left_score.ndim != 1 or left_group.shape != (n_left,):
        raise ValueError(
            f"Expected left_score and left_group of shape (N_left,), got {left_score.shape} and "
            f"{left_group.shape}"
        )
    if not 0 < iou_threshold <= 1:
        raise ValueError(f"Expected iou_threshold in (0, 1], got {iou_threshold}")
    flags = [
        (name, np.zeros(n_right, dtype=bool) if v is None else np.asarray(v, dtype=bool))
        for name, v in (("right_fallback", right_fallback), ("right_reusable", right_reusable))
    ]
    for name, v in flags:
        if v.shape != (n_right,):
            raise ValueError(f"Expected {name} of shape ({n_right},), got {v.shape}")
    pair_left, pair_right, pair_iou = _checked_pairs(
        pair_left, pair_right, pair_iou, n_left, n_right
    )
    if mutual:
        if n_right != n_left:
            raise ValueError(f"Expected n_right == {n_left} in mutual mode, got {n_right}")
        if np.any(left_group[pair_left] != left_group[pair_right]):
            raise ValueError(
                "Expected every pair to join rows of one group, got pairs across groups"
            )
    group, rank = score_ranks(left_score, left_group)
    left, right = greedy_assign(
        pair_left,
        pair_right,
        pair_iou,
        n_left=n_left,
        n_right=n_right,
        left_group=group,
        left_rank=rank,
        thresholds=np.array([float(iou_threshold)]),
        right_fallback=flags[0][1][None, :],
        right_reusable=flags[1][1],
        mutual=mutual,
    )
    return GreedyPairs(left[0, 0].astype(np.int64), right[0, 0].astype(np.int64))


def _checked_pairs(
    pair_left: np.ndarray, pair_right: np.ndarray, pair_iou: np.ndarray, n_left: int, n_right: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pl = np.asarray(pair_left, dtype=np.int64).reshape(-1)
    pr = np.asarray(pair_right, dtype=np.int64).reshape(-1)
    pi = np.asarray(pair_iou, dtype=np.float64).reshape(-1)
    if not pl.size == pr.size == pi.size:
        raise ValueError(
            f"Expected pair_left, pair_right and pair_iou of one length, got {pl.size}, "
            f"{pr.size} and {pi.size}"
        )
    for name, rows, n in (("pair_left", pl, n_left), ("pair_right", pr, n_right)):
        if rows.size and (rows.min() < 0 or rows.max() >= n):
            raise ValueError(f"Expected {name} rows in [0, {n}), got {rows.min()}..{rows.max()}")
    return pl, pr, pi


def _one_right_groups(
    pair_left: np.ndarray, pair_right: np.ndarray, left_group: np.ndarray, n_right: int
) -> np.ndarray:
    """(P,) bool: the pair's group has one right row among all its pairs."""
    group = left_group[pair_left]
    right_group = np.full(n_right, -1, dtype=np.int64)
    right_group[pair_right] = group  # a right row is in one group only
    counted = right_group[right_group >= 0]
    if group.min() >= 0 and group.max() <= 4 * (left_group.size + 1):  # dense ids: count
        return np.bincount(counted, minlength=int(group.max()) + 1)[group] == 1
    ids, rights = np.unique(counted, return_counts=True)
    return rights[np.searchsorted(ids, group)] == 1


def _assign_one_right(
    pair_left: np.ndarray,
    pair_right: np.ndarray,
    pair_iou: np.ndarray,
    left_group: np.ndarray,
    left_rank: np.ndarray,
    thresholds: np.ndarray,
    right_reusable: np.ndarray,
    n_var: int,
    gt_det: np.ndarray,
    out: list[tuple[np.ndarray, ...]] | np.ndarray,
    index: type,
) -> None:
    """The greedy pass for groups whose pairs share one right row (see greedy_assign).

    Visiting order is (group, rank); at threshold t the right row goes to the first left row
    with IoU >= min(t, 1 - 1e-10), or to each of them when reusable (``gt_det`` then keeps the
    last). With one candidate the fallback flags change nothing, so every variant gets the same
    assignment. ``out`` is ``found`` (the list of Matches parts) or the dense ``left_right``.
    """
    order = np.lexsort((left_rank[pair_left], left_group[pair_left]))
    left, right, iou = pair_left[order], pair_right[order], pair_iou[order]
    t_i, j = np.nonzero(pair_iou_at_least(iou, thresholds))  # by threshold, then visiting order
    reusable = right_reusable[right[j]]
    # Non-reusable: the first eligible visitor of each (threshold, group) only.
    g = left_group[left[j]]
    first = np.r_[True, (t_i[1:] != t_i[:-1]) | (g[1:] != g[:-1])]
    take = first | reusable
    t_i, j, g = t_i[take], j[take], g[take]
    rows, won = left[j], right[j]
    # gt_det: the last taker of each (threshold, group), so no index repeats in one assignment.
    last = np.flatnonzero(np.r_[(t_i[1:] != t_i[:-1]) | (g[1:] != g[:-1]), True])
    for a in range(n_var):
        a_i = np.full(rows.size, a, dtype=np.int64)
        if isinstance(out, list):
            out.append(
                (a_i.astype(index), t_i.astype(index), rows.astype(np.int32), won.astype(np.int32))
            )
        else:
            out[a, t_i, rows] = won
        gt_det[a, t_i[last], won[last]] = rows[last]


def pair_iou_at_least(iou: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(T, P) bool: IoU >= min(t, 1 - 1e-10) (pycocotools' test) for each threshold t."""
    return iou[None, :] >= np.minimum(thresholds, IOU_CAP)[:, None]


def greedy_assign(
    pair_left: np.ndarray,
    pair_right: np.ndarray,
    pair_iou: np.ndarray,
    *,
    n_left: int,
    n_right: int,
    left_group: np.ndarray,
    left_rank: np.ndarray,
    thresholds: np.ndarray,
    right_fallback: np.ndarray,
    right_reusable: np.ndarray,
    mutual: bool = False,
    as_list: bool = False,
) -> tuple[np.ndarray | Matches, np.ndarray]:
    """The greedy pass for every set of fallback flags and every threshold at once.

    :func:`greedy_pairs` is the checked, single-threshold entry point; this is the engine
    (pycocotools' matching runs it once for all area ranges and IoU thresholds).

    Args:
        pair_left, pair_right, pair_iou: (P,) candidate pairs (one group each); any order.
        n_left / n_right: Numbers of left and right rows.
        left_group: (N_left,) int64 group id; pairs never cross groups.
        left_rank: (N_left,) int64 visiting order within the group (0 first, unique per group).
        thresholds: (T,) IoU thresholds (capped at 1 − 1e-10 here).
        right_fallback: (A, N_right) bool, one set of fallback flags per variant (pycocotools:
            the GTs ignored under each area range).
        right_reusable: (N_right,) bool; reusable right rows stay free after a match.
        mutual: Left and right rows are the same nodes (see the module docstring).
        as_list: Return ``left_right`` as :class:`Matches` (a list of the assignments) instead
            of a dense array: at COCO scale (A, T, N_left) int32 is 72 MB of mostly -1, while
            the list holds a few per GT box. Not with ``mutual``.

    Returns:
        ``left_right`` (A, T, N_left) int32 (or :class:`Matches`) and ``right_left``
        (A, T, N_right) int32, -1 for no match.
    """
    if as_list and mutual:
        raise ValueError("Expected as_list=False in mutual mode")
    n_var, n_thr = right_fallback.shape[0], thresholds.size
    found: list[tuple[np.ndarray, ...]] = []
    index = np.int16 if max(n_var, n_thr) < 2**15 else np.int64  # variant, threshold
    det_gt = None if as_list else np.full((n_var, n_thr, n_left), -1, dtype=np.int32)
    gt_det = np.full((n_var, n_thr, n_right), -1, dtype=np.int32)

    def result() -> tuple[np.ndarray | Matches, np.ndarray]:
        if det_gt is not None:
            return det_gt, gt_det
        if not found:
            return Matches.empty(), gt_det
        return Matches(*(np.concatenate(parts) for parts in zip(*found, strict=True))), gt_det

    if pair_left.size == 0 or n_var == 0 or n_thr == 0:
        return result()
    # A pair below the lowest threshold qualifies at none: dropping it changes no assignment
    # (a left row left without pairs visits without effect, and the visiting order of the
    # others is kept) and shrinks the work: most overlapping pairs have a low IoU (at COCO
    # scale 799k pairs of any class, 229k of them at IoU >= 0.5).
    usable = pair_iou >= min(float(thresholds.min()), IOU_CAP)
    if not usable.all():
        keep = np.flatnonzero(usable)
        pair_left, pair_right, pair_iou = pair_left[keep], pair_right[keep], pair_iou[keep]
        if pair_left.size == 0:
            return result()
    if np.any(pair_left[1:] < pair_left[:-1]):
        by_left = np.argsort(pair_left, kind="stable")
        pair_left, pair_right, pair_iou = pair_left[by_left], pair_right[by_left], pair_iou[by_left]
    if not mutual:
        # Groups whose pairs all have one right row (most (image, category) groups hold one GT
        # box) need no step loop: at each threshold that row goes to the first visitor
        # reaching it, or to every one when it is reusable, whatever the fallback flags.
        one = _one_right_groups(pair_left, pair_right, left_group, n_right)
        if one.any():
            _assign_one_right(
                pair_left[one],
                pair_right[one],
                pair_iou[one],
                left_group,
                left_rank,
                thresholds,
                right_reusable,
                n_var,
                gt_det,
                found if det_gt is None else det_gt,
                index,
            )
            many = np.flatnonzero(~one)
            pair_left, pair_right, pair_iou = pair_left[many], pair_right[many], pair_iou[many]
            if pair_left.size == 0:
                return result()

    # Step of each candidate left row: its position among its group's candidate left rows.
    cand = pair_left[np.r_[True, pair_left[1:] != pair_left[:-1]]]  # pairs are sorted by left
    cand_order = np.lexsort((left_rank[cand], left_group[cand]))
    step = np.zeros(n_left, dtype=np.int64)
    step[cand[cand_order]] = groups_and_ranks(np.arange(cand.size), left_group[cand[cand_order]])[1]

    # Preference among a left row's candidates as one int64 (larger is better):
    # non-fallback first, then higher IoU, then the later right row (pycocotools' `>=` scan).
    uniq_iou, iou_rank = np.unique(pair_iou, return_inverse=True)
    iou_rank = iou_rank.reshape(-1).astype(np.int64)
    n_u = np.int64(uniq_iou.size)
    pref = ((~right_fallback[:, pair_right]).astype(np.int64) * n_u + iou_rank) * np.int64(
        n_right
    ) + pair_right  # (A, P)
    # iou >= min(t, 1 - 1e-10)  <=>  iou_rank >= first rank at or above the threshold.
    min_rank = np.searchsorted(uniq_iou, np.minimum(thresholds, IOU_CAP), side="left")

    by_step = np.argsort(step[pair_left], kind="stable")  # keeps left order inside a step
    p_det, p_gt, p_rank, p_pref = (
        pair_left[by_step],
        pair_right[by_step],
        iou_rank[by_step],
        pref[:, by_step],
    )
    bounds = np.flatnonzero(np.diff(step[p_det])) + 1
    bounds = np.r_[0, bounds, p_det.size]

    available = np.ones((n_var, n_thr, n_right), dtype=bool)
    for lo, hi in itertools.pairwise(bounds):
        d = p_det[lo:hi]
        gg = p_gt[lo:hi]
        seg = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
        eligible = (p_rank[lo:hi] >= min_rank[:, None])[None, :, :] & available[:, :, gg]
        if mutual:  # a node already taken as a partner does not visit
            eligible &= available[:, :, d]
        scored = np.where(eligible, p_pref[:, None, lo:hi], -1)
        best = np.maximum.reduceat(scored, seg, axis=2)  # (A, T, n_step)
        a_i, t_i, j_i = np.nonzero(best >= 0)
        if a_i.size == 0:
            continue
        won = best[a_i, t_i, j_i] % n_right
        det_rows = d[seg][j_i]
        if det_gt is None:
            found.append(
                (
                    a_i.astype(index),
                    t_i.astype(index),
                    det_rows.astype(np.int32),
                    won.astype(np.int32),
                )
            )
        else:
            det_gt[a_i, t_i, det_rows] = won
        gt_det[a_i, t_i, won] = det_rows
        if mutual:
            det_gt[a_i, t_i, won] = det_rows
            gt_det[a_i, t_i, det_rows] = won
            available[a_i, t_i, det_rows] = False
        used = ~right_reusable[won]
        available[a_i[used], t_i[used], won[used]] = False
    return result()
