"""Plain tables for terminals and Markdown, and the shared output formats (text, md, json, csv).

Renderers take already-computed results and only format them: no metric is computed here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

import pandas as pd

OutputFormat = Literal["text", "md", "json", "csv"]
OUTPUT_FORMATS: tuple[str, ...] = ("text", "md", "json", "csv")


def fmt_number(value: Any, digits: int = 4) -> str:
    """Format a metric for people: ints as is, floats to ``digits`` significant places, None → n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.{digits}g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.2e}"
    return str(value)


def fmt_ids(ids: Sequence[int]) -> str:
    """``[3482, 19860]`` as the seed report writes lists."""
    return "[" + ", ".join(str(i) for i in ids) + "]"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """A fixed-width table; ``align`` is one char per column, 'l' or 'r' (default: r for numbers)."""
    cells = [[fmt_number(c) if not isinstance(c, str) else c for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    if not align:
        align = "".join(
            "r" if rows and not isinstance(rows[0][i], str) else "l" for i in range(len(headers))
        )

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if a == "r" else v.ljust(w)
            for v, w, a in zip(values, widths, align, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned."""
    numeric = [bool(rows) and not isinstance(rows[0][i], str) for i in range(len(headers))]
    head = "| " + " | ".join(md_escape(h) for h in headers) + " |"
    sep = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    body = [
        "| " + " | ".join(md_escape(c if isinstance(c, str) else fmt_number(c)) for c in row) + " |"
        for row in rows
    ]
    return "\n".join([head, sep, *body])


class Renderable(Protocol):
    """A computed result: JSON via ``to_dict()``, CSV via ``to_frame()``."""

    def to_dict(self) -> dict[str, Any]: ...

    def to_frame(self) -> pd.DataFrame: ...


def render_as(
    result: Renderable, fmt: str, *, text: Callable[[Any], str], md: Callable[[Any], str]
) -> str:
    """Render ``result`` in ``fmt``: 'json' (``to_dict``), 'csv' (``to_frame``), 'md' or 'text'."""
    if fmt == "json":
        return to_json(result.to_dict())
    if fmt == "csv":
        return to_csv(result.to_frame())
    return md(result) if fmt == "md" else text(result)


def to_json(data: Any) -> str:
    """Pretty JSON; NaN is written as null (JSON has no NaN)."""
    return json.dumps(_nan_to_none(data), indent=2, ensure_ascii=False) + "\n"


def to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    return value
