"""`pillcmp compare`: which of two runs is better, is it significant, where they disagree and
who was right."""

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from pill_compare.analysis.diagnosis import Diagnosis
from pill_compare.cli._common import (
    Outputs,
    check_operating_point,
    fail_usage,
    load_optional_gt,
    parse_pair,
    parse_tide_iou,
    print_or_put,
    progress_spinner,
    report_later_findings,
    slice_specs,
    start_checked_runs,
    warn,
)
from pill_compare.cli.eval_cmd import parse_iou_thresholds, parse_max_dets
from pill_compare.cli.options import (
    BootstrapOption,
    CategoryMapOption,
    ClassMapColumnsOption,
    ClassMapOption,
    CocoIouOption,
    ExplainOption,
    FormatOption,
    GtOption,
    InputFormatChoice,
    InputFormatOption,
    IouThrOption,
    MaxDetsOption,
    NamesOption,
    OutputOption,
    PairIouOption,
    ResultA,
    ResultB,
    SeedOption,
    SliceOption,
    StrictOption,
    TideIouOption,
    TrainAnnOption,
    score_thr_help,
)
from pill_compare.cli.registry import command
from pill_compare.core import Detections, GroundTruth
from pill_compare.io.category_names import CategoryNames, load_category_names
from pill_compare.report.tables import to_csv

PAIRS_SUFFIXES = (".csv",)


@command("compare")
def compare_command(
    result_a: ResultA,
    result_b: ResultB,
    gt: GtOption = None,
    train_ann: TrainAnnOption = None,
    names: NamesOption = None,
    score_thr: Annotated[
        float,
        typer.Option(
            "--score-thr",
            min=0.0,
            help=score_thr_help("at the operating point (pairing, P/R/F1, verdicts, McNemar)"),
        ),
    ] = 0.5,
    iou_thr: IouThrOption = 0.5,
    pair_iou: PairIouOption = 0.5,
    tide_iou: TideIouOption = "auto",
    iou: CocoIouOption = "0.5:0.95:0.05",
    max_dets: MaxDetsOption = "1,10,100",
    bootstrap: BootstrapOption = 1000,
    seed: SeedOption = 0,
    alpha: Annotated[
        float, typer.Option("--alpha", help="Significance level of the verdict.")
    ] = 0.05,
    rare: Annotated[
        int,
        typer.Option("--rare", min=0, help="With --train-ann: fewer training annotations = rare."),
    ] = 10,
    dump_pairs: Annotated[
        Path | None,
        typer.Option(
            "--dump-pairs",
            dir_okay=False,
            help="Write the pair table (.csv): every pair and one-sided box with both runs' "
            "categories, scores, IoU and, with --gt, status, error type and verdict.",
        ),
    ] = None,
    input_format: InputFormatOption = InputFormatChoice.auto,
    category_map: CategoryMapOption = None,
    class_map: ClassMapOption = None,
    class_map_columns: ClassMapColumnsOption = None,
    slices: SliceOption = None,
    strict: StrictOption = False,
    explain: ExplainOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """Which run is better, by how much, is it significant, where do they disagree, who was right?

    With --gt: every eval metric for A and B and B − A; a paired bootstrap over images (ΔmAP, ΔAP50, ΔF1 with a 95% interval and p-value) and McNemar's exact test per GT object; A's and B's boxes paired per image (class-agnostic, greedy by score, one-to-one at --pair-iou) with a verdict from the ground truth for every class swap (A right, B right, both wrong, no object there) and recurring swap patterns; each run's errors in TIDE's vocabulary (cls, loc, both, dupe, bkg, miss) with the ΔAP50 of fixing each; per-class AP deltas. With --train-ann also whether class imbalance explains the gap. With --slice KEY both runs' mAP per value of KEY (objects_per_image, image_size, or an annotation attribute such as drug_shape), B − A with its bootstrap interval, and whether the gap differs between slices (Holm-corrected). Without --gt: the boxes paired, the swap patterns (A says X where B says Y), one-sided boxes and boxes per class, agreement and Cohen's kappa — agreement, never accuracy; with --train-ann the training set's imbalance and how many disagreements fall on rare classes. --class-map names the categories.

    Example:

        pillcmp compare b3.json r101.json --gt gt.json --train-ann train.json
    """
    from pill_compare.analysis.compare import compare
    from pill_compare.report.compare_render import render_compare

    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    outputs.file("dump_pairs", dump_pairs, PAIRS_SUFFIXES)
    if not (0 < alpha < 1):
        fail_usage(f"--alpha must be in (0, 1), got {alpha}")
    thresholds, caps, strict_tide = parse_comparison_options(
        score_thr, iou_thr, pair_iou, iou, max_dets, tide_iou
    )
    inputs = load_comparison_inputs(
        (result_a, result_b),
        gt,
        train_ann,
        names,
        input_format,
        strict,
        category_map=category_map,
        class_map=class_map,
        class_map_columns=class_map_columns,
        score_thr=score_thr,
        pair_iou=pair_iou,
        iou_thr=iou_thr,
    )
    truth, runs, diagnosis = inputs.truth, inputs.runs, inputs.diagnosis
    specs = slice_specs(slices, truth)

    with progress_spinner("compare") as step:
        result = compare(
            truth,
            runs[0],
            runs[1],
            train_gt=inputs.train,
            score_threshold=score_thr,
            iou_threshold=iou_thr,
            pair_iou=pair_iou,
            iou_thresholds=thresholds,
            max_dets=caps,
            n_bootstrap=bootstrap,
            seed=seed,
            alpha=alpha,
            rare_threshold=rare,
            tide_iou=strict_tide,
            progress=step,
            diagnosis=diagnosis,
            category_names=inputs.class_map,
            slices=specs,
        )
    report_later_findings(diagnosis, result.diagnosis, strict=strict)
    warn_new_caveats(result.caveats, truth, runs)
    if dump_pairs is not None:
        table = result.disagreements if result.disagreements is not None else result.pairing
        outputs.put("dump_pairs", to_csv(table.to_frame()))
    print_or_put(outputs, "output", output, render_compare(result, out_fmt.value, explain=explain))
    outputs.write()


def parse_comparison_options(
    score_thr: float, iou_thr: float, pair_iou: float, iou: str, max_dets: str, tide_iou: str
) -> tuple[np.ndarray, tuple[int, ...], float | str | None]:
    """The usage checks ``compare`` and ``report`` share, before any file is read (exit 2 when
    wrong): the operating point and pairing IoU, then ``--iou``, ``--max-dets`` and
    ``--tide-iou`` parsed. ``--train-ann`` works with or without ``--gt`` (without: imbalance
    beside agreement).

    Returns:
        (COCO IoU thresholds, detection caps, the stricter TIDE IoU: 'auto', an IoU or None).
    """
    check_operating_point(score_thr, iou_thr, pair_iou)
    thresholds, caps = parse_iou_thresholds(iou), parse_max_dets(max_dets)
    return thresholds, caps, parse_tide_iou(tide_iou, thresholds)


@dataclasses.dataclass(frozen=True)
class ComparisonInputs:
    """What ``compare`` and ``report`` load (:func:`load_comparison_inputs`).

    Attributes:
        truth: The ground truth (None without ``--gt``).
        train: The training annotations (None without ``--train-ann``).
        runs: A and B, ``--names`` and ``--category-map`` applied, unknown ids left out.
        diagnosis: What the input check found on them.
        class_map: The ``--class-map`` names (None without one).
    """

    truth: GroundTruth | None
    train: GroundTruth | None
    runs: tuple[Detections, Detections]
    diagnosis: Diagnosis
    class_map: CategoryNames | None


def load_class_map_option(path: Path | None, columns: str | None) -> CategoryNames | None:
    """``--class-map`` (and ``--class-map-columns ID,NAME``) read, or None without one."""
    if path is None:
        if columns is not None:
            fail_usage("--class-map-columns names the columns of --class-map; give --class-map")
        return None
    pair = None
    if columns is not None:
        pair = tuple(c.strip() for c in columns.split(","))
        if len(pair) != 2 or not all(pair):
            fail_usage(
                f"--class-map-columns expects ID,NAME (two column names, e.g. "
                f"category_id,dl_name), got {columns!r}"
            )
    return load_category_names(path, columns=pair)


def load_comparison_inputs(
    results: tuple[Path, Path],
    gt: Path | None,
    train_ann: Path | None,
    names: str | None,
    input_format: InputFormatChoice,
    strict: bool,
    *,
    category_map: list[str] | None = None,
    class_map: Path | None = None,
    class_map_columns: str | None = None,
    score_thr: float = 0.5,
    pair_iou: float = 0.5,
    iou_thr: float = 0.5,
    lang: str = "en",
) -> ComparisonInputs:
    """The class map, the ground truth, the training annotations, the two runs and what the
    input check found on them, as ``compare`` and ``report`` load them: ``--names`` and
    ``--category-map`` applied, findings printed first, unknown ids left out with a warning.
    The category list the runs should use (for the id-space check) is the training
    annotations', else the class map's."""
    names_map = load_class_map_option(class_map, class_map_columns)
    pair = parse_pair(names, "--names")
    truth = load_optional_gt(gt, strict=strict)
    train = load_optional_gt(train_ann, strict=strict)
    prepared = start_checked_runs(
        results,
        ("a", "b"),
        pair,
        truth,
        input_format=input_format.value,
        strict=strict,
        category_map=category_map,
        score_threshold=score_thr,
        pair_iou=pair_iou,
        iou_threshold=iou_thr,
        lang=lang,
        known_category_ids=(
            train.category_ids.tolist()
            if train is not None
            else list(names_map.ids)
            if names_map is not None
            else None
        ),
        beside=False,  # waited for at once
    ).finish()
    runs = (prepared.runs["a"], prepared.runs["b"])
    return ComparisonInputs(truth, train, runs, prepared.diagnosis, names_map)


def warn_new_caveats(
    caveats: Iterable[str], truth: GroundTruth | None, runs: Iterable[Detections]
) -> None:
    """Warn the result's caveats that loading has not already warned."""
    shown = set(truth.warnings if truth else ()) | {w for d in runs for w in d.warnings}
    warn(c for c in caveats if c not in shown)
