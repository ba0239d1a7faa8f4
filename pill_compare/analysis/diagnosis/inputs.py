"""Checks across the inputs: ``gt_mismatch``, ``identical_inputs``, ``image_sets_differ``.

* ``gt_mismatch`` (blocking): most of a run's detections lie on images the ground truth does not
  have — the typical cause is the training annotations passed as the ground truth. pycocotools
  leaves such detections out, so every metric would be computed on the few that remain.
* ``identical_inputs`` (blocking): A and B hold the same detections (the same file twice, or a
  copy): every difference is zero by construction.
* ``image_sets_differ`` (warning): one run has detections on many images where the other has
  none (a run made on another split, or a crashed job): the per-image comparison is one-sided there.
"""

from __future__ import annotations

import numpy as np

from pill_compare.analysis.diagnosis.finding import MAX_EVIDENCE, Finding
from pill_compare.core import Detections

#: A run is on the wrong ground truth when fewer than this share of its detections lie on the
#: ground truth's images.
GT_IMAGE_SHARE = 0.5
#: Images with detections in only one run, as a share of the images of either, above which the
#: image sets differ.
ONE_SIDED_IMAGE_SHARE = 0.1


def check_gt_mismatch(inputs) -> list[Finding]:  # DiagnosisInputs (import cycle otherwise)
    """``gt_mismatch``: a run's detections are mostly on images the ground truth lacks."""
    gt = inputs.gt
    if gt is None:
        return []
    gt_images = gt.images.id
    out = []
    for role, run in inputs.runs.items():
        if len(run) == 0:
            continue
        on_gt = np.isin(run.image_id, gt_images)
        share = float(on_gt.mean())
        if share >= GT_IMAGE_SHARE:
            continue
        run_images = np.unique(run.image_id)
        common = np.intersect1d(run_images, gt_images)
        missing = np.setdiff1d(run_images, gt_images)
        out.append(
            Finding(
                code="gt_mismatch",
                severity="blocking",
                role=role,
                file=inputs.file(role),
                count=int((~on_gt).sum()),
                params={
                    "gt": inputs.file("gt"),
                    "detections": len(run),
                    "on_gt_images": int(on_gt.sum()),
                    "share_on_gt": share,
                    "run_images": int(run_images.size),
                    "gt_images": int(gt_images.size),
                    "common_images": int(common.size),
                    "run_image_range": [int(run_images.min()), int(run_images.max())],
                    "gt_image_range": [int(gt_images.min()), int(gt_images.max())]
                    if gt_images.size
                    else [],
                },
                evidence=tuple({"image_id": int(i)} for i in missing[:MAX_EVIDENCE]),
                fix="check_gt",
            )
        )
    return out


def same_detections(x: Detections, y: Detections) -> bool:
    """True when ``x`` and ``y`` hold the same rows (image, category, box, score), in any order."""
    if len(x) != len(y):
        return False
    # The cheap looks first: equal multisets of rows have equal multisets in every column
    # (a perturbed copy of a run, same scores, differs in its boxes here).
    for a, b in ((x.score, y.score), *zip(x.bbox.T, y.bbox.T, strict=True)):
        if not np.array_equal(np.sort(a), np.sort(b)):
            return False

    def columns(run: Detections) -> list[np.ndarray]:
        cols = [run.score, *run.bbox.T[::-1], run.category_id, run.image_id]
        order = np.lexsort(cols)
        return [c[order] for c in cols]

    return all(np.array_equal(a, b) for a, b in zip(columns(x), columns(y), strict=True))


def check_identical_inputs(inputs) -> list[Finding]:
    """``identical_inputs``: two runs hold exactly the same detections."""
    out = []
    for ra, rb in inputs.pairs():
        a, b = inputs.runs[ra], inputs.runs[rb]
        if len(a) == 0 or not same_detections(a, b):
            continue
        out.append(
            Finding(
                code="identical_inputs",
                severity="blocking",
                role=f"{ra},{rb}",
                file=f"{inputs.file(ra)}, {inputs.file(rb)}",
                count=len(a),
                params={"file_a": inputs.file(ra), "file_b": inputs.file(rb), "detections": len(a)},
                fix="different_runs",
            )
        )
    return out


def check_image_sets_differ(inputs) -> list[Finding]:
    """``image_sets_differ``: many images have detections in only one of two runs.

    Counted over the ground truth's images when there is one (images it lacks are
    ``gt_mismatch``'s business), else over every image either run names.
    """
    out = []
    for ra, rb in inputs.pairs():
        a, b = inputs.runs[ra], inputs.runs[rb]
        ia, ib = np.unique(a.image_id), np.unique(b.image_id)
        if inputs.gt is not None:
            ia = np.intersect1d(ia, inputs.gt.images.id)
            ib = np.intersect1d(ib, inputs.gt.images.id)
        union = np.union1d(ia, ib)
        only_a, only_b = np.setdiff1d(ia, ib), np.setdiff1d(ib, ia)
        one_sided = only_a.size + only_b.size
        if union.size == 0 or one_sided / union.size < ONE_SIDED_IMAGE_SHARE:
            continue
        out.append(
            Finding(
                code="image_sets_differ",
                severity="warning",
                role=f"{ra},{rb}",
                file=f"{inputs.file(ra)}, {inputs.file(rb)}",
                count=int(one_sided),
                params={
                    "file_a": inputs.file(ra),
                    "file_b": inputs.file(rb),
                    "images": int(union.size),
                    "only_a": int(only_a.size),
                    "only_b": int(only_b.size),
                    "share": one_sided / union.size,
                },
                evidence=tuple(
                    [{"image_id": int(i), "only_in": ra} for i in only_a[:3]]
                    + [{"image_id": int(i), "only_in": rb} for i in only_b[:2]]
                ),
                fix="same_images",
            )
        )
    return out
