"""The subsection ``causes.claims``: the domain's claims (look-alike swaps, imprint-less classes)
as tested by :mod:`pill_compare.analysis.domain_claims`, each with its verdict, test and numbers;
and the evidence bullets they replace the untested "why" with.

Every number comes from ``ComparisonResult.claims``; every word from the catalogue
(``claims.*`` keys of :mod:`pill_compare.report.messages`).
"""

from __future__ import annotations

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.analysis.domain_claims import ClaimTest, DomainClaims
from pill_compare.report.messages import p_value_cell
from pill_compare.report.sections.common import _ids
from pill_compare.report.sections.eval import Text
from pill_compare.report.structure import Block, Note, Paragraph, Section, Table

KEY = "causes.claims"


def claims_section(t: Text, r: ComparisonResult) -> Section:
    """Each claim: what it says, for which model, the test, its numbers, p and the verdict.

    Args:
        t: The catalogue's text function.
        r: The comparison (``r.claims`` set; a note says so otherwise).

    Returns:
        The ``causes.claims`` section.
    """
    title = t("s.causes.claims")
    c = r.claims
    if c is None:
        return Section(KEY, title, (Note(t("claims.absent"), kind="absent"),))
    swaps = c.claim("look_alike_swaps", "pooled")
    blocks: list[Block] = [
        Paragraph(
            t(
                "claims.intro",
                s=swaps.details.get("score_threshold", r.parameters["score_threshold"]),
                iou=swaps.details.get("iou_threshold", r.parameters["iou_threshold"]),
                alpha=c.alpha,
            )
        )
    ]
    if not c.has_attributes:
        blocks.append(Note(t("claims.no_attributes"), kind="caveat"))
    blocks.append(
        Table(
            key="domain_claims",
            headers=(
                t("col.claim"),
                t("col.claim_scope"),
                t("col.test"),
                t("col.claim_result"),
                "p",
                t("col.verdict"),
            ),
            rows=tuple(
                (
                    t(f"claims.claim.{x.code}"),
                    _scope(t, r, x),
                    _test(t, x),
                    _facts(t, r, x),
                    p_value_cell(x.p_value),
                    t(f"claims.verdict.{x.verdict}"),
                )
                for x in c.claims
            ),
            align="llllrl",
            sortable=False,
            caption=t("claims.caption", alpha=c.alpha),
            legend=(
                (t("claims.term.look_alike"), t("claims.legend.look_alike")),
                (t("claims.term.no_imprint"), t("claims.legend.no_imprint")),
                (t("claims.term.permutation"), t("claims.legend.permutation")),
                (t("claims.term.mann_whitney"), t("claims.legend.mann_whitney")),
            ),
        )
    )
    absent = c.claim("imprint_lower_ap", "a").details.get("no_imprint") or []
    if absent:
        blocks.append(Note(t("claims.no_imprint_classes", ids=_ids(absent)), kind="info"))
    return Section(KEY, title, tuple(blocks))


def claim_bullets(
    t: Text, r: ComparisonResult, claims: DomainClaims
) -> tuple[list[str], list[str]]:
    """Evidence bullets: (supported claims, the others), one sentence each."""
    supported: list[str] = []
    others: list[str] = []
    for x in claims.claims:
        sentence = t(
            "claims.sentence",
            claim=t(f"claims.claim.{x.code}"),
            scope=_scope(t, r, x),
            verdict=t(f"claims.verdict.{x.verdict}"),
            p=_p(t, x.p_value),
            facts=_facts(t, r, x),
        )
        (supported if x.verdict == "supported" else others).append(sentence)
    return supported, others


def _p(t: Text, p: float | None) -> str:
    """'p = 0.018', 'p < 0.001', 'p n/a' (the catalogue's words)."""
    if p is None:
        return t("p.none")
    return t("p.small") if p < 0.001 else t("p.value", p=p)


def _scope(t: Text, r: ComparisonResult, x: ClaimTest) -> str:
    a, b = r.names
    if x.scope == "a":
        return a
    if x.scope == "b":
        return b
    if x.scope == "gap":
        better = x.details.get("better")
        return (
            t("claims.scope.gap", better=b if better == "b" else a, worse=a if better == "b" else b)
            if better
            else t("claims.scope.gap_unknown")
        )
    return t("claims.scope.pooled", a=a, b=b)


def _test(t: Text, x: ClaimTest) -> str:
    if x.test == "permutation":
        n = x.details.get("permutations")
        if n is None:
            return t("claims.test.permutation_plain")
        return t(
            "claims.test.permutation_exact"
            if x.details.get("exact")
            else "claims.test.permutation",
            n=n,
        )
    method = x.details.get("method")
    side = t(f"claims.alternative.{x.alternative}")
    if method is None:
        return t("claims.test.mann_whitney_plain", side=side)
    return t("claims.test.mann_whitney", side=side, method=t(f"claims.method.{method}"))


def _facts(t: Text, r: ComparisonResult, x: ClaimTest) -> str:
    d = x.details
    if x.verdict == "not_testable":
        return t(
            f"claims.reason.{x.reason}",
            n1=d.get("n_no_imprint", 0),
            n2=d.get("n_imprint", 0),
            min=d.get("min_group", 0),
        )
    if x.code == "look_alike_swaps":
        return t(
            "claims.facts.look_alike_swaps",
            same=d["same"],
            n=x.n,
            share=x.statistic,
            expected=d["expected_share"],
            a=r.names[0],
            b=r.names[1],
            n_a=d["swaps_a"],
            n_b=d["swaps_b"],
        )
    return t(
        f"claims.facts.{x.code}",
        u=x.statistic,
        n1=d["n_no_imprint"],
        n2=d["n_imprint"],
        m1=d["median_no_imprint"],
        m2=d["median_imprint"],
    )


__all__ = ["KEY", "claim_bullets", "claims_section"]
