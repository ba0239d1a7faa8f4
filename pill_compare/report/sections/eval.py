"""Section builder for one evaluation (:class:`~pill_compare.analysis.evaluate.EvalResult`).

``eval_sections(r, lang)`` is what ``pillcmp eval`` shows: the COCO metrics, the operating point,
both accuracies, the per-class tables, the confusion matrix and the caveats, each number with its
definition in the table's legend. Every number comes from ``r``; every word from the catalogue
(:mod:`pill_compare.report.messages`).

Section keys: ``eval.coco``, ``eval.operating_point``, ``eval.accuracy``, ``eval.lrp`` (when matched at IoU 0.5),
        ``eval.per_class``,
``eval.confusion``, ``eval.caveats`` (only with caveats). Table keys: ``coco_stats``,
``operating_point``, ``accuracy``, ``per_class_coco``, ``per_class_operating_point``,
``top_confusions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from pill_compare.analysis.coco_metrics import stat_specs
from pill_compare.analysis.evaluate import EvalResult
from pill_compare.report.messages import catalogue
from pill_compare.report.sections.slices import eval_slice_sections
from pill_compare.report.structure import Bullets, Note, Paragraph, Section, Table
from pill_compare.report.tables import fit_width

#: How many class-to-class confusions are listed.
TOP_CONFUSIONS = 10
#: Compact (terminal) output cuts a category name, and an "id name" label, to this many cells.
NAME_CELLS = 28
LABEL_CELLS = 40
#: The per-class table's columns shown over all scores, and at the operating point.
_COCO_COLUMNS = ("category_id", "name", "gt", "dets", "ap", "ap_50", "ap_75", "ar")
_OP_COLUMNS = ("category_id", "name", "gt", "tp", "fp", "fn", "p", "r", "f1", "best_f1", "at")
_ACCURACY_KEYS = ("classification_accuracy", "image_exact_match")
_LRP_KEYS = ("olrp", "olrp_loc", "olrp_fp", "olrp_fn")
_OP_KEYS = ("tp", "fp", "fn", "precision", "recall", "f1", "micro", "macro", "best_f1")

#: ``text(key, **params)`` of a catalogue (:mod:`pill_compare.report.messages`).
Text = Callable[..., str]


def threshold_text(value: float | None) -> str | None:
    """A score threshold with enough digits to pass back as the threshold (None stays None)."""
    return None if value is None else f"{value:.6g}"


def describe_thresholds(t: Text, thresholds: Sequence[float] | np.ndarray) -> str:
    """'IoU 0.50:0.95 step 0.05 (10 thresholds)', 'IoU 0.50' or 'IoU 0.30, 0.50', in ``t``'s
    language (the words of :func:`pill_compare.analysis.coco_metrics.describe_thresholds`)."""
    v = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    if v.size == 1:
        return t("iou.single", value=v[0])
    steps = np.diff(v)
    if v.size > 2 and np.allclose(steps, steps[0]):
        return t("iou.range", low=v[0], high=v[-1], step=steps[0], n=v.size)
    return t("iou.list", values=", ".join(f"{x:.2f}" for x in v))


def stat_definitions(t: Text, r: EvalResult) -> dict[str, str]:
    """Summary key → definition, in ``t``'s language (in English exactly ``r.coco.definitions``)."""
    out = {}
    for spec in stat_specs(r.coco.max_dets):
        ious = (
            describe_thresholds(t, r.coco.iou_thresholds)
            if spec.iou is None
            else t("iou.single", value=spec.iou)
        )
        out[spec.key] = t(
            "stat.definition",
            kind=t("stat.ap" if spec.ap else "stat.ar"),
            ious=ious,
            area=t(f"area.{spec.area}"),
            top=spec.max_dets,
        )
    return {k: out.get(k, r.coco.definitions.get(k, "")) for k in r.coco.stats}


def operating_point_text(t: Text, score_threshold: float, iou_threshold: float) -> str:
    """'score >= 0.5, IoU >= 0.5'."""
    return t("op.at", score=score_threshold, iou=iou_threshold)


def caveat_notes(caveats: Iterable[str]) -> tuple[Note, ...]:
    """One warning note per caveat (loading and evaluation warnings are kept as written)."""
    return tuple(Note(c, kind="warning") for c in caveats)


def legend(t: Text, prefix: str, keys: Iterable[str], **params: Any) -> tuple:
    """``((key, definition), ...)`` from the catalogue keys ``<prefix>.<key>``."""
    return tuple((k, t(f"{prefix}.{k}", **params)) for k in keys)


def header_lines(t: Text, r: EvalResult) -> tuple[str, str]:
    """What was evaluated against what, and the input sizes."""
    return (
        t(
            "eval.header.inputs",
            name=r.name or t("eval.unnamed"),
            results=r.dets_source or t("eval.in_memory"),
            gt=r.gt_source or t("eval.the_ground_truth"),
        ),
        t(
            "eval.header.sizes",
            detections=r.detections,
            images=r.images,
            gt_boxes=r.gt_boxes,
            crowd=r.crowd_regions,
            categories=r.coco.declared_categories,
        ),
    )


def _coco_section(t: Text, r: EvalResult) -> Section:
    definitions = stat_definitions(t, r)
    table = Table(
        key="coco_stats",
        headers=(t("col.metric"), t("col.value")),
        rows=tuple((k, v) for k, v in r.coco.stats.items()),
        align="lr",
        legend=(
            *((k, definitions[k]) for k in r.coco.stats),
            (t("stat.legend_term"), t("stat.legend")),
        ),
    )
    return Section("eval.coco", t("eval.coco.title"), (Paragraph(t("eval.coco.intro")), table))


def _operating_point_section(t: Text, r: EvalResult) -> Section:
    op, m = r.operating_point, r.operating_point.micro
    table = Table(
        key="operating_point",
        headers=("", "TP", "FP", "FN", t("col.precision"), t("col.recall"), "F1"),
        rows=(
            (t("op.micro"), m.tp, m.fp, m.fn, m.precision, m.recall, m.f1),
            (t("op.macro"), "", "", "", op.macro_precision, op.macro_recall, op.macro_f1),
        ),
        align="lrrrrrr",
        legend=legend(t, "def.op", _OP_KEYS),
    )
    lines = [
        t("op.best_f1", f1=_num(op.best_f1), at=threshold_text(op.best_f1_score_threshold) or "n/a")
    ]
    if op.absorbed:
        lines.append(t("op.absorbed", n=op.absorbed))
    title = t("eval.op.title", at=operating_point_text(t, op.score_threshold, op.iou_threshold))
    return Section("eval.operating_point", title, (table, Bullets(tuple(lines))))


def _accuracy_section(t: Text, r: EvalResult) -> Section:
    a = r.accuracy
    at = operating_point_text(t, a.score_threshold, a.iou_threshold)
    table = Table(
        key="accuracy",
        headers=(t("col.accuracy"), t("col.value"), t("col.count")),
        rows=(
            ("classification_accuracy", a.classification_accuracy, f"{a.correct} / {a.matched}"),
            ("image_exact_match", a.image_exact_match, f"{a.exact_images} / {a.images}"),
        ),
        align="lrr",
        legend=legend(t, "def.accuracy", _ACCURACY_KEYS),
    )
    return Section("eval.accuracy", t("eval.accuracy.title", at=at), (table,))


def _lrp_section(t: Text, r: EvalResult) -> Section | None:
    """Mean oLRP and its components, and how many classes have a threshold (None without LRP)."""
    lrp = r.lrp
    if lrp is None:
        return None
    table = Table(
        key="lrp",
        headers=(t("col.lrp"), t("col.value")),
        rows=tuple((k, getattr(lrp, k)) for k in _LRP_KEYS),
        align="lr",
        legend=legend(t, "def.lrp", _LRP_KEYS, iou=lrp.iou_threshold),
    )
    with_gt = sum(c.olrp is not None for c in lrp.per_class)
    note = Paragraph(t("lrp.thresholds_note", n=len(lrp.thresholds("olrp")), total=with_gt))
    return Section("eval.lrp", t("eval.lrp.title", iou=lrp.iou_threshold), (table, note))


def _class_rows(r: EvalResult, cells: int | None = None) -> list[dict[str, Any]]:
    ops = {c.category_id: c for c in r.operating_point.per_class}
    rows = []
    for c in r.coco.per_class:
        o = ops[c.category_id]
        rows.append(
            {
                "category_id": str(c.category_id),
                "name": _fit(c.name, cells),
                "gt": c.gt,
                "dets": c.detections,
                "ap": c.ap,
                "ap_50": c.ap_50,
                "ap_75": c.ap_75,
                "ar": c.ar,
                "tp": o.tp,
                "fp": o.fp,
                "fn": o.fn,
                "p": o.precision,
                "r": o.recall,
                "f1": o.f1,
                "best_f1": o.best_f1,
                "at": threshold_text(o.best_f1_score_threshold),
            }
        )
    return rows


def _class_headers(t: Text, r: EvalResult) -> dict[str, str]:
    return {
        "category_id": "category_id",
        "name": t("col.name"),
        "gt": "GT",
        "dets": t("col.dets"),
        "ap": "AP",
        "ap_50": "AP50",
        "ap_75": "AP75",
        "ar": r.coco.ar_key.upper().replace("_", ""),
        "tp": "TP",
        "fp": "FP",
        "fn": "FN",
        "p": "P",
        "r": "R",
        "f1": "F1",
        "best_f1": t("col.best_f1"),
        "at": t("col.at_score"),
    }


def _class_table(
    key: str,
    columns: Sequence[str],
    headers: Mapping[str, str],
    rows: list[dict[str, Any]],
    **kw: Any,
) -> Table:
    return Table(
        key=key,
        headers=tuple(headers[c] for c in columns),
        rows=tuple(tuple(row[c] for c in columns) for row in rows),
        align="ll" + "r" * (len(columns) - 2),
        **kw,
    )


def _per_class_section(t: Text, r: EvalResult, cells: int | None) -> Section:
    c, op = r.coco, r.operating_point
    headers, rows = _class_headers(t, r), _class_rows(r, cells)
    at = operating_point_text(t, op.score_threshold, op.iou_threshold)
    ar = headers["ar"]
    coco_legend = t(
        "eval.per_class.legend_coco",
        ious=describe_thresholds(t, c.iou_thresholds),
        top=c.max_dets[-1],
        ar=ar,
    )
    coco = _class_table(
        "per_class_coco",
        _COCO_COLUMNS,
        headers,
        rows,
        caption=t("eval.per_class.coco"),
        legend=((t("eval.per_class.columns"), coco_legend),),
    )
    ops = _class_table(
        "per_class_operating_point",
        _OP_COLUMNS,
        headers,
        rows,
        caption=t("eval.per_class.op", at=at),
        legend=((t("eval.per_class.columns"), t("eval.per_class.legend_op")),),
    )
    return Section("eval.per_class", t("eval.per_class.title"), (coco, ops))


def _confusion_section(t: Text, r: EvalResult, cells: int | None) -> Section:
    cm = r.confusion
    label = {c.category_id: _fit(f"{c.category_id} {c.name}", cells) for c in r.coco.per_class}
    counts = Table(
        key="confusion_counts",
        headers=(t("col.cell"), t("col.count")),
        rows=(
            (t("eval.confusion.correct"), cm.correct),
            (t("eval.confusion.misclassified"), cm.misclassified),
            (t("eval.confusion.false_detections"), cm.false_detections),
            (t("eval.confusion.missed"), cm.missed),
            (t("eval.confusion.absorbed"), cm.absorbed),
        ),
        align="lr",
        legend=((t("eval.confusion.title"), t("eval.confusion.convention")),),
    )
    blocks: list[Any] = [counts]
    top = cm.top_confusions(TOP_CONFUSIONS)
    if top:
        blocks.append(
            Table(
                key="top_confusions",
                headers=(t("col.gt_class"), t("col.predicted"), t("col.count")),
                rows=tuple((label[g], label[p], n) for g, p, n in top),
                align="llr",
                caption=t("eval.confusion.top", n=len(top)),
            )
        )
    return Section("eval.confusion", t("eval.confusion.title"), tuple(blocks))


def _fit(text: str, cells: int | None) -> str:
    return text if cells is None else fit_width(text, cells)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def eval_sections(r: EvalResult, lang: str = "en", *, compact: bool = False) -> list[Section]:
    """The sections of one evaluation: what ``pillcmp eval`` shows, in ``lang``.

    Args:
        r: The evaluation.
        lang: 'en' or 'ko'.
        compact: For a terminal: category names cut to :data:`NAME_CELLS` cells ("…"), labels
            in the confusion list to :data:`LABEL_CELLS` (Markdown and HTML keep them whole).

    Returns:
        ``eval.header`` (untitled: what was evaluated against what), ``eval.coco``,
        ``eval.operating_point``, ``eval.accuracy``, ``eval.lrp`` (when matched at IoU 0.5),
        ``eval.per_class``, ``eval.slices`` (with ``--slice``), ``eval.confusion`` and,
        when ``r`` has caveats, ``eval.caveats``.

    Raises:
        TypeError: ``r`` is not an EvalResult.
        ValueError: an unknown language.
    """
    if not isinstance(r, EvalResult):
        raise TypeError(f"Expected an EvalResult, got {type(r).__name__}")
    t = catalogue(lang).text
    inputs, sizes = header_lines(t, r)
    out = [
        Section("eval.header", "", (Paragraph(f"{inputs}:\n  {sizes}"),)),
        _coco_section(t, r),
        _operating_point_section(t, r),
        _accuracy_section(t, r),
        *[s for s in (_lrp_section(t, r),) if s is not None],
        _per_class_section(t, r, NAME_CELLS if compact else None),
        *eval_slice_sections(t, r),
        _confusion_section(t, r, LABEL_CELLS if compact else None),
    ]
    if r.caveats:
        out.append(Section("eval.caveats", t("caveats.title"), caveat_notes(r.caveats)))
    return out


__all__ = ["LABEL_CELLS", "NAME_CELLS", "TOP_CONFUSIONS", "eval_sections"]
