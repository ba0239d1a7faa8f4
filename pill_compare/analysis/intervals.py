"""The percentile interval of a paired bootstrap difference and what it says.

Shared by the comparisons of a lower-is-better number between two runs (D-ECE in
:mod:`~pill_compare.analysis.calibration`, oLRP in :mod:`~pill_compare.analysis.lrp`): each
draws image resamples, computes B − A per resample, and reads the interval and the finding
here, so the rule is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

__all__ = ["PairedComparison", "lower_is_better_finding"]


class _ToDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=_ToDict)


@dataclass(frozen=True, eq=False)
class PairedComparison(Generic[R]):
    """One lower-is-better number of A and of B, B − A and its paired bootstrap interval (the
    fields :class:`~pill_compare.analysis.calibration.CalibrationComparison` and
    :class:`~pill_compare.analysis.lrp.LrpComparison` share; each documents its own number).

    Attributes:
        a / b: Each run's result (``to_dict()``-able).
        delta: B − A; None when either is undefined.
        ci_low / ci_high: Percentile interval of ``delta`` at level 1 − ``alpha``
            (:func:`lower_is_better_finding`); None when not tested.
        n_resamples: Resamples behind the interval (0: not tested).
        alpha: The interval is the (alpha/2, 1 − alpha/2) percentiles.
        finding: ``"a_better"`` / ``"b_better"`` / ``"no_difference"`` / ``"not_tested"``.
    """

    a: R
    b: R
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    n_resamples: int
    alpha: float
    finding: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``a``, ``b`` (their ``to_dict()``), ``delta``, ``ci`` (``[low, high]``
        or None), ``n_resamples``, ``alpha``, ``finding``."""
        ci = None if self.ci_low is None else [self.ci_low, self.ci_high]
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "delta": self.delta,
            "ci": ci,
            "n_resamples": self.n_resamples,
            "alpha": self.alpha,
            "finding": self.finding,
        }


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
