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

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from typer import BadParameter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from pill_compare.cli import coercion
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


#: What rich's markup parser reads as a tag: ``[`` then a letter, ``#``, ``/`` or ``@``, up to
#: ``]``, with the backslashes before it (``rich.markup.escape``'s pattern).
_MARKUP_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def _literal(text: str) -> str:
    """Help text as written: rich markup would eat ``[score]`` and ``[x, y, w, h]``.

    ``rich.markup.escape``'s rule (tested equal to it on every help text), without importing
    rich.markup at every start (importing the CLI: 160 -> 149 ms, medians of 20): each tag gets a backslash, backslashes before it are
    doubled, and a lone trailing backslash is doubled.
    """
    out = _MARKUP_TAG.sub(lambda m: f"{m[1]}{m[1]}\\{m[2]}", text)
    return out + "\\" if out.endswith("\\") and not out.endswith("\\\\") else out


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
                if isinstance(p, TyperOption) and "default" in p.help.lower():
                    # the text says its default in words: typer's '[default: ...]' would say it
                    # twice (and '(default: all). [default: 0.0]' contradicts itself)
                    p.show_default = False
            if isinstance(p, TyperArgument):
                # One case for every argument (GT RES, A B, SUBMISSION), and typer's '{A}' for a
                # required one on the usage line written plainly: 'A B'.
                if p.metavar is None:
                    p.metavar = p.name.upper()
                usage = p.display_name_raw if p.required else f"[{p.display_name_raw}]"
                usage += "..." if p.nargs != 1 else ""
                p._usage_display_name = lambda usage=usage: usage  # type: ignore[method-assign]
                if p.nargs != 1:
                    # several values: '<file>...' or '<name>...', not typer's '<list[Path]>'
                    typed = str(p.display_type_rich(ctx) or "")
                    many = "<file>..." if "Path" in typed else "<name>..."
                    p.display_type_rich = lambda ctx=None, many=many: many  # type: ignore[method-assign]
            p._pillcmp_fixed = True  # type: ignore[attr-defined]
        return params


#: Typer checks a choice through pydantic, whose message reads "Value error, 'kr' is not one of
#: 'en', 'ko'.": the person typing the command gets "expected one of en, ko, got 'kr'".
_NOT_ONE_OF = re.compile(r"^(?:Value error, )?(?P<got>'.*') is not one of (?P<choices>.+?)\.?$")
_PYDANTIC_PREFIX = re.compile(r"^(?:Value|Assertion|Type) error, ")


def plain_usage_message(message: str) -> str:
    """A bad option value's message in pillcmp's words, without pydantic's phrasing.

    Example:
        >>> plain_usage_message("Value error, 'kr' is not one of 'en', 'ko'.")
        "expected one of en, ko, got 'kr'"
    """
    found = _NOT_ONE_OF.match(message)
    if found:
        choices = ", ".join(c.strip().strip("'") for c in found["choices"].split(","))
        return f"expected one of {choices}, got {found['got']}"
    return _PYDANTIC_PREFIX.sub("", message)


class _PlainErrors:
    """Values converted without pydantic where it adds nothing (:mod:`.coercion`), and bad
    option values worded by :func:`plain_usage_message`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        coercion.install([*self.params, self.get_help_option(ctx)])  # type: ignore[attr-defined]
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except BadParameter as exc:
            exc.message = plain_usage_message(exc.message)
            raise


class PillcmpCommand(_PlainErrors, _LiteralHelp, TyperCommand):
    """Typer's command, with :class:`_LiteralHelp` and :class:`_PlainErrors`."""


class PillcmpGroup(_PlainErrors, _LiteralHelp, TyperGroup):
    """Typer's group (the top level ``pillcmp``), with :class:`_LiteralHelp` and
    :class:`_PlainErrors`."""
