"""``--slice`` on eval, compare and report through CliRunner: the JSON ``slices`` entries, the
text table, and the errors (an unknown key names the keys there are; no ground truth)."""

from __future__ import annotations

import json

from pill_compare.cli import app
from tests.analysis.test_slices import sample_gt_doc
from tests.conftest import SAMPLE, write_json

A, B = SAMPLE / "efficientnet_b3.json", SAMPLE / "resnet101.json"
COMPARE_KEYS = {
    "key", "value", "label", "mode", "n_images", "n_gt", "category_ids", "a", "b", "delta",
    "ci_low", "ci_high", "p_gap", "p_gap_holm", "resamples_used", "not_tested", "finding",
    "codes",
}  # fmt: skip


def invoke(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_eval_json_has_one_slices_entry_per_value(runner):
    result = invoke(runner, "eval", SAMPLE / "ground_truth.json", B, "--slice",
                    "objects_per_image", "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["slices"]
    assert [e["value"] for e in entries] == ["1", "3", "4"]
    assert set(entries[0]) == {"key", "value", "label", "mode", "n_images", "n_gt",
                               "category_ids", "map", "map_50", "codes"}  # fmt: skip
    assert sum(e["n_images"] for e in entries) == 280 and entries[2]["mode"] == "image"


def test_eval_without_slice_writes_no_slices_key(runner):
    result = invoke(runner, "eval", SAMPLE / "ground_truth.json", B, "-f", "json")
    assert "slices" not in json.loads(result.stdout)


def test_an_unknown_key_exits_1_naming_the_keys_there_are(runner):
    for command in (["eval", SAMPLE / "ground_truth.json", B],
                    ["compare", A, B, "--gt", SAMPLE / "ground_truth.json"],
                    ["report", A, B, "--gt", SAMPLE / "ground_truth.json"]):  # fmt: skip
        result = invoke(runner, *command, "--slice", "pill_weight")
        assert result.exit_code == 1, result.output
        assert "no slice key 'pill_weight': its annotations have no such" in result.stderr
        assert "Available: objects_per_image, image_size" in result.stderr


def test_slice_without_a_ground_truth_is_bad_usage(runner):
    result = invoke(runner, "compare", A, B, "--slice", "objects_per_image")
    assert result.exit_code == 2
    assert "--slice needs a ground truth (--gt)" in result.stderr


def test_compare_json_and_text_show_both_models_per_slice(runner, tmp_path):
    gt = write_json(tmp_path, "gt.json", sample_gt_doc())
    args = ["compare", A, B, "--gt", gt, "--slice", "drug_shape", "--bootstrap", "20"]
    result = invoke(runner, *args, "-f", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["slices"]
    assert [e["label"] for e in entries] == ["round", "oval", "oblong", "capsule"]
    assert all(set(e) == COMPARE_KEYS and e["mode"] == "category" for e in entries)
    assert entries[0]["delta"] == entries[0]["b"]["map"] - entries[0]["a"]["map"]
    assert entries[0]["ci_low"] < entries[0]["delta"] < entries[0]["ci_high"]
    text = invoke(runner, *args).stdout
    assert "By drug_shape" in text and "p (Holm)" in text and "capsule" in text
