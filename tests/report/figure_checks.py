"""Checks shared by the figure tests: a figure returned by a ``plot_*`` is laid out for good."""

from __future__ import annotations

from typing import Any

import matplotlib.figure
import numpy as np

from pill_compare.report.figures import figure_to_bytes


def assert_laid_out_for_good(fig: Any, monkeypatch: Any) -> None:
    """``fig`` has no layout engine, one more constrained-layout pass moves none of its axes
    by a pixel (the layout it was returned with is final), and saving it draws it once."""
    assert fig.get_layout_engine() is None  # savefig draws a figure with any engine twice
    before = [ax.get_position().frozen() for ax in fig.axes]
    fig.set_layout_engine("constrained")
    fig.get_layout_engine().execute(fig)
    fig.set_layout_engine(None)
    width, height = fig.get_size_inches() * fig.dpi
    for old, ax in zip(before, fig.axes, strict=True):
        moved = np.abs(np.subtract(old.extents, ax.get_position().extents))
        assert (moved * [width, height, width, height]).max() < 1.0, (old, ax.get_position())
    draws = []
    draw = matplotlib.figure.Figure.draw
    monkeypatch.setattr(
        matplotlib.figure.Figure, "draw", lambda self, r: draws.append(1) or draw(self, r)
    )
    figure_to_bytes(fig)
    assert len(draws) == 1
