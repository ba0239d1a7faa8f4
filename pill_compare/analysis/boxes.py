"""Box geometry shared by every matching: pycocotools' bbox IoU and same-image overlap pairs.

Three passes need "every pair of boxes of one image that overlap, with its IoU": the COCO
matching (detections x GT boxes, crowd regions included), TIDE's error types (false positives
x countable GT boxes) and the cross-model pairing (A's boxes x B's boxes). They all call
:func:`overlapping_pairs`, so the IoU values, the pair order and the memory bound are the same
everywhere. The IoU is pycocotools' ``bbIou`` (``pycocotools/common/maskApi.c``): the same
float64 operations in the same order, so the values are bit-identical to ``maskUtils.iou``. Its
formula lives in :mod:`pill_compare.core` (:func:`~pill_compare.core.box_iou_pairs`,
:func:`~pill_compare.core.iou_of_overlaps`), the lowest layer, so that prep's checks use the
same one; it is re-exported here.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import numpy as np

from pill_compare.core import box_iou_pairs, iou_of_overlaps
from pill_compare.parallel import run_parallel

__all__ = ["PAIR_BLOCK", "BoxPairs", "box_iou_pairs", "overlapping_pairs"]

#: Candidate (left, right) pairs built per block by :func:`overlapping_pairs`: bounds the
#: memory of the pair enumeration (a block's arrays take about 100 bytes per candidate).
PAIR_BLOCK = 500_000
#: From this many blocks of candidates on, :func:`overlapping_pairs` splits the work between
#: two threads (:func:`~pill_compare.parallel.run_parallel`).
PARALLEL_BLOCKS = 2


class BoxPairs(NamedTuple):
    """Pairs of boxes as three aligned arrays (P pairs).

    Attributes:
        left: (P,) int64 rows into the left boxes.
        right: (P,) int64 rows into the right boxes.
        iou: (P,) float64 IoU of each pair (pycocotools' bbox IoU).
    """

    left: np.ndarray
    right: np.ndarray
    iou: np.ndarray


def overlapping_pairs(
    left_image: np.ndarray,
    left_xywh: np.ndarray,
    right_image: np.ndarray,
    right_xywh: np.ndarray,
    *,
    right_iscrowd: np.ndarray | None = None,
    min_iou: float = 0.0,
    block: int = PAIR_BLOCK,
) -> BoxPairs:
    """Every (left box, right box) pair of one image that overlaps, with its IoU.

    A pair is kept when both boxes have the same image id, their intersection has positive
    width and height (pycocotools' overlap test) and their IoU is >= ``min_iou``. The IoU is
    :func:`box_iou_pairs`' (bit for bit), computed only for pairs that overlap along x and then
    y. Candidates are enumerated in blocks of about ``block`` (image-mates of consecutive left
    rows; a left row with more image-mates than ``block`` gets a block of its own), which
    bounds the memory whatever the number of boxes; the result does not depend on ``block``.

    Args:
        left_image: (N,) int image id of each left box (e.g. detections).
        left_xywh: (N, 4) float64 left boxes, xywh.
        right_image: (M,) int image id of each right box (e.g. GT boxes, or another run's).
        right_xywh: (M, 4) float64 right boxes, xywh.
        right_iscrowd: (M,) bool: crowd regions, whose IoU denominator is the left box's area
            (pycocotools); None: no crowd region.
        min_iou: Pairs with a lower IoU are dropped, in [0, 1]; 0 keeps every overlapping pair
            (then the IoU is > 0, unless w*h underflows).
        block: Candidate pairs per block, >= 1.

    Returns:
        :class:`BoxPairs` ``(left, right, iou)``: (P,) int64 rows into the left and right
        arrays and the float64 IoU, sorted by left row, then right row.

    Raises:
        ValueError: arrays of the wrong shape or of different lengths, ``min_iou`` outside
            [0, 1], or ``block`` < 1.

    Example:
        >>> pairs = overlapping_pairs(dets.image_id, dets.bbox, ann.image_id, ann.bbox,
        ...                           right_iscrowd=ann.iscrowd)  # doctest: +SKIP
        >>> pairs.left, pairs.right, pairs.iou  # detection row, GT row, IoU
    """
    left_image, left_xywh = _check_side("left", left_image, left_xywh)
    right_image, right_xywh = _check_side("right", right_image, right_xywh)
    if right_iscrowd is not None:
        right_iscrowd = np.asarray(right_iscrowd, dtype=bool)
        if right_iscrowd.shape != right_image.shape:
            raise ValueError(
                f"Expected right_iscrowd of shape {right_image.shape}, got {right_iscrowd.shape}"
            )
    if not 0.0 <= min_iou <= 1.0:  # also refuses NaN
        raise ValueError(f"Expected min_iou in [0, 1], got {min_iou}")
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or block < 1:
        raise ValueError(f"Expected block to be an integer >= 1, got {block!r}")

    # Right boxes sorted by image (stable: right rows ascending within an image), so the
    # image-mates of a left row are one slice [start, start + count) of the sorted columns.
    right_order = np.argsort(right_image, kind="stable")
    sorted_image = right_image[right_order]
    start = np.searchsorted(sorted_image, left_image, side="left")
    count = np.searchsorted(sorted_image, left_image, side="right") - start
    cum = np.cumsum(count)
    lx, ly, lw, lh = (np.ascontiguousarray(c) for c in left_xywh.T)
    rx, ry, rw, rh = (np.ascontiguousarray(c[right_order]) for c in right_xywh.T)
    # The terms of bbIou, computed once per box (box_iou_pairs' operations, so bit-identical).
    lx2, ly2, rx2, ry2 = lw + lx, lh + ly, rw + rx, rh + ry
    l_area, r_area = lw * lh, rw * rh
    crowd = None if right_iscrowd is None else right_iscrowd[right_order]

    def rows(lo: int, end: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The pairs of left rows [lo, end), block by block."""
        parts = []
        while lo < end:
            base = cum[lo - 1] if lo else 0
            hi = min(max(int(np.searchsorted(cum, base + block, side="right")), lo + 1), end)
            c = count[lo:hi]
            total = int(c.sum())
            if total:
                # Candidates in left-row order; pos = position among the sorted right boxes.
                pos = np.repeat(start[lo:hi] - (np.cumsum(c) - c), c) + np.arange(total)
                # x, then y: most candidates fail the x test, so y is computed on the
                # survivors. A left box's own terms are repeated (cheaper than gathered);
                # index arrays from flatnonzero are cheaper than boolean masks applied to
                # several arrays.
                w = np.minimum(np.repeat(lx2[lo:hi], c), rx2[pos])
                w -= np.maximum(np.repeat(lx[lo:hi], c), rx[pos])
                keep = np.flatnonzero(w > 0)
                left, pos, w = np.repeat(np.arange(lo, hi), c)[keep], pos[keep], w[keep]
                h = np.minimum(ly2[left], ry2[pos]) - np.maximum(ly[left], ry[pos])
                keep = np.flatnonzero(h > 0)
                left, pos, inter = left[keep], pos[keep], w[keep] * h[keep]
                iou = iou_of_overlaps(
                    inter, l_area[left], r_area[pos], None if crowd is None else crowd[pos]
                )
                if min_iou > 0:
                    keep = np.flatnonzero(iou >= min_iou)
                    left, pos, iou = left[keep], pos[keep], iou[keep]
                parts.append((left, right_order[pos], iou))
            lo = hi
        return parts

    # Two threads, each on a run of left rows with half the candidates (numpy lets go of the
    # interpreter lock in these array steps: warm, medians of 8, 0.102 -> 0.077 s at 450k
    # detections, 0.294 -> 0.248 s at 1.8M), when there are PARALLEL_BLOCKS blocks of
    # candidates or more; the pairs come out in the same order.
    n = left_image.size
    total = int(cum[-1]) if n else 0
    if total >= PARALLEL_BLOCKS * block:
        mid = int(np.searchsorted(cum, total // 2, side="right"))
        halves = run_parallel(partial(rows, 0, mid), partial(rows, mid, n))
        parts = halves[0] + halves[1]
    else:
        parts = rows(0, n)
    if not parts:
        return BoxPairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
    left, right, iou = (np.concatenate(x) for x in zip(*parts, strict=True))
    return BoxPairs(left.astype(np.int64, copy=False), right.astype(np.int64, copy=False), iou)


def _check_side(side: str, image: np.ndarray, xywh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N,) image ids and (N, 4) float64 boxes, or ValueError naming ``side``."""
    image = np.asarray(image)
    xywh = np.asarray(xywh, dtype=np.float64)
    if image.ndim != 1:
        raise ValueError(f"Expected {side}_image of shape (N,), got {image.shape}")
    if xywh.shape != (image.size, 4):
        raise ValueError(
            f"Expected {side}_xywh of shape ({image.size}, 4) to match {side}_image, "
            f"got {xywh.shape}"
        )
    return image, xywh
