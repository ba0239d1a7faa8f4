"""Checks across a file's records and across files: legal but suspicious input, unknown ids.

Part of the core layer (no I/O; it imports only :mod:`pill_compare.core` and
:mod:`pill_compare.errors`), used by :mod:`pill_compare.io` when loading and by
:mod:`pill_compare.analysis` for detections built in memory.

Unknown ids follow pycocotools: ``COCOeval`` evaluates only the ground truth's ``imgIds`` and
``catIds``, so detections naming other ids are left out of every number (faster-coco-eval does the
same). :func:`restrict_to_ground_truth` does exactly that, with one warning per file naming the
ids and how many detections carried each. :func:`check_against_ground_truth` instead *refuses*
unknown ids (for checks that report them as findings, e.g. a submission check).

Errors (:class:`~pill_compare.errors.ConsistencyError`) are for contradictions that make any
comparison wrong; warnings (returned as strings) are for input that is legal but probably a mistake.
"""

from __future__ import annotations

import numpy as np

from pill_compare.core import Detections, GroundTruth, LeftOut
from pill_compare.errors import ConsistencyError

#: Below this many detections the xyxy heuristic says nothing (too little evidence).
_XYXY_MIN_BOXES = 5

#: How many unknown ids a message lists before "(+N more)".
_LISTED_IDS = 20


def looks_like_xyxy(bbox: np.ndarray) -> bool:
    """True when boxes written as ``[x, y, w, h]`` look like ``[x1, y1, x2, y2]``: at least
    :data:`_XYXY_MIN_BOXES` boxes, every one with w > x and h > y (which xywh boxes away from the
    top-left corner rarely have), and a median x above 0. The one copy of this sign; with a
    ground truth the input check decides the format from the data instead
    (:mod:`pill_compare.analysis.diagnosis.box_format`)."""
    if len(bbox) < _XYXY_MIN_BOXES:
        return False
    x, y, w, h = np.asarray(bbox, dtype=np.float64).T
    return bool(np.all(w > x) and np.all(h > y) and np.median(x) > 0)


def suspicious_results(dets: Detections) -> list[str]:
    """Warnings about one detections file on its own.

    Flags: no detections; all scores equal (ranking metrics then depend on file order);
    scores outside [0, 1]. The box format and the category-id space are the input check's
    (:func:`pill_compare.analysis.diagnosis.diagnose`), which decides them from the data.
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
    return out


def unknown_ids(dets: Detections, gt: GroundTruth) -> tuple[np.ndarray, np.ndarray]:
    """Which detections name an image id, or a category id, that ``gt`` lacks.

    Returns:
        ``(bad_image, bad_category)``: (N,) bool masks over the detection rows.
    """
    return ~np.isin(dets.image_id, gt.images.id), ~np.isin(dets.category_id, gt.category_ids)


def restrict_to_ground_truth(dets: Detections, gt: GroundTruth) -> tuple[Detections, list[str]]:
    """Leave out detections whose image or category id ``gt`` lacks, as pycocotools does.

    ``COCOeval`` evaluates only the ground truth's image and category ids, so such detections
    change no number there; leaving them out here gives the same numbers on the same file.

    Args:
        dets: One run's detections.
        gt: The ground truth they are evaluated against.

    Returns:
        ``(kept, warnings)``. ``kept`` has the known rows (file order kept) and, when any row was
        left out, ``kept.left_out`` says how many and which ids (the input itself when nothing
        was left out). ``warnings`` holds at most one line on the left-out rows (ids with their
        counts; the K-code vs ``dl_idx`` hint when every category id becomes a ground-truth id
        after adding or subtracting one) and the shifted-labels warning of the kept rows.
        ``kept.warnings`` is ``dets.warnings`` unchanged: the caller decides where they go.

    Example:
        >>> kept, warnings = restrict_to_ground_truth(dets, gt)  # doctest: +SKIP
        >>> warnings[0]  # doctest: +SKIP
        'r.json: 2 of 1012 detections left out: category ids 12 (1), 99999 (1) are not in ...'
    """
    bad_img, bad_cat = unknown_ids(dets, gt)
    bad = bad_img | bad_cat
    out: list[str] = []
    kept = dets
    if bad.any():
        left_out = LeftOut(
            detections=int(bad.sum()),
            total=len(dets),
            image_ids=_counts(dets.image_id[bad_img]),
            category_ids=_counts(dets.category_id[bad_cat]),
        )
        kept = dets.select(~bad)
        kept = Detections(**{**kept.__dict__, "left_out": left_out})
        out.append(_left_out_warning(dets, gt, left_out))
    return kept, out


def _counts(ids: np.ndarray) -> dict[int, int]:
    """id → rows, most rows first, then ascending id."""
    uniq, n = np.unique(ids, return_counts=True)
    order = np.lexsort((uniq, -n))
    return dict(zip(uniq[order].tolist(), n[order].tolist(), strict=True))


def _id_counts(counts: dict[int, int]) -> str:
    shown = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:_LISTED_IDS])
    hidden = len(counts) - _LISTED_IDS
    return shown + (f" (+{hidden} more)" if hidden > 0 else "")


def _left_out_warning(dets: Detections, gt: GroundTruth, left_out: LeftOut) -> str:
    src = dets.source or dets.name or "the detections"
    where = f"the ground truth ({gt.source})" if gt.source else "the ground truth"
    parts = []
    if left_out.category_ids:
        parts.append(f"category ids {_id_counts(left_out.category_ids)}")
    if left_out.image_ids:
        parts.append(f"image ids {_id_counts(left_out.image_ids)}")
    line = (
        f"{src}: {left_out.detections} of {left_out.total} detections left out: "
        + " and ".join(parts)
        + f" are not in {where}; pycocotools scores only the ground truth's categories, so the "
        "numbers equal its own"
        + (
            " (its loadRes refuses unknown image ids outright; detections there can match nothing)"
            if left_out.image_ids
            else ""
        )
    )
    if left_out.detections == left_out.total:
        line += "; no detection is left to evaluate"
    if left_out.category_ids:
        line += _shift_hint(np.unique(dets.category_id), gt.category_ids)
    return line


def _shift_hint(used: np.ndarray, gt_cats: np.ndarray) -> str:
    """The K-code vs dl_idx hint when every used category id lands in the GT after one ±1."""
    for shift in (1, -1):
        if np.isin(used + shift, gt_cats).all():
            return (
                f". Every category id becomes a ground-truth id after adding {shift:+d}: "
                "this is the K-code vs dl_idx (K-number - 1) mix-up; fix the id mapping"
            )
    return ""


def check_against_ground_truth(dets: Detections, gt: GroundTruth) -> list[str]:
    """Refuse detections whose image or category ids are not in ``gt``; return warnings.

    For checks that *report* unknown ids (a submission check); loading and evaluation leave
    them out instead (:func:`restrict_to_ground_truth`).

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
    bad_img_rows, bad_cat_rows = unknown_ids(dets, gt)
    if bad_img_rows.any():
        bad_img = np.unique(dets.image_id[bad_img_rows])
        problems.append(
            f"{int(bad_img_rows.sum())} detection(s) on {bad_img.size} image id(s) not in the "
            f"ground truth: {_listing(bad_img)}"
        )
    if bad_cat_rows.any():
        bad_cat = np.unique(dets.category_id[bad_cat_rows])
        problems.append(
            f"{int(bad_cat_rows.sum())} detection(s) with {bad_cat.size} category id(s) not in "
            f"the ground truth: {_listing(bad_cat)}"
            + _shift_hint(np.unique(dets.category_id), gt_cats)
        )
    if problems:
        raise ConsistencyError(
            f"{src} does not match the ground truth {gt.source or ''}".rstrip(), problems
        )
    warning = _shift_warning(dets, gt)
    return [warning] if warning else []


def _listing(ids: np.ndarray, limit: int = _LISTED_IDS) -> str:
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
    # A binary search in the (small) sorted gt_keys per detection: np.isin sorts both sides
    # again for every shift, 2-3x slower at 450k detections.
    det_keys = dets.image_id * width + dets.category_id

    def agreement(shift: int) -> float:
        keys = det_keys + shift
        at = np.minimum(np.searchsorted(gt_keys, keys), gt_keys.size - 1)
        return float(np.count_nonzero(gt_keys[at] == keys)) / keys.size

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
