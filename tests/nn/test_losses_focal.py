"""focal_loss: equal to torchvision's, the seed's formula, BCE identities, stability."""

import re

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torchvision.ops import sigmoid_focal_loss  # noqa: E402

from pill_compare.nn.losses import FocalLoss, focal_loss  # noqa: E402

REDUCTIONS = ["none", "mean", "sum"]


def _logits_and_targets(seed=0, shape=(64, 5), scale=1.0, dtype=torch.float32, soft=False):
    g = torch.Generator().manual_seed(seed)
    logits = scale * torch.randn(shape, generator=g, dtype=dtype)
    if soft:
        return logits, torch.rand(shape, generator=g, dtype=dtype)
    return logits, (torch.rand(shape, generator=g) < 0.3).to(dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (-1, 2.0), (0.5, 0.0), (0.75, 0.5)])
def test_equals_torchvision_sigmoid_focal_loss(alpha, gamma, reduction):
    logits, target = _logits_and_targets(0)
    torch.testing.assert_close(
        focal_loss(logits, target, alpha, gamma, reduction),
        sigmoid_focal_loss(logits, target, alpha, gamma, reduction),
        rtol=1e-6,
        atol=1e-6,
    )


@pytest.mark.parametrize("soft", [False, True])
def test_equals_torchvision_in_float64_for_large_logits_and_soft_targets(soft):
    logits, target = _logits_and_targets(1, scale=8.0, dtype=torch.float64, soft=soft)
    torch.testing.assert_close(
        focal_loss(logits, target), sigmoid_focal_loss(logits, target), rtol=1e-12, atol=1e-12
    )


def test_equals_the_seed_formula_from_probabilities():
    logits, target = _logits_and_targets(2, dtype=torch.float64)
    p = torch.sigmoid(logits)
    p_t = torch.where(target == 1, p, 1 - p)
    alpha_t = torch.where(target == 1, 0.25, 0.75)
    expected = -alpha_t * (1 - p_t) ** 2 * torch.log(p_t)
    torch.testing.assert_close(focal_loss(logits, target, 0.25, 2.0), expected)


def test_alpha_minus_one_and_gamma_zero_is_bce_with_gradients():
    logits, target = _logits_and_targets(3)
    a = logits.clone().requires_grad_(True)
    b = logits.clone().requires_grad_(True)
    loss = focal_loss(a, target, alpha=-1, gamma=0.0, reduction="mean")
    bce = F.binary_cross_entropy_with_logits(b, target, reduction="mean")
    torch.testing.assert_close(loss, bce)
    loss.backward()
    bce.backward()
    torch.testing.assert_close(a.grad, b.grad)


@pytest.mark.parametrize("alpha", [-1, 0.25, 0.9])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_focal_is_at_most_bce_elementwise(alpha, gamma):
    logits, target = _logits_and_targets(4, scale=4.0)
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    assert (focal_loss(logits, target, alpha, gamma) <= bce + 1e-7).all()


def test_larger_gamma_discounts_easy_examples_more():
    logits = torch.tensor([3.0])  # p = 0.95 on a positive: an easy example
    target = torch.ones(1)
    losses = [focal_loss(logits, target, -1, g).item() for g in (0.0, 1.0, 2.0)]
    assert losses[0] > losses[1] > losses[2] > 0


def test_gradients_stay_finite_for_saturated_logits_with_fractional_gamma():
    # p_t rounds to exactly 1 in float32 for |x| >~ 17; (1 - p_t) ** 0.5 has an infinite slope
    # there, so the naive form multiplies inf by 0. The log-space factor stays finite.
    logits = torch.tensor([30.0, -30.0, 100.0, -100.0], requires_grad=True)
    target = torch.tensor([1.0, 0.0, 0.0, 1.0])
    loss = focal_loss(logits, target, alpha=-1, gamma=0.5, reduction="sum")
    loss.backward()
    assert torch.isfinite(logits.grad).all()
    # the two wrong, saturated predictions: loss ~ |x| (1 - 0)^0.5, gradient ~ sign(x)
    torch.testing.assert_close(loss, torch.tensor(200.0), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(logits.grad[2:], torch.tensor([1.0, -1.0]))


@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (-1, 0.5), (0.5, 0.0)])
@pytest.mark.parametrize("soft", [False, True])
def test_gradcheck_in_float64(alpha, gamma, soft):
    logits, target = _logits_and_targets(5, shape=(6, 3), dtype=torch.float64, soft=soft)
    logits.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: focal_loss(x, target, alpha, gamma, "sum"), (logits,))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_empty_input_gives_zero_and_still_backprops(reduction):
    logits = torch.zeros(0, 5, requires_grad=True)
    loss = focal_loss(logits, torch.zeros(0, 5), reduction=reduction)
    assert loss.item() == 0.0
    loss.backward()
    assert logits.grad is not None and logits.grad.shape == (0, 5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_inputs_stay_finite(dtype):
    logits, target = _logits_and_targets(6, shape=(40000, 2), scale=30.0)
    logits = logits.to(dtype).requires_grad_(True)
    loss = focal_loss(logits, target.to(dtype), reduction="sum")
    assert loss.dtype == torch.float32 and torch.isfinite(loss)
    assert loss.item() > 65504  # would be inf if summed in float16
    (grad,) = torch.autograd.grad(loss, logits)
    assert grad.dtype == dtype and torch.isfinite(grad).all()


def test_module_equals_functional():
    logits, target = _logits_and_targets(7)
    module = FocalLoss(alpha=0.5, gamma=1.0, reduction="sum")
    torch.testing.assert_close(module(logits, target), focal_loss(logits, target, 0.5, 1.0, "sum"))
    assert "alpha=0.5, gamma=1.0, reduction='sum'" in repr(module)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"alpha": 1.5},
            "Expected alpha in [0, 1], or -1 to switch the class weighting off, got 1.5.",
        ),
        (
            {"alpha": -0.5},
            "Expected alpha in [0, 1], or -1 to switch the class weighting off, got -0.5.",
        ),
        ({"alpha": None}, "Expected alpha to be a real number, got None."),
        ({"gamma": -1.0}, "Expected gamma >= 0, got -1.0. gamma = 0 is cross-entropy"),
        ({"reduction": "avg"}, "Expected reduction to be one of 'none', 'mean', 'sum', got 'avg'."),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        focal_loss(torch.zeros(2), torch.zeros(2), **kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        FocalLoss(**kwargs)


def test_mismatched_shapes_raise_value_error():
    with pytest.raises(
        ValueError,
        match=re.escape("Expected logits and target to have the same shape, got (2, 3) and (2,)."),
    ):
        focal_loss(torch.zeros(2, 3), torch.zeros(2))
