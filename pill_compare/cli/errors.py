"""Error → exit-code translation for every command, and the process-wide CLI state.

Exit codes: 0 ok, 1 bad input data, 2 bad usage (click's own and ConfigError), 70 a pillcmp bug,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM). No traceback is shown unless
``pillcmp --debug`` (or PILLCMP_DEBUG=1) is set.
"""

from __future__ import annotations

import contextvars
import functools
import os
import signal
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from pill_compare.errors import ConfigError, PillCompareError
from pill_compare.report.escape import terminal_safe

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM
F = TypeVar("F", bound=Callable[..., Any])

#: Library parameter names whose CLI option has another name (``param`` of a ConfigError).
PARAM_OPTIONS = {
    "iou_thresholds": "iou",
    "score_threshold": "score_thr",
    "iou_threshold": "iou_thr",
    "path": "output",
    "engine": "cross_check_engine",
}


def debug_from_env() -> bool:
    """True when PILLCMP_DEBUG is set to anything but '' or '0'."""
    return os.environ.get("PILLCMP_DEBUG", "") not in ("", "0")


state = {"debug": debug_from_env()}


class Terminated(BaseException):
    """SIGTERM arrived (kill, timeout, Docker, CI): unwind so that temporaries are removed."""


def raise_on_sigterm() -> None:
    """Turn SIGTERM into :class:`Terminated` in the main thread (the console entry point)."""

    def handler(signum: int, frame: Any) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, handler)


def flags_of(fn: Callable[..., Any]) -> dict[str, str]:
    """Map each parameter of a typer command to what the user types for it.

    ``{"iou": "--iou", "output": "--output", "ground_truth": "GT"}``, read from the
    ``Annotated[..., typer.Option("--iou", ...)]`` declarations of ``fn``.
    """
    flags = {}
    for name, hint in typing.get_type_hints(fn, include_extras=True).items():
        for info in getattr(hint, "__metadata__", ()):
            # In Annotated, typer.Option("--iou", "-i") stores "--iou" as its default.
            first = getattr(info, "default", None)
            decls = [first] if isinstance(first, str) else []
            decls = [
                d for d in [*decls, *(getattr(info, "param_decls", None) or ())] if d[:1] == "-"
            ]
            if decls:
                longs = [d for d in decls if d.startswith("--")]
                flags[name] = (longs or decls)[0]
            elif type(info).__name__ == "ArgumentInfo":
                flags[name] = getattr(info, "metavar", None) or name.upper()
    return flags


def flag_for(param: str, flags: dict[str, str] | None = None) -> str:
    """The option the user typed for library parameter ``param`` (``--iou`` for iou_thresholds)."""
    flags = flags if flags is not None else current_flags.get({})
    name = PARAM_OPTIONS.get(param, param)
    return flags.get(param) or flags.get(name) or "--" + name.replace("_", "-")


#: The running command's parameter → flag map (set by :func:`cli_errors`).
current_flags: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("current_flags")


def render_error(exc: PillCompareError) -> str:
    """The message as the CLI prints it: a usage error starts with the flag it is about."""
    if isinstance(exc, ConfigError) and exc.param:
        return f"{flag_for(exc.param)}: {PillCompareError.render(exc)}"
    return exc.render()


def _click_exception() -> type[Exception]:
    """Click's ClickException, as the installed typer spells it (typer >= 0.29 vendors click)."""
    for klass in typer.BadParameter.__mro__:
        if klass.__name__ == "ClickException":
            return klass
    return typer.BadParameter


_CLICK_EXCEPTION = _click_exception()


def say_error(text: str) -> None:
    typer.secho(terminal_safe(text), err=True, fg="red")


def cli_errors(fn: F) -> F:
    """Turn pillcmp's own exceptions into a message on stderr and an exit code; no traceback."""

    flags = flags_of(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = current_flags.set(flags)
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, _CLICK_EXCEPTION):
            raise
        except PillCompareError as exc:
            if state["debug"]:
                raise
            say_error(f"error: {render_error(exc)}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Terminated:
            typer.echo("terminated", err=True)
            raise typer.Exit(EXIT_TERMINATED) from None
        except Exception as exc:
            if state["debug"]:
                raise
            say_error(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in pillcmp, not in your files. Rerun with `pillcmp --debug ...` "
                "for the traceback and report it."
            )
            raise typer.Exit(EXIT_INTERNAL) from None
        finally:
            current_flags.reset(token)

    return wrapper  # type: ignore[return-value]
