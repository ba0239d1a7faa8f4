"""`pillcmp compare`: which of two runs is better, is it significant, where they disagree and
who was right."""

import math
from pathlib import Path
from typing import Annotated

import typer

from pill_compare.analysis.compare import compare
from pill_compare.cli._common import (
    Outputs,
    fail_usage,
    load_optional_gt,
    load_two_runs,
    parse_pair,
    print_or_put,
    progress_spinner,
    warn,
)
from pill_compare.cli.eval_cmd import parse_iou_thresholds, parse_max_dets
from pill_compare.cli.options import (
    EXISTING_FILE,
    ExplainOption,
    FormatOption,
    GtOption,
    InputFormatChoice,
    InputFormatOption,
    NamesOption,
    OutputOption,
    StrictOption,
    score_thr_help,
)
from pill_compare.cli.registry import command
from pill_compare.report.compare_render import render_compare
from pill_compare.report.tables import to_csv

PAIRS_SUFFIXES = (".csv",)


@command("compare")
def compare_command(
    result_a: Annotated[
        Path,
        typer.Argument(
            help="Run A: COCO results JSON or submission CSV.", metavar="A", **EXISTING_FILE
        ),
    ],
    result_b: Annotated[
        Path, typer.Argument(help="Run B: same formats as A.", metavar="B", **EXISTING_FILE)
    ],
    gt: GtOption = None,
    train_ann: Annotated[
        Path | None,
        typer.Option(
            "--train-ann",
            help="Training annotations (COCO): tests whether per-class AP follows training "
            "support (Spearman) and whether the disputed classes are rare. Needs --gt.",
            **EXISTING_FILE,
        ),
    ] = None,
    names: NamesOption = None,
    score_thr: Annotated[
        float,
        typer.Option(
            "--score-thr",
            min=0.0,
            help=score_thr_help("at the operating point (pairing, P/R/F1, verdicts, McNemar)"),
        ),
    ] = 0.5,
    iou_thr: Annotated[
        float, typer.Option("--iou-thr", help="Operating point IoU: a box is right at IoU >= this.")
    ] = 0.5,
    pair_iou: Annotated[
        float,
        typer.Option("--pair-iou", help="An A box and a B box are the same object at IoU >= this."),
    ] = 0.5,
    iou: Annotated[
        str, typer.Option("--iou", help="COCO IoU thresholds of mAP, as for eval.")
    ] = "0.5:0.95:0.05",
    max_dets: Annotated[
        str, typer.Option("--max-dets", help="COCO caps on detections per image and class.")
    ] = "1,10,100",
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap", min=0, help="Paired bootstrap resamples over images (0: no bootstrap)."
        ),
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the bootstrap: same seed, same numbers.")
    ] = 0,
    alpha: Annotated[
        float, typer.Option("--alpha", help="Significance level of the verdict.")
    ] = 0.05,
    rare: Annotated[
        int,
        typer.Option("--rare", min=0, help="With --train-ann: fewer training annotations = rare."),
    ] = 10,
    dump_pairs: Annotated[
        Path | None,
        typer.Option(
            "--dump-pairs",
            dir_okay=False,
            help="Write the pair table (.csv): every pair and one-sided box with both runs' "
            "categories, scores, IoU and, with --gt, status, error type and verdict.",
        ),
    ] = None,
    input_format: InputFormatOption = InputFormatChoice.auto,
    strict: StrictOption = False,
    explain: ExplainOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """Which run is better, by how much, is it significant, where do they disagree, who was right?

    With --gt: every eval metric for A and B and B − A; a paired bootstrap over images (ΔmAP, ΔAP50, ΔF1 with a 95% interval and p-value) and McNemar's exact test per GT object; A's and B's boxes paired per image (class-agnostic, greedy by score, one-to-one at --pair-iou) with a verdict from the ground truth for every class swap (A right, B right, both wrong, no object there) and recurring swap patterns; each run's errors in TIDE's vocabulary (cls, loc, both, dupe, bkg, miss) with the ΔAP50 of fixing each; per-class AP deltas. With --train-ann also whether class imbalance explains the gap. Without --gt: the category-id diff, the pairing and its agreement (Cohen's kappa) — agreement, never accuracy.

    Example:

        pillcmp compare efficientnet_b3.json resnet101.json --gt gt.json --train-ann train.json -o c.md
    """
    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    outputs.file("dump_pairs", dump_pairs, PAIRS_SUFFIXES)
    if not math.isfinite(score_thr):
        fail_usage(f"--score-thr must be a finite number >= 0, got {score_thr}")
    for flag, value in (("--iou-thr", iou_thr), ("--pair-iou", pair_iou)):
        if not (0 < value <= 1):
            fail_usage(f"{flag} must be in (0, 1], got {value}")
    if not (0 < alpha < 1):
        fail_usage(f"--alpha must be in (0, 1), got {alpha}")
    if train_ann is not None and gt is None:
        fail_usage(
            "--train-ann needs --gt: training support is compared with AP on the ground truth"
        )
    thresholds = parse_iou_thresholds(iou)
    caps = parse_max_dets(max_dets)
    pair = parse_pair(names, "--names")

    truth = load_optional_gt(gt, strict=strict)
    train = load_optional_gt(train_ann, strict=strict)
    runs = load_two_runs(
        (result_a, result_b), pair, truth, input_format=input_format.value, strict=strict
    )

    with progress_spinner("compare") as step:
        result = compare(
            truth,
            runs[0],
            runs[1],
            train_gt=train,
            score_threshold=score_thr,
            iou_threshold=iou_thr,
            pair_iou=pair_iou,
            iou_thresholds=thresholds,
            max_dets=caps,
            n_bootstrap=bootstrap,
            seed=seed,
            alpha=alpha,
            rare_threshold=rare,
            progress=step,
        )
    shown = set(truth.warnings if truth else ()) | {w for d in runs for w in d.warnings}
    warn(c for c in result.caveats if c not in shown)
    if dump_pairs is not None:
        table = result.disagreements if result.disagreements is not None else result.pairing
        outputs.put("dump_pairs", to_csv(table.to_frame()))
    print_or_put(outputs, "output", output, render_compare(result, out_fmt.value, explain=explain))
    outputs.write()
