"""Is B better than A? A paired image bootstrap and McNemar's exact test, from two match tables.

Both tests compare two runs on one ground truth; neither re-matches anything.

Paired bootstrap over images (:func:`paired_bootstrap`):

* A resample draws ``n_images`` images of the ground truth with replacement (every GT image,
  with or without boxes), uniformly, with ``numpy.random.default_rng(seed)``: one
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
boxes only B got right; p = ``scipy.stats.binomtest(b, b + c, 0.5).pvalue`` (exact, two-sided),
1 when b + c = 0.

Holm's step-down correction (:func:`holm`) for a family of tests read together (the support
analysis' Spearman tests): sort the m p-values ascending, p_(1) <= ... <= p_(m); the adjusted
p_(i) = max over j <= i of min(1, (m − j + 1) p_(j)); each returned in its input position.
Rejecting where the adjusted p < α keeps the family-wise error rate at α (Holm 1979).

Verdict (:func:`significance_verdict`): ``b_better`` when the bootstrap p < α, delta > 0 and the
interval lies above 0; ``a_better`` symmetrically; otherwise ``not_significant`` (an undefined
metric included). Numbers and a code only: the sentence is made in the report layer.

Speed: everything per run is sorted once. A resample only gathers weights and re-runs cumulative
sums over the detections and over each threshold's true positives, for many resamples at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import sparse, stats

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
    interpolated_precision,
)
from pill_compare.analysis.matching import FP, IGNORED, TP, MatchTable, coco_iou_thresholds
from pill_compare.core import GroundTruth

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: The bootstrap's metrics, in output order.
BOOTSTRAP_METRICS = ("map", "map_50", "f1")

#: Elements per (resamples, entries) working array of one batch of resamples (at least one
#: resample per batch). About ten such 8-byte arrays live at once (~20 MB); batches this small
#: stay in cache: on the sample, 1,000 resamples took 1.0 s of CPU against 1.6 s with batches
#: 8 times larger (COCO scale: no difference up to 500,000, slower beyond).
_BATCH_ELEMENTS = 250_000

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
        seed: The seed of ``numpy.random.default_rng``.
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
        """``{map: {delta, ci_low, ci_high, p_value, a, b, resamples_used}, map_50, f1,
        n_images, n_resamples, seed, ...}`` (JSON-ready)."""
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
        seed: Seed of ``numpy.random.default_rng``.

    Returns:
        (n_resamples, n_images) int32 counts; each row sums to ``n_images``. Row b is the
        histogram of row b of ``default_rng(seed).integers(0, n_images, (n_resamples,
        n_images))``.
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
        seed: Seed of ``numpy.random.default_rng`` (same seed, same numbers).
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
    check_inputs("paired_bootstrap", table_a=(table_a, MatchTable), table_b=(table_b, MatchTable))
    _check_same_ground_truth(table_a, table_b)
    n_resamples = int(check_number(n_resamples, "n_resamples", low=1, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))
    confidence = check_number(confidence, "confidence", low=0.0, low_open=True, high=1.0)
    if confidence == 1.0:
        raise ValueError(f"Expected confidence to be a number > 0 and < 1, got {confidence!r}")
    args = (iou_thresholds, max_dets, score_threshold, iou_threshold)
    prep_a, prep_b = _Prepared(table_a, *args), _Prepared(table_b, *args)
    weights = resample_images(prep_a.n_images, n_resamples, seed)
    ones = np.ones((1, prep_a.n_images), dtype=np.int64)
    full_a, full_b = prep_a.metrics(ones), prep_b.metrics(ones)
    rep_a, rep_b = prep_a.metrics(weights), prep_b.metrics(weights)
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
        n_images=prep_a.n_images,
        n_resamples=n_resamples,
        seed=seed,
        confidence=float(confidence),
        score_threshold=prep_a.score_threshold,
        iou_threshold=prep_a.iou_threshold,
        iou_thresholds=prep_a.thresholds,
        max_det=prep_a.cap,
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
    p = float(stats.binomtest(b, b + c, 0.5).pvalue) if b + c else 1.0
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

    COCO part (area 'all', the largest cap): the kept detections in accumulation order
    (category, descending score, image id, file order) and, per threshold, its true positives
    and ignored detections in that order (the id-0 quirk applied, as pycocotools accumulates).
    Under image weights, at a TP entry j of category k:

    * TP_j = the weighted count of k's TPs up to j: a cumulative sum over the TP entries;
    * FP_j = all kept detections of k up to j, minus TP_j, minus the ignored ones. "All up to
      j" comes from a sparse (segments x images) count matrix (a segment = the detections
      between two consecutive TP positions of any threshold) times the weights, then a
      cumulative sum over a category's segments;
    * :func:`interpolated_precision` does the rest.

    Working arrays are (resamples, entries): a batch of resamples is one call of each step.
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
        self.gt_col = gt_col.reshape(-1)
        self.gt_img = gt_img[counted]
        self.n_t, self.n_k = len(t_index), self.cats.size
        n_k = self.n_k

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

        # Per threshold: TP entries (all thresholds concatenated into one list of (t, k) runs)
        # and ignored entries (a cumulative sum each, with a leading 0 row).
        tp_pos, tp_group, ign_img, ign_before, ign_base = [], [], [], [], []
        ign_offset = 0
        for t, ti in enumerate(t_index):
            status, _ = accumulated_status(
                table.det_status[a, ti, order], table.det_gt[a, ti, order], ann.id, det_out
            )
            pos = np.flatnonzero(status == TP)
            ign = np.flatnonzero(status == IGNORED)
            tp_pos.append(pos)
            tp_group.append(t * n_k + k_sorted[pos])
            ign_img.append(img_sorted[ign])
            ign_before.append(ign_offset + np.searchsorted(ign, pos))
            ign_base.append(ign_offset + np.searchsorted(ign, cat_start[k_sorted[pos]]))
            ign_offset += ign.size + 1
        pos = _concat(tp_pos)
        group = _concat(tp_group)
        self.tp_img = img_sorted[pos]
        self.ign_img = ign_img
        self.ign_before, self.ign_base = _concat(ign_before), _concat(ign_base)
        self.starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if group.size else group
        self.lengths = np.diff(np.r_[self.starts, group.size])
        self.entry_start = np.repeat(self.starts, self.lengths)  # (P,) its run's first entry
        self.run_group = group[self.starts]  # (S,) t * K + k of each run

        # Segments: the detections up to each distinct TP position, from the previous one (or
        # the category's start). Detections after their category's last TP are never needed.
        ends = np.unique(pos)
        seg_k = k_sorted[ends]
        seg_first = np.r_[True, seg_k[1:] != seg_k[:-1]] if ends.size else np.zeros(0, bool)
        det_seg = np.searchsorted(ends, np.arange(order.size), side="left")
        needed = det_seg < ends.size
        needed[needed] = seg_k[det_seg[needed]] == k_sorted[needed]
        self.segments = sparse.csr_matrix(
            (np.ones(int(needed.sum()), np.int64), (det_seg[needed], img_sorted[needed])),
            shape=(ends.size, n_img),
        )
        # A category's count before its first segment, as a row of the segments' cumsum
        # (with a leading 0 row); and each TP entry's segment.
        first_rows = np.flatnonzero(seg_first)
        self.seg_base = np.repeat(first_rows, np.diff(np.r_[first_rows, ends.size]))
        self.entry_seg = np.searchsorted(ends, pos)
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
        per_resample = max(
            self.tp_img.size, self.segments.shape[0], self.starts.size * RECALL_THRESHOLDS.size, 1
        )
        batch = max(1, _BATCH_ELEMENTS // per_resample)
        for lo in range(0, n_b, batch):
            w = weights[lo : lo + batch]
            ap = self._precision(w)  # (b, T, R, K), -1 where undefined
            for i in range(w.shape[0]):
                q = ap[i]
                kept = q[q > -1]
                if kept.size:
                    out["map"][lo + i] = np.mean(kept)
                if self.t50 is not None:
                    q50 = q[self.t50 : self.t50 + 1]
                    kept = q50[q50 > -1]
                    if kept.size:
                        out["map_50"][lo + i] = np.mean(kept)
        tp = weights @ self.op_tp
        fp = weights @ self.op_fp
        fn = weights @ self.op_gt - tp
        den = 2 * tp + fp + fn
        with np.errstate(invalid="ignore", divide="ignore"):
            out["f1"] = np.where(den > 0, (2 * tp) / np.where(den > 0, den, 1), np.nan)
        return {k: out[k] for k in BOOTSTRAP_METRICS}

    def _precision(self, w: np.ndarray) -> np.ndarray:
        """(b, T, R, K) interpolated precision under image weights ``w`` (b, I)."""
        n_b, n_r = w.shape[0], RECALL_THRESHOLDS.size
        w = np.ascontiguousarray(w, dtype=np.int64)
        npig = np.zeros((n_b, self.n_k), dtype=np.int64)
        for i in range(n_b):
            npig[i] = np.bincount(self.gt_col, weights=w[i, self.gt_img], minlength=self.n_k)
        out = np.zeros((n_b, self.n_t, n_r, self.n_k))
        if self.starts.size:
            # Gathers with np.take along the last axis and cumulative sums along it: the fast
            # directions for (b, rows) arrays (numpy's fancy w[:, idx] and a cumsum down a
            # column are several times slower).
            seg = _cumsum(np.ascontiguousarray((self.segments @ w.T).T))  # (b, n_seg + 1)
            total = np.take(seg, self.entry_seg + 1, axis=1) - np.take(
                seg, self.seg_base[self.entry_seg], axis=1
            )
            ct = _cumsum(np.take(w, self.tp_img, axis=1))  # (b, P + 1)
            tp = ct[:, 1:] - np.take(ct, self.entry_start, axis=1)
            ci = np.concatenate([_cumsum(np.take(w, img, axis=1)) for img in self.ign_img], axis=1)
            fp = (
                total
                - tp
                - (np.take(ci, self.ign_before, axis=1) - np.take(ci, self.ign_base, axis=1))
            )
            # Runs of every resample in one list: resample i's runs follow resample i - 1's.
            n_entries = tp.shape[1]
            starts = (np.arange(n_b)[:, None] * n_entries + self.starts[None, :]).ravel()
            k = self.run_group % self.n_k
            t = self.run_group // self.n_k
            q = interpolated_precision(
                tp.ravel(), fp.ravel(), starts, np.maximum(npig[:, k], 1).ravel()
            ).reshape(n_b, self.starts.size, n_r)
            # Advanced indices split by a slice go first: out[:, t, :, k] is (S, b, R).
            out[:, t, :, k] = q.transpose(1, 0, 2)
        b_none, k_none = np.nonzero(npig == 0)
        out[b_none, :, :, k_none] = -1.0
        return out


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def _cumsum(values: np.ndarray) -> np.ndarray:
    """(b, n + 1) cumulative sums along the rows of (b, n) ``values``, with a leading 0."""
    out = np.zeros((values.shape[0], values.shape[1] + 1), dtype=np.int64)
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


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
