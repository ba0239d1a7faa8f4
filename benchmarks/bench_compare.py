"""Benchmark `pillcmp compare` against what a user does today to compare two detectors.

Today (the baseline): pycocotools COCOeval on each model's results, then tidecv TIDE (error
types at IoU 0.5, its defaults) on each, all from the files on disk. tidecv's COCO loader needs
segmentation masks, which box-only ground truths (the pill data) lack, so its ``Data`` is built
from the JSON as its loader does, without the masks (box mode never reads them).

pillcmp: ``pill_compare.compare(gt, a, b, n_bootstrap=1000)`` from the files on disk. While
``compare`` does not exist yet, the parts that do are timed in its place (load, ``evaluate`` on
each model, and each of ``compute_error_breakdown``, ``pair_models`` + ``adjudicate``,
``paired_bootstrap``, ``mcnemar``, ``support_vs_performance`` that can be imported) and the
missing ones are named in the output.

Cases:
* coco: the COCO-scale data of ``benchmarks/bench_eval.py`` (5,000 images, ~36k GT boxes, 80
  non-contiguous ids, crowd regions, ≈ 450k detections) as model A, and a deterministic perturbed
  copy as model B (:func:`perturb`: boxes jittered, 10% of labels changed, the scores of a third of
  the detections permuted among themselves).
* pill: the bundled sample (data/sample: 280 images, two real-looking runs).

Each run is a fresh subprocess; the time is measured inside it around imports + load + work, and
peak memory is that subprocess's max RSS (``wait4``); ratio = the baseline's median / the tool's
(above 1: faster than the baseline). Targets (issue 9 §7): compare <= 60 s at
COCO scale on 2 cores and faster than the baseline; <= 5 s at pill scale.

Usage:
    .venv/bin/python benchmarks/bench_compare.py                        # both cases, 3 runs each
    .venv/bin/python benchmarks/bench_compare.py --case coco --tools baseline --repeat 1
    .venv/bin/python benchmarks/bench_compare.py --case pill --bootstrap 200
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE = REPO / "data" / "sample"
sys.path.insert(0, str(HERE))  # bench_eval is a sibling script, imported as a module

import bench_eval  # noqa: E402  (the COCO-scale dataset construction is reused, not copied)

TARGETS = {"coco": 60.0, "pill": 5.0}


# --- data ---------------------------------------------------------------------------------------


def perturb(records: list[dict], category_ids: list[int], seed: int = 1) -> list[dict]:
    """A second model from a first one's results, deterministically (same seed, same output).

    Every box is jittered (centre moved by N(0, 4%) of its size, width and height scaled by
    exp(N(0, 6%))); 10% of the labels are replaced by a random category (so the two models
    disagree on classes); the scores of a random third of the detections are permuted among
    those detections (so the two rankings differ). Scores keep their 2 decimals.
    """
    rng = np.random.default_rng(seed)
    n = len(records)
    boxes = np.array([r["bbox"] for r in records], dtype=np.float64).reshape(n, 4)
    scores = np.array([r["score"] for r in records], dtype=np.float64)
    labels = np.array([r["category_id"] for r in records], dtype=np.int64)
    size = boxes[:, 2:]
    centre = boxes[:, :2] + size / 2 + rng.normal(0, 0.04, size=(n, 2)) * size
    size = np.maximum(size * np.exp(rng.normal(0, 0.06, size=(n, 2))), 1.0)
    boxes = np.concatenate([np.maximum(centre - size / 2, 0.0), size], axis=1).round(2)
    swap = rng.random(n) < 0.10
    labels[swap] = rng.choice(np.asarray(category_ids), size=int(swap.sum()))
    chosen = np.flatnonzero(rng.random(n) < 1 / 3)
    scores[chosen] = scores[rng.permutation(chosen)]
    return [
        {
            "image_id": r["image_id"],
            "category_id": int(labels[i]),
            "bbox": boxes[i].tolist(),
            "score": float(scores[i]),
        }
        for i, r in enumerate(records)
    ]


def coco_case(n_images: int, seed: int) -> tuple[Path, Path, Path]:
    """bench_eval's ground truth and results (model A) and, written once, the perturbed B."""
    gt_path, a_path = bench_eval.ensure_data(n_images, seed)
    b_path = bench_eval.DATA / f"res_{n_images}_{seed}_b.json"
    if not b_path.exists() or b_path.stat().st_mtime < a_path.stat().st_mtime:  # A was remade
        cats = [c["id"] for c in json.loads(gt_path.read_text())["categories"]]
        b_path.write_text(json.dumps(perturb(json.loads(a_path.read_text()), cats, seed + 1)))
    return gt_path, a_path, b_path


def pill_case() -> tuple[Path, Path, Path]:
    return (
        SAMPLE / "ground_truth.json",
        SAMPLE / "efficientnet_b3.json",
        SAMPLE / "resnet101.json",
    )


# --- one timed run, in a fresh interpreter: `bench_compare.py --run TOOL GT A B N` ------------


def _tide_data(path: str, *, gt: bool) -> Any:
    """tidecv ``Data`` from a COCO file, boxes only (what ``tidecv.datasets`` does, minus masks)."""
    from tidecv.data import Data

    doc = json.loads(Path(path).read_text())
    if gt:
        data = Data(Path(path).stem, max_dets=100)
        for image in doc["images"]:
            data.add_image(image["id"], image["file_name"])
        for cat in doc["categories"]:
            data.add_class(cat["id"], cat["name"])
        for ann in doc["annotations"]:
            add = data.add_ignore_region if ann.get("iscrowd") else data.add_ground_truth
            add(ann["image_id"], ann["category_id"], ann["bbox"], None)
        return data
    data = Data(Path(path).stem)
    for d in doc:
        data.add_detection(d["image_id"], d["category_id"], d["score"], d["bbox"], None)
    return data


def _run_baseline(gt_path: str, a_path: str, b_path: str, n_bootstrap: int) -> dict[str, Any]:
    """pycocotools COCOeval on A and B, then tidecv TIDE (box mode, IoU 0.5) on A and B.

    Each tool loads the ground truth once and evaluates both models against it (as tidecv's
    README does with one ``gt``), which is the cheapest way a user can run them.
    """
    parts: dict[str, Any] = {}
    out: dict[str, Any] = {}
    start = time.perf_counter()
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    from tidecv import TIDE

    parts["imports"] = time.perf_counter() - start
    with contextlib.redirect_stdout(io.StringIO()):
        t = time.perf_counter()
        coco_gt = COCO(gt_path)
        parts["pycocotools load gt"] = time.perf_counter() - t
        for side, path in (("a", a_path), ("b", b_path)):
            t = time.perf_counter()
            ev = COCOeval(coco_gt, coco_gt.loadRes(path), "bbox")
            ev.evaluate()
            ev.accumulate()
            ev.summarize()
            parts[f"pycocotools {side}"] = time.perf_counter() - t
            out[f"map_{side}"] = float(ev.stats[0])
        t = time.perf_counter()
        tide_gt = _tide_data(gt_path, gt=True)
        parts["tidecv load gt"] = time.perf_counter() - t
        tide = TIDE()
        for side, path in (("a", a_path), ("b", b_path)):
            t = time.perf_counter()
            run = tide.evaluate(tide_gt, _tide_data(path, gt=False), name=side)
            parts[f"tidecv {side}"] = time.perf_counter() - t
            out[f"tide_ap50_{side}"] = float(run.ap)
        t = time.perf_counter()
        tide.summarize()
        errors = tide.get_all_errors()["main"]
        parts["tidecv errors + summarize"] = time.perf_counter() - t
        for side in ("a", "b"):
            out[f"tide_errors_{side}"] = {k: round(float(v), 3) for k, v in errors[side].items()}
    return {"parts": parts, "out": out}


def _run_pillcmp(gt_path: str, a_path: str, b_path: str, n_bootstrap: int) -> dict[str, Any]:
    """``compare`` when it exists; otherwise every part of it that can be imported."""
    parts: dict[str, Any] = {}
    out: dict[str, Any] = {}
    missing: list[str] = []

    def timed(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        value = fn(*args, **kwargs)
        parts[name] = time.perf_counter() - t
        return value

    t0 = time.perf_counter()
    from pill_compare.io import load_ground_truth, load_results

    try:
        from pill_compare import compare
    except ImportError:
        compare = None
    parts["imports"] = time.perf_counter() - t0
    gt = timed("load gt", load_ground_truth, gt_path)
    a = timed("load a", load_results, a_path, gt=gt)
    b = timed("load b", load_results, b_path, gt=gt)
    if compare is not None:
        result = timed("compare", compare, gt, a, b, n_bootstrap=n_bootstrap)
        stats = result.to_dict().get("metrics", {})
        out["map_a"] = stats.get("a", {}).get("map")
        out["map_b"] = stats.get("b", {}).get("map")
        return {"parts": parts, "out": out, "missing": missing}
    missing.append("pill_compare.compare")
    from pill_compare.analysis.evaluate import evaluate

    ea = timed("evaluate a", evaluate, gt, a)
    eb = timed("evaluate b", evaluate, gt, b)
    out["map_a"], out["map_b"] = ea.coco.stats["map"], eb.coco.stats["map"]

    def optional(module: str, names: tuple[str, ...]) -> list[Any] | None:
        try:
            mod = __import__(f"pill_compare.analysis.{module}", fromlist=list(names))
            return [getattr(mod, n) for n in names]
        except (ImportError, AttributeError):
            missing.append(f"pill_compare.analysis.{module}: {', '.join(names)}")
            return None

    def attempt(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return timed(name, fn, *args, **kwargs)
        except Exception as exc:  # a part that exists but whose signature moved on
            parts[name] = f"failed: {type(exc).__name__}: {exc}"[:200]
            return None

    found = optional("error_types", ("compute_error_breakdown", "classify_errors"))
    errors_a = errors_b = None
    if found:
        breakdown, classify = found
        attempt("error breakdown a", breakdown, ea.matches)
        attempt("error breakdown b", breakdown, eb.matches)
        errors_a = attempt("classify errors a", classify, ea.matches)
        errors_b = attempt("classify errors b", classify, eb.matches)
    found = optional("disagreements", ("pair_models", "adjudicate"))
    if found:
        pair_models, adjudicate = found
        pairing = attempt("pair_models", pair_models, a, b)
        if pairing is not None and errors_a is not None and errors_b is not None:
            attempt("adjudicate", adjudicate, pairing, ea.matches, eb.matches, errors_a, errors_b)
    found = optional("significance", ("paired_bootstrap", "mcnemar"))
    if found:
        paired_bootstrap, mcnemar = found
        attempt(
            f"paired_bootstrap ({n_bootstrap})",
            paired_bootstrap,
            ea.matches,
            eb.matches,
            n_resamples=n_bootstrap,
        )
        attempt("mcnemar", mcnemar, ea.matches, eb.matches)
    found = optional("support", ("support_vs_performance",))
    if found:
        attempt("support_vs_performance", found[0], gt, ea, eb)
    return {"parts": parts, "out": out, "missing": missing}


def _run_hotcoco(gt_path: str, a_path: str, b_path: str, n_bootstrap: int) -> dict[str, Any]:
    """hotcoco's own comparison: COCOeval on A and B, then ``hotcoco.compare`` with the same
    number of bootstrap resamples (what its ``coco compare --bootstrap N`` runs)."""
    parts: dict[str, Any] = {}
    out: dict[str, Any] = {}
    start = time.perf_counter()
    import hotcoco

    parts["imports"] = time.perf_counter() - start
    with contextlib.redirect_stdout(io.StringIO()):
        t = time.perf_counter()
        coco_gt = hotcoco.COCO(gt_path)
        parts["load gt"] = time.perf_counter() - t
        evals = []
        for side, path in (("a", a_path), ("b", b_path)):
            t = time.perf_counter()
            ev = hotcoco.COCOeval(coco_gt, coco_gt.load_res(path), "bbox")
            ev.run()
            parts[f"evaluate {side}"] = time.perf_counter() - t
            out[f"map_{side}"] = float(ev.stats[0])
            evals.append(ev)
        t = time.perf_counter()
        hotcoco.compare(evals[0], evals[1], n_bootstrap=n_bootstrap, seed=0)
        parts[f"compare ({n_bootstrap} resamples)"] = time.perf_counter() - t
    return {"parts": parts, "out": out}


#: "pillcmp-cli" is the command itself (``pillcmp compare A B --gt GT --bootstrap N -f json -o
#: FILE``, whole process: start-up, input checks and the JSON written included); "pillcmp" the
#: library calls (load + ``compare``) timed inside the child, part by part.
RUNNERS = {
    "baseline": _run_baseline,
    "pillcmp": _run_pillcmp,
    "pillcmp-cli": None,
    "hotcoco": _run_hotcoco,
}


def _child(tool: str, gt_path: str, a_path: str, b_path: str, n_bootstrap: str) -> None:
    start = time.perf_counter()
    data = RUNNERS[tool](gt_path, a_path, b_path, int(n_bootstrap))
    data["seconds"] = time.perf_counter() - start
    print(json.dumps(data))


def measure(tool: str, paths: tuple[Path, Path, Path], n_bootstrap: int) -> dict[str, Any]:
    """One run of ``tool`` in a fresh interpreter: its report plus ``peak_mib`` (max RSS)."""
    if tool == "pillcmp-cli":
        return _measure_command(paths, n_bootstrap)
    cmd = [sys.executable, __file__, "--run", tool, *map(str, paths), str(n_bootstrap)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            raise RuntimeError(f"{tool} failed (exit {code}):\n{err.read()[-4000:]}")
        data = json.loads(out.read().strip().splitlines()[-1])
    data["peak_mib"] = usage.ru_maxrss / 1024
    return data


def _measure_command(paths: tuple[Path, Path, Path], n_bootstrap: int) -> dict[str, Any]:
    """`pillcmp compare A B --gt GT --bootstrap N -f json -o FILE` as a user runs it (the console
    script beside this interpreter), timed from start to exit as this process sees it. Peak
    memory: the largest of the command's process and the child processes it forks (their
    pages shared with it are counted in each; wait4 reports the largest, not a sum)."""
    gt, a, b = map(str, paths)
    exe = Path(sys.executable).with_name("pillcmp")
    with tempfile.TemporaryDirectory() as tmp:
        out_json = Path(tmp) / "compare.json"
        cmd = [str(exe), "compare", a, b, "--gt", gt, "--bootstrap", str(n_bootstrap)]
        cmd += ["-f", "json", "-o", str(out_json)]
        seconds, peak = bench_eval.time_command(cmd, cwd=REPO)
        doc = json.loads(out_json.read_text())
    metrics = doc.get("metrics", {})
    out = {"map_a": metrics.get("a", {}).get("map"), "map_b": metrics.get("b", {}).get("map")}
    return {
        "seconds": seconds,
        "parts": {"whole process": seconds},
        "out": out,
        "missing": [],
        "peak_mib": peak,
    }


# --- the table ----------------------------------------------------------------------------------


def _prepare(case: str, n_images: int, seed: int) -> None:
    """Make the case's files when missing; print their paths, then one line describing them."""
    paths = coco_case(n_images, seed) if case == "coco" else pill_case()
    gt = json.loads(paths[0].read_text())
    n_a = len(json.loads(paths[1].read_text()))
    n_b = len(json.loads(paths[2].read_text()))
    print("\n".join(str(p) for p in paths))
    print(
        f"{len(gt['images'])} images, {len(gt['annotations'])} GT annotations, "
        f"{len(gt['categories'])} categories; A {n_a} detections ({paths[1].name}), "
        f"B {n_b} ({paths[2].name})"
    )


def run_case(case: str, tools: list[str], repeat: int, n_bootstrap: int, args: Any) -> None:
    # Data made and described by a child process: the parent stays small, because a child's max
    # RSS as the kernel reports it can include the memory of the parent it was forked from.
    prepare = [sys.executable, __file__, "--prepare", case, "--images", str(args.images)]
    prepare += ["--seed", str(args.seed)]
    lines = subprocess.run(prepare, capture_output=True, text=True, check=True, cwd=REPO).stdout
    *paths_text, description = lines.strip().splitlines()
    paths = tuple(Path(p) for p in paths_text)
    print(
        f"\n== {case}: {description}; {repeat} run(s) per tool, bootstrap {n_bootstrap}; "
        "ratio = baseline median / tool median"
    )
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in tools}
    for _ in range(repeat):  # round-robin, so load drift hits every tool alike
        for tool in tools:
            runs[tool].append(measure(tool, paths, n_bootstrap))
    median = {t: statistics.median(r["seconds"] for r in runs[t]) for t in tools}
    peak = {t: max(r["peak_mib"] for r in runs[t]) for t in tools}
    ref = median.get("baseline")
    print(f"{'tool':<34}{'median s':>10}{'min s':>9}{'max s':>9}{'peak MiB':>10}{'ratio':>8}")
    for t in tools:
        seconds = [r["seconds"] for r in runs[t]]
        ratio = f"{ref / median[t]:.2f}x" if ref else "-"
        label = {
            "baseline": "pycocotools x2 + tidecv x2",
            "pillcmp": "pillcmp compare (library)",
            "pillcmp-cli": "pillcmp compare (command)",
            "hotcoco": "hotcoco eval x2 + compare",
        }[t]
        if t == "pillcmp" and runs[t][-1].get("missing"):
            label += " (partial)"
        print(
            f"{label:<34}{median[t]:>10.2f}{min(seconds):>9.2f}{max(seconds):>9.2f}"
            f"{peak[t]:>10.0f}{ratio:>8}"
        )
    for t in tools:
        print(f"\n{t} parts, median s:")
        names = runs[t][-1]["parts"]
        for name in names:
            values = [r["parts"][name] for r in runs[t] if isinstance(r["parts"].get(name), float)]
            shown = f"{statistics.median(values):>8.2f}" if values else f"  {names[name]}"
            print(f"  {name:<32}{shown}")
        for key, value in runs[t][-1]["out"].items():
            print(f"  -> {key}: {value}")
        if runs[t][-1].get("missing"):
            print("  missing (not timed): " + "; ".join(runs[t][-1]["missing"]))
    for tool in ("pillcmp", "pillcmp-cli"):
        if tool not in median:
            continue
        target = TARGETS[case]
        verdicts = [f"<= {target:g} s: {'met' if median[tool] <= target else 'NOT met'}"]
        if ref:
            verdicts.append(f"faster than baseline: {'met' if median[tool] < ref else 'NOT met'}")
        if "hotcoco" in median:
            ok = median[tool] <= 0.1 * median["hotcoco"]
            verdicts.append(
                f"<= 0.1x hotcoco's ({median[tool] / median['hotcoco']:.3f}x): "
                f"{'met' if ok else 'NOT met'}"
            )
        partial = " (partial: see missing parts)" if runs[tool][-1].get("missing") else ""
        print(f"\ntargets ({case}, {tool}){partial}: " + "; ".join(verdicts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("coco", "pill", "both"), default="both")
    parser.add_argument("--tools", default="baseline,pillcmp", help="comma-separated subset")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool and case")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--images", type=int, default=5000, help="images at COCO scale")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--run", nargs=5, metavar=("TOOL", "GT", "A", "B", "N"), help=argparse.SUPPRESS
    )
    parser.add_argument("--prepare", choices=("coco", "pill"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        _child(*args.run)
        return
    if args.prepare:
        _prepare(args.prepare, args.images, args.seed)
        return
    tools = [t for t in args.tools.split(",") if t]
    unknown = sorted(set(tools) - set(RUNNERS))
    if unknown:
        parser.error(
            f"--tools: expected a subset of {', '.join(RUNNERS)}, got {', '.join(unknown)}"
        )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs "
        f"(affinity {len(os.sched_getaffinity(0))})"
    )
    for case in ("pill", "coco") if args.case == "both" else (args.case,):
        run_case(case, tools, args.repeat, args.bootstrap, args)


if __name__ == "__main__":
    main()
