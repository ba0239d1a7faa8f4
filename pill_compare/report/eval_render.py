"""Render an :class:`~pill_compare.analysis.evaluate.EvalResult` as text, Markdown, JSON or CSV.

Markdown prints every number with its definition next to it (or in a legend right under its
table); the text view does so with ``explain=True`` and otherwise fits 120 columns.
"""

from __future__ import annotations

from typing import Any

from pill_compare.analysis.accuracy import DEFINITIONS as ACCURACY_DEFINITIONS
from pill_compare.analysis.coco_metrics import SUMMARY_LEGEND, describe_thresholds
from pill_compare.analysis.confusion import CONVENTION
from pill_compare.analysis.evaluate import EvalResult
from pill_compare.analysis.operating_point import DEFINITIONS as OP_DEFINITIONS
from pill_compare.report.escape import md_escape, terminal_safe
from pill_compare.report.tables import (
    fit_width,
    fmt_number,
    md_table,
    render_as,
    text_table,
    wrap_text,
)

#: How many class-to-class confusions the text and Markdown views list.
TOP_CONFUSIONS = 10
#: Text output: terminal cells a category name (or "id name" label) may take ("…" beyond).
NAME_CELLS = 28
LABEL_CELLS = 40


def _thr(value: float | None) -> str:
    """A score threshold, with enough digits to pass back as the score threshold."""
    return "n/a" if value is None else f"{value:.6g}"


def _header_parts(r: EvalResult) -> tuple[str, str]:
    return (
        f"{r.name or 'results'} ({r.dets_source or 'in memory'}) against "
        f"{r.gt_source or 'the ground truth'}",
        f"{r.detections} detections on {r.images} images; "
        f"{r.gt_boxes} GT boxes, {r.crowd_regions} crowd regions, "
        f"{r.coco.declared_categories} declared categories",
    )


def _header(r: EvalResult) -> str:
    return ": ".join(_header_parts(r))


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


def _confusion_rows(r: EvalResult, cells: int | None = None) -> list[list[Any]]:
    names = r.coco.per_class
    label = {c.category_id: f"{c.category_id} {c.name}" for c in names}
    if cells is not None:
        label = {k: fit_width(v, cells) for k, v in label.items()}
    return [[label[g], label[p], n] for g, p, n in r.confusion.top_confusions(TOP_CONFUSIONS)]


#: The per-class text view is two tables (all 16 columns are ~140 cells wide): COCO metrics
#: over all scores, then the operating point. Indices into :func:`_class_headers`.
_COCO_COLUMNS = (0, 1, 2, 3, 4, 5, 6, 7)
_OP_COLUMNS = (0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15)


def _wrapped(text: str, indent: str = "") -> list[str]:
    return wrap_text(indent + text, indent=indent + "  ")


def render_eval_text(r: EvalResult, *, explain: bool = False) -> str:
    """The terminal view: COCO stats, operating point, accuracy, per class, confusions.

    Without ``explain`` it fits :data:`~pill_compare.report.tables.TEXT_WIDTH` (120) columns:
    the definitions and legends are left out (Markdown and JSON always have them), long names
    end in "…", prose is wrapped.

    Args:
        r: The evaluation.
        explain: Add every definition: next to each COCO stat and accuracy, and the legends of
            the operating point, the per-class columns and the confusion-matrix convention.
    """
    op = r.operating_point
    at = f"score >= {op.score_threshold:g}, IoU >= {op.iou_threshold:g}"
    first, second = _header_parts(r)
    coco_rows, accuracy_rows = _coco_rows(r), _accuracy_rows(r)
    out = [
        *_wrapped(first + ":"),
        f"  {second}",
        "",
        "COCO metrics (bbox; equal to pycocotools COCOeval.summarize)",
    ]
    if explain:
        out += [
            text_table(["metric", "value", "definition"], coco_rows, align="lrl"),
            *_wrapped(SUMMARY_LEGEND + ".", "  "),
        ]
    else:
        out.append(text_table(["metric", "value"], [row[:2] for row in coco_rows], align="lr"))
    out += [
        "",
        f"Operating point: {at}",
        text_table(
            ["", "TP", "FP", "FN", "precision", "recall", "F1"], _op_rows(r), align="lrrrrrr"
        ),
        *(line for text in _op_lines(r) for line in _wrapped(text)),
    ]
    if explain:
        out += [line for k, v in OP_DEFINITIONS.items() for line in _wrapped(f"{k}: {v}", "  ")]
    out += [
        "",
        f"Accuracy ({at})",
        text_table(["accuracy", "value", "count"], [row[:3] for row in accuracy_rows], "lrr"),
    ]
    if explain:  # the definitions are long: one wrapped line each, under the table
        out += [line for row in accuracy_rows for line in _wrapped(f"{row[0]}: {row[3]}", "  ")]
    headers, rows = _class_headers(r), _class_rows(r)
    for row in rows:
        row[1] = fit_width(row[1], NAME_CELLS)
    out += [
        "",
        "Per class: COCO metrics (all scores)",
        text_table(
            [headers[i] for i in _COCO_COLUMNS],
            [[row[i] for i in _COCO_COLUMNS] for row in rows],
            align="ll" + "r" * (len(_COCO_COLUMNS) - 2),
        ),
        "",
        f"Per class: operating point ({at})",
        text_table(
            [headers[i] for i in _OP_COLUMNS],
            [[row[i] for i in _OP_COLUMNS] for row in rows],
            align="ll" + "r" * (len(_OP_COLUMNS) - 2),
        ),
    ]
    if explain:
        out += [line for text in _class_legend(r) for line in _wrapped(text, "  ")]
    out.append("")
    out += _wrapped(f"Confusion matrix ({CONVENTION})") if explain else ["Confusion matrix"]
    out += [line for text in _confusion_lines(r) for line in _wrapped(text)]
    confusions = _confusion_rows(r, LABEL_CELLS)
    if confusions:
        out += [
            f"Most frequent confusions (GT class -> predicted class), top {len(confusions)}:",
            text_table(["GT class", "predicted", "count"], confusions, align="llr"),
        ]
    if r.caveats:
        out += ["", "Caveats:", *(line for c in r.caveats for line in _wrapped(f"- {c}", "  "))]
    return terminal_safe("\n".join(out) + "\n")


def render_eval_markdown(r: EvalResult) -> str:
    """A Markdown report section with the same content as the text view."""
    op = r.operating_point
    out = [
        f"# Evaluation: {md_escape(r.name or 'results')}",
        "",
        md_escape(_header(r) + "."),
        "",
        "## COCO metrics",
        "",
        "Equal to pycocotools `COCOeval.summarize()` (bbox); n/a where pycocotools prints -1.",
        "",
        md_table(["metric", "value", "definition"], _coco_rows(r)),
        "",
        md_escape(SUMMARY_LEGEND + "."),
        "",
        f"## Operating point: score >= {op.score_threshold:g}, IoU >= {op.iou_threshold:g}",
        "",
        md_table(["", "TP", "FP", "FN", "precision", "recall", "F1"], _op_rows(r)),
        "",
        *(f"- {md_escape(line)}" for line in _op_lines(r)),
        *(f"- **{md_escape(k)}**: {md_escape(v)}" for k, v in OP_DEFINITIONS.items()),
        "",
        "## Accuracy",
        "",
        md_table(["accuracy", "value", "count", "definition"], _accuracy_rows(r)),
        "",
        "## Per class",
        "",
        md_table(_class_headers(r), _class_rows(r)),
        "",
        *(f"- {md_escape(line)}" for line in _class_legend(r)),
        "",
        "## Confusion matrix",
        "",
        md_escape(f"Convention: {CONVENTION}."),
        "",
        *(f"- {md_escape(line)}" for line in _confusion_lines(r)),
    ]
    rows = _confusion_rows(r)
    if rows:
        out += ["", md_table(["GT class", "predicted", "count"], rows)]
    if r.caveats:
        out += ["", "## Caveats", "", *(f"- {md_escape(c)}" for c in r.caveats)]
    return "\n".join(out) + "\n"


def render_eval(r: EvalResult, fmt: str, *, explain: bool = False) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per category).

    ``explain`` adds the definitions to the text view (Markdown and JSON always have them).
    """
    return render_as(r, fmt, text=render_eval_text, md=render_eval_markdown, explain=explain)
