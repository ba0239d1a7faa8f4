"""Detectors on any timm backbone: timm ``features_only`` -> FPN -> torchvision RetinaNet / Faster R-CNN.

:func:`build_detector` takes a timm model name (``"resnet101"``, ``"efficientnet_b3"``, ...), builds
it with ``features_only=True`` and picks its feature levels by stride from
``feature_info.reduction()`` (RetinaNet: strides 8, 16, 32 plus P6, P7 from torchvision's
``LastLevelP6P7``; Faster R-CNN: strides 4, 8, 16, 32 plus a max-pooled level). A torchvision
:class:`~torchvision.ops.FeaturePyramidNetwork` sized from ``feature_info.channels()`` joins them,
so swapping ResNet-101 for EfficientNet needs no special case. The result is a :class:`Detector`:
the torchvision model plus the :class:`CategoryMap` between the dataset's category ids (often
non-contiguous K-codes such as 1899, 25366) and the head's contiguous labels. The map lives in the
model and in its checkpoint, so targets go in and detections come out with the dataset's ids.

``pretrained`` is a local state-dict file for the backbone, a timm pretrained tag (``"timm"`` for
the backbone's default, ``"resnet101.a1h_in1k"``: fetched by timm's own hub download and cache
only when asked, :mod:`pill_compare.nn.backbones`), or ``None`` for a random init
(:meth:`Detector.describe` says which, in one line, for a CLI to print). Nothing else is ever
downloaded.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor, nn
from torchvision.models.detection import FasterRCNN, RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.ops import FeaturePyramidNetwork
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool, LastLevelP6P7

from pill_compare.core import GroundTruth
from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io.files import display_path

from .backbones import TimmWeights, create_features, load_state_file, parse_pretrained
from .heads import CompositeLossRetinaNetHead
from .losses import CompositeDetectionLoss

__all__ = [
    "ASPECT_RATIOS",
    "FEATURE_STRIDES",
    "HEADS",
    "LOSSES",
    "LOSS_VARIANTS",
    "TORCHVISION_ANCHOR_SIZES",
    "CategoryMap",
    "Detector",
    "DetectorConfig",
    "build_detector",
    "default_anchor_sizes",
    "fit_anchor_sizes",
]

HeadName = Literal["retinanet", "fasterrcnn"]
LossName = Literal["focal", "composite"]
HEADS: tuple[str, ...] = ("retinanet", "fasterrcnn")
LOSSES: tuple[str, ...] = ("focal", "composite")
LOSS_VARIANTS: tuple[str, ...] = ("compact", "algorithm2")

#: Backbone strides each head's FPN takes (the head adds one or two coarser levels itself).
FEATURE_STRIDES: dict[str, tuple[int, ...]] = {
    "retinanet": (8, 16, 32),
    "fasterrcnn": (4, 8, 16, 32),
}
#: torchvision's anchor base size per level (RetinaNet P3..P7, Faster R-CNN P2..P5 + pool) for its
#: default 800 px images; :func:`default_anchor_sizes` scales them to ``image_size``.
TORCHVISION_ANCHOR_SIZES: tuple[int, ...] = (32, 64, 128, 256, 512)
TORCHVISION_IMAGE_SIZE = 800
#: Anchor aspect ratios (height / width) at every level: torchvision's default.
ASPECT_RATIOS: tuple[float, ...] = (0.5, 1.0, 2.0)
#: Levels the anchor generator sees: 3 FPN levels + P6, P7 (RetinaNet) or 4 + pool (Faster R-CNN).
NUM_LEVELS = 5
_HEAD_TITLES = {"retinanet": "RetinaNet", "fasterrcnn": "Faster R-CNN"}
_LABEL_OFFSET = {"retinanet": 0, "fasterrcnn": 1}  # Faster R-CNN's label 0 is the background


@dataclass(frozen=True)
class DetectorConfig:
    """Everything that fixes a detector's architecture and post-processing (saved in checkpoints).

    Validation happens in :func:`build_detector` (``ConfigError`` naming the parameter); the config
    itself only normalises its sequences to tuples and sorts ``category_ids``.

    Attributes:
        backbone: Any timm model name that supports ``features_only``; with a pretrained tag
            (``"resnet101.a1h_in1k"``) when timm's weights of that tag were loaded, so that a
            rebuild normalises images as those weights expect (no download is made).
        category_ids: Dataset category ids, sorted ascending (e.g. the K-codes 1899, 25366).
        head: ``"retinanet"`` or ``"fasterrcnn"``.
        loss: ``"focal"`` (the head's own losses) or ``"composite"`` (RetinaNet only).
        loss_variant: ``"compact"`` or ``"algorithm2"``; read only with ``loss="composite"``.
            The default is ``"compact"``: Algorithm 2 as written pushes every score below
            ``score_thresh`` (docs/losses.md).
        image_size: torchvision's transform resizes each image to ``min_size = max_size =
            image_size`` (the longer side becomes ``image_size``).
        fpn_channels: Channels of every FPN level and of the head.
        anchor_sizes: 5 anchor base sizes in px (one per level, at ``image_size``), or ``None`` for
            :func:`default_anchor_sizes`.
        freeze_bn: The backbone's BatchNorm layers are frozen (eval mode, no gradient). As built
            by :func:`build_detector`: true only when pretrained weights were loaded.
        score_thresh: Detections scoring below this are dropped in eval mode.
        detections_per_img: At most this many detections per image in eval mode.
    """

    backbone: str = "resnet101"
    category_ids: tuple[int, ...] = ()
    head: HeadName = "retinanet"
    loss: LossName = "focal"
    loss_variant: str = "compact"
    image_size: int = 512
    fpn_channels: int = 256
    anchor_sizes: tuple[int, ...] | None = None
    freeze_bn: bool = True
    score_thresh: float = 0.05
    detections_per_img: int = 100

    def __post_init__(self) -> None:
        object.__setattr__(self, "category_ids", tuple(sorted(int(i) for i in self.category_ids)))
        if self.anchor_sizes is not None:
            object.__setattr__(self, "anchor_sizes", tuple(self.anchor_sizes))

    def to_dict(self) -> dict[str, Any]:
        """The fields as builtins (tuples as lists), e.g. for a checkpoint or ``config.json``."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DetectorConfig:
        """The config back from :meth:`to_dict`.

        Raises:
            ValueError: ``d`` is not a mapping, lacks a field or has an unknown key.
        """
        if not isinstance(d, Mapping):
            raise ValueError(f"Expected a mapping of DetectorConfig fields, got {type(d).__name__}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(d) - set(names), key=str)
        missing = [n for n in names if n not in d]
        if unknown or missing:
            raise ValueError(
                f"Expected the DetectorConfig fields {names}, got "
                + "; ".join(
                    part
                    for part in (
                        f"unknown {unknown}" if unknown else "",
                        f"missing {missing}" if missing else "",
                    )
                    if part
                )
            )
        return cls(**{n: d[n] for n in names})


def _as_int(value: object, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"Expected {what} to be an int, got {value!r}")
    return int(value)


def _listed(values: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


class CategoryMap:
    """Dataset category ids <-> the head's contiguous labels (part of the model).

    Label ``offset + i`` is the ``i``-th id of ``category_ids``: RetinaNet uses ``offset=0``;
    Faster R-CNN uses ``offset=1`` because its label 0 is the background.

    Args:
        category_ids: The dataset's ids (unique ints, any order; the config keeps them sorted).
        offset: The first label (0 or 1).

    Raises:
        ValueError: No id, a repeated id, a non-int, or a negative offset.

    Example:
        >>> import torch
        >>> m = CategoryMap([1899, 3483, 25366], offset=1)
        >>> m.to_labels(torch.tensor([25366, 1899]))
        tensor([3, 1])
        >>> m.to_ids(torch.tensor([2]))
        tensor([3483])
    """

    def __init__(self, category_ids: Sequence[int], *, offset: int):
        ids = [_as_int(i, "every category id") for i in category_ids]
        if not ids:
            raise ValueError("Expected at least one category id, got none")
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"Expected unique category ids, got repeated {_listed(repeated)}")
        offset = _as_int(offset, "offset")
        if offset < 0:
            raise ValueError(f"Expected offset >= 0, got {offset}")
        self.offset = offset
        self.category_ids: tuple[int, ...] = tuple(ids)
        self._ids = torch.tensor(ids, dtype=torch.int64)
        order = torch.argsort(self._ids)
        self._sorted_ids = self._ids[order]
        self._sorted_labels = order + offset

    @property
    def num_classes(self) -> int:
        """Number of categories (without Faster R-CNN's background)."""
        return len(self.category_ids)

    @property
    def num_labels(self) -> int:
        """Outputs the head needs: ``offset + num_classes``."""
        return self.offset + self.num_classes

    def __len__(self) -> int:
        return self.num_classes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CategoryMap):
            return NotImplemented
        return (self.category_ids, self.offset) == (other.category_ids, other.offset)

    def __hash__(self) -> int:
        return hash((self.category_ids, self.offset))

    def __repr__(self) -> str:
        return f"CategoryMap([{_listed(list(self.category_ids))}], offset={self.offset})"

    def to_labels(self, ids: Tensor) -> Tensor:
        """The labels of dataset category ids.

        Args:
            ids: Integer tensor of dataset ids, any shape.

        Returns:
            int64 labels, same shape and device.

        Raises:
            ValueError: An id the map does not know (named in the message).
        """
        ids = torch.as_tensor(ids)
        if ids.is_floating_point() or ids.dtype == torch.bool or ids.is_complex():
            raise ValueError(f"Expected an integer tensor of category ids, got {ids.dtype}")
        ids = ids.to(torch.int64)
        sorted_ids = self._sorted_ids.to(ids.device)
        pos = torch.searchsorted(sorted_ids, ids).clamp(max=len(sorted_ids) - 1)
        known = sorted_ids[pos] == ids
        if not bool(known.all()):
            unknown = sorted(set(ids[~known].tolist()))
            raise ValueError(
                f"Expected category ids among the model's {self.num_classes} "
                f"({_listed(list(self.category_ids))}), got unknown {_listed(unknown)}"
            )
        return self._sorted_labels.to(ids.device)[pos]

    def to_ids(self, labels: Tensor) -> Tensor:
        """The dataset category ids of labels (inverse of :meth:`to_labels`).

        Raises:
            ValueError: A label outside ``[offset, offset + num_classes)``.
        """
        labels = torch.as_tensor(labels)
        if labels.is_floating_point() or labels.dtype == torch.bool or labels.is_complex():
            raise ValueError(f"Expected an integer tensor of labels, got {labels.dtype}")
        index = labels.to(torch.int64) - self.offset
        bad = (index < 0) | (index >= self.num_classes)
        if bool(bad.any()):
            raise ValueError(
                f"Expected labels in [{self.offset}, {self.num_labels}), got "
                f"{_listed(sorted(set(labels[bad].tolist())))}"
            )
        return self._ids.to(labels.device)[index]


class TimmFPNBackbone(nn.Module):
    """A timm ``features_only`` body followed by torchvision's FPN (what torchvision heads take).

    Args:
        body: The timm feature extractor; returns one tensor per selected level.
        out_channels: FPN channels.
        extra_blocks: torchvision's ``LastLevelP6P7`` or ``LastLevelMaxPool``.

    Attributes:
        out_channels: Channels of every output level (torchvision reads this attribute).
    """

    def __init__(self, body: nn.Module, out_channels: int, extra_blocks: nn.Module):
        super().__init__()
        self.body = body
        self.fpn = FeaturePyramidNetwork(
            list(body.feature_info.channels()), out_channels, extra_blocks=extra_blocks
        )
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> OrderedDict[str, Tensor]:
        features = self.body(x)
        return self.fpn(OrderedDict((str(i), f) for i, f in enumerate(features)))


def _batch_norms(module: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    # _BatchNorm covers BatchNorm1d/2d/3d, SyncBatchNorm and timm's BatchNormAct2d.
    return [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def _plain(t: Tensor) -> Tensor:
    """A tv_tensors subclass (Image, BoundingBoxes) as a plain tensor."""
    return t.as_subclass(Tensor) if type(t) is not Tensor else t


class Detector(nn.Module):
    """A torchvision detector and its category map; takes and returns dataset category ids.

    Build one with :func:`build_detector` (or :func:`~pill_compare.nn.checkpoint.load_detector`).

    Args:
        config: The architecture (validated by :func:`build_detector`).
        model: The torchvision ``RetinaNet`` or ``FasterRCNN``.
        init: How the weights were initialised, for :meth:`describe`.

    Attributes:
        config: :class:`DetectorConfig`.
        categories: :class:`CategoryMap` (offset 0 for RetinaNet, 1 for Faster R-CNN).
        model: The torchvision model; ``model.backbone`` is a :class:`TimmFPNBackbone`.
        init: e.g. ``"random init (no pretrained weights)"``.
    """

    def __init__(self, config: DetectorConfig, model: nn.Module, *, init: str):
        super().__init__()
        self.config = config
        self.categories = CategoryMap(config.category_ids, offset=_LABEL_OFFSET[config.head])
        self.model = model
        self.init = init
        if config.freeze_bn:
            for bn in _batch_norms(model.backbone.body):
                for p in bn.parameters():
                    p.requires_grad_(False)
        self.train(model.training)

    def train(self, mode: bool = True) -> Detector:
        """As ``nn.Module.train``; frozen backbone BatchNorm layers stay in eval mode."""
        super().train(mode)
        if self.config.freeze_bn:
            for bn in _batch_norms(self.model.backbone.body):
                bn.train(False)
        return self

    def forward(
        self, images: list[Tensor], targets: list[dict[str, Tensor]] | None = None
    ) -> dict[str, Tensor] | list[dict[str, Tensor]]:
        """Losses (train mode) or detections (eval mode).

        Args:
            images: Float ``(3, H, W)`` tensors in ``[0, 1]``, any size (torchvision's transform
                resizes them to ``image_size`` and maps the boxes back).
            targets: Train mode only (ignored in eval mode): per image ``"boxes"`` ``(M, 4)``
                float xyxy in that image's pixels and ``"category_ids"`` ``(M,)`` int64 dataset
                ids; other keys are ignored.

        Returns:
            Train mode: the head's losses by name (RetinaNet: ``"classification"``,
            ``"bbox_regression"``; Faster R-CNN: ``"loss_classifier"``, ``"loss_box_reg"``,
            ``"loss_objectness"``, ``"loss_rpn_box_reg"``); their sum is the total. Eval mode: per
            image ``{"boxes": (K, 4) xyxy in the input image's pixels, "scores": (K,),
            "category_ids": (K,) int64}``, best score first.

        Raises:
            ValueError: Train mode without targets, a target without ``"boxes"`` or
                ``"category_ids"``, or a category id the model does not know.
        """
        images = [_plain(image) for image in images]
        if not self.training:
            outputs = self.model(images)
            return [
                {
                    "boxes": out["boxes"],
                    "scores": out["scores"],
                    "category_ids": self.categories.to_ids(out["labels"]),
                }
                for out in outputs
            ]
        if targets is None:
            raise ValueError("Expected targets in training mode, got None")
        converted = []
        for i, target in enumerate(targets):
            if "boxes" not in target or "category_ids" not in target:
                raise ValueError(
                    f"Expected targets[{i}] to have 'boxes' and 'category_ids', got {sorted(target)}"
                )
            converted.append(
                {
                    "boxes": _plain(torch.as_tensor(target["boxes"])).to(torch.float32),
                    "labels": self.categories.to_labels(target["category_ids"]),
                }
            )
        return self.model(images, converted)

    @property
    def last_loss_parts(self) -> dict[str, float]:
        """Every part of the latest training loss, for logging.

        Composite loss: the fields of :class:`~pill_compare.nn.losses.CompositeLossOutput`
        (``total``, ``cls_pos``, ``cls_hard_neg``, ``f1_pos``, ``f1_hard_neg``, ``cls``, ``f1``,
        ``combined``, ``box``, ``num_pos``, ``num_hard_neg``) plus ``zero_k_images`` (see
        :attr:`last_zero_k_images`); ``{}`` for the focal loss, Faster R-CNN, or before the first
        training step.
        """
        head = getattr(self.model, "head", None)
        if not isinstance(head, CompositeLossRetinaNetHead) or head.last_loss is None:
            return {}
        parts = {k: float(v) for k, v in head.last_loss.to_dict().items()}
        parts["zero_k_images"] = float(head.last_zero_k_images)
        return parts

    @property
    def last_zero_k_images(self) -> int:
        """Images of the latest batch with positives but no hard negative (composite loss; else 0).

        With ``loss_variant="algorithm2"``, a batch where this equals the number of images with
        positives has a classification gradient of exactly zero; a trainer should warn.
        """
        head = getattr(self.model, "head", None)
        return head.last_zero_k_images if isinstance(head, CompositeLossRetinaNetHead) else 0

    @property
    def architecture(self) -> str:
        """e.g. ``"resnet101 + RetinaNet (focal loss), 12 classes at 512 px"``."""
        config = self.config
        if config.head == "fasterrcnn":
            loss = "its own losses"
        elif config.loss == "composite":
            loss = f"composite loss, {config.loss_variant} variant"
        else:
            loss = "focal loss"
        n = self.categories.num_classes
        return (
            f"{config.backbone} + {_HEAD_TITLES[config.head]} ({loss}), "
            f"{n} class{'es' if n != 1 else ''} at {config.image_size} px"
        )

    def describe(self) -> str:
        """One line for a CLI to print (the library prints nothing), e.g. ``"resnet101 +
        RetinaNet (focal loss), 12 classes at 512 px, random init (no pretrained weights)"``."""
        frozen = ", BatchNorm frozen" if self.config.freeze_bn else ""
        return f"{self.architecture}, {self.init}{frozen}"


def default_anchor_sizes(image_size: int) -> tuple[int, ...]:
    """torchvision's anchor base sizes (32..512 px at 800 px images) scaled to ``image_size``.

    Example:
        >>> default_anchor_sizes(512)
        (20, 41, 82, 164, 328)
    """
    scale = image_size / TORCHVISION_IMAGE_SIZE
    return tuple(max(1, round(s * scale)) for s in TORCHVISION_ANCHOR_SIZES)


def _anchor_generator(head: str, base_sizes: Sequence[int]) -> AnchorGenerator:
    if head == "retinanet":
        # torchvision's RetinaNet: 3 scales 2^0, 2^(1/3), 2^(2/3) per level
        sizes = tuple((s, round(s * 2 ** (1 / 3)), round(s * 2 ** (2 / 3))) for s in base_sizes)
    else:
        sizes = tuple((s,) for s in base_sizes)
    return AnchorGenerator(sizes, (ASPECT_RATIOS,) * len(base_sizes))


def _create_body(name: str, head: str, *, pretrained: bool = False) -> nn.Module:
    """The timm feature extractor with the levels whose strides ``FEATURE_STRIDES[head]`` lists
    (with timm's pretrained weights of ``name`` when ``pretrained``)."""
    try:  # reading feature_info on the meta device costs no weight initialisation
        with torch.device("meta"):
            probe = create_features(name)
    except ConfigError:
        raise
    except Exception:  # a model that cannot be built on the meta device: build it for real
        probe = create_features(name)
    info = probe.feature_info.info
    reductions = [level["reduction"] for level in info]
    wanted = FEATURE_STRIDES[head]
    indices = []
    for stride in wanted:
        matches = [i for i, r in enumerate(reductions) if r == stride]
        if not matches:
            raise ConfigError(
                f"Expected a backbone with feature strides {list(wanted)} for "
                f"{_HEAD_TITLES[head]}, got {name!r} with strides {reductions}",
                param="backbone",
            )
        indices.append(matches[-1])  # the deepest level at that stride
    return create_features(name, out_indices=tuple(indices), pretrained=pretrained)


def _unwrap_state_dict(obj: Any) -> dict[str, Tensor] | None:
    """The tensors of a state dict, also inside ``{"state_dict": ...}`` / ``{"model": ...}``."""
    for _ in range(3):
        if not isinstance(obj, Mapping):
            return None
        if obj and all(isinstance(v, Tensor) for v in obj.values()):
            state = {str(k): v for k, v in obj.items()}
            if all(k.startswith("module.") for k in state):  # saved from DataParallel / DDP
                state = {k[len("module.") :]: v for k, v in state.items()}
            return state
        inner = next(
            (obj[k] for k in ("state_dict", "model") if isinstance(obj.get(k), Mapping)), None
        )
        obj = inner
    return None


def _load_backbone_weights(body: nn.Module, path: str | os.PathLike[str], backbone: str) -> str:
    """Load a local state dict into the timm body (non-strict); return the :meth:`describe` text."""
    p = Path(path)
    shown = display_path(p)
    if not p.is_file():
        raise InputFormatError(
            f"{shown}: pretrained backbone weights not found (expected a local state-dict file; "
            "nothing is downloaded)"
        )
    try:
        obj = load_state_file(p)
    except Exception as e:  # pickle, zip and safetensors errors all mean "not a weights file"
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputFormatError(
            f"{shown}: expected a torch or safetensors state dict of {backbone} weights, could "
            f"not read it ({type(e).__name__}: {reason})"
        ) from None
    state = _unwrap_state_dict(obj)
    if state is None:
        raise InputFormatError(
            f"{shown}: expected a state dict (parameter name -> tensor), got {type(obj).__name__}"
        )
    own = body.state_dict()
    matched = [k for k in state if k in own]
    if not matched:
        raise InputFormatError(
            f"{shown}: no tensor name matches the {backbone} backbone: expected names like "
            f"{list(own)[:3]}, found {list(state)[:3]}"
        )
    wrong = [
        f"{k}: expected {tuple(own[k].shape)}, found {tuple(state[k].shape)}"
        for k in matched
        if state[k].shape != own[k].shape
    ]
    if wrong:
        raise InputFormatError(
            f"{shown}: {len(wrong)} tensor(s) do not fit the {backbone} backbone",
            wrong[:20],
            len(wrong),
        )
    body.load_state_dict({k: state[k] for k in matched}, strict=False)
    return f"backbone weights from {shown} ({len(matched)} of {len(own)} tensors)"


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"Expected an int >= {minimum}, got {value!r}", param=name)


def _check_config(config: DetectorConfig) -> None:
    """Raise ``ConfigError(param=...)`` for any field that cannot work."""
    for name, choices in (("head", HEADS), ("loss", LOSSES), ("loss_variant", LOSS_VARIANTS)):
        value = getattr(config, name)
        if value not in choices:
            raise ConfigError(
                f"Expected one of {', '.join(repr(c) for c in choices)}, got {value!r}", param=name
            )
    if config.loss == "composite" and config.head != "retinanet":
        raise ConfigError(
            f"Expected head 'retinanet' with the composite loss, got {config.head!r}: the composite "
            "loss goes with RetinaNet only (Faster R-CNN keeps its own losses); use loss 'focal' "
            "or head 'retinanet'",
            param="loss",
        )
    if not config.category_ids:
        raise ConfigError("Expected at least one category id, got none", param="category_ids")
    _check_int("image_size", config.image_size, 32)
    _check_int("fpn_channels", config.fpn_channels, 1)
    _check_int("detections_per_img", config.detections_per_img, 1)
    if config.anchor_sizes is not None:
        sizes = config.anchor_sizes
        if len(sizes) != NUM_LEVELS or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes
        ):
            raise ConfigError(
                f"Expected {NUM_LEVELS} anchor sizes (ints >= 1, one per level), got {list(sizes)}",
                param="anchor_sizes",
            )
    thresh = config.score_thresh
    if isinstance(thresh, bool) or not isinstance(thresh, (int, float)) or not 0 <= thresh <= 1:
        raise ConfigError(f"Expected a number in [0, 1], got {thresh!r}", param="score_thresh")


def _build(config: DetectorConfig, pretrained: Path | TimmWeights | None = None) -> Detector:
    """A detector exactly as ``config`` says (``freeze_bn`` taken as is); ``pretrained`` as
    :func:`~pill_compare.nn.backbones.parse_pretrained` returns it (timm weights are those of
    ``config.backbone``, whose name carries their tag)."""
    _check_config(config)
    timm_tag = isinstance(pretrained, TimmWeights)
    body = _create_body(config.backbone, config.head, pretrained=timm_tag)
    init = "random init (no pretrained weights)"
    if isinstance(pretrained, TimmWeights):
        init = f"timm pretrained weights {pretrained.name}"
    elif pretrained is not None:
        init = _load_backbone_weights(body, pretrained, config.backbone)
    pretrained_cfg = getattr(body, "pretrained_cfg", None) or {}
    transform = {
        "min_size": config.image_size,
        "max_size": config.image_size,
        # the normalisation the backbone's weights were trained with (ImageNet's for most)
        "image_mean": list(pretrained_cfg.get("mean", (0.485, 0.456, 0.406))),
        "image_std": list(pretrained_cfg.get("std", (0.229, 0.224, 0.225))),
    }
    base_sizes = config.anchor_sizes or default_anchor_sizes(config.image_size)
    anchors = _anchor_generator(config.head, base_sizes)
    num_labels = _LABEL_OFFSET[config.head] + len(config.category_ids)
    if config.head == "retinanet":
        backbone = TimmFPNBackbone(
            body, config.fpn_channels, LastLevelP6P7(config.fpn_channels, config.fpn_channels)
        )
        num_anchors = anchors.num_anchors_per_location()[0]
        if config.loss == "composite":
            head: RetinaNetHead = CompositeLossRetinaNetHead(
                config.fpn_channels,
                num_anchors,
                num_labels,
                loss=CompositeDetectionLoss(variant=config.loss_variant),
            )
        else:
            head = RetinaNetHead(config.fpn_channels, num_anchors, num_labels)
        model: nn.Module = RetinaNet(
            backbone,
            num_labels,
            anchor_generator=anchors,
            head=head,
            score_thresh=config.score_thresh,
            detections_per_img=config.detections_per_img,
            **transform,
        )
    else:
        backbone = TimmFPNBackbone(body, config.fpn_channels, LastLevelMaxPool())
        model = FasterRCNN(
            backbone,
            num_labels,
            rpn_anchor_generator=anchors,
            box_score_thresh=config.score_thresh,
            box_detections_per_img=config.detections_per_img,
            **transform,
        )
    return Detector(config, model, init=init)


_BUILD_DEFAULTS: dict[str, Any] = {
    "backbone": "resnet101",
    "category_ids": (),
    "head": "retinanet",
    "loss": "focal",
    "loss_variant": "compact",
    "image_size": 512,
    "fpn_channels": 256,
    "anchor_sizes": None,
    "freeze_bn": True,
}


def build_detector(
    backbone: str = "resnet101",
    category_ids: Sequence[int] = (),
    *,
    head: HeadName = "retinanet",
    loss: LossName = "focal",
    loss_variant: str = "compact",
    image_size: int = 512,
    pretrained: str | os.PathLike[str] | None = None,
    fpn_channels: int = 256,
    anchor_sizes: Sequence[int] | None = None,
    freeze_bn: bool = True,
    config: DetectorConfig | None = None,
    **overrides: Any,
) -> Detector:
    """A detector on a timm backbone (random init unless ``pretrained``).

    The backbone is ``timm.create_model(backbone, pretrained=False, features_only=True,
    out_indices=...)`` with the levels of stride 8, 16, 32 (RetinaNet, which adds P6 and P7 with
    ``LastLevelP6P7``) or 4, 8, 16, 32 (Faster R-CNN, plus a max-pooled level), chosen from
    ``feature_info``; a torchvision FPN with ``feature_info.channels()`` inputs joins them.

    BatchNorm: ``freeze_bn=True`` freezes the backbone's BatchNorm layers (eval mode and
    ``requires_grad=False``; the modules stay ``BatchNorm2d`` / timm's ``BatchNormAct2d``, so the
    state dict is the same frozen or not) **only when pretrained weights are loaded**, as
    torchvision does. A random init has no statistics worth freezing, and timm initialises each
    ResNet block's last BatchNorm weight to 0: frozen, every residual branch would stay off. The
    returned ``detector.config.freeze_bn`` is the value in effect. A ``config`` is taken as is,
    ``freeze_bn`` included (a checkpoint's config rebuilds the detector that was saved, frozen
    or not, whether or not ``pretrained`` is given again).

    Args:
        backbone: A timm model name (``"resnet101"``, ``"efficientnet_b3"``, ...).
        category_ids: The dataset's category ids (any order; kept sorted).
        head: ``"retinanet"`` or ``"fasterrcnn"``.
        loss: ``"focal"`` (the head's own losses) or ``"composite"`` (RetinaNet only).
        loss_variant: ``"compact"`` (default) or ``"algorithm2"`` (Algorithm 2 as written, whose
            scores all end below ``score_thresh``); composite loss only.
        image_size: Images are resized so that their longer side is ``image_size``.
        pretrained: The backbone's weights (:func:`~pill_compare.nn.backbones.parse_pretrained`):
            a local torch or safetensors state dict (a timm checkpoint of the classifier works:
            names are matched, the classifier's are skipped), or a timm pretrained tag:
            ``"timm"`` (the backbone's default tag) or ``"resnet101.a1h_in1k"``, which timm
            fetches (Hugging Face hub, its cache) -- the only download pillcmp makes, and only
            when asked. With a tag, ``config.backbone`` becomes the tagged name (its
            normalisation is the tag's). Offline (``HF_HUB_OFFLINE=1`` or no network) a tag
            must already be in the cache.
        fpn_channels: FPN and head channels.
        anchor_sizes: 5 anchor base sizes in px at ``image_size``, or ``None`` for
            :func:`default_anchor_sizes` (see :func:`fit_anchor_sizes` for sizes from the GT).
        freeze_bn: Freeze the backbone's BatchNorm when pretrained weights are loaded.
        config: Build exactly this config instead, e.g. a checkpoint's (``overrides`` replace
            its fields; leave the named parameters above at their defaults).
        **overrides: Other :class:`DetectorConfig` fields (``score_thresh``,
            ``detections_per_img``).

    Returns:
        The :class:`Detector`, in training mode.

    Raises:
        ConfigError: A parameter that cannot work (``param`` names it): an unknown timm name
            (with close matches) or one without ``features_only`` or the needed strides, an
            unknown head / loss / variant, the composite loss with Faster R-CNN, no category id,
            bad sizes or thresholds.
        ConfigError: (also) ``pretrained`` is an unknown tag, or a tag of another model.
        InputFormatError: ``pretrained`` is missing, unreadable, or no tensor in it fits; or a
            tag's weights cannot be fetched (offline and not cached: the message names the
            file and where to put it).
        ValueError: Unknown ``overrides``, named parameters together with ``config``, or
            repeated / non-int category ids.
    """
    names = {f.name for f in fields(DetectorConfig)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"Expected DetectorConfig fields as overrides, got unknown {unknown}")
    given = {
        "backbone": backbone,
        "category_ids": tuple(category_ids),
        "head": head,
        "loss": loss,
        "loss_variant": loss_variant,
        "image_size": image_size,
        "fpn_channels": fpn_channels,
        "anchor_sizes": None if anchor_sizes is None else tuple(anchor_sizes),
        "freeze_bn": freeze_bn,
    }
    if config is not None:
        if not isinstance(config, DetectorConfig):
            raise TypeError(f"Expected config to be a DetectorConfig, got {type(config).__name__}")
        changed = sorted(k for k, v in given.items() if v != _BUILD_DEFAULTS[k])
        if changed:
            raise ValueError(
                f"Expected either config or the parameters {changed}, got both; pass them as "
                "overrides to replace config fields"
            )
        config = replace(config, **overrides)
        source = parse_pretrained(pretrained, config.backbone)
    else:
        source = parse_pretrained(pretrained, backbone)
        given["freeze_bn"] = bool(freeze_bn) and pretrained is not None
        config = DetectorConfig(**given, **overrides)
    if isinstance(source, TimmWeights) and config.backbone != source.name:
        config = replace(config, backbone=source.name)
    ids = list(config.category_ids)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"Expected unique category ids, got repeated {_listed(repeated)}")
    return _build(config, source)


def fit_anchor_sizes(gt: GroundTruth, image_size: int, levels: int = NUM_LEVELS) -> tuple[int, ...]:
    """Anchor base sizes fitted to the ground truth's boxes, for ``anchor_sizes``.

    Each box's size is ``sqrt(w * h)`` after torchvision's resize of its image (longer side to
    ``image_size``, the factor ``image_size / max(width, height)``); level ``i`` of ``levels``
    gets the ``(i + 0.5) / levels`` quantile, rounded (at least 1 px), so that each level's
    anchors cover an equal share of the boxes. Crowd boxes are left out.

    Args:
        gt: The training ground truth (images need ``width`` and ``height``).
        image_size: The detector's ``image_size``.
        levels: Number of anchor levels (5 for both heads).

    Returns:
        ``levels`` non-decreasing ints.

    Raises:
        InputFormatError: No (non-crowd) box, or a box's image has no width / height.
        ValueError: ``image_size`` or ``levels`` below 1.
    """
    for name, value in (("image_size", image_size), ("levels", levels)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"Expected {name} to be an int >= 1, got {value!r}")
    source = display_path(gt.source) if gt.source else "ground truth"
    ann = gt.annotations
    keep = ~ann.iscrowd
    if not keep.any():
        raise InputFormatError(f"{source}: no (non-crowd) box to fit anchor sizes to")
    row = {int(i): k for k, i in enumerate(gt.images.id)}
    image_rows = np.array([row[int(i)] for i in ann.image_id[keep]], dtype=np.int64)
    longer = np.maximum(gt.images.width[image_rows], gt.images.height[image_rows])
    missing = ~np.isfinite(longer) | (longer <= 0)
    if missing.any():
        ids = sorted({int(i) for i in gt.images.id[image_rows[missing]]})
        raise InputFormatError(
            f"{source}: fitting anchor sizes needs each image's width and height; "
            f"{len(ids)} image(s) lack them",
            [f"image {i}" for i in ids[:20]],
            len(ids),
        )
    wh = ann.bbox[keep][:, 2:]
    sizes = np.sqrt(wh[:, 0] * wh[:, 1]) * image_size / longer
    quantiles = np.quantile(sizes, (np.arange(levels) + 0.5) / levels)
    fitted = [max(1, round(float(q))) for q in quantiles]
    return tuple(int(s) for s in np.maximum.accumulate(fitted))
