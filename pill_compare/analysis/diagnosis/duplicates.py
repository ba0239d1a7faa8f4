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

from pill_compare.analysis.boxes import overlapping_pairs
from pill_compare.analysis.diagnosis.finding import MAX_EVIDENCE, Finding
from pill_compare.analysis.diagnosis.scoring import coco_map
from pill_compare.core import Detections

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
    the earlier row wins).
    """
    n = len(run)
    exact = np.zeros(n, dtype=bool)
    near = np.zeros(n, dtype=bool)
    if n < 2:
        return exact, near
    # Equal rows share (image, category, score): sort by those three (ties in file order) and
    # look closer only inside the runs of rows that share them, by every column there.
    keys = (run.score, run.category_id, run.image_id)
    order = np.lexsort(keys)
    tie = np.ones(n - 1, dtype=bool)
    for col in keys:
        tie &= col[order][1:] == col[order][:-1]
    if tie.any():
        candidates = np.unique(np.concatenate([order[1:][tie], order[:-1][tie]]))
        columns = (
            run.score[candidates],
            *run.bbox[candidates].T[::-1],
            *(k[candidates] for k in keys[1:]),
        )
        sub = np.lexsort((candidates, *columns))  # ties in file order
        same = np.ones(candidates.size - 1, dtype=bool)
        for col in columns:
            same &= col[sub][1:] == col[sub][:-1]
        exact[candidates[sub][1:][same]] = True  # every copy after the first (in file order)
    kept = np.flatnonzero(~exact)
    # One group per (image, category), so pairs never cross classes.
    by_group = np.lexsort((run.category_id[kept], run.image_id[kept]))
    first = np.ones(kept.size, dtype=bool)
    first[1:] = (np.diff(run.image_id[kept][by_group]) != 0) | (
        np.diff(run.category_id[kept][by_group]) != 0
    )
    group = np.empty(kept.size, dtype=np.int64)
    group[by_group] = np.cumsum(first) - 1
    pairs = overlapping_pairs(group, run.bbox[kept], group, run.bbox[kept], min_iou=NEAR_IOU)
    left, right = kept[pairs.left], kept[pairs.right]
    same = (run.image_id[left] == run.image_id[right]) & (
        run.category_id[left] == run.category_id[right]
    )
    left, right = left[same], right[same]
    # The right row is dropped when the left one ranks above it (higher score, or equal and earlier).
    above = (run.score[left] > run.score[right]) | (
        (run.score[left] == run.score[right]) & (left < right)
    )
    near[right[above]] = True
    return exact, near


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
