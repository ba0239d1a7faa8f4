"""Sigmoid focal loss, the specification's classification loss ``L_cls``.

The loss specification (document 001, Section 2 of every full draft)::

    L_cls = -alpha_t (1 - p_t)^gamma log(p_t)
    alpha_t = alpha if y = 1 else 1 - alpha,    p_t = p if y = 1 else 1 - p

which is RetinaNet's focal loss. The last LaTeX block writes ``-alpha (1 - p)^gamma log(p)`` with
``p = sigmoid(y_hat)``, i.e. the ``y = 1`` branch only; we follow the drafts that define both
branches (a loss without the ``y = 0`` branch would never push a negative down).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._common import check_nonnegative, check_reduction, check_same_shape, reduce_loss, upcast


def check_focal_args(alpha: float, gamma: float) -> tuple[float, float]:
    """Validate ``alpha`` and ``gamma``; return them as floats.

    Raises:
        ValueError: ``alpha`` outside ``[0, 1]`` and not ``-1``, or ``gamma < 0``.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise ValueError(f"Expected alpha to be a real number, got {alpha!r}.")
    alpha = float(alpha)
    if not (0.0 <= alpha <= 1.0 or alpha == -1.0):
        raise ValueError(
            f"Expected alpha in [0, 1], or -1 to switch the class weighting off, got {alpha}."
        )
    gamma = check_nonnegative(
        "gamma", gamma, " gamma = 0 is cross-entropy; RetinaNet and the specification use 2."
    )
    return alpha, gamma


def focal_loss(
    logits: Tensor,
    target: Tensor,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> Tensor:
    """Sigmoid focal loss ``-alpha_t (1 - p_t)^gamma log(p_t)``, computed from logits.

    Equal to ``torchvision.ops.sigmoid_focal_loss`` (same arguments, same default reduction), but
    the modulating factor is computed in log space,
    ``(1 - p_t)^gamma = exp(gamma * log(y sigmoid(-x) + (1 - y) sigmoid(x)))``, with ``log sigmoid``
    and ``logaddexp``. torchvision's ``(1 - p_t) ** gamma`` has an infinite derivative where
    ``p_t`` rounds to exactly 1 (``|x| >~ 17`` in float32) when ``0 < gamma < 1``, which turns the
    gradient into NaN; this form stays finite for every finite logit.

    Args:
        logits: Raw scores ``x``, any shape (e.g. ``(N, A, C)``).
        target: Labels in ``[0, 1]`` (binary or soft), same shape; not differentiated.
        alpha: Weight of the positive term (``1 - alpha`` for the negative one) in ``[0, 1]``,
            or ``-1`` for no weighting.
        gamma: Focusing exponent ``>= 0``; 0 gives (alpha-weighted) binary cross-entropy.
        reduction: ``"none"`` (same shape as ``logits``), ``"mean"`` or ``"sum"``.

    Returns:
        The loss; float32 for float16/bfloat16 inputs. ``"mean"`` of an empty input is 0.

    Raises:
        ValueError: Bad ``alpha``, ``gamma``, ``reduction``, or mismatched shapes.

    Example:
        >>> import torch
        >>> logits, target = torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0])
        >>> focal_loss(logits, target, alpha=-1, gamma=0.0)  # binary cross-entropy
        tensor([0.1269, 0.3133])
        >>> focal_loss(logits, target)  # both are fairly easy: scaled by (1 - p_t)^2 alpha_t
        tensor([0.0005, 0.0170])
    """
    alpha, gamma = check_focal_args(alpha, gamma)
    check_reduction(reduction)
    check_same_shape("logits", logits, "target", target)
    logits = upcast(logits)
    target = upcast(target).to(logits.dtype)
    loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    if gamma != 0.0:
        # log(1 - p_t) = log(y sigmoid(-x) + (1 - y) sigmoid(x)); log(0) = -inf drops a branch
        # exactly and logaddexp passes it a zero gradient.
        log_one_minus_pt = torch.logaddexp(
            torch.log(target) + F.logsigmoid(-logits),
            torch.log1p(-target) + F.logsigmoid(logits),
        )
        loss = loss * torch.exp(gamma * log_one_minus_pt)
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return reduce_loss(loss, reduction)


class FocalLoss(nn.Module):
    """Module form of :func:`focal_loss` (hyperparameters validated on construction).

    Args:
        alpha: Positive-class weight in ``[0, 1]``, or ``-1`` for none.
        gamma: Focusing exponent ``>= 0``.
        reduction: ``"none"``, ``"mean"`` (default) or ``"sum"``.
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, reduction: str = "mean"):
        super().__init__()
        self.alpha, self.gamma = check_focal_args(alpha, gamma)
        check_reduction(reduction)
        self.reduction = reduction

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """See :func:`focal_loss`."""
        return focal_loss(logits, target, self.alpha, self.gamma, self.reduction)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, gamma={self.gamma}, reduction={self.reduction!r}"
