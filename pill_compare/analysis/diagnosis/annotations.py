"""Findings about the ground truth itself, from the audit of two runs against it.

``likely_missing_annotations``: both models agree, confidently and on the same class, on boxes
where the ground truth has nothing of any class nearby — real pill photos hold 3–4 pills and
their annotations often label 1–3, so every such box is counted as a false positive of both
runs. ``likely_wrong_labels``: GT boxes both models confidently call the same other class. The
rules and the numbers are :func:`~pill_compare.analysis.gt_audit.audit_ground_truth`'s; this
module only decides when they are worth a line at the top of the output:

* a warning when the cases are at least :data:`WARN_SHARE` of the ground truth's boxes (and at
  least :data:`MIN_CASES`): the false-positive counts and precision then mostly measure the
  annotation, not the models;
* info for fewer (a lead to check by eye: two models can share a mistake on look-alike pills).
"""

from __future__ import annotations

from pill_compare.analysis.diagnosis.finding import MAX_EVIDENCE, Finding

WARN_SHARE = 0.02
MIN_CASES = 3


def audit_findings(audit, *, gt_file: str, gt_boxes: int) -> list[Finding]:
    """``likely_missing_annotations`` / ``likely_wrong_labels`` from a
    :class:`~pill_compare.analysis.gt_audit.GtAudit` (an empty list when it found nothing)."""
    out = []
    for code, part in (
        ("likely_missing_annotations", audit.likely_missing),
        ("likely_wrong_labels", audit.likely_wrong_label),
    ):
        n = part.count
        if n == 0:
            continue
        share = n / gt_boxes if gt_boxes else 0.0
        severity = "warning" if n >= MIN_CASES and share >= WARN_SHARE else "info"
        params = {
            "gt": gt_file,
            "gt_boxes": gt_boxes,
            "share": share,
            "map_a": audit.actual["a"].get("map"),
            "map_b": audit.actual["b"].get("map"),
            "map_a_completed": audit.if_completed["a"].get("map"),
            "map_b_completed": audit.if_completed["b"].get("map"),
            "name_a": audit.names[0],
            "name_b": audit.names[1],
        }
        cases = part.head(MAX_EVIDENCE).to_frame()
        evidence = tuple(
            {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items() if k in _KEEP}
            for row in cases.to_dict(orient="records")
        )
        out.append(
            Finding(
                code=code,
                severity=severity,
                role="gt",
                file=gt_file,
                count=n,
                params=params,
                evidence=evidence,
                fix="review_annotations",
            )
        )
    return out


_KEEP = {
    "image_id",
    "category_id",
    "gt_id",
    "gt_category_id",
    "predicted_category_id",
    "a_bbox",
    "a_score",
    "b_score",
}
