"""The figures without a ground truth: the swap heatmap holds only the classes involved in a
swap, the class counts every class either run used."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.compare import compare
from pill_compare.core import Detections
from pill_compare.report.agreement_plots import (
    available_plots,
    plot_class_counts,
    plot_swap_heatmap,
)
from pill_compare.report.figures import close_figure
from tests.report.figure_checks import assert_laid_out_for_good


def _run(cats, name):
    n = len(cats)
    return Detections(
        image_id=np.arange(1, n + 1),
        category_id=np.array(cats),
        bbox=np.tile([0.0, 0.0, 10.0, 10.0], (n, 1)),
        score=np.full(n, 0.9),
        name=name,
    )


@pytest.fixture(scope="module")
def result():
    # Images 1-4: A says 1, 1, 2, 5; B says 1, 3, 4, 5: swaps 1→3 and 2→4; 1 and 5 agree.
    return compare(None, _run([1, 1, 2, 5], "a"), _run([1, 3, 4, 5], "b"), category_names={3: "셋"})


def test_swap_heatmap_holds_only_the_classes_of_swaps(result):
    fig = plot_swap_heatmap(result, lang="ko")
    try:
        ax = fig.axes[0]
        rows = [t.get_text() for t in ax.get_yticklabels()]
        cols = [t.get_text() for t in ax.get_xticklabels()]
        assert rows == ["1", "2"] and cols == ["3 셋", "4"]  # 5 never swaps: not drawn
        cells = sorted(t.get_text() for t in ax.texts if t.get_text())
        assert cells == ["1", "1"]
    finally:
        close_figure(fig)


def test_class_counts_draws_every_class_used(result):
    fig = plot_class_counts(result)
    try:
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert sorted(labels) == ["1", "2", "3 셋", "4", "5"]
    finally:
        close_figure(fig)


@pytest.mark.parametrize("plot", [plot_swap_heatmap, plot_class_counts])
def test_a_figure_is_laid_out_for_good_and_saved_in_one_draw(result, plot, monkeypatch):
    fig = plot(result, lang="ko")
    try:
        assert_laid_out_for_good(fig, monkeypatch)
    finally:
        close_figure(fig)


def test_available_without_swaps_and_refusals(result):
    assert available_plots(result) == ("plot_class_counts", "plot_swap_heatmap")
    same = compare(None, _run([1], "a"), _run([1], "b"))
    assert available_plots(same) == ("plot_class_counts",)
    with pytest.raises(ValueError, match="at least one class swap"):
        plot_swap_heatmap(same)
    with pytest.raises(ValueError, match="Expected label keys of plot_swap_heatmap"):
        plot_swap_heatmap(result, labels={"titel": "x"})
