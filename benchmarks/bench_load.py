"""Benchmark: loading + validating a large results file, pillcmp vs the reference tools.

    .venv/bin/python benchmarks/bench_load.py [--detections 400000] [--repeat 3]

Generates (once, under benchmarks/_data/) a COCO ground truth with 5,000 images and 80
non-contiguous categories, a COCO results JSON with N detections (~40 MB at 400k) and the same
detections as a submission CSV. Then times, each in a fresh subprocess so peak memory is its own:

* ``json.load`` alone (the floor: parsing without any validation),
* ``pycocotools COCO.loadRes`` (the reference loader; it validates almost nothing),
* ``pill_compare.load_results`` (JSON, full validation, then checked against the GT),
* ``pill_compare.load_results`` on the CSV form.

Prints median wall time, ratio to pycocotools, and peak RSS for each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "_data"

CASES = {
    "json.load (parse only)": """
        import json
        with open(RES) as f:
            json.load(f)
    """,
    "pycocotools loadRes": """
        import contextlib, io
        from pycocotools.coco import COCO
        with contextlib.redirect_stdout(io.StringIO()):
            gt = COCO(GT)
            gt.loadRes(RES)
    """,
    "pillcmp load_results (json, --gt)": """
        from pill_compare import load_ground_truth, load_results
        gt = load_ground_truth(GT)
        load_results(RES, gt=gt)
    """,
    "pillcmp load_results (csv, --gt)": """
        from pill_compare import load_ground_truth, load_results
        gt = load_ground_truth(GT)
        load_results(CSV, gt=gt)
    """,
}


def make_data(n_dets: int) -> tuple[Path, Path, Path]:
    DATA.mkdir(exist_ok=True)
    gt_path, res_path, csv_path = (
        DATA / "load_gt.json",
        DATA / f"load_res_{n_dets}.json",
        DATA / f"load_res_{n_dets}.csv",
    )
    if gt_path.exists() and res_path.exists() and csv_path.exists():
        return gt_path, res_path, csv_path
    rng = np.random.default_rng(0)
    cat_ids = np.sort(rng.choice(np.arange(1000, 40000), size=80, replace=False))
    images = [
        {"id": i, "file_name": f"{i}.png", "width": 640, "height": 480} for i in range(1, 5001)
    ]
    anns = []
    for i in range(36000):
        w, h = rng.uniform(5, 200, 2)
        anns.append(
            {
                "id": i + 1,
                "image_id": int(rng.integers(1, 5001)),
                "category_id": int(rng.choice(cat_ids)),
                "bbox": [
                    round(float(rng.uniform(0, 400)), 2),
                    round(float(rng.uniform(0, 300)), 2),
                    round(float(w), 2),
                    round(float(h), 2),
                ],
                "area": float(w * h),
                "iscrowd": 0,
            }
        )
    cats = [{"id": int(c), "name": f"class {c}"} for c in cat_ids]
    gt_path.write_text(json.dumps({"images": images, "annotations": anns, "categories": cats}))
    img = rng.integers(1, 5001, n_dets)
    cat = rng.choice(cat_ids, n_dets)
    xy = np.round(rng.uniform(0, 400, (n_dets, 2)), 2)
    wh = np.round(rng.uniform(1, 200, (n_dets, 2)), 2)
    score = np.round(rng.uniform(0, 1, n_dets), 5)
    res = [
        {"image_id": int(a), "category_id": int(b), "bbox": [x, y, w, h], "score": s}
        for a, b, (x, y), (w, h), s in zip(
            img, cat, xy.tolist(), wh.tolist(), score.tolist(), strict=True
        )
    ]
    res_path.write_text(json.dumps(res))
    lines = ["annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score"]
    lines += [
        f"{i + 1},{d['image_id']},{d['category_id']},{d['bbox'][0]},{d['bbox'][1]},{d['bbox'][2]},{d['bbox'][3]},{d['score']}"
        for i, d in enumerate(res)
    ]
    csv_path.write_text("\n".join(lines) + "\n")
    return gt_path, res_path, csv_path


def run_case(code: str, gt: Path, res: Path, csv: Path) -> tuple[float, float]:
    """Run one case in a fresh interpreter; return (wall seconds of the timed block, peak RSS MiB)."""
    script = (
        textwrap.dedent(
            f"""
        import resource, time
        GT, RES, CSV = {str(gt)!r}, {str(res)!r}, {str(csv)!r}
        t0 = time.perf_counter()
        """
        )
        + textwrap.dedent(code)
        + textwrap.dedent(
            """
        t1 = time.perf_counter()
        print(t1 - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        """
        )
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    wall, rss = out.stdout.split()[-2:]
    return float(wall), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--detections", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gt, res, csv = make_data(args.detections)
    print(
        f"results: {res.name} {res.stat().st_size / 1e6:.1f} MB, csv {csv.stat().st_size / 1e6:.1f} MB; "
        f"median of {args.repeat} runs, each in a fresh process"
    )
    rows = {}
    for name, code in CASES.items():
        runs = [run_case(code, gt, res, csv) for _ in range(args.repeat)]
        rows[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
    ref = rows["pycocotools loadRes"][0]
    print(f"{'case':38s} {'median s':>9s} {'vs pycocotools':>15s} {'peak RSS MiB':>13s}")
    for name, (wall, rss) in rows.items():
        print(f"{name:38s} {wall:9.2f} {wall / ref:14.2f}x {rss:13.0f}")


if __name__ == "__main__":
    main()
