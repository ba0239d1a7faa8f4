"""`pillcmp eval` through CliRunner: equal to pycocotools, every format, dumps, plot, errors."""

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from pill_compare.analysis.matching import coco_iou_thresholds
from pill_compare.cli import app
from tests.analysis.eval_fixtures import box, coco_oracle, gt_doc, hand_case, random_case
from tests.conftest import SAMPLE, write_json

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(runner, *args):
    return runner.invoke(app, ["eval", *[str(a) for a in args]])


def ok(runner, *args):
    result = run(runner, *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def fails(runner, code, *args):
    result = run(runner, *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def as_pycocotools(stats: dict) -> list[float]:
    return [-1.0 if v is None else v for v in stats.values()]


def case_files(tmp_path, case):
    return write_json(tmp_path, "gt.json", case.gt), write_json(tmp_path, "res.json", case.results)


@pytest.mark.parametrize("run_file", ["resnet101.json", "efficientnet_b3.json"])
def test_json_equals_pycocotools_on_the_sample(runner, run_file):
    gt, res = SAMPLE / "ground_truth.json", SAMPLE / run_file
    data = json.loads(ok(runner, gt, res, "--format", "json").stdout)
    oracle = coco_oracle(json.loads(gt.read_text()), json.loads(res.read_text()))
    assert as_pycocotools(data["coco"]["stats"]) == oracle.stats.tolist()
    assert set(data["coco"]["definitions"]) == set(data["coco"]["stats"])


def test_submission_csv_gives_the_same_numbers_as_its_json(runner):
    gt = SAMPLE / "ground_truth.json"
    from_json = json.loads(ok(runner, gt, SAMPLE / "resnet101.json", "-f", "json").stdout)
    from_csv = json.loads(ok(runner, gt, SAMPLE / "resnet101_submission.csv", "-f", "json").stdout)
    assert from_csv["coco"]["stats"] == from_json["coco"]["stats"]


@pytest.mark.parametrize("seed", [7, 11, 19])
def test_json_equals_pycocotools_on_crowds_ties_and_empty_images(runner, tmp_path, seed):
    case = random_case(seed)
    gt, res = case_files(tmp_path, case)
    data = json.loads(ok(runner, gt, res, "-f", "json").stdout)
    assert (
        as_pycocotools(data["coco"]["stats"]) == coco_oracle(case.gt, case.results).stats.tolist()
    )


def test_competition_iou_range(runner, tmp_path):
    case = random_case(11)
    gt, res = case_files(tmp_path, case)
    data = json.loads(ok(runner, gt, res, "--iou", "0.75:0.95:0.05", "-f", "json").stdout)
    oracle = coco_oracle(
        case.gt, case.results, iou_thresholds=coco_iou_thresholds(0.75, 0.95, 0.05)
    )
    assert as_pycocotools(data["coco"]["stats"]) == oracle.stats.tolist()
    assert data["coco"]["stats"]["map_50"] is None
    assert data["coco"]["iou_thresholds"] == np.linspace(0.75, 0.95, 5).tolist()


def test_explicit_iou_list_and_max_dets(runner, tmp_path):
    gt, res = case_files(tmp_path, random_case(11))
    data = json.loads(
        ok(runner, gt, res, "--iou", "0.5,0.75", "--max-dets", "1,5,20", "-f", "json").stdout
    )
    assert data["coco"]["iou_thresholds"] == [0.5, 0.75]
    assert list(data["coco"]["stats"])[6:9] == ["mar_1", "mar_5", "mar_20"]


def test_operating_point_accuracy_and_confusion_in_json(runner, tmp_path):
    gt, res = case_files(tmp_path, hand_case())
    data = json.loads(ok(runner, gt, res, "--score-thr", "0.5", "-f", "json").stdout)
    # Derived by hand in tests/analysis/test_operating_point.py and test_confusion.py.
    assert data["operating_point"]["micro"] == {
        "gt": 5, "tp": 1, "fp": 3, "fn": 4, "precision": 0.25, "recall": 0.2, "f1": 2 / 9,
    }  # fmt: skip
    assert data["operating_point"]["best_f1_score_threshold"] == 0.4
    assert data["accuracy"]["classification_accuracy"] == 0.5
    assert data["accuracy"]["image_exact_match"] == 2 / 3
    assert data["confusion"]["matrix"] == [[1, 1, 1], [0, 0, 2], [1, 1, 0]]
    assert "definitions" in data["operating_point"] and "definitions" in data["accuracy"]
    rows = {r["category_id"]: r for r in data["per_class"]}
    assert rows[1]["tp"] == 1 and rows[1]["gt"] == 3
    # Category 2 for COCO (no score threshold): d5 FP, d2 FP, d3 TP of 2 GT boxes, all at IoU 1:
    # precision 1/3 at recall 1/2, so the 51 recall points 0, ..., 0.50 read 1/3: AP = 51/303.
    assert rows[2]["ap"] == pytest.approx(51 / 303)


def test_text_shows_every_section_and_definitions_on_request(runner):
    gt, res = SAMPLE / "ground_truth.json", SAMPLE / "efficientnet_b3.json"
    short = ok(runner, gt, res).stdout
    assert "AP, IoU 0.75, all sizes, top 100" not in short
    assert max(map(len, short.splitlines())) <= 120
    out = ok(runner, gt, res, "--explain").stdout
    for heading in (
        "COCO metrics",
        "Operating point: score >= 0.5, IoU >= 0.5",
        "Accuracy",
        "Per class",
        "Confusion matrix",
    ):
        assert heading in out and heading in short
    assert "map_75" in out and "AP, IoU 0.75, all sizes, top 100" in out
    assert "(a) among detections with score >= s" in out
    assert "f1: 2 TP / (2 TP + FP + FN)" in out


def test_markdown_and_csv(runner):
    gt, res = SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json"
    md = ok(runner, gt, res, "-f", "md").stdout
    assert md.startswith("# Evaluation: resnet101\n")
    for heading in ("## COCO metrics", "## Per class", "## Confusion matrix", "## Accuracy"):
        assert heading in md
    frame = pd.read_csv(io.StringIO(ok(runner, gt, res, "-f", "csv").stdout))
    categories = json.loads(gt.read_text())["categories"]
    assert len(frame) == len(categories)
    assert {"category_id", "ap", "ap_50", "ap_75", "ar_100", "gt", "tp", "f1", "best_f1"} <= set(
        frame.columns
    )


def test_dump_matches_csv_and_parquet(runner, tmp_path):
    case = hand_case()
    gt, res = case_files(tmp_path, case)
    csv_path, parquet_path = tmp_path / "m.csv", tmp_path / "m.parquet"
    ok(runner, gt, res, "--dump-matches", csv_path, "-o", tmp_path / "e.json")
    frame = pd.read_csv(csv_path)
    assert (frame["kind"] == "det").sum() == len(case.results)
    assert (frame["kind"] == "gt").sum() == len(case.gt["annotations"])
    dets = frame[frame["kind"] == "det"]
    assert dets["status@0.5"].tolist() == ["TP", "FP", "FP", "TP", "ignored", "FP"]
    ok(runner, gt, res, "--dump-matches", parquet_path)
    assert pd.read_parquet(parquet_path).shape == frame.shape


def test_plot_writes_a_png(runner, tmp_path):
    plot = tmp_path / "confusion.png"
    ok(runner, SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json", "--plot", plot)
    assert plot.read_bytes()[:8] == PNG_MAGIC


def test_empty_results_give_zeros_with_a_warning(runner, tmp_path):
    gt = write_json(tmp_path, "gt.json", hand_case().gt)
    res = write_json(tmp_path, "empty.json", [])
    result = ok(runner, gt, res, "-f", "json")
    data = json.loads(result.stdout)
    assert data["coco"]["stats"]["map"] == 0.0
    assert "no detections at all" in result.stderr


# --- bad input ---------------------------------------------------------------------------------


def test_detections_on_unknown_images_are_listed(runner, tmp_path):
    gt = write_json(
        tmp_path, "gt.json", gt_doc([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 9, 9)}])
    )
    rec = {"category_id": 1, "bbox": box(0, 0, 9, 9), "score": 0.5}
    res = write_json(tmp_path, "res.json", [{"image_id": 40, **rec}, {"image_id": 41, **rec}])
    result = ok(runner, gt, res)
    assert "res.json: 2 of 2 detections left out: image ids 40 (1), 41 (1)" in result.stderr
    assert "no detection is left to evaluate" in result.stderr
    assert "0 detections on 1 images" in result.stdout


def test_ground_truth_without_annotations_says_so(runner, tmp_path):
    doc = {"images": [{"id": 1}], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
    gt = write_json(tmp_path, "gt.json", doc)
    res = write_json(tmp_path, "res.json", [])
    result = fails(runner, 1, gt, res)
    assert "the ground truth has no annotations, so there is nothing to evaluate" in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--iou", "0.5-0.95", "--iou expects start:stop:step like 0.5:0.95:0.05"),
        ("--iou", "0.95:0.5:0.05", "--iou expects start:stop:step"),
        ("--iou", "0,0.5", r"each in \(0, 1\]"),
        ("--iou", "0.5,1.2", r"each in \(0, 1\]"),
        ("--max-dets", "0,10", "--max-dets expects comma-separated integers >= 1"),
        ("--max-dets", "ten", "--max-dets expects comma-separated integers >= 1"),
        ("--iou-thr", "0", r"--iou-thr must be in \(0, 1\], got 0.0"),
        ("--score-thr", "inf", "--score-thr must be a finite number >= 0"),
        (
            "--dump-matches",
            "m.txt",
            r"--dump-matches: .*m\.txt: unsupported file suffix .\.txt.; expected \.csv, \.parquet",
        ),
        (
            "--plot",
            "cm.txt",
            r"--plot: .*cm\.txt: unsupported file suffix .\.txt.; expected \.png, \.svg, \.pdf",
        ),
    ],
)
def test_bad_options_are_usage_errors(runner, tmp_path, option, value, message):
    gt, res = case_files(tmp_path, hand_case())
    result = fails(runner, 2, gt, res, option, value)
    assert re.search(message, result.stderr)


def test_cross_check_runs_pycocotools_and_finds_no_difference(runner):
    result = ok(runner, SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json", "--cross-check")
    assert "cross-check against pycocotools: every stat equal (largest |difference| 0)" in (
        result.stderr
    )
    assert "COCOeval.stats[0]" in result.stderr


def test_cross_check_difference_is_reported_as_our_bug(runner, monkeypatch):
    import dataclasses

    import pill_compare.analysis.crosscheck as crosscheck

    real = crosscheck.cross_check

    def off_by_a_little(gt, dets, result, engine):
        check = real(gt, dets, result, engine=engine)
        stat = dataclasses.replace(check.stats[0], reference=check.stats[0].pillcmp + 0.01)
        stat = dataclasses.replace(stat, abs_diff=0.01)
        return dataclasses.replace(check, stats=(stat, *check.stats[1:]))

    monkeypatch.setattr(crosscheck, "cross_check", off_by_a_little)
    result = fails(
        runner, 70, SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json", "--cross-check"
    )
    assert "pillcmp differs from pycocotools by up to 0.01" in result.stderr


@pytest.mark.parametrize(
    ("engine", "package"), [("ultrafast", "ultrafast-pycocotools"), ("hotcoco", "hotcoco")]
)
def test_cross_check_engine_runs_the_named_rust_engine(runner, engine, package):
    pytest.importorskip(package.replace("-", "_"))
    result = ok(
        runner,
        SAMPLE / "ground_truth.json",
        SAMPLE / "resnet101.json",
        "--cross-check-engine",
        engine,
        "-f",
        "json",
    )
    assert f"cross-check against {package}: every stat equal (largest |difference| 0)" in (
        result.stderr
    )


def test_cross_check_engine_not_installed_names_the_package_and_fails_before_evaluating(
    runner, monkeypatch
):
    import pill_compare.analysis.crosscheck as crosscheck
    import pill_compare.cli.eval_cmd as eval_cmd

    monkeypatch.setitem(crosscheck.CROSS_CHECK_ENGINES, "hotcoco", ("no_such_module_x", "hotcoco"))
    monkeypatch.setattr(eval_cmd, "evaluate", lambda *a, **k: pytest.fail("evaluated"))
    result = fails(
        runner,
        2,
        SAMPLE / "ground_truth.json",
        SAMPLE / "resnet101.json",
        "--cross-check-engine",
        "hotcoco",
    )
    assert re.search(
        r"--cross-check-engine: cross-check engine 'hotcoco' needs the package hotcoco, which is "
        r"not installed here: install it \(pip install hotcoco\)",
        result.stderr,
    )


def test_header_counts_every_declared_category(runner):
    # The sample declares 22 categories; 18109 has no annotation and no detection.
    out = ok(runner, SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json").stdout
    assert "1015 GT boxes, 0 crowd regions, 22 declared categories" in out


def test_normalize_plots_the_confusion_matrix_in_row_shares(runner, tmp_path, monkeypatch):
    from pill_compare.report import eval_plots

    drawn = []
    original = eval_plots.plot_confusion_matrix

    def spy(confusion, **kwargs):
        drawn.append(kwargs)
        return original(confusion, **kwargs)

    monkeypatch.setattr(eval_plots, "plot_confusion_matrix", spy)
    counts, shares = tmp_path / "counts.png", tmp_path / "shares.png"
    ok(runner, SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json", "--plot", counts)
    ok(runner, SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json", "--plot", shares,
       "--normalize")  # fmt: skip
    assert [d.get("normalize") for d in drawn] == [False, True]
    assert shares.read_bytes()[:8] == PNG_MAGIC
    assert shares.read_bytes() != counts.read_bytes()  # the cells show other numbers
