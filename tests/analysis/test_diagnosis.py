"""The input checks: each kind of real breakage, made from the sample, is found and named; the
sample's own files are clean."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare import evaluate, load_ground_truth, load_results
from pill_compare.analysis.diagnosis import (
    Diagnosis,
    Finding,
    check_names,
    diagnose,
    prepare_runs,
    start_prepare_runs,
)
from pill_compare.analysis.diagnosis.box_format import to_pixel_xywh
from pill_compare.analysis.diagnosis.duplicates import duplicate_rows
from pill_compare.analysis.diagnosis.inputs import same_detections
from pill_compare.io import ground_truth_from_dict
from tests import broken_inputs as broken
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def gt():
    return load_ground_truth(SAMPLE / "ground_truth.json")


@pytest.fixture(scope="module")
def records():
    return broken.sample_records("resnet101")


def run(recs, name="r"):
    return load_results(recs, name=name)


def codes(d: Diagnosis) -> list[str]:
    return [f.code for f in d.findings]


def test_the_sample_runs_are_clean_with_and_without_a_ground_truth(gt):
    a = load_results(SAMPLE / "efficientnet_b3.json")
    b = load_results(SAMPLE / "resnet101.json")
    assert diagnose(gt, {"a": a, "b": b}).findings == ()
    assert diagnose(None, {"a": a, "b": b}).findings == ()
    assert diagnose(gt, {"a": a, "b": b}).checks == tuple(check_names())


@pytest.mark.parametrize(
    ("breaker", "code"),
    [
        (broken.xyxy_boxes, "box_format_xyxy"),
        (broken.cxcywh_boxes, "box_format_cxcywh"),
        (broken.normalized_boxes, "box_format_normalized"),
    ],
)
def test_a_box_format_is_found_by_the_reading_that_matches_the_ground_truth(
    gt, records, breaker, code
):
    d = diagnose(gt, {"b": run(breaker(records))})
    assert codes(d) == [code]
    f = d.findings[0]
    assert f.severity == "blocking" and f.role == "b" and f.fix == "convert_boxes"
    # every sample box finds its GT box once read right; none as given
    assert f.params["share"] == 1.0 and f.params["share_as_given"] == 0.0


def test_without_a_ground_truth_the_other_run_is_the_reference(records):
    e = run(broken.sample_records("efficientnet_b3"), "e")
    d = diagnose(None, {"a": e, "b": run(broken.xyxy_boxes(records), "x")})
    assert codes(d) == ["box_format_xyxy"]
    assert d.findings[0].role == "b" and d.findings[0].params["against"] == "a"


def test_one_normalized_run_alone_gets_a_warning_not_a_verdict(records):
    d = diagnose(None, {"a": run(broken.normalized_boxes(records))})
    assert [(f.code, f.severity) for f in d.findings] == [("box_format_normalized", "warning")]


def test_to_pixel_xywh_reads_each_layout():
    # a 10 x 20 box at (30, 40) in a 100 x 200 image, written four ways
    size = np.array([[100.0, 200.0]])
    want = [[30.0, 40.0, 10.0, 20.0]]
    assert to_pixel_xywh(np.array([[30, 40, 40, 60.0]]), "xyxy", False).tolist() == want
    assert to_pixel_xywh(np.array([[35, 50, 10, 20.0]]), "cxcywh", False).tolist() == want
    norm = np.array([[0.3, 0.2, 0.1, 0.1]])
    assert np.allclose(to_pixel_xywh(norm, "xywh", True, size), want)


def test_training_annotations_as_the_ground_truth_are_a_mismatch(records):
    train = load_ground_truth(SAMPLE / "train_annotations.json")
    d = diagnose(train, {"a": run(records)})
    assert codes(d) == ["gt_mismatch"]
    f = d.findings[0]
    assert f.severity == "blocking" and f.params["share_on_gt"] == 0.0
    assert f.params["gt_image_range"] == [10001, 10728] and f.count == len(records)


def test_the_same_file_twice_is_identical_inputs_in_any_row_order(gt, records):
    d = diagnose(gt, {"a": run(records), "b": run(records[::-1])})
    assert codes(d) == ["identical_inputs"]
    assert d.blocking == d.findings


def test_runs_with_the_same_values_in_every_column_but_other_rows_are_not_identical():
    # Every column holds the same multiset in both runs (the cheap looks pass), but the rows
    # differ: B swaps the two boxes' x. Only the row-by-row comparison tells them apart.
    a = [
        {"image_id": 1, "category_id": 1, "bbox": [10, 20, 30, 40], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [50, 60, 30, 40], "score": 0.8},
    ]
    b = [dict(r, bbox=list(r["bbox"])) for r in a]
    b[0]["bbox"][0], b[1]["bbox"][0] = 50, 10
    assert not same_detections(run(a), run(b))
    assert same_detections(run(a), run(a[::-1]))


def test_runs_on_different_images_are_a_warning(gt, records):
    half = [r for r in records if r["image_id"] <= 140]
    d = diagnose(gt, {"a": run(records), "b": run(half)})
    assert codes(d) == ["image_sets_differ"]
    f = d.findings[0]
    assert f.severity == "warning" and f.params["only_a"] == 140 and f.params["only_b"] == 0


def test_duplicate_rows_exact_and_near_on_a_tiny_case():
    # row 1 repeats row 0 exactly; row 2 is row 0 moved by 1 px (IoU 0.95+, same class, lower
    # score): near; row 3 is another class on the same box: not a duplicate
    dets = load_results(
        [
            {"image_id": 1, "category_id": 1, "bbox": [0, 0, 100, 100], "score": 0.9},
            {"image_id": 1, "category_id": 1, "bbox": [0, 0, 100, 100], "score": 0.9},
            {"image_id": 1, "category_id": 1, "bbox": [1, 0, 100, 100], "score": 0.8},
            {"image_id": 1, "category_id": 2, "bbox": [0, 0, 100, 100], "score": 0.7},
        ]
    )
    exact, near = duplicate_rows(dets)
    assert exact.tolist() == [False, True, False, False]
    assert near.tolist() == [False, False, True, False]


def test_removing_repeated_rows_gives_back_the_files_mean_ap_exactly(gt, records):
    d = diagnose(gt, {"a": run(broken.repeated_rows(records))})
    (f,) = d.findings
    assert f.code == "duplicate_detections" and f.params["exact"] == 300
    clean = evaluate(gt, load_results(records, gt=gt)).coco.stats["map"]
    assert f.params["map_after"] == clean
    assert f.params["map_before"] < clean - 0.05 and f.severity == "blocking"


def test_zero_width_edge_boxes_are_scored_as_pycocotools_scores_them(gt, records, tmp_path):
    pytest.importorskip("pycocotools")
    from pill_compare.analysis.crosscheck import cross_check

    recs = broken.zero_width_edge_boxes(records)
    dets = load_results(recs, gt=gt)  # accepted, no longer refused
    result = evaluate(gt, dets)
    assert cross_check(gt, dets, result).equal
    d = diagnose(gt, {"a": run(recs)})
    assert [(f.code, f.severity, f.count) for f in d.findings] == [
        ("degenerate_boxes", "warning", 2)
    ]


def test_a_negative_width_is_still_refused():
    from pill_compare.errors import InputFormatError

    with pytest.raises(InputFormatError, match=r"w, h >= 0, got \[1, 2, -3, 4\]"):
        load_results([{"image_id": 1, "category_id": 1, "bbox": [1, 2, -3, 4], "score": 0.5}])


def test_prepare_runs_leaves_out_unknown_ids_as_loading_against_the_ground_truth_does(gt):
    recs = [
        *broken.sample_records("efficientnet_b3"),
        {"image_id": 1, "category_id": 99999, "bbox": [1, 2, 3, 4], "score": 0.5},
    ]
    prepared = prepare_runs(gt, {"a": load_results(recs, name="e")})
    direct = load_results(recs, gt=gt, name="e")
    assert prepared.runs["a"].left_out == direct.left_out
    assert prepared.runs["a"].warnings == direct.warnings


@pytest.mark.parametrize("auto_map", [(), ("a",)])
def test_started_preparation_gives_what_prepare_runs_gives(gt, records, auto_map):
    # Ids shifted by one (a blocking finding, repaired with auto_map) and an unknown id: the
    # runs are ready before the diagnosis is asked for, and both equal prepare_runs' own.
    recs = [
        *broken.ids_plus_one(records),
        {"image_id": 1, "category_id": 99999, "bbox": [1, 2, 3, 4], "score": 0.5},
    ]
    raw = {"a": load_results(recs, name="shifted")}
    want = prepare_runs(gt, raw, auto_map=auto_map)
    pending = start_prepare_runs(gt, raw, auto_map=auto_map)
    early = pending.runs["a"]
    got = pending.result()
    assert got.runs["a"] is early
    assert got.diagnosis.to_dict() == want.diagnosis.to_dict()
    assert "category_offset" in codes(got.diagnosis)
    for field in ("image_id", "category_id", "bbox", "score"):
        assert np.array_equal(getattr(early, field), getattr(want.runs["a"], field))
    assert early.warnings == want.runs["a"].warnings


def test_blocking_findings_come_first_and_a_repaired_one_blocks_nothing():
    w = Finding(code="degenerate_boxes", severity="warning", role="a")
    b = Finding(code="gt_mismatch", severity="blocking", role="a")
    fixed = Finding(code="category_offset", severity="blocking", role="b", repaired=True)
    d = Diagnosis(findings=(w, fixed, b))
    assert [f.code for f in d.findings] == ["category_offset", "gt_mismatch", "degenerate_boxes"]
    assert d.blocking == (b,) and d.standing == (b, w)
    assert d.to_dict()["findings"][0]["repaired"] is True


def test_a_finding_code_must_be_a_plain_identifier():
    with pytest.raises(ValueError, match="Expected a code"):
        Finding(code="bad code!", severity="warning", role="a")
    with pytest.raises(ValueError, match="Expected severity"):
        Finding(code="x", severity="fatal", role="a")  # type: ignore[arg-type]


def test_a_ground_truth_with_boxes_deleted_still_diagnoses_clean(records):
    doc, deleted = broken.gt_with_deleted_boxes(0.25)
    partial = ground_truth_from_dict(doc, source="partial.json")
    assert len(deleted) == 253
    # the runs' boxes still fall on the GT's images and match most remaining boxes: the inputs
    # are sound; what the deletion does is the ground-truth audit's business
    assert diagnose(partial, {"a": run(records)}).findings == ()


def test_a_few_nms_leftovers_are_info_and_cost_no_evaluation(gt, records):
    # 5 repeated rows in 1017 (0.5%, under the 1% that is worth a warning)
    d = diagnose(gt, {"a": run(broken.repeated_rows(records, n=5))})
    (f,) = d.findings
    assert (f.code, f.severity, f.count) == ("duplicate_detections", "info", 5)
    assert "map_before" not in f.params


def test_a_large_run_is_judged_on_the_images_holding_its_first_20000_boxes():
    from pill_compare.analysis.diagnosis.box_format import MAX_LOOKED_AT, _looked_at
    from pill_compare.core import Detections

    # 6,000 images of 10 boxes: the first 20,000 boxes fill images 0..1999 exactly
    n = 3 * MAX_LOOKED_AT
    image = np.arange(n) // 10
    dets = Detections(
        image_id=image[::-1],  # any row order: images are taken in id order
        category_id=np.ones(n),
        bbox=np.tile([1.0, 2.0, 3.0, 4.0], (n, 1)),
        score=np.full(n, 0.9),
    )
    looked = _looked_at(dets, 0.5)
    assert len(looked) == MAX_LOOKED_AT
    assert set(np.unique(looked.image_id).tolist()) == set(range(MAX_LOOKED_AT // 10))


def test_first_images_are_the_images_in_id_order_until_n_boxes_are_held():
    from pill_compare.analysis.diagnosis.sample import first_images
    from pill_compare.core import Detections

    rng = np.random.default_rng(3)
    for _ in range(50):
        # ids close together (counted) or far apart (partitioned)
        image = rng.integers(-5, 30, int(rng.integers(1, 200))) * int(rng.choice([1, 1000]))
        dets = Detections(
            image_id=image,
            category_id=image,
            bbox=np.ones((image.size, 4)),
            score=np.ones(image.size),
        )
        n = int(rng.integers(1, 250))
        # the definition: images in id order, until their boxes reach n (the last one whole)
        ids, counts = np.unique(image, return_counts=True)
        held = np.cumsum(counts)
        taken = ids if held[-1] <= n else ids[: int(np.searchsorted(held, n)) + 1]
        assert first_images(dets, n).image_id.tolist() == image[np.isin(image, taken)].tolist()


def test_exact_copies_are_every_repeat_after_the_first_in_file_order(records):
    # 50 rows repeated at random places, and a row that shares image, class and score with
    # another but not its box (no copy): the mask equals a row-by-row count of repeats
    rng = np.random.default_rng(0)
    planted = records + [records[i] for i in rng.choice(len(records), 50)]
    planted.append({**records[3], "bbox": [1.0, 2.0, 3.0, 4.0]})
    rng.shuffle(planted)
    exact, _ = duplicate_rows(run(planted))
    seen, expected = set(), []
    for r in planted:
        key = (r["image_id"], r["category_id"], tuple(r["bbox"]), r["score"])
        expected.append(key in seen)
        seen.add(key)
    assert exact.tolist() == expected and sum(expected) == 50
