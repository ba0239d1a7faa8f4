"""`pillcmp eval --thresholds-out` and `pillcmp convert --class-thresholds` through CliRunner."""

from __future__ import annotations

import json

from pill_compare.cli import app
from pill_compare.io import load_results
from tests.conftest import SAMPLE

GT, RESNET = SAMPLE / "ground_truth.json", SAMPLE / "resnet101.json"


def invoke(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_eval_writes_olrp_thresholds_and_convert_submits_at_them(runner, tmp_path):
    out, report = tmp_path / "thresholds.json", tmp_path / "eval.json"
    result = invoke(runner, "eval", GT, RESNET, "--thresholds-out", out, "-o", report)
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    evaluated = json.loads(report.read_text())["lrp"]
    assert written["rule"] == "olrp"
    expected = {
        str(c["category_id"]): c["threshold"]
        for c in evaluated["per_class"]
        if c["threshold"] is not None
    }
    assert written["thresholds"] == expected and expected
    assert 0 < evaluated["olrp"] < 1

    csv_path = tmp_path / "sub.csv"
    result = invoke(runner, "convert", RESNET, csv_path, "--class-thresholds", out)
    assert result.exit_code == 0, result.output
    kept = load_results(csv_path)
    full = load_results(RESNET)
    cut = {int(k): v for k, v in written["thresholds"].items()}
    # Every detection kept scores at or above its class's threshold; the rest were dropped.
    expected_kept = sum(
        s >= cut.get(c, 0.0) for c, s in zip(full.category_id, full.score, strict=True)
    )
    assert len(kept) == expected_kept < len(full)
    assert all(s >= cut.get(int(c), 0.0) for c, s in zip(kept.category_id, kept.score, strict=True))
    assert f"{len(full) - expected_kept} dropped below their class's threshold" in result.output


def test_eval_f1_rule_and_a_table_without_iou_half(runner, tmp_path):
    out = tmp_path / "f1.json"
    result = invoke(
        runner, "eval", GT, RESNET, "--thresholds-out", out, "--thresholds-rule", "f1", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    by_f1 = {
        str(c["category_id"]): c["f1_threshold"]
        for c in report["lrp"]["per_class"]
        if c["f1_threshold"] is not None
    }
    assert json.loads(out.read_text())["thresholds"] == by_f1
    assert json.loads(out.read_text())["rule"] == "f1"
    result = invoke(
        runner, "eval", GT, RESNET, "--iou", "0.75", "--iou-thr", "0.75", "--thresholds-out", out
    )
    assert result.exit_code == 2
    assert "--thresholds-out needs the matching at IoU 0.5" in result.output


def test_convert_refuses_a_bad_thresholds_file(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"one": 0.5}')
    result = invoke(runner, "convert", RESNET, tmp_path / "s.csv", "--class-thresholds", bad)
    assert result.exit_code == 1
    assert "key 'one': expected an integer category id" in result.output
    assert not (tmp_path / "s.csv").exists()
