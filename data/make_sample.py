"""Generate the bundled synthetic sample in data/sample/ (deterministic: same bytes every run).

    python data/make_sample.py                      # rewrites data/sample/*
    python data/make_sample.py --train-photos DIR   # only the training split's photos, into DIR
    python data/make_sample.py --pill-files DIR     # only the per-pill files of the ground truth

What it makes (see data/README.md):
* ground_truth.json — COCO ground truth: 976x1280 images with 3-4 distinct pills each,
  non-contiguous pill category ids (dl_idx = K-number - 1, as in the seed report), and an
  imbalanced class distribution whose largest class has 88 annotations and smallest 7
  (by construction, so that the seed's index 88 / 7 = 12.57 can be reproduced). Every
  annotation carries its pill's AIHub fields under ``attributes`` (``drug_shape``,
  ``color_class1``, ``print_front``, ...), exactly as ``pillcmp merge`` writes them from the
  per-pill files (``--pill-files``); a few classes (``NO_IMPRINT``) have no imprint.
* efficientnet_b3.json, resnet101.json — COCO results of two synthetic "models": each GT pill is
  detected with some probability, its box jittered, its class sometimes swapped for a
  look-alike of the same shape and colour (efficientnet_b3 far more often: 10223→25366,
  30307→34596, 19231→22073, the seed's one-sided categories), plus a few low-score false
  positives.
* overconfident.json — a third run whose scores sit in 0.8-1 while 4 boxes in 10 are wrong:
  the over-confident run calibration (D-ECE) must flag.
* resnet101_submission.csv — resnet101.json in the competition submission CSV format.
* train_annotations.json — COCO ground truth of a training split (for ``compare``'s training
  support): its own images (ids from 10001, names ``train_…``) with 1-2 pills each, the same
  categories, per-class counts perturbed from the evaluation ones and clipped to 7..88 (so its
  index is the seed's 88 / 7 too, with a rare tail); drawn last, from its own RNG, so the files
  above keep their bytes.
* images/<file_name> — a synthetic photo of every evaluation image, for the report's gallery:
  ``PHOTO_SCALE`` times the ground truth's size (244x320 px), a tray with four wells and each GT
  pill drawn inside its box (round and oval: an ellipse, oblong: a rounded rectangle, capsule:
  two-coloured, with a shadow, an outline, a highlight and a 3-digit imprint), as 8-bit palette
  PNGs. Drawn with numpy (no anti-aliasing, no font: the same pixels with any Pillow), from its own
  RNG, after everything else, so every file above keeps its bytes.

With ``--train-photos DIR`` it writes only a photo of every training image
(train_annotations.json's 728 images, 1-2 pills each) into DIR, with the same renderer and
its own RNG (``TRAIN_PHOTO_SEED``), for training detectors on the sample (``make e2e``); nothing
in data/sample/ is touched and these photos are not committed. With ``--pill-files DIR`` it
writes only the AIHub-style per-pill annotation files of ground_truth.json (one JSON per pill,
``<K-a-b-c>_json/<K-code>/<image>.json``; 1015 files, not committed: a test merges them and
compares with ground_truth.json).

No real image, model or annotation is used: everything is drawn from a seeded RNG.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
from pathlib import Path

import numpy as np

SEED = 20250918
IMAGE_W, IMAGE_H = 976, 1280

#: category id → (annotation count, shape, colour). Ids are pill dl_idx values (K-number - 1).
CATEGORIES: dict[int, tuple[int, str, str]] = {
    34596: (88, "oval", "white"),
    25366: (88, "round", "white"),
    31884: (85, "round", "yellow"),
    10223: (80, "round", "white"),
    30307: (74, "oval", "white"),
    19231: (66, "oblong", "pink"),
    22073: (61, "oblong", "pink"),
    1899: (57, "round", "white"),
    3482: (55, "round", "orange"),
    16550: (52, "oblong", "white"),
    19860: (49, "round", "brown"),
    33008: (45, "oval", "blue"),
    36636: (41, "round", "green"),
    12080: (37, "capsule", "red/white"),
    27925: (33, "round", "yellow"),
    13160: (28, "oval", "pink"),
    21324: (24, "oblong", "white"),
    6191: (19, "round", "purple"),
    29450: (15, "capsule", "blue/white"),
    38161: (11, "oval", "orange"),
    33877: (7, "round", "white"),
    # declared but never annotated: shows how `imbalance` keeps absent classes out of the indices
    18109: (0, "round", "white"),
}

#: true class → the look-alike a model may call it.
LOOK_ALIKES = {10223: 25366, 30307: 34596, 19231: 22073}

#: per model: P(detect a pill), P(look-alike swap), P(other swap), box jitter (px), FP per image,
#: and the score ranges (uniform) of a right label, a look-alike swap, another swap and a false
#: positive (``SCORES`` unless given).
MODELS: dict[str, dict] = {
    "efficientnet_b3": {"detect": 0.99, "swap": 0.16, "other": 0.01, "jitter": 9.0, "fp": 0.02},
    "resnet101": {"detect": 0.995, "swap": 0.02, "other": 0.003, "jitter": 5.0, "fp": 0.01},
    # A third run whose scores claim more than its boxes deliver: every score in 0.8-1 while 4
    # boxes in 10 are wrong (loose boxes, swaps, two false positives per image), so its D-ECE
    # is large and its over-confidence (mean score - precision) positive. Its own RNG
    # ([SEED, 13]), so the two runs above keep their bytes.
    "overconfident": {
        "detect": 0.99,
        "swap": 0.16,
        "other": 0.04,
        "jitter": 18.0,
        "fp": 2.0,
        "scores": {
            "right": (0.9, 1.0),
            "swap": (0.85, 1.0),
            "other": (0.85, 1.0),
            "fp": (0.8, 1.0),
        },
    },
}
#: Score ranges of the first two runs: right labels score high, swaps lower, FPs lowest.
SCORES = {"right": (0.62, 0.99), "swap": (0.45, 0.9), "other": (0.3, 0.8), "fp": (0.05, 0.45)}

#: AIHub's words (the per-pill files' ``drug_shape``, ``color_class1`` / ``color_class2``) for
#: the shapes and colours of ``CATEGORIES``. AIHub has no capsule shape: capsules are 장방형
#: (oblong), told apart by ``form_code_name``.
AIHUB_SHAPE = {"round": "원형", "oval": "타원형", "oblong": "장방형", "capsule": "장방형"}
AIHUB_COLOUR = {
    "white": "하양",
    "yellow": "노랑",
    "pink": "분홍",
    "orange": "주황",
    "brown": "갈색",
    "blue": "파랑",
    "green": "초록",
    "red": "빨강",
    "purple": "보라",
}
#: Classes whose pills carry no imprint: ``print_front`` and ``print_back`` empty, and their
#: photos show none. The three look-alikes the runs swap (10223, 30307, 19231) are among them.
NO_IMPRINT = frozenset({6191, 10223, 16550, 19231, 30307})

#: pill slots: the four quadrants of the image, as in the 4-pill AIHub photos.
SLOTS = [(120, 140), (560, 140), (120, 720), (560, 720)]

#: The training split (train_annotations.json): its own RNG, drawn after everything else so the
#: evaluation files keep their bytes. Class counts span TRAIN_MIN..TRAIN_MAX (the seed's 88 / 7).
TRAIN_SEED = [SEED, 8]
TRAIN_MIN, TRAIN_MAX = 7, 88
TRAIN_NOISE = 0.5
TRAIN_FIRST_IMAGE_ID = 10001

#: The photos (images/): their own RNG, drawn last. A photo is the GT image size times
#: PHOTO_SCALE (976x1280 -> 244x320); the gallery scales the boxes by photo size / GT size.
PHOTO_SEED = [SEED, 100]
#: The training split's photos (``--train-photos``, not committed): their own RNG again, so
#: nothing else changes; same renderer, same scale.
TRAIN_PHOTO_SEED = [SEED, 101]
PHOTO_SCALE = 0.25
#: Pill colour names (CATEGORIES) -> RGB.
PILL_RGB: dict[str, tuple[int, int, int]] = {
    "white": (236, 234, 226),
    "yellow": (238, 206, 84),
    "pink": (232, 160, 178),
    "orange": (232, 138, 62),
    "brown": (146, 98, 62),
    "blue": (88, 128, 198),
    "green": (108, 168, 112),
    "red": (196, 62, 60),
    "purple": (148, 102, 178),
}
TRAY_RGB = (52, 92, 104)
#: A 3x5 pixel font for the imprints (rows of 3 pixels, top to bottom).
IMPRINT_FONT = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001010010010",
    "8": "111101111101111",
    "9": "111101111001111",
}


def make_ground_truth(rng: np.random.Generator) -> dict:
    """The evaluation ground truth: 3-4 distinct pills per image, ``CATEGORIES``' counts.

    Each annotation carries its pill's AIHub fields under ``attributes``
    (:func:`pill_attributes`), as ``pillcmp merge`` writes them from the per-pill files
    (:func:`pill_files`).
    """
    counts = {c: n for c, (n, _, _) in CATEGORIES.items()}
    gt = _draw_split(rng, counts, pills=[3, 4], pills_p=[0.4, 0.6])
    for ann in gt["annotations"]:
        ann["attributes"] = pill_attributes(ann["category_id"])
    return gt


def category_name(category_id: int) -> str:
    """``'K-034597 white oval'``: the K-code, colour and shape of a ``CATEGORIES`` id."""
    _, shape, colour = CATEGORIES[category_id]
    return f"K-{category_id + 1:06d} {colour} {shape}"


def imprint(category_id: int) -> str:
    """The 3-digit imprint of a class's pills (the K-number's last three digits), '' for
    ``NO_IMPRINT``."""
    return "" if category_id in NO_IMPRINT else f"{(category_id + 1) % 1000:03d}"


def pill_attributes(category_id: int) -> dict:
    """The AIHub image-record fields that describe a class's pill (those ``merge`` keeps).

    Keys in AIHub's order: ``drug_N`` and ``dl_mapping_code`` (the K-code), ``dl_idx``
    (K-number - 1, as text as in AIHub), ``dl_name``, ``drug_shape`` (원형 / 타원형 / 장방형),
    ``print_front``, ``print_back`` (the imprints; empty = none), ``color_class1``,
    ``color_class2`` (a capsule's second colour, else empty), ``form_code_name``.
    """
    _, shape, colour = CATEGORIES[category_id]
    colours = [AIHUB_COLOUR[c] for c in colour.split("/")]
    code = f"K-{category_id + 1:06d}"
    return {
        "drug_N": code,
        "dl_idx": str(category_id),
        "dl_mapping_code": code,
        "dl_name": category_name(category_id),
        "drug_shape": AIHUB_SHAPE[shape],
        "print_front": imprint(category_id),
        "print_back": "",
        "color_class1": colours[0],
        "color_class2": colours[1] if len(colours) > 1 else "",
        "form_code_name": "경질캡슐제" if shape == "capsule" else "나정",
    }


def pill_files(gt: dict) -> dict[str, dict]:
    """The AIHub per-pill annotation files ``merge`` reads back into ``gt`` (with attributes).

    One file per annotation, at ``<K-a-b-c>_json/<K-code>/<image stem>.json`` (the image's pills'
    K-numbers, ascending, name the folder), holding one image record (file name, size and
    :func:`pill_attributes`, id 1 as in AIHub), one annotation and one category.

    Returns:
        Relative path → the file's JSON document.
    """
    images = {img["id"]: img for img in gt["images"]}
    by_image: dict[int, list[dict]] = {}
    for ann in gt["annotations"]:
        by_image.setdefault(ann["image_id"], []).append(ann)
    files = {}
    for image_id, anns in by_image.items():
        img = images[image_id]
        numbers = sorted(a["category_id"] + 1 for a in anns)
        folder = "K-" + "-".join(f"{k:06d}" for k in numbers) + "_json"
        stem = img["file_name"].rsplit(".", 1)[0]
        for ann in anns:
            cid = ann["category_id"]
            record = {
                "file_name": img["file_name"],
                "width": img["width"],
                "height": img["height"],
                **pill_attributes(cid),
                "id": 1,
            }
            box = {k: ann[k] for k in ("bbox", "area", "iscrowd", "category_id")}
            files[f"{folder}/K-{cid + 1:06d}/{stem}.json"] = {
                "images": [record],
                "type": "instances",
                "annotations": [{**box, "id": 1, "image_id": 1}],
                "categories": [{"supercategory": "pill", "id": cid, "name": category_name(cid)}],
            }
    return files


def write_pill_files(out_dir: Path) -> int:
    """Write :func:`pill_files` of the sample's ground truth under ``out_dir``; the file count.

    The ground truth is drawn again from ``SEED`` (the same as ground_truth.json), so
    ``pillcmp merge out_dir`` gives ground_truth.json's images, boxes and attributes back.
    """
    files = pill_files(make_ground_truth(np.random.default_rng(SEED)))
    for rel, doc in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(files)


def make_train_counts(rng: np.random.Generator) -> dict[int, int]:
    """Training annotations per category: the evaluation counts, perturbed and clipped to 7-88.

    Each category's evaluation count is multiplied by log-normal noise (σ = ``TRAIN_NOISE``),
    rounded and clipped to [``TRAIN_MIN``, ``TRAIN_MAX``]: frequent evaluation classes tend to be
    frequent in training too, the per-class counts differ, a few classes fall below 10 (rare),
    and the training split's index is the seed's 88 / 7 = 12.57 (a test checks the extremes).
    Categories without evaluation annotations (18109) have none here either.
    """
    ids = [c for c, (n, _, _) in CATEGORIES.items() if n > 0]
    noise = np.exp(rng.normal(0, TRAIN_NOISE, len(ids)))
    drawn = np.clip(
        np.round([CATEGORIES[c][0] * f for c, f in zip(ids, noise, strict=True)]),
        TRAIN_MIN,
        TRAIN_MAX,
    )
    counts = dict(zip(ids, drawn.astype(int).tolist(), strict=True))
    return {c: counts.get(c, 0) for c in CATEGORIES}


def make_train_annotations(rng: np.random.Generator) -> dict:
    """The training split: 1-2 pills per image, ids and file names apart from the evaluation's."""
    return _draw_split(
        rng,
        make_train_counts(rng),
        pills=[1, 2],
        pills_p=[0.75, 0.25],
        first_image_id=TRAIN_FIRST_IMAGE_ID,
        prefix="train_",
    )


def _draw_split(
    rng: np.random.Generator,
    counts: dict[int, int],
    *,
    pills: list[int],
    pills_p: list[float],
    first_image_id: int = 1,
    prefix: str = "",
) -> dict:
    """A COCO ground truth with exactly ``counts[c]`` annotations of each category ``c``.

    Images take ``pills`` distinct pills (probabilities ``pills_p``), drawn in proportion to
    what is left of each class, one per quadrant slot; all of ``CATEGORIES`` is declared.
    """
    remaining = {c: n for c, n in counts.items() if n > 0}
    images, annotations = [], []
    while remaining:
        k = min(len(remaining), int(rng.choice(pills, p=pills_p)))
        ids = np.array(sorted(remaining))
        weights = np.array([remaining[c] for c in ids], dtype=float)
        chosen = rng.choice(ids, size=k, replace=False, p=weights / weights.sum())
        image_id = first_image_id + len(images)
        codes = "-".join(f"K-{int(c) + 1:06d}" for c in sorted(chosen))
        images.append(
            {
                "id": image_id,
                "file_name": f"{prefix}{codes}_{image_id:04d}.png",
                "width": IMAGE_W,
                "height": IMAGE_H,
            }
        )
        for slot, cat in zip(rng.permutation(len(SLOTS))[:k], chosen, strict=True):
            x0, y0 = SLOTS[slot]
            w, h = rng.uniform(150, 260), rng.uniform(150, 260)
            x, y = x0 + rng.uniform(0, 120), y0 + rng.uniform(0, 160)
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": int(cat),
                    "bbox": [round(x, 1), round(y, 1), round(w, 1), round(h, 1)],
                    "area": round(w * h, 1),
                    "iscrowd": 0,
                }
            )
            remaining[int(cat)] -= 1
            if remaining[int(cat)] == 0:
                del remaining[int(cat)]
    categories = [
        {"id": c, "name": category_name(c), "supercategory": "pill"} for c in sorted(CATEGORIES)
    ]
    return {"images": images, "annotations": annotations, "categories": categories}


def make_results(gt: dict, model: str, rng: np.random.Generator) -> list[dict]:
    p = MODELS[model]
    scores = p.get("scores", SCORES)
    cat_ids = [c["id"] for c in gt["categories"] if CATEGORIES[c["id"]][0] > 0]
    out = []
    for ann in gt["annotations"]:
        if rng.random() > p["detect"]:
            continue
        true = ann["category_id"]
        label, score = true, rng.uniform(*scores["right"])
        if true in LOOK_ALIKES and rng.random() < p["swap"]:
            label, score = LOOK_ALIKES[true], rng.uniform(*scores["swap"])
        elif rng.random() < p["other"]:
            other = int(rng.choice([c for c in cat_ids if c != true]))
            label, score = other, rng.uniform(*scores["other"])
        x, y, w, h = ann["bbox"]
        j = p["jitter"]
        w2, h2 = max(20.0, w + rng.normal(0, j)), max(20.0, h + rng.normal(0, j))
        out.append(
            _det(
                ann["image_id"], label, [x + rng.normal(0, j), y + rng.normal(0, j), w2, h2], score
            )
        )
    for img in gt["images"]:
        for _ in range(rng.poisson(p["fp"])):
            w, h = rng.uniform(60, 200), rng.uniform(60, 200)
            box = [rng.uniform(0, IMAGE_W - w), rng.uniform(0, IMAGE_H - h), w, h]
            out.append(_det(img["id"], int(rng.choice(cat_ids)), box, rng.uniform(*scores["fp"])))
    out.sort(key=lambda d: (d["image_id"], -d["score"]))
    return out


def _det(image_id: int, category_id: int, box: list[float], score: float) -> dict:
    return {
        "image_id": int(image_id),
        "category_id": int(category_id),
        "bbox": [round(float(v), 1) for v in box],
        "score": round(float(score), 4),
    }


def to_submission_csv(results: list[dict]) -> str:
    """The competition CSV for ``results``, written by pillcmp's own converter (ids 1..N)."""
    from pill_compare.core import Detections
    from pill_compare.prep.convert import submission_csv_text

    return submission_csv_text(
        Detections(
            image_id=[d["image_id"] for d in results],
            category_id=[d["category_id"] for d in results],
            bbox=[d["bbox"] for d in results],
            score=[d["score"] for d in results],
        )
    )


def make_photos(gt: dict, rng: np.random.Generator) -> dict[str, tuple[np.ndarray, list[int]]]:
    """A synthetic photo per GT image: ``{file_name: (palette indices (H, W) uint8, palette)}``.

    The photo is ``PHOTO_SCALE`` times the image's size; each annotation's pill fills its box
    scaled by the same factor, so boxes drawn on the photo line up with the pills.
    """
    by_image: dict[int, list[dict]] = {}
    for ann in gt["annotations"]:
        by_image.setdefault(ann["image_id"], []).append(ann)
    return {
        img["file_name"]: _render_photo(img, by_image.get(img["id"], []), rng)
        for img in gt["images"]
    }


def photo_png(indices: np.ndarray, palette: list[int]) -> bytes:
    """An 8-bit palette PNG of a photo (fixed settings: zlib level 8, no metadata)."""
    from PIL import Image

    image = Image.fromarray(indices, "P")
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=8)
    return buffer.getvalue()


def _render_photo(
    img: dict, annotations: list[dict], rng: np.random.Generator
) -> tuple[np.ndarray, list[int]]:
    width, height = round(img["width"] * PHOTO_SCALE), round(img["height"] * PHOTO_SCALE)
    palette: list[tuple[int, ...]] = []

    def ink(rgb: tuple[int, ...], factor: float = 1.0) -> int:
        colour = tuple(min(255, round(v * factor)) for v in rgb)
        if colour not in palette:
            palette.append(colour)
        return palette.index(colour)

    tray = tuple(int(v) for v in np.clip(np.add(TRAY_RGB, rng.integers(-6, 7, 3)), 0, 255))
    for shade in (0.75, 1.0, 1.12):  # palette 0, 1, 2: the tray's rim, floor and wells
        ink(tray, shade)
    photo = _tray(width, height).copy()
    for ann in annotations:
        _, shape, colour = CATEGORIES[ann["category_id"]]
        box = tuple(v * PHOTO_SCALE for v in ann["bbox"])
        shift = rng.uniform(1.5, 3.0)  # the shadow falls down and right
        shadow = (box[0] + shift, box[1] + shift, box[2], box[3])
        _paint(photo, shadow, ink(tray, 0.6), _pill_distance(shape, box))
        _draw_pill(photo, box, shape, colour, ink)
        # The imprint's ink joins the palette even when the pill has none (NO_IMPRINT), so the
        # palette, and every other pill's pixels, stay as they were before those had none.
        _imprint(photo, box, imprint(ann["category_id"]), ink(PILL_RGB[colour.split("/")[0]], 0.66))
    return photo, [v for rgb in palette for v in rgb]


@functools.cache
def _tray(width: int, height: int) -> np.ndarray:
    """The tray's palette indices (0 rim, 1 floor, 2 a well around each quadrant slot)."""
    photo = np.zeros((height, width), dtype=np.uint8)
    inner = (5, 5, width - 10, height - 10)
    _paint(photo, inner, 1, _rounded_box(inner, 10))
    for x0, y0 in SLOTS:
        well = tuple(v * PHOTO_SCALE for v in (x0 - 14, y0 - 16, 404, 452))
        _paint(photo, well, 2, _rounded_box(well, 12))
    photo.setflags(write=False)
    return photo


def _rounded_box(box: tuple[float, ...], radius: float):
    """Signed distance of a rounded rectangle filling ``box`` (see :func:`_pill_distance`)."""
    return lambda u, v: _box_distance(u, v, box[2] / 2, box[3] / 2, radius)


def _pill_distance(shape: str, box: tuple[float, ...]):
    """Signed distance (px, <= 0 inside) of a pill of ``shape`` filling ``box``, as a function of
    pixel coordinates relative to the box's centre."""
    hx, hy = box[2] / 2, box[3] / 2
    if shape in ("round", "oval"):
        return lambda u, v: (np.hypot(u / hx, v / hy) - 1) * min(hx, hy)
    return _rounded_box(box, min(hx, hy) * (0.999 if shape == "capsule" else 0.45))


def _box_distance(u: np.ndarray, v: np.ndarray, hx: float, hy: float, r: float) -> np.ndarray:
    """Signed distance of a rounded rectangle (half sizes hx, hy, corner radius r)."""
    qx, qy = np.abs(u) - (hx - r), np.abs(v) - (hy - r)
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return outside + np.minimum(np.maximum(qx, qy), 0) - r


def _window(photo: np.ndarray, box: tuple[float, ...]):
    """The pixels around ``box`` (slices) and their centres relative to the box's centre."""
    x, y, w, h = box
    height, width = photo.shape
    c0, r0 = max(0, int(np.floor(x)) - 1), max(0, int(np.floor(y)) - 1)
    c1, r1 = min(width, int(np.ceil(x + w)) + 1), min(height, int(np.ceil(y + h)) + 1)
    rows, cols = np.mgrid[r0:r1, c0:c1] + 0.5
    return (slice(r0, r1), slice(c0, c1)), cols - (x + w / 2), rows - (y + h / 2)


def _paint(photo: np.ndarray, box: tuple[float, ...], colour: int, distance) -> None:
    where, u, v = _window(photo, box)
    photo[where][distance(u, v) <= 0] = colour


def _draw_pill(photo: np.ndarray, box: tuple[float, ...], shape: str, colour: str, ink) -> None:
    """Fill (two halves for a capsule), highlight and outline of one pill."""
    where, u, v = _window(photo, box)
    d = _pill_distance(shape, box)(u, v)
    region = photo[where]
    names = colour.split("/")
    fill = PILL_RGB[names[0]]
    region[d <= 0] = ink(fill)
    if len(names) == 2:  # the capsule's second half, across its long axis
        second = (u > 0) if box[2] >= box[3] else (v > 0)
        region[(d <= 0) & second] = ink(PILL_RGB[names[1]])
    hx, hy = box[2] / 2, box[3] / 2
    region[(d <= -2) & (u / hx + v / hy < -0.9)] = ink(fill, 1.06)  # light from the top left
    region[(d <= 0) & (d > -1.2)] = ink(fill, 0.78)


def _imprint(photo: np.ndarray, box: tuple[float, ...], text: str, colour: int) -> None:
    """``text`` in the 3x5 font, centred on the box (pixels doubled on pills over 44 px)."""
    x, y, w, h = box
    s = 2 if min(w, h) > 44 else 1
    left, top = int(x + w / 2 - (len(text) * 4 - 1) * s / 2), int(y + h / 2 - 5 * s / 2)
    for k, char in enumerate(text):
        glyph = np.array([c == "1" for c in IMPRINT_FONT[char]]).reshape(5, 3)
        glyph = np.kron(glyph, np.ones((s, s), dtype=bool))
        col = left + 4 * s * k
        photo[top : top + 5 * s, col : col + 3 * s][glyph] = colour


def main(out_dir: Path = Path(__file__).parent / "sample") -> None:
    rng = np.random.default_rng(SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    gt = make_ground_truth(rng)
    (out_dir / "ground_truth.json").write_text(json.dumps(gt, ensure_ascii=False) + "\n")
    for model in MODELS:
        res = make_results(gt, model, np.random.default_rng([SEED, len(model)]))
        (out_dir / f"{model}.json").write_text(json.dumps(res) + "\n")
        if model == "resnet101":
            (out_dir / "resnet101_submission.csv").write_text(to_submission_csv(res))
    train = make_train_annotations(np.random.default_rng(TRAIN_SEED))
    (out_dir / "train_annotations.json").write_text(json.dumps(train, ensure_ascii=False) + "\n")
    photos = make_photos(gt, np.random.default_rng(PHOTO_SEED))
    (out_dir / "images").mkdir(exist_ok=True)
    size = 0
    for file_name, (indices, palette) in photos.items():
        png = photo_png(indices, palette)
        (out_dir / "images" / file_name).write_bytes(png)
        size += len(png)
    print(
        f"wrote {out_dir}: {len(gt['images'])} images, {len(gt['annotations'])} annotations; "
        f"training split: {len(train['images'])} images, {len(train['annotations'])} annotations; "
        f"{len(photos)} photos in images/ ({size / 1000:.0f} kB)"
    )


def write_train_photos(out_dir: Path) -> None:
    """A photo of every image of the training split (``make_train_annotations``) in ``out_dir``.

    The split is drawn again from ``TRAIN_SEED`` (the same annotations as
    train_annotations.json), its photos from ``TRAIN_PHOTO_SEED``: the same bytes every run.
    """
    train = make_train_annotations(np.random.default_rng(TRAIN_SEED))
    photos = make_photos(train, np.random.default_rng(TRAIN_PHOTO_SEED))
    out_dir.mkdir(parents=True, exist_ok=True)
    size = 0
    for file_name, (indices, palette) in photos.items():
        png = photo_png(indices, palette)
        (out_dir / file_name).write_bytes(png)
        size += len(png)
    print(
        f"wrote {out_dir}: {len(photos)} training photos for {len(train['annotations'])} "
        f"annotations ({size / 1000:.0f} kB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--train-photos",
        type=Path,
        metavar="DIR",
        help="write only the training split's photos into DIR (data/sample/ is left alone)",
    )
    parser.add_argument(
        "--pill-files",
        type=Path,
        metavar="DIR",
        help="write only the AIHub per-pill annotation files of ground_truth.json into DIR "
        "(`pillcmp merge DIR` gives its images, boxes and attributes back)",
    )
    args = parser.parse_args()
    if args.train_photos is not None:
        write_train_photos(args.train_photos)
    elif args.pill_files is not None:
        count = write_pill_files(args.pill_files)
        print(f"wrote {args.pill_files}: {count} per-pill annotation files")
    else:
        main()
