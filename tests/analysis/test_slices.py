"""Slices (analysis/slices.py): equal to pycocotools on the subset, hand-made answers, the gap
test finds a planted gap and not a missing one, keys and modes."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from functools import cache

import numpy as np
import pytest

from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.significance import replicate_metrics, resample_images
from pill_compare.analysis.slices import (
    compare_slices,
    default_slice_keys,
    define_slices,
    evaluate_slices,
    replicate_class_ap,
    slice_keys,
)
from pill_compare.errors import ConsistencyError
from pill_compare.io import ground_truth_from_dict, load_results
from tests.analysis.eval_fixtures import box, detections, ground_truth, gt_doc
from tests.conftest import SAMPLE


def approx(value: float):
    """Equal up to pycocotools' ε in precision = TP / (TP + FP + ε)."""
    return pytest.approx(value, abs=1e-12)


def sample_gt_doc() -> dict:
    """data/sample's ground truth with per-class attributes, as ``pillcmp merge`` writes them:
    the category name 'K-001900 white round' gives color_class1 'white', drug_shape 'round'."""
    doc = json.loads((SAMPLE / "ground_truth.json").read_text())
    names = {c["id"]: c["name"].split() for c in doc["categories"]}
    for a in doc["annotations"]:
        _, colour, shape = names[a["category_id"]]
        a["attributes"] = {"drug_shape": shape, "color_class1": colour}
    return doc


@cache
def sample():
    """(gt doc, gt, efficientnet_b3 evaluation, resnet101 evaluation)."""
    doc = sample_gt_doc()
    gt = ground_truth_from_dict(doc, source="gt.json")
    ev = [
        evaluate(gt, load_results(SAMPLE / f, gt=gt))
        for f in ("efficientnet_b3.json", "resnet101.json")
    ]
    return doc, gt, ev[0], ev[1]


def pycocotools_stats(doc: dict, results: list[dict], **params) -> np.ndarray:
    """COCOeval (bbox) stats with ``params`` (imgIds, catIds) set before evaluate()."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = copy.deepcopy(doc)
        gt.createIndex()
        e = COCOeval(gt, gt.loadRes(copy.deepcopy(results)), "bbox")
        for k, v in params.items():
            setattr(e.params, k, v)
        e.evaluate()
        e.accumulate()
        e.summarize()
    return e.stats


def test_an_image_slice_equals_pycocotools_with_those_image_ids():
    doc, gt, _, ev = sample()
    results = json.loads((SAMPLE / "resnet101.json").read_text())
    spec = define_slices(gt, "objects_per_image")
    [m] = evaluate_slices(ev.matches, [spec])
    assert spec.mode == "image" and [e.label for e in m.entries] == ["1", "3", "4"]
    for s, e in enumerate(m.entries):
        ids = gt.images.id[spec.image_slice == s].tolist()
        stats = pycocotools_stats(doc, results, imgIds=ids)
        assert (e.map, e.map_50) == (stats[0], stats[1])  # bit for bit
        assert e.n_images == len(ids)


def test_a_class_slice_equals_pycocotools_with_those_category_ids():
    doc, gt, _, ev = sample()
    results = json.loads((SAMPLE / "resnet101.json").read_text())
    [m] = evaluate_slices(ev.matches, ["drug_shape"])
    assert m.mode == "category"
    assert [e.label for e in m.entries] == ["round", "oval", "oblong", "capsule"]  # most GT first
    for e in m.entries:
        stats = pycocotools_stats(doc, results, catIds=list(e.category_ids))
        assert (e.map, e.map_50) == (stats[0], stats[1])  # bit for bit
    assert sum(e.n_gt for e in m.entries) == len(gt.annotations)


# Hand-made: image 1 holds one GT box (class 1), image 2 two (classes 1 and 2); every box is
# found exactly except image 2's class-2 box. A false detection of class 1 (score 0.95, higher
# than every hit) sits on image 1.
HAND_GT = [
    {"image_id": 1, "category_id": 1, "bbox": box(10, 10, 50, 50)},
    {"image_id": 2, "category_id": 1, "bbox": box(10, 10, 50, 50)},
    {"image_id": 2, "category_id": 2, "bbox": box(200, 200, 50, 50)},
]
HAND_DETS = [
    {"image_id": 1, "category_id": 1, "bbox": box(10, 10, 50, 50), "score": 0.9},
    {"image_id": 2, "category_id": 1, "bbox": box(10, 10, 50, 50), "score": 0.9},
    {"image_id": 1, "category_id": 1, "bbox": box(300, 300, 40, 40), "score": 0.95},
]


def hand_table(side: list[str]):
    doc = gt_doc(
        [
            {**a, "attributes": {"shape": s, "side": d}}
            for a, s, d in zip(HAND_GT, ["round", "round", "oval"], side, strict=True)
        ]
    )
    gt = ground_truth(doc)
    return evaluate(gt, detections(HAND_DETS)).matches


def test_hand_made_slices_by_image_by_class_and_by_box():
    table = hand_table(["front", "back", "front"])
    by_count, by_shape, by_side = evaluate_slices(table, ["objects_per_image", "shape", "side"])
    # Image 1 alone: class 1 ranks the false detection (0.95) before its hit (0.9): precision
    # 1/2 at recall 1, AP 0.5; class 2 has no GT there (left out). Image 2 alone: class 1 AP 1,
    # class 2 AP 0 (missed): mAP 0.5.
    assert [(e.label, e.map) for e in by_count.entries] == [("1", approx(0.5)), ("2", approx(0.5))]
    # round = class 1 on both images: FP, hit, hit -> precision 1/2 at recall 1/2, 2/3 at 1:
    # the envelope is 2/3 at every recall point, AP 2/3. oval = class 2: missed, AP 0.
    assert by_shape.mode == "category"
    assert [e.label for e in by_shape.entries] == ["round", "oval"]
    assert by_shape.entries[0].map == approx(2 / 3)
    assert by_shape.entries[1].map == 0.0 and by_shape.entries[1].category_ids == (2,)
    # side varies within class 1 and within image 2: per box. front = boxes 1 and 3: class 1
    # has box 1 found and the false detection (unmatched, class 1's values tie 1-1, so the first
    # slice, front, takes it): AP 0.5; class 2's box 3 missed: AP 0 -> mAP 0.25. back = box 2:
    # class 1 found (the hit on image 1 matched a front box: ignored), AP 1; class 2 no GT.
    assert by_side.mode == "annotation" and "attribute_varies_within_class" in by_side.codes
    assert [(e.label, e.map) for e in by_side.entries] == [
        ("front", approx(0.25)),
        ("back", approx(1.0)),
    ]


def test_an_attribute_constant_within_images_but_not_classes_slices_images():
    # side: image 1 'front', image 2 'back' for both its boxes: class 1 has both values.
    table = hand_table(["front", "back", "back"])
    [m] = evaluate_slices(table, ["side"])
    assert m.mode == "image" and m.codes == ("attribute_varies_within_class",)
    assert [(e.label, e.map, e.n_images) for e in m.entries] == [
        ("back", approx(0.5), 1),
        ("front", approx(0.5), 1),
    ]


def test_the_gap_test_finds_a_gap_planted_in_one_slice_and_none_where_there_is_none():
    _, gt, ev_a, ev_b = sample()
    [same] = compare_slices(ev_a.matches, ev_b.matches, ["drug_shape"], n_resamples=100)
    assert same.finding == "no_evidence"
    assert all(g.p_gap_holm > 0.05 for g in same.entries)
    # B without its detections of capsules: B − A on capsules falls from +0.16 to −0.69.
    capsules = [c for c, s in define_slices(gt, "drug_shape").category_slice.items() if s == 3]
    dets = ev_b.matches.dets
    planted = evaluate(gt, dets.select(~np.isin(dets.category_id, capsules)))
    [gap] = compare_slices(ev_a.matches, planted.matches, ["drug_shape"], n_resamples=200)
    assert gap.finding == "gap_differs"
    by_label = {g.a.label: g for g in gap.entries}
    assert by_label["capsule"].delta < -0.5 and by_label["capsule"].p_gap_holm < 0.05
    assert by_label["capsule"].ci_high < 0 < by_label["round"].ci_low
    # Holm over four slices: at least the raw p, at most four times it.
    for g in gap.entries:
        assert g.p_gap <= g.p_gap_holm <= min(1.0, 4 * g.p_gap)


def test_the_gap_test_finds_a_gap_planted_in_an_image_slice():
    _, gt, ev_a, ev_b = sample()
    spec = define_slices(gt, "objects_per_image")
    four = gt.images.id[spec.image_slice == 2]  # the 177 images with four pills
    dets = ev_b.matches.dets
    planted = evaluate(
        gt, dets.select(~np.isin(dets.image_id, four) | (np.arange(len(dets)) % 2 == 0))
    )
    [c] = compare_slices(ev_a.matches, planted.matches, [spec], n_resamples=100)
    assert [g.not_tested for g in c.entries] == ["too_small", None, None]  # 1 image: untested
    assert c.entries[0].ci_low is None and c.entries[0].delta is not None
    # Three slices, two tested: Holm over two different tests (3 vs 1+4, 4 vs 1+3).
    assert c.finding == "gap_differs" and c.entries[2].p_gap_holm < 0.05


def test_replicates_of_the_full_data_equal_the_point_numbers():
    _, gt, _, ev = sample()
    ones = np.ones((1, len(gt.images)), dtype=np.int64)
    ids, ap = replicate_class_ap(ev.matches, ones)
    assert ids.tolist() == [c.category_id for c in ev.coco.per_class if c.gt > 0]
    assert np.nanmean(ap[0]) == pytest.approx(ev.coco.stats["map"], abs=1e-12)
    per_class = {c.category_id: c.ap for c in ev.coco.per_class}
    assert ap[0] == pytest.approx([per_class[i] for i in ids], abs=1e-12)
    # One resample, both ways: a class mean equals replicate_metrics on the whole table.
    w = resample_images(len(gt.images), 3, 7)
    _, ap_w = replicate_class_ap(ev.matches, w)
    assert np.nanmean(ap_w, axis=1) == pytest.approx(
        replicate_metrics(ev.matches, w)["map"], abs=1e-12
    )


def test_keys_available_and_unknown_keys_named():
    _, gt, _, _ = sample()
    assert slice_keys(gt) == ("objects_per_image", "image_size", "color_class1", "drug_shape")
    assert default_slice_keys(gt) == ("drug_shape", "color_class1")
    assert define_slices(gt, "attributes.drug_shape").mode == "category"
    assert define_slices(gt, "image_size").labels == ("976x1280",)
    with pytest.raises(
        ConsistencyError,
        match=r"no slice key 'print_front'.*Available: "
        r"objects_per_image, image_size, color_class1, drug_shape",
    ):
        define_slices(gt, "print_front")


def test_an_identifier_is_refused_and_a_missing_value_is_its_own_slice():
    doc = sample_gt_doc()
    for i, a in enumerate(doc["annotations"]):
        a["attributes"]["source_file"] = f"{i}.json"
    del doc["annotations"][0]["attributes"]["drug_shape"]
    gt = ground_truth_from_dict(doc, source="gt.json")
    with pytest.raises(
        ConsistencyError, match="'source_file' has 1015 distinct values; a slice key"
    ):
        define_slices(gt, "source_file")
    spec = define_slices(gt, "drug_shape")  # one box of class 25366 has none: varies in class
    assert spec.labels[-1] == "n/a" and spec.values[-1] is None
    assert spec.codes[:2] == ("attribute_missing", "attribute_varies_within_class")
    for a in doc["annotations"]:
        del a["attributes"]
    assert default_slice_keys(ground_truth_from_dict(doc)) == ()


def test_many_object_counts_are_binned():
    anns = [
        {"image_id": i, "category_id": 1, "bbox": box(10 * j, 10, 5, 5)}
        for i, n in enumerate([1, 2, 3, 4, 5, 7, 12, 25], start=1)
        for j in range(n)
    ]
    spec = define_slices(ground_truth(gt_doc(anns)), "objects_per_image")
    assert spec.labels == ("1", "2", "3", "4", "5-9", "10-19", "20+") and spec.codes == ("binned",)
    assert spec.image_slice.tolist() == [0, 1, 2, 3, 4, 4, 5, 6]


def test_records_carry_the_json_fields():
    _, _, ev_a, ev_b = sample()
    [c] = compare_slices(ev_a.matches, ev_b.matches, ["drug_shape"], n_resamples=0)
    rec = c.records()[0]
    assert set(rec) == {
        "key",
        "value",
        "label",
        "mode",
        "n_images",
        "n_gt",
        "category_ids",
        "a",
        "b",
        "delta",
        "ci_low",
        "ci_high",
        "p_gap",
        "p_gap_holm",
        "resamples_used",
        "not_tested",
        "finding",
        "codes",
    }
    assert rec["a"] == {"map": c.entries[0].a.map, "map_50": c.entries[0].a.map_50}
    assert rec["not_tested"] == "no_bootstrap" and c.finding == "not_tested"


def test_an_empty_value_shows_as_two_quotes():
    # AIHub's print_back is '' for a pill with nothing printed on its back.
    anns = [
        {"image_id": 1, "category_id": c, "bbox": box(10 * c, 10, 5, 5), "attributes": {"p": v}}
        for c, v in ((1, "5"), (2, ""), (3, ""))
    ]
    spec = define_slices(ground_truth(gt_doc(anns)), "p")
    assert spec.labels == ('""', "5") and spec.values == ("", "5") and spec.mode == "category"
