"""Detection heads that train with pillcmp's losses.

:class:`CompositeLossRetinaNetHead` is torchvision's
:class:`~torchvision.models.detection.retinanet.RetinaNetHead` (same layers, same ``forward``) whose
``compute_loss`` turns the matcher's output into per-anchor tensors and calls
:class:`~pill_compare.nn.losses.CompositeDetectionLoss`. It returns torchvision's keys,
``"classification"`` (``w_cls * L_combined``) and ``"bbox_regression"`` (``w_box * L_box``), whose
sum is the composite total, so ``model(images, targets)`` trains unchanged.
:func:`pill_compare.nn.detector.build_detector` puts it in a RetinaNet for ``loss="composite"``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.retinanet import RetinaNetHead

from .losses import (
    ANCHOR_IGNORE,
    ANCHOR_NEGATIVE,
    ANCHOR_POSITIVE,
    CompositeDetectionLoss,
    CompositeLossOutput,
)
from .losses.mining import num_hard_negatives

__all__ = ["CompositeLossRetinaNetHead"]


class CompositeLossRetinaNetHead(RetinaNetHead):
    """RetinaNet head whose loss is the composite loss.

    Anchors matched with IoU >= ``fg_iou_thresh`` are positives, those below ``bg_iou_thresh`` are
    negatives and those in between are ignored, exactly as torchvision's focal loss sees them
    (``Matcher.BELOW_LOW_THRESHOLD`` / ``BETWEEN_THRESHOLDS``). Box targets are the anchors'
    encoded ``(dx, dy, dw, dh)`` from the regression head's ``box_coder``, the quantity
    torchvision's L1 box loss compares.

    The loss is computed in float32 whatever the autocast state: under ``torch.autocast`` the
    anchors and head outputs are bfloat16/float16, and a float16 sum over ~10^5 anchors overflows
    while bfloat16 keeps only 8 significant bits (see ``losses._common.upcast``).

    Normalization differs from torchvision's: it divides each image's sums by that image's
    ``max(1, num_foreground)`` and averages images; Algorithm 2 (lines 11-12) divides
    the batch's sums by the batch's ``N_pos`` and ``k``.

    Args:
        in_channels: Channels of every FPN level.
        num_anchors: Anchors per location.
        num_classes: Number of classes (sigmoid outputs, as torchvision's RetinaNet).
        norm_layer: Normalization for the head's convolutions (torchvision's default: none).
        loss: The composite loss; default ``CompositeDetectionLoss()`` (the specification's settings).

    Attributes:
        last_loss: The detached :class:`CompositeLossOutput` of the latest ``compute_loss``
            call (every part, for logging), or ``None`` before the first.
        last_zero_k_images: In the latest batch, the number of images with positives
            (``N_pos > 0``) but no hard negative (``k = 0``: ``floor(r * N_pos) = 0`` or no
            negative anchor left). With ``variant="algorithm2"`` a batch whose ``k`` is 0 has
            ``L_cls = sqrt(max(L_pos,cls * 0, eps)) = sqrt(eps)``: the classification gradient
            is exactly zero; a trainer should warn when this is non-zero. With
            ``mining="per_batch"`` it counts the images with positives when the batch's ``k``
            is 0, else 0.
    """

    def __init__(
        self,
        in_channels: int,
        num_anchors: int,
        num_classes: int,
        norm_layer: type[nn.Module] | None = None,
        loss: CompositeDetectionLoss | None = None,
    ):
        super().__init__(in_channels, num_anchors, num_classes, norm_layer=norm_layer)
        self.loss = loss if loss is not None else CompositeDetectionLoss()
        self.last_loss: CompositeLossOutput | None = None
        self.last_zero_k_images: int = 0

    def compute_loss(
        self,
        targets: list[dict[str, Tensor]],
        head_outputs: dict[str, Tensor],
        anchors: list[Tensor],
        matched_idxs: list[Tensor],
    ) -> dict[str, Tensor]:
        """Composite loss of a batch, under torchvision's keys (float32).

        Args:
            targets: Per image, ``"boxes"`` ``(M, 4)`` xyxy and ``"labels"`` ``(M,)`` int64.
            head_outputs: ``"cls_logits"`` ``(N, A, C)`` and ``"bbox_regression"`` ``(N, A, 4)``.
            anchors: Per image, ``(A, 4)`` xyxy.
            matched_idxs: Per image, ``(A,)``: index of the matched box, -1 below the background
                threshold, -2 between the thresholds.

        Returns:
            ``{"classification": w_cls * combined, "bbox_regression": w_box * box}``.
        """
        # float32 whatever the autocast state (bfloat16 / float16 anchors and outputs)
        with torch.autocast(head_outputs["cls_logits"].device.type, enabled=False):
            box_coder = self.regression_head.box_coder
            states, labels, box_targets = [], [], []
            for targets_per_image, anchors_per_image, matched in zip(
                targets, anchors, matched_idxs, strict=True
            ):
                foreground = matched >= 0
                state = torch.full_like(matched, ANCHOR_NEGATIVE)
                state[foreground] = ANCHOR_POSITIVE
                state[matched == det_utils.Matcher.BETWEEN_THRESHOLDS] = ANCHOR_IGNORE
                label = torch.zeros_like(matched)
                # float32 whatever the anchors' dtype (bfloat16 under autocast): an index put needs
                # the source and destination dtypes to match, and the encoding wants full precision.
                anchors32 = anchors_per_image.float()
                box_target = torch.zeros_like(anchors32)
                if foreground.any():
                    gt_index = matched[foreground]
                    label[foreground] = targets_per_image["labels"][gt_index]
                    box_target[foreground] = box_coder.encode_single(
                        targets_per_image["boxes"][gt_index].float(), anchors32[foreground]
                    )
                states.append(state)
                labels.append(label)
                box_targets.append(box_target)
            anchor_state = torch.stack(states)
            out = self.loss(
                head_outputs["cls_logits"].float(),
                head_outputs["bbox_regression"].float(),
                torch.stack(labels),
                torch.stack(box_targets),
                anchor_state,
            )
            self.last_loss = out.detach()
            self.last_zero_k_images = self._zero_k_images(anchor_state)
            return {
                "classification": self.loss.w_cls * out.combined,
                "bbox_regression": self.loss.w_box * out.box,
            }

    def _zero_k_images(self, anchor_state: Tensor) -> int:
        """Images with ``N_pos > 0`` whose hard-negative budget ``k`` is 0 (see the class doc)."""
        config = self.loss.config
        num_pos = (anchor_state == ANCHOR_POSITIVE).sum(dim=1)
        num_neg = (anchor_state == ANCHOR_NEGATIVE).sum(dim=1)
        has_pos = num_pos > 0
        if config.mining == "per_image":
            k = torch.minimum(num_hard_negatives(num_pos, config.neg_pos_ratio), num_neg)
            return int((has_pos & (k == 0)).sum())
        k = torch.minimum(num_hard_negatives(num_pos.sum(), config.neg_pos_ratio), num_neg.sum())
        return int(has_pos.sum()) if int(k) == 0 else 0
