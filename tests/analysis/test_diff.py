"""Category-id diff per image: the seed report's own examples, worked by hand, and properties."""

import numpy as np
import pytest

from pill_compare.analysis.diff import DiffResult, ImageDiff, Substitution, diff
from pill_compare.io import load_ground_truth, load_results
from tests.analysis.eval_fixtures import box, ground_truth, gt_doc
from tests.conftest import SAMPLE
from tests.conftest import make_detections as make


def test_seed_image_277_is_one_substitution():
    # A [3482, 19860, 34596, 36636] vs B [3482, 19860, 30307, 36636]: A alone has 34596,
    # B alone has 30307, exactly one each, so 34596 → 30307 on image 277.
    a = make({277: [36636, 3482, 34596, 19860]}, "resnet101")  # file order does not matter
    b = make({277: [3482, 19860, 30307, 36636]}, "efficientnet_b3")
    r = diff(a, b)
    assert r.differing_images == (
        ImageDiff(
            277, (3482, 19860, 34596, 36636), (3482, 19860, 30307, 36636), (34596,), (30307,)
        ),
    )
    assert r.only_a_counts == {34596: 1}
    assert r.only_b_counts == {30307: 1}
    assert r.substitutions == (Substitution(34596, 30307, (277,)),)
    assert r.names == ("resnet101", "efficientnet_b3")


def test_seed_images_409_and_411_give_one_substitution_on_two_images():
    # Both images: A [1899, 16550, 25366, 33008] vs B [1899, 10223, 16550, 33008], so
    # only_a = {25366}, only_b = {10223} on each: 25366 → 10223 on 2 images; each one-sided
    # category counts 2 differing images. Image 410 agrees and is not listed.
    a_list, b_list = [1899, 16550, 25366, 33008], [1899, 10223, 16550, 33008]
    a = make({409: a_list, 410: [5], 411: a_list}, "a")
    b = make({409: b_list, 410: [5], 411: b_list}, "b")
    r = diff(a, b)
    assert [d.image_id for d in r.differing_images] == [409, 411]
    assert r.images_compared == 3
    assert r.only_a_counts == {25366: 2}
    assert r.only_b_counts == {10223: 2}
    assert r.substitutions == (Substitution(25366, 10223, (409, 411)),)
    assert r.substitutions[0].images == 2


def test_not_a_substitution_when_more_than_one_category_differs():
    # only_a = {1}, only_b = {2, 3}: one-sided counts are kept, no X → Y pair.
    r = diff(make({1: [1, 5]}, "a"), make({1: [2, 3, 5]}, "b"))
    assert r.differing_images[0].only_b == (2, 3)
    assert r.only_b_counts == {2: 1, 3: 1}
    assert r.substitutions == ()


def test_counts_are_images_not_detections_and_sorted_most_first():
    # 7 is only in A on images 1, 2 and 3 (twice on image 3: still 1 image); 4 only on image 1.
    a = make({1: [4, 7], 2: [7], 3: [7, 7], 4: [1]}, "a")
    b = make({1: [1], 2: [1], 3: [1], 4: [1]}, "b")
    r = diff(a, b)
    assert list(r.only_a_counts.items()) == [(7, 3), (4, 1)]
    assert [s.images for s in r.substitutions] == [2]  # 7 → 1 on images 2 and 3


def test_substitutions_are_sorted_by_images_then_ids():
    a = make({1: [30], 2: [10], 3: [10], 4: [20]}, "a")
    b = make({1: [31], 2: [11], 3: [11], 4: [21]}, "b")
    assert [(s.a, s.b, s.images) for s in diff(a, b).substitutions] == [
        (10, 11, 2),
        (20, 21, 1),
        (30, 31, 1),
    ]


def test_identical_runs_do_not_differ():
    run = make({1: [1, 2], 2: [3]}, "a")
    r = diff(run, make({1: [2, 1], 2: [3]}, "b"))
    assert r.differing_images == ()
    assert r.only_a_counts == {} and r.substitutions == ()
    assert r.images_compared == 2


def test_an_image_one_run_found_nothing_on_differs():
    # COCO results say "nothing found" only by leaving the image out: images 2 and 9 (only in
    # A) and 3 and 4 (only in B) differ, with an empty list on the silent side.
    r = diff(make({1: [5], 2: [5], 9: [1]}, "a"), make({1: [5], 3: [7], 4: [7]}, "b"))
    assert r.images_only_a == (2, 9)
    assert r.images_only_b == (3, 4)
    assert r.images_compared == 1
    assert r.images_total == 5  # images in either file
    assert r.differing_images == (
        ImageDiff(2, (5,), (), (5,), ()),
        ImageDiff(3, (), (7,), (), (7,)),
        ImageDiff(4, (), (7,), (), (7,)),
        ImageDiff(9, (1,), (), (1,), ()),
    )
    assert r.only_a_counts == {1: 1, 5: 1}
    assert r.only_b_counts == {7: 2}
    assert r.substitutions == ()  # nothing-found is not a single-for-single swap
    d = r.to_dict()
    assert d["differing_image_count"] == 4 and d["images_total"] == 5
    assert d["differing_images"][0] == {
        "image_id": 2,
        "a": [5],
        "b": [],
        "only_a": [5],
        "only_b": [],
    }


def test_with_a_gt_its_images_are_counted_even_without_detections():
    # GT images 1..4: image 4 has no detection in either run: counted in M, not differing.
    gt = ground_truth(
        gt_doc([{"image_id": i, "category_id": 5, "bbox": box(0, 0, 9, 9)} for i in (1, 2, 3, 4)])
    )
    r = diff(make({1: [5], 2: [5]}, "a"), make({1: [5], 3: [5]}, "b"), gt=gt)
    assert [d.image_id for d in r.differing_images] == [2, 3]
    assert r.images_total == 4
    assert r.category_names == {5: "pill_5"}
    assert r.caveats == () and r.left_out == {"a": 0, "b": 0}


def test_with_a_gt_unknown_ids_of_unchecked_runs_are_left_out_with_a_caveat():
    gt = ground_truth(gt_doc([{"image_id": 1, "category_id": 5, "bbox": box(0, 0, 9, 9)}]))
    a = make({1: [5, 99], 8: [5]}, "a")  # category 99 and image 8 are not in the GT
    r = diff(a, make({1: [5]}, "b"), gt=gt)
    assert r.differing_images == ()
    assert r.images_total == 1
    assert r.left_out == {"a": 2, "b": 0}
    (caveat,) = r.caveats
    assert caveat.startswith("a: 2 of 3 detections left out: category ids 99 (1) and image ids 8")


def test_runs_loaded_against_the_gt_are_not_warned_about_twice(tmp_path):
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    records = load_results(SAMPLE / "resnet101.json").to_coco()
    records.append({**records[0], "category_id": 99999})
    a = load_results(records, gt=gt, name="a")
    assert a.left_out.detections == 1 and len(a.warnings) == 1
    r = diff(a, load_results(SAMPLE / "resnet101.json", gt=gt), gt=gt)
    assert r.caveats == () and r.left_out == {"a": 1, "b": 0}
    assert r.differing_images == ()  # the same run once the stray detection is left out
    assert r.images_total == len(gt.images)


def test_multiset_counts_duplicates():
    # A detects 25366 twice on image 5, B once: equal as sets, different as multisets,
    # where only_a = [25366, 25366] - [25366] = [25366].
    a = make({5: [16550, 25366, 25366]}, "a")
    b = make({5: [16550, 25366]}, "b")
    assert diff(a, b).differing_images == ()
    r = diff(a, b, multiset=True)
    assert r.differing_images == (
        ImageDiff(5, (16550, 25366, 25366), (16550, 25366), (25366,), ()),
    )
    assert r.multiset is True


def test_score_threshold_keeps_scores_at_or_above_it():
    # A's 30307 scores 0.3: below a 0.5 threshold it is dropped and A then agrees with B.
    a = make({1: [1, 30307], 2: [4]}, "a", scores=[0.9, 0.3, 0.5])
    b = make({1: [1], 2: [4]}, "b")
    assert len(diff(a, b).differing_images) == 1
    r = diff(a, b, score_threshold=0.5)
    assert r.differing_images == ()
    assert r.detections == {"a": 2, "b": 2}
    assert r.loaded == {"a": 3, "b": 2}
    assert r.score_threshold == 0.5


def test_threshold_that_removes_an_image_moves_it_to_one_sided():
    a = make({1: [1], 2: [2]}, "a", scores=[0.9, 0.1])
    b = make({1: [1], 2: [2]}, "b")
    r = diff(a, b, score_threshold=0.5)
    assert r.images_only_b == (2,)
    assert r.differing_images == (ImageDiff(2, (), (2,), (), (2,)),)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_bad_threshold_is_programmer_misuse(bad):
    run = make({1: [1]}, "a")
    with pytest.raises(
        ValueError, match="Expected score_threshold to be a finite number >= 0, got"
    ):
        diff(run, run, score_threshold=bad)


def test_empty_runs_give_an_empty_diff():
    empty = make({}, "a")
    r = diff(empty, make({1: [3]}, "b"))
    assert r.images_compared == 0
    assert r.images_only_b == (1,)
    assert r.detections == {"a": 0, "b": 1}
    assert [d.image_id for d in r.differing_images] == [1]
    r = diff(empty, make({}, "b"))
    assert r.differing_images == () and r.images_total == 0


def test_equal_names_are_told_apart():
    # e.g. run1/preds.json vs run2/preds.json: both stems are 'preds'.
    r = diff(make({1: [1]}, "preds"), make({1: [2]}, "preds"))
    assert r.names == ("preds_a", "preds_b")
    frame = r.to_frame()
    assert list(frame.columns) == ["image_id", "preds_a", "preds_b", "only_preds_a", "only_preds_b"]
    assert frame.iloc[0].tolist() == [1, "1", "2", "1", "2"]


def test_unnamed_runs_are_called_a_and_b():
    assert diff(make({1: [1]}, ""), make({1: [1]}, "")).names == ("a", "b")


def _mirrored(r: DiffResult, m: DiffResult) -> None:
    assert m.names == r.names[::-1]
    assert m.detections == {"a": r.detections["b"], "b": r.detections["a"]}
    assert m.only_a_counts == r.only_b_counts and m.only_b_counts == r.only_a_counts
    assert m.images_only_a == r.images_only_b and m.images_only_b == r.images_only_a
    assert m.images_compared == r.images_compared
    assert m.images_total == r.images_total
    assert m.differing_images == tuple(
        ImageDiff(d.image_id, d.b, d.a, d.only_b, d.only_a) for d in r.differing_images
    )
    assert sorted((s.b, s.a, s.image_ids) for s in r.substitutions) == sorted(
        (s.a, s.b, s.image_ids) for s in m.substitutions
    )


@pytest.mark.parametrize("multiset", [False, True])
def test_diff_a_b_mirrors_diff_b_a_on_the_sample(multiset):
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    r = diff(a, b, multiset=multiset, score_threshold=0.4)
    assert r.differing_images  # the property is checked on real differences
    _mirrored(r, diff(b, a, multiset=multiset, score_threshold=0.4))


def test_diff_mirrors_on_random_runs():
    rng = np.random.default_rng(0)
    for _ in range(20):
        labels = [
            {int(i): rng.integers(0, 6, rng.integers(1, 5)).tolist() for i in range(8)}
            for _ in range(2)
        ]
        a, b = make(labels[0], "a"), make(labels[1], "b")
        _mirrored(diff(a, b, multiset=True), diff(b, a, multiset=True))


def test_differing_images_are_sorted_and_lists_sorted_on_the_sample():
    a = load_results(SAMPLE / "efficientnet_b3.json")
    b = load_results(SAMPLE / "resnet101.json")
    r = diff(a, b)
    ids = [d.image_id for d in r.differing_images]
    assert ids == sorted(ids)
    for d in r.differing_images:
        assert list(d.a) == sorted(set(d.a)) and list(d.b) == sorted(set(d.b))
        assert set(d.only_a) == set(d.a) - set(d.b)
        assert set(d.only_b) == set(d.b) - set(d.a)


def test_to_dict_uses_string_category_keys_and_lists():
    r = diff(
        make({277: [3482, 34596]}, "resnet101"),
        make({277: [3482, 30307]}, "efficientnet_b3"),
        category_names={34596: "white oval"},
    )
    d = r.to_dict()
    assert d["names"] == {"a": "resnet101", "b": "efficientnet_b3"}
    assert d["differing_images"] == [
        {
            "image_id": 277,
            "a": [3482, 34596],
            "b": [3482, 30307],
            "only_a": [34596],
            "only_b": [30307],
        }
    ]
    assert d["only_a_counts"] == {"34596": 1}
    assert d["only_b_counts"] == {"30307": 1}
    assert d["substitutions"] == [{"a": 34596, "b": 30307, "images": 1, "image_ids": [277]}]
    assert d["category_names"] == {"34596": "white oval"}
    assert r.category_label(34596) == "34596 (white oval)"
    assert r.category_label(30307) == "30307"


@pytest.mark.parametrize("multiset", [False, True])
def test_diff_mirrors_with_a_gt_and_one_sided_images(multiset):
    gt = ground_truth(
        gt_doc([{"image_id": i, "category_id": 1, "bbox": box(0, 0, 9, 9)} for i in range(10)])
    )
    rng = np.random.default_rng(1)
    for _ in range(10):
        labels = [
            {int(i): rng.integers(0, 3, rng.integers(1, 4)).tolist() for i in rng.choice(10, 6)}
            for _ in range(2)
        ]
        a, b = make(labels[0], "a"), make(labels[1], "b")
        _mirrored(diff(a, b, multiset=multiset, gt=gt), diff(b, a, multiset=multiset, gt=gt))


def test_file_names_instead_of_runs_are_refused_with_the_fix():
    run = make({1: [1]}, "a")
    with pytest.raises(
        TypeError,
        match=r"^diff\(\) expects Detections for a and b \(from load_results\), got str for a; "
        r"load the files first: load_results\('a\.json'\)$",
    ):
        diff("a.json", "b.json")
    with pytest.raises(TypeError, match=r"got str for b; load the file first: load_results"):
        diff(run, "b.json")
    with pytest.raises(TypeError, match=r"got NoneType for b$"):
        diff(run, None)
    with pytest.raises(TypeError, match="Expected gt to be GroundTruth, got str"):
        diff(run, run, gt="gt.json")
