"""The plot style: scoped (no global rcParams changed), fixed colours, and Hangul that displays
in PNG, SVG and PDF without importing koreanize_matplotlib."""

import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from pill_compare.analysis.confusion import ConfusionMatrix
from pill_compare.analysis.imbalance import imbalance
from pill_compare.io import ground_truth_from_dict
from pill_compare.report import style
from pill_compare.report.eval_plots import plot_confusion_matrix
from pill_compare.report.figures import figure_to_bytes
from pill_compare.report.plots import plot_class_distribution
from pill_compare.report.style import (
    ERROR_TYPE_COLORS,
    MODEL_COLORS,
    font_families,
    hangul_font_path,
    plot_style,
)
from tests.conftest import gt_counts_dict

KOREAN = {1: "K-025367 흰색 원형정", 2: "보령부스파정 5mg", 3: "white round"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def korean_imbalance():
    doc = gt_counts_dict({1: 5, 2: 3, 3: 1})
    for c in doc["categories"]:
        c["name"] = KOREAN[c["id"]]
    return imbalance(ground_truth_from_dict(doc, source="train.json"))


def korean_confusion():
    matrix = np.array([[5, 1, 0, 1], [0, 3, 0, 0], [0, 0, 1, 0], [2, 0, 0, 0]])
    return ConfusionMatrix(matrix, np.array([1, 2, 3]), tuple(KOREAN.values()), 0.5, 0.5, 0)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_plot_style_leaves_every_rcparam_as_it_was(lang):
    before = dict(plt.rcParams)
    with plot_style(lang):
        assert plt.rcParams["axes.spines.top"] is False
        assert "NanumGothic" in plt.rcParams["font.family"]
    assert dict(plt.rcParams) == before


def test_plots_leave_every_rcparam_as_they_were():
    before = dict(plt.rcParams)
    plot_class_distribution(korean_imbalance(), log_scale=True)
    plot_confusion_matrix(korean_confusion(), normalize=True)
    assert dict(plt.rcParams) == before


def test_latin_text_keeps_dejavu_and_hangul_falls_back_to_nanumgothic():
    assert font_families("en")[:2] == ["DejaVu Sans", "NanumGothic"]
    # DejaVu first in Korean too: its "≥" is legible at 7 pt, NanumGothic's a hairline.
    assert font_families("ko")[:2] == ["DejaVu Sans", "NanumGothic"]


def test_the_font_comes_from_the_installed_package_without_importing_it():
    path = hangul_font_path()
    assert path is not None and path.name == "NanumGothic.ttf" and path.is_file()
    assert "koreanize_matplotlib" not in sys.modules  # importing it rewrites global rcParams


def test_unknown_lang_is_refused():
    with (
        pytest.raises(ValueError, match=r"Expected lang in \('en', 'ko'\), got 'fr'"),
        plot_style("fr"),
    ):
        pass


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_korean_category_names_render_without_a_missing_glyph_warning(fmt):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        for fig in (
            plot_class_distribution(korean_imbalance()),
            plot_class_distribution(korean_imbalance(), log_scale=True),
            plot_confusion_matrix(korean_confusion()),
            plot_confusion_matrix(korean_confusion(), normalize=True),
        ):
            assert figure_to_bytes(fig, fmt)


def test_without_the_font_file_plots_fall_back_to_dejavu_without_crashing(monkeypatch):
    monkeypatch.setattr(style, "hangul_font_path", lambda name="NanumGothic.ttf": None)
    style.register_hangul_font.cache_clear()
    try:
        assert font_families("en") == ["DejaVu Sans", "sans-serif"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Hangul shows as boxes here, with a warning
            fig = plot_class_distribution(korean_imbalance())
            assert figure_to_bytes(fig, "png")[:4] == b"\x89PNG"
    finally:
        style.register_hangul_font.cache_clear()


def test_colours_are_fixed_per_model_and_per_tide_error_type():
    assert set(MODEL_COLORS) == {"a", "b"} and MODEL_COLORS["a"] != MODEL_COLORS["b"]
    assert list(ERROR_TYPE_COLORS) == ["Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"]
    assert len(set(ERROR_TYPE_COLORS.values())) == 6
    for colour in [*MODEL_COLORS.values(), *ERROR_TYPE_COLORS.values()]:
        assert matplotlib.colors.is_color_like(colour)
