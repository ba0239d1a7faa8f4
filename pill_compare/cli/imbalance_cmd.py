"""`pillcmp imbalance`: class distribution and imbalance indices of a ground truth."""

from pathlib import Path
from typing import Annotated

import typer

from pill_compare.analysis.imbalance import imbalance
from pill_compare.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    Format,
    check_plot_path,
    cli_errors,
    emit,
    resolve_format,
    save_figure,
    warn,
)
from pill_compare.io import load_ground_truth
from pill_compare.report.imbalance_render import render_imbalance


@cli_errors
def imbalance_command(
    annotations: Annotated[
        Path,
        typer.Argument(
            help="COCO ground truth (training annotations).",
            metavar="ANNOTATIONS",
            exists=True,
            dir_okay=False,
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
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP, dir_okay=False)
    ] = None,
) -> None:
    """How unevenly are the classes annotated?

    Per category: annotations and images containing it. Indices, each defined in the output: imbalance ratio max/min (the seed's 88/7 = 12.57), Gini coefficient, Pielou evenness, effective number of classes, coefficient of variation, share of rare classes. Declared categories with no annotation are listed apart and left out of the indices.

    Example:

        pillcmp imbalance train_annotations.json --plot classes.png -f json -o imbalance.json
    """
    check_plot_path(plot)
    gt = load_ground_truth(annotations)
    warn(gt.warnings)
    result = imbalance(gt, rare_threshold=rare)
    fig = None
    if plot is not None:  # drawn before anything is written, so a failure leaves no output
        from pill_compare.report.plots import plot_class_distribution

        fig = plot_class_distribution(result, log_scale=log_scale)
    emit(render_imbalance(result, resolve_format(fmt, output).value), output)
    if fig is not None and plot is not None:
        save_figure(fig, plot)
