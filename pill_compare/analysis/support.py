"""Training support against per-class performance: does class imbalance explain the results?

This tests claims like a hand-written comparison report's §5.1 ("the imbalance is not enough to explain the gap")
with numbers. Definitions, per evaluated category k (the categories the ground truth of both
evaluations declares):

* ``support`` n_k: annotations of k in the *training* annotations (crowd regions included, as
  :func:`~pill_compare.analysis.imbalance.imbalance` counts them); 0 when the training set has
  none. ``rare``: n_k < ``rare_threshold`` (the same rule as ``imbalance``'s ``rare_share``).
* ``ap``: the model's COCO AP of k (IoU 0.50:0.95, all sizes, the largest cap), from
  ``EvalResult.coco.per_class``; ``recall``: TP / GT of k at the operating point, from
  ``EvalResult.operating_point.per_class``. Both undefined (None) when k has no evaluation GT.
* ``ap_delta``: AP of B − AP of A (the gap between the models, per class).
* Spearman's ρ between support and a metric over the categories where the metric is defined,
  with scipy's two-sided p-value (``scipy.stats.spearmanr``: ties get average ranks; the
  p-value comes from a t distribution with n − 2 degrees of freedom). ρ and p are None, with a
  ``reason``, when n < 3 (``'too_few_classes'``) or either side is constant
  (``'constant_input'``: every class has the same support, or the same AP).
* Multiple tests: one analysis runs up to seven Spearman tests (AP and recall of each model,
  the gap, disputes and dispute rate) and the report reads them together, so every finding is
  decided on Holm's adjusted p over the computable ones (``p_holm``;
  :func:`~pill_compare.analysis.significance.holm`); ``p_value`` stays scipy's.
* ``detectable_rho``: the smallest |ρ| a two-sided test at ``alpha`` detects with 80 % power
  over n classes, by the Fisher z approximation: tanh((z_{1−α/2} + z_{0.80}) / √(n − 3))
  (0.58 for n = 21 at α = 0.05; None for n <= 3). It uses Pearson's standard error 1/√(n − 3)
  for Spearman's ρ, which is slightly optimistic (Bonett & Wright 2000 give √(1.06 / (n − 3))):
  a "no evidence" over few classes says only that no correlation at least this strong was seen.
* Finding codes (significance level ``alpha``, default 0.05, on ``p_holm``), per model for AP
  and for recall:
  ``'support_explains'`` (ρ > 0, p < alpha: the metric rises with training support),
  ``'inverse'`` (ρ < 0, p < alpha), ``'no_evidence'`` (p >= alpha), ``'not_computable'`` (ρ
  undefined). For ``ap_delta``: ``'gap_larger_on_rare'`` (ρ < 0, p < alpha: AP(B) − AP(A)
  grows as support falls), ``'gap_larger_on_frequent'`` (ρ > 0), ``'no_evidence'``,
  ``'not_computable'``. The codes describe B − A whichever run is better; the report words them
  from the better run's side (with A ahead, B − A larger on rare classes is A's advantage
  larger on frequent ones).
* Disputes, when a count of disagreements per category is given (category → disagreements
  involving it; missing categories count 0): ``rate`` = disagreements / evaluation GT boxes of k
  (undefined without GT). Spearman ρ of the count and of the rate against support (the rate is
  the fair one: a class with more test objects has more chances to be disputed). The top
  ``top_k`` disputed categories (most disagreements first, ties by ascending id, only those with
  at least one), how many of them are rare, their share, the share of rare categories among
  those that can be disputed (an evaluation GT box or a disagreement: the base rate), and the
  hypergeometric p-value of seeing at least that many rare ones among the top ``top_k`` if they
  were drawn at random from those categories (``scipy.stats.hypergeom.sf``). Finding: ``'disputes_on_rare'`` when the rate falls with
  support (ρ < 0, p < alpha), ``'disputes_on_frequent'`` (ρ > 0, p < alpha), ``'no_evidence'``,
  ``'not_computable'``. Beside it, ``top_above_median``: how many of the top categories have a
  training support above the median support of the categories that can be disputed.

No sentence is produced here: codes and numbers only (the words live in the report layer).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.analysis.evaluate import EvalResult
from pill_compare.analysis.imbalance import ImbalanceResult, imbalance
from pill_compare.core import GroundTruth

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: Keys of :class:`ImbalanceResult` copied into ``SupportAnalysis.to_dict()['indices']``.
_INDEX_KEYS = (
    "total_annotations",
    "total_images",
    "annotated_categories",
    "imbalance_ratio",
    "max",
    "min",
    "gini",
    "shannon_entropy",
    "pielou_evenness",
    "effective_classes",
    "coefficient_of_variation",
    "rare_threshold",
    "rare_share",
)


@dataclass(frozen=True)
class Correlation:
    """Spearman's ρ of support against one metric (module docstring).

    Attributes:
        metric: What support was correlated with: 'ap', 'recall', 'ap_delta', 'disputes',
            'dispute_rate'.
        rho: Spearman's ρ; None when undefined (see ``reason``).
        p_value: scipy's two-sided p-value; None when undefined.
        n: Categories used (those where the metric is defined).
        reason: None, or 'too_few_classes' (n < 3) / 'constant_input'.
        finding: The finding code for this correlation (module docstring), decided on
            ``p_holm``.
        p_holm: Holm's adjusted p over the analysis' computable Spearman tests (None when
            undefined); equal to ``p_value`` for a correlation computed on its own.
        detectable_rho: The smallest |ρ| detectable with 80 % power at the analysis' alpha
            over ``n`` classes (Fisher z; None for n <= 3).
        alpha: The significance level the finding was decided at.
    """

    metric: str
    rho: float | None
    p_value: float | None
    n: int
    reason: str | None
    finding: str
    p_holm: float | None = None
    detectable_rho: float | None = None
    alpha: float = 0.05

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "rho": self.rho,
            "p_value": self.p_value,
            "p_holm": self.p_holm,
            "n": self.n,
            "reason": self.reason,
            "finding": self.finding,
            "detectable_rho": self.detectable_rho,
            "alpha": self.alpha,
        }


@dataclass(frozen=True)
class ClassSupport:
    """One evaluated category: training support against both models' numbers.

    Attributes:
        category_id / name: The category.
        support: Training annotations (0 when the training set has none).
        rare: ``support < rare_threshold``.
        eval_gt: Non-crowd evaluation GT boxes (the recall denominator).
        ap_a / ap_b: COCO AP of each model (None without evaluation GT).
        recall_a / recall_b: Recall at each model's operating point (None without GT).
        disagreements: Disagreements involving it (None when no counts were given).
    """

    category_id: int
    name: str
    support: int
    rare: bool
    eval_gt: int
    ap_a: float | None
    ap_b: float | None
    recall_a: float | None
    recall_b: float | None
    disagreements: int | None

    @property
    def ap_delta(self) -> float | None:
        """AP of B − AP of A; None when either is undefined."""
        if self.ap_a is None or self.ap_b is None:
            return None
        return self.ap_b - self.ap_a

    @property
    def dispute_rate(self) -> float | None:
        """Disagreements per evaluation GT box; None without counts or without GT."""
        if self.disagreements is None or self.eval_gt == 0:
            return None
        return self.disagreements / self.eval_gt


@dataclass(frozen=True)
class DisputeSupport:
    """Whether the most-disputed categories are rare ones (module docstring).

    Attributes:
        count: Spearman ρ of disagreements against support (every evaluated category).
        rate: Spearman ρ of disagreements per evaluation GT box against support.
        top_k: How many of the most disputed categories were asked for.
        top_categories: Their ids, most disputed first (at most ``top_k``, each with >= 1).
        top_rare: How many of them are rare.
        top_rare_share: ``top_rare / len(top_categories)``; None when none was disputed.
        rare_share: Share of rare categories among the evaluated ones (the base rate).
        enrichment_p_value: P(at least ``top_rare`` rare among ``len(top_categories)`` drawn at
            random without replacement), hypergeometric; None when none was disputed.
        finding: The code from ``rate`` (module docstring).
        top_above_median: How many of the top categories have a training support above the
            median of the categories that can be disputed.
    """

    count: Correlation
    rate: Correlation
    top_k: int
    top_categories: tuple[int, ...]
    top_rare: int
    top_rare_share: float | None
    rare_share: float | None
    enrichment_p_value: float | None
    finding: str
    top_above_median: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "top_above_median": self.top_above_median,
            "count": self.count.to_dict(),
            "rate": self.rate.to_dict(),
            "top_k": self.top_k,
            "top_categories": list(self.top_categories),
            "top_rare": self.top_rare,
            "top_rare_share": self.top_rare_share,
            "rare_share": self.rare_share,
            "enrichment_p_value": self.enrichment_p_value,
            "finding": self.finding,
        }


@dataclass(frozen=True, eq=False)
class SupportAnalysis:
    """Training support against per-class AP and recall of two models (module docstring).

    Attributes:
        name_a / name_b: The models' names.
        train_source: Where the training annotations came from.
        rare_threshold / alpha: The rare rule and the significance level used.
        classes: One :class:`ClassSupport` per evaluated category, ascending id.
        ap_a / ap_b: Spearman of AP against support, per model.
        recall_a / recall_b: Spearman of recall at the operating point against support.
        ap_delta: Spearman of AP(B) − AP(A) against support.
        training: The training annotations' distribution and imbalance indices.
        disputes: Whether the most-disputed classes are rare; None without disagreement counts.
        unsupported_categories: Evaluated categories with evaluation GT but no training
            annotation (support 0; kept in every correlation).
        training_only_categories: Categories annotated in training that the evaluation ground
            truth does not declare (no AP; not in ``classes``).
    """

    name_a: str
    name_b: str
    train_source: str
    rare_threshold: int
    alpha: float
    classes: tuple[ClassSupport, ...]
    ap_a: Correlation
    ap_b: Correlation
    recall_a: Correlation
    recall_b: Correlation
    ap_delta: Correlation
    training: ImbalanceResult
    disputes: DisputeSupport | None
    unsupported_categories: tuple[int, ...]
    training_only_categories: tuple[int, ...]

    def __repr__(self) -> str:
        def show(c: Correlation) -> str:
            return "n/a" if c.rho is None else f"{c.rho:.3f}"

        return (
            f"SupportAnalysis(a={self.name_a!r}, b={self.name_b!r}, classes={len(self.classes)}, "
            f"rho_ap_a={show(self.ap_a)}, rho_ap_b={show(self.ap_b)}, "
            f"finding_a={self.ap_a.finding!r}, finding_b={self.ap_b.finding!r})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; ``spearman.{a,b}.{rho,p_value}`` is AP against support (the contract)."""
        training = self.training.to_dict()
        return {
            "models": {"a": self.name_a, "b": self.name_b},
            "train_source": self.train_source,
            "rare_threshold": self.rare_threshold,
            "alpha": self.alpha,
            "spearman": {
                "a": self.ap_a.to_dict(),
                "b": self.ap_b.to_dict(),
                "delta": self.ap_delta.to_dict(),
            },
            "spearman_recall": {"a": self.recall_a.to_dict(), "b": self.recall_b.to_dict()},
            "indices": {k: training[k] for k in _INDEX_KEYS},
            "disputes": None if self.disputes is None else self.disputes.to_dict(),
            "unsupported_categories": list(self.unsupported_categories),
            "training_only_categories": list(self.training_only_categories),
            "classes": self.to_frame().to_dict(orient="records"),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per evaluated category, ascending id; None where undefined."""
        import pandas as pd

        frame = pd.DataFrame(
            {
                "category_id": [c.category_id for c in self.classes],
                "name": [c.name for c in self.classes],
                "support": [c.support for c in self.classes],
                "rare": [c.rare for c in self.classes],
                "eval_gt": [c.eval_gt for c in self.classes],
                "ap_a": [c.ap_a for c in self.classes],
                "ap_b": [c.ap_b for c in self.classes],
                "ap_delta": [c.ap_delta for c in self.classes],
                "recall_a": [c.recall_a for c in self.classes],
                "recall_b": [c.recall_b for c in self.classes],
                "disagreements": [c.disagreements for c in self.classes],
                "dispute_rate": [c.dispute_rate for c in self.classes],
            }
        )
        return frame.astype(object).where(frame.notna(), None)


def spearman(
    x: np.ndarray | list[float], y: np.ndarray | list[float | None], *, metric: str
) -> tuple[float | None, float | None, int, str | None]:
    """Spearman's ρ and scipy's two-sided p over the pairs where ``y`` is defined.

    Args:
        x: (K,) values (support).
        y: (K,) values, None or NaN where undefined (those pairs are left out).
        metric: Name of ``y``, for the error message only.

    Returns:
        ``(rho, p_value, n, reason)``; rho and p None with reason 'too_few_classes' (n < 3) or
        'constant_input' (either side has one distinct value).

    Raises:
        ValueError: ``x`` and ``y`` differ in length.
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.array([np.nan if v is None else v for v in y], dtype=np.float64)
    if xs.shape != ys.shape:
        raise ValueError(
            f"Expected support and {metric} of the same length, got {xs.size} and {ys.size}"
        )
    from scipy import stats  # here, not at import: scipy.stats takes ~0.6 s to import

    keep = ~np.isnan(ys)
    xs, ys = xs[keep], ys[keep]
    n = int(xs.size)
    if n < 3:
        return None, None, n, "too_few_classes"
    if np.unique(xs).size < 2 or np.unique(ys).size < 2:
        return None, None, n, "constant_input"
    result = stats.spearmanr(xs, ys)
    return float(result.statistic), float(result.pvalue), n, None


def detectable_rho(n: int, *, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """The smallest |ρ| a two-sided test at ``alpha`` detects with ``power`` over n pairs.

    Fisher z approximation (module docstring): tanh((z_{1−α/2} + z_power) / √(n − 3)).

    Args:
        n: Pairs (classes) in the correlation.
        alpha: Two-sided significance level in (0, 1).
        power: Wanted power in (0, 1).

    Returns:
        |ρ| in (0, 1), or None for n <= 3 (the approximation needs n > 3).

    Example:
        >>> round(detectable_rho(21), 3)  # tanh((1.960 + 0.842) / √18)
        0.579
    """
    alpha = check_number(alpha, "alpha", low=0.0, low_open=True, high=1.0)
    power = check_number(power, "power", low=0.0, low_open=True, high=1.0)
    n = int(check_number(n, "n", low=0, integer=True))
    if n <= 3 or alpha >= 1.0 or power >= 1.0:
        return None
    z = NormalDist()
    return math.tanh((z.inv_cdf(1.0 - alpha / 2.0) + z.inv_cdf(power)) / math.sqrt(n - 3))


def _finding(rho: float | None, p: float | None, alpha: float, codes: tuple[str, str]) -> str:
    """``codes`` = (code when ρ > 0 and significant, code when ρ < 0 and significant)."""
    if rho is None or p is None:
        return "not_computable"
    if p >= alpha or rho == 0:
        return "no_evidence"
    return codes[0] if rho > 0 else codes[1]


def _correlation(
    support: np.ndarray,
    values: list[Any],
    metric: str,
    alpha: float,
    codes: tuple[str, str],
) -> Correlation:
    rho, p, n, reason = spearman(support, values, metric=metric)
    return Correlation(
        metric,
        rho,
        p,
        n,
        reason,
        _finding(rho, p, alpha, codes),
        p_holm=p,
        detectable_rho=detectable_rho(n, alpha=alpha),
        alpha=alpha,
    )


def _holm_family(correlations: Sequence[Correlation]) -> list[Correlation]:
    """The correlations with Holm's adjusted p over the family and findings decided on it."""
    from pill_compare.analysis.significance import holm  # scipy, lazily as in spearman()

    adjusted = holm([c.p_value for c in correlations])
    return [
        replace(c, p_holm=p, finding=_finding(c.rho, p, c.alpha, _CODES[c.metric]))
        for c, p in zip(correlations, adjusted, strict=True)
    ]


_MODEL_CODES = ("support_explains", "inverse")
_DELTA_CODES = ("gap_larger_on_frequent", "gap_larger_on_rare")
_DISPUTE_CODES = ("disputes_on_frequent", "disputes_on_rare")
_CODES = {
    "ap": _MODEL_CODES,
    "recall": _MODEL_CODES,
    "ap_delta": _DELTA_CODES,
    "disputes": _DISPUTE_CODES,
    "dispute_rate": _DISPUTE_CODES,
}


def _check_same_evaluation(a: EvalResult, b: EvalResult) -> None:
    ids_a = [(c.category_id, c.gt) for c in a.coco.per_class]
    ids_b = [(c.category_id, c.gt) for c in b.coco.per_class]
    if ids_a != ids_b:
        raise ValueError(
            "Expected result_a and result_b evaluated against the same ground truth (the same "
            f"categories and GT counts), got {a.gt_source!r} and {b.gt_source!r} that differ"
        )


def _check_disagreements(value: Any, known: set[int]) -> dict[int, int]:
    if not isinstance(value, Mapping):
        raise TypeError(
            "Expected disagreement_by_class to be a mapping category_id -> count, got "
            f"{type(value).__name__}"
        )
    out: dict[int, int] = {}
    for key, count in value.items():
        if isinstance(key, bool) or not isinstance(key, numbers.Integral):
            raise TypeError(
                f"Expected disagreement_by_class keys to be category ids (int), got {key!r}"
            )
        out[int(key)] = int(
            check_number(count, f"disagreement_by_class[{key}]", low=0, integer=True)
        )
    unknown = sorted(set(out) - known)
    if unknown:
        raise ValueError(
            "Expected disagreement_by_class keys among the evaluated category ids, got "
            f"{unknown[:20]}"
        )
    return out


def _disputes(
    classes: tuple[ClassSupport, ...], support: np.ndarray, top_k: int, alpha: float
) -> DisputeSupport:
    counts = [c.disagreements for c in classes]
    count = _correlation(support, counts, "disputes", alpha, _DISPUTE_CODES)
    rate = _correlation(
        support, [c.dispute_rate for c in classes], "dispute_rate", alpha, _DISPUTE_CODES
    )
    ranked = sorted((c for c in classes if c.disagreements), key=lambda c: -(c.disagreements or 0))
    top = ranked[:top_k]  # sorted() is stable and classes ascend by id: ties by ascending id
    top_rare = sum(c.rare for c in top)
    # The population: categories that can be disputed (an evaluation GT box or a disagreement);
    # a declared category with neither is no draw at all and must not dilute the base rate.
    population = [c for c in classes if c.eval_gt or c.disagreements]
    n_rare = sum(c.rare for c in population)
    median = float(np.median([c.support for c in population])) if population else 0.0
    enrichment = None
    if top:
        from scipy import stats  # lazily, as in spearman()

        # P(X >= top_rare), X ~ Hypergeom(population K, n_rare successes, len(top) draws).
        enrichment = float(stats.hypergeom.sf(top_rare - 1, len(population), n_rare, len(top)))
    return DisputeSupport(
        count=count,
        rate=rate,
        top_k=top_k,
        top_categories=tuple(c.category_id for c in top),
        top_rare=top_rare,
        top_rare_share=top_rare / len(top) if top else None,
        rare_share=n_rare / len(population) if population else None,
        enrichment_p_value=enrichment,
        finding=rate.finding,
        top_above_median=sum(c.support > median for c in top),
    )


def support_vs_performance(
    train_gt: GroundTruth,
    result_a: EvalResult,
    result_b: EvalResult,
    *,
    disagreement_by_class: Mapping[int, int] | None = None,
    rare_threshold: int = 10,
    top_k: int = 5,
    alpha: float = 0.05,
) -> SupportAnalysis:
    """Per-class training support against each model's AP and recall (module docstring).

    Args:
        train_gt: The training annotations (only their category counts are used).
        result_a / result_b: The two models evaluated against the same ground truth.
        disagreement_by_class: Category id → disagreements involving it (e.g. counted from
            the cross-model pairing); categories missing count 0. None skips the dispute part.
        rare_threshold: A category with fewer training annotations than this is rare.
        top_k: How many of the most disputed categories to test for rarity.
        alpha: Significance level of the finding codes.

    Returns:
        The :class:`SupportAnalysis`; ``to_dict()['spearman']['a']['rho']`` is Spearman's ρ of
        A's per-class AP against training support.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: the two results were evaluated against different ground truths, a
            disagreement count is negative or names a category not evaluated, or
            ``rare_threshold`` / ``top_k`` / ``alpha`` is out of range.

    Example:
        >>> s = support_vs_performance(train, evaluate(gt, a), evaluate(gt, b))  # doctest: +SKIP
        >>> s.ap_a.rho, s.ap_a.p_value, s.ap_a.finding  # (0.41, 0.001, 'support_explains')
    """
    check_inputs(
        "support_vs_performance",
        train_gt=(train_gt, GroundTruth),
        result_a=(result_a, EvalResult),
        result_b=(result_b, EvalResult),
    )
    rare_threshold = int(check_number(rare_threshold, "rare_threshold", low=0, integer=True))
    top_k = int(check_number(top_k, "top_k", low=1, integer=True))
    alpha = check_number(alpha, "alpha", low=0.0, low_open=True, high=1.0)
    _check_same_evaluation(result_a, result_b)
    evaluated = [c.category_id for c in result_a.coco.per_class]
    disputes = (
        None
        if disagreement_by_class is None
        else _check_disagreements(disagreement_by_class, set(evaluated))
    )
    training = imbalance(train_gt, rare_threshold=rare_threshold)
    support_of = {c.category_id: c.annotations for c in training.categories}
    recall_a = {c.category_id: c.recall for c in result_a.operating_point.per_class}
    recall_b = {c.category_id: c.recall for c in result_b.operating_point.per_class}
    classes = tuple(
        ClassSupport(
            category_id=ca.category_id,
            name=ca.name,
            support=support_of.get(ca.category_id, 0),
            rare=support_of.get(ca.category_id, 0) < rare_threshold,
            eval_gt=ca.gt,
            ap_a=ca.ap,
            ap_b=cb.ap,
            recall_a=recall_a.get(ca.category_id),
            recall_b=recall_b.get(ca.category_id),
            disagreements=None if disputes is None else disputes.get(ca.category_id, 0),
        )
        for ca, cb in zip(result_a.coco.per_class, result_b.coco.per_class, strict=True)
    )
    support = np.array([c.support for c in classes], dtype=np.float64)

    def corr(values: list[Any], metric: str, codes: tuple[str, str]) -> Correlation:
        return _correlation(support, values, metric, alpha, codes)

    family = [
        corr([c.ap_a for c in classes], "ap", _MODEL_CODES),
        corr([c.ap_b for c in classes], "ap", _MODEL_CODES),
        corr([c.recall_a for c in classes], "recall", _MODEL_CODES),
        corr([c.recall_b for c in classes], "recall", _MODEL_CODES),
        corr([c.ap_delta for c in classes], "ap_delta", _DELTA_CODES),
    ]
    dispute = None if disputes is None else _disputes(classes, support, top_k, alpha)
    if dispute is not None:
        family += [dispute.count, dispute.rate]
    family = _holm_family(family)
    if dispute is not None:
        dispute = replace(dispute, count=family[5], rate=family[6], finding=family[6].finding)
    return SupportAnalysis(
        name_a=result_a.name,
        name_b=result_b.name,
        train_source=train_gt.source,
        rare_threshold=rare_threshold,
        alpha=alpha,
        classes=classes,
        ap_a=family[0],
        ap_b=family[1],
        recall_a=family[2],
        recall_b=family[3],
        ap_delta=family[4],
        training=training,
        disputes=dispute,
        unsupported_categories=tuple(
            c.category_id for c in classes if c.support == 0 and c.eval_gt > 0
        ),
        training_only_categories=tuple(sorted(set(support_of) - set(evaluated))),
    )
