"""`pillcmp merge`, `check-submission` and `convert` through CliRunner, as a new user runs them."""

from __future__ import annotations

import inspect
import json

from pill_compare.cli import app
from pill_compare.io import load_ground_truth, load_results
from pill_compare.prep.convert import convert
from tests.conftest import SAMPLE
from tests.prep.pill_folder import IMAGE_A, build_pill_folder, write_png

GT, SUBMISSION, RESNET = (
    SAMPLE / "ground_truth.json",
    SAMPLE / "resnet101_submission.csv",
    SAMPLE / "resnet101.json",
)


def invoke(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


# --- merge -----------------------------------------------------------------------------------


def test_merge_refuses_to_write_when_a_file_is_unreadable(runner, tmp_path):
    folder = build_pill_folder(tmp_path)
    out = tmp_path / "train_gt.json"
    result = invoke(runner, "merge", folder, "-o", out)
    assert result.exit_code == 1
    assert not out.exists()  # never a partial output file
    assert "[error] bad_file (1)" in result.stdout
    assert "the JSON is truncated" in result.stdout
    assert f"error: nothing written to {out}: 1 file(s) could not be read" in result.stderr


def test_merge_with_skip_bad_files_writes_a_loadable_ground_truth(runner, tmp_path):
    folder = build_pill_folder(tmp_path)
    out = tmp_path / "train_gt.json"
    result = invoke(runner, "merge", folder, "-o", out, "--skip-bad-files")
    assert result.exit_code == 0, result.output
    assert "output: 3 images, 5 annotations, 5 categories" in result.stdout
    assert "[warning] missing_label (3)" in result.stdout
    assert f"image {IMAGE_A}: the file name lists 4 pill(s), 3 annotated" in result.stdout
    assert f"wrote {out}\nmerged: 3 images, 5 annotations, 5 categories" in result.stderr
    gt = load_ground_truth(out)
    assert (len(gt.images), len(gt.annotations), len(gt.categories)) == (3, 5, 5)


def test_merge_report_as_json_file(runner, tmp_path):
    folder = build_pill_folder(tmp_path)
    report = tmp_path / "merge_report.json"
    result = invoke(
        runner, "merge", folder, "-o", tmp_path / "gt.json", "--skip-bad-files", "--report", report
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    data = json.loads(report.read_text())
    assert (data["images"], data["annotations"], data["labels_missing"]) == (3, 5, 3)
    assert {f["rule"] for f in data["findings"]} >= {"bad_file", "duplicate", "missing_label"}


def test_merge_bad_option_is_a_usage_error(runner, tmp_path):
    folder = build_pill_folder(tmp_path)
    result = invoke(
        runner, "merge", folder, "-o", tmp_path / "gt.json", "--category-id-from", "name"
    )
    assert result.exit_code == 2
    assert "Invalid value for '--category-id-from'" in result.stderr
    assert "expected one of category_id, dl_idx, k_code, got 'name'" in result.stderr


def test_merge_empty_folder_is_bad_input(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke(runner, "merge", tmp_path / "empty", "-o", tmp_path / "gt.json")
    assert result.exit_code == 1
    assert "no .json files found" in result.stderr


# --- check-submission ------------------------------------------------------------------------


def test_check_submission_clean_sample_exits_0(runner):
    result = invoke(runner, "check-submission", SUBMISSION, "--gt", GT)
    assert result.exit_code == 0, result.output
    assert "OK: the file will be scored" in result.stdout
    assert "1012 rows on 280 image ids of 280 test images" in result.stdout


def test_check_submission_with_errors_exits_1_with_the_report(runner, tmp_path):
    lines = SUBMISSION.read_text().splitlines()
    # Shift every category id by +1 (K-numbers instead of dl_idx) and repeat an annotation id.
    rows = []
    for line in lines[1:]:
        fields = line.split(",")
        fields[2] = str(int(fields[2]) + 1)
        rows.append(",".join(fields))
    rows[1] = "1" + rows[1][rows[1].index(",") :]
    bad = tmp_path / "submission.csv"
    bad.write_text("\n".join([lines[0], *rows]) + "\n")
    result = invoke(runner, "check-submission", bad, "--gt", GT)
    assert result.exit_code == 1
    assert "NOT OK: fix the errors before submitting (2 errors)" in result.stdout
    assert "subtract 1 from every category_id" in " ".join(result.stdout.split())
    assert "1 annotation id(s) used more than once: 1 on lines 2, 3" in result.stdout


def test_check_submission_json_report(runner, tmp_path):
    out = tmp_path / "check.json"
    result = invoke(runner, "check-submission", SUBMISSION, "-o", out, "--max-per-image", "0")
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    statuses = {r["rule"]: r["status"] for r in data["rules"]}
    assert statuses["max_per_image"] == "skipped"
    assert statuses["category_id"] == "skipped"
    assert data["ok"] is True


def test_check_submission_bad_ground_truth_is_bad_input(runner, tmp_path):
    gt = tmp_path / "gt.json"
    gt.write_text("[]")
    result = invoke(runner, "check-submission", SUBMISSION, "--gt", gt)
    assert result.exit_code == 1
    assert "error:" in result.stderr


# --- convert ---------------------------------------------------------------------------------


def test_convert_round_trip_through_the_cli(runner, tmp_path):
    csv_path, back = tmp_path / "resnet101.csv", tmp_path / "back.json"
    first = invoke(runner, "convert", RESNET, csv_path)
    assert first.exit_code == 0, first.output
    assert f"wrote {csv_path}: 1012 detections on 280 images (coco → csv)" in first.stderr
    second = invoke(runner, "convert", csv_path, back, "--gt", GT)
    assert second.exit_code == 0, second.output
    assert json.loads(back.read_text()) == json.loads(RESNET.read_text())
    assert load_results(back).name == "back"


def test_convert_yolo_without_class_map_is_a_usage_error(runner, tmp_path):
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "1.txt").write_text("0 0.5 0.5 0.1 0.1 0.9\n")
    result = invoke(runner, "convert", tmp_path / "labels", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert "--class-map" in result.stderr


def test_convert_yolo_with_class_map(runner, tmp_path):
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "1.txt").write_text("0 0.5 0.5 0.1 0.1 0.9\n")
    (tmp_path / "classes.txt").write_text("19860\n")
    out = tmp_path / "out.csv"
    result = invoke(
        runner, "convert", tmp_path / "labels", out, "--class-map", tmp_path / "classes.txt",
        "--gt", GT,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # Sample image 1 is 976x1280: x = (0.5 - 0.05) * 976 = 439.2, w = 97.6; y = 576, h = 128.
    assert out.read_text().splitlines()[1] == "1,1,19860,439.2,576,97.6,128,0.9"


def test_help_lists_the_three_commands(runner):
    result = invoke(runner, "--help")
    for name in ("merge", "check-submission", "convert"):
        assert name in result.stdout


def test_convert_with_gt_refuses_unknown_ids_instead_of_dropping_them(runner, tmp_path):
    doc = json.loads((SAMPLE / "resnet101.json").read_text())
    doc[0]["category_id"] = 99999
    src = tmp_path / "stray.json"
    src.write_text(json.dumps(doc))
    result = invoke(
        runner, "convert", src, tmp_path / "out.csv", "--gt", SAMPLE / "ground_truth.json"
    )
    assert result.exit_code == 1
    assert "1 detection(s) with 1 category id(s) not in the ground truth: 99999" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_convert_has_no_name_option_because_neither_output_format_holds_a_name(runner, tmp_path):
    # A COCO results JSON and a submission CSV store no run name, so a --name could change
    # nothing in the output file: it is not an option (click: "No such option", exit 2).
    result = invoke(runner, "convert", RESNET, tmp_path / "out.csv", "--name", "mine")
    assert result.exit_code == 2
    assert "No such option: --name" in result.stderr
    assert not (tmp_path / "out.csv").exists()
    assert "name" not in inspect.signature(convert).parameters


# --- options otherwise tested only through the Python API ----------------------------------


def test_merge_bad_boxes_drop_leaves_out_the_box_that_clip_would_keep(runner, tmp_path):
    # pill_folder: A's K-016551 box leaves the 976x1280 image; the default clips it to
    # [900, 1200, 76, 80] (5 annotations), drop leaves it out (4; B's w = 0 box is gone in both).
    folder = build_pill_folder(tmp_path)
    clipped, dropped = tmp_path / "clip.json", tmp_path / "drop.json"
    assert invoke(runner, "merge", folder, "-o", clipped, "--skip-bad-files").exit_code == 0
    result = invoke(
        runner, "merge", folder, "-o", dropped, "--skip-bad-files", "--bad-boxes", "drop"
    )
    assert result.exit_code == 0, result.output
    boxes = {a["bbox"][0]: a["bbox"] for a in json.loads(clipped.read_text())["annotations"]}
    assert boxes[900] == [900, 1200, 76, 80]
    kept = [a["bbox"] for a in json.loads(dropped.read_text())["annotations"]]
    assert len(kept) == 4 and all(b[0] != 900 for b in kept)


def test_check_submission_test_images_give_the_image_ids_and_sizes(runner, tmp_path):
    # Two sample rows on image 1; the folder holds 1.png at 200 x 200 and 2.png: the boxes
    # (x + w = 420 > 200) leave image 1, and image 2 has no detection.
    sub = tmp_path / "sub.csv"
    sub.write_text("\n".join(SUBMISSION.read_text().splitlines()[:3]) + "\n")
    folder = tmp_path / "test_images"
    write_png(folder / "1.png", 200, 200)
    write_png(folder / "2.png", 976, 1280)
    result = invoke(runner, "check-submission", sub, "--test-images", folder, "-f", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    statuses = {r["rule"]: r["status"] for r in data["rules"]}
    assert (statuses["box_inside"], statuses["image_coverage"]) == ("error", "warning")
    assert data["reference"] == f"test images in {folder}"


def test_convert_from_and_to_override_the_sniffing_and_the_suffix(runner, tmp_path):
    # A submission CSV under a name that says nothing, written as COCO results to a .txt.
    odd_in, odd_out = tmp_path / "detections.dat", tmp_path / "results.txt"
    odd_in.write_bytes(SUBMISSION.read_bytes())
    result = invoke(runner, "convert", odd_in, odd_out, "--from", "csv", "--to", "coco")
    assert result.exit_code == 0, result.output
    assert "(csv → coco)" in result.stderr
    assert len(load_results(odd_out, input_format="coco")) == 1012
    # the input read as what --from says: a CSV is not COCO results JSON
    wrong = invoke(runner, "convert", SUBMISSION, tmp_path / "x.json", "--from", "coco")
    assert wrong.exit_code == 1 and not (tmp_path / "x.json").exists()
    # a suffix that names no format without --to is a usage error naming the option
    vague = invoke(runner, "convert", RESNET, tmp_path / "out.txt")
    assert vague.exit_code == 2 and "--to" in vague.stderr
