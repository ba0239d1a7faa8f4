"""The data model: ground truth and detections as validated struct-of-arrays. No I/O here.

Every box is COCO ``xywh`` (top-left x, top-left y, width, height) in pixels, float64.
Ids are int64. Arrays are validated once, on construction (shapes and dtypes: a wrong shape
is programmer misuse and raises ``ValueError``); the *content* of user files is validated
by :mod:`pill_compare.io` before these objects are built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd


def expect_type(value: Any, expected: type | tuple[type, ...], what: str, hint: str = "") -> None:
    """Raise ``TypeError("Expected <what> to be <type>, got <type of value>[; hint]")`` on a mismatch.

    The one type check of the Python API (programmer misuse, not bad input data).

    Example:
        >>> expect_type(None, Images, "GroundTruth.images")
        Traceback (most recent call last):
        ...
        TypeError: Expected GroundTruth.images to be Images, got NoneType
    """
    if isinstance(value, expected):
        return
    names = expected if isinstance(expected, tuple) else (expected,)
    wanted = " or ".join(t.__name__ for t in names)
    raise TypeError(
        f"Expected {what} to be {wanted}, got {type(value).__name__}"
        + (f"; {hint}" if hint else "")
    )


def _strings(value: Any, what: str) -> tuple[str, ...]:
    """A tuple of str from any iterable of str (a bare str is refused: it would split)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"Expected {what} to be a tuple of str, got {type(value).__name__}")
    out = tuple(value)
    for v in out:
        expect_type(v, str, f"every item of {what}")
    return out


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with '...' (reprs stay one short line)."""
    return text if len(text) <= limit else "..." + text[-(limit - 3) :]


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

    def __repr__(self) -> str:
        known = int((np.isfinite(self.width) & np.isfinite(self.height)).sum())
        return f"Images(images={len(self)}, with_size={known})"

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

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
        attributes: Key → (N,) object array, the annotations' ``attributes`` objects (what
            ``pillcmp merge`` writes: ``drug_shape``, ``color_class1``, ...) as columns: a JSON
            scalar per row, None where that annotation lacks the key. Empty when no annotation
            has attributes.
    """

    id: np.ndarray
    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray
    area: np.ndarray
    iscrowd: np.ndarray
    attributes: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(np.asarray(self.id))
        object.__setattr__(self, "id", _as_array(self.id, np.int64, "id", None))
        for name in ("image_id", "category_id"):
            object.__setattr__(self, name, _as_array(getattr(self, name), np.int64, name, n))
        object.__setattr__(self, "bbox", _as_array(self.bbox, np.float64, "bbox", n, width=4))
        object.__setattr__(self, "area", _as_array(self.area, np.float64, "area", n))
        object.__setattr__(self, "iscrowd", _as_array(self.iscrowd, bool, "iscrowd", n))
        if not isinstance(self.attributes, Mapping):
            raise TypeError(
                "Expected Annotations.attributes to be a mapping key -> (N,) array, got "
                f"{type(self.attributes).__name__}"
            )
        columns = {}
        for key, values in self.attributes.items():
            expect_type(key, str, "every key of Annotations.attributes")
            column = np.empty(len(values), dtype=object)  # no numpy conversion of the scalars
            column[:] = list(values)
            columns[key] = _as_array(column, object, f"attributes[{key!r}]", n)
        object.__setattr__(self, "attributes", columns)

    def __len__(self) -> int:
        return int(self.id.shape[0])

    @property
    def has_attributes(self) -> bool:
        """Whether some annotation carries an ``attributes`` object with at least one key."""
        return any(any(v is not None for v in column) for column in self.attributes.values())

    def attributes_of(self, row: int) -> dict[str, Any]:
        """Annotation ``row``'s ``attributes`` object: its keys with a value ({} when none)."""
        return {k: v[row] for k, v in self.attributes.items() if v[row] is not None}

    def __repr__(self) -> str:
        return (
            f"Annotations(annotations={len(self)}, images={np.unique(self.image_id).size}, "
            f"categories={np.unique(self.category_id).size}, crowd={int(self.iscrowd.sum())})"
        )

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

    def __post_init__(self) -> None:
        expect_type(self.images, Images, "GroundTruth.images")
        expect_type(self.annotations, Annotations, "GroundTruth.annotations")
        if isinstance(self.categories, (str, Mapping)) or not isinstance(self.categories, Iterable):
            raise TypeError(
                "Expected GroundTruth.categories to be a sequence of Category, got "
                f"{type(self.categories).__name__}"
            )
        categories = tuple(self.categories)
        for c in categories:
            expect_type(c, Category, "every item of GroundTruth.categories")
        ids = [c.id for c in categories]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Expected unique category ids, got {ids[:20]}")
        object.__setattr__(self, "categories", categories)
        expect_type(self.source, str, "GroundTruth.source")
        object.__setattr__(self, "warnings", _strings(self.warnings, "GroundTruth.warnings"))

    def __repr__(self) -> str:
        return (
            f"GroundTruth(source={_short(self.source)!r}, images={len(self.images)}, "
            f"annotations={len(self.annotations)}, categories={len(self.categories)}, "
            f"warnings={len(self.warnings)})"
        )

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
                **_attributes_of(a, i),
            }
            for i in range(len(a))
        ]
        categories = [
            {**dict(c.extra), "id": c.id, "name": c.name, "supercategory": c.supercategory}
            for c in self.categories
        ]
        return {"images": images, "annotations": annotations, "categories": categories}


def _attributes_of(a: Annotations, row: int) -> dict[str, Any]:
    """``{"attributes": {...}}`` of one annotation (its keys with a value), or {} when none."""
    found = a.attributes_of(row)
    return {"attributes": found} if found else {}


@dataclass(frozen=True)
class LeftOut:
    """Detections left out because the ground truth lacks their image or category id.

    pycocotools does the same (``COCOeval`` evaluates only the ground truth's ids), so the numbers
    stay equal to its numbers on the same file.

    Attributes:
        detections: Rows left out (a row with both ids unknown counts once).
        total: Rows before leaving any out.
        image_ids: Unknown image id → detections on it (most first).
        category_ids: Unknown category id → detections with it (most first).
    """

    detections: int
    total: int
    image_ids: Mapping[int, int] = field(default_factory=dict)
    category_ids: Mapping[int, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; id keys become strings (JSON object keys must be)."""
        return {
            "detections": self.detections,
            "total": self.total,
            "image_ids": {str(k): v for k, v in self.image_ids.items()},
            "category_ids": {str(k): v for k, v in self.category_ids.items()},
        }


@dataclass(frozen=True)
class CategoryIdMap:
    """A rewrite of a results file's category ids (the cure for an id-space bug).

    Real submissions write the wrong id space with the right boxes: the K-number instead of
    ``dl_idx`` (every id + 1), the detector's class index 0..K-1, or a whole id list permuted.
    A map is a value: io applies it when loading (``load_results(..., category_map=m)``), so
    every command applies it the same way.

    Attributes:
        mapping: from id → to id. Ids not in it are kept as they are.
        offset: When not None, every id not in ``mapping`` becomes ``id + offset``
            (``offset:N`` on the command line).
        origin: ``'auto'`` (inferred from the data), ``'offset'`` or ``'file'``.
        source: Where it came from: the map file, or the ground truth it was inferred against.
    """

    mapping: Mapping[int, int] = field(default_factory=dict)
    offset: int | None = None
    origin: str = "file"
    source: str = ""

    def __post_init__(self) -> None:
        clean = {}
        for k, v in dict(self.mapping).items():
            if isinstance(k, bool) or isinstance(v, bool):
                raise TypeError("Expected CategoryIdMap.mapping to map int to int, got a bool")
            clean[int(k)] = int(v)
        object.__setattr__(self, "mapping", clean)
        if self.offset is not None:
            object.__setattr__(self, "offset", int(self.offset))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}: {v}" for k, v in list(self.mapping.items())[:5])
        more = f" (+{len(self.mapping) - 5} more)" if len(self.mapping) > 5 else ""
        off = "" if self.offset is None else f", offset={self.offset:+d}"
        return f"CategoryIdMap({{{shown}{more}}}{off}, origin={self.origin!r})"

    @property
    def is_identity(self) -> bool:
        """True when applying the map changes no id."""
        return not self.offset and all(k == v for k, v in self.mapping.items())

    def map_ids(self, ids: np.ndarray) -> np.ndarray:
        """(N,) int64 ids rewritten: ``mapping`` first, then ``offset`` for the others."""
        ids = np.asarray(ids, dtype=np.int64)
        out = ids + self.offset if self.offset else ids.copy()
        if self.mapping:
            keys = np.fromiter(self.mapping.keys(), dtype=np.int64, count=len(self.mapping))
            values = np.fromiter(self.mapping.values(), dtype=np.int64, count=len(self.mapping))
            order = np.argsort(keys)
            keys, values = keys[order], values[order]
            pos = np.clip(np.searchsorted(keys, ids), 0, keys.size - 1)
            hit = keys[pos] == ids
            out[hit] = values[pos[hit]]
        return out

    def apply(self, dets: Detections) -> Detections:
        """``dets`` with its category ids rewritten and ``category_map`` set to this map."""
        fields = {**dets.__dict__, "category_id": self.map_ids(dets.category_id)}
        return Detections(**{**fields, "category_map": self})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"origin", "source", "offset", "mapping": {"from": to}}``."""
        return {
            "origin": self.origin,
            "source": self.source,
            "offset": self.offset,
            "mapping": {str(k): v for k, v in self.mapping.items()},
        }


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
        left_out: What was left out for ids the ground truth lacks (None when nothing was).
        category_map: The category-id map applied when loading (None when none was).
    """

    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray
    score: np.ndarray
    annotation_id: np.ndarray | None = None
    name: str = ""
    source: str = ""
    warnings: tuple[str, ...] = ()
    left_out: LeftOut | None = None
    category_map: CategoryIdMap | None = None

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
        expect_type(self.name, str, "Detections.name")
        expect_type(self.source, str, "Detections.source")
        object.__setattr__(self, "warnings", _strings(self.warnings, "Detections.warnings"))
        if self.left_out is not None:
            expect_type(self.left_out, LeftOut, "Detections.left_out")
        if self.category_map is not None:
            expect_type(self.category_map, CategoryIdMap, "Detections.category_map")

    def __len__(self) -> int:
        return int(self.image_id.shape[0])

    def __repr__(self) -> str:
        text = (
            f"Detections(name={self.name!r}, source={_short(self.source)!r}, "
            f"detections={len(self)}, images={np.unique(self.image_id).size}, "
            f"categories={np.unique(self.category_id).size}, warnings={len(self.warnings)}"
        )
        if self.left_out is not None:
            text += f", left_out={self.left_out.detections}"
        return text + ")"

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
            left_out=self.left_out,
            category_map=self.category_map,
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
    import pandas as pd

    cols = dict(head)
    for j, name in enumerate(("bbox_x", "bbox_y", "bbox_w", "bbox_h")):
        cols[name] = bbox[:, j]
    cols |= tail
    return pd.DataFrame(cols)


# --- box geometry: the one IoU formula ----------------------------------------------------------
# Here, in the lowest layer, so that every layer computes IoU the same way: the matchings of
# analysis (through :mod:`pill_compare.analysis.boxes`) and prep's box-format check alike.


def iou_of_overlaps(
    inter: np.ndarray,
    left_area: np.ndarray,
    right_area: np.ndarray,
    right_iscrowd: np.ndarray | None = None,
) -> np.ndarray:
    """``inter / union`` as pycocotools' ``bbIou`` computes it, for boxes known to overlap.

    A crowd right box's union is the left box's area (a crowd region "absorbs" what lies inside
    it). The one copy of the formula: :func:`box_iou_pairs` and
    :func:`pill_compare.analysis.boxes.overlapping_pairs` both end here.

    Args:
        inter: (P,) float64 intersection areas (> 0).
        left_area: (P,) float64 ``w * h`` of the left boxes (detections).
        right_area: (P,) float64 ``w * h`` of the right boxes (GT).
        right_iscrowd: (P,) bool, or None: no crowd region.

    Returns:
        (P,) float64 IoU.
    """
    union = left_area + right_area - inter
    if right_iscrowd is not None:
        union = np.where(right_iscrowd, left_area, union)
    return inter / union


def box_iou_pairs(
    dt_xywh: np.ndarray, gt_xywh: np.ndarray, gt_iscrowd: np.ndarray | None = None
) -> np.ndarray:
    """IoU of paired boxes with pycocotools' bbox formula, bit-identical to ``maskUtils.iou``.

    For a crowd GT the denominator is the detection's area instead of the union. A box with
    no area (w or h <= 0) overlaps nothing: its IoU is 0.

    Args:
        dt_xywh: (P, 4) float64 detection (left) boxes, xywh.
        gt_xywh: (P, 4) float64 GT (right) boxes, xywh, paired row by row with ``dt_xywh``.
        gt_iscrowd: (P,) bool, the GT's ``iscrowd``; None: no crowd region.

    Returns:
        (P,) float64 IoU in [0, 1] (0.0 for boxes that do not overlap).
    """
    dx, dy, dw, dh = np.asarray(dt_xywh, dtype=np.float64).T
    gx, gy, gw, gh = np.asarray(gt_xywh, dtype=np.float64).T
    # Same operations, in the same order, as bbIou in pycocotools/common/maskApi.c.
    w = np.minimum(dw + dx, gw + gx) - np.maximum(dx, gx)
    h = np.minimum(dh + dy, gh + gy) - np.maximum(dy, gy)
    overlap = (w > 0) & (h > 0)
    inter = np.where(overlap, w * h, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # pairs that do not overlap: set to 0
        iou = iou_of_overlaps(inter, dw * dh, gw * gh, gt_iscrowd)
    return np.where(overlap, iou, 0.0)
