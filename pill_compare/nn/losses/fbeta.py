"""Soft F-beta loss (the specification's ``L_f1`` for ``beta = 1``).

The specification's final LaTeX block (001, "FBetaLoss") defines, with small ``eps``::

    precision = tp / (tp + fp + eps)        recall = tp / (tp + fn + eps)
    L_Fbeta   = 1 - (1 + beta^2) precision recall / (beta^2 precision + recall + eps)

and the earlier drafts give the ``beta = 1`` case ``L_f1 = 1 - 2 P R / (P + R + eps)``. "Soft" counts
replace the 0/1 decisions with probabilities: ``tp = sum p y``, ``fp = sum p (1 - y)``,
``fn = sum (1 - p) y``. Without the eps terms this is ``1 - (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)``.

Degenerate case (measured in ``tests/nn/test_losses_degenerate.py``): where every target is 0,
``tp`` is identically 0, so precision = recall = 0 and ``F = 0 / (0 + eps) = 0`` whatever ``p`` is:
the loss is 1 with zero gradient. See ``docs/losses.md``.
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor, nn

from ._common import (
    check_choice,
    check_nonnegative,
    check_positive,
    check_reduction,
    check_same_shape,
    reduce_loss,
    upcast,
)

FBetaAverage = Literal["micro", "macro", "samples"]
FBETA_AVERAGES: tuple[str, ...] = ("micro", "macro", "samples")

EPS_HINT = " eps keeps 0/0 out of precision, recall and F; use e.g. 1e-7."


def check_fbeta_args(beta: float, eps: float, average: str) -> tuple[float, float]:
    """Validate the soft F-beta hyperparameters; return ``(beta, eps)`` as floats.

    Raises:
        ValueError: ``beta < 0``, ``eps <= 0`` or an unknown ``average``.
    """
    beta = check_nonnegative(
        "beta", beta, " beta weighs recall beta times as much as precision; F1 is beta = 1."
    )
    eps = check_positive("eps", eps, EPS_HINT)
    check_choice("average", average, FBETA_AVERAGES)
    return beta, eps


def soft_fbeta_loss(
    prob: Tensor,
    target: Tensor,
    beta: float = 1.0,
    eps: float = 1e-7,
    average: FBetaAverage = "micro",
    reduction: str = "mean",
) -> Tensor:
    """``1 - F_beta`` computed from soft (probability-weighted) counts.

    ``average`` says over which elements ``tp``, ``fp`` and ``fn`` are pooled (sklearn's names):

    * ``"micro"``: global; one F over every element of ``prob``. Output shape ``()``.
    * ``"macro"``: one F per class (last dimension), pooling everything else. Output ``(C,)``.
    * ``"samples"``: one F per sample over its classes (last dimension), the per-anchor reading
      of Algorithm 2. Output ``prob.shape[:-1]``.

    ``reduction`` then applies to that output (``"mean"`` of the per-class losses is macro-F).

    Args:
        prob: Probabilities in ``[0, 1]``, shape ``(..., C)`` (e.g. ``sigmoid(logits)``).
        target: Labels in ``[0, 1]`` (one-/multi-hot or soft), same shape as ``prob``.
        beta: Recall is weighted ``beta`` times as much as precision; ``beta = 1`` is the specification's F1.
        eps: Added to the three denominators (precision, recall, F), as in the specification.
        average: ``"micro"``, ``"macro"`` or ``"samples"``.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over the averaged output.

    Returns:
        The loss, in ``[0, 1]`` element-wise; float32 for float16/bfloat16 inputs. By the formula
        an empty set (or one without any positive target) has ``F = 0``, loss 1; with
        ``average="samples"`` an empty batch has no samples and reduces to 0.

    Raises:
        ValueError: Bad ``beta``, ``eps``, ``average``, ``reduction``, mismatched shapes, or a
            0-d input with ``average`` other than ``"micro"``.

    Example:
        >>> import torch
        >>> y = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
        >>> p = torch.tensor([0.8, 0.3, 0.4, 0.7], dtype=torch.float64)
        >>> # tp = 1.2, fp = 1.0, fn = 0.8: 1 - 2.4 / 4.2 = 3/7; eps = 1e-7 adds 7.7e-8
        >>> round(soft_fbeta_loss(p, y).item(), 5)
        0.42857
    """
    beta, eps = check_fbeta_args(beta, eps, average)
    check_reduction(reduction)
    check_same_shape("prob", prob, "target", target)
    if prob.dim() == 0 and average != "micro":
        raise ValueError(
            f"Expected prob of shape (..., C) for average={average!r}, got a 0-d tensor. "
            "Use average='micro' or add a class dimension."
        )
    prob = upcast(prob)
    target = upcast(target).to(prob.dtype)
    if average == "micro":
        dims = tuple(range(prob.dim()))
    elif average == "macro":
        dims = tuple(range(prob.dim() - 1))
    else:
        dims = (-1,)
    tp = (prob * target).sum(dim=dims)
    fp = (prob * (1 - target)).sum(dim=dims)
    fn = ((1 - prob) * target).sum(dim=dims)
    precision = tp / (tp + fp + eps)
    recall = tp / (tp + fn + eps)
    beta2 = beta * beta
    f_beta = (1 + beta2) * precision * recall / (beta2 * precision + recall + eps)
    return reduce_loss(1 - f_beta, reduction)


class SoftFBetaLoss(nn.Module):
    """Module form of :func:`soft_fbeta_loss` (hyperparameters validated on construction).

    Args:
        beta: Recall weight; 1 gives the specification's F1 loss.
        eps: Denominator guard.
        average: ``"micro"``, ``"macro"`` or ``"samples"``.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.
    """

    def __init__(
        self,
        beta: float = 1.0,
        eps: float = 1e-7,
        average: FBetaAverage = "micro",
        reduction: str = "mean",
    ):
        super().__init__()
        self.beta, self.eps = check_fbeta_args(beta, eps, average)
        check_reduction(reduction)
        self.average = average
        self.reduction = reduction

    def forward(self, prob: Tensor, target: Tensor) -> Tensor:
        """See :func:`soft_fbeta_loss`."""
        return soft_fbeta_loss(prob, target, self.beta, self.eps, self.average, self.reduction)

    def extra_repr(self) -> str:
        return (
            f"beta={self.beta}, eps={self.eps}, average={self.average!r}, "
            f"reduction={self.reduction!r}"
        )
