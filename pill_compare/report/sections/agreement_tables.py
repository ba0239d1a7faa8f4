"""The tables of the agreement report (a comparison without a ground truth): swap patterns,
boxes per class, one-sided boxes, agreement per class, the disputed images and boxes, and with
training annotations the rare classes and their swap patterns.

Arranged into sections by :mod:`pill_compare.report.sections.agreement`; every number comes
from the :class:`~pill_compare.analysis.compare.ComparisonResult` (its pairing, agreement and
``agreement_support``), every word from the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.report.sections import common
from pill_compare.report.sections.common import (
    CELL_IDS,
    PATTERN_CELLS,
    _category_cell,
    _finite,
    _ids,
    _label,
    _names,
)
from pill_compare.report.sections.eval import Text
from pill_compare.report.structure import Block, Paragraph, Table

__all__ = [
    "boxes_table",
    "class_agreement_table",
    "class_counts_table",
    "images_table",
    "one_sided_table",
    "rare_patterns_table",
    "rare_table",
    "swap_table",
]


def swap_table(
    t: Text, r: ComparisonResult, *, limit: int | None = None, compact: bool = False
) -> Table:
    """Every swap pattern: A says X where B says Y, on how many boxes and images."""
    patterns = r.pairing.swap_patterns()
    caption = t("agreement_report.patterns_caption", n=len(patterns), **_names(r))
    return _patterns_table(
        t, r, patterns, key="swap_patterns", caption=caption, limit=limit, compact=compact
    )


def rare_patterns_table(t: Text, r: ComparisonResult) -> Table:
    """The swap patterns with a rare class on either side."""
    s = r.agreement_support
    assert s is not None
    caption = t("agreement_report.rare_patterns_caption", n=len(s.rare_patterns))
    return _patterns_table(t, r, s.rare_patterns, key="rare_patterns", caption=caption)


def _patterns_table(
    t: Text,
    r: ComparisonResult,
    patterns: Sequence[Any],
    *,
    key: str,
    caption: str,
    limit: int | None = None,
    compact: bool = False,
) -> Table:
    """Swap patterns (A says X where B says Y) with their boxes, images and image ids
    (``compact``: labels and id lists cut for a terminal)."""
    cells, ids = (PATTERN_CELLS, CELL_IDS) if compact else (None, None)
    return Table(
        key=key,
        headers=(
            t("col.a_says"),
            t("col.b_says"),
            t("agreement_report.col.boxes"),
            t("col.images"),
            "image_id",
        ),
        rows=tuple(
            (
                _label(r, p.a, cells),
                _label(r, p.b, cells),
                p.swaps,
                p.images,
                _ids(p.image_ids, ids),
            )
            for p in patterns
        ),
        align="llrrl",
        limit=limit,
        caption=caption,
    )


def class_counts_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> Table:
    """Per class: training support (with training annotations), boxes of A and B at the
    operating point, B − A, agreeing pairs, swaps and one-sided boxes; rarest first with
    training annotations, else most boxes first."""
    frame = r.agreement.class_frame()
    counts = {int(rec["category_id"]): rec for rec in frame.to_dict(orient="records")}
    s = r.agreement_support
    a, b = r.names
    if s is not None:
        order = [c.category_id for c in s.classes if c.category_id in counts or c.support]
        support = {c.category_id: c for c in s.classes}
    else:
        order = sorted(counts, key=lambda c: (-(counts[c]["a_boxes"] + counts[c]["b_boxes"]), c))
        support = {}
    rows = []
    for cid in order:
        rec = counts.get(cid, {})
        n_a, n_b = int(rec.get("a_boxes", 0)), int(rec.get("b_boxes", 0))
        row: list[Any] = [_label(r, cid)]
        if s is not None:
            row += [support[cid].support, t("yes") if support[cid].rare else ""]
        row += [
            n_a,
            n_b,
            n_b - n_a,
            int(rec.get("agree", 0)),
            int(rec.get("swap_as_a", 0)) + int(rec.get("swap_as_b", 0)),
            int(rec.get("a_only", 0)) + int(rec.get("b_only", 0)),
        ]
        rows.append(tuple(row))
    headers = [t("col.category")]
    if s is not None:
        headers += [t("col.support"), t("col.rare")]
    headers += [
        t("agreement_report.col.model_boxes", name=a),
        t("agreement_report.col.model_boxes", name=b),
        t("col.delta"),
        t("col.agree"),
        t("col.swaps"),
        t("col.one_sided"),
    ]
    legend = [(t("col.delta"), t("definition.delta.text"))]
    if s is not None:
        legend.insert(0, (t("col.support"), t("support.legend.support")))
    return Table(
        key="class_counts",
        headers=tuple(headers),
        rows=tuple(rows),
        align="l" + ("rl" if s is not None else "") + "rrrrrr",
        signed=(len(headers) - 4,),
        limit=limit,
        caption=t(
            "agreement_report.class_counts_caption_rare"
            if s is not None
            else "agreement_report.class_counts_caption",
            score=r.pairing.score_threshold,
            rare=s.rare_threshold if s is not None else 0,
        ),
        legend=tuple(legend),
    )


def one_sided_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> Table:
    """Per class, the boxes only one run found (most first)."""
    frame = r.agreement.class_frame()
    frame = frame[(frame["a_only"] > 0) | (frame["b_only"] > 0)]
    recs = sorted(
        frame.to_dict(orient="records"),
        key=lambda c: (-(c["a_only"] + c["b_only"]), c["category_id"]),
    )
    a, b = r.names
    return Table(
        key="one_sided",
        headers=(t("col.category"), t("col.only_in", name=a), t("col.only_in", name=b)),
        rows=tuple(
            (_label(r, int(c["category_id"])), int(c["a_only"]), int(c["b_only"])) for c in recs
        ),
        align="lrr",
        limit=limit,
        caption=t("agreement_report.one_sided_caption", n=len(recs)),
    )


def class_agreement_table(
    t: Text, r: ComparisonResult, *, limit: int | None = None, cells: int | None = None
) -> Table:
    """Agreement per class (no ground truth needed), lowest first."""
    frame = r.agreement.class_frame().sort_values(["agreement_rate", "category_id"])
    rows = tuple(
        (
            _label(r, int(c["category_id"]), cells),
            int(c["a_boxes"]),
            int(c["b_boxes"]),
            int(c["agree"]),
            int(c["swap_as_a"]) + int(c["swap_as_b"]),
            int(c["a_only"]) + int(c["b_only"]),
            _finite(c["agreement_rate"]),
        )
        for c in frame.to_dict(orient="records")
    )
    return Table(
        key="class_agreement",
        headers=(
            t("col.category"),
            t("col.a_boxes"),
            t("col.b_boxes"),
            t("col.agree"),
            t("col.swaps"),
            t("col.one_sided"),
            t("col.rate"),
        ),
        rows=rows,
        align="lrrrrrr",
        limit=limit,
        caption=t("class_agreement.caption"),
    )


def images_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> tuple[Block, ...]:
    """The images with a disagreement (most first), and one sentence for the others."""
    frame = r.agreement.to_frame()
    disputed = frame[common.disputed_images(frame)]
    disputed = disputed.assign(
        _n=disputed["class_swap"] + disputed["a_only"] + disputed["b_only"]
    ).sort_values(["_n", "image_id"], ascending=[False, True])
    rows = tuple(common.image_count_row(rec) for rec in disputed.to_dict(orient="records"))
    sentence = t(
        "agreement_report.images_text",
        n=len(rows),
        total=len(frame),
        agreeing=len(frame) - len(rows),
    )
    table = Table(
        key="disputed_images",
        headers=common.image_count_headers(t, r, "image_id"),
        rows=rows,
        align="lrrrr",
        limit=limit,
    )
    return (Paragraph(sentence), table) if rows else (Paragraph(sentence),)


def boxes_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> Table:
    """Every disputed box: class swaps and one-sided boxes, with both runs' class and score."""
    frame = r.pairing.to_frame()
    frame = frame[frame["kind"] != "agree"]
    a, b = r.names

    rows = tuple(
        (
            str(int(rec["image_id"])),
            t(f"kind.{rec['kind']}"),
            _category_cell(r, rec["a_category_id"]),
            _finite(rec["a_score"]),
            _category_cell(r, rec["b_category_id"]),
            _finite(rec["b_score"]),
            _finite(rec["iou"]),
        )
        for rec in frame.to_dict(orient="records")
    )
    return Table(
        key="disputed_boxes",
        headers=(
            "image_id",
            t("col.difference"),
            t("col.model_category", name=a),
            t("col.model_score", name=a),
            t("col.model_category", name=b),
            t("col.model_score", name=b),
            "IoU",
        ),
        rows=rows,
        align="lllrlrr",
        limit=limit,
        caption=t("boxes.caption", n=len(rows)),
    )


def rare_table(t: Text, r: ComparisonResult) -> Table:
    """The rare classes: training support, both runs' boxes and their disagreements."""
    s = r.agreement_support
    assert s is not None
    a, b = r.names
    rows = tuple(
        (_label(r, c.category_id), c.support, c.a_boxes, c.b_boxes, c.disagreements)
        for c in s.classes
        if c.rare
    )
    return Table(
        key="rare_classes",
        headers=(
            t("col.category"),
            t("col.support"),
            t("agreement_report.col.model_boxes", name=a),
            t("agreement_report.col.model_boxes", name=b),
            t("col.disputes"),
        ),
        rows=rows,
        align="lrrrr",
        caption=t("agreement_report.rare_caption", n=len(rows), rare=s.rare_threshold),
        legend=((t("col.disputes"), t("agreement_report.legend.disputes")),),
    )
