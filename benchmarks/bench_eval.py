"""Benchmark `pillcmp eval` against pycocotools, faster-coco-eval and the Rust engines at COCO scale.

Generates a COCO-scale ground truth and results file (5,000 images, ~36k GT boxes, 80
non-contiguous category ids, crowd regions, up to 100 detections per image ≈ 450k detections with
many score ties), then times each tool's *full* evaluation from the files on disk (load +
validate + match + accumulate + summarize) in a fresh subprocess per run, so peak memory (max RSS
of that subprocess) is measured per tool. Prints the median wall time, the ratios, peak memory and
checks that the 12 COCO stats agree.

Usage:
    .venv/bin/python benchmarks/bench_eval.py                 # 5 runs each (default)
    .venv/bin/python benchmarks/bench_eval.py --repeat 3 --images 1000
    .venv/bin/python benchmarks/bench_eval.py --stages        # where pillcmp's time goes
    .venv/bin/python benchmarks/bench_eval.py --tools pillcmp,ultrafast,hotcoco --repeat 3
    .venv/bin/python benchmarks/bench_eval.py --tools pillcmp,ultrafast,hotcoco --dets-per-image 400
        # 4x the detections (~1.8M, 160 MB of JSON), same ground truth

ultrafast (ultrafast-pycocotools) and hotcoco are the Rust pycocotools-exact engines (dev
dependencies); the targets line says whether pillcmp is within 2x of the faster one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

# COCO's 80 category ids: 1..90 with gaps (non-contiguous on purpose).
COCO_CATEGORY_IDS = [i for i in range(1, 91) if i not in {12, 26, 29, 30, 45, 66, 68, 69, 71, 83}]


def generate(
    n_images: int = 5000,
    gt_per_image: float = 7.3,
    dets_per_image: int = 100,
    crowd_share: float = 0.01,
    seed: int = 0,
) -> tuple[dict, list[dict]]:
    """A synthetic COCO ground truth and a detector's results on it.

    Per image: Poisson(gt_per_image) GT boxes of random class and size (areas spread over small,
    medium and large), ~1% crowd regions; the detector outputs, for each GT, jittered boxes of the
    right class and sometimes of a wrong class, plus background boxes, capped at a
    random 80-100% of ``dets_per_image`` (≈ 450k detections for 5,000 images). Scores are rounded to 2 decimals so equal scores are common. GT ``area``
    is w*h times a segmentation-like factor in [0.6, 1].
    """
    rng = np.random.default_rng(seed)
    cats = np.array(COCO_CATEGORY_IDS, dtype=np.int64)
    images, annotations, results = [], [], []
    ann_id = 1
    for image_id in range(1, n_images + 1):
        width, height = 640.0, 480.0
        images.append(
            {"id": image_id, "file_name": f"{image_id:012d}.jpg", "width": width, "height": height}
        )
        n_gt = rng.poisson(gt_per_image)
        side = np.exp(rng.uniform(np.log(8), np.log(400), size=n_gt))
        aspect = np.exp(rng.uniform(-0.7, 0.7, size=n_gt))
        w = np.minimum(side * aspect, width - 1)
        h = np.minimum(side / aspect, height - 1)
        x = rng.uniform(0, width - w)
        y = rng.uniform(0, height - h)
        gt_cat = rng.choice(cats, size=n_gt)
        crowd = rng.random(n_gt) < crowd_share
        gt_boxes = np.stack([x, y, w, h], axis=1).round(2)
        for j in range(n_gt):
            bw, bh = float(gt_boxes[j, 2]), float(gt_boxes[j, 3])
            annotations.append(
                {
                    "id": ann_id,
                    "image_id": image_id,
                    "category_id": int(gt_cat[j]),
                    "bbox": gt_boxes[j].tolist(),
                    "area": round(bw * bh * rng.uniform(0.6, 1.0), 2),
                    "iscrowd": int(crowd[j]),
                }
            )
            ann_id += 1
        dets = []
        for j in range(n_gt):
            k = rng.integers(3, 12)
            jitter = rng.normal(0, 0.12, size=(k, 4)) * np.r_[gt_boxes[j, 2:], gt_boxes[j, 2:]]
            boxes = gt_boxes[j] + jitter
            boxes[:, 2:] = np.maximum(boxes[:, 2:], 1.0)
            labels = np.where(rng.random(k) < 0.8, gt_cat[j], rng.choice(cats, size=k))
            scores = np.clip(rng.beta(5, 2, size=k), 0.01, 1)
            dets += zip(boxes.tolist(), labels.tolist(), scores.tolist(), strict=True)
        cap = int(rng.integers(dets_per_image * 4 // 5, dets_per_image + 1))
        n_bg = max(0, cap - len(dets))
        bw = np.exp(rng.uniform(np.log(6), np.log(300), size=n_bg))
        bh = np.exp(rng.uniform(np.log(6), np.log(300), size=n_bg))
        bx = rng.uniform(0, width - bw)
        by = rng.uniform(0, height - bh)
        bg = np.stack([bx, by, bw, bh], axis=1).tolist()
        dets += zip(
            bg,
            rng.choice(cats, size=n_bg).tolist(),
            np.clip(rng.beta(1.2, 6, size=n_bg), 0.01, 1).tolist(),
            strict=True,
        )
        dets.sort(key=lambda d: -d[2])
        for box, label, score in dets[:cap]:
            results.append(
                {
                    "image_id": image_id,
                    "category_id": int(label),
                    "bbox": [round(v, 2) for v in box],
                    "score": round(score, 2),
                }
            )
    categories = [{"id": int(c), "name": f"class_{c}", "supercategory": "pill"} for c in cats]
    gt = {"images": images, "annotations": annotations, "categories": categories}
    return gt, results


def ensure_data(n_images: int, seed: int, dets_per_image: int = 100) -> tuple[Path, Path]:
    """Write (once) and return the ground truth and results paths for this size and seed.

    The generator draws GT boxes and detections from one random stream, so each
    ``dets_per_image`` has its own ground truth (same sizes and distribution)."""
    DATA.mkdir(parents=True, exist_ok=True)
    tag = "" if dets_per_image == 100 else f"_d{dets_per_image}"
    gt_path = DATA / f"gt_{n_images}_{seed}{tag}.json"
    res_path = DATA / f"res_{n_images}_{seed}{tag}.json"
    if not (gt_path.exists() and res_path.exists()):
        gt, res = generate(n_images=n_images, seed=seed, dets_per_image=dets_per_image)
        gt_path.write_text(json.dumps(gt))
        res_path.write_text(json.dumps(res))
    return gt_path, res_path


# --- one timed run, executed in a fresh interpreter: `bench_eval.py --run TOOL GT RES` ---


def _run_pillcmp(gt_path: str, res_path: str) -> list[float]:
    from pill_compare.analysis.evaluate import evaluate
    from pill_compare.io import load_ground_truth, load_results

    gt = load_ground_truth(gt_path)
    dets = load_results(res_path, gt=gt)
    result = evaluate(gt, dets)
    return [float("nan") if v is None else v for v in result.coco.stats.values()]


def _run_pycocotools(gt_path: str, res_path: str) -> list[float]:
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(gt_path)
        coco_dt = coco_gt.loadRes(res_path)
        ev = COCOeval(coco_gt, coco_dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats.tolist()


def _run_faster_coco_eval(gt_path: str, res_path: str) -> list[float]:
    import contextlib
    import io

    from faster_coco_eval import COCO, COCOeval_faster

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(gt_path)
        coco_dt = coco_gt.loadRes(res_path)
        ev = COCOeval_faster(coco_gt, coco_dt, "bbox", print_function=lambda *a, **k: None)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats.tolist()


def _run_ultrafast(gt_path: str, res_path: str) -> list[float]:
    import contextlib
    import io

    from ultrafast_pycocotools import COCO, COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(gt_path)
        coco_dt = coco_gt.loadRes(res_path)
        ev = COCOeval(coco_gt, coco_dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(v) for v in ev.stats]


def _run_hotcoco(gt_path: str, res_path: str) -> list[float]:
    import contextlib
    import io

    from hotcoco import COCO, COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(gt_path)
        coco_dt = coco_gt.load_res(res_path)
        ev = COCOeval(coco_gt, coco_dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(v) for v in ev.stats]


def stages(gt_path: Path, res_path: Path, repeat: int) -> None:
    """Print the median seconds of each stage of pillcmp's evaluation, in this process.

    The stages are timed one after the other (imports excluded): parsing the results JSON alone
    (the floor), loading the ground truth, loading + validating the results against it, the
    matching pass, accumulate + summarize, and the whole ``evaluate`` (which matches again and
    adds the operating point, accuracies and confusion matrix).
    """
    from pill_compare.analysis.coco_metrics import compute_coco_metrics
    from pill_compare.analysis.evaluate import evaluate
    from pill_compare.analysis.matching import match_detections
    from pill_compare.io import load_ground_truth, load_results

    times: dict[str, list[float]] = {}

    def timed(name, fn, *args, **kwargs):
        start = time.perf_counter()
        value = fn(*args, **kwargs)
        times.setdefault(name, []).append(time.perf_counter() - start)
        return value

    for _ in range(repeat):
        timed("json.loads (results, parse only)", lambda: json.loads(res_path.read_bytes()))
        gt = timed("load_ground_truth", load_ground_truth, gt_path)
        dets = timed("load_results (with gt)", load_results, res_path, gt=gt)
        table = timed("match_detections", match_detections, gt, dets)
        timed("compute_coco_metrics", compute_coco_metrics, table)
        timed("evaluate (everything)", evaluate, gt, dets)
    print(f"\npillcmp stages, median of {repeat} (seconds, in one process, imports excluded)")
    for name, values in times.items():
        print(f"{name:<36}{statistics.median(values):>8.2f}")


#: "pillcmp" is the command itself (``pillcmp eval GT RES -f json -o FILE``: what issue 16's
#: target names, CLI start-up, input checks and the JSON written included); "pillcmp-api" the
#: library calls alone (load_ground_truth + load_results + evaluate) in the child.
RUNNERS = {
    "pillcmp": None,
    "pillcmp-api": _run_pillcmp,
    "pycocotools": _run_pycocotools,
    "faster-coco-eval": _run_faster_coco_eval,
    "ultrafast": _run_ultrafast,
    "hotcoco": _run_hotcoco,
}


def _child(tool: str, gt_path: str, res_path: str) -> None:
    start = time.perf_counter()
    stats = RUNNERS[tool](gt_path, res_path)
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "stats": stats}))


def _timed(tool: str, gt_path: Path, res_path: Path) -> tuple[float, float, float, list[float]]:
    """Run one tool in a fresh interpreter; return (seconds of the whole process, seconds inside
    it, peak RSS in MiB, the 12 stats).

    The whole-process time runs from the start of the child to its exit as the parent sees it
    (interpreter start-up and teardown included: what a user waits for); the inside time is
    measured in the child around imports + load + evaluate + summarize. The peak memory is the
    child's own max RSS as the kernel reports it (``wait4``).
    """
    cmd = [sys.executable, __file__, "--run", tool, str(gt_path), str(res_path)]
    if tool == "pillcmp":
        return _timed_command(gt_path, res_path)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        whole = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{tool} failed (exit {proc.returncode}):\n{err.read()}")
        data = json.loads(out.read().strip().splitlines()[-1])
    return whole, data["seconds"], usage.ru_maxrss / 1024, data["stats"]


def time_command(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Run ``cmd`` as a user would and return (seconds from start to exit as this process sees
    them, peak MiB: the largest max RSS of the process and the children it waited for, as
    ``wait4`` reports it). Raises RuntimeError with its stderr when it fails."""
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, text=True, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd[:2])} failed:\n{err.read()[-4000:]}")
    return seconds, usage.ru_maxrss / 1024


def _timed_command(gt_path: Path, res_path: Path) -> tuple[float, float, float, list[float]]:
    """`pillcmp eval GT RES -f json -o FILE` as a user runs it (the console script next to this
    interpreter); the 12 stats are read back from the JSON it wrote. The inside time is NaN:
    only the whole process is measured."""
    exe = Path(sys.executable).with_name("pillcmp")
    with tempfile.TemporaryDirectory() as tmp:
        out_json = Path(tmp) / "eval.json"
        cmd = [str(exe), "eval", str(gt_path), str(res_path), "-f", "json", "-o", str(out_json)]
        whole, peak = time_command(cmd)
        stats = json.loads(out_json.read_text())["coco"]["stats"]
    values = [float("nan") if v is None else v for v in stats.values()]
    return whole, float("nan"), peak, values


def _describe(gt_path: Path, res_path: Path) -> None:
    gt = json.loads(gt_path.read_text())
    n_res = len(json.loads(res_path.read_text()))
    anns = gt["annotations"]
    print(
        f"data: {len(gt['images'])} images, {len(anns)} GT boxes "
        f"({sum(a['iscrowd'] for a in anns)} crowd), {len(gt['categories'])} categories "
        f"(non-contiguous ids), {n_res} detections; {res_path.stat().st_size / 2**20:.1f} MiB "
        f"results JSON"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=5000, help="images to generate")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per tool")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--dets-per-image",
        type=int,
        default=100,
        help="cap on detections per image (80-100%% of it are drawn); 400 gives ~1.8M detections",
    )
    parser.add_argument("--tools", default=",".join(RUNNERS), help="comma-separated subset")
    parser.add_argument(
        "--stages", action="store_true", help="time pillcmp's stages in one process instead"
    )
    parser.add_argument("--run", nargs=3, metavar=("TOOL", "GT", "RES"), help=argparse.SUPPRESS)
    parser.add_argument("--describe", nargs=2, metavar=("GT", "RES"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        _child(*args.run)
        return
    if args.describe:
        _describe(Path(args.describe[0]), Path(args.describe[1]))
        return
    if args.generate:
        ensure_data(args.images, args.seed, args.dets_per_image)
        return
    tools = [t for t in args.tools.split(",") if t]
    # Generated by a child too (see the data description below).
    generate = [sys.executable, __file__, "--generate", "--images", str(args.images)]
    generate += ["--dets-per-image", str(args.dets_per_image)]
    subprocess.run([*generate, "--seed", str(args.seed)], check=True)
    gt_path, res_path = ensure_data(args.images, args.seed, args.dets_per_image)
    if args.stages:
        stages(gt_path, res_path, args.repeat)
        return
    # Described by a child process: the parent stays small, because a child's max RSS as the
    # kernel reports it can include the memory of the parent it was forked from.
    describe = [sys.executable, __file__, "--describe", str(gt_path), str(res_path)]
    print(subprocess.run(describe, capture_output=True, text=True, check=True).stdout.strip())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {args.repeat} runs per tool")
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {t: [] for t in tools}  # whole process
    inside: dict[str, list[float]] = {t: [] for t in tools}
    peaks: dict[str, float] = dict.fromkeys(tools, 0.0)
    stats: dict[str, list[float]] = {}
    for _ in range(args.repeat):  # round-robin, so load drift hits every tool alike
        for tool in tools:
            whole, seconds, peak, st = _timed(tool, gt_path, res_path)
            times[tool].append(whole)
            inside[tool].append(seconds)
            peaks[tool] = max(peaks[tool], peak)
            stats[tool] = st
    load_after = os.getloadavg()
    medians = {t: statistics.median(v) for t, v in times.items()}
    print(
        "load average (1 min) before / after: "
        f"{load_before[0]:.2f} / {load_after[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(
        f"\n{'tool':<18}{'median s':>10}{'min s':>9}{'max s':>9}{'inside s':>10}{'peak MiB':>10}"
        "   (whole process: start-up to exit; inside: imports + work)"
    )
    for t in tools:
        print(
            f"{t:<18}{medians[t]:>10.2f}{min(times[t]):>9.2f}{max(times[t]):>9.2f}"
            f"{statistics.median(inside[t]):>10.2f}{peaks[t]:>10.0f}"
        )
    if "pillcmp" in medians:
        print()
        for ref in (t for t in tools if t != "pillcmp"):
            print(
                f"pillcmp / {ref}: time {medians['pillcmp'] / medians[ref]:.2f}x, "
                f"peak memory {peaks['pillcmp'] / peaks[ref]:.2f}x"
            )
        if "pycocotools" in stats:
            ref = np.array(stats["pycocotools"])
            for t in tools:
                if t != "pycocotools":
                    got = np.array(stats[t])
                    worst = float(np.nanmax(np.abs(got - ref))) if got.size else float("nan")
                    print(f"max |stat - pycocotools stat| for {t}: {worst:.3g}")
        elif "ultrafast" in stats:  # bit-exact to pycocotools itself: the reference here
            got, ref = np.array(stats["pillcmp"]), np.array(stats["ultrafast"])
            ref = np.where(ref == -1, np.nan, ref)  # -1 = n/a, NaN in pillcmp's list
            same = np.array_equal(np.isnan(got), np.isnan(ref)) and np.array_equal(
                got[~np.isnan(got)], ref[~np.isnan(ref)]
            )
            print(f"12 stats equal to ultrafast's (bit for bit): {'yes' if same else 'NO'}")
        targets = []
        if "pycocotools" in medians:
            ok = medians["pycocotools"] / medians["pillcmp"] >= 3
            targets.append(f">= 3x faster than pycocotools: {'met' if ok else 'NOT met'}")
            ok = peaks["pillcmp"] <= peaks["pycocotools"]
            targets.append(f"peak memory <= pycocotools': {'met' if ok else 'NOT met'}")
        if "faster-coco-eval" in medians:
            ok = medians["pillcmp"] <= 1.25 * medians["faster-coco-eval"]
            targets.append(f"time <= 1.25x faster-coco-eval's: {'met' if ok else 'NOT met'}")
        rust = [t for t in ("ultrafast", "hotcoco") if t in medians]
        if rust:  # issue 16: within 2x of the faster Rust engine; peak memory <= 1.5x its
            fastest = min(rust, key=medians.__getitem__)
            ratio = medians["pillcmp"] / medians[fastest]
            targets.append(
                f"time <= 2x the faster Rust engine ({fastest}): {ratio:.2f}x, "
                f"{'met' if ratio <= 2 else 'NOT met'}"
            )
            ratio = peaks["pillcmp"] / peaks[fastest]
            targets.append(
                f"peak memory <= 1.5x {fastest}'s: {ratio:.2f}x, "
                f"{'met' if ratio <= 1.5 else 'NOT met'}"
            )
        print("targets:\n  " + "\n  ".join(targets))


if __name__ == "__main__":
    main()
