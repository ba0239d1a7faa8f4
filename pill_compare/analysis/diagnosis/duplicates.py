"""``duplicate_detections``: the same detection written more than once.

Two kinds, counted apart:

* *exact*: rows equal in image, category, box and score (a file concatenated with itself, an
  export loop run twice). Every copy after the first counts.
* *near*: same image and category, IoU >= :data:`NEAR_IOU` with a row that scores higher (or the
  same, earlier in the file) — what a missing or broken NMS leaves. Exact copies are not counted
  again here.

Repeated rows are not ignored by COCO AP: each copy after the first is a false positive at the
same score, so they lower precision at every recall. With a ground truth the finding says what
removing them would change (``map_before`` / ``map_after``, both runs' real numbers); it is
blocking when that change is at least :data:`BLOCKING_MAP_CHANGE` (or, without a ground truth,
when they are :data:`BLOCKING_SHARE` of the rows), else a warning; under :data:`NOTABLE_SHARE`
of the rows, info (and the mAP change is not computed).
"""

from __future__ import annotations

import numpy as np

from pill_compare.analysis.diagnosis.finding import MAX_EVIDENCE, Finding
from pill_compare.analysis.diagnosis.scoring import coco_map
from pill_compare.core import Detections, iou_of_overlaps

#: Same image and class at this IoU or more: a near duplicate.
NEAR_IOU = 0.95
BLOCKING_MAP_CHANGE = 0.05
BLOCKING_SHARE = 0.25
#: Below this share of the rows, repeated rows are info (a few NMS leftovers), and what removing
#: them would change is not computed.
NOTABLE_SHARE = 0.01


def duplicate_rows(run: Detections) -> tuple[np.ndarray, np.ndarray]:
    """(exact, near): (N,) bool masks of the rows a deduplication would drop.

    ``exact``: a row equal (image, category, box, score) to an earlier row. ``near``: not exact,
    and same image and category at IoU >= :data:`NEAR_IOU` with a kept row scoring higher (ties:
    the earlier row wins). The IoU is pycocotools' (the operations of
    :func:`~pill_compare.analysis.boxes.overlapping_pairs`, bit for bit), computed only on the
    pairs a necessary condition of IoU >= :data:`NEAR_IOU` leaves (:func:`_near_pairs`).

    Cost: one sort of the rows by (image, category, x), then work in proportion to the rows and
    to the pairs of boxes of a class on an image whose left sides are within 5% of a width.
    """
    n = len(run)
    exact = np.zeros(n, dtype=bool)
    near = np.zeros(n, dtype=bool)
    if n < 2:
        return exact, near
    x, y, w, h = (np.ascontiguousarray(c) for c in run.bbox.T)
    group, group_bits = _group_key(run.image_id, run.category_id)
    cells = _XCells(x, bits=min(_CELL_BITS, 62 - group_bits))
    # One sort by (group, x cell), rows ascending within a key (stable): equal rows share a
    # key, and the boxes of a group come in x order (to the cell) for the near pass.
    key = group << cells.bits
    key |= cells(x)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    exact[_exact_copies(order, sorted_key, (run.score, h, w, y, x))] = True
    # The near pass looks at the rows that are no exact copy and have an area: a box with w <= 0
    # or h <= 0 (or NaN) overlaps nothing under pycocotools' test (its intersection is <= 0).
    live = None
    if not (w.min() > 0 and h.min() > 0) or exact.any():
        live = ((w > 0) & (h > 0) & ~exact)[order]
        order, sorted_key = order[live], sorted_key[live]
    first, second = _near_pairs(order, sorted_key, cells, (x, y, w, h))
    # Of a pair, the row ranked lower is dropped (the other scores higher, or the same and is
    # earlier); a pair with a NaN score has no order, as before.
    s1, s2 = run.score[first], run.score[second]
    first_above = (s1 > s2) | ((s1 == s2) & (first < second))
    second_above = (s2 > s1) | ((s2 == s1) & (second < first))
    ranked = np.flatnonzero(first_above | second_above)
    up = np.where(first_above, first, second)[ranked]
    down = np.where(first_above, second, first)[ranked]
    near[down[_overlap_at_least(run.bbox, up, down, NEAR_IOU)]] = True
    return exact, near


#: Bits of the x cell in the sort key (below the group's bits): 2**40 cells over the x range.
_CELL_BITS = 40
#: Rows sharing a sort key are compared pair by pair up to this many, else sorted.
_SHORT_RUN = 8
#: 1 - NEAR_IOU, the bound of _near_pairs, and 1% more: a margin for rounding (which moves
#: the IoU of the boxes _RANGE and _SPREAD admit by less than 1e-8).
_SLACK = 1.01 * (1 - NEAR_IOU)
#: Boxes whose sides lie in [2**-_RANGE, 2**_RANGE] and whose x (y) is within 2**_SPREAD sides
#: of 0: pycocotools' float64 operations on them stay within a few ulps of the real IoU, so
#: the bounds of _near_pairs hold. A group holding any other box has every pair looked at.
_RANGE = 400.0
_SPREAD = 20.0


def _group_key(image_id: np.ndarray, category_id: np.ndarray) -> tuple[np.ndarray, int]:
    """(N,) int64 >= 0, one value per (image, category), and the bits it needs (<= 22 for up
    to 2**22 rows)."""
    i0, c0 = int(image_id.min()), int(category_id.min())
    n_images, n_categories = int(image_id.max()) - i0 + 1, int(category_id.max()) - c0 + 1
    if n_images * n_categories < 2**22:  # the ids' offsets: no sort (e.g. 5,000 x 80 or 1..K)
        key = (image_id - i0) * n_categories
        key += category_id - c0
        return key, (n_images * n_categories - 1).bit_length()
    images, image_rank = np.unique(image_id, return_inverse=True)
    categories, category_rank = np.unique(category_id, return_inverse=True)
    key = image_rank.reshape(-1).astype(np.int64) * categories.size + category_rank.reshape(-1)
    if images.size * categories.size >= 2**22:  # many ids: rank the pairs that occur
        key = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return key, max(int(key.max()).bit_length(), 1)


class _XCells:
    """A non-decreasing map of x values onto ``2**bits`` integer cells over the x range.

    Non-decreasing is all the near pass needs: ``u >= x`` gives ``cell(u) >= cell(x)``, so
    boxes sorted by cell are sorted by x across cells. Finer cells only cut the candidates.
    """

    def __init__(self, x: np.ndarray, bits: int) -> None:
        self.bits = bits
        lo, hi = float(x.min()), float(x.max())
        if not (np.isfinite(lo) and np.isfinite(hi)):
            finite = x[np.isfinite(x)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        self.lo = lo
        self.scale = 2.0**bits / (hi - lo) if 0.0 < hi - lo < np.inf else 1.0
        self.top = float(2**bits - 1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN boxes: any cell
            v = x - self.lo
            v *= self.scale
        # fmax / fmin take NaN to 0 (a NaN box pairs with nothing: any cell); then the cast
        # truncates, which is the floor on [0, top].
        np.fmax(v, 0.0, out=v)
        np.fmin(v, self.top, out=v)
        return v.astype(np.int64)


def _exact_copies(order: np.ndarray, key: np.ndarray, columns: tuple) -> np.ndarray:
    """Rows equal to an earlier row in every column, given the rows sorted by a key equal rows
    share (``order``, rows ascending within a key; ``key`` sorted) and the columns that, with
    the key, make a row.

    Each run of rows sharing a key is compared pair by pair when it is short (a file repeated
    a few times: runs of 2 to 4), else sorted by every column."""
    tie = key[1:] == key[:-1]
    if not tie.any():
        return np.zeros(0, dtype=np.int64)
    shared = np.zeros(order.size, dtype=bool)
    shared[1:] = tie
    shared[:-1] |= tie
    rows, key = order[shared], key[shared]  # rows ascending within a key
    cols = [c[rows] for c in columns]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    sizes = np.diff(np.append(starts, rows.size))
    end = np.repeat(starts + sizes, sizes)  # position after each row's run
    copy = np.zeros(rows.size, dtype=bool)
    p = np.flatnonzero(np.repeat(sizes <= _SHORT_RUN, sizes))
    d = 1
    while p.size:
        p = p[p + d < end[p]]
        q = p + d
        same = np.ones(p.size, dtype=bool)
        for c in cols:
            same &= c[p] == c[q]
        copy[q[same]] = True  # q's row is later in the file than p's
        d += 1
    long_runs = np.flatnonzero(np.repeat(sizes > _SHORT_RUN, sizes))
    if long_runs.size:
        sub_cols = [c[long_runs] for c in cols] + [key[long_runs]]
        sub = np.lexsort(sub_cols)  # stable: equal rows stay in row order
        same = np.ones(long_runs.size - 1, dtype=bool)
        for c in sub_cols:
            c = c[sub]
            same &= c[1:] == c[:-1]
        copy[long_runs[sub][1:][same]] = True
    return rows[copy]  # every copy after the first, in file order


def _near_pairs(
    order: np.ndarray,
    key: np.ndarray,
    cells: _XCells,
    xywh: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows of the same group that may be at IoU >= t = :data:`NEAR_IOU`: a superset of
    those, each pair once.

    The bound: a pair's IoU is at most its IoU along x, ``iw / uw`` (intersection over union
    of the two x intervals: ``iw * ih / (a1 + a2 - iw * ih) <= iw / uw`` because ``ih`` is at
    most either height and ``uw + iw = w1 + w2``), and ``uw - iw = |x1 - x1'| + |x2 - x2'|``.
    So IoU >= t needs ``|x1 - x1'| + |x2 - x2'| <= (1 - t) * uw``, the same in y, and in
    particular ``x' - x <= (1 - t) * w`` for the box with the smaller x. Each row's scan takes
    the rows after it in its group up to cell(x + _SLACK * w) (cells are in x order), and
    keeps the pairs that meet both bounds (with _SLACK for 1 - t). A group
    holding a box outside the range where rounding is negligible (_RANGE, _SPREAD; also inf
    and NaN) has all its pairs kept.

    Args:
        order: (R,) the rows, sorted by ``key``.
        key: (R,) int64 (group << cells.bits) | cells(x), sorted.
        cells: The map of x onto cells ``key`` was made with.
        xywh: The run's (N,) box columns.
    """
    x, y, w, h = xywh
    sx, sw = x[order], w[order]  # in key order: p and q below are close there
    # The last key each row's scan looks at: its group's, with the cell of x + _SLACK * w.
    cell_mask = (1 << cells.bits) - 1
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN: their groups are loose
        reach = cells(sw * _SLACK + sx)
    reach |= key & ~cell_mask
    loose = _loose(order, key, cells.bits, xywh)
    if loose is not None:
        reach[loose] = key[loose] | cell_mask  # to the end of the group
    # Scan: the rows p whose row p + d is within reach, for d = 1, 2, ... (keys are sorted, so a
    # row out of reach ends its scan). The padding ends every scan at the last row.
    padded = np.append(key, np.iinfo(np.int64).max)
    p = np.flatnonzero(key[1:] <= reach[:-1])
    firsts, seconds = [], []
    d = 1
    while p.size:
        firsts.append(p)
        seconds.append(p + d)
        d += 1
        p = p[padded[p + d] <= reach[p]]
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    p, q = np.concatenate(firsts), np.concatenate(seconds)
    keep = np.zeros(p.size, dtype=bool) if loose is None else loose[p]
    with np.errstate(over="ignore", invalid="ignore"):  # loose groups: kept already
        # x first, then y on the few pairs left
        sx2 = sw + sx  # the far sides, as pycocotools computes them
        k = np.flatnonzero(_within(sx[p], sx2[p], sx[q], sx2[q]))
        pk, qk = order[p[k]], order[q[k]]
        k = k[_within(y[pk], h[pk] + y[pk], y[qk], h[qk] + y[qk])]
    keep[k] = True
    return order[p[keep]], order[q[keep]]


def _loose(
    order: np.ndarray, key: np.ndarray, cell_bits: int, xywh: tuple[np.ndarray, ...]
) -> np.ndarray | None:
    """(R,) bool: the rows (in ``order``) of a group holding a box outside the range where the
    bounds of :func:`_near_pairs` hold (see _RANGE and _SPREAD); None when there is none."""
    x, y, w, h = xywh
    small, large = 2.0**-_RANGE, 2.0**_RANGE
    # First over the whole run, without a temporary (the boxes of a results file pass).
    positive = True if w.min() > 0 and h.min() > 0 else (w > 0) & (h > 0)
    w_min, h_min = (float(np.min(c, where=positive, initial=np.inf)) for c in (w, h))
    w_max, h_max = (float(np.max(c, where=positive, initial=-np.inf)) for c in (w, h))
    x_far, y_far = (
        max(
            -float(np.min(c, where=positive, initial=0.0)),
            float(np.max(c, where=positive, initial=0.0)),
        )
        for c in (x, y)
    )
    if (
        small <= w_min
        and w_max <= large
        and small <= h_min
        and h_max <= large
        and x_far <= 2.0**_SPREAD * w_min
        and y_far <= 2.0**_SPREAD * h_min
    ):
        return None
    bx, by, bw, bh = x[order], y[order], w[order], h[order]
    sound = (bw >= small) & (bw <= large) & (bh >= small) & (bh <= large)
    with np.errstate(over="ignore"):  # a side of 1e308: not sound either way
        sound &= (np.abs(bx) <= 2.0**_SPREAD * bw) & (np.abs(by) <= 2.0**_SPREAD * bh)
    if sound.all():
        return None
    group = key >> cell_bits
    new_group = np.ones(group.size, dtype=bool)
    new_group[1:] = group[1:] != group[:-1]
    group_index = np.cumsum(new_group) - 1
    unsound = np.zeros(int(group_index[-1]) + 1, dtype=bool)
    unsound[group_index[~sound]] = True
    return unsound[group_index]


def _within(a1: np.ndarray, a2: np.ndarray, b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """Intervals [a1, a2] and [b1, b2] whose ends are apart by at most _SLACK of their union."""
    apart = np.abs(a1 - b1) + np.abs(a2 - b2)
    return apart <= _SLACK * (np.maximum(a2, b2) - np.minimum(a1, b1))


def _overlap_at_least(bbox: np.ndarray, up: np.ndarray, down: np.ndarray, t: float) -> np.ndarray:
    """Boolean mask: pair ``(up[k], down[k])`` overlaps (positive width and height) at IoU >= t,
    with ``up`` as the left boxes of pycocotools' bbox IoU (the operations and order of
    :func:`~pill_compare.analysis.boxes.overlapping_pairs`, so the IoU is bit-identical)."""
    lx, ly, lw, lh = (bbox[up, i] for i in range(4))
    rx, ry, rw, rh = (bbox[down, i] for i in range(4))
    with np.errstate(all="ignore"):  # inf boxes: NaN, then no overlap
        iw = np.minimum(lw + lx, rw + rx) - np.maximum(lx, rx)
        ih = np.minimum(lh + ly, rh + ry) - np.maximum(ly, ry)
        out = (iw > 0) & (ih > 0)
        k = np.flatnonzero(out)
        iou = iou_of_overlaps(iw[k] * ih[k], lw[k] * lh[k], rw[k] * rh[k])
    out[k] = iou >= t
    return out


def check_duplicates(inputs) -> list[Finding]:
    """``duplicate_detections``: see the module docstring."""
    out = []
    for role, run in inputs.runs.items():
        exact, near = duplicate_rows(run)
        n_exact, n_near = int(exact.sum()), int(near.sum())
        if n_exact + n_near == 0:
            continue
        drop = exact | near
        params: dict[str, object] = {
            "detections": len(run),
            "exact": n_exact,
            "near": n_near,
            "near_iou": NEAR_IOU,
            "share": (n_exact + n_near) / len(run),
        }
        per_image = np.unique(run.image_id[exact], return_counts=True)[1] if n_exact else []
        params["most_per_image"] = int(max(per_image, default=0))
        blocking = params["share"] >= BLOCKING_SHARE
        severity = "blocking" if blocking else "warning"
        if params["share"] < NOTABLE_SHARE:
            severity = "info"  # a few NMS leftovers: worth knowing, not worth two evaluations
        elif inputs.gt is not None:
            before, after = coco_map(inputs.gt, run), coco_map(inputs.gt, run.select(~drop))
            params["map_before"], params["map_after"] = before, after
            if before is not None and after is not None:
                blocking = abs(after - before) >= BLOCKING_MAP_CHANGE
                severity = "blocking" if blocking else "warning"
        rows = np.flatnonzero(drop)[:MAX_EVIDENCE]
        out.append(
            Finding(
                code="duplicate_detections",
                severity=severity,
                role=role,
                file=inputs.file(role),
                count=n_exact + n_near,
                params=params,
                evidence=tuple(
                    {
                        "row": int(i),
                        "image_id": int(run.image_id[i]),
                        "category_id": int(run.category_id[i]),
                        "bbox": [float(v) for v in run.bbox[i]],
                        "score": float(run.score[i]),
                        "kind": "exact" if exact[i] else "near",
                    }
                    for i in rows
                ),
                fix="deduplicate",
            )
        )
    return out
