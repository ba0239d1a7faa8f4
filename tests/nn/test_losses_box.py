"""box_loss: the specification's piecewise form against torch's Huber / Smooth-L1, its discontinuity, edge cases."""

import re
import warnings

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from pill_compare.nn.losses import (  # noqa: E402
    BoxLoss,
    DiscontinuousLossWarning,
    box_loss,
)

REDUCTIONS = ["none", "mean", "sum"]


def _diffs(seed=0, n=200, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return 3 * torch.randn(n, 4, generator=g, dtype=dtype)


def test_piecewise_form_is_half_square_inside_delta_and_shifted_abs_outside():
    d = torch.tensor([0.5, -0.5, 1.0, 3.0, -2.0])
    # 0.5 * 0.25, same, 0.5 * 1 (|d| <= 1 is quadratic), 3 - 0.5, 2 - 0.5
    expected = torch.tensor([0.125, 0.125, 0.5, 2.5, 1.5])
    torch.testing.assert_close(box_loss(d, torch.zeros(5)), expected)
    torch.testing.assert_close(box_loss(torch.zeros(5), d), expected)  # symmetric in d


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_all_three_forms_equal_torch_huber_and_smooth_l1_at_delta_one(reduction):
    pred, target = _diffs(0), _diffs(1)
    huber = F.huber_loss(pred, target, reduction=reduction, delta=1.0)
    smooth = F.smooth_l1_loss(pred, target, reduction=reduction, beta=1.0)
    torch.testing.assert_close(huber, smooth)
    for form in ("piecewise", "huber", "smooth_l1"):
        torch.testing.assert_close(box_loss(pred, target, 1.0, form, reduction), huber)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_form_equals_torch_huber_loss(delta, reduction):
    pred, target = _diffs(2), _diffs(3)
    torch.testing.assert_close(
        box_loss(pred, target, delta, "huber", reduction),
        F.huber_loss(pred, target, reduction=reduction, delta=delta),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.0, 0.3, 1.0, 2.5])
def test_smooth_l1_form_equals_torch_smooth_l1_loss(delta, reduction):
    pred, target = _diffs(4), _diffs(5)
    torch.testing.assert_close(
        box_loss(pred, target, delta, "smooth_l1", reduction),
        F.smooth_l1_loss(pred, target, reduction=reduction, beta=delta),
    )


@pytest.mark.parametrize("delta", [0.5, 2.0])
def test_piecewise_form_is_huber_inside_delta_and_smooth_l1_outside(delta):
    pred, target = _diffs(6), _diffs(7)
    inside = (pred - target).abs() <= delta
    with pytest.warns(DiscontinuousLossWarning):
        piecewise = box_loss(pred, target, delta, "piecewise")
    huber = F.huber_loss(pred, target, reduction="none", delta=delta)
    smooth = F.smooth_l1_loss(pred, target, reduction="none", beta=delta)
    assert inside.any() and (~inside).any()
    torch.testing.assert_close(piecewise[inside], huber[inside])
    torch.testing.assert_close(piecewise[~inside], smooth[~inside])


def test_piecewise_form_jumps_at_delta_unless_delta_is_one():
    below, above = torch.tensor([0.5]), torch.tensor([0.5 + 1e-6])
    with pytest.warns(
        DiscontinuousLossWarning, match=re.escape("0.125 and the linear branch 0.25")
    ):
        jump = box_loss(above, torch.zeros(1), 0.5) - box_loss(below, torch.zeros(1), 0.5)
    assert jump.item() == pytest.approx(0.125, abs=1e-5)  # 0.125 -> 0.25
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = box_loss(torch.tensor([1.0 + 1e-6]), torch.zeros(1)) - box_loss(
            torch.tensor([1.0]), torch.zeros(1)
        )
    assert abs(one.item()) < 1e-5


@pytest.mark.parametrize("form", ["huber", "smooth_l1"])
def test_continuous_forms_do_not_warn_for_any_delta(form):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        box_loss(torch.ones(3), torch.zeros(3), delta=0.5, form=form)
        BoxLoss(delta=0.5, form=form)


@pytest.mark.parametrize(
    ("form", "outside_slope"), [("piecewise", 1.0), ("huber", 0.5), ("smooth_l1", 1.0)]
)
def test_gradient_is_d_inside_delta_and_constant_outside(form, outside_slope):
    # delta = 0.5: inside, d/dd 0.5 d^2 = d (smooth_l1: d / delta); outside, the slope of the line
    delta = 0.5
    d = torch.tensor([-0.3, 0.2, 0.4, -2.0, 0.9, 5.0], dtype=torch.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscontinuousLossWarning)
        box_loss(d, torch.zeros_like(d), delta, form, "sum").backward()
    inside = d.detach().abs() <= delta
    scale = 1 / delta if form == "smooth_l1" else 1.0
    torch.testing.assert_close(d.grad[inside], d.detach()[inside] * scale)
    torch.testing.assert_close(d.grad[~inside], outside_slope * d.detach()[~inside].sign())


@pytest.mark.parametrize("form", ["piecewise", "huber", "smooth_l1"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_in_float64(form, reduction):
    g = torch.Generator().manual_seed(8)
    pred = torch.randn(6, 4, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.randn(6, 4, generator=g, dtype=torch.float64, requires_grad=True)
    # keep |d| away from the kink at delta = 1, where finite differences straddle two branches
    assert ((pred - target).abs() - 1).abs().min() > 1e-3
    assert torch.autograd.gradcheck(
        lambda p, t: box_loss(p, t, 1.0, form, reduction), (pred, target)
    )


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_empty_input_gives_zero_and_still_backprops(reduction):
    pred = torch.zeros(0, 4, requires_grad=True)
    loss = box_loss(pred, torch.zeros(0, 4), reduction=reduction)
    assert loss.item() == 0.0
    loss.backward()
    assert pred.grad is not None and pred.grad.shape == (0, 4)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_inputs_stay_finite(dtype):
    # d = 300: 0.5 d^2 = 45000 and the sum of 8 such elements overflows float16 (max 65504)
    pred = torch.full((2, 4), 300.0, dtype=dtype, requires_grad=True)
    for form in ("piecewise", "huber", "smooth_l1"):
        loss = box_loss(pred, torch.zeros(2, 4, dtype=dtype), 1.0, form, "sum")
        assert loss.dtype == torch.float32 and torch.isfinite(loss)
        (grad,) = torch.autograd.grad(loss, pred)
        assert grad.dtype == dtype and torch.isfinite(grad).all()


def test_module_equals_functional():
    pred, target = _diffs(9), _diffs(10)
    module = BoxLoss(delta=2.0, form="huber", reduction="sum")
    torch.testing.assert_close(module(pred, target), box_loss(pred, target, 2.0, "huber", "sum"))
    assert "delta=2.0, form='huber', reduction='sum'" in repr(module)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delta": -1.0}, "Expected delta >= 0, got -1.0. delta is the |d| where the loss turns"),
        ({"delta": float("nan")}, "Expected delta to be finite, got nan."),
        ({"delta": "1"}, "Expected delta to be a real number, got '1'."),
        ({"delta": 0.0, "form": "huber"}, "Expected delta > 0, got 0.0. Huber with delta = 0"),
        ({"form": "l2"}, "Expected form to be one of 'piecewise', 'huber', 'smooth_l1', got 'l2'."),
        ({"reduction": "avg"}, "Expected reduction to be one of 'none', 'mean', 'sum', got 'avg'."),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        box_loss(torch.zeros(2), torch.zeros(2), **kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        BoxLoss(**kwargs)


def test_mismatched_shapes_raise_value_error():
    with pytest.raises(
        ValueError,
        match=re.escape("Expected pred and target to have the same shape, got (3, 4) and (4,)."),
    ):
        box_loss(torch.zeros(3, 4), torch.zeros(4))


def test_the_claimed_rotation_invariance_holds_only_inside_delta():
    # Section 3 of the specification "proves" L_box(R y, R y_hat) = L_box(y, y_hat) by switching from
    # per-coordinate |d_i| to a vector norm. Per coordinate, the quadratic branch is 0.5 |d|^2
    # (invariant), the linear one is not: d = (3, 0) -> 2.5; rotated 45 degrees -> 3.243.
    c = s = 2**-0.5
    rotation = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
    small, large = torch.tensor([0.3, 0.4], dtype=torch.float64), torch.tensor([3.0, 0.0])
    zero = torch.zeros(2, dtype=torch.float64)
    assert box_loss(rotation @ small, zero, reduction="sum").item() == pytest.approx(
        box_loss(small, zero, reduction="sum").item()
    )
    assert box_loss(large, zero.float(), reduction="sum").item() == pytest.approx(2.5)
    rotated = box_loss(rotation @ large.double(), zero, reduction="sum").item()
    assert rotated == pytest.approx(2 * (3 * c - 0.5))  # 3.2426
    # translation invariance does hold: the loss depends on y - y_hat only
    shift = torch.tensor([5.0, -7.0], dtype=torch.float64)
    torch.testing.assert_close(
        box_loss(large.double() + shift, shift), box_loss(large.double(), zero)
    )
