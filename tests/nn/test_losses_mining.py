"""hard_negative_mining: top-k by loss, k = floor(r * N_pos), never a positive or ignored anchor."""

import re

import pytest

torch = pytest.importorskip("torch")

from pill_compare.nn.losses import hard_negative_mining, num_hard_negatives  # noqa: E402


def test_keeps_the_k_highest_loss_negatives_of_each_image():
    losses = torch.tensor([[0.9, 0.1, 0.5, 0.7, 0.3], [0.2, 0.8, 0.6, 0.4, 0.0]])
    negative = torch.tensor([[False, True, True, True, True], [True, False, False, True, True]])
    # image 0: 1 positive, r = 2 -> k = 2: 0.7 (anchor 3), 0.5 (anchor 2); anchor 0 (0.9) is
    # the positive. Image 1: 2 non-negatives, N_pos = 1 -> k = 2: 0.4 (3), 0.2 (0)
    mask = hard_negative_mining(losses, torch.tensor([1, 1]), 2.0, negative_mask=negative)
    expected = torch.tensor([[False, False, True, True, False], [True, False, False, True, False]])
    torch.testing.assert_close(mask, expected)


@pytest.mark.parametrize(
    ("ratio", "num_pos", "k"),
    [(3.0, 5, 15), (1.5, 3, 4), (0.5, 1, 0), (0.29, 100, 29), (0.0, 9, 0)],
)
def test_k_is_floor_of_ratio_times_positives(ratio, num_pos, k):
    # 0.29 * 100 == 28.999999999999996 in binary floating point; the intended k is 29
    assert num_hard_negatives(torch.tensor([num_pos]), ratio).item() == k
    losses = torch.rand(1, 200, generator=torch.Generator().manual_seed(0))
    negative = torch.ones(1, 200, dtype=torch.bool)
    negative[0, :num_pos] = False
    mask = hard_negative_mining(losses, torch.tensor([num_pos]), ratio, negative_mask=negative)
    assert mask.sum().item() == k


@pytest.mark.parametrize("per_image", [True, False])
@pytest.mark.parametrize("seed", range(25))
def test_never_selects_a_positive_or_ignored_anchor_and_keeps_at_most_ratio_times_positives(
    seed, per_image
):
    g = torch.Generator().manual_seed(seed)
    n, a = 3, 40
    state = torch.randint(-1, 2, (n, a), generator=g)  # -1 ignore, 0 negative, 1 positive
    state[0, :] = torch.where(state[0] == 1, 0, state[0])  # one image without positives
    losses = torch.rand(n, a, generator=g) * 3
    losses[state != 0] += 10  # positives and ignored anchors have the largest losses
    ratio = float(torch.rand(1, generator=g) * 4)
    num_pos = (state == 1).sum(dim=1)
    mask = hard_negative_mining(
        losses, num_pos, ratio, negative_mask=state == 0, per_image=per_image
    )
    assert not (mask & (state != 0)).any()
    if per_image:
        cap = torch.minimum(num_hard_negatives(num_pos, ratio), (state == 0).sum(dim=1))
        assert torch.equal(mask.sum(dim=1), cap)
    else:
        cap = min(num_hard_negatives(num_pos.sum(), ratio).item(), (state == 0).sum().item())
        assert mask.sum().item() == cap
    # the kept negatives are the hardest: none left out has a larger loss than one kept
    for chosen, pool in _groups(mask, state == 0, losses, per_image):
        if chosen.numel() and pool.numel():
            assert chosen.min() >= pool.max()


def _groups(mask, negative, losses, per_image):
    if not per_image:
        yield losses[mask], losses[negative & ~mask]
        return
    for i in range(losses.shape[0]):
        yield losses[i][mask[i]], losses[i][negative[i] & ~mask[i]]


def test_k_is_capped_by_the_available_negatives():
    negative = torch.tensor([[False, False, True, False, True]])
    mask = hard_negative_mining(torch.rand(1, 5), torch.tensor([2]), 100.0, negative_mask=negative)
    torch.testing.assert_close(mask, negative)


def test_per_batch_pools_the_budget_so_background_images_can_contribute():
    # image 0: 2 positives and easy negatives; image 1: no positive, hard negatives
    losses = torch.tensor([[5.0, 5.0, 0.1, 0.2, 0.3], [0.9, 0.8, 0.7, 0.6, 0.5]])
    negative = torch.tensor([[False, False, True, True, True], [True] * 5])
    num_pos = torch.tensor([2, 0])
    per_image = hard_negative_mining(losses, num_pos, 1.0, negative_mask=negative)
    per_batch = hard_negative_mining(losses, num_pos, 1.0, negative_mask=negative, per_image=False)
    assert per_image.sum(dim=1).tolist() == [2, 0]  # image 1 gets k = floor(1 * 0) = 0
    assert per_batch.sum(dim=1).tolist() == [0, 2]  # the 2 hardest of the batch: 0.9, 0.8
    assert per_batch[1, :2].all()


def test_per_batch_accepts_a_total_count():
    losses = torch.rand(2, 6, generator=torch.Generator().manual_seed(1))
    negative = torch.ones(2, 6, dtype=torch.bool)
    a = hard_negative_mining(losses, 3, 1.0, negative_mask=negative, per_image=False)
    b = hard_negative_mining(
        losses, torch.tensor([1, 2]), 1.0, negative_mask=negative, per_image=False
    )
    assert torch.equal(a, b) and a.sum().item() == 3


def test_ties_are_broken_by_anchor_index():
    losses = torch.full((1, 6), 0.5)
    mask = hard_negative_mining(
        losses, torch.tensor([1]), 2.0, negative_mask=torch.ones(1, 6, dtype=torch.bool)
    )
    assert mask[0].tolist() == [True, True, False, False, False, False]


def test_no_positives_selects_nothing():
    mask = hard_negative_mining(
        torch.rand(2, 8),
        torch.tensor([0, 0]),
        3.0,
        negative_mask=torch.ones(2, 8, dtype=torch.bool),
    )
    assert not mask.any()


def test_one_dimensional_input_is_one_image_and_selection_is_not_differentiated():
    losses = torch.tensor([0.9, 0.1, 0.5, 0.7], requires_grad=True)
    negative = torch.tensor([False, True, True, True])
    mask = hard_negative_mining(losses, 1, 2.0, negative_mask=negative)
    assert mask.dtype == torch.bool and not mask.requires_grad
    assert mask.tolist() == [False, False, True, True]


def test_empty_inputs_give_empty_masks():
    for shape, num_pos in (
        ((0, 5), torch.zeros(0, dtype=torch.long)),
        ((2, 0), torch.tensor([3, 1])),
    ):
        mask = hard_negative_mining(
            torch.zeros(shape), num_pos, 3.0, negative_mask=torch.zeros(shape, dtype=torch.bool)
        )
        assert mask.shape == shape


@pytest.mark.parametrize(
    ("ratio", "message"),
    [
        (
            -1.0,
            "Expected neg_pos_ratio >= 0, got -1.0. It is r in k = floor(r * N_pos); SSD uses 3.",
        ),
        (float("inf"), "Expected neg_pos_ratio to be finite, got inf."),
    ],
)
def test_invalid_ratio_raises_value_error(ratio, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        hard_negative_mining(
            torch.zeros(1, 3),
            torch.tensor([1]),
            ratio,
            negative_mask=torch.ones(1, 3, dtype=torch.bool),
        )


def test_bad_shapes_raise_value_error():
    ones = torch.ones(2, 3, dtype=torch.bool)
    with pytest.raises(
        ValueError, match=re.escape("Expected neg_losses of shape (N, A) or (A,), got (1, 2, 3).")
    ):
        hard_negative_mining(torch.zeros(1, 2, 3), 1, 1.0, negative_mask=ones[None])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Expected negative_mask to be a bool tensor of shape (2, 3), got torch.int64 of shape (2, 3)."
        ),
    ):
        hard_negative_mining(
            torch.zeros(2, 3), torch.tensor([1, 1]), 1.0, negative_mask=ones.long()
        )
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Expected num_pos with one count per image (2) for per_image=True, got 1. "
            "Pass per-image counts or per_image=False."
        ),
    ):
        hard_negative_mining(torch.zeros(2, 3), 1, 1.0, negative_mask=ones)
