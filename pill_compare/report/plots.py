"""Figures. Each ``plot_*`` takes a computed result and ``ax=None``, returns the Figure, draws
inside :func:`~pill_compare.report.style.plot_style` (no global rcParams changed) and never
calls ``show()``. Turn a figure into bytes with :func:`~pill_compare.report.figures.figure_to_bytes`.
"""

from __future__ import annotations

import math
from typing import Any

from pill_compare.analysis.imbalance import ImbalanceResult
from pill_compare.io.files import printable
from pill_compare.report.style import MODEL_COLORS, plot_style
from pill_compare.report.tables import fit_width

#: Category labels on an axis are cut to this many cells (a Hangul syllable counts two), with "…".
LABEL_CHARS = 40
#: Run names in titles, legends and panel titles are cut to this many cells, with "…".
NAME_CHARS = 40


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)  # headless by default; a user's interactive backend stays
    import matplotlib.pyplot as plt

    return plt


def shorten_label(label: str, width: int = LABEL_CHARS) -> str:
    """``label`` as a figure may show it: control characters as visible escapes (a font has no
    glyph for them: matplotlib would warn), on one line, cut to ``width`` display cells and
    ending in "…" when cut (never silently; an axis of very long labels collapses the figure).

    Every text from an input file (category names, run names) goes through it before it
    reaches matplotlib.
    """
    return fit_width(printable(label), width)


def _log_axis(axis: Any, low: float, high: float) -> None:
    """A readable logarithmic count axis: labels at powers of ten, and at 2 and 5 times them
    when the data spans at most two decades (more minor labels would overlap)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    plain = FuncFormatter(lambda v, _pos: f"{v:g}")
    axis.set_major_locator(LogLocator(base=10))
    axis.set_major_formatter(plain)
    axis.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10))))
    if high / max(low, 1e-12) <= 100:

        def minor(v: float, _pos: int) -> str:
            mantissa = round(v / 10 ** math.floor(math.log10(v) + 1e-9), 6)
            return f"{v:g}" if mantissa in (2, 5) else ""

        axis.set_minor_formatter(FuncFormatter(minor))
    else:
        axis.set_minor_formatter(NullFormatter())


def plot_class_distribution(
    result: ImbalanceResult,
    *,
    ax: Any = None,
    log_scale: bool = False,
    title: str | None = None,
    lang: str = "en",
) -> Any:
    """Sorted bar chart of annotations per category, readable with 70+ classes.

    Bars are horizontal (one row per class, names on the y axis) so labels never overlap; the
    figure grows with the number of classes; names longer than :data:`LABEL_CHARS` cells end in
    "…". Zero-annotation categories are not drawn.

    Args:
        result: From :func:`pill_compare.analysis.imbalance`.
        ax: Axes to draw on; a new figure is made when None.
        log_scale: Logarithmic count axis (useful when the ratio is large); labelled at powers
            of ten (and 2x, 5x when the counts span at most two decades).
        title: Defaults to a title quoting the imbalance ratio.
        lang: 'en' or 'ko': the language of the figure's text, for the font order (Hangul
            category names display in either).

    Returns:
        The matplotlib Figure.
    """
    plt = _pyplot()
    cats = list(result.categories)
    labels = [shorten_label(f"{c.category_id} {c.name}") for c in cats]
    counts = [c.annotations for c in cats]
    with plot_style(lang):
        if ax is None:
            height = max(3.0, 0.18 * len(cats) + 1.2)
            fig, ax = plt.subplots(figsize=(8, height), layout="constrained")
        else:
            fig = ax.figure
        y = list(range(len(cats)))
        ax.barh(y, counts, color=MODEL_COLORS["a"])
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        if cats:  # with no bar, equal limits make matplotlib warn on the user's terminal
            ax.set_ylim(len(cats) - 0.5, -0.5)
        if log_scale:
            ax.set_xscale("log")
            positive = [n for n in counts if n > 0]
            if positive:
                _log_axis(ax.xaxis, min(positive), max(positive))
        if result.rare_threshold > 0 and cats:
            ax.axvline(
                result.rare_threshold,
                ls="--",
                lw=0.8,
                color="#C44E52",
                label=f"rare: fewer than {result.rare_threshold}",
            )
            ax.legend(loc="lower right", frameon=False)
        ax.set_xlabel("annotations" + (" (log scale)" if log_scale else ""))
        if title is None:
            ratio = result.imbalance_ratio
            title = "Annotations per category" + (
                f" — imbalance ratio {result.most.annotations}/{result.least.annotations} = {ratio:.2f}"
                if ratio is not None and result.most and result.least
                else ""
            )
        ax.set_title(title)
        for yi, n in zip(y, counts, strict=True):
            ax.annotate(
                str(n), (n, yi), xytext=(2, 0), textcoords="offset points", va="center", fontsize=7
            )
    return fig
