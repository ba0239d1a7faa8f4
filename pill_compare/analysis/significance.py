"""Is B better than A? A paired image bootstrap and McNemar's exact test, from two match tables.

Both tests compare two runs on one ground truth; neither re-matches anything.

Paired bootstrap over images (:func:`paired_bootstrap`):

* A resample draws ``n_images`` images of the ground truth with replacement (every GT image,
  with or without boxes), uniformly, with ``numpy.random.default_rng`` and the random seed: one
  ``integers(0, n_images, size=(n_resamples, n_images))`` draw, row b = resample b. The *same*
  resample is used for A and B (that is what makes it paired).
* An image drawn k times counts k times: its detections and GT boxes get weight k in
  :func:`~pill_compare.analysis.coco_metrics.accumulate_precision_recall`'s sense (exactly
  pycocotools on a dataset holding k copies of the image, see there). No re-matching: a copy of
  an image matches exactly as the image does.
* Metrics per resample, for each run: ``map`` (COCO AP over ``iou_thresholds``, area 'all', the
  largest ``max_dets`` cap), ``map_50`` (the same at IoU 0.50 only) and ``f1``: the micro F1 at
  the operating point (score >= s, IoU >= u, no cap): 2 TP / (2 TP + FP + FN) with weighted
  counts, exactly the operating point's definition. A resample that draws every image exactly
  once gives exactly ``evaluate(...)``'s ``coco.stats['map']``, ``coco.stats['map_50']`` and
  ``operating_point.micro.f1`` (tested bit for bit).
* ``delta`` = B − A on the full data. ``ci_low``, ``ci_high``: the percentile interval of the
  resampled deltas Δ*_b (``numpy.quantile``, linear interpolation) at ``confidence`` (95 %).
* ``p_value``, two-sided, for "no difference": p = min(1, 2 (1 + min(#{Δ* <= 0}, #{Δ* >= 0}))
  / (N + 1)) over the N resamples. Doubling the smaller tail is inverting the percentile
  interval (p < α about when the 1 − α interval excludes 0); the + 1 in both counts is the
  Monte-Carlo correction (Davison & Hinkley 1997, eq. 4.11; Phipson & Smyth 2010): the observed
  sample counts as one of the resamples, so p is never 0 (its floor is 2 / (N + 1), 0.002 for
  N = 1000) and the test is valid at any N. Deltas of exactly 0 count on both sides, so a run
  compared with itself gets p = 1.
* A resample where a metric is undefined for a run (no GT box drawn: map undefined; no
  detection and no GT: F1 undefined) is left out of that metric's interval and p-value
  (``resamples_used`` says how many were kept).

McNemar's exact test (:func:`mcnemar`): per non-crowd GT box, A is *correct* when a detection of
A with score >= s matched it at IoU >= u with the same category (the operating point's TP; the
match table's greedy COCO matching over area 'all'), likewise B. b = boxes only A got right, c =
boxes only B got right; p = ``scipy.stats.binomtest(b, b + c, 0.5).pvalue`` (exact, two-sided;
computed by :func:`binomtest_two_sided`, equal bit for bit), 1 when b + c = 0.

Holm's step-down correction (:func:`holm`) for a family of tests read together (the support
analysis' Spearman tests): sort the m p-values ascending, p_(1) <= ... <= p_(m); the adjusted
p_(i) = max over j <= i of min(1, (m − j + 1) p_(j)); each returned in its input position.
Rejecting where the adjusted p < α keeps the family-wise error rate at α (Holm 1979).

Verdict (:func:`significance_verdict`): ``b_better`` when the bootstrap p < α, delta > 0 and the
interval lies above 0; ``a_better`` symmetrically; otherwise ``not_significant`` (an undefined
metric included). Numbers and a code only: the sentence is made in the report layer.

Speed: everything per run is sorted once; a resample is a vector of image multiplicities and is
never re-matched. It gathers the weights, re-runs cumulative sums over the kept detections and
over each threshold's true positives, reads each entry's recall level from a table, and takes
the maximum precision per (list, level) with ``np.maximum.at`` (``_Prepared`` has the details).
Those sums are integers, so two resamples share each int64 word (32 bits each, while a bound
from the weights shows that every sum fits; else one per word): one gather and one cumulative
sum serve both. At COCO scale (450k detections per run) that is ~2.5-3.1 ms of CPU per resample
and run on the project's 2-core machine, against ~3.8-4.8 ms for the one-resample-per-row
version before it (``benchmarks/bench_bootstrap.py``, interleaved in one process), with the
same numbers bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import sparse

from pill_compare.analysis.arguments import (
    check_inputs,
    check_iou_threshold,
    check_max_dets,
    check_number,
    check_score_threshold,
)
from pill_compare.analysis.coco_metrics import (
    COCO_MAX_DETS,
    RECALL_THRESHOLDS,
    accumulated_status,
    recall_counts,
)
from pill_compare.analysis.matching import FP, IGNORED, TP, MatchTable, coco_iou_thresholds
from pill_compare.core import GroundTruth
from pill_compare.parallel import start_all

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: The bootstrap's metrics, in output order.
BOOTSTRAP_METRICS = ("map", "map_50", "f1")

#: Elements per (words, entries) working array of one batch of resamples (at least one int64
#: word, two resamples, per batch: one word at COCO scale, where an array is ~2.5 MB; many at
#: pill scale, where per-call costs would dominate). Batches of 2-8 resamples at COCO scale
#: measured no faster (memory traffic).
_BATCH_ELEMENTS = 250_000
#: Resamples x detections (both runs) from which A's and B's resamples run in child processes
#: (100 resamples at COCO scale, ~0.5 s of work); below it, in threads.
FORK_WORK = 50_000_000

#: Two resamples share each int64 word of the COCO part's sums (two 32-bit lanes) when every
#: such sum stays below this under every resample; otherwise one resample per word.
_LANE_LIMIT = 2**31

VerdictCode = Literal["a_better", "b_better", "not_significant"]


def _none_if_nan(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


@dataclass(frozen=True)
class BootstrapMetric:
    """One metric of the paired bootstrap (definitions in the module docstring).

    Attributes:
        metric: 'map', 'map_50' or 'f1'.
        a / b: The metric on the full data for A and B (None when undefined).
        delta: b − a on the full data.
        ci_low / ci_high: Percentile interval of the resampled deltas.
        p_value: Two-sided bootstrap p-value for "no difference".
        resamples_used: Resamples where the metric was defined for both runs.
    """

    metric: str
    a: float | None
    b: float | None
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    resamples_used: int

    def to_dict(self) -> dict[str, Any]:
        """``{a, b, delta, ci_low, ci_high, p_value, resamples_used}`` (the key is the metric)."""
        out = asdict(self)
        del out["metric"]
        return out


@dataclass(frozen=True)
class SignificanceVerdict:
    """Which run is better on one metric, as a code and the numbers behind it (no sentence).

    Attributes:
        code: 'a_better', 'b_better' or 'not_significant'.
        metric: The metric ('map', 'map_50' or 'f1').
        name_a / name_b: The runs' display names.
        delta: B − A on the full data (None when undefined).
        ci_low / ci_high: The percentile interval of the resampled deltas.
        confidence: The interval's level (0.95).
        p_value: The bootstrap p-value.
        alpha: The significance level the code was decided at.
        n_images: Images resampled.
        n_resamples: Resamples drawn.
    """

    code: VerdictCode
    metric: str
    name_a: str
    name_b: str
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    p_value: float | None
    alpha: float
    n_images: int
    n_resamples: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """The paired image bootstrap of A vs B (every definition is in the module docstring).

    Attributes:
        name_a / name_b: The runs' display names.
        n_images: Images of the ground truth (each resample draws this many).
        n_resamples: Resamples drawn.
        seed: The random seed given to ``numpy.random.default_rng``.
        confidence: Level of the percentile intervals.
        score_threshold / iou_threshold: The operating point of ``f1``.
        iou_thresholds: (T,) thresholds ``map`` averages over.
        max_det: The ``maxDets`` cap of ``map`` and ``map_50``.
        metrics: 'map', 'map_50', 'f1' → :class:`BootstrapMetric`.
        replicates_a / replicates_b: metric → (n_resamples,) float64 per-resample values,
            NaN where undefined.
    """

    name_a: str
    name_b: str
    n_images: int
    n_resamples: int
    seed: int
    confidence: float
    score_threshold: float
    iou_threshold: float
    iou_thresholds: np.ndarray
    max_det: int
    metrics: dict[str, BootstrapMetric]
    replicates_a: dict[str, np.ndarray]
    replicates_b: dict[str, np.ndarray]

    def __repr__(self) -> str:
        m = self.metrics["map"]
        shown = "n/a" if m.delta is None else f"{m.delta:+.4f}"
        p = "n/a" if m.p_value is None else f"{m.p_value:.3g}"
        return (
            f"BootstrapResult({self.name_a!r} vs {self.name_b!r}, delta_map={shown}, p={p}, "
            f"n_images={self.n_images}, n_resamples={self.n_resamples}, seed={self.seed})"
        )

    def __getitem__(self, metric: str) -> BootstrapMetric:
        return self.metrics[metric]

    def deltas(self, metric: str) -> np.ndarray:
        """(n_resamples,) resampled deltas B − A of ``metric`` (NaN where undefined)."""
        return self.replicates_b[metric] - self.replicates_a[metric]

    def verdict(self, metric: str = "map", *, alpha: float = 0.05) -> SignificanceVerdict:
        """:func:`significance_verdict` of this result."""
        return significance_verdict(self, metric, alpha=alpha)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per metric (``map``, ``map_50``, ``f1``) ``{delta, ci_low, ci_high,
        p_value, a, b, resamples_used}``, then ``n_images``, ``n_resamples``, the random seed
        and the rest of the parameters, each under its parameter's name."""
        out: dict[str, Any] = {k: v.to_dict() for k, v in self.metrics.items()}
        out.update(
            name_a=self.name_a,
            name_b=self.name_b,
            n_images=self.n_images,
            n_resamples=self.n_resamples,
            seed=self.seed,
            confidence=self.confidence,
            score_threshold=self.score_threshold,
            iou_threshold=self.iou_threshold,
            iou_thresholds=self.iou_thresholds.tolist(),
            max_det=self.max_det,
        )
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: ``metric, a, b, delta, ci_low, ci_high, p_value,
        resamples_used``."""
        import pandas as pd

        return pd.DataFrame([{"metric": k, **v.to_dict()} for k, v in self.metrics.items()])


@dataclass(frozen=True, eq=False)
class McNemarResult:
    """McNemar's exact test on per-GT-box outcomes at the operating point (module docstring).

    Attributes:
        name_a / name_b: The runs' display names.
        score_threshold / iou_threshold: The operating point.
        gt_objects: Non-crowd GT boxes compared.
        a_only_correct: b, boxes A got right and B did not.
        b_only_correct: c, boxes B got right and A did not.
        both / neither: Boxes both, or neither, got right.
        p_value: Exact two-sided binomial p of b among b + c at 1/2 (1 when b + c = 0).
        a_correct / b_correct: (G,) bool per GT row (False for crowd regions).
        counted: (G,) bool, the non-crowd GT rows.
    """

    name_a: str
    name_b: str
    score_threshold: float
    iou_threshold: float
    gt_objects: int
    a_only_correct: int
    b_only_correct: int
    both: int
    neither: int
    p_value: float
    a_correct: np.ndarray
    b_correct: np.ndarray
    counted: np.ndarray

    def __repr__(self) -> str:
        return (
            f"McNemarResult({self.name_a!r} vs {self.name_b!r}, "
            f"a_only_correct={self.a_only_correct}, b_only_correct={self.b_only_correct}, "
            f"p={self.p_value:.3g}, gt_objects={self.gt_objects})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name_a": self.name_a,
            "name_b": self.name_b,
            "score_threshold": self.score_threshold,
            "iou_threshold": self.iou_threshold,
            "gt_objects": self.gt_objects,
            "a_only_correct": self.a_only_correct,
            "b_only_correct": self.b_only_correct,
            "both": self.both,
            "neither": self.neither,
            "p_value": self.p_value,
        }


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (module docstring), None entries left out of the family.

    Args:
        p_values: The family's p-values in [0, 1]; None for a test that could not be run (it
            stays None and does not count in m).

    Returns:
        The adjusted p-values, in input order.

    Raises:
        ValueError: a p-value outside [0, 1] or NaN.

    Example:
        >>> holm([0.01, 0.04, 0.03, 0.005])  # m = 4: 4 × 0.005, 3 × 0.01, max(2 × 0.03, 0.04)
        [0.03, 0.06, 0.06, 0.02]
    """
    rows = [i for i, p in enumerate(p_values) if p is not None]
    values = np.array([float(p_values[i]) for i in rows], dtype=np.float64)  # type: ignore[arg-type]
    if values.size and not ((values >= 0.0) & (values <= 1.0)).all():
        raise ValueError(f"Expected p-values in [0, 1], got {values.tolist()}")
    out: list[float | None] = [None] * len(p_values)
    order = np.argsort(values, kind="stable")
    m = values.size
    scaled = np.minimum(1.0, (m - np.arange(m)) * values[order])
    adjusted = np.maximum.accumulate(scaled) if m else scaled
    for rank, k in enumerate(order):
        out[rows[k]] = float(adjusted[rank])
    return out


def resample_images(n_images: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each image is drawn in each bootstrap resample.

    Args:
        n_images: Images to draw from (and draws per resample).
        n_resamples: Resamples.
        seed: Random seed given to ``numpy.random.default_rng``.

    Returns:
        (n_resamples, n_images) int32 counts; each row sums to ``n_images``. Row b is the
        histogram of row b of ``integers(0, n_images, (n_resamples, n_images))`` drawn by
        ``numpy.random.default_rng`` with that random seed.
    """
    n_images = int(check_number(n_images, "n_images", low=1, integer=True))
    n_resamples = int(check_number(n_resamples, "n_resamples", low=1, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))
    draws = np.random.default_rng(seed).integers(0, n_images, size=(n_resamples, n_images))
    flat = draws + (np.arange(n_resamples, dtype=np.int64) * n_images)[:, None]
    counts = np.bincount(flat.ravel(), minlength=n_resamples * n_images)
    return counts.reshape(n_resamples, n_images).astype(np.int32)


def replicate_metrics(
    table: MatchTable,
    image_weights: np.ndarray,
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
) -> dict[str, np.ndarray]:
    """``map``, ``map_50`` and ``f1`` of one run under each row of image weights.

    Args:
        table: The run's match table.
        image_weights: (B, I) integers >= 0, column i = ``table.gt.images.id[i]`` (e.g. from
            :func:`resample_images`); a row of ones is the full data.
        iou_thresholds: (T,) thresholds of ``map``; default pycocotools' 0.50:0.95.
        max_dets: ``maxDets`` caps; the largest applies.
        score_threshold / iou_threshold: The operating point of ``f1``.

    Returns:
        'map', 'map_50', 'f1' → (B,) float64, NaN where undefined (``map_50`` is NaN throughout
        when 0.50 is not among ``iou_thresholds``).

    Raises:
        ValueError: weights of the wrong shape or negative, a threshold the table was not
            matched at, or detections on images the ground truth lacks.
    """
    check_inputs("replicate_metrics", table=(table, MatchTable))
    prepared = _Prepared(table, iou_thresholds, max_dets, score_threshold, iou_threshold)
    weights = np.asarray(image_weights)
    if weights.ndim != 2 or weights.shape[1] != prepared.n_images:
        raise ValueError(
            f"Expected image_weights of shape (B, {prepared.n_images}), got {weights.shape}"
        )
    if weights.size and not np.issubdtype(weights.dtype, np.integer):
        raise ValueError(f"Expected image_weights to hold integers, got dtype {weights.dtype}")
    if weights.size and weights.min() < 0:
        raise ValueError(f"Expected image_weights >= 0, got {int(weights.min())}")
    return prepared.metrics(weights.astype(np.int64))


def paired_bootstrap(
    table_a: MatchTable,
    table_b: MatchTable,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    confidence: float = 0.95,
) -> BootstrapResult:
    """Paired bootstrap over images of ΔmAP, ΔAP50 and ΔF1 (B − A), without re-matching.

    Args:
        table_a / table_b: Match tables of A and B against one ground truth (e.g.
            ``evaluate(...).matches``).
        n_resamples: Resamples, >= 1.
        seed: Random seed given to ``numpy.random.default_rng`` (the same value, the same
            numbers).
        score_threshold / iou_threshold: The operating point of ``f1``.
        iou_thresholds: Thresholds of ``map``; default pycocotools' 0.50:0.95. Pass
            ``evaluate(...).coco.iou_thresholds`` to match an evaluation run with other ones.
        max_dets: ``maxDets`` caps; the largest applies to ``map`` and ``map_50``.
        confidence: Level of the percentile intervals, in (0, 1).

    Returns:
        The :class:`BootstrapResult`.

    Raises:
        TypeError: a table is not a MatchTable.
        ValueError: the tables have different ground truths, a threshold a table was not
            matched at, or an argument out of range.

    Example:
        >>> a, b = evaluate(gt, dets_a), evaluate(gt, dets_b)  # doctest: +SKIP
        >>> boot = paired_bootstrap(a.matches, b.matches, seed=0)  # doctest: +SKIP
        >>> boot["map"].delta, boot["map"].ci_low, boot["map"].p_value  # doctest: +SKIP
    """
    return start_paired_bootstrap(
        table_a,
        table_b,
        n_resamples=n_resamples,
        seed=seed,
        score_threshold=score_threshold,
        iou_threshold=iou_threshold,
        iou_thresholds=iou_thresholds,
        max_dets=max_dets,
        confidence=confidence,
    ).result()


def start_paired_bootstrap(
    table_a: MatchTable,
    table_b: MatchTable,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    confidence: float = 0.95,
) -> PendingBootstrap:
    """Start :func:`paired_bootstrap` and return at once: A's and B's resamples run side by
    side, each in a child process of its own where the platform allows
    (:func:`~pill_compare.parallel.start_all`; else in threads, before this returns),
    so that the caller can do other work meanwhile.

    Args:
        As for :func:`paired_bootstrap` (checked here, before anything starts).

    Returns:
        A :class:`PendingBootstrap`; its ``result()`` waits for both runs and returns the
        :class:`BootstrapResult`, the same as :func:`paired_bootstrap`'s.

    Raises:
        As :func:`paired_bootstrap`.
    """
    check_inputs("paired_bootstrap", table_a=(table_a, MatchTable), table_b=(table_b, MatchTable))
    _check_same_ground_truth(table_a, table_b)
    n_resamples = int(check_number(n_resamples, "n_resamples", low=1, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))
    confidence = check_number(confidence, "confidence", low=0.0, low_open=True, high=1.0)
    if confidence == 1.0:
        raise ValueError(f"Expected confidence to be a number > 0 and < 1, got {confidence!r}")
    args = (iou_thresholds, max_dets, score_threshold, iou_threshold)
    n_images = len(table_a.gt.images)
    weights = resample_images(n_images, n_resamples, seed)
    ones = np.ones((1, n_images), dtype=np.int64)

    def run(
        table: MatchTable,
    ) -> tuple[tuple[Any, ...], dict[str, np.ndarray], dict[str, np.ndarray]]:
        prepared = _Prepared(table, *args)
        settings = (
            prepared.n_images,
            prepared.score_threshold,
            prepared.iou_threshold,
            prepared.thresholds,
            prepared.cap,
        )
        return settings, prepared.metrics(ones), prepared.metrics(weights)

    # A and B share only the (read-only) weights: a process (or thread) each; processes only
    # for work that takes seconds (a child costs 0.1-0.3 s).
    work = n_resamples * (table_a.n_dets + table_b.n_dets)
    jobs = start_all(lambda: run(table_a), lambda: run(table_b), fork=work >= FORK_WORK)

    def finish() -> BootstrapResult:
        (settings, full_a, rep_a), (_, full_b, rep_b) = (job.result() for job in jobs)
        return _bootstrap_result(
            table_a, table_b, n_resamples, seed, confidence, settings, full_a, full_b, rep_a, rep_b
        )

    return PendingBootstrap(finish, jobs)


class PendingBootstrap:
    """A paired bootstrap started by :func:`start_paired_bootstrap`: :meth:`result` waits for
    it; :meth:`cancel` (or leaving a ``with`` block) stops what still runs."""

    def __init__(self, finish: Callable[[], BootstrapResult], jobs: Sequence[Any]) -> None:
        self._finish = finish
        self._jobs = jobs

    def result(self) -> BootstrapResult:
        """Wait for both runs' resamples; the :class:`BootstrapResult`."""
        return self._finish()

    def cancel(self) -> None:
        """Stop the child processes still running (none after :meth:`result`)."""
        for job in self._jobs:
            job.cancel()

    def __enter__(self) -> PendingBootstrap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


def _bootstrap_result(
    table_a: MatchTable,
    table_b: MatchTable,
    n_resamples: int,
    seed: int,
    confidence: float,
    settings: tuple[Any, ...],
    full_a: dict[str, np.ndarray],
    full_b: dict[str, np.ndarray],
    rep_a: dict[str, np.ndarray],
    rep_b: dict[str, np.ndarray],
) -> BootstrapResult:
    """The deltas, percentile intervals and p-values of both runs' replicates."""
    n_images, score_threshold, iou_threshold, thresholds, cap = settings
    tail = (1.0 - confidence) / 2.0
    metrics = {}
    for key in BOOTSTRAP_METRICS:
        delta = full_b[key][0] - full_a[key][0]
        d = rep_b[key] - rep_a[key]
        d = d[np.isfinite(d)]
        if d.size and np.isfinite(delta):
            low, high = np.quantile(d, [tail, 1.0 - tail])
            smaller = min(int((d <= 0).sum()), int((d >= 0).sum()))
            p = min(1.0, 2.0 * (1 + smaller) / (d.size + 1))
        else:
            low = high = p = np.nan
        metrics[key] = BootstrapMetric(
            metric=key,
            a=_none_if_nan(full_a[key][0]),
            b=_none_if_nan(full_b[key][0]),
            delta=_none_if_nan(delta),
            ci_low=_none_if_nan(low),
            ci_high=_none_if_nan(high),
            p_value=_none_if_nan(p),
            resamples_used=int(d.size),
        )
    return BootstrapResult(
        name_a=table_a.dets.name,
        name_b=table_b.dets.name,
        n_images=n_images,
        n_resamples=n_resamples,
        seed=seed,
        confidence=float(confidence),
        score_threshold=score_threshold,
        iou_threshold=iou_threshold,
        iou_thresholds=thresholds,
        max_det=cap,
        metrics=metrics,
        replicates_a=rep_a,
        replicates_b=rep_b,
    )


def significance_verdict(
    result: BootstrapResult, metric: str = "map", *, alpha: float = 0.05
) -> SignificanceVerdict:
    """Which run is better on ``metric``: a code and the numbers (rule in the module docstring).

    Args:
        result: From :func:`paired_bootstrap`.
        metric: 'map', 'map_50' or 'f1'.
        alpha: Significance level in (0, 1).

    Returns:
        The :class:`SignificanceVerdict`.

    Raises:
        ValueError: an unknown metric or alpha out of range.
    """
    check_inputs("significance_verdict", result=(result, BootstrapResult))
    if metric not in result.metrics:
        raise ValueError(f"Expected metric among {list(result.metrics)}, got {metric!r}")
    alpha = check_number(alpha, "alpha", low=0.0, low_open=True, high=1.0)
    m = result.metrics[metric]
    code: VerdictCode = "not_significant"
    if None not in (m.delta, m.ci_low, m.ci_high, m.p_value) and m.p_value < alpha:
        if m.delta > 0 and m.ci_low > 0:
            code = "b_better"
        elif m.delta < 0 and m.ci_high < 0:
            code = "a_better"
    return SignificanceVerdict(
        code=code,
        metric=metric,
        name_a=result.name_a,
        name_b=result.name_b,
        delta=m.delta,
        ci_low=m.ci_low,
        ci_high=m.ci_high,
        confidence=result.confidence,
        p_value=m.p_value,
        alpha=float(alpha),
        n_images=result.n_images,
        n_resamples=result.n_resamples,
    )


def mcnemar(
    table_a: MatchTable,
    table_b: MatchTable,
    *,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
) -> McNemarResult:
    """McNemar's exact test: per non-crowd GT box, found with the right class by A vs by B.

    Args:
        table_a / table_b: Match tables of A and B against one ground truth.
        score_threshold: s; only detections with score >= s count.
        iou_threshold: u; both tables must have been matched at it.

    Returns:
        The :class:`McNemarResult`.

    Raises:
        TypeError: a table is not a MatchTable.
        ValueError: the tables have different ground truths, or u is not a matched threshold.

    Example:
        A finds 8 boxes B misses and B finds 2 that A misses: p = binomtest(8, 10, 0.5) =
        2 (1 + 10 + 45) / 1024 = 0.109, not significant at 5 %.
    """
    check_inputs("mcnemar", table_a=(table_a, MatchTable), table_b=(table_b, MatchTable))
    _check_same_ground_truth(table_a, table_b)
    s = check_score_threshold(score_threshold)
    u = check_iou_threshold(iou_threshold)
    counted, a_ok = _found_at_operating_point(table_a, s, u)
    _, b_ok = _found_at_operating_point(table_b, s, u)
    b = int((a_ok & ~b_ok).sum())
    c = int((~a_ok & b_ok).sum())
    p = binomtest_two_sided(b, b + c) if b + c else 1.0
    return McNemarResult(
        name_a=table_a.dets.name,
        name_b=table_b.dets.name,
        score_threshold=float(s),
        iou_threshold=float(u),
        gt_objects=int(counted.sum()),
        a_only_correct=b,
        b_only_correct=c,
        both=int((a_ok & b_ok).sum()),
        neither=int((counted & ~a_ok & ~b_ok).sum()),
        p_value=min(1.0, p),
        a_correct=a_ok,
        b_correct=b_ok,
        counted=counted,
    )


def binomtest_two_sided(k: int, n: int) -> float:
    """``scipy.stats.binomtest(k, n, 0.5).pvalue`` (two-sided), bit for bit, without importing
    scipy.stats.

    The same steps as scipy's ``binomtest`` (the binomial probabilities of every outcome as
    likely as ``k`` or less, on both sides, found by its binary search with its relative
    tolerance 1e-7), on the same functions ``scipy.stats.binom`` calls for its pmf, cdf and sf
    (``scipy.special``'s ``_binom_pmf``, ``_binom_cdf``, ``_binom_sf``, clipped to [0, 1], with
    its values outside the support). Importing scipy.stats took 0.85-0.98 s of ``compare``'s
    CPU, scipy.special 0.23-0.31 s. Where scipy.special lacks those functions, scipy.stats
    computes it. ``tests/analysis/test_significance.py`` holds it equal to scipy.stats.

    Args:
        k: Successes, 0 <= k <= n.
        n: Trials, >= 1.
    """
    import scipy.special._ufuncs as scu

    pmf_ = getattr(scu, "_binom_pmf", None)
    cdf_ = getattr(scu, "_binom_cdf", None)
    sf_ = getattr(scu, "_binom_sf", None)
    if pmf_ is None or cdf_ is None or sf_ is None:  # another scipy: its own test
        from scipy import stats

        return float(stats.binomtest(k, n, 0.5).pvalue)

    def pmf(x: float) -> float:
        return float(np.clip(pmf_(x, n, 0.5), 0, 1)) if 0 <= x <= n and x == np.floor(x) else 0.0

    def cdf(x: float) -> float:
        if x >= n:
            return 1.0
        return float(np.clip(cdf_(np.floor(x), n, 0.5), 0, 1)) if x >= 0 else 0.0

    def sf(x: float) -> float:
        if x < 0:
            return 1.0
        return float(np.clip(sf_(np.floor(x), n, 0.5), 0, 1)) if x < n else 0.0

    def search(a: Callable[[float], float], d: float, lo: float, hi: float) -> float:
        """scipy's _binary_search_for_binom_tst: i in [lo, hi] with a(i) <= d < a(i + 1)."""
        while lo < hi:
            mid = lo + (hi - lo) // 2
            value = a(mid)
            if value < d:
                lo = mid + 1
            elif value > d:
                hi = mid - 1
            else:
                return mid
        return lo if a(lo) <= d else lo - 1

    d = pmf(k)
    rerr = 1 + 1e-7
    if k == 0.5 * n:
        return 1.0
    if k < 0.5 * n:
        ix = search(lambda x: -pmf(x), -d * rerr, float(np.ceil(0.5 * n)), n)
        y = n - ix + int(d * rerr == pmf(ix))
        p = cdf(k) + sf(n - y)
    else:
        ix = search(pmf, d * rerr, 0, float(np.floor(0.5 * n)))
        p = cdf(ix) + sf(k - 1)
    return min(1.0, p)


def _found_at_operating_point(
    table: MatchTable, score_threshold: float, iou_threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """(G,) counted GT rows and (G,) which of them a detection with score >= s found at u."""
    a = table.area_index("all")
    t = table.threshold_index(iou_threshold)
    status = table.gt_status[a, t]
    counted = status != IGNORED
    det = table.gt_det[a, t]
    score = table.dets.score[np.maximum(det, 0)] if table.n_dets else np.zeros(det.shape)
    found = (status == TP) & (det >= 0) & (score >= score_threshold)
    return counted, found


def _check_same_ground_truth(table_a: MatchTable, table_b: MatchTable) -> None:
    if table_a.gt is table_b.gt:
        return
    ga, gb = table_a.gt, table_b.gt
    same = np.array_equal(ga.images.id, gb.images.id) and all(
        np.array_equal(getattr(ga.annotations, f), getattr(gb.annotations, f))
        for f in ("id", "image_id", "category_id", "bbox", "iscrowd", "area")
    )
    if not same:
        raise ValueError(
            "Expected table_a and table_b matched against one ground truth (same images and "
            f"annotations), got {ga!r} and {gb!r}"
        )


class _Prepared:
    """One run's match table, sorted once for fast re-weighted ``map``, ``map_50`` and ``f1``.

    COCO part (area 'all', the largest cap). The kept detections are put in accumulation order
    (category, descending score, image id, file order); the *list* (t, k) holds the true
    positives of category k at threshold t in that order (the id-0 quirk applied, as
    pycocotools accumulates). Under image weights w (one resample), at a TP entry e of (t, k):

    * tp_e: the weighted TPs of the list up to e (a cumulative sum of w[image] over all TP
      entries, minus its value before the list);
    * den_e = tp_e + fp_e: the weighted kept detections of k up to e that t does not ignore (a
      cumulative sum of w[image] over the kept detections, minus its value before k, minus the
      weighted ignored detections of the list before e);
    * precision p_e = tp_e / (den_e + eps), pycocotools' expression;
    * level ρ_e = #{r : n_r <= tp_e}, the recall points reached, with n_r the fewest TPs that
      reach recall point r under the weighted GT count of k (:func:`recall_counts`), read from
      a table per (resample, category);
    * interpolated precision at r = the maximum of p_e over the entries with ρ_e > r (those
      from the first entry reaching r on, pycocotools' definition): the maximum per (list,
      level) (``np.maximum.at``), then a running maximum from level 101 down. Recall points no
      entry reaches stay 0, pycocotools' value.

    Of each run of TP entries that no FP interrupts only the last entry is kept: along such a
    run tp and den rise by the same amount, so the last entry has the highest precision and the
    highest level and alone decides every maximum above (an identity, not an approximation).

    Two resamples per word. tp, den and every sum behind them are sums of integer weights, so
    two resamples i, i + 1 share each int64 word: w_i + w_(i+1) * 2**32 per image. One gather
    and one cumulative sum then serve both, and the int32 halves of a result are the two
    resamples' numbers, exactly, as long as each of them lies in [0, 2**31): words are added
    modulo 2**64, and a word on the way (such as a list's first weight less the previous
    list's sum) may borrow across its halves, but every final one has both halves in range.
    Every such number sums weights over some of the kept detections, TP entries and ignored
    entries, so it is at most ``weights @ load``; :meth:`_lanes` checks that bound (below
    ``_LANE_LIMIT``) once per call and otherwise puts one resample in each word (plain int64).
    Both arithmetics give the same numbers.

    Working arrays are (words, entries), written into buffers allocated once per call of
    :meth:`metrics` (fresh multi-megabyte temporaries cost more than the arithmetic); a batch
    of one word, as at COCO scale, works on 1-D arrays. The precision and level steps read both
    halves of every word at once (entry e's at 2 e and 2 e + 1).
    """

    def __init__(
        self,
        table: MatchTable,
        iou_thresholds: Sequence[float] | np.ndarray | None,
        max_dets: Sequence[int],
        score_threshold: float,
        iou_threshold: float,
    ) -> None:
        thresholds = coco_iou_thresholds() if iou_thresholds is None else iou_thresholds
        self.thresholds = np.asarray(thresholds, dtype=np.float64).reshape(-1)
        t_index = [table.threshold_index(float(t)) for t in self.thresholds]
        self.cap = check_max_dets(max_dets)[-1]
        self.score_threshold = check_score_threshold(score_threshold)
        self.iou_threshold = check_iou_threshold(iou_threshold)
        t_op = table.threshold_index(self.iou_threshold)
        a = table.area_index("all")
        gt, dets, ann = table.gt, table.dets, table.gt.annotations
        self.n_images = n_img = len(gt.images)
        det_img = _image_index(gt, dets.image_id, "detections")
        gt_img = _image_index(gt, ann.image_id, "GT boxes")
        _, det_k, gt_k = table.category_index()

        # GT counted under area 'all' (crowd regions are not); categories with such GT are
        # the only ones with defined AP, kept in ascending order (the columns' order in
        # pycocotools' arrays, so the mean over them is bit-identical).
        counted = table.gt_status[a, t_index[0] if t_index else t_op] != IGNORED
        self.cats, gt_col = np.unique(gt_k[counted], return_inverse=True)
        self.n_t, self.n_k = len(t_index), self.cats.size
        n_k = self.n_k
        self.n_lists = n_lists = self.n_t * n_k
        self.gt_matrix = sparse.csr_matrix(  # (K, I) counted GT per category and image
            (np.ones(gt_col.size, np.int64), (gt_col.reshape(-1), gt_img[counted])),
            shape=(n_k, n_img),
        )

        # Kept detections of those categories, in accumulation order.
        col = np.searchsorted(self.cats, det_k)
        keep = (table.det_rank < self.cap) & (col < n_k)
        keep[keep] = self.cats[col[keep]] == det_k[keep]
        rows = np.flatnonzero(keep)
        order = rows[np.lexsort((rows, dets.image_id[rows], -dets.score[rows], col[rows]))]
        img_sorted = det_img[order]
        k_sorted = col[order]
        cat_start = np.searchsorted(k_sorted, np.arange(n_k), side="left")
        det_out = np.zeros(order.size, dtype=bool)  # area 'all' holds every box

        # Per threshold: the TP entries (list t * K + k, ascending over all thresholds), which
        # of them end a run no FP interrupts, the ignored detections and, per entry, how many
        # of its list's come before it.
        pos_t, list_t, end_t, ign_t, ign_list_t, before_t = [], [], [], [], [], []
        for t, ti in enumerate(t_index):
            status, _ = accumulated_status(
                table.det_status[a, ti, order], table.det_gt_at(a, ti)[order], ann.id, det_out
            )
            pos = np.flatnonzero(status == TP)
            lst = t * n_k + k_sorted[pos]
            fp_seen = np.cumsum(status == FP)[pos]
            end = np.ones(pos.size, dtype=bool)
            end[:-1] = (lst[1:] != lst[:-1]) | (fp_seen[1:] != fp_seen[:-1])
            ign = np.flatnonzero(status == IGNORED)
            pos_t.append(pos)
            list_t.append(lst)
            end_t.append(end)
            ign_t.append(img_sorted[ign])
            ign_list_t.append(t * n_k + k_sorted[ign])
            before_t.append(
                np.searchsorted(ign, pos) - np.searchsorted(ign, cat_start[k_sorted[pos]])
            )
        pos, lst, before = _concat(pos_t), _concat(list_t), _concat(before_t)
        run_end = np.flatnonzero(np.concatenate(end_t)) if pos.size else pos
        self.tp_img = img_sorted[pos]  # (P,) every TP entry's image
        # Each non-empty list's first TP entry.
        self.list_start = np.flatnonzero(np.r_[True, lst[1:] != lst[:-1]]) if lst.size else lst
        self.run_end = run_end + 1  # (E,) the kept entries, as columns of the TP cumsum
        self.entry_list = lst[run_end]  # (E,)
        self.entry_k = self.entry_list % max(n_k, 1)

        # Kept detections up to their category's last kept entry (the later ones never count):
        # their cumulative sum gives den; each entry's column in it, and each list's base.
        end_pos = pos[run_end]
        last = np.full(n_k, -1, dtype=np.int64)
        np.maximum.at(last, k_sorted[end_pos], end_pos)
        needed = np.flatnonzero(np.arange(order.size) <= last[k_sorted])
        self.det_img = img_sorted[needed]
        self.entry_det = np.searchsorted(needed, end_pos) + 1  # (E,) columns of the cumsum
        cat_det = np.searchsorted(needed, cat_start)  # (K,) each category's base column

        # Ignored detections: list L owns slots slot0[L] .. slot0[L] + its count; slot
        # slot0[L] + m holds, once summed, the weight of the list's first m ignored detections.
        ign_img, ign_list = _concat(ign_t), _concat(ign_list_t)
        n_ign = np.bincount(ign_list, minlength=n_lists)
        ign_start = np.r_[0, np.cumsum(n_ign)[:-1]] if n_lists else n_ign
        slot0 = np.arange(n_lists) + ign_start
        self.ign_img = ign_img
        self.ign_slot = slot0[ign_list] + np.arange(ign_list.size) - ign_start[ign_list] + 1
        self.slot_base = np.repeat(slot0, n_ign + 1)
        self.entry_slot = (slot0[lst] + before)[run_end]
        # Each slot's category base column of the detections' cumsum.
        self.slot_det = np.repeat(cat_det[np.arange(n_lists) % max(n_k, 1)], n_ign + 1)
        # Per image, the kept detections, TP entries and ignored entries on it: every sum of
        # weights the COCO part forms is at most weights @ load.
        self.load = sum(
            np.bincount(x, minlength=n_img) for x in (self.det_img, self.tp_img, ign_img)
        )
        # Each threshold's entries: t_bounds[t] .. t_bounds[t + 1] (lists t * K + k).
        self.t_bounds = np.searchsorted(self.entry_list, np.arange(self.n_t + 1) * max(n_k, 1))
        t50 = np.flatnonzero(self.thresholds == 0.5)
        self.t50 = int(t50[0]) if t50.size else None

        # Operating point: per-image TP, FP and counted-GT counts (no cap, no id-0 quirk).
        det_status = table.det_status[a, t_op]
        above = dets.score >= self.score_threshold
        self.op_tp = np.bincount(det_img[above & (det_status == TP)], minlength=n_img)
        self.op_fp = np.bincount(det_img[above & (det_status == FP)], minlength=n_img)
        op_counted = table.gt_status[a, t_op] != IGNORED
        self.op_gt = np.bincount(gt_img[op_counted], minlength=n_img)

    def metrics(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """(B,) ``map``, ``map_50``, ``f1`` under (B, I) image weights (NaN = undefined)."""
        n_b = weights.shape[0]
        out = {"map": np.full(n_b, np.nan), "map_50": np.full(n_b, np.nan)}
        # Weighted counted GT per (resample, category), and the recall counts of each value.
        n_gt = np.ascontiguousarray(np.asarray(self.gt_matrix @ weights.T).T)  # (B, K)
        step = max(n_b, 1)
        if self.run_end.size:
            values, which = np.unique(n_gt, return_inverse=True)
            counts = recall_counts(np.maximum(values, 1))  # (U, R); rows of n_gt 0 unused
            which = which.reshape(n_gt.shape)
            lanes = self._lanes(weights)
            per_word = max(self.tp_img.size, self.det_img.size, self.n_lists * 102)
            words = max(1, min(-(-n_b // lanes), _BATCH_ELEMENTS // per_word))
            space = _Workspace(self, lanes, words, n_gt)
            step = words * lanes
        for lo in range(0, n_b, step):
            hi = min(n_b, lo + step)
            if self.run_end.size:
                ap = self._precision(weights[lo:hi], n_gt[lo:hi], counts[which[lo:hi]], space)
            else:  # no TP anywhere: 0 wherever defined
                ap = np.zeros((hi - lo, self.n_t, RECALL_THRESHOLDS.size, self.n_k))
            b_none, k_none = np.nonzero(n_gt[lo:hi] == 0)
            ap[b_none, :, :, k_none] = -1.0
            full = (n_gt[lo:hi] > 0).all(axis=1)  # the rows without a -1
            _mean_defined(ap, full, out["map"][lo:hi])
            if self.t50 is not None:
                _mean_defined(ap[:, self.t50 : self.t50 + 1], full, out["map_50"][lo:hi])
        tp = weights @ self.op_tp
        fp = weights @ self.op_fp
        fn = weights @ self.op_gt - tp
        den = 2 * tp + fp + fn
        with np.errstate(invalid="ignore", divide="ignore"):
            out["f1"] = np.where(den > 0, (2 * tp) / np.where(den > 0, den, 1), np.nan)
        return {k: out[k] for k in BOOTSTRAP_METRICS}

    def _lanes(self, weights: np.ndarray) -> int:
        """Resamples per int64 word: 2 when every sum the COCO part forms stays below
        ``_LANE_LIMIT`` under every row of ``weights`` (B, I), else 1 (plain int64)."""
        if weights.shape[0] < 2 or not weights.size:
            return 1
        # Every sum is over some of the kept detections, TP entries and ignored entries, so
        # at most w @ load: first a bound without the product, then the product itself.
        most = int(weights.max()) * int(self.load.sum())
        if most >= _LANE_LIMIT:
            most = float((weights @ self.load.astype(np.float64)).max())
        return 2 if most < _LANE_LIMIT else 1

    def _precision(
        self, w: np.ndarray, n_gt: np.ndarray, counts: np.ndarray, space: _Workspace
    ) -> np.ndarray:
        """(b, T, R, K) interpolated precision under image weights ``w`` (b, I), given the
        weighted GT counts ``n_gt`` (b, K) and their :func:`recall_counts` (b, K, R); 0 where
        a category has no GT (the caller marks those)."""
        n_b, n_r, lanes, n_k = w.shape[0], RECALL_THRESHOLDS.size, space.lanes, self.n_k
        n_words = -(-n_b // lanes)
        n_rows = n_words * lanes  # resample rows, the last word's empty lane included
        if n_rows > n_b:
            n_gt = np.concatenate([n_gt, np.zeros((n_rows - n_b, n_k), n_gt.dtype)])
        tp, den = self._counts(w, n_words, space)
        # One word's arrays are 1-D (numpy holds the GIL in some 2-D row-wise loops).
        rows = (lambda x: x[0]) if n_words == 1 else (lambda x: x[:n_words])
        precision = rows(space.buffers["precision"])
        np.copyto(precision, den)
        precision += np.spacing(1)
        np.divide(tp, precision, out=precision)
        # Level of each entry, as its cell of the (level, T, row, K) grid less the offset of
        # its threshold: a table slot, read from the table of levels.
        size = space.table_size
        table = _level_table(n_gt, counts, space.region, size)
        table *= self.n_t * n_rows * n_k
        table += space.slot_cell[: n_rows * size]
        cell = rows(space.buffers["cell"])
        np.copyto(cell, tp)
        cell += space.entry_at
        if n_words > 1:
            cell += space.word_at[:n_words]
        np.take(table, cell, out=cell, mode="clip")
        grid = np.zeros((n_r + 1, self.n_t, n_rows * n_k))
        flat = grid.reshape(-1)
        for t in range(self.n_t):  # one threshold's entries: the grid from its offset
            lo, hi = lanes * self.t_bounds[t], lanes * self.t_bounds[t + 1]
            at = flat[t * n_rows * n_k :]
            np.maximum.at(at, cell[..., lo:hi].reshape(-1), precision[..., lo:hi].reshape(-1))
        for r in range(n_r - 1, 0, -1):  # one level (all lists) per step: fast, in place
            np.maximum(grid[r], grid[r + 1], out=grid[r])
        ap = grid[1:].reshape(n_r, self.n_t, n_rows, n_k)[:, :, :n_b]
        return ap.transpose(2, 1, 0, 3).copy()

    def _counts(
        self, w: np.ndarray, n_words: int, space: _Workspace
    ) -> tuple[np.ndarray, np.ndarray]:
        """tp and den of every kept entry under the image weights ``w`` (b, I), packed in
        ``n_words`` words: (words, E) int64, or with two lanes (words, 2 E) int32, entry e's
        lanes at 2 e and 2 e + 1 in memory order (``space.entry_at`` says which is which);
        without the words axis when there is one word."""
        s = space.buffers
        wp = np.zeros((n_words, w.shape[1]), np.int64)
        wp += w[:: space.lanes]
        if space.lanes == 2:  # word j = resample 2 j + resample 2 j + 1 times 2**32
            wp[: w.shape[0] // 2] += w[1::2].astype(np.int64) << 32
        rows = (lambda x: x[0]) if n_words == 1 else (lambda x: x[:n_words])
        wp, tp_cum, det_cum = rows(wp), rows(s["tp"]), rows(s["det"])
        # tp: cumulative TPs of its list at each kept entry.
        # The count restarts at each list: its first weight less the previous list's sum.
        weight = np.take(wp, self.tp_img, axis=-1, out=tp_cum[..., 1:], mode="clip")
        sums = np.add.reduceat(weight, self.list_start, axis=-1)  # (..., non-empty lists)
        weight[..., self.list_start[1:]] -= sums[..., :-1]
        np.cumsum(tp_cum, axis=-1, out=tp_cum)  # column 0 is 0: column c sums the first c
        tp = np.take(tp_cum, self.run_end, axis=-1, out=rows(s["tp_e"]), mode="clip")
        # den: kept detections up to the entry, minus those before its category and the
        # list's ignored ones before it (both in one value per slot).
        np.take(wp, self.det_img, axis=-1, out=det_cum[..., 1:], mode="clip")
        np.cumsum(det_cum, axis=-1, out=det_cum)
        den = np.take(det_cum, self.entry_det, axis=-1, out=rows(s["den_e"]), mode="clip")
        slots = np.zeros((*wp.shape[:-1], self.slot_base.size), dtype=np.int64)
        if self.ign_img.size:
            slots[..., self.ign_slot] = np.take(wp, self.ign_img, axis=-1)
            np.cumsum(slots, axis=-1, out=slots)
            slots -= np.take(slots, self.slot_base, axis=-1)
        slots += np.take(det_cum, self.slot_det, axis=-1)
        tmp = np.take(slots, self.entry_slot, axis=-1, out=rows(s["tmp_e"]), mode="clip")
        np.subtract(den, tmp, out=den)
        if space.lanes == 2:
            return tp.view(np.int32), den.view(np.int32)
        return tp, den


class _Workspace:
    """Buffers of :meth:`_Prepared._precision` for one call of :meth:`_Prepared.metrics`
    (batches of up to ``words`` int64 words of ``lanes`` resamples each), and the layout of
    the recall-level table: category k of a batch's row i owns the slots
    ``i * table_size + region[k]`` .. ``+ max n_gt[:, k]`` (the most GT any resample gives
    k); a slot's value is its cell in the (level, T, row, K) grid, less the threshold's offset.
    """

    def __init__(self, prep: _Prepared, lanes: int, words: int, n_gt: np.ndarray) -> None:
        self.lanes = lanes
        sizes = n_gt.max(axis=0).astype(np.int64) + 1 if n_gt.size else np.ones(prep.n_k, int)
        self.region = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
        self.table_size = int(sizes.sum())
        # Each slot's row and category part of its cell (the level part is the table's).
        slot_k = np.repeat(np.arange(prep.n_k), sizes)
        row = np.arange(words * lanes)
        self.slot_cell = ((row * prep.n_k)[:, None] + slot_k).reshape(-1)
        # Each entry's slot at 0 TPs, per lane in memory order (entry e, half h at lanes * e +
        # h; the low half is lane 0): its category's region in its lane's row; and the first
        # slot of each word's rows.
        half_lane = np.arange(lanes) if np.little_endian else np.arange(lanes)[::-1]
        entry_at = self.region[prep.entry_k][:, None] + half_lane * self.table_size
        self.entry_at = entry_at.reshape(-1)
        self.word_at = (np.arange(words) * lanes * self.table_size)[:, None]
        n_e = prep.run_end.size
        self.buffers = {
            "tp": np.zeros((words, prep.tp_img.size + 1), np.int64),
            "det": np.zeros((words, prep.det_img.size + 1), np.int64),
            "tp_e": np.empty((words, n_e), np.int64),
            "den_e": np.empty((words, n_e), np.int64),
            "tmp_e": np.empty((words, n_e), np.int64),
            "precision": np.empty((words, lanes * n_e)),
            "cell": np.empty((words, lanes * n_e), np.int64),
        }


def _level_table(n_gt: np.ndarray, counts: np.ndarray, region: np.ndarray, size: int) -> np.ndarray:
    """Recall points reached per TP count, for every (resample, category).

    Args:
        n_gt: (b, K) weighted counted GT per resample and category.
        counts: (b, K, R) their :func:`recall_counts` (ignored where n_gt is 0).
        region: (K,) each category's first slot in a resample's row.
        size: Slots per resample row (region[k] + n_gt[:, k] < region[k + 1]).

    Returns:
        (b * size,) int64: slot ``i * size + region[k] + c`` holds #{r : n_r <= c}, the
        recall points c TPs reach (0 when n_gt is 0).
    """
    rows, ks = np.nonzero(n_gt > 0)
    first = rows * size + region[ks]
    n = counts[rows, ks]  # (H, R), 1 <= n <= n_gt
    marks = np.bincount((first[:, None] + n).ravel(), minlength=n_gt.shape[0] * size + 1)
    np.subtract.at(marks, first + n_gt[rows, ks] + 1, n.shape[1])  # 0 again past n_gt
    return np.cumsum(marks[:-1])


def _mean_defined(precision: np.ndarray, full: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = np.mean(q[q > -1])`` of each q = precision[i] (pycocotools' summary), NaN
    kept where nothing is defined; ``full[i]``: q holds no -1 (the mean of the whole row)."""
    flat = precision.reshape(precision.shape[0], -1)
    full = full & (flat.shape[1] > 0)
    if full.any():
        out[full] = np.mean(flat[full], axis=1)
    for i in np.flatnonzero(~full):
        kept = flat[i][flat[i] > -1]
        if kept.size:
            out[i] = np.mean(kept)


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def _image_index(gt: GroundTruth, image_ids: np.ndarray, what: str) -> np.ndarray:
    """Position of each id in ``gt.images.id``.

    Raises:
        ValueError: an id the ground truth lacks.
    """
    ids = gt.images.id
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pos = np.minimum(np.searchsorted(sorted_ids, image_ids), max(sorted_ids.size - 1, 0))
    known = sorted_ids[pos] == image_ids if sorted_ids.size else np.zeros(image_ids.shape, bool)
    if not known.all():
        raise ValueError(
            f"Expected {what} on images of the ground truth, got image ids "
            f"{np.unique(image_ids[~known])[:20].tolist()}"
        )
    return order[pos]
