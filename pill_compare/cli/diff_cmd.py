"""`pillcmp diff`: category ids per image across two result files."""

import math
from pathlib import Path
from typing import Annotated

import typer

from pill_compare.analysis.diff import diff
from pill_compare.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    Format,
    InputFormatChoice,
    cli_errors,
    emit,
    fail_usage,
    parse_pair,
    resolve_format,
    warn,
)
from pill_compare.io import load_ground_truth, load_results
from pill_compare.report.diff_render import render_diff

EXISTING = {"exists": True, "dir_okay": False, "readable": True}


@cli_errors
def diff_command(
    result_a: Annotated[
        Path,
        typer.Argument(help="Run A: COCO results JSON or submission CSV.", metavar="A", **EXISTING),
    ],
    result_b: Annotated[
        Path, typer.Argument(help="Run B: same formats as A.", metavar="B", **EXISTING)
    ],
    gt: Annotated[
        Path | None,
        typer.Option(
            "--gt", help="COCO ground truth: checks ids and names the categories.", **EXISTING
        ),
    ] = None,
    names: Annotated[
        str | None, typer.Option(help="Display names 'A,B' (default: the file stems).")
    ] = None,
    score_thr: Annotated[
        float, typer.Option("--score-thr", min=0.0, help="Ignore detections scoring below this.")
    ] = 0.0,
    multiset: Annotated[
        bool,
        typer.Option("--multiset", help="Count a category detected twice vs once as a difference."),
    ] = False,
    input_format: Annotated[
        InputFormatChoice,
        typer.Option(
            "--input-format", help="Result file format: auto (sniffed from content), coco or csv."
        ),
    ] = InputFormatChoice.auto,
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP, dir_okay=False)
    ] = None,
) -> None:
    """Which category ids did each model detect on each image, and where do they differ?

    Lists every image whose sorted category list differs between A and B, the categories found only by one model (with how many images), recurring substitutions X → Y (A has X where B has Y), and images that only one model has detections on. An image differs when it has detections in both runs and its lists are unequal.

    Example:

        pillcmp diff efficientnet_b3.json resnet101.json --gt ground_truth.json -f md -o diff.md
    """
    if not math.isfinite(score_thr):
        fail_usage(f"--score-thr must be a finite number >= 0, got {score_thr}")
    pair = parse_pair(names, "--names")
    truth = load_ground_truth(gt) if gt else None
    warn(truth.warnings if truth else ())
    runs = []
    for path, name in zip((result_a, result_b), pair or (None, None), strict=True):
        dets = load_results(path, gt=truth, input_format=input_format.value, name=name)
        warn(dets.warnings)
        runs.append(dets)
    result = diff(
        runs[0],
        runs[1],
        score_threshold=score_thr,
        multiset=multiset,
        category_names=truth.category_names if truth else None,
    )
    emit(render_diff(result, resolve_format(fmt, output).value), output)
