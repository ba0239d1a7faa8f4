"""Render an :class:`~pill_compare.analysis.evaluate.EvalResult` as text, Markdown, JSON or CSV.

Every number is printed with its definition next to it (or in a legend right under its table).
"""

from __future__ import annotations

from typing import Any

from pill_compare.analysis.accuracy import DEFINITIONS as ACCURACY_DEFINITIONS
from pill_compare.analysis.coco_metrics import SUMMARY_LEGEND, describe_thresholds
from pill_compare.analysis.confusion import CONVENTION
from pill_compare.analysis.evaluate import EvalResult
from pill_compare.analysis.operating_point import DEFINITIONS as OP_DEFINITIONS
from pill_compare.report.tables import fmt_number, md_table, render_as, text_table

#: How many class-to-class confusions the text and Markdown views list.
TOP_CONFUSIONS = 10


def _thr(value: float | None) -> str:
    """A score threshold, with enough digits to reuse as --score-thr."""
    return "n/a" if value is None else f"{value:.6g}"


def _header(r: EvalResult) -> str:
    return (
        f"{r.name or 'results'} ({r.dets_source or 'in memory'}) against "
        f"{r.gt_source or 'the ground truth'}: {r.detections} detections on {r.images} images; "
        f"{r.gt_boxes} GT boxes, {r.crowd_regions} crowd regions, "
        f"{len(r.coco.category_ids)} declared categories"
    )


def _coco_rows(r: EvalResult) -> list[list[str]]:
    return [
        [key, fmt_number(value), r.coco.definitions[key]] for key, value in r.coco.stats.items()
    ]


def _op_rows(r: EvalResult) -> list[list[Any]]:
    op = r.operating_point
    m = op.micro
    return [
        [
            "micro",
            m.tp,
            m.fp,
            m.fn,
            fmt_number(m.precision),
            fmt_number(m.recall),
            fmt_number(m.f1),
        ],
        [
            "macro",
            "",
            "",
            "",
            fmt_number(op.macro_precision),
            fmt_number(op.macro_recall),
            fmt_number(op.macro_f1),
        ],
    ]


def _op_lines(r: EvalResult) -> list[str]:
    op = r.operating_point
    lines = [
        f"best F1 over all classes (micro): {fmt_number(op.best_f1)} at score >= "
        f"{_thr(op.best_f1_score_threshold)}",
    ]
    if op.absorbed:
        lines.append(f"detections absorbed by crowd regions (neither TP nor FP): {op.absorbed}")
    return lines


def _accuracy_rows(r: EvalResult) -> list[list[str]]:
    a = r.accuracy
    return [
        [
            "classification_accuracy",
            fmt_number(a.classification_accuracy),
            f"{a.correct} / {a.matched}",
            ACCURACY_DEFINITIONS["classification_accuracy"],
        ],
        [
            "image_exact_match",
            fmt_number(a.image_exact_match),
            f"{a.exact_images} / {a.images}",
            ACCURACY_DEFINITIONS["image_exact_match"],
        ],
    ]


def _class_headers(r: EvalResult) -> list[str]:
    ar = r.coco.ar_key.upper().replace("_", "")
    return [
        "category_id", "name", "GT", "dets", "AP", "AP50", "AP75", ar,
        "TP", "FP", "FN", "P", "R", "F1", "best F1", "at score",
    ]  # fmt: skip


def _class_rows(r: EvalResult) -> list[list[Any]]:
    """Raw values (None = n/a): the table helpers format numbers and right-align them."""
    ops = {c.category_id: c for c in r.operating_point.per_class}
    rows: list[list[Any]] = []
    for c in r.coco.per_class:
        o = ops[c.category_id]
        rows.append(
            [
                str(c.category_id),
                c.name,
                c.gt,
                c.detections,
                c.ap,
                c.ap_50,
                c.ap_75,
                c.ar,
                o.tp,
                o.fp,
                o.fn,
                o.precision,
                o.recall,
                o.f1,
                o.best_f1,
                _thr(o.best_f1_score_threshold),
            ]
        )
    return rows


def _class_legend(r: EvalResult) -> list[str]:
    c = r.coco
    iou = describe_thresholds(c.iou_thresholds)
    return [
        f"GT = non-crowd GT boxes (support); dets = detections of the class (all scores); "
        f"AP = mean precision over {iou} and 101 recall points, all sizes, top {c.max_dets[-1]} "
        f"per image and class; AP50/AP75 at IoU 0.50/0.75; {c.ar_key.upper().replace('_', '')} = mean "
        "recall over the same IoUs; n/a = no GT box in the class.",
        "TP, FP, FN, P (precision), R (recall), F1 at the operating point (definitions above); "
        "best F1 = highest F1 over every detection score used as the threshold, at that score.",
    ]


def _confusion_lines(r: EvalResult) -> list[str]:
    cm = r.confusion
    return [
        f"correct (diagonal): {cm.correct}; misclassified (off-diagonal): {cm.misclassified}; "
        f"false detections (background row): {cm.false_detections}; "
        f"missed GT (background column): {cm.missed}; absorbed by crowd regions: {cm.absorbed}",
    ]


def _confusion_rows(r: EvalResult) -> list[list[Any]]:
    names = r.coco.per_class
    label = {c.category_id: f"{c.category_id} {c.name}" for c in names}
    return [[label[g], label[p], n] for g, p, n in r.confusion.top_confusions(TOP_CONFUSIONS)]


def render_eval_text(r: EvalResult) -> str:
    """The terminal view: COCO stats, operating point, accuracy, per class, confusions."""
    op = r.operating_point
    out = [
        _header(r),
        "",
        "COCO metrics (bbox; equal to pycocotools COCOeval.summarize)",
        text_table(["metric", "value", "definition"], _coco_rows(r), align="lrl"),
        f"  {SUMMARY_LEGEND}.",
        "",
        f"Operating point: score >= {op.score_threshold:g}, IoU >= {op.iou_threshold:g}",
        text_table(
            ["", "TP", "FP", "FN", "precision", "recall", "F1"], _op_rows(r), align="lrrrrrr"
        ),
        *_op_lines(r),
        *(f"  {k}: {v}" for k, v in OP_DEFINITIONS.items()),
        "",
        f"Accuracy (score >= {op.score_threshold:g}, IoU >= {op.iou_threshold:g})",
        text_table(["accuracy", "value", "count", "definition"], _accuracy_rows(r), align="lrrl"),
        "",
        "Per class",
        text_table(_class_headers(r), _class_rows(r), align="ll" + "r" * 14),
        *(f"  {line}" for line in _class_legend(r)),
        "",
        f"Confusion matrix ({CONVENTION})",
        *_confusion_lines(r),
    ]
    rows = _confusion_rows(r)
    if rows:
        out += [
            f"Most frequent confusions (GT class -> predicted class), top {len(rows)}:",
            text_table(["GT class", "predicted", "count"], rows, align="llr"),
        ]
    if r.caveats:
        out += ["", "Caveats:", *(f"  - {c}" for c in r.caveats)]
    return "\n".join(out) + "\n"


def render_eval_markdown(r: EvalResult) -> str:
    """A Markdown report section with the same content as the text view."""
    op = r.operating_point
    out = [
        f"# Evaluation: {r.name or 'results'}",
        "",
        _header(r) + ".",
        "",
        "## COCO metrics",
        "",
        "Equal to pycocotools `COCOeval.summarize()` (bbox); n/a where pycocotools prints -1.",
        "",
        md_table(["metric", "value", "definition"], _coco_rows(r)),
        "",
        SUMMARY_LEGEND + ".",
        "",
        f"## Operating point: score >= {op.score_threshold:g}, IoU >= {op.iou_threshold:g}",
        "",
        md_table(["", "TP", "FP", "FN", "precision", "recall", "F1"], _op_rows(r)),
        "",
        *(f"- {line}" for line in _op_lines(r)),
        *(f"- **{k}**: {v}" for k, v in OP_DEFINITIONS.items()),
        "",
        "## Accuracy",
        "",
        md_table(["accuracy", "value", "count", "definition"], _accuracy_rows(r)),
        "",
        "## Per class",
        "",
        md_table(_class_headers(r), _class_rows(r)),
        "",
        *(f"- {line}" for line in _class_legend(r)),
        "",
        "## Confusion matrix",
        "",
        f"Convention: {CONVENTION}.",
        "",
        *(f"- {line}" for line in _confusion_lines(r)),
    ]
    rows = _confusion_rows(r)
    if rows:
        out += ["", md_table(["GT class", "predicted", "count"], rows)]
    if r.caveats:
        out += ["", "## Caveats", "", *(f"- {c}" for c in r.caveats)]
    return "\n".join(out) + "\n"


def render_eval(r: EvalResult, fmt: str) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per category)."""
    return render_as(r, fmt, text=render_eval_text, md=render_eval_markdown)
