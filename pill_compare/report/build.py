"""`build_report`: the comparison, its figures and gallery, as one :class:`Report`; and
`write_report`: that report as a folder (report.md + figures, report.html, report.json).

The report computes nothing itself: :func:`~pill_compare.analysis.compare.compare` computes,
the section builders (:mod:`pill_compare.report.sections.compare`) arrange, the renderers
(:mod:`pill_compare.report.render`) format.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pill_compare.analysis.coco_metrics import COCO_MAX_DETS
from pill_compare.analysis.compare import ComparisonResult, compare
from pill_compare.core import Detections, GroundTruth
from pill_compare.io.files import display_path, file_sha256
from pill_compare.io.outputs import write_folder
from pill_compare.parallel import in_background
from pill_compare.report.figures import close_figure, figure_to_bytes
from pill_compare.report.messages import catalogue
from pill_compare.report.structure import Figure, Gallery, Report
from pill_compare.report.tables import to_json
from pill_compare.version import __version__

#: The file every report folder holds (a folder without it is never replaced).
REPORT_JSON = "report.json"


def build_report(
    gt: GroundTruth | None,
    a: Detections,
    b: Detections,
    *,
    train_gt: GroundTruth | None = None,
    images_dir: str | os.PathLike[str] | None = None,
    lang: str = "en",
    title: str | None = None,
    inputs: Mapping[str, str | os.PathLike[str]] | None = None,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
    pair_iou: float = 0.5,
    iou_thresholds: Sequence[float] | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    n_bootstrap: int = 1000,
    seed: int = 0,
    gallery_max: int = 24,
    tide_iou: float | str | None = "auto",
    date: _dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    diagnosis: Any = None,
    category_names: Any = None,
    slices: Sequence[Any] | None = None,
) -> Report:
    """Compare A with B and arrange everything as a report: the structure of a hand-written
    comparison report (overview, overall numbers, disagreements, per class, error types,
    causes), computed.

    Args:
        gt: The ground truth, or None (the sections that need it say what it would add).
        a / b: The runs (``load_results(..., gt=gt)``).
        train_gt: Training annotations (imbalance vs AP).
        images_dir: Folder of the images: adds the disagreement gallery and, when the
            ground-truth audit has cases, its top cases in pictures (``gt_audit`` section).
        lang: 'en' or 'ko': every heading, label, sentence and figure text.
        title: The report's title (default: the catalogue's, with both names).
        inputs: Role ('a', 'b', 'gt', 'train') → input file, for the overview and the sha256 of
            each in ``report.json``.
        score_threshold / iou_threshold / pair_iou / iou_thresholds / max_dets / n_bootstrap:
            As for :func:`~pill_compare.analysis.compare.compare`, and so is the bootstrap's
            random seed (the parameter of that name).
        gallery_max: Most gallery images (worst first).
        tide_iou: The stricter IoU of the second TIDE breakdown ('auto': 0.75 when the
            thresholds include it; None: none), as for
            :func:`~pill_compare.analysis.compare.compare`.
        date: The date line (default: today); the only part that differs between two runs on
            the same inputs.
        progress: Optional ``progress(step)`` callback.
        diagnosis: The input check of ``a`` and ``b``
            (:func:`~pill_compare.analysis.diagnosis.prepare_runs`): shown first, and while a
            blocking finding stands the summary names no better model.
        category_names: A class map (:func:`~pill_compare.io.category_names.load_category_names`)
            or id → name mapping naming the categories, as for
            :func:`~pill_compare.analysis.compare.compare`.
        slices: Slice keys (or specs) for the ``slices`` section, as for
            :func:`~pill_compare.analysis.compare.compare`; None: those of
            :data:`~pill_compare.analysis.slices.DEFAULT_REPORT_KEYS` (shape and colour) that
            the ground truth's annotations carry; () for none.

    Returns:
        The :class:`~pill_compare.report.structure.Report`.
    """
    msg = catalogue(lang)

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    if slices is None:
        from pill_compare.analysis.slices import default_slice_keys

        slices = default_slice_keys(gt) if gt is not None else ()

    result = compare(
        gt,
        a,
        b,
        train_gt=train_gt,
        score_threshold=score_threshold,
        iou_threshold=iou_threshold,
        pair_iou=pair_iou,
        iou_thresholds=iou_thresholds,
        max_dets=max_dets,
        n_bootstrap=n_bootstrap,
        seed=seed,
        tide_iou=tide_iou,
        progress=progress,
        diagnosis=diagnosis,
        category_names=category_names,
        slices=slices if gt is not None else (),
    )
    step("figures")
    # The figures (seconds of matplotlib) need only the result: they are drawn in two child
    # processes, about half the drawing each, while this one builds the gallery, the JSON data
    # and the CSV files (pill_compare/parallel.py; the same bytes either way). Where no child
    # can be forked, each half is drawn here in turn (matplotlib is not for threads).
    names = figure_names(result)
    halves = _halves(names)
    with (
        in_background(
            lambda: report_figures(result, lang=lang, names=halves[0]), fork=bool(halves[0])
        ) as first,
        in_background(
            lambda: report_figures(result, lang=lang, names=halves[1]), fork=bool(halves[1])
        ) as second,
    ):
        gallery, gallery_notes = None, []
        audit_gallery, audit_notes = None, []
        if images_dir is not None:
            step("gallery")
            from pill_compare.report.gallery import build_audit_gallery, build_gallery

            gallery, gallery_notes = build_gallery(
                result, images_dir, max_items=gallery_max, labels=msg.labels("gallery")
            )
            audit = result.gt_audit
            if audit is not None and audit.likely_missing.count + audit.likely_wrong_label.count:
                audit_gallery, audit_notes = build_audit_gallery(
                    result, images_dir, labels=msg.labels("gallery")
                )
        # One note per photo for both galleries (an image missing from the folder is said once).
        all_notes = list(dict.fromkeys([*gallery_notes, *audit_notes]))
        when = (date or _dt.date.today()).isoformat()
        files = {role: Path(p) for role, p in (inputs or {}).items()}
        meta = tuple(
            [(msg.text("meta.version"), f"pillcmp {__version__}"), (msg.text("meta.date"), when)]
            + [(msg.text(f"meta.input.{role}"), display_path(path)) for role, path in files.items()]
        )
        step("data and tables")
        from pill_compare.report.compare_render import compare_json
        from pill_compare.report.sections.compare_files import (
            compare_csv_files,
            disputed_box_records,
        )

        data = {
            "pillcmp_version": __version__,
            "date": when,
            "lang": lang,
            "inputs": {
                role: {"path": display_path(path), "sha256": file_sha256(path)}
                for role, path in files.items()
            },
            **compare_json(result, lang=lang),
            "disputed_boxes": disputed_box_records(result),
            "gallery": {
                "images": len(gallery.items) if gallery else 0,
                "gt_audit_images": len(audit_gallery.items) if audit_gallery else 0,
                "notes": [
                    {"code": n.code, "image_id": n.image_id, "file_name": n.file_name}
                    for n in all_notes
                ],
            },
            "gallery_warnings": [msg.gallery_note(n) for n in all_notes],
        }
        csv_files = compare_csv_files(result)
        step("figures: waiting for them")
        place = {name.removeprefix("plot_"): i for i, name in enumerate(names)}
        drawn = {**first.result(), **second.result()}
        figures = dict(sorted(drawn.items(), key=lambda kv: place[kv[0]]))  # the report's order
    step("sections")
    from pill_compare.report.sections.compare import compare_sections

    sections = compare_sections(
        result,
        lang,
        figures=figures,
        gallery=gallery,
        gallery_notes=gallery_notes,
        audit_gallery=audit_gallery,
        audit_gallery_notes=audit_notes,
    )
    return Report(
        title=title or msg.report_title(*result.names),
        lang=lang,
        sections=tuple(sections),
        meta=meta,
        data=data,
        diagnosis=result.diagnosis,
        files=csv_files,
    )


#: Each figure's drawing time relative to the others' (``benchmarks/bench_figures.py``, COCO
#: scale: the two confusion matrices 0.83 s, AP per class 0.56 s plus the pyplot import, the PR
#: curves and score histograms 0.43 s, the rest 0.1-0.16 s; pill scale in the same order), to
#: split the figures into two halves of about the same time. A figure not listed counts 1.
FIGURE_WEIGHTS = {
    "plot_confusion_pair": 8,
    "plot_ap_comparison": 6,
    "plot_pr_curves": 4,
    "plot_score_histograms": 4,
}


def figure_names(result: ComparisonResult) -> tuple[str, ...]:
    """The ``plot_*`` functions that can draw ``result``, in the report's order."""
    from pill_compare.report import agreement_plots, report_plots

    return (*report_plots.available_plots(result), *agreement_plots.available_plots(result))


def _halves(names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``names`` in two groups of about the same drawing time (:data:`FIGURE_WEIGHTS`): the
    heaviest first, each to the lighter group; each group keeps the report's order."""
    load = [0, 0]
    group: dict[str, int] = {}
    for name in sorted(names, key=lambda n: -FIGURE_WEIGHTS.get(n, 1)):  # stable: ties in order
        side = 0 if load[0] <= load[1] else 1
        group[name] = side
        load[side] += FIGURE_WEIGHTS.get(name, 1)
    return (
        tuple(n for n in names if group[n] == 0),
        tuple(n for n in names if group[n] == 1),
    )


def report_figures(
    result: ComparisonResult, *, lang: str = "en", names: Sequence[str] | None = None
) -> dict[str, Figure]:
    """Every figure the result allows (:func:`figure_names`), or those of ``names``, rendered
    to deterministic PNG bytes, keyed as the section builders place them ('ap_comparison',
    'pr_curves', ...)."""
    from pill_compare.report import agreement_plots, report_plots

    msg = catalogue(lang)
    out: dict[str, Figure] = {}
    plots = {**report_plots.PLOTS, **agreement_plots.PLOTS}
    for name in figure_names(result) if names is None else names:
        key = name.removeprefix("plot_")
        fig = plots[name](result, lang=lang, labels=msg.labels(f"plot.{key}"))
        try:
            png = figure_to_bytes(fig, "png")
        finally:
            close_figure(fig)
        caption = msg.text(f"figure.{key}")
        out[key] = Figure(key=key, png=png, caption=caption, alt=caption)
    return out


def render_report_files(report: Report) -> dict[str, str | bytes]:
    """The files of a report folder: report.md and its PNGs, report.html, report.json, and the
    complete tables as CSV files (``report.files``: ``per_image.csv``, ``disputed_boxes.csv``,
    ...), which the pages name under the tables they cut or narrow."""
    from pill_compare.report.render.html import render_html
    from pill_compare.report.render.markdown import render_markdown

    md, figures = render_markdown(
        report.sections, title=report.title, meta=report.meta, lang=report.lang
    )
    files: dict[str, str | bytes] = {"report.md": md, **figures}
    files["report.html"] = render_html(report)
    files[REPORT_JSON] = to_json(dict(report.data))
    for name, text in report.files.items():
        if name in files:
            raise ValueError(f"Expected report file names apart from the pages', got {name!r}")
        files[name] = text
    return files


def write_report(
    report: Report, folder: str | os.PathLike[str], *, make_parents: bool = True
) -> Path:
    """Write ``report`` into ``folder`` (created; with its parents when ``make_parents``), all
    at once.

    Raises:
        ConfigError: the folder cannot be written, its parent is missing (without
            ``make_parents``), or it is a folder of the user's (no report.json in it) that is
            not empty.
    """
    return write_folder(
        folder, render_report_files(report), owner_file=REPORT_JSON, make_parents=make_parents
    )


__all__ = ["Gallery", "build_report", "render_report_files", "report_figures", "write_report"]
