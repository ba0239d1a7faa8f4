"""Figures. Each ``plot_*`` takes a computed result and ``ax=None``, returns the Figure,
scopes its style with ``rc_context`` and never calls ``show()``.
"""

from __future__ import annotations

from typing import Any

from pill_compare.analysis.imbalance import ImbalanceResult


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)  # headless by default; a user's interactive backend stays
    import matplotlib.pyplot as plt

    return plt


def plot_class_distribution(
    result: ImbalanceResult, *, ax: Any = None, log_scale: bool = False, title: str | None = None
) -> Any:
    """Sorted bar chart of annotations per category, readable with 70+ classes.

    Bars are horizontal (one row per class, names on the y axis) so labels never overlap; the
    figure grows with the number of classes. Zero-annotation categories are not drawn.

    Args:
        result: From :func:`pill_compare.analysis.imbalance`.
        ax: Axes to draw on; a new figure is made when None.
        log_scale: Logarithmic count axis (useful when the ratio is large).
        title: Defaults to a title quoting the imbalance ratio.

    Returns:
        The matplotlib Figure.
    """
    plt = _pyplot()
    cats = list(result.categories)
    labels = [f"{c.category_id} {c.name}"[:40] for c in cats]
    counts = [c.annotations for c in cats]
    with plt.rc_context({"font.size": 8, "axes.spines.top": False, "axes.spines.right": False}):
        if ax is None:
            height = max(3.0, 0.18 * len(cats) + 1.2)
            fig, ax = plt.subplots(figsize=(8, height), layout="constrained")
        else:
            fig = ax.figure
        y = list(range(len(cats)))
        ax.barh(y, counts, color="#4C72B0")
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        if cats:  # with no bar, equal limits make matplotlib warn on the user's terminal
            ax.set_ylim(len(cats) - 0.5, -0.5)
        if log_scale:
            from matplotlib.ticker import FuncFormatter

            ax.set_xscale("log")
            plain = FuncFormatter(lambda v, _pos: f"{v:g}")
            ax.xaxis.set_major_formatter(plain)
            ax.xaxis.set_minor_formatter(plain)
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
