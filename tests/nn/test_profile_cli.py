"""`pillcmp profile` through CliRunner: text, Markdown, JSON, CSV, -o, and usage errors."""

import io
import json

import pandas as pd
import pytest

pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.cli import profile_cmd  # noqa: F401  (registers the command)
from pill_compare.cli.app import build_app
from pill_compare.report.profile_render import render_profile_markdown

FAST = ["--image-size", "64", "--repeats", "1", "--warmup", "0", "--device", "cpu"]
FAST += ["--threads", "1"]


@pytest.fixture(scope="module")
def app():
    return build_app()


def ok(runner, app, *args):
    result = runner.invoke(app, ["profile", *map(str, args)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def profile_json(app, tmp_path_factory):
    """One profile with detector rows, written by -o: both tiny backbones at batch 1 and 2."""
    from typer.testing import CliRunner

    path = tmp_path_factory.mktemp("profile") / "profile.json"
    names = ["test_resnet", "test_efficientnet"]
    ok(CliRunner(), app, *names, *FAST, "--batch-sizes", "1,2", "-o", path)
    return json.loads(path.read_text(encoding="utf-8"))


def test_json_compares_every_backbone_alone_and_as_a_detector(profile_json):
    rows = [(m["name"], m["part"]) for m in profile_json["models"]]
    assert rows == [
        ("test_resnet", "backbone"),
        ("test_resnet", "detector"),
        ("test_efficientnet", "backbone"),
        ("test_efficientnet", "detector"),
    ]
    assert profile_json["batch_sizes"] == [1, 2] and profile_json["threads"] == 1
    assert profile_json["image_size"] == 64 and profile_json["head"] == "retinanet"
    for m in profile_json["models"]:
        assert set(m["latency_ms"]["cpu"]) == {"b1", "b2"}


def test_text_shows_the_architecture_and_speed_tables(runner, app):
    out = ok(runner, app, "test_efficientnet", "--backbone-only", *FAST).stdout
    assert out.startswith("Architecture profile\n")
    assert "model              part      params (M)" in out
    assert "test_efficientnet  backbone       0.082" in out
    assert "1 thread)" in out and "b1 ms  b1 img/s  b1 peak MiB" in out
    assert "b8 ms  b8 img/s  b8 peak MiB" in out  # --batch-sizes default: 1,8
    assert "detector:" not in out  # no detector rows, no detector in the conditions


def test_markdown_has_tables_and_definitions(runner, app):
    md = ok(runner, app, "test_efficientnet", "--backbone-only", *FAST, "-f", "md").stdout
    assert md.startswith("# Architecture profile\n")
    assert "| model | part | params (M) | trainable (M) | GFLOPs | strides | channels |" in md
    assert "| test_efficientnet | backbone | 0.082 |" in md
    assert "- **gflops**: 1e9 FLOPs of one forward pass at batch 1" in md


def test_markdown_renders_from_a_saved_json(profile_json):
    class Saved:  # what a report builder would hold: the JSON read back, no torch
        def to_dict(self):
            return profile_json

    md = render_profile_markdown(Saved())
    assert md.count("| test_resnet | detector |") == 2  # architecture and CPU speed tables
    assert "| model | part | b1 ms | b1 img/s | b1 peak MiB | b2 ms |" in md


def test_csv_has_a_row_per_model_part(runner, app):
    args = ("test_resnet", "--backbone-only", *FAST, "--batch-sizes", "2", "-f", "csv")
    frame = pd.read_csv(io.StringIO(ok(runner, app, *args).stdout))
    assert frame["params"].tolist() == [372_688]
    assert {"cpu_b2_latency_ms", "cpu_b2_images_per_s", "cpu_b2_peak_mib"} <= set(frame.columns)


def test_an_existing_output_suffix_must_fit_the_format(runner, app, tmp_path):
    result = runner.invoke(
        app, ["profile", "test_resnet", *FAST, "-f", "md", "-o", str(tmp_path / "p.json")]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--format md is written to .md, .markdown" in result.stderr
    assert not (tmp_path / "p.json").exists()


def test_a_bad_backbone_name_exits_2_with_a_suggestion(runner, app):
    result = runner.invoke(app, ["profile", "resnet1O1", *FAST])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "BACKBONE: Expected a timm model name" in result.stderr
    assert "got 'resnet1O1'; close matches: 'resnet101'" in result.stderr


@pytest.mark.parametrize("value", ["1,x", "0", ""])
def test_bad_batch_sizes_exit_2(runner, app, value):
    result = runner.invoke(app, ["profile", "test_resnet", "--batch-sizes", value])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--batch-sizes: expects comma-separated integers >= 1 like 1,8" in result.stderr


def test_progress_is_a_line_per_step_on_stderr_when_not_a_terminal(runner, app):
    # minutes of work must not look like a hang in a log: each backbone and batch says so
    err = ok(runner, app, "test_efficientnet", "--backbone-only", *FAST).stderr
    steps = [line for line in err.splitlines() if line.startswith("profile: test_efficientnet")]
    assert steps and any(" b1" in line for line in steps)
