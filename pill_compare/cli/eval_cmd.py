"""`pillcmp eval`: COCO-exact metrics, per-class numbers, operating point, accuracy, confusion."""

import io
import json
import math
from enum import Enum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import coco_iou_thresholds
from pill_compare.cli._common import (
    Outputs,
    echo,
    fail_usage,
    figure_bytes,
    print_or_put,
    slice_specs,
    start_checked_runs,
    start_loading_truth,
    warn,
)
from pill_compare.cli.errors import EXIT_INTERNAL, say_error
from pill_compare.cli.options import (
    EXISTING_FILE,
    PLOT_SUFFIXES,
    CategoryMapOption,
    ExplainOption,
    FormatOption,
    InputFormatChoice,
    InputFormatOption,
    OutputOption,
    SliceOption,
    StrictOption,
    score_thr_help,
)
from pill_compare.cli.registry import command
from pill_compare.errors import ConfigError
from pill_compare.report.doctor_render import render_with_diagnosis
from pill_compare.report.eval_render import render_eval
from pill_compare.report.tables import to_csv

DUMP_SUFFIXES = (".csv", ".parquet")


class CrossCheckEngine(str, Enum):
    """The engines --cross-check can run (pill_compare.analysis.crosscheck.CROSS_CHECK_ENGINES)."""

    pycocotools = "pycocotools"
    ultrafast = "ultrafast"
    hotcoco = "hotcoco"


class ThresholdRule(str, Enum):
    """What the per-class thresholds of --thresholds-out optimise."""

    olrp = "olrp"
    f1 = "f1"


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


@command("eval")
def eval_command(
    ground_truth: Annotated[
        Path, typer.Argument(help="COCO ground truth JSON.", metavar="GT", **EXISTING_FILE)
    ],
    results: Annotated[
        Path,
        typer.Argument(
            help="Detections: COCO results JSON or submission CSV.",
            metavar="RES",
            **EXISTING_FILE,
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
        typer.Option("--score-thr", min=0.0, help=score_thr_help("at the operating point")),
    ] = 0.5,
    iou_thr: Annotated[
        float,
        typer.Option("--iou-thr", help="Operating point IoU (also confusion matrix, accuracy)."),
    ] = 0.5,
    input_format: InputFormatOption = InputFormatChoice.auto,
    category_map: CategoryMapOption = None,
    dump_matches: Annotated[
        Path | None,
        typer.Option(
            "--dump-matches",
            dir_okay=False,
            help="Write the match table (one row per detection and per GT box) as .csv or .parquet.",
        ),
    ] = None,
    thresholds_out: Annotated[
        Path | None,
        typer.Option(
            "--thresholds-out",
            dir_okay=False,
            help="Write the per-class score thresholds (.json) that --thresholds-rule picks, for "
            "'pillcmp convert --class-thresholds' or 'pillcmp predict --class-thresholds'.",
        ),
    ] = None,
    thresholds_rule: Annotated[
        ThresholdRule,
        typer.Option(
            "--thresholds-rule",
            help="olrp: the threshold minimising each class's LRP (IoU 0.5); f1: the one "
            "maximising its F1.",
        ),
    ] = ThresholdRule.olrp,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", dir_okay=False, help="Save the confusion matrix heatmap (.png, .svg, .pdf)."
        ),
    ] = None,
    normalize: Annotated[
        bool,
        typer.Option(
            "--normalize", help="Plot the confusion matrix normalized per GT class (row shares)."
        ),
    ] = False,
    cross_check: Annotated[
        bool,
        typer.Option(
            "--cross-check",
            help="Also run pycocotools on the same input and print the largest difference per "
            "COCO stat: proof of parity on your own data (slower).",
        ),
    ] = False,
    slices: SliceOption = None,
    cross_check_engine: Annotated[
        CrossCheckEngine | None,
        typer.Option(
            "--cross-check-engine",
            help="Cross-check against this engine instead of pycocotools (implies "
            "--cross-check): ultrafast (ultrafast-pycocotools) or hotcoco, the Rust "
            "pycocotools-exact engines, seconds instead of a minute at COCO scale; the package "
            "must be installed.",
        ),
    ] = None,
    strict: StrictOption = False,
    explain: ExplainOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """How good is one model? COCO metrics equal to pycocotools, and what they hide.

    The 12 COCO stats (map, map_50, ..., mar_large; n/a where pycocotools prints -1), per-class AP, AP50, AP75, AR100 and GT support; at the operating point (--score-thr, --iou-thr): TP/FP/FN, precision, recall, F1 per class, micro and macro, and the score threshold that maximizes F1; optimal LRP per class with the threshold that gives it (--thresholds-out writes those thresholds); classification accuracy and image exact-match accuracy; a confusion matrix with background; with --slice KEY, mAP and AP50 per value of KEY (objects_per_image, image_size, or an annotation attribute such as drug_shape). Detections whose image or category id the ground truth lacks are left out with a warning, as pycocotools does (--strict refuses them). All of it comes from one matching pass, which --dump-matches writes out.

    Example:

        pillcmp eval gt.json r101.json --iou 0.75:0.95:0.05 -f json -o e.json
    """
    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    outputs.file("plot", plot, PLOT_SUFFIXES)
    outputs.file("dump_matches", dump_matches, DUMP_SUFFIXES)
    outputs.file("thresholds_out", thresholds_out, (".json",))
    if not math.isfinite(score_thr):
        fail_usage(f"--score-thr must be a finite number >= 0, got {score_thr}")
    if not (0 < iou_thr <= 1):
        fail_usage(f"--iou-thr must be in (0, 1], got {iou_thr}")
    thresholds = parse_iou_thresholds(iou)
    caps = parse_max_dets(max_dets)
    engine = None
    if cross_check or cross_check_engine is not None:
        from pill_compare.analysis.crosscheck import require_engine

        engine = "pycocotools" if cross_check_engine is None else cross_check_engine.value
        require_engine(engine)  # before the evaluation: a missing package fails at once

    # The ground truth loads beside the results when they are large; the input check runs
    # beside the evaluation (it cannot change the run without --category-map auto); its
    # findings are printed before anything else comes out.
    checked = start_checked_runs(
        (results,),
        ("results",),
        (name,),
        start_loading_truth(ground_truth, beside=(results,)),
        input_format=input_format.value,
        strict=strict,
        category_map=category_map,
        score_threshold=score_thr,
        iou_threshold=iou_thr,
    )
    gt, dets = checked.truth, checked.runs["results"]
    specs = slice_specs(slices, gt)
    with checked.first_on_error():
        result = evaluate(
            gt,
            dets,
            iou_thresholds=thresholds,
            max_dets=caps,
            score_threshold=score_thr,
            iou_threshold=iou_thr,
            slices=specs,
        )
    prepared = checked.finish()
    warn(c for c in result.caveats if c not in gt.warnings and c not in dets.warnings)
    if thresholds_out is not None:
        if result.lrp is None:
            fail_usage(
                "--thresholds-out needs the matching at IoU 0.5 (LRP's): include 0.5 in --iou "
                "or give --iou-thr 0.5"
            )
        doc = result.lrp.thresholds_dict(thresholds_rule.value)
        outputs.put("thresholds_out", json.dumps(doc, indent=2) + "\n")
    if dump_matches is not None:
        outputs.put("dump_matches", _matches_bytes(result.matches.to_frame(), dump_matches))
    if plot is not None:
        from pill_compare.report.eval_plots import plot_confusion_matrix

        fig = plot_confusion_matrix(result.confusion, normalize=normalize)
        outputs.put("plot", figure_bytes(fig, plot))
    text = render_with_diagnosis(
        result,
        out_fmt.value,
        lambda: render_eval(result, out_fmt.value, explain=explain),
        prepared.diagnosis,
        runs=[dets],
    )
    print_or_put(outputs, "output", output, text)
    outputs.write()
    if engine is not None:
        from pill_compare.analysis.crosscheck import cross_check as run_cross_check
        from pill_compare.report.crosscheck_render import render_cross_check

        check = run_cross_check(gt, dets, result, engine=engine)
        echo(render_cross_check(check, "text", explain=explain), err=True, nl=False)
        if not check.equal:
            say_error(
                f"internal error: pillcmp differs from {check.engine_package} by up to "
                f"{check.max_abs_diff:g} on this input. This is a bug in pillcmp (or a "
                "pycocotools quirk it does not reproduce yet): please report it with these files."
            )
            raise typer.Exit(EXIT_INTERNAL)


def _matches_bytes(frame, path: Path) -> bytes:
    """The match table as CSV or Parquet bytes (Parquet needs pyarrow)."""
    if path.suffix.lower() != ".parquet":
        return to_csv(frame).encode("utf-8")  # the one CSV writer: cells cleaned as everywhere
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except ImportError:
        raise ConfigError(
            ".parquet needs pyarrow (pip install pyarrow); or write .csv instead",
            param="dump_matches",
        ) from None
    return buffer.getvalue()
