"""The report's ground-truth audit section (``gt_audit``), from
:class:`~pill_compare.analysis.gt_audit.GtAudit` (``ComparisonResult.gt_audit``).

Blocks, in order: what the audit looks for; the counts (emphasised); a table per class
(``gt_audit_classes``); the most confident likely-missing cases (``gt_audit_missing``); the
likely wrong labels per (GT class, class both runs say) (``gt_audit_wrong_labels``); the top
cases in pictures when the report has the photos (``gt_audit_gallery``, from
:func:`~pill_compare.report.gallery.build_audit_gallery`, with a warning note per photo it could
not show); the headline numbers with the likely-missing boxes ignored (``gt_audit_estimate``),
captioned and noted as an estimate beside the real numbers, which it never replaces. Without a
ground truth: one ``Note(kind="absent")``. Every word is from the catalogue (``gt_audit.*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.analysis.gt_audit import AUDIT_METRICS, GtAudit
from pill_compare.report.sections.eval import Text, operating_point_text
from pill_compare.report.structure import Block, Gallery, Note, Paragraph, Section, Table

#: Text output shows this many rows of a table (Markdown and HTML show every row).
TEXT_ROWS = 15
#: Likely-missing cases listed (most confident first); the JSON has more, ``to_frame`` all.
TOP_CASES = 20


def _label(audit: GtAudit, category_id: int) -> str:
    name = audit.category_names.get(category_id)
    return f"{category_id} {name}" if name else str(category_id)


def _box(values: Any) -> str:
    return "[" + ", ".join(f"{float(v):.0f}" for v in values) + "]"


def gt_audit_section(
    t: Text,
    r: ComparisonResult,
    *,
    gallery: Gallery | None = None,
    gallery_notes: Sequence[str] = (),
) -> Section:
    """The ``gt_audit`` section of the report (see the module docstring).

    Args:
        t: The catalogue's ``text``.
        r: The comparison.
        gallery: The audit's top cases in pictures
            (:func:`~pill_compare.report.gallery.build_audit_gallery`), placed after the case
            tables; None or empty: no pictures.
        gallery_notes: The photos the gallery could not show or showed with a caveat, worded
            (``Catalogue.gallery_note``): a warning note each, under the gallery.
    """
    key, title = "gt_audit", t("s.gt_audit")
    audit = r.gt_audit
    if audit is None:
        return Section(key, title, (Note(t("absent.gt_audit"), kind="absent"),))
    m, w = audit.likely_missing, audit.likely_wrong_label
    a, b = r.names
    at = operating_point_text(t, audit.score_threshold, audit.iou_threshold)
    blocks: list[Block] = [
        Paragraph(t("gt_audit.intro", at=at, near=audit.near_iou, pair_iou=audit.pair_iou)),
        Paragraph(t("gt_audit.counts", missing=m.count, wrong=w.count, a=a, b=b), emphasis=True),
    ]
    if m.count == 0 and w.count == 0:
        blocks.append(Paragraph(t("gt_audit.none")))
        return Section(key, title, tuple(blocks))
    blocks.append(_class_table(t, audit))
    if m.count:
        blocks.append(_missing_table(t, audit, a, b))
    if w.count:
        blocks.append(_wrong_table(t, audit))
    if gallery is not None and gallery.items:
        blocks.append(gallery)
    blocks += [Note(n, kind="warning") for n in gallery_notes]
    if m.count:
        blocks += _estimate(t, audit, a, b)
    return Section(key, title, tuple(blocks))


def _class_table(t: Text, audit: GtAudit) -> Table:
    missing = {c["category_id"]: c["count"] for c in audit.likely_missing.per_class()}
    wrong = {c["category_id"]: c["count"] for c in audit.likely_wrong_label.per_gt_class()}
    ids = sorted(set(missing) | set(wrong), key=lambda c: (-missing.get(c, 0) - wrong.get(c, 0), c))
    return Table(
        key="gt_audit_classes",
        headers=(t("col.category"), t("gt_audit.col.missing"), t("gt_audit.col.wrong")),
        rows=tuple((_label(audit, c), missing.get(c, 0), wrong.get(c, 0)) for c in ids),
        align="lrr",
        limit=TEXT_ROWS,
        caption=t("gt_audit.classes_caption"),
        legend=(
            (t("gt_audit.col.missing"), t("gt_audit.legend.missing")),
            (t("gt_audit.col.wrong"), t("gt_audit.legend.wrong")),
        ),
    )


def _missing_table(t: Text, audit: GtAudit, a: str, b: str) -> Table:
    frame = audit.likely_missing.head(TOP_CASES).to_frame()
    return Table(
        key="gt_audit_missing",
        headers=(
            "#",
            t("gt_audit.col.image"),
            t("col.category"),
            t("gt_audit.col.score", name=a),
            t("gt_audit.col.score", name=b),
            t("gt_audit.col.box", name=a),
            t("gt_audit.col.box", name=b),
        ),
        rows=tuple(
            (
                i + 1,
                str(int(row.image_id)),
                _label(audit, int(row.category_id)),
                float(row.a_score),
                float(row.b_score),
                _box(row.a_bbox),
                _box(row.b_bbox),
            )
            for i, row in enumerate(frame.itertuples(index=False))
        ),
        align="rrlrrll",
        limit=TEXT_ROWS,
        caption=t("gt_audit.missing_caption", n=len(frame), total=audit.likely_missing.count),
    )


def _wrong_table(t: Text, audit: GtAudit) -> Table:
    pairs = audit.likely_wrong_label.per_pair()
    frame = audit.likely_wrong_label.to_frame()
    rows = []
    for p in pairs:
        hit = frame[
            (frame.gt_category_id == p["gt_category_id"])
            & (frame.predicted_category_id == p["predicted_category_id"])
        ]
        shown = ", ".join(str(int(i)) for i in hit.gt_id.head(5))
        if len(hit) > 5:
            shown += ", …"
        rows.append(
            (
                _label(audit, p["gt_category_id"]),
                _label(audit, p["predicted_category_id"]),
                p["count"],
                shown,
            )
        )
    return Table(
        key="gt_audit_wrong_labels",
        headers=(
            t("col.gt_class"),
            t("gt_audit.col.both_say"),
            t("col.count"),
            t("gt_audit.col.gt_ids"),
        ),
        rows=tuple(rows),
        align="llrl",
        limit=TEXT_ROWS,
        caption=t("gt_audit.wrong_caption"),
    )


def _estimate(t: Text, audit: GtAudit, a: str, b: str) -> tuple[Block, ...]:
    delta = audit.delta()
    at = operating_point_text(t, audit.score_threshold, audit.iou_threshold)
    rows = tuple(
        (
            t(f"metric.{k}"),
            audit.actual["a"][k],
            audit.if_completed["a"][k],
            delta["a"][k],
            audit.actual["b"][k],
            audit.if_completed["b"][k],
            delta["b"][k],
        )
        for k in AUDIT_METRICS
    )
    table = Table(
        key="gt_audit_estimate",
        headers=(
            t("col.metric"),
            t("gt_audit.col.actual", name=a),
            t("gt_audit.col.estimate", name=a),
            "Δ",
            t("gt_audit.col.actual", name=b),
            t("gt_audit.col.estimate", name=b),
            "Δ",
        ),
        rows=rows,
        align="lrrrrrr",
        signed=(3, 6),
        caption=t("gt_audit.estimate_caption", n=audit.likely_missing.count),
        legend=((t("metric.precision"), f"{t('def.op.precision')} ({at})"),),
    )
    return table, Note(t("gt_audit.estimate_note"), kind="caveat")


__all__ = ["gt_audit_section"]
