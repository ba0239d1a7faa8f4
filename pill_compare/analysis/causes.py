"""Where the mAP gap between two runs comes from: AP at each IoU threshold, the IoU of matched
boxes, the share of the gap that is localization, and the dominant cause.

Definitions (every number from the evaluations' COCO precision arrays and match tables; nothing
is matched again):

* ``AP_t`` of a run at IoU threshold t: pycocotools' precision at t (area 'all', the largest
  ``maxDets``) averaged over the 101 recall points and the categories with GT, exactly as
  pycocotools' ``summarize`` averages one threshold's slice (``AP_0.50`` is ``stats['map_50']``
  and ``AP_0.75`` is ``stats['map_75']`` bit for bit). Which entries are defined depends only on
  the GT counts, not on t, so the mean of ``AP_t`` over the thresholds is ``stats['map']``
  (equal up to floating-point rounding: the order of the additions differs).
* ``Δ`` = mAP_B − mAP_A = mean_t ΔAP_t with ΔAP_t = AP_t(B) − AP_t(A).
* ``Δ_loose`` = ΔAP at the loosest threshold of the evaluation (t = 0.50 by default): the part
  of the gap that detection and classification make (a box counts as found at IoU >= 0.50).
* ``Δ_loc`` = Δ − Δ_loose: how much faster one run's AP decays as the IoU gets stricter, i.e.
  the part of the gap that comes from placing boxes less precisely (mean_t (ΔAP_t − Δ_loose)).
* ``localization_share`` = Δ_loc / Δ; None when |Δ| < :data:`MIN_GAP` (no gap to share out).
  It is not confined to [0, 1]: when the runs' order at IoU 0.50 is the reverse of their order
  in mAP, Δ_loose and Δ differ in sign and the share exceeds 1.
* Matched IoU of a run: the IoU (pycocotools' ``bbIou``) of every true positive at the loosest
  threshold (area 'all', rank < the largest ``maxDets``, every score) with the GT box it
  matched: count, mean, quantiles (:data:`IOU_QUANTILES`) and a histogram over
  [loosest threshold, 1] in :data:`IOU_BINS` equal bins (the last bin includes 1).
* Dominant cause, a code among 'localization', 'classification', 'duplicates', 'background',
  'missed', with the number behind it (:class:`DominantCause`):

  1. 'localization' when ``localization_share`` >= 0.5: share = ``localization_share``,
     value = Δ_loc, basis 'ap_by_iou';
  2. otherwise TIDE's oracle fixes at IoU 0.50 decide (basis 'tide'): for each group
     (cls → 'classification', loc + both → 'localization', dupe → 'duplicates',
     bkg → 'background', miss → 'missed') value = ΔAP50 of fixing it in the worse run (lower
     mAP) − ΔAP50 of fixing it in the better run (the two types of the loc group summed);
     the group with the largest value wins (ties: the order above), provided that value is
     > 0; share = value / (AP50 of the better run − AP50 of the worse run), the part of the
     AP50 gap that group accounts for (None when that gap is < :data:`MIN_GAP`; TIDE's fixes
     are not additive, so the shares of the groups need not sum to 1);
  3. None when |Δ| < :data:`MIN_GAP`, or no group's value is > 0 (or no breakdown was given).

No sentence is produced here: codes and numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs
from pill_compare.analysis.boxes import box_iou_pairs
from pill_compare.analysis.error_types import ErrorBreakdown
from pill_compare.analysis.evaluate import EvalResult
from pill_compare.analysis.matching import TP

#: A gap smaller than this (in AP) is no gap: shares are None below it.
MIN_GAP = 1e-9
#: Share of the gap from which localization is the dominant cause.
LOCALIZATION_DOMINANT = 0.5
#: Quantiles of the matched-IoU distribution.
IOU_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
#: Histogram bins of the matched-IoU distribution, over [loosest threshold, 1].
IOU_BINS = 20
#: TIDE groups of the dominant-cause rule, in tie order: code → TIDE type keys.
TIDE_GROUPS: dict[str, tuple[str, ...]] = {
    "classification": ("cls",),
    "localization": ("loc", "both"),
    "duplicates": ("dupe",),
    "background": ("bkg",),
    "missed": ("miss",),
}
#: Every dominant-cause code.
CAUSE_CODES = tuple(TIDE_GROUPS)


@dataclass(frozen=True)
class MatchedIoU:
    """IoU of one run's true positives at the loosest threshold with their GT boxes.

    Attributes:
        iou_threshold: The threshold the true positives were matched at (the loosest).
        n: True positives counted.
        mean: Their mean IoU (None when n = 0).
        quantiles: Quantile level → IoU (``numpy.quantile``, linear), None when n = 0.
        edges: (IOU_BINS + 1,) histogram bin edges, from ``iou_threshold`` to 1.
        counts: (IOU_BINS,) true positives per bin (the last bin includes 1).
    """

    iou_threshold: float
    n: int
    mean: float | None
    quantiles: dict[float, float | None]
    edges: tuple[float, ...]
    counts: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "iou_threshold": self.iou_threshold,
            "n": self.n,
            "mean": self.mean,
            "quantiles": {f"{q:g}": v for q, v in self.quantiles.items()},
            "histogram": {"edges": list(self.edges), "counts": list(self.counts)},
        }


@dataclass(frozen=True)
class DominantCause:
    """The cause that makes most of the gap, by the rule in the module docstring.

    Attributes:
        code: 'localization', 'classification', 'duplicates', 'background' or 'missed'.
        basis: 'ap_by_iou' (the localization share decided) or 'tide' (TIDE's fixes at 0.50).
        value: For 'ap_by_iou', Δ_loc (mAP points); for 'tide', ΔAP50 of fixing the group in
            the worse run minus in the better run.
        share: For 'ap_by_iou', the localization share of Δ; for 'tide', ``value`` / the AP50
            gap between the runs (None when that gap is ~0).
    """

    code: str
    basis: str
    value: float
    share: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "basis": self.basis, "value": self.value, "share": self.share}


@dataclass(frozen=True, eq=False)
class Causes:
    """AP at every IoU threshold of two runs and where their gap comes from (module docstring).

    Attributes:
        names: The runs' display names (A, B).
        iou_thresholds: (T,) the evaluation's thresholds, ascending as evaluated.
        ap_by_iou_a / ap_by_iou_b: AP_t of each run per threshold (None where no category has
            GT).
        map_a / map_b: Each run's reported mAP (``coco.stats['map']``).
        delta: Δ = mean_t ΔAP_t (B − A).
        loose_iou: The loosest threshold (0.50 by default).
        delta_loose: ΔAP at ``loose_iou``.
        delta_localization: Δ_loc = Δ − Δ_loose.
        localization_share: Δ_loc / Δ, None when |Δ| < MIN_GAP.
        matched_iou_a / matched_iou_b: The matched-IoU distributions.
        tide_gap: TIDE group code → ΔAP50(worse) − ΔAP50(better) (None for a group with an
            undefined ΔAP, or without breakdowns or a gap).
        dominant: The dominant cause, or None (module docstring, rule 3).
    """

    names: tuple[str, str]
    iou_thresholds: np.ndarray
    ap_by_iou_a: tuple[float | None, ...]
    ap_by_iou_b: tuple[float | None, ...]
    map_a: float | None
    map_b: float | None
    delta: float | None
    loose_iou: float
    delta_loose: float | None
    delta_localization: float | None
    localization_share: float | None
    matched_iou_a: MatchedIoU
    matched_iou_b: MatchedIoU
    tide_gap: dict[str, float | None]
    dominant: DominantCause | None

    def __repr__(self) -> str:
        share = "n/a" if self.localization_share is None else f"{self.localization_share:.3f}"
        code = None if self.dominant is None else self.dominant.code
        return (
            f"Causes(a={self.names[0]!r}, b={self.names[1]!r}, delta={_show(self.delta)}, "
            f"delta_loose={_show(self.delta_loose)}, localization_share={share}, "
            f"dominant={code!r})"
        )

    @property
    def delta_by_iou(self) -> tuple[float | None, ...]:
        """ΔAP_t = AP_t(B) − AP_t(A) per threshold (None where either is undefined)."""
        return tuple(_sub(b, a) for a, b in zip(self.ap_by_iou_a, self.ap_by_iou_b, strict=True))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``iou_thresholds``, ``ap_by_iou.{a,b,delta}`` (one value per threshold,
        in threshold order), ``map``, ``delta``, ``loose_iou``, ``delta_loose``,
        ``delta_localization``, ``localization_share``, ``matched_iou.{a,b}``, ``tide_gap``,
        ``dominant`` ({code, basis, value, share} or None)."""
        return {
            "iou_thresholds": self.iou_thresholds.tolist(),
            "ap_by_iou": {
                "a": list(self.ap_by_iou_a),
                "b": list(self.ap_by_iou_b),
                "delta": list(self.delta_by_iou),
            },
            "map": {"a": self.map_a, "b": self.map_b},
            "delta": self.delta,
            "loose_iou": self.loose_iou,
            "delta_loose": self.delta_loose,
            "delta_localization": self.delta_localization,
            "localization_share": self.localization_share,
            "matched_iou": {"a": self.matched_iou_a.to_dict(), "b": self.matched_iou_b.to_dict()},
            "tide_gap": dict(self.tide_gap),
            "dominant": None if self.dominant is None else self.dominant.to_dict(),
        }


def ap_by_iou(ev: EvalResult) -> tuple[float | None, ...]:
    """AP_t per IoU threshold of ``ev`` (module docstring): the mean of the defined entries of
    pycocotools' precision at t, area 'all', the largest cap; None where none is defined."""
    check_inputs("ap_by_iou", ev=(ev, EvalResult))
    coco = ev.coco
    p = coco.precision[:, :, :, coco.area_names.index("all"), len(coco.max_dets) - 1]
    out: list[float | None] = []
    for t in range(p.shape[0]):
        kept = p[t][p[t] > -1]
        out.append(float(np.mean(kept)) if kept.size else None)
    return tuple(out)


def matched_iou(ev: EvalResult) -> MatchedIoU:
    """The IoU of ``ev``'s true positives at its loosest threshold (module docstring)."""
    check_inputs("matched_iou", ev=(ev, EvalResult))
    table = ev.matches
    loose = float(np.min(ev.coco.iou_thresholds))
    t = table.threshold_index(loose)
    a = table.area_index("all")
    tp = (table.det_status[a, t] == TP) & (table.det_rank < ev.coco.max_dets[-1])
    rows = np.flatnonzero(tp)
    gt_rows = table.det_gt_at(a, t)[rows]
    ann = table.gt.annotations
    iou = box_iou_pairs(table.dets.bbox[rows], ann.bbox[gt_rows], ann.iscrowd[gt_rows])
    edges = np.linspace(loose, 1.0, IOU_BINS + 1)
    counts, _ = np.histogram(iou, bins=edges)
    return MatchedIoU(
        iou_threshold=loose,
        n=int(iou.size),
        mean=float(np.mean(iou)) if iou.size else None,
        quantiles={q: float(np.quantile(iou, q)) if iou.size else None for q in IOU_QUANTILES},
        edges=tuple(float(e) for e in edges),
        counts=tuple(int(c) for c in counts),
    )


def compute_causes(
    eval_a: EvalResult,
    eval_b: EvalResult,
    errors_a: ErrorBreakdown | None = None,
    errors_b: ErrorBreakdown | None = None,
) -> Causes:
    """AP by IoU threshold, matched IoUs, the localization share and the dominant cause.

    Args:
        eval_a / eval_b: Both runs evaluated against one ground truth with the same thresholds
            and caps (``compare`` does this).
        errors_a / errors_b: TIDE breakdowns at IoU 0.50 (``compute_error_breakdown``), for
            the dominant cause when localization is not it; None leaves that rule out.

    Returns:
        The :class:`Causes`.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: the evaluations used different IoU thresholds or caps.

    Example:
        A's AP is 0.9 at IoU 0.50 and 0.1 at 0.95, B's 0.9 and 0.5 (two thresholds): Δ =
        (0.0 + 0.4) / 2 = 0.2, Δ_loose = 0.0, Δ_loc = 0.2, localization share 1.0.
    """
    check_inputs("compute_causes", eval_a=(eval_a, EvalResult), eval_b=(eval_b, EvalResult))
    for name, errors in (("errors_a", errors_a), ("errors_b", errors_b)):
        if errors is not None:
            check_inputs("compute_causes", **{name: (errors, ErrorBreakdown)})
    ta, tb = eval_a.coco.iou_thresholds, eval_b.coco.iou_thresholds
    if not np.array_equal(ta, tb) or eval_a.coco.max_dets != eval_b.coco.max_dets:
        raise ValueError(
            "Expected eval_a and eval_b evaluated with the same IoU thresholds and maxDets, got "
            f"{ta.tolist()} / {list(eval_a.coco.max_dets)} and {tb.tolist()} / "
            f"{list(eval_b.coco.max_dets)}"
        )
    aps_a, aps_b = ap_by_iou(eval_a), ap_by_iou(eval_b)
    deltas = [_sub(b, a) for a, b in zip(aps_a, aps_b, strict=True)]
    loose_index = int(np.argmin(ta))
    delta = None if None in deltas else float(np.mean(deltas))
    delta_loose = deltas[loose_index]
    delta_loc = None if delta is None or delta_loose is None else delta - delta_loose
    share = None
    if delta is not None and delta_loc is not None and abs(delta) >= MIN_GAP:
        share = delta_loc / delta
    map_a, map_b = eval_a.coco.stats.get("map"), eval_b.coco.stats.get("map")
    tide_gap = _tide_gap(errors_a, errors_b, delta)
    dominant = _dominant(delta, delta_loc, share, tide_gap, errors_a, errors_b)
    return Causes(
        names=(eval_a.name, eval_b.name),
        iou_thresholds=np.asarray(ta, dtype=np.float64).copy(),
        ap_by_iou_a=aps_a,
        ap_by_iou_b=aps_b,
        map_a=map_a,
        map_b=map_b,
        delta=delta,
        loose_iou=float(ta[loose_index]),
        delta_loose=delta_loose,
        delta_localization=delta_loc,
        localization_share=share,
        matched_iou_a=matched_iou(eval_a),
        matched_iou_b=matched_iou(eval_b),
        tide_gap=tide_gap,
        dominant=dominant,
    )


def _tide_gap(
    errors_a: ErrorBreakdown | None, errors_b: ErrorBreakdown | None, delta: float | None
) -> dict[str, float | None]:
    """Group code → ΔAP50 of fixing it in the worse run − in the better run (None when not
    computable: no breakdowns, no gap, or an undefined ΔAP)."""
    out: dict[str, float | None] = dict.fromkeys(TIDE_GROUPS)
    if errors_a is None or errors_b is None or delta is None or abs(delta) < MIN_GAP:
        return out
    worse, better = (errors_a, errors_b) if delta > 0 else (errors_b, errors_a)
    for code, keys in TIDE_GROUPS.items():
        values = [(worse.delta_ap.get(k), better.delta_ap.get(k)) for k in keys]
        if any(w is None or b is None for w, b in values):
            continue
        out[code] = float(sum(w - b for w, b in values))  # type: ignore[operator]
    return out


def _dominant(
    delta: float | None,
    delta_loc: float | None,
    share: float | None,
    tide_gap: dict[str, float | None],
    errors_a: ErrorBreakdown | None,
    errors_b: ErrorBreakdown | None,
) -> DominantCause | None:
    if delta is None or share is None or delta_loc is None:
        return None
    if share >= LOCALIZATION_DOMINANT:
        return DominantCause("localization", "ap_by_iou", delta_loc, share)
    ranked = [(v, code) for code, v in tide_gap.items() if v is not None and v > 0]
    if not ranked or errors_a is None or errors_b is None:
        return None
    value = max(v for v, _ in ranked)
    code = next(c for v, c in ranked if v == value)  # ties: TIDE_GROUPS' order
    base_a, base_b = errors_a.base_ap, errors_b.base_ap
    gap50 = None if base_a is None or base_b is None else abs(base_b - base_a)
    return DominantCause(
        code, "tide", value, None if gap50 is None or gap50 < MIN_GAP else value / gap50
    )


def _sub(b: float | None, a: float | None) -> float | None:
    return None if a is None or b is None else b - a


def _show(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.4f}"


__all__ = [
    "CAUSE_CODES",
    "Causes",
    "DominantCause",
    "MatchedIoU",
    "ap_by_iou",
    "compute_causes",
    "matched_iou",
]
