"""Reading and validating inputs, writing outputs atomically.

Inputs: COCO ground truth, COCO results JSON, and the competition submission CSV
(``annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score``).
"""

from pill_compare.consistency import (
    check_against_ground_truth,
    restrict_to_ground_truth,
    suspicious_results,
)
from pill_compare.io.files import INPUT_FORMATS, read_text
from pill_compare.io.ground_truth import ground_truth_from_dict, load_ground_truth
from pill_compare.io.outputs import OutputTarget, check_output, write_atomic, write_outputs
from pill_compare.io.results import load_results

__all__ = [
    "INPUT_FORMATS",
    "OutputTarget",
    "check_against_ground_truth",
    "check_output",
    "ground_truth_from_dict",
    "load_ground_truth",
    "load_results",
    "read_text",
    "restrict_to_ground_truth",
    "suspicious_results",
    "write_atomic",
    "write_outputs",
]
