"""The data model: ground truth and detections as validated struct-of-arrays. No I/O here.

Every box is COCO ``xywh`` (top-left x, top-left y, width, height) in pixels, float64.
Ids are int64. Arrays are validated once, on construction (shapes and dtypes: a wrong shape
is programmer misuse and raises ``ValueError``); the *content* of user files is validated
by :mod:`pill_compare.io` before these objects are built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def _as_array(value: Any, dtype: Any, name: str, length: int | None, width: int | None = None):
    arr = np.ascontiguousarray(value, dtype=dtype)
    if width is None:
        if arr.ndim != 1:
            raise ValueError(f"Expected '{name}' to be 1-D, got shape {arr.shape}")
    elif arr.ndim != 2 or arr.shape[1] != width:
        if arr.size == 0:
            arr = arr.reshape(0, width)
        else:
            raise ValueError(f"Expected '{name}' to have shape (N, {width}), got {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"Expected '{name}' to have length {length}, got {arr.shape[0]}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Category:
    """One class. ``extra`` keeps any other field of the source (e.g. ``k_code``, ``dl_idx``)."""

    id: int
    name: str
    supercategory: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Images:
    """The images of a ground truth, one row each.

    Attributes:
        id: (I,) int64 image ids, unique.
        file_name: (I,) object array of str ('' when the source has none).
        width: (I,) float64 pixel width, NaN when unknown.
        height: (I,) float64 pixel height, NaN when unknown.
    """

    id: np.ndarray
    file_name: np.ndarray
    width: np.ndarray
    height: np.ndarray

    def __post_init__(self) -> None:
        n = len(np.asarray(self.id))
        object.__setattr__(self, "id", _as_array(self.id, np.int64, "id", None))
        object.__setattr__(self, "file_name", _as_array(self.file_name, object, "file_name", n))
        object.__setattr__(self, "width", _as_array(self.width, np.float64, "width", n))
        object.__setattr__(self, "height", _as_array(self.height, np.float64, "height", n))

    def __len__(self) -> int:
        return int(self.id.shape[0])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "image_id": self.id,
                "file_name": self.file_name,
                "width": self.width,
                "height": self.height,
            }
        )


@dataclass(frozen=True, eq=False)
class Annotations:
    """Ground-truth boxes, one row per annotation.

    Attributes:
        id: (N,) int64 annotation ids.
        image_id: (N,) int64.
        category_id: (N,) int64.
        bbox: (N, 4) float64 xywh.
        area: (N,) float64, the COCO ``area`` field (used for small/medium/large ranges).
        iscrowd: (N,) bool; crowd regions absorb detections without counting them.
    """

    id: np.ndarray
    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray
    area: np.ndarray
    iscrowd: np.ndarray

    def __post_init__(self) -> None:
        n = len(np.asarray(self.id))
        object.__setattr__(self, "id", _as_array(self.id, np.int64, "id", None))
        for name in ("image_id", "category_id"):
            object.__setattr__(self, name, _as_array(getattr(self, name), np.int64, name, n))
        object.__setattr__(self, "bbox", _as_array(self.bbox, np.float64, "bbox", n, width=4))
        object.__setattr__(self, "area", _as_array(self.area, np.float64, "area", n))
        object.__setattr__(self, "iscrowd", _as_array(self.iscrowd, bool, "iscrowd", n))

    def __len__(self) -> int:
        return int(self.id.shape[0])

    def to_frame(self) -> pd.DataFrame:
        return _boxes_frame(
            {"annotation_id": self.id, "image_id": self.image_id, "category_id": self.category_id},
            self.bbox,
            {"area": self.area, "iscrowd": self.iscrowd},
        )


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """A COCO ground truth: images, annotations and declared categories.

    Attributes:
        images: The image table.
        annotations: The annotation table.
        categories: Declared categories in file order (ids unique).
        source: Where it was loaded from ('' when built in memory).
        warnings: Suspicious-but-legal findings made while loading.
    """

    images: Images
    annotations: Annotations
    categories: tuple[Category, ...]
    source: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def category_ids(self) -> np.ndarray:
        """(C,) int64 declared category ids, in file order."""
        return np.array([c.id for c in self.categories], dtype=np.int64)

    @property
    def category_names(self) -> dict[int, str]:
        """Map category id → name."""
        return {c.id: c.name for c in self.categories}

    def to_coco(self) -> dict[str, Any]:
        """Rebuild a COCO dict (e.g. to feed pycocotools). Boxes and ids are exact."""
        imgs = self.images
        images = []
        for i in range(len(imgs)):
            img: dict[str, Any] = {"id": int(imgs.id[i]), "file_name": imgs.file_name[i]}
            if np.isfinite(imgs.width[i]):
                img["width"] = float(imgs.width[i])
            if np.isfinite(imgs.height[i]):
                img["height"] = float(imgs.height[i])
            images.append(img)
        a = self.annotations
        annotations = [
            {
                "id": int(a.id[i]),
                "image_id": int(a.image_id[i]),
                "category_id": int(a.category_id[i]),
                "bbox": a.bbox[i].tolist(),
                "area": float(a.area[i]),
                "iscrowd": int(a.iscrowd[i]),
            }
            for i in range(len(a))
        ]
        categories = [
            {**dict(c.extra), "id": c.id, "name": c.name, "supercategory": c.supercategory}
            for c in self.categories
        ]
        return {"images": images, "annotations": annotations, "categories": categories}


@dataclass(frozen=True, eq=False)
class Detections:
    """One model's detections (a COCO results file or a submission CSV), one row each.

    Attributes:
        image_id: (N,) int64.
        category_id: (N,) int64.
        bbox: (N, 4) float64 xywh.
        score: (N,) float64 confidence.
        annotation_id: (N,) int64 ids from a submission CSV, or None for COCO results.
        name: The run's display name (e.g. ``resnet101``), used in every legend and header.
        source: Where it was loaded from.
        warnings: Suspicious-but-legal findings made while loading.
    """

    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray
    score: np.ndarray
    annotation_id: np.ndarray | None = None
    name: str = ""
    source: str = ""
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(np.asarray(self.image_id))
        object.__setattr__(self, "image_id", _as_array(self.image_id, np.int64, "image_id", None))
        object.__setattr__(
            self, "category_id", _as_array(self.category_id, np.int64, "category_id", n)
        )
        object.__setattr__(self, "bbox", _as_array(self.bbox, np.float64, "bbox", n, width=4))
        object.__setattr__(self, "score", _as_array(self.score, np.float64, "score", n))
        if self.annotation_id is not None:
            object.__setattr__(
                self, "annotation_id", _as_array(self.annotation_id, np.int64, "annotation_id", n)
            )

    def __len__(self) -> int:
        return int(self.image_id.shape[0])

    def select(self, mask: np.ndarray) -> Detections:
        """A new Detections with the rows where ``mask`` (bool (N,) or int indices) selects."""
        return Detections(
            image_id=self.image_id[mask],
            category_id=self.category_id[mask],
            bbox=self.bbox[mask],
            score=self.score[mask],
            annotation_id=None if self.annotation_id is None else self.annotation_id[mask],
            name=self.name,
            source=self.source,
            warnings=self.warnings,
        )

    def above(self, score_threshold: float) -> Detections:
        """Detections with ``score >= score_threshold`` (a threshold of 0 keeps everything)."""
        if score_threshold <= 0:
            return self
        return self.select(self.score >= score_threshold)

    def to_frame(self) -> pd.DataFrame:
        cols: dict[str, np.ndarray] = {}
        if self.annotation_id is not None:
            cols["annotation_id"] = self.annotation_id
        cols |= {"image_id": self.image_id, "category_id": self.category_id}
        return _boxes_frame(cols, self.bbox, {"score": self.score})

    def to_coco(self) -> list[dict[str, Any]]:
        """The COCO results list (``[{image_id, category_id, bbox, score}, ...]``)."""
        return [
            {"image_id": i, "category_id": c, "bbox": b, "score": s}
            for i, c, b, s in zip(
                self.image_id.tolist(),
                self.category_id.tolist(),
                self.bbox.tolist(),
                self.score.tolist(),
                strict=True,
            )
        ]


def _boxes_frame(
    head: Mapping[str, np.ndarray], bbox: np.ndarray, tail: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    cols = dict(head)
    for j, name in enumerate(("bbox_x", "bbox_y", "bbox_w", "bbox_h")):
        cols[name] = bbox[:, j]
    cols |= tail
    return pd.DataFrame(cols)
