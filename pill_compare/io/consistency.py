"""Checks across a file's records and across files: legal but suspicious input, unknown ids.

Errors (:class:`~pill_compare.errors.ConsistencyError`) are for contradictions that make any
comparison wrong; warnings (returned as strings) are for input that is legal but probably a mistake.
"""

from __future__ import annotations

import numpy as np

from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import ConsistencyError

#: Below this many detections the xyxy heuristic says nothing (too little evidence).
_XYXY_MIN_BOXES = 5


def suspicious_results(dets: Detections) -> list[str]:
    """Warnings about one detections file on its own.

    Flags: no detections; all scores equal (ranking metrics then depend on file order);
    scores outside [0, 1]; boxes that look like ``[x1, y1, x2, y2]`` rather than ``[x, y, w, h]``
    (every box has w > x and h > y, which xywh boxes away from the top-left corner rarely do).
    """
    src = dets.source or dets.name
    n = len(dets)
    if n == 0:
        return [f"{src}: no detections at all"]
    out = []
    if n > 1 and np.all(dets.score == dets.score[0]):
        out.append(
            f"{src}: all {n} scores are equal ({dets.score[0]:g}); AP then depends on file order"
        )
    outside = (dets.score < 0) | (dets.score > 1)
    if outside.any():
        out.append(
            f"{src}: {int(outside.sum())} score(s) outside [0, 1] "
            f"(min {dets.score.min():g}, max {dets.score.max():g}); are these logits?"
        )
    x, y, w, h = dets.bbox.T
    if n >= _XYXY_MIN_BOXES and np.all(w > x) and np.all(h > y) and np.median(x) > 0:
        out.append(
            f"{src}: every box has w > x and h > y: the boxes look like [x1, y1, x2, y2]; "
            "COCO expects [x, y, w, h] (convert with w = x2 - x1, h = y2 - y1)"
        )
    return out


def check_against_ground_truth(dets: Detections, gt: GroundTruth) -> list[str]:
    """Refuse detections whose image or category ids are not in ``gt``; return warnings.

    Raises:
        ConsistencyError: listing unknown image ids and unknown category ids. When every unknown
            category id becomes a ground-truth id after adding or subtracting one, the message
            says so: that is the K-code vs ``dl_idx`` (K-number − 1) mix-up.

    Returns:
        Warnings, e.g. when ids are all known but shifting them by one would match the ground
        truth's labels on the same images far better.
    """
    src = dets.source or dets.name
    gt_cats = gt.category_ids
    problems = []
    bad_img = np.setdiff1d(dets.image_id, gt.images.id)
    if bad_img.size:
        n = int(np.isin(dets.image_id, bad_img).sum())
        problems.append(
            f"{n} detection(s) on {bad_img.size} image id(s) not in the ground truth: "
            f"{_listing(bad_img)}"
        )
    bad_cat = np.setdiff1d(dets.category_id, gt_cats)
    if bad_cat.size:
        n = int(np.isin(dets.category_id, bad_cat).sum())
        line = (
            f"{n} detection(s) with {bad_cat.size} category id(s) not in the ground truth: "
            f"{_listing(bad_cat)}"
        )
        used = np.unique(dets.category_id)
        for shift in (1, -1):
            if np.isin(used + shift, gt_cats).all():
                line += (
                    f". Every category id becomes a ground-truth id after adding {shift:+d}: "
                    "this is the K-code vs dl_idx (K-number - 1) mix-up; fix the id mapping"
                )
                break
        problems.append(line)
    if problems:
        raise ConsistencyError(
            f"{src} does not match the ground truth {gt.source or ''}".rstrip(), problems
        )
    warning = _shift_warning(dets, gt)
    return [warning] if warning else []


def _listing(ids: np.ndarray, limit: int = 20) -> str:
    shown = ", ".join(str(v) for v in ids[:limit].tolist())
    return shown + (f" (+{ids.size - limit} more)" if ids.size > limit else "")


def _shift_warning(dets: Detections, gt: GroundTruth) -> str | None:
    """Warn when labels shifted by ±1 agree with the image's GT labels far more than as given.

    Agreement of a shift s = share of detections whose (image_id, category_id + s) pair occurs
    among the ground-truth annotations. Requires at least 20 detections to say anything.
    """
    if len(dets) < 20 or len(gt.annotations) == 0:
        return None
    a = gt.annotations
    width = np.int64(1) << np.int64(32)
    gt_keys = np.unique(a.image_id * width + a.category_id)

    def agreement(shift: int) -> float:
        keys = dets.image_id * width + (dets.category_id + shift)
        return float(np.isin(keys, gt_keys).mean())

    base = agreement(0)
    for shift in (1, -1):
        shifted = agreement(shift)
        if shifted >= 0.5 and shifted > 2 * base:
            return (
                f"{dets.source or dets.name}: category ids look shifted by one: with id {shift:+d}, "
                f"{shifted:.0%} of detections name a class present in their image's ground truth, "
                f"as given only {base:.0%} (K-code vs dl_idx mix-up?)"
            )
    return None
