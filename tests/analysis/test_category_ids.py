"""The category-id space inference and the ``category_*`` findings.

Broken files are made from ``data/sample/resnet101.json`` (right boxes, wrong id space): ids + 1,
the class index (position in the GT's category list, from 0 or 1, file or sorted order) and a
permuted id list. The acceptance: the inferred map, applied when loading, gives exactly the 12
COCO stats of the original file. Hand-made cases have their answer in a comment; boxes are
(x, y, w, h), and a detection on a GT box's exact place has IoU 1 with it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from pill_compare.analysis.diagnosis import DiagnosisInputs, diagnose
from pill_compare.analysis.diagnosis.category_ids import (
    check_category_ids,
    infer_category_map,
    infer_category_map_between,
)
from pill_compare.analysis.evaluate import evaluate
from pill_compare.core import CategoryIdMap
from pill_compare.io import ground_truth_from_dict, load_ground_truth, load_results
from pill_compare.io.category_map import category_map_json, parse_category_map
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def gt():
    return load_ground_truth(SAMPLE / "ground_truth.json")


@pytest.fixture(scope="module")
def records():
    return json.loads((SAMPLE / "resnet101.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def original_stats(gt):
    return evaluate(gt, load_results(SAMPLE / "resnet101.json", gt=gt)).coco.stats


def relabel(records, new_id):
    """The records with each category id ``c`` replaced by ``new_id[c]``."""
    return [{**r, "category_id": int(new_id[r["category_id"]])} for r in records]


def broken_files(gt, records):
    """kind → (broken records, the kind inferred): the id spaces real files get wrong."""
    cats = gt.category_ids.tolist()  # the sample's file order happens to be sorted
    shuffled = np.random.default_rng(2024).permutation(cats).tolist()
    return {
        "k_number": (relabel(records, {c: c + 1 for c in cats}), "offset"),
        "class_index": (relabel(records, {c: i for i, c in enumerate(cats)}), "class_index"),
        "class_index_from_1": (
            relabel(records, {c: i + 1 for i, c in enumerate(cats)}),
            "class_index",
        ),
        "permutation": (relabel(records, dict(zip(cats, shuffled, strict=True))), "permutation"),
    }


@pytest.mark.parametrize("name", ["k_number", "class_index", "class_index_from_1", "permutation"])
def test_inferred_map_recovers_the_sample_stats_exactly(gt, records, original_stats, name):
    broken, kind = broken_files(gt, records)[name]
    raw = load_results(broken)
    inferred = infer_category_map(raw, gt)
    assert inferred.kind == kind
    # As given the ids explain (almost) nothing; mapped, as much as the clean file's ids do.
    clean = infer_category_map(load_results(SAMPLE / "resnet101.json"), gt)
    assert inferred.explained == clean.explained_as_given
    assert inferred.explained_as_given < 0.1
    fixed = load_results(broken, gt=gt, category_map=inferred.category_map)
    assert evaluate(gt, fixed).coco.stats == original_stats  # all 12, exactly
    assert inferred.category_map.origin == "auto"
    assert inferred.category_map.source == gt.source


def test_k_number_file_is_an_offset_of_plus_one(gt, records):
    broken, _ = broken_files(gt, records)["k_number"]
    inferred = infer_category_map(load_results(broken), gt)
    assert inferred.shift == 1
    assert inferred.category_map.offset == -1
    assert inferred.category_map.mapping == {}
    assert inferred.unmapped == ()


def test_class_index_map_covers_every_index_also_those_that_matched_nothing(gt, records):
    broken, _ = broken_files(gt, records)["class_index"]
    inferred = infer_category_map(load_results(broken), gt)
    # 18109 (index 7) has no GT box and no detection: the rule maps it all the same.
    assert (inferred.order, inferred.first_index) == ("file", 0)
    assert inferred.category_map.mapping == dict(enumerate(gt.category_ids.tolist()))
    assert 7 not in {p.from_id for p in inferred.pairs}


def test_class_index_counted_in_sorted_order_when_the_gt_lists_categories_unsorted(gt, records):
    doc = gt.to_coco()
    order = np.random.default_rng(5).permutation(len(doc["categories"]))
    doc["categories"] = [doc["categories"][i] for i in order]
    shuffled_gt = ground_truth_from_dict(doc, source="shuffled_gt.json")
    cats = sorted(gt.category_ids.tolist())
    broken = relabel(records, {c: i for i, c in enumerate(cats)})
    inferred = infer_category_map(load_results(broken), shuffled_gt)
    assert (inferred.kind, inferred.order, inferred.first_index) == ("class_index", "sorted", 0)
    expected = evaluate(shuffled_gt, load_results(SAMPLE / "resnet101.json", gt=shuffled_gt))
    fixed = load_results(broken, gt=shuffled_gt, category_map=inferred.category_map)
    assert evaluate(shuffled_gt, fixed).coco.stats == expected.coco.stats


def test_map_written_and_read_back_recovers_the_stats(gt, records, original_stats, tmp_path):
    broken, _ = broken_files(gt, records)["permutation"]
    inferred = infer_category_map(load_results(broken), gt)
    path = tmp_path / "map.json"
    path.write_text(category_map_json(inferred.category_map), encoding="utf-8")
    read = parse_category_map(str(path))
    assert isinstance(read, CategoryIdMap)
    assert read.mapping == inferred.category_map.mapping
    fixed = load_results(broken, gt=gt, category_map=read)
    assert evaluate(gt, fixed).coco.stats == original_stats


@pytest.mark.parametrize("name", ["resnet101", "efficientnet_b3"])
def test_clean_sample_files_give_no_finding(gt, name):
    # Both have genuine swaps between look-alike pills (efficientnet_b3: 16% of 10223 as 25366):
    # the ids as given explain the matches best.
    run = load_results(SAMPLE / f"{name}.json")
    inferred = infer_category_map(run, gt)
    assert inferred.kind == "identity"
    assert inferred.category_map.is_identity
    assert inferred.explained == inferred.explained_as_given > 0.95
    assert check_category_ids(DiagnosisInputs(gt=gt, runs={"a": run})) == []


def test_a_model_that_calls_one_class_another_gives_no_finding(gt, records):
    # Every 10223 detection relabelled 25366 (a model that never says 10223): 25366 then says
    # 10223 on ~77 matched boxes and 25366 on ~88; identity still explains more.
    confused = [
        {**r, "category_id": 25366 if r["category_id"] == 10223 else r["category_id"]}
        for r in records
    ]
    assert infer_category_map(load_results(confused), gt).kind == "identity"


def test_offset_finding_numbers(gt, records, original_stats):
    broken, _ = broken_files(gt, records)["k_number"]
    run = load_results(broken, name="shifted")
    found = check_category_ids(DiagnosisInputs(gt=gt, runs={"a": run}))
    assert len(found) == 1
    f = found[0]
    assert (f.code, f.severity, f.role, f.fix) == (
        "category_offset",
        "blocking",
        "a",
        "category_map",
    )
    assert f.fix_params == {"option": "--category-map offset:-1"}
    assert f.params["offset"] == 1 and f.params["correction"] == -1
    assert f.params["matched"] == 1011
    assert f.params["explained_as_given"] == 0.0
    # Every id is unknown as given: all detections are left out, mAP 0; mapped, the original's.
    assert f.params["map_before"] == 0.0
    assert f.params["map_after"] == original_stats["map"]
    assert f.count == len(run)  # every id changes
    assert f.category_map == CategoryIdMap({}, offset=-1, origin="auto", source=gt.source)
    assert all(e["from"] - e["to"] == 1 and e["boxes"] >= 3 for e in f.evidence)
    d = diagnose(gt, {"a": run}, only=("category_ids",))
    assert d.codes() == ["category_offset"]
    assert d.category_maps["a"].offset == -1
    json.dumps(d.to_dict())  # JSON-ready


def test_permutation_finding_reports_mAP_before_and_after(gt, records, original_stats):
    broken, _ = broken_files(gt, records)["permutation"]
    found = check_category_ids(DiagnosisInputs(gt=gt, runs={"b": load_results(broken)}))
    (f,) = found
    assert (f.code, f.severity) == ("category_permutation", "blocking")
    assert f.fix_params == {"option": "--category-map auto"}
    assert f.params["map_before"] < 0.1
    assert f.params["map_after"] == original_stats["map"]
    assert f.params["mapped_ids"] == 21  # every id the file uses (18109 is never predicted)


# --- hand-made cases ------------------------------------------------------------------------


def _tiny_gt(classes_per_image):
    """GT: per image, one 10x10 box per class, 20 px apart along x."""
    anns = [
        {"image_id": img, "category_id": c, "bbox": box(20 * k, 0, 10, 10)}
        for img, classes in enumerate(classes_per_image, start=1)
        for k, c in enumerate(classes)
    ]
    return ground_truth(gt_doc(anns))


def _dets_on(gt, written):
    """A detection on every GT box (IoU 1), its id ``written[category]`` (dropped when None)."""
    ann = gt.annotations
    recs = [
        {
            "image_id": int(ann.image_id[i]),
            "category_id": written[int(ann.category_id[i])],
            "bbox": ann.bbox[i].tolist(),
            "score": 0.9,
        }
        for i in range(len(ann))
        if written[int(ann.category_id[i])] is not None
    ]
    return detections(recs)


def test_tiny_swap_of_two_ids():
    # 3 images, each with a box of 10, 20 and 30. The file writes 20 for 10 and 10 for 20.
    # Co-occurrence (file id → GT id): 20→10: 3, 10→20: 3, 30→30: 3. The assignment maps
    # 20→10, 10→20, 30→30: all 9 matched boxes agree (explained 1.0); as given only the three
    # 30s (1/3). 9 >= 2 x 3 and 1.0 >= 0.5: blocking.
    gt = _tiny_gt([[10, 20, 30]] * 3)
    run = _dets_on(gt, {10: 20, 20: 10, 30: 30})
    inferred = infer_category_map(run, gt)
    assert inferred.kind == "permutation"
    assert inferred.category_map.mapping == {10: 20, 20: 10, 30: 30}
    assert (inferred.matched, inferred.agree_as_given, inferred.agree_mapped) == (9, 3, 9)
    (f,) = check_category_ids(DiagnosisInputs(gt=gt, runs={"a": run}))
    assert f.severity == "blocking"
    assert f.count == 6  # the six 10s and 20s change
    assert f.params["map_before"] < f.params["map_after"] == 1.0


def test_tiny_ids_with_too_few_boxes_are_not_mapped():
    # 10 and 20 swapped on 3 images (3 boxes each: mapped). Class 30 is written 77 and class
    # 40 written 88, each on 2 images only (2 boxes < MIN_BOXES = 3: noise, not mapped).
    # Leftovers: 77 and 88 unmapped, 30 and 40 no pair's target: not unique, so not guessed.
    gt = _tiny_gt([[10, 20, 30, 40]] * 2 + [[10, 20]])
    run = _dets_on(gt, {10: 20, 20: 10, 30: 77, 40: 88})
    inferred = infer_category_map(run, gt)
    assert inferred.kind == "permutation"
    assert inferred.category_map.mapping == {10: 20, 20: 10}
    assert inferred.unmapped == (77, 88)
    # With only 77 left over and only 30 untaken, the one leftover is mapped (unique).
    run = _dets_on(gt, {10: 20, 20: 10, 30: 77, 40: 40})
    inferred = infer_category_map(run, gt)
    assert inferred.category_map.mapping == {10: 20, 20: 10, 40: 40, 77: 30}
    assert inferred.unmapped == ()


def test_tiny_offset_needs_two_pairs():
    # One class only, written +1 on 3 boxes: one pair (11→10) cannot tell an offset from a
    # rename, so it is a 'permutation' with the explicit pair. Two classes, both +1: 'offset'.
    gt = _tiny_gt([[10]] * 3)
    assert infer_category_map(_dets_on(gt, {10: 11}), gt).kind == "permutation"
    gt = _tiny_gt([[10, 20]] * 3)
    inferred = infer_category_map(_dets_on(gt, {10: 11, 20: 21}), gt)
    assert (inferred.kind, inferred.shift) == ("offset", 1)


def test_no_match_no_gt_annotations_and_empty_run_give_identity():
    gt = _tiny_gt([[10, 20]] * 3)
    empty = detections([])
    assert infer_category_map(empty, gt).kind == "identity"
    assert infer_category_map(empty, gt).to_dict()["matched"] == 0
    far = detections([{"image_id": 1, "category_id": 5, "bbox": box(500, 500, 9, 9), "score": 1}])
    assert infer_category_map(far, gt).matched == 0


def test_a_file_with_an_id_per_detection_gives_no_map(gt, records):
    # Every id on one detection only: no id has MIN_BOXES matched boxes, nothing is mapped.
    noise = [{**r, "category_id": 100_000 + i} for i, r in enumerate(records)]
    inferred = infer_category_map(load_results(noise), gt)
    assert (inferred.kind, inferred.matched, inferred.agree_as_given) == ("identity", 1011, 0)


def test_inference_to_dict_is_json_ready(gt, records):
    broken, _ = broken_files(gt, records)["class_index"]
    d = infer_category_map(load_results(broken), gt).to_dict()
    assert json.loads(json.dumps(d))["kind"] == "class_index"
    assert d["pairs"][0].keys() == {"from", "to", "boxes", "of"}
    assert d["category_map"]["origin"] == "auto"


# --- without a ground truth ---------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(gt, records):
    shifted = load_results(broken_files(gt, records)["k_number"][0], name="shifted")
    return shifted, load_results(SAMPLE / "efficientnet_b3.json")


@pytest.fixture(scope="module")
def train_ids():
    return load_ground_truth(SAMPLE / "train_annotations.json").category_ids


def test_between_runs_finds_the_offset_of_a_onto_b(runs):
    shifted, other = runs
    inferred = infer_category_map_between(shifted, other)
    assert (inferred.kind, inferred.shift) == ("offset", 1)
    assert inferred.reference == other.source
    clean = load_results(SAMPLE / "resnet101.json")
    assert infer_category_map_between(clean, other).kind == "identity"


def test_between_runs_names_the_file_outside_the_known_ids(runs, train_ids):
    shifted, other = runs
    for roles, wrong in (({"a": shifted, "b": other}, "a"), ({"a": other, "b": shifted}, "b")):
        inputs = DiagnosisInputs(gt=None, runs=roles, known_category_ids=tuple(train_ids))
        (f,) = check_category_ids(inputs)
        assert (f.code, f.role) == ("category_offset", wrong)
        assert f.category_map is not None and f.category_map.offset == -1
        assert f.params["map_before"] is None


def test_between_runs_without_known_ids_names_both_and_maps_neither(runs):
    shifted, other = runs
    (f,) = check_category_ids(DiagnosisInputs(gt=None, runs={"a": shifted, "b": other}))
    assert (f.code, f.role, f.category_map) == ("category_offset", "a,b", None)
    d = diagnose(None, {"a": shifted, "b": other}, only=("category_ids",))
    assert d.category_maps == {}
