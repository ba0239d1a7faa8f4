"""What the two models' scores are worth, as the comparison shows it: optimal LRP and the
thresholds to submit at (the report's ``overall.lrp``), and the compare command's short
calibration and oLRP lines.

Every number is :attr:`~pill_compare.analysis.compare.ComparisonResult.lrp`'s
(:func:`~pill_compare.analysis.lrp.compare_lrp`) or ``calibration``'s; every word the
catalogue's (``lrp.*``, ``line.*``, ``def.lrp.*``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.analysis.lrp import ClassLrp
from pill_compare.report.sections.common import (
    TEXT_ROWS,
    _label,
    _names,
    _num,
    difference_sentence,
)
from pill_compare.report.sections.compare_files import CSV_FILES
from pill_compare.report.sections.compare_tables import PAGE_ROWS
from pill_compare.report.sections.eval import Text
from pill_compare.report.structure import Block, Paragraph, Section, Table

if TYPE_CHECKING:
    from pill_compare.analysis.lrp import LrpComparison

__all__ = ["LRP_KEYS", "lrp_section", "lrp_sentence", "score_lines"]

#: The means shown per model, in order, with their column titles (``lrp.text`` defines them).
LRP_KEYS = ("olrp", "olrp_loc", "olrp_fp", "olrp_fn")
_TITLES = {"olrp": "oLRP", "olrp_loc": "oLRP_loc", "olrp_fp": "oLRP_FP", "olrp_fn": "oLRP_FN"}


def lrp_sentence(t: Text, r: ComparisonResult) -> str | None:
    """Which model makes fewer errors at its best thresholds (oLRP, lower is better), with the
    paired bootstrap interval of ΔoLRP = B − A or "not tested"; None without ``r.lrp``."""
    c = r.lrp
    if c is None:
        return None
    return difference_sentence(t, r, "lrp", olrp_a=c.a.olrp, olrp_b=c.b.olrp)


def _gap(x: ClassLrp, y: ClassLrp) -> float | None:
    return None if x.olrp is None or y.olrp is None else y.olrp - x.olrp


def _class_table(t: Text, r: ComparisonResult, c: LrpComparison) -> Table:
    """Per class with GT boxes: both oLRPs, ΔoLRP and each model's oLRP and F1 thresholds,
    largest |ΔoLRP| first (the complete table with every component is a CSV file)."""
    a, b = r.names
    pairs = [(x, y) for x, y in zip(c.a.per_class, c.b.per_class, strict=True) if x.gt]
    pairs.sort(key=lambda p: (-abs(_gap(*p) or 0.0), p[0].category_id))
    return Table(
        key="lrp_per_class",
        headers=(
            t("col.category"),
            "GT",
            t("col.model_stat", name=a, stat="oLRP"),
            t("col.model_stat", name=b, stat="oLRP"),
            t("col.delta"),
            t("col.model_stat", name=a, stat=t("col.olrp_threshold")),
            t("col.model_stat", name=a, stat=t("col.f1_threshold")),
            t("col.model_stat", name=b, stat=t("col.olrp_threshold")),
            t("col.model_stat", name=b, stat=t("col.f1_threshold")),
        ),
        rows=tuple(
            (
                _label(r, x.category_id),
                x.gt,
                x.olrp,
                y.olrp,
                _gap(x, y),
                x.threshold,
                x.f1_threshold,
                y.threshold,
                y.f1_threshold,
            )
            for x, y in pairs
        ),
        align="lrrrrrrrr",
        signed=(4,),
        limit=TEXT_ROWS,
        page_limit=PAGE_ROWS,
        file=CSV_FILES["lrp_per_class"],
        caption=t("lrp.class_caption"),
    )


def lrp_section(t: Text, r: ComparisonResult) -> Section | None:
    """``overall.lrp``: who makes fewer errors at the best thresholds, the definition (τ and
    the components stated), each model's oLRP and its components, the per-class table with
    the thresholds, and how to submit at them. None without ``r.lrp``."""
    c = r.lrp
    if c is None:
        return None
    a, b = r.names
    blocks: list[Block] = [
        Paragraph(lrp_sentence(t, r) or "", emphasis=True),
        Paragraph(t("lrp.text", iou=c.a.iou_threshold)),
        Table(
            key="lrp",
            headers=(t("col.model"), *(_TITLES[k] for k in LRP_KEYS)),
            rows=tuple(
                (name, *(getattr(x, k) for k in LRP_KEYS)) for name, x in ((a, c.a), (b, c.b))
            ),
            align="lrrrr",
            sortable=False,
            caption=t("lrp.caption"),  # the paragraph above defines every column
        ),
        _class_table(t, r, c),
        Paragraph(t("lrp.submit")),
    ]
    return Section("overall.lrp", t("s.overall.lrp"), tuple(blocks))


def score_lines(t: Text, r: ComparisonResult) -> list[str]:
    """The compare command's short lines: calibration (each model's D-ECE and who has the more
    trustworthy scores) and one oLRP line per model with its components; [] without either."""
    out = []
    cal = r.calibration
    if cal is not None and cal.a.ece is not None and cal.b.ece is not None:
        interval = {"low": cal.ci_low, "high": cal.ci_high} if cal.ci_low is not None else {}
        names = _names(r)
        verdict = t(f"line.calibration.{cal.finding}", level=1 - cal.alpha, **interval, **names)
        out.append(
            t("line.calibration", ece_a=cal.a.ece, ece_b=cal.b.ece, verdict=verdict, **names)
        )
    if r.lrp is not None:
        for name, x in zip(r.names, (r.lrp.a, r.lrp.b), strict=True):
            out.append(
                t(
                    "line.olrp",
                    iou=x.iou_threshold,
                    name=name,
                    olrp=_num(x.olrp, 3),
                    loc=_num(x.olrp_loc, 3),
                    fp=_num(x.olrp_fp, 3),
                    fn=_num(x.olrp_fn, 3),
                )
            )
    return out
