"""Where `compare`'s time goes at COCO scale: the seconds of each of its `progress` steps.

Loads the COCO-scale case of ``bench_compare.py`` (5,000 images, two runs of ~450k detections;
made by ``bench_eval.py``'s generator on first use), runs ``compare(gt, a, b)`` once in this
process and prints each step's wall time, then the total. docs/compare.md quotes its output.

Usage:
    .venv/bin/python benchmarks/compare_stages.py            # 1,000 bootstrap resamples
    .venv/bin/python benchmarks/compare_stages.py --bootstrap 200
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "_data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    args = parser.parse_args()

    from pill_compare.analysis.compare import compare
    from pill_compare.io import load_ground_truth, load_results

    paths = [DATA / n for n in ("gt_5000_0.json", "res_5000_0.json", "res_5000_0_b.json")]
    if not all(p.exists() for p in paths):
        raise SystemExit("no COCO-scale data: run benchmarks/bench_compare.py --case coco first")
    gt = load_ground_truth(paths[0])
    a, b = (load_results(p, gt=gt) for p in paths[1:])
    last = [time.perf_counter(), "start"]

    def progress(message: str, *_: object, **__: object) -> None:
        now = time.perf_counter()
        if last[1] != "start":
            print(f"{last[1]:<40}{now - last[0]:8.2f}", flush=True)
        last[:] = [now, str(message)]

    start = time.perf_counter()
    compare(gt, a, b, n_bootstrap=args.bootstrap, progress=progress)
    progress("end")
    print(f"{'total':<40}{time.perf_counter() - start:8.2f}")


if __name__ == "__main__":
    main()
