"""load_results from memory: a list of COCO results records or a DataFrame, validated like a file."""

import numpy as np
import pandas as pd
import pytest

from pill_compare import evaluate, load_ground_truth, load_results
from pill_compare.errors import InputFormatError
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    return gt, None, load_results(SAMPLE / "resnet101.json", gt=gt)


def test_a_list_of_records_and_a_dataframe_load_like_the_file(sample):
    gt, _, b = sample
    from_list = load_results(b.to_coco(), gt=gt)
    from_frame = load_results(b.to_frame(), gt=gt, name="r101")
    bbox_frame = (
        b.to_frame()
        .assign(bbox=list(b.bbox))
        .drop(columns=["bbox_x", "bbox_y", "bbox_w", "bbox_h"])
    )
    for dets in (from_list, from_frame, load_results(bbox_frame)):
        assert np.array_equal(dets.bbox, b.bbox) and np.array_equal(dets.score, b.score)
        assert np.array_equal(dets.image_id, b.image_id)
        assert np.array_equal(dets.category_id, b.category_id)
    assert from_list.name == "detections" and from_list.source == ""
    assert from_frame.name == "r101"
    assert evaluate(gt, from_frame).coco.stats == evaluate(gt, b).coco.stats


def test_numpy_scalars_and_arrays_in_records_are_accepted():
    records = [
        {
            "image_id": np.int64(3),
            "category_id": np.int32(7),
            "bbox": np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32),
            "score": np.float32(0.5),
        },
        {"image_id": 3, "category_id": 7, "bbox": (5, 6, 7, 8), "score": 0.25},
    ]
    dets = load_results(records)
    assert dets.image_id.tolist() == [3, 3]
    assert dets.bbox.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]


def test_bad_in_memory_records_are_named_like_a_file_records():
    records = [{"image_id": 1, "category_id": 2, "bbox": [0, 0, -1, 4], "score": 0.5}]
    with pytest.raises(
        InputFormatError,
        match=r"mine \(in-memory list\): detection #0: 'bbox' must be \[x, y, w, h\]",
    ):
        load_results(records, name="mine")
    frame = pd.DataFrame({"image_id": [1, 2], "category_id": [1, None], "bbox": [[0, 0, 1, 1]] * 2})
    with pytest.raises(InputFormatError, match=r"missing column\(s\) score"):
        load_results(frame)
    frame["score"] = [0.5, float("nan")]
    with pytest.raises(InputFormatError) as e:
        load_results(frame)
    assert "detections (DataFrame): detection #1: 'category_id' must be an integer" in str(e.value)
    assert "detection #1: 'score' must be a finite number, got NaN" in str(e.value)


def test_other_sources_are_a_type_error():
    with pytest.raises(TypeError, match="Expected a file path, a list of COCO results records"):
        load_results({"image_id": 1})
    with pytest.raises(TypeError, match="Expected gt to be GroundTruth, got str"):
        load_results([], gt="gt.json")


def test_in_memory_detections_with_unknown_ids_are_left_out_against_a_gt(sample):
    gt, _, b = sample
    records = [*b.to_coco(), {**b.to_coco()[0], "image_id": 10**9}]
    dets = load_results(records, gt=gt, name="mine")
    assert len(dets) == len(b) and dets.left_out.image_ids == {10**9: 1}
    (warning,) = dets.warnings
    assert warning.startswith(f"mine: 1 of {len(b) + 1} detections left out: image ids 1000000000")
