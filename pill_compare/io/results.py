"""Load and validate detections: COCO results JSON or the competition submission CSV."""

from __future__ import annotations

import csv
import io
import os
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pill_compare.consistency import restrict_to_ground_truth, suspicious_results
from pill_compare.core import CategoryIdMap, Detections, GroundTruth, expect_type
from pill_compare.errors import InputFormatError, ProblemCollector
from pill_compare.io.files import (
    InputFormat,
    check_input_format,
    display_path,
    parse_json,
    read_text,
    sniff_format,
)
from pill_compare.io.ground_truth import looks_like_ground_truth
from pill_compare.io.records import (
    Field,
    bbox_range_problem,
    bboxes_in_range,
    extract_columns,
    number_cell_problem,
    parse_number_cells,
    show,
)

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
_CSV_COLUMN_SET = frozenset(CSV_COLUMNS)
#: Headers wider than this are read column-selectively (only the submission's own columns).
_WIDE_HEADER = 64
#: The integer (int64) columns of the submission CSV.
CSV_ID_COLUMNS = ("annotation_id", "image_id", "category_id")

RESULT_FIELDS = (
    Field("image_id", "id"),
    Field("category_id", "id"),
    Field("bbox", "box"),
    Field("score", "number"),
)


def load_results(
    source: str | os.PathLike[str] | Sequence[Mapping[str, Any]] | pd.DataFrame,
    *,
    gt: GroundTruth | None = None,
    input_format: InputFormat | str = "auto",
    name: str | None = None,
    category_map: CategoryIdMap | None = None,
) -> Detections:
    """Load one model's detections and validate every record.

    Args:
        source: A file (COCO results JSON, a list or ``{"annotations": [...]}``, or a submission
            CSV), or detections in memory: a list of COCO results records
            (``{"image_id", "category_id", "bbox": [x, y, w, h], "score"}``, numpy scalars and
            arrays welcome) or a pandas DataFrame with columns ``image_id``, ``category_id``,
            ``score`` and either ``bbox`` or ``bbox_x, bbox_y, bbox_w, bbox_h``. In-memory
            records get the same validation as a file's records.
        gt: When given, detections whose ``image_id`` or ``category_id`` it lacks are left out,
            as pycocotools does, with one warning naming those ids and their counts;
            ``Detections.left_out`` records what was left out.
        input_format: 'auto' (sniffed from the content), 'coco' or 'csv' (files only).
        name: Display name of the run; defaults to the file stem (``resnet101.json`` →
            'resnet101'), or 'detections' in memory.

    Returns:
        The detections, with ``warnings`` for legal but suspicious content (no detections, all
        scores equal, scores outside [0, 1], boxes that look like xyxy, ids shifted by one,
        ids the ground truth lacks).

    Raises:
        InputFormatError: unreadable file or invalid records (up to 20 listed, with location).
        ConfigError: an unknown ``input_format``.
        TypeError: ``source`` is none of the above, or ``gt`` is not a GroundTruth.

    Example:
        >>> dets = load_results([{"image_id": 1, "category_id": 3, "bbox": [10, 20, 30, 40],
        ...                       "score": 0.9}], name="mine")
        >>> dets
        Detections(name='mine', source='', detections=1, images=1, categories=1, warnings=0)
    """
    if gt is not None:
        expect_type(gt, GroundTruth, "gt", "load it with load_ground_truth(path)")
    fmt = check_input_format(input_format)
    if isinstance(source, (str, os.PathLike)):
        path = display_path(source)  # printable: file names may hold undecodable bytes
        text = read_text(
            source, EXPECTED_COCO if fmt == "coco" else "COCO results JSON or submission CSV"
        )
        if fmt == "auto":
            fmt = sniff_format(source, text)
        cols = _coco_columns(text, path) if fmt == "coco" else _csv_columns(text, path)
        name = name or display_path(Path(source).stem)
    else:
        path, name = "", name or "detections"
        cols = _memory_columns(source, name)
    dets = Detections(
        image_id=cols["image_id"],
        category_id=cols["category_id"],
        bbox=cols["bbox"],
        score=cols["score"],
        annotation_id=cols.get("annotation_id"),
        name=name,
        source=path,
    )
    if category_map is not None:
        expect_type(category_map, CategoryIdMap, "category_map")
        dets = category_map.apply(dets)
    warnings = suspicious_results(dets)
    if gt is not None:
        dets, found = restrict_to_ground_truth(dets, gt)
        warnings += found
    return Detections(**{**dets.__dict__, "warnings": tuple(warnings)})


def _memory_columns(source: Any, name: str) -> dict[str, Any]:
    """Validated columns of in-memory detections (a list of records or a DataFrame)."""
    if isinstance(source, pd.DataFrame):
        label = f"{name} (DataFrame)"
        records = _frame_records(source, label)
    elif isinstance(source, (list, tuple)):
        label = f"{name} (in-memory list)"
        records = [_native_record(r) for r in source]
    else:
        raise TypeError(
            "Expected a file path, a list of COCO results records or a pandas DataFrame, got "
            f"{type(source).__name__}"
        )
    return extract_columns(records, RESULT_FIELDS, path=label, what="detection")


def _native(value: Any) -> Any:
    """numpy scalars and arrays, tuples → the plain Python values a JSON file would give."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return [_native(v) for v in value]
    if isinstance(value, list):
        return [v.item() if isinstance(v, np.generic) else v for v in value]
    return value


def _native_record(record: Any) -> Any:
    if not isinstance(record, Mapping):
        return record  # refused, with its index, by the record validation
    return {k: _native(v) for k, v in record.items()}


def _frame_records(frame: pd.DataFrame, label: str) -> list[dict[str, Any]]:
    columns = {str(c) for c in frame.columns}
    box_cols = ["bbox_x", "bbox_y", "bbox_w", "bbox_h"]
    wanted = ["image_id", "category_id", "score"]
    has_split_box = all(c in columns for c in box_cols)
    missing = [c for c in wanted if c not in columns]
    if "bbox" not in columns and not has_split_box:
        missing.append("bbox (or bbox_x, bbox_y, bbox_w, bbox_h)")
    if missing:
        raise InputFormatError(
            f"{label}: missing column(s) {', '.join(missing)}; found {show(sorted(columns), 120)}; "
            "expected image_id, category_id, bbox_x, bbox_y, bbox_w, bbox_h (or bbox), score"
        )
    cols = {c: frame[c].tolist() for c in wanted}
    if "bbox" in columns:
        cols["bbox"] = [_native(b) for b in frame["bbox"].tolist()]
    else:
        xs = [frame[c].tolist() for c in box_cols]
        cols["bbox"] = [list(b) for b in zip(*xs, strict=True)]
    keys = list(cols)
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols.values(), strict=True)]


def _coco_columns(text: str, path: str) -> dict[str, Any]:
    path = display_path(path)
    doc = parse_json(text, path, EXPECTED_COCO)
    if isinstance(doc, dict):
        if looks_like_ground_truth(doc):
            raise InputFormatError(
                f"{path}: this is a COCO ground-truth file (it has 'images'/'categories'), "
                f"expected {EXPECTED_COCO}; pass it as the ground truth instead"
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
    path = display_path(path)
    if text.lstrip()[:1] in ("[", "{"):
        raise InputFormatError(
            f"{path}: this is JSON, not CSV; expected {EXPECTED_CSV} "
            "(for a COCO results file read it with input_format='coco' or 'auto')"
        )
    # Before pandas: it renames repeats 'x.1', 'x.2', ... (quadratic in their number).
    header = _header_names(text, path)
    found = header
    wide = header is not None and len(header) > _WIDE_HEADER
    if wide:
        # Build only the 8 columns (100,000 columns took pandas 6 s); usecols also drops extra
        # fields without the ParserWarning relied on below, so look for them first.
        _refuse_extra_fields(text, path)
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
                usecols=(lambda c: str(c).strip() in _CSV_COLUMN_SET) if wide else None,
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
            f"{show(','.join(df.columns if found is None else found), 120)}; "
            f"expected {EXPECTED_CSV}"
        )
    problems = ProblemCollector()
    line_of: list[int] = []  # computed on the first bad value only

    def where(i: int) -> str:
        nonlocal line_of
        line_of = line_of or _data_line_numbers(text)
        # A quoted cell spanning lines makes rows and lines differ: then say the row.
        return f"line {line_of[i]}" if i < len(line_of) else f"data row {i + 1}"

    cols: dict[str, np.ndarray] = {}
    for c in CSV_COLUMNS:
        if c not in df.columns:
            continue
        raw = df[c].tolist()
        num, ok = parse_number_cells(raw, integer=c in CSV_ID_COLUMNS)
        bad = ~ok
        if c in ("bbox_w", "bbox_h"):
            bad |= ok & ~(num >= 0)
        for i in np.flatnonzero(bad)[: problems.limit].tolist():
            why = (
                f"must be a number >= 0, got {show(raw[i])}"
                if c in ("bbox_w", "bbox_h")
                else number_cell_problem(raw[i], integer=c in CSV_ID_COLUMNS)
            )
            problems.add(f"{path}: {where(i)}: '{c}' {why}")
        problems.total += max(0, int(bad.sum()) - problems.limit)
        cols[c] = num
    problems.raise_if_any(InputFormatError, f"{path}: {problems.total} problem(s) in its rows")
    box = np.stack([cols[c] for c in ("bbox_x", "bbox_y", "bbox_w", "bbox_h")], axis=1)
    if not bboxes_in_range(box):
        for i in range(len(box)):
            why = bbox_range_problem(box[i])
            if why:
                problems.add(f"{path}: {where(i)}: the box {why}, got {show(box[i].tolist())}")
        problems.raise_if_any(InputFormatError, f"{path}: {problems.total} problem(s) in its rows")
    out: dict[str, Any] = {
        "image_id": cols["image_id"],
        "category_id": cols["category_id"],
        "bbox": box,
        "score": cols["score"],
    }
    if "annotation_id" in cols:
        out["annotation_id"] = cols["annotation_id"]
    return out


def _data_line_numbers(text: str) -> list[int]:
    """1-based file line of each data row: pandas skips blank lines, so row i + 2 can be wrong."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [n for n, line in enumerate(lines, start=1) if line.strip()][1:]


def _header_names(text: str, path: str) -> list[str] | None:
    """The header's column names (stripped), refusing repeats; None when csv cannot read it.

    pandas would rename a repeated column 'x.1' without a word.
    """
    # newline="": csv itself splits at \r, \n and \r\n, as pandas does (a lone \r otherwise
    # raises csv.Error "new-line character seen in unquoted field").
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    try:
        header = next((row for row in reader if row), [])
    except csv.Error:
        return None  # a broken first line: pandas names what is wrong with it
    names = [h.strip() for h in header]
    repeated = sorted(n for n, k in Counter(names).items() if k > 1)
    if repeated:
        raise InputFormatError(
            f"{path}: line {reader.line_num}: the header repeats column(s) "
            f"{show(repeated, 120)}; each column must appear once ({EXPECTED_CSV})"
        )
    return names


def _refuse_extra_fields(text: str, path: str) -> None:
    """Name every line with more fields than the header (slow path: only when there are some)."""
    problems = ProblemCollector()
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    try:
        width = len(next((row for row in reader if row), []))  # pandas skips blank lines
        for row in reader:
            if len(row) > width:
                hint = " (a trailing comma?)" if row[-1] == "" else ""
                problems.add(
                    f"{path}: line {reader.line_num}: {len(row)} fields, the header has "
                    f"{width}{hint}"
                )
    except csv.Error as exc:
        raise InputFormatError(
            f"{path}: line {reader.line_num}: not a valid CSV: {exc} ({EXPECTED_CSV})"
        ) from None
    problems.raise_if_any(
        InputFormatError,
        f"{path}: {problems.total} line(s) with more fields than the header ({EXPECTED_CSV})",
    )
