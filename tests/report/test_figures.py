"""Figures to bytes: the same plot gives the same bytes (no timestamp), the figure stays open."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from pill_compare.analysis.imbalance import imbalance
from pill_compare.report.figures import close_figure, figure_to_bytes
from pill_compare.report.plots import plot_class_distribution
from tests.conftest import SEED_COUNTS, gt_with_counts

#: Plot tests fail on any warning (a missing glyph, a collapsed layout): it would reach the user.
pytestmark = pytest.mark.filterwarnings("error")


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def seed_plot():
    return plot_class_distribution(imbalance(gt_with_counts(SEED_COUNTS)), log_scale=True)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_the_same_plot_drawn_twice_gives_identical_bytes(fmt):
    first, second = figure_to_bytes(seed_plot(), fmt), figure_to_bytes(seed_plot(), fmt)
    assert first.startswith(MAGIC[fmt])
    assert first == second


def test_no_date_is_embedded():
    assert b"CreationDate" not in figure_to_bytes(seed_plot(), "pdf")
    assert b"<dc:date>" not in figure_to_bytes(seed_plot(), "svg")


def test_svg_ids_do_not_depend_on_the_callers_hashsalt():
    with matplotlib.rc_context({"svg.hashsalt": None}):
        first = figure_to_bytes(seed_plot(), "svg")
    assert first == figure_to_bytes(seed_plot(), "svg")


def test_the_figure_stays_open_until_close_figure():
    fig = seed_plot()
    figure_to_bytes(fig, "png")
    assert plt.fignum_exists(fig.number)
    close_figure(fig)
    assert not plt.fignum_exists(fig.number)


def test_dpi_sets_the_png_size():
    fig = seed_plot()
    small, large = figure_to_bytes(fig, "png", dpi=50), figure_to_bytes(fig, "png", dpi=150)
    assert len(small) < len(large)


def test_misuse_is_refused_with_what_was_expected():
    with pytest.raises(ValueError, match=r"Expected fmt in \('png', 'svg', 'pdf'\), got 'jpg'"):
        figure_to_bytes(seed_plot(), "jpg")
    with pytest.raises(ValueError, match="Expected dpi > 0, got 0"):
        figure_to_bytes(seed_plot(), "png", dpi=0)
    with pytest.raises(TypeError, match="Expected a matplotlib Figure, got str"):
        figure_to_bytes("plot.png", "png")
