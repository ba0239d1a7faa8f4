"""`pillcmp report`: the false-detection report of two runs as Markdown, one HTML file and JSON."""

import datetime as dt
import re
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pill_compare.cli._common import (
    echo,
    fail_usage,
    progress_spinner,
    report_later_findings,
    slice_specs,
    warn,
)
from pill_compare.cli.compare_cmd import (
    load_comparison_inputs,
    parse_comparison_options,
    warn_new_caveats,
)
from pill_compare.cli.options import (
    BootstrapOption,
    CategoryMapOption,
    ClassMapColumnsOption,
    ClassMapOption,
    CocoIouOption,
    GtOption,
    InputFormatChoice,
    InputFormatOption,
    IouThrOption,
    MaxDetsOption,
    NamesOption,
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
from pill_compare.io.outputs import check_folder


class Lang(str, Enum):
    """Languages of the report."""

    en = "en"
    ko = "ko"


#: Bytes (UTF-8) of each run's name kept in the default folder's name: two of them and '_vs_'
#: stay under the 255 bytes a file system allows in one name.
DEFAULT_FOLDER_NAME_BYTES = 120


def default_folder(name_a: str, name_b: str) -> Path:
    """reports/<a>_vs_<b>/ with characters a folder name should not hold replaced, each name cut
    to :data:`DEFAULT_FOLDER_NAME_BYTES` so that the default is always a legal name."""

    def part(name: str) -> str:
        safe = re.sub(r"[^\w.-]+", "_", name).encode("utf-8")[:DEFAULT_FOLDER_NAME_BYTES]
        return safe.decode("utf-8", errors="ignore")  # a letter cut in two is dropped

    safe = f"{part(name_a)}_vs_{part(name_b)}".strip("._") or "report"
    return Path("reports") / safe


@command("report")
def report_command(
    result_a: ResultA,
    result_b: ResultB,
    gt: GtOption = None,
    train_ann: TrainAnnOption = None,
    images: Annotated[
        Path | None,
        typer.Option(
            "--images",
            exists=True,
            file_okay=False,
            help="Image folder: adds the disagreement gallery (images found by GT file_name or "
            "<image_id>.<ext>; names that lead outside the folder are refused).",
        ),
    ] = None,
    names: NamesOption = None,
    lang: Annotated[
        Lang, typer.Option("--lang", help="Language of every heading, sentence and figure.")
    ] = Lang.en,
    title: Annotated[str | None, typer.Option("--title", help="The report's title.")] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            file_okay=False,
            help="The report folder (created in a folder that exists; a previous report there is "
            "replaced, a folder of other files never). '-' is refused: a report is a folder of files (compare -f md "
            "prints Markdown). Default: reports/<A>_vs_<B>/.",
        ),
    ] = None,
    score_thr: Annotated[
        float, typer.Option("--score-thr", min=0.0, help=score_thr_help("at the operating point"))
    ] = 0.5,
    iou_thr: IouThrOption = 0.5,
    pair_iou: PairIouOption = 0.5,
    tide_iou: TideIouOption = "auto",
    iou: CocoIouOption = "0.5:0.95:0.05",
    max_dets: MaxDetsOption = "1,10,100",
    bootstrap: BootstrapOption = 1000,
    seed: SeedOption = 0,
    gallery_max: Annotated[
        int, typer.Option("--gallery-max", min=0, help="Most images in the gallery, worst first.")
    ] = 24,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The report's date line, YYYY-MM-DD (default: today): the only part that "
            "differs between two runs on the same inputs.",
        ),
    ] = None,
    input_format: InputFormatOption = InputFormatChoice.auto,
    category_map: CategoryMapOption = None,
    class_map: ClassMapOption = None,
    class_map_columns: ClassMapColumnsOption = None,
    slices: SliceOption = None,
    strict: StrictOption = False,
) -> None:
    """Write the false-detection report of A vs B: report.md (+ figures), report.html, report.json.

    A hand-written comparison report's structure, computed: overview and a three-sentence summary; overall comparison with significance; detection statistics; every disagreement with who was right; per-class false positives and negatives; TIDE error types; cause analysis (imbalance vs AP); slices (--slice KEY: both models per value of KEY, B − A with its interval and a Holm-corrected test of whether the gap differs; by default drug_shape and color_class1 when the ground truth's annotations carry them); glossary and caveats. report.html is one self-contained file (figures embedded, no external URL); report.json holds every number, the inputs' sha256 and pillcmp's version. Without --gt: a report of agreement, not accuracy: boxes paired, swap patterns (table and heatmap), one-sided boxes, boxes per class (figure); with --train-ann the training set's imbalance and which disagreements fall on rare classes; --class-map names the categories (Korean names too).

    Example:

        pillcmp report b3.json r101.json --gt gt.json --images images --lang ko
    """
    from pill_compare.report.build import REPORT_JSON, build_report, write_report

    thresholds, caps, strict_tide = parse_comparison_options(
        score_thr, iou_thr, pair_iou, iou, max_dets, tide_iou
    )
    day = None
    if date is not None:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            fail_usage(f"--date expects YYYY-MM-DD, got {date!r}")
    loaded = load_comparison_inputs(
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
        lang=lang.value,
    )
    truth, (a, b), diagnosis = loaded.truth, loaded.runs, loaded.diagnosis
    specs = slice_specs(slices, truth) if slices else None  # None: the report's default keys
    folder = output or default_folder(a.name, b.name)
    # The default reports/<A>_vs_<B>/ is made with its parents; a folder the user names is made
    # only itself, in a folder that exists (as every other output), so a typo is not a new tree.
    make_parents = output is None
    check_folder(folder, owner_file=REPORT_JSON, make_parents=make_parents)  # before the work
    inputs = {"a": result_a, "b": result_b}
    if gt is not None:
        inputs["gt"] = gt
    if train_ann is not None:
        inputs["train"] = train_ann
    if class_map is not None:
        inputs["class_map"] = class_map
    with progress_spinner("report") as step:
        report = build_report(
            truth,
            a,
            b,
            train_gt=loaded.train,
            images_dir=images,
            lang=lang.value,
            title=title,
            inputs=inputs,
            score_threshold=score_thr,
            iou_threshold=iou_thr,
            pair_iou=pair_iou,
            iou_thresholds=thresholds,
            max_dets=caps,
            n_bootstrap=bootstrap,
            seed=seed,
            gallery_max=gallery_max,
            tide_iou=strict_tide,
            date=day,
            progress=step,
            diagnosis=diagnosis,
            category_names=loaded.class_map,
            slices=specs,
        )
        report_later_findings(diagnosis, report.diagnosis, strict=strict, lang=lang.value)
        step("writing")
        written = write_report(report, folder, make_parents=make_parents)
    warn_new_caveats(report.data.get("caveats", []), truth, (a, b))
    warn(report.data.get("gallery_warnings", []))
    for line in report.data.get("summary", []):
        echo(line, err=True)
    echo(f"wrote {written}/ (report.md, report.html, report.json)", err=True)
