"""The domain's claims about why two pill detectors differ, tested on the ground truth's pill
attributes (a hand-written report's "look-alike pills are swapped", "faint imprints are hard").

Class attributes. ``pillcmp merge`` keeps AIHub's per-pill fields under each annotation's
``attributes`` (:attr:`~pill_compare.core.Annotations.attributes`). A class's value of a key is
the most frequent value (stripped text) over its annotations that carry the key (ties: the one
seen first); a class without any is unknown for that key. Two derived properties:

* *look*: (``drug_shape``, ``color_class1``, ``color_class2``): shape and colours. Unknown when
  ``drug_shape`` or ``color_class1`` is unknown or empty. Two classes are *look-alikes* when
  their looks are equal.
* *imprint*: absent when ``print_front`` and ``print_back`` are both empty (or one is empty and
  the other unknown), present when either holds text, unknown when both are unknown. AIHub does
  not record how *faint* an imprint is, so only absent imprints can be tested.

Claims (``code``, ``scope``), each with a verdict ``'supported'`` (p < ``alpha``),
``'not_supported'`` (p >= ``alpha``) or ``'not_testable'``, a ``reason`` code, the test, its
statistic, its p-value and n:

* ``('look_alike_swaps', 'pooled')``: class swaps happen between look-alikes more often than
  chance. A *swap* is a cell [GT class g, predicted class p], g != p, of a run's confusion
  matrix at the operating point (:mod:`~pill_compare.analysis.confusion`: score >= s,
  class-agnostic one-to-one matching at the operating IoU): a found pill called another class.
  Both runs' swaps are pooled (the claim is about the pills, not a model; each run's count is
  in ``details``); swaps that involve a class of unknown look are left out (counted). Statistic
  T = the share of swaps whose two classes are look-alikes. Null hypothesis: the look is
  unrelated to which classes are swapped; the test permutes the looks among the classes of
  known look (every class with a GT annotation and a known look, swapped or not), keeping every
  swap count, and recomputes T. One-sided: p = (1 + #{T_perm >= T}) / (1 + N) over
  N = ``n_permutations`` random permutations from a fixed random generator (Phipson & Smyth
  2010), or exactly #{T_perm >= T} / K! over all K! permutations when K! <= N.
  Not testable: ``'no_attributes'`` (fewer than two classes of known look),
  ``'no_look_alikes'`` (no two classes share a look: T is 0 under every permutation),
  ``'no_swaps'`` (no swap between classes of known look).
* ``('imprint_lower_ap', 'a')`` and ``('imprint_lower_ap', 'b')``: classes without an imprint
  have a lower AP. Per run, the COCO AP (IoU 0.50:0.95, all sizes, the largest cap) of the
  classes with GT: imprint-absent against imprint-present, Mann-Whitney U
  (``scipy.stats.mannwhitneyu``, one-sided ``alternative='less'``; U is the absent group's).
  Method: exact when both groups hold at most 8 classes and no AP is tied across the pooled
  values, else the normal approximation with tie correction and continuity correction (scipy's
  own 'auto' rule, made explicit so ``details.method`` says which was used).
* ``('imprint_larger_gap', 'gap')``: the AP gap between the runs is larger on classes without
  an imprint. Gap of class k = AP of the better run − AP of the worse run (better = the higher
  mAP), so a positive gap is the better run's lead; Mann-Whitney U, ``alternative='greater'``.
  Not testable ``'no_gap'`` when the runs' mAPs are equal or undefined.

The imprint claims are not testable with ``'no_attributes'`` when no class's imprint is known,
``'too_few_classes'`` when either group has fewer than :data:`MIN_GROUP` classes with a
defined AP.

No sentence is produced here: codes and numbers only (the words live in the report layer).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.analysis.evaluate import EvalResult
from pill_compare.core import GroundTruth

#: The attribute keys the claims read (AIHub's names).
SHAPE_KEY = "drug_shape"
COLOUR_KEYS = ("color_class1", "color_class2")
IMPRINT_KEYS = ("print_front", "print_back")
#: A Mann-Whitney claim needs at least this many classes in each group.
MIN_GROUP = 3
#: Permutations of the look-alike test (random ones; all of them when K! is not more).
N_PERMUTATIONS = 9999
#: scipy's 'auto' rule: the exact distribution when both groups are at most this big (no ties).
EXACT_MAX = 8
#: Claim codes, in report order.
CLAIM_CODES = ("look_alike_swaps", "imprint_lower_ap", "imprint_larger_gap")
#: Verdict codes.
VERDICTS = ("supported", "not_supported", "not_testable")


@dataclass(frozen=True)
class ClaimTest:
    """One claim, tested (see the module docstring for each code).

    Attributes:
        code: 'look_alike_swaps', 'imprint_lower_ap' or 'imprint_larger_gap'.
        scope: 'pooled' (both runs' swaps), 'a' / 'b' (one run's AP) or 'gap' (the AP gap).
        verdict: 'supported', 'not_supported' or 'not_testable'.
        reason: 'p_below_alpha', 'p_not_below_alpha', or why it is not testable
            ('no_attributes', 'no_look_alikes', 'no_swaps', 'too_few_classes', 'no_gap').
        test: 'permutation' or 'mann_whitney_u'.
        alternative: The one-sided alternative: 'greater' or 'less'.
        statistic: T (a share) or U; None when not testable.
        p_value: One-sided p; None when not testable.
        n: Swaps counted (look-alike claim) or classes compared (both groups).
        details: The test's other numbers (module docstring; JSON-ready).
    """

    code: str
    scope: str
    verdict: str
    reason: str
    test: str
    alternative: str
    statistic: float | None = None
    p_value: float | None = None
    n: int = 0
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "scope": self.scope,
            "verdict": self.verdict,
            "reason": self.reason,
            "test": self.test,
            "alternative": self.alternative,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "n": self.n,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class DomainClaims:
    """The domain's claims tested on one comparison.

    Attributes:
        alpha: The significance level of every verdict.
        classes_with_look / classes_with_imprint: Classes with GT whose look / imprint is known.
        claims: Every claim, in :data:`CLAIM_CODES` order (imprint_lower_ap: A, then B).
    """

    alpha: float
    classes_with_look: int
    classes_with_imprint: int
    claims: tuple[ClaimTest, ...]

    @property
    def has_attributes(self) -> bool:
        """True when the ground truth gave any class a look or an imprint."""
        return bool(self.classes_with_look or self.classes_with_imprint)

    def claim(self, code: str, scope: str) -> ClaimTest:
        """The claim ``code`` for ``scope``.

        Raises:
            KeyError: no such claim.
        """
        for c in self.claims:
            if (c.code, c.scope) == (code, scope):
                return c
        raise KeyError(f"no claim {code!r} for scope {scope!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``alpha``, ``classes_with_look``, ``classes_with_imprint`` and ``claims``
        (``[{code, scope, verdict, reason, test, alternative, statistic, p_value, n,
        details}]``)."""
        return {
            "alpha": self.alpha,
            "classes_with_look": self.classes_with_look,
            "classes_with_imprint": self.classes_with_imprint,
            "claims": [c.to_dict() for c in self.claims],
        }


@dataclass(frozen=True)
class PermutationResult:
    """A permutation test of "same-label swaps are more common than chance".

    Attributes:
        same: Swaps (weighted by count) whose two classes share a label.
        total: All swaps.
        p_value: One-sided p (module docstring).
        null_mean: The mean share of same-label swaps over the permutations.
        permutations: Permutations drawn (or K! when exact).
        exact: True when every permutation was enumerated.
    """

    same: int
    total: int
    p_value: float
    null_mean: float
    permutations: int
    exact: bool


def class_attributes(gt: GroundTruth, keys: Sequence[str]) -> dict[int, dict[str, str]]:
    """Per class with GT annotations, the most frequent value of each key (module docstring).

    Args:
        gt: The ground truth (its annotations' ``attributes``).
        keys: The attribute keys to read.

    Returns:
        Category id → {key: value (stripped text)} for the keys its annotations carry.

    Example:
        Two annotations of class 7 with ``drug_shape`` '원형' and one with '타원형':
        ``class_attributes(gt, ['drug_shape'])[7] == {'drug_shape': '원형'}``.
    """
    check_inputs("class_attributes", gt=(gt, GroundTruth))
    counts: dict[int, dict[str, Counter[str]]] = {}
    ann = gt.annotations
    columns = {key: ann.attributes[key].tolist() for key in keys if key in ann.attributes}
    for row, category_id in enumerate(ann.category_id.tolist()):
        mine = counts.setdefault(int(category_id), {})
        for key, column in columns.items():
            if column[row] is not None:
                mine.setdefault(key, Counter())[str(column[row]).strip()] += 1
    return {
        c: {key: values.most_common(1)[0][0] for key, values in mine.items()}
        for c, mine in counts.items()
    }


def look_of(attributes: Mapping[str, str]) -> tuple[str, str, str] | None:
    """(drug_shape, color_class1, color_class2) of a class, None when shape or colour is unknown."""
    shape = attributes.get(SHAPE_KEY, "")
    colour = attributes.get(COLOUR_KEYS[0], "")
    if not shape or not colour:
        return None
    return (shape, colour, attributes.get(COLOUR_KEYS[1], ""))


def imprint_of(attributes: Mapping[str, str]) -> bool | None:
    """True when the class prints something, False when it prints nothing, None when unknown."""
    known = [attributes[k] for k in IMPRINT_KEYS if k in attributes]
    if not known:
        return None
    return any(known)


def same_label_permutation_test(
    pairs: np.ndarray,
    counts: np.ndarray,
    labels: np.ndarray,
    *,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
) -> PermutationResult:
    """Are swaps between same-label classes more common than if labels were shuffled?

    Args:
        pairs: (M, 2) int: class indices (0..K-1) of each swap cell (GT, predicted).
        counts: (M,) int: swaps in each cell.
        labels: (K,) int: each class's label (equal labels = look-alikes).
        n_permutations: Random permutations when K! is larger; all K! otherwise.
        seed: Random seed of the permutations (fixed: the same p every run).

    Returns:
        The :class:`PermutationResult` (module docstring for the p-value).

    Raises:
        ValueError: no swaps (``counts`` sums to 0), or mismatched shapes.

    Example:
        Classes A, B, C labelled (x, x, y); 2 swaps A→B, 1 swap A→C: same = 2 of 3. Of the
        3! = 6 orderings of the labels, 2 put y on C (A, B alike: 2 same), 2 on B (A, C alike:
        1 same), 2 on A (B, C alike: 0 same), so p = 2/6 exactly.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    counts = np.asarray(counts, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    if counts.shape != (pairs.shape[0],):
        raise ValueError(f"Expected counts of shape ({pairs.shape[0]},), got {counts.shape}")
    total = int(counts.sum())
    if total <= 0:
        raise ValueError("Expected at least one swap, got none")
    n_permutations = int(check_number(n_permutations, "n_permutations", low=1, integer=True))
    observed = int(counts[labels[pairs[:, 0]] == labels[pairs[:, 1]]].sum())
    k = labels.size
    exact = math.factorial(k) <= n_permutations
    if exact:
        shuffled = labels[np.array(list(itertools.permutations(range(k))), dtype=np.int64)]
    else:
        rng = np.random.default_rng(seed)
        shuffled = rng.permuted(np.tile(labels, (n_permutations, 1)), axis=1)
    same = (shuffled[:, pairs[:, 0]] == shuffled[:, pairs[:, 1]]).astype(np.int64) @ counts
    hits = int((same >= observed).sum())
    p = hits / same.size if exact else (1 + hits) / (1 + same.size)
    return PermutationResult(
        same=observed,
        total=total,
        p_value=float(p),
        null_mean=float(same.mean() / total),
        permutations=int(same.size),
        exact=exact,
    )


def mann_whitney(
    x: Sequence[float], y: Sequence[float], alternative: str
) -> tuple[float, float, str]:
    """Mann-Whitney U of ``x`` against ``y`` (scipy), with the method named.

    Args:
        x / y: The two groups (at least one value each).
        alternative: 'less' (x tends lower) or 'greater'.

    Returns:
        (U of ``x``, one-sided p, 'exact' or 'asymptotic'): exact when both groups have at most
        :data:`EXACT_MAX` values and no value is tied (scipy's 'auto' rule), else the normal
        approximation with tie and continuity corrections.
    """
    from scipy import stats  # here, not at import: scipy.stats takes ~0.6 s to import

    pooled = np.r_[x, y]
    tied = np.unique(pooled).size < pooled.size
    method = "exact" if max(len(x), len(y)) <= EXACT_MAX and not tied else "asymptotic"
    result = stats.mannwhitneyu(x, y, alternative=alternative, method=method)
    return float(result.statistic), float(result.pvalue), method


def compute_domain_claims(
    gt: GroundTruth,
    eval_a: EvalResult,
    eval_b: EvalResult,
    *,
    alpha: float = 0.05,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = 0,
) -> DomainClaims:
    """Test the look-alike and imprint claims on a comparison (module docstring).

    Args:
        gt: The ground truth both runs were evaluated against (its pill attributes).
        eval_a / eval_b: The runs' evaluations (their confusion matrices and per-class AP).
        alpha: Significance level of the verdicts.
        n_permutations: Permutations of the look-alike test.
        seed: Random seed of its permutations.

    Returns:
        The :class:`DomainClaims`; every claim ``'not_testable'`` (``'no_attributes'``) when
        the annotations carry no pill attributes.
    """
    check_inputs(
        "compute_domain_claims",
        gt=(gt, GroundTruth),
        eval_a=(eval_a, EvalResult),
        eval_b=(eval_b, EvalResult),
    )
    alpha = float(check_number(alpha, "alpha", low=0.0, low_open=True, high=1.0))
    attributes = class_attributes(gt, (SHAPE_KEY, *COLOUR_KEYS, *IMPRINT_KEYS))
    looks = {c: look for c, a in attributes.items() if (look := look_of(a)) is not None}
    imprints = {c: i for c, a in attributes.items() if (i := imprint_of(a)) is not None}
    claims = [
        _look_alike_claim(looks, eval_a, eval_b, alpha, n_permutations, seed),
        *(
            _imprint_ap_claim(imprints, ev, scope, alpha)
            for ev, scope in ((eval_a, "a"), (eval_b, "b"))
        ),
        _imprint_gap_claim(imprints, eval_a, eval_b, alpha),
    ]
    return DomainClaims(
        alpha=alpha,
        classes_with_look=len(looks),
        classes_with_imprint=len(imprints),
        claims=tuple(claims),
    )


def _verdict(p: float, alpha: float) -> tuple[str, str]:
    return ("supported", "p_below_alpha") if p < alpha else ("not_supported", "p_not_below_alpha")


def _swaps(ev: EvalResult) -> Counter[tuple[int, int]]:
    """(GT class, predicted class) → swaps, from the confusion matrix at the operating point."""
    cm = ev.confusion
    k = cm.category_ids.size
    block = cm.matrix[:k, :k]
    rows, cols = np.nonzero(block)
    ids = cm.category_ids.tolist()
    return Counter(
        {
            (ids[i], ids[j]): int(block[i, j])
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
            if i != j
        }
    )


def _look_alike_claim(
    looks: dict[int, tuple[str, str, str]],
    eval_a: EvalResult,
    eval_b: EvalResult,
    alpha: float,
    n_permutations: int,
    seed: int,
) -> ClaimTest:
    swaps_a, swaps_b = _swaps(eval_a), _swaps(eval_b)
    pooled = swaps_a + swaps_b
    known = {pair: n for pair, n in pooled.items() if pair[0] in looks and pair[1] in looks}
    classes = sorted(looks)
    distinct = sorted(set(looks.values()))
    details: dict[str, Any] = {
        "swaps_a": sum(swaps_a.values()),
        "swaps_b": sum(swaps_b.values()),
        "left_out": sum(pooled.values()) - sum(known.values()),
        "classes": len(classes),
        "look_alike_pairs": sum(
            1 for i, j in itertools.combinations(classes, 2) if looks[i] == looks[j]
        ),
        "score_threshold": eval_a.confusion.score_threshold,
        "iou_threshold": eval_a.confusion.iou_threshold,
    }
    base = {
        "code": "look_alike_swaps",
        "scope": "pooled",
        "test": "permutation",
        "alternative": "greater",
    }
    if len(classes) < 2:
        return ClaimTest(**base, verdict="not_testable", reason="no_attributes", details=details)
    if details["look_alike_pairs"] == 0:
        return ClaimTest(**base, verdict="not_testable", reason="no_look_alikes", details=details)
    if not known:
        return ClaimTest(**base, verdict="not_testable", reason="no_swaps", details=details)
    index = {c: i for i, c in enumerate(classes)}
    cells = sorted(known)
    result = same_label_permutation_test(
        np.array([(index[g], index[p]) for g, p in cells]),
        np.array([known[c] for c in cells]),
        np.array([distinct.index(looks[c]) for c in classes]),
        n_permutations=n_permutations,
        seed=seed,
    )
    verdict, reason = _verdict(result.p_value, alpha)
    details.update(
        same=result.same,
        expected_share=result.null_mean,
        permutations=result.permutations,
        exact=result.exact,
        top_look_alike_swaps=[
            {"gt": g, "predicted": p, "count": known[(g, p)]}
            for g, p in sorted(cells, key=lambda c: (-known[c], c))
            if looks[g] == looks[p]
        ][:5],
    )
    return ClaimTest(
        **base,
        verdict=verdict,
        reason=reason,
        statistic=result.same / result.total,
        p_value=result.p_value,
        n=result.total,
        details=details,
    )


def _class_ap(ev: EvalResult) -> dict[int, float]:
    return {c.category_id: float(c.ap) for c in ev.coco.per_class if c.ap is not None}


def _groups(imprints: dict[int, bool], values: dict[int, float]) -> tuple[list[int], list[int]]:
    absent = sorted(c for c in values if imprints.get(c) is False)
    present = sorted(c for c in values if imprints.get(c) is True)
    return absent, present


def _mann_whitney_claim(
    code: str,
    scope: str,
    imprints: dict[int, bool],
    values: dict[int, float],
    alternative: str,
    alpha: float,
    extra: Mapping[str, Any] | None = None,
) -> ClaimTest:
    absent, present = _groups(imprints, values)
    details: dict[str, Any] = {
        "no_imprint": absent,
        "n_no_imprint": len(absent),
        "n_imprint": len(present),
        "min_group": MIN_GROUP,
        **(extra or {}),
    }
    base = {"code": code, "scope": scope, "test": "mann_whitney_u", "alternative": alternative}
    if not imprints:
        return ClaimTest(**base, verdict="not_testable", reason="no_attributes", details=details)
    if len(absent) < MIN_GROUP or len(present) < MIN_GROUP:
        return ClaimTest(**base, verdict="not_testable", reason="too_few_classes", details=details)
    x, y = [values[c] for c in absent], [values[c] for c in present]
    u, p, method = mann_whitney(x, y, alternative)
    details.update(
        method=method, median_no_imprint=float(np.median(x)), median_imprint=float(np.median(y))
    )
    verdict, reason = _verdict(p, alpha)
    return ClaimTest(
        **base,
        verdict=verdict,
        reason=reason,
        statistic=u,
        p_value=p,
        n=len(x) + len(y),
        details=details,
    )


def _imprint_ap_claim(
    imprints: dict[int, bool], ev: EvalResult, scope: str, alpha: float
) -> ClaimTest:
    return _mann_whitney_claim("imprint_lower_ap", scope, imprints, _class_ap(ev), "less", alpha)


def _imprint_gap_claim(
    imprints: dict[int, bool], eval_a: EvalResult, eval_b: EvalResult, alpha: float
) -> ClaimTest:
    map_a, map_b = eval_a.coco.stats.get("map"), eval_b.coco.stats.get("map")
    if map_a is None or map_b is None or map_a == map_b:
        return ClaimTest(
            code="imprint_larger_gap",
            scope="gap",
            verdict="not_testable",
            reason="no_gap" if imprints else "no_attributes",
            test="mann_whitney_u",
            alternative="greater",
        )
    better, worse = (eval_b, eval_a) if map_b > map_a else (eval_a, eval_b)
    ap_better, ap_worse = _class_ap(better), _class_ap(worse)
    gap = {c: ap_better[c] - ap_worse[c] for c in ap_better.keys() & ap_worse.keys()}
    return _mann_whitney_claim(
        "imprint_larger_gap",
        "gap",
        imprints,
        gap,
        "greater",
        alpha,
        extra={"better": "b" if better is eval_b else "a"},
    )


__all__ = [
    "CLAIM_CODES",
    "MIN_GROUP",
    "N_PERMUTATIONS",
    "VERDICTS",
    "ClaimTest",
    "DomainClaims",
    "PermutationResult",
    "class_attributes",
    "compute_domain_claims",
    "imprint_of",
    "look_of",
    "mann_whitney",
    "same_label_permutation_test",
]
