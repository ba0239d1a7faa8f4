"""Will this submission CSV score? Every rule that breaks a leaderboard score, checked at once.

The submission is ``annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score``, one
detection per line, boxes ``[x, y, w, h]`` in pixels. The rules (:data:`RULES`), with severities:

========================  ==================================================================
rule                      checks (severity)
========================  ==================================================================
``file``                  a readable UTF-8 CSV with rows, each as many fields as the header (error)
``header``                the eight columns are present, named exactly (error); no extra ones,
                          in order (warning)
``numeric``               every field is a finite number; ids are integers (error)
``annotation_id``         unique and > 0 (error)
``score_range``           0 <= score <= 1 (error)
``box_size``              bbox_w > 0 and bbox_h > 0 (error)
``box_inside``            inside the image, 1 px tolerance (warning; error when no pixel of
                          the box is in the image). Needs image sizes.
``box_format``            not normalized to [0, 1] (error); not ``[x1, y1, x2, y2]`` or centre
                          form ``[cx, cy, w, h]`` (error with ground-truth boxes as evidence,
                          else warning)
``category_id``           in the ground truth's categories (error, with a hint when every id is
                          off by one or the ids look like contiguous class indices); labels not
                          shifted by one against the ground truth's labels (warning)
``image_coverage``        no unknown image id (error); every test image has a detection
                          (warning)
``max_per_image``         at most N detections per image (warning)
========================  ==================================================================

Image ids and sizes come from ``test_images`` (a folder; ``image_id`` = the integer file stem:
``17.png`` is image 17, as in the competition's test set; sizes from the file headers) or, without
it, from the ground truth's images. Category ids come from the ground truth.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.consistency import check_against_ground_truth, looks_like_xyxy
from pill_compare.core import Detections, GroundTruth, box_iou_pairs
from pill_compare.errors import ConfigError, PillCompareError
from pill_compare.io.files import display_path, read_text
from pill_compare.io.records import (
    INT64_EXPECTED,
    MAX_COORDINATE,
    id_from_digits,
    number_cell_problem,
    parse_number_cells,
    show,
)
from pill_compare.io.results import CSV_COLUMNS, CSV_ID_COLUMNS, EXPECTED_CSV, iter_csv_rows
from pill_compare.prep.findings import (
    Finding,
    count_severities,
    csv_lines,
    findings_frame,
    listing,
    located,
)
from pill_compare.prep.image_size import index_image_files, read_image_size

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: Every rule, in the order it is checked and reported, with what it checks.
RULES: tuple[tuple[str, str], ...] = (
    ("file", "a readable CSV with detection rows, each as long as the header"),
    ("header", "header is " + ",".join(CSV_COLUMNS)),
    ("numeric", "every field is a finite number; ids are integers"),
    ("annotation_id", "annotation ids are unique and > 0"),
    ("score_range", "0 <= score <= 1"),
    ("box_size", "bbox_w > 0 and bbox_h > 0"),
    ("box_inside", "boxes lie inside their image (1 px tolerance)"),
    (
        "box_format",
        "boxes are pixel [x, y, w, h]: not normalized, not [x1, y1, x2, y2], not centre form",
    ),
    ("category_id", "category ids are the ground truth's, not shifted by one"),
    ("image_coverage", "image ids are the test images: none unknown, none missing"),
    ("max_per_image", "at most N detections per image"),
)
RULE_NAMES = tuple(name for name, _ in RULES)

#: Pixels a box may leave its image by before ``box_inside`` reports it (float rounding).
INSIDE_TOLERANCE = 1.0
#: ``box_format`` without ground truth: share of boxes leaving the image as xywh that makes
#: another reading (under which none leaves it) the likely one.
OVERFLOW_SHARE = 0.2
_BOX_FORMS = {
    "xyxy": "[x1, y1, x2, y2] (convert: w = x2 - x1, h = y2 - y1)",
    "cxcywh": "centre form [cx, cy, w, h] (convert: x = cx - w/2, y = cy - h/2)",
}


@dataclass(frozen=True)
class RuleStatus:
    """One rule's outcome: 'ok', 'error', 'warning', 'info' (its worst finding) or 'skipped'."""

    rule: str
    description: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class SubmissionCheck:
    """The outcome of :func:`check_submission`.

    Attributes:
        source: The submission file.
        reference: What it was checked against ('' when nothing: only file-level rules ran).
        rows: Detection rows read.
        images: Distinct image ids among rows with valid numbers.
        expected_images: Test images known (None without ``gt`` / ``test_images``).
        max_per_image: The per-image limit checked (None: not checked).
        findings: Every finding, in rule order.
        rules: Every rule with its status (and why it was skipped).
    """

    source: str
    reference: str
    rows: int
    images: int
    expected_images: int | None
    max_per_image: int | None
    findings: tuple[Finding, ...]
    rules: tuple[RuleStatus, ...]

    @property
    def ok(self) -> bool:
        """True when no finding is an error: the file will be scored."""
        return not any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reference": self.reference,
            "ok": self.ok,
            "rows": self.rows,
            "images": self.images,
            "expected_images": self.expected_images,
            "max_per_image": self.max_per_image,
            "severities": count_severities(self.findings),
            "rules": [r.__dict__ for r in self.rules],
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: source (the submission), rule, severity, location, message."""
        return findings_frame(self.findings, source=self.source)


@dataclass
class _Table:
    """The parsed CSV: numeric columns (NaN where invalid) and each row's file line."""

    columns: dict[str, np.ndarray]  # (N,) float64, NaN where invalid (ids too, for the checks)
    ids: dict[str, np.ndarray]  # (N,) int64, exact, 0 where invalid: the id columns only
    raw: dict[str, tuple[str, ...]]
    line: np.ndarray  # (N,) int, 1-based file line of each row
    valid: np.ndarray  # (N,) bool: every present column holds a valid value, the box in range
    huge_box: np.ndarray  # (N,) bool: valid numbers, a coordinate beyond ±MAX_COORDINATE


def check_submission(
    path: str | os.PathLike[str],
    *,
    gt: GroundTruth | None = None,
    test_images: str | os.PathLike[str] | None = None,
    max_per_image: int | None = 4,
) -> SubmissionCheck:
    """Check a submission CSV against every rule in :data:`RULES`; never raises for bad content.

    Args:
        path: The submission CSV.
        gt: Ground truth: its categories are the allowed ids; without ``test_images`` its images
            are the expected image ids and sizes; its boxes, where it has some on the submission's
            images, are the evidence for the ``box_format`` rule.
        test_images: Folder of test images: ``image_id`` = integer file stem, sizes from headers.
        max_per_image: Most detections allowed per image; None to skip the rule.

    Returns:
        A :class:`SubmissionCheck`; ``.ok`` is False when any finding is an error.

    Raises:
        ConfigError: ``max_per_image`` < 1.
        InputFormatError: ``test_images`` is not a folder.
    """
    if max_per_image is not None and max_per_image < 1:
        raise ConfigError(f"must be >= 1, got {max_per_image}", param="max_per_image")
    source = display_path(path)
    findings: list[Finding] = []
    skipped: dict[str, str] = {}
    expected, sizes, reference = _reference(gt, test_images, findings)

    table = _read_table(Path(path), findings, skipped)
    if table is not None:
        _check_values(table, findings)
        # Boxes are within ±MAX_COORDINATE, so every reading (x2 - x1, cx - w / 2) and IoU stays
        # finite; the errstate keeps any numpy warning from reaching the user all the same.
        with np.errstate(over="ignore", invalid="ignore"):
            _check_boxes(table, sizes, gt, findings, skipped)
        _check_categories(table, gt, findings, skipped)
        _check_images(table, expected, findings, skipped)
        _check_per_image(table, max_per_image, findings, skipped)
    else:
        skipped |= {r: "the file could not be read as a CSV" for r in RULE_NAMES if r != "file"}

    order = {name: i for i, name in enumerate(RULE_NAMES)}
    findings.sort(key=lambda f: order[f.rule])
    valid_images = (
        np.unique(table.ids["image_id"][table.valid]).size
        if table is not None and "image_id" in table.ids
        else 0
    )
    return SubmissionCheck(
        source=source,
        reference=reference,
        rows=0 if table is None else len(table.line),
        images=int(valid_images),
        expected_images=None if expected is None else len(expected),
        max_per_image=max_per_image,
        findings=tuple(findings),
        rules=_statuses(findings, skipped, max_per_image),
    )


def _statuses(
    findings: list[Finding], skipped: dict[str, str], max_per_image: int | None
) -> tuple[RuleStatus, ...]:
    rank = {"error": 0, "warning": 1, "info": 2}
    out = []
    for name, description in RULES:
        if name == "max_per_image" and max_per_image is not None:
            description = description.replace("N", str(max_per_image))
        severities = sorted((f.severity for f in findings if f.rule == name), key=rank.get)
        if severities:
            status, note = severities[0], skipped.get(name, "")
        elif name in skipped:
            status, note = "skipped", skipped[name]
        else:
            status, note = "ok", ""
        out.append(RuleStatus(name, description, status, note))
    return tuple(out)


def _reference(
    gt: GroundTruth | None, test_images: str | os.PathLike[str] | None, findings: list[Finding]
) -> tuple[set[int] | None, dict[int, tuple[float, float]], str]:
    """Expected image ids, known image sizes, and a description of where they came from."""
    parts = []
    if gt is not None:
        parts.append(f"ground truth {gt.source or '(in memory)'}")
    if test_images is not None:
        parts.append(f"test images in {display_path(test_images)}")
        ids, sizes = _test_image_table(test_images, findings)
        return ids, sizes, " and ".join(parts)
    if gt is None:
        return None, {}, ""
    imgs = gt.images
    known = np.isfinite(imgs.width) & np.isfinite(imgs.height)
    sizes = {
        int(i): (float(w), float(h))
        for i, w, h in zip(imgs.id[known], imgs.width[known], imgs.height[known], strict=True)
    }
    return set(imgs.id.tolist()), sizes, " and ".join(parts)


def _test_image_table(
    directory: str | os.PathLike[str], findings: list[Finding]
) -> tuple[set[int], dict[int, tuple[float, float]]]:
    files, _ = index_image_files(directory)
    ids: dict[int, str] = {}
    sizes: dict[int, tuple[float, float]] = {}
    not_ids, repeated, unreadable = [], [], []
    for name, path in files.items():
        image_id = id_from_digits(path.stem)
        if image_id is None:
            not_ids.append(name)
            continue
        if image_id in ids:
            repeated.append(f"{name} and {ids[image_id]}")
            continue
        ids[image_id] = name
        try:
            w, h = read_image_size(path)
        except PillCompareError:
            unreadable.append(name)
            continue
        sizes[image_id] = (float(w), float(h))
    notes = (
        (
            not_ids,
            "name(s) are not an integer image id (image_id is the file stem: 17.png is 17); ignored",
        ),
        (repeated, "file(s) give the same image id; the first is used"),
        (unreadable, "file(s) have no readable size in their header; their boxes are not checked"),
    )
    for names, what in notes:
        if names:
            findings.append(
                Finding(
                    "image_coverage",
                    "warning",
                    f"{display_path(directory)}: {listing(names, 5)}",
                    f"{len(names)} test image {what}",
                )
            )
    if not ids:
        findings.append(
            Finding(
                "image_coverage",
                "error",
                display_path(directory),
                "no test image named by an integer id (expected files such as 1.png, 2.png)",
            )
        )
    return set(ids), sizes


def _read_table(path: Path, findings: list[Finding], skipped: dict[str, str]) -> _Table | None:
    """Parse the CSV with exact line numbers; header and row-shape rules are checked here."""
    shown = display_path(path)
    try:
        text = read_text(path, EXPECTED_CSV)
    except PillCompareError as exc:
        findings.append(Finding("file", "error", shown, exc.message))
        return None
    if text.lstrip()[:1] in ("[", "{"):
        findings.append(
            Finding(
                "file",
                "error",
                shown,
                "this is JSON (a COCO results file?), not a submission CSV; convert it with "
                f"`pillcmp convert {shown} submission.csv`",
            )
        )
        return None
    try:
        # The loaders' own reader (io.results.iter_csv_rows): a file reads the same here as in
        # eval, compare and report (cells as written, blank lines left out).
        rows = list(iter_csv_rows(text, shown))
    except PillCompareError as exc:
        findings.append(Finding("file", "error", shown, exc.message))
        return None
    if not rows:
        findings.append(Finding("file", "error", shown, "no header and no rows, only blank lines"))
        return None
    header_line, header = rows[0]
    body = rows[1:]
    names = [h.strip() for h in header]
    if parse_number_cells(names)[1].all():
        findings.append(
            Finding(
                "header",
                "error",
                f"line {header_line}",
                f"no header line: the first line is data ({show(','.join(header))}); "
                f"add the header {','.join(CSV_COLUMNS)}",
            )
        )
        names, body = [], rows
    else:
        _check_header(header, names, header_line, findings)
    if not body:
        findings.append(Finding("file", "error", shown, "no detection rows, only a header"))
    ragged = [line for line, row in body if len(row) != len(header)]
    if ragged and names:
        findings.append(
            Finding(
                "file",
                "error",
                csv_lines(ragged),
                f"{len(ragged)} row(s) do not have the header's {len(header)} fields; "
                "these rows are left out of the other checks",
            )
        )
    position = {}
    for i, n in enumerate(names):
        position.setdefault(n, i)  # the first of repeated names (an error reported above)
    present = [c for c in CSV_COLUMNS if c in position]
    for c in CSV_COLUMNS:
        if c not in present:
            for rule in _RULE_COLUMNS.get(c, ()):
                skipped.setdefault(rule, f"column {c} is missing")
    if ragged or not names:
        body = [(line, row) for line, row in body if len(row) == len(header)] if names else []
    fields = list(zip(*(row for _, row in body), strict=True)) or [()] * len(header)
    raw = {c: fields[position[c]] for c in present}
    # The one number grammar of every command (io.records.parse_number_cells): check-submission
    # accepts exactly what the loaders accept.
    columns, ids, valid = {}, {}, np.ones(len(body), dtype=bool)
    for c in present:
        values, ok = parse_number_cells(raw[c], integer=c in CSV_ID_COLUMNS)
        if c in CSV_ID_COLUMNS:
            ids[c] = values
            values = np.where(ok, values.astype(np.float64), np.nan)
        columns[c] = values
        valid &= ok
    huge_box = np.zeros(len(body), dtype=bool)
    box_columns = ("bbox_x", "bbox_y", "bbox_w", "bbox_h")
    if all(c in columns for c in box_columns):
        box = np.stack([columns[c] for c in box_columns], axis=1)
        with np.errstate(invalid="ignore"):  # NaN marks invalid cells, already not valid
            huge_box = valid & (np.abs(box) > MAX_COORDINATE).any(axis=1)
        valid &= ~huge_box
    return _Table(
        columns=columns,
        ids=ids,
        raw=raw,
        line=np.array([line for line, _ in body], dtype=np.int64),
        valid=valid,
        huge_box=huge_box,
    )


# Which rules need which column (a rule is skipped when one of its columns is missing).
_RULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "annotation_id": ("annotation_id",),
    "image_id": ("box_inside", "image_coverage", "max_per_image"),
    "category_id": ("category_id",),
    "bbox_x": ("box_inside", "box_format"),
    "bbox_y": ("box_inside", "box_format"),
    "bbox_w": ("box_size", "box_inside", "box_format"),
    "bbox_h": ("box_size", "box_inside", "box_format"),
    "score": ("score_range",),
}


def _valid(values: np.ndarray) -> np.ndarray:
    """(N,) bool: the cell held a valid value (invalid cells were parsed as NaN)."""
    return np.isfinite(values)


def _unknown(t: _Table, column: str, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose valid id in ``column`` is not in ``allowed``, and those ids (sorted, int64)."""
    ids = t.ids[column]
    rows = np.flatnonzero(_valid(t.columns[column]) & ~np.isin(ids, allowed))
    return rows, np.unique(ids[rows])


def _cut(text: str, limit: int = 120) -> str:
    """``text`` cut to ``limit`` characters with '...' (a header can have 100,000 columns)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_header(header: list[str], names: list[str], line: int, findings: list[Finding]) -> None:
    where = f"line {line}"
    separator = next((sep for sep in (";", "\t", "|") if len(names) == 1 and sep in names[0]), None)
    if separator is not None:
        findings.append(
            Finding(
                "header",
                "error",
                where,
                f"the file is separated by {separator!r}, not by commas (header "
                f"{show(names[0])}); save it as comma-separated with '.' as decimal point",
            )
        )
        return
    missing = [c for c in CSV_COLUMNS if c not in names]
    if missing:
        findings.append(
            Finding(
                "header",
                "error",
                where,
                f"missing column(s) {', '.join(missing)}; found {_cut(','.join(names))}; "
                f"expected {','.join(CSV_COLUMNS)}",
            )
        )
    # Linear in the header's width: a 100,000-column header is checked in milliseconds.
    repeated = sorted(n for n, k in Counter(names).items() if k > 1)
    if repeated:
        findings.append(
            Finding(
                "header",
                "error",
                where,
                f"repeated column(s) {_cut(listing(repeated))}; "
                "each column must appear once (the first is checked)",
            )
        )
    expected = set(CSV_COLUMNS)
    extra = [n for n in names if n not in expected]
    if extra:
        findings.append(
            Finding(
                "header",
                "warning",
                where,
                f"extra column(s) {_cut(listing(extra))}; a scorer may refuse them",
            )
        )
    spaced = [h for h in header if h != h.strip()]
    if spaced:
        findings.append(
            Finding(
                "header",
                "error",
                where,
                f"column name(s) with spaces: {show(spaced)}; scorers match names exactly "
                "(' score' is not 'score'): remove the spaces",
            )
        )
    ordered = [n for n in names if n in expected]
    if not missing and not repeated and ordered != list(CSV_COLUMNS):
        findings.append(
            Finding(
                "header",
                "warning",
                where,
                f"columns are in another order ({','.join(ordered)}); expected {','.join(CSV_COLUMNS)}",
            )
        )


def _check_values(t: _Table, findings: list[Finding]) -> None:
    """numeric, annotation_id, score_range, box_size."""
    import pandas as pd

    for c, values in t.columns.items():
        integer = c in CSV_ID_COLUMNS
        bad = ~_valid(values)
        if bad.any():
            idx = np.flatnonzero(bad)
            examples = ", ".join(f"{show(t.raw[c][i].strip())} (line {t.line[i]})" for i in idx[:3])
            expected = "a finite number"
            if integer:
                problems = [number_cell_problem(t.raw[c][i], integer=True) for i in idx[:3]]
                large = any(p.startswith(f"must be {INT64_EXPECTED}") for p in problems)
                expected = INT64_EXPECTED if large else "an integer"
            findings.append(
                Finding(
                    "numeric",
                    "error",
                    csv_lines(t.line[idx]),
                    f"'{c}' must be {expected}: {idx.size} value(s) are not, e.g. {examples}",
                )
            )
    if t.huge_box.any():
        idx = np.flatnonzero(t.huge_box)
        findings.append(
            Finding(
                "box_size",
                "error",
                csv_lines(t.line[idx]),
                f"{idx.size} box(es) with a coordinate beyond ±{MAX_COORDINATE:g} px "
                f"(e.g. line {t.line[idx[0]]}): box arithmetic (x + w, w * h, IoU) overflows "
                "there, and no image is this large",
            )
        )
    if "annotation_id" in t.columns:
        ok = _valid(t.columns["annotation_id"])
        ids = t.ids["annotation_id"]
        nonpositive = np.flatnonzero(ok & (ids <= 0))
        if nonpositive.size:
            findings.append(
                Finding(
                    "annotation_id",
                    "error",
                    csv_lines(t.line[nonpositive]),
                    f"{nonpositive.size} annotation id(s) <= 0 (e.g. {ids[nonpositive[0]]}); "
                    "ids must be positive: number the rows 1..N",
                )
            )
        frame = pd.DataFrame({"id": ids[ok], "line": t.line[ok]})
        dup = frame[frame.duplicated("id", keep=False)]
        if len(dup):
            groups = dup.groupby("id", sort=True)["line"].apply(list)
            shown = "; ".join(
                f"{int(i)} on lines {', '.join(map(str, lines))}"
                for i, lines in groups.head(5).items()
            )
            more = f" (+{len(groups) - 5} more ids)" if len(groups) > 5 else ""
            findings.append(
                Finding(
                    "annotation_id",
                    "error",
                    csv_lines(sorted(dup["line"])),
                    f"{len(groups)} annotation id(s) used more than once: {shown}{more}; "
                    "ids must be unique: number the rows 1..N",
                )
            )
    if "score" in t.columns:
        s = t.columns["score"]
        out = np.flatnonzero(np.isfinite(s) & ((s < 0) | (s > 1)))
        if out.size:
            low, high = float(np.nanmin(s)), float(np.nanmax(s))
            hint = " Logits? apply a sigmoid." if low < 0 else ""
            hint += " Percentages? divide by 100." if high <= 100 and np.nanmedian(s) > 1 else ""
            findings.append(
                Finding(
                    "score_range",
                    "error",
                    csv_lines(t.line[out]),
                    f"{out.size} score(s) outside [0, 1] (min {low:g}, max {high:g}).{hint}",
                )
            )
    if "bbox_w" in t.columns and "bbox_h" in t.columns:
        w, h = t.columns["bbox_w"], t.columns["bbox_h"]
        bad = np.flatnonzero(np.isfinite(w) & np.isfinite(h) & ((w <= 0) | (h <= 0)))
        if bad.size:
            i = bad[0]
            findings.append(
                Finding(
                    "box_size",
                    "error",
                    csv_lines(t.line[bad]),
                    f"{bad.size} box(es) with bbox_w <= 0 or bbox_h <= 0 (e.g. w={w[i]:g}, "
                    f"h={h[i]:g} on line {t.line[i]}); these can never match",
                )
            )


def _boxes(t: _Table) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows with valid numbers in every box column (and image id): (row indices, (n, 4))."""
    needed = ("image_id", "bbox_x", "bbox_y", "bbox_w", "bbox_h")
    if not all(c in t.columns for c in needed):
        return None
    idx = np.flatnonzero(t.valid)
    box = np.stack([t.columns[c][idx] for c in needed[1:]], axis=1)
    return idx, box


def _as_xywh(box: np.ndarray, form: str) -> np.ndarray:
    """Read an (n, 4) array as ``form`` ('xywh', 'xyxy', 'cxcywh') and return it as xywh."""
    a, b, c, d = box.T
    if form == "xyxy":
        return np.stack([a, b, c - a, d - b], axis=1)
    if form == "cxcywh":
        return np.stack([a - c / 2, b - d / 2, c, d], axis=1)
    return box


def _overflow(box: np.ndarray, size: np.ndarray) -> np.ndarray:
    """(n,) bool: the xywh box is empty or leaves its image by more than the tolerance."""
    x, y, w, h = box.T
    tol = INSIDE_TOLERANCE
    return (
        (w <= 0)
        | (h <= 0)
        | (x < -tol)
        | (y < -tol)
        | (x + w > size[:, 0] + tol)
        | (y + h > size[:, 1] + tol)
    )


def _check_boxes(
    t: _Table,
    sizes: dict[int, tuple[float, float]],
    gt: GroundTruth | None,
    findings: list[Finding],
    skipped: dict[str, str],
) -> None:
    """box_inside and box_format."""
    got = _boxes(t)
    if got is None:
        return
    idx, box = got
    image_id = t.ids["image_id"][idx]
    positive = (box[:, 2] > 0) & (box[:, 3] > 0)
    if box.size and np.all((box >= 0) & (box <= 1)):
        findings.append(
            Finding(
                "box_format",
                "error",
                "",
                "every box value lies in [0, 1]: the boxes look normalized (YOLO style); "
                "multiply x and w by the image width, y and h by its height "
                "(`pillcmp convert` does this for YOLO txt folders)",
            )
        )
        skipped.setdefault("box_inside", "the boxes look normalized")
        return
    known = np.array([int(i) in sizes for i in image_id], dtype=bool) & positive
    if not sizes:
        skipped.setdefault(
            "box_inside",
            "no image sizes: give the test images, or a ground truth with width/height",
        )
    elif known.any():
        size = np.array([sizes[int(i)] for i in image_id[known]], dtype=np.float64)
        x, y, w, h = box[known].T
        outside = _overflow(box[known], size)
        disjoint = (x >= size[:, 0]) | (y >= size[:, 1]) | (x + w <= 0) | (y + h <= 0)
        lines = t.line[idx[known]]
        if disjoint.any():
            findings.append(
                Finding(
                    "box_inside",
                    "error",
                    csv_lines(lines[disjoint]),
                    f"{int(disjoint.sum())} box(es) lie wholly outside their image; they can never match",
                )
            )
        partly = outside & ~disjoint
        if partly.any():
            findings.append(
                Finding(
                    "box_inside",
                    "warning",
                    csv_lines(lines[partly]),
                    f"{int(partly.sum())} box(es) leave their image by more than "
                    f"{INSIDE_TOLERANCE:g} px; clip them to the image",
                )
            )
    finding = _gt_box_evidence(image_id[positive], box[positive], gt)
    if finding is None and known.any():
        finding = _overflow_evidence(box[known], image_id[known], sizes)
    if finding is None:
        finding = _xyxy_pattern(box)
    if finding is not None:
        findings.append(finding)


def _gt_box_evidence(
    image_id: np.ndarray, box: np.ndarray, gt: GroundTruth | None
) -> Finding | None:
    """Error when another box reading overlaps the ground truth far better than xywh does.

    For each reading, the median over detections of the best IoU with a ground-truth box of the
    same image (any class). A reading wins when its median is >= 0.5 and xywh's is below half of it.
    """
    if gt is None or not len(gt.annotations) or not len(image_id):
        return None
    a = gt.annotations
    on_gt = np.isin(image_id, a.image_id)
    if on_gt.sum() < 1:
        return None
    medians = {
        form: _median_best_iou(image_id[on_gt], _as_xywh(box[on_gt], form), a.image_id, a.bbox)
        for form in ("xywh", "xyxy", "cxcywh")
    }
    best = max(("xyxy", "cxcywh"), key=medians.get)
    if medians[best] >= 0.5 and medians["xywh"] < medians[best] / 2:
        return Finding(
            "box_format",
            "error",
            "",
            f"the boxes look like {_BOX_FORMS[best]}: read that way their median best IoU with "
            f"the ground truth is {medians[best]:.2f}, read as [x, y, w, h] {medians['xywh']:.2f} "
            f"({int(on_gt.sum())} detections on ground-truth images)",
        )
    return None


def _median_best_iou(
    image_id: np.ndarray, box: np.ndarray, gt_image_id: np.ndarray, gt_box: np.ndarray
) -> float:
    """Median over detections of the highest IoU with any ground-truth box on the same image."""
    import pandas as pd

    dets = pd.DataFrame({"image_id": image_id, "det": np.arange(len(image_id))})
    gts = pd.DataFrame({"image_id": gt_image_id, "gt": np.arange(len(gt_image_id))})
    pairs = dets.merge(gts, on="image_id")
    # The one IoU (pycocotools' bbIou); a box with w or h <= 0 under a reading overlaps
    # nothing, so it gets IoU 0.
    iou = box_iou_pairs(box[pairs["det"].to_numpy()], gt_box[pairs["gt"].to_numpy()])
    best = pd.Series(iou).groupby(pairs["det"].to_numpy()).max()
    return float(best.median())


def _overflow_evidence(
    box: np.ndarray, image_id: np.ndarray, sizes: dict[int, tuple[float, float]]
) -> Finding | None:
    """Warning when many boxes leave the image as xywh but none under another reading."""
    if len(box) < 5:
        return None
    size = np.array([sizes[int(i)] for i in image_id], dtype=np.float64)
    share = float(_overflow(box, size).mean())
    if share < OVERFLOW_SHARE:
        return None
    fits = [f for f in ("xyxy", "cxcywh") if not _overflow(_as_xywh(box, f), size).any()]
    if len(fits) != 1:
        return None
    return Finding(
        "box_format",
        "warning",
        "",
        f"{share:.0%} of the boxes leave their image when read as [x, y, w, h], none when read "
        f"as {_BOX_FORMS[fits[0]]}",
    )


def _xyxy_pattern(box: np.ndarray) -> Finding | None:
    """Warning when the boxes look like xyxy (:func:`pill_compare.consistency.looks_like_xyxy`)."""
    if looks_like_xyxy(box):
        return Finding(
            "box_format",
            "warning",
            "",
            "every box has bbox_w > bbox_x and bbox_h > bbox_y: the boxes look like "
            f"{_BOX_FORMS['xyxy']}",
        )
    return None


def _check_categories(
    t: _Table, gt: GroundTruth | None, findings: list[Finding], skipped: dict[str, str]
) -> None:
    if gt is None:
        skipped.setdefault("category_id", "no ground truth: the allowed category ids are unknown")
        return
    if "category_id" not in t.columns:
        return
    cat = t.ids["category_id"]
    ok = _valid(t.columns["category_id"])
    allowed = gt.category_ids
    unknown_rows, unknown = _unknown(t, "category_id", allowed)
    if unknown_rows.size:
        findings.append(
            Finding(
                "category_id",
                "error",
                csv_lines(t.line[unknown_rows]),
                f"{unknown_rows.size} detection(s) with {unknown.size} category id(s) not in the "
                f"ground truth: {listing(unknown.tolist())}; they score zero."
                + _category_hint(np.unique(cat[ok]), np.sort(allowed)),
            )
        )
        return
    got = _boxes(t)
    if got is None or not t.valid.any():
        return
    idx, box = got
    known = np.isin(t.ids["image_id"][idx], gt.images.id)
    dets = Detections(
        image_id=t.ids["image_id"][idx][known],
        category_id=cat[idx][known],
        bbox=box[known],
        score=np.zeros(int(known.sum())),
        source=str(t.line.size and "the submission"),
    )
    for warning in check_against_ground_truth(dets, gt):  # every id is known: only warnings
        findings.append(Finding("category_id", "warning", "", warning.split(": ", 1)[-1]))


def _category_hint(used: np.ndarray, allowed: np.ndarray) -> str:
    for shift in (1, -1):
        if np.isin(used + shift, allowed).all():
            fix = "add 1 to" if shift == 1 else "subtract 1 from"
            return (
                f" Every id becomes a ground-truth id after adding {shift:+d}: the K-code vs "
                f"dl_idx mix-up (dl_idx = K-number - 1); {fix} every category_id."
            )
    n = allowed.size
    for start in (0, 1):
        contiguous = np.arange(start, start + n)
        if np.isin(used, contiguous).all() and not np.array_equal(allowed, contiguous):
            shown = ", ".join(f"{start + i} → {c}" for i, c in enumerate(allowed[:3].tolist()))
            return (
                f" The ids look like contiguous class indices ({start}..{start + n - 1}), not "
                f"category ids: map each index to its category id, e.g. in ground-truth order "
                f"{shown}, ... (a class map does this when converting YOLO predictions)."
            )
    return ""


def _check_images(
    t: _Table, expected: set[int] | None, findings: list[Finding], skipped: dict[str, str]
) -> None:
    if expected is None:
        skipped.setdefault(
            "image_coverage", "no ground truth or test images: the test image ids are unknown"
        )
        return
    if "image_id" not in t.columns:
        return
    image = t.ids["image_id"]
    ok = _valid(t.columns["image_id"])
    expected_ids = np.array(sorted(expected), dtype=np.int64)
    unknown_rows, unknown = _unknown(t, "image_id", expected_ids)
    if unknown_rows.size:
        findings.append(
            Finding(
                "image_coverage",
                "error",
                csv_lines(t.line[unknown_rows]),
                f"{unknown_rows.size} detection(s) on {unknown.size} image id(s) that are not test "
                f"images: {listing(unknown.tolist())}",
            )
        )
    missing = np.setdiff1d(expected_ids, image[ok])
    if missing.size:
        findings.append(
            Finding(
                "image_coverage",
                "warning",
                located("image id", missing.tolist()),
                f"{missing.size} of {expected_ids.size} test image(s) have no detection "
                "(every pill on them counts as missed)",
            )
        )


def _check_per_image(
    t: _Table, limit: int | None, findings: list[Finding], skipped: dict[str, str]
) -> None:
    if limit is None:
        skipped.setdefault("max_per_image", "no limit given")
        return
    if "image_id" not in t.columns:
        return
    ok = _valid(t.columns["image_id"])
    ids, counts = np.unique(t.ids["image_id"][ok], return_counts=True)
    over = counts > limit
    if over.any():
        shown = [
            f"{i} ({n})" for i, n in zip(ids[over].tolist(), counts[over].tolist(), strict=True)
        ]
        findings.append(
            Finding(
                "max_per_image",
                "warning",
                located("image id", shown),
                f"{int(over.sum())} image(s) have more than {limit} detections (count in brackets); "
                f"if the competition takes at most {limit} per image, keep the {limit} "
                "highest-scoring",
            )
        )
