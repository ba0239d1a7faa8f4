"""Results against a ground truth: unknown ids are left out (as pycocotools does) with one warning,
the K-code/dl_idx shift a hint; ``check_against_ground_truth`` refuses them for reporting checks."""

import re

import numpy as np
import pytest

from pill_compare.consistency import check_against_ground_truth, restrict_to_ground_truth
from pill_compare.core import Detections, LeftOut
from pill_compare.errors import ConsistencyError
from pill_compare.io import ground_truth_from_dict, load_results
from tests.analysis.eval_fixtures import detections
from tests.conftest import det, dets_for, gt_dict, write_json

# Two images, categories 10, 11, 12 declared.
GT = ground_truth_from_dict(gt_dict({1: [10, 11], 2: [12]}), source="gt.json")


def _load(tmp_path, records, gt=GT):
    # Distinct scores: no "all scores are equal" warning among the ones these tests pin.
    records = [{**r, "score": 0.99 - 0.001 * k} for k, r in enumerate(records)]
    return load_results(write_json(tmp_path, "r.json", records), gt=gt)


def test_known_ids_pass_without_warning(tmp_path):
    assert _load(tmp_path, [det(1, 10, score=0.9), det(2, 12, score=0.8)]).warnings == ()


def test_unknown_image_ids_are_left_out_with_one_warning_naming_them(tmp_path):
    dets = _load(tmp_path, [det(1, 10), det(7, 10), det(8, 10), det(8, 11)])
    assert dets.image_id.tolist() == [1]
    assert dets.left_out == LeftOut(detections=3, total=4, image_ids={8: 2, 7: 1})
    assert dets.warnings == (
        f"{tmp_path / 'r.json'}: 3 of 4 detections left out: image ids 8 (2), 7 (1) are not in "
        "the ground truth (gt.json); pycocotools scores only the ground truth's categories, so "
        "the numbers equal its own (its loadRes refuses unknown image ids outright; detections "
        "there can match nothing)",
    )


def test_unknown_category_ids_are_left_out_without_a_shift_hint(tmp_path):
    # 13 + 1 = 14 and 13 - 1 = 12: not every used id (10, 13) lands in the GT after one shift.
    dets = _load(tmp_path, [det(1, 10), det(2, 13)])
    assert dets.category_id.tolist() == [10]
    assert dets.left_out.category_ids == {13: 1}
    (warning,) = dets.warnings
    assert re.search(r"1 of 2 detections left out: category ids 13 \(1\) are not in", warning)
    assert "K-code" not in warning


def test_unknown_images_and_categories_are_one_warning_and_rows_count_once(tmp_path):
    dets = _load(tmp_path, [det(9, 99), det(1, 10)])
    assert dets.left_out == LeftOut(1, 2, image_ids={9: 1}, category_ids={99: 1})
    (warning,) = dets.warnings
    assert (
        "1 of 2 detections left out: category ids 99 (1) and image ids 9 (1) are not in " in warning
    )


def test_every_detection_left_out_says_nothing_is_left(tmp_path):
    dets = _load(tmp_path, [det(9, 10)])
    assert len(dets) == 0
    assert "no detection is left to evaluate" in dets.warnings[-1]


@pytest.mark.parametrize(("used", "shift"), [((9, 10), "+1"), ((11, 12, 13), "-1")])
def test_ids_all_off_by_one_get_the_k_code_hint(tmp_path, used, shift):
    # (9, 10) + 1 = (10, 11) and (11, 12, 13) - 1 = (10, 11, 12): all declared in the GT.
    dets = _load(tmp_path, [det(1, c) for c in used])
    assert re.search(
        rf"Every category id becomes a ground-truth id after adding {re.escape(shift)}: "
        r"this is the K-code vs dl_idx \(K-number - 1\) mix-up; fix the id mapping$",
        dets.warnings[0],
    )


def test_more_than_20_unknown_ids_are_cut_with_a_count(tmp_path):
    dets = _load(tmp_path, [det(100 + i, 10) for i in range(25)] + [det(1, 10)])
    listed = ", ".join(f"{100 + i} (1)" for i in range(20))
    assert f"image ids {listed} (+5 more) are not in" in dets.warnings[0]
    assert len(dets.left_out.image_ids) == 25  # complete in the structured record


def test_the_left_out_record_survives_select_and_serialises():
    dets = Detections([1, 2], [10, 10], np.ones((2, 4)), [0.5, 0.4], left_out=LeftOut(3, 5))
    assert dets.select(np.array([True, False])).left_out == LeftOut(3, 5)
    assert LeftOut(1, 2, {7: 1}, {99: 1}).to_dict() == {
        "detections": 1,
        "total": 2,
        "image_ids": {"7": 1},
        "category_ids": {"99": 1},
    }


def test_restricting_known_detections_returns_them_unchanged():
    dets = Detections([1, 2], [10, 12], np.ones((2, 4)), [0.5, 0.4])
    kept, warnings = restrict_to_ground_truth(dets, GT)
    assert kept is dets and warnings == [] and kept.left_out is None


# check_against_ground_truth: for checks that *report* unknown ids (check-submission, YOLO).


def _check(records):
    return check_against_ground_truth(detections(records), GT)


def test_check_refuses_unknown_image_ids_with_their_list():
    with pytest.raises(
        ConsistencyError,
        match=r"model does not match the ground truth gt\.json\n"
        r"  - 3 detection\(s\) on 2 image id\(s\) not in the ground truth: 7, 8$",
    ):
        _check([det(1, 10), det(7, 10), det(8, 10), det(8, 11)])


def test_check_reports_unknown_images_and_categories_apart():
    with pytest.raises(ConsistencyError) as e:
        _check([det(9, 99)])
    assert e.value.problems == (
        "1 detection(s) on 1 image id(s) not in the ground truth: 9",
        "1 detection(s) with 1 category id(s) not in the ground truth: 99",
    )


def test_check_gives_the_k_code_hint_and_cuts_long_lists():
    with pytest.raises(ConsistencyError, match=r"not in the ground truth: 9\. Every category id"):
        _check([det(1, 9), det(1, 10)])
    with pytest.raises(ConsistencyError) as e:
        _check([det(100 + i, 10) for i in range(25)])
    listed = ", ".join(str(100 + i) for i in range(20))
    assert e.value.problems == (
        f"25 detection(s) on 25 image id(s) not in the ground truth: {listed} (+5 more)",
    )


def test_shifted_ids_are_the_input_checks_business_not_a_loading_warning(tmp_path):
    # 20 images, image i annotated with category 2i+1 and declared categories 0..40; the
    # detections say 2i (valid ids, absent from their images). Loading keeps them without a
    # word: whether ids are shifted is decided from the boxes by the input check
    # (tests/analysis/test_category_ids.py), and said once, there.
    labels = {i: [2 * i + 1] for i in range(20)}
    gt = ground_truth_from_dict(gt_dict(labels, {c: f"c{c}" for c in range(41)}), source="gt.json")
    assert _load(tmp_path, dets_for({i: [2 * i] for i in range(20)}), gt=gt).warnings == ()
