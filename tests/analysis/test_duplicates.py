"""``duplicate_rows`` equals its definition, written out pair by pair, on random small runs with
planted exact copies, near copies at IoU just above and below 0.95, score ties and odd boxes."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.diagnosis.duplicates import NEAR_IOU, duplicate_rows
from pill_compare.core import Detections, box_iou_pairs


def reference(run: Detections) -> tuple[np.ndarray, np.ndarray]:
    """The definition over every ordered pair (i, j): ``exact[j]``: an earlier row i equals it
    in image, category, box and score (float ==); ``near[j]``: not exact, and a row i, not exact,
    of its image and category, ranked above it (higher score, or equal and i < j), has
    pycocotools' IoU(i, j) >= NEAR_IOU."""
    n = len(run)
    i, j = (a.reshape(-1) for a in np.meshgrid(np.arange(n), np.arange(n), indexing="ij"))
    same_group = (run.image_id[i] == run.image_id[j]) & (run.category_id[i] == run.category_id[j])
    equal = same_group & (run.bbox[i] == run.bbox[j]).all(axis=1) & (run.score[i] == run.score[j])
    exact = np.zeros(n, dtype=bool)
    exact[j[equal & (i < j)]] = True
    si, sj = run.score[i], run.score[j]
    above = (si > sj) | ((si == sj) & (i < j))
    with np.errstate(all="ignore"):  # inf and NaN boxes
        iou = box_iou_pairs(run.bbox[i], run.bbox[j])
    hit = same_group & above & ~exact[i] & ~exact[j] & (iou >= NEAR_IOU)
    near = np.zeros(n, dtype=bool)
    near[j[hit]] = True
    return exact, near


def _threshold_shift(w: float, rng: np.random.Generator) -> float:
    """A shift along x that puts a moved copy of a box of width w at IoU 0.95 give or take a few
    ulps: (w - d) / (w + d) = 0.95 at d = w * 0.05 / 1.95."""
    d = w * (1 - NEAR_IOU) / (1 + NEAR_IOU)
    for _ in range(int(rng.integers(-3, 4))):
        d = np.nextafter(d, np.inf)
    return float(d)


def random_run(rng: np.random.Generator) -> Detections:
    """A small run: a few images and classes, boxes copied exactly, moved to about IoU 0.95,
    scaled a little, with scores drawn from a few values (ties) and a few odd boxes."""
    n_base = int(rng.integers(1, 12))
    x = rng.choice([0.0, 0.5, 10.0, 100.25, 1e4], n_base) + rng.uniform(0, 50, n_base).round(2)
    boxes = np.stack(
        [
            x,
            rng.uniform(0, 50, n_base).round(1),
            rng.uniform(1, 80, n_base),
            rng.uniform(1, 80, n_base),
        ],
        axis=1,
    )
    image = rng.integers(1, 3, n_base)
    category = rng.integers(1, 4, n_base)
    score = rng.choice([0.9, 0.5, 0.3], n_base)
    rows = [(image[k], category[k], boxes[k].copy(), score[k]) for k in range(n_base)]
    for _ in range(int(rng.integers(0, 20))):
        im, cat, box, s = rows[int(rng.integers(len(rows)))]
        box = box.copy()
        kind = rng.integers(6)
        if kind == 1:  # moved to IoU 0.95 give or take
            box[0] += _threshold_shift(box[2], rng)
        elif kind == 2:  # moved in y
            box[1] -= _threshold_shift(box[3], rng)
        elif kind == 3:  # scaled: IoU = 1 / f**2 for f >= 1
            box[2:] *= rng.choice([1.02, 1.025, 1.0259, 1.03])
        elif kind == 4:  # another class or image, or a moved copy far away
            if rng.random() < 0.5:
                cat = cat + 1
            else:
                box[0] += box[2] * rng.choice([0.05, 0.1, 0.2])
        elif kind == 5:  # a score just apart or equal
            s = rng.choice([s, np.nextafter(s, 0), 0.9])
        if rng.random() < 0.5:
            s = rng.choice([s, 0.9, 0.5])
        rows.append((im, cat, box, s))
    if rng.random() < 0.2:  # odd boxes: no area, negative width, NaN score, -0.0, far away
        im, cat, box, s = rows[0]
        odd = [
            np.array([box[0], box[1], 0.0, box[3]]),
            np.array([box[0], box[1], -box[2], box[3]]),
            np.array([-0.0 if box[0] == 0 else box[0], box[1], box[2], box[3]]),
            np.array([1e12, box[1], 1e-3, box[3]]),
            np.array([1e12 + 1e-4, box[1], 1e-3, box[3]]),
        ]
        rows += [(im, cat, b, s) for b in odd]
        rows.append((im, cat, box.copy(), np.nan))
    order = rng.permutation(len(rows))
    return Detections(
        image_id=[int(rows[k][0]) for k in order],
        category_id=[int(rows[k][1]) for k in order],
        bbox=np.array([rows[k][2] for k in order]),
        score=[float(rows[k][3]) for k in order],
    )


def test_duplicate_rows_equals_the_pairwise_definition_on_random_runs():
    rng = np.random.default_rng(7)
    planted_near = 0
    for _ in range(400):
        run = random_run(rng)
        exact, near = duplicate_rows(run)
        want_exact, want_near = reference(run)
        assert exact.tolist() == want_exact.tolist()
        assert near.tolist() == want_near.tolist()
        planted_near += int(want_near.sum())
    assert planted_near > 300  # the cases do hold near copies


def test_a_copy_moved_about_the_iou_095_shift_is_judged_by_pycocotools_iou():
    # image k: a 100 x 100 box at x = 0 (score 0.9) and its copy at x = d (0.8); IoU
    # (100 - d) / (100 + d), 0.95 at d = 5 / 1.95 = 2.564...: d 2 -> 0.961 (near), 3 -> 0.942
    # (not); the three around 2.564 are decided by the float IoU, as the reference decides
    d = 100 * 0.05 / 1.95
    moved = [2.0, 3.0, d, np.nextafter(d, 0), np.nextafter(d, 10)]
    run = Detections(
        image_id=[k for k in range(5) for _ in range(2)],
        category_id=[1] * 10,
        bbox=[[x, 0.0, 100.0, 100.0] for m in moved for x in (0.0, m)],
        score=[0.9, 0.8] * 5,
    )
    exact, near = duplicate_rows(run)
    assert not exact.any()
    assert near.tolist() == reference(run)[1].tolist()
    assert near[1] and not near[3] and not near[::2].any()


@pytest.mark.parametrize(
    ("image_id", "category_id"),
    [
        ([1, 1, 1, 2, 2], [1, 1, 2, 1, 1]),  # small ids: the ids' offsets
        ([10**15, 10**15, 3, 3, -(10**15)], [7, 7, 7, 7, 7]),  # far apart: ranks
        ([1, 1, 2, 2, 3], [-(2**40), -(2**40), 2**40, 2**40, 0]),
    ],
)
def test_groups_are_image_and_class_whatever_the_ids(image_id, category_id):
    # rows 0 and 1 (and 2 and 3) are the same image and class, the same box, scores 0.9 then 0.8:
    # the second is a near duplicate (IoU 1, not exact: another score)
    run = Detections(
        image_id=image_id,
        category_id=category_id,
        bbox=[[0.0, 0.0, 10.0, 10.0]] * 5,
        score=[0.9, 0.8, 0.9, 0.8, 0.9],
    )
    exact, near = duplicate_rows(run)
    assert (exact.tolist(), near.tolist()) == tuple(a.tolist() for a in reference(run))
    assert near.tolist() == [False, True, False, True, False]


@pytest.mark.parametrize(
    ("xs", "side"),
    [
        ([5.0] * 6, 10.0),  # every x the same: one cell
        ([-1e300, 0.0, 0.0, 1e300, 1e300, 3.0], 10.0),  # cells 1e288 wide
        ([np.inf, 0.0, 0.0, np.nan, 1.0, 1.0], 10.0),
        # areas below the smallest float64 (5e-324): the float IoU of boxes 0.3 side apart is 1.0
        # (pycocotools says so too), far from what the geometry allows: compared pair by pair
        ([0.0, 0.3 * 2.3e-162, 0.0, 0.6 * 2.3e-162, 2.3e-162, 5e-162], 2.3e-162),
        ([1e12, 1e12 + 1.5e-4, 1e12 + 3e-4, 0.0, 1e-4, 2e-4], 1e-3),  # x far from 0 for w
    ],
)
def test_odd_boxes_are_judged_as_the_definition_judges_them(xs, side):
    run = Detections(
        image_id=[1] * 6,
        category_id=[1] * 6,
        bbox=[[x, 0.0, side, side] for x in xs],
        score=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
    )
    exact, near = duplicate_rows(run)
    assert (exact.tolist(), near.tolist()) == tuple(a.tolist() for a in reference(run))


@pytest.mark.parametrize(
    ("image_id", "bbox", "score"),
    [
        ([], np.zeros((0, 4)), []),
        ([1], [[0, 0, 1, 1]], [0.5]),
        ([1, 1, 1], [[0, 0, 0, 1]] * 3, [0.5, 0.5, 0.4]),  # no width: the copy is exact, no near
        ([1, 1, 1], [[np.nan, 0, 1, 1]] * 3, [0.5, 0.5, 0.4]),  # NaN equals nothing
        ([1, 1, 1], [[0, 0, 1, 1]] * 3, [np.nan, np.nan, 0.4]),  # NaN scores rank nothing
        ([1, 1, 1], [[np.inf, 0, 1, 1], [0, 0, np.inf, 1], [0, 0, 1e308, 1e308]], [0.5] * 3),
        ([1, 1], [[-0.0, 0, 1, 1], [0.0, 0, 1, 1]], [-0.0, 0.0]),  # -0.0 == 0.0: a copy
        ([2**62, -(2**62)], [[0, 0, 1, 1]] * 2, [0.5, 0.4]),  # two images
    ],
)
def test_edge_runs_are_judged_as_the_definition_judges_them(image_id, bbox, score):
    run = Detections(
        image_id=image_id,
        category_id=[1] * len(image_id),
        bbox=np.array(bbox, dtype=float).reshape(-1, 4),
        score=score,
    )
    exact, near = duplicate_rows(run)
    assert (exact.tolist(), near.tolist()) == tuple(a.tolist() for a in reference(run))
