"""`pillcmp imbalance`: class distribution and imbalance indices of a ground truth."""

from pathlib import Path
from typing import Annotated

import typer

from pill_compare.cli._common import Outputs, figure_bytes, loading_warnings, print_or_put
from pill_compare.cli.options import (
    EXISTING_FILE,
    PLOT_SUFFIXES,
    ExplainOption,
    FormatOption,
    OutputOption,
    StrictOption,
)
from pill_compare.cli.registry import command
from pill_compare.io import load_ground_truth


@command("imbalance")
def imbalance_command(
    annotations: Annotated[
        Path,
        typer.Argument(
            help="COCO ground truth (training annotations).",
            metavar="ANNOTATIONS",
            **EXISTING_FILE,
        ),
    ],
    rare: Annotated[
        int, typer.Option("--rare", min=0, help="A class with fewer annotations than this is rare.")
    ] = 10,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", dir_okay=False, help="Save a sorted bar chart here (.png, .svg, .pdf)."
        ),
    ] = None,
    log_scale: Annotated[
        bool, typer.Option("--log", help="Log-scale count axis in the plot.")
    ] = False,
    strict: StrictOption = False,
    explain: ExplainOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """How unevenly are the classes annotated?

    Per category: annotations and images containing it. Indices, each defined in the output: imbalance ratio max/min (the sample's 88/7 = 12.57), Gini coefficient, Pielou evenness, effective number of classes, coefficient of variation, share of rare classes. Declared categories with no annotation are listed apart and left out of the indices.

    Example:

        pillcmp imbalance train.json --plot classes.png -f json -o imb.json
    """
    from pill_compare.analysis.imbalance import imbalance
    from pill_compare.report.imbalance_render import render_imbalance

    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    outputs.file("plot", plot, PLOT_SUFFIXES)
    gt = load_ground_truth(annotations)
    loading_warnings(gt.warnings, strict=strict)
    result = imbalance(gt, rare_threshold=rare)
    if plot is not None:
        from pill_compare.report.plots import plot_class_distribution

        outputs.put(
            "plot", figure_bytes(plot_class_distribution(result, log_scale=log_scale), plot)
        )
    print_or_put(
        outputs, "output", output, render_imbalance(result, out_fmt.value, explain=explain)
    )
    outputs.write()
