"""The degenerate cases of the specification's formulas, measured (see docs/losses.md for derivations).

Run: .venv/bin/pytest tests/nn -k degenerate
"""

import math

import pytest

torch = pytest.importorskip("torch")

from torchvision.ops import sigmoid_focal_loss  # noqa: E402

from pill_compare.nn.losses import (  # noqa: E402
    composite_detection_loss,
    focal_loss,
    guarded_geometric_mean,
    soft_fbeta_loss,
)

EPS = 1e-7


@pytest.mark.parametrize("average", ["micro", "macro", "samples"])
def test_degenerate_soft_f1_on_all_zero_targets_is_one_with_zero_gradient(average):
    # tp = sum p * 0 = 0 identically: P = 0 / (fp + eps) = 0, R = 0 / (fn + eps) = 0,
    # F = 2 * 0 * 0 / (0 + 0 + eps) = 0 for every p, so the loss is the constant 1
    prob = torch.rand(50, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    prob.requires_grad_(True)
    loss = soft_fbeta_loss(prob, torch.zeros_like(prob), average=average, reduction="none")
    assert torch.equal(loss.detach(), torch.ones_like(loss))
    (grad,) = torch.autograd.grad(loss.sum(), prob)
    assert torch.count_nonzero(grad) == 0


def test_degenerate_f1_hard_negative_term_only_rescales_the_positive_term(anchor_batch):
    batch = anchor_batch(n=2, a=40, c=3, num_pos=4)
    out = composite_detection_loss(**batch)
    assert out.num_hard_neg.item() == 24  # floor(3 * 4) per image
    assert out.f1_hard_neg.item() == 1.0  # exactly: every hard negative's F1 is 0
    torch.testing.assert_close(out.f1, torch.sqrt(out.f1_pos))  # sqrt(f1_pos * 1)
    (grad,) = torch.autograd.grad(out.f1, batch["cls_logits"])
    positive = batch["anchor_state"] == 1
    assert torch.count_nonzero(grad[~positive]) == 0  # hard negatives get nothing from L_f1
    assert torch.count_nonzero(grad[positive]) == positive.sum() * 3
    # and the positives' gradient is sqrt's chain rule on f1_pos alone
    (grad_pos,) = torch.autograd.grad(composite_detection_loss(**batch).f1_pos, batch["cls_logits"])
    torch.testing.assert_close(grad, grad_pos / (2 * torch.sqrt(out.f1_pos.detach())))


def test_degenerate_union_f1_mode_gives_hard_negatives_a_gradient(anchor_batch):
    batch = anchor_batch(n=2, a=40, c=3, num_pos=4)
    out = composite_detection_loss(**batch, f1_mode="union")
    (grad,) = torch.autograd.grad(out.f1, batch["cls_logits"])
    negative = batch["anchor_state"] == 0
    pushed_down = (grad[negative] > 0).all(dim=-1)  # d L / d logit > 0: descent lowers p
    assert pushed_down.sum() == out.num_hard_neg == 24
    assert (grad[negative] >= 0).all()
    assert torch.count_nonzero(grad[batch["anchor_state"] == -1]) == 0


def test_degenerate_eps_guard_zeroes_the_gradient_below_eps():
    a = torch.tensor(1e-4, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(1e-4, dtype=torch.float64, requires_grad=True)
    below = guarded_geometric_mean(a, b, EPS)  # a * b = 1e-8 < eps
    assert below.item() == pytest.approx(math.sqrt(EPS))  # 3.1623e-4, whatever a and b are
    assert torch.autograd.grad(below, (a, b)) == (0.0, 0.0)
    a2 = torch.tensor(1e-3, dtype=torch.float64, requires_grad=True)
    above = guarded_geometric_mean(a2, a2.detach(), EPS)  # a * b = 1e-6 > eps
    assert above.item() == pytest.approx(1e-3)
    assert torch.autograd.grad(above, a2)[0].item() == pytest.approx(0.5)  # sqrt(b / a) / 2
    # just above the guard the slope in the product x = a * b is 1 / (2 sqrt(x)): 1118 at 2 eps
    x = torch.tensor(2 * EPS, dtype=torch.float64, requires_grad=True)
    slope = torch.autograd.grad(guarded_geometric_mean(x, torch.ones_like(x), EPS), x)[0]
    assert slope.item() == pytest.approx(1 / (2 * math.sqrt(2 * EPS)))


def test_degenerate_confident_detector_gets_no_gradient_from_the_cls_term(anchor_batch):
    batch = anchor_batch(n=2, a=40, c=3, num_pos=4)
    state, labels = batch["anchor_state"], batch["cls_targets"]
    onehot = torch.nn.functional.one_hot(labels, 3).bool() & (state == 1).unsqueeze(-1)
    logits = torch.where(onehot, 12.0, -12.0).to(torch.float64).requires_grad_(True)
    out = composite_detection_loss(
        logits, batch["box_regression"], labels, batch["box_targets"], state
    )
    assert (out.cls_pos * out.cls_hard_neg).item() < EPS  # ~1e-25
    assert out.cls.item() == pytest.approx(math.sqrt(EPS))
    (grad,) = torch.autograd.grad(out.cls, logits)
    assert torch.count_nonzero(grad) == 0


@pytest.mark.parametrize("mining", ["per_image", "per_batch"])
@pytest.mark.parametrize("f1_mode", ["per_anchor", "union"])
def test_degenerate_no_positives_collapses_every_mean_to_a_constant(anchor_batch, mining, f1_mode):
    batch = anchor_batch(n=2, a=40, c=3, num_pos=0, num_ignore=3)
    out = composite_detection_loss(**batch, mining=mining, f1_mode=f1_mode, w_cls=2.0)
    assert out.num_pos.item() == 0 and out.num_hard_neg.item() == 0  # k = floor(3 * 0) = 0
    for name in ("cls_pos", "cls_hard_neg", "f1_pos", "f1_hard_neg", "box"):
        assert getattr(out, name).item() == 0.0, name  # empty sums over max(count, 1)
    assert out.cls.item() == pytest.approx(math.sqrt(EPS))
    if f1_mode == "per_anchor":
        assert out.f1.item() == pytest.approx(math.sqrt(EPS))
        assert out.combined.item() == pytest.approx(math.sqrt(EPS))  # sqrt(max(eps, eps))
    else:  # the union is empty, F = 0, loss 1: combined = sqrt(max(sqrt(eps) * 1, eps))
        assert out.f1.item() == 1.0
        assert out.combined.item() == pytest.approx(EPS**0.25)  # 0.0178
    assert out.total.item() == pytest.approx(2.0 * out.combined.item())
    grads = torch.autograd.grad(out.total, (batch["cls_logits"], batch["box_regression"]))
    assert all(torch.count_nonzero(g) == 0 for g in grads)  # negatives are not trained at all
    # RetinaNet's focal loss, normalized by max(1, N_fg), still pushes the negatives down
    focal = sigmoid_focal_loss(
        batch["cls_logits"], torch.zeros_like(batch["cls_logits"]), reduction="sum"
    )
    assert torch.count_nonzero(torch.autograd.grad(focal, batch["cls_logits"])[0]) > 0


def test_degenerate_empty_input_gives_the_constant_and_still_backprops(anchor_batch):
    batch = anchor_batch(n=2, a=0, c=3, num_pos=0, num_ignore=0)
    out = composite_detection_loss(**batch)
    assert out.total.item() == pytest.approx(math.sqrt(EPS))
    out.total.backward()
    assert batch["cls_logits"].grad.shape == (2, 0, 3)
    assert batch["box_regression"].grad.shape == (2, 0, 4)


def _shared_score_loss(z, mode):
    """One logit z shared by 40 anchors (4 positives, 36 negatives, one class): the situation
    of RetinaNet's classification bias at its prior init, p = 0.01."""
    state = torch.zeros(1, 40, dtype=torch.long)
    state[0, :4] = 1
    labels, boxes = torch.zeros(1, 40, dtype=torch.long), torch.zeros(1, 40, 4, dtype=z.dtype)
    logits = z.expand(1, 40, 1)
    if mode == "focal":  # torchvision: sum over non-ignored anchors / max(1, N_fg)
        return focal_loss(logits, (state == 1).to(z.dtype).unsqueeze(-1), reduction="sum") / 4, None
    kw = {"algorithm2": {}, "union": {"f1_mode": "union"}, "compact": {"variant": "compact"}}
    out = composite_detection_loss(logits, boxes, labels, boxes, state, **kw[mode])
    return out.total, out


@pytest.mark.parametrize(
    ("mode", "lowers_scores"),
    [("algorithm2", True), ("union", True), ("compact", False), ("focal", False)],
)
def test_degenerate_algorithm2_cls_mean_is_minimized_by_lowering_every_score(mode, lowers_scores):
    # sqrt(cls_pos * cls_hn) only sees relative changes: d log L_cls = (d log cls_pos +
    # d log cls_hn) / 2. At p = 0.01 raising z by 1 multiplies cls_hn (~ 0.75 p^3) by ~e^3 and
    # cls_pos (~ 0.25 log(1/p)) by only ~e^-0.2, so descent lowers the positives' score too.
    prior = math.log(0.01 / 0.99)
    z = torch.tensor(prior, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(_shared_score_loss(z, mode)[0], z)
    assert (grad.item() > 0) is lowers_scores
    optimizer = torch.optim.SGD([z], lr=1.0)
    for _ in range(300):
        optimizer.zero_grad()
        _shared_score_loss(z, mode)[0].backward()
        optimizer.step()
    p = torch.sigmoid(z).item()
    if lowers_scores:
        # measured: p = 0.0046, parked where cls_pos * cls_hn meets the guard (~9.8e-8)
        assert p < 0.01
        _, out = _shared_score_loss(z.detach(), mode)
        assert 0.5 * EPS < (out.cls_pos * out.cls_hard_neg).item() < 1.5 * EPS
    else:
        assert p > 0.1  # measured: compact 0.357, focal 0.227
