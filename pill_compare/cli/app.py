"""The typer application: registers the commands and the global options.

Each command lives in its own module (``<name>_cmd.py``) and wraps one library function.
Later commands (eval, compare, report, train, predict, profile, merge, ...) register here.
"""

from typing import Annotated

import typer

from pill_compare import __version__
from pill_compare.cli._common import debug_from_env, state
from pill_compare.cli.check_submission_cmd import check_submission_command
from pill_compare.cli.convert_cmd import convert_command
from pill_compare.cli.diff_cmd import diff_command
from pill_compare.cli.eval_cmd import eval_command
from pill_compare.cli.imbalance_cmd import imbalance_command
from pill_compare.cli.merge_cmd import merge_command

app = typer.Typer(
    name="pillcmp",
    help=(
        "Compare two object detectors exactly: which is better, where they disagree, and why.\n\n"
        "Inputs: COCO ground truth, COCO results JSON, or the competition submission CSV "
        "(annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score). "
        "Exit codes: 0 ok, 1 bad input data, 2 bad usage, 70 internal error."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pillcmp {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of short error messages.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Global options."""
    # Set on every invocation: an in-process caller (tests, notebooks) must not inherit --debug.
    state["debug"] = debug or debug_from_env()


app.command("diff")(diff_command)
app.command("eval")(eval_command)
app.command("imbalance")(imbalance_command)
app.command("merge")(merge_command)
app.command("check-submission")(check_submission_command)
app.command("convert")(convert_command)


def main() -> None:
    """Console-script entry point (``pillcmp``)."""
    app()
