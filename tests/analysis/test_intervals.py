"""The percentile interval of a paired bootstrap difference (lower is better)."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.intervals import lower_is_better_finding


@pytest.mark.parametrize(
    ("diffs", "finding"),
    [
        ([-0.3, -0.2, -0.1], "b_better"),  # every resample: B lower
        ([0.1, 0.2, 0.3], "a_better"),
        ([-0.1, 0.0, 0.1], "no_difference"),
    ],
)
def test_the_finding_follows_the_side_of_zero_the_interval_lies_on(diffs, finding):
    assert lower_is_better_finding(np.array(diffs), 0.05)[2] == finding


def test_the_interval_is_numpys_percentiles_of_the_finite_differences():
    # 0, 1, ..., 100 with two undefined resamples: the 2.5% / 97.5% percentiles are 2.5, 97.5.
    diffs = np.r_[np.arange(101.0), np.nan, np.inf]
    low, high, _ = lower_is_better_finding(diffs, 0.05)
    assert (low, high) == (2.5, 97.5)


def test_no_finite_difference_gives_none():
    assert lower_is_better_finding(np.array([np.nan, np.inf]), 0.05) is None
