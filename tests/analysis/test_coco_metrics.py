"""COCO metrics: equal to pycocotools on hundreds of random datasets, and on hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.coco_metrics import stat_specs
from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import coco_iou_thresholds
from pill_compare.errors import ConsistencyError
from tests.analysis.eval_fixtures import (
    box,
    coco_oracle,
    detections,
    ground_truth,
    gt_doc,
    random_case,
)

COCO_KEYS = [
    "map", "map_50", "map_75", "map_small", "map_medium", "map_large",
    "mar_1", "mar_10", "mar_100", "mar_small", "mar_medium", "mar_large",
]  # fmt: skip


def _seeds(start: int, count: int) -> list[int]:
    """Seeds from ``start`` whose random case has annotations (pycocotools needs some)."""
    out, seed = [], start
    while len(out) < count:
        if random_case(seed).gt["annotations"]:
            out.append(seed)
        seed += 1
    return out


def _perfectible(annotations: list[dict]) -> bool:
    """At least one countable box, and no annotation id 0 (pycocotools counts its match FP)."""
    return any(not a["iscrowd"] for a in annotations) and all(a["id"] for a in annotations)


def _stats_as_pycocotools(stats: dict) -> np.ndarray:
    return np.array([-1.0 if v is None else v for v in stats.values()])


def _run(case, **kwargs):
    return evaluate(ground_truth(case.gt), detections(case.results), **kwargs)


def _assert_arrays_equal(coco, oracle, doc) -> None:
    """Our arrays are pycocotools' columns of the categories with a GT box or a detection; its
    other columns (declared categories with neither) are -1 throughout."""
    declared = sorted(c["id"] for c in doc["categories"])
    cols = np.searchsorted(declared, coco.category_ids)
    assert np.array_equal(coco.precision, oracle.precision[:, :, cols])
    assert np.array_equal(coco.recall, oracle.recall[:, cols])
    rest = np.setdiff1d(np.arange(len(declared)), cols)
    assert (oracle.precision[:, :, rest] == -1).all() and (oracle.recall[:, rest] == -1).all()


@pytest.mark.parametrize("seed", _seeds(1000, 300))
def test_default_evaluation_equals_pycocotools_exactly(seed):
    case = random_case(seed)
    oracle = coco_oracle(case.gt, case.results)
    result = _run(case)
    assert list(result.coco.stats) == COCO_KEYS
    # Bit-identical: the same float64 operations in the same order.
    assert np.array_equal(_stats_as_pycocotools(result.coco.stats), oracle.stats)
    _assert_arrays_equal(result.coco, oracle, case.gt)


@pytest.mark.parametrize("seed", _seeds(5000, 100))
def test_competition_iou_range_equals_pycocotools(seed):
    # mAP@[0.75:0.95]: pycocotools with iouThrs = linspace(0.75, 0.95, 5); map_50 is n/a (-1).
    case = random_case(seed)
    thresholds = coco_iou_thresholds(0.75, 0.95, 0.05)
    oracle = coco_oracle(case.gt, case.results, iou_thresholds=thresholds)
    result = _run(case, iou_thresholds=thresholds)
    assert np.array_equal(_stats_as_pycocotools(result.coco.stats), oracle.stats)
    assert result.coco.stats["map_50"] is None


@pytest.mark.parametrize("seed", _seeds(9000, 100))
def test_custom_thresholds_and_max_dets_equal_pycocotools_arrays(seed):
    # Small caps (1, 3, 5) make the per-(image, category) maxDets cut bite on these small cases;
    # threshold 1.0 exercises pycocotools' 1 - 1e-10 cap.
    case = random_case(seed)
    thresholds = np.array([0.3, 0.5, 0.62, 1.0])
    oracle = coco_oracle(case.gt, case.results, iou_thresholds=thresholds, max_dets=(1, 3, 5))
    result = _run(case, iou_thresholds=thresholds, max_dets=(1, 3, 5), iou_threshold=0.45)
    _assert_arrays_equal(result.coco, oracle, case.gt)
    # Every stat but stats[0] (pycocotools hard-codes maxDets=100 there) is the same.
    assert np.array_equal(_stats_as_pycocotools(result.coco.stats)[1:], oracle.stats[1:])


def test_per_class_ap_is_the_mean_of_pycocotools_precision_slice():
    case = random_case(1003)
    oracle = coco_oracle(case.gt, case.results)
    result = _run(case)
    for k, c in enumerate(result.coco.per_class):
        p = oracle.precision[:, :, k, 0, -1]
        expected = np.mean(p[p > -1]) if (p > -1).any() else None
        assert c.ap == expected
        r = oracle.recall[:, k, 0, -1]
        assert c.ar == (np.mean(r[r > -1]) if (r > -1).any() else None)


# --- hand-checked cases ------------------------------------------------------------------------

ONE_GT = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 100, 100)}]


def _single(bbox, score=0.9, anns=ONE_GT, **kwargs):
    results = [{"image_id": 1, "category_id": 1, "bbox": bbox, "score": score}]
    return evaluate(ground_truth(gt_doc(anns)), detections(results), **kwargs)


def test_single_box_matched_at_six_of_ten_thresholds_gives_map_0_6():
    # Detection (0, 0, 100, 78): IoU = 7800 / 10000 = 0.78, so it is a TP at 0.50, 0.55, ...,
    # 0.75 (6 thresholds: AP 1 each) and an FP at 0.80, ..., 0.95 (AP 0): mAP = 6 / 10 = 0.6.
    result = _single(box(0, 0, 100, 78))
    assert result.coco.stats["map"] == pytest.approx(0.6, abs=1e-12)
    # Precision 1 is 1 / (1 + np.spacing(1)) in pycocotools: hence approx.
    assert result.coco.stats["map_50"] == pytest.approx(1.0, abs=1e-12)
    assert result.coco.stats["map_75"] == pytest.approx(1.0, abs=1e-12)
    assert result.coco.stats["mar_100"] == pytest.approx(0.6, abs=1e-12)
    # The box (area 10000 >= 96²) is large: no small or medium GT, so those are n/a.
    assert result.coco.stats["map_small"] is None
    assert result.coco.stats["map_large"] == pytest.approx(0.6, abs=1e-12)


@pytest.mark.parametrize(
    "seed",
    [s for s in range(1000, 1030) if _perfectible(random_case(s).gt["annotations"])],
)
def test_perfect_run_gives_map_one(seed):
    # Every non-crowd GT box returned as a detection with score 1. mar_1 can stay below 1: an
    # image with two boxes of one class keeps only one detection under maxDets = 1.
    doc = random_case(seed).gt
    perfect = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1}
        for a in doc["annotations"]
        if not a["iscrowd"]
    ]
    result = evaluate(ground_truth(doc), detections(perfect))
    stats = result.coco.stats
    assert stats["map"] == pytest.approx(1.0, abs=1e-12)
    assert stats["mar_100"] == pytest.approx(1.0, abs=1e-12)
    assert np.array_equal(_stats_as_pycocotools(stats), coco_oracle(doc, perfect).stats)
    assert result.operating_point.micro.f1 == 1.0


def test_perfect_run_with_one_box_per_image_and_class_gives_one_everywhere():
    # One small, one medium, one large box: every one of the 12 stats is defined and equals 1.
    doc = gt_doc(
        [
            {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 20, 20)},
            {"image_id": 1, "category_id": 2, "bbox": box(0, 0, 60, 60)},
            {"image_id": 2, "category_id": 1, "bbox": box(0, 0, 200, 200)},
        ]
    )
    perfect = [{**a, "score": 0.9} for a in doc["annotations"]]
    result = evaluate(ground_truth(doc), detections(perfect))
    assert all(v == pytest.approx(1.0, abs=1e-12) for v in result.coco.stats.values())


@pytest.mark.parametrize(
    ("fp_image", "expected"),
    [
        # The FP's image id (1) sorts before the TP's (2): with equal scores pycocotools visits it
        # first, so precision at recall 1 is 1/2 at every threshold: mAP = 0.5.
        (1, 0.5),
        # The FP's image id (3) sorts after: the TP comes first, precision 1 at recall 1: 1.0.
        (3, 1.0),
    ],
)
def test_fp_on_image_without_gt_tying_a_tp_score(fp_image, expected):
    doc = gt_doc(
        [{"image_id": 2, "category_id": 1, "bbox": box(0, 0, 50, 50)}], image_ids=[1, 2, 3]
    )
    results = [
        {"image_id": 2, "category_id": 1, "bbox": box(0, 0, 50, 50), "score": 0.7},
        {"image_id": fp_image, "category_id": 1, "bbox": box(0, 0, 50, 50), "score": 0.7},
    ]
    result = evaluate(ground_truth(doc), detections(results))
    assert result.coco.stats["map"] == pytest.approx(expected, abs=1e-12)
    assert result.coco.stats["map"] == coco_oracle(doc, results).stats[0]


def test_category_with_detections_but_no_gt_is_na_and_left_out_of_the_mean():
    # Category 2 is declared, has a detection but no GT: pycocotools leaves it out (-1), so map
    # is category 1's alone (perfect: 1.0), not (1 + 0) / 2.
    doc = gt_doc([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50)}], categories=[1, 2])
    results = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50), "score": 0.9},
        {"image_id": 1, "category_id": 2, "bbox": box(60, 60, 20, 20), "score": 0.8},
    ]
    result = evaluate(ground_truth(doc), detections(results))
    assert result.coco.stats["map"] == pytest.approx(1.0, abs=1e-12)
    assert result.coco.stats["map"] == coco_oracle(doc, results).stats[0]
    by_id = {c.category_id: c for c in result.coco.per_class}
    assert by_id[2].ap is None and by_id[2].gt == 0 and by_id[2].detections == 1
    assert any("detections but no GT box" in c for c in result.caveats)


def test_empty_results_give_zero_where_gt_exists():
    # pycocotools cannot even load an empty results list; every defined number is 0 here.
    doc = gt_doc(
        [
            {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
            {"image_id": 1, "category_id": 2, "bbox": box(0, 0, 200, 200)},
        ]
    )
    result = evaluate(ground_truth(doc), detections([]))
    assert result.coco.stats["map"] == 0.0
    assert result.coco.stats["map_small"] == 0.0
    assert result.coco.stats["map_medium"] is None  # no GT of that size
    assert result.coco.stats["mar_100"] == 0.0
    assert result.operating_point.micro.fn == 2 and result.operating_point.micro.precision is None


def test_crowd_only_category_is_na():
    doc = gt_doc(
        [
            {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50)},
            {"image_id": 1, "category_id": 2, "bbox": box(0, 0, 300, 300), "iscrowd": 1},
        ]
    )
    results = [{"image_id": 1, "category_id": 2, "bbox": box(10, 10, 30, 30), "score": 0.9}]
    result = evaluate(ground_truth(doc), detections(results))
    by_id = {c.category_id: c for c in result.coco.per_class}
    assert by_id[2].ap is None and by_id[2].crowd == 1
    assert result.coco.stats["map"] == 0.0  # category 1 alone: its GT was missed


def test_annotation_id_zero_keeps_the_pycocotools_quirk_and_says_so():
    # pycocotools tests the matched GT id for truth, so a match to annotation id 0 is an FP.
    doc = gt_doc([{"id": 0, "image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50)}])
    results = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50), "score": 0.9}]
    result = evaluate(ground_truth(doc), detections(results))
    assert result.coco.stats["map"] == coco_oracle(doc, results).stats[0] == 0.0
    assert result.coco.zero_id_matches == 1
    assert any("annotation id 0" in c for c in result.caveats)
    assert result.operating_point.micro.tp == 1  # the operating point counts the real match


def test_definitions_accompany_every_stat():
    result = _single(box(0, 0, 100, 78))
    assert set(result.coco.definitions) == set(result.coco.stats)
    assert result.coco.definitions["map_75"] == "AP, IoU 0.75, all sizes, top 100"
    assert "0.50:0.95" in result.coco.definitions["map"]


def test_custom_max_dets_name_the_recall_keys():
    keys = [s.key for s in stat_specs((1, 5, 20))]
    assert keys[6:9] == ["mar_1", "mar_5", "mar_20"]


def test_gt_without_annotations_is_refused_with_a_clear_message():
    doc = {"images": [{"id": 1}], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
    with pytest.raises(ConsistencyError, match="the ground truth has no annotations"):
        evaluate(ground_truth(doc), detections([]))


def test_detections_on_unknown_images_are_left_out_with_one_caveat():
    # In-memory detections never checked against the GT: evaluate restricts them itself.
    doc = gt_doc([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50)}])
    results = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 50, 50), "score": 0.9},
        {"image_id": 7, "category_id": 1, "bbox": box(0, 0, 5, 5), "score": 0.5},
        {"image_id": 9, "category_id": 1, "bbox": box(0, 0, 5, 5), "score": 0.5},
    ]
    result = evaluate(ground_truth(doc), detections(results))
    assert result.detections == 1
    assert result.left_out.image_ids == {7: 1, 9: 1}
    assert result.to_dict()["left_out"]["detections"] == 2
    (caveat,) = [c for c in result.caveats if "left out" in c]
    assert "2 of 3 detections left out: image ids 7 (1), 9 (1) are not in" in caveat
    assert result.coco.stats["map"] == coco_oracle(doc, results[:1]).stats[0]
