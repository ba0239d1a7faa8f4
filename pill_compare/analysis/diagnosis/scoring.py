"""What a fix would change: the COCO mAP of a run as given and as repaired (for the findings'
``map_before`` / ``map_after``). One evaluation each, as ``pillcmp eval`` computes it."""

from __future__ import annotations

from pill_compare.core import Detections, GroundTruth


def coco_map(gt: GroundTruth, run: Detections) -> float | None:
    """mAP@[0.50:0.95] of ``run`` on ``gt`` (ids the ground truth lacks left out, as pycocotools
    does), or None when it is undefined (no annotation, or no detection left)."""
    from pill_compare.analysis.evaluate import evaluate
    from pill_compare.consistency import restrict_to_ground_truth

    kept, _ = restrict_to_ground_truth(run, gt)
    if len(kept) == 0 or len(gt.annotations) == 0:
        return None if len(gt.annotations) == 0 else 0.0
    value = evaluate(gt, kept).coco.stats.get("map")
    return None if value is None or value != value else float(value)
