"""Per-class score thresholds: read a thresholds file and keep the detections at or above them.

A thresholds file is what ``pillcmp eval --thresholds-out`` writes (from
:meth:`pill_compare.analysis.lrp.Lrp.thresholds_dict`)::

    {"rule": "olrp", "iou_threshold": 0.5, "name": "resnet101",
     "thresholds": {"1": 0.55, "7": 0.31}}

or just the mapping ``{"1": 0.55, "7": 0.31}``. Keys are category ids, values scores >= 0. A
detection is kept when its class has no threshold in the file or its score >= the threshold.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from pill_compare.core import Detections
from pill_compare.errors import InputFormatError
from pill_compare.io.files import display_path, parse_json, read_text

EXPECTED = "per-class score thresholds JSON"


@dataclass(frozen=True)
class ClassThresholds:
    """Score thresholds per category id.

    Attributes:
        thresholds: category id → score threshold (detections with score >= it are kept).
        rule: The rule that chose them ('olrp', 'f1'), or None when the file does not say.
        source: Where they were read from.
    """

    thresholds: dict[int, float]
    rule: str | None = None
    source: str = ""


def load_class_thresholds(path: str | os.PathLike[str]) -> ClassThresholds:
    """Read a per-class thresholds file (see the module docstring for the format).

    Raises:
        InputFormatError: not JSON, no mapping, a key that is not an integer category id, or a
            value that is not a finite number >= 0 (every problem listed).
    """
    shown = display_path(path)
    doc = parse_json(read_text(path, EXPECTED), path, EXPECTED)
    rule = None
    if isinstance(doc, dict) and isinstance(doc.get("thresholds"), dict):
        rule = doc.get("rule") if isinstance(doc.get("rule"), str) else None
        doc = doc["thresholds"]
    if not isinstance(doc, dict):
        raise InputFormatError(
            f"{shown}: expected a JSON object {{category_id: score threshold}} or the file "
            f"'pillcmp eval --thresholds-out' writes, got {type(doc).__name__}"
        )
    values: dict[int, float] = {}
    problems = []
    for key, value in doc.items():
        cid = _category_id(key)
        if cid is None:
            problems.append(f"key {key!r}: expected an integer category id")
            continue
        if not _is_threshold(value):
            problems.append(
                f"category {cid}: expected a finite score threshold >= 0, got {value!r}"
            )
            continue
        values[cid] = float(value)
    if problems:
        raise InputFormatError(
            f"{shown}: {len(problems)} bad entr{'y' if len(problems) == 1 else 'ies'}; fix them "
            "or write the file again with 'pillcmp eval --thresholds-out'",
            problems=problems[:20],
            total=len(problems),
        )
    return ClassThresholds(thresholds=values, rule=rule, source=shown)


def _category_id(key: str) -> int | None:
    try:
        return int(key)
    except ValueError:
        return None


def _is_threshold(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def apply_class_thresholds(dets: Detections, thresholds: ClassThresholds) -> Detections:
    """The detections whose class has no threshold or whose score >= their class's threshold.

    Args:
        dets: The detections.
        thresholds: Per-class thresholds (e.g. from :func:`load_class_thresholds`).

    Returns:
        A new :class:`~pill_compare.core.Detections` with the kept rows, in file order.

    Example:
        Thresholds {1: 0.5}: a class-1 detection at 0.4 is dropped, one at 0.5 kept, and a
        class-2 detection at 0.1 kept (class 2 has no threshold).
    """
    if not thresholds.thresholds:
        return dets
    ids = np.fromiter(thresholds.thresholds, dtype=np.int64)
    cut = np.fromiter(thresholds.thresholds.values(), dtype=np.float64)
    order = np.argsort(ids)
    ids, cut = ids[order], cut[order]
    at = np.searchsorted(ids, dets.category_id)
    known = at < ids.size
    known[known] = ids[at[known]] == dets.category_id[known]
    limit = np.zeros(len(dets))  # read only where known: a class without threshold keeps all
    limit[known] = cut[at[known]]
    return dets.select((~known) | (dets.score >= limit))
