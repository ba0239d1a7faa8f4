"""Helpers shared by the loss pieces: argument validation, reductions and dtype handling.

Every validator raises ``ValueError`` with an "Expected X, got Y" message plus the fix, so that a
bad hyperparameter fails when the module is built rather than as a NaN many steps later.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

REDUCTIONS: tuple[str, ...] = ("none", "mean", "sum")


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"Expected {name} to be one of {allowed}, got {value!r}.")


def check_reduction(reduction: str) -> None:
    """Raise ``ValueError`` unless ``reduction`` is ``"none"``, ``"mean"`` or ``"sum"``."""
    check_choice("reduction", reduction, REDUCTIONS)


def _as_finite_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"Expected {name} to be a real number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"Expected {name} to be finite, got {value}.")
    return value


def check_nonnegative(name: str, value: object, hint: str = "") -> float:
    """Return ``value`` as a float; raise ``ValueError`` unless it is finite and ``>= 0``."""
    value = _as_finite_float(name, value)
    if value < 0:
        raise ValueError(f"Expected {name} >= 0, got {value}.{hint}")
    return value


def check_positive(name: str, value: object, hint: str = "") -> float:
    """Return ``value`` as a float; raise ``ValueError`` unless it is finite and ``> 0``."""
    value = _as_finite_float(name, value)
    if value <= 0:
        raise ValueError(f"Expected {name} > 0, got {value}.{hint}")
    return value


def check_same_shape(name_a: str, a: Tensor, name_b: str, b: Tensor) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"Expected {name_a} and {name_b} to have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}."
        )


def upcast(x: Tensor) -> Tensor:
    """Return ``x`` in float32 when it is float16/bfloat16, else unchanged.

    Losses are computed and returned in float32 for half-precision inputs, as ``torch.autocast``
    does for ``binary_cross_entropy_with_logits``: a sum over ~10^5 anchors overflows float16
    (max 65504) and bfloat16 keeps only 8 significant bits, which would round most of ``1 - F``
    away.
    """
    if x.dtype in (torch.float16, torch.bfloat16):
        return x.float()
    return x


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """Apply ``reduction`` to an element-wise loss.

    ``"mean"`` over zero elements returns 0 (connected to the graph), not NaN, so that an image
    without positives or a batch without boxes still backpropagates.
    """
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / max(loss.numel(), 1)
