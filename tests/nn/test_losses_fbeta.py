"""soft_fbeta_loss: the worked example, the count identities, the averages, edge cases."""

import re

import pytest

torch = pytest.importorskip("torch")

from pill_compare.nn.losses import SoftFBetaLoss, soft_fbeta_loss  # noqa: E402

AVERAGES = ["micro", "macro", "samples"]


def _probs_and_targets(seed=0, shape=(12, 5), dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    prob = torch.rand(shape, generator=g, dtype=dtype)
    target = (torch.rand(shape, generator=g) < 0.4).to(dtype)
    return prob, target


def _fbeta_from_counts(tp, fp, fn, beta):
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)


def test_f1_loss_of_the_worked_example_is_3_over_7():
    y = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    p = torch.tensor([0.8, 0.3, 0.4, 0.7], dtype=torch.float64)
    # tp = 0.8 + 0.4 = 1.2, fp = 0.3 + 0.7 = 1.0, fn = 0.2 + 0.6 = 0.8
    # P = 1.2 / 2.2, R = 1.2 / 2.0, F1 = 2.4 / 4.2 = 4/7, loss = 3/7 = 0.428571...
    assert soft_fbeta_loss(p, y).item() == pytest.approx(0.428571, abs=1e-6)
    assert soft_fbeta_loss(p, y, eps=1e-12).item() == pytest.approx(3 / 7, abs=1e-10)


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_loss_equals_closed_form_from_soft_counts(beta):
    prob, target = _probs_and_targets(1)
    tp = (prob * target).sum()
    fp = (prob * (1 - target)).sum()
    fn = ((1 - prob) * target).sum()
    expected = 1 - _fbeta_from_counts(tp, fp, fn, beta)
    torch.testing.assert_close(soft_fbeta_loss(prob, target, beta, eps=1e-12), expected)


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_hard_predictions_give_one_minus_the_usual_f_beta(beta):
    target = torch.tensor([1, 1, 1, 0, 0, 0, 1, 0], dtype=torch.float64)
    pred = torch.tensor([1, 1, 0, 1, 0, 0, 0, 1], dtype=torch.float64)
    # tp = 2, fp = 2, fn = 2 -> P = R = 1/2 -> F_beta = 1/2 whatever beta
    assert soft_fbeta_loss(pred, target, beta, eps=1e-12).item() == pytest.approx(0.5)
    pred = torch.tensor([1, 1, 1, 1, 1, 1, 1, 1], dtype=torch.float64)
    # tp = 4, fp = 4, fn = 0: P = 1/2, R = 1
    expected = 1 - _fbeta_from_counts(4.0, 4.0, 0.0, beta)
    assert soft_fbeta_loss(pred, target, beta, eps=1e-12).item() == pytest.approx(expected)


def test_larger_beta_forgives_false_positives_more():
    target = torch.tensor([1.0, 0.0, 0.0, 0.0])
    recall_heavy = torch.tensor([0.9, 0.6, 0.6, 0.6])  # high recall, low precision
    losses = [soft_fbeta_loss(recall_heavy, target, beta).item() for beta in (0.5, 1.0, 2.0)]
    assert losses[0] > losses[1] > losses[2]


def test_perfect_prediction_gives_zero_and_opposite_prediction_gives_one():
    _, target = _probs_and_targets(2)
    assert soft_fbeta_loss(target, target).item() == pytest.approx(0.0, abs=1e-6)
    assert soft_fbeta_loss(1 - target, target).item() == pytest.approx(1.0, abs=1e-12)


def test_macro_gives_one_loss_per_class_equal_to_micro_on_that_class():
    prob, target = _probs_and_targets(3)
    per_class = soft_fbeta_loss(prob, target, average="macro", reduction="none")
    assert per_class.shape == (5,)
    for c in range(5):
        torch.testing.assert_close(per_class[c], soft_fbeta_loss(prob[:, c], target[:, c]))
    torch.testing.assert_close(soft_fbeta_loss(prob, target, average="macro"), per_class.mean())


def test_samples_gives_one_loss_per_row_over_its_classes():
    prob, target = _probs_and_targets(4, shape=(2, 6, 5))
    per_sample = soft_fbeta_loss(prob, target, average="samples", reduction="none")
    assert per_sample.shape == (2, 6)
    torch.testing.assert_close(per_sample[1, 3], soft_fbeta_loss(prob[1, 3], target[1, 3]))
    torch.testing.assert_close(
        soft_fbeta_loss(prob, target, average="samples", reduction="sum"), per_sample.sum()
    )


def test_micro_pools_every_element():
    prob, target = _probs_and_targets(5, shape=(3, 4, 5))
    torch.testing.assert_close(
        soft_fbeta_loss(prob, target), soft_fbeta_loss(prob.flatten(), target.flatten())
    )


@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_gradcheck_in_float64(average, beta):
    prob, target = _probs_and_targets(6, shape=(4, 3))
    prob.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda p: soft_fbeta_loss(p, target, beta, average=average, reduction="sum"), (prob,)
    )


def test_empty_batch_of_samples_gives_zero_and_still_backprops():
    prob = torch.zeros(0, 3, requires_grad=True)
    loss = soft_fbeta_loss(prob, torch.zeros(0, 3), average="samples")
    assert loss.item() == 0.0
    loss.backward()
    assert prob.grad.shape == (0, 3)


def test_empty_set_has_f_zero_so_micro_loss_is_one_and_still_backprops():
    prob = torch.zeros(0, 3, requires_grad=True)
    loss = soft_fbeta_loss(prob, torch.zeros(0, 3))
    assert loss.item() == 1.0  # F = 0 / (0 + eps) = 0, the same as all-negative targets
    loss.backward()
    assert prob.grad.shape == (0, 3)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("average", AVERAGES)
def test_half_precision_inputs_stay_finite(dtype, average):
    prob, target = _probs_and_targets(7, shape=(2000, 4), dtype=torch.float32)
    prob = prob.to(dtype).requires_grad_(True)
    loss = soft_fbeta_loss(prob, target.to(dtype), average=average)
    assert loss.dtype == torch.float32 and torch.isfinite(loss)
    reference = soft_fbeta_loss(prob.detach().float(), target, average=average)
    assert loss.item() == pytest.approx(reference.item(), abs=1e-6)
    (grad,) = torch.autograd.grad(loss, prob)
    assert torch.isfinite(grad).all()


def test_module_equals_functional():
    prob, target = _probs_and_targets(8)
    module = SoftFBetaLoss(beta=2.0, average="macro", reduction="sum")
    torch.testing.assert_close(
        module(prob, target), soft_fbeta_loss(prob, target, 2.0, average="macro", reduction="sum")
    )
    assert "beta=2.0" in repr(module) and "average='macro'" in repr(module)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beta": -1.0}, "Expected beta >= 0, got -1.0. beta weighs recall beta times"),
        ({"eps": 0.0}, "Expected eps > 0, got 0.0. eps keeps 0/0 out of precision"),
        ({"eps": -1e-7}, "Expected eps > 0, got -1e-07."),
        (
            {"average": "weighted"},
            "Expected average to be one of 'micro', 'macro', 'samples', got 'weighted'.",
        ),
        ({"reduction": "avg"}, "Expected reduction to be one of 'none', 'mean', 'sum', got 'avg'."),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        soft_fbeta_loss(torch.zeros(2, 2), torch.zeros(2, 2), **kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        SoftFBetaLoss(**kwargs)


def test_bad_shapes_raise_value_error():
    with pytest.raises(
        ValueError,
        match=re.escape("Expected prob and target to have the same shape, got (2, 3) and (2, 2)."),
    ):
        soft_fbeta_loss(torch.zeros(2, 3), torch.zeros(2, 2))
    with pytest.raises(
        ValueError,
        match=re.escape("Expected prob of shape (..., C) for average='macro', got a 0-d tensor."),
    ):
        soft_fbeta_loss(torch.tensor(0.5), torch.tensor(1.0), average="macro")
