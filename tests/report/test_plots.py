"""The class-distribution figure: one bar per annotated class, readable with 70+ classes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from rich.cells import cell_len

from pill_compare.analysis.imbalance import imbalance
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.plots import LABEL_CHARS, plot_class_distribution, shorten_label
from tests.conftest import SEED_COUNTS, gt_counts_dict, gt_with_counts

#: Plot tests fail on any warning (a missing glyph, a collapsed layout): it would reach the user.
pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_one_bar_per_annotated_category_with_the_ratio_in_the_title():
    r = imbalance(gt_with_counts(SEED_COUNTS, extra_categories=(18109,)))
    fig = plot_class_distribution(r)
    ax = fig.axes[0]
    assert [p.get_width() for p in ax.patches] == [88, 88, 85, 7]  # zero class not drawn
    assert ax.get_title() == "Annotations per category — imbalance ratio 88/7 = 12.57"
    assert ax.get_yticklabels()[0].get_text() == "25366 c25366"


def test_draws_on_a_given_axes_and_returns_its_figure():
    fig, ax = plt.subplots()
    out = plot_class_distribution(imbalance(gt_with_counts({1: 3, 2: 1})), ax=ax, title="mine")
    assert out is fig
    assert ax.get_title() == "mine"


def test_figure_grows_with_70_plus_classes():
    small = plot_class_distribution(imbalance(gt_with_counts({1: 3, 2: 1})))
    many = plot_class_distribution(imbalance(gt_with_counts({c: c for c in range(1, 76)})))
    assert len(many.axes[0].patches) == 75
    assert many.get_size_inches()[1] > 3 * small.get_size_inches()[1]


def test_log_scale_and_style_are_scoped():
    before = dict(plt.rcParams)
    fig = plot_class_distribution(imbalance(gt_with_counts({1: 300, 2: 1})), log_scale=True)
    assert fig.axes[0].get_xscale() == "log"
    assert fig.axes[0].get_xlabel() == "annotations (log scale)"
    assert dict(plt.rcParams) == before


def test_no_annotation_gives_an_empty_figure_without_warning(recwarn):
    fig = plot_class_distribution(imbalance(gt_with_counts({}, extra_categories=(1,))))
    assert len(fig.axes[0].patches) == 0
    assert [str(w.message) for w in recwarn] == []


def shown_labels(fig, minor=True):
    """The tick labels drawn inside the axis limits."""
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    ticks = ax.xaxis.get_minor_ticks() if minor else ax.xaxis.get_major_ticks()
    return [
        t.label1.get_text() for t in ticks if low <= t.get_loc() <= high and t.label1.get_text()
    ]


def test_log_scale_labels_only_2_and_5_between_powers_of_ten():
    # 33 to 772: under two decades, so 20, 50, 200, 500 are labelled; 30, 40, 60, ... are not.
    fig = plot_class_distribution(imbalance(gt_with_counts({1: 772, 2: 33})), log_scale=True)
    assert shown_labels(fig) == ["20", "50", "200", "500"]


def test_log_scale_over_many_decades_labels_no_minor_tick():
    fig = plot_class_distribution(imbalance(gt_with_counts({1: 3000, 2: 1})), log_scale=True)
    assert shown_labels(fig) == []
    assert shown_labels(fig, minor=False) == ["1", "10", "100", "1000"]


def test_long_names_are_cut_with_an_ellipsis():
    doc = gt_counts_dict({1: 2})
    doc["categories"][0]["name"] = "아모잘탄정 5/100mg 고혈압 치료제 아주 긴 이름"
    fig = plot_class_distribution(imbalance(ground_truth_from_dict(doc, source="t.json")))
    label = fig.axes[0].get_yticklabels()[0].get_text()
    assert label.startswith("1 아모잘탄정") and label.endswith("…")
    assert cell_len(label) <= LABEL_CHARS


def test_shorten_label_cleans_control_characters_keeps_one_line_and_cuts():
    # each control character becomes its visible escape (4 cells for "\x1b"), then the cut
    assert shorten_label("\x1b[31mred\n") == "\\x1b[31mred\\x0a"
    assert shorten_label("보령" * 30, 10) == "보령보령…"  # 2 cells a syllable: 8 + "…"
    assert shorten_label("plain") == "plain"
