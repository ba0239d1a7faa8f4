"""Evaluation test helpers: tiny hand-made cases, seeded random COCO data, the pycocotools oracle.

``random_case(seed)`` builds a small ground truth and results list that mix every case the
evaluation must get right: images without GT, declared categories without GT (with and without
detections), crowd regions, GT ``area`` different from w*h and exactly on the 32² / 96² range
bounds, duplicate boxes (IoU ties), score ties, non-contiguous category ids, an empty results
list now and then, and annotation id 0 (a pycocotools quirk).
``coco_oracle`` runs pycocotools COCOeval on the same data and returns what it computed.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from pill_compare.core import Detections, GroundTruth
from pill_compare.io import ground_truth_from_dict

CATEGORY_POOL = (3, 7, 19, 40, 41, 77, 1001)


def box(x: float, y: float, w: float, h: float) -> list[float]:
    return [float(x), float(y), float(w), float(h)]


def gt_doc(
    annotations: list[dict[str, Any]],
    image_ids: list[int] | None = None,
    categories: list[int] | None = None,
) -> dict[str, Any]:
    """A COCO ground truth from annotation dicts (ids assigned 1.. when absent; area w*h)."""
    anns = []
    for i, a in enumerate(annotations, start=1):
        a = dict(a)
        a.setdefault("id", i)
        a.setdefault("iscrowd", 0)
        a.setdefault("area", a["bbox"][2] * a["bbox"][3])
        anns.append(a)
    if image_ids is None:
        image_ids = sorted({a["image_id"] for a in anns})
    if categories is None:
        categories = sorted({a["category_id"] for a in anns})
    return {
        "images": [
            {"id": i, "file_name": f"{i}.png", "width": 640, "height": 480} for i in image_ids
        ],
        "annotations": anns,
        "categories": [{"id": c, "name": f"pill_{c}"} for c in categories],
    }


def detections(records: list[dict[str, Any]], name: str = "model") -> Detections:
    """In-memory Detections from COCO results records (file order kept)."""
    n = len(records)
    return Detections(
        image_id=[r["image_id"] for r in records],
        category_id=[r["category_id"] for r in records],
        bbox=np.array([r["bbox"] for r in records], dtype=np.float64).reshape(n, 4),
        score=[r["score"] for r in records],
        name=name,
    )


def ground_truth(doc: dict[str, Any]) -> GroundTruth:
    return ground_truth_from_dict(doc, source="gt.json")


@dataclass
class Case:
    gt: dict[str, Any]
    results: list[dict[str, Any]]


def random_case(seed: int) -> Case:
    """A small random dataset exercising every evaluation edge case (see module docstring)."""
    rng = np.random.default_rng(seed)
    n_cats = int(rng.integers(1, len(CATEGORY_POOL) + 1))
    cats = sorted(rng.choice(CATEGORY_POOL, size=n_cats, replace=False).tolist())
    n_images = int(rng.integers(1, 7))
    image_ids = sorted(rng.choice(np.arange(1, 60), size=n_images, replace=False).tolist())
    crowd_rate = rng.choice([0.0, 0.15, 0.4])
    scores_pool = np.array([0.1, 0.3, 0.5, 0.5, 0.7, 0.9, 0.9, 1.0])
    annotations: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    # Categories that get GT: sometimes not all of them (declared categories without GT).
    gt_cats = [c for c in cats if rng.random() < 0.8] or cats[:1]
    for image_id in image_ids:
        n_gt = int(rng.integers(0, 6)) if rng.random() > 0.15 else 0
        for _ in range(n_gt):
            w, h = _size(rng)
            x, y = float(rng.integers(0, 200)), float(rng.integers(0, 200))
            area_mode = rng.random()
            if area_mode < 0.6:
                area = w * h
            elif area_mode < 0.8:
                area = float(rng.choice([32.0**2, 96.0**2]))  # exactly on a range bound
            else:
                area = w * h * float(rng.uniform(0.3, 1.5))
            annotations.append(
                {
                    "image_id": image_id,
                    "category_id": int(rng.choice(gt_cats)),
                    "bbox": box(x, y, w, h),
                    "area": area,
                    "iscrowd": int(rng.random() < crowd_rate),
                }
            )
            if rng.random() < 0.1:  # an exact duplicate GT: IoU ties between GTs
                annotations.append(dict(annotations[-1]))
        gts_here = [a for a in annotations if a["image_id"] == image_id]
        n_det = int(rng.integers(0, 12))
        for _ in range(n_det):
            mode = rng.random()
            if gts_here and mode < 0.65:
                g = gts_here[int(rng.integers(len(gts_here)))]
                x, y, w, h = g["bbox"]
                jitter = rng.choice([0.0, 0.0, 1.0, 2.0, 4.0, 8.0])
                dx, dy = rng.integers(-1, 2, size=2) * jitter
                dw, dh = rng.integers(-1, 2, size=2) * jitter
                b = box(x + dx, y + dy, max(1.0, w + dw), max(1.0, h + dh))
                cat = g["category_id"] if rng.random() < 0.8 else int(rng.choice(cats))
            else:
                w, h = _size(rng)
                b = box(rng.integers(0, 200), rng.integers(0, 200), w, h)
                cat = int(rng.choice(cats))
            score = (
                float(rng.choice(scores_pool))
                if rng.random() < 0.7
                else float(np.round(rng.random(), 3))
            )
            results.append({"image_id": image_id, "category_id": cat, "bbox": b, "score": score})
            if rng.random() < 0.1:  # an exact duplicate detection: same box, same score
                results.append(dict(results[-1]))
    if rng.random() < 0.05:
        results = []
    order = rng.permutation(len(results))
    results = [results[i] for i in order]
    for i, a in enumerate(annotations):
        a["id"] = i + 1
    if annotations and rng.random() < 0.1:
        annotations[int(rng.integers(len(annotations)))]["id"] = 0
    if annotations and rng.random() < 0.2:
        perm = rng.permutation(len(annotations))
        annotations = [annotations[i] for i in perm]
    doc = {
        "images": [
            {"id": i, "file_name": f"{i}.png", "width": 640, "height": 480} for i in image_ids
        ],
        "annotations": annotations,
        "categories": [{"id": c, "name": f"pill_{c}"} for c in cats],
    }
    return Case(doc, results)


def _size(rng: np.random.Generator) -> tuple[float, float]:
    """A box size spanning small, medium and large COCO ranges (on a 0.5 px grid)."""
    kind = rng.random()
    if kind < 0.35:
        lo, hi = 2, 32
    elif kind < 0.75:
        lo, hi = 24, 100
    else:
        lo, hi = 90, 200
    w = float(rng.integers(lo * 2, hi * 2)) / 2
    h = float(rng.integers(lo * 2, hi * 2)) / 2
    return w, h


@dataclass
class Oracle:
    stats: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    eval_imgs: list[Any]


def coco_oracle(
    gt: dict[str, Any],
    results: list[dict[str, Any]],
    *,
    iou_thresholds: np.ndarray | None = None,
    max_dets: tuple[int, ...] | None = None,
) -> Oracle:
    """pycocotools COCOeval (bbox) on in-memory data.

    pycocotools' ``loadRes([])`` crashes, so an empty results list gets an empty results COCO
    built by hand (what ``loadRes`` would build if it did not index ``anns[0]``).
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {k: list(v) for k, v in gt.items()}
        coco_gt.createIndex()
        if results:
            coco_dt = coco_gt.loadRes([dict(r) for r in results])
        else:
            coco_dt = COCO()
            coco_dt.dataset = {
                "images": list(gt["images"]),
                "categories": list(gt["categories"]),
                "annotations": [],
            }
            coco_dt.createIndex()
        ev = COCOeval(coco_gt, coco_dt, "bbox")
        if iou_thresholds is not None:
            ev.params.iouThrs = np.asarray(iou_thresholds, dtype=np.float64)
        if max_dets is not None:
            ev.params.maxDets = list(max_dets)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return Oracle(ev.stats.copy(), ev.eval["precision"], ev.eval["recall"], ev.evalImgs)


def hand_case() -> Case:
    """The small case whose operating-point, accuracy and confusion counts are derived by hand.

    GT (categories 1 and 2)::

        image 1: A1 = cat 1 at (0,0,10,10); A2 = cat 1 at (20,0,10,10); B = cat 2 at (40,0,10,10)
        image 2: B2 = cat 2 at (0,0,10,10); a cat-1 crowd region at (50,50,100,100)
        image 3: C = cat 1 at (0,0,10,10)

    Detections (file order)::

        d0 image 1, cat 1, on A1,            score 0.9   TP
        d1 image 1, cat 1, on A1 again,      score 0.8   FP (duplicate)
        d2 image 1, cat 2, on A2,            score 0.7   FP class-aware; wrong label on A2
        d3 image 1, cat 2, on B,             score 0.4   TP, but below s = 0.5
        d4 image 2, cat 1, inside the crowd, score 0.6   absorbed (neither TP nor FP)
        d5 image 2, cat 2, on nothing,       score 0.95  FP (background)
    """
    anns = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": box(20, 0, 10, 10)},
        {"id": 3, "image_id": 1, "category_id": 2, "bbox": box(40, 0, 10, 10)},
        {"id": 4, "image_id": 2, "category_id": 2, "bbox": box(0, 0, 10, 10)},
        {"id": 5, "image_id": 2, "category_id": 1, "bbox": box(50, 50, 100, 100), "iscrowd": 1},
        {"id": 6, "image_id": 3, "category_id": 1, "bbox": box(0, 0, 10, 10)},
    ]
    results = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 0.8},
        {"image_id": 1, "category_id": 2, "bbox": box(20, 0, 10, 10), "score": 0.7},
        {"image_id": 1, "category_id": 2, "bbox": box(40, 0, 10, 10), "score": 0.4},
        {"image_id": 2, "category_id": 1, "bbox": box(60, 60, 10, 10), "score": 0.6},
        {"image_id": 2, "category_id": 2, "bbox": box(100, 0, 10, 10), "score": 0.95},
    ]
    return Case(gt_doc(anns), results)
