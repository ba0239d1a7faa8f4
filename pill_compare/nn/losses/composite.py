"""The composite detection loss of Algorithm 2: focal + soft-F_beta + box, combined by geometric means.

Reference: the loss specification (document 001), "Algorithm 2 Hard Negative Mining", lines 4-16 (the most specific draft)::

    k            = floor(r * N_pos)                                             (5)
    L_pos,cls    = sum_pos L_cls / N_pos      L_hard_neg,cls = sum_hn L_cls / k (11-12, per part)
    L_pos,f1     = sum_pos L_f1  / N_pos      L_hard_neg,f1  = sum_hn L_f1  / k
    L_pos,box    = sum_pos L_box / N_pos
    L_cls        = sqrt(max(L_pos,cls * L_hard_neg,cls, eps))                   (13)
    L_f1         = sqrt(max(L_pos,f1  * L_hard_neg,f1,  eps))                   (14)
    L_combined   = sqrt(max(L_cls * L_f1, eps))                                 (15)
    L_final      = w_cls * L_combined + w_box * L_pos,box                       (16)

and the "compact" form of the final LaTeX block, ``L = sqrt(L_cls * L_Fbeta) + L_box``, where
``L_cls`` covers the positives and the mined hard negatives and ``L_Fbeta``, ``L_box`` only the
positives. Every term, and what the specification leaves open, is discussed in ``docs/losses.md``.

Per anchor ``a`` with logits ``x_a`` (C classes) and one-hot target ``y_a`` (all zeros for a
negative): ``L_cls(a) = sum_c focal(x_ac, y_ac)``; ``L_f1(a) = soft_fbeta_loss(sigmoid(x_a), y_a)``
over the C classes (Algorithm 2 line 9 pairs each negative's ``L_cls`` with its own ``L_f1``, so
the F1 is per sample); ``L_box(a) = sum of the 4 coordinates of box_loss``. Sums run over the whole
batch and are divided by the batch's counts (``max(count, 1)``, so an empty part is 0, not NaN).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._common import check_choice, check_nonnegative, upcast
from .box import BoxLossForm, box_loss, check_box_loss_args
from .fbeta import check_fbeta_args, soft_fbeta_loss
from .focal import check_focal_args, focal_loss
from .mining import check_neg_pos_ratio, hard_negative_mining

ANCHOR_POSITIVE = 1
ANCHOR_NEGATIVE = 0
ANCHOR_IGNORE = -1

Variant = Literal["algorithm2", "compact"]
F1Mode = Literal["per_anchor", "union"]
Mining = Literal["per_image", "per_batch"]
VARIANTS: tuple[str, ...] = ("algorithm2", "compact")
F1_MODES: tuple[str, ...] = ("per_anchor", "union")
MINING_MODES: tuple[str, ...] = ("per_image", "per_batch")


def guarded_geometric_mean(a: Tensor, b: Tensor, eps: float) -> Tensor:
    """``sqrt(max(a * b, eps))``, Algorithm 2 lines 13-15.

    The guard keeps ``sqrt`` away from 0, where its derivative ``1 / (2 sqrt(x))`` is infinite; in
    exchange, once ``a * b < eps`` the result is the constant ``sqrt(eps)`` and ``a`` and ``b``
    get no gradient from it. For ``a = b >= sqrt(eps)`` it returns ``a``.

    Args:
        a: A non-negative loss (any shape, broadcast with ``b``).
        b: A non-negative loss.
        eps: The floor under the product, ``> 0``.

    Returns:
        The guarded geometric mean.
    """
    return torch.sqrt(torch.clamp(a * b, min=eps))


@dataclass(frozen=True)
class CompositeLossOutput:
    """Total and parts of :func:`composite_detection_loss`, all 0-d tensors (for logging).

    Attributes:
        total: ``w_cls * combined + w_box * box``; what to backpropagate.
        cls_pos: Focal loss summed over positive anchors and classes, ``/ max(N_pos, 1)``.
        cls_hard_neg: Focal loss summed over hard negatives and classes, ``/ max(N_hard_neg, 1)``.
        f1_pos: Per-anchor soft-F_beta loss summed over positives, ``/ max(N_pos, 1)``.
        f1_hard_neg: Per-anchor soft-F_beta loss summed over hard negatives,
            ``/ max(N_hard_neg, 1)``; exactly 1 whenever there is a hard negative (all-zero
            targets), see ``docs/losses.md``.
        cls: ``sqrt(max(cls_pos * cls_hard_neg, eps))`` (algorithm2) or
            ``(sum_pos + sum_hard_neg focal) / max(N_pos, 1)`` (compact).
        f1: ``sqrt(max(f1_pos * f1_hard_neg, eps))`` (algorithm2, ``f1_mode="per_anchor"``), ``f1_pos``
            (compact, per_anchor) or the set-level soft-F_beta loss over positives and hard negatives
            (``f1_mode="union"``).
        combined: ``sqrt(max(cls * f1, eps))``.
        box: Box loss summed over positives and coordinates, ``/ max(N_pos, 1)``.
        num_pos: Number of positive anchors in the batch (int64).
        num_hard_neg: Number of hard negatives mined (int64).
    """

    total: Tensor
    cls_pos: Tensor
    cls_hard_neg: Tensor
    f1_pos: Tensor
    f1_hard_neg: Tensor
    cls: Tensor
    f1: Tensor
    combined: Tensor
    box: Tensor
    num_pos: Tensor
    num_hard_neg: Tensor

    def to_dict(self) -> dict[str, Tensor]:
        """All fields by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def detach(self) -> CompositeLossOutput:
        """A copy with every tensor detached from the graph (to keep for logging)."""
        return CompositeLossOutput(**{k: v.detach() for k, v in self.to_dict().items()})


@dataclass(frozen=True)
class CompositeLossConfig:
    """Hyperparameters of the composite loss, validated on construction.

    Raises:
        ValueError: Any hyperparameter out of range (see :func:`composite_detection_loss`).
    """

    w_cls: float = 1.0
    w_box: float = 1.0
    alpha: float = 0.25
    gamma: float = 2.0
    beta: float = 1.0
    delta: float = 1.0
    neg_pos_ratio: float = 3.0
    eps: float = 1e-7
    variant: Variant = "algorithm2"
    f1_mode: F1Mode = "per_anchor"
    mining: Mining = "per_image"
    box_form: BoxLossForm = "piecewise"

    def __post_init__(self) -> None:
        hint = " It weighs its term in L_final = w_cls * L_combined + w_box * L_box; the specification uses 1."
        alpha, gamma = check_focal_args(self.alpha, self.gamma)
        beta, eps = check_fbeta_args(self.beta, self.eps, "samples")
        checked = {
            "w_cls": check_nonnegative("w_cls", self.w_cls, hint),
            "w_box": check_nonnegative("w_box", self.w_box, hint),
            "alpha": alpha,
            "gamma": gamma,
            "beta": beta,
            "eps": eps,
            "delta": check_box_loss_args(self.delta, self.box_form),
            "neg_pos_ratio": check_neg_pos_ratio(self.neg_pos_ratio),
        }
        check_choice("variant", self.variant, VARIANTS)
        check_choice("f1_mode", self.f1_mode, F1_MODES)
        check_choice("mining", self.mining, MINING_MODES)
        for name, value in checked.items():
            object.__setattr__(self, name, value)


def _config_from(arguments: dict[str, object]) -> CompositeLossConfig:
    """The config from a caller's ``locals()`` (its hyperparameters share the config's names)."""
    return CompositeLossConfig(**{f.name: arguments[f.name] for f in fields(CompositeLossConfig)})


def _check_inputs(
    cls_logits: Tensor,
    box_regression: Tensor,
    cls_targets: Tensor,
    box_targets: Tensor,
    anchor_state: Tensor,
) -> None:
    if cls_logits.dim() != 3:
        raise ValueError(f"Expected cls_logits of shape (N, A, C), got {tuple(cls_logits.shape)}.")
    n, a, _ = cls_logits.shape
    if box_regression.dim() != 3 or box_regression.shape[:2] != (n, a):
        raise ValueError(
            f"Expected box_regression of shape ({n}, {a}, 4) to match cls_logits, "
            f"got {tuple(box_regression.shape)}."
        )
    if box_targets.shape != box_regression.shape:
        raise ValueError(
            f"Expected box_targets of shape {tuple(box_regression.shape)} like box_regression, "
            f"got {tuple(box_targets.shape)}."
        )
    for name, t in (("cls_targets", cls_targets), ("anchor_state", anchor_state)):
        if t.shape != (n, a) or t.is_floating_point() or t.dtype == torch.bool:
            raise ValueError(
                f"Expected {name} to be an integer tensor of shape ({n}, {a}), "
                f"got {t.dtype} of shape {tuple(t.shape)}."
            )
    states = torch.tensor(
        [ANCHOR_IGNORE, ANCHOR_NEGATIVE, ANCHOR_POSITIVE], device=anchor_state.device
    )
    if not torch.isin(anchor_state, states).all():
        raise ValueError(
            "Expected anchor_state values in {1 (positive), 0 (negative), -1 (ignore)}, "
            f"got {sorted(set(anchor_state.unique().tolist()) - {-1, 0, 1})}."
        )
    labels = cls_targets[anchor_state == ANCHOR_POSITIVE]
    if labels.numel() and (labels.min() < 0 or labels.max() >= cls_logits.shape[-1]):
        raise ValueError(
            f"Expected cls_targets of positive anchors in [0, {cls_logits.shape[-1]}), "
            f"got values in [{labels.min().item()}, {labels.max().item()}]."
        )


def composite_detection_loss(
    cls_logits: Tensor,
    box_regression: Tensor,
    cls_targets: Tensor,
    box_targets: Tensor,
    anchor_state: Tensor,
    *,
    w_cls: float = 1.0,
    w_box: float = 1.0,
    alpha: float = 0.25,
    gamma: float = 2.0,
    beta: float = 1.0,
    delta: float = 1.0,
    neg_pos_ratio: float = 3.0,
    eps: float = 1e-7,
    variant: Variant = "algorithm2",
    f1_mode: F1Mode = "per_anchor",
    mining: Mining = "per_image",
    box_form: BoxLossForm = "piecewise",
) -> CompositeLossOutput:
    """The specification's composite loss on per-anchor predictions and matched targets.

    Args:
        cls_logits: Class logits, ``(N, A, C)`` (N images, A anchors, C classes, sigmoid).
        box_regression: Box predictions, ``(N, A, 4)`` (e.g. encoded ``(dx, dy, dw, dh)``).
        cls_targets: Class index of each anchor's matched box, int ``(N, A)``; read only where
            ``anchor_state`` is positive, must be in ``[0, C)`` there.
        box_targets: Regression targets, same shape as ``box_regression``; read only at positives.
        anchor_state: Int ``(N, A)``: 1 positive, 0 negative, -1 ignored (never in any term).
        w_cls: Weight of ``L_combined``.
        w_box: Weight of ``L_box``.
        alpha: Focal loss positive-class weight (``[0, 1]`` or -1).
        gamma: Focal loss focusing exponent (``>= 0``).
        beta: F_beta's recall weight; 1 is the specification's F1.
        delta: Box loss transition point (see :func:`~.box.box_loss`).
        neg_pos_ratio: ``r`` in ``k = floor(r * N_pos)`` hard negatives.
        eps: Guard in precision/recall/F and under every geometric mean (``> 0``).
        variant: ``"algorithm2"`` (Algorithm 2, lines 11-16) or ``"compact"`` (final LaTeX block,
            ``sqrt(L_cls * L_Fbeta) + L_box``, with the same ``max(., eps)`` guard).
        f1_mode: ``"per_anchor"`` (as written: per-anchor F over each part; on hard negatives it is the
            constant 1) or ``"union"`` (one set-level soft F_beta over the (anchor, class) cells of
            positives and hard negatives, so that hard negatives count as soft false positives).
        mining: ``"per_image"`` (default, SSD) or ``"per_batch"``; see
            :func:`~.mining.hard_negative_mining`.
        box_form: ``"piecewise"``, ``"huber"`` or ``"smooth_l1"``.

    Returns:
        :class:`CompositeLossOutput`; float32 for float16/bfloat16 inputs.

    Raises:
        ValueError: Bad hyperparameters or inconsistent input shapes, dtypes or values.
    """
    config = _config_from(locals())
    return _composite_detection_loss(
        config, cls_logits, box_regression, cls_targets, box_targets, anchor_state
    )


def _composite_detection_loss(
    config: CompositeLossConfig,
    cls_logits: Tensor,
    box_regression: Tensor,
    cls_targets: Tensor,
    box_targets: Tensor,
    anchor_state: Tensor,
) -> CompositeLossOutput:
    _check_inputs(cls_logits, box_regression, cls_targets, box_targets, anchor_state)
    logits = upcast(cls_logits)
    num_classes = logits.shape[-1]
    positive = anchor_state == ANCHOR_POSITIVE
    negative = anchor_state == ANCHOR_NEGATIVE
    labels = torch.where(positive, cls_targets, 0).long()
    onehot = F.one_hot(labels, num_classes).to(logits.dtype) * positive.unsqueeze(-1)

    cls_anchor = focal_loss(logits, onehot, config.alpha, config.gamma).sum(dim=-1)  # (N, A)
    hard_neg = hard_negative_mining(
        cls_anchor,
        positive.sum(dim=1),
        config.neg_pos_ratio,
        negative_mask=negative,
        per_image=config.mining == "per_image",
    )
    num_pos, num_hard_neg = positive.sum(), hard_neg.sum()
    pos_norm, hard_neg_norm = num_pos.clamp(min=1), num_hard_neg.clamp(min=1)

    prob = torch.sigmoid(logits)

    def f1_sum(mask: Tensor) -> Tensor:
        return soft_fbeta_loss(
            prob[mask], onehot[mask], config.beta, config.eps, average="samples", reduction="sum"
        )

    cls_pos_sum, cls_hard_neg_sum = cls_anchor[positive].sum(), cls_anchor[hard_neg].sum()
    cls_pos, cls_hard_neg = cls_pos_sum / pos_norm, cls_hard_neg_sum / hard_neg_norm
    f1_pos, f1_hard_neg = f1_sum(positive) / pos_norm, f1_sum(hard_neg) / hard_neg_norm
    box = (
        box_loss(
            box_regression[positive], box_targets[positive], config.delta, config.box_form
        ).sum()
        / pos_norm
    )

    if config.f1_mode == "union":
        used = positive | hard_neg
        f1 = soft_fbeta_loss(prob[used], onehot[used], config.beta, config.eps, average="micro")
    elif config.variant == "algorithm2":
        f1 = guarded_geometric_mean(f1_pos, f1_hard_neg, config.eps)
    else:
        f1 = f1_pos
    if config.variant == "algorithm2":
        cls = guarded_geometric_mean(cls_pos, cls_hard_neg, config.eps)
    else:
        cls = (cls_pos_sum + cls_hard_neg_sum) / pos_norm
    combined = guarded_geometric_mean(cls, f1, config.eps)
    total = config.w_cls * combined + config.w_box * box
    return CompositeLossOutput(
        total=total,
        cls_pos=cls_pos,
        cls_hard_neg=cls_hard_neg,
        f1_pos=f1_pos,
        f1_hard_neg=f1_hard_neg,
        cls=cls,
        f1=f1,
        combined=combined,
        box=box,
        num_pos=num_pos,
        num_hard_neg=num_hard_neg,
    )


class CompositeDetectionLoss(nn.Module):
    """Module form of :func:`composite_detection_loss` (hyperparameters validated on construction).

    The hyperparameters keep the specification's symbols; see :func:`composite_detection_loss` for each.

    Example:
        >>> import torch
        >>> loss_fn = CompositeDetectionLoss(neg_pos_ratio=3.0)
        >>> logits, boxes = torch.randn(2, 50, 3), torch.randn(2, 50, 4)
        >>> state = torch.zeros(2, 50, dtype=torch.long)
        >>> state[:, :5] = 1  # 5 positives per image, 45 negatives
        >>> out = loss_fn(logits, boxes, torch.ones(2, 50, dtype=torch.long), boxes + 0.1, state)
        >>> int(out.num_pos), int(out.num_hard_neg)
        (10, 30)
    """

    def __init__(
        self,
        w_cls: float = 1.0,
        w_box: float = 1.0,
        alpha: float = 0.25,
        gamma: float = 2.0,
        beta: float = 1.0,
        delta: float = 1.0,
        neg_pos_ratio: float = 3.0,
        eps: float = 1e-7,
        variant: Variant = "algorithm2",
        f1_mode: F1Mode = "per_anchor",
        mining: Mining = "per_image",
        box_form: BoxLossForm = "piecewise",
    ):
        super().__init__()
        self.config = _config_from(locals())

    @property
    def w_cls(self) -> float:
        """Weight of ``L_combined`` in the total."""
        return self.config.w_cls

    @property
    def w_box(self) -> float:
        """Weight of ``L_box`` in the total."""
        return self.config.w_box

    def forward(
        self,
        cls_logits: Tensor,
        box_regression: Tensor,
        cls_targets: Tensor,
        box_targets: Tensor,
        anchor_state: Tensor,
    ) -> CompositeLossOutput:
        """See :func:`composite_detection_loss`."""
        return _composite_detection_loss(
            self.config, cls_logits, box_regression, cls_targets, box_targets, anchor_state
        )

    def extra_repr(self) -> str:
        return ", ".join(f"{f.name}={getattr(self.config, f.name)!r}" for f in fields(self.config))
