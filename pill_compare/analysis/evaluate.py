"""`evaluate`: one matching pass, then every evaluation metric from its match table.

COCO metrics equal pycocotools'; per-class AP/AR; precision/recall/F1 at an operating point and
the F1-maximizing score threshold; two written accuracies; a confusion matrix with background.
Each part's definitions live in its module: :mod:`~pill_compare.analysis.coco_metrics`,
:mod:`~pill_compare.analysis.operating_point`, :mod:`~pill_compare.analysis.accuracy`,
:mod:`~pill_compare.analysis.confusion`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.accuracy import Accuracy, compute_accuracy
from pill_compare.analysis.arguments import (
    check_inputs,
    check_iou_threshold,
    check_max_dets,
    check_score_threshold,
)
from pill_compare.analysis.coco_metrics import COCO_MAX_DETS, CocoMetrics, compute_coco_metrics
from pill_compare.analysis.confusion import ConfusionMatrix, compute_confusion_matrix
from pill_compare.analysis.lrp import LRP_IOU_THRESHOLD, Lrp, compute_lrp
from pill_compare.analysis.matching import MatchTable, coco_iou_thresholds, match_detections
from pill_compare.analysis.operating_point import (
    ClassCounts,
    OperatingPoint,
    compute_operating_point,
)
from pill_compare.analysis.slices import SliceMetrics, SliceSpec, evaluate_slices
from pill_compare.consistency import restrict_to_ground_truth, unknown_ids
from pill_compare.core import Detections, GroundTruth, LeftOut
from pill_compare.errors import ConsistencyError
from pill_compare.parallel import in_background

#: Detections from which :func:`evaluate` computes the operating point, accuracy, confusion
#: matrix and LRP in a child process beside the COCO accumulation (~0.15 s of work at 450k
#: detections; a child costs ~0.05 s).
FORK_DETECTIONS = 200_000

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd


@dataclass(frozen=True, eq=False)
class EvalResult:
    """Everything ``pillcmp eval`` reports about one run against a ground truth.

    Attributes:
        name: The run's display name.
        gt_source / dets_source: Where the inputs came from.
        images / gt_boxes / crowd_regions / detections: Input sizes (``detections`` counts
            those evaluated, after any left out for ids the ground truth lacks).
        coco: The COCO metrics (12 stats and per-class AP/AR).
        operating_point: TP/FP/FN, precision, recall, F1 at (score_threshold, iou_threshold).
        accuracy: Classification accuracy (a) and image exact-match accuracy (b).
        confusion: Confusion matrix with background at the operating point.
        matches: The match table every number above was derived from.
        caveats: Legal but noteworthy findings (loader warnings included), one line each.
        left_out: Detections left out because the ground truth lacks their image or category
            id (as pycocotools does), None when none was.
        lrp: Optimal LRP per class with its thresholds, and the F1-optimal thresholds; None
            when the table was not matched at IoU 0.5 (neither ``iou_thresholds`` nor
            ``iou_threshold`` holds it).
        slices: mAP and AP50 per slice of each key asked for
            (:func:`~pill_compare.analysis.slices.evaluate_slices`); empty when none was.
    """

    name: str
    gt_source: str
    dets_source: str
    images: int
    gt_boxes: int
    crowd_regions: int
    detections: int
    coco: CocoMetrics
    operating_point: OperatingPoint
    accuracy: Accuracy
    confusion: ConfusionMatrix
    matches: MatchTable
    caveats: tuple[str, ...] = ()
    left_out: LeftOut | None = None
    lrp: Lrp | None = None
    slices: tuple[SliceMetrics, ...] = ()

    def __repr__(self) -> str:
        m = self.coco.stats.get("map")
        return (
            f"EvalResult(name={self.name!r}, images={self.images}, gt_boxes={self.gt_boxes}, "
            f"detections={self.detections}, map={'n/a' if m is None else f'{m:.4f}'}, "
            f"caveats={len(self.caveats)})"
        )

    def stats_frame(self) -> pd.DataFrame:
        """The COCO summary numbers, one row each: ``metric``, ``value``, ``definition``."""
        return self.coco.stats_frame()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the COCO stats under ``coco`` with their definitions, then the rest;
        ``slices`` (one entry per slice value, :meth:`SliceMetrics.records
        <pill_compare.analysis.slices.SliceMetrics.records>`) when slices were asked for."""
        out = {
            "name": self.name,
            "ground_truth": self.gt_source,
            "results": self.dets_source,
            "images": self.images,
            "gt_boxes": self.gt_boxes,
            "crowd_regions": self.crowd_regions,
            "detections": self.detections,
            "left_out": None if self.left_out is None else self.left_out.to_dict(),
            "coco": self.coco.to_dict(),
            "per_class": self.per_class_records(),
            "operating_point": self.operating_point.to_dict(),
            "accuracy": self.accuracy.to_dict(),
            "confusion": self.confusion.to_dict(),
            "caveats": list(self.caveats),
            "lrp": None if self.lrp is None else self.lrp.to_dict(),
        }
        if self.slices:
            out["slices"] = [rec for m in self.slices for rec in m.records()]
        return out

    def per_class_records(self) -> list[dict[str, Any]]:
        """One dict per declared category: COCO AP/AR (the ``coco.per_class`` row), then the
        operating-point counts of the same category; None where a value is undefined. Built
        without pandas (importing it costs ~0.4 s, more than the rest of ``pillcmp eval -f
        json`` at pill scale)."""
        ops = {c.category_id: c for c in self.operating_point.per_class}
        op_keys = [f.name for f in fields(ClassCounts) if f.name not in _OP_JOIN]
        records = []
        for c in self.coco.per_class:
            rec: dict[str, Any] = {
                "category_id": c.category_id,
                "name": c.name,
                "gt": c.gt,
                "crowd": c.crowd,
                "detections": c.detections,
                "ap": c.ap,
                "ap_50": c.ap_50,
                "ap_75": c.ap_75,
                self.coco.ar_key: c.ar,
            }
            op = ops.get(c.category_id)
            rec.update((k, None if op is None else getattr(op, k)) for k in op_keys)
            records.append({k: _plain(v) for k, v in rec.items()})
        return records

    def to_frame(self) -> pd.DataFrame:
        """One row per declared category: COCO AP/AR and the operating-point counts
        (:meth:`per_class_records` as a frame; undefined values None)."""
        import pandas as pd

        frame = pd.DataFrame(self.per_class_records())
        return frame.astype(object).where(frame.notna(), None)


#: Operating-point fields the per-class rows take from the COCO side (the join key, and two
#: columns both sides carry with the same values).
_OP_JOIN = ("category_id", "name", "gt")


def _plain(value: Any) -> Any:
    """A record value as the frame's rows give it: NaN → None, numpy scalars → Python's."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def evaluate(
    gt: GroundTruth,
    dets: Detections,
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
    slices: Sequence[str | SliceSpec] = (),
) -> EvalResult:
    """Evaluate one run: COCO metrics, per-class numbers, operating point, accuracy, confusion.

    Args:
        gt: The ground truth (must have annotations).
        dets: The run's detections. Those whose image or category id ``gt`` lacks are left out
            (pycocotools does the same), with one caveat naming them; detections loaded with
            ``load_results(..., gt=gt)`` have been restricted already.
        iou_thresholds: (T,) COCO thresholds in (0, 1]; default 0.50:0.95 (pycocotools').
        max_dets: COCO caps on detections per (image, category), ascending, e.g. (1, 10, 100).
        score_threshold: Operating-point score s (detections with score >= s count).
        iou_threshold: Operating-point IoU u (also the confusion matrix's and accuracy's).
        slices: Slice keys ('objects_per_image', 'image_size', an annotation attribute such as
            'drug_shape') or :class:`~pill_compare.analysis.slices.SliceSpec` objects: mAP and
            AP50 per slice of each (:func:`~pill_compare.analysis.slices.evaluate_slices`).

    Returns:
        The :class:`EvalResult`.

    Raises:
        ConsistencyError: the ground truth has no annotation, or lacks a slice key.
        TypeError: ``gt`` is not a GroundTruth or ``dets`` not Detections (or they are swapped).
        ValueError: thresholds outside (0, 1], a negative score threshold, caps that are not
            integers >= 1 (programmer misuse; the CLI checks its flags first).

    Example:
        >>> result = evaluate(load_ground_truth("gt.json"), load_results("a.json"))  # doctest: +SKIP
        >>> result.coco.stats["map"]  # equals pycocotools' stats[0]
    """
    check_inputs("evaluate", gt=(gt, GroundTruth), dets=(dets, Detections))
    score_threshold = check_score_threshold(score_threshold)
    iou_threshold = check_iou_threshold(iou_threshold)
    max_dets = check_max_dets(max_dets)
    if len(gt.annotations) == 0:
        raise ConsistencyError(
            f"{gt.source or 'the ground truth'}: the ground truth has no annotations, so there is "
            "nothing to evaluate against (every AP and recall would be undefined; pycocotools "
            "reports -1). Check that this is the labelled split, not an image list"
        )
    caveats = list(gt.warnings) + list(dets.warnings)
    bad_image, bad_category = unknown_ids(dets, gt)
    if (bad_image | bad_category).any():  # not loaded against this gt: restrict it here
        dets, found = restrict_to_ground_truth(dets, gt)
        caveats += found
    thresholds = coco_iou_thresholds() if iou_thresholds is None else np.asarray(iou_thresholds)
    thresholds = thresholds.astype(np.float64).reshape(-1)
    matched_at = thresholds
    if not np.any(thresholds == iou_threshold):
        matched_at = np.r_[thresholds, float(iou_threshold)]
    table = match_detections(
        gt, dets, iou_thresholds=matched_at, agnostic_iou_threshold=iou_threshold
    )

    def the_rest() -> tuple[OperatingPoint, Accuracy, ConfusionMatrix]:
        return (
            compute_operating_point(
                table, score_threshold=score_threshold, iou_threshold=iou_threshold
            ),
            compute_accuracy(table, score_threshold=score_threshold),
            compute_confusion_matrix(table, score_threshold=score_threshold),
        )

    # The COCO accumulation and LRP here, the rest (read from the same table; accuracy and the
    # confusion matrix build its class-agnostic view) beside them in a child process at COCO
    # scale (pill_compare/parallel.py: the same numbers either way); about the same time each.
    # The table's cached category index is computed first, so the child inherits it.
    table.category_index()
    with in_background(the_rest, fork=len(dets) >= FORK_DETECTIONS) as rest:
        coco = compute_coco_metrics(table, iou_thresholds=thresholds, max_dets=max_dets)
        lrp = compute_lrp(table) if np.any(matched_at == LRP_IOU_THRESHOLD) else None
        op, acc, confusion = rest.result()
    caveats += _caveats(table, coco)
    ann = gt.annotations
    return EvalResult(
        name=dets.name,
        gt_source=gt.source,
        dets_source=dets.source,
        images=len(gt.images),
        gt_boxes=int((~ann.iscrowd).sum()),
        crowd_regions=int(ann.iscrowd.sum()),
        detections=len(dets),
        coco=coco,
        operating_point=op,
        accuracy=acc,
        confusion=confusion,
        matches=table,
        caveats=tuple(caveats),
        left_out=dets.left_out,
        lrp=lrp,
        slices=evaluate_slices(table, slices, iou_thresholds=thresholds, max_dets=max_dets),
    )


def _caveats(table: MatchTable, coco: CocoMetrics) -> list[str]:
    out = []
    no_gt = [c for c in coco.per_class if c.gt == 0 and c.detections > 0]
    if no_gt:
        listed = ", ".join(f"{c.category_id} ({c.detections})" for c in no_gt[:20])
        out.append(
            (
                "1 category has detections but no GT box; its AP is n/a and it is"
                if len(no_gt) == 1
                else f"{len(no_gt)} categories have detections but no GT box; their AP is n/a and "
                "they are"
            )
            + f" left out of every mean, as in pycocotools: {listed}"
        )
    over = int((table.det_rank >= coco.max_dets[-1]).sum())
    if over:
        out.append(
            f"{over} detection(s) rank beyond the top {coco.max_dets[-1]} of their (image, "
            "category) and are left out of the COCO metrics (pycocotools' maxDets); the "
            "operating point still counts them"
        )
    if coco.zero_id_matches:
        out.append(
            f"{coco.zero_id_matches} detection(s) matched the GT box with annotation id 0: "
            "pycocotools counts such a match as a false positive, and so do the COCO metrics "
            "here (to stay equal); give annotations ids >= 1"
        )
    return out
