"""pillcmp: compare two object detectors exactly — which is better, where they disagree, and why.

The public API (the CLI only wraps these)::

    from pill_compare import load_ground_truth, load_results, diff, imbalance

    gt = load_ground_truth("data/sample/ground_truth.json")
    a = load_results("data/sample/efficientnet_b3.json", gt=gt)
    b = load_results("data/sample/resnet101.json", gt=gt)
    result = diff(a, b, category_names=gt.category_names)
    result.to_frame()          # one row per differing image
    imbalance(gt).imbalance_ratio

Importing this package never imports torch; the neural-network side lives in ``pill_compare.nn``.
"""

from pill_compare.analysis.diff import DiffResult, diff
from pill_compare.analysis.imbalance import ImbalanceResult, imbalance
from pill_compare.core import Annotations, Category, Detections, GroundTruth, Images
from pill_compare.errors import ConfigError, ConsistencyError, InputFormatError, PillCompareError
from pill_compare.io import load_ground_truth, load_results, write_atomic

__version__ = "0.1.0"

__all__ = [
    "Annotations",
    "Category",
    "ConfigError",
    "ConsistencyError",
    "Detections",
    "DiffResult",
    "GroundTruth",
    "Images",
    "ImbalanceResult",
    "InputFormatError",
    "PillCompareError",
    "__version__",
    "diff",
    "imbalance",
    "load_ground_truth",
    "load_results",
    "write_atomic",
]
