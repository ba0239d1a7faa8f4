"""YOLO-format predictions (one ``<image stem>.txt`` per image) → :class:`~pill_compare.core.Detections`.

Each line is ``class cx cy w h [score]``: a class *index* and a box normalized by the image size
(centre x, centre y, width, height, all in [0, 1]), as ``yolo predict --save-txt --save-conf``
writes them. Turning that into COCO needs two things the txt files do not hold:

* a **class map**, index → category id (the indices are contiguous 0..C−1, the category ids are
  not: 1899, 3482, ...). See :func:`load_class_map`;
* each **image's id and size**: from the ground truth (matched by file stem, e.g. ``17.txt`` ↔
  ``17.png``), or the image id from an integer stem and the size from the image file's header.

The box becomes ``x = (cx − w/2)·W``, ``y = (cy − h/2)·H``, ``w·W``, ``h·H`` (pixels, xywh),
rounded to 1e-6 px to drop floating-point noise (``0.1 * 976`` = 97.60000000000001 → 97.6).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pill_compare.consistency import check_against_ground_truth, suspicious_results
from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import ConfigError, InputFormatError, PillCompareError, ProblemCollector
from pill_compare.io.files import display_path, parse_json, read_text
from pill_compare.io.records import (
    bbox_range_problem,
    id_from_digits,
    number_from_text,
    parse_int64,
    show,
)
from pill_compare.prep.image_size import index_image_files, read_image_size

#: A class map lists a few thousand names at most; a YAML file larger than this is not one, and
#: YAML parsing is slow enough that the bound matters.
MAX_YAML_BYTES = 1 << 20
#: Deepest nesting a YAML class map may have (a data.yaml is 2 levels: names → index → name).
MAX_YAML_DEPTH = 20

CLASS_MAP_HELP = (
    'a .json list [1899, 3482, ...] or object {"0": 1899, ...}; a .txt file with one category '
    "id (or, with a ground truth, one category name) per line, line 1 being class 0; or a YOLO "
    "data.yaml whose 'names' are category ids or names"
)


def load_class_map(
    path: str | os.PathLike[str], *, gt: GroundTruth | None = None
) -> dict[int, int]:
    """Read a class map: YOLO class index → category id.

    Args:
        path: See :data:`CLASS_MAP_HELP` for the accepted forms.
        gt: Lets entries be category names (matched exactly against the ground truth's names).

    Returns:
        ``{class_index: category_id}``.

    Raises:
        InputFormatError: unreadable file, an entry that is neither an id nor a known name, or
            two indices mapped to the same category id.
    """
    p = Path(path)
    shown = display_path(p)
    suffix = p.suffix.lower()
    text = read_text(p, f"class map ({CLASS_MAP_HELP})")
    if suffix == ".json":
        doc = parse_json(text, p, "class map JSON")
        if isinstance(doc, list):
            entries = dict(enumerate(doc))
        elif isinstance(doc, dict):
            entries = {}
            for k, v in doc.items():
                index = id_from_digits(str(k).strip())
                if index is None:
                    raise InputFormatError(
                        f"{shown}: class map key {show(k)} must be a class index (0, 1, ...)"
                    )
                entries[index] = v
        else:
            raise InputFormatError(f"{shown}: expected {CLASS_MAP_HELP}, got {show(doc, 40)}")
    elif suffix in (".yaml", ".yml"):
        entries = _yaml_names(shown, text)
    else:
        lines = text.splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        entries = {i: line.strip() for i, line in enumerate(lines)}
    return _resolve_entries(entries, shown, gt)


def _yaml_names(path: str, text: str) -> dict[int, Any]:
    """The ``names`` of a YOLO data.yaml, parsed safely: bounded size and depth, no aliases.

    ``yaml.safe_load`` builds no arbitrary objects, but it still follows aliases (a
    "billion laughs" file of nested ``*a`` references expands exponentially once printed or
    walked) and recurses on nesting. The events are checked first, without building anything.
    """
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            f"{path}: reading a YAML class map needs PyYAML (pip install pyyaml); "
            "or write the names one per line in a .txt file",
            param="class_map",
        ) from None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise InputFormatError(
            f"{path}: larger than {MAX_YAML_BYTES >> 20} MiB: not a YOLO data.yaml class map"
        )
    try:
        _check_yaml_events(yaml, path, text)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputFormatError(f"{path}: not valid YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. a timestamp such as 2024-13-45 that the YAML resolver tries to build
        raise InputFormatError(f"{path}: not valid YAML: {type(exc).__name__}: {exc}") from None
    names = doc.get("names") if isinstance(doc, dict) else None
    if isinstance(names, list):
        return dict(enumerate(names))
    if isinstance(names, dict) and all(
        type(k) is int and k >= 0 and parse_int64(k) is not None for k in names
    ):
        return dict(names)
    raise InputFormatError(
        f"{path}: expected a YOLO data.yaml with 'names' (a list, or index: name pairs), "
        f"got {show(names, 40)}"
    )


def _check_yaml_events(yaml: Any, path: str, text: str) -> None:
    """Refuse aliases and deep nesting by walking the parser's events (nothing is built)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise InputFormatError(
                f"{path}: uses a YAML alias (*{event.anchor}); a class map must write every "
                "name out (aliases can expand exponentially)"
            )
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise InputFormatError(
                    f"{path}: YAML nested more than {MAX_YAML_DEPTH} levels deep: not a YOLO "
                    "data.yaml class map"
                )
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _resolve_entries(entries: dict[int, Any], path: str, gt: GroundTruth | None) -> dict[int, int]:
    by_name = {c.name: c.id for c in gt.categories} if gt is not None else {}
    problems = ProblemCollector()
    out: dict[int, int] = {}
    for index, value in sorted(entries.items()):
        # Containers are no id or name: do not render them (a large one would be slow to print).
        scalar = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        text = str(value).strip() if scalar and not isinstance(value, int) else ""
        if type(value) is int and parse_int64(value) is not None:
            out[index] = value
        elif id_from_digits(text) is not None:
            out[index] = id_from_digits(text)  # type: ignore[assignment]
        elif text in by_name:
            out[index] = by_name[text]
        else:
            why = "not a category id" + (
                " nor a category name of the ground truth"
                if gt is not None
                else " (names need a ground truth to be resolved)"
            )
            problems.add(f"{path}: class {index}: {show(value)} is {why}")
    problems.raise_if_any(
        InputFormatError,
        f"{path}: {problems.total} bad class map {'entry' if problems.total == 1 else 'entries'}",
    )
    if not out:
        raise InputFormatError(f"{path}: the class map is empty; expected {CLASS_MAP_HELP}")
    seen: dict[int, int] = {}
    for index, cid in out.items():
        if cid in seen:
            raise InputFormatError(
                f"{path}: classes {seen[cid]} and {index} both map to category {cid}; "
                "each class index must have its own category id"
            )
        seen[cid] = index
    return out


def load_yolo_predictions(
    directory: str | os.PathLike[str],
    *,
    class_map: Mapping[int, int],
    gt: GroundTruth | None = None,
    images_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
    exclude: tuple[Path, ...] = (),
) -> Detections:
    """Read a folder of YOLO prediction txt files as pixel-xywh detections.

    Args:
        directory: Folder of ``<image stem>.txt`` files (not searched recursively).
        class_map: Class index → category id (:func:`load_class_map`).
        gt: Images are matched by file stem to the ground truth's ``file_name`` (else an integer
            stem is the image id); its width/height give the sizes; ids are checked against it.
        images_dir: Image files, matched by stem, for sizes the ground truth does not give.
        name: Display name (default: the folder name).
        exclude: Files in ``directory`` that are not predictions (e.g. the class map itself).

    Returns:
        The detections in image-id order, then line order; ``warnings`` as for
        :func:`~pill_compare.io.load_results`, plus one when lines have no score (score 1.0).

    Raises:
        InputFormatError: no txt file, bad lines, unknown classes, images whose id or size
            cannot be found (up to 20 listed).
        ConsistencyError: with ``gt``, ids it does not have.
    """
    root = Path(directory)
    source = display_path(root)
    if not root.is_dir():
        raise InputFormatError(f"{source}: not a folder (expected YOLO prediction .txt files)")
    skip = {p.resolve() for p in exclude}
    files = sorted(p for p in root.glob("*.txt") if p.is_file() and p.resolve() not in skip)
    if not files:
        raise InputFormatError(
            f"{source}: no .txt files; expected one YOLO prediction file per image "
            "(lines 'class cx cy w h score')"
        )
    images = _ImageLookup(gt, images_dir)
    problems = ProblemCollector()
    rows: list[tuple[int, int, int, float, float, float, float, float]] = []
    no_score = 0
    for path in files:
        shown = display_path(path)
        located = images.find(path.stem)
        if isinstance(located, str):
            problems.add(f"{shown}: {located}")
            continue
        image_id, width, height = located
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            problems.add(f"{shown}: cannot be read ({exc.strerror or exc})")
            continue
        except UnicodeDecodeError as exc:
            problems.add(f"{shown}: not UTF-8 text (undecodable byte at offset {exc.start})")
            continue
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parsed = _parse_line(line, class_map)
            if isinstance(parsed, str):
                problems.add(f"{shown}: line {n}: {parsed}")
                continue
            cls, cx, cy, w, h, score = parsed
            box = ((cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height)
            # Normalized values that large are no box (1e308 * 976 is inf): refuse, not NaN later.
            too_large = bbox_range_problem(box)  # also True for inf (inf > any bound)
            if too_large:
                problems.add(f"{shown}: line {n}: the box in pixels {too_large}, got {show(line)}")
                continue
            no_score += score is None
            rows.append((image_id, n, class_map[cls], *box, 1.0 if score is None else score))
    problems.raise_if_any(
        InputFormatError, f"{source}: {problems.total} problem(s) in its YOLO predictions"
    )
    rows.sort(key=lambda r: (r[0], r[1]))
    arr = np.array([r[2:] for r in rows], dtype=np.float64).reshape(-1, 6)
    # 0.1 * 976 is 97.60000000000001 in floating point: round boxes to a millionth of a pixel
    # so they are written as 97.6 (the error removed is below 1e-6 px, far under any IoU step).
    arr[:, 1:5] = np.round(arr[:, 1:5], 6)
    dets = Detections(
        image_id=np.array([r[0] for r in rows], dtype=np.int64),
        category_id=arr[:, 0].astype(np.int64),
        bbox=arr[:, 1:5],
        score=arr[:, 5],
        name=name or display_path(root.name),
        source=source,
    )
    warnings = suspicious_results(dets)
    if no_score:
        warnings.append(
            f"{source}: {no_score} line(s) have no score column; they get score 1.0, so AP cannot "
            "rank them (predict with --save-conf)"
        )
    if gt is not None:
        warnings += check_against_ground_truth(dets, gt)
    return Detections(**{**dets.__dict__, "warnings": tuple(warnings)})


def _parse_line(
    line: str, class_map: Mapping[int, int]
) -> str | tuple[int, float, float, float, float, float | None]:
    """The parsed line, or why it is wrong (the 'expected …, got …' text)."""
    parts = line.split()
    expected = "expected 'class cx cy w h [score]' (5 or 6 numbers)"
    if len(parts) not in (5, 6):
        return f"{expected}, got {len(parts)} field(s): {show(line)}"
    # The loaders' number grammar: float() would also take '５', '1_000', 'nan', 'infinity'.
    values = [number_from_text(v) for v in parts]
    if not all(math.isfinite(v) for v in values):
        return f"{expected}, got {show(line)}"
    cls = values[0]
    if not cls.is_integer() or int(cls) not in class_map:
        return (
            f"class {parts[0]} is not in the class map "
            f"(it has {len(class_map)} classes: {min(class_map)}..{max(class_map)})"
        )
    cx, cy, w, h = values[1:5]
    if not (w > 0 and h > 0):
        return f"w and h must be > 0, got w={parts[3]}, h={parts[4]}"
    return int(cls), cx, cy, w, h, (values[5] if len(values) == 6 else None)


class _ImageLookup:
    """Image id and size for a prediction file's stem: ground truth first, then image files."""

    def __init__(self, gt: GroundTruth | None, images_dir: str | os.PathLike[str] | None):
        self.by_stem: dict[str, tuple[int, float, float]] = {}
        self.by_id: dict[int, tuple[float, float]] = {}
        if gt is not None:
            imgs = gt.images
            for i, fn, w, h in zip(
                imgs.id.tolist(), imgs.file_name, imgs.width, imgs.height, strict=True
            ):
                if fn:
                    self.by_stem.setdefault(Path(fn).stem, (i, w, h))
                self.by_id[i] = (w, h)
        self.files: dict[str, Path] = {}
        if images_dir is not None:
            found, _ = index_image_files(images_dir)
            for path in found.values():
                self.files.setdefault(path.stem, path)
        self.has_gt = gt is not None

    def find(self, stem: str) -> tuple[int, float, float] | str:
        """``(image_id, width, height)``, or why it cannot be found."""
        from_digits = id_from_digits(stem)
        if stem in self.by_stem:
            image_id, w, h = self.by_stem[stem]
        elif from_digits is not None:
            image_id = from_digits
            w, h = self.by_id.get(image_id, (math.nan, math.nan))
        else:
            where = (
                "no ground-truth image has this stem" if self.has_gt else "no ground truth given"
            )
            return f"cannot tell its image id: the name is not an integer and {where}"
        if not (math.isfinite(w) and math.isfinite(h)):
            path = self.files.get(stem)
            if path is None:
                return (
                    f"no size for image {image_id}: give a ground truth with width/height, or "
                    "an image folder with a file of this stem"
                )
            try:
                w, h = read_image_size(path)
            except PillCompareError as exc:
                return exc.message
        return image_id, float(w), float(h)
