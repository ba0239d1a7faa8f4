"""The shared greedy one-to-one assignment: hand-made cases and a naive sequential reference."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.greedy import IOU_CAP, greedy_assign, greedy_pairs, score_ranks


def _pairs(*rows):
    """(left, right, iou) triples as three arrays."""
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    left, right, iou = zip(*rows, strict=True)
    return np.array(left), np.array(right), np.array(iou, dtype=np.float64)


def _assign(rows, scores, n_right, t=0.5, groups=None, **kwargs):
    scores = np.asarray(scores, dtype=np.float64)
    groups = np.zeros(scores.size, np.int64) if groups is None else np.asarray(groups)
    return greedy_pairs(
        *_pairs(*rows),
        left_score=scores,
        left_group=groups,
        n_right=n_right,
        iou_threshold=t,
        **kwargs,
    )


def test_the_higher_score_visits_first_and_takes_its_best_iou():
    # Left 1 (0.9) visits before left 0 (0.8). Both want right 0; left 1 likes it best (0.9 over
    # 0.6 for right 1) and takes it; left 0 falls back to right 1 (IoU 0.7 >= 0.5).
    got = _assign([(0, 0, 0.95), (0, 1, 0.7), (1, 0, 0.9), (1, 1, 0.6)], [0.8, 0.9], 2)
    assert got.left.tolist() == [1, 0]
    assert got.right.tolist() == [1, 0]


def test_equal_scores_are_visited_in_row_order():
    # Same score: left 0 visits first and takes the single right row.
    got = _assign([(0, 0, 0.6), (1, 0, 0.9)], [0.7, 0.7], 1)
    assert got.left.tolist() == [0, -1]


def test_an_iou_tie_goes_to_the_later_right_row():
    # Two right rows at IoU 0.8: pycocotools' `>=` scan keeps the later one (row 1).
    got = _assign([(0, 0, 0.8), (0, 1, 0.8)], [0.9], 2)
    assert got.left.tolist() == [1]


def test_threshold_is_inclusive_and_capped_below_one():
    # IoU exactly 0.5 qualifies at t = 0.5; IoU 0.4999 does not.
    assert _assign([(0, 0, 0.5)], [0.9], 1).left.tolist() == [0]
    assert _assign([(0, 0, 0.4999)], [0.9], 1).left.tolist() == [-1]
    # t = 1 is capped at 1 - 1e-10: a "perfect" box whose float IoU is 1 - 1e-12 still matches.
    assert _assign([(0, 0, 1 - 1e-12)], [0.9], 1, t=1.0).left.tolist() == [0]
    assert _assign([(0, 0, IOU_CAP - 1e-12)], [0.9], 1, t=1.0).left.tolist() == [-1]


def test_a_fallback_row_is_taken_only_when_nothing_else_qualifies():
    # Right 0 is a fallback (pycocotools: an ignored GT) with IoU 0.9; right 1 regular, 0.6.
    # Left 0 takes right 1 despite the lower IoU; left 1 then has only the fallback.
    fallback = np.array([True, False])
    got = _assign(
        [(0, 0, 0.9), (0, 1, 0.6), (1, 0, 0.9), (1, 1, 0.6)], [0.9, 0.8], 2, right_fallback=fallback
    )
    assert got.left.tolist() == [1, 0]


def test_a_reusable_row_is_never_used_up():
    # A crowd region (reusable) absorbs both left rows; right.right records the last taker.
    got = _assign([(0, 0, 0.7), (1, 0, 0.6)], [0.9, 0.8], 1, right_reusable=np.array([True]))
    assert got.left.tolist() == [0, 0]
    assert got.right.tolist() == [1]


def test_groups_are_independent():
    # Group 7 and group 3 each have one left row at the same step; they match their own rows.
    got = _assign([(0, 0, 0.8), (1, 1, 0.8)], [0.9, 0.9], 2, groups=[7, 3])
    assert got.left.tolist() == [0, 1]


def test_mutual_mode_visits_both_sets_together_by_score():
    # Nodes 0, 1 are A's boxes (scores 0.9, 0.6), nodes 2, 3 B's (0.8, 0.7); pairs in both
    # directions. Visits: node 0 (0.9) takes node 3 (IoU 0.8 beats 0.6 with node 2); node 2
    # (0.8) then takes node 1 (0.7); node 3 is taken and does not visit; node 1 is taken.
    edges = [(0, 2, 0.6), (0, 3, 0.8), (1, 2, 0.7)]
    both = edges + [(r, left, iou) for left, r, iou in edges]
    got = _assign(both, [0.9, 0.6, 0.8, 0.7], 4, mutual=True)
    assert got.left.tolist() == [3, 2, 1, 0]
    assert got.right.tolist() == got.left.tolist()


def test_mutual_mode_a_taken_node_does_not_visit():
    # Node 0 (0.9) takes node 1; node 1 (0.8) must not then take node 2 as well.
    edges = [(0, 1, 0.9), (1, 2, 0.9)]
    both = edges + [(r, left, iou) for left, r, iou in edges]
    got = _assign(both, [0.9, 0.8, 0.7], 3, mutual=True)
    assert got.left.tolist() == [1, 0, -1]


def test_pairs_below_the_threshold_change_nothing():
    # Left 1 (score 0.8) has only a 0.2 pair: it visits without effect, and left 0 (0.9) still
    # takes right 0 (0.7 beats its 0.6 with right 1). Left 2 (0.7) then gets right 1.
    rows = [(0, 0, 0.7), (0, 1, 0.6), (1, 0, 0.2), (2, 1, 0.55), (2, 0, 0.1)]
    with_low = _assign(rows, [0.9, 0.8, 0.7], n_right=2)
    without = _assign([r for r in rows if r[2] >= 0.5], [0.9, 0.8, 0.7], n_right=2)
    assert with_low.left.tolist() == without.left.tolist() == [0, -1, 1]
    assert with_low.right.tolist() == without.right.tolist() == [0, 2]


def test_no_pairs_gives_no_matches():
    got = _assign([], [0.9, 0.8], 3)
    assert got.left.tolist() == [-1, -1]
    assert got.right.tolist() == [-1, -1, -1]


def test_score_ranks_orders_by_group_then_descending_score_then_row():
    group, rank = score_ranks(np.array([0.5, 0.9, 0.5, 0.7]), np.array([2, 2, 2, 1]))
    assert group.tolist() == [1, 1, 1, 0]
    assert rank.tolist() == [1, 0, 2, 0]


def _naive(pl, pr, iou, score, n_right, t, fallback, reusable, mutual):
    """The rule of the module docstring, one left row at a time (groups never share rows)."""
    n_left = score.size
    free = np.ones(n_right, dtype=bool)
    left, right = np.full(n_left, -1), np.full(n_right, -1)
    for i in sorted(range(n_left), key=lambda i: (-score[i], i)):
        if mutual and not free[i]:
            continue
        cands = [
            (not fallback[r], v, r)
            for ll, r, v in zip(pl, pr, iou, strict=True)
            if ll == i and v >= min(t, IOU_CAP) and free[r]
        ]
        if not cands:
            continue
        r = max(cands)[2]
        left[i], right[r] = r, i
        if mutual:
            left[r], right[i] = i, r
            free[i] = False
        if not reusable[r]:
            free[r] = False
    return left, right


@pytest.mark.parametrize("seed", range(60))
def test_equals_the_naive_sequential_rule_on_random_cases(seed):
    rng = np.random.default_rng(seed)
    mutual = seed % 3 == 0
    n_left = int(rng.integers(0, 25))
    n_right = n_left if mutual else int(rng.integers(1, 20))
    groups = rng.integers(0, 3, n_left)
    scores = rng.choice([0.3, 0.5, 0.7, 0.9], n_left) if seed % 2 else rng.random(n_left)
    rows = {}
    for _ in range(int(rng.integers(0, 60))):
        if n_left == 0:
            break
        i = int(rng.integers(0, n_left))
        same = np.flatnonzero(groups == groups[i]) if mutual else np.arange(n_right)
        j = int(rng.choice(same))
        if mutual and i == j:
            continue
        v = float(rng.choice([0.3, 0.5, 0.6, 0.8, 1.0]))  # ties on purpose
        rows[(i, j)] = v
        if mutual:
            rows[(j, i)] = v
    if not mutual:  # pairs never cross groups: give each right row the group of its pairs
        keep = {}
        right_group = {}
        for (i, j), v in rows.items():
            if right_group.setdefault(j, groups[i]) == groups[i]:
                keep[(i, j)] = v
        rows = keep
    triples = [(i, j, v) for (i, j), v in rows.items()]
    rng.shuffle(triples)
    fallback = rng.random(n_right) < (0 if mutual else 0.3)
    reusable = rng.random(n_right) < (0 if mutual else 0.2)
    t = float(rng.choice([0.5, 0.6, 1.0]))
    pl, pr, iou = _pairs(*triples)
    got = greedy_pairs(
        pl,
        pr,
        iou,
        left_score=scores,
        left_group=groups,
        n_right=n_right,
        iou_threshold=t,
        right_fallback=fallback,
        right_reusable=reusable,
        mutual=mutual,
    )
    want = _naive(pl, pr, iou, scores, n_right, t, fallback, reusable, mutual)
    assert got.left.tolist() == want[0].tolist()
    assert got.right.tolist() == want[1].tolist()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"iou_threshold": 0.0}, r"Expected iou_threshold in \(0, 1\], got 0.0"),
        ({"n_right": 1}, r"Expected pair_right rows in \[0, 1\), got 0\.\.1"),
        ({"right_fallback": np.zeros(3, bool)}, r"Expected right_fallback of shape \(2,\)"),
        ({"left_group": np.zeros(3)}, r"Expected left_score and left_group of shape"),
        ({"mutual": True, "n_right": 3}, r"Expected n_right == 2 in mutual mode, got 3"),
        (
            {"mutual": True, "left_group": np.array([0, 1])},
            "Expected every pair to join rows of one group",
        ),
    ],
)
def test_misuse_is_refused_with_expected_and_got(kwargs, message):
    args = {
        "left_score": np.array([0.9, 0.8]),
        "left_group": np.zeros(2),
        "n_right": 2,
        "iou_threshold": 0.5,
    } | kwargs
    with pytest.raises(ValueError, match=message):
        greedy_pairs(np.array([0, 1]), np.array([1, 0]), np.array([0.7, 0.7]), **args)


def test_pairs_of_unequal_lengths_are_refused():
    with pytest.raises(ValueError, match="Expected pair_left, pair_right and pair_iou of one"):
        greedy_pairs(
            np.array([0]),
            np.array([0, 0]),
            np.array([0.7]),
            left_score=np.array([0.9]),
            left_group=np.zeros(1),
            n_right=1,
            iou_threshold=0.5,
        )


def test_a_group_with_one_right_row_goes_to_the_first_visitor_reaching_each_threshold():
    # Left 0 (score 0.9, IoU 0.6) and left 1 (0.8, IoU 0.9) share right 0; right 1 is a
    # reusable row (a crowd region) that left 2 (0.7, IoU 0.8) and left 3 (0.6, 0.6) reach.
    # t = 0.5: left 0 takes right 0; left 2 and 3 both take right 1 (its taker: 3, the last).
    # t = 0.7: left 0 falls short, so left 1 takes right 0; only left 2 reaches right 1.
    pl, pr, iou = _pairs((0, 0, 0.6), (1, 0, 0.9), (2, 1, 0.8), (3, 1, 0.6))
    group, rank = score_ranks(np.array([0.9, 0.8, 0.7, 0.6]), np.array([0, 0, 1, 1]))
    kwargs = dict(
        n_left=4,
        n_right=2,
        left_group=group,
        left_rank=rank,
        thresholds=np.array([0.5, 0.7]),
        right_fallback=np.array([[False, False], [True, True]]),  # no effect with one candidate
        right_reusable=np.array([False, True]),
    )
    left, right = greedy_assign(pl, pr, iou, **kwargs)
    for a in range(2):
        assert left[a].tolist() == [[0, -1, 1, 1], [-1, 0, 1, -1]]
        assert right[a].tolist() == [[0, 3], [1, 2]]
    matches, _ = greedy_assign(pl, pr, iou, as_list=True, **kwargs)
    assert np.array_equal(matches.dense(2, 2, 4), left)


@pytest.mark.parametrize("seed", range(20))
def test_many_groups_of_one_or_two_right_rows_equal_the_naive_rule_at_every_threshold(seed):
    # Most groups hold one right row (the COCO case: one GT box per image and category), some
    # two; every (fallback variant, threshold) equals the naive rule, dense and as a list.
    rng = np.random.default_rng(seed)
    n_groups = 30
    rights = rng.integers(1, 3, n_groups)  # right rows per group
    right_group = np.repeat(np.arange(n_groups), rights)
    n_right = right_group.size
    n_left = 80
    groups = rng.integers(0, n_groups, n_left)
    scores = rng.choice([0.2, 0.4, 0.6, 0.8], n_left)
    triples = []
    for i in range(n_left):
        for j in np.flatnonzero(right_group == groups[i]):
            if rng.random() < 0.8:
                triples.append((i, int(j), float(rng.choice([0.3, 0.5, 0.55, 0.7, 0.9, 1.0]))))
    pl, pr, iou = _pairs(*triples)
    fallback = rng.random((2, n_right)) < 0.3
    reusable = rng.random(n_right) < 0.2
    thresholds = np.array([0.5, 0.6, 1.0])
    group, rank = score_ranks(scores, groups)
    kwargs = dict(
        n_left=n_left,
        n_right=n_right,
        left_group=group,
        left_rank=rank,
        thresholds=thresholds,
        right_fallback=fallback,
        right_reusable=reusable,
    )
    left, right = greedy_assign(pl, pr, iou, **kwargs)
    matches, right_list = greedy_assign(pl, pr, iou, as_list=True, **kwargs)
    assert np.array_equal(matches.dense(2, 3, n_left), left)
    assert np.array_equal(right_list, right)
    for a in range(2):
        for ti, t in enumerate(thresholds):
            want = _naive(pl, pr, iou, scores, n_right, t, fallback[a], reusable, False)
            assert left[a, ti].tolist() == want[0].tolist()
            assert right[a, ti].tolist() == want[1].tolist()
