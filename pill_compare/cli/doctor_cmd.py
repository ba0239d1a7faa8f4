"""`pillcmp doctor`: what is wrong with result files (and their ground truth), with the fix."""

from pathlib import Path
from typing import Annotated

import typer

from pill_compare.cli._common import (
    Outputs,
    fail_usage,
    load_optional_gt,
    print_or_put,
    start_checked_runs,
)
from pill_compare.cli.options import (
    EXISTING_FILE,
    CategoryMapOption,
    FormatOption,
    GtOption,
    InputFormatChoice,
    InputFormatOption,
    OutputOption,
    score_thr_help,
)
from pill_compare.cli.registry import command
from pill_compare.errors import InputFormatError
from pill_compare.io.category_map import category_map_json
from pill_compare.report.doctor_render import render_doctor

#: Suffixes of a --write-map file.
MAP_SUFFIXES = (".json",)


def roles_for(n: int) -> tuple[str, ...]:
    """'a', 'b', ... for up to 26 files, then '27', '28', ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return tuple(letters[i] if i < len(letters) else str(i + 1) for i in range(n))


@command("doctor")
def doctor_command(
    results: Annotated[
        list[Path],
        typer.Argument(
            help="One or more result files: COCO results JSON or submission CSV.",
            metavar="RESULTS",
            **EXISTING_FILE,
        ),
    ],
    gt: GtOption = None,
    write_map: Annotated[
        Path | None,
        typer.Option(
            "--write-map",
            dir_okay=False,
            help='Write the category-id map the data imply (JSON {"from": to}) for the one '
            "file that needs it; pass it back with --category-map FILE.",
        ),
    ] = None,
    score_thr: Annotated[
        float,
        typer.Option("--score-thr", min=0.0, help=score_thr_help("when pairing two runs' boxes")),
    ] = 0.5,
    input_format: InputFormatOption = InputFormatChoice.auto,
    category_map: CategoryMapOption = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 on warnings too, not only on blocking findings."),
    ] = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """What is wrong with these result files, found from the data, and how to fix it.

    Checks, each with a stable code, a severity (blocking: a comparison would be meaningless; warning; info), counts, examples and the fix: the category-id space (ids + 1 for K-numbers, the detector's class index, a permuted id list: found by matching the boxes to the ground truth regardless of class, then a one-to-one assignment of ids), the box format (xyxy, centre + size, normalized: the reading that matches the ground truth best), repeated rows, boxes of zero width or height, results on other images than the ground truth's (training annotations passed as the ground truth), two identical files, runs on different images; with two files and --gt also the ground truth itself (boxes both models agree on where it has nothing: likely missing annotations; labels both contradict). Without --gt two files are checked against each other. Every analysis command runs the same checks first. Exit 1 when a blocking finding stands (with --strict also on warnings).

    Examples:

        pillcmp doctor submission.csv --gt ground_truth.json

        pillcmp doctor a.json --gt ground_truth.json --write-map a_map.json
    """
    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    if out_fmt.value == "csv":
        fail_usage("pillcmp doctor writes text, md or json, not csv")
    outputs.file("write_map", write_map, MAP_SUFFIXES)
    truth = load_optional_gt(gt, strict=False)
    roles = roles_for(len(results))
    prepared = start_checked_runs(
        results,
        roles,
        None,
        truth,
        input_format=input_format.value,
        strict=False,
        category_map=category_map,
        score_threshold=score_thr,
        quiet=True,
        beside=False,  # waited for at once
    ).finish()
    d = prepared.diagnosis
    runs = list(prepared.runs.values())
    if truth is not None and len(runs) == 2 and not d.blocking:
        # Two sound runs and their ground truth: also audit the ground truth (boxes both runs
        # agree on where it has nothing, labels both contradict), as compare does.
        from pill_compare.analysis.compare import compare

        d = compare(truth, runs[0], runs[1], n_bootstrap=0, tide_iou=None, diagnosis=d).diagnosis
    print_or_put(outputs, "output", output, render_doctor(d, out_fmt.value, runs=runs))
    if write_map is not None:
        maps = d.category_maps
        if len(maps) > 1:
            fail_usage(
                f"--write-map: {len(maps)} files need a category map ({', '.join(d.roles[r] for r in maps)}); "
                "run pillcmp doctor on each file alone"
            )
        if maps:
            outputs.put("write_map", category_map_json(next(iter(maps.values()))))
    outputs.write()
    if write_map is not None and not d.category_maps:
        typer.echo(
            "no category map to write: the ids are right (or could not be inferred)", err=True
        )
    standing = d.standing if strict else d.blocking
    if standing:
        raise InputFormatError(
            f"{len(standing)} {'finding(s)' if strict else 'blocking finding(s)'} in the inputs "
            "(see above)"
        )
