"""The data model: shape validation on construction and exact round trips."""

import numpy as np
import pandas as pd
import pytest

from pill_compare.core import Annotations, Detections, GroundTruth, Images
from pill_compare.io import ground_truth_from_dict, load_results
from pill_compare.io.results import CSV_COLUMNS
from tests.conftest import gt_dict, write_json


def _dets(n=2, **overrides):
    cols = {
        "image_id": np.arange(n),
        "category_id": np.arange(n) + 10,
        "bbox": np.ones((n, 4)),
        "score": np.linspace(0.1, 0.9, n),
    }
    cols.update(overrides)
    return Detections(**cols)


def test_detections_refuse_bbox_that_is_not_n_by_4():
    with pytest.raises(ValueError, match=r"Expected 'bbox' to have shape \(N, 4\), got \(2, 3\)"):
        _dets(bbox=np.ones((2, 3)))


def test_detections_refuse_columns_of_different_lengths():
    with pytest.raises(ValueError, match="Expected 'category_id' to have length 2, got 3"):
        _dets(category_id=[1, 2, 3])
    with pytest.raises(ValueError, match="Expected 'score' to have length 2, got 1"):
        _dets(score=[0.5])


def test_detections_refuse_two_dimensional_ids():
    with pytest.raises(ValueError, match=r"Expected 'image_id' to be 1-D, got shape \(2, 1\)"):
        _dets(image_id=[[1], [2]])


def test_detections_refuse_annotation_ids_of_wrong_length():
    with pytest.raises(ValueError, match="Expected 'annotation_id' to have length 2, got 5"):
        _dets(annotation_id=np.arange(5))


#: Two valid annotations: the reference case the annotation tests vary.
GOOD_ANNOTATIONS = {
    "id": [1, 2],
    "image_id": [1, 1],
    "category_id": [3, 4],
    "bbox": [[0, 0, 1, 1], [0, 0, 2, 2]],
    "area": [1, 4],
    "iscrowd": [0, 0],
}


def test_annotations_refuse_bad_shapes():
    good = dict(GOOD_ANNOTATIONS)
    Annotations(**good)  # the reference case builds
    with pytest.raises(ValueError, match=r"Expected 'bbox' to have shape \(N, 4\), got \(2, 2\)"):
        Annotations(**{**good, "bbox": [[0, 0], [1, 1]]})
    with pytest.raises(ValueError, match="Expected 'area' to have length 2, got 1"):
        Annotations(**{**good, "area": [1]})
    with pytest.raises(ValueError, match="Expected 'iscrowd' to have length 2, got 3"):
        Annotations(**{**good, "iscrowd": [0, 0, 1]})


def test_images_refuse_file_names_of_wrong_length():
    with pytest.raises(ValueError, match="Expected 'file_name' to have length 2, got 1"):
        Images(id=[1, 2], file_name=["a.png"], width=[1, 1], height=[1, 1])


def test_empty_detections_get_an_empty_n_by_4_bbox():
    d = Detections(image_id=[], category_id=[], bbox=[], score=[])
    assert len(d) == 0
    assert d.bbox.shape == (0, 4)


def test_columns_are_typed_and_read_only():
    d = _dets()
    assert d.image_id.dtype == np.int64 and d.bbox.dtype == np.float64
    with pytest.raises(ValueError, match="read-only"):
        d.score[0] = 1.0


def test_above_keeps_scores_at_or_over_the_threshold():
    d = _dets(n=3, score=[0.2, 0.5, 0.8])
    assert d.above(0.5).score.tolist() == [0.5, 0.8]
    assert d.above(0) is d  # 0 keeps everything, without a copy


def test_detections_to_frame_has_one_column_per_field():
    d = _dets(n=2, annotation_id=[7, 8])
    frame = d.to_frame()
    assert tuple(frame.columns) == CSV_COLUMNS  # the submission CSV's columns, in order
    assert frame["annotation_id"].tolist() == [7, 8]
    assert "annotation_id" not in _dets().to_frame().columns


def test_detections_to_coco_round_trips_through_the_loader(tmp_path):
    d = Detections(
        image_id=[3, 1],
        category_id=[25366, 10223],
        bbox=[[1.5, 2.25, 3.0, 4.0], [0.0, 0.0, 10.0, 20.0]],
        score=[0.125, 0.75],
        name="run",
    )
    back = load_results(write_json(tmp_path, "run.json", d.to_coco()))
    for col in ("image_id", "category_id", "bbox", "score"):
        np.testing.assert_array_equal(getattr(back, col), getattr(d, col))
    pd.testing.assert_frame_equal(back.to_frame(), d.to_frame())


def test_ground_truth_to_coco_round_trips_with_extra_category_fields():
    doc = gt_dict({1: [10, 11], 2: [11]})
    doc["categories"][0]["k_code"] = "K-000011"  # kept in Category.extra and written back
    doc["images"][1].pop("width")  # unknown width stays unknown (NaN), not written
    gt = ground_truth_from_dict(doc)
    assert isinstance(gt, GroundTruth)
    again = ground_truth_from_dict(gt.to_coco())
    pd.testing.assert_frame_equal(again.annotations.to_frame(), gt.annotations.to_frame())
    pd.testing.assert_frame_equal(again.images.to_frame(), gt.images.to_frame())
    assert again.categories == gt.categories
    assert gt.categories[0].extra == {"k_code": "K-000011"}
    assert "width" not in gt.to_coco()["images"][1]
    assert gt.category_names == {10: "c10", 11: "c11"}
    assert gt.category_ids.tolist() == [10, 11]


def test_annotations_attributes_default_to_empty_and_must_match_the_length():
    good = dict(GOOD_ANNOTATIONS)
    plain = Annotations(**good)
    assert plain.attributes == {} and not plain.has_attributes and plain.attributes_of(0) == {}
    given = Annotations(**good, attributes={"drug_shape": ["원형", None]})
    assert given.attributes_of(0) == {"drug_shape": "원형"} and given.attributes_of(1) == {}
    assert given.has_attributes
    with pytest.raises(ValueError, match="attributes\\['drug_shape'\\]"):
        Annotations(**good, attributes={"drug_shape": ["원형"]})
    with pytest.raises(TypeError, match=r"Expected Annotations\.attributes to be a mapping"):
        Annotations(**good, attributes=[{"drug_shape": "원형"}, {}])
