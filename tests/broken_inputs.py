"""The kinds of breakage real result files carry, made from the bundled sample.

Each builder takes the sample's records (``sample_records('resnet101')``) and returns new
records (or a ground-truth dict) broken in one way, as pill teams' real submissions were: ids
+ 1 (K-number instead of dl_idx), the detector's class index as the id, a permuted id list,
repeated rows, zero-width boxes at the image edge, [x1, y1, x2, y2] / centre + size /
normalized boxes, the training annotations as the ground truth, a ground truth with a quarter
of its boxes deleted.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from tests.conftest import SAMPLE

#: The sample's image size (every image is 976 x 1280 px).
WIDTH, HEIGHT = 976, 1280


def sample_records(name: str) -> list[dict[str, Any]]:
    return json.loads((SAMPLE / f"{name}.json").read_text(encoding="utf-8"))


def sample_gt_dict(name: str = "ground_truth") -> dict[str, Any]:
    return json.loads((SAMPLE / f"{name}.json").read_text(encoding="utf-8"))


def category_ids() -> list[int]:
    """The ground truth's category ids in file order."""
    return [c["id"] for c in sample_gt_dict()["categories"]]


def ids_plus_one(records: list[dict]) -> list[dict]:
    return [{**r, "category_id": r["category_id"] + 1} for r in records]


def class_index(records: list[dict]) -> list[dict]:
    """Each id replaced by its position in the ground truth's category list (0..K-1)."""
    index = {c: i for i, c in enumerate(category_ids())}
    return [{**r, "category_id": index[r["category_id"]]} for r in records]


def permuted_ids(records: list[dict], seed: int = 0) -> list[dict]:
    """Ids mapped through a shuffled copy of the id list (a model trained on another order)."""
    ids = category_ids()
    shuffled = list(np.random.default_rng(seed).permutation(ids))
    mapping = {a: int(b) for a, b in zip(ids, shuffled, strict=True)}
    return [{**r, "category_id": mapping[r["category_id"]]} for r in records]


def repeated_rows(records: list[dict], n: int = 300) -> list[dict]:
    return records + [dict(r) for r in records[:n]]


def zero_width_edge_boxes(records: list[dict]) -> list[dict]:
    """Two boxes clipped to nothing at the right edge (as in a real submission: 976,1255,0,25)."""
    return [
        *records,
        {
            "image_id": 1,
            "category_id": records[0]["category_id"],
            "bbox": [976, 1255, 0, 25],
            "score": 0.31,
        },
        {
            "image_id": 2,
            "category_id": records[1]["category_id"],
            "bbox": [976, 40, 0, 12],
            "score": 0.12,
        },
    ]


def xyxy_boxes(records: list[dict]) -> list[dict]:
    return [{**r, "bbox": [x, y, x + w, y + h]} for r in records for x, y, w, h in [r["bbox"]]]


def cxcywh_boxes(records: list[dict]) -> list[dict]:
    return [
        {**r, "bbox": [x + w / 2, y + h / 2, w, h]} for r in records for x, y, w, h in [r["bbox"]]
    ]


def normalized_boxes(records: list[dict]) -> list[dict]:
    return [
        {**r, "bbox": [x / WIDTH, y / HEIGHT, w / WIDTH, h / HEIGHT]}
        for r in records
        for x, y, w, h in [r["bbox"]]
    ]


def gt_with_deleted_boxes(share: float = 0.25, seed: int = 0) -> tuple[dict, set[int]]:
    """The sample's ground truth with ``share`` of its annotations deleted (seeded); returns the
    dict and the deleted annotation ids."""
    doc = sample_gt_dict()
    rng = np.random.default_rng(seed)
    ann = doc["annotations"]
    drop = set(rng.choice(len(ann), size=int(len(ann) * share), replace=False).tolist())
    deleted = {a["id"] for i, a in enumerate(ann) if i in drop}
    return {**doc, "annotations": [a for i, a in enumerate(ann) if i not in drop]}, deleted
