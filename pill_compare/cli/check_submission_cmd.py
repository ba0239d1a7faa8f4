"""`pillcmp check-submission`: will this submission CSV score? Exit 0 clean, 1 with a report."""

from pathlib import Path
from typing import Annotated

import typer

from pill_compare.cli._common import Outputs, loading_warnings, print_or_put
from pill_compare.cli.options import ExplainOption, FormatOption, OutputOption, StrictOption
from pill_compare.cli.registry import command
from pill_compare.io import load_ground_truth


@command("check-submission")
def check_submission_command(
    submission: Annotated[
        Path, typer.Argument(help="The submission CSV.", exists=True, dir_okay=False)
    ],
    gt: Annotated[
        Path | None,
        typer.Option(
            "--gt",
            exists=True,
            dir_okay=False,
            help="COCO ground truth: the allowed category ids; without --test-images also the "
            "expected image ids and sizes.",
        ),
    ] = None,
    test_images: Annotated[
        Path | None,
        typer.Option(
            "--test-images",
            exists=True,
            file_okay=False,
            help="Folder of test images: image_id = integer file stem (17.png → 17); sizes "
            "from the file headers.",
        ),
    ] = None,
    max_per_image: Annotated[
        int,
        typer.Option("--max-per-image", min=0, help="Most detections per image (0: no limit)."),
    ] = 4,
    strict: StrictOption = False,
    explain: ExplainOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """Check everything that breaks a leaderboard score, all at once.

    Header, unique positive annotation ids, numeric fields, score in [0, 1], w, h > 0, boxes
    inside the image (with sizes), box format (not normalized, xyxy or centre form), category
    ids in the ground truth's set (with a hint when they are off by one or look like class
    indices), image ids covering the test images, detections per image. Exit 0 when no error,
    1 otherwise.

    Example:

        pillcmp check-submission sub.csv --gt gt.json --test-images images
    """
    from pill_compare.prep.submission_check import check_submission
    from pill_compare.report.prep_render import render_submission_check

    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    truth = load_ground_truth(gt) if gt else None
    loading_warnings(truth.warnings if truth else (), strict=strict)
    result = check_submission(
        submission,
        gt=truth,
        test_images=test_images,
        max_per_image=max_per_image or None,
    )
    text = render_submission_check(result, out_fmt.value, explain=explain)
    print_or_put(outputs, "output", output, text)
    outputs.write()
    if not result.ok:
        raise typer.Exit(1)
