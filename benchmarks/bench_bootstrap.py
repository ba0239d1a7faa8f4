"""The paired bootstrap at COCO scale, against an older version of it: time and bit-identity.

Loads the COCO-scale case of ``bench_compare.py`` (5,000 images, two runs of ~450k detections),
matches both runs once, then, interleaved in this process, for the working tree's
``pill_compare.analysis.significance`` and the same file at ``--against`` (a git commit):

* CPU time (``time.thread_time``) per resample of ``_Prepared.metrics`` on one run (min and
  median over ``--repeat`` calls of ``--resamples`` resamples);
* wall and process time of ``paired_bootstrap(a, b, n_resamples=1000)`` (median of 3; the two
  runs in two threads, as ``compare`` runs it);

and checks that every replicate (``map``, ``map_50``, ``f1`` of every resample of both runs,
NaN positions included) is the same in both versions. docs/compare.md quotes its output.

Usage:
    .venv/bin/python benchmarks/bench_bootstrap.py --against 0c18369
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "_data"
MODULE = "pill_compare/analysis/significance.py"


def _load_at(commit: str) -> object:
    """``significance.py`` as it was at ``commit``, imported under another name."""
    root = Path(__file__).resolve().parent.parent
    text = subprocess.run(
        ["git", "show", f"{commit}:{MODULE}"], cwd=root, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "significance_then.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("significance_then", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["significance_then"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="git commit of the older version")
    parser.add_argument("--resamples", type=int, default=40, help="resamples per metrics call")
    parser.add_argument("--repeat", type=int, default=10, help="metrics calls per version")
    args = parser.parse_args()

    from pill_compare.analysis import significance as now
    from pill_compare.analysis.evaluate import evaluate
    from pill_compare.io import load_ground_truth, load_results

    paths = [DATA / n for n in ("gt_5000_0.json", "res_5000_0.json", "res_5000_0_b.json")]
    if not all(p.exists() for p in paths):
        raise SystemExit("no COCO-scale data: run benchmarks/bench_compare.py --case coco first")
    gt = load_ground_truth(paths[0])
    table_a, table_b = (evaluate(gt, load_results(p, gt=gt)).matches for p in paths[1:])
    versions = {"then": _load_at(args.against), "now": now}

    weights = now.resample_images(len(gt.images), args.resamples, 1)
    prepared = {k: m._Prepared(table_a, None, (1, 10, 100), 0.5, 0.5) for k, m in versions.items()}
    cpu: dict[str, list[float]] = {k: [] for k in versions}
    for _ in range(args.repeat):
        for key, prep in prepared.items():
            start = time.thread_time()
            prep.metrics(weights)
            cpu[key].append((time.thread_time() - start) / args.resamples * 1e3)
    print(f"_Prepared.metrics, CPU ms per resample (run A, {args.resamples} resamples per call):")
    for key, values in cpu.items():
        print(f"  {key:5} min {min(values):.2f}  median {np.median(values):.2f}")

    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in versions}
    results = {}
    for _ in range(3):
        for key, module in versions.items():
            wall, proc = time.perf_counter(), time.process_time()
            results[key] = module.paired_bootstrap(table_a, table_b, n_resamples=1000)
            runs[key].append((time.perf_counter() - wall, time.process_time() - proc))
    print("paired_bootstrap(a, b, n_resamples=1000), seconds (median of 3):")
    for key, values in runs.items():
        walls, procs = zip(*values, strict=True)
        print(f"  {key:5} wall {np.median(walls):.2f}  process {np.median(procs):.2f}")
    same = all(
        np.array_equal(
            getattr(results["then"], s)[m], getattr(results["now"], s)[m], equal_nan=True
        )
        for s in ("replicates_a", "replicates_b")
        for m in now.BOOTSTRAP_METRICS
    )
    print(f"every replicate identical: {same}")


if __name__ == "__main__":
    main()
