"""Benchmark the report's figures alone: ``report_figures(result)``, per figure, in a fresh process.

The comparison is computed once per case (``compare`` with 50 bootstrap resamples: the figures
do not read them) and pickled under ``benchmarks/_data``; each timed run is a fresh interpreter
that unpickles it (not timed), then times the figure step as ``pillcmp report`` runs it, cold:
the pyplot import, the font set-up and every figure's layout and PNG. ``--tree DIR`` times the
``pill_compare`` found in DIR instead (e.g. ``git archive OLD pill_compare | tar -x -C DIR``),
alternating with this checkout's, so that old and new are compared in the same run.

Cases: ``pill`` (data/sample with its training split) and ``coco`` (bench_compare's COCO-scale
case, the ground truth standing in for the training annotations, as in bench_report).

Usage:
    .venv/bin/python benchmarks/bench_figures.py --case both --repeat 3
    .venv/bin/python benchmarks/bench_figures.py --case coco --tree /tmp/old   # old vs this one
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE = REPO / "data" / "sample"
sys.path.insert(0, str(HERE))


def result_file(case: str) -> Path:
    """The pickled ComparisonResult of ``case``, computed when missing."""
    path = HERE / "_data" / f"figures_{case}.pkl"
    if path.exists():
        return path
    from pill_compare.analysis.compare import compare
    from pill_compare.analysis.slices import default_slice_keys
    from pill_compare.io import load_ground_truth, load_results

    if case == "pill":
        files = [
            SAMPLE / f for f in ("ground_truth.json", "efficientnet_b3.json", "resnet101.json")
        ]
        train_path = SAMPLE / "train_annotations.json"
    else:
        import bench_compare  # the COCO-scale case is reused, not copied

        files = list(bench_compare.coco_case(5000, 0))
        train_path = files[0]
    gt = load_ground_truth(files[0])
    a, b = (load_results(p, gt=gt) for p in files[1:])
    r = compare(
        gt, a, b, train_gt=load_ground_truth(train_path), n_bootstrap=50,
        slices=default_slice_keys(gt),
    )  # fmt: skip
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(pickle.dumps(r))
    return path


def _child(path: str) -> None:
    r = pickle.loads(Path(path).read_bytes())
    start = time.perf_counter()
    from pill_compare.report import agreement_plots, report_plots
    from pill_compare.report.figures import close_figure, figure_to_bytes

    parts = {"imports": time.perf_counter() - start}
    plots = {**report_plots.PLOTS, **agreement_plots.PLOTS}
    for name in (*report_plots.available_plots(r), *agreement_plots.available_plots(r)):
        t = time.perf_counter()
        fig = plots[name](r, lang="en")
        figure_to_bytes(fig, "png")
        close_figure(fig)
        parts[name.removeprefix("plot_")] = time.perf_counter() - t
    print(json.dumps({"seconds": time.perf_counter() - start, "parts": parts}))


def measure(path: Path, tree: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, __file__, "--run", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("pill", "coco", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case and tree")
    parser.add_argument("--tree", type=Path, help="another checkout to time against this one")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        _child(args.run)
        return
    trees = {"this": REPO} if args.tree is None else {"other": args.tree, "this": REPO}
    print(f"{os.cpu_count()} CPUs, load average " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    for case in ("pill", "coco") if args.case == "both" else (args.case,):
        path = result_file(case)
        runs: dict[str, list[dict]] = {k: [] for k in trees}
        for _ in range(args.repeat):  # alternating: both trees see the same load
            for key, tree in trees.items():
                runs[key].append(measure(path, tree))
        names = list(runs["this"][0]["parts"])
        print(f"\n{case}: median s over {args.repeat} fresh processes")
        print(f"  {'':<20}" + "".join(f"{k:>10}" for k in trees))
        for name in [*names, "seconds"]:
            cells = [
                statistics.median(r["parts"][name] if name != "seconds" else r[name] for r in rs)
                for rs in runs.values()
            ]
            print(f"  {name:<20}" + "".join(f"{c:>10.2f}" for c in cells))


if __name__ == "__main__":
    main()
