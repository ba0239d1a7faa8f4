"""`pillcmp diff` through CliRunner: outputs, options, and what goes to stdout vs stderr."""

import io
import json
import re

import pandas as pd

from pill_compare.cli import app
from tests.conftest import SAMPLE, det, dets_for, gt_dict, write_json, write_text

EFF, RES, GT = (
    SAMPLE / "efficientnet_b3.json",
    SAMPLE / "resnet101.json",
    SAMPLE / "ground_truth.json",
)


def ok(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def seed_files(tmp_path):
    """Seed image 277 and images 409/411 as two result files and their ground truth."""
    a = {277: [3482, 19860, 34596, 36636], 409: [1899, 16550, 25366, 33008]}
    b = {277: [3482, 19860, 30307, 36636], 409: [1899, 10223, 16550, 33008]}
    a[411], b[411] = a[409], b[409]
    cats = {c: f"K-{c + 1:06d}" for labels in (a, b) for cs in labels.values() for c in cs}
    return (
        write_json(tmp_path, "resnet101.json", dets_for(a)),
        write_json(tmp_path, "efficientnet_b3.json", dets_for(b)),
        write_json(tmp_path, "gt.json", gt_dict(a, cats)),
    )


def test_text_on_the_seed_examples(runner, tmp_path):
    a, b, gt = seed_files(tmp_path)
    out = ok(runner, "diff", a, b, "--gt", gt).stdout
    assert "Result A (resnet101) loaded: 12 detections" in out
    assert "Images whose category lists differ: 3 of 3" in out
    assert re.search(r"\n25366 \(K-025367\) +10223 \(K-010224\) +2  \[409, 411\]\n", out)
    assert re.search(r"\n34596 \(K-034597\) +30307 \(K-030308\) +1  \[277\]\n", out)


def test_json_output_file_has_the_documented_keys(runner, tmp_path):
    a, b, gt = seed_files(tmp_path)
    out = tmp_path / "out.json"
    result = ok(runner, "diff", a, b, "--gt", gt, "-o", out)
    assert result.stdout == ""
    assert f"wrote {out}" in result.stderr
    data = json.loads(out.read_text())
    assert data["detections"] == {"a": 12, "b": 12}
    assert data["differing_images"] == [
        {
            "image_id": 277,
            "a": [3482, 19860, 34596, 36636],
            "b": [3482, 19860, 30307, 36636],
            "only_a": [34596],
            "only_b": [30307],
        },
        *(
            {
                "image_id": i,
                "a": [1899, 16550, 25366, 33008],
                "b": [1899, 10223, 16550, 33008],
                "only_a": [25366],
                "only_b": [10223],
            }
            for i in (409, 411)
        ),
    ]
    assert data["only_a_counts"] == {"25366": 2, "34596": 1}
    assert data["only_b_counts"] == {"10223": 2, "30307": 1}
    assert data["substitutions"] == [
        {"a": 25366, "b": 10223, "images": 2, "image_ids": [409, 411]},
        {"a": 34596, "b": 30307, "images": 1, "image_ids": [277]},
    ]


def test_sample_json_is_sorted_by_image_id(runner, tmp_path):
    out = tmp_path / "d.json"
    ok(runner, "diff", EFF, RES, "--gt", GT, "-o", out)
    ids = [d["image_id"] for d in json.loads(out.read_text())["differing_images"]]
    assert ids and ids == sorted(ids)


def test_markdown_and_csv_formats(runner, tmp_path):
    a, b, _ = seed_files(tmp_path)
    md = ok(runner, "diff", a, b, "--format", "md").stdout
    assert md.startswith("# Category-id diff: resnet101 vs efficientnet_b3\n")
    assert "## Substitutions" in md
    csv = ok(runner, "diff", a, b, "-f", "csv").stdout
    frame = pd.read_csv(io.StringIO(csv))
    assert frame["image_id"].tolist() == [277, 409, 411]
    text = ok(runner, "diff", a, b, "--format", "text").stdout
    assert text.startswith("Result A (resnet101)")


def test_format_is_guessed_from_the_output_suffix(runner, tmp_path):
    a, b, _ = seed_files(tmp_path)
    ok(runner, "diff", a, b, "-o", tmp_path / "d.md")
    assert (tmp_path / "d.md").read_text().startswith("# Category-id diff")
    ok(runner, "diff", a, b, "-o", tmp_path / "d.csv")
    assert (tmp_path / "d.csv").read_text().startswith("image_id,resnet101,efficientnet_b3,")
    ok(runner, "diff", a, b, "-o", tmp_path / "d.txt")
    assert (tmp_path / "d.txt").read_text().startswith("Result A (resnet101)")


def test_names_label_every_output(runner, tmp_path):
    a, b, _ = seed_files(tmp_path)
    out = ok(runner, "diff", a, b, "--names", "R101, EffB3", "-f", "csv").stdout
    assert out.splitlines()[0] == "image_id,R101,EffB3,only_R101,only_EffB3"


def test_category_names_come_from_gt(runner, tmp_path):
    a, b, gt = seed_files(tmp_path)
    assert "K-034597" not in ok(runner, "diff", a, b).stdout
    assert "34596 (K-034597)" in ok(runner, "diff", a, b, "--gt", gt).stdout


def test_multiset_counts_duplicates(runner, tmp_path):
    # A detects 25366 twice on image 5: equal to B as a set, not as a multiset.
    a = write_json(tmp_path, "a.json", dets_for({5: [16550, 25366, 25366]}))
    b = write_json(tmp_path, "b.json", dets_for({5: [16550, 25366]}))
    assert "No image differs." in ok(runner, "diff", a, b).stdout
    out = ok(runner, "diff", a, b, "--multiset").stdout
    assert "differ: 1 of 1 (compared as a multiset (duplicates count))" in out
    assert "[16550, 25366, 25366]" in out


def test_score_threshold_filters(runner, tmp_path):
    a = write_json(tmp_path, "a.json", [det(1, 1, score=0.9), det(1, 30307, score=0.3)])
    b = write_json(tmp_path, "b.json", [det(1, 1, score=0.8)])
    assert "differ: 1 of 1" in ok(runner, "diff", a, b).stdout
    out = ok(runner, "diff", a, b, "--score-thr", "0.5").stdout
    assert "loaded: 2 detections, 1 kept with score >= 0.5" in out
    assert "No image differs." in out


def test_images_in_only_one_file_are_listed(runner, tmp_path):
    a = write_json(tmp_path, "a.json", dets_for({1: [5], 2: [5]}))
    b = write_json(tmp_path, "b.json", dets_for({1: [5], 3: [6], 4: [6]}))
    out = ok(runner, "diff", a, b).stdout
    assert "Images with detections only in a: 1 [2]" in out
    assert "Images with detections only in b: 2 [3, 4]" in out


def test_submission_csv_and_coco_json_of_the_same_run_do_not_differ(runner):
    out = ok(runner, "diff", SAMPLE / "resnet101_submission.csv", RES).stdout
    assert "No image differs." in out


def test_input_format_csv_forces_csv_for_both_files(runner, tmp_path):
    header = "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score\n"
    a = write_text(tmp_path, "a.json", header + "1,1,5,50,60,30,40,0.9\n")
    b = write_text(tmp_path, "b.txt", header + "1,1,6,50,60,30,40,0.9\n")
    out = ok(runner, "diff", a, b, "--input-format", "csv").stdout
    assert "Images whose category lists differ: 1 of 1" in out
    # Content, not the suffix, decides under 'auto'; forcing 'coco' makes the same file an error.
    result = runner.invoke(app, ["diff", str(a), str(b), "--input-format", "coco"])
    assert result.exit_code == 1
    assert "a.json: not valid JSON: Expecting value at line 1, column 1" in result.stderr


def test_warnings_go_to_stderr_and_the_run_still_succeeds(runner, tmp_path):
    a = write_json(tmp_path, "a.json", [])
    b = write_json(tmp_path, "b.json", dets_for({1: [5]}))
    result = ok(runner, "diff", a, b)
    assert "warning: " in result.stderr and "no detections at all" in result.stderr
    assert "warning: " not in result.stdout
