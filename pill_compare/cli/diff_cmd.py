"""`pillcmp diff`: category ids per image across two result files."""

import math
from pathlib import Path
from typing import Annotated

import typer

from pill_compare.cli._common import (
    Outputs,
    fail_usage,
    load_optional_gt,
    parse_pair,
    print_or_put,
    start_checked_runs,
)
from pill_compare.cli.options import (
    EXISTING_FILE,
    CategoryMapOption,
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
from pill_compare.report.doctor_render import render_with_diagnosis


@command("diff")
def diff_command(
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
    names: NamesOption = None,
    score_thr: Annotated[
        float, typer.Option("--score-thr", min=0.0, help=score_thr_help("(default: all)"))
    ] = 0.0,
    multiset: Annotated[
        bool,
        typer.Option("--multiset", help="Count a category detected twice vs once as a difference."),
    ] = False,
    input_format: InputFormatOption = InputFormatChoice.auto,
    category_map: CategoryMapOption = None,
    strict: StrictOption = False,
    explain: ExplainOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """Which category ids did each model detect on each image, and where do they differ?

    Lists every image whose category list differs between A and B — an image with detections in one run and none in the other differs too — the categories found only by one model (with how many images), recurring substitutions X → Y (A has X where B has Y), and images that only one model has detections on.

    Example:

        pillcmp diff b3.json r101.json --gt gt.json -f md -o diff.md
    """
    from pill_compare.analysis.diff import diff
    from pill_compare.report.diff_render import render_diff

    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    if not math.isfinite(score_thr):
        fail_usage(f"--score-thr must be a finite number >= 0, got {score_thr}")
    pair = parse_pair(names, "--names")
    truth = load_optional_gt(gt, strict=strict)
    prepared = start_checked_runs(
        (result_a, result_b),
        ("a", "b"),
        pair,
        truth,
        input_format=input_format.value,
        strict=strict,
        category_map=category_map,
        beside=False,  # waited for at once
    ).finish()
    result = diff(
        prepared.runs["a"],
        prepared.runs["b"],
        score_threshold=score_thr,
        multiset=multiset,
        gt=truth,
    )
    text = render_with_diagnosis(
        result,
        out_fmt.value,
        lambda: render_diff(result, out_fmt.value, explain=explain),
        prepared.diagnosis,
        runs=list(prepared.runs.values()),
    )
    print_or_put(outputs, "output", output, text)
    outputs.write()
