"""Render a :class:`~pill_compare.analysis.compare.ComparisonResult`: text (one screen of
findings first, details after), Markdown, JSON (``to_dict()`` plus the sentences), CSV (the
per-class table). Computes nothing: every number comes from the result.
"""

from __future__ import annotations

from typing import Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.report.escape import Md, md_escape
from pill_compare.report.messages import catalogue
from pill_compare.report.tables import (
    fit_width,
    fmt_ids,
    fmt_number,
    md_table,
    text_table,
    to_csv,
    to_json,
    wrap_text,
)

#: Headline metrics shown in the summary table, in order.
HEADLINE = (
    "map",
    "map_50",
    "map_75",
    "mar_100",
    "precision",
    "recall",
    "f1",
    "classification_accuracy",
    "image_exact_match",
)
#: The bootstrap's metric for a headline row (others have no interval).
BOOTSTRAPPED = {"map": "map", "map_50": "map_50", "f1": "f1"}
ERROR_ROWS = ("cls", "loc", "both", "dupe", "bkg", "miss", "false_pos", "false_neg")
TOP_PATTERNS = 5
TOP_CLASSES = 15
LABEL_CELLS = 28
PATTERN_CELLS = 23
DEFINITIONS = (
    ("B − A", "every delta is run B minus run A"),
    (
        "pairing",
        "per image, both runs' boxes with score >= s visited together by descending score; a box "
        "takes the unpaired box of the other run with the highest IoU >= the pairing IoU "
        "(class-agnostic, one-to-one); same class = agree, else a class swap; unpaired = one-sided",
    ),
    (
        "verdict",
        "a box is right when it is a TP of its class at the operating point (score >= s, IoU >= u); "
        "a swap is 'a right', 'b right', 'both wrong' (a GT object overlaps a box at IoU >= 0.1 but "
        "neither is a TP) or 'no object there' (both on background)",
    ),
    (
        "error types",
        "TIDE's: cls (right box, wrong class), loc (right class, IoU 0.1-0.5), both, dupe "
        "(duplicate of a found object), bkg (IoU < 0.1 with every object), miss (an object no "
        "detection explains); ΔAP50 = AP50 after TIDE's oracle fix of that type minus AP50",
    ),
    (
        "bootstrap",
        "images resampled with replacement, the same resample for both runs; interval = "
        "percentiles of the resampled deltas; p = 2 (1 + smaller tail) / (N + 1)",
    ),
    (
        "McNemar",
        "per non-crowd GT object: found with the right class at the operating point by A vs by B; "
        "exact binomial test on the discordant objects",
    ),
    (
        "agreement",
        "agreeing pairs / (pairs + one-sided boxes); Cohen's kappa on paired boxes' classes; "
        "agreement is not accuracy: both runs can agree and be wrong",
    ),
)


def _label(r: ComparisonResult, category_id: int, cells: int | None = LABEL_CELLS) -> str:
    names = r.diff.category_names
    text = f"{category_id} {names[category_id]}" if names.get(category_id) else str(category_id)
    return fit_width(text, cells) if cells else text


def _header(r: ComparisonResult) -> list[str]:
    a, b = r.names
    p = r.parameters
    lines = [
        f"A = {a} ({r.diff.loaded['a']} detections), B = {b} ({r.diff.loaded['b']} detections)"
    ]
    if r.eval_a is not None:
        ev = r.eval_a
        lines.append(
            f"against {ev.gt_source or 'the ground truth'}: {ev.images} images, {ev.gt_boxes} GT "
            f"boxes; operating point score >= {p['score_threshold']:g}, IoU >= "
            f"{p['iou_threshold']:g}; pairing IoU {p['pair_iou']:g}; bootstrap "
            f"{p['n_bootstrap']} resamples, seed {p['seed']}"
        )
    else:
        lines.append(
            f"no ground truth; boxes with score >= {p['score_threshold']:g} paired at IoU "
            f"{p['pair_iou']:g}"
        )
    return lines


def _verdict_lines(r: ComparisonResult, lang: str) -> list[str]:
    msg = catalogue(lang)
    if not r.has_ground_truth:
        return [msg.NO_GROUND_TRUTH]
    out = [msg.significance_sentence(r.verdict) if r.verdict is not None else msg.NO_BOOTSTRAP]
    if r.mcnemar is not None:
        out.append(msg.mcnemar_sentence(r.mcnemar))
    return out


def _metric_rows(r: ComparisonResult) -> list[list[Any]]:
    m = r.metrics()
    msg = catalogue("en")
    rows = []
    for key in HEADLINE:
        boot = None
        if r.bootstrap is not None and key in BOOTSTRAPPED:
            boot = r.bootstrap.metrics[BOOTSTRAPPED[key]]
        delta = m["delta"][key]
        rows.append(
            [
                key,
                fmt_number(m["a"][key]),
                fmt_number(m["b"][key]),
                "n/a" if delta is None else f"{delta:+.4f}",
                f"[{msg.num(boot.ci_low, 4)}, {msg.num(boot.ci_high, 4)}]" if boot else "",
                msg.p_value_cell(boot.p_value) if boot else "",
            ]
        )
    return rows


def _metric_headers(r: ComparisonResult) -> list[str]:
    a, b = r.names
    level = f"{r.bootstrap.confidence:.0%} CI" if r.bootstrap is not None else "CI"
    return ["metric", a, b, "B − A", level, "p"]


def _pattern_rows(r: ComparisonResult, limit: int | None, cells: int | None) -> list[list[Any]]:
    d = r.disagreements
    if d is None:
        return []
    rows = []
    for s in d.swap_patterns[:limit]:
        rows.append(
            [
                _label(r, s.a, cells),
                _label(r, s.b, cells),
                s.swaps,
                s.verdicts["a_right"],
                s.verdicts["b_right"],
                s.verdicts["both_wrong"],
                s.verdicts["no_gt"],
                fmt_ids(s.image_ids, 3 if limit else None),
            ]
        )
    return rows


def _pattern_headers(r: ComparisonResult) -> list[str]:
    return [
        "A says (X)",
        "B says (Y)",
        "swaps",
        "A right",
        "B right",
        "both wrong",
        "no GT",
        "images",
    ]


def _pair_lines(r: ComparisonResult) -> list[str]:
    a, b = r.names
    c = r.pairing.counts()
    lines = [
        f"Boxes paired across the runs: {c['agree']} agree, {c['class_swap']} class swaps, "
        f"{c['a_only']} only in {a}, {c['b_only']} only in {b}"
    ]
    if r.disagreements is not None:
        v = r.disagreements.swap_verdicts()
        lines.append(
            f"Class swaps, by ground truth: {a} right {v['a_right']}, {b} right {v['b_right']}, "
            f"both wrong {v['both_wrong']}, no object there {v['no_gt']}"
            + (f", both right {v['both_right']}" if v["both_right"] else "")
            + (f", crowd region {v['ignored']}" if v["ignored"] else "")
        )
        for kind, name in (("a_only", a), ("b_only", b)):
            o = r.disagreements.one_sided()[kind]
            errors = ", ".join(f"{k} {n}" for k, n in o["errors"].items() if n)
            lines.append(
                f"Boxes only {name} found: {o['boxes']}: right {o['right']}, wrong {o['wrong']}"
                + (f" ({errors})" if errors else "")
                + (f", crowd region {o['ignored']}" if o["ignored"] else "")
            )
    ag = r.agreement
    kappa = ag.to_dict()["kappa"]["kappa"]
    lines.append(
        f"Agreement (not accuracy): {fmt_number(ag.to_dict()['agreement_rate'])} of items agree; "
        f"Cohen's kappa on paired classes {fmt_number(kappa)}"
    )
    return lines


def _error_rows(r: ComparisonResult) -> list[list[Any]]:
    if r.errors_a is None or r.errors_b is None:
        return []
    ea, eb = r.errors_a.to_dict(), r.errors_b.to_dict()
    return [
        [
            key,
            ea[key]["count"],
            fmt_number(ea[key]["delta_ap"]),
            eb[key]["count"],
            fmt_number(eb[key]["delta_ap"]),
        ]
        for key in ERROR_ROWS
    ]


def _error_headers(r: ComparisonResult) -> list[str]:
    a, b = r.names
    return ["error type", f"{a} count", f"{a} ΔAP50", f"{b} count", f"{b} ΔAP50"]


def _support_lines(r: ComparisonResult, lang: str) -> list[str]:
    if r.support is None:
        if r.has_ground_truth:
            return ["Imbalance vs AP: not tested (give the training annotations to test it)."]
        return []
    msg = catalogue(lang)
    d = r.support.to_dict()
    lines = [msg.support_sentence(r.names, d["spearman"])]
    gap = d["spearman"].get("delta")
    if gap:
        lines.append(msg.correlation_sentence(msg.GAP_FINDINGS, gap))
    disputes = d.get("disputes") or {}
    if disputes.get("finding"):
        lines.append(msg.dispute_sentence(disputes))
    training = d.get("indices") or {}
    if training.get("imbalance_ratio") is not None:
        lines.append(
            f"Training imbalance ratio (max / min annotations per class): {training['imbalance_ratio']:.2f}."
        )
    return lines


def _class_rows(r: ComparisonResult, limit: int | None, cells: int | None) -> list[list[Any]]:
    frame = r.per_class_frame()
    if limit:
        frame = frame.head(limit)
    rows = []
    for rec in frame.to_dict(orient="records"):
        rows.append(
            [
                _label(r, int(rec["category_id"]), cells),
                int(rec["gt"]),
                fmt_number(_nan(rec["ap_a"])),
                fmt_number(_nan(rec["ap_b"])),
                _signed(rec["ap_delta"]),
                _signed(rec["ap_50_delta"]),
                _signed(rec["recall_delta"]),
            ]
        )
    return rows


def _class_headers(r: ComparisonResult) -> list[str]:
    a, b = r.names
    return ["category", "GT", f"AP {a}", f"AP {b}", "ΔAP", "ΔAP50", "Δrecall"]


def _nan(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def _signed(value: Any) -> str:
    v = _nan(value)
    return "n/a" if v is None else f"{v:+.4f}"


def _class_agreement_rows(r: ComparisonResult, limit: int | None, cells: int | None) -> list:
    frame = r.agreement.class_frame().sort_values(["agreement_rate", "category_id"])
    if limit:
        frame = frame.head(limit)
    return [
        [
            _label(r, int(c["category_id"]), cells),
            int(c["a_boxes"]),
            int(c["b_boxes"]),
            int(c["agree"]),
            int(c["swap_as_a"]) + int(c["swap_as_b"]),
            int(c["a_only"]) + int(c["b_only"]),
            fmt_number(_nan(c["agreement_rate"])),
        ]
        for c in frame.to_dict(orient="records")
    ]


CLASS_AGREEMENT_HEADERS = ["category", "A boxes", "B boxes", "agree", "swaps", "one-sided", "rate"]


def _agreement_text(r: ComparisonResult) -> list[str]:
    """Without ground truth: the diff, the lowest-agreement classes and images."""
    d = r.diff
    lines = [
        f"Images whose category lists differ: {len(d.differing_images)} of {d.images_total} "
        "(pillcmp diff lists each)"
    ]
    if d.substitutions:
        lines.append(
            "Most frequent substitutions (A has X where B has Y on an image): "
            + "; ".join(
                f"{_label(r, s.a, None)} -> {_label(r, s.b, None)} ({s.images} images)"
                for s in d.substitutions[:3]
            )
        )
    out = [""] + [w for text in lines for w in wrap_text(text, indent="  ")]
    rows = _class_agreement_rows(r, TOP_CLASSES, LABEL_CELLS)
    if rows:
        out += ["", "Agreement per class, lowest first:"]
        out.append(text_table(CLASS_AGREEMENT_HEADERS, rows, align="lrrrrrr"))
    images = r.agreement.to_frame().dropna(subset=["agreement_rate"])
    images = images.sort_values(["agreement_rate", "image_id"]).head(10)
    if len(images):
        shown = ", ".join(
            f"{int(i)} ({fmt_number(float(v))})"
            for i, v in zip(images["image_id"], images["agreement_rate"], strict=True)
        )
        out += ["", *wrap_text(f"Images with the lowest agreement: {shown}", indent="  ")]
    return out


def render_compare_text(r: ComparisonResult, *, explain: bool = False, lang: str = "en") -> str:
    """The terminal view: verdict, headline metrics, swap patterns, error types, imbalance on the
    first screen; the per-class table and caveats after."""
    out = [line for h in _header(r) for line in wrap_text(h, indent="  ")] + [""]
    for line in _verdict_lines(r, lang):
        out += wrap_text(line)
    if r.has_ground_truth:
        out += ["", text_table(_metric_headers(r), _metric_rows(r), align="lrrrll")]
    out += [""]
    for line in _pair_lines(r):
        out += wrap_text(line, indent="  ")
    rows = _pattern_rows(r, TOP_PATTERNS, PATTERN_CELLS)
    if rows:
        shown = f"top {TOP_PATTERNS} of {len(r.disagreements.swap_patterns)}"
        out += ["", f"Class-swap patterns ({shown}; X in A where B says Y on the same box):"]
        out.append(text_table(_pattern_headers(r), rows, align="llrrrrrl"))
    if r.errors_a is not None:
        out += ["", "Error types (TIDE; ΔAP50 = gain in AP50 from fixing every error of the type):"]
        out.append(text_table(_error_headers(r), _error_rows(r), align="lrrrr"))
    support = _support_lines(r, lang)
    if support:
        out.append("")
        for line in support:
            out += wrap_text(line)
    if r.has_ground_truth:
        n = len(r.per_class_frame())
        out += [
            "",
            f"Per class, largest |ΔAP| first (top {min(TOP_CLASSES, n)} of {n}; md/json/csv list all):",
        ]
        out.append(
            text_table(_class_headers(r), _class_rows(r, TOP_CLASSES, LABEL_CELLS), align="lrrrrrr")
        )
    else:
        out += _agreement_text(r)
    if r.caveats:
        out += ["", "Caveats:"]
        for c in r.caveats:
            out += wrap_text(f"- {c}", indent="  ")
    if explain:
        out += ["", "Definitions:"]
        for key, text in DEFINITIONS:
            out += wrap_text(f"{key}: {text}", indent="    ")
    return "\n".join(out) + "\n"


def render_compare_markdown(r: ComparisonResult, *, lang: str = "en") -> str:
    """A Markdown section: findings, headline metrics, disagreements, error types, imbalance,
    every class, caveats and definitions."""
    a, b = r.names
    out = [f"# Comparison: {md_escape(a)} vs {md_escape(b)}", ""]
    out += [f"- {md_escape(line)}" for line in _header(r)]
    out += ["", "## Findings", ""]
    out += [f"- {md_escape(line)}" for line in _verdict_lines(r, lang)]
    out += [f"- {md_escape(line)}" for line in _support_lines(r, lang)]
    if r.has_ground_truth:
        out += ["", "## Metrics", "", md_table(_metric_headers(r), _metric_rows(r))]
    out += ["", "## Disagreements", ""]
    out += [f"- {md_escape(line)}" for line in _pair_lines(r)]
    rows = _pattern_rows(r, None, None)
    if rows:
        out += ["", "### Class-swap patterns", "", md_table(_pattern_headers(r), rows)]
    if r.errors_a is not None:
        out += ["", "## Error types (TIDE)", "", md_table(_error_headers(r), _error_rows(r))]
    if r.has_ground_truth:
        out += ["", "## Per class", "", md_table(_class_headers(r), _class_rows(r, None, None))]
    else:
        out += ["", "## Agreement per class", ""]
        out.append(md_table(CLASS_AGREEMENT_HEADERS, _class_agreement_rows(r, None, None)))
    if r.caveats:
        out += ["", "## Caveats", ""] + [f"- {md_escape(c)}" for c in r.caveats]
    out += ["", "## Definitions", ""]
    out += [f"- **{md_escape(k)}**: {md_escape(v)}" for k, v in DEFINITIONS]
    return "\n".join(out) + "\n"


def compare_json(r: ComparisonResult, *, lang: str = "en") -> dict[str, Any]:
    """``r.to_dict()`` plus the sentences: ``significance.sentence`` (and ``mcnemar_sentence``),
    ``imbalance.sentence``, ``summary`` (every finding line)."""
    msg = catalogue(lang)
    doc = r.to_dict()
    if "significance" in doc:
        doc["significance"]["sentence"] = (
            msg.significance_sentence(r.verdict) if r.verdict is not None else msg.NO_BOOTSTRAP
        )
        doc["significance"]["mcnemar_sentence"] = msg.mcnemar_sentence(r.mcnemar)
    if "imbalance" in doc:
        doc["imbalance"]["sentence"] = _support_lines(r, lang)[0]
    doc["summary"] = [*_verdict_lines(r, lang), *_support_lines(r, lang)]
    return doc


def render_compare(
    r: ComparisonResult, fmt: str, *, explain: bool = False, lang: str = "en"
) -> str:
    """Dispatch: 'text', 'md', 'json' (with the sentences) or 'csv' (one row per class)."""
    if fmt == "json":
        return to_json(compare_json(r, lang=lang))
    if fmt == "csv":
        return to_csv(r.to_frame())
    if fmt == "md":
        return render_compare_markdown(r, lang=lang)
    if fmt == "text":
        return render_compare_text(r, explain=explain, lang=lang)
    raise ValueError(f"Expected fmt in ('text', 'md', 'json', 'csv'), got {fmt!r}")


__all__ = ["Md", "compare_json", "render_compare", "render_compare_markdown", "render_compare_text"]
