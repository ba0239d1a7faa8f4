"""What the composite loss's variants do to a detector, measured (docs/losses.md quotes it):

    .venv/bin/python benchmarks/loss_variants.py            # seeds 0-4 at 30 steps, seed 0 at 150

A RetinaNet on timm's 0.37 M-parameter test ResNet is trained on four 64 px images of three
overlapping rectangles (tests/nn/test_retinanet_training.py builds them), Adam, 2 images a step,
one torch thread, with Algorithm 2's composite loss, the compact variant, or torchvision's focal
loss; then each detector is run on its own 4 training images and a GT box counts as found when a
detection of its class (torchvision's score_thresh 0.05) overlaps it at IoU >= 0.5.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from tests.nn.test_retinanet_training import boxes_found, trained

CASES = ("algorithm2", "compact", "focal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--long-steps", type=int, default=150, help="seed 0 only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("steps  seed  variant     found  best score  seconds")
    runs = [(args.steps, seed) for seed in range(args.seeds)] + [(args.long_steps, 0)]
    for steps, seed in runs:
        for case in CASES:
            start = time.perf_counter()
            detector = trained(case, steps=steps, seed=seed)[2]
            found, total, best = boxes_found(detector)
            took = time.perf_counter() - start
            print(
                f"{steps:5d}  {seed:4d}  {case:10s}  {found:2d}/{total}  {best:10.3f}  {took:7.1f}"
            )


if __name__ == "__main__":
    main()
