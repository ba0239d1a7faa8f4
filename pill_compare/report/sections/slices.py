"""Section builders for slices (:mod:`pill_compare.analysis.slices`): one table per key.

* :func:`slice_sections` (``pillcmp compare`` and the report): a section ``slices`` with the
  definition (what a slice is, how its mAP is computed, the gap test) and a subsection
  ``slices.<key>`` per key: the finding sentence, a table with each slice's images, GT boxes,
  both models' mAP, B − A with its bootstrap interval, p (gap) and its Holm correction, and
  notes on how the key was cut.
* :func:`eval_slice_sections` (``pillcmp eval``): ``eval.slices`` with the definition and a
  table per key (images, GT boxes, mAP, AP50).

Every number comes from the results, every word from the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pill_compare.analysis.slices import MIN_TEST_IMAGES, SliceComparison, SliceMetrics
from pill_compare.report.structure import Block, Note, Paragraph, Section, Table

if TYPE_CHECKING:  # the results are only read here
    from pill_compare.analysis.compare import ComparisonResult
    from pill_compare.analysis.evaluate import EvalResult

Text = Callable[..., str]


def _key(key: str) -> str:
    """A section or table key from a slice key (any characters an attribute name may hold)."""
    return re.sub(r"\W+", "_", key).strip("_") or "key"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _notes(t: Text, key: str, mode: str, codes: Sequence[str]) -> list[Block]:
    out: list[Block] = [Note(t(f"slices.mode.{mode}", attr=key), kind="info")]
    out += [Note(t(f"slices.code.{c}", attr=key), kind="caveat") for c in codes]
    return out


def finding_sentence(t: Text, c: SliceComparison) -> str:
    """The key's finding: which slices' gaps differ (Holm), no evidence, or not tested."""
    names = {"a": c.name_a, "b": c.name_b, "attr": c.key}
    if c.finding == "gap_differs":
        found = [g for g in c.entries if g.p_gap_holm is not None and g.p_gap_holm < c.alpha]
        listed = ", ".join(
            t("slices.finding.item", label=g.a.label, delta=_num(g.delta), p=_p(g.p_gap_holm))
            for g in found
        )
        return t("slices.finding.gap_differs", slices=listed, alpha=c.alpha, **names)
    if c.finding == "no_evidence":
        p = min(g.p_gap_holm for g in c.entries if g.p_gap_holm is not None)
        return t("slices.finding.no_evidence", p=_p(p), alpha=c.alpha, **names)
    why = "no_bootstrap" if c.n_resamples == 0 else "few_slices"
    return t(f"slices.finding.not_tested.{why}", min=MIN_TEST_IMAGES, **names)


def _comparison_table(t: Text, c: SliceComparison) -> Table:
    level = t("col.ci_level", level=c.confidence)
    rows = tuple(
        (
            g.a.label,
            g.a.n_images,
            g.a.n_gt,
            g.a.map,
            g.b.map,
            g.delta,
            # A no-break space: the interval never wraps inside a narrow column.
            "" if g.ci_low is None else f"[{_num(g.ci_low)},\u00a0{_num(g.ci_high)}]",
            _p(g.p_gap),
            _p(g.p_gap_holm),
        )
        for g in c.entries
    )
    return Table(
        key=f"slices_{_key(c.key)}",
        headers=(
            c.key,
            t("col.images"),
            t("col.slice_gt"),
            t("col.model_stat", name=c.name_a, stat="mAP"),
            t("col.model_stat", name=c.name_b, stat="mAP"),
            t("col.delta"),
            level,
            t("col.p_gap"),
            t("col.p_gap_holm"),
        ),
        rows=rows,
        align="lrrrrrlll",
        signed=(5,),
        sortable=False,
        caption=t("slices.caption", attr=c.key, n=c.n_resamples),
    )


def slice_sections(t: Text, r: ComparisonResult) -> list[Section]:
    """``[slices]`` with one subsection per key, or ``[]`` when no slice was asked for."""
    if not r.slices:
        return []
    subsections = []
    for c in r.slices:
        blocks: list[Block] = [
            Paragraph(finding_sentence(t, c), emphasis=True),
            _comparison_table(t, c),
            *_notes(t, c.key, c.mode, c.codes),
        ]
        if any(g.not_tested == "too_small" for g in c.entries):
            blocks.append(Note(t("slices.too_small", min=MIN_TEST_IMAGES), kind="caveat"))
        subsections.append(
            Section(f"slices.{_key(c.key)}", t("s.slices.key", attr=c.key), tuple(blocks))
        )
    intro = Paragraph(t("slices.text", min=MIN_TEST_IMAGES))
    return [Section("slices", t("s.slices"), (intro,), tuple(subsections))]


def _eval_table(t: Text, m: SliceMetrics) -> Table:
    return Table(
        key=f"eval_slices_{_key(m.key)}",
        headers=(m.key, t("col.images"), t("col.slice_gt"), "mAP", "AP50"),
        rows=tuple((e.label, e.n_images, e.n_gt, e.map, e.map_50) for e in m.entries),
        align="lrrrr",
        sortable=False,
        caption=t("slices.eval_caption", attr=m.key),
    )


def eval_slice_sections(t: Text, r: EvalResult) -> list[Section]:
    """``[eval.slices]`` with a table per key, or ``[]`` when no slice was asked for."""
    if not r.slices:
        return []
    blocks: list[Any] = [Paragraph(t("slices.eval_text"))]
    for m in r.slices:
        blocks += [_eval_table(t, m), *_notes(t, m.key, m.mode, m.codes)]
    return [Section("eval.slices", t("s.eval.slices"), tuple(blocks))]


__all__ = ["eval_slice_sections", "finding_sentence", "slice_sections"]
