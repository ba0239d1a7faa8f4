"""The command registry: every command is registered here, and registration applies the error
handler, so a new command cannot forget it.

A command module declares::

    @command("diff")
    def diff_command(...): ...

and :func:`pill_compare.cli.app.build_app` adds every registered command to the typer app,
wrapped in :func:`~pill_compare.cli.errors.cli_errors`, with :class:`PillcmpCommand` as its
click class (help text shown literally, flags without a ``<bool>`` type column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from pill_compare.cli.errors import cli_errors


@dataclass(frozen=True)
class Registered:
    """One command: its name and the wrapped function typer registers."""

    name: str
    function: Callable[..., Any]
    module: str


COMMANDS: list[Registered] = []


def command(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as ``pillcmp <name>``, wrapped in the error handler."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if any(c.name == name for c in COMMANDS):
            raise ValueError(f"Expected one command named {name!r}, got a second one")
        wrapped = cli_errors(fn)
        wrapped.__doc__ = _literal(fn.__doc__ or "")
        COMMANDS.append(Registered(name, wrapped, fn.__module__))
        return wrapped

    return register


def _literal(text: str) -> str:
    """Help text as written: rich markup would eat ``[score]`` and ``[x, y, w, h]``."""
    return escape(text)


def _no_type(ctx: Any = None) -> None:
    return None


class _LiteralHelp:
    """Help texts shown literally and boolean flags without a type column."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for p in params:
            if getattr(p, "_pillcmp_fixed", False):
                continue
            if isinstance(p, TyperOption) and p.is_flag:
                # typer shows '<bool>' as if the flag took a value
                p.display_type_rich = _no_type  # type: ignore[method-assign]
            if isinstance(p, TyperOption | TyperArgument) and getattr(p, "help", None):
                p.help = _literal(p.help)
            p._pillcmp_fixed = True  # type: ignore[attr-defined]
        return params


class PillcmpCommand(_LiteralHelp, TyperCommand):
    """Typer's command, with :class:`_LiteralHelp`."""


class PillcmpGroup(_LiteralHelp, TyperGroup):
    """Typer's group (the top level ``pillcmp``), with :class:`_LiteralHelp`."""
