"""Generate the bundled synthetic sample in data/sample/ (deterministic: same bytes every run).

    python data/make_sample.py                      # rewrites data/sample/*
    python data/make_sample.py --train-photos DIR   # only the training split's photos, into DIR

What it makes (see data/README.md):
* ground_truth.json — COCO ground truth: 976x1280 images with 3-4 distinct pills each,
  non-contiguous pill category ids (dl_idx = K-number - 1, as in the seed report), and an
  imbalanced class distribution whose largest class has 88 annotations and smallest 7
  (by construction, so that the seed's index 88 / 7 = 12.57 can be reproduced).
* efficientnet_b3.json, resnet101.json — COCO results of two synthetic "models": each GT pill is
  detected with some probability, its box jittered, its class sometimes swapped for a
  look-alike (efficientnet_b3 far more often: 10223→25366, 30307→34596, 19231→22073, the
  seed's one-sided categories), plus a few low-score false positives.
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
in data/sample/ is touched and these photos are not committed.

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

#: per model: P(detect a pill), P(look-alike swap), P(other swap), box jitter (px), FP per image.
MODELS = {
    "efficientnet_b3": {"detect": 0.99, "swap": 0.16, "other": 0.01, "jitter": 9.0, "fp": 0.02},
    "resnet101": {"detect": 0.995, "swap": 0.02, "other": 0.003, "jitter": 5.0, "fp": 0.01},
}

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
    """The evaluation ground truth: 3-4 distinct pills per image, ``CATEGORIES``' counts."""
    counts = {c: n for c, (n, _, _) in CATEGORIES.items()}
    return _draw_split(rng, counts, pills=[3, 4], pills_p=[0.4, 0.6])


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
        {"id": c, "name": f"K-{c + 1:06d} {colour} {shape}", "supercategory": "pill"}
        for c, (_, shape, colour) in sorted(CATEGORIES.items())
    ]
    return {"images": images, "annotations": annotations, "categories": categories}


def make_results(gt: dict, model: str, rng: np.random.Generator) -> list[dict]:
    p = MODELS[model]
    cat_ids = [c["id"] for c in gt["categories"] if CATEGORIES[c["id"]][0] > 0]
    out = []
    for ann in gt["annotations"]:
        if rng.random() > p["detect"]:
            continue
        true = ann["category_id"]
        label, score = true, rng.uniform(0.62, 0.99)
        if true in LOOK_ALIKES and rng.random() < p["swap"]:
            label, score = LOOK_ALIKES[true], rng.uniform(0.45, 0.9)
        elif rng.random() < p["other"]:
            label, score = int(rng.choice([c for c in cat_ids if c != true])), rng.uniform(0.3, 0.8)
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
            out.append(_det(img["id"], int(rng.choice(cat_ids)), box, rng.uniform(0.05, 0.45)))
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
        _imprint(
            photo,
            box,
            f"{(ann['category_id'] + 1) % 1000:03d}",
            ink(PILL_RGB[colour.split("/")[0]], 0.66),
        )
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
    args = parser.parse_args()
    if args.train_photos is not None:
        write_train_photos(args.train_photos)
    else:
        main()
