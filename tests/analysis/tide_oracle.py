"""tidecv as an oracle for TIDE's error types, and random cases on which tidecv and pillcmp agree.

``tide_oracle`` runs tidecv's ``TIDERun`` (the engine behind ``TIDE.evaluate``) on in-memory COCO
data built with tidecv's own ``Data`` methods, as ``tidecv.datasets.COCO`` / ``COCOResult`` do
from files (minus the masks, which bbox mode never reads). ``TIDE()`` itself is not built: its
``Plotter`` changes matplotlib's global style (``sns.set``), which would leak into other tests.

``tide_comparable(case, seed)`` turns a pycocotools random case (eval_fixtures.random_case) into
one where tidecv's AP and pillcmp's AP50 mean the same thing (see the module docstring of
pill_compare/analysis/error_types.py for the differences): no crowd regions, categories declared
only where there is GT, no detection of a category without GT, no exact duplicate GT boxes (IoU
ties are broken differently), distinct scores (ties are ordered differently), and annotation ids
1.. (pycocotools counts a match to id 0 as a false positive).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from pill_compare.analysis.coco_metrics import RECALL_THRESHOLDS
from tests.analysis.eval_fixtures import Case

#: tidecv's short names → pillcmp's keys.
TIDE_KEYS = {
    "Cls": "cls",
    "Loc": "loc",
    "Both": "both",
    "Dupe": "dupe",
    "Bkg": "bkg",
    "Miss": "miss",
    "FalsePos": "false_pos",
    "FalseNeg": "false_neg",
}


@dataclass
class TideResult:
    ap: float  #: tidecv's mAP at pos_threshold, as a fraction (tidecv reports percent)
    delta_ap: dict[str, float]  #: pillcmp key → ΔAP as a fraction
    counts: dict[str, int]  #: pillcmp key → errors of that type


class _CocoRecallPoints:
    """numpy for ``tidecv.ap`` with pycocotools' 101 recall points in place of tidecv's k / 100.

    ``APDataObject.get_ap`` reads precision at ``np.searchsorted(recalls, x_range)`` with
    ``x_range = [k / 100]``; pycocotools reads it at ``np.linspace(0, 1, 101)``, ten of whose
    points are one ulp above k / 100 (pill_compare/analysis/error_types.py, "Recall points").
    Only that call changes; every other numpy name is numpy's.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)

    @staticmethod
    def searchsorted(a: Any, v: Any, side: str = "left") -> np.ndarray:
        v = np.asarray(v)
        if v.shape == (101,) and np.array_equal(v, np.arange(101) / 100):
            v = RECALL_THRESHOLDS
        return np.searchsorted(a, v, side=side)


@contextmanager
def coco_recall_points() -> Iterator[None]:
    """Within: tidecv's AP reads precision at pycocotools' recall points."""
    import tidecv.ap

    saved = tidecv.ap.np
    tidecv.ap.np = _CocoRecallPoints()
    try:
        yield
    finally:
        tidecv.ap.np = saved


def tide_oracle(
    gt: dict[str, Any],
    results: list[dict[str, Any]],
    *,
    pos_threshold: float = 0.5,
    background_threshold: float = 0.1,
    recall_points: str = "tidecv",
) -> TideResult:
    """tidecv's AP, main and special ΔAP and error counts on a COCO GT dict and results list.

    ``recall_points='pycocotools'`` reads its precision at pycocotools' points (the one
    documented difference that remains on comparable cases; see :func:`coco_recall_points`).
    """
    if recall_points == "pycocotools":
        with coco_recall_points():
            return tide_oracle(
                gt, results, pos_threshold=pos_threshold, background_threshold=background_threshold
            )
    if recall_points != "tidecv":
        raise ValueError(f"Expected recall_points 'tidecv' or 'pycocotools', got {recall_points!r}")
    from tidecv.data import Data
    from tidecv.quantify import TIDE, TIDERun

    gt_data = Data("gt", max_dets=100)
    for image in gt["images"]:
        gt_data.add_image(image["id"], image["file_name"])
    for cat in gt["categories"]:
        gt_data.add_class(cat["id"], cat["name"])
    for ann in gt["annotations"]:
        if ann.get("iscrowd"):
            gt_data.add_ignore_region(ann["image_id"], ann["category_id"], ann["bbox"], None)
        else:
            gt_data.add_ground_truth(ann["image_id"], ann["category_id"], ann["bbox"], None)
    preds = Data("model")
    for det in results:
        preds.add_detection(det["image_id"], det["category_id"], det["score"], det["bbox"], None)

    run = TIDERun(gt_data, preds, pos_threshold, background_threshold, TIDE.BOX, 100, True)
    main = run.fix_main_errors()
    special = run.fix_special_errors()
    counts = run.count_errors()
    delta = {TIDE_KEYS[e.short_name]: v / 100 for e, v in {**main, **special}.items()}
    return TideResult(
        ap=run.ap / 100,
        delta_ap=delta,
        counts={TIDE_KEYS[e.short_name]: n for e, n in counts.items()},
    )


def tide_comparable(case: Case, seed: int) -> Case:
    """The random case restricted to what tidecv and pillcmp score alike (module docstring)."""
    rng = np.random.default_rng(seed)
    anns: list[dict[str, Any]] = []
    seen: set[tuple[int, tuple[float, ...]]] = set()
    for a in case.gt["annotations"]:
        key = (a["image_id"], tuple(a["bbox"]))
        if a["iscrowd"] or key in seen:
            continue
        seen.add(key)
        anns.append({**a, "id": len(anns) + 1})
    gt_cats = {a["category_id"] for a in anns}
    results = [dict(r) for r in case.results if r["category_id"] in gt_cats]
    # Distinct scores, keeping the builder's order where it had one (ties broken at random).
    jitter = rng.permutation(len(results)) * 1e-6
    for r, j in zip(results, jitter, strict=True):
        r["score"] = float(np.round(r["score"] * 0.9 + j, 9))
    gt = {
        "images": list(case.gt["images"]),
        "annotations": anns,
        "categories": [c for c in case.gt["categories"] if c["id"] in gt_cats],
    }
    return Case(gt, results)


def dense_case(seed: int, n_images: int = 20) -> Case:
    """COCO-like density (about 8 GT boxes and 60 detections an image, 12 categories): several
    errors compete for each GT box. Distinct continuous scores, no crowd, detections only of
    categories with GT (so tidecv and pillcmp agree; see tide_comparable)."""
    rng = np.random.default_rng(seed)
    cats = np.arange(1, 13)
    images, anns, results = [], [], []
    for image_id in range(1, n_images + 1):
        images.append({"id": image_id, "file_name": f"{image_id}.jpg", "width": 640, "height": 480})
        n_gt = int(rng.poisson(8))
        side = np.exp(rng.uniform(np.log(8), np.log(300), size=n_gt))
        w, h = side, side * np.exp(rng.uniform(-0.5, 0.5, size=n_gt))
        x, y = rng.uniform(0, 640 - w), rng.uniform(0, 480 - np.minimum(h, 470))
        gt_cat = rng.choice(cats, size=n_gt)
        for j in range(n_gt):
            b = [float(x[j]), float(y[j]), float(w[j]), float(h[j])]
            anns.append({"image_id": image_id, "category_id": int(gt_cat[j]), "bbox": b})
            for _ in range(int(rng.integers(2, 9))):
                jitter = rng.normal(0, 0.15, size=4) * np.r_[w[j], h[j], w[j], h[j]]
                d = np.array(b) + jitter
                d[2:] = np.maximum(d[2:], 1.0)
                cat = int(gt_cat[j]) if rng.random() < 0.75 else int(rng.choice(cats))
                results.append({"image_id": image_id, "category_id": cat, "bbox": d.tolist()})
        for _ in range(int(rng.integers(5, 20))):
            bw, bh = np.exp(rng.uniform(np.log(6), np.log(250), size=2))
            d = [float(rng.uniform(0, 640 - bw)), float(rng.uniform(0, 480 - bh)), bw, bh]
            results.append({"image_id": image_id, "category_id": int(rng.choice(cats)), "bbox": d})
    for r, score in zip(results, rng.random(len(results)), strict=True):
        r["score"] = float(score)
    for i, a in enumerate(anns, start=1):
        a.update(id=i, iscrowd=0, area=a["bbox"][2] * a["bbox"][3])
    gt_cats = sorted({a["category_id"] for a in anns})
    results = [r for r in results if r["category_id"] in gt_cats]
    categories = [{"id": int(c), "name": f"class_{c}"} for c in gt_cats]
    return Case({"images": images, "annotations": anns, "categories": categories}, results)
