"""CompositeDetectionLoss against an independent, line-by-line reading of the specification."""

import math
import re

import pytest

torch = pytest.importorskip("torch")

from pill_compare.nn.losses import (  # noqa: E402
    CompositeDetectionLoss,
    CompositeLossConfig,
    composite_detection_loss,
    guarded_geometric_mean,
)

PARTS = [
    "total",
    "cls_pos",
    "cls_hard_neg",
    "f1_pos",
    "f1_hard_neg",
    "cls",
    "f1",
    "combined",
    "box",
    "num_pos",
    "num_hard_neg",
]
HP = {"alpha": 0.25, "gamma": 2.0, "beta": 1.0, "delta": 1.0, "neg_pos_ratio": 3.0, "eps": 1e-7}


def _reference(batch, variant, f1_mode, mining, w_cls=1.0, w_box=1.0, **hp):
    """The specification in plain Python floats: Section 2 for the pieces, Algorithm 2 lines 4-16 for the
    combination, the final LaTeX block for ``compact``."""
    hp = {**HP, **hp}
    alpha, gamma, beta, delta, r, eps = (hp[k] for k in HP)
    logits, boxes = batch["cls_logits"].tolist(), batch["box_regression"].tolist()
    labels, box_t = batch["cls_targets"].tolist(), batch["box_targets"].tolist()
    state = batch["anchor_state"].tolist()

    def focal(x, y):  # -alpha_t (1 - p_t)^gamma log p_t
        p = 1 / (1 + math.exp(-x))
        p_t, a_t = (p, alpha) if y == 1 else (1 - p, 1 - alpha)
        return -a_t * (1 - p_t) ** gamma * math.log(p_t)

    def counts(ps, ys):
        tp = sum(p * y for p, y in zip(ps, ys, strict=True))
        fp = sum(p * (1 - y) for p, y in zip(ps, ys, strict=True))
        fn = sum((1 - p) * y for p, y in zip(ps, ys, strict=True))
        return tp, fp, fn

    def fbeta_loss(tp, fp, fn):
        precision, recall = tp / (tp + fp + eps), tp / (tp + fn + eps)
        b2 = beta**2
        return 1 - (1 + b2) * precision * recall / (b2 * precision + recall + eps)

    def box(d):
        return 0.5 * d**2 if abs(d) <= delta else abs(d) - 0.5 * delta

    anchors = []  # (image, cls loss, f1 loss, box loss, state, probs, one-hot)
    for i, image in enumerate(logits):
        for a, xs in enumerate(image):
            y = [float(state[i][a] == 1 and c == labels[i][a]) for c in range(len(xs))]
            ps = [1 / (1 + math.exp(-x)) for x in xs]
            b = sum(box(p - t) for p, t in zip(boxes[i][a], box_t[i][a], strict=True))
            cls = sum(focal(x, yc) for x, yc in zip(xs, y, strict=True))
            anchors.append((i, cls, fbeta_loss(*counts(ps, y)), b, state[i][a], ps, y))
    positives = [t for t in anchors if t[4] == 1]
    groups = [[t for t in anchors if t[0] == i] for i in range(len(logits))]
    if mining == "per_batch":
        groups = [anchors]
    hard = []
    for group in groups:  # lines 4-10: k = floor(r N_pos), top k negatives by L_cls
        k = math.floor(r * sum(t[4] == 1 for t in group) + 1e-9)
        negatives = sorted((t for t in group if t[4] == 0), key=lambda t: -t[1])
        hard += negatives[:k]
    n_pos, k = len(positives), len(hard)
    cls_pos = sum(t[1] for t in positives) / max(n_pos, 1)  # line 11, per part
    f1_pos = sum(t[2] for t in positives) / max(n_pos, 1)
    box_pos = sum(t[3] for t in positives) / max(n_pos, 1)
    cls_hn = sum(t[1] for t in hard) / max(k, 1)  # line 12, per part
    f1_hn = sum(t[2] for t in hard) / max(k, 1)
    if variant == "algorithm2":
        cls = math.sqrt(max(cls_pos * cls_hn, eps))  # line 13
        f1 = math.sqrt(max(f1_pos * f1_hn, eps))  # line 14
    else:  # sqrt(L_cls L_Fbeta) + L_box, L_cls over positives and mined negatives
        cls = (sum(t[1] for t in positives) + sum(t[1] for t in hard)) / max(n_pos, 1)
        f1 = f1_pos
    if f1_mode == "union":
        cells = [(p, y) for t in positives + hard for p, y in zip(t[5], t[6], strict=True)]
        f1 = fbeta_loss(*counts([c[0] for c in cells], [c[1] for c in cells]))
    combined = math.sqrt(max(cls * f1, eps))  # line 15
    return {
        "total": w_cls * combined + w_box * box_pos,  # line 16
        "cls_pos": cls_pos,
        "cls_hard_neg": cls_hn,
        "f1_pos": f1_pos,
        "f1_hard_neg": f1_hn,
        "cls": cls,
        "f1": f1,
        "combined": combined,
        "box": box_pos,
        "num_pos": n_pos,
        "num_hard_neg": k,
    }


@pytest.mark.parametrize("variant", ["algorithm2", "compact"])
@pytest.mark.parametrize("f1_mode", ["per_anchor", "union"])
@pytest.mark.parametrize("mining", ["per_image", "per_batch"])
def test_every_part_equals_the_specification_read_line_by_line(
    anchor_batch, variant, f1_mode, mining
):
    batch = anchor_batch(n=3, a=25, c=3, num_pos=3, seed=11)
    batch["anchor_state"][2, :3] = 0  # image 2 has no positive: mining modes now differ
    out = composite_detection_loss(**batch, variant=variant, f1_mode=f1_mode, mining=mining)
    expected = _reference(batch, variant, f1_mode, mining)
    for name in PARTS:
        assert getattr(out, name).item() == pytest.approx(expected[name], rel=1e-10), name


def test_other_hyperparameters_follow_the_reference_too(anchor_batch):
    batch = anchor_batch(n=2, a=20, c=4, num_pos=5, seed=12)
    hp = {"alpha": 0.6, "gamma": 1.0, "beta": 2.0, "neg_pos_ratio": 1.5, "eps": 1e-4}
    out = composite_detection_loss(**batch, w_cls=2.0, w_box=0.5, **hp)
    expected = _reference(
        batch, "algorithm2", "per_anchor", "per_image", w_cls=2.0, w_box=0.5, **hp
    )
    for name in PARTS:
        assert getattr(out, name).item() == pytest.approx(expected[name], rel=1e-10), name


def test_total_is_weighted_combined_plus_weighted_box(anchor_batch):
    out = composite_detection_loss(**anchor_batch(), w_cls=3.0, w_box=0.25)
    torch.testing.assert_close(out.total, 3.0 * out.combined + 0.25 * out.box)
    torch.testing.assert_close(out.combined, torch.sqrt(out.cls * out.f1))


def test_guarded_geometric_mean_of_equal_parts_is_the_part():
    parts = torch.tensor([1e-3, 0.3, 1.0, 7.5], dtype=torch.float64)
    torch.testing.assert_close(guarded_geometric_mean(parts, parts, 1e-7), parts)
    torch.testing.assert_close(
        guarded_geometric_mean(parts, 4 * parts, 1e-7), 2 * parts
    )  # sqrt(a * 4a) = 2a


def test_guarded_geometric_mean_gradcheck_in_float64():
    a = torch.tensor([0.5, 2.0, 1e-2], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.3, 0.1, 4.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, y: guarded_geometric_mean(x, y, 1e-7), (a, b))


def test_ignored_anchors_change_nothing(anchor_batch):
    batch = anchor_batch(num_pos=4, num_ignore=5)
    out = composite_detection_loss(**batch)
    ignored = batch["anchor_state"] == -1
    moved = dict(batch)
    moved["cls_logits"] = batch["cls_logits"].detach().clone()
    moved["cls_logits"][ignored] = 50.0  # confidently wrong, would be the hardest negatives
    moved["box_regression"] = batch["box_regression"].detach().clone()
    moved["box_regression"][ignored] = 1e6
    again = composite_detection_loss(**moved)
    for name in PARTS:
        torch.testing.assert_close(getattr(again, name), getattr(out, name))
    out.total.backward()
    assert (batch["cls_logits"].grad[ignored] == 0).all()
    assert (batch["box_regression"].grad[ignored] == 0).all()


def test_box_targets_of_non_positive_anchors_are_never_read(anchor_batch):
    batch = anchor_batch()
    reference = composite_detection_loss(**batch).box
    batch["box_targets"][batch["anchor_state"] != 1] = float("inf")
    batch["cls_targets"][batch["anchor_state"] != 1] = -7  # labels too
    out = composite_detection_loss(**batch)
    torch.testing.assert_close(out.box, reference)
    assert torch.isfinite(out.total)


@pytest.mark.parametrize("variant", ["algorithm2", "compact"])
@pytest.mark.parametrize("f1_mode", ["per_anchor", "union"])
def test_gradcheck_in_float64(anchor_batch, variant, f1_mode):
    batch = anchor_batch(n=2, a=12, c=2, num_pos=2, num_ignore=1, seed=3)
    rest = {k: v for k, v in batch.items() if k not in ("cls_logits", "box_regression")}

    def total(logits, boxes):
        return composite_detection_loss(
            logits, boxes, **rest, variant=variant, f1_mode=f1_mode
        ).total

    assert torch.autograd.gradcheck(total, (batch["cls_logits"], batch["box_regression"]))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("variant", ["algorithm2", "compact"])
def test_half_precision_inputs_stay_finite(anchor_batch, dtype, variant):
    batch = anchor_batch(n=2, a=3000, c=4, num_pos=20, dtype=torch.float32, requires_grad=False)
    logits = (10 * batch["cls_logits"]).to(dtype).requires_grad_(True)  # |x| up to ~80
    boxes = (100 * batch["box_regression"]).to(dtype).requires_grad_(True)
    half = dict(
        batch, cls_logits=logits, box_regression=boxes, box_targets=batch["box_targets"].to(dtype)
    )
    out = composite_detection_loss(**half, variant=variant)
    for name in PARTS:
        value = getattr(out, name)
        assert torch.isfinite(value), name
    assert out.total.dtype == torch.float32
    # the same rounded values in float32 give the same loss: nothing is lost beyond the input
    as_float = {k: v.detach().float() if v.is_floating_point() else v for k, v in half.items()}
    expected = composite_detection_loss(**as_float, variant=variant)
    torch.testing.assert_close(out.total.detach(), expected.total)
    logits_grad, boxes_grad = torch.autograd.grad(out.total, (logits, boxes))
    assert torch.isfinite(logits_grad).all() and torch.isfinite(boxes_grad).all()


def test_module_equals_functional_and_output_lists_every_part(anchor_batch):
    batch = anchor_batch()
    module = CompositeDetectionLoss(w_box=2.0, variant="compact", mining="per_batch")
    out = module(**batch)
    expected = composite_detection_loss(**batch, w_box=2.0, variant="compact", mining="per_batch")
    assert list(out.to_dict()) == PARTS
    for name in PARTS:
        torch.testing.assert_close(getattr(out, name), getattr(expected, name))
    assert out.total.requires_grad and not out.detach().total.requires_grad
    assert module.w_box == 2.0 and "variant='compact'" in repr(module)
    with pytest.raises(AttributeError):
        out.total = torch.zeros(())  # frozen


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"w_cls": -1.0}, "Expected w_cls >= 0, got -1.0. It weighs its term in L_final"),
        ({"w_box": -0.5}, "Expected w_box >= 0, got -0.5."),
        (
            {"alpha": 2.0},
            "Expected alpha in [0, 1], or -1 to switch the class weighting off, got 2.0.",
        ),
        ({"gamma": -2.0}, "Expected gamma >= 0, got -2.0."),
        ({"beta": -1.0}, "Expected beta >= 0, got -1.0."),
        ({"delta": -1.0}, "Expected delta >= 0, got -1.0."),
        ({"neg_pos_ratio": -3.0}, "Expected neg_pos_ratio >= 0, got -3.0."),
        ({"eps": 0.0}, "Expected eps > 0, got 0.0."),
        ({"eps": -1e-7}, "Expected eps > 0, got -1e-07."),
        (
            {"variant": "paper"},
            "Expected variant to be one of 'algorithm2', 'compact', got 'paper'.",
        ),
        ({"f1_mode": "fixed"}, "Expected f1_mode to be one of 'per_anchor', 'union', got 'fixed'."),
        (
            {"mining": "global"},
            "Expected mining to be one of 'per_image', 'per_batch', got 'global'.",
        ),
        (
            {"box_form": "giou"},
            "Expected form to be one of 'piecewise', 'huber', 'smooth_l1', got 'giou'.",
        ),
    ],
)
def test_invalid_hyperparameters_raise_value_error(anchor_batch, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        CompositeDetectionLoss(**kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        CompositeLossConfig(**kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        composite_detection_loss(**anchor_batch(), **kwargs)


def _bad(batch, **changes):
    return {**batch, **changes}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: _bad(b, cls_logits=b["cls_logits"][0]),
            "Expected cls_logits of shape (N, A, C), got (30, 3).",
        ),
        (
            lambda b: _bad(b, box_regression=b["box_regression"][:, :5]),
            "Expected box_regression of shape (2, 30, 4) to match cls_logits, got (2, 5, 4).",
        ),
        (
            lambda b: _bad(b, box_targets=b["box_targets"][..., :2]),
            "Expected box_targets of shape (2, 30, 4) like box_regression, got (2, 30, 2).",
        ),
        (
            lambda b: _bad(b, cls_targets=b["cls_targets"].float()),
            "Expected cls_targets to be an integer tensor of shape (2, 30), "
            "got torch.float32 of shape (2, 30).",
        ),
        (
            lambda b: _bad(b, anchor_state=b["anchor_state"] == 1),
            "Expected anchor_state to be an integer tensor of shape (2, 30), "
            "got torch.bool of shape (2, 30).",
        ),
        (
            lambda b: _bad(b, anchor_state=b["anchor_state"] * 2),
            "Expected anchor_state values in {1 (positive), 0 (negative), -1 (ignore)}, got [-2, 2].",
        ),
        (
            lambda b: _bad(b, cls_targets=b["cls_targets"] + 3),
            "Expected cls_targets of positive anchors in [0, 3), got values in [3, 5].",
        ),
    ],
)
def test_inconsistent_inputs_raise_value_error(anchor_batch, change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        composite_detection_loss(**change(anchor_batch()))


def test_functional_module_and_config_share_names_and_defaults():
    import dataclasses
    import inspect

    config = {f.name: f.default for f in dataclasses.fields(CompositeLossConfig)}
    functional = {
        name: p.default
        for name, p in inspect.signature(composite_detection_loss).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    module = {
        name: p.default
        for name, p in inspect.signature(CompositeDetectionLoss.__init__).parameters.items()
        if name != "self"
    }
    assert functional == config == module
