"""Box checks: the box format a file really uses, and boxes of zero width or height.

**Box format** (``box_format_xyxy``, ``box_format_cxcywh``, ``box_format_normalized``): COCO
results are ``[x, y, w, h]`` in pixels, and files written as ``[x1, y1, x2, y2]``, as centre +
size (YOLO's ``cx, cy, w, h``), or normalized to 0–1 load without error and score ~0. Which
format a file uses is decided from the data, not from ranges: each *reading* of the four numbers
(:data:`READINGS`: xywh, xyxy, cxcywh, each in pixels or normalized by the image size) is
converted to pixel xywh and matched against reference boxes — the ground truth's, or without
one the other run's — and the reading under which most boxes find a reference box of the same
image (IoU >= the matching IoU, any class) wins. A finding is made when another reading than
the file's own explains far more boxes (:data:`WIN_SHARE`, :data:`WIN_FACTOR`); it is blocking:
every metric on the file as given is meaningless. Without any reference box, two cheap signs
give a warning instead: every coordinate within [0, 1] (normalized), and every box with
w > x and h > y (xyxy; boxes away from the top-left corner rarely look so as xywh).

When even the best reading matches (almost) nothing although the run's images are the ground
truth's and at least :data:`MIN_CONFIDENT` boxes score above the operating score, the boxes
likely belong to other images: a ``gt_mismatch`` warning (reason ``'boxes'``; a model that finds
nothing yet scores low and gets no finding).

**Degenerate boxes** (``degenerate_boxes``, a warning): w = 0 or h = 0. pycocotools scores them
(they match nothing, so each is a false positive) and so does pillcmp; ``--strict`` refuses them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pill_compare.analysis.boxes import overlapping_pairs
from pill_compare.analysis.diagnosis.finding import MAX_EVIDENCE, Finding
from pill_compare.analysis.diagnosis.sample import first_images, last_image
from pill_compare.consistency import looks_like_xyxy
from pill_compare.core import Detections

#: Readings of a box's four numbers: (layout, normalized).
READINGS: tuple[tuple[str, bool], ...] = (
    ("xywh", False),
    ("xyxy", False),
    ("cxcywh", False),
    ("xywh", True),
    ("xyxy", True),
    ("cxcywh", True),
)
#: Another reading wins when it matches at least this share of the boxes ...
WIN_SHARE = 0.3
#: ... and at least this many times the share as given (plus 0.1, so 0 vs 0.05 is no win).
WIN_FACTOR = 2.0
#: Below this share under every reading, the boxes are on other images (with >= MIN_BOXES).
NOTHING_SHARE = 0.02
#: Fewest boxes any of these checks speaks about.
MIN_BOXES = 5
#: The boxes looked at: those at or above the operating score, or (fewer than this many) all.
MIN_CONFIDENT = 20
#: ... and of a large run, the images holding about this many of them.
MAX_LOOKED_AT = 20_000


def to_pixel_xywh(
    boxes: np.ndarray, layout: str, normalized: bool, size: np.ndarray | None = None
) -> np.ndarray:
    """(N, 4) boxes read as ``layout`` ('xywh', 'xyxy', 'cxcywh'), in pixels as COCO xywh.

    Args:
        boxes: (N, 4) float64 as the file holds them.
        layout: How the four numbers are laid out.
        normalized: The numbers are fractions of the image's width and height.
        size: (N, 2) float64 image width and height of each box (needed when ``normalized``).
    """
    b = np.asarray(boxes, dtype=np.float64)
    if normalized:
        if size is None:
            raise ValueError("Expected image sizes for a normalized reading")
        b = b * np.concatenate([size, size], axis=1)
    x, y, p, q = b.T
    if layout == "xywh":
        return b.copy()
    if layout == "xyxy":
        return np.stack([x, y, p - x, q - y], axis=1)
    if layout == "cxcywh":
        return np.stack([x - p / 2, y - q / 2, p, q], axis=1)
    raise ValueError(f"Expected layout 'xywh', 'xyxy' or 'cxcywh', got {layout!r}")


def _looked_at(run: Detections, score_threshold: float) -> Detections:
    """The boxes a reading is judged on: those at or above the operating score (all of them when
    fewer than :data:`MIN_CONFIDENT`), and of a large run only the images (in id order) that
    hold the first :data:`MAX_LOOKED_AT` — a share is as clear on 20,000 boxes as on 450,000."""
    confident = run.score >= score_threshold
    if int(np.count_nonzero(confident)) < MIN_CONFIDENT:
        return first_images(run, MAX_LOOKED_AT)
    # first_images(run.select(confident), MAX_LOOKED_AT), with one select instead of two
    last = last_image(run.image_id[confident], MAX_LOOKED_AT)
    if last is not None:
        confident &= run.image_id <= last
    return run.select(confident)


def _image_sizes(image_id: np.ndarray, images) -> np.ndarray | None:
    """(N, 2) width and height of each box's image, or None when any is unknown."""
    if images.id.size == 0:
        return None
    order = np.argsort(images.id, kind="stable")
    sorted_ids = images.id[order]
    pos = np.clip(np.searchsorted(sorted_ids, image_id), 0, sorted_ids.size - 1)
    if not np.array_equal(sorted_ids[pos], image_id):
        return None
    rows = order[pos]
    size = np.stack([images.width[rows], images.height[rows]], axis=1)
    return size if np.isfinite(size).all() else None


def reading_shares(
    run: Detections,
    ref_image: np.ndarray,
    ref_xywh: np.ndarray,
    *,
    iou_threshold: float,
    images=None,
) -> dict[str, float]:
    """Reading name (``'xyxy'``, ``'cxcywh_normalized'``…) → share of the run's boxes it
    matches to the reference boxes: boxes that overlap a reference box of their image at
    IoU >= ``iou_threshold`` (any class). Normalized readings need the images' sizes (``images``,
    the ground truth's image table; skipped without it or when a size is unknown)."""
    size = _image_sizes(run.image_id, images) if images is not None else None
    names, boxes = [], []
    for layout, normalized in READINGS:
        if normalized and size is None:
            continue
        boxes.append(to_pixel_xywh(run.bbox, layout, normalized, size))
        names.append(layout + ("_normalized" if normalized else ""))
    n = len(run)
    if n == 0:
        return dict.fromkeys(names, 0.0)
    # Every reading in one pass, stacked (the reference boxes are sorted once): reading k
    # holds rows [k * n, (k + 1) * n); a box matches when it has any pair.
    pairs = overlapping_pairs(
        np.tile(run.image_id, len(names)),
        np.concatenate(boxes),
        ref_image,
        ref_xywh,
        min_iou=iou_threshold,
    )
    matched = np.bincount(np.unique(pairs.left) // n, minlength=len(names))
    return {name: int(m) / n for name, m in zip(names, matched, strict=True)}


def _references(inputs, role: str) -> tuple[str, np.ndarray, np.ndarray] | None:
    """(what, image ids, xywh) of the boxes to match ``role``'s against: the ground truth's
    countable boxes, or without one the single other run's boxes."""
    if inputs.gt is not None:
        ann = inputs.gt.annotations
        keep = ~ann.iscrowd
        return "gt", ann.image_id[keep], ann.bbox[keep]
    others = [r for r in inputs.runs if r != role]
    if len(others) != 1:
        return None
    other = _looked_at(inputs.runs[others[0]], inputs.score_threshold)
    return others[0], other.image_id, other.bbox


def _code(reading: str) -> str:
    if reading.endswith("_normalized"):
        return "box_format_normalized"
    return f"box_format_{reading}"


def check_box_format(inputs) -> list[Finding]:
    """``box_format_*`` (and ``gt_mismatch`` with reason ``'boxes'``): see the module docstring."""
    out = []
    for role, run in inputs.runs.items():
        looked = _looked_at(run, inputs.score_threshold)
        if len(looked) < MIN_BOXES:
            continue
        ref = _references(inputs, role)
        if ref is None or ref[1].size == 0:
            out += _heuristic_findings(inputs, role, looked)
            continue
        against, ref_image, ref_xywh = ref
        if inputs.gt is not None:
            # Boxes on images the ground truth lacks are gt_mismatch's business.
            looked = looked.select(np.isin(looked.image_id, inputs.gt.images.id))
            if len(looked) < MIN_BOXES:
                continue
        shares = reading_shares(
            looked,
            ref_image,
            ref_xywh,
            iou_threshold=inputs.iou_threshold,
            images=inputs.gt.images if inputs.gt is not None else None,
        )
        as_given = shares["xywh"]
        best = max(shares, key=lambda k: (shares[k], k == "xywh"))
        params = {
            "against": against,
            "boxes": len(looked),
            "share_as_given": as_given,
            "reading": best,
            "share": shares[best],
            "shares": dict(shares),
        }
        if best != "xywh" and shares[best] >= max(WIN_SHARE, WIN_FACTOR * as_given + 0.1):
            out.append(
                Finding(
                    code=_code(best),
                    severity="blocking",
                    role=role,
                    file=inputs.file(role),
                    count=len(run),
                    params=params,
                    evidence=_box_evidence(run, np.arange(min(len(run), 3))),
                    fix="convert_boxes",
                    fix_params={"reading": best},
                )
            )
        elif (
            inputs.gt is not None
            and shares[best] < NOTHING_SHARE
            and int((run.score >= inputs.score_threshold).sum()) >= MIN_CONFIDENT
        ):
            # Confident boxes that overlap nothing: results for other images, or another ground
            # truth. (A model that finds nothing yet scores low: it is no finding, just bad.)
            out.append(
                Finding(
                    code="gt_mismatch",
                    severity="warning",
                    role=role,
                    file=inputs.file(role),
                    count=len(looked),
                    params={**params, "reason": "boxes", "gt": inputs.file("gt")},
                    fix="check_gt",
                )
            )
    return out


def _heuristic_findings(inputs, role: str, run: Detections) -> list[Finding]:
    x, y, w, h = run.bbox.T
    base = {"against": "", "boxes": len(run)}
    if (run.bbox >= 0).all() and (x + w).max() <= 1.0 + 1e-6 and (y + h).max() <= 1.0 + 1e-6:
        reading, why = "xywh_normalized", "range"
    elif looks_like_xyxy(run.bbox):
        reading, why = "xyxy", "corners"
    else:
        return []
    return [
        Finding(
            code=_code(reading),
            severity="warning",
            role=role,
            file=inputs.file(role),
            count=len(run),
            params={**base, "reading": reading, "sign": why},
            evidence=_box_evidence(run, np.arange(min(len(run), 3))),
            fix="convert_boxes",
            fix_params={"reading": reading},
        )
    ]


def _box_evidence(run: Detections, rows: np.ndarray) -> tuple[Mapping[str, object], ...]:
    return tuple(
        {
            "row": int(i),
            "image_id": int(run.image_id[i]),
            "category_id": int(run.category_id[i]),
            "bbox": [float(v) for v in run.bbox[i]],
        }
        for i in rows[:MAX_EVIDENCE]
    )


def check_degenerate_boxes(inputs) -> list[Finding]:
    """``degenerate_boxes``: detections with w = 0 or h = 0 (scored as pycocotools scores them:
    they match nothing)."""
    out = []
    for role, run in inputs.runs.items():
        flat = (run.bbox[:, 2] == 0) | (run.bbox[:, 3] == 0)
        n = int(flat.sum())
        if n == 0:
            continue
        rows = np.flatnonzero(flat)
        out.append(
            Finding(
                code="degenerate_boxes",
                severity="warning",
                role=role,
                file=inputs.file(role),
                count=n,
                params={"detections": len(run), "max_score": float(run.score[flat].max())},
                evidence=_box_evidence(run, rows),
                fix="drop_degenerate",
            )
        )
    return out
