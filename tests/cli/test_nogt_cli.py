"""`pillcmp report` and `compare` without --gt (issue 15 §1): --train-ann and --class-map work,
the report says only what applies, and report.json holds the contracted key paths."""

from __future__ import annotations

import json
import re

import pytest

from pill_compare.cli import app
from tests.conftest import SAMPLE, write_text

A, B, TRAIN = (
    SAMPLE / n for n in ("efficientnet_b3.json", "resnet101.json", "train_annotations.json")
)
KOREAN_CSV = (
    "class_index,dl_name,category_id,item_seq\n"
    "0,리피토정 20mg,34596,200701055\n"
    "1,가바토파정 100mg,30307,200003092\n"
    "2,알마겔정,25366,200007311\n"
)
#: Words of an evaluation that a report without a ground truth must not speak of.
NOT_WITHOUT_GT = ("mAP", "bootstrap", "TIDE", "maxDets", "ids the GT lacks", "p-value", "McNemar")


def invoke(runner, command, *args):
    result = runner.invoke(app, [command, *map(str, args)])
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from typer.testing import CliRunner

    tmp = tmp_path_factory.mktemp("nogt")
    class_map = write_text(tmp, "classes.csv", KOREAN_CSV)
    out = tmp / "r"
    result = invoke(
        CliRunner(), "report", A, B, "--train-ann", TRAIN, "--class-map", class_map, "-o", out
    )
    assert result.exit_code == 0, result.output
    return out, result


def test_report_without_gt_keeps_the_contracted_json_key_paths(report):
    out, _ = report
    doc = json.loads((out / "report.json").read_text("utf-8"))
    top = doc["disagreements"]["patterns"][0]
    # The sample's most frequent swap: A (efficientnet_b3) says 34596 where B says 30307.
    assert (top["a_category_id"], top["b_category_id"], top["count"]) == (34596, 30307, 12)
    assert top["a_name"] == "리피토정 20mg"
    per_class = {c["category_id"]: c for c in doc["detections"]["per_class"]}
    assert (per_class[34596]["a"], per_class[34596]["b"]) == (102, 90)
    assert doc["imbalance"]["ratio"] == pytest.approx(88 / 7)
    assert doc["imbalance"]["rare_categories"] == [21324, 29450, 33877, 38161]
    assert doc["ground_truth"] is False
    assert set(doc["parameters"]) == {"score_threshold", "pair_iou", "rare_threshold"}


def test_report_without_gt_speaks_only_of_what_applies(report):
    out, _ = report
    md = (out / "report.md").read_text("utf-8")
    html = (out / "report.html").read_text("utf-8")
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    for text in (md, html):
        assert [w for w in NOT_WITHOUT_GT if w in text] == []
    headings = re.findall(r"^#+ .*$", md, flags=re.M)
    assert any("Class imbalance of the training set" in h for h in headings)
    assert "Not shown" not in md
    # Names from the class map, never ids alone where a name exists.
    assert "34596 리피토정 20mg" in md and "| 34596 |" not in md


def test_report_without_gt_has_the_swap_heatmap_and_class_counts_figures(report):
    out, _ = report
    md = (out / "report.md").read_text("utf-8")
    for name in ("swap_heatmap.png", "class_counts.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({name})" in md


def test_report_without_gt_prints_its_findings(report):
    _, result = report
    assert "says 34596 리피토정 20mg where resnet101 says 30307 가바토파정 100mg" in result.stderr
    assert "imbalance ratio 88 / 7 = 12.57" in result.stderr


@pytest.mark.parametrize(
    "doc",
    [
        {"34596": "리피토정 20mg"},
        {"0": {"name": "리피토정 20mg", "class_id": 34596}},
        [{"category_id": 34596, "name": "리피토정 20mg"}],
    ],
    ids=["id_to_name", "records_by_index", "record_list"],
)
def test_compare_without_gt_names_classes_from_each_json_class_map(runner, tmp_path, doc):
    class_map = write_text(tmp_path, "m.json", json.dumps(doc, ensure_ascii=False))
    result = invoke(
        runner, "compare", A, B, "--train-ann", TRAIN, "--class-map", class_map, "-f", "json"
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["disagreements"]["patterns"][0]["a_name"] == "리피토정 20mg"
    assert out["imbalance"]["ratio"] == pytest.approx(88 / 7)
    assert out["class_map"]["names"] == 1


def test_compare_text_without_gt_shows_swaps_and_training_imbalance(runner):
    result = invoke(runner, "compare", A, B, "--train-ann", TRAIN)
    assert result.exit_code == 0, result.output
    assert "Class-swap patterns" in result.stdout
    assert "imbalance ratio 88 / 7 = 12.57" in result.stdout
    assert [w for w in NOT_WITHOUT_GT if w in result.stdout] == []


def test_class_map_columns_picks_the_columns(runner, tmp_path):
    class_map = write_text(tmp_path, "m.csv", "a,b,c\n0,34596,리피토정 20mg\n")
    args = ("compare", A, B, "--class-map", class_map, "-f", "json")
    assert invoke(runner, *args).exit_code == 1  # two columns of whole numbers: which is the id?
    result = invoke(runner, *args, "--class-map-columns", "b,c")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["disagreements"]["patterns"][0]["a_name"] == "리피토정 20mg"
