"""Results checked against a ground truth: unknown ids are errors, the K-code/dl_idx shift a hint."""

import re

import pytest

from pill_compare.errors import ConsistencyError
from pill_compare.io import ground_truth_from_dict, load_results
from tests.conftest import det, dets_for, gt_dict, write_json

# Two images, categories 10, 11, 12 declared.
GT = ground_truth_from_dict(gt_dict({1: [10, 11], 2: [12]}), source="gt.json")


def _load(tmp_path, records, gt=GT):
    return load_results(write_json(tmp_path, "r.json", records), gt=gt)


def test_known_ids_pass_without_warning(tmp_path):
    assert _load(tmp_path, [det(1, 10, score=0.9), det(2, 12, score=0.8)]).warnings == ()


def test_unknown_image_ids_are_listed(tmp_path):
    with pytest.raises(
        ConsistencyError,
        match=r"r\.json does not match the ground truth gt\.json\n"
        r"  - 3 detection\(s\) on 2 image id\(s\) not in the ground truth: 7, 8$",
    ):
        _load(tmp_path, [det(1, 10), det(7, 10), det(8, 10), det(8, 11)])


def test_unknown_category_ids_are_listed_without_a_shift_hint(tmp_path):
    # 13 + 1 = 14 and 13 - 1 = 12: not every used id (10, 13) lands in the GT after one shift.
    with pytest.raises(
        ConsistencyError,
        match=r"  - 1 detection\(s\) with 1 category id\(s\) not in the ground truth: 13$",
    ):
        _load(tmp_path, [det(1, 10), det(2, 13)])


def test_unknown_images_and_categories_are_both_reported(tmp_path):
    with pytest.raises(ConsistencyError) as e:
        _load(tmp_path, [det(9, 99)])
    assert e.value.problems == (
        "1 detection(s) on 1 image id(s) not in the ground truth: 9",
        "1 detection(s) with 1 category id(s) not in the ground truth: 99",
    )


@pytest.mark.parametrize(("used", "shift"), [((9, 10), "+1"), ((11, 12, 13), "-1")])
def test_ids_all_off_by_one_get_the_k_code_hint(tmp_path, used, shift):
    # (9, 10) + 1 = (10, 11) and (11, 12, 13) - 1 = (10, 11, 12): all declared in the GT.
    with pytest.raises(
        ConsistencyError,
        match=rf"not in the ground truth: {used[0] if shift == '+1' else used[-1]}\. "
        rf"Every category id becomes a ground-truth id after adding {re.escape(shift)}: "
        r"this is the K-code vs dl_idx \(K-number - 1\) mix-up; fix the id mapping",
    ):
        _load(tmp_path, [det(1, c) for c in used])


def test_more_than_20_unknown_ids_are_cut_with_a_count(tmp_path):
    records = [det(100 + i, 10) for i in range(25)]
    with pytest.raises(ConsistencyError) as e:
        _load(tmp_path, records)
    listed = ", ".join(str(100 + i) for i in range(20))
    assert e.value.problems == (
        f"25 detection(s) on 25 image id(s) not in the ground truth: {listed} (+5 more)",
    )


def test_valid_ids_that_fit_far_better_shifted_by_one_warn(tmp_path):
    # 20 images, image i annotated with category 2i+1 and declared categories 0..40; the
    # detections say 2i (a valid id, but absent from the image): shifted by +1, every
    # detection names its image's annotated class (100%), as given none does (0%).
    labels = {i: [2 * i + 1] for i in range(20)}
    gt = ground_truth_from_dict(gt_dict(labels, {c: f"c{c}" for c in range(41)}), source="gt.json")
    dets = _load(tmp_path, dets_for({i: [2 * i] for i in range(20)}), gt=gt)
    assert len(dets.warnings) == 1
    assert (
        "category ids look shifted by one: with id +1, 100% of detections name a class"
        in (dets.warnings[0])
    )
    assert "as given only 0% (K-code vs dl_idx mix-up?)" in dets.warnings[0]


def test_shift_warning_needs_20_detections(tmp_path):
    labels = {i: [2 * i + 1] for i in range(19)}
    gt = ground_truth_from_dict(gt_dict(labels, {c: f"c{c}" for c in range(41)}), source="gt.json")
    assert _load(tmp_path, dets_for({i: [2 * i] for i in range(19)}), gt=gt).warnings == ()
