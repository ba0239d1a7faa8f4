"""The figures of a comparison without a ground truth: where two runs disagree, box by box.

Same contract as :mod:`pill_compare.report.report_plots` (whose helpers these use): each
``plot_*`` takes the :class:`~pill_compare.analysis.compare.ComparisonResult`, ``ax=None``,
``lang`` and ``labels`` (keys of :data:`LABELS`, English defaults there; an unknown key is
refused), draws inside :func:`~pill_compare.report.style.plot_style`, returns the Figure and
never calls ``show()``. Category labels are "<id> <name>" (names from the class map, the
training annotations or a ground truth, Hangul included) cut to a few display cells with "…".
Nothing is computed here: the counts are the pairing's
(:meth:`~pill_compare.analysis.disagreements.Pairing.swap_patterns`,
:meth:`~pill_compare.analysis.disagreements.Agreement.class_frame`).

* :func:`plot_swap_heatmap`: A's class (rows) × B's class (columns) of every class swap, only
  the classes involved in a swap;
* :func:`plot_class_counts`: each class's boxes at the operating point, A beside B (with the
  training support in the label when training annotations were given).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.report.eval_plots import MIN_ANNOTATION_POINTS, _annotation_points
from pill_compare.report.plots import _pyplot, shorten_label
from pill_compare.report.report_plots import (
    FIGURE_WIDTH,
    _cell_texts,
    _check_result,
    _figure_axes,
    _finish,
    _grey_frame,
    _label_at,
    _legend_above,
    _positive_int,
    _run_name,
)
from pill_compare.report.report_plots import (
    _labels as _report_labels,
)
from pill_compare.report.style import MODEL_COLORS, plot_style

__all__ = ["LABELS", "PLOTS", "available_plots", "plot_class_counts", "plot_swap_heatmap"]

#: Every text each figure writes, by function, with its English default.
LABELS: dict[str, dict[str, str]] = {
    "plot_swap_heatmap": {
        "title": "Class swaps: {a} says (row) where {b} says (column), boxes",
        "xlabel": "{b} says",
        "ylabel": "{a} says",
        "colorbar": "boxes",
        "more_classes": "not shown: {n} swaps of other classes",
    },
    "plot_class_counts": {
        "title": "Boxes per class at score ≥ {score:g}: {a} vs {b}",
        "xlabel": "boxes",
        "label_support": "{label} (train {support})",
        "more_classes": "not shown: {n} more classes with |A − B| ≤ {bound}",
    },
}
#: Grey of the grid lines and notes.
_MUTED = "#666666"
#: Display cells of a category label on the heatmap's axes.
_HEAT_LABEL = 26


def available_plots(r: ComparisonResult) -> tuple[str, ...]:
    """The figures here that apply to ``r``: none with a ground truth (the report has its own
    per-class figures then); without one the class counts, and the swap heatmap when there is
    a swap."""
    _check_result(r)
    if r.has_ground_truth:
        return ()
    names = ["plot_class_counts"]
    if r.pairing.counts()["class_swap"]:
        names.append("plot_swap_heatmap")
    return tuple(names)


def plot_swap_heatmap(
    r: ComparisonResult,
    *,
    max_classes: int = 20,
    ax: Any = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """A's class × B's class of every class swap: the boxes where A says the row's class and B
    the column's, only the classes involved in a swap.

    Rows are the classes A says in some swap, columns those B says; each axis keeps the
    ``max_classes`` classes with the most swaps (ties by ascending id), in ascending id, and
    a note says how many swaps fell outside. Empty cells stay white; each cell shows its
    count (one linear colour scale).

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` (with or without a ground
            truth; the swaps are the pairing's).
        max_classes: Most classes per axis (>= 1).
        ax: Axes to draw on (the caller then sets any overall title); a new figure when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_swap_heatmap']``: ``title``, ``xlabel``,
            ``ylabel`` ({a}, {b}: run names), ``colorbar``, ``more_classes`` ({n}).

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: no class swap in ``r``, ``max_classes`` < 1, an unknown label key.
    """
    text = _labels("plot_swap_heatmap", labels)
    _check_result(r)
    max_classes = _positive_int(max_classes, "max_classes")
    patterns = r.pairing.swap_patterns()
    if not patterns:
        raise ValueError("Expected a comparison with at least one class swap, got none")
    rows = _top([(s.a, s.swaps) for s in patterns], max_classes)
    cols = _top([(s.b, s.swaps) for s in patterns], max_classes)
    matrix = np.zeros((len(rows), len(cols)), dtype=np.int64)
    hidden = 0
    for s in patterns:
        if s.a in rows and s.b in cols:
            matrix[rows.index(s.a), cols.index(s.b)] += s.swaps
        else:
            hidden += s.swaps
    names = r.diff.category_names
    row_labels = [_category_label(c, names.get(c, ""), width=_HEAT_LABEL) for c in rows]
    col_labels = [_category_label(c, names.get(c, ""), width=_HEAT_LABEL) for c in cols]
    run_a, run_b = _run_name(r, 0), _run_name(r, 1)
    plt = _pyplot()
    from matplotlib.colors import Normalize

    norm = Normalize(vmin=0.0, vmax=float(max(matrix.max(), 1)))
    cmap = plt.get_cmap("Blues").with_extremes(bad="white")
    texts = np.array([[f"{v:d}" if v else "" for v in row] for row in matrix], dtype=object)
    with plot_style(lang):
        # Cells about 0.32 in; the row labels take ~2 in, the column labels ~1.8 in.
        fig, ax, created = _figure_axes(ax, min(11.0, 0.32 * len(rows) + 2.9))
        image = ax.imshow(
            np.ma.masked_less_equal(matrix.astype(np.float64), 0),
            cmap=cmap,
            norm=norm,
            aspect="equal",
            interpolation="nearest",
        )
        side = min(FIGURE_WIDTH - 2.6, 0.32 * max(len(rows), len(cols)))
        points = _annotation_points(max(len(rows), len(cols)), texts, side / 0.8)
        if points >= MIN_ANNOTATION_POINTS:
            _cell_texts(ax, matrix, texts, points, norm.inverse(0.6))
        ax.set_xticks(np.arange(len(cols)), col_labels, rotation=60, ha="right")
        ax.set_yticks(np.arange(len(rows)), row_labels)
        ax.tick_params(labelsize=7, length=2)
        ax.set_xticks(np.arange(len(cols) + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="#EEEEEE", lw=0.6)
        ax.grid(which="major", visible=False)
        ax.tick_params(which="minor", length=0)
        _grey_frame(ax)
        ax.set_xlabel(text["xlabel"].format(a=run_a, b=run_b), color=MODEL_COLORS["b"])
        ax.set_ylabel(text["ylabel"].format(a=run_a, b=run_b), color=MODEL_COLORS["a"])
        bar = fig.colorbar(image, ax=ax, shrink=0.6, aspect=25, pad=0.02)
        bar.set_label(text["colorbar"])
        if hidden:
            _corner_note(ax, text["more_classes"].format(n=hidden))
        _finish(fig, ax, text["title"].format(a=run_a, b=run_b), created=created)
    return fig


def plot_class_counts(
    r: ComparisonResult,
    *,
    max_classes: int = 40,
    ax: Any = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Each class's boxes at the operating point, A's bar beside B's.

    The classes are every class either run used on a box at the operating point
    (``r.agreement.class_frame()``); with more than ``max_classes`` the ones with the largest
    |A − B| are drawn (ties by ascending id) and a note says how many were left out. Order:
    with training annotations (``r.agreement_support``) by training support, fewest first,
    each label saying it; else by A + B, most first.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare`.
        max_classes: Most classes drawn (>= 1).
        ax: Axes to draw on; a new figure when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_class_counts']``: ``title`` ({score}: float,
            {a}, {b}), ``xlabel``, ``label_support`` ({label}, {support}), ``more_classes``
            ({n}, {bound}).

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``max_classes`` < 1, an unknown label key.
    """
    text = _labels("plot_class_counts", labels)
    _check_result(r)
    max_classes = _positive_int(max_classes, "max_classes")
    frame = r.agreement.class_frame()
    ids = frame["category_id"].to_numpy(dtype=np.int64)
    a = frame["a_boxes"].to_numpy(dtype=np.int64)
    b = frame["b_boxes"].to_numpy(dtype=np.int64)
    gap = np.abs(a - b)
    keep = np.sort(np.lexsort((ids, -gap))[:max_classes])
    hidden = ids.size - keep.size
    bound = int(gap[np.setdiff1d(np.arange(ids.size), keep)].max()) if hidden else 0
    support = None
    if r.agreement_support is not None:
        support = {c.category_id: c.support for c in r.agreement_support.classes}
        order = sorted(keep, key=lambda i: (support.get(int(ids[i]), 0), int(ids[i])))
    else:
        order = sorted(keep, key=lambda i: (-(a[i] + b[i]), int(ids[i])))
    names = r.diff.category_names
    ylabels = []
    for i in order:
        label = _category_label(ids[i], names.get(int(ids[i]), ""), width=30)
        if support is not None:
            label = text["label_support"].format(label=label, support=support.get(int(ids[i]), 0))
        ylabels.append(label)
    n = len(order)
    with plot_style(lang):
        fig, ax, created = _figure_axes(ax, max(2.6, 0.26 * n + 1.4))
        y = np.arange(n)
        for slot, (side, values) in enumerate((("a", a), ("b", b))):
            ax.barh(
                y - 0.2 + 0.4 * slot,
                values[order] if n else [],
                height=0.4,
                color=MODEL_COLORS[side],
                label=_run_name(r, slot),
            )
        for yi, i in zip(y, order, strict=True):
            if a[i] != b[i]:
                ax.annotate(
                    f"{int(b[i]) - int(a[i]):+d}",
                    (max(a[i], b[i]), yi),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                    color=_MUTED,
                )
        ax.set_yticks(y, ylabels)
        ax.tick_params(axis="y", labelsize=7)
        if n:
            ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlabel(text["xlabel"])
        ax.margins(x=0.08)
        _legend_above(ax, ncol=2)
        if hidden:
            _corner_note(ax, text["more_classes"].format(n=hidden, bound=bound))
        title = text["title"].format(
            score=r.pairing.score_threshold, a=_run_name(r, 0), b=_run_name(r, 1)
        )
        _finish(fig, ax, title, created=created, above_legend=True)
    return fig


def _category_label(category_id: Any, name: str, width: int) -> str:
    """ "<id> <name>", or the id alone when the category has no name, cut to ``width`` cells."""
    return shorten_label(f"{int(category_id)} {name}" if name else str(int(category_id)), width)


def _corner_note(ax: Any, text: str) -> None:
    """A grey note in the figure's lower left corner (what a figure leaves out)."""
    _label_at(ax, text, (0.0, 0.0), (4, 4), "left", "baseline", coords="figure")


def _top(counts: list[tuple[int, int]], limit: int) -> list[int]:
    """The ``limit`` ids with the largest summed count (ties by ascending id), ascending."""
    total: dict[int, int] = {}
    for key, n in counts:
        total[key] = total.get(key, 0) + n
    ranked = sorted(total, key=lambda k: (-total[k], k))[:limit]
    return sorted(ranked)


def _labels(function: str, labels: Mapping[str, str] | None) -> dict[str, str]:
    return _report_labels(function, labels, LABELS)


#: Each figure's function by name (what :func:`available_plots` returns).
PLOTS: dict[str, Callable[..., Any]] = {
    "plot_swap_heatmap": plot_swap_heatmap,
    "plot_class_counts": plot_class_counts,
}
