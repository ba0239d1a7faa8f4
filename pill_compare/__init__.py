"""pillcmp: compare two object detectors exactly — which is better, where they disagree, and why.

The public API (the CLI only wraps these). Run from the repository root, this example is a
doctest (``tests/test_api.py`` runs it)::

    >>> from pill_compare import compare, diff, evaluate, imbalance, load_ground_truth, load_results
    >>> gt = load_ground_truth("data/sample/ground_truth.json")
    >>> gt
    GroundTruth(source='data/sample/ground_truth.json', images=280, annotations=1015, categories=22, warnings=0)
    >>> a = load_results("data/sample/efficientnet_b3.json", gt=gt)
    >>> b = load_results("data/sample/resnet101.json", gt=gt)
    >>> b
    Detections(name='resnet101', source='data/sample/resnet101.json', detections=1012, images=280, categories=21, warnings=0)
    >>> result = diff(a, b, gt=gt)
    >>> result
    DiffResult(a='efficientnet_b3', b='resnet101', differing_images=61, images_total=280, substitutions=16, images_only_a=0, images_only_b=1)
    >>> result.substitutions[1]
    Substitution(a=34596, b=30307, image_ids=(10, 73, 104, 130, 199, 200, 243))
    >>> len(result.to_frame())  # one row per differing image
    61
    >>> round(imbalance(gt).imbalance_ratio, 2)
    12.57
    >>> ev = evaluate(gt, b)
    >>> round(ev.coco.stats["map"], 4)  # equals pycocotools COCOeval.stats[0]
    0.8239
    >>> ev.stats_frame().columns.tolist()  # the 12 COCO stats, one row each
    ['metric', 'value', 'definition']
    >>> c = compare(gt, a, b, n_bootstrap=200, seed=0)  # B - A, a paired bootstrap over images
    >>> c.verdict.code, round(c.verdict.delta, 4)
    ('b_better', 0.1706)
    >>> c.disagreements.swap_patterns[1]  # the hand-written report's 25366 <-> 10223, with who was right
    SwapPattern(a=25366, b=10223, swaps=10, image_ids=(14, 27, 109, 111, 115, 131, 190, 201, 238, 244), verdicts={'a_right': 0, 'b_right': 10, 'both_wrong': 0, 'no_gt': 0, 'both_right': 0, 'ignored': 0})

Detections from memory (COCO results records, or a DataFrame) get the same validation::

    >>> mine = load_results(
    ...     [{"image_id": 1, "category_id": 99999, "bbox": [10, 20, 30, 40], "score": 0.9}],
    ...     gt=gt, name="mine")
    >>> mine.left_out  # pycocotools leaves unknown ids out too
    LeftOut(detections=1, total=1, image_ids={}, category_ids={99999: 1})

Importing this package never imports torch; the neural-network side lives in ``pill_compare.nn``.
"""

from typing import TYPE_CHECKING

from pill_compare.lazy import lazy_exports
from pill_compare.version import __version__

#: Where each public name lives. A name is imported on its first use (PEP 562), so that
#: ``import pill_compare`` and each command load only the modules they need (``pillcmp eval``
#: on the sample: ~0.07 s less than importing every analysis).
_EXPORTS = {
    "Accuracy": "pill_compare.analysis.accuracy",
    "Annotations": "pill_compare.core",
    "Category": "pill_compare.core",
    "CategoryCount": "pill_compare.analysis.imbalance",
    "ClassAP": "pill_compare.analysis.coco_metrics",
    "ClassCounts": "pill_compare.analysis.operating_point",
    "CocoMetrics": "pill_compare.analysis.coco_metrics",
    "ComparisonResult": "pill_compare.analysis.compare",
    "ConfigError": "pill_compare.errors",
    "ConfusionMatrix": "pill_compare.analysis.confusion",
    "ConsistencyError": "pill_compare.errors",
    "ConvertResult": "pill_compare.prep",
    "Detections": "pill_compare.core",
    "DiffResult": "pill_compare.analysis.diff",
    "EvalResult": "pill_compare.analysis.evaluate",
    "GroundTruth": "pill_compare.core",
    "ImageDiff": "pill_compare.analysis.diff",
    "Images": "pill_compare.core",
    "ImbalanceResult": "pill_compare.analysis.imbalance",
    "InputFormatError": "pill_compare.errors",
    "LeftOut": "pill_compare.core",
    "MatchTable": "pill_compare.analysis.matching",
    "MergeResult": "pill_compare.prep",
    "OperatingPoint": "pill_compare.analysis.operating_point",
    "PillCompareError": "pill_compare.errors",
    "SubmissionCheck": "pill_compare.prep",
    "Substitution": "pill_compare.analysis.diff",
    "check_submission": "pill_compare.prep",
    "coco_iou_thresholds": "pill_compare.analysis.matching",
    "compare": "pill_compare.analysis.compare",
    "convert": "pill_compare.prep",
    "diff": "pill_compare.analysis.diff",
    "evaluate": "pill_compare.analysis.evaluate",
    "imbalance": "pill_compare.analysis.imbalance",
    "load_ground_truth": "pill_compare.io",
    "load_results": "pill_compare.io",
    "match_detections": "pill_compare.analysis.matching",
    "merge_annotations": "pill_compare.prep",
    "restrict_to_ground_truth": "pill_compare.consistency",
    "write_atomic": "pill_compare.io",
}


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # the same names for type checkers and editors
    from pill_compare.analysis.accuracy import Accuracy
    from pill_compare.analysis.coco_metrics import ClassAP, CocoMetrics
    from pill_compare.analysis.compare import ComparisonResult, compare
    from pill_compare.analysis.confusion import ConfusionMatrix
    from pill_compare.analysis.diff import DiffResult, ImageDiff, Substitution, diff
    from pill_compare.analysis.evaluate import EvalResult, evaluate
    from pill_compare.analysis.imbalance import CategoryCount, ImbalanceResult, imbalance
    from pill_compare.analysis.matching import MatchTable, coco_iou_thresholds, match_detections
    from pill_compare.analysis.operating_point import ClassCounts, OperatingPoint
    from pill_compare.consistency import restrict_to_ground_truth
    from pill_compare.core import Annotations, Category, Detections, GroundTruth, Images, LeftOut
    from pill_compare.errors import (
        ConfigError,
        ConsistencyError,
        InputFormatError,
        PillCompareError,
    )
    from pill_compare.io import load_ground_truth, load_results, write_atomic
    from pill_compare.prep import (
        ConvertResult,
        MergeResult,
        SubmissionCheck,
        check_submission,
        convert,
        merge_annotations,
    )

__all__ = [
    "Accuracy",
    "Annotations",
    "Category",
    "CategoryCount",
    "ClassAP",
    "ClassCounts",
    "CocoMetrics",
    "ComparisonResult",
    "ConfigError",
    "ConfusionMatrix",
    "ConsistencyError",
    "ConvertResult",
    "Detections",
    "DiffResult",
    "EvalResult",
    "GroundTruth",
    "ImageDiff",
    "Images",
    "ImbalanceResult",
    "InputFormatError",
    "LeftOut",
    "MatchTable",
    "MergeResult",
    "OperatingPoint",
    "PillCompareError",
    "SubmissionCheck",
    "Substitution",
    "__version__",
    "check_submission",
    "coco_iou_thresholds",
    "compare",
    "convert",
    "diff",
    "evaluate",
    "imbalance",
    "load_ground_truth",
    "load_results",
    "match_detections",
    "merge_annotations",
    "restrict_to_ground_truth",
    "write_atomic",
]
