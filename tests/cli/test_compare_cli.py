"""`pillcmp compare` through CliRunner: one screen of findings, the JSON contract, no-GT mode."""

import io
import json

import pandas as pd
import pytest

from pill_compare.cli import app
from pill_compare.report.tables import cell_width as display_width
from tests.conftest import SAMPLE

GT, A, B = (SAMPLE / n for n in ("ground_truth.json", "efficientnet_b3.json", "resnet101.json"))


def invoke(runner, *args):
    result = runner.invoke(app, ["compare", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def test_text_starts_with_the_verdict_and_fits_120_columns(runner):
    result = invoke(runner, A, B, "--gt", GT, "--bootstrap", "200")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    first_screen = "\n".join(lines[:45])
    assert "resnet101 is better than efficientnet_b3 on mAP by 0.171 (95% CI" in first_screen
    assert "McNemar exact" in first_screen
    assert "Class-swap patterns" in first_screen and "Error types (TIDE" in first_screen
    assert max(display_width(line) for line in lines) <= 120


def test_json_contract_and_sentence(runner, tmp_path):
    out = tmp_path / "c.json"
    result = invoke(runner, A, B, "--gt", GT, "--train-ann", GT, "--bootstrap", "100", "-o", out)
    assert result.exit_code == 0, result.output
    d = json.loads(out.read_text())
    assert d["metrics"]["delta"]["map"] == pytest.approx(0.17055, abs=1e-5)
    assert d["significance"]["sentence"].startswith("resnet101 is better than efficientnet_b3")
    assert d["significance"]["bootstrap"]["map"]["p_value"] < 0.05
    assert d["errors"]["b"]["cls"]["count"] == 10
    assert d["imbalance"]["spearman"]["a"]["rho"] is not None
    assert d["parameters"]["seed"] == 0 and d["parameters"]["n_bootstrap"] == 100


def test_markdown_csv_and_pair_table(runner, tmp_path):
    md, pairs = tmp_path / "c.md", tmp_path / "pairs.csv"
    result = invoke(runner, A, B, "--gt", GT, "--bootstrap", "0", "-o", md, "--dump-pairs", pairs)
    assert result.exit_code == 0, result.output
    text = md.read_text()
    for heading in (
        "# Comparison",
        "## Findings",
        "## Metrics",
        "## Error types (TIDE)",
        "## Per class",
    ):
        assert heading in text
    assert "significance was not tested" in text
    frame = pd.read_csv(pairs)
    assert {"kind", "verdict", "a_error", "b_error"} <= set(frame.columns)
    assert (frame["kind"] == "class_swap").sum() == 41
    csv = invoke(runner, A, B, "--gt", GT, "--bootstrap", "0", "-f", "csv").stdout
    assert len(pd.read_csv(io.StringIO(csv))) == 22


def test_without_gt_says_agreement_not_accuracy(runner):
    result = invoke(runner, A, B)
    assert result.exit_code == 0, result.output
    assert "not accuracy" in result.stdout and "Cohen's kappa" in result.stdout
    assert "Agreement per class, lowest first" in result.stdout
    assert "better than" not in result.stdout


def test_same_seed_same_json(runner):
    args = (A, B, "--gt", GT, "--bootstrap", "50", "--seed", "7", "-f", "json")
    assert invoke(runner, *args).stdout == invoke(runner, *args).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--class-map-columns", "id,name"], "--class-map-columns names the columns"),
        (["--gt", str(GT), "--pair-iou", "0"], "--pair-iou must be in (0, 1]"),
        (["--gt", str(GT), "--alpha", "1"], "--alpha must be in (0, 1)"),
        (["--gt", str(GT), "--iou", "0.5:0.95:1e-12"], "--iou: "),
        (["--gt", str(GT), "--dump-pairs", "p.txt"], "--dump-pairs: "),
    ],
)
def test_bad_usage_exits_2(runner, args, message):
    result = invoke(runner, A, B, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_csv_output_holds_no_control_character_from_names(runner, tmp_path):
    # category names and file names with ANSI sequences: the CSV file shows them as text (\x1b),
    # as the Markdown, JSON and text outputs do
    gt = json.loads(GT.read_text("utf-8"))
    for category in gt["categories"]:
        category["name"] = "\x1b[31m" + category["name"]
    for image in gt["images"]:
        image["file_name"] = "\x1b[2J" + image["file_name"]
    hostile = tmp_path / "gt.json"
    hostile.write_text(json.dumps(gt), "utf-8")
    out, pairs = tmp_path / "c.csv", tmp_path / "pairs.csv"
    result = invoke(
        runner, A, B, "--gt", hostile, "--bootstrap", "0", "-o", out, "--dump-pairs", pairs
    )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "\x1b" not in text and "\\x1b[31mK-" in text
    assert "\x1b" not in pairs.read_text("utf-8")
