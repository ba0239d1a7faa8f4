"""Shared helpers: write tiny input files into ``tmp_path`` and build tiny COCO documents.

Import the helpers directly (``from tests.conftest import write_json, gt_dict, det``); the
``runner`` fixture is a typer ``CliRunner`` (stdout and stderr kept apart).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from pill_compare.core import Detections, GroundTruth
from pill_compare.io import ground_truth_from_dict

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def write_json(tmp_path: Path, name: str, obj: Any) -> Path:
    """Write ``obj`` as JSON to ``tmp_path / name`` and return the path."""
    path = tmp_path / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def write_text(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """Write raw text (or bytes) to ``tmp_path / name`` and return the path."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def det(
    image_id: Any,
    category_id: Any,
    bbox: Any = (50.0, 60.0, 30.0, 40.0),
    score: Any = 0.9,
) -> dict[str, Any]:
    """One COCO results record; any field may be given a bad value on purpose.

    The default box is plain xywh (w < x, h < y), so it never trips the xyxy warning.
    """
    return {
        "image_id": image_id,
        "category_id": category_id,
        "bbox": list(bbox) if isinstance(bbox, tuple) else bbox,
        "score": score,
    }


def dets_for(labels: Mapping[int, Sequence[int]]) -> list[dict[str, Any]]:
    """COCO results with one detection per category id listed under each image id.

    Scores are distinct (0.99, 0.98, ...) so no 'all scores equal' warning is raised.
    """
    pairs = [(i, c) for i, cats in labels.items() for c in cats]
    return [det(i, c, score=0.99 - 0.001 * k) for k, (i, c) in enumerate(pairs)]


def make_detections(
    labels: Mapping[int, Sequence[int]], name: str, scores: Sequence[float] | None = None
) -> Detections:
    """In-memory Detections: one per category id listed under each image id (score 0.9)."""
    pairs = [(i, c) for i, cats in labels.items() for c in cats]
    n = len(pairs)
    return Detections(
        image_id=[i for i, _ in pairs],
        category_id=[c for _, c in pairs],
        bbox=np.tile([50.0, 60.0, 30.0, 40.0], (n, 1)),
        score=np.full(n, 0.9) if scores is None else scores,
        name=name,
    )


def gt_dict(
    labels: Mapping[int, Sequence[int]], categories: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """A valid COCO ground truth: one annotation per category id listed under each image id.

    Args:
        labels: image id → category ids annotated on it (repeats give several annotations).
        categories: declared id → name; default: every id used in ``labels``, named 'c<id>'.
    """
    if categories is None:
        categories = {c: f"c{c}" for cats in labels.values() for c in cats}
    annotations = [
        {"image_id": i, "category_id": c, "bbox": [1.0, 2.0, 3.0, 4.0], "area": 12.0, "iscrowd": 0}
        for i, cats in labels.items()
        for c in cats
    ]
    for k, a in enumerate(annotations, start=1):
        a["id"] = k
    return {
        "images": [{"id": i, "file_name": f"{i}.png", "width": 100, "height": 100} for i in labels],
        "annotations": annotations,
        "categories": [
            {"id": c, "name": n, "supercategory": "pill"} for c, n in categories.items()
        ],
    }


def gt_counts_dict(counts: Mapping[int, int], extra_categories: Sequence[int] = ()) -> dict:
    """A COCO ground truth where category c has ``counts[c]`` annotations, each on its own image.

    ``extra_categories`` are declared with no annotation. Categories are named 'c<id>'.
    """
    labels, image_id = {}, 0
    for c, n in counts.items():
        for _ in range(n):
            image_id += 1
            labels[image_id] = [c]
    return gt_dict(labels, {c: f"c{c}" for c in [*counts, *extra_categories]})


def gt_with_counts(counts: Mapping[int, int], extra_categories: Sequence[int] = ()) -> GroundTruth:
    """:func:`gt_counts_dict`, loaded (source 'train.json')."""
    return ground_truth_from_dict(gt_counts_dict(counts, extra_categories), source="train.json")


#: The seed report's training counts: imbalance ratio 88 / 7.
SEED_COUNTS = {33877: 7, 31884: 85, 34596: 88, 25366: 88}


@pytest.fixture
def runner() -> CliRunner:
    # A terminal wide enough that rich never wraps a usage error's box around a long temporary
    # path: no test reads a message that depends on the terminal's width or the path's length.
    return CliRunner(env={"COLUMNS": "400"})
