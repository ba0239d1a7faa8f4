"""Options and arguments every command spells the same way: one declaration each.

Use them as parameter annotations::

    def diff_command(a: ResultArgA, b: ResultArgB, gt: GtOption = None, fmt: FormatOption = None,
                     output: OutputOption = None, strict: StrictOption = False): ...
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

EXISTING_FILE = {"exists": True, "dir_okay": False, "readable": True}


class Format(str, Enum):
    """Output formats shared by the analysis commands."""

    text = "text"
    md = "md"
    json = "json"
    csv = "csv"


class InputFormatChoice(str, Enum):
    """How to read a result file: sniff it, or force COCO JSON or the submission CSV."""

    auto = "auto"
    coco = "coco"
    csv = "csv"


class HeadChoice(str, Enum):
    """The detection head on a backbone's FPN (train, profile)."""

    retinanet = "retinanet"
    fasterrcnn = "fasterrcnn"


class DeviceChoice(str, Enum):
    """Where a model runs (train, predict): CUDA when available with auto, else the CPU."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


#: Suffixes each output format may be written to (a device, FIFO or '-' takes any format).
FORMAT_SUFFIXES: dict[Format, tuple[str, ...]] = {
    Format.text: ("", ".txt", ".text", ".log"),
    Format.md: (".md", ".markdown"),
    Format.json: (".json",),
    Format.csv: (".csv",),
}

#: Figure formats a ``--plot`` path may end in.
PLOT_SUFFIXES = (".png", ".svg", ".pdf")

FORMAT_HELP = (
    "Output format: text (terminal table), md (Markdown), json, csv. "
    "Default: text, or the one the -o suffix names (.txt, .md, .json, .csv)."
)
OUTPUT_HELP = (
    "Write the output to this file instead of the terminal ('-' is stdout). A regular file is "
    "replaced atomically (a symlink's target is); a device or FIFO is written into; the folder "
    "must exist."
)

GtOption = Annotated[
    Path | None,
    typer.Option(
        "--gt",
        help="COCO ground truth: checks ids (detections with ids it lacks are left out, with a "
        "warning, as pycocotools does) and names the categories.",
        **EXISTING_FILE,
    ),
]
FormatOption = Annotated[Format | None, typer.Option("--format", "-f", help=FORMAT_HELP)]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP, dir_okay=False)
]
InputFormatOption = Annotated[
    InputFormatChoice,
    typer.Option(
        "--input-format", help="Result file format: auto (sniffed from content), coco or csv."
    ),
]
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Treat every loading warning as an error (exit 1): for pipelines that must not "
        "score a file with unknown ids, shifted labels or other suspicious content.",
    ),
]
ExplainOption = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="Add each number's definition to the text output (md and json always have them).",
    ),
]
NamesOption = Annotated[
    str | None, typer.Option("--names", help="Display names 'A,B' (default: the file stems).")
]


ResultA = Annotated[
    Path,
    typer.Argument(
        help="Run A: COCO results JSON or submission CSV.", metavar="A", **EXISTING_FILE
    ),
]
ResultB = Annotated[
    Path, typer.Argument(help="Run B: same formats as A.", metavar="B", **EXISTING_FILE)
]
TrainAnnOption = Annotated[
    Path | None,
    typer.Option(
        "--train-ann",
        help="Training annotations (COCO): the training set's class imbalance (max / min, Gini, "
        "evenness, rare classes) and whether the disputed classes are rare; with --gt also "
        "whether per-class AP follows training support (Spearman). Names the categories too.",
        **EXISTING_FILE,
    ),
]
IouThrOption = Annotated[
    float, typer.Option("--iou-thr", help="Operating point IoU: a box is right at IoU >= this.")
]
PairIouOption = Annotated[
    float,
    typer.Option("--pair-iou", help="An A box and a B box are the same object at IoU >= this."),
]
CocoIouOption = Annotated[
    str, typer.Option("--iou", help="COCO IoU thresholds of mAP, as for eval.")
]
MaxDetsOption = Annotated[
    str, typer.Option("--max-dets", help="COCO caps on detections per image and class.")
]
BootstrapOption = Annotated[
    int,
    typer.Option(
        "--bootstrap", min=0, help="Paired bootstrap resamples over images (0: no bootstrap)."
    ),
]
SeedOption = Annotated[
    int,
    typer.Option(
        "--seed", min=0, help="Random seed of the bootstrap: the same value gives the same numbers."
    ),
]


def score_thr_help(what: str) -> str:
    """Help for ``--score-thr``: every command keeps detections with score >= the threshold."""
    return f"Keep detections with score >= this {what}."


CATEGORY_MAP_HELP = (
    "Rewrite a results file's category ids before anything is computed: 'auto' (the mapping "
    "the data imply: boxes matched to the ground truth regardless of class, then a one-to-one "
    "assignment of ids; inferred from the ground truth the run is then scored against, so its "
    "numbers are an upper bound), 'offset:N' (every id + N, e.g. offset:-1 for K-numbers "
    'written instead of dl_idx), or a map FILE (JSON {"from": to} or a two-column CSV, e.g. '
    "written by pillcmp doctor --write-map). Prefix a=/b= to map only one run (a=auto); "
    "repeat the option for both."
)
CategoryMapOption = Annotated[
    list[str] | None,
    typer.Option("--category-map", metavar="auto|offset:N|FILE", help=CATEGORY_MAP_HELP),
]

TideIouOption = Annotated[
    str,
    typer.Option(
        "--tide-iou",
        metavar="IOU|auto|off",
        help="A second TIDE breakdown at this stricter IoU (the pill competition's mAP@[0.75:0.95] "
        "starts at 0.75; TIDE's own 0.5 misses boxes that are found but badly placed). 'auto': "
        "0.75 when the --iou thresholds include it; 'off': none.",
    ),
]

CLASS_MAP_HELP = (
    "Category names for the report (a ground truth or --train-ann names them too; this file "
    "wins): a CSV whose header names an id column and a name column among others (e.g. "
    "class_index,dl_name,category_id,... or orig_id,yolo_id,class_name,...; UTF-8 or Korean "
    'Excel\'s CP949), JSON {"1899": "name"}, or JSON records {"0": {"name": ..., "class_id": '
    "1899}}. It names ids, it does not rewrite them (that is --category-map)."
)
ClassMapOption = Annotated[
    Path | None,
    typer.Option("--class-map", metavar="FILE", help=CLASS_MAP_HELP, **EXISTING_FILE),
]
ClassMapColumnsOption = Annotated[
    str | None,
    typer.Option(
        "--class-map-columns",
        metavar="ID,NAME",
        help="The --class-map columns (or JSON record fields) holding the category id and the "
        "name, when the header does not say (e.g. category_id,dl_name).",
    ),
]

SLICE_HELP = (
    "Metrics per value of a key (repeat for several): objects_per_image, image_size, or any "
    "'attributes' key of the ground truth's annotations (as 'pillcmp merge' writes them: "
    "drug_shape, color_class1, ...). Computed from the match tables, nothing matched again; "
    "with two runs also B - A per slice with its bootstrap interval and a Holm-corrected test "
    "of whether the gap differs between slices. Needs a ground truth."
)
SliceOption = Annotated[list[str] | None, typer.Option("--slice", metavar="KEY", help=SLICE_HELP)]
