"""`pillcmp predict` through CliRunner: its COCO results go to eval and its CSV passes
check-submission with the dataset's category ids; bad input exits 1, bad usage 2, no traceback."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.cli import predict_cmd  # noqa: F401  (importing it registers the command)
from pill_compare.cli.app import build_app
from tests.conftest import SAMPLE, write_json
from tests.nn.test_predict import sample_subset, write_tiny_checkpoint

IMAGES = SAMPLE / "images"
SUMMARY = re.compile(
    r"predicted 4 images in [0-9.]+ s \([0-9.]+ images/s on cpu\), 40 detections -> \S+"
)


@pytest.fixture(scope="module")
def app():
    return build_app()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A run folder with a tiny best.pt and a 4-image GT subset of the sample."""
    root = tmp_path_factory.mktemp("predict_cli")
    write_tiny_checkpoint(root / "run" / "best.pt")
    return {"run": root / "run", "gt": write_json(root, "gt.json", sample_subset())}


def invoke(runner, app, command: str, *args):
    result = runner.invoke(app, [command, *map(str, args)])
    assert "Traceback" not in result.output
    return result


def predict_args(files, output, *extra):
    return (
        "--weights",
        files["run"],
        "--images",
        IMAGES,
        "--gt",
        files["gt"],
        "--score-thr",
        "0",
        "--max-per-image",
        "10",
        "--device",
        "cpu",
        "-o",
        output,
        *extra,
    )


def test_json_results_are_accepted_by_eval_with_the_original_category_ids(
    runner, app, files, tmp_path
):
    out = tmp_path / "results.json"
    result = invoke(runner, app, "predict", *predict_args(files, out))
    assert result.exit_code == 0, result.output
    assert SUMMARY.search(result.stderr), result.stderr
    records = json.loads(out.read_text())
    assert len(records) == 40
    categories = {c["id"] for c in sample_subset()["categories"]}
    assert {r["category_id"] for r in records} <= categories
    evaluated = invoke(runner, app, "eval", files["gt"], out, "--strict", "-f", "json")
    assert evaluated.exit_code == 0, evaluated.output  # --strict: no unknown id, no warning
    report = json.loads(evaluated.stdout)
    assert (report["detections"], report["left_out"]) == (40, None)
    assert "map" in report["coco"]["stats"]


def test_csv_output_passes_check_submission(runner, app, files, tmp_path):
    out = tmp_path / "submission.csv"
    result = invoke(runner, app, "predict", *predict_args(files, out, "--batch-size", "3"))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith(
        "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score\n"
    )
    checked = invoke(runner, app, "check-submission", out, "--gt", files["gt"])
    assert checked.exit_code == 0, checked.output


def test_a_run_folder_without_gt_takes_ids_from_numeric_stems(runner, app, files, tmp_path):
    folder = tmp_path / "test_images"
    folder.mkdir()
    for k, name in enumerate(sorted(p.name for p in IMAGES.iterdir())[:2], start=1):
        shutil.copyfile(IMAGES / name, folder / f"{k}.png")
    out = tmp_path / "r.json"
    result = invoke(
        runner, app, "predict", "--weights", files["run"], "--images", folder, "-o", out,
        "--score-thr", "0", "--max-per-image", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [r["image_id"] for r in json.loads(out.read_text())] == [1, 2]


def test_non_numeric_stems_without_gt_exit_1_and_suggest_a_ground_truth(
    runner, app, files, tmp_path
):
    out = tmp_path / "r.json"
    result = invoke(
        runner, app, "predict", "--weights", files["run"], "--images", IMAGES, "-o", out
    )
    assert result.exit_code == 1
    assert "280 of 280 image file names are not image ids" in result.stderr
    assert "give the ground truth" in result.stderr
    assert not out.exists()


def test_a_corrupt_checkpoint_exits_1_and_writes_nothing(runner, app, files, tmp_path):
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"\x00 not a checkpoint")
    out = tmp_path / "r.json"
    result = invoke(
        runner, app, "predict", "--weights", bad, "--images", IMAGES, "--gt", files["gt"], "-o", out
    )
    assert result.exit_code == 1
    assert "broken.pt" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "extra", "message"),
    [
        ("r.txt", (), r"--output: .*unsupported file suffix '.txt'; expected .json, .csv"),
        ("r.json", ("--score-thr", "2"), r"--score-thr"),
        ("r.json", ("--device", "tpu"), r"--device"),
    ],
)
def test_bad_usage_exits_2_before_any_work(runner, app, files, tmp_path, name, extra, message):
    out = tmp_path / name
    result = invoke(runner, app, "predict", *predict_args(files, out)[:-2], "-o", out, *extra)
    assert result.exit_code == 2
    assert re.search(message, result.stderr), result.stderr
    assert not out.exists()


def test_class_thresholds_drop_the_detections_below_their_class_and_keep_the_rest(
    runner, app, files, tmp_path
):
    everything = tmp_path / "all.json"
    assert invoke(runner, app, "predict", *predict_args(files, everything)).exit_code == 0
    records = json.loads(everything.read_text())
    # The class with the most distinct scores gets its median distinct score as threshold:
    # below it go, the rest stay; another class gets 0 (keeps all); the others have none.
    counts: dict[int, list[float]] = {}
    for r in records:
        counts.setdefault(r["category_id"], []).append(r["score"])
    ranked = sorted(counts, key=lambda c: (-len(set(counts[c])), c))
    distinct = sorted(set(counts[ranked[0]]))
    assert len(distinct) >= 2 and len(ranked) >= 2, "the tiny model needs varied scores"
    cut = distinct[len(distinct) // 2]
    thresholds = {ranked[0]: cut, ranked[1]: 0.0}
    doc = {"rule": "olrp", "iou_threshold": 0.5, "name": "tiny", "thresholds": thresholds}
    thr = write_json(tmp_path, "thresholds.json", doc)
    out = tmp_path / "kept.json"
    result = invoke(runner, app, "predict", *predict_args(files, out, "--class-thresholds", thr))
    assert result.exit_code == 0, result.output
    expected = [
        r for r in records if r["category_id"] != ranked[0] or r["score"] >= thresholds[ranked[0]]
    ]
    dropped = len(records) - len(expected)
    assert dropped >= 1 and any(r["category_id"] == ranked[0] for r in expected)
    assert json.loads(out.read_text()) == expected  # the kept ones unchanged, in order
    assert f"{len(expected)} detections" in result.stderr
    assert f"{dropped} dropped below their class's threshold" in result.stderr


def test_a_bad_class_thresholds_file_exits_1_naming_it_and_writes_nothing(
    runner, app, files, tmp_path
):
    bad = write_json(tmp_path, "bad_thresholds.json", {"thresholds": {"7": -0.5, "pill": 0.3}})
    out = tmp_path / "r.json"
    result = invoke(runner, app, "predict", *predict_args(files, out, "--class-thresholds", bad))
    assert result.exit_code == 1
    assert "bad_thresholds.json: 2 bad entries" in result.stderr
    assert "category 7: expected a finite score threshold >= 0, got -0.5" in result.stderr
    assert not out.exists()
