"""`pillcmp predict`: run a trained detector over a folder of images and write COCO results or
the submission CSV, with the dataset's own category ids.

torch is imported only when the command runs (inside :func:`pill_compare.nn.predict.predict`),
so ``pillcmp --help`` and the other commands never load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from pill_compare.cli._common import Outputs, echo, load_optional_gt, progress_bar, warn
from pill_compare.cli.options import EXISTING_FILE, DeviceChoice, score_thr_help
from pill_compare.cli.registry import command

#: -o suffix → what is written (stdout, a device or a FIFO gets COCO results).
PREDICT_SUFFIXES = (".json", ".csv")


@command("predict")
def predict_command(
    weights: Annotated[
        Path,
        typer.Option(
            "--weights",
            exists=True,
            help="A checkpoint written by pillcmp train (best.pt, last.pt) or its run folder "
            "(then its best.pt).",
        ),
    ],
    images: Annotated[
        Path,
        typer.Option(
            "--images", exists=True, file_okay=False, help="The folder of images to run on."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Where to write the detections: .json (COCO results) or .csv (the submission "
            "CSV); '-' writes COCO results to stdout. A regular file is replaced atomically.",
        ),
    ],
    gt: Annotated[
        Path | None,
        typer.Option(
            "--gt",
            help="COCO ground truth: run on its images (found by file_name) with its image ids, "
            "and give boxes in its coordinates when the files are resized copies. Without it, "
            "every image in the folder is run and its id is the numeric file stem (17.png).",
            **EXISTING_FILE,
        ),
    ] = None,
    score_thr: Annotated[
        float,
        typer.Option("--score-thr", min=0.0, max=1.0, help=score_thr_help("(0 keeps all)")),
    ] = 0.05,
    max_per_image: Annotated[
        int,
        typer.Option("--max-per-image", min=1, help="Most detections kept per image."),
    ] = 100,
    device: Annotated[
        DeviceChoice,
        typer.Option("--device", help="auto (cuda when available), cpu or cuda."),
    ] = DeviceChoice.auto,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Images per forward pass.")
    ] = 4,
    class_thresholds: Annotated[
        Path | None,
        typer.Option(
            "--class-thresholds",
            help="Per-class score thresholds JSON (from 'pillcmp eval --thresholds-out'): drop "
            "detections scoring below their class's threshold (after --score-thr and "
            "--max-per-image; a class without one keeps all).",
            **EXISTING_FILE,
        ),
    ] = None,
) -> None:
    """Run a trained detector over a folder of images; write COCO results or the submission CSV.

    Category ids are the dataset's own (the checkpoint keeps the mapping from the model's labels), boxes COCO [x, y, w, h] in the ground truth's pixels (scaled back when the image files are resized copies). Throughput is printed at the end. The output goes straight to eval, compare, report and check-submission.

    Examples:

        pillcmp predict --weights runs/r101 --images imgs --gt gt.json -o r.json

        pillcmp predict --weights runs/r101/best.pt --images imgs -o sub.csv

        pillcmp predict --weights runs/r101 --images test --class-thresholds thr.json -o sub.csv
    """
    from pill_compare.prep.convert import coco_results_text, submission_csv_text
    from pill_compare.prep.thresholds import apply_class_thresholds, load_class_thresholds

    outputs = Outputs()
    target = outputs.file("output", output, PREDICT_SUFFIXES)
    as_csv = target is not None and target.kind == "file" and output.suffix.lower() == ".csv"
    truth = load_optional_gt(gt, strict=False)
    # Read before the model runs: a bad file fails in a second, not after the whole folder.
    thresholds = load_class_thresholds(class_thresholds) if class_thresholds else None

    from pill_compare.nn.predict import predict

    with _progress_bar("predict") as step:
        result = predict(
            weights,
            images,
            gt=truth,
            score_thr=score_thr,
            max_per_image=max_per_image,
            device=device.value,
            batch_size=batch_size,
            progress=step,
        )
    warn(result.warnings)
    dets = result.detections
    below = ""
    if thresholds is not None:
        kept = apply_class_thresholds(dets, thresholds)
        below = f"; {len(dets) - len(kept):,} dropped below their class's threshold"
        dets = kept
    outputs.put("output", submission_csv_text(dets) if as_csv else coco_results_text(dets))
    outputs.write()
    echo(
        f"predicted {result.images:,} images in {result.seconds:.1f} s "
        f"({result.images_per_second:.1f} images/s on {result.device}), "
        f"{len(dets):,} detections -> {output}"
        + (f" ({result.dropped:,} boxes without area left out)" if result.dropped else "")
        + below,
        err=True,
    )


class _progress_bar:
    """A rich progress bar on stderr (images done of all, rate, time left), only on a terminal.

    ``with _progress_bar("predict") as step: predict(..., progress=step)``; ``step(done, total)``.
    """

    def __init__(self, label: str):
        self.label = label
        self.live: Any = None

    def __enter__(self) -> Any:
        self.live = progress_bar("images")
        if self.live is None:
            return None
        task = self.live.add_task(self.label, total=None)
        return lambda done, total: self.live.update(task, completed=done, total=total)

    def __exit__(self, *exc: Any) -> bool:
        if self.live is not None:
            self.live.stop()
        return False
