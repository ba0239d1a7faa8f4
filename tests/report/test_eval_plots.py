"""The confusion-matrix figure: readable at 80 classes, cut labels end in "…", counts in every
non-empty cell, the normalized view in percent."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from rich.cells import cell_len

from pill_compare.analysis.confusion import ConfusionMatrix
from pill_compare.report.eval_plots import LABEL_CHARS, plot_confusion_matrix

#: Plot tests fail on any warning (a missing glyph, a collapsed layout): it would reach the user.
pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def confusion(n, names=None):
    """n classes: diagonal 10 + i, class i also predicted as i + 1 once, one false detection."""
    matrix = np.zeros((n + 1, n + 1), dtype=np.int64)
    for i in range(n):
        matrix[i, i] = 10 + i
        matrix[i, (i + 1) % n] = 1
    matrix[n, 0] = 1
    names = names or tuple(f"K-{i:06d} 보령부스파정 {i}mg 필름코팅정" for i in range(n))
    return ConfusionMatrix(matrix, np.arange(1, n + 1), names, 0.5, 0.5, 0)


def cell_texts(fig):
    return [t.get_text() for t in fig.axes[0].texts if t.get_text()]


def test_long_tick_labels_are_cut_with_an_ellipsis():
    fig = plot_confusion_matrix(confusion(3))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "background"
    for label in labels[:-1]:
        assert label.endswith("…") and cell_len(label) <= LABEL_CHARS
    assert labels[0].startswith("1 K-000000 보령부스파정")


def test_counts_are_shown_in_every_non_empty_cell_at_80_classes():
    cm = confusion(80)
    fig = plot_confusion_matrix(cm)
    texts = cell_texts(fig)
    assert len(texts) == np.count_nonzero(cm.matrix)  # 80 diagonal + 80 confusions + 1
    assert "89" in texts  # the last class's diagonal, 10 + 79
    sizes = {t.get_fontsize() for t in fig.axes[0].texts if t.get_text()}
    assert len(sizes) == 1 and 3.5 <= sizes.pop() < 8  # smaller than at 3 classes, still legible


def test_normalized_cells_read_in_percent_of_the_row():
    # Row 0: 3 correct, 1 confused with class 2: 75 % and 25 %; row 1: 1 of 1; background row:
    # all 2 false detections are of class 1.
    matrix = np.array([[3, 1, 0], [0, 1, 0], [2, 0, 0]])
    cm = ConfusionMatrix(matrix, np.array([1, 2]), ("a", "b"), 0.5, 0.5, 0)
    fig = plot_confusion_matrix(cm, normalize=True)
    assert cell_texts(fig) == ["75", "25", "100", "100"]
    assert "row shares in %" in fig.axes[0].get_title()
    small = np.array([[999, 1, 0], [0, 1, 0], [0, 0, 0]])
    cm = ConfusionMatrix(small, np.array([1, 2]), ("a", "b"), 0.5, 0.5, 0)
    assert cell_texts(plot_confusion_matrix(cm, normalize=True))[:2] == ["99.9", "0.1"]
    tiny = np.array([[2999, 1, 0], [0, 1, 0], [0, 0, 0]])
    cm = ConfusionMatrix(tiny, np.array([1, 2]), ("a", "b"), 0.5, 0.5, 0)
    assert cell_texts(plot_confusion_matrix(cm, normalize=True))[:2] == ["99.9", "<0.1"]


def test_empty_matrix_draws_without_warning(recwarn):
    cm = ConfusionMatrix(
        np.zeros((3, 3), dtype=np.int64), np.array([1, 2]), ("a", "b"), 0.5, 0.5, 0
    )
    fig = plot_confusion_matrix(cm)
    fig.canvas.draw()
    assert cell_texts(fig) == []
    assert [str(w.message) for w in recwarn] == []
