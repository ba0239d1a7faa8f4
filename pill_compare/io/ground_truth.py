"""Load and validate a COCO ground-truth file into :class:`~pill_compare.core.GroundTruth`."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from pill_compare.core import Annotations, Category, GroundTruth, Images
from pill_compare.errors import ConsistencyError, InputFormatError
from pill_compare.io.files import display_path, parse_json, read_text
from pill_compare.io.records import Field, extract_columns, show
from pill_compare.io.typed_json import decode_ground_truth

EXPECTED = "COCO ground truth JSON (an object with 'images', 'annotations', 'categories')"

IMAGE_FIELDS = (
    Field("id", "id"),
    Field("file_name", "str", required=False, default=""),
    Field("width", "number", required=False, default=float("nan"), min_value=0),
    Field("height", "number", required=False, default=float("nan"), min_value=0),
)
ANNOTATION_FIELDS = (
    Field("id", "id"),
    Field("image_id", "id"),
    Field("category_id", "id"),
    Field("bbox", "bbox"),
    Field("area", "number", required=False, default=float("nan"), min_value=0),
    Field("iscrowd", "flag", required=False, default=0),
)
CATEGORY_FIELDS = (
    Field("id", "id"),
    Field("name", "str"),
    Field("supercategory", "str", required=False, default=""),
)


def looks_like_ground_truth(doc: Any) -> bool:
    """True for a JSON object with the COCO ground-truth keys ('images' or 'categories')."""
    return isinstance(doc, dict) and ("images" in doc or "categories" in doc)


def load_ground_truth(path: str | os.PathLike[str]) -> GroundTruth:
    """Load a COCO ground-truth JSON file and validate every record.

    Args:
        path: The file: ``{"images": [...], "annotations": [...], "categories": [...]}``.

    Returns:
        The validated ground truth. Annotations without ``area`` get ``w * h`` (with a warning);
        without ``iscrowd``, 0.

    Raises:
        InputFormatError: unreadable file, bad JSON, missing sections, bad records (up to 20 listed).
        ConsistencyError: duplicate ids, annotations pointing at unknown images or categories.

    Example:
        >>> gt = load_ground_truth("data/sample/ground_truth.json")  # doctest: +SKIP
        >>> len(gt.annotations), len(gt.categories)  # doctest: +SKIP
    """
    text = read_text(path, EXPECTED)
    source = display_path(path)
    # A valid file decodes straight into columns; anything else is parsed again by the
    # validating path, which accepts it the same or names every problem.
    columns = decode_ground_truth(text)
    if columns is not None:
        categories = columns["categories"]
        return _ground_truth(
            columns["images"],
            extract_columns(categories, CATEGORY_FIELDS, path=source, what="category"),
            columns["annotations"],
            categories,
            columns["attributes"],
            source=source,
        )
    return ground_truth_from_dict(parse_json(text, path, EXPECTED), source=source)


def ground_truth_from_dict(doc: Any, *, source: str = "<memory>") -> GroundTruth:
    """Validate an already-parsed COCO ground-truth dict (see :func:`load_ground_truth`)."""
    source = display_path(source)
    if not isinstance(doc, dict):
        hint = ""
        if isinstance(doc, list):
            hint = " (a list is what a COCO results file holds: this looks like detections)"
        raise InputFormatError(f"{source}: expected {EXPECTED}, got a JSON {_kind(doc)}{hint}")
    missing = [k for k in ("images", "annotations", "categories") if doc.get(k) is None]
    if missing:
        hint = ""
        if isinstance(doc.get("annotations"), list) and "images" not in doc:
            hint = " (this looks like a results file; pass it as a result, not as the ground truth)"
        raise InputFormatError(
            f"{source}: ground truth is missing {', '.join(repr(k) for k in missing)}; "
            f"expected {EXPECTED}{hint}"
        )
    for key in ("images", "annotations", "categories"):
        if not isinstance(doc[key], list):
            raise InputFormatError(
                f"{source}: '{key}' must be a JSON list, got a JSON {_kind(doc[key])}"
            )
    if not doc["categories"]:
        raise InputFormatError(
            f"{source}: 'categories' is empty; a ground truth must declare its categories "
            "(id and name of each class)"
        )

    img = extract_columns(doc["images"], IMAGE_FIELDS, path=source, what="image")
    cat = extract_columns(doc["categories"], CATEGORY_FIELDS, path=source, what="category")
    ann = extract_columns(doc["annotations"], ANNOTATION_FIELDS, path=source, what="annotation")
    attributes = [r.get("attributes") for r in doc["annotations"]]  # objects, checked above
    return _ground_truth(img, cat, ann, doc["categories"], attributes, source=source)


def _ground_truth(
    img: dict[str, Any],
    cat: dict[str, Any],
    ann: dict[str, Any],
    categories_json: list[Any],
    attribute_values: list[Any],
    *,
    source: str,
) -> GroundTruth:
    """The checks across records, and the :class:`GroundTruth`, from the columns, the
    categories as parsed (their extra keys) and each annotation's 'attributes' value."""
    _refuse_duplicates(img["id"], source, "image")
    _refuse_duplicates(cat["id"], source, "category")
    _refuse_duplicates(ann["id"], source, "annotation")
    _refuse_unknown(ann["image_id"], img["id"], source, "image_id", "images")
    _refuse_unknown(ann["category_id"], cat["id"], source, "category_id", "categories")

    warnings: list[str] = []
    area = ann["area"]
    no_area = ~np.isfinite(area)
    if no_area.any():
        area = np.where(no_area, ann["bbox"][:, 2] * ann["bbox"][:, 3], area)
        warnings.append(
            f"{source}: {int(no_area.sum())} annotation(s) have no 'area'; using w*h "
            "(COCO's small/medium/large ranges use this field)"
        )
    if not len(ann["id"]):
        warnings.append(f"{source}: the ground truth has no annotations")
    attributes, not_objects = attribute_columns(attribute_values)
    if not_objects:
        warnings.append(
            f"{source}: {not_objects} annotation(s) have an 'attributes' that is not a JSON "
            "object; it is left out (slices by attribute read an object of key: value)"
        )

    categories = []
    for i, raw in enumerate(categories_json):
        extra = {k: v for k, v in raw.items() if k not in ("id", "name", "supercategory")}
        categories.append(
            Category(
                id=int(cat["id"][i]),
                name=cat["name"][i],
                supercategory=cat["supercategory"][i],
                extra=extra,
            )
        )
    return GroundTruth(
        images=Images(
            id=img["id"],
            file_name=np.array(img["file_name"], dtype=object),
            width=img["width"],
            height=img["height"],
        ),
        annotations=Annotations(
            id=ann["id"],
            image_id=ann["image_id"],
            category_id=ann["category_id"],
            bbox=ann["bbox"],
            area=area,
            iscrowd=ann["iscrowd"].astype(bool),
            attributes=attributes,
        ),
        categories=tuple(categories),
        source=source,
        warnings=tuple(warnings),
    )


def attribute_columns(values: list[Any]) -> tuple[dict[str, np.ndarray], int]:
    """The ``attributes`` objects of COCO annotation records, as columns.

    Args:
        values: Each annotation's ``attributes`` value as parsed (None where it has none).

    Returns:
        ``(columns, not_objects)``: key → (N,) object array (None where a record lacks the
        key; every value as the JSON gave it, so ``to_coco`` writes it back unchanged), and how
        many records hold an ``attributes`` that is not a JSON object (left out).
    """
    rows: dict[str, dict[int, Any]] = {}
    not_objects = 0
    for i, found in enumerate(values):
        if found is None:
            continue
        if not isinstance(found, dict):
            not_objects += 1
            continue
        for key, value in found.items():
            rows.setdefault(str(key), {})[i] = value
    columns = {}
    for key, found_at in rows.items():
        column = np.full(len(values), None, dtype=object)
        column[list(found_at)] = list(found_at.values())
        columns[key] = column
    return columns, not_objects


def _kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _refuse_duplicates(ids: np.ndarray, source: str, what: str) -> None:
    uniq, counts = np.unique(ids, return_counts=True)
    dup = uniq[counts > 1]
    if dup.size:
        listed = ", ".join(str(v) for v in dup[:20].tolist())
        more = f" (+{dup.size - 20} more)" if dup.size > 20 else ""
        raise ConsistencyError(
            f"{source}: {dup.size} duplicate {what} id(s): {listed}{more}; each {what} id must be unique"
        )


def _refuse_unknown(
    refs: np.ndarray, known: np.ndarray, source: str, field: str, section: str
) -> None:
    bad = ~np.isin(refs, known)
    if bad.any():
        unknown = np.unique(refs[bad])
        first = int(np.flatnonzero(bad)[0])
        listed = ", ".join(show(v) for v in unknown[:20].tolist())
        more = f" (+{unknown.size - 20} more)" if unknown.size > 20 else ""
        raise ConsistencyError(
            f"{source}: {int(bad.sum())} annotation(s) have a '{field}' not declared in "
            f"'{section}' (first: annotation #{first}); "
            f"unknown {field}s: {listed}{more}"
        )
