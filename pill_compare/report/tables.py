"""Plain tables for terminals and Markdown, and the shared output formats (text, md, json, csv).

Renderers take already-computed results and only format them: no metric is computed here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from pill_compare.report.escape import (
    Md,
    csv_safe,
    json_safe,
    md_cell,
    md_code,
    md_escape,
    terminal_safe,
)

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

__all__ = [
    "DECIMALS",
    "OUTPUT_FORMATS",
    "TEXT_WIDTH",
    "Md",
    "OutputFormat",
    "cell_width",
    "csv_safe",
    "fit_width",
    "fmt_ids",
    "fmt_number",
    "md_code",
    "md_escape",
    "md_table",
    "render_as",
    "terminal_safe",
    "text_table",
    "to_csv",
    "to_json",
    "wrap_text",
]

OutputFormat = Literal["text", "md", "json", "csv"]
OUTPUT_FORMATS: tuple[str, ...] = ("text", "md", "json", "csv")
#: The terminal width the default text output fits (in cells; wide characters count two).
TEXT_WIDTH = 120


#: Decimals of a float in every table and sentence of numbers (AP, rates, IoU, scores).
DECIMALS = 3


def fmt_number(value: Any, digits: int = DECIMALS) -> str:
    """Format a number for people, one format for every cell of a column.

    * ints (counts, ids in a count column): as integers with thousands separators, ``21,000``;
    * floats: ``digits`` decimals, ``0.654`` (AP, rates, IoU, scores: a column of them lines up);
      from 1,000 up as integers with separators (``21,000``: never ``2.1e+04``); a float that
      rounds to zero is ``0.000`` (no ``-0.000``);
    * None and NaN: ``n/a``; bools: ``true`` / ``false``; anything else: ``str(value)``.

    Differences get their sign from :func:`~pill_compare.report.render.common.format_cell`
    (``signed``); p-values are written by the section builders ("< 0.001").

    Example:
        >>> fmt_number(21000), fmt_number(21000.0), fmt_number(88 / 7), fmt_number(-1e-05)
        ('21,000', '21,000', '12.571', '0.000')
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isnan(value):
            return "n/a"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        text = f"{value:.{digits}f}"
        return text.lstrip("-") if float(text) == 0 else text
    return str(value)


def fmt_ids(ids: Sequence[int], limit: int | None = None) -> str:
    """``[3482, 19860]`` as a hand-written comparison report writes lists; cut to ``limit`` ids with "(+N more)".

    Args:
        ids: The ids, in the order to show.
        limit: Show at most this many (text output); None shows all (JSON, CSV, Markdown).

    Example:
        >>> fmt_ids([1, 2, 3, 4], limit=2)
        '[1, 2 (+2 more)]'
    """
    if limit is not None and limit < 1:
        raise ValueError(f"Expected limit >= 1 or None, got {limit!r}")
    shown = list(ids) if limit is None else list(ids[:limit])
    more = len(ids) - len(shown)
    return "[" + ", ".join(str(i) for i in shown) + (f" (+{more} more)" if more else "") + "]"


def cell_width(text: str) -> int:
    """How many terminal cells ``text`` takes: Hangul and other wide characters take two."""
    # Imported here: rich takes ~7 ms to import, and most runs write no text table.
    from rich.cells import cell_len

    return cell_len(text)


def fit_width(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` terminal cells, ending in "…" when cut."""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def wrap_text(text: str, width: int = TEXT_WIDTH, indent: str = "") -> list[str]:
    """Greedy word wrap by display width; the lines after the first are indented by ``indent``.

    The first line keeps ``text``'s own leading spaces; a word longer than the line (a long
    path) stays whole on its own line.

    Example:
        >>> wrap_text("  - one two three", width=10, indent="    ")
        ['  - one', '    two', '    three']
    """
    body = text.lstrip(" ")
    line = text[: len(text) - len(body)]
    lines: list[str] = []
    for word in body.split(" "):
        candidate = f"{line} {word}" if line.strip() else line + word
        if line.strip() and cell_width(candidate) > width:
            lines.append(line)
            candidate = indent + word
        line = candidate
    lines.append(line)
    return lines


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """A fixed-width table; ``align`` is one char per column, 'l' or 'r' (default: r for numbers).

    Columns are measured in terminal cells (a Hangul syllable is two), so Korean names line up;
    every cell is passed through :func:`~pill_compare.report.escape.terminal_safe`.
    """
    head = [terminal_safe(h) for h in headers]
    cells = [
        [terminal_safe(c) if isinstance(c, str) else fmt_number(c) for c in row] for row in rows
    ]
    widths = [cell_width(h) for h in head]
    for row in cells:
        widths = [max(w, cell_width(c)) for w, c in zip(widths, row, strict=True)]
    if not align:
        align = "".join(
            "r" if rows and not isinstance(rows[0][i], str) else "l" for i in range(len(headers))
        )

    def line(values: Sequence[str]) -> str:
        parts = [
            " " * (w - cell_width(v)) + v if a == "r" else v + " " * (w - cell_width(v))
            for v, w, a in zip(values, widths, align, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned.

    Every string cell is escaped here, exactly once (:func:`~pill_compare.report.escape.md_escape`);
    pass an :class:`~pill_compare.report.escape.Md` string (e.g. from ``md_code``) for a cell that
    already is Markdown.
    """
    numeric = [bool(rows) and not isinstance(rows[0][i], str) for i in range(len(headers))]
    head = "| " + " | ".join(md_cell(h) for h in headers) + " |"
    sep = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    body = [
        "| " + " | ".join(md_cell(c) if isinstance(c, str) else fmt_number(c) for c in row) + " |"
        for row in rows
    ]
    return "\n".join([head, sep, *body])


class Renderable(Protocol):
    """A computed result: JSON via ``to_dict()``, CSV via ``to_frame()``."""

    def to_dict(self) -> dict[str, Any]: ...

    def to_frame(self) -> pd.DataFrame: ...


def render_as(
    result: Renderable,
    fmt: str,
    *,
    text: Callable[..., str],
    md: Callable[[Any], str],
    explain: bool = False,
) -> str:
    """Render ``result`` in ``fmt``: 'json' (``to_dict``), 'csv' (``to_frame``), 'md' or 'text'.

    Args:
        result: A computed result.
        fmt: One of :data:`OUTPUT_FORMATS`.
        text: The text renderer; called as ``text(result, explain=explain)``.
        md: The Markdown renderer (Markdown always carries the definitions).
        explain: Text only: include the definitions next to the numbers.

    Raises:
        ValueError: ``fmt`` is not one of :data:`OUTPUT_FORMATS`.
    """
    if fmt == "json":
        return to_json(result.to_dict())
    if fmt == "csv":
        return to_csv(result.to_frame())
    if fmt == "md":
        return md(result)
    if fmt == "text":
        return text(result, explain=explain)
    raise ValueError(f"Expected fmt in {OUTPUT_FORMATS}, got {fmt!r}")


def to_json(data: Any) -> str:
    """Pretty JSON (2-space indent, UTF-8 text); NaN and infinities are written as null (JSON
    has neither); control characters as ``\\uXXXX``.

    msgspec writes it (the 9.8 MiB COCO-scale report.json in 0.06 s instead of 0.5 s with the
    standard library's indenting encoder, which is pure Python); without msgspec, or for a value it cannot encode,
    the standard library does, with the same structure (floats may be spelled differently,
    e.g. ``1e-05`` and ``0.00001``: the same number to any JSON reader).
    """
    text = _msgspec_json(data)
    if text is None:
        text = json.dumps(_nan_to_none(data), indent=2, ensure_ascii=False)
    return json_safe(text) + "\n"


def _msgspec_json(data: Any) -> str | None:
    try:
        import msgspec
    except ImportError:  # optional: the standard library writes the same document
        return None
    try:
        encoded = msgspec.json.encode(data)
    except (TypeError, ValueError, OverflowError):  # msgspec.EncodeError is a ValueError
        return None  # e.g. a numpy scalar: the standard library says what it cannot write
    return msgspec.json.format(encoded, indent=2).decode("utf-8")


def to_csv(frame: pd.DataFrame) -> str:
    """CSV without the index; string cells that would start a formula are neutralised.

    Only string cells change (:func:`~pill_compare.report.escape.csv_safe`): numeric columns,
    negative numbers included, are written as numbers.
    """
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = _csv_safe_column(safe[column])
    safe.columns = [csv_safe(c) if isinstance(c, str) else c for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\n")


def _csv_safe_column(column: pd.Series) -> pd.Series:
    """``column.map(csv_safe)``, computed once per distinct string: a column of 100,000 cells
    usually holds a few dozen strings, and most need no change at all."""
    import pandas as pd

    changed = {}
    for value in pd.unique(column.to_numpy(dtype=object)):
        if isinstance(value, str):
            safe = csv_safe(value)
            if safe != value:
                changed[value] = safe
    if not changed:
        return column
    return column.map(lambda v: changed.get(v, v) if isinstance(v, str) else v)


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    return value
