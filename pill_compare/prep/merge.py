"""Merge AIHub per-pill COCO files (one JSON per pill per image) into one COCO ground truth.

The source layout is ``<K-a-b-c-d>_json/<K-xxxxxx>/<image_stem>.json``; each file holds one image,
one annotation and one category, and ``images[0].id`` is often 1 in every file, so per-file ids
mean nothing across files. :func:`merge_annotations` therefore:

* keys images by ``file_name`` and gives them new ids 1..N in file-name order; annotations get
  ids 1..M in (image, category_id, bbox, source file) order. Ids are stable: the same files give
  the same ids whatever order the file system lists them in;
* keeps category ids as chosen by ``category_id_from`` (default ``'category_id'``: the file's own
  ``category_id``, which equals ``dl_idx`` = K-number − 1 in the AIHub data); each category
  carries its ``k_code`` and ``dl_idx``;
* keeps every field of the source image record except the per-file identity (``id``,
  ``file_name``, ``width``, ``height``) under the annotation's ``attributes``: in this data those
  fields (``dl_name``, ``drug_shape``, ``color_class1``, ``print_front``, ...) describe the pill,
  so they belong to its annotation; ``source_file`` names the file each annotation came from;
* removes exact duplicates (same image, category id and bbox), drops boxes with w <= 0 or
  h <= 0, clips (or drops) boxes that leave the image, and leaves out images with no usable
  annotation;
* lists what it found: unreadable or malformed files, duplicates, bad boxes, and every image whose
  file name lists more pills than it has annotations (the "missing label" problem).
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pill_compare.errors import ConfigError, InputFormatError, PillCompareError
from pill_compare.io.files import display_path, parse_json, read_text
from pill_compare.io.records import (
    Field,
    bbox_range_problem,
    extract_columns,
    is_finite_number,
    parse_int64,
    show,
)
from pill_compare.prep.aihub import k_number, listed_pill_codes
from pill_compare.prep.findings import Finding, count_severities, findings_frame, listing
from pill_compare.prep.image_size import index_image_files, read_image_size

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

CATEGORY_ID_SOURCES: tuple[str, ...] = ("category_id", "dl_idx", "k_code")
BAD_BOX_ACTIONS: tuple[str, ...] = ("clip", "drop")

EXPECTED = "per-pill COCO JSON (an object with 'images', 'annotations', 'categories')"
#: Fields of the source image record that identify the photo, not the pill.
IMAGE_IDENTITY_KEYS: tuple[str, ...] = ("id", "file_name", "width", "height")
#: Fields of the source image record that may hold the pill's K-code, in order of preference.
K_CODE_KEYS: tuple[str, ...] = ("dl_mapping_code", "drug_N")

_IMAGE_FIELDS = (
    Field("id", "id"),
    Field("file_name", "str"),
    Field("width", "number", required=False, default=math.nan, min_value=0),
    Field("height", "number", required=False, default=math.nan, min_value=0),
)
_CATEGORY_FIELDS = (
    Field("id", "id"),
    Field("name", "str", required=False, default=""),
    Field("supercategory", "str", required=False, default=""),
)


def _annotation_fields(category_id_required: bool) -> tuple[Field, ...]:
    return (
        Field("image_id", "id"),
        Field("category_id", "id", required=category_id_required, default=None),
        Field("area", "number", required=False, default=math.nan, min_value=0),
        Field("iscrowd", "flag", required=False, default=0),
    )


@dataclass(frozen=True)
class _Pill:
    """One annotation read from one per-pill file (before merging)."""

    source_file: str
    file_name: str
    category_id: int
    file_category_id: int | None
    dl_idx: int | None
    k_code: str | None
    category_name: str
    supercategory: str
    bbox: tuple[Any, Any, Any, Any]
    area: float
    iscrowd: int
    segmentation: Any
    attributes: dict[str, Any]


@dataclass(frozen=True)
class _FileContent:
    images: dict[str, tuple[Any, Any] | None]  # file_name → JSON (width, height) or None
    pills: list[_Pill]
    folder_k_code_mismatch: str | None
    dropped_fields: tuple[str, ...] = ()  # why each left-out field could not be kept


class _BadFile(Exception):
    """A per-pill file that cannot be used; the message is the reason (no path prefix)."""


@dataclass(frozen=True)
class MergeResult:
    """The merged ground truth and everything found on the way.

    Attributes:
        coco: The merged COCO ground truth (a JSON-ready dict), built from the usable files.
            Write it only when :attr:`ok` (else it lacks the files listed as errors).
        source: The annotation folder.
        images_dir: The image folder sizes were checked against ('' when none).
        category_id_from: Where category ids came from: 'category_id', 'dl_idx' or 'k_code'.
        bad_boxes: What was done with boxes leaving the image: 'clip' or 'drop'.
        skip_bad_files: Whether unreadable files were skipped (warnings) rather than errors.
        files_found: ``.json`` files found (hidden files and ``__MACOSX`` left out).
        files_read: Files read and used.
        files_bad: Unreadable or malformed files.
        duplicates_removed: Exact duplicate annotations removed.
        boxes_dropped: Annotations dropped for a bad box (w or h <= 0, or outside the image).
        boxes_clipped: Boxes clipped to the image.
        images_missing_labels: Images whose file name lists a pill without an annotation.
        labels_missing: Listed pills without an annotation, over all images.
        findings: Everything found, errors first.
    """

    coco: dict[str, Any]
    source: str
    images_dir: str
    category_id_from: str
    bad_boxes: str
    skip_bad_files: bool
    files_found: int
    files_read: int
    files_bad: int
    duplicates_removed: int
    boxes_dropped: int
    boxes_clipped: int
    images_missing_labels: int
    labels_missing: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when no finding is an error: :attr:`coco` is complete and safe to write."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        """Images, annotations and categories in the merged output."""
        return {k: len(self.coco[k]) for k in ("images", "annotations", "categories")}

    def coco_json(self) -> str:
        """The merged ground truth as JSON text (UTF-8 names kept readable, compact)."""
        return json.dumps(self.coco, ensure_ascii=False, allow_nan=False) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """The report (not the ground truth itself): settings, counts and findings."""
        return {
            "source": self.source,
            "images_dir": self.images_dir,
            "category_id_from": self.category_id_from,
            "bad_boxes": self.bad_boxes,
            "skip_bad_files": self.skip_bad_files,
            "ok": self.ok,
            "files_found": self.files_found,
            "files_read": self.files_read,
            "files_bad": self.files_bad,
            **self.counts,
            "duplicates_removed": self.duplicates_removed,
            "boxes_dropped": self.boxes_dropped,
            "boxes_clipped": self.boxes_clipped,
            "images_missing_labels": self.images_missing_labels,
            "labels_missing": self.labels_missing,
            "severities": count_severities(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: source (the annotation folder), rule, severity, location, message."""
        return findings_frame(self.findings, source=self.source)


def merge_annotations(
    annotation_dir: str | os.PathLike[str],
    *,
    images_dir: str | os.PathLike[str] | None = None,
    category_id_from: str = "category_id",
    bad_boxes: str = "clip",
    skip_bad_files: bool = False,
) -> MergeResult:
    """Read every per-pill JSON under ``annotation_dir`` and merge them into one COCO ground truth.

    Args:
        annotation_dir: The folder, searched recursively for ``*.json`` (hidden files and
            ``__MACOSX`` folders are ignored and counted).
        images_dir: Optional image folder (searched recursively, matched by file name): each
            image's width and height are checked against the file's header and the file's size
            wins; image files without any annotation are listed.
        category_id_from: ``'category_id'`` (default: the file's own ``category_id``, = ``dl_idx``
            in the AIHub data), ``'dl_idx'`` (the image record's ``dl_idx``) or ``'k_code'`` (the
            K-number of ``dl_mapping_code`` / ``drug_N`` / the ``K-xxxxxx`` folder).
        bad_boxes: Boxes that leave the image: ``'clip'`` them to it (default) or ``'drop'`` them.
            Boxes with w <= 0 or h <= 0, or wholly outside the image, are always dropped.
        skip_bad_files: List unreadable files as warnings and merge the rest, instead of as errors
            (which make :attr:`MergeResult.ok` False).

    Returns:
        A :class:`MergeResult`: the merged ``coco`` dict, counts and findings.

    Raises:
        InputFormatError: ``annotation_dir`` is not a folder or holds no ``.json`` file;
            ``images_dir`` is not a folder.
        ConfigError: an unknown ``category_id_from`` or ``bad_boxes``.

    Example:
        >>> result = merge_annotations("train_annotations")  # doctest: +SKIP
        >>> result.counts  # doctest: +SKIP
        {'images': 651, 'annotations': 1001, 'categories': 56}
    """
    if category_id_from not in CATEGORY_ID_SOURCES:
        raise ConfigError(
            f"must be one of {', '.join(CATEGORY_ID_SOURCES)}, got {category_id_from!r}",
            param="category_id_from",
        )
    if bad_boxes not in BAD_BOX_ACTIONS:
        raise ConfigError(
            f"must be one of {', '.join(BAD_BOX_ACTIONS)}, got {bad_boxes!r}", param="bad_boxes"
        )
    root = Path(annotation_dir)
    source = display_path(root)
    if not root.is_dir():
        raise InputFormatError(f"{source}: not a folder (expected the per-pill annotation folder)")
    files, ignored = _find_json_files(root)
    if not files:
        raise InputFormatError(
            f"{source}: no .json files found (searched every sub-folder); expected per-pill "
            "annotation files such as K-001900-010224_json/K-001900/<image>.json"
        )
    image_files: dict[str, Path] = {}
    findings: list[Finding] = []
    if images_dir is not None:
        image_files, duplicated = index_image_files(images_dir)
        findings += [
            Finding(
                "image_file",
                "warning",
                f"image {name}",
                f"found in more than one sub-folder of {display_path(images_dir)}; "
                "the first is used",
            )
            for name in duplicated
        ]
    if ignored:
        findings.append(
            Finding(
                "ignored_file",
                "info",
                listing(ignored, 5),
                f"{len(ignored)} hidden or __MACOSX file(s) ignored (not annotation data)",
            )
        )

    images: dict[str, list[tuple[Any, Any] | None]] = defaultdict(list)
    pills: list[_Pill] = []
    files_bad = 0
    # (image stem, K-code) → why that pill has no annotation, for the missing-label list.
    causes: dict[tuple[str, str], str] = {}
    for path in files:
        rel = display_path(path.relative_to(root).as_posix())  # printable, writable as UTF-8
        try:
            content = _read_pill_file(path, rel, category_id_from)
        except _BadFile as exc:
            files_bad += 1
            causes[(path.stem, path.parent.name)] = "its file is unreadable"
            findings.append(
                Finding(
                    "bad_file",
                    "warning" if skip_bad_files else "error",
                    rel,
                    f"{exc}" + ("; skipped" if skip_bad_files else ""),
                )
            )
            continue
        for name, size in content.images.items():
            images[name].append(size)
        pills += content.pills
        if content.folder_k_code_mismatch:
            findings.append(
                Finding("k_code_mismatch", "warning", rel, content.folder_k_code_mismatch)
            )
        findings += [Finding("bad_field", "warning", rel, why) for why in content.dropped_fields]

    sizes = _resolve_sizes(images, image_files, images_dir is not None, findings)
    pills, duplicates = _remove_duplicates(pills, findings)
    pills, dropped, clipped = _fix_boxes(pills, sizes, bad_boxes, findings)
    _repeated_categories(pills, findings)
    kept_images = {p.file_name for p in pills}
    for p in dropped:
        causes[(Path(p.file_name).stem, p.k_code or "")] = "its box was dropped"
    missing_images, missing_labels = _missing_labels(
        images.keys(), pills, kept_images, causes, findings
    )
    if images_dir is not None:
        findings += [
            Finding(
                "unannotated_image",
                "warning",
                f"image {name}",
                "has no annotation file at all (left out of the ground truth)",
            )
            for name in sorted(image_files.keys() - images.keys())
        ]
    pills_read = pills + dropped  # categories come from every readable file
    categories = _categories(pills_read, findings)
    _id_convention(pills_read, pills, category_id_from, findings)

    coco = _build_coco(pills, sizes, categories, category_id_from, source)
    order = {"error": 0, "warning": 1, "info": 2}
    return MergeResult(
        coco=coco,
        source=source,
        images_dir="" if images_dir is None else display_path(images_dir),
        category_id_from=category_id_from,
        bad_boxes=bad_boxes,
        skip_bad_files=skip_bad_files,
        files_found=len(files),
        files_read=len(files) - files_bad,
        files_bad=files_bad,
        duplicates_removed=duplicates,
        boxes_dropped=len(dropped),
        boxes_clipped=clipped,
        images_missing_labels=missing_images,
        labels_missing=missing_labels,
        findings=tuple(sorted(findings, key=lambda f: order[f.severity])),
    )


def _find_json_files(root: Path) -> tuple[list[Path], list[str]]:
    files, ignored = [], []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() != ".json" or not p.is_file():
            continue
        rel = p.relative_to(root)
        if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
            ignored.append(rel.as_posix())
        else:
            files.append(p)
    return files, ignored


def _read_pill_file(path: Path, rel: str, category_id_from: str) -> _FileContent:
    """Read and validate one per-pill file; raise :class:`_BadFile` with the reason."""
    try:
        text = read_text(path, "per-pill COCO JSON")
        doc = parse_json(text, rel, "per-pill COCO JSON")
    except PillCompareError as exc:
        raise _BadFile(_reason(exc, (str(path), rel))) from None
    if not isinstance(doc, dict):
        raise _BadFile(f"expected {EXPECTED}, got {show(doc, 40)}")
    missing = [k for k in ("images", "annotations") if not isinstance(doc.get(k), list)]
    if missing:
        raise _BadFile(
            f"'{missing[0]}' is missing or not a list; expected {EXPECTED}"
            + (f", found keys {show(sorted(doc)[:8])}" if doc else "")
        )
    raw_categories = doc.get("categories") or []
    try:
        img = extract_columns(doc["images"], _IMAGE_FIELDS, path=rel, what="image")
        ann = extract_columns(
            doc["annotations"],
            _annotation_fields(category_id_from == "category_id"),
            path=rel,
            what="annotation",
        )
        cat = extract_columns(raw_categories, _CATEGORY_FIELDS, path=rel, what="category")
    except PillCompareError as exc:
        raise _BadFile(_reason(exc, (rel,))) from None
    if not img["id"].size:
        raise _BadFile("'images' is empty; expected the one image the pill is on")
    records = {int(i): doc["images"][n] for n, i in enumerate(img["id"].tolist())}
    if len(records) != len(doc["images"]):
        raise _BadFile(f"'images' repeats an image id: {show(img['id'].tolist())}")
    category_records = {int(i): n for n, i in enumerate(cat["id"].tolist())}

    images: dict[str, tuple[Any, Any] | None] = {}
    for rec in records.values():
        w, h = rec.get("width"), rec.get("height")
        images[rec["file_name"]] = (w, h) if _positive(w) and _positive(h) else None

    folder_code = path.parent.name if k_number(path.parent.name) is not None else None
    mismatch = None
    pills = []
    dropped: list[str] = []
    for n, raw in enumerate(doc["annotations"]):
        image_id = int(ann["image_id"][n])
        rec = records.get(image_id)
        if rec is None:
            raise _BadFile(
                f"annotation #{n}: 'image_id' {image_id} is not an id in 'images' "
                f"({listing(sorted(records))})"
            )
        bbox = raw.get("bbox")
        if not (
            isinstance(bbox, list) and len(bbox) == 4 and all(is_finite_number(v) for v in bbox)
        ):
            raise _BadFile(
                f"annotation #{n}: 'bbox' must be 4 finite numbers [x, y, w, h], got {show(bbox)}"
            )
        too_large = bbox_range_problem(bbox)
        if too_large:
            raise _BadFile(f"annotation #{n}: 'bbox' {too_large}, got {show(bbox)}")
        code = next((rec[k] for k in K_CODE_KEYS if k_number(rec.get(k)) is not None), None)
        if (
            code is not None
            and folder_code is not None
            and code != folder_code
            and mismatch is None
        ):
            mismatch = f"the record names {code} but the file is in folder {folder_code}"
        code = code or folder_code
        dl_idx = parse_int64(rec.get("dl_idx"))
        file_cid = ann["category_id"][n]
        file_cid = None if file_cid is None else int(file_cid)
        category_id = _choose_category_id(category_id_from, file_cid, dl_idx, code, rec)
        cat_n = category_records.get(file_cid) if file_cid is not None else None
        name = cat["name"][cat_n] if cat_n is not None else ""
        area = float(ann["area"][n])
        attributes = {k: v for k, v in rec.items() if k not in IMAGE_IDENTITY_KEYS}
        for key in list(attributes):
            why = _unwritable(attributes[key])
            if why:
                del attributes[key]
                dropped.append(f"image field {show(key)} left out of the attributes: {why}")
        segmentation = raw.get("segmentation")
        why = _unwritable(segmentation)
        if why:
            segmentation = None
            dropped.append(f"annotation #{n}: 'segmentation' left out: {why}")
        pills.append(
            _Pill(
                source_file=rel,
                file_name=rec["file_name"],
                category_id=category_id,
                file_category_id=file_cid,
                dl_idx=dl_idx,
                k_code=code,
                category_name=name or str(attributes.get("dl_name") or code or category_id),
                supercategory=cat["supercategory"][cat_n] if cat_n is not None else "",
                bbox=tuple(bbox),  # type: ignore[arg-type]
                area=raw["area"] if math.isfinite(area) else math.nan,
                iscrowd=int(ann["iscrowd"][n]),
                segmentation=segmentation,
                attributes=attributes,
            )
        )
    return _FileContent(
        images=images,
        pills=pills,
        folder_k_code_mismatch=mismatch,
        dropped_fields=tuple(dict.fromkeys(dropped)),  # one line per field, not per annotation
    )


#: Nesting deeper than this in a kept field is not pill data (and could not be written back).
_MAX_FIELD_DEPTH = 32


def _unwritable(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` cannot be written as strict JSON (UTF-8, finite numbers), or None.

    JSON files may hold NaN / Infinity (Python's json reads them) and lone surrogates
    ('\\ud800'); the merged ground truth is written with neither, so such fields are left out
    with a finding instead of failing the write.
    """
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{show(value)} is not a finite number"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{show(value)} holds a lone surrogate (not valid Unicode text)"
        return None
    if depth >= _MAX_FIELD_DEPTH and isinstance(value, (list, dict)):
        return f"nested more than {_MAX_FIELD_DEPTH} levels deep"
    if isinstance(value, list):
        return next((w for v in value if (w := _unwritable(v, depth + 1))), None)
    if isinstance(value, dict):
        for k, v in value.items():
            why = _unwritable(k, depth + 1) or _unwritable(v, depth + 1)
            if why:
                return why
    return None


def _reason(exc: PillCompareError, prefixes: tuple[str, ...]) -> str:
    """The error's message and problems on one line, without the repeated file-name prefixes."""
    parts = []
    for text in (exc.message, *exc.problems):
        for prefix in prefixes:
            text = text.replace(f"{prefix}: ", "").replace(prefix, "the file")
        parts.append(text)
    return "; ".join(parts)


def _positive(v: Any) -> bool:
    return type(v) in (int, float) and math.isfinite(v) and v > 0


def _choose_category_id(
    source: str, file_cid: int | None, dl_idx: int | None, code: str | None, rec: dict
) -> int:
    if source == "category_id":
        if file_cid is None:  # the annotation fields require it; kept for a clear message
            raise _BadFile("annotation 'category_id' is missing")
        return file_cid
    if source == "dl_idx":
        if dl_idx is None:
            raise _BadFile(
                f"image 'dl_idx' must be an integer (needed to take category ids from dl_idx: --category-id-from dl_idx), "
                f"got {show(rec.get('dl_idx'))}"
            )
        return dl_idx
    number = k_number(code)
    if number is None:
        raise _BadFile(
            "no K-code: 'dl_mapping_code' / 'drug_N' must be like 'K-001900' and the folder is "
            "not named after one (needed to take category ids from the K-code: --category-id-from k_code), got "
            f"{show(rec.get('dl_mapping_code'))}"
        )
    return number


def _resolve_sizes(
    images: dict[str, list[tuple[Any, Any] | None]],
    image_files: dict[str, Path],
    check_files: bool,
    findings: list[Finding],
) -> dict[str, tuple[Any, Any] | None]:
    """One (width, height) per image: the image file's when checked, else the JSON's."""
    sizes: dict[str, tuple[Any, Any] | None] = {}
    for name in sorted(images):
        declared = Counter(s for s in images[name] if s is not None)
        size = declared.most_common(1)[0][0] if declared else None
        if len(declared) > 1:
            shown = ", ".join(f"{w}x{h} ({n} file(s))" for (w, h), n in declared.most_common())
            findings.append(
                Finding(
                    "size_conflict",
                    "warning",
                    f"image {name}",
                    f"its per-pill files disagree on width x height: {shown}; using {size[0]}x{size[1]}"
                    + (" unless the image file says otherwise" if check_files else ""),
                )
            )
        if check_files:
            path = image_files.get(name)
            if path is None:
                findings.append(
                    Finding(
                        "image_file", "warning", f"image {name}", "no such file in the image folder"
                    )
                )
            else:
                try:
                    actual = read_image_size(path)
                except InputFormatError as exc:
                    findings.append(Finding("image_file", "warning", f"image {name}", exc.message))
                else:
                    if size is not None and (size[0], size[1]) != actual:
                        swapped = (size[1], size[0]) == actual
                        findings.append(
                            Finding(
                                "size_mismatch",
                                "warning",
                                f"image {name}",
                                f"the JSON says {size[0]}x{size[1]}, the image file is "
                                f"{actual[0]}x{actual[1]}"
                                + (" (width and height swapped)" if swapped else "")
                                + "; using the file's size",
                            )
                        )
                    size = actual
        if size is None:
            findings.append(
                Finding(
                    "size_unknown",
                    "warning",
                    f"image {name}",
                    "no width/height in its files"
                    + (
                        ""
                        if check_files
                        else " (give the image folder to read them from its files)"
                    )
                    + "; boxes on it are not checked against the image",
                )
            )
        sizes[name] = size
    return sizes


def _remove_duplicates(pills: list[_Pill], findings: list[Finding]) -> tuple[list[_Pill], int]:
    """Drop exact duplicates: same image, category id and bbox (the first file, in path order, stays)."""
    first: dict[tuple, _Pill] = {}
    kept = []
    for p in pills:
        key = (p.file_name, p.category_id, tuple(float(v) for v in p.bbox))
        if key in first:
            findings.append(
                Finding(
                    "duplicate",
                    "warning",
                    p.source_file,
                    f"removed: exact duplicate of {first[key].source_file} (image {p.file_name}, "
                    f"category {p.category_id}, bbox {show(list(p.bbox))})",
                )
            )
            continue
        first[key] = p
        kept.append(p)
    return kept, len(pills) - len(kept)


def _fix_boxes(
    pills: list[_Pill],
    sizes: dict[str, tuple[Any, Any] | None],
    action: str,
    findings: list[Finding],
) -> tuple[list[_Pill], list[_Pill], int]:
    """Drop boxes with w, h <= 0 or outside the image; clip (or drop) boxes leaving it."""
    kept, dropped, clipped = [], [], 0
    for p in pills:
        x, y, w, h = p.bbox
        where = f"{p.source_file} (image {p.file_name})"
        if not (w > 0 and h > 0):
            findings.append(
                Finding(
                    "bad_box",
                    "warning",
                    where,
                    f"dropped: bbox {show(list(p.bbox))} has w <= 0 or h <= 0 (expected [x, y, w, h])",
                )
            )
            dropped.append(p)
            continue
        size = sizes.get(p.file_name)
        if size is None:
            kept.append(p)
            continue
        width, height = size
        x1, y1 = max(x, 0), max(y, 0)
        x2, y2 = min(x + w, width), min(y + h, height)
        if (x1, y1, x2, y2) == (x, y, x + w, y + h):
            kept.append(p)
            continue
        inside = x2 > x1 and y2 > y1
        box = [x1, y1, x2 - x1, y2 - y1]
        if inside and action == "clip":
            findings.append(
                Finding(
                    "box_outside",
                    "warning",
                    where,
                    f"clipped: bbox {show(list(p.bbox))} leaves the {width}x{height} image; "
                    f"now {show(box)}",
                )
            )
            clipped += 1
            kept.append(_Pill(**{**p.__dict__, "bbox": tuple(box), "area": box[2] * box[3]}))
            continue
        reason = "leaves" if inside else "lies wholly outside"
        findings.append(
            Finding(
                "box_outside",
                "warning",
                where,
                f"dropped: bbox {show(list(p.bbox))} {reason} the {width}x{height} image",
            )
        )
        dropped.append(p)
    return kept, dropped, clipped


def _repeated_categories(pills: list[_Pill], findings: list[Finding]) -> None:
    by_key: dict[tuple[str, int], list[_Pill]] = defaultdict(list)
    for p in pills:
        by_key[(p.file_name, p.category_id)].append(p)
    for (name, cid), group in sorted(by_key.items()):
        if len(group) > 1:
            findings.append(
                Finding(
                    "repeated_category",
                    "warning",
                    f"image {name}",
                    f"category {cid} is annotated {len(group)} times with different boxes "
                    f"({', '.join(p.source_file for p in group)}); kept all: check that the "
                    "image really shows this pill more than once",
                )
            )


def _missing_labels(
    image_names: Any,
    pills: list[_Pill],
    kept_images: set[str],
    causes: dict[tuple[str, str], str],
    findings: list[Finding],
) -> tuple[int, int]:
    """Per image: pills its file name lists without an annotation, and annotations it does not list."""
    codes: dict[str, set[str]] = defaultdict(set)
    for p in pills:
        if p.k_code:
            codes[p.file_name].add(p.k_code)
    images_missing = labels_missing = 0
    for name in sorted(image_names):
        listed = listed_pill_codes(name)
        have = codes.get(name, set())
        missing = [c for c in listed if c not in have]
        if missing:
            images_missing += 1
            labels_missing += len(missing)
            left_out = (
                "" if name in kept_images else "; the image is left out (no usable annotation)"
            )
            stem = Path(name).stem
            shown = ", ".join(
                f"{c} ({causes.get((stem, c), 'no annotation file')})" for c in missing
            )
            findings.append(
                Finding(
                    "missing_label",
                    "warning",
                    f"image {name}",
                    f"the file name lists {len(listed)} pill(s), {len(listed) - len(missing)} "
                    f"annotated; no label for {shown}{left_out}",
                )
            )
        extra = sorted(have - set(listed)) if listed else []
        if extra:
            findings.append(
                Finding(
                    "unlisted_label",
                    "warning",
                    f"image {name}",
                    f"annotated pill(s) {', '.join(extra)} are not in the file name's list "
                    f"({', '.join(listed)}): a file in the wrong folder, or a wrong K-code?",
                )
            )
        if name not in kept_images and not missing:
            findings.append(
                Finding(
                    "no_annotation",
                    "warning",
                    f"image {name}",
                    "left out: none of its annotations is usable",
                )
            )
    return images_missing, labels_missing


def _categories(pills: list[_Pill], findings: list[Finding]) -> list[dict[str, Any]]:
    """One category per id (from every readable file, even when its boxes were dropped)."""
    variants: dict[int, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    first: dict[int, _Pill] = {}
    for p in pills:
        first.setdefault(p.category_id, p)
        variants[p.category_id][(p.k_code, p.category_name)].append(p.source_file)
    out = []
    for cid in sorted(first):
        p = first[cid]
        if len(variants[cid]) > 1:
            shown = "; ".join(
                f"{code} {name!r} in {len(srcs)} file(s), e.g. {srcs[0]}"
                for (code, name), srcs in variants[cid].items()
            )
            findings.append(
                Finding(
                    "category_conflict",
                    "warning",
                    f"category {cid}",
                    f"one id, several pills: {shown}; the first is kept. Mixed id conventions? "
                    "(choose one with --category-id-from)",
                )
            )
        out.append(
            {
                "id": cid,
                "name": p.category_name,
                "supercategory": p.supercategory,
                "k_code": p.k_code,
                "dl_idx": p.dl_idx,
            }
        )
    return out


def _id_convention(
    pills: list[_Pill], written: list[_Pill], source: str, findings: list[Finding]
) -> None:
    """Say which id convention the files use and warn where ids and K-numbers differ by one.

    Args:
        pills: Every pill read (the files' convention shows in dropped boxes too).
        written: The annotations written: what the counts about output ids are out of.
        source: ``category_id_from``.
        findings: Appended to.
    """
    as_dl_idx, as_k_number = [], []
    for p in pills:
        k = k_number(p.k_code)
        if k is None:
            continue
        if p.file_category_id == k - 1:
            as_dl_idx.append(p.source_file)
        elif p.file_category_id == k:
            as_k_number.append(p.source_file)
    off_by_one = [
        p
        for p in written
        if k_number(p.k_code) is not None and abs(p.category_id - k_number(p.k_code)) == 1
    ]
    if as_dl_idx and as_k_number:
        minority = min(as_dl_idx, as_k_number, key=len)
        findings.append(
            Finding(
                "category_id_source",
                "warning" if source == "category_id" else "info",
                listing(minority, 5),
                f"the files disagree on what 'category_id' means: {len(as_dl_idx)} use dl_idx "
                f"(K-number - 1), {len(as_k_number)} the K-number. "
                + (
                    "The output keeps each file's id, so one pill can get two ids: merge again "
                    "with category_id_from 'dl_idx' or 'k_code'"
                    if source == "category_id"
                    else f"The output takes ids from {source}, so they are consistent"
                ),
            )
        )
    changed = [p for p in written if p.file_category_id not in (None, p.category_id)]
    if changed:
        p = changed[0]
        findings.append(
            Finding(
                "category_id_source",
                "info",
                "",
                f"{len(changed)} of {len(written)} annotation(s) get an id other than their file's "
                f"category_id (ids from {source}), e.g. {p.k_code}: {p.file_category_id} → "
                f"{p.category_id}; predictions and submissions must use the output's ids",
            )
        )
    if off_by_one:
        p = off_by_one[0]
        relation = (
            "K-number - 1 (= dl_idx)" if p.category_id < k_number(p.k_code) else "K-number + 1"
        )
        findings.append(
            Finding(
                "category_id_source",
                "warning",
                "",
                f"{len(off_by_one)} of {len(written)} annotation(s) have a category id that differs "
                f"from its K-code by exactly one: id = {relation}, e.g. {p.k_code} → "
                f"{p.category_id}. Predictions and submissions must use these same ids "
                "(check-submission with this ground truth flags ids off by one); "
                "category_id_from='k_code' uses K-numbers instead",
            )
        )


def _build_coco(
    pills: list[_Pill],
    sizes: dict[str, tuple[Any, Any] | None],
    categories: list[dict[str, Any]],
    category_id_from: str,
    source: str,
) -> dict[str, Any]:
    names = sorted({p.file_name for p in pills})
    image_ids = {name: i for i, name in enumerate(names, start=1)}
    images = []
    for name in names:
        img: dict[str, Any] = {"id": image_ids[name], "file_name": name}
        size = sizes.get(name)
        if size is not None:
            img["width"], img["height"] = _tidy(size[0]), _tidy(size[1])
        images.append(img)
    ordered = sorted(
        pills,
        key=lambda p: (
            image_ids[p.file_name],
            p.category_id,
            tuple(float(v) for v in p.bbox),
            p.source_file,
        ),
    )
    annotations = []
    for n, p in enumerate(ordered, start=1):
        area = p.area if math.isfinite(p.area) else p.bbox[2] * p.bbox[3]
        ann: dict[str, Any] = {
            "id": n,
            "image_id": image_ids[p.file_name],
            "category_id": p.category_id,
            "bbox": [_tidy(v) for v in p.bbox],
            "area": _tidy(area),
            "iscrowd": p.iscrowd,
        }
        if p.segmentation:
            ann["segmentation"] = p.segmentation
        ann["source_file"] = p.source_file
        ann["attributes"] = p.attributes
        annotations.append(ann)
    return {
        "info": {
            "description": f"merged by pillcmp merge from {source}",
            "category_id_from": category_id_from,
        },
        "images": images,
        "annotations": annotations,
        "categories": categories,
    }


def _tidy(v: Any) -> Any:
    """Integral floats as ints (976.0 → 976): the same value, the way the source wrote it."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v
