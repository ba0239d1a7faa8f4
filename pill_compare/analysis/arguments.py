"""Argument checks of the analysis API, one helper per kind of argument.

Misuse in Python code (a wrong type, a threshold out of range) raises ``TypeError`` /
``ValueError`` saying what was expected and what came, before any work starts, instead of an
``AttributeError`` deep inside. Values from files and flags are checked by :mod:`pill_compare.io`
and the CLI; these checks guard the Python API.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

from pill_compare.core import Detections, GroundTruth

#: How to obtain each input type, for the hint of a wrong-type message.
_LOADERS: dict[type, str] = {GroundTruth: "load_ground_truth", Detections: "load_results"}


def check_inputs(func: str, **expected: tuple[Any, type]) -> None:
    """Check the data arguments of ``func``; ``expected`` maps name → (value, expected type).

    Raises:
        TypeError: e.g. "diff() expects Detections for a and b (from load_results), got str for
            a; load the files first: load_results('a.json')", or, when every wrong argument has
            the type of another parameter, "evaluate() expects (gt: GroundTruth, dets:
            Detections); the arguments look swapped".

    Example:
        >>> check_inputs("diff", a=("a.json", Detections), b=("b.json", Detections))
        Traceback (most recent call last):
        ...
        TypeError: diff() expects Detections for a and b (from load_results), got str for a; load the files first: load_results('a.json')
    """
    wrong = [(n, v, t) for n, (v, t) in expected.items() if not isinstance(v, t)]
    if not wrong:
        return
    types = {t for _, t in expected.values()}
    if len(types) > 1 and all(isinstance(v, tuple(types - {t})) for _, v, t in wrong):
        signature = ", ".join(f"{n}: {t.__name__}" for n, (_, t) in expected.items())
        raise TypeError(f"{func}() expects ({signature}); the arguments look swapped")
    by_type: dict[type, list[str]] = {}
    for n, (_, t) in expected.items():
        by_type.setdefault(t, []).append(n)
    wanted = " and ".join(
        f"{t.__name__} for {' and '.join(names)}"
        + (f" (from {_LOADERS[t]})" if t in _LOADERS else "")
        for t, names in by_type.items()
    )
    name, value, t = wrong[0]
    hint = ""
    if isinstance(value, (str, os.PathLike)) and t in _LOADERS:
        paths = sum(isinstance(v, (str, os.PathLike)) for _, v, _ in wrong)
        what = "files" if paths > 1 else "file"
        hint = f"; load the {what} first: {_LOADERS[t]}({os.fspath(value)!r})"
    raise TypeError(f"{func}() expects {wanted}, got {type(value).__name__} for {name}{hint}")


def check_number(
    value: Any,
    param: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    integer: bool = False,
) -> float:
    """A finite real number (an integer when ``integer``) within ``[low, high]``.

    Args:
        value: The argument.
        param: Its name, for the message.
        low / high: Bounds (None = unbounded); ``low_open`` excludes ``low`` itself.
        integer: Require an integral value (``10`` or ``10.0``).

    Returns:
        ``value`` as a float (as an int when ``integer``).

    Raises:
        TypeError: not a real number (a str, None, a bool, a list).
        ValueError: NaN, infinite, not integral, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = "an integer" if integer else "a number"
        raise TypeError(f"Expected {param} to be {kind}, got {type(value).__name__}")
    number = float(value)
    bounds = []
    if low is not None:
        bounds.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        bounds.append(f"<= {high:g}")
    wanted = ("an integer" if integer else "a finite number") + (
        " " + " and ".join(bounds) if bounds else ""
    )
    ok = math.isfinite(number) and (not integer or number.is_integer())
    if ok and low is not None:
        ok = number > low if low_open else number >= low
    if ok and high is not None:
        ok = number <= high
    if not ok:
        raise ValueError(f"Expected {param} to be {wanted}, got {value!r}")
    return int(number) if integer else number


def check_score_threshold(value: Any, param: str = "score_threshold") -> float:
    """A score threshold: finite and >= 0 (0 keeps every detection)."""
    return check_number(value, param, low=0.0)


def check_iou_threshold(value: Any, param: str = "iou_threshold") -> float:
    """An IoU threshold in (0, 1]."""
    return check_number(value, param, low=0.0, low_open=True, high=1.0)


def check_max_dets(value: Any) -> tuple[int, ...]:
    """COCO ``maxDets``: a non-empty sequence of integers >= 1, returned sorted ascending."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"Expected max_dets to be a sequence of integers, e.g. (1, 10, 100), got "
            f"{type(value).__name__}"
        )
    if len(value) == 0:
        raise ValueError("Expected at least one max_dets cap, e.g. (1, 10, 100), got none")
    caps = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"Expected max_dets to be integers >= 1, got {list(value)}")
        caps.append(int(v))
    return tuple(sorted(caps))
