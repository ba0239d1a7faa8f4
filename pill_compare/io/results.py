"""Load and validate detections: COCO results JSON or the competition submission CSV."""

from __future__ import annotations

import csv
import io
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import InputFormatError, ProblemCollector
from pill_compare.io.consistency import check_against_ground_truth, suspicious_results
from pill_compare.io.files import (
    InputFormat,
    check_input_format,
    parse_json,
    read_text,
    sniff_format,
)
from pill_compare.io.ground_truth import looks_like_ground_truth
from pill_compare.io.records import Field, extract_columns, show

EXPECTED_COCO = "COCO results JSON (a list of {image_id, category_id, bbox, score})"
EXPECTED_CSV = "submission CSV with header annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score"
CSV_COLUMNS = (
    "annotation_id",
    "image_id",
    "category_id",
    "bbox_x",
    "bbox_y",
    "bbox_w",
    "bbox_h",
    "score",
)
CSV_REQUIRED = CSV_COLUMNS[1:]

RESULT_FIELDS = (
    Field("image_id", "id"),
    Field("category_id", "id"),
    Field("bbox", "bbox"),
    Field("score", "number"),
)


def load_results(
    path: str | os.PathLike[str],
    *,
    gt: GroundTruth | None = None,
    input_format: InputFormat | str = "auto",
    name: str | None = None,
) -> Detections:
    """Load one model's detections and validate every record.

    Args:
        path: COCO results JSON (a list, or ``{"annotations": [...]}``) or submission CSV.
        gt: When given, every ``image_id`` and ``category_id`` must exist in it.
        input_format: 'auto' (sniffed from the content), 'coco' or 'csv'.
        name: Display name of the run; defaults to the file stem (``resnet101.json`` → 'resnet101').

    Returns:
        The detections, with ``warnings`` for legal but suspicious content (no detections, all
        scores equal, scores outside [0, 1], boxes that look like xyxy, ids shifted by one).

    Raises:
        InputFormatError: unreadable file or invalid records (up to 20 listed, with location).
        ConsistencyError: with ``gt``, image or category ids that the ground truth lacks.
        ConfigError: an unknown ``input_format``.
    """
    fmt = check_input_format(input_format)
    text = read_text(
        path, EXPECTED_COCO if fmt == "coco" else "COCO results JSON or submission CSV"
    )
    if fmt == "auto":
        fmt = sniff_format(path, text)
    cols = _coco_columns(text, str(path)) if fmt == "coco" else _csv_columns(text, str(path))
    dets = Detections(
        image_id=cols["image_id"],
        category_id=cols["category_id"],
        bbox=cols["bbox"],
        score=cols["score"],
        annotation_id=cols.get("annotation_id"),
        name=name or Path(path).stem,
        source=str(path),
    )
    warnings = suspicious_results(dets)
    if gt is not None:
        warnings += check_against_ground_truth(dets, gt)
    return Detections(**{**dets.__dict__, "warnings": tuple(warnings)})


def _coco_columns(text: str, path: str) -> dict[str, Any]:
    doc = parse_json(text, path, EXPECTED_COCO)
    if isinstance(doc, dict):
        if looks_like_ground_truth(doc):
            raise InputFormatError(
                f"{path}: this is a COCO ground-truth file (it has 'images'/'categories'), "
                f"expected {EXPECTED_COCO}; pass it with --gt instead"
            )
        if "annotations" not in doc:
            raise InputFormatError(
                f"{path}: expected {EXPECTED_COCO} or an object with an 'annotations' list, "
                f"got an object with keys {show(sorted(doc)[:8])}"
            )
        doc = doc["annotations"]
    if not isinstance(doc, list):
        raise InputFormatError(f"{path}: expected {EXPECTED_COCO}, got {show(doc, 40)}")
    return extract_columns(doc, RESULT_FIELDS, path=path, what="detection")


def _csv_columns(text: str, path: str) -> dict[str, Any]:
    if text.lstrip()[:1] in ("[", "{"):
        raise InputFormatError(
            f"{path}: this is JSON, not CSV; expected {EXPECTED_CSV} "
            "(for a COCO results file use --input-format coco or auto)"
        )
    try:
        # index_col=False: otherwise pandas silently takes the first column as the index when
        # every line has one field more than the header (a trailing comma), shifting all columns.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            df = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                index_col=False,
            )
    except pd.errors.ParserError as exc:
        _refuse_extra_fields(text, path)
        detail = str(exc).replace("Error tokenizing data. C error: ", "").strip()
        raise InputFormatError(f"{path}: not a valid CSV: {detail} ({EXPECTED_CSV})") from None
    except pd.errors.EmptyDataError:
        raise InputFormatError(f"{path}: the file is empty, expected {EXPECTED_CSV}") from None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        _refuse_extra_fields(text, path)  # pandas would drop the extra fields without a word
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in CSV_REQUIRED if c not in df.columns]
    if missing:
        raise InputFormatError(
            f"{path}: missing column(s) {', '.join(missing)}; found header "
            f"{show(','.join(df.columns), 120)}; expected {EXPECTED_CSV}"
        )
    problems = ProblemCollector()
    line_of: list[int] = []  # computed on the first bad value only
    cols: dict[str, np.ndarray] = {}
    kinds = {c: "id" for c in ("annotation_id", "image_id", "category_id")}
    for c in CSV_COLUMNS:
        if c not in df.columns:
            continue
        raw = df[c]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(num)
        expected = "a finite number"
        if kinds.get(c) == "id":
            bad |= num != np.round(num)
            expected = "an integer"
        elif c in ("bbox_w", "bbox_h"):
            bad |= ~(num > 0)
            expected = "a number > 0"
        for i in np.flatnonzero(bad)[: problems.limit].tolist():
            line_of = line_of or _data_line_numbers(text)
            problems.add(
                f"{path}: line {line_of[i]}: '{c}' must be {expected}, got {show(raw.iloc[i])}"
            )
        problems.total += max(0, int(bad.sum()) - problems.limit)
        cols[c] = num
    problems.raise_if_any(InputFormatError, f"{path}: {problems.total} problem(s) in its rows")
    out: dict[str, Any] = {
        "image_id": cols["image_id"].astype(np.int64),
        "category_id": cols["category_id"].astype(np.int64),
        "bbox": np.stack([cols[c] for c in ("bbox_x", "bbox_y", "bbox_w", "bbox_h")], axis=1),
        "score": cols["score"],
    }
    if "annotation_id" in cols:
        out["annotation_id"] = cols["annotation_id"].astype(np.int64)
    return out


def _data_line_numbers(text: str) -> list[int]:
    """1-based file line of each data row: pandas skips blank lines, so row i + 2 can be wrong."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [n for n, line in enumerate(lines, start=1) if line.strip()][1:]


def _refuse_extra_fields(text: str, path: str) -> None:
    """Name every line with more fields than the header (slow path: only when there are some)."""
    problems = ProblemCollector()
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    width = len(next(reader, []))
    for row in reader:
        if len(row) > width:
            hint = " (a trailing comma?)" if row[-1] == "" else ""
            problems.add(
                f"{path}: line {reader.line_num}: {len(row)} fields, the header has {width}{hint}"
            )
    problems.raise_if_any(
        InputFormatError,
        f"{path}: {problems.total} line(s) with more fields than the header ({EXPECTED_CSV})",
    )
