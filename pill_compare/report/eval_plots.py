"""Evaluation figures. Each ``plot_*`` takes a computed result and ``ax=None``, returns the
Figure, scopes its style with ``rc_context`` and never calls ``show()``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from pill_compare.analysis.confusion import ConfusionMatrix
from pill_compare.report.plots import _pyplot

#: Cells are annotated with their counts up to this many rows; beyond, colour alone.
ANNOTATE_UP_TO = 30
#: Tick labels are cut to this many characters.
LABEL_CHARS = 28


def plot_confusion_matrix(
    cm: ConfusionMatrix,
    *,
    ax: Any = None,
    normalize: bool = False,
    hide_empty: bool = True,
    title: str | None = None,
) -> Any:
    """Seaborn heatmap of a confusion matrix with background, readable with 70+ classes.

    Rows are GT classes, columns predicted classes, the last row and column background (the
    convention of :mod:`pill_compare.analysis.confusion`). Empty cells stay white; counts use a
    logarithmic colour scale (a few confusions stay visible next to a large diagonal); the figure
    grows with the number of classes and cells are annotated only up to 30 rows.

    Args:
        cm: From :func:`~pill_compare.analysis.confusion.compute_confusion_matrix`.
        ax: Axes to draw on; a new figure is made when None.
        normalize: Show each row as shares of that GT class (background row: of all false
            detections) instead of counts.
        hide_empty: Leave out classes with no count in their row and column.
        title: Defaults to one stating the thresholds.

    Returns:
        The matplotlib Figure.
    """
    plt = _pyplot()
    import seaborn as sns
    from matplotlib.colors import LogNorm

    matrix = cm.matrix.astype(np.float64)
    labels = [label[:LABEL_CHARS] for label in cm.labels()]
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
    norm = None
    if positive.size and not normalize and positive.max() > positive.min():
        # Half the smallest count as the floor, so a single count is still visibly blue.
        norm = LogNorm(vmin=positive.min() / 2, vmax=positive.max())
    font = 8 if n <= 40 else 6
    with plt.rc_context({"font.size": font, "axes.titlesize": 10}):
        if ax is None:
            side = max(4.5, 0.2 * n + 2.5)
            fig, ax = plt.subplots(figsize=(side + 1.5, side), layout="constrained")
        else:
            fig = ax.figure
        annot: Any = False
        if n <= ANNOTATE_UP_TO:
            annot = np.where(
                counts > 0,
                [[f"{v:.2f}" if normalize else f"{v:.0f}" for v in row] for row in matrix],
                "",
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN data: an empty matrix
            sns.heatmap(
                data if positive.size else np.zeros_like(matrix),
                ax=ax,
                cmap="Blues",
                norm=norm,
                annot=annot,
                fmt="",
                annot_kws={"size": font - 1},
                square=True,
                linewidths=0.3 if n <= 40 else 0,
                linecolor="#eeeeee",
                xticklabels=labels,
                yticklabels=labels,
                cbar_kws={
                    "label": "share of the row"
                    if normalize
                    else "count (log scale)"
                    if norm is not None
                    else "count",
                    "shrink": 0.6,
                },
            )
        ax.set_facecolor("white")
        ax.axhline(n - 1, color="#888888", linewidth=0.8)
        ax.axvline(n - 1, color="#888888", linewidth=0.8)
        ax.set_xlabel("predicted class (last column: background = missed GT box)")
        ax.set_ylabel("GT class (last row: background = detection on no object)")
        ax.tick_params(axis="x", labelrotation=90)
        ax.tick_params(axis="y", labelrotation=0)
        if title is None:
            title = (
                f"Confusion matrix: score >= {cm.score_threshold:g}, IoU >= {cm.iou_threshold:g}\n"
                f"({cm.correct} correct, {cm.misclassified} misclassified, "
                f"{cm.false_detections} false detections, {cm.missed} missed)"
            )
        ax.set_title(title)
    return fig
