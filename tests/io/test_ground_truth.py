"""Loading a COCO ground truth: sections, records, ids, and the helpful mix-up messages."""

import os

import numpy as np
import pytest

from pill_compare.errors import ConsistencyError, InputFormatError
from pill_compare.io import ground_truth_from_dict, load_ground_truth
from tests.conftest import SAMPLE, det, gt_dict, write_json, write_text


def test_valid_ground_truth_loads_every_column():
    gt = ground_truth_from_dict(gt_dict({1: [10, 11], 2: [11]}), source="gt.json")
    assert gt.images.id.tolist() == [1, 2]
    assert gt.annotations.category_id.tolist() == [10, 11, 11]
    assert gt.annotations.bbox.shape == (3, 4)
    assert gt.warnings == ()
    assert gt.source == "gt.json"


def test_ground_truth_without_categories():
    doc = gt_dict({1: [10]})
    del doc["categories"]
    with pytest.raises(
        InputFormatError,
        match=r"gt\.json: ground truth is missing 'categories'; expected COCO ground truth JSON",
    ):
        ground_truth_from_dict(doc, source="gt.json")


def test_ground_truth_with_null_and_missing_sections_names_them_all():
    with pytest.raises(InputFormatError, match="missing 'images', 'annotations', 'categories'"):
        ground_truth_from_dict({"images": None}, source="gt.json")


def test_ground_truth_with_empty_categories():
    doc = gt_dict({1: []}, categories={})
    with pytest.raises(
        InputFormatError, match="'categories' is empty; a ground truth must declare"
    ):
        ground_truth_from_dict(doc, source="gt.json")


def test_section_that_is_not_a_list():
    doc = gt_dict({1: [10]})
    doc["images"] = {"1": "a.png"}
    with pytest.raises(InputFormatError, match="'images' must be a JSON list, got a JSON object"):
        ground_truth_from_dict(doc, source="gt.json")


def test_ground_truth_that_is_not_an_object(tmp_path):
    with pytest.raises(
        InputFormatError, match=r"expected COCO ground truth JSON .*, got a JSON string"
    ):
        load_ground_truth(write_json(tmp_path, "gt.json", "images"))


def test_results_list_passed_as_ground_truth_gets_a_hint(tmp_path):
    with pytest.raises(
        InputFormatError,
        match=r"got a JSON list \(a list is what a COCO results file holds: this looks like detections\)",
    ):
        load_ground_truth(write_json(tmp_path, "resnet101.json", [det(1, 2)]))


def test_results_object_passed_as_ground_truth_gets_a_hint(tmp_path):
    with pytest.raises(
        InputFormatError,
        match=r"missing 'images', 'categories'; .*\(this looks like a results file; pass it as a result, not as the ground truth",
    ):
        load_ground_truth(write_json(tmp_path, "r.json", {"annotations": [det(1, 2)]}))


def test_unreadable_ground_truth_file(tmp_path):
    with pytest.raises(InputFormatError, match=r"gt\.json: the JSON is truncated"):
        load_ground_truth(write_text(tmp_path, "gt.json", '{"images": ['))


def test_bad_annotation_records_are_listed():
    doc = gt_dict({1: [10, 10]})
    doc["annotations"][0]["bbox"] = [0, 0, -1, 5]
    doc["annotations"][1]["iscrowd"] = 2
    doc["images"][0]["width"] = -5
    with pytest.raises(InputFormatError, match=r"gt\.json: 1 problem\(s\) in its images") as e:
        ground_truth_from_dict(doc, source="gt.json")
    assert "gt.json: image #0: 'width' must be >= 0, got -5" in str(e.value)
    doc["images"][0]["width"] = 5
    with pytest.raises(InputFormatError, match=r"2 problem\(s\) in its annotations") as e:
        ground_truth_from_dict(doc, source="gt.json")
    assert "annotation #0: 'bbox' must be [x, y, w, h]: 4 finite numbers with w, h > 0" in str(
        e.value
    )
    assert "annotation #1: 'iscrowd' must be 0 or 1, got 2" in str(e.value)


def test_category_without_name():
    doc = gt_dict({1: [10]})
    del doc["categories"][0]["name"]
    with pytest.raises(InputFormatError, match=r"category #0: 'name' is missing"):
        ground_truth_from_dict(doc, source="gt.json")


def test_duplicate_image_ids():
    doc = gt_dict({1: [10], 2: [10]})
    doc["images"][1]["id"] = 1
    with pytest.raises(
        ConsistencyError,
        match=r"gt\.json: 1 duplicate image id\(s\): 1; each image id must be unique",
    ):
        ground_truth_from_dict(doc, source="gt.json")


def test_duplicate_annotation_and_category_ids():
    doc = gt_dict({1: [10, 11]})
    doc["annotations"][1]["id"] = 1
    with pytest.raises(ConsistencyError, match=r"1 duplicate annotation id\(s\): 1"):
        ground_truth_from_dict(doc, source="gt.json")
    doc = gt_dict({1: [10]}, categories={10: "a"})
    doc["categories"].append({"id": 10, "name": "b"})
    with pytest.raises(ConsistencyError, match=r"1 duplicate category id\(s\): 10"):
        ground_truth_from_dict(doc, source="gt.json")


def test_annotations_pointing_at_unknown_images():
    doc = gt_dict({1: [10], 2: [10]})
    doc["annotations"][1]["image_id"] = 99
    with pytest.raises(
        ConsistencyError,
        match=r"1 annotation\(s\) have a 'image_id' not declared in 'images' "
        r"\(first: annotation #1\); unknown image_ids: 99",
    ):
        ground_truth_from_dict(doc, source="gt.json")


def test_annotations_pointing_at_undeclared_categories():
    doc = gt_dict({1: [10, 12, 13]}, categories={10: "a"})
    with pytest.raises(
        ConsistencyError,
        match=r"2 annotation\(s\) have a 'category_id' not declared in 'categories' "
        r"\(first: annotation #1\); unknown category_ids: 12, 13",
    ):
        ground_truth_from_dict(doc, source="gt.json")


def test_missing_area_defaults_to_w_times_h_with_a_warning():
    doc = gt_dict({1: [10]})
    del doc["annotations"][0]["area"]  # bbox is [1, 2, 3, 4]: area 3 * 4 = 12
    gt = ground_truth_from_dict(doc, source="gt.json")
    assert gt.annotations.area.tolist() == [12.0]
    assert gt.warnings == (
        "gt.json: 1 annotation(s) have no 'area'; using w*h "
        "(COCO's small/medium/large ranges use this field)",
    )


def test_no_annotations_is_legal_with_a_warning():
    gt = ground_truth_from_dict(gt_dict({1: []}, categories={10: "a"}), source="gt.json")
    assert len(gt.annotations) == 0
    assert gt.warnings == ("gt.json: the ground truth has no annotations",)


def test_sample_ground_truth_loads_cleanly():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    assert gt.warnings == ()
    assert np.isin(gt.annotations.image_id, gt.images.id).all()


def test_lone_surrogate_in_a_name_is_refused_at_load(tmp_path):
    doc = gt_dict({1: [10]})
    doc["categories"][0]["name"] = "pill\ud800"  # json.dumps writes it as the escape \ud800
    with pytest.raises(InputFormatError, match=r"gt\.json: 1 problem\(s\) in its categor") as e:
        load_ground_truth(write_json(tmp_path, "gt.json", doc))
    assert "category #0: 'name' must be valid Unicode text, got a lone surrogate" in str(e.value)


def test_image_id_beyond_int64_says_it_is_too_large(tmp_path):
    doc = gt_dict({1: [10]})
    doc["images"][0]["id"] = 2**70
    with pytest.raises(InputFormatError) as e:
        load_ground_truth(write_json(tmp_path, "gt.json", doc))
    assert (
        "image #0: 'id' must be an integer in the int64 range (|id| < 2^63), "
        "got 1180591620717411303424"
    ) in str(e.value)


def test_source_of_a_file_with_undecodable_bytes_in_its_name_is_printable(tmp_path):
    path = write_json(tmp_path, os.fsdecode(b"gt\xff.json"), gt_dict({1: [10]}))
    gt = load_ground_truth(path)
    assert gt.source.endswith("gt\\udcff.json")
    gt.source.encode("utf-8")


def test_annotation_attributes_are_kept_and_a_non_object_is_left_out_with_a_warning():
    doc = gt_dict({1: [10, 11], 2: [11]})
    doc["annotations"][0]["attributes"] = {"drug_shape": "원형", "print_front": ""}
    doc["annotations"][2]["attributes"] = "round"  # not an object: left out, one warning
    gt = ground_truth_from_dict(doc, source="gt.json")
    rows = [gt.annotations.attributes_of(i) for i in range(3)]
    assert rows == [{"drug_shape": "원형", "print_front": ""}, {}, {}]
    assert gt.annotations.has_attributes
    assert gt.warnings == (
        "gt.json: 1 annotation(s) have an 'attributes' that is not a JSON object; it is left "
        "out (slices by attribute read an object of key: value)",
    )
    # written back by to_coco (only where there are some) and read again the same
    again = ground_truth_from_dict(gt.to_coco())
    assert [again.annotations.attributes_of(i) for i in range(3)] == rows
    assert "attributes" not in gt.to_coco()["annotations"][1]


def test_a_ground_truth_without_attributes_has_empty_ones():
    gt = ground_truth_from_dict(gt_dict({1: [10]}))
    assert gt.annotations.attributes == {} and gt.annotations.attributes_of(0) == {}
    assert not gt.annotations.has_attributes
