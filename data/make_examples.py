"""Write the small input files the README's and docs' examples name, into data/examples/:

    .venv/bin/python data/make_examples.py            # rewrites data/examples/ (same bytes)

Every file is made deterministically (no random numbers) from ``data/sample`` or by hand, so the
examples run as written on what the repo ships (``tests/test_docs_examples.py`` runs them):

* ``bad.json`` — three COCO results with three problems (a negative width, a score that is text,
  a null image id): the error message ``docs/cli.md`` shows;
* ``stray.json`` — ``sample/resnet101.json`` with two category ids and one image id the ground
  truth lacks (12, 99999; image 9999): the "left out" warning;
* ``submission.csv`` — ``sample/resnet101_submission.csv`` broken the ways real submissions
  were: K-numbers instead of ``dl_idx``, a repeated ``annotation_id``, a score of 1.3, a
  zero-width box, the last image's rows gone (``pillcmp check-submission`` exits 1);
* ``labels/`` + ``classes.txt`` — YOLO predictions (``class cx cy w h score``, normalized, as
  ``yolo predict --save-txt --save-conf`` writes them) of ``sample/resnet101.json`` on the
  sample's first three images, one ``<image stem>.txt`` each, and the class map (line k: the
  category id of class k, the ground truth's ids in ascending order);
* ``train_annotations/`` — the AIHub-style per-pill annotation folder the merge tests build
  (``tests/prep/pill_folder.py``: 3 images, one truncated file, one exact duplicate, one pill
  file missing, one box leaving the image, one with w = 0).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.prep.pill_folder import build_pill_folder  # noqa: E402  (after the path is set)

SAMPLE = REPO / "data" / "sample"

#: Three records, three problems (the message lists each with its record number).
BAD_RESULTS = [
    {"image_id": 1, "category_id": 19860, "bbox": [10, 10, -3, 4], "score": "x"},
    {"image_id": 1, "category_id": 25366, "bbox": [682.5, 251.8, 254.0, 212.7], "score": 0.83},
    {"image_id": None, "category_id": 16550, "bbox": [125.5, 250.6, 143.3, 239.6], "score": 0.8},
]

#: stray.json: record index -> the field set to an id the ground truth lacks.
STRAY = {10: ("category_id", 12), 500: ("category_id", 99999), 1000: ("image_id", 9999)}

#: How many of the sample's images get a YOLO label file (images 1-3: 3 + 4 + 3 detections).
YOLO_IMAGES = 3


def _load(name: str):
    return json.loads((SAMPLE / name).read_text(encoding="utf-8"))


def stray_results() -> list[dict]:
    records = _load("resnet101.json")
    for index, (field, value) in STRAY.items():
        records[index] = {**records[index], field: value}
    return records


def broken_submission() -> str:
    """The sample submission with five breakages; line numbers count the header as line 1."""
    rows = list(csv.reader(io.StringIO((SAMPLE / "resnet101_submission.csv").read_text())))
    header, body = rows[0], rows[1:]
    last_image = body[-1][1]
    body = [list(r) for r in body if r[1] != last_image]  # the last image goes missing
    for r in body:
        r[2] = str(int(r[2]) + 1)  # K-number written instead of dl_idx = K-number - 1
    body[1][0] = body[0][0]  # line 3 repeats line 2's annotation_id
    body[5][7] = "1.3"  # line 7: a score above 1
    body[8][5] = "0"  # line 10: a zero-width box
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    return out.getvalue()


def yolo_labels() -> tuple[dict[str, str], str]:
    """``{file name: YOLO lines}`` for the first images, and classes.txt's text."""
    gt = _load("ground_truth.json")
    class_ids = sorted(c["id"] for c in gt["categories"])
    index = {c: k for k, c in enumerate(class_ids)}
    images = {im["id"]: im for im in gt["images"][:YOLO_IMAGES]}
    lines: dict[int, list[str]] = {i: [] for i in images}
    for r in _load("resnet101.json"):
        im = images.get(r["image_id"])
        if im is None:
            continue
        x, y, w, h = r["bbox"]
        width, height = im["width"], im["height"]
        values = ((x + w / 2) / width, (y + h / 2) / height, w / width, h / height, r["score"])
        lines[r["image_id"]].append(
            f"{index[r['category_id']]} " + " ".join(f"{v:g}" for v in values)
        )
    files = {Path(images[i]["file_name"]).stem + ".txt": "\n".join(lines[i]) + "\n" for i in images}
    return files, "\n".join(str(c) for c in class_ids) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(REPO / "data" / "examples"))
    out = Path(parser.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bad.json").write_text(json.dumps(BAD_RESULTS) + "\n", encoding="utf-8")
    (out / "stray.json").write_text(json.dumps(stray_results()), encoding="utf-8")
    (out / "submission.csv").write_text(broken_submission(), encoding="utf-8")
    labels, classes = yolo_labels()
    shutil.rmtree(out / "labels", ignore_errors=True)
    (out / "labels").mkdir()
    for name, text in labels.items():
        (out / "labels" / name).write_text(text, encoding="utf-8")
    (out / "classes.txt").write_text(classes, encoding="utf-8")
    shutil.rmtree(out / "train_annotations", ignore_errors=True)
    build_pill_folder(out)
    files = [p for p in sorted(out.rglob("*")) if p.is_file() and p.name != "README.md"]
    size = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files into {out} ({size:,} bytes)")


if __name__ == "__main__":
    main()
