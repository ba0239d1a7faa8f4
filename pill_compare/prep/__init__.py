"""Data preparation: from the raw AIHub per-pill files to clean inputs, and submissions that score.

* :func:`merge_annotations`: per-pill COCO files (one per pill per image, nested folders) → one
  COCO ground truth, with a list of everything that was wrong (``pillcmp merge``).
* :func:`check_submission`: every rule that breaks a leaderboard score (``pillcmp check-submission``).
* :func:`convert`: COCO results JSON ↔ submission CSV, YOLO prediction folders → either
  (``pillcmp convert``).

Like ``io``, this package reads files; it never prints. Results are frozen dataclasses with
``to_dict()`` / ``to_frame()``; :mod:`pill_compare.report.prep_render` renders them.
"""

from typing import TYPE_CHECKING

from pill_compare.lazy import lazy_exports

#: Where each name lives, imported on first use (PEP 562): a command that needs one
#: preparation step does not import the others.
_EXPORTS = {
    "ConvertResult": "pill_compare.prep.convert",
    "Finding": "pill_compare.prep.findings",
    "MergeResult": "pill_compare.prep.merge",
    "RULES": "pill_compare.prep.submission_check",
    "RuleStatus": "pill_compare.prep.submission_check",
    "SubmissionCheck": "pill_compare.prep.submission_check",
    "check_submission": "pill_compare.prep.submission_check",
    "coco_results_text": "pill_compare.prep.convert",
    "convert": "pill_compare.prep.convert",
    "load_class_map": "pill_compare.prep.yolo",
    "load_yolo_predictions": "pill_compare.prep.yolo",
    "merge_annotations": "pill_compare.prep.merge",
    "read_image_size": "pill_compare.prep.image_size",
    "submission_csv_text": "pill_compare.prep.convert",
}


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from pill_compare.prep.convert import (
        ConvertResult,
        coco_results_text,
        convert,
        submission_csv_text,
    )
    from pill_compare.prep.findings import Finding
    from pill_compare.prep.image_size import read_image_size
    from pill_compare.prep.merge import MergeResult, merge_annotations
    from pill_compare.prep.submission_check import (
        RULES,
        RuleStatus,
        SubmissionCheck,
        check_submission,
    )
    from pill_compare.prep.yolo import load_class_map, load_yolo_predictions

__all__ = [
    "RULES",
    "ConvertResult",
    "Finding",
    "MergeResult",
    "RuleStatus",
    "SubmissionCheck",
    "check_submission",
    "coco_results_text",
    "convert",
    "load_class_map",
    "load_yolo_predictions",
    "merge_annotations",
    "read_image_size",
    "submission_csv_text",
]
