"""Outputs through the CLI: every path checked before any work, all or none written, devices,
FIFOs and symlinks respected, the format and the suffix agreeing, '-' meaning stdout."""

import json
import os
import stat

import pytest

from pill_compare.cli import app
from tests.conftest import SAMPLE, write_text

GT, RES, EFF = (SAMPLE / n for n in ("ground_truth.json", "resnet101.json", "efficientnet_b3.json"))


def invoke(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_dev_null_output_stays_a_device(runner):
    result = invoke(runner, "diff", EFF, RES, "-o", "/dev/null")
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert "wrote /dev/null" in result.stderr


def test_symlinked_output_updates_its_target(runner, tmp_path):
    real = write_text(tmp_path, "real.json", "stale")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert invoke(runner, "imbalance", GT, "-o", link).exit_code == 0
    assert link.is_symlink()
    assert json.loads(real.read_text())["imbalance_ratio"] == pytest.approx(88 / 7)


def test_a_bad_second_output_path_writes_nothing(runner, tmp_path):
    blocker = write_text(tmp_path, "target.txt", "x")
    result = invoke(runner, "imbalance", GT, "--plot", blocker / "x.png", "-o", tmp_path / "y.txt")
    assert result.exit_code == 2
    assert "--plot" in result.stderr and "target.txt is not a folder" in result.stderr
    assert "File exists" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.txt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.html"], "cannot tell the output format from the suffix '.html'; supported"),
        (["-o", "d.json", "-f", "md"], "--format md is written to .md, .markdown, not '.json'"),
        (["-o", "x.md", "-f", "text"], "--format text is written to no suffix, .txt"),
    ],
    ids=["unknown-suffix", "json-suffix-md-format", "md-suffix-text-format"],
)
def test_format_and_suffix_must_agree(runner, tmp_path, args, message):
    args = [str(tmp_path / a) if a.count(".") == 1 and "-" not in a else a for a in args]
    result = invoke(runner, "diff", EFF, RES, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_suffix_names_the_format_when_format_is_not_given(runner, tmp_path):
    assert invoke(runner, "diff", EFF, RES, "-o", tmp_path / "d.markdown").exit_code == 0
    assert (tmp_path / "d.markdown").read_text().startswith("# ")
    assert invoke(runner, "diff", EFF, RES, "-o", tmp_path / "d.txt").exit_code == 0
    assert (tmp_path / "d.txt").read_text().startswith("Result A")


def test_missing_output_folder_is_not_created(runner, tmp_path):
    result = invoke(runner, "diff", EFF, RES, "-o", tmp_path / "no" / "dir" / "x.md")
    assert result.exit_code == 2
    assert "does not exist; create it first" in result.stderr
    assert not (tmp_path / "no").exists()


def test_one_file_cannot_be_two_outputs(runner, tmp_path):
    path = tmp_path / "same.png"
    result = invoke(
        runner,
        "eval",
        GT,
        RES,
        "--plot",
        path,
        "--dump-matches",
        tmp_path / "m.csv",
        "-o",
        tmp_path / "e.json",
    )
    assert result.exit_code == 0, result.output
    result = invoke(runner, "imbalance", GT, "--plot", path, "-o", tmp_path / "link.json")
    assert result.exit_code == 0
    (tmp_path / "alias.json").symlink_to(tmp_path / "link.json")
    result = invoke(
        runner,
        "eval",
        GT,
        RES,
        "-o",
        tmp_path / "link.json",
        "--dump-matches",
        tmp_path / "alias.json",
    )
    assert result.exit_code == 2


def test_folder_as_output_is_refused(runner, tmp_path):
    result = invoke(runner, "diff", EFF, RES, "-o", tmp_path)
    assert result.exit_code == 2
    assert tmp_path.is_dir()


def test_eval_writes_every_output_or_none(runner, tmp_path):
    outs = [tmp_path / "e.md", tmp_path / "cm.svg", tmp_path / "m.csv"]
    result = invoke(
        runner, "eval", GT, RES, "-o", outs[0], "--plot", outs[1], "--dump-matches", outs[2]
    )
    assert result.exit_code == 0, result.output
    assert all(p.stat().st_size > 0 for p in outs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.svg", "e.md", "m.csv"]


def test_same_input_gives_the_same_svg_and_pdf_bytes(runner, tmp_path):
    for suffix in ("svg", "pdf"):
        first, second = tmp_path / f"1.{suffix}", tmp_path / f"2.{suffix}"
        assert invoke(runner, "imbalance", GT, "--plot", first, "-o", "/dev/null").exit_code == 0
        assert invoke(runner, "imbalance", GT, "--plot", second, "-o", "/dev/null").exit_code == 0
        assert first.read_bytes() == second.read_bytes()


def test_dash_is_stdout_for_every_report(runner):
    result = invoke(runner, "imbalance", GT, "-f", "json", "-o", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["imbalance_ratio"] == pytest.approx(88 / 7)


def test_merge_dash_writes_the_ground_truth_to_stdout_and_the_report_to_stderr(runner, tmp_path):
    from tests.prep.pill_folder import build_pill_folder

    folder = build_pill_folder(tmp_path / "ann")
    result = invoke(runner, "merge", folder, "-o", "-", "--skip-bad-files")
    assert result.exit_code == 0, result.output
    merged = json.loads(result.stdout)
    assert {"images", "annotations", "categories"} <= set(merged)
    assert "Merged per-pill annotations" in result.stderr
    assert not (tmp_path / "-").exists() and not os.path.exists("-")


def test_file_name_with_undecodable_bytes_is_shown_escaped_and_json_stays_utf8(runner, tmp_path):
    raw = os.fsencode(tmp_path) + b"/r\xff.json"
    with open(raw, "wb") as f:
        f.write((SAMPLE / "resnet101.json").read_bytes())
    out = tmp_path / "e.json"
    result = invoke(runner, "eval", GT, os.fsdecode(raw), "-o", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["name"] == "r\\udcff" and doc["results"].endswith("r\\udcff.json")
