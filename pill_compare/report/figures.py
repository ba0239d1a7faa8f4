"""Figures to bytes, deterministically: the same figure gives the same PNG, SVG or PDF bytes.

Writing the bytes to a file is the caller's job (the CLI writes them atomically); nothing here
touches the file system or closes a figure it did not open.

Example:
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> figure_to_bytes(fig, "svg") == figure_to_bytes(fig, "svg")
    True
    >>> close_figure(fig)
"""

from __future__ import annotations

import io
from typing import Any, Literal

__all__ = ["FIGURE_FORMATS", "FigureFormat", "close_figure", "figure_to_bytes"]

FigureFormat = Literal["png", "svg", "pdf"]
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

# What makes two saves of one figure differ: the SVG and PDF dates (the PDF one with the time
# zone) and, for a PNG, the "Software" line (matplotlib's version). SVG element ids are hashed
# with svg.hashsalt, set below.
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}
_SVG_HASHSALT = "pillcmp"


def figure_to_bytes(fig: Any, fmt: str = "png", *, dpi: int = 120) -> bytes:
    """Render ``fig`` as PNG, SVG or PDF bytes; equal figures give equal bytes.

    Args:
        fig: A matplotlib Figure (e.g. from a ``plot_*`` function).
        fmt: 'png', 'svg' or 'pdf'.
        dpi: Resolution of the PNG (and of raster parts of SVG/PDF), dots per inch.

    Returns:
        The encoded figure; the figure stays open.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FIGURE_FORMATS`, or ``dpi`` is not positive.
        TypeError: ``fig`` is not a matplotlib Figure.
    """
    import matplotlib
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"Expected a matplotlib Figure, got {type(fig).__name__}")
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"Expected fmt in {FIGURE_FORMATS}, got {fmt!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not dpi > 0:
        raise ValueError(f"Expected dpi > 0, got {dpi!r}")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": _SVG_HASHSALT}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return buffer.getvalue()


def close_figure(fig: Any) -> None:
    """Release ``fig``: forget it in pyplot (which keeps every figure it made alive)."""
    import matplotlib.pyplot as plt

    plt.close(fig)
