"""The tables of the comparison report with a ground truth: headline metrics, swap patterns,
TIDE error types, per-class AP, agreement per image, the images whose category lists differ,
the most frequent disagreements, every disputed box, the worst classes and the confusions.

Arranged into sections by :mod:`pill_compare.report.sections.compare`; every number comes from
the :class:`~pill_compare.analysis.compare.ComparisonResult`, every word from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.analysis.diff import list_verdicts
from pill_compare.report.sections import common
from pill_compare.report.sections.common import (
    CELL_IDS,
    PATTERN_CELLS,
    TEXT_ROWS,
    _category_cell,
    _finite,
    _ids,
    _label,
    _missing,
    _names,
)
from pill_compare.report.sections.compare_files import CSV_FILES
from pill_compare.report.sections.eval import Text, stat_definitions
from pill_compare.report.structure import Block, Note, Paragraph, Table

__all__ = [
    "confusion_tables",
    "differing_images_table",
    "disagreement_table",
    "disputed_boxes_blocks",
    "errors_table",
    "fully_agreeing_images",
    "image_agreement_table",
    "metrics_table",
    "patterns_table",
    "per_class_table",
    "substitution_images",
    "worst_classes_table",
]

#: Markdown and HTML show this many rows of a list that grows with the data set (images,
#: disputed boxes, swap patterns); the complete table is a CSV file beside the report
#: (:data:`~pill_compare.report.sections.compare_files.CSV_FILES`).
PAGE_ROWS = 100
#: Worst classes listed per model.
WORST_CLASSES = 5
#: Rows of the headline metric table: (key, whether the bootstrap tested it).
HEADLINE = (
    "map",
    "map_75_95",
    "map_50",
    "map_75",
    "mar_100",
    "precision",
    "recall",
    "f1",
    "classification_accuracy",
    "image_exact_match",
)
#: The bootstrap's metric for a headline row (the others have no interval).
BOOTSTRAPPED = ("map", "map_50", "f1")
ERROR_ROWS = ("cls", "loc", "both", "dupe", "bkg", "miss", "false_pos", "false_neg")


def metrics_table(t: Text, r: ComparisonResult, *, display_names: bool = True) -> Table:
    """Headline metrics of A and B, B − A, and the bootstrap interval and p where tested."""
    m = r.metrics()
    msg_num, p_cell = _cells(t)
    boot = r.bootstrap
    rows = []
    keys = [k for k in HEADLINE if k in m["a"]]
    for key in keys:
        b = boot.metrics[key] if boot is not None and key in BOOTSTRAPPED else None
        rows.append(
            (
                t(f"metric.{key}") if display_names else key,
                m["a"][key],
                m["b"][key],
                m["delta"][key],
                # A no-break space: the interval never wraps inside a narrow column.
                f"[{msg_num(b.ci_low)},\u00a0{msg_num(b.ci_high)}]" if b else "",
                p_cell(b.p_value) if b else "",
            )
        )
    level = t("col.ci_level", level=boot.confidence) if boot is not None else t("col.ci")
    definitions = _metric_definitions(t, r)
    a, b_name = r.names
    return Table(
        key="metrics",
        headers=(t("col.metric"), a, b_name, t("col.delta"), level, "p"),
        rows=tuple(rows),
        align="lrrrll",
        signed=(3,),
        legend=(
            *((t(f"metric.{k}") if display_names else k, definitions[k]) for k in keys),
            (t("col.delta"), t("definition.delta.text")),
        ),
    )


def _metric_definitions(t: Text, r: ComparisonResult) -> dict[str, str]:
    out = stat_definitions(t, r.eval_a) if r.eval_a is not None else {}
    out["map_75_95"] = t("def.map_75_95")
    for key in ("precision", "recall", "f1"):
        out[key] = t(f"def.op.{key}")
    for key in ("classification_accuracy", "image_exact_match"):
        out[key] = t(f"def.accuracy.{key}")
    return out


def _cells(t: Text) -> tuple[Any, Any]:
    def number(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"  # as the metric columns

    def p_cell(p: float | None) -> str:
        if p is None:
            return "n/a"
        return "< 0.001" if p < 0.001 else f"{p:.3f}"

    return number, p_cell


def patterns_table(
    t: Text, r: ComparisonResult, *, limit: int | None = None, compact: bool = False
) -> Table:
    """Every class-swap pattern with the verdict counts (``limit``: rows shown in text;
    ``compact``: labels and id lists cut for a terminal)."""
    cells, ids = (PATTERN_CELLS, CELL_IDS) if compact else (None, None)
    d = r.disagreements
    if d is None:
        raise ValueError("Expected a comparison with a ground truth (swap patterns), got none")
    rows = tuple(
        (
            _label(r, s.a, cells),
            _label(r, s.b, cells),
            s.swaps,
            s.verdicts["a_right"],
            s.verdicts["b_right"],
            s.verdicts["both_wrong"],
            s.verdicts["no_gt"],
            _ids(s.image_ids, ids),
        )
        for s in d.swap_patterns
    )
    return Table(
        key="swap_patterns",
        headers=(
            t("col.a_says"),
            t("col.b_says"),
            t("col.swaps"),
            t("col.a_right"),
            t("col.b_right"),
            t("col.both_wrong"),
            t("col.no_gt"),
            t("col.images"),
        ),
        rows=rows,
        align="llrrrrrl",
        limit=limit,
        caption=(
            t("patterns.caption", shown=min(limit or len(rows), len(rows)), n=len(rows))
            if compact
            else t("patterns.caption_full", n=len(rows))
        ),
    )


def errors_table(t: Text, r: ComparisonResult, *, strict: bool = False) -> Table:
    """TIDE error types side by side: count and ΔAP50 for each run (``strict``: the breakdown
    at the stricter ``parameters['tide_iou']``, count and ΔAP at that IoU)."""
    pair = (r.errors_strict_a, r.errors_strict_b) if strict else (r.errors_a, r.errors_b)
    if pair[0] is None or pair[1] is None:
        raise ValueError("Expected a comparison with a ground truth (error types), got none")
    ea, eb = pair[0].to_dict(), pair[1].to_dict()
    a, b = r.names
    iou = pair[0].fg_iou

    def dap(name: str) -> str:
        if not strict:
            return t("col.model_dap", name=name)
        return t("col.model_dap_at", name=name, pct=f"{round(iou * 100):d}")

    return Table(
        key="error_types_strict" if strict else "error_types",
        headers=(
            t("col.error_type"),
            t("col.model_count", name=a),
            dap(a),
            t("col.model_count", name=b),
            dap(b),
        ),
        rows=tuple(
            (
                t(f"error.{k}"),
                ea[k]["count"],
                ea[k]["delta_ap"],
                eb[k]["count"],
                eb[k]["delta_ap"],
            )
            for k in ERROR_ROWS
        ),
        align="lrrrr",
        caption=t("errors.strict_caption", iou=iou) if strict else t("errors.caption"),
        legend=()
        if strict
        else tuple((t(f"error.{k}"), t(f"error.{k}.definition")) for k in ERROR_ROWS),
    )


def per_class_table(
    t: Text, r: ComparisonResult, *, limit: int | None = None, cells: int | None = None
) -> Table:
    """Per class, largest |ΔAP| first: GT, AP of each run, ΔAP, ΔAP50, Δrecall."""
    frame = r.per_class_frame()
    a, b = r.names
    rows = tuple(
        (
            _label(r, int(rec["category_id"]), cells),
            int(rec["gt"]),
            _finite(rec["ap_a"]),
            _finite(rec["ap_b"]),
            _finite(rec["ap_delta"]),
            _finite(rec["ap_50_delta"]),
            _finite(rec["recall_delta"]),
        )
        for rec in frame.to_dict(orient="records")
    )
    return Table(
        key="per_class",
        headers=(
            t("col.category"),
            "GT",
            t("col.model_ap", name=a),
            t("col.model_ap", name=b),
            "ΔAP",
            "ΔAP50",
            t("col.delta_recall"),
        ),
        rows=rows,
        align="lrrrrrr",
        signed=(4, 5, 6),
        limit=limit,
        caption=t("per_class.caption", shown=min(limit or len(rows), len(rows)), n=len(rows)),
    )


def image_agreement_table(
    t: Text,
    r: ComparisonResult,
    *,
    limit: int | None = None,
    differing_only: bool = False,
    page_limit: int | None = None,
    file: str = "",
) -> Table:
    """Per image: the paired items (agree, swaps, one-sided) and the agreement rate, lowest
    first (undefined last). ``differing_only``: only the images with a class swap or a
    one-sided box (:func:`fully_agreeing_images` counts the others)."""
    frame = r.agreement.to_frame()
    if differing_only:
        frame = frame[common.disputed_images(frame)]
    frame = frame.assign(_undefined=frame["agreement_rate"].isna()).sort_values(
        ["_undefined", "agreement_rate", "image_id"]
    )
    rows = tuple(
        (*common.image_count_row(rec), _finite(rec["agreement_rate"]))
        for rec in frame.to_dict(orient="records")
    )
    return Table(
        key="per_image",
        headers=(*common.image_count_headers(t, r, t("col.image")), t("col.rate")),
        rows=rows,
        align="lrrrrr",
        limit=limit,
        page_limit=page_limit,
        file=file,
        # The report puts a sentence with the counts above the differing images instead.
        caption="" if differing_only else t("per_image.caption"),
        legend=((t("col.rate"), t("per_image.legend.rate")),),
    )


def fully_agreeing_images(r: ComparisonResult) -> tuple[int, int]:
    """(images where every box of both runs is paired with the same class, images counted):
    the images :func:`image_agreement_table` leaves out with ``differing_only``."""
    frame = r.agreement.to_frame()
    differ = int(common.disputed_images(frame).sum())
    return len(frame) - differ, len(frame)


def _labels(r: ComparisonResult, ids: Sequence[int]) -> str:
    return ", ".join(_label(r, c) for c in ids)


def differing_images_table(t: Text, r: ComparisonResult) -> Table:
    """The images whose category lists differ: what only A and only B list (with names) and,
    with a ground truth, the categories of those the GT has there and whose list it sides with
    (:func:`~pill_compare.analysis.diff.list_verdicts`). Both full lists are in the CSV file."""
    d = r.diff
    a, b = r.names
    headers = [t("col.image"), t("col.only_in", name=a), t("col.only_in", name=b)]
    gt = r.disagreements.gt if r.disagreements is not None else None
    if gt is None:
        rows = tuple(
            (str(x.image_id), _labels(r, x.only_a), _labels(r, x.only_b))
            for x in d.differing_images
        )
        legend: tuple[tuple[str, str], ...] = ()
    else:
        verdicts = list_verdicts(d, gt)
        headers += [t("col.gt_has"), t("col.verdict")]
        rows = tuple(
            (
                str(x.image_id),
                _labels(r, x.only_a),
                _labels(r, x.only_b),
                _labels(r, v.gt_categories) or t("gt.none"),
                t(f"list_verdict.{v.code}", **_names(r)),
            )
            for x, v in zip(d.differing_images, verdicts, strict=True)
        )
        legend = (
            (t("col.gt_has"), t("differing.legend.gt_has")),
            (t("col.verdict"), t("differing.legend.verdict")),
        )
    return Table(
        key="differing_images",
        headers=tuple(headers),
        rows=rows,
        align="l" * len(headers),
        limit=TEXT_ROWS,
        page_limit=PAGE_ROWS,
        file=CSV_FILES["differing_images"],
        legend=legend,
    )


def substitution_images(r: ComparisonResult) -> dict[tuple[int, int], int]:
    """(A's category, B's category) → images where that substitution is the only difference
    between the two category lists (``r.diff.substitutions``)."""
    return {(s.a, s.b): s.images for s in r.diff.substitutions}


def disagreement_table(t: Text, r: ComparisonResult) -> Table:
    """The most frequent disagreements, one row per (A's class X, B's class Y): the class swaps
    (the same box, X in A and Y in B) with their images and verdicts, and beside them the images
    where X → Y is the only difference between the category lists (a substitution). A
    substitution that is never a swap of one box (X and Y on different boxes) has a row with 0
    boxes. Most boxes first, then most substitution images. Image ids: the CSV file."""
    d = r.disagreements
    if d is None:
        raise ValueError("Expected a comparison with a ground truth (swap patterns), got none")
    only = substitution_images(r)
    rows: list[tuple[Any, ...]] = []
    for s in d.swap_patterns:
        v = s.verdicts
        rows.append(
            (
                _label(r, s.a),
                _label(r, s.b),
                s.swaps,
                s.images,
                only.get((s.a, s.b), 0),
                v["a_right"],
                v["b_right"],
                v["both_wrong"],
                v["no_gt"],
            )
        )
    swapped = {(s.a, s.b) for s in d.swap_patterns}
    rows += [
        (_label(r, x.a), _label(r, x.b), 0, 0, x.images, "", "", "", "")
        for x in r.diff.substitutions
        if (x.a, x.b) not in swapped
    ]
    a, b = r.names
    return Table(
        key="swap_patterns",
        headers=(
            t("col.model_says", name=a),
            t("col.model_says", name=b),
            t("col.swap_boxes"),
            t("col.images"),
            t("col.substitution_images"),
            t("col.model_right", name=a),
            t("col.model_right", name=b),
            t("col.both_wrong"),
            t("col.no_object"),
        ),
        rows=tuple(rows),
        align="llrrrrrrr",
        limit=TEXT_ROWS,
        page_limit=PAGE_ROWS,
        file=CSV_FILES["swap_patterns"],
        caption=t("patterns.caption_merged", n=len(rows)),
        legend=(
            (t("col.swap_boxes"), t("patterns.legend.boxes")),
            (t("col.substitution_images"), t("patterns.legend.substitution")),
            (t("col.verdict"), t("definition.verdict.text")),
        ),
    )


def disputed_boxes_blocks(t: Text, r: ComparisonResult) -> tuple[Block, ...]:
    """Every disputed box (class swaps and one-sided boxes): what each run says, the GT class
    there and the verdict; scores, IoU and each box's TIDE error type are in the CSV file
    (:data:`CSV_FILES` ``'disputed_boxes'``)."""
    assert r.disagreements is not None
    frame = r.disagreements.to_frame()
    frame = frame[frame["kind"] != "agree"]
    total = len(frame)
    # Only the rows a page or a text can show are written out; the CSV file holds them all.
    frame = frame.iloc[: max(TEXT_ROWS, PAGE_ROWS)]
    a, b = r.names
    rows = tuple(
        (
            str(int(rec["image_id"])),
            t(f"kind.{rec['kind']}", **_names(r)),
            _category_cell(r, rec["a_category_id"]),
            _category_cell(r, rec["b_category_id"]),
            _gt_cell(t, r, rec),
            _verdict_cell(t, r, rec),
        )
        for rec in frame.to_dict(orient="records")
    )
    table = Table(
        key="disputed_boxes",
        headers=(
            t("col.image"),
            t("col.difference"),
            t("col.model_says", name=a),
            t("col.model_says", name=b),
            t("col.gt_class"),
            t("col.verdict"),
        ),
        rows=rows,
        align="llllll",
        limit=TEXT_ROWS,
        page_limit=PAGE_ROWS,
        file=CSV_FILES["disputed_boxes"],
        caption=t("boxes.caption", n=total),
        total_rows=total if total > len(rows) else None,
        legend=((t("col.verdict"), t("boxes.legend.verdict", **_names(r))),),
    )
    return (table,)


def _gt_cell(t: Text, r: ComparisonResult, rec: Mapping[str, Any]) -> str:
    """The GT class there: of the GT the right box matched, else A's GT "there", else B's."""
    first, second = ("b", "a") if rec.get("verdict") == "b_right" else ("a", "b")
    if rec["kind"] == "b_only" or _missing(rec[f"{first}_gt_category_id"]):
        first = second
    value = rec[f"{first}_gt_category_id"]
    return t("gt.none") if _missing(value) else _label(r, int(value))


def _verdict_cell(t: Text, r: ComparisonResult, rec: Mapping[str, Any]) -> str:
    """A swap's verdict; for a one-sided box: right (the other run missed it), wrong (with its
    TIDE type) or absorbed by a crowd region."""
    names = _names(r)
    if rec["kind"] in ("a_only", "b_only"):
        side = rec["kind"][0]
        other = "b" if side == "a" else "a"
        status, error = rec[f"{side}_status"], rec[f"{side}_error"]
        if status == "TP":
            return t("verdict.missed", name=names[other])
        if status == "ignored":
            return t("verdict.ignored")
        if _missing(error) or error == "none":
            return t("verdict.one_wrong", name=names[side])
        return t("verdict.one_wrong_type", name=names[side], error=t(f"error.{error}"))
    return "" if _missing(rec["verdict"]) else t(f"verdict.{rec['verdict']}", **names)


def worst_classes_table(t: Text, r: ComparisonResult) -> Table:
    """The classes with the lowest AP per run (classes without GT left out)."""
    assert r.eval_a is not None and r.eval_b is not None
    ranked = []
    for ev in (r.eval_a, r.eval_b):
        defined = [c for c in ev.coco.per_class if c.ap is not None]
        ranked.append(sorted(defined, key=lambda c: (c.ap, c.category_id))[:WORST_CLASSES])
    rows = []
    for i in range(max(len(x) for x in ranked) if ranked else 0):
        row: list[Any] = [i + 1]
        for side in ranked:
            c = side[i] if i < len(side) else None
            row += [_label(r, c.category_id) if c else "", c.ap if c else None]
        rows.append(tuple(row))
    a, b = r.names
    return Table(
        key="worst_classes",
        headers=(
            "#",
            t("col.model_class", name=a),
            t("col.model_ap", name=a),
            t("col.model_class", name=b),
            t("col.model_ap", name=b),
        ),
        rows=tuple(rows),
        align="rlrlr",
        caption=t("per_class.worst_caption", n=WORST_CLASSES),
    )


def confusion_tables(t: Text, r: ComparisonResult) -> tuple[Block, ...]:
    out: list[Block] = []
    for side, ev in (("a", r.eval_a), ("b", r.eval_b)):
        assert ev is not None
        top = ev.confusion.top_confusions(TEXT_ROWS)
        name = r.names[0 if side == "a" else 1]
        if not top:
            out.append(Paragraph(t("confusions.none", name=name)))
            continue
        out.append(
            Table(
                key=f"confusions_{side}",
                headers=(t("col.gt_class"), t("col.predicted"), t("col.count")),
                rows=tuple((_label(r, g), _label(r, p), n) for g, p, n in top),
                align="llr",
                caption=t("confusions.caption", name=name, n=len(top)),
            )
        )
    out.append(Note(t("confusions.note", convention=t("eval.confusion.convention")), kind="info"))
    return tuple(out)
