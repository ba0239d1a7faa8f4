"""`pillcmp report` through CliRunner on the sample (with and without --gt, Korean, images), its
usage errors (exit 2, nothing written), and once through the installed entry point."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pill_compare.cli import app
from tests.conftest import SAMPLE

A, B, GT, TRAIN = (
    SAMPLE / n
    for n in (
        "efficientnet_b3.json",
        "resnet101.json",
        "ground_truth.json",
        "train_annotations.json",
    )
)
PILLCMP = Path(sys.executable).parent / "pillcmp"


def invoke(runner, *args):
    result = runner.invoke(app, ["report", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def linked_figures(folder: Path) -> set[str]:
    return set(re.findall(r"\]\(([^)\s]+\.png)\)", (folder / "report.md").read_text("utf-8")))


@pytest.fixture(scope="module")
def korean_report(tmp_path_factory):
    """One full run: --gt, --train-ann, --images, --lang ko (few resamples: speed)."""
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("cli") / "ko"
    result = invoke(
        CliRunner(),
        A,
        B,
        "--gt",
        GT,
        "--train-ann",
        TRAIN,
        "--images",
        SAMPLE / "images",
        "--lang",
        "ko",
        "--bootstrap",
        "20",
        "--date",
        "2024-05-01",
        "-o",
        out,
    )
    return result, out


def test_full_korean_report_writes_the_folder(korean_report):
    result, out = korean_report
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # everything said goes to stderr; the report is the folder
    assert result.stderr.rstrip().endswith(f"wrote {out}/ (report.md, report.html, report.json)")
    assert (
        "mAP 기준 resnet101 모델과 efficientnet_b3 모델의 차이에 대한 증거가 없다: +0.171"
        in result.stderr
    )
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "report.html", "report.json"} <= names
    pngs = {n for n in names if n.endswith(".png")}
    csvs = {"per_image.csv", "differing_images.csv", "swap_patterns.csv", "disputed_boxes.csv"}
    csvs.add("lrp_per_class.csv")
    assert names == {"report.md", "report.html", "report.json", *pngs, *csvs}
    assert len([n for n in pngs if n.startswith("gallery_")]) == 24  # --gallery-max default
    assert {n for n in pngs if n.startswith("gt_audit_")} == {"gt_audit_266.png", "gt_audit_97.png"}
    assert {"ap_comparison.png", "error_breakdown.png", "support_vs_ap.png"} <= pngs
    assert linked_figures(out) == pngs


def test_full_korean_report_json_html_and_markdown(korean_report):
    _, out = korean_report
    data = json.loads((out / "report.json").read_text("utf-8"))
    assert data["lang"] == "ko" and data["date"] == "2024-05-01"
    assert set(data["inputs"]) == {"a", "b", "gt", "train"}
    assert data["inputs"]["gt"]["path"].endswith("ground_truth.json")
    assert data["parameters"]["n_bootstrap"] == 20
    # The audit's pictures: the complete sample GT's 2 likely wrong labels (no likely missing).
    assert data["gallery"] == {"images": 24, "gt_audit_images": 2, "notes": []}
    assert data["metrics"]["delta"]["map"] == pytest.approx(0.17055, abs=1e-5)
    html = (out / "report.html").read_text("utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="ko">')
    assert "<title>efficientnet_b3 vs resnet101 오탐지 사례 비교 보고서</title>" in html
    assert '@font-face { font-family: "pillcmp Hangul";' in html
    assert "http://" not in html and "https://" not in html
    assert (
        (out / "report.md")
        .read_text("utf-8")
        .startswith("# efficientnet_b3 vs resnet101 오탐지 사례 비교 보고서\n")
    )


def test_without_gt_into_the_default_folder_and_again_over_it(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = invoke(runner, A, B, "--names", "effnet,resnet", "--date", "2024-05-01")
    assert first.exit_code == 0, first.output
    out = tmp_path / "reports" / "effnet_vs_resnet"
    assert "Without a ground truth this report compares effnet and resnet" in first.stderr
    data = json.loads((out / "report.json").read_text("utf-8"))
    assert data["ground_truth"] is False and data["names"] == {"a": "effnet", "b": "resnet"}
    assert set(data["inputs"]) == {"a", "b"}
    markdown = (out / "report.md").read_text("utf-8")
    assert "Not shown" not in markdown and "mAP" not in markdown
    assert not [p for p in out.iterdir() if p.name.startswith("gallery_")]
    assert linked_figures(out) == {p.name for p in out.glob("*.png")}
    # A previous report's folder is replaced, all at once, by the new one.
    again = invoke(runner, A, B, "--names", "effnet,resnet", "--date", "2024-06-01")
    assert again.exit_code == 0, again.output
    assert json.loads((out / "report.json").read_text("utf-8"))["date"] == "2024-06-01"
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["effnet_vs_resnet"]


def test_class_map_columns_without_class_map_is_bad_usage(runner, tmp_path):
    result = invoke(runner, A, B, "--class-map-columns", "id,name", "-o", tmp_path / "r")
    assert result.exit_code == 2
    assert "--class-map-columns names the columns of --class-map" in result.stderr
    assert not (tmp_path / "r").exists()


def test_output_that_is_an_existing_file_is_bad_usage(runner, tmp_path):
    target = tmp_path / "report.md"
    target.write_text("mine")
    result = invoke(runner, A, B, "-o", target)
    assert result.exit_code == 2
    # rich boxes and wraps the message at the terminal's width: read it as one line of words
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stderr).split())
    assert "Invalid value for '--output' / '-o'" in words and "is a file" in words
    assert target.read_text() == "mine"


def test_a_folder_of_other_files_is_never_replaced(runner, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    result = invoke(runner, A, B, "-o", mine)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: --output: {mine}: a folder with other files in it (no report.json); refusing "
        "to replace it"
    )
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert (mine / "notes.txt").read_text() == "precious"


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("afile/sub/rep", "afile/sub/rep: cannot write there: afile is not a folder"),
        ("n" * 300, "cannot write there (File name too long)"),
        ("-", "'-' (standard output) cannot receive a folder of files; give a folder name"),
    ],
    ids=["below-a-file", "name-too-long", "dash"],
)
def test_unusable_output_folder_is_bad_usage_not_an_internal_error(
    runner, tmp_path, monkeypatch, output, message
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    result = invoke(runner, A, B, "-o", output)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --output: ") and message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_default_folder_of_long_names_stays_a_legal_name():
    from pill_compare.cli.report_cmd import default_folder

    folder = default_folder("a" * 240, "한" * 240)  # 3 bytes per Korean letter
    assert folder.parent.name == "reports" and len(folder.name.encode()) <= 255
    assert folder.name == "a" * 120 + "_vs_" + "한" * 40


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "May 1"), "--date expects YYYY-MM-DD, got 'May 1'"),
        (("--lang", "fr"), "Invalid value for '--lang'"),
        (("--images", SAMPLE / "no-such-folder"), "Invalid value for '--images'"),
    ],
)
def test_other_bad_usage_exits_2_before_writing(runner, tmp_path, args, message):
    result = invoke(runner, A, B, *args, "-o", tmp_path / "r")
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.skipif(not PILLCMP.exists(), reason="pillcmp is not installed here")
def test_installed_entry_point_writes_the_report(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.run(
        [str(PILLCMP), "report", str(A), str(B), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.rstrip().endswith(f"wrote {out}/ (report.md, report.html, report.json)")
    assert "Traceback" not in proc.stderr
    assert {"report.md", "report.html", "report.json"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "report.json").read_text("utf-8"))["names"] == {
        "a": "efficientnet_b3",
        "b": "resnet101",
    }


def test_title_heads_the_markdown_and_the_html_escaped(runner, tmp_path):
    out = tmp_path / "titled"
    result = invoke(runner, A, B, "--title", "Pills & <May>", "--bootstrap", "20", "-o", out)
    assert result.exit_code == 0, result.output
    assert (out / "report.md").read_text("utf-8").startswith("# Pills & &lt;May&gt;\n")
    html = (out / "report.html").read_text("utf-8")
    assert "<title>Pills &amp; &lt;May&gt;</title>" in html
    assert "<h1>Pills &amp; &lt;May&gt;</h1>" in html


def test_a_named_folder_is_made_only_in_a_folder_that_exists(runner, tmp_path):
    result = invoke(runner, A, B, "-o", tmp_path / "no" / "such" / "rep")
    assert result.exit_code == 2
    assert "the folder" in result.stderr and "does not exist; create it first" in result.stderr
    assert not (tmp_path / "no").exists()


def test_the_default_folder_is_made_with_its_parents(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, A, B, "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "efficientnet_b3_vs_resnet101" / "report.json").is_file()
