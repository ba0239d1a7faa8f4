"""A torchvision RetinaNet trained with the seed's composite loss.

:class:`CompositeLossRetinaNetHead` is torchvision's :class:`~torchvision.models.detection.retinanet.RetinaNetHead`
(same layers, same ``forward``) whose ``compute_loss`` turns the matcher's output into per-anchor
tensors and calls :class:`~pill_compare.nn.losses.CompositeDetectionLoss`. It returns torchvision's
keys, ``"classification"`` (``w_cls * L_combined``) and ``"bbox_regression"``
(``w_box * L_box``), whose sum is the composite total, so ``model(images, targets)`` trains
unchanged. :func:`build_retinanet` makes a small randomly initialised RetinaNet, with either head.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

import torch
from torch import Tensor, nn
from torchvision.models import get_model
from torchvision.models.detection import RetinaNet
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

from .losses import (
    ANCHOR_IGNORE,
    ANCHOR_NEGATIVE,
    ANCHOR_POSITIVE,
    CompositeDetectionLoss,
    CompositeLossOutput,
)
from .losses._common import check_choice

LossName = Literal["composite", "focal"]
BACKBONES: tuple[str, ...] = ("tiny", "resnet18", "resnet34", "resnet50")
LOSSES: tuple[str, ...] = ("composite", "focal")


class CompositeLossRetinaNetHead(RetinaNetHead):
    """RetinaNet head whose loss is the seed's composite loss.

    Anchors matched with IoU >= ``fg_iou_thresh`` are positives, those below ``bg_iou_thresh`` are
    negatives and those in between are ignored, exactly as torchvision's focal loss sees them
    (``Matcher.BELOW_LOW_THRESHOLD`` / ``BETWEEN_THRESHOLDS``). Box targets are the anchors'
    encoded ``(dx, dy, dw, dh)`` from the regression head's ``box_coder``, the quantity
    torchvision's L1 box loss compares.

    Normalization differs from torchvision's: it divides each image's sums by that image's
    ``max(1, num_foreground)`` and averages images; the seed (Algorithm 2, lines 11-12) divides
    the batch's sums by the batch's ``N_pos`` and ``k``.

    Args:
        in_channels: Channels of every FPN level.
        num_anchors: Anchors per location.
        num_classes: Number of classes (sigmoid outputs, as torchvision's RetinaNet).
        norm_layer: Normalization for the head's convolutions (torchvision's default: none).
        loss: The composite loss; default ``CompositeDetectionLoss()`` (the seed's settings).

    Attributes:
        last_loss: The detached :class:`CompositeLossOutput` of the latest ``compute_loss``
            call (every part, for logging), or ``None`` before the first.
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

    def compute_loss(
        self,
        targets: list[dict[str, Tensor]],
        head_outputs: dict[str, Tensor],
        anchors: list[Tensor],
        matched_idxs: list[Tensor],
    ) -> dict[str, Tensor]:
        """Composite loss of a batch, under torchvision's keys.

        Args:
            targets: Per image, ``"boxes"`` ``(M, 4)`` xyxy and ``"labels"`` ``(M,)`` int64.
            head_outputs: ``"cls_logits"`` ``(N, A, C)`` and ``"bbox_regression"`` ``(N, A, 4)``.
            anchors: Per image, ``(A, 4)`` xyxy.
            matched_idxs: Per image, ``(A,)``: index of the matched box, -1 below the background
                threshold, -2 between the thresholds.

        Returns:
            ``{"classification": w_cls * combined, "bbox_regression": w_box * box}``.
        """
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
            box_target = torch.zeros_like(anchors_per_image)
            if foreground.any():
                gt_index = matched[foreground]
                label[foreground] = targets_per_image["labels"][gt_index]
                box_target[foreground] = box_coder.encode_single(
                    targets_per_image["boxes"][gt_index], anchors_per_image[foreground]
                )
            states.append(state)
            labels.append(label)
            box_targets.append(box_target)
        out = self.loss(
            head_outputs["cls_logits"],
            head_outputs["bbox_regression"],
            torch.stack(labels),
            torch.stack(box_targets),
            torch.stack(states),
        )
        self.last_loss = out.detach()
        return {
            "classification": self.loss.w_cls * out.combined,
            "bbox_regression": self.loss.w_box * out.box,
        }


def _tiny_body(width: int = 16) -> tuple[nn.Module, list[int]]:
    """Five stride-2 stages (strides 2..32), ``layer2..4`` feeding the FPN at strides 8, 16, 32."""

    def stage(in_channels: int, out_channels: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    widths = [width, width, 2 * width, 4 * width, 8 * width]
    names = ["stem", "layer1", "layer2", "layer3", "layer4"]
    stages = [stage(c_in, c_out) for c_in, c_out in zip([3, *widths[:-1]], widths, strict=True)]
    return nn.Sequential(OrderedDict(zip(names, stages, strict=True))), widths[2:]


def _backbone(name: str, fpn_channels: int) -> BackboneWithFPN:
    if name == "tiny":
        body, in_channels = _tiny_body()
    else:
        # Random init: BatchNorm trains (torchvision freezes it only for pretrained weights).
        body = get_model(name, weights=None)
        expansion = body.layer1[0].expansion  # 1 for BasicBlock, 4 for Bottleneck
        in_channels = [128 * expansion, 256 * expansion, 512 * expansion]
    return BackboneWithFPN(
        body,
        return_layers={"layer2": "0", "layer3": "1", "layer4": "2"},
        in_channels_list=in_channels,
        out_channels=fpn_channels,
        extra_blocks=LastLevelP6P7(fpn_channels, fpn_channels),
    )


def build_retinanet(
    num_classes: int,
    *,
    backbone: str = "resnet18",
    loss: LossName = "composite",
    min_size: int = 128,
    max_size: int = 128,
    fpn_channels: int = 64,
    anchor_sizes: tuple[int, ...] = (16, 32, 64, 128, 256),
    composite_loss: CompositeDetectionLoss | None = None,
    **retinanet_kwargs: object,
) -> RetinaNet:
    """A small, randomly initialised torchvision RetinaNet (nothing is downloaded).

    The FPN takes the backbone's stride-8/16/32 stages and adds P6, P7 from P5 (RetinaNet's
    ``LastLevelP6P7``), so there are 5 levels with anchors ``anchor_sizes`` (each with scales
    ``2^0, 2^(1/3), 2^(2/3)`` and aspect ratios 0.5, 1, 2, as torchvision's default); the defaults
    suit images of ~64-256 px.

    Args:
        num_classes: Number of object classes (sigmoid outputs, no background class).
        backbone: ``"tiny"`` (a 10-conv toy), ``"resnet18"``, ``"resnet34"`` or ``"resnet50"``.
        loss: ``"composite"`` (:class:`CompositeLossRetinaNetHead`) or ``"focal"``
            (torchvision's own head and loss).
        min_size: Shorter image side after torchvision's resize.
        max_size: Longer image side cap after the resize.
        fpn_channels: Channels of every FPN level and of the head (torchvision: 256).
        anchor_sizes: Base anchor size per level P3..P7 (5 values).
        composite_loss: Loss for ``loss="composite"``; default ``CompositeDetectionLoss()``.
        **retinanet_kwargs: Passed to :class:`torchvision.models.detection.RetinaNet`
            (e.g. ``fg_iou_thresh``, ``score_thresh``).

    Returns:
        The model, in training mode.

    Raises:
        ValueError: Unknown ``backbone`` or ``loss``, fewer than 1 class, a ``composite_loss``
            with ``loss="focal"``, or not exactly 5 anchor sizes.
    """
    check_choice("backbone", backbone, BACKBONES)
    check_choice("loss", loss, LOSSES)
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"Expected num_classes to be an int >= 1, got {num_classes!r}.")
    if len(anchor_sizes) != 5:
        raise ValueError(
            f"Expected 5 anchor_sizes, one per FPN level P3..P7, got {len(anchor_sizes)}."
        )
    if composite_loss is not None and loss != "composite":
        raise ValueError(
            f"Expected composite_loss only with loss='composite', got loss={loss!r}. "
            "Drop composite_loss or use loss='composite'."
        )
    anchor_generator = AnchorGenerator(
        tuple((s, round(s * 2 ** (1 / 3)), round(s * 2 ** (2 / 3))) for s in anchor_sizes),
        ((0.5, 1.0, 2.0),) * len(anchor_sizes),
    )
    head = None
    if loss == "composite":
        head = CompositeLossRetinaNetHead(
            fpn_channels,
            anchor_generator.num_anchors_per_location()[0],
            num_classes,
            loss=composite_loss,
        )
    return RetinaNet(
        _backbone(backbone, fpn_channels),
        num_classes,
        min_size=min_size,
        max_size=max_size,
        anchor_generator=anchor_generator,
        head=head,
        **retinanet_kwargs,
    )
