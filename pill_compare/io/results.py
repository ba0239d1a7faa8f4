"""Load and validate detections: COCO results JSON or the competition submission CSV."""

from __future__ import annotations

import csv
import io
import os
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.consistency import restrict_to_ground_truth, suspicious_results
from pill_compare.core import CategoryIdMap, Detections, GroundTruth, expect_type
from pill_compare.errors import InputFormatError, ProblemCollector
from pill_compare.io.files import (
    InputFormat,
    check_input_format,
    decode_text,
    display_path,
    input_bytes,
    is_ascii,
    parse_json,
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
from pill_compare.io.typed_json import decode_results

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

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
        expected = EXPECTED_COCO if fmt == "coco" else "COCO results JSON or submission CSV"
        with input_bytes(source, expected) as data:
            # A valid results list in ASCII (UTF-8 with nothing to check) decodes straight
            # from the bytes: no text copy of the file. Everything else is read as checked text.
            fast = fmt != "csv" and is_ascii(data)
            cols = decode_results(data) if fast else None
            text = None if cols is not None else decode_text(data[:], path, expected)
            del data
        if text is not None:
            if fmt == "auto":
                fmt = sniff_format(source, text)
            if fmt == "coco":
                cols = _coco_columns(text, path, tried_bytes=fast)
            else:
                cols = _csv_columns(text, path)
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
    import pandas as pd

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


def _coco_columns(text: str, path: str, *, tried_bytes: bool = False) -> dict[str, Any]:
    path = display_path(path)
    # A valid results list decodes straight into arrays; anything else (a dict, a bad record, bad
    # JSON) is parsed again by the validating path below, which names every problem.
    # (tried_bytes: the same text failed that decoding as bytes already.)
    cols = None if tried_bytes else decode_results(text)
    if cols is not None:
        return cols
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


def iter_csv_rows(text: str, path: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of CSV text, as cells: the one CSV reader of pillcmp (``load_results`` for eval,
    compare and report, and ``check-submission``), so a file reads the same everywhere.

    It reads as a scorer's ``pandas.read_csv`` does by default: cells as written (``1, "2"``
    gives the cell ``' "2"'``, quotes included, which no number parser accepts; the number
    parsers strip plain spaces), lines split at ``\\r``, ``\\n`` and ``\\r\\n``, and a blank
    line (or one of spaces only) is no row but counts in the line numbers. Rows come one at a
    time, so a caller keeps only what it needs.

    Args:
        text: The whole file.
        path: The file, for messages.

    Yields:
        ``(line, cells)``: the file line (1-based) the row ends on, and its cells.

    Raises:
        InputFormatError: text the csv module cannot split (e.g. a NUL byte), naming the line.
    """
    # newline="": csv itself splits at \r, \n and \r\n (a lone \r otherwise raises csv.Error
    # "new-line character seen in unquoted field").
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if len(row) > 1 or (row and row[0].strip()):  # not a blank line
                yield reader.line_num, row
    except csv.Error as exc:
        raise InputFormatError(
            f"{path}: line {reader.line_num}: not a valid CSV: {exc} ({EXPECTED_CSV})"
        ) from None


#: Rows whose cells are turned into numbers at once when loading a CSV: bounds the memory the
#: cells' text takes (numbers are kept, text only for the cells named in an error).
_CSV_CHUNK_ROWS = 1 << 16


def _csv_columns(text: str, path: str) -> dict[str, Any]:
    path = display_path(path)
    if text.lstrip()[:1] in ("[", "{"):
        raise InputFormatError(
            f"{path}: this is JSON, not CSV; expected {EXPECTED_CSV} "
            "(for a COCO results file read it with input_format='coco' or 'auto')"
        )
    rows = iter_csv_rows(text, path)
    first = next(rows, None)
    if first is None:
        raise InputFormatError(f"{path}: the file is empty, expected {EXPECTED_CSV}")
    header_line, header = first[0], [h.strip() for h in first[1]]
    repeated = sorted(n for n, k in Counter(header).items() if k > 1)
    if repeated:
        raise InputFormatError(
            f"{path}: line {header_line}: the header repeats column(s) "
            f"{show(repeated, 120)}; each column must appear once ({EXPECTED_CSV})"
        )
    width = len(header)
    position = {c: header.index(c) for c in CSV_COLUMNS if c in header}
    extra, problems = ProblemCollector(), ProblemCollector()
    parts: dict[str, list[np.ndarray]] = {c: [] for c in position}
    lines = array("q")

    def flush(cells: dict[str, list[str]], first_row: int) -> None:
        for c, raw in cells.items():
            num, ok = parse_number_cells(raw, integer=c in CSV_ID_COLUMNS)
            bad = ~ok
            if c in ("bbox_w", "bbox_h"):
                bad |= ok & ~(num >= 0)
            bad_rows = np.flatnonzero(bad)
            for i in bad_rows[: problems.limit].tolist():
                why = (
                    f"must be a number >= 0, got {show(raw[i])}"
                    if c in ("bbox_w", "bbox_h")
                    else number_cell_problem(raw[i], integer=c in CSV_ID_COLUMNS)
                )
                problems.add(f"{path}: line {lines[first_row + i]}: '{c}' {why}")
            problems.total += max(0, bad_rows.size - problems.limit)
            parts[c].append(num)
            raw.clear()

    cells: dict[str, list[str]] = {c: [] for c in position}
    start = 0
    for line, row in rows:
        if len(row) > width:
            hint = " (a trailing comma?)" if row[-1] == "" else ""
            extra.add(f"{path}: line {line}: {len(row)} fields, the header has {width}{hint}")
        lines.append(line)
        for c, k in position.items():
            # A row with fewer fields than the header has empty cells at its end (named).
            cells[c].append(row[k] if k < len(row) else "")
        if len(lines) - start == _CSV_CHUNK_ROWS:
            flush(cells, start)
            start = len(lines)
    flush(cells, start)
    # More fields than the header first: such a row shifts or drops cells, and a header broken
    # by it (a lone \r) would otherwise be reported as missing columns.
    extra.raise_if_any(
        InputFormatError,
        f"{path}: {extra.total} line(s) with more fields than the header ({EXPECTED_CSV})",
    )
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise InputFormatError(
            f"{path}: missing column(s) {', '.join(missing)}; found header "
            f"{show(','.join(header), 120)}; expected {EXPECTED_CSV}"
        )
    problems.raise_if_any(InputFormatError, f"{path}: {problems.total} problem(s) in its rows")
    cols = {
        c: np.concatenate(p) if p else np.zeros(0, np.int64 if c in CSV_ID_COLUMNS else np.float64)
        for c, p in parts.items()
    }
    box = np.stack([cols[c] for c in ("bbox_x", "bbox_y", "bbox_w", "bbox_h")], axis=1)
    if not bboxes_in_range(box):
        for i in range(len(box)):
            why = bbox_range_problem(box[i])
            if why:
                problems.add(f"{path}: line {lines[i]}: the box {why}, got {show(box[i].tolist())}")
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
