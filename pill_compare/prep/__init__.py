"""Data preparation: from the raw AIHub per-pill files to clean inputs, and submissions that score.

* :func:`merge_annotations`: per-pill COCO files (one per pill per image, nested folders) → one
  COCO ground truth, with a list of everything that was wrong (``pillcmp merge``).
* :func:`check_submission`: every rule that breaks a leaderboard score (``pillcmp check-submission``).
* :func:`convert`: COCO results JSON ↔ submission CSV, YOLO prediction folders → either
  (``pillcmp convert``).

Like ``io``, this package reads files; it never prints. Results are frozen dataclasses with
``to_dict()`` / ``to_frame()``; :mod:`pill_compare.report.prep_render` renders them.
"""

from pill_compare.prep.convert import (
    ConvertResult,
    coco_results_text,
    convert,
    submission_csv_text,
)
from pill_compare.prep.findings import Finding
from pill_compare.prep.image_size import read_image_size
from pill_compare.prep.merge import MergeResult, merge_annotations
from pill_compare.prep.submission_check import RULES, RuleStatus, SubmissionCheck, check_submission
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
