"""Benchmark: the input diagnosis every ``eval`` / ``compare`` / ``report`` runs first.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_diagnosis.py [--repeat 5] [--cases 1x,4x]
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_diagnosis.py --dump findings.json

Loads ``benchmarks/_data/gt_5000_0.json`` and ``res_5000_0.json`` (5,000 images, 80 categories,
~450k detections; ``bench_eval.py``'s COCO-scale data, written on first use) and times, as
process time (steadier than wall time on a shared machine), the median of ``--repeat`` runs of
``diagnose(gt, {'a': run})`` and of ``duplicate_rows(run)`` alone, on these runs:

* ``1x``: the file as it is.
* ``4x``: the file four times, each copy's boxes moved right by 0.2, 0.4, 0.6 of their width
  (IoU < 0.95 with every other copy: no duplicate, four times the rows per image and class).
* ``4x-images``: the file four times on four sets of image ids (four times the images, the
  same rows per image and class; ``diagnose`` then also reports ``gt_mismatch``).
* ``2x-dup``: the file twice, unchanged: every row of the second copy is an exact duplicate
  (``diagnose`` then also evaluates the run twice, for ``map_before`` / ``map_after``).
* ``4x-dup``: the file four times, unchanged (``duplicate_rows`` only).

``--dump PATH`` writes every case's findings (``Diagnosis.to_dict()``) and the duplicate masks'
row indices as JSON, to compare two versions of the code byte for byte.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _stack(run, copies: int, shift: bool, new_images: bool = False):
    from pill_compare.core import Detections

    boxes = []
    for k in range(copies):
        b = run.bbox.copy()
        if shift:
            b[:, 0] += 0.2 * k * b[:, 2]
        boxes.append(b)
    step = int(run.image_id.max()) + 1 if new_images else 0
    return Detections(
        image_id=np.concatenate([run.image_id + k * step for k in range(copies)]),
        category_id=np.tile(run.category_id, copies),
        bbox=np.concatenate(boxes),
        score=np.tile(run.score, copies),
        name=run.name,
        source=run.source,
    )


def _median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cases", default="1x,4x,4x-images,2x-dup,4x-dup")
    parser.add_argument("--dump", default="")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))  # bench_eval is a sibling script, imported as a module
    import bench_eval  # the COCO-scale dataset construction is reused, not copied

    from pill_compare.analysis.diagnosis import diagnose
    from pill_compare.analysis.diagnosis.duplicates import duplicate_rows
    from pill_compare.io import load_ground_truth, load_results

    gt_path, res_path = bench_eval.ensure_data(5000, 0)
    gt = load_ground_truth(gt_path)
    base = load_results(res_path)
    runs = {
        "1x": (base, True),
        "4x": (_stack(base, 4, True), True),
        "4x-images": (_stack(base, 4, False, new_images=True), True),
        "2x-dup": (_stack(base, 2, False), True),
        "4x-dup": (_stack(base, 4, False), False),
    }
    dump = {}
    for name in args.cases.split(","):
        run, with_diagnose = runs[name]
        t_dup, (exact, near) = _median_time(lambda r=run: duplicate_rows(r), args.repeat)
        line = f"{name:7s} {len(run):>9,d} rows  duplicate_rows {t_dup:.3f} s"
        entry = {"exact": np.flatnonzero(exact).tolist(), "near": np.flatnonzero(near).tolist()}
        if with_diagnose:
            t_diag, d = _median_time(lambda r=run: diagnose(gt, {"a": r}), args.repeat)
            line += f"  diagnose {t_diag:.3f} s"
            entry["diagnosis"] = d.to_dict()
        print(line, flush=True)
        dump[name] = entry
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump, sort_keys=True))


if __name__ == "__main__":
    main()
