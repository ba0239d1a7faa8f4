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

from dataclasses import dataclass
from typing import Any

import numpy as np

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


def tide_oracle(
    gt: dict[str, Any],
    results: list[dict[str, Any]],
    *,
    pos_threshold: float = 0.5,
    background_threshold: float = 0.1,
) -> TideResult:
    """tidecv's AP, main and special ΔAP and error counts on a COCO GT dict and results list."""
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
