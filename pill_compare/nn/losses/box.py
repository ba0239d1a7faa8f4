"""Box regression loss of the loss specification (document 001), with the Huber and Smooth-L1 forms it is close to.

The specification writes (Section 2, repeated in the second full draft; the final LaTeX block uses a strict
``<``, which only matters at ``|d| == delta``)::

    L_box = sum_i  0.5 * d_i**2          if |d_i| <= delta
                   |d_i| - 0.5 * delta   otherwise,        d_i = y_true,i - y_pred,i

At ``|d| = delta`` the quadratic branch gives ``0.5 * delta**2`` and the linear one ``0.5 * delta``:
they agree only for ``delta = 1`` (or 0). For any other ``delta`` the specification's loss jumps there
(``delta = 0.5``: 0.125 -> 0.25; ``delta = 2``: 2.0 -> 1.0). It is kept as written (``form="piecewise"``)
and warns; ``form="huber"`` is torch's ``delta * (|d| - 0.5 * delta)`` continuation and
``form="smooth_l1"`` is torch's ``0.5 * d**2 / beta`` rescaling, both continuous with a
continuous first derivative.
"""

from __future__ import annotations

import warnings
from typing import Literal

import torch
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

BoxLossForm = Literal["piecewise", "huber", "smooth_l1"]
BOX_LOSS_FORMS: tuple[str, ...] = ("piecewise", "huber", "smooth_l1")


class DiscontinuousLossWarning(UserWarning):
    """The specification's box loss is discontinuous at ``|d| = delta`` because ``delta != 1``."""


def check_box_loss_args(delta: float, form: str) -> float:
    """Validate ``delta`` and ``form``; warn when the piecewise form is discontinuous.

    Returns:
        ``delta`` as a float.

    Raises:
        ValueError: ``form`` is unknown, ``delta < 0``, or ``delta == 0`` with ``form="huber"``.
    """
    check_choice("form", form, BOX_LOSS_FORMS)
    if form == "huber":
        # delta * (|d| - 0.5 delta) is identically 0 for delta = 0: no gradient at all.
        delta = check_positive(
            "delta", delta, " Huber with delta = 0 is identically zero; use form='smooth_l1'."
        )
    else:
        delta = check_nonnegative(
            "delta",
            delta,
            " delta is the |d| where the loss turns linear; the specification uses 1.0.",
        )
    if form == "piecewise" and delta not in (0.0, 1.0):
        warnings.warn(
            f"box_loss(form='piecewise', delta={delta}) is discontinuous at |d| = delta: the quadratic "
            f"branch gives {0.5 * delta**2:g} and the linear branch {0.5 * delta:g}. Use delta=1.0 "
            "(the specification's loss is then Huber = Smooth L1), or form='huber' / form='smooth_l1'.",
            DiscontinuousLossWarning,
            stacklevel=3,
        )
    return delta


def box_loss(
    pred: Tensor,
    target: Tensor,
    delta: float = 1.0,
    form: BoxLossForm = "piecewise",
    reduction: str = "none",
) -> Tensor:
    """Element-wise robust regression loss on box coordinates (or encoded box deltas).

    With ``d = pred - target`` (the sign does not matter, every branch uses ``|d|``):

    * ``"piecewise"``: ``0.5 d^2`` if ``|d| <= delta`` else ``|d| - 0.5 delta`` (the specification, verbatim;
      discontinuous unless ``delta`` is 1 or 0, warns otherwise).
    * ``"huber"``: ``0.5 d^2`` if ``|d| <= delta`` else ``delta (|d| - 0.5 delta)``; equals
      ``torch.nn.functional.huber_loss(pred, target, delta=delta)``.
    * ``"smooth_l1"``: ``0.5 d^2 / delta`` if ``|d| < delta`` else ``|d| - 0.5 delta``, and
      ``|d|`` for ``delta = 0``; equals ``torch.nn.functional.smooth_l1_loss(..., beta=delta)``.

    For ``delta = 1`` all three are the same function. The specification sums over the 4 coordinates and
    the positives; use ``reduction="none"`` and sum yourself to normalize as it does.

    Args:
        pred: Predicted coordinates, any shape, e.g. ``(P, 4)`` encoded ``(dx, dy, dw, dh)``.
        target: Target coordinates, same shape as ``pred``.
        delta: Where the loss turns from quadratic to linear (the specification's ``delta``, default 1).
        form: ``"piecewise"``, ``"huber"`` or ``"smooth_l1"``.
        reduction: ``"none"`` (same shape as ``pred``), ``"mean"`` or ``"sum"``.

    Returns:
        The loss; float32 for float16/bfloat16 inputs. ``"mean"`` of an empty input is 0.

    Raises:
        ValueError: Bad ``delta``, ``form`` or ``reduction``, or mismatched shapes.

    Example:
        >>> import torch
        >>> box_loss(torch.tensor([0.5, 3.0]), torch.zeros(2))
        tensor([0.1250, 2.5000])
    """
    delta = check_box_loss_args(delta, form)
    check_reduction(reduction)
    check_same_shape("pred", pred, "target", target)
    diff = upcast(pred) - upcast(target)
    abs_diff = diff.abs()
    if form == "smooth_l1":
        if delta == 0.0:
            loss = abs_diff
        else:
            loss = torch.where(abs_diff < delta, 0.5 * diff**2 / delta, abs_diff - 0.5 * delta)
    else:
        linear = abs_diff - 0.5 * delta
        if form == "huber":
            linear = delta * linear
        loss = torch.where(abs_diff <= delta, 0.5 * diff**2, linear)
    return reduce_loss(loss, reduction)


class BoxLoss(nn.Module):
    """Module form of :func:`box_loss` (hyperparameters validated on construction).

    Args:
        delta: Where the loss turns from quadratic to linear.
        form: ``"piecewise"``, ``"huber"`` or ``"smooth_l1"``.
        reduction: ``"none"``, ``"mean"`` (default, as ``torch.nn`` losses) or ``"sum"``.
    """

    def __init__(
        self, delta: float = 1.0, form: BoxLossForm = "piecewise", reduction: str = "mean"
    ):
        super().__init__()
        self.delta = check_box_loss_args(delta, form)
        check_reduction(reduction)
        self.form = form
        self.reduction = reduction

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        """See :func:`box_loss`."""
        return box_loss(pred, target, self.delta, self.form, self.reduction)

    def extra_repr(self) -> str:
        return f"delta={self.delta}, form={self.form!r}, reduction={self.reduction!r}"
