"""Detection data for training: a COCO ground truth plus a folder of images, as torch tensors.

:class:`DetectionDataset` reads each image with PIL and returns it as a float ``(3, H, W)``
:class:`~torchvision.tv_tensors.Image` in ``[0, 1]`` with its boxes as xyxy
:class:`~torchvision.tv_tensors.BoundingBoxes`, so torchvision's ``transforms.v2`` move the boxes
with the image. :func:`train_transforms` are augmentations that suit pill photos (no flips by
default: a flip mirrors the imprint; colour kept nearly as is: colour is what tells many pills
apart); :func:`collate_detection` batches samples as the detectors take them (lists, since images
differ in size).

Boxes are in the pixel coordinates of the image *file*. When the file is a downscaled copy of the
annotated image (``data/sample/images`` are 244 x 320 for ground-truth sizes 976 x 1280), the
ground truth's boxes are multiplied by ``file size / ground-truth size``; ``target["scale"]``
keeps that factor so that predictions can be mapped back (divide x by ``sx``, y by ``sy``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

from pill_compare.core import GroundTruth
from pill_compare.errors import ConsistencyError, InputFormatError
from pill_compare.io.files import display_path
from pill_compare.io.images import resolve_image

__all__ = [
    "ASPECT_TOLERANCE",
    "MAX_COLOUR_JITTER",
    "DetectionDataset",
    "collate_detection",
    "eval_transforms",
    "train_transforms",
]

#: How far (relative) a file's aspect ratio may differ from its ground-truth width / height.
#: 2 % covers rounding a downscaled side to whole pixels (975 / 4 = 243.75 -> 244 is 0.1 %).
ASPECT_TOLERANCE = 0.02

#: The largest brightness / contrast jitter :func:`train_transforms` accepts: beyond ~10 % a white
#: pill starts to look yellow or grey, and colour is a class feature ("K-003483 orange round").
MAX_COLOUR_JITTER = 0.1

#: How many missing or refused images an error lists.
_LISTED = 5

_REASONS = {
    "missing": "not found",
    "outside": "refused: the name leads outside the folder",
    "not_a_file": "not a regular file",
    "invalid": "not a valid file name",
}


class DetectionDataset(torch.utils.data.Dataset):
    """The images of a ground truth with their boxes, one sample per ground-truth image.

    Every image's file is found and its size read (the header only) when the dataset is made,
    so a missing file or a wrong size stops before training starts, not in the middle of it.
    Crowd annotations (``iscrowd``) are left out of the targets (the detectors have no notion
    of a crowd region); images without annotations are kept, with empty targets (they teach
    the background).

    Args:
        gt: The ground truth (e.g. from :func:`pill_compare.io.load_ground_truth`).
        images_dir: The folder of images; each is found with
            :func:`pill_compare.io.images.resolve_image` from its ``file_name`` (or
            ``<image_id>.<ext>``), never outside the folder.
        transforms: A ``transforms.v2`` callable taking and returning ``(image, target)``
            (e.g. :func:`train_transforms`); None: none. The image is float in ``[0, 1]``
            after it either way.
        category_ids: The category ids the model knows; an annotation with another id is an
            error. None: the ground truth's declared categories.

    Attributes:
        gt: The ground truth.
        images_dir: The folder.
        image_ids: ``(I,)`` int64 ground-truth image ids, in ground-truth order.
        paths: Each image's file.
        scales: ``(I, 2)`` float64 ``(sx, sy)`` = file size / ground-truth size (1 when the
            ground truth gives no size).

    Raises:
        ConsistencyError: an image file is missing or refused (the first few are listed), a
            file's aspect ratio differs from its ground-truth size's by more than 2 %, or an
            annotation's category id is not in ``category_ids``.
        InputFormatError: a file is not an image PIL can read.

    Example:
        >>> gt = load_ground_truth("data/sample/ground_truth.json")  # doctest: +SKIP
        >>> data = DetectionDataset(gt, "data/sample/images", transforms=train_transforms())
        >>> image, target = data[0]  # (3, 320, 244) float, boxes scaled by 0.25
    """

    def __init__(
        self,
        gt: GroundTruth,
        images_dir: str | os.PathLike[str],
        *,
        transforms: Any = None,
        category_ids: Sequence[int] | None = None,
    ):
        if not isinstance(gt, GroundTruth):
            raise TypeError(f"Expected gt to be a GroundTruth, got {type(gt).__name__}")
        self.gt = gt
        self.images_dir = Path(images_dir)
        self.transforms = transforms
        self.image_ids = gt.images.id.copy()
        self.paths = self._find_files()
        self.scales = self._read_scales()
        self._boxes, self._category_ids = self._targets(category_ids)

    def __len__(self) -> int:
        return len(self.image_ids)

    def __getitem__(self, index: int) -> tuple[tv_tensors.Image, dict[str, Any]]:
        """One sample: ``(image, target)``.

        Returns:
            ``image``: ``(3, H, W)`` float32 :class:`~torchvision.tv_tensors.Image` in ``[0, 1]``;
            ``target``: ``"boxes"`` ``(M, 4)`` float32 xyxy
            :class:`~torchvision.tv_tensors.BoundingBoxes` in the file's pixels,
            ``"category_ids"`` ``(M,)`` int64 dataset ids, ``"image_id"`` int,
            ``"scale"`` ``(sx, sy)`` floats.
        """
        path = self.paths[index]
        with Image.open(path) as pil:
            image = tv_tensors.Image(F.pil_to_tensor(pil.convert("RGB")))
        height, width = image.shape[-2:]
        target: dict[str, Any] = {
            "boxes": tv_tensors.BoundingBoxes(
                torch.from_numpy(self._boxes[index]),
                format=tv_tensors.BoundingBoxFormat.XYXY,
                canvas_size=(height, width),
            ),
            "category_ids": torch.from_numpy(self._category_ids[index]),
            "image_id": int(self.image_ids[index]),
            "scale": (float(self.scales[index, 0]), float(self.scales[index, 1])),
        }
        if self.transforms is not None:
            image, target = self.transforms(image, target)
        if not image.is_floating_point():
            image = F.to_dtype(image, torch.float32, scale=True)
        return image, target

    def _find_files(self) -> list[Path]:
        images = self.gt.images
        paths: list[Path] = []
        problems: list[str] = []
        failed = 0
        for image_id, file_name in zip(images.id.tolist(), images.file_name, strict=True):
            found = resolve_image(self.images_dir, image_id, file_name or None)
            if found.path is not None:
                paths.append(found.path)
                continue
            failed += 1
            if len(problems) < _LISTED:
                problems.append(
                    f"image {image_id} {file_name!r}: {_REASONS.get(found.reason or '', found.reason)}"
                )
        if failed:
            raise ConsistencyError(
                f"{display_path(self.images_dir)}: {failed} of {len(images)} image(s) of "
                f"{self.gt.source or 'the ground truth'} have no file in this folder",
                problems,
                failed,
            )
        return paths

    def _read_scales(self) -> np.ndarray:
        images = self.gt.images
        scales = np.ones((len(self.paths), 2))
        problems: list[str] = []
        failed = 0
        for i, path in enumerate(self.paths):
            try:
                with Image.open(path) as pil:
                    file_w, file_h = pil.size
            except (OSError, UnidentifiedImageError) as exc:
                raise InputFormatError(
                    f"{display_path(path)}: expected an image file (PNG, JPEG, ...), "
                    f"and PIL cannot read it: {exc}"
                ) from None
            gt_w, gt_h = float(images.width[i]), float(images.height[i])
            if not (np.isfinite(gt_w) and np.isfinite(gt_h) and gt_w > 0 and gt_h > 0):
                continue  # no size in the ground truth: the file is taken as the annotated image
            sx, sy = file_w / gt_w, file_h / gt_h
            if abs(sx / sy - 1) > ASPECT_TOLERANCE:
                failed += 1
                if len(problems) < _LISTED:
                    problems.append(
                        f"image {int(images.id[i])} {display_path(path.name)!r}: the file is "
                        f"{file_w} x {file_h}, the ground truth says {gt_w:g} x {gt_h:g}"
                    )
            scales[i] = sx, sy
        if failed:
            raise ConsistencyError(
                f"{display_path(self.images_dir)}: {failed} image file(s) do not have the aspect "
                f"ratio of their size in {self.gt.source or 'the ground truth'} (within "
                f"{ASPECT_TOLERANCE:.0%}); a downscaled copy is fine, a crop or another image is not",
                problems,
                failed,
            )
        return scales

    def _targets(
        self, category_ids: Sequence[int] | None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        ann = self.gt.annotations
        known = set(self.gt.category_ids.tolist() if category_ids is None else category_ids)
        keep = ~ann.iscrowd
        unknown = sorted(set(ann.category_id[keep].tolist()) - known)
        if unknown:
            raise ConsistencyError(
                f"{self.gt.source or 'the ground truth'}: annotations have category id(s) the "
                f"model does not know: {unknown[:20]}; the model's categories are {sorted(known)[:20]}"
            )
        row_of = {image_id: i for i, image_id in enumerate(self.image_ids.tolist())}
        rows = [[] for _ in self.image_ids]
        for j in np.flatnonzero(keep).tolist():
            rows[row_of[int(ann.image_id[j])]].append(j)
        boxes, ids = [], []
        for i, js in enumerate(rows):
            xywh = ann.bbox[js].reshape(-1, 4)
            sx, sy = self.scales[i]
            xyxy = np.column_stack(
                [
                    xywh[:, 0] * sx,
                    xywh[:, 1] * sy,
                    (xywh[:, 0] + xywh[:, 2]) * sx,
                    (xywh[:, 1] + xywh[:, 3]) * sy,
                ]
            )
            boxes.append(xyxy.astype(np.float32).reshape(-1, 4))
            ids.append(ann.category_id[js].astype(np.int64))
        return boxes, ids


def _category_ids_of(sample: Any) -> Tensor:
    """``SanitizeBoundingBoxes``' labels: our targets call them ``category_ids``."""
    return sample[1]["category_ids"]


def train_transforms(
    *,
    hflip: bool = False,
    rotation: float = 5.0,
    scale_jitter: tuple[float, float] = (0.9, 1.1),
    colour: float = 0.05,
) -> v2.Compose:
    """Augmentations for pill photos; the boxes move with the image.

    One random affine map (rotation and zoom about the centre, the canvas keeps its size: the
    detector resizes every image to its ``image_size`` anyway, so only a zoom *inside* the
    canvas changes the pills' size), an optional horizontal flip, a mild colour jitter, then
    boxes clamped to the canvas and those left smaller than 1 px removed with their ids. A
    rotated box becomes the box around its rotated corners (a little larger than the pill).

    Args:
        hflip: Flip half the images left-right. Off by default: a flip mirrors a pill's
            imprint, so the flipped pill is not a pill of that class.
        rotation: Largest rotation in degrees (uniform in ``[-rotation, rotation]``); 0: none.
        scale_jitter: Zoom range ``(low, high)``; ``(1, 1)``: none.
        colour: Brightness and contrast jitter (at most :data:`MAX_COLOUR_JITTER`); saturation
            gets half of it and hue none, so that colour classes keep their meaning.

    Returns:
        A ``transforms.v2.Compose`` taking and returning ``(image, target)``.

    Raises:
        ValueError: a negative rotation, a zoom range that is not ``0 < low <= high``, or a
            colour jitter outside ``[0, MAX_COLOUR_JITTER]``.
    """
    if not (0 <= rotation <= 180):
        raise ValueError(f"Expected rotation in [0, 180] degrees, got {rotation}")
    low, high = scale_jitter
    if not (0 < low <= high):
        raise ValueError(
            f"Expected scale_jitter (low, high) with 0 < low <= high, got {scale_jitter}"
        )
    if not (0 <= colour <= MAX_COLOUR_JITTER):
        raise ValueError(
            f"Expected colour in [0, {MAX_COLOUR_JITTER}] (more changes what colour a pill "
            f"looks), got {colour}"
        )
    steps: list[Any] = []
    if rotation > 0 or (low, high) != (1.0, 1.0):
        steps.append(v2.RandomAffine(degrees=rotation, scale=(low, high)))
    if hflip:
        steps.append(v2.RandomHorizontalFlip(p=0.5))
    if colour > 0:
        steps.append(v2.ColorJitter(brightness=colour, contrast=colour, saturation=colour / 2))
    steps += [
        v2.ToDtype(torch.float32, scale=True),
        v2.ClampBoundingBoxes(),
        v2.SanitizeBoundingBoxes(labels_getter=_category_ids_of),
    ]
    return v2.Compose(steps)


def eval_transforms() -> v2.Compose:
    """No augmentation: the image as float in ``[0, 1]`` (validation and prediction)."""
    return v2.Compose([v2.ToDtype(torch.float32, scale=True)])


def collate_detection(
    batch: Sequence[tuple[Tensor, dict[str, Any]]],
) -> tuple[list[Tensor], list[dict[str, Any]]]:
    """Batch detection samples as lists (images differ in size; the detector resizes them).

    Args:
        batch: ``(image, target)`` pairs from :class:`DetectionDataset`.

    Returns:
        ``(images, targets)``: images as plain ``(3, H, W)`` float tensors; targets with
        ``"boxes"`` a plain ``(M, 4)`` float32 xyxy tensor and the other keys as they were.
    """
    images, targets = [], []
    for image, target in batch:
        images.append(image.as_subclass(Tensor))
        target = dict(target)
        target["boxes"] = target["boxes"].as_subclass(Tensor)
        targets.append(target)
    return images, targets
