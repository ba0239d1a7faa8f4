"""Benchmark `pillcmp report`: ``build_report`` + ``write_report``, on the sample and at COCO scale.

What is timed is what the command does, through the same public functions: load the ground
truth, the two runs and the training annotations, ``build_report(...)`` (compare with 1,000
bootstrap resamples, the figures, the gallery, the sections), ``write_report(report, folder)``
(report.md + PNGs, report.html, report.json, written atomically into a temporary folder).

Cases:
* pill: the bundled sample (data/sample: 280 images, two runs of ~1,000 detections, the training
  split), with ``images_dir=data/sample/images``: the 24-image disagreement gallery.
* coco: bench_compare's COCO-scale case (``bench_compare.coco_case``: 5,000 images, ~36k GT boxes,
  80 non-contiguous ids, crowd regions; model A ≈ 450k detections and its perturbed copy B), no
  gallery. The ground truth also stands in for the training annotations, so every section of the
  report (support vs AP, imbalance) is computed, as it would be with a real training split.

Each run is a fresh subprocess; the time is measured inside it around imports + load + build +
write, and peak memory is that subprocess's max RSS (``getrusage``, read by itself at the end).
Targets: the sample's report <= 10 s (issue 10 §9); the COCO-scale report <= 15 s (issue 16; was 120 s).

Usage:
    .venv/bin/python benchmarks/bench_report.py                       # both cases, 3 runs each
    .venv/bin/python benchmarks/bench_report.py --case pill --repeat 5
    .venv/bin/python benchmarks/bench_report.py --case coco --repeat 1 --bootstrap 200
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE = REPO / "data" / "sample"
sys.path.insert(0, str(HERE))  # bench_compare is a sibling script, imported as a module

import bench_compare  # noqa: E402  (the COCO-scale case is reused, not copied)

TARGETS = {"pill": 10.0, "coco": 15.0}
NONE = "-"  # no training annotations / no image folder, on the child's command line


def case_inputs(case: str, args: Any) -> dict[str, str]:
    """The report's inputs: 'gt', 'a', 'b', 'train' and 'images' (NONE where not given)."""
    if case == "pill":
        return {
            "gt": str(SAMPLE / "ground_truth.json"),
            "a": str(SAMPLE / "efficientnet_b3.json"),
            "b": str(SAMPLE / "resnet101.json"),
            "train": str(SAMPLE / "train_annotations.json"),
            "images": str(SAMPLE / "images"),
        }
    gt, a, b = bench_compare.coco_case(args.images, args.seed)
    return {"gt": str(gt), "a": str(a), "b": str(b), "train": str(gt), "images": NONE}


# --- one timed run, in a fresh interpreter: `bench_report.py --run GT A B TRAIN IMAGES N` ------


def _child(gt_path: str, a_path: str, b_path: str, train_path: str, images: str, n: str) -> None:
    parts: dict[str, float] = {}
    start = time.perf_counter()
    mark = [start, "imports"]

    def step(name: str) -> None:  # progress callback: time since the previous step
        now = time.perf_counter()
        parts[mark[1]] = parts.get(mark[1], 0.0) + now - mark[0]
        mark[:] = [now, name]

    from pill_compare.io import load_ground_truth, load_results
    from pill_compare.report.build import build_report, write_report

    step("load")
    gt = load_ground_truth(gt_path)
    a = load_results(a_path, gt=gt)
    b = load_results(b_path, gt=gt)
    train = None if train_path == NONE else load_ground_truth(train_path)
    inputs = {"a": a_path, "b": b_path, "gt": gt_path}
    if train is not None:
        inputs["train"] = train_path
    step("build_report: setup")
    report = build_report(
        gt,
        a,
        b,
        train_gt=train,
        images_dir=None if images == NONE else images,
        inputs=inputs,
        n_bootstrap=int(n),
        progress=step,
    )
    with tempfile.TemporaryDirectory() as tmp:
        step("write_report")
        folder = write_report(report, Path(tmp) / "report")
        step("end")
        sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    seconds = time.perf_counter() - start
    out = {
        "detections": [len(a), len(b)],
        "files": len(sizes),
        "html_mib": sizes["report.html"] / 2**20,
        "md_mib": sizes["report.md"] / 2**20,
        "json_mib": sizes["report.json"] / 2**20,
        "csv_mib": sum(v for k, v in sizes.items() if k.endswith(".csv")) / 2**20,
        "folder_mib": sum(sizes.values()) / 2**20,
        "gallery": report.data["gallery"]["images"],
    }
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    # The largest child process it forked (bootstrap, figures): pages shared with this one are
    # counted in both, so the two peaks bound the total from below and above.
    child_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "parts": parts,
                "out": out,
                "peak_mib": peak_mib,
                "child_mib": child_mib,
            }
        )
    )


def measure(inputs: dict[str, str], n_bootstrap: int) -> dict[str, Any]:
    """One report in a fresh interpreter: the child's timings and its ``peak_mib`` (max RSS)."""
    roles = ("gt", "a", "b", "train", "images")
    cmd = [sys.executable, __file__, "--run", *(inputs[r] for r in roles), str(n_bootstrap)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"report failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the table ----------------------------------------------------------------------------------


def run_case(case: str, args: Any) -> dict[str, Any]:
    inputs = case_inputs(case, args)
    runs = [measure(inputs, args.bootstrap) for _ in range(args.repeat)]
    seconds = [r["seconds"] for r in runs]
    out = runs[-1]["out"]
    row = {
        "case": case,
        "detections": "+".join(f"{n:,}" for n in out["detections"]),
        "gallery": out["gallery"],
        "median": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
        "peak": max(r["peak_mib"] for r in runs),
        "child": max(r.get("child_mib", 0.0) for r in runs),
        "html": out["html_mib"],
        "md": out.get("md_mib", 0.0),
        "json": out.get("json_mib", 0.0),
        "csv": out.get("csv_mib", 0.0),
        "folder": out["folder_mib"],
        "target": TARGETS[case],
    }
    print(f"\n{case} parts, median s over {len(runs)} run(s):")
    for name in runs[-1]["parts"]:
        values = [r["parts"].get(name, 0.0) for r in runs]
        print(f"  {name:<40}{statistics.median(values):>8.2f}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("pill", "coco", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--images", type=int, default=5000, help="images at COCO scale")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        _child(*args.run)
        return
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs "
        f"(affinity {len(os.sched_getaffinity(0))}), load average "
        + " ".join(f"{v:.2f}" for v in os.getloadavg())
        + f"; bootstrap {args.bootstrap}, {args.repeat} run(s) per case, each a fresh process"
    )
    rows = [run_case(c, args) for c in (("pill", "coco") if args.case == "both" else (args.case,))]
    print(
        f"\n{'case':<6}{'detections A+B':>18}{'gallery':>9}{'median s':>10}{'min s':>8}"
        f"{'max s':>8}{'peak MiB':>10}{'child MiB':>10}{'md MiB':>8}{'html MiB':>10}{'json MiB':>10}"
        f"{'csv MiB':>9}{'folder MiB':>12}  target"
    )
    for r in rows:
        verdict = "met" if r["median"] <= r["target"] else "NOT met"
        print(
            f"{r['case']:<6}{r['detections']:>18}{r['gallery']:>9}{r['median']:>10.2f}"
            f"{r['min']:>8.2f}{r['max']:>8.2f}{r['peak']:>10.0f}{r['child']:>10.0f}"
            f"{r['md']:>8.2f}{r['html']:>10.2f}"
            f"{r['json']:>10.1f}{r['csv']:>9.1f}{r['folder']:>12.1f}  <= {r['target']:g} s: {verdict}"
        )


if __name__ == "__main__":
    main()
