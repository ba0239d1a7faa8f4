"""English sentences for the codes of :mod:`pill_compare.analysis.compare` and its parts."""

from __future__ import annotations

from typing import Any

METRIC_NAMES = {"map": "mAP", "map_50": "AP50", "f1": "F1 at the operating point"}

#: Support-vs-performance findings (``Correlation.finding``), per model.
SUPPORT_FINDINGS = {
    "support_explains": "rises with training support",
    "inverse": "falls as training support grows",
    "no_evidence": "does not follow training support",
    "not_computable": "cannot be related to training support",
}
#: ``Correlation.reason`` when rho is undefined.
SUPPORT_REASONS = {
    "too_few_classes": "fewer than 3 classes with a value",
    "constant_input": "one side is constant",
}
DISPUTE_FINDINGS = {
    "disputes_on_rare": "The models disagree most on rare classes",
    "disputes_on_frequent": "The models disagree most on frequent classes, not rare ones",
    "no_evidence": "Disagreements do not concentrate on rare or on frequent classes",
    "not_computable": "Where the models disagree cannot be related to training support",
}
GAP_FINDINGS = {
    "gap_larger_on_rare": "The AP gap between the models (B − A) is larger on rare classes",
    "gap_larger_on_frequent": "The AP gap between the models (B − A) is larger on frequent classes",
    "no_evidence": "The AP gap between the models (B − A) does not follow training support",
    "not_computable": "The AP gap between the models cannot be related to training support",
}
VERDICT_NAMES = {
    "a_right": "{a} right",
    "b_right": "{b} right",
    "both_wrong": "both wrong",
    "no_gt": "no object there",
    "both_right": "both right",
    "ignored": "crowd region",
}


def p_text(p: float | None) -> str:
    """'p < 0.001', 'p = 0.012', 'p n/a'."""
    if p is None:
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def p_value_cell(p: float | None) -> str:
    """A p-value in a table cell: '< 0.001', '0.012', 'n/a'."""
    if p is None:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def correlation_sentence(findings: dict[str, str], c: dict[str, Any]) -> str:
    """A finding with its Spearman numbers: '... (rho = 0.25, p = 0.282, 21 classes).'"""
    text = findings.get(c["finding"], c["finding"])
    if c.get("rho") is None:
        reason = SUPPORT_REASONS.get(c.get("reason") or "", c.get("reason") or "")
        return f"{text} ({reason})." if reason else f"{text}."
    return f"{text} (Spearman rho = {c['rho']:.2f}, {p_text(c['p_value'])}, {c['n']} classes)."


def dispute_sentence(d: dict[str, Any]) -> str:
    """Where the disagreements fall, with the share of rare classes among the most disputed."""
    text = DISPUTE_FINDINGS.get(d["finding"], d["finding"])
    rate = d.get("rate") or {}
    if rate.get("rho") is not None:
        text += (
            f" (disagreements per GT box vs training support: Spearman rho = {rate['rho']:.2f}, "
            f"{p_text(rate['p_value'])})"
        )
    top, rare = d.get("top_k"), d.get("top_rare")
    if top and rare is not None:
        text += f"; {rare} of the {top} most disputed classes are rare"
        if d.get("rare_share") is not None:
            text += f" (rare classes are {d['rare_share']:.0%} of all)"
    return text + "."


def num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def significance_sentence(verdict: Any) -> str:
    """One plain sentence from a :class:`~pill_compare.analysis.significance.SignificanceVerdict`."""
    metric = METRIC_NAMES.get(verdict.metric, verdict.metric)
    level = f"{verdict.confidence:.0%}"
    ci = f"{level} CI [{num(verdict.ci_low)}, {num(verdict.ci_high)}]"
    facts = f"({ci}, {p_text(verdict.p_value)}, {verdict.n_images} images)"
    if verdict.delta is None:
        return f"The {metric} difference is undefined on this data."
    if verdict.code == "b_better":
        return f"{verdict.name_b} is better than {verdict.name_a} on {metric} by {num(verdict.delta)} {facts}."
    if verdict.code == "a_better":
        return f"{verdict.name_a} is better than {verdict.name_b} on {metric} by {num(-verdict.delta)} {facts}."
    return (
        f"The {metric} difference between {verdict.name_b} and {verdict.name_a} "
        f"({verdict.delta:+.3f}, {ci}, {p_text(verdict.p_value)}, {verdict.n_images} images) is "
        f"not significant at {verdict.alpha:.0%}."
    )


NO_BOOTSTRAP = "No bootstrap was run (0 resamples), so significance was not tested."
NO_GROUND_TRUTH = (
    "Without a ground truth this is agreement between the two runs, not accuracy: a ground truth "
    "adds which run is better, whether it is significant, who was right on every disagreement "
    "and each run's error types."
)


def mcnemar_sentence(test: Any) -> str:
    """Per GT object at the operating point, who alone got it right."""
    return (
        f"Per GT object (score >= {test.score_threshold:g}, IoU >= {test.iou_threshold:g}): "
        f"{test.a_only_correct} found only by {test.name_a}, {test.b_only_correct} only by "
        f"{test.name_b} (McNemar exact {p_text(test.p_value)}; {test.both} by both, "
        f"{test.neither} by neither)."
    )


def support_sentence(names: tuple[str, str], spearman: dict[str, Any]) -> str:
    """'AP rises with training support for A (rho = 0.41, p = 0.001) but not for B ...'."""
    parts = []
    for side, name in zip(("a", "b"), names, strict=True):
        c = spearman[side]
        what = SUPPORT_FINDINGS.get(c["finding"], c["finding"])
        if c["rho"] is None:
            reason = SUPPORT_REASONS.get(c.get("reason") or "", c.get("reason") or "")
            parts.append(f"for {name} AP {what} ({reason})")
        else:
            parts.append(
                f"for {name} AP {what} (rho = {c['rho']:.2f}, {p_text(c['p_value'])}, {c['n']} classes)"
            )
    return "Training support vs per-class AP: " + "; ".join(parts) + "."
