"""Convert detections between COCO results JSON, the submission CSV and YOLO prediction folders.

* COCO results ``[{image_id, category_id, bbox, score}, ...]`` ↔ submission CSV
  ``annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score``, both directions.
* A YOLO prediction folder (:mod:`pill_compare.prep.yolo`) → either.

Numbers are written in Python's shortest round-trip form (``repr``), so COCO → CSV → COCO gives
back exactly the same values in the same order. Going to CSV, ``annotation_id`` is kept when the
input has one and is 1..N in file order otherwise (ids only need to be unique and positive);
COCO results have no such id, so CSV → COCO drops it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from pill_compare.consistency import check_against_ground_truth
from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io.files import display_path, sniff_format
from pill_compare.io.outputs import write_atomic
from pill_compare.io.results import CSV_COLUMNS, load_results
from pill_compare.prep.thresholds import ClassThresholds, apply_class_thresholds
from pill_compare.prep.yolo import load_class_map, load_yolo_predictions

CONVERT_INPUT_FORMATS: tuple[str, ...] = ("auto", "coco", "csv", "yolo")
CONVERT_OUTPUT_FORMATS: tuple[str, ...] = ("auto", "coco", "csv")
_SUFFIX_OUTPUT = {".json": "coco", ".csv": "csv"}


@dataclass(frozen=True)
class ConvertResult:
    """What :func:`convert` read and wrote.

    Attributes:
        source: The input file or folder.
        target: The output file.
        input_format: 'coco', 'csv' or 'yolo'; 'auto' for a pipe, which is read only once
            (the loader sniffed it).
        output_format: 'coco' or 'csv'.
        detections: Detections written.
        images: Distinct image ids among them.
        warnings: Legal but suspicious findings about the input (as from ``load_results``).
        dropped: Detections left out for scoring below their class's threshold.
    """

    source: str
    target: str
    input_format: str
    output_format: str
    detections: int
    images: int
    warnings: tuple[str, ...] = ()
    dropped: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "warnings": list(self.warnings)}


def _number(value: float) -> str:
    """Shortest text that reads back as the same float; integral values without '.0'."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def submission_csv_text(dets: Detections) -> str:
    """The submission CSV for ``dets`` (header included; ``annotation_id`` kept or 1..N)."""
    ids = (
        dets.annotation_id
        if dets.annotation_id is not None
        else np.arange(1, len(dets) + 1, dtype=np.int64)
    )
    lines = [",".join(CSV_COLUMNS)]
    for aid, image_id, cid, box, score in zip(
        ids.tolist(),
        dets.image_id.tolist(),
        dets.category_id.tolist(),
        dets.bbox.tolist(),
        dets.score.tolist(),
        strict=True,
    ):
        fields = [str(aid), str(image_id), str(cid), *map(_number, box), _number(score)]
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


def coco_results_text(dets: Detections) -> str:
    """COCO results JSON for ``dets``: a list, one detection per line."""
    records = [json.dumps(r, allow_nan=False) for r in dets.to_coco()]
    if not records:
        return "[]\n"
    return "[\n" + ",\n".join(records) + "\n]\n"


def _sniff(path: Path) -> str:
    """'coco' or 'csv' from the first bytes (the loader reports unreadable files itself).

    Only a regular file is peeked at: a pipe (``<(zcat r.json.gz)``) can be read only once, and
    opening a FIFO would wait for its writer; the loader then sniffs it ('auto').
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "auto"
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8-sig", errors="replace")
    except OSError:
        return "auto"
    return sniff_format(path, head) if head.strip() else "auto"


def convert(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    gt: GroundTruth | None = None,
    images_dir: str | os.PathLike[str] | None = None,
    class_map: str | os.PathLike[str] | Mapping[int, int] | None = None,
    input_format: str = "auto",
    output_format: str = "auto",
    class_thresholds: ClassThresholds | None = None,
) -> ConvertResult:
    """Read detections in one format and write them (atomically) in another.

    Args:
        source: COCO results JSON, submission CSV, or a folder of YOLO prediction txt files.
        target: The output file; its suffix (.json → COCO results, .csv → submission CSV) picks
            the format unless ``output_format`` is given.
        gt: Refuses image and category ids it lacks (a conversion drops nothing; evaluation
            leaves such detections out instead); for YOLO input also the
            image ids and sizes (matched by file stem) and category names in the class map.
        images_dir: YOLO input: image files whose headers give sizes the ground truth lacks.
        class_map: YOLO input: class index → category id, or a file
            (:func:`~pill_compare.prep.yolo.load_class_map`).
        input_format: 'auto' (a folder is YOLO, a file is sniffed), 'coco', 'csv' or 'yolo'.
        output_format: 'auto' (from the suffix), 'coco' or 'csv'.
        class_thresholds: Keep only detections scoring at or above their class's threshold
            (:func:`~pill_compare.prep.thresholds.apply_class_thresholds`); None keeps all.

    Returns:
        A :class:`ConvertResult`.

    Raises:
        ConfigError: unknown formats, a suffix that names no format, YOLO input without a class
            map, a folder given as a file format or the reverse.
        InputFormatError / ConsistencyError: as the loaders raise them.
    """
    src, dst = Path(source), Path(target)
    src_shown, dst_shown = display_path(src), display_path(dst)
    if input_format not in CONVERT_INPUT_FORMATS:
        raise ConfigError(
            f"must be one of {', '.join(CONVERT_INPUT_FORMATS)}, got {input_format!r}",
            param="input_format",
        )
    if output_format not in CONVERT_OUTPUT_FORMATS:
        raise ConfigError(
            f"must be one of {', '.join(CONVERT_OUTPUT_FORMATS)}, got {output_format!r}",
            param="output_format",
        )
    out_fmt = output_format
    if out_fmt == "auto":
        out_fmt = _SUFFIX_OUTPUT.get(dst.suffix.lower(), "")
        if not out_fmt:
            raise ConfigError(
                f"{dst_shown}: cannot tell the output format from the suffix "
                f"{display_path(dst.suffix)!r}; use .json (COCO results) or .csv (submission), "
                "or give the output format 'coco' or 'csv'",
                param="output_format",
            )
    in_fmt = input_format
    if src.is_dir():
        if in_fmt not in ("auto", "yolo"):
            raise ConfigError(
                f"{src_shown} is a folder; the input format {in_fmt!r} expects a file",
                param="input_format",
            )
        in_fmt = "yolo"
    elif in_fmt == "yolo":
        raise ConfigError(
            f"{src_shown} is not a folder; the input format 'yolo' expects a folder of .txt files",
            param="input_format",
        )

    if in_fmt == "yolo":
        if class_map is None:
            if not any(p.is_file() for p in src.glob("*.txt")):
                raise InputFormatError(
                    f"{src_shown}: a folder without .txt files: not YOLO predictions (one "
                    "'<image stem>.txt' per image); to convert a file, name the file"
                )
            raise ConfigError(
                f"{src_shown}: YOLO predictions hold class indices (0, 1, ...), not category "
                "ids: give a class map (a .txt with one category id per line, line 1 = class 0)",
                param="class_map",
            )
        exclude: tuple[Path, ...] = ()
        if not isinstance(class_map, Mapping):
            exclude = (Path(class_map),)
            class_map = load_class_map(class_map, gt=gt)
        dets = load_yolo_predictions(
            src, class_map=class_map, gt=gt, images_dir=images_dir, exclude=exclude
        )
    else:
        if in_fmt == "auto":
            in_fmt = _sniff(src)
        # A conversion drops nothing: unknown ids are refused here, not left out as eval does.
        dets = load_results(src, input_format=in_fmt)
        if gt is not None:
            dets = replace(dets, warnings=(*dets.warnings, *check_against_ground_truth(dets, gt)))
    dropped = 0
    if class_thresholds is not None:
        kept = apply_class_thresholds(dets, class_thresholds)
        dropped, dets = len(dets) - len(kept), kept
    text = coco_results_text(dets) if out_fmt == "coco" else submission_csv_text(dets)
    write_atomic(dst, text)
    return ConvertResult(
        source=src_shown,
        target=dst_shown,
        input_format=in_fmt,
        output_format=out_fmt,
        detections=len(dets),
        images=int(np.unique(dets.image_id).size),
        warnings=dets.warnings,
        dropped=dropped,
    )
