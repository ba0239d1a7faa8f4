"""The Python API as a notebook user meets it: doctests, short reprs, the COCO stats as a
DataFrame, and clear TypeError / ValueError on misuse (in-memory detections:
tests/io/test_results_memory.py)."""

import doctest
import json
import math

import numpy as np
import pytest

import pill_compare
from pill_compare import (
    Detections,
    GroundTruth,
    diff,
    evaluate,
    imbalance,
    load_ground_truth,
    load_results,
    match_detections,
)
from pill_compare.analysis import arguments
from pill_compare.io import ground_truth_from_dict
from tests.conftest import REPO, SAMPLE


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    return (
        gt,
        load_results(SAMPLE / "efficientnet_b3.json", gt=gt),
        load_results(SAMPLE / "resnet101.json", gt=gt),
    )


@pytest.mark.parametrize(
    "module", [pill_compare, pill_compare.core, arguments, pill_compare.io.results]
)
def test_docstring_examples_run(module, monkeypatch):
    monkeypatch.chdir(REPO)  # the package docstring uses data/sample/... paths
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failed == 0


def test_every_exported_name_exists_and_result_types_are_exported():
    for name in pill_compare.__all__:
        assert hasattr(pill_compare, name), name
    wanted = {
        "DiffResult", "ImageDiff", "Substitution", "EvalResult", "CocoMetrics", "ClassAP",
        "OperatingPoint", "ClassCounts", "Accuracy", "ConfusionMatrix", "ImbalanceResult",
        "CategoryCount", "MatchTable", "LeftOut",
    }  # fmt: skip
    assert wanted <= set(pill_compare.__all__)


def test_reprs_are_short_and_give_counts(sample, monkeypatch):
    gt, a, b = sample
    monkeypatch.chdir(REPO)
    assert repr(load_ground_truth("data/sample/ground_truth.json")) == (
        "GroundTruth(source='data/sample/ground_truth.json', images=280, annotations=1015, "
        "categories=22, warnings=0)"
    )
    assert repr(gt.images) == "Images(images=280, with_size=280)"
    assert "detections=1012, images=280, categories=21, warnings=0)" in repr(b)
    ev = evaluate(gt, b)
    assert "map=0.8239" in repr(ev) and "map=0.8239" in repr(ev.coco)
    objects = [gt, gt.images, gt.annotations, a, b, diff(a, b, gt=gt), imbalance(gt), ev]
    objects += [ev.coco, ev.operating_point, ev.accuracy, ev.confusion, ev.matches]
    for obj in objects:
        text = repr(obj)
        assert text.startswith(type(obj).__name__ + "(") and len(text) < 300, text


def test_per_class_records_are_the_frame_rows_built_without_pandas(sample):
    gt, a, b = sample
    # One of the 22 declared classes has no GT box and no detection: AP and the operating
    # point's ratios are None there (NaN in the frame).
    for run in (a, b):
        ev = evaluate(gt, run)
        records = ev.per_class_records()
        # The reference: the COCO rows joined with the operating point's on the category id.
        op = ev.operating_point.to_frame().drop(columns=["name", "gt"])
        joined = ev.coco.to_frame().merge(op, on="category_id", how="left")
        joined = joined.astype(object).where(joined.notna(), None)
        assert records == joined.to_dict(orient="records")
        assert records == ev.to_frame().to_dict(orient="records")
        assert len(records) == 22
        assert [r["category_id"] for r in records if r["ap"] is None] == [18109]
        assert json.dumps(records) == json.dumps(joined.to_dict(orient="records"))


def test_long_sources_are_cut_in_reprs():
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    gt = ground_truth_from_dict(doc, source="/data/" + "x" * 100 + "/ground_truth.json")
    assert f"source='...{gt.source[-57:]}', images=280" in repr(gt)


def test_stats_frame_has_the_12_stats_with_definitions(sample):
    gt, _, b = sample
    ev = evaluate(gt, b)
    frame = ev.stats_frame()
    assert frame.columns.tolist() == ["metric", "value", "definition"]
    assert frame["metric"].tolist() == list(ev.coco.stats)
    assert len(frame) == 12
    for metric, value in zip(frame["metric"], frame["value"], strict=True):
        expected = ev.coco.stats[metric]
        assert (math.isnan(value) and expected is None) or value == expected
    assert frame.loc[1, "definition"] == "AP, IoU 0.50, all sizes, top 100"


# --- argument checks ---------------------------------------------------------------------------


def test_diff_of_file_names_says_to_load_them(sample):
    with pytest.raises(
        TypeError,
        match=r"diff\(\) expects Detections for a and b \(from load_results\), got str for a; "
        r"load the files first: load_results\('a\.json'\)",
    ):
        diff("a.json", "b.json")


def test_evaluate_with_swapped_arguments_says_so(sample):
    gt, _, b = sample
    with pytest.raises(
        TypeError,
        match=r"^evaluate\(\) expects \(gt: GroundTruth, dets: Detections\); "
        r"the arguments look swapped$",
    ):
        evaluate(b, gt)
    with pytest.raises(TypeError, match=r"load the file first: load_ground_truth\('gt\.json'\)"):
        evaluate("gt.json", b)
    with pytest.raises(TypeError, match="got str for dets; load the file first: load_results"):
        match_detections(gt, "a.json")
    with pytest.raises(TypeError, match=r"imbalance\(\) expects GroundTruth for gt"):
        imbalance(b)


def test_ground_truth_parts_are_type_checked():
    with pytest.raises(TypeError, match=r"Expected GroundTruth\.images to be Images, got NoneType"):
        GroundTruth(None, None, None)
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    with pytest.raises(TypeError, match=r"Expected GroundTruth\.categories to be a sequence"):
        GroundTruth(gt.images, gt.annotations, None)
    with pytest.raises(TypeError, match=r"every item of GroundTruth\.categories to be Category"):
        GroundTruth(gt.images, gt.annotations, [{"id": 1}])
    with pytest.raises(ValueError, match="Expected unique category ids"):
        GroundTruth(gt.images, gt.annotations, gt.categories + gt.categories[:1])
    with pytest.raises(TypeError, match=r"GroundTruth\.warnings to be a tuple of str, got str"):
        GroundTruth(gt.images, gt.annotations, gt.categories, warnings="oops")
    listed = GroundTruth(gt.images, gt.annotations, list(gt.categories), warnings=["w"])
    assert listed.categories == gt.categories and listed.warnings == ("w",)


def test_detections_fields_are_type_checked():
    with pytest.raises(TypeError, match=r"Expected Detections\.name to be str, got int"):
        Detections([1], [1], [[0, 0, 1, 1]], [0.5], name=3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_dets": [1.5]}, ValueError, r"Expected max_dets to be integers >= 1, got \[1\.5\]"),
        ({"max_dets": [0, 10]}, ValueError, "Expected max_dets to be integers >= 1"),
        ({"max_dets": 100}, TypeError, "Expected max_dets to be a sequence of integers"),
        ({"max_dets": ()}, ValueError, "Expected at least one max_dets cap"),
        ({"score_threshold": -1}, ValueError, "Expected score_threshold to be a finite number >= 0"),
        ({"score_threshold": "0.5"}, TypeError, "Expected score_threshold to be a number, got str"),
        ({"iou_threshold": 0}, ValueError, r"Expected iou_threshold to be a finite number > 0 and <= 1"),
        ({"iou_threshold": float("nan")}, ValueError, "Expected iou_threshold to be a finite"),
    ],
)  # fmt: skip
def test_evaluate_refuses_bad_parameters(sample, kwargs, error, message):
    gt, _, b = sample
    with pytest.raises(error, match=message):
        evaluate(gt, b, **kwargs)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (float("nan"), ValueError, "Expected rare_threshold to be an integer >= 0, got nan"),
        (2.5, ValueError, "Expected rare_threshold to be an integer >= 0, got 2.5"),
        ("10", TypeError, "Expected rare_threshold to be an integer, got str"),
        (True, TypeError, "Expected rare_threshold to be an integer, got bool"),
    ],
)
def test_imbalance_refuses_bad_rare_thresholds(sample, value, error, message):
    with pytest.raises(error, match=message):
        imbalance(sample[0], rare_threshold=value)


def test_integral_parameters_accept_numpy_integers(sample):
    gt, _, b = sample
    assert imbalance(gt, rare_threshold=np.int64(10)).rare_threshold == 10
    assert evaluate(gt, b, max_dets=np.array([1, 10, 100]).tolist()).coco.max_dets == (1, 10, 100)
    assert evaluate(gt, b, max_dets=(np.int64(100), np.int64(1))).coco.max_dets == (1, 100)


def test_metric_functions_refuse_anything_but_a_match_table(sample):
    from pill_compare.analysis.accuracy import compute_accuracy
    from pill_compare.analysis.coco_metrics import compute_coco_metrics
    from pill_compare.analysis.confusion import compute_confusion_matrix
    from pill_compare.analysis.operating_point import compute_operating_point

    gt, _, b = sample
    for fn in (compute_accuracy, compute_coco_metrics, compute_confusion_matrix):
        with pytest.raises(TypeError, match=rf"^{fn.__name__}\(\) expects MatchTable for table"):
            fn(b)
    table = match_detections(gt, b)
    with pytest.raises(ValueError, match="Expected score_threshold to be a finite number >= 0"):
        compute_operating_point(table, score_threshold=-0.5)
    with pytest.raises(ValueError, match="Expected score_threshold to be a finite number >= 0"):
        compute_confusion_matrix(table, score_threshold=float("inf"))
