"""The percentile interval of a paired bootstrap difference and what it says.

Shared by the comparisons of a lower-is-better number between two runs (D-ECE in
:mod:`~pill_compare.analysis.calibration`, oLRP in :mod:`~pill_compare.analysis.lrp`): each
draws image resamples, computes B − A per resample, and reads the interval and the finding
here, so the rule is written once.
"""

from __future__ import annotations

import numpy as np

__all__ = ["lower_is_better_finding"]


def lower_is_better_finding(diffs: np.ndarray, alpha: float) -> tuple[float, float, str] | None:
    """Percentile interval of B − A and the finding, for a number where lower is better.

    Args:
        diffs: (B,) B − A per bootstrap resample; non-finite entries (a resample where either
            run's number is undefined) are left out.
        alpha: The interval is the (alpha/2, 1 − alpha/2) percentiles (numpy's default linear
            interpolation).

    Returns:
        ``(low, high, finding)``: ``"b_better"`` when the whole interval is below 0 (B's number
        is lower), ``"a_better"`` when it is above 0, else ``"no_difference"``; None when no
        resample has a finite difference.

    Example:
        >>> lower_is_better_finding(np.array([-0.3, -0.2, -0.1]), 0.05)[2]
        'b_better'
    """
    finite = diffs[np.isfinite(diffs)]
    if finite.size == 0:
        return None
    low, high = (float(v) for v in np.quantile(finite, [alpha / 2, 1 - alpha / 2]))
    finding = "b_better" if high < 0 else "a_better" if low > 0 else "no_difference"
    return low, high, finding
