"""Command-line values converted the way typer converts them, without pydantic where it adds
nothing.

typer (>= 0.29) converts each parameter's value through a pydantic ``TypeAdapter`` that it
builds at every run: importing pydantic and building the adapters of ``pillcmp eval``'s 19
parameters took 0.07-0.09 s of every command (about a fifth of ``pillcmp eval`` on the
sample). pillcmp's parameters are strings, integers and floats (some with a minimum or a
maximum), paths (with typer's exists / file / directory checks), enum choices and lists of
strings or paths. For those, :class:`PlainValues` gives the value typer's adapter gives:

* a string as given; an enum choice and a path through typer's own checks
  (``coerce_cli_choice``, ``coerce_cli_path``), which are plain Python;
* a number only when written in the plain digits every parser reads alike (``12``, ``0.25``,
  ``1e-3``), and within its range.

Anything else (a sign, ``1_000``, ``inf``, a value out of range, a path that fails a check, a
type not listed) goes to typer's own conversion, built on first use, so its value or its error
message is exactly typer's. ``tests/cli/test_coercion.py`` holds every parameter of every
command to typer's result on the same values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

try:  # typer's own conversion parts (0.29): another typer converts every value itself
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # pragma: no cover  (install() then leaves typer alone)
    RuntimeParam = object  # type: ignore[assignment,misc]
    build_runtime_param = coerce_cli_choice = coerce_cli_path = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from typer._coercion import TypeDescriptor

#: Integers and decimals as every number parser reads them: digits, one point, an exponent.
#: (The same float from Python and pydantic: both round correctly.)
_INTEGER = re.compile(r"[0-9]{1,18}")
_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,2})?")


class _Typer:
    """Marks a value :func:`plain_value` leaves to typer."""


TYPER = _Typer()


@dataclass(frozen=True)
class PlainValues(RuntimeParam):
    """typer's conversion of one parameter (``RuntimeParam``), in plain Python where
    :func:`plain_value` can, else typer's own (built once, on first need)."""

    descriptor: TypeDescriptor = field(kw_only=True)
    _typer: list[RuntimeParam] = field(default_factory=list, kw_only=True, compare=False)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        plain = plain_value(value, self.descriptor, param=param, ctx=ctx)
        if plain is not TYPER:
            return plain
        if not self._typer:
            self._typer.append(build_runtime_param(self.descriptor))
        return self._typer[0]._coerce_value(value, param=param, ctx=ctx)


def plain_value(
    value: Any, descriptor: TypeDescriptor, *, param: Any = None, ctx: Any = None
) -> Any:
    """The value typer's adapter gives ``value`` for ``descriptor``, or :data:`TYPER` when
    that takes typer's own conversion (see the module docstring)."""
    info = descriptor.parameter_info
    if descriptor.is_file or info.parser is not None or getattr(info, "click_type", None):
        return TYPER
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        (item_type,) = get_args(annotation)
        if not isinstance(value, list | tuple):
            return TYPER
        items = [_leaf(item, item_type, info, param, ctx) for item in value]
        return TYPER if any(item is TYPER for item in items) else items
    return _leaf(value, annotation, info, param, ctx)


def _leaf(value: Any, annotation: Any, info: Any, param: Any, ctx: Any) -> Any:
    if annotation is str:
        return value if isinstance(value, str) else TYPER
    if _is_subclass(annotation, Enum):
        try:
            return coerce_cli_choice(
                value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError:  # not a choice: typer words it
            return TYPER
    if annotation is int or annotation is float:
        return _number(value, annotation, info)
    if _is_subclass(annotation, Path) and info.path_type is None:
        if isinstance(value, str) and value:
            value = annotation(value)
        if not isinstance(value, annotation):
            return TYPER
        try:
            return coerce_cli_path(value, info, path_type=annotation, param=param, ctx=ctx)
        except Exception:  # missing, a directory, not readable...: typer words it
            return TYPER
    return TYPER


def _is_subclass(annotation: Any, kind: type) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, kind)


def _number(value: Any, kind: type, info: Any) -> Any:
    if info.clamp:
        return TYPER
    if isinstance(value, str):
        if not (_INTEGER if kind is int else _DECIMAL).fullmatch(value):
            return TYPER
        number = kind(value)
    elif type(value) is kind:  # a default written in the signature
        number = value
    else:
        return TYPER
    if (info.min is not None and not number >= info.min) or (
        info.max is not None and not number <= info.max
    ):
        return TYPER  # out of range: typer's message
    return number


def install(params: Any) -> None:
    """Give each typer parameter in ``params`` (None: skipped) that has no conversion yet
    :class:`PlainValues` (typer builds its own on first use otherwise). Parameters of other
    kinds, or of a typer without these conversion parts, are left as they are."""
    if build_runtime_param is None:
        return
    for p in params:
        if p is None:
            continue
        descriptor = getattr(p, "type_descriptor", None)
        if descriptor is None or getattr(p, "_runtime_param", TYPER) is not None:
            continue
        p._runtime_param = PlainValues(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
        )
