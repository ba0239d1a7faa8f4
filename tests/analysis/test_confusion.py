"""Confusion matrix with background: counts derived by hand, convention, consistency, plot."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.accuracy import compute_accuracy
from pill_compare.analysis.confusion import compute_confusion_matrix
from pill_compare.analysis.matching import match_detections
from tests.analysis.eval_fixtures import detections, ground_truth, hand_case, random_case


@pytest.fixture
def table():
    case = hand_case()
    return match_detections(ground_truth(case.gt), detections(case.results))


def test_counts_by_hand(table):
    # Rows GT (cat 1, cat 2, background), columns predicted (cat 1, cat 2, background); s = 0.5:
    #   d0 on A1 (cat 1 -> 1): [1, 1];  d2 on A2 (cat 1 -> 2): [1, 2]
    #   d1 duplicate and d5 on nothing: [bg, 1] and [bg, 2]
    #   missed GT: B (d3 is below s) and B2 -> [2, bg] twice; C -> [1, bg]
    #   d4 is absorbed by the crowd region: in no cell.
    cm = compute_confusion_matrix(table, score_threshold=0.5)
    assert cm.category_ids.tolist() == [1, 2]
    assert cm.matrix.tolist() == [
        [1, 1, 1],
        [0, 0, 2],
        [1, 1, 0],
    ]
    assert (cm.correct, cm.misclassified, cm.false_detections, cm.missed) == (1, 1, 2, 3)
    assert cm.absorbed == 1
    assert cm.top_confusions() == [(1, 2, 1)]
    assert cm.labels() == ["1 pill_1", "2 pill_2", "background"]


def test_lower_threshold_moves_a_missed_gt_to_the_diagonal(table):
    # At s = 0.4, d3 counts and finds B: one fewer [2, bg], one more [2, 2].
    cm = compute_confusion_matrix(table, score_threshold=0.4)
    assert cm.matrix[1].tolist() == [0, 1, 1]


@pytest.mark.parametrize("seed", [5, 17, 23, 31])
def test_every_counted_detection_and_gt_lands_in_exactly_one_cell(seed):
    case = random_case(seed)
    gt = ground_truth(case.gt)
    table = match_detections(gt, detections(case.results))
    cm = compute_confusion_matrix(table, score_threshold=0.3)
    counted = int((table.dets.score >= 0.3).sum())
    assert cm.matrix[:, :-1].sum() + cm.absorbed == counted  # each detection once
    assert cm.matrix[:-1, :].sum() == int((~gt.annotations.iscrowd).sum())  # each GT box once
    assert cm.matrix[-1, -1] == 0
    acc = compute_accuracy(table, score_threshold=0.3)
    assert acc.correct == cm.correct and acc.matched == cm.correct + cm.misclassified


def test_frame_and_dict_keep_the_convention(table):
    cm = compute_confusion_matrix(table, score_threshold=0.5)
    frame = cm.to_frame()
    assert frame.index.name == "gt"
    assert frame.loc["1 pill_1", "2 pill_2"] == 1
    d = cm.to_dict()
    assert d["convention"].startswith("rows = GT class, columns = predicted class")
    assert d["matrix"][2] == [1, 1, 0]


def test_plot_draws_a_heatmap_with_background_labels(table):
    from pill_compare.report.eval_plots import plot_confusion_matrix

    cm = compute_confusion_matrix(table, score_threshold=0.5)
    fig = plot_confusion_matrix(cm)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "background"
    assert "GT class" in ax.get_ylabel() and "predicted class" in ax.get_xlabel()
    assert "1 correct, 1 misclassified" in ax.get_title()


def test_plot_stays_readable_with_80_classes():
    from pill_compare.analysis.confusion import ConfusionMatrix
    from pill_compare.report.eval_plots import plot_confusion_matrix

    rng = np.random.default_rng(0)
    k = 80
    matrix = rng.poisson(0.05, size=(k + 1, k + 1))
    matrix[np.arange(k), np.arange(k)] = rng.integers(10, 200, size=k)
    matrix[-1, -1] = 0
    cm = ConfusionMatrix(
        matrix=matrix,
        category_ids=np.arange(1, k + 1),
        names=tuple(f"K-{i:06d} white round film-coated" for i in range(k)),
        score_threshold=0.5,
        iou_threshold=0.5,
        absorbed=0,
    )
    fig = plot_confusion_matrix(cm, normalize=True)
    _, height = fig.get_size_inches()
    assert height >= 0.2 * (k + 1)  # about 0.2 inch per row: labels do not overlap
    assert len(fig.axes[0].get_yticklabels()) == k + 1
    assert all(len(t.get_text()) <= 28 for t in fig.axes[0].get_yticklabels())
