"""What the match table costs per million detections: bytes per field, and peak memory.

Loads the COCO-scale case of ``bench_eval.py`` (5,000 images, ~36k GT boxes, ~450k detections;
``--images`` scales it), builds the :class:`~pill_compare.analysis.matching.MatchTable` with the
default settings (4 area ranges x 10 IoU thresholds) and prints, per array of the table and of the
detections it indexes, the bytes per detection, then the table's total per million detections and
the process's peak memory (max RSS) after matching. docs/scaling.md quotes its output.

Usage:
    .venv/bin/python benchmarks/match_table_cost.py
    .venv/bin/python benchmarks/match_table_cost.py --images 1000
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_eval import ensure_data


def field_bytes(obj: object) -> dict[str, int]:
    """Bytes of every numpy array attribute of ``obj`` (a dataclass instance), by name; a
    tuple of arrays (the match list) counts as one. Cached arrays built on demand (the dense
    ``det_gt``) count only when something has read them."""
    sizes = {}
    for name, value in vars(obj).items():
        if isinstance(value, np.ndarray):
            sizes[name] = value.nbytes
        elif isinstance(value, tuple) and value and all(isinstance(v, np.ndarray) for v in value):
            sizes[name] = sum(v.nbytes for v in value)  # a list of matches (greedy.Matches)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=5000, help="images at COCO scale")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from pill_compare.analysis.matching import match_detections
    from pill_compare.io import load_ground_truth, load_results

    gt_path, res_path = ensure_data(args.images, args.seed)
    gt = load_ground_truth(gt_path)
    dets = load_results(res_path, gt=gt)
    table = match_detections(gt, dets)
    n = table.n_dets
    print(
        f"{n:,} detections, {table.n_gts:,} GT boxes, {table.pair_det.size:,} overlapping pairs "
        f"({table.pair_det.size / n:.2f} per detection), "
        f"{len(table.area_ranges)} area ranges x {table.iou_thresholds.size} IoU thresholds"
    )
    rows = [("match table", field_bytes(table)), ("detections", field_bytes(dets))]
    total = 0
    print(f"{'array':<34}{'bytes/detection':>16}{'MiB':>10}")
    for owner, sizes in rows:
        for name, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
            print(f"{owner + '.' + name:<34}{size / n:>16.1f}{size / 2**20:>10.1f}")
            total += size
    print(f"{'total':<34}{total / n:>16.1f}{total / 2**20:>10.1f}")
    print(f"per million detections: {total / n * 1e6 / 2**30:.2f} GiB (table + detections)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process after matching: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
