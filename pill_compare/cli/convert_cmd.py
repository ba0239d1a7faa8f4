"""`pillcmp convert`: COCO results JSON ↔ submission CSV; YOLO prediction folders → either."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pill_compare.cli._common import Outputs, echo, fail_usage, warn
from pill_compare.cli.registry import command
from pill_compare.io import load_ground_truth
from pill_compare.prep.yolo import CLASS_MAP_HELP


class ConvertFrom(str, Enum):
    """Input formats of convert."""

    auto = "auto"
    coco = "coco"
    csv = "csv"
    yolo = "yolo"


class ConvertTo(str, Enum):
    """Output formats of convert."""

    auto = "auto"
    coco = "coco"
    csv = "csv"


@command("convert")
def convert_command(
    source: Annotated[
        Path,
        typer.Argument(
            help="COCO results JSON, submission CSV, or a folder of YOLO prediction .txt files.",
            exists=True,
        ),
    ],
    target: Annotated[
        Path,
        typer.Argument(help="Output: .json (COCO results) or .csv (submission).", dir_okay=False),
    ],
    gt: Annotated[
        Path | None,
        typer.Option(
            "--gt",
            exists=True,
            dir_okay=False,
            help="COCO ground truth: checks ids; for YOLO input also image ids and sizes "
            "(matched by file stem) and class names.",
        ),
    ] = None,
    images: Annotated[
        Path | None,
        typer.Option(
            "--images",
            exists=True,
            file_okay=False,
            help="YOLO input: image files giving the sizes (matched by stem).",
        ),
    ] = None,
    class_map: Annotated[
        Path | None,
        typer.Option(
            "--class-map",
            exists=True,
            dir_okay=False,
            help="YOLO input: class index → category id: " + CLASS_MAP_HELP + ".",
        ),
    ] = None,
    class_thresholds: Annotated[
        Path | None,
        typer.Option(
            "--class-thresholds",
            exists=True,
            dir_okay=False,
            help="Per-class score thresholds JSON (from 'pillcmp eval --thresholds-out'): drop "
            "detections scoring below their class's threshold.",
        ),
    ] = None,
    input_format: Annotated[
        ConvertFrom,
        typer.Option("--from", help="auto (a folder is YOLO; files are sniffed), coco, csv, yolo."),
    ] = ConvertFrom.auto,
    output_format: Annotated[
        ConvertTo, typer.Option("--to", help="auto (from the output suffix), coco or csv.")
    ] = ConvertTo.auto,
) -> None:
    """Convert detections between COCO results JSON, the submission CSV and YOLO txt folders.

    COCO → CSV → COCO gives back exactly the same numbers. YOLO lines 'class cx cy w h
    [score]' (normalized) become pixel [x, y, w, h] boxes with the class map's category ids.

    Examples:

        pillcmp convert resnet101.json submission.csv

        pillcmp convert labels/ sub.csv --class-map classes.txt --images images

        pillcmp convert resnet101.json sub.csv --class-thresholds thresholds.json
    """
    from pill_compare.prep.convert import convert
    from pill_compare.prep.thresholds import load_class_thresholds

    if Outputs().file("target", target).kind == "stdout":
        fail_usage("convert writes a file: give TARGET a .json or .csv name, not '-'")
    truth = load_ground_truth(gt) if gt else None
    warn(truth.warnings if truth else ())
    thresholds = load_class_thresholds(class_thresholds) if class_thresholds else None
    result = convert(
        source,
        target,
        gt=truth,
        images_dir=images,
        class_map=class_map,
        input_format=input_format.value,
        output_format=output_format.value,
        class_thresholds=thresholds,
    )
    warn(result.warnings)
    echo(
        f"wrote {result.target}: {result.detections} detections on {result.images} images "
        f"({result.input_format} → {result.output_format})"
        + (
            f"; {result.dropped} dropped below their class's threshold"
            if thresholds is not None
            else ""
        ),
        err=True,
    )
