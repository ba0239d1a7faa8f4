"""`pillcmp eval`: COCO-exact metrics, per-class numbers, operating point, accuracy, confusion."""

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import coco_iou_thresholds
from pill_compare.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    Format,
    InputFormatChoice,
    check_plot_path,
    cli_errors,
    emit,
    fail_usage,
    resolve_format,
    save_figure,
    warn,
)
from pill_compare.errors import ConfigError
from pill_compare.io import atomic_path, load_ground_truth, load_results
from pill_compare.report.eval_render import render_eval

EXISTING = {"exists": True, "dir_okay": False, "readable": True}
DUMP_SUFFIXES = (".csv", ".parquet")


def parse_iou_thresholds(value: str) -> np.ndarray:
    """``start:stop:step`` (built like pycocotools' linspace) or a comma list, all in (0, 1].

    Raises:
        ConfigError: anything else (exit 2).
    """
    expected = (
        "--iou expects start:stop:step like 0.5:0.95:0.05 or a comma-separated list like "
        f"0.5,0.75, each in (0, 1]; got {value!r}"
    )
    try:
        if ":" in value:
            start, stop, step = (float(p) for p in value.split(":"))
            if not (step > 0 and stop >= start):
                raise ConfigError(expected)
            thresholds = coco_iou_thresholds(start, stop, step)
        else:
            thresholds = np.array([float(p) for p in value.split(",")], dtype=np.float64)
    except ValueError:
        raise ConfigError(expected) from None
    if thresholds.size == 0 or not np.all((thresholds > 0) & (thresholds <= 1)):
        raise ConfigError(expected)
    return thresholds


def parse_max_dets(value: str) -> tuple[int, ...]:
    """Comma-separated positive integers, e.g. '1,10,100' (sorted, as pycocotools does)."""
    try:
        caps = sorted({int(p) for p in value.split(",")})
    except ValueError:
        caps = []
    if not caps or caps[0] < 1:
        raise ConfigError(
            f"--max-dets expects comma-separated integers >= 1 like 1,10,100, got {value!r}"
        )
    return tuple(caps)


@cli_errors
def eval_command(
    ground_truth: Annotated[
        Path, typer.Argument(help="COCO ground truth JSON.", metavar="GT", **EXISTING)
    ],
    results: Annotated[
        Path,
        typer.Argument(
            help="Detections: COCO results JSON or submission CSV.", metavar="RES", **EXISTING
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Display name of the run (default: file stem).")
    ] = None,
    iou: Annotated[
        str,
        typer.Option(
            "--iou",
            help="COCO IoU thresholds: start:stop:step (built like pycocotools) or a list, "
            "e.g. 0.75:0.95:0.05 for mAP@[0.75:0.95].",
        ),
    ] = "0.5:0.95:0.05",
    max_dets: Annotated[
        str,
        typer.Option("--max-dets", help="COCO caps on detections per image and class."),
    ] = "1,10,100",
    score_thr: Annotated[
        float,
        typer.Option(
            "--score-thr", min=0.0, help="Operating point: detections with score >= this count."
        ),
    ] = 0.5,
    iou_thr: Annotated[
        float,
        typer.Option("--iou-thr", help="Operating point IoU (also confusion matrix, accuracy)."),
    ] = 0.5,
    input_format: Annotated[
        InputFormatChoice,
        typer.Option(
            "--input-format", help="Result file format: auto (sniffed from content), coco or csv."
        ),
    ] = InputFormatChoice.auto,
    dump_matches: Annotated[
        Path | None,
        typer.Option(
            "--dump-matches",
            dir_okay=False,
            help="Write the match table (one row per detection and per GT box) as .csv or .parquet.",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", dir_okay=False, help="Save the confusion matrix heatmap (.png, .svg, .pdf)."
        ),
    ] = None,
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP, dir_okay=False)
    ] = None,
) -> None:
    """How good is one model? COCO metrics equal to pycocotools, and what they hide.

    The 12 COCO stats (map, map_50, ..., mar_large; n/a where pycocotools prints -1), per-class AP, AP50, AP75, AR100 and GT support; at the operating point (--score-thr, --iou-thr): TP/FP/FN, precision, recall, F1 per class, micro and macro, and the score threshold that maximizes F1; classification accuracy and image exact-match accuracy; a confusion matrix with background. Every number is printed with its definition. All of it comes from one matching pass, which --dump-matches writes out.

    Example:

        pillcmp eval ground_truth.json resnet101.json --iou 0.75:0.95:0.05 -f json -o eval.json
    """
    check_plot_path(plot)
    if dump_matches is not None and dump_matches.suffix.lower() not in DUMP_SUFFIXES:
        fail_usage(f"--dump-matches must end in .csv or .parquet, got '{dump_matches}'")
    if not math.isfinite(score_thr):
        fail_usage(f"--score-thr must be a finite number >= 0, got {score_thr}")
    if not (0 < iou_thr <= 1):
        fail_usage(f"--iou-thr must be in (0, 1], got {iou_thr}")
    thresholds = parse_iou_thresholds(iou)
    caps = parse_max_dets(max_dets)

    gt = load_ground_truth(ground_truth)
    warn(gt.warnings)
    dets = load_results(results, gt=gt, input_format=input_format.value, name=name)
    warn(dets.warnings)
    result = evaluate(
        gt,
        dets,
        iou_thresholds=thresholds,
        max_dets=caps,
        score_threshold=score_thr,
        iou_threshold=iou_thr,
    )
    warn(c for c in result.caveats if c not in gt.warnings and c not in dets.warnings)
    emit(render_eval(result, resolve_format(fmt, output).value), output)
    if dump_matches is not None:
        _write_matches(result.matches.to_frame(), dump_matches)
        typer.echo(f"wrote {dump_matches}", err=True)
    if plot is not None:
        from pill_compare.report.eval_plots import plot_confusion_matrix

        save_figure(plot_confusion_matrix(result.confusion), plot)


def _write_matches(frame, path: Path) -> None:
    """CSV or Parquet (Parquet needs pyarrow), atomically."""
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".parquet":
            try:
                frame.to_parquet(tmp, index=False)
            except ImportError:
                raise ConfigError(
                    "--dump-matches .parquet needs pyarrow (pip install pyarrow); "
                    "or write .csv instead"
                ) from None
        else:
            frame.to_csv(tmp, index=False, lineterminator="\n")
