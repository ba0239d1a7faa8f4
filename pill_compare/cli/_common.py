"""What every command shares: error → exit-code translation, output writing, common options.

Exit codes: 0 ok, 1 bad input data, 2 bad usage (click's own and ConfigError), 70 a pillcmp bug.
No traceback is shown unless ``pillcmp --debug`` (or PILLCMP_DEBUG=1) is set.
"""

import functools
import os
import sys
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click
import typer

from pill_compare.errors import ConfigError, PillCompareError
from pill_compare.io.outputs import atomic_path, write_atomic

EXIT_INTERNAL = 70
F = TypeVar("F", bound=Callable[..., Any])


def debug_from_env() -> bool:
    """True when PILLCMP_DEBUG is set to anything but '' or '0'."""
    return os.environ.get("PILLCMP_DEBUG", "") not in ("", "0")


state = {"debug": debug_from_env()}


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


_SUFFIX_FORMATS = {
    ".json": Format.json,
    ".md": Format.md,
    ".markdown": Format.md,
    ".csv": Format.csv,
}

FORMAT_HELP = (
    "Output format: text (terminal table), md (Markdown), json, csv. "
    "Default: text, or guessed from the -o suffix (.json, .md, .csv)."
)
OUTPUT_HELP = "Write the output to this file (atomically) instead of the terminal; '-' is stdout."


def resolve_format(fmt: Format | None, output: Path | None) -> Format:
    """The explicit --format, else the one the output suffix implies, else text."""
    if fmt is not None:
        return fmt
    if output is not None:
        return _SUFFIX_FORMATS.get(output.suffix.lower(), Format.text)
    return Format.text


def emit(text: str, output: Path | None) -> None:
    """Print ``text`` or write it atomically to ``output`` (saying where on stderr); ``-`` is stdout."""
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)
        typer.echo(f"wrote {output}", err=True)


def save_figure(fig: Any, path: Path) -> None:
    """Save a matplotlib Figure atomically, release it, and say where on stderr."""
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=120)
    finally:
        plt.close(fig)
    typer.echo(f"wrote {path}", err=True)


def warn(messages: Iterable[str]) -> None:
    for m in messages:
        typer.secho(f"warning: {m}", err=True, fg="yellow")


def parse_pair(value: str | None, option: str) -> tuple[str, str] | None:
    """Parse 'x,y' for options such as --names; None stays None."""
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise ConfigError(
            f"{option} expects two comma-separated names like 'resnet101,efficientnet_b3', got {value!r}"
        )
    return parts[0], parts[1]


def cli_errors(fn: F) -> F:
    """Turn pillcmp's own exceptions into a message on stderr and an exit code; no traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
        except PillCompareError as exc:
            if state["debug"]:
                raise
            typer.secho(f"error: {exc.render()}", err=True, fg="red")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if state["debug"]:
                raise
            typer.secho(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in pillcmp, not in your files. Rerun with `pillcmp --debug ...` "
                "for the traceback and report it.",
                err=True,
                fg="red",
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def fail_usage(message: str) -> None:
    """Raise a bad-usage error (exit 2) from inside a command."""
    raise ConfigError(message)


#: Figure formats a ``--plot`` path may end in.
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def check_plot_path(path: Path | None, option: str = "--plot") -> None:
    """Refuse, before any work is done, a figure path with a suffix we cannot write (exit 2)."""
    if path is not None and path.suffix.lower() not in PLOT_SUFFIXES:
        fail_usage(f"{option} must end in {', '.join(PLOT_SUFFIXES)}, got '{path}'")


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
