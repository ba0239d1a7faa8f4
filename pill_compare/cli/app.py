"""The typer application: the global options, and every command of the registry.

Each command lives in its own module (``<name>_cmd.py``), wraps one library function and
registers itself with :func:`pill_compare.cli.registry.command`; importing the module is all
it takes. Later commands (compare, report, train, predict, profile) register the same way.
"""

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from pill_compare.cli import (  # noqa: F401  (importing a command module registers it)
    check_submission_cmd,
    compare_cmd,
    convert_cmd,
    diff_cmd,
    doctor_cmd,
    eval_cmd,
    imbalance_cmd,
    merge_cmd,
    predict_cmd,
    profile_cmd,
    report_cmd,
    train_cmd,
)
from pill_compare.cli.allocator import collect_less, keep_freed_blocks
from pill_compare.cli.errors import debug_from_env, raise_on_sigterm, state
from pill_compare.cli.registry import COMMANDS, PillcmpCommand, PillcmpGroup
from pill_compare.cli.teardown import exit_status, leave
from pill_compare.version import __version__

HELP = (
    "Compare two object detectors exactly: which is better, where they disagree, and why.\n\n"
    "Inputs: COCO ground truth, COCO results JSON, or the competition submission CSV "
    "(annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score). "
    "Exit codes: 0 ok, 1 bad input data, 2 bad usage, 70 internal error."
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pillcmp {__version__}")
        raise typer.Exit()


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


#: The order ``pillcmp --help`` lists the commands in: the order a user needs them (check the
#: inputs, compare, look closer, then data preparation, then the models).
HELP_ORDER = (
    "doctor",
    "report",
    "compare",
    "diff",
    "eval",
    "imbalance",
    "check-submission",
    "convert",
    "merge",
    "profile",
    "train",
    "predict",
)


def _place(name: str) -> tuple[int, str]:
    return (HELP_ORDER.index(name) if name in HELP_ORDER else len(HELP_ORDER), name)


def build_app(only: str | None = None) -> typer.Typer:
    """A typer app with the global options and every registered command, or only the one
    named ``only``: typer builds every command of an app (its parameters, from the function's
    signature) before it parses the command line, ~0.03 s for the twelve, so the console entry
    point builds only the command it runs (:func:`command_named`)."""
    application = typer.Typer(
        cls=PillcmpGroup,
        name="pillcmp",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    application.callback()(_global)
    for registered in sorted(COMMANDS, key=lambda c: _place(c.name)):
        if only is None or registered.name == only:
            application.command(registered.name, cls=PillcmpCommand)(registered.function)
    return application


app = build_app()


def command_named(args: Sequence[str]) -> str | None:
    """The registered command a command line runs: its first word that is not an option (the
    global options take no value), or None (no command, ``--help``, a name typer will refuse
    with the list of commands)."""
    for arg in args:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg if any(c.name == arg for c in COMMANDS) else None
    return None


def main() -> None:
    """Console-script entry point (``pillcmp``): SIGTERM unwinds like Ctrl-C, then exits 143;
    large freed blocks stay in the heap for reuse and the garbage collector runs less
    (:mod:`pill_compare.cli.allocator`); the
    process ends without the interpreter's teardown (:mod:`pill_compare.cli.teardown`)."""
    raise_on_sigterm()
    keep_freed_blocks()
    collect_less()
    name = command_named(sys.argv[1:])
    try:
        (app if name is None else build_app(only=name))()
    except SystemExit as done:  # typer ends every run with one
        status = exit_status(done.code)
    else:
        status = 0
    leave(status)
