"""Detection calibration: does a detection's score say how often such a detection is right?

Definition (the detection expected calibration error, D-ECE, of Küppers et al., "Multivariate
Confidence Calibration for Object Detection", CVPR Workshops 2020, in its confidence-only form):
every detection of the run that the matching counts (area range 'all', crowd-absorbed
detections left out, no score threshold, no ``maxDets`` cut) is a *precision target*: it is
correct (1) when it is a true positive at the matching IoU threshold, else 0 (a false
positive). The detections are split into score bins; with ``n`` detections in all and ``n_b``
in bin ``b``,

    D-ECE = Σ_b (n_b / n) · | precision(b) − confidence(b) |

where precision(b) is the share of bin ``b``'s detections that are correct and confidence(b)
their mean score. 0 is perfect calibration (a score of 0.8 is right 80 % of the time); a run
whose scores sit near 1 while half its boxes are wrong has a D-ECE near 0.5. Equivalently
``D-ECE = (1/n) Σ_b |Σ_{i in b} (correct_i − score_i)|``, the form the bootstrap uses.

Bins: ``"equal_count"`` (default) sorts the detections by score (ties in file order) and cuts
them into ``n_bins`` runs of sizes differing by at most one (``numpy.array_split``), so every
bin holds the same support; ``"equal_width"`` cuts [0, 1] into ``n_bins`` intervals
``[k/B, (k+1)/B)`` (the last one closed). Empty bins count zero. The bin count is part of the
definition: results with different ``n_bins`` are not comparable.

Comparing two runs (:func:`compare_calibration`): ΔD-ECE = B − A with a paired percentile
bootstrap over images (the same image resample for both runs, detections keep the bin the full
data gave them), and the code of which run's scores are more trustworthy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pill_compare.analysis.arguments import check_number
from pill_compare.analysis.intervals import PairedComparison, lower_is_better_finding
from pill_compare.analysis.matching import IGNORED, TP, MatchTable
from pill_compare.parallel import run_parallel

#: The binning strategies :func:`compute_calibration` knows.
STRATEGIES = ("equal_count", "equal_width")
#: A class gets its own D-ECE when the run has at least this many counted detections of it.
MIN_CLASS_DETECTIONS = 30


@dataclass(frozen=True)
class ClassCalibration:
    """One category's D-ECE (its own detections, binned alone with the same rule)."""

    category_id: int
    n: int
    ece: float

    def to_dict(self) -> dict[str, Any]:
        return {"category_id": self.category_id, "n": self.n, "ece": self.ece}


@dataclass(frozen=True, eq=False)
class Calibration:
    """One run's D-ECE and its reliability diagram (see the module docstring).

    Attributes:
        name: The run's display name.
        iou_threshold: The matching IoU at which a detection is correct.
        strategy: ``"equal_count"`` or ``"equal_width"``.
        n_bins: Bins asked for (empty ones are left out of ``bins_*``).
        n: Detections counted.
        ece: D-ECE in [0, 1]; None without detections.
        overconfidence: Mean score − precision over all counted detections, in [-1, 1]:
            > 0 the run claims more than it delivers (over-confident), < 0 under-confident;
            None without detections.
        bin_low / bin_high: (B',) lowest and highest score in each non-empty bin.
        bin_count: (B',) detections per bin.
        bin_confidence: (B',) mean score per bin.
        bin_precision: (B',) share of correct detections per bin.
        per_class: D-ECE of every class with at least ``min_class_detections`` detections.
        image_index: (n,) index of each counted detection's image among the GT images.
        bin_index: (n,) the bin of each counted detection.
        gap: (n,) correct − score of each counted detection.
    """

    name: str
    iou_threshold: float
    strategy: str
    n_bins: int
    n: int
    ece: float | None
    overconfidence: float | None
    bin_low: np.ndarray
    bin_high: np.ndarray
    bin_count: np.ndarray
    bin_confidence: np.ndarray
    bin_precision: np.ndarray
    per_class: tuple[ClassCalibration, ...] = ()
    image_index: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    bin_index: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    gap: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``ece``, ``overconfidence``, ``n``, ``n_bins``, ``strategy``, ``iou_threshold``, ``bins``
        (``[{low, high, count, confidence, precision}]``) and ``per_class``."""
        return {
            "ece": self.ece,
            "overconfidence": self.overconfidence,
            "n": self.n,
            "n_bins": self.n_bins,
            "strategy": self.strategy,
            "iou_threshold": self.iou_threshold,
            "bins": [
                {
                    "low": float(lo),
                    "high": float(hi),
                    "count": int(c),
                    "confidence": float(s),
                    "precision": float(p),
                }
                for lo, hi, c, s, p in zip(
                    self.bin_low,
                    self.bin_high,
                    self.bin_count,
                    self.bin_confidence,
                    self.bin_precision,
                    strict=True,
                )
            ],
            "per_class": [c.to_dict() for c in self.per_class],
        }


def _bins(scores: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    """(n,) bin of each score (see the module docstring)."""
    if strategy == "equal_width":
        return np.minimum((scores * n_bins).astype(np.int64), n_bins - 1).clip(0)
    order = np.argsort(scores, kind="stable")
    out = np.empty(scores.size, dtype=np.int64)
    for k, rows in enumerate(np.array_split(order, n_bins)):
        out[rows] = k
    return out


def _ece(gap: np.ndarray, bins: np.ndarray, n_bins: int) -> float | None:
    if gap.size == 0:
        return None
    return float(np.abs(np.bincount(bins, weights=gap, minlength=n_bins)).sum() / gap.size)


def compute_calibration(
    table: MatchTable,
    *,
    n_bins: int = 10,
    iou_threshold: float = 0.5,
    strategy: str = "equal_count",
    min_class_detections: int = MIN_CLASS_DETECTIONS,
) -> Calibration:
    """One run's D-ECE and reliability diagram from its match table (no re-matching).

    Args:
        table: The run's match table; it must have been matched at ``iou_threshold`` and have
            the 'all' area range.
        n_bins: Number of score bins, >= 1.
        iou_threshold: A detection is correct when it is a TP at this IoU.
        strategy: ``"equal_count"`` (same number of detections per bin) or ``"equal_width"``.
        min_class_detections: A class with at least this many detections gets its own D-ECE.

    Returns:
        The :class:`Calibration`.

    Raises:
        ValueError: ``n_bins`` < 1, an unknown ``strategy``, or a threshold the table was not
            matched at.

    Example:
        >>> cal = compute_calibration(evaluate(gt, run).matches)  # doctest: +SKIP
        >>> cal.ece  # 0 = a score of s is right a share s of the time
    """
    n_bins = int(check_number(n_bins, "n_bins", low=1, integer=True))
    if strategy not in STRATEGIES:
        raise ValueError(f"Expected strategy to be one of {STRATEGIES}, got {strategy!r}")
    status = table.det_status[table.area_index("all"), table.threshold_index(iou_threshold)]
    rows = np.flatnonzero(status != IGNORED)
    scores = table.dets.score[rows].astype(np.float64)
    correct = (status[rows] == TP).astype(np.float64)
    bins = _bins(scores, n_bins, strategy)
    count = np.bincount(bins, minlength=n_bins)
    full = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(bins, weights=scores, minlength=n_bins) / count
        precision = np.bincount(bins, weights=correct, minlength=n_bins) / count
    low = np.full(n_bins, np.inf)
    high = np.full(n_bins, -np.inf)
    np.minimum.at(low, bins, scores)
    np.maximum.at(high, bins, scores)
    gap = correct - scores
    cats = table.dets.category_id[rows]
    per_class = []
    for c in np.unique(cats):
        mine = cats == c
        if mine.sum() >= min_class_detections:
            ece = _ece(gap[mine], _bins(scores[mine], n_bins, strategy), n_bins)
            per_class.append(ClassCalibration(int(c), int(mine.sum()), float(ece or 0.0)))
    image_ids = np.unique(table.gt.images.id)
    return Calibration(
        name=table.dets.name,
        iou_threshold=float(iou_threshold),
        strategy=strategy,
        n_bins=n_bins,
        n=int(rows.size),
        ece=_ece(gap, bins, n_bins),
        overconfidence=float(-gap.mean()) if gap.size else None,
        bin_low=low[full],
        bin_high=high[full],
        bin_count=count[full],
        bin_confidence=confidence[full],
        bin_precision=precision[full],
        per_class=tuple(per_class),
        image_index=np.searchsorted(image_ids, table.dets.image_id[rows]),
        bin_index=bins,
        gap=gap,
    )


@dataclass(frozen=True, eq=False)
class CalibrationComparison(PairedComparison[Calibration]):
    """A's and B's calibration side by side (see the module docstring).

    Attributes:
        a / b: Each run's :class:`Calibration` (same bins, same IoU threshold).
        delta: D-ECE of B − A (negative: B's scores are better calibrated); None when either
            is undefined.
        ci_low / ci_high: Percentile interval of ``delta`` at level 1 − ``alpha`` from the
            paired image bootstrap; None when not tested.
        n_resamples: Bootstrap resamples (0: not tested).
        finding: ``"a_better"`` / ``"b_better"`` (the interval excludes 0: that run's scores
            are more trustworthy), ``"no_difference"`` (it holds 0) or ``"not_tested"``.
    """


def compare_calibration(
    table_a: MatchTable,
    table_b: MatchTable,
    *,
    n_bins: int = 10,
    iou_threshold: float = 0.5,
    strategy: str = "equal_count",
    n_resamples: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> CalibrationComparison:
    """Both runs' D-ECE, ΔD-ECE = B − A and its paired bootstrap interval.

    The bootstrap draws the GT images with replacement (the same draw for both runs); each
    detection keeps the bin the full data gave it, so a resample's D-ECE is
    ``(1/n*) Σ_b |Σ (correct − score)|`` over the drawn images' detections: one matrix product
    per run, whatever the number of resamples.

    Args:
        table_a / table_b: The runs' match tables against the same ground truth.
        n_bins / iou_threshold / strategy: As for :func:`compute_calibration`.
        n_resamples: Bootstrap resamples; 0 skips the interval (``finding="not_tested"``).
        seed: The bootstrap's random seed.
        alpha: The interval is the (alpha/2, 1 − alpha/2) percentiles.

    Returns:
        The :class:`CalibrationComparison`.

    Raises:
        ValueError: as :func:`compute_calibration`; ``n_resamples`` < 0; ``alpha`` outside
            (0, 1].
    """
    n_resamples = int(check_number(n_resamples, "n_resamples", low=0, integer=True))
    alpha = float(check_number(alpha, "alpha", low=0.0, low_open=True, high=1.0))
    settings = {"n_bins": n_bins, "iou_threshold": iou_threshold, "strategy": strategy}
    # One thread per run (pill_compare/parallel.py); nothing shared is written.
    cal = run_parallel(
        lambda: compute_calibration(table_a, **settings),
        lambda: compute_calibration(table_b, **settings),
    )
    a, b = cal
    delta = None if a.ece is None or b.ece is None else b.ece - a.ece
    if delta is None or n_resamples == 0:
        return CalibrationComparison(a, b, delta, None, None, 0, alpha, "not_tested")
    # Imported here: significance imports scipy (~0.6 s), and `import pill_compare` loads this.
    from pill_compare.analysis.significance import resample_images

    n_images = np.unique(table_a.gt.images.id).size
    # How often each image is drawn in each resample: the mAP bootstrap's draws for this random seed.
    draws = resample_images(n_images, n_resamples, seed).astype(np.float64)
    eces = []
    for c in cal:
        # Per (image, bin): the sum of correct − score and the detections; a resample's sums
        # are the draw counts times these.
        cell = c.image_index * c.n_bins + c.bin_index
        size = n_images * c.n_bins
        gap = np.bincount(cell, weights=c.gap, minlength=size).reshape(n_images, c.n_bins)
        count = np.bincount(c.image_index, minlength=n_images).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            eces.append(np.abs(draws @ gap).sum(axis=1) / (draws @ count))
    interval = lower_is_better_finding(eces[1] - eces[0], alpha)
    if interval is None:
        return CalibrationComparison(a, b, delta, None, None, 0, alpha, "not_tested")
    low, high, finding = interval
    return CalibrationComparison(a, b, delta, low, high, n_resamples, alpha, finding)
