"""Evaluation figures. Each ``plot_*`` takes a computed result and ``ax=None``, returns the
Figure, draws inside :func:`~pill_compare.report.style.plot_style` and never calls ``show()``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from pill_compare.analysis.confusion import ConfusionMatrix
from pill_compare.report.plots import _pyplot, shorten_label
from pill_compare.report.style import plot_style

#: Tick labels are cut to this many cells (a Hangul syllable counts two), ending in "…".
LABEL_CHARS = 28
#: Cell annotations are never set smaller than this (points); below it they would be noise.
MIN_ANNOTATION_POINTS = 3.5
#: Inches per row and column of the matrix (the figure grows with the number of classes).
CELL_INCHES = 0.2


def _cell_text(value: float, count: float, normalize: bool) -> str:
    """A cell's annotation: the count, or the row share in percent (no '%': the colour bar says it)."""
    if count <= 0:
        return ""
    if not normalize:
        return f"{value:.0f}"
    percent = 100 * value
    if percent >= 100 - 1e-9:
        return "100"
    if percent < 0.05:
        return "<0.1"  # a count that rounds to 0.0 % is still a count
    if percent >= 99.5:  # rounded down: 99.97 % is not all of the row
        return f"{math.floor(percent * 10) / 10:.1f}"
    # Whole percents from 10 to 99; one decimal below 10.
    return f"{percent:.0f}" if percent >= 9.95 else f"{percent:.1f}"


def _annotation_points(n: int, texts: np.ndarray, side_inches: float) -> float:
    """The largest font that fits the longest annotation inside a cell (8 pt at most)."""
    longest = max((len(t) for t in texts.ravel()), default=1) or 1
    # Cell width in points: the heatmap takes about 80 % of the figure side.
    cell = 72 * 0.8 * side_inches / max(n, 1)
    # A digit is ~0.6 em wide; keep a margin of 10 % of the cell on each side.
    return float(min(8.0, 0.5 * cell, 0.8 * cell / (0.6 * longest)))


def plot_confusion_matrix(
    cm: ConfusionMatrix,
    *,
    ax: Any = None,
    normalize: bool = False,
    hide_empty: bool = True,
    title: str | None = None,
    lang: str = "en",
) -> Any:
    """Seaborn heatmap of a confusion matrix with background, readable with 70+ classes.

    Rows are GT classes, columns predicted classes, the last row and column background (the
    convention of :mod:`pill_compare.analysis.confusion`). Empty cells stay white; counts use a
    logarithmic colour scale (a few confusions stay visible next to a large diagonal); the figure
    grows with the number of classes (:data:`CELL_INCHES` per class). Every non-empty cell is
    annotated, with a font that shrinks with the cell (down to :data:`MIN_ANNOTATION_POINTS`;
    on a smaller given ``ax`` the colours alone remain). Tick labels longer than
    :data:`LABEL_CHARS` cells end in "…".

    Args:
        cm: From :func:`~pill_compare.analysis.confusion.compute_confusion_matrix`.
        ax: Axes to draw on; a new figure is made when None.
        normalize: Show each row as shares of that GT class (background row: of all false
            detections) instead of counts: cells read in percent (one decimal below 10 %), on a
            linear 0-100 % colour scale.
        hide_empty: Leave out classes with no count in their row and column.
        title: Defaults to one stating what the cells show and the thresholds.
        lang: 'en' or 'ko': the language of the figure's text, for the font order (Hangul
            category names display in either).

    Returns:
        The matplotlib Figure.
    """
    plt = _pyplot()
    import seaborn as sns
    from matplotlib.colors import LogNorm, PowerNorm

    matrix = cm.matrix.astype(np.float64)
    labels = [shorten_label(label, LABEL_CHARS) for label in cm.labels()]
    keep = np.ones(matrix.shape[0], dtype=bool)
    if hide_empty:
        keep[:-1] = (matrix[:-1, :].sum(axis=1) + matrix[:, :-1].sum(axis=0)) > 0
    matrix = matrix[np.ix_(keep, keep)]
    labels = [lab for lab, k in zip(labels, keep.tolist(), strict=True) if k]
    counts = matrix.copy()
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        matrix = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    n = len(labels)
    positive = matrix[matrix > 0]
    data = np.where(matrix > 0, matrix, np.nan)
    norm: Any = None
    if normalize:
        # Square-root scale: a 2 % confusion stays visibly blue next to a 95 % diagonal.
        norm = PowerNorm(gamma=0.5, vmin=0.0, vmax=1.0)
    elif positive.size and positive.max() > positive.min():
        # Half the smallest count as the floor, so a single count is still visibly blue.
        norm = LogNorm(vmin=positive.min() / 2, vmax=positive.max())
    texts = np.array(
        [
            [_cell_text(v, c, normalize) for v, c in zip(row, crow, strict=True)]
            for row, crow in zip(matrix, counts, strict=True)
        ],
        dtype=object,
    ).reshape(matrix.shape)
    tick_points = 8 if n <= 40 else 6
    with plot_style(lang):
        if ax is None:
            side = max(6.0, CELL_INCHES * n + 3.0)
            fig, ax = plt.subplots(figsize=(side + 1.5, side), layout="constrained")
        else:
            fig = ax.figure
        side_inches = min(fig.get_size_inches())
        points = _annotation_points(n, texts, side_inches)
        annot: Any = texts if points >= MIN_ANNOTATION_POINTS else False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN data: an empty matrix
            sns.heatmap(
                data if positive.size else np.zeros_like(matrix),
                ax=ax,
                cmap="Blues",
                norm=norm,
                annot=annot,
                fmt="",
                annot_kws={"size": points},
                square=True,
                linewidths=0.3 if n <= 40 else 0.1,
                linecolor="#eeeeee",
                xticklabels=labels,
                yticklabels=labels,
                cbar_kws={
                    "label": "share of the row (%, square-root scale)"
                    if normalize
                    else "count (log scale)"
                    if norm is not None
                    else "count",
                    "shrink": 0.6,
                },
            )
        colorbar = ax.collections[0].colorbar if ax.collections else None
        if colorbar is not None:
            from matplotlib.ticker import FuncFormatter, NullFormatter

            # Percent for shares; plain 1, 10, 100 for counts (not 10^0, 10^1, 10^2).
            scale = 100 if normalize else 1
            colorbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{scale * v:g}"))
            colorbar.ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_facecolor("white")
        ax.axhline(n - 1, color="#888888", linewidth=0.8)
        ax.axvline(n - 1, color="#888888", linewidth=0.8)
        ax.set_xlabel("predicted class\n(last column: background = missed GT box)")
        ax.set_ylabel("GT class\n(last row: background = detection on no object)")
        ax.tick_params(axis="x", labelrotation=90, labelsize=tick_points)
        ax.tick_params(axis="y", labelrotation=0, labelsize=tick_points)
        if title is None:
            shown = "row shares in %" if normalize else "counts"
            title = (
                f"Confusion matrix, {shown} (score >= {cm.score_threshold:g}, "
                f"IoU >= {cm.iou_threshold:g})\n"
                f"{cm.correct} correct, {cm.misclassified} misclassified, "
                f"{cm.false_detections} false detections, {cm.missed} missed"
            )
        ax.set_title(title)
    return fig
