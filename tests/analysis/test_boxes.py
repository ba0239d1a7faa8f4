"""Box geometry: pycocotools' bbox IoU bit for bit, and the same-image overlap pairs."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.boxes import BoxPairs, box_iou_pairs, overlapping_pairs


def _random_boxes(rng: np.random.Generator, n: int, n_images: int) -> tuple[np.ndarray, ...]:
    """Boxes on a 0.5 px grid (so edges touch and boxes repeat), a few images, some shared."""
    image = rng.integers(0, n_images, n)
    xy = rng.integers(0, 40, (n, 2)) / 2
    wh = rng.integers(1, 50, (n, 2)) / 2
    return image, np.c_[xy, wh]


def _brute_force(left_image, left_xywh, right_image, right_xywh, crowd, min_iou):
    """Every same-image pair through pycocotools' own C IoU, in (left row, right row) order."""
    from pycocotools import mask as mask_utils

    out = []
    for i in range(left_image.size):
        mates = np.flatnonzero(right_image == left_image[i])
        if mates.size == 0:
            continue
        iscrowd = np.zeros(mates.size, np.uint8) if crowd is None else crowd[mates]
        ious = mask_utils.iou(
            left_xywh[i : i + 1].tolist(), right_xywh[mates].tolist(), iscrowd.tolist()
        )[0]
        for j, iou in zip(mates.tolist(), ious.tolist(), strict=True):
            if iou > 0 and iou >= min_iou:
                out.append((i, j, iou))
    return out


def test_box_iou_is_bit_identical_to_pycocotools_c_code():
    from pycocotools import mask as mask_utils

    rng = np.random.default_rng(0)
    dt = np.c_[rng.uniform(0, 50, (40, 2)), rng.uniform(0.5, 40, (40, 2))]
    gt = np.c_[rng.uniform(0, 50, (30, 2)), rng.uniform(0.5, 40, (30, 2))]
    crowd = rng.random(30) < 0.3
    d_idx, g_idx = (i.ravel() for i in np.meshgrid(np.arange(40), np.arange(30), indexing="ij"))
    expected = mask_utils.iou(dt.tolist(), gt.tolist(), crowd.astype(np.uint8).tolist())
    got = box_iou_pairs(dt[d_idx], gt[g_idx], crowd[g_idx])
    assert np.array_equal(got.reshape(40, 30), expected)
    # No crowd flags = every flag False.
    plain = mask_utils.iou(dt.tolist(), gt.tolist(), [0] * 30)
    assert np.array_equal(box_iou_pairs(dt[d_idx], gt[g_idx]).reshape(40, 30), plain)


def test_hand_made_pairs_keep_overlaps_only_in_the_same_image():
    left_image = np.array([1, 1, 2])
    left = np.array([[0, 0, 10, 10], [100, 100, 5, 5], [0, 0, 10, 10]], dtype=float)
    right_image = np.array([1, 1, 1, 3])
    right = np.array(
        [
            [5, 0, 10, 10],  # overlaps left 0 by 5 x 10 = 50: IoU 50 / (100 + 100 - 50) = 1/3
            [10, 0, 5, 5],  # touches left 0's right edge: width 0, no overlap
            [0, 0, 10, 10],  # identical to left 0: IoU 1
            [0, 0, 10, 10],  # image 3: no left box there
        ],
        dtype=float,
    )
    pairs = overlapping_pairs(left_image, left, right_image, right)
    assert isinstance(pairs, BoxPairs)
    assert pairs.left.tolist() == [0, 0] and pairs.right.tolist() == [0, 2]
    assert pairs.iou.tolist() == [50 / 150, 1.0]
    assert (pairs.left.dtype, pairs.right.dtype, pairs.iou.dtype) == (np.int64,) * 2 + (np.float64,)
    # A crowd region's denominator is the left box's area: 50 / 100.
    crowd = overlapping_pairs(
        left_image, left, right_image, right, right_iscrowd=np.array([1, 0, 0, 0], bool)
    )
    assert crowd.iou.tolist() == [0.5, 1.0]


@pytest.mark.parametrize("seed", range(20))
def test_pairs_equal_pycocotools_on_every_same_image_pair(seed):
    rng = np.random.default_rng(seed)
    left_image, left = _random_boxes(rng, int(rng.integers(1, 40)), 4)
    right_image, right = _random_boxes(rng, int(rng.integers(0, 40)), 5)
    copies = rng.integers(0, left_image.size, 3)  # IoU exactly 1 (crowd or not)
    right_image, right = np.r_[right_image, left_image[copies]], np.r_[right, left[copies]]
    crowd = (rng.random(right_image.size) < 0.3) if seed % 2 else None
    min_iou = (0.0, 0.1, 0.3, 0.5, 1.0)[seed % 5]
    expected = _brute_force(
        left_image,
        left,
        right_image,
        right,
        None if crowd is None else crowd.astype(np.uint8),
        min_iou,
    )
    got = overlapping_pairs(
        left_image, left, right_image, right, right_iscrowd=crowd, min_iou=min_iou
    )
    got_pairs = zip(got.left.tolist(), got.right.tolist(), got.iou.tolist(), strict=True)
    assert len(expected) >= 3 and list(got_pairs) == expected


@pytest.mark.parametrize("block", [1, 2, 7, 100])
def test_result_does_not_depend_on_the_block_size(block):
    rng = np.random.default_rng(3)
    left_image, left = _random_boxes(rng, 300, 3)
    right_image, right = _random_boxes(rng, 200, 3)
    crowd = rng.random(200) < 0.2
    whole = overlapping_pairs(left_image, left, right_image, right, right_iscrowd=crowd)
    blocked = overlapping_pairs(
        left_image, left, right_image, right, right_iscrowd=crowd, block=block
    )
    assert whole.left.size > 100  # dense enough to span many blocks
    for x, y in zip(whole, blocked, strict=True):
        assert np.array_equal(x, y)


def test_many_blocks_split_between_two_threads_give_the_same_pairs(monkeypatch):
    from pill_compare.analysis import boxes
    from pill_compare.parallel import threads

    rng = np.random.default_rng(5)
    left_image, left = _random_boxes(rng, 300, 3)
    right_image, right = _random_boxes(rng, 200, 3)
    crowd = rng.random(200) < 0.2
    split = []
    real = boxes.run_parallel
    monkeypatch.setattr(
        boxes, "run_parallel", lambda *tasks: split.append(len(tasks)) or real(*tasks)
    )
    got = {}
    for count in (1, 2):
        with threads(count):
            got[count] = overlapping_pairs(
                left_image, left, right_image, right, right_iscrowd=crowd, block=50
            )
    few = overlapping_pairs(left_image[:2], left[:2], right_image[:0], right[:0])  # none to split
    assert split == [2, 2] and few.left.size == 0  # two runs of rows, in threads or in turn
    assert got[1].left.size > 1000
    for x, y in zip(got[1], got[2], strict=True):
        assert np.array_equal(x, y)


def test_swapping_sides_mirrors_the_pairs_bit_for_bit():
    """Without crowd regions bbIou is symmetric, so (b, a) lists the same pairs, mirrored."""
    rng = np.random.default_rng(5)
    a_image, a = _random_boxes(rng, 80, 3)
    b_image, b = _random_boxes(rng, 70, 3)
    ab = overlapping_pairs(a_image, a, b_image, b, min_iou=0.2)
    ba = overlapping_pairs(b_image, b, a_image, a, min_iou=0.2)
    order = np.lexsort((ba.left, ba.right))
    assert np.array_equal(ab.left, ba.right[order]) and np.array_equal(ab.right, ba.left[order])
    assert np.array_equal(ab.iou, ba.iou[order])


def test_min_iou_keeps_a_pair_exactly_at_the_threshold():
    box = np.array([[0.0, 0.0, 10.0, 10.0]])
    half = np.array([[0.0, 0.0, 10.0, 5.0]])  # IoU 50 / 100 = 0.5 exactly
    one = np.array([1])
    assert overlapping_pairs(one, box, one, half, min_iou=0.5).iou.tolist() == [0.5]
    assert overlapping_pairs(one, box, one, half, min_iou=np.nextafter(0.5, 1)).iou.size == 0


@pytest.mark.parametrize(("n_left", "n_right"), [(0, 3), (3, 0), (0, 0)])
def test_no_boxes_on_a_side_gives_empty_typed_pairs(n_left, n_right):
    pairs = overlapping_pairs(
        np.ones(n_left, np.int64),
        np.ones((n_left, 4)),
        np.ones(n_right, np.int64),
        np.ones((n_right, 4)),
    )
    assert [x.size for x in pairs] == [0, 0, 0]
    assert [x.dtype for x in pairs] == [np.int64, np.int64, np.float64]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"left_xywh": np.ones((2, 3))}, r"Expected left_xywh of shape \(2, 4\).*got \(2, 3\)"),
        ({"right_image": np.ones((1, 1))}, r"Expected right_image of shape \(N,\), got \(1, 1\)"),
        ({"right_iscrowd": np.zeros(2, bool)}, r"Expected right_iscrowd of shape \(1,\), got"),
        ({"min_iou": 1.5}, r"Expected min_iou in \[0, 1\], got 1.5"),
        ({"min_iou": float("nan")}, r"Expected min_iou in \[0, 1\], got nan"),
        ({"block": 0}, r"Expected block to be an integer >= 1, got 0"),
    ],
)
def test_misuse_is_refused_with_expected_and_got(kwargs, message):
    args = {
        "left_image": np.array([1, 1]),
        "left_xywh": np.ones((2, 4)),
        "right_image": np.array([1]),
        "right_xywh": np.ones((1, 4)),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        overlapping_pairs(**args)


def test_the_one_iou_formula_lives_in_core_for_every_layer():
    # prep may not import analysis: the formula sits in core, analysis re-exports it, and no
    # other module divides an intersection by a union of its own
    import io
    import re
    import tokenize
    from pathlib import Path

    import pill_compare.analysis.boxes as boxes
    import pill_compare.core as core

    def code(path: Path) -> str:  # names and operators only: no comment, no docstring
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
        return " ".join(t.string for t in tokens if t.type in (tokenize.NAME, tokenize.OP))

    assert boxes.box_iou_pairs is core.box_iou_pairs
    package = Path(core.__file__).parent
    formula = re.compile(r"\binter\w* / (np \. where \( )?union")
    owners = sorted(
        str(p.relative_to(package)) for p in package.rglob("*.py") if formula.search(code(p))
    )
    assert owners == ["core.py"]


def test_a_box_without_area_overlaps_nothing_silently():
    # w < 0 (a box read the wrong way) and w = 0: IoU 0, no division warning; [0,0,4,4] vs
    # [2,2,4,4]: 4 / (16 + 16 - 4) = 1/7
    dt = np.array([[0.0, 0.0, -5.0, 3.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 4.0, 4.0]])
    gt = np.array([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 4.0, 4.0]])
    with np.errstate(all="raise"):
        assert box_iou_pairs(dt, gt).tolist() == [0.0, 0.0, 1 / 7]
