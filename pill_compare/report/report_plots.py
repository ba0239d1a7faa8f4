"""The report's figures: A against B, from a :class:`~pill_compare.analysis.compare.ComparisonResult`.

Every ``plot_*`` here takes the comparison, ``ax=None`` (or ``axes=None`` for the figures with
several panels), ``lang`` and ``labels``; it draws inside
:func:`~pill_compare.report.style.plot_style` (no global rcParams left changed), returns the
matplotlib Figure and never calls ``show()``. A is always ``MODEL_COLORS['a']`` and B
``MODEL_COLORS['b']``; side-by-side panels share their scales; category labels are
"<id> <name>" cut to :data:`LABEL_CHARS` display cells with "…", run names to
:data:`~pill_compare.report.plots.NAME_CHARS`, both cleaned of control characters first
(:func:`~pill_compare.report.plots.shorten_label`: no text from a file reaches matplotlib as
it is). Figures are
:data:`FIGURE_WIDTH` inches wide: about 900 px at the 120 dpi of
:func:`~pill_compare.report.figures.figure_to_bytes`, the width the HTML report shows them at.

Texts. Every title, axis label and legend text comes from ``labels`` (a mapping from the keys
listed in :data:`LABELS` for that function to the text); a key left out keeps its English
default, an unknown key is refused (a typo would otherwise pass silently). Some texts are
templates filled with :meth:`str.format` fields, named in the defaults (e.g. ``{n}``); a
translation may use the same fields, in any order, or none. ``lang`` picks the font order
(:func:`~pill_compare.report.style.font_families`): Hangul displays in both languages.

Nothing here computes a metric: the numbers come from the result (per-class AP, the COCO
precision arrays, the match tables' statuses, TIDE's ΔAP, Spearman's ρ, the confusion matrices).
Figures that need a ground truth (or training annotations) raise a ValueError saying so; see
:func:`available_plots` for which apply to a result.

Example:
    >>> from pill_compare.report.figures import figure_to_bytes
    >>> r = compare(gt, a, b)  # doctest: +SKIP
    >>> png = figure_to_bytes(plot_ap_comparison(r, lang="ko", labels={"title": "클래스별 AP"}))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.analysis.error_types import ERROR_KEYS, SPECIAL_KEYS
from pill_compare.analysis.matching import FP, TP
from pill_compare.report.eval_plots import MIN_ANNOTATION_POINTS, _annotation_points, _cell_text
from pill_compare.report.plots import NAME_CHARS, _log_axis, _pyplot, shorten_label
from pill_compare.report.style import ERROR_TYPE_COLORS, FP_FN_COLORS, MODEL_COLORS, plot_style

__all__ = [
    "FIGURE_WIDTH",
    "LABELS",
    "LABEL_CHARS",
    "LAYOUT_DPI",
    "PLOTS",
    "available_plots",
    "plot_ap_by_iou",
    "plot_ap_comparison",
    "plot_calibration",
    "plot_confusion_pair",
    "plot_error_breakdown",
    "plot_matched_iou",
    "plot_pr_curves",
    "plot_score_histograms",
    "plot_support_vs_ap",
]

#: Width of every figure made here, in inches (900 px at 120 dpi).
FIGURE_WIDTH = 7.5
#: The resolution a new figure is laid out at: figure_to_bytes' default, so the layout fixed
#: before the figure is returned fits the text as it is rasterized (hinting widens it a little
#: at other resolutions).
LAYOUT_DPI = 120
#: Category labels are cut to this many display cells (a Hangul syllable counts two), with "…".
LABEL_CHARS = 34
#: Grey of the lines joining a class's A and B values.
_LINK = "#B0B0B0"
_MUTED = "#666666"

#: Every text each figure writes, by function, with its English default. Templates name their
#: :meth:`str.format` fields.
LABELS: dict[str, dict[str, str]] = {
    "plot_ap_comparison": {
        "title": "Per-class {metric}: {a} vs {b}",
        "xlabel": "{metric}",
        "ylabel": "category, sorted by {metric} of B − A",
        "delta": "B − A",
        "more_classes": "not shown: {n} more categories with |B − A| ≤ {bound}",
        "undefined": "not shown, without GT boxes (no {metric}): {n}",
        "metric_ap": "AP (IoU 0.50:0.95)",
        "metric_ap_50": "AP50",
    },
    "plot_pr_curves": {
        "title": "Precision–recall at IoU {iou} (all sizes, up to {max_dets} detections)",
        "overall": "All classes (mean over {n} with GT)",
        "xlabel": "recall",
        "ylabel": "precision",
        "legend": "{name} (AP50 {ap:.3f})",
    },
    "plot_score_histograms": {
        "title": "Detection scores",
        "xlabel": "score",
        "ylabel": "detections (log scale)",
        "tp": "true positive",
        "fp": "false positive",
        "other": "ignored (crowd region)",
        "all": "detections",
        "threshold": "operating point: score ≥ {threshold:g}",
        "panel": "{name}: {n} detections",
    },
    "plot_error_breakdown": {
        "title": "Error breakdown (TIDE): AP50 gained by fixing each error type",
        "ylabel": "ΔAP50 (fixing every error of the type)",
        "count_note": "number above a bar: errors of that type",
        "type_cls": "Cls",
        "type_loc": "Loc",
        "type_both": "Both",
        "type_dupe": "Dupe",
        "type_bkg": "Bkg",
        "type_miss": "Miss",
        "type_false_pos": "all FP",
        "type_false_neg": "all FN",
        "not_available": "n/a",
    },
    "plot_support_vs_ap": {
        "title": "Training support vs per-class {metric}",
        "xlabel": "training annotations per category (log scale)",
        "ylabel": "{metric}",
        "legend": "{name}: Spearman ρ = {rho:.2f} (p = {p:.2g}, {n} classes)",
        "legend_undefined": "{name}: Spearman ρ n/a ({reason})",
        "reason_too_few_classes": "fewer than 3 classes",
        "reason_constant_input": "constant values",
        "rare": "rare: fewer than {threshold}",
        "metric_ap": "AP (IoU 0.50:0.95)",
        "metric_recall": "recall at the operating point",
    },
    "plot_ap_by_iou": {
        "title": "AP at each IoU threshold: {a} vs {b}",
        "xlabel": "IoU threshold",
        "ylabel": "AP (mean over classes with GT)",
        "legend": "{name} (mAP {map:.3f})",
        "gap": "B − A",
        "competition": "competition mAP@[0.75:0.95]",
        "share": "localization share of the gap: {share:.0%} (ΔAP at IoU {loose:.2f}: {delta_loose:+.3f})",
    },
    "plot_matched_iou": {
        "title": "IoU of matched boxes (true positives at IoU {iou:.2f})",
        "xlabel": "IoU with the matched GT box",
        "ylabel": "true positives",
        "legend": "{name}: median {median:.3f} ({n} boxes)",
    },
    "plot_confusion_pair": {
        "title": "Confusion matrices (score ≥ {score:g}, IoU ≥ {iou:g}), one colour scale",
        "panel": "{name}",
        "xlabel": "predicted class (id)",
        "ylabel": "GT class",
        "background": "background",
        "colorbar": "count (log scale)",
        "more_classes": "not shown, with fewer errors: {n}",
        "note": "last row: detections on no object; last column: missed GT boxes",
    },
    "plot_calibration": {
        "title": "Reliability diagram: {a} vs {b} (TP at IoU {iou:.2f}, {n_bins} {strategy} bins)",
        "xlabel": "mean score in the bin (confidence)",
        "ylabel": "share of the bin's detections that are TP (precision)",
        "legend": "{name}: D-ECE {ece:.3f}",
        "diagonal": "perfect calibration",
        "strategy_equal_count": "equal-count",
        "strategy_equal_width": "equal-width",
        "note": "marker area: detections in the bin; above the diagonal: under-confident",
    },
}


def available_plots(r: ComparisonResult) -> tuple[str, ...]:
    """The names of the ``plot_*`` functions here that can draw ``r`` (in the report's order).

    Without a ground truth only :func:`plot_score_histograms` applies; the support figure
    needs training annotations as well.
    """
    _check_result(r)
    if not r.has_ground_truth:
        return ("plot_score_histograms",)
    names = [
        "plot_ap_comparison",
        "plot_pr_curves",
        "plot_score_histograms",
        "plot_error_breakdown",
        "plot_confusion_pair",
    ]
    if r.causes is not None:
        names += ["plot_ap_by_iou", "plot_matched_iou"]
    if r.calibration is not None:
        names.append("plot_calibration")
    if r.support is not None:
        names.append("plot_support_vs_ap")
    return tuple(names)


# --------------------------------------------------------------------------------------------
# per-class AP


def plot_ap_comparison(
    r: ComparisonResult,
    *,
    ax: Any = None,
    metric: str = "ap",
    max_classes: int = 40,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Per-class AP of A and B as a dumbbell chart, sorted by B − A, readable with 70+ classes.

    One row per category with GT boxes: A's value (circle), B's (diamond) and a grey line
    between them; B − A is written at the right, in the colour of the better run. Rows run from
    B's largest gain at the top to its largest loss at the bottom. With more than
    ``max_classes`` categories, the ``max_classes`` with the largest |B − A| are drawn (ties by
    ascending id) and a note says how many were left out and the largest |B − A| among them.
    The figure grows with the rows (0.19 in each).

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth.
        ax: Axes to draw on; a new figure is made when None.
        metric: 'ap' (IoU 0.50:0.95) or 'ap_50', the columns of ``r.per_class_frame()``.
        max_classes: Most rows drawn (>= 1).
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_ap_comparison']``: ``title`` ({metric}, {a},
            {b}: the metric's text and the runs' names), ``xlabel`` ({metric}), ``ylabel``
            ({metric}), ``delta`` (the heading of the B − A column), ``more_classes`` ({n},
            {bound}), ``undefined`` ({n}, {metric}), ``metric_ap``, ``metric_ap_50``.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``r`` has no ground truth, ``metric`` is unknown, ``max_classes`` < 1,
            an unknown label key.
    """
    text = _labels("plot_ap_comparison", labels)
    _need_ground_truth(r, "plot_ap_comparison")
    if metric not in ("ap", "ap_50"):
        raise ValueError(f"Expected metric 'ap' or 'ap_50', got {metric!r}")
    max_classes = _positive_int(max_classes, "max_classes")
    frame = r.per_class_frame()
    a = frame[f"{metric}_a"].to_numpy(dtype=np.float64)
    b = frame[f"{metric}_b"].to_numpy(dtype=np.float64)
    ids = frame["category_id"].to_numpy(dtype=np.int64)
    names = frame["name"].astype(str).tolist()
    defined = np.isfinite(a) & np.isfinite(b)
    undefined = int((~defined).sum())
    rows = np.flatnonzero(defined)
    delta = b - a
    hidden = 0
    bound = 0.0
    if rows.size > max_classes:
        by_gap = rows[np.lexsort((ids[rows], -np.abs(delta[rows])))]
        rows, rest = by_gap[:max_classes], by_gap[max_classes:]
        hidden, bound = int(rest.size), float(np.abs(delta[rest]).max())
    rows = rows[np.lexsort((ids[rows], -delta[rows]))]  # B's largest gain at the top
    metric_text = text[f"metric_{metric}"]
    n = int(rows.size)
    with plot_style(lang):
        created = ax is None
        if ax is None:
            height = max(2.6, 0.19 * n + 1.6)
            fig, ax = _new_figure(height)
        else:
            fig = ax.figure
        y = np.arange(n)
        ax.hlines(y, a[rows], b[rows], color=_LINK, lw=1.2, zorder=1)
        ax.scatter(
            a[rows], y, s=30, marker="o", color=MODEL_COLORS["a"], label=_run_name(r, 0), zorder=2
        )
        ax.scatter(
            b[rows], y, s=22, marker="D", color=MODEL_COLORS["b"], label=_run_name(r, 1), zorder=3
        )
        ax.set_yticks(y, [_category_label(ids[i], names[i]) for i in rows])
        ax.set_ylim(n - 0.5, -0.5) if n else ax.set_ylim(0.5, -0.5)
        ax.set_xlim(-0.02, 1.02)
        ax.grid(axis="x", color="#E5E5E5", lw=0.6)
        ax.set_axisbelow(True)
        if n > 25:  # a tall figure: the scale at the top as well
            ax.tick_params(axis="x", top=True, labeltop=True)
        for yi, i in zip(y, rows, strict=True):
            d = delta[i]
            colour = _MUTED if d == 0 else MODEL_COLORS["b" if d > 0 else "a"]
            _label_at(ax, f"{d:+.3f}", (1.0, yi), (6, 0), "left", "center", colour, "blended")
        _label_at(ax, text["delta"], (1.0, 1.0), (6, 2), "left", "bottom")
        ax.set_xlabel(text["xlabel"].format(metric=metric_text))
        ax.set_ylabel(text["ylabel"].format(metric=metric_text))
        # Above the axes (above the top scale of a tall figure): never over a point.
        _legend_above(ax, lift=0.0 if n <= 25 else 16.0)
        notes = []
        if hidden:
            notes.append(text["more_classes"].format(n=hidden, bound=f"{bound:.3f}"))
        if undefined:
            notes.append(text["undefined"].format(n=undefined, metric=metric_text))
        if notes:
            _label_at(ax, "\n".join(notes), (0.0, 0.0), (0, -30), "left", "top")
        title = text["title"].format(metric=metric_text, a=_run_name(r, 0), b=_run_name(r, 1))
        _finish(fig, ax, title, created=created, above_legend=True)
    return fig


# --------------------------------------------------------------------------------------------
# precision-recall curves


def plot_pr_curves(
    r: ComparisonResult,
    *,
    worst: int = 3,
    axes: Sequence[Any] | None = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Precision-recall curves at IoU 0.50 of both runs: all classes, then the largest gaps.

    The curves are pycocotools' interpolated precision at the 101 recall points 0, 0.01, …, 1
    (``EvalResult.coco.precision[t, :, k, a, m]`` with t = IoU 0.50, a = area 'all', m = the
    largest ``max_dets``). The first panel is their mean over the categories with GT boxes (its
    mean over recall is ``map_50``); then one panel for each of the ``worst`` categories with
    the largest |AP50 of B − AP50 of A| (ties by ascending id). Both runs in every panel, each
    labelled with its AP50; every panel has the same 0-1 scales.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth evaluated
            at IoU 0.50.
        worst: Categories drawn after the overall panel (>= 0).
        axes: ``1 + worst`` axes to draw on (the caller then sets any overall title); a new
            figure (two panels a row) when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_pr_curves']``: ``title`` ({iou}, {max_dets}),
            ``overall`` ({n}: categories with GT), ``xlabel``, ``ylabel``, ``legend`` ({name},
            {ap}: a float, e.g. ``{ap:.3f}``).

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: no ground truth, IoU 0.50 not evaluated, ``worst`` < 0, ``axes`` of the
            wrong length, an unknown label key.
    """
    text = _labels("plot_pr_curves", labels)
    _need_ground_truth(r, "plot_pr_curves")
    worst = _positive_int(worst, "worst", low=0)
    runs = (r.eval_a.coco, r.eval_b.coco)  # type: ignore[union-attr]
    curves = [_pr_slices(coco) for coco in runs]
    frame = r.per_class_frame()
    gap = frame["ap_50_delta"].to_numpy(dtype=np.float64)
    ids = frame["category_id"].to_numpy(dtype=np.int64)
    ok = np.flatnonzero(np.isfinite(gap))
    chosen = ok[np.lexsort((ids[ok], -np.abs(gap[ok])))][:worst]
    panels = 1 + int(chosen.size)
    if axes is not None and len(axes) != 1 + worst:
        raise ValueError(f"Expected {1 + worst} axes (1 + worst), got {len(axes)}")
    recall = np.linspace(0.0, 1.0, runs[0].precision.shape[1])
    with plot_style(lang):
        if axes is None:
            ncols = 1 if panels == 1 else 2
            nrows = math.ceil(panels / ncols)
            fig, grid = _new_figure(0.8 + 2.7 * nrows, nrows, ncols)
            flat = list(grid.ravel())
            for extra in flat[panels:]:
                extra.set_visible(False)
            axes_list, created = flat[:panels], True
        else:
            axes_list, created = list(axes)[:panels], False
            fig = axes_list[0].figure
        n_gt = int(np.count_nonzero(curves[0][1]))
        overall_ap = [coco.stats.get("map_50") for coco in runs]
        for panel, axis in enumerate(axes_list):
            for slot, (p, has_gt, index) in enumerate(curves):
                if panel == 0:
                    curve = p[:, has_gt].mean(axis=1) if has_gt.any() else None
                    ap = overall_ap[slot]
                else:
                    row = chosen[panel - 1]
                    k = index.get(int(ids[row]))
                    curve = None if k is None or not has_gt[k] else p[:, k]
                    ap = frame[f"ap_50_{'ab'[slot]}"].iloc[row]
                if curve is None:
                    continue
                axis.plot(
                    recall,
                    curve,
                    color=MODEL_COLORS["ab"[slot]],
                    lw=1.5,
                    ls="-" if slot == 0 else "--",
                    label=text["legend"].format(
                        name=_run_name(r, slot), ap=float("nan") if ap is None else float(ap)
                    ),
                )
            if panel == 0:
                axis.set_title(text["overall"].format(n=n_gt), fontsize=9)
            else:
                row = chosen[panel - 1]
                label = _category_label(ids[row], str(frame["name"].iloc[row]), width=40)
                axis.set_title(label, fontsize=9)
            axis.set_xlim(0.0, 1.0)
            axis.set_ylim(0.0, 1.03)
            axis.grid(color="#E5E5E5", lw=0.6)
            axis.legend(loc="lower left", frameon=True, framealpha=0.85, edgecolor="none")
            axis.set_xlabel(text["xlabel"])
            axis.set_ylabel(text["ylabel"])
            if created:
                axis.label_outer()
        max_dets = runs[0].max_dets[-1]
        title = text["title"].format(iou="0.50", max_dets=max_dets)
        _finish(fig, axes_list[0], title, created=created, panels=True)
    return fig


def _pr_slices(coco: Any) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """(R, K) precision at IoU 0.50, area 'all', the largest cap; (K,) has-GT mask; id → k."""
    hits = np.flatnonzero(np.isclose(coco.iou_thresholds, 0.5))
    if hits.size == 0:
        raise ValueError(
            "Expected IoU 0.50 among the evaluated thresholds for precision-recall curves, got "
            f"{coco.iou_thresholds.tolist()}"
        )
    area = coco.area_names.index("all") if "all" in coco.area_names else 0
    p = coco.precision[int(hits[0]), :, :, area, -1]
    has_gt = p[0] > -1  # pycocotools: -1 throughout for a category without GT boxes
    index = {int(c): k for k, c in enumerate(coco.category_ids.tolist())}
    return p, has_gt, index


# --------------------------------------------------------------------------------------------
# score histograms


def plot_score_histograms(
    r: ComparisonResult,
    *,
    bins: int = 20,
    axes: Sequence[Any] | None = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Score distributions of A and B side by side, on the same bins and the same scales.

    With a ground truth each bin shows true positives (solid) and false positives (hatched)
    side by side, from the match tables at the operating IoU over all object sizes (the
    statuses ``r.eval_a.matches.det_status`` at ``r.parameters['iou_threshold']``; detections
    absorbed by a crowd region are a third, grey bar when there are any); every detection is
    drawn, also those below the operating score threshold, which is a dashed line. Without a
    ground truth: every detection's score, one bar a bin. Counts on a logarithmic axis (true
    positives near score 1 would otherwise flatten the rest).

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` (a ground truth is optional).
        bins: Bins over [0, 1] (over the scores' range when they leave [0, 1]); >= 1.
        axes: Two axes (A, B) to draw on (the caller then sets any overall title); a new
            figure when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_score_histograms']``: ``title``, ``xlabel``,
            ``ylabel``, ``tp``, ``fp``, ``other`` (the legend's three kinds), ``all`` (the
            legend without a ground truth), ``threshold`` ({threshold}: a float), ``panel``
            ({name}, {n}: detections).

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``bins`` < 1, ``axes`` not two axes, an unknown label key.
    """
    text = _labels("plot_score_histograms", labels)
    _check_result(r)
    bins = _positive_int(bins, "bins")
    if axes is not None and len(axes) != 2:
        raise ValueError(f"Expected 2 axes (A, B), got {len(axes)}")
    threshold = float(r.parameters.get("score_threshold", r.pairing.score_threshold))
    runs = _score_groups(r)
    every = np.concatenate([s for groups in runs for s in groups.values()] + [np.zeros(0)])
    low = min(0.0, float(every.min())) if every.size else 0.0
    high = max(1.0, float(every.max())) if every.size else 1.0
    edges = np.histogram_bin_edges(every, bins=bins, range=(low, high))
    counts = [{k: np.histogram(s, bins=edges)[0] for k, s in groups.items()} for groups in runs]
    top = max([int(c.max()) for run in counts for c in run.values() if c.size] + [1])
    width = np.diff(edges)
    with plot_style(lang):
        if axes is None:
            fig, pair = _new_figure(3.4, 1, 2)
            axes_list, created = list(pair.ravel()), True
        else:
            axes_list, created = list(axes), False
            fig = axes_list[0].figure
        for slot, (axis, run) in enumerate(zip(axes_list, counts, strict=True)):
            colour = MODEL_COLORS["ab"[slot]]
            kinds = list(run)
            share = 0.9 / len(kinds)
            for j, kind in enumerate(kinds):
                style: dict[str, Any] = {"color": colour, "edgecolor": colour, "lw": 0.6}
                if kind == "fp":
                    style.update(color="white", hatch="////")
                elif kind == "other":
                    style.update(color="#BBBBBB", edgecolor="#999999")
                axis.bar(
                    edges[:-1] + width * (0.05 + share * j),
                    run[kind],
                    width=width * share,
                    align="edge",
                    label=text[kind],
                    **style,
                )
            axis.axvline(
                threshold,
                color="#444444",
                ls="--",
                lw=0.9,
                label=text["threshold"].format(threshold=threshold),
            )
            axis.set_yscale("log")
            axis.set_ylim(0.7, top * 5.0)  # headroom for the legend
            axis.set_xlim(edges[0], edges[-1])
            n = int(sum(int(c.sum()) for c in run.values()))
            axis.set_title(
                text["panel"].format(name=_run_name(r, slot), n=n), fontsize=9, color=colour
            )
            axis.set_xlabel(text["xlabel"])
            axis.set_ylabel(text["ylabel"])
            _plain_log_ticks(axis.yaxis)
            axis.legend(loc="upper left", frameon=True, framealpha=1.0, edgecolor="none")
            if created:
                axis.label_outer()
        _finish(fig, axes_list[0], text["title"], created=created, panels=True)
    return fig


def _score_groups(r: ComparisonResult) -> list[dict[str, np.ndarray]]:
    """Per run, the scores by kind: tp / fp / other (crowd-absorbed) with GT, all without."""
    if not r.has_ground_truth:
        return [{"all": r.pairing.a.score}, {"all": r.pairing.b.score}]
    iou = float(r.parameters.get("iou_threshold", 0.5))
    out = []
    for ev in (r.eval_a, r.eval_b):
        table = ev.matches  # type: ignore[union-attr]
        status = table.det_status[table.area_index("all"), table.threshold_index(iou)]
        score = table.dets.score
        groups = {"tp": score[status == TP], "fp": score[status == FP]}
        other = score[(status != TP) & (status != FP)]
        if other.size:
            groups["other"] = other
        out.append(groups)
    if any("other" in g for g in out):  # the same bars in both panels
        for g in out:
            g.setdefault("other", np.zeros(0))
    return out


# --------------------------------------------------------------------------------------------
# TIDE error breakdown


def plot_error_breakdown(
    r: ComparisonResult,
    *,
    ax: Any = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """TIDE's ΔAP50 per error type for A and B as grouped bars, with each type's count.

    For each of TIDE's six types (Cls, Loc, Both, Dupe, Bkg, Miss, in TIDE's order), then its
    two special errors (every false positive, every false negative), a bar per run: the AP50
    gained by fixing every error of that type (``r.errors_a.to_dict()[type]['delta_ap']``), the
    count of those errors above it. Bars are in the runs' colours; each type's name sits on a
    chip of TIDE's fixed colour for that type (``style.ERROR_TYPE_COLORS``, ``FP_FN_COLORS``).
    An undefined ΔAP is drawn as no bar, marked "n/a".

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth.
        ax: Axes to draw on; a new figure is made when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_error_breakdown']``: ``title``, ``ylabel``,
            ``count_note``, ``type_cls``, ``type_loc``, ``type_both``, ``type_dupe``,
            ``type_bkg``, ``type_miss``, ``type_false_pos``, ``type_false_neg``,
            ``not_available``.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``r`` has no ground truth (no error breakdown), an unknown label key.
    """
    text = _labels("plot_error_breakdown", labels)
    _need_ground_truth(r, "plot_error_breakdown")
    if r.errors_a is None or r.errors_b is None:
        raise ValueError("Expected a ComparisonResult with error breakdowns, got none")
    keys = [*ERROR_KEYS, *SPECIAL_KEYS]
    data = [r.errors_a.to_dict(), r.errors_b.to_dict()]
    values = np.array(
        [
            [np.nan if d[k]["delta_ap"] is None else float(d[k]["delta_ap"]) for k in keys]
            for d in data
        ]
    )
    counts = [[int(d[k]["count"]) for k in keys] for d in data]
    # The two special errors stand apart, after a gap, as TIDE draws them.
    x = np.array([i + (0.6 if k in SPECIAL_KEYS else 0.0) for i, k in enumerate(keys)])
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    top = top if top > 0 else 0.01
    with plot_style(lang):
        fig, ax, created = _figure_axes(ax, 3.6)
        width = 0.38
        for slot in range(2):
            xs = x + (slot - 0.5) * width
            heights = np.nan_to_num(values[slot], nan=0.0)
            ax.bar(
                xs,
                heights,
                width=width,
                color=MODEL_COLORS["ab"[slot]],
                label=_run_name(r, slot),
                zorder=2,
            )
            for xi, v, n in zip(xs, values[slot], counts[slot], strict=True):
                shown = text["not_available"] if not np.isfinite(v) else str(n)
                at = (xi, v if np.isfinite(v) else 0.0)
                _label_at(ax, shown, at, (0, 2), "center", "bottom", "black", "data")
        ax.set_xticks(x, [text[f"type_{k}"] for k in keys])
        for tick, key in zip(ax.get_xticklabels(), keys, strict=True):
            colour = (
                FP_FN_COLORS["FP" if key == "false_pos" else "FN"]
                if key in SPECIAL_KEYS
                else ERROR_TYPE_COLORS[key.capitalize()]
            )
            tick.set_bbox({"facecolor": colour, "edgecolor": "none", "boxstyle": "round,pad=0.3"})
        ax.tick_params(axis="x", length=0, pad=6)
        ax.axvline(
            (x[len(ERROR_KEYS) - 1] + x[len(ERROR_KEYS)]) / 2, color="#CCCCCC", lw=0.8, ls=":"
        )
        ax.set_ylim(0.0, top * 1.22)
        ax.set_ylabel(text["ylabel"])
        ax.grid(axis="y", color="#E5E5E5", lw=0.6, zorder=0)
        ax.set_axisbelow(True)
        _legend_above(ax)
        _label_at(ax, text["count_note"], (1.0, 1.0), (0, 4), "right", "bottom")
        _finish(fig, ax, text["title"], created=created, above_legend=True)
    return fig


# --------------------------------------------------------------------------------------------
# causes: AP by IoU threshold, matched IoU


def plot_ap_by_iou(
    r: ComparisonResult,
    *,
    ax: Any = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """AP at each IoU threshold of the evaluation for A and B (``r.causes.ap_by_iou_*``).

    One line per run, the gap between them shaded; the competition's range (IoU 0.75 to 0.95)
    is shaded in grey when the thresholds reach it; a note gives the localization share of the
    mAP gap (``r.causes.localization_share``) and ΔAP at the loosest threshold.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth.
        ax: Axes to draw on; a new figure is made when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_ap_by_iou']``: ``title`` ({a}, {b}), ``xlabel``,
            ``ylabel``, ``legend`` ({name}, {map}), ``gap``, ``competition``, ``share``
            ({share}, {loose}, {delta_loose}).

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``r`` has no ground truth (no causes), an unknown label key.
    """
    text = _labels("plot_ap_by_iou", labels)
    c = _causes(r, "plot_ap_by_iou")
    x = np.asarray(c.iou_thresholds, dtype=np.float64)
    ys = [np.array([_nan(v) for v in aps]) for aps in (c.ap_by_iou_a, c.ap_by_iou_b)]
    maps = (c.map_a, c.map_b)
    with plot_style(lang):
        fig, ax, created = _figure_axes(ax, 3.8)
        if x.size and x.max() >= 0.75:
            ax.axvspan(0.75 - 0.01, min(x.max(), 0.95) + 0.01, color="#EFEFEF", zorder=0)
            ax.annotate(
                text["competition"],
                (0.75 - 0.01, 0.02),
                xycoords=("data", "axes fraction"),
                xytext=(3, 2),
                textcoords="offset points",
                fontsize=7,
                color=_MUTED,
            )
        ax.fill_between(x, ys[0], ys[1], color=_LINK, alpha=0.35, lw=0, label=text["gap"])
        for slot in range(2):
            ax.plot(
                x,
                ys[slot],
                marker="o" if slot == 0 else "D",
                ms=4,
                lw=1.6,
                color=MODEL_COLORS["ab"[slot]],
                label=text["legend"].format(name=_run_name(r, slot), map=_nan(maps[slot])),
                zorder=3,
            )
        ax.set_xticks(x, [f"{v:.2f}" for v in x])
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(text["xlabel"])
        ax.set_ylabel(text["ylabel"])
        ax.grid(color="#E5E5E5", lw=0.6)
        ax.set_axisbelow(True)
        if c.localization_share is not None and c.delta_loose is not None:
            note = text["share"].format(
                share=c.localization_share, loose=c.loose_iou, delta_loose=c.delta_loose
            )
            _label_at(ax, note, (0.0, 0.0), (4, 4), "left", "bottom", "black")
        _legend_above(ax)
        _finish(
            fig,
            ax,
            text["title"].format(a=_run_name(r, 0), b=_run_name(r, 1)),
            created=created,
            above_legend=True,
        )
    return fig


def plot_matched_iou(
    r: ComparisonResult,
    *,
    ax: Any = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """The IoU of each run's true positives with their GT boxes, as two histograms on the
    same bins (``r.causes.matched_iou_*``), each run's median marked by a dashed line.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth.
        ax: Axes to draw on; a new figure is made when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_matched_iou']``: ``title`` ({iou}), ``xlabel``,
            ``ylabel``, ``legend`` ({name}, {median}, {n}).

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``r`` has no ground truth (no causes), an unknown label key.
    """
    text = _labels("plot_matched_iou", labels)
    c = _causes(r, "plot_matched_iou")
    runs = (c.matched_iou_a, c.matched_iou_b)
    edges = np.asarray(runs[0].edges)
    width = float(edges[1] - edges[0]) if edges.size > 1 else 0.05
    with plot_style(lang):
        fig, ax, created = _figure_axes(ax, 3.6)
        for slot, m in enumerate(runs):
            colour = MODEL_COLORS["ab"[slot]]
            median = m.quantiles.get(0.5)
            ax.bar(
                edges[:-1] + width * (0.05 + 0.45 * slot),
                m.counts,
                width=width * 0.45,
                align="edge",
                color=colour,
                label=text["legend"].format(name=_run_name(r, slot), median=_nan(median), n=m.n),
                zorder=2,
            )
            if median is not None:
                ax.axvline(median, color=colour, ls="--", lw=1.0, zorder=3)
        ax.set_xlim(float(edges[0]), float(edges[-1]))
        ax.set_xlabel(text["xlabel"])
        ax.set_ylabel(text["ylabel"])
        ax.grid(axis="y", color="#E5E5E5", lw=0.6, zorder=0)
        ax.set_axisbelow(True)
        _legend_above(ax, ncol=2)
        _finish(
            fig,
            ax,
            text["title"].format(iou=runs[0].iou_threshold),
            created=created,
            above_legend=True,
        )
    return fig


# --------------------------------------------------------------------------------------------
# calibration


def plot_calibration(
    r: ComparisonResult,
    *,
    ax: Any = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """The reliability diagram of A and B on one axes (``r.calibration``): per score bin, the
    mean score against the share of true positives, the diagonal being perfect calibration;
    each marker's area follows the bin's detections, the legend gives each run's D-ECE.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth.
        ax: Axes to draw on; a new figure is made when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_calibration']``: ``title`` ({a}, {b}, {iou},
            {n_bins}, {strategy}), ``xlabel``, ``ylabel``, ``legend`` ({name}, {ece}),
            ``diagonal``, ``strategy_equal_count``, ``strategy_equal_width``, ``note``.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``r`` has no ground truth (no calibration), an unknown label key.
    """
    text = _labels("plot_calibration", labels)
    _need_ground_truth(r, "plot_calibration")
    c = r.calibration
    if c is None:
        raise ValueError("Expected a ComparisonResult with calibration, got none")
    runs = (c.a, c.b)
    largest = max([1, *(int(x.bin_count.max()) for x in runs if x.bin_count.size)])
    with plot_style(lang):
        fig, ax, created = _figure_axes(ax, 4.6)
        ax.plot([0, 1], [0, 1], color=_LINK, ls="--", lw=1.0, label=text["diagonal"], zorder=1)
        for slot, cal in enumerate(runs):
            colour = MODEL_COLORS["ab"[slot]]
            ax.plot(
                cal.bin_confidence,
                cal.bin_precision,
                marker="o" if slot == 0 else "D",
                ms=0,
                lw=1.4,
                color=colour,
                label=text["legend"].format(name=_run_name(r, slot), ece=_nan(cal.ece)),
                zorder=2,
            )
            ax.scatter(
                cal.bin_confidence,
                cal.bin_precision,
                s=12 + 60 * cal.bin_count / largest,
                marker="o" if slot == 0 else "D",
                color=colour,
                zorder=3,
            )
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(text["xlabel"])
        ax.set_ylabel(text["ylabel"])
        ax.grid(color="#E5E5E5", lw=0.6)
        ax.set_axisbelow(True)
        _label_at(ax, text["note"], (1.0, 0.0), (-4, 4), "right", "bottom")
        _legend_above(ax)
        title = text["title"].format(
            a=_run_name(r, 0),
            b=_run_name(r, 1),
            iou=c.a.iou_threshold,
            n_bins=c.a.n_bins,
            strategy=text[f"strategy_{c.a.strategy}"],
        )
        _finish(fig, ax, title, created=created, above_legend=True)
    return fig


# --------------------------------------------------------------------------------------------
# training support vs AP


def plot_support_vs_ap(
    r: ComparisonResult,
    *,
    ax: Any = None,
    metric: str = "ap",
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Training annotations per class (log x) against each run's per-class AP (or recall).

    One point per evaluated category and run (``r.support.classes``), A and B of a class joined
    by a grey line; the x axis is logarithmic, symmetric-log (linear below 1) when a class has
    no training annotation, so that it stays on the chart at 0; a dashed line marks the rare
    threshold. The legend
    gives each run's Spearman ρ of the metric against support (``r.support.ap_a`` /
    ``recall_a`` …) with its p-value, or why it is undefined.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with ``train_gt``.
        ax: Axes to draw on; a new figure is made when None.
        metric: 'ap' (COCO AP) or 'recall' (at the operating point).
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_support_vs_ap']``: ``title`` ({metric}),
            ``xlabel``, ``ylabel`` ({metric}), ``legend`` ({name}, {rho}, {p}: floats, {n}),
            ``legend_undefined`` ({name}, {reason}), ``reason_too_few_classes``,
            ``reason_constant_input``, ``rare`` ({threshold}), ``metric_ap``,
            ``metric_recall``.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: ``r`` has no training support (compare without ``train_gt``), ``metric``
            unknown, an unknown label key.
    """
    text = _labels("plot_support_vs_ap", labels)
    _check_result(r)
    if r.support is None:
        raise ValueError(
            "Expected a ComparisonResult with training support (compare(..., train_gt=...)), "
            "got one without"
        )
    if metric not in ("ap", "recall"):
        raise ValueError(f"Expected metric 'ap' or 'recall', got {metric!r}")
    s = r.support
    classes = s.classes
    support = np.array([c.support for c in classes], dtype=np.float64)
    values = [
        np.array([_nan(getattr(c, f"{metric}_{slot}")) for c in classes], dtype=np.float64)
        for slot in "ab"
    ]
    correlations = [getattr(s, f"{metric}_a"), getattr(s, f"{metric}_b")]
    metric_text = text[f"metric_{metric}"]
    with plot_style(lang):
        fig, ax, created = _figure_axes(ax, 4.2)
        both = np.isfinite(values[0]) & np.isfinite(values[1])
        ax.vlines(support[both], values[0][both], values[1][both], color=_LINK, lw=0.8, zorder=1)
        for slot, (v, corr) in enumerate(zip(values, correlations, strict=True)):
            ok = np.isfinite(v)
            if corr.rho is None:
                reason = text.get(f"reason_{corr.reason}", str(corr.reason))
                legend = text["legend_undefined"].format(name=_run_name(r, slot), reason=reason)
            else:
                legend = text["legend"].format(
                    name=_run_name(r, slot), rho=corr.rho, p=_nan(corr.p_value), n=corr.n
                )
            ax.scatter(
                support[ok],
                v[ok],
                s=22 if slot == 0 else 18,
                marker="o" if slot == 0 else "D",
                color=MODEL_COLORS["ab"[slot]],
                alpha=0.85,
                label=legend,
                zorder=2 + slot,
            )
        drawn = support[np.isfinite(values[0]) | np.isfinite(values[1])]
        high = max(float(drawn.max()) if drawn.size else 1.0, 1.0)
        if drawn.size and drawn.min() <= 0:
            # A category with no training annotation stays on the chart: linear below 1.
            ax.set_xscale("symlog", linthresh=1.0, linscale=0.4)
            ax.set_xlim(-0.2, high * 1.6)
            _plain_log_ticks(ax.xaxis, symlog=True)
        else:
            low = float(drawn.min()) if drawn.size else 1.0
            ax.set_xscale("log")
            ax.set_xlim(low / 1.5, high * 1.5)
            _log_axis(ax.xaxis, low, high)
        ax.set_ylim(-0.03, 1.03)
        if s.rare_threshold > 0:
            ax.axvline(
                s.rare_threshold,
                color="#C44E52",
                ls="--",
                lw=0.8,
                label=text["rare"].format(threshold=s.rare_threshold),
            )
        ax.grid(color="#EDEDED", lw=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel(text["xlabel"])
        ax.set_ylabel(text["ylabel"].format(metric=metric_text))
        _legend_above(ax, ncol=2)
        _finish(
            fig, ax, text["title"].format(metric=metric_text), created=created, above_legend=True
        )
    return fig


# --------------------------------------------------------------------------------------------
# confusion matrices


def plot_confusion_pair(
    r: ComparisonResult,
    *,
    max_classes: int = 15,
    axes: Sequence[Any] | None = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Any:
    """A's and B's confusion matrices side by side, same rows and columns, one colour scale.

    The matrices are ``r.eval_a.confusion`` and ``r.eval_b.confusion`` (rows GT class, columns
    predicted class, the last row and column background; see
    :mod:`pill_compare.analysis.confusion`), put on the union of their categories. The
    categories drawn are those with the most errors over both runs (off-diagonal counts of
    their row and column, background included; ties by ascending id), at most
    ``max_classes``, in ascending id; a note says how many were left out. Empty cells stay
    white; both panels share one logarithmic colour scale and one colour bar; each non-empty
    cell shows its count while the cells are large enough to hold it.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth.
        max_classes: Most categories drawn (>= 1).
        axes: Two axes (A, B) to draw on (the caller then sets any overall title and the
            notes); a new figure when None.
        lang: 'en' or 'ko' (font order).
        labels: Texts, keys of ``LABELS['plot_confusion_pair']``: ``title`` ({score},
            {iou}: floats), ``panel`` ({name}), ``xlabel``, ``ylabel``, ``background`` (the
            last row's and column's tick), ``colorbar``, ``more_classes`` ({n}), ``note``.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: no ground truth, ``max_classes`` < 1, ``axes`` not two axes, an unknown
            label key.
    """
    text = _labels("plot_confusion_pair", labels)
    _need_ground_truth(r, "plot_confusion_pair")
    max_classes = _positive_int(max_classes, "max_classes")
    if axes is not None and len(axes) != 2:
        raise ValueError(f"Expected 2 axes (A, B), got {len(axes)}")
    cms = (r.eval_a.confusion, r.eval_b.confusion)  # type: ignore[union-attr]
    ids, names, matrices = _aligned_confusions(cms)
    k = ids.size
    errors = np.zeros(k, dtype=np.int64)
    totals = np.zeros(k, dtype=np.int64)
    for m in matrices:
        off = m.copy()
        np.fill_diagonal(off, 0)
        errors += off[:k, :].sum(axis=1) + off[:, :k].sum(axis=0)
        totals += m[:k, :].sum(axis=1) + m[:, :k].sum(axis=0)
    candidates = np.flatnonzero(errors > 0)
    if candidates.size == 0:
        candidates = np.flatnonzero(totals > 0)
    ranked = candidates[np.lexsort((ids[candidates], -errors[candidates]))]
    keep = np.sort(ranked[:max_classes])
    hidden = int(np.count_nonzero(totals > 0)) - int(keep.size)
    rows = np.r_[keep, k]
    shown = [m[np.ix_(rows, rows)].astype(np.float64) for m in matrices]
    row_labels = [_category_label(ids[i], names[i], width=30) for i in keep] + [text["background"]]
    column_labels = [str(int(ids[i])) for i in keep] + [text["background"]]
    n = len(row_labels)
    positive = np.concatenate([m[m > 0] for m in shown])
    plt = _pyplot()
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.ticker import FuncFormatter, NullFormatter

    if positive.size and positive.max() > positive.min():
        # Half the smallest count as the floor, so a single count is still visibly blue.
        norm: Any = LogNorm(vmin=positive.min() / 2, vmax=positive.max())
    else:
        norm = Normalize(vmin=0.0, vmax=max(float(positive.max()) if positive.size else 1.0, 1.0))
    cmap = plt.get_cmap("Blues").with_extremes(bad="white")
    texts = [
        np.array([[_cell_text(v, v, False) for v in row] for row in m], dtype=object) for m in shown
    ]
    with plot_style(lang):
        if axes is None:
            # The panels are square and as wide as the page allows (the row labels take about
            # 1.6 in, the margins 0.5 in); the height follows from that width.
            panel = (FIGURE_WIDTH - 2.1) / 2
            fig, pair = _new_figure(panel + 2.4, 1, 2)
            axes_list, created = list(pair.ravel()), True
        else:
            axes_list, created = list(axes), False
            fig = axes_list[0].figure
            panel = min(axes_list[0].get_position().width * fig.get_size_inches()[0], 3.0)
        # _annotation_points takes a side of which the cells fill 80 %.
        points = min(_annotation_points(n, t, panel / 0.8) for t in texts)
        image = None
        for slot, (axis, m, t) in enumerate(zip(axes_list, shown, texts, strict=True)):
            image = axis.imshow(
                np.ma.masked_less_equal(m, 0),
                cmap=cmap,
                norm=norm,
                aspect="equal",
                interpolation="nearest",
            )
            if points >= MIN_ANNOTATION_POINTS:
                _cell_texts(axis, m, t, points, _dark_cell(norm, positive))
            axis.set_xticks(np.arange(n), column_labels, rotation=90)
            axis.set_yticks(np.arange(n), row_labels)
            axis.tick_params(labelsize=7 if n <= 16 else 6, length=2)
            _grey_frame(axis)
            axis.axhline(n - 1.5, color="#888888", lw=0.8)
            axis.axvline(n - 1.5, color="#888888", lw=0.8)
            axis.set_title(
                text["panel"].format(name=_run_name(r, slot)),
                fontsize=9,
                color=MODEL_COLORS["ab"[slot]],
            )
            axis.set_xlabel(text["xlabel"])
            axis.set_ylabel(text["ylabel"])
            if created:
                axis.label_outer()
        if image is not None:
            bar = fig.colorbar(
                image, ax=axes_list, location="bottom", shrink=0.5, aspect=40, pad=0.02
            )
            bar.set_label(text["colorbar"])
            bar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            bar.ax.xaxis.set_minor_formatter(NullFormatter())
        notes = [text["note"]]
        if hidden > 0:
            notes.append(text["more_classes"].format(n=hidden))
        if created:
            fig.supxlabel("\n".join(notes), fontsize=7, color=_MUTED, x=0.02, ha="left")
        cm = cms[0]
        title = text["title"].format(score=cm.score_threshold, iou=cm.iou_threshold)
        _finish(fig, axes_list[0], title, created=created, panels=True)
    return fig


def _aligned_confusions(cms: Sequence[Any]) -> tuple[np.ndarray, list[str], list[np.ndarray]]:
    """Both matrices on the union of their category ids (ascending), background last."""
    ids = np.union1d(cms[0].category_ids, cms[1].category_ids).astype(np.int64)
    names_by_id: dict[int, str] = {}
    out = []
    k = ids.size
    for cm in cms:
        own = cm.category_ids.astype(np.int64)
        names_by_id.update(zip(own.tolist(), cm.names, strict=True))
        where = np.r_[np.searchsorted(ids, own), k]
        m = np.zeros((k + 1, k + 1), dtype=np.int64)
        m[np.ix_(where, where)] = cm.matrix
        out.append(m)
    return ids, [names_by_id[int(i)] for i in ids], out


def _dark_cell(norm: Any, positive: np.ndarray) -> float:
    """The count from which a cell is dark enough for white text (60 % up the colour scale)."""
    if not positive.size:
        return math.inf
    return float(norm.inverse(0.6))


# --------------------------------------------------------------------------------------------
# shared helpers


def _labels(
    function: str,
    labels: Mapping[str, str] | None,
    table: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, str]:
    """The function's default texts (in ``table``, default :data:`LABELS`) with ``labels``
    applied; unknown keys refused."""
    defaults = (LABELS if table is None else table)[function]
    out = dict(defaults)
    if labels is None:
        return out
    if not isinstance(labels, Mapping):
        raise TypeError(
            f"Expected labels to be a mapping of str to str, got {type(labels).__name__}"
        )
    unknown = sorted(str(key) for key in labels if key not in defaults)
    if unknown:
        raise ValueError(
            f"Expected label keys of {function} among {sorted(defaults)}, got {unknown}"
        )
    for key, value in labels.items():
        if not isinstance(value, str):
            raise TypeError(f"Expected label {key!r} to be a str, got {type(value).__name__}")
        out[key] = value
    return out


def _check_result(r: Any) -> None:
    if not isinstance(r, ComparisonResult):
        raise TypeError(f"Expected a ComparisonResult (from compare), got {type(r).__name__}")


def _need_ground_truth(r: Any, function: str) -> None:
    _check_result(r)
    if not r.has_ground_truth or r.eval_b is None:
        raise ValueError(
            f"Expected a ComparisonResult with a ground truth for {function} "
            "(compare(gt, a, b) with gt given), got one without"
        )


def _causes(r: Any, function: str) -> Any:
    """``r.causes`` for ``function``; refused without a ground truth or without causes."""
    _need_ground_truth(r, function)
    if r.causes is None:
        raise ValueError("Expected a ComparisonResult with causes, got none")
    return r.causes


def _positive_int(value: Any, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"Expected {name} to be an integer >= {low}, got {value!r}")
    return int(value)


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _category_label(category_id: Any, name: str, width: int = LABEL_CHARS) -> str:
    return shorten_label(f"{int(category_id)} {name}", width)


def _run_name(r: ComparisonResult, slot: int) -> str:
    """Run ``slot``'s name (0: A, 1: B) as a figure shows it: cleaned and shortened."""
    return shorten_label(r.names[slot], NAME_CHARS)


def _finish(
    fig: Any,
    ax: Any,
    title: str,
    *,
    created: bool,
    above_legend: bool = False,
    panels: bool = False,
) -> None:
    """Title the figure and, for a figure made here, lay it out once and for all.

    A figure made here gets ``title`` above every panel, is laid out (constrained layout,
    inside the caller's ``plot_style``: two passes with a fixed-aspect axes or a colour bar,
    else one, each the layout alone, without drawing the figure) and its layout engine then
    removed: constrained layout refines its result on every draw, so each save would move
    things by a pixel and give other bytes, and a figure without an engine is saved in one
    draw. On axes the caller gave, a one-panel figure's title goes on the axes (raised over a
    legend drawn above them); a several-panel figure keeps its panel titles and leaves the
    overall title to the caller (``panels``).
    """
    if created:
        fig.suptitle(title, fontsize=10)
        # The first pass places the axes. A second refits the margins to the decorations
        # where they ended up; only a fixed-aspect axes (shrunk inside its cell) or a colour
        # bar needs it: the other figures' margins do not depend on where the axes are
        # (tick labels, and texts outside the axes offset in points), so their first pass is
        # final to a fraction of a pixel. The passes run the layout alone: a whole draw
        # (draw_without_rendering) would lay out every text once more and change nothing
        # the layout reads.
        engine = fig.get_layout_engine()
        refit = any(a.get_aspect() != "auto" or hasattr(a, "_colorbar") for a in fig.axes)
        for _ in range(2 if refit else 1):
            engine.execute(fig)
        _drop_layout_engine(fig)
    elif not panels:
        ax.set_title(title, pad=30 if above_legend else 6)


def _drop_layout_engine(fig: Any) -> None:
    """Leave ``fig`` with no layout engine at all: its axes stay where the layout put them.

    Not ``set_layout_engine("none")``: that leaves a placeholder engine, and ``savefig`` draws
    a figure with any engine once more before the draw it saves.
    """
    import matplotlib

    # None means "no engine" only while the rcParams ask for no automatic layout.
    with matplotlib.rc_context(
        {"figure.autolayout": False, "figure.constrained_layout.use": False}
    ):
        fig.set_layout_engine(None)


def _figure_axes(ax: Any, height: float) -> tuple[Any, Any, bool]:
    """(figure, axes, whether the figure was made here): ``ax`` and its figure, or, when
    ``ax`` is None, a new one-axes figure ``height`` inches high (:func:`_new_figure`)."""
    if ax is None:
        fig, ax = _new_figure(height)
        return fig, ax, True
    return ax.figure, ax, False


def _new_figure(height: float, nrows: int = 0, ncols: int = 0) -> tuple[Any, Any]:
    """A figure :data:`FIGURE_WIDTH` wide, laid out at :data:`LAYOUT_DPI`: one axes, or an
    (nrows, ncols) grid of axes sharing both scales."""
    plt = _pyplot()
    size = {"figsize": (FIGURE_WIDTH, height), "layout": "constrained", "dpi": LAYOUT_DPI}
    if not nrows:
        return plt.subplots(**size)
    return plt.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False, **size)


def _label_at(
    ax: Any,
    text: str,
    xy: tuple[float, float],
    offset: tuple[float, float],
    ha: str,
    va: str,
    color: str = _MUTED,
    coords: str = "axes",
) -> None:
    """A 7 pt text ``offset`` points from ``xy``: axes fractions ('axes'), data ('data'),
    x an axes fraction and y data ('blended'), or figure fractions ('figure')."""
    xycoords: Any = {
        "axes": "axes fraction",
        "data": "data",
        "blended": ("axes fraction", "data"),
        "figure": "figure fraction",
    }
    ax.annotate(
        text,
        xy,
        xycoords=xycoords[coords],
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=7,
        color=color,
    )


def _cell_texts(
    axis: Any, values: np.ndarray, texts: np.ndarray, points: float, dark: float
) -> None:
    """Each positive cell's text (``texts[i, j]``) at its centre, ``points`` high: white on a
    cell of at least ``dark``, else near-black."""
    for (i, j), value in np.ndenumerate(values):
        if value > 0:
            axis.text(
                j,
                i,
                texts[i, j],
                ha="center",
                va="center",
                fontsize=points,
                color="white" if value >= dark else "#222222",
                in_layout=False,  # inside its cell: the layout has nothing to make room for
            )


def _grey_frame(axis: Any) -> None:
    """All four spines shown, in light grey (a heatmap's frame)."""
    for spine in axis.spines.values():
        spine.set_visible(True)
        spine.set_color("#CCCCCC")


def _legend_above(ax: Any, *, lift: float = 0.0, ncol: int = 3) -> Any:
    """The legend in a row just above the axes (``lift`` points higher), where it hides no data.

    The offset is in points, not a fraction of the axes: the constrained layout then needs the
    same margin whatever the axes' height, so one layout pass is final and saving the figure
    twice gives the same bytes.
    """
    from matplotlib.transforms import ScaledTranslation

    lifted = ax.transAxes + ScaledTranslation(0.0, lift / 72, ax.figure.dpi_scale_trans)
    return ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        bbox_transform=lifted,
        ncol=ncol,
        frameon=False,
        borderaxespad=0.2,
        handletextpad=0.3,
    )


def _plain_log_ticks(axis: Any, *, symlog: bool = False) -> None:
    """1, 10, 100 (not 10^0, 10^1, 10^2) on a log axis; 0 as well on a symlog one."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())
    if symlog:
        high = axis.get_view_interval()[1]
        decades = [10.0**e for e in range(0, int(math.log10(max(high, 1.0))) + 1)]
        axis.set_major_locator(FixedLocator([0.0, *decades]))
        axis.set_minor_locator(
            FixedLocator([m * d for d in decades for m in range(2, 10) if m * d <= high])
        )
    else:
        axis.set_major_locator(LogLocator(base=10))


#: Each figure's function by name (what :func:`available_plots` returns).
PLOTS: dict[str, Callable[..., Any]] = {
    "plot_ap_comparison": plot_ap_comparison,
    "plot_pr_curves": plot_pr_curves,
    "plot_score_histograms": plot_score_histograms,
    "plot_error_breakdown": plot_error_breakdown,
    "plot_confusion_pair": plot_confusion_pair,
    "plot_ap_by_iou": plot_ap_by_iou,
    "plot_matched_iou": plot_matched_iou,
    "plot_calibration": plot_calibration,
    "plot_support_vs_ap": plot_support_vs_ap,
}
