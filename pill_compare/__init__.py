"""pillcmp: compare two object detectors exactly — which is better, where they disagree, and why.

The public API (the CLI only wraps these)::

    from pill_compare import load_ground_truth, load_results, diff, imbalance

    gt = load_ground_truth("data/sample/ground_truth.json")
    a = load_results("data/sample/efficientnet_b3.json", gt=gt)
    b = load_results("data/sample/resnet101.json", gt=gt)
    result = diff(a, b, category_names=gt.category_names)
    result.to_frame()          # one row per differing image
    imbalance(gt).imbalance_ratio
    evaluate(gt, b).coco.stats["map"]   # equals pycocotools COCOeval.stats[0]

Importing this package never imports torch; the neural-network side lives in ``pill_compare.nn``.
"""

from pill_compare.analysis.diff import DiffResult, diff
from pill_compare.analysis.evaluate import EvalResult, evaluate
from pill_compare.analysis.imbalance import ImbalanceResult, imbalance
from pill_compare.analysis.matching import MatchTable, match_detections
from pill_compare.core import Annotations, Category, Detections, GroundTruth, Images
from pill_compare.errors import ConfigError, ConsistencyError, InputFormatError, PillCompareError
from pill_compare.io import load_ground_truth, load_results, write_atomic
from pill_compare.prep import (
    ConvertResult,
    MergeResult,
    SubmissionCheck,
    check_submission,
    convert,
    merge_annotations,
)

__version__ = "0.1.0"

__all__ = [
    "Annotations",
    "Category",
    "ConfigError",
    "ConsistencyError",
    "ConvertResult",
    "Detections",
    "DiffResult",
    "EvalResult",
    "GroundTruth",
    "Images",
    "ImbalanceResult",
    "InputFormatError",
    "MatchTable",
    "MergeResult",
    "PillCompareError",
    "SubmissionCheck",
    "__version__",
    "check_submission",
    "convert",
    "diff",
    "evaluate",
    "imbalance",
    "load_ground_truth",
    "load_results",
    "match_detections",
    "merge_annotations",
    "write_atomic",
]
