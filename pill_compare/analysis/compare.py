"""`compare`: which of two runs is better, by how much, is it significant, where they disagree,
who was right, and whether class imbalance explains it — every part from one matching pass per
run.

Parts (each defined in its own module; nothing here re-matches or re-defines a metric):

* side by side: :func:`~pill_compare.analysis.evaluate.evaluate` of A and of B against the same
  ground truth, with the same parameters; ``metrics.delta`` = B − A. The per-class table has
  each run's AP, AP50 and recall at the operating point, and their deltas, sorted by |ΔAP|.
* disagreements: :func:`~pill_compare.analysis.disagreements.pair_models` (class-agnostic,
  greedy by score, one-to-one at ``pair_iou``, at the operating score threshold) and, with a
  ground truth, :func:`~pill_compare.analysis.disagreements.adjudicate` (a verdict per pair and
  per one-sided box, with its TIDE type);
* error breakdown per run: :func:`~pill_compare.analysis.error_types.compute_error_breakdown`
  (TIDE's types and ΔAP50 of fixing each), and again at the stricter ``tide_iou`` (0.75 by
  default: TIDE at 0.50 cannot see boxes that are found but placed loosely);
* causes: :func:`~pill_compare.analysis.causes.compute_causes` (AP at every IoU threshold, the
  matched boxes' IoU, the share of the mAP gap that is localization, the dominant cause);
* the domain's claims: :func:`~pill_compare.analysis.domain_claims.compute_domain_claims`
  (look-alike swaps, imprint-less classes' AP and gap, tested on the GT's pill attributes);
* significance: :func:`~pill_compare.analysis.significance.paired_bootstrap` (ΔmAP, ΔAP50, ΔF1
  with a percentile interval and p-value; same image resample for both runs; a random seed),
  :func:`~pill_compare.analysis.significance.mcnemar` (per GT object) and the verdict code on
  ``map`` (:func:`~pill_compare.analysis.significance.significance_verdict`);
* calibration: :func:`~pill_compare.analysis.calibration.compare_calibration` (each run's D-ECE
  at the operating IoU, ΔD-ECE with a paired image bootstrap interval);
* slices, when asked for: :func:`~pill_compare.analysis.slices.compare_slices` (both runs' mAP
  per value of an image or annotation attribute, ΔmAP with the paired bootstrap interval on the
  same resamples, and a Holm-corrected test of whether the gap differs between slices);
* imbalance vs performance, with training annotations:
  :func:`~pill_compare.analysis.support.support_vs_performance`;
* ground-truth audit: :func:`~pill_compare.analysis.gt_audit.audit_ground_truth` (boxes both
  runs agree on where the ground truth has nothing, GT boxes both runs call the same other class,
  and an *estimate* of the headline numbers with the former ignored; the real numbers stay);
* always (also without ground truth): the category-id :func:`~pill_compare.analysis.diff.diff`
  and :func:`~pill_compare.analysis.disagreements.agreement` (agreement, never accuracy);
* without a ground truth, with training annotations:
  :func:`~pill_compare.analysis.agreement_support.agreement_vs_support` (the training set's
  imbalance beside both runs' boxes per class, and which disagreements fall on rare classes).

Without a ground truth only the last two lines are computed; every other part is None.

Category names (every label of the report): a class map's (``category_names``) first, then
the ground truth's, then the training annotations'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.agreement_support import AgreementSupport, agreement_vs_support
from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.analysis.calibration import CalibrationComparison, compare_calibration
from pill_compare.analysis.causes import Causes, compute_causes
from pill_compare.analysis.coco_metrics import (
    COCO_MAX_DETS,
    COMPETITION_IOU,
    COMPETITION_KEY,
    accumulate_precision_recall,
    summarize_precision_recall,
)
from pill_compare.analysis.diff import DiffResult, diff
from pill_compare.analysis.disagreements import (
    Agreement,
    Disagreements,
    Pairing,
    adjudicate,
    agreement,
    pair_models,
)
from pill_compare.analysis.domain_claims import DomainClaims, compute_domain_claims
from pill_compare.analysis.error_types import ErrorBreakdown, compute_error_breakdown
from pill_compare.analysis.evaluate import EvalResult, evaluate
from pill_compare.analysis.gt_audit import GtAudit, audit_ground_truth
from pill_compare.analysis.lrp import LrpComparison, compare_lrp
from pill_compare.analysis.matching import MatchTable, coco_iou_thresholds
from pill_compare.analysis.slices import SliceComparison, SliceSpec, compare_slices
from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import ConsistencyError
from pill_compare.io.category_names import CategoryNames
from pill_compare.parallel import in_background, run_parallel

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: Operating-point and accuracy numbers compared beside the 12 COCO stats (key → where it is).
OPERATING_METRICS = ("precision", "recall", "f1")
ACCURACY_METRICS = ("classification_accuracy", "image_exact_match")


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """Everything ``pillcmp compare`` reports (see the module docstring for each part).

    Attributes:
        names: Display names of A and B.
        parameters: The settings every part used (thresholds, pairing IoU, bootstrap size, random seed).
        diff: The category-id diff per image (with the ground truth's images when given).
        pairing: A's and B's boxes paired at the operating score threshold.
        agreement: Agreement of the pairing (no ground truth needed; not accuracy).
        eval_a / eval_b: Each run's evaluation (None without a ground truth).
        disagreements: The pairing adjudicated by ground truth (None without one).
        errors_a / errors_b: TIDE error breakdowns (None without a ground truth).
        bootstrap / mcnemar / verdict: Significance (None without a ground truth, or bootstrap
            None when ``n_bootstrap`` is 0).
        support: Training support vs per-class performance (None without training
            annotations).
        caveats: Loading and evaluation warnings of both runs, each once.
        diagnosis: What the input check found on the runs as loaded
            (:func:`~pill_compare.analysis.diagnosis.prepare_runs`), None when it was not run.
            While a blocking finding stands no better model is named.
        gt_audit: Likely missing and wrong annotations, and the numbers if completed (an
            estimate beside the real ones; None without a ground truth).
        errors_strict_a / errors_strict_b: TIDE error breakdowns at ``parameters['tide_iou']``
            (None without a ground truth or without that threshold).
        causes: AP by IoU threshold and where the gap comes from (None without a ground truth).
        agreement_support: Without a ground truth, with training annotations: the training
            set's imbalance beside both runs' boxes and disagreements per class (None
            otherwise).
        class_map: The class map the category names came from (None without one).
        calibration: Both runs' D-ECE at the operating IoU, ΔD-ECE = B − A with its paired
            bootstrap interval (:func:`~pill_compare.analysis.calibration.compare_calibration`;
            None without a ground truth).
        lrp: Both runs' optimal LRP (IoU 0.5), ΔoLRP = B − A with its paired bootstrap
            interval (:func:`~pill_compare.analysis.lrp.compare_lrp`; None without a ground
            truth).
        claims: The domain's claims (look-alike swaps, imprint-less classes) tested on the
            ground truth's pill attributes, each supported / not supported / not testable
            (:func:`~pill_compare.analysis.domain_claims.compute_domain_claims`; None without a
            ground truth).
        slices: A vs B per slice of each key asked for
            (:func:`~pill_compare.analysis.slices.compare_slices`); empty when none was.
    """

    names: tuple[str, str]
    parameters: dict[str, Any]
    diff: DiffResult
    pairing: Pairing
    agreement: Agreement
    eval_a: EvalResult | None = None
    eval_b: EvalResult | None = None
    disagreements: Disagreements | None = None
    errors_a: ErrorBreakdown | None = None
    errors_b: ErrorBreakdown | None = None
    bootstrap: Any = None
    mcnemar: Any = None
    verdict: Any = None
    support: Any = None
    caveats: tuple[str, ...] = ()
    diagnosis: Any = None
    gt_audit: GtAudit | None = None
    errors_strict_a: ErrorBreakdown | None = None
    errors_strict_b: ErrorBreakdown | None = None
    causes: Causes | None = None
    agreement_support: AgreementSupport | None = None
    class_map: CategoryNames | None = None
    calibration: CalibrationComparison | None = None
    lrp: LrpComparison | None = None
    claims: DomainClaims | None = None
    slices: tuple[SliceComparison, ...] = ()

    @property
    def has_ground_truth(self) -> bool:
        return self.eval_a is not None

    @property
    def blocked(self) -> bool:
        """True while a blocking input finding stands (the inputs make the comparison
        meaningless: no better model is named)."""
        return self.diagnosis is not None and bool(self.diagnosis.blocking)

    def __repr__(self) -> str:
        shown = ""
        if self.eval_a is not None and self.eval_b is not None:
            a, b = self.eval_a.coco.stats.get("map"), self.eval_b.coco.stats.get("map")
            shown = f", map_a={_short(a)}, map_b={_short(b)}"
        if self.verdict is not None:
            shown += f", verdict={self.verdict.code!r}"
        return (
            f"ComparisonResult(a={self.names[0]!r}, b={self.names[1]!r}{shown}, "
            f"pairs={self.pairing.counts()})"
        )

    def metrics(self) -> dict[str, dict[str, float | None]]:
        """``{'a': {stat: value}, 'b': {...}, 'delta': {...}}``: the 12 COCO stats (as ``eval``
        names them), the competition's ``map_75_95`` (mAP@[0.75:0.95]; None unless the COCO
        thresholds include those), micro precision / recall / F1 at the operating point and both
        accuracies.
        Empty without a ground truth; a delta is None where either value is."""
        if self.eval_a is None or self.eval_b is None:
            return {}
        a, b = _headline(self.eval_a), _headline(self.eval_b)
        delta = {k: None if a[k] is None or b[k] is None else b[k] - a[k] for k in a}
        return {"a": a, "b": b, "delta": delta}

    def per_class_frame(self) -> pd.DataFrame:
        """One row per declared category: name, GT support, each run's AP, AP50 and recall at the
        operating point, the deltas B − A; sorted by |ΔAP| (largest first; undefined last)."""
        import pandas as pd

        if self.eval_a is None or self.eval_b is None:
            return pd.DataFrame()
        fa, fb = self.eval_a.to_frame(), self.eval_b.to_frame()
        keep = ["ap", "ap_50", "recall"]
        frame = fa[["category_id", "name", "gt"]].copy()
        for key in keep:
            a = pd.to_numeric(fa[key], errors="coerce").to_numpy(dtype=np.float64)
            b = pd.to_numeric(fb[key], errors="coerce").to_numpy(dtype=np.float64)
            frame[f"{key}_a"] = a
            frame[f"{key}_b"] = b
            frame[f"{key}_delta"] = b - a
        order = np.lexsort(
            (frame["category_id"].to_numpy(), -np.nan_to_num(np.abs(frame["ap_delta"]), nan=-1))
        )
        return frame.iloc[order].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The per-class table (:meth:`per_class_frame`); the diff's table without GT."""
        return self.per_class_frame() if self.has_ground_truth else self.diff.to_frame()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready. Key paths other tools read (issue 9): ``metrics.{a,b,delta}.<stat>``,
        ``disagreements.counts``, ``disagreements.swap_verdicts``, ``disagreements.swap_patterns``,
        ``errors.{a,b}.<type>.{count,delta_ap}``, ``significance.bootstrap.<metric>``,
        ``significance.mcnemar``, ``imbalance.spearman.{a,b}``; ``errors_strict.{a,b}.<type>``
        (TIDE at ``parameters.tide_iou``), ``causes.iou_thresholds``,
        ``causes.ap_by_iou.{a,b}`` (one AP per threshold, in threshold order),
        ``causes.localization_share``, ``causes.dominant``;
        ``gt_audit.likely_missing.count``, ``gt_audit.likely_wrong_label.count``,
        ``gt_audit.if_completed.{a,b}.<metric>`` (an estimate; the real numbers stay in
        ``metrics``); ``diagnosis.findings``; ``calibration.{a,b}.ece`` (D-ECE),
        ``calibration.delta``, ``calibration.ci``, ``calibration.finding``. Without a ground truth also (issue 15):
        ``disagreements.patterns`` (``[{a_category_id, a_name, b_category_id, b_name, count,
        images, image_ids}]``, most first), ``disagreements.one_sided.per_class``,
        ``detections.per_class`` (``[{category_id, name, a, b}]``: boxes at the operating
        point) and, with training annotations, ``imbalance.ratio`` (max / min training
        annotations per class) with the other indices and ``imbalance.disagreements``
        (how many fall on rare classes). With a ground truth matched at IoU 0.5 (issue 17):
        ``lrp.{a,b}.olrp`` and ``lrp.{a,b}.per_class`` (oLRP per class with its ``threshold``),
        ``lrp.delta`` (ΔoLRP = B − A), ``lrp.ci``, ``lrp.n_resamples``, ``lrp.finding``;
        ``claims.claims`` (``[{code, scope, verdict, reason, test, alternative, statistic,
        p_value, n, details}]``: the domain's claims tested on the GT's pill attributes);
        with slices asked for, ``slices``: one entry per slice value
        (:meth:`~pill_compare.analysis.slices.SliceComparison.records`)."""
        out: dict[str, Any] = {
            "names": {"a": self.names[0], "b": self.names[1]},
            "parameters": _jsonable(self.parameters),
            "ground_truth": self.has_ground_truth,
            "metrics": self.metrics(),
            "per_class": _records(self.per_class_frame()),
        }
        if self.disagreements is not None:
            out["disagreements"] = self.disagreements.to_dict()
        else:
            out["disagreements"] = {**self.pairing.to_dict(), **self._agreement_dict()}
            out["detections"] = {"per_class": self._detections_per_class()}
        out["agreement"] = self.agreement.to_dict()
        if self.errors_a is not None and self.errors_b is not None:
            out["errors"] = {"a": self.errors_a.to_dict(), "b": self.errors_b.to_dict()}
        if self.errors_strict_a is not None and self.errors_strict_b is not None:
            out["errors_strict"] = {
                "a": self.errors_strict_a.to_dict(),
                "b": self.errors_strict_b.to_dict(),
            }
        if self.causes is not None:
            out["causes"] = self.causes.to_dict()
        if self.claims is not None:
            out["claims"] = self.claims.to_dict()
        if self.mcnemar is not None:
            out["significance"] = {
                "bootstrap": None if self.bootstrap is None else self.bootstrap.to_dict(),
                "mcnemar": self.mcnemar.to_dict(),
                "verdict": None if self.verdict is None else self.verdict.to_dict(),
            }
        if self.support is not None:
            out["imbalance"] = self.support.to_dict()
        elif self.agreement_support is not None:
            out["imbalance"] = self.agreement_support.to_dict()
        if self.class_map is not None:
            out["class_map"] = self.class_map.to_dict()
        if self.gt_audit is not None:
            out["gt_audit"] = self.gt_audit.to_dict()
        out["diff"] = self.diff.to_dict()
        out["caveats"] = list(self.caveats)
        if self.calibration is not None:
            out["calibration"] = self.calibration.to_dict()
        if self.diagnosis is not None:
            out["diagnosis"] = self.diagnosis.to_dict()
        if self.lrp is not None:
            out["lrp"] = self.lrp.to_dict()
        if self.slices:
            out["slices"] = [rec for c in self.slices for rec in c.records()]
        return out

    def _name(self, category_id: int) -> str:
        return self.diff.category_names.get(category_id, "")

    def _agreement_dict(self) -> dict[str, Any]:
        """The no-ground-truth disagreement keys: swap patterns, one-sided boxes per class."""
        frame = self.agreement.class_frame()
        one_sided = frame[(frame["a_only"] > 0) | (frame["b_only"] > 0)]
        return {
            "patterns": [
                {
                    "a_category_id": s.a,
                    "a_name": self._name(s.a),
                    "b_category_id": s.b,
                    "b_name": self._name(s.b),
                    "count": s.swaps,
                    "images": s.images,
                    "image_ids": list(s.image_ids),
                }
                for s in self.pairing.swap_patterns()
            ],
            "one_sided": {
                "per_class": [
                    {
                        "category_id": int(c),
                        "name": self._name(int(c)),
                        "a_only": int(a),
                        "b_only": int(b),
                    }
                    for c, a, b in zip(
                        one_sided["category_id"],
                        one_sided["a_only"],
                        one_sided["b_only"],
                        strict=True,
                    )
                ]
            },
        }

    def _detections_per_class(self) -> list[dict[str, Any]]:
        """Boxes per category at the operating point, per run (every category either used)."""
        frame = self.agreement.class_frame()
        return [
            {"category_id": int(c), "name": self._name(int(c)), "a": int(a), "b": int(b)}
            for c, a, b in zip(
                frame["category_id"], frame["a_boxes"], frame["b_boxes"], strict=True
            )
        ]


def compare(
    gt: GroundTruth | None,
    a: Detections,
    b: Detections,
    *,
    train_gt: GroundTruth | None = None,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
    pair_iou: float = 0.5,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    n_bootstrap: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    rare_threshold: int = 10,
    tide_iou: float | str | None = "auto",
    progress: Any = None,
    diagnosis: Any = None,
    category_names: CategoryNames | Mapping[int, str] | None = None,
    slices: Sequence[str | SliceSpec] = (),
) -> ComparisonResult:
    """Compare run A with run B (B − A everywhere), against ``gt`` when given.

    Args:
        gt: The ground truth, or None for what can be known without it (the diff, the pairing
            and its agreement).
        a / b: The runs (loaded with ``load_results(..., gt=gt)``; detections with ids the
            ground truth lacks are left out as ``evaluate`` leaves them out).
        train_gt: Training annotations: adds support vs per-class AP and recall (Spearman);
            without ``gt``, the imbalance of the training set beside where the runs disagree
            (:func:`~pill_compare.analysis.agreement_support.agreement_vs_support`).
        score_threshold: The operating point's score s: the pairing, P/R/F1, accuracies,
            McNemar, verdicts.
        iou_threshold: The operating point's IoU u.
        pair_iou: IoU at which an A box and a B box are the same object.
        iou_thresholds / max_dets: COCO settings, as for ``evaluate``.
        n_bootstrap: Paired bootstrap resamples (0: no bootstrap).
        seed: The bootstrap's random seed.
        alpha: Significance level of the verdict.
        rare_threshold: A class with fewer training annotations is rare.
        tide_iou: The stricter IoU of the second TIDE breakdown: 'auto' = 0.75 when the COCO
            thresholds hold it (pycocotools' default ones do), else none; None = none; a number
            must be one of the COCO thresholds.
        progress: Optional callable ``progress(step: str)`` told when each part starts (the CLI
            shows it); analysis never prints.
        diagnosis: The input check's :class:`~pill_compare.analysis.diagnosis.Diagnosis` of
            these runs (from :func:`~pill_compare.analysis.diagnosis.prepare_runs`), kept in
            the result: the report shows it first and names no better model while a blocking
            finding stands.
        category_names: Category id → name (a class map,
            :func:`~pill_compare.io.category_names.load_category_names`): the names every
            label uses, before the ground truth's and the training annotations'.
        slices: Slice keys ('objects_per_image', 'image_size', an annotation attribute such as
            'drug_shape') or :class:`~pill_compare.analysis.slices.SliceSpec` objects: A vs B
            per slice of each, on the bootstrap's resamples (ignored without a ground truth).

    Returns:
        The :class:`ComparisonResult`.

    Raises:
        TypeError: arguments of the wrong type.
        ValueError: thresholds out of range, or ``tide_iou`` not among the COCO thresholds.
        ConsistencyError: the ground truth has no annotations, or lacks a slice key.
    """
    check_inputs("compare", a=(a, Detections), b=(b, Detections))
    if gt is not None:
        check_inputs("compare", gt=(gt, GroundTruth))
    if train_gt is not None:
        check_inputs("compare", train_gt=(train_gt, GroundTruth))
    class_map = category_names if isinstance(category_names, CategoryNames) else None
    if category_names is not None and not isinstance(category_names, CategoryNames | Mapping):
        raise TypeError(
            "Expected category_names to be a mapping category_id -> name (or CategoryNames), "
            f"got {type(category_names).__name__}"
        )
    known = gt if gt is not None else train_gt
    names = {
        **(known.category_names if known is not None else {}),
        **(class_map.names if class_map is not None else dict(category_names or {})),
    }
    n_bootstrap = int(check_number(n_bootstrap, "n_bootstrap", low=0, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    parameters = {
        "score_threshold": float(score_threshold),
        "iou_threshold": float(iou_threshold),
        "pair_iou": float(pair_iou),
        "n_bootstrap": n_bootstrap,
        "seed": seed,
        "alpha": float(alpha),
        "max_dets": list(max_dets),
        "rare_threshold": int(rare_threshold),
    }
    step("diff")
    result_diff = diff(a, b, gt=gt, category_names=names)
    if gt is None:
        return _without_ground_truth(
            a, b, result_diff, parameters, train_gt, diagnosis, class_map, step
        )

    if len(gt.annotations) == 0:
        raise ConsistencyError(
            f"{gt.source or 'the ground truth'}: the ground truth has no annotations, so there is "
            "nothing to compare against"
        )
    step(f"evaluate {a.name}, {b.name}")
    settings = {
        "iou_thresholds": iou_thresholds,
        "max_dets": max_dets,
        "score_threshold": score_threshold,
        "iou_threshold": iou_threshold,
    }
    # Independent parts of A and of B run side by side (pill_compare/parallel.py): same numbers.
    ev_a, ev_b = run_parallel(
        lambda: evaluate(gt, a, **settings), lambda: evaluate(gt, b, **settings)
    )
    table_a, table_b = ev_a.matches, ev_b.matches
    parameters["iou_thresholds"] = ev_a.coco.iou_thresholds.tolist()

    # Imported here: scipy costs ~0.6 s to import, and `import pill_compare` must stay light.
    from pill_compare.analysis.significance import mcnemar, significance_verdict

    pending, scores_job = _start_resampling(
        table_a, table_b, ev_a.coco.iou_thresholds, parameters, step
    )
    with scores_job, pending if pending is not None else nullcontext():
        step("error types, pairing")
        strict = _strict_tide_iou(tide_iou, ev_a.coco.iou_thresholds)
        parameters["tide_iou"] = strict
        # The pairing (A's boxes with B's) beside TIDE of A and TIDE of B: ~1.3 s, 0.8 s, 0.8 s.
        pairing, (errors_a, errors_strict_a), (errors_b, errors_strict_b) = run_parallel(
            lambda: pair_models(
                table_a.dets, table_b.dets, score_threshold=score_threshold, pair_iou=pair_iou
            ),
            lambda: _error_types(table_a, strict),
            lambda: _error_types(table_b, strict),
        )
        step("causes")
        causes = compute_causes(ev_a, ev_b, errors_a, errors_b)
        claims = compute_domain_claims(gt, ev_a, ev_b, alpha=alpha, seed=seed)
        step("verdicts")
        disagreements = adjudicate(
            pairing,
            table_a,
            table_b,
            errors_a.assignment,
            errors_b.assignment,
            iou_threshold=iou_threshold,
        )
        step("ground-truth audit")
        audit = audit_ground_truth(
            pairing,
            table_a,
            table_b,
            score_threshold=score_threshold,
            pair_iou=pair_iou,
            iou_threshold=iou_threshold,
            iou_thresholds=ev_a.coco.iou_thresholds,
            max_dets=ev_a.coco.max_dets,
        )
        if diagnosis is not None:
            from pill_compare.analysis.diagnosis.annotations import audit_findings

            diagnosis = diagnosis.extended(
                audit_findings(
                    audit, gt_file=gt.source, gt_boxes=int((~gt.annotations.iscrowd).sum())
                ),
                "gt_audit",
            )
        # McNemar (and scipy.stats' import, ~0.5 s) while the bootstrap's children still work.
        step("McNemar")
        test = mcnemar(
            table_a, table_b, score_threshold=score_threshold, iou_threshold=iou_threshold
        )
        if train_gt is not None and pending is not None:
            # The support analysis after the bootstrap needs scipy.stats (0.85-0.98 s to
            # import): imported now, while the bootstrap's children still work.
            from scipy import stats  # noqa: F401
        bootstrap = verdict = None
        if pending is not None:
            step(f"bootstrap ({n_bootstrap} resamples): waiting for it")
            bootstrap = pending.result()
            verdict = significance_verdict(bootstrap, "map", alpha=alpha)
        step("calibration, optimal LRP")
        calibration, lrp = scores_job.result()
        support = _training_support(train_gt, ev_a, ev_b, pairing, rare_threshold, alpha, step)
        return ComparisonResult(
            names=result_diff.names,
            parameters=parameters,
            diff=result_diff,
            pairing=pairing,
            agreement=agreement(pairing, image_ids=gt.images.id),
            eval_a=ev_a,
            eval_b=ev_b,
            disagreements=disagreements,
            errors_a=errors_a,
            errors_b=errors_b,
            bootstrap=bootstrap,
            mcnemar=test,
            verdict=verdict,
            support=support,
            caveats=_unique(
                [*ev_a.caveats, *ev_b.caveats, *(train_gt.warnings if train_gt else ())]
            ),
            diagnosis=diagnosis,
            gt_audit=audit,
            errors_strict_a=errors_strict_a,
            errors_strict_b=errors_strict_b,
            causes=causes,
            class_map=class_map,
            calibration=calibration,
            lrp=lrp,
            claims=claims,
            slices=_slices(table_a, table_b, slices, parameters, ev_a.coco.max_dets, step),
        )


def _start_resampling(
    table_a: MatchTable,
    table_b: MatchTable,
    iou_thresholds: np.ndarray,
    parameters: Mapping[str, Any],
    step: Any,
) -> tuple[Any, Any]:
    """Start the resampling parts, which read only the two match tables: the paired bootstrap
    (the longest part) and calibration + optimal LRP with their own bootstraps. At COCO scale
    they run in child processes while the caller goes on (pill_compare/parallel.py; the same
    numbers either way); no progress step comes from a child (it must not draw).

    Returns:
        (the :class:`~pill_compare.analysis.significance.PendingBootstrap` or None without
        resamples, the :class:`~pill_compare.parallel.Background` of ``_scores``).
    """
    from pill_compare.analysis.significance import FORK_WORK, start_paired_bootstrap

    n_bootstrap, seed = parameters["n_bootstrap"], parameters["seed"]
    score_threshold, iou_threshold = parameters["score_threshold"], parameters["iou_threshold"]
    pending = None
    if n_bootstrap:
        step(f"bootstrap ({n_bootstrap} resamples)")
        pending = start_paired_bootstrap(
            table_a,
            table_b,
            n_resamples=n_bootstrap,
            seed=seed,
            score_threshold=score_threshold,
            iou_threshold=iou_threshold,
            iou_thresholds=iou_thresholds,
            max_dets=parameters["max_dets"],
        )
    scores_job = in_background(
        lambda: _scores(
            table_a, table_b, iou_threshold, n_bootstrap, seed, parameters["alpha"], _silent
        ),
        fork=n_bootstrap * (table_a.n_dets + table_b.n_dets) >= FORK_WORK,
    )
    return pending, scores_job


def _silent(*_: object) -> None:
    """A progress callback that shows nothing (for work in a child process)."""


def _error_types(
    table: MatchTable, strict: float | None
) -> tuple[ErrorBreakdown, ErrorBreakdown | None]:
    """One run's TIDE breakdown at IoU 0.5, and at ``strict`` unless that is None."""
    loose = compute_error_breakdown(table)
    return loose, None if strict is None else compute_error_breakdown(table, fg_iou=strict)


def _slices(
    table_a: MatchTable,
    table_b: MatchTable,
    keys: Sequence[str | SliceSpec],
    parameters: Mapping[str, Any],
    max_dets: Sequence[int],
    step: Any,
) -> tuple[SliceComparison, ...]:
    """A vs B per slice of each key, on the resamples of the paired bootstrap."""
    if not keys:
        return ()
    step("slices")
    return compare_slices(
        table_a,
        table_b,
        keys,
        n_resamples=parameters["n_bootstrap"],
        seed=parameters["seed"],
        alpha=parameters["alpha"],
        iou_thresholds=parameters["iou_thresholds"],
        max_dets=max_dets,
    )


def _scores(
    table_a: MatchTable,
    table_b: MatchTable,
    iou_threshold: float,
    n_bootstrap: int,
    seed: int,
    alpha: float,
    step: Any,
) -> tuple[CalibrationComparison, LrpComparison]:
    """What the scores are worth: calibration at the operating IoU (``evaluate`` matched
    there, so the tables hold it) and optimal LRP at IoU 0.5 (TIDE needs the tables matched
    there too), each with the paired bootstrap's random seed."""
    step("calibration")
    calibration = compare_calibration(
        table_a,
        table_b,
        iou_threshold=iou_threshold,
        n_resamples=n_bootstrap,
        seed=seed,
        alpha=alpha,
    )
    step("optimal LRP")
    lrp = compare_lrp(table_a, table_b, n_resamples=n_bootstrap, seed=seed, alpha=alpha)
    return calibration, lrp


def _training_support(
    train_gt: GroundTruth | None,
    ev_a: EvalResult,
    ev_b: EvalResult,
    pairing: Pairing,
    rare_threshold: int,
    alpha: float,
    step: Any,
) -> Any:
    """Training support vs per-class performance, or None without training annotations."""
    if train_gt is None:
        return None
    from pill_compare.analysis.support import support_vs_performance

    step("support vs AP")
    return support_vs_performance(
        train_gt,
        ev_a,
        ev_b,
        disagreement_by_class=pairing.disagreements_by_class(),
        rare_threshold=rare_threshold,
        alpha=alpha,
    )


#: The stricter IoU of the second TIDE breakdown when the thresholds hold it.
STRICT_TIDE_IOU = 0.75


def _strict_tide_iou(value: float | str | None, thresholds: np.ndarray) -> float | None:
    """``tide_iou`` resolved against the evaluation's thresholds (see ``compare``)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(f"Expected tide_iou to be 'auto', None or a number, got {value!r}")
        return STRICT_TIDE_IOU if np.any(thresholds == STRICT_TIDE_IOU) else None
    iou = check_number(value, "tide_iou", low=0.0, low_open=True, high=1.0)
    if not np.any(thresholds == iou):
        raise ValueError(
            f"Expected tide_iou among the COCO IoU thresholds {thresholds.tolist()}, got {value}"
        )
    return float(iou)


def _without_ground_truth(
    a: Detections,
    b: Detections,
    result_diff: DiffResult,
    parameters: dict[str, Any],
    train_gt: GroundTruth | None,
    diagnosis: Any,
    class_map: Any,
    step: Any,
) -> ComparisonResult:
    """What can be known without a ground truth: the pairing, its agreement and, with training
    annotations, the imbalance beside where the runs disagree. Only the parameters that apply
    (the pairing's, and the rare rule with training annotations)."""
    kept = {k: parameters[k] for k in ("score_threshold", "pair_iou")}
    if train_gt is not None:
        kept["rare_threshold"] = parameters["rare_threshold"]
    step("pairing")
    pairing = pair_models(a, b, score_threshold=kept["score_threshold"], pair_iou=kept["pair_iou"])
    training = None
    if train_gt is not None:
        step("training support")
        training = agreement_vs_support(
            train_gt, pairing, rare_threshold=parameters["rare_threshold"]
        )
    return ComparisonResult(
        names=result_diff.names,
        parameters=kept,
        diff=result_diff,
        pairing=pairing,
        agreement=agreement(pairing),
        caveats=_unique([*a.warnings, *b.warnings, *(train_gt.warnings if train_gt else ())]),
        diagnosis=diagnosis,
        agreement_support=training,
        class_map=class_map,
    )


def competition_map(ev: EvalResult) -> float | None:
    """mAP@[0.75:0.95] (the competition's metric) from ``ev``'s match table, or None when the
    table was not matched at those thresholds. Equals ``evaluate(..., iou_thresholds=
    coco_iou_thresholds(0.75, 0.95, 0.05)).coco.stats['map']`` (no re-matching: the thresholds
    of pycocotools' 0.50:0.95 include the five values bit for bit). Computed once per result
    (kept on it): a report reads the headline metrics four times or more, and each read
    accumulated both runs again (0.061-0.064 s at COCO scale)."""
    cached = ev.__dict__.get("_competition_map", ev)
    if cached is not ev:
        return cached
    thresholds = coco_iou_thresholds(*COMPETITION_IOU)
    value = None
    if np.isin(thresholds, ev.matches.iou_thresholds).all():
        pr = accumulate_precision_recall(
            ev.matches, iou_thresholds=thresholds, max_dets=ev.coco.max_dets, area_names=("all",)
        )
        value = summarize_precision_recall(pr)["map"]
    object.__setattr__(ev, "_competition_map", value)
    return value


def _headline(ev: EvalResult) -> dict[str, float | None]:
    out: dict[str, float | None] = dict(ev.coco.stats)
    out[COMPETITION_KEY] = competition_map(ev)
    micro = ev.operating_point.micro
    for key in OPERATING_METRICS:
        out[key] = _finite(getattr(micro, key))
    for key in ACCURACY_METRICS:
        out[key] = _finite(getattr(ev.accuracy, key))
    return out


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _short(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
