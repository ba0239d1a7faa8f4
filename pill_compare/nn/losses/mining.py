"""Hard negative mining: keep the ``k = floor(r * N_pos)`` negatives with the highest loss.

Algorithm 2 of the loss specification (document 001), lines 4-10: count the positives ``N_pos``, set
``k = floor(r * N_pos)``, sort the negatives' classification losses in descending order and keep
the first ``k``. Two things it leaves open are decided here:

* Line 4 writes ``N_pos = sum_i 1[M_i > 0]`` (images with at least one object) but comments it
  "number of positive samples", and the prose says "N_pos is the number of positive samples". We
  count positive *anchors*, as SSD does; counting images would give ~1 hard negative per image.
* The algorithm is written over the whole set ``T``; SSD (Liu et al. 2016, and torchvision's
  ``SSD.compute_loss``) mines per image. ``per_image=True`` is the default, see
  :func:`hard_negative_mining`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ._common import check_nonnegative


def check_neg_pos_ratio(neg_pos_ratio: float) -> float:
    """Validate ``neg_pos_ratio``; return it as a float.

    Raises:
        ValueError: ``neg_pos_ratio`` is negative or not finite.
    """
    return check_nonnegative(
        "neg_pos_ratio", neg_pos_ratio, " It is r in k = floor(r * N_pos); SSD uses 3."
    )


def num_hard_negatives(num_pos: Tensor, neg_pos_ratio: float) -> Tensor:
    """``floor(r * N_pos)`` as int64, robust to the float rounding of ``r``.

    ``0.29 * 100`` is ``28.999999999999996`` in binary floating point; the ``1e-9`` keeps the
    intended 29. It cannot push an exact product over an integer for any realistic ``N_pos``.
    """
    return torch.floor(num_pos.to(torch.float64) * neg_pos_ratio + 1e-9).to(torch.int64)


def hard_negative_mining(
    neg_losses: Tensor,
    num_pos: Tensor | int,
    neg_pos_ratio: float,
    *,
    negative_mask: Tensor,
    per_image: bool = True,
) -> Tensor:
    """Select the hardest negatives by loss, at most ``floor(neg_pos_ratio * num_pos)``.

    Only anchors with ``negative_mask`` set are candidates, so a positive or an ignored anchor is
    never selected, and ``k`` is capped by the number of candidates. Ties are broken by anchor
    index (stable sort), so the mask is deterministic. The losses are detached: selection is not
    differentiated.

    Per image (default): image ``i`` keeps its own ``k_i = floor(r * num_pos[i])``. This is SSD's
    choice and torchvision's; it keeps each image's loss independent of what else is in the
    batch (the result does not change with batch size or composition), and one image with a
    large, hard background cannot use up the budget of the others. Its cost: an image without
    positives contributes no negatives. Per batch (``per_image=False``): one pool,
    ``k = floor(r * sum(num_pos))``, the literal reading of Algorithm 2's set-level notation;
    background-only images can then contribute hard negatives.

    Args:
        neg_losses: Per-anchor classification loss, ``(N, A)`` (or ``(A,)`` for one image).
        num_pos: Positives per image, int ``(N,)``; with ``per_image=False`` a total (int or 0-d)
            is also accepted.
        neg_pos_ratio: ``r`` in ``k = floor(r * N_pos)``, ``>= 0``.
        negative_mask: Bool, same shape as ``neg_losses``: the anchors that are negatives.
        per_image: Mine per image (default) or over the whole batch.

    Returns:
        Bool mask, same shape as ``neg_losses``, of the selected hard negatives.

    Raises:
        ValueError: Bad ``neg_pos_ratio``, a non-bool or mismatched ``negative_mask``, a
            ``neg_losses`` that is not 1-D or 2-D, or a ``num_pos`` of the wrong shape.

    Example:
        >>> import torch
        >>> losses = torch.tensor([[0.9, 0.1, 0.5, 0.7]])
        >>> negative = torch.tensor([[False, True, True, True]])  # anchor 0 is a positive
        >>> hard_negative_mining(losses, torch.tensor([1]), 2.0, negative_mask=negative)
        tensor([[False, False,  True,  True]])
    """
    neg_pos_ratio = check_neg_pos_ratio(neg_pos_ratio)
    if neg_losses.dim() not in (1, 2):
        raise ValueError(
            f"Expected neg_losses of shape (N, A) or (A,), got {tuple(neg_losses.shape)}."
        )
    if negative_mask.dtype != torch.bool or negative_mask.shape != neg_losses.shape:
        raise ValueError(
            f"Expected negative_mask to be a bool tensor of shape {tuple(neg_losses.shape)}, "
            f"got {negative_mask.dtype} of shape {tuple(negative_mask.shape)}."
        )
    squeeze = neg_losses.dim() == 1
    losses = neg_losses.detach().reshape(1, -1) if squeeze else neg_losses.detach()
    negative = negative_mask.reshape(losses.shape)
    num_pos = torch.as_tensor(num_pos, device=losses.device).reshape(-1)
    if per_image and num_pos.numel() != losses.shape[0]:
        raise ValueError(
            f"Expected num_pos with one count per image ({losses.shape[0]}) for per_image=True, "
            f"got {num_pos.numel()}. Pass per-image counts or per_image=False."
        )
    if not per_image:
        losses, negative, num_pos = losses.reshape(1, -1), negative.reshape(1, -1), num_pos.sum()
    k = torch.minimum(num_hard_negatives(num_pos, neg_pos_ratio), negative.sum(dim=1))
    # Non-candidates sort last; rank[i, j] is anchor j's position in image i's descending order.
    order = losses.masked_fill(~negative, float("-inf")).argsort(
        dim=1, descending=True, stable=True
    )
    rank = order.argsort(dim=1)
    selected = (rank < k.reshape(-1, 1)) & negative
    return selected.reshape(neg_losses.shape)
