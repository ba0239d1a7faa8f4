"""`pillcmp merge`: AIHub per-pill COCO files → one COCO ground truth, and what was wrong."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pill_compare.cli._common import Outputs, echo, print_or_put
from pill_compare.cli.options import FORMAT_HELP, ExplainOption, Format
from pill_compare.cli.registry import command


class CategoryIdFrom(str, Enum):
    """Where merge takes each annotation's category id from."""

    category_id = "category_id"
    dl_idx = "dl_idx"
    k_code = "k_code"


class BadBoxes(str, Enum):
    """What merge does with boxes that leave the image."""

    clip = "clip"
    drop = "drop"


@command("merge")
def merge_command(
    annotation_dir: Annotated[
        Path,
        typer.Argument(
            help="Folder of per-pill JSON files (searched recursively).",
            exists=True,
            file_okay=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write the merged COCO ground truth here (.json; '-' is stdout, and the report "
            "then goes to stderr).",
        ),
    ],
    images: Annotated[
        Path | None,
        typer.Option(
            "--images",
            exists=True,
            file_okay=False,
            help="Image folder: check width/height against the files (the file wins) and list "
            "images without any annotation.",
        ),
    ] = None,
    category_id_from: Annotated[
        CategoryIdFrom,
        typer.Option(
            "--category-id-from",
            help="category_id (the file's own; = dl_idx = K-number - 1 in AIHub data), "
            "dl_idx, or k_code (the K-number: K-001900 → 1900).",
        ),
    ] = CategoryIdFrom.category_id,
    bad_boxes: Annotated[
        BadBoxes,
        typer.Option(
            "--bad-boxes",
            help="Boxes leaving the image: clip them to it, or drop them. Boxes with w or h <= 0 "
            "are always dropped.",
        ),
    ] = BadBoxes.clip,
    skip_bad_files: Annotated[
        bool,
        typer.Option(
            "--skip-bad-files",
            help="Merge the readable files even when some are unreadable (listed as warnings). "
            "Without it, nothing is written when a file cannot be read.",
        ),
    ] = False,
    fmt: Annotated[
        Format | None, typer.Option("--format", "-f", help="Report format. " + FORMAT_HELP)
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", dir_okay=False, help="Write the report here instead of stdout."),
    ] = None,
    explain: ExplainOption = False,
) -> None:
    """Merge per-pill annotation files into one COCO ground truth, listing what was wrong.

    Images are keyed by file name (per-file ids are ignored) and get new ids 1..N in file-name
    order. Exact duplicates are removed, boxes with w or h <= 0 dropped, boxes leaving the image
    clipped (or dropped), and every image whose file name lists a pill without an annotation is
    listed. Each annotation keeps its source record's pill fields (dl_name, drug_shape,
    color_class1, print_front, ...) under "attributes". Exit 1, writing nothing, when a file
    cannot be read (unless --skip-bad-files).

    Example:

        pillcmp merge train_annotations -o train_gt.json --images train_images
    """
    from pill_compare.prep.merge import merge_annotations
    from pill_compare.report.prep_render import render_merge

    outputs = Outputs()
    outputs.file("output", output, (".json",))
    report_fmt = outputs.report("report", report, fmt)
    result = merge_annotations(
        annotation_dir,
        images_dir=images,
        category_id_from=category_id_from.value,
        bad_boxes=bad_boxes.value,
        skip_bad_files=skip_bad_files,
    )
    text = render_merge(result, report_fmt.value, explain=explain)
    if report is None and str(output) == "-":
        echo(text, err=True, nl=False)  # stdout carries the merged JSON
    else:
        print_or_put(outputs, "report", report, text)
    if not result.ok:
        outputs.write()  # the report, if it goes to a file
        typer.secho(
            f"error: nothing written to {output}: {result.files_bad} file(s) could not be read "
            "(listed above); fix them, or rerun with --skip-bad-files to merge the rest",
            err=True,
            fg="red",
        )
        raise typer.Exit(1)
    outputs.put("output", result.coco_json())
    outputs.write()
    c = result.counts
    echo(
        f"merged: {c['images']} images, {c['annotations']} annotations, "
        f"{c['categories']} categories",
        err=True,
    )
