"""`pillcmp train` through CliRunner: a tiny run, its summary and files, resuming, usage and
data errors with their exit codes; the torchrun entry point is the CLI itself."""

from __future__ import annotations

import dataclasses
import runpy
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.cli import train_cmd  # noqa: E402,F401  (registers the command)
from pill_compare.cli.app import build_app  # noqa: E402
from pill_compare.nn import train as nn_train  # noqa: E402
from tests.conftest import SAMPLE  # noqa: E402
from tests.nn.test_train import write_gt  # noqa: E402

TINY = [
    "--backbone", "test_resnet", "--image-size", "64", "--fpn-channels", "32", "--batch-size",
    "2", "--workers", "0", "--device", "cpu", "--warmup-steps", "2", "--lr", "1e-3",
]  # fmt: skip


@pytest.fixture
def app():
    return build_app()


def args(tmp_path, *extra, n=4):
    gt = write_gt(tmp_path / "data", n)
    return ["train", "--gt", str(gt), "--images", str(SAMPLE / "images"), *TINY, *extra]


def test_a_tiny_run_prints_a_summary_and_writes_the_run_folder(runner, app, tmp_path):
    out = tmp_path / "run"
    gt = write_gt(tmp_path / "data", 4)
    result = runner.invoke(
        app, [*args(tmp_path), "--val-gt", str(gt), "--epochs", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("trained test_resnet + RetinaNet (focal loss), 22 classes at 64 px")
    assert "random init" in lines[0] and ": 2 epoch(s), 4 step(s) in " in lines[0]
    assert "training images/s on cpu)" in lines[0]
    assert lines[1].startswith("best val mAP ") and "(epoch " in lines[1]
    assert lines[2] == f"checkpoints: {out / 'best.pt'} (best), {out / 'last.pt'} (last)"
    assert lines[3] == f"metrics: {out / 'metrics.csv'}, curves: {out / 'curves.png'}"
    epoch_lines = [x for x in result.stderr.splitlines() if x.startswith("epoch ")]
    assert len(epoch_lines) == 2
    assert "loss " in epoch_lines[0] and "classification " in epoch_lines[0]
    assert " val mAP " in epoch_lines[0]
    assert {p.name for p in out.iterdir()} >= {"last.pt", "best.pt", "metrics.csv", "curves.png"}


def test_resume_continues_the_run_with_its_settings(runner, app, tmp_path):
    out = str(tmp_path / "run")
    first = runner.invoke(app, [*args(tmp_path), "--epochs", "1", "--out", out])
    assert first.exit_code == 0, first.output
    # --gt, --images and the model options are read from the run; more epochs are allowed
    resumed = runner.invoke(app, ["train", "--out", out, "--resume", "--epochs", "2"])
    assert resumed.exit_code == 0, resumed.output
    assert ": 2 epoch(s), 4 step(s)" in resumed.stdout
    assert torch.load(tmp_path / "run" / "last.pt", weights_only=True)["epoch"] == 2

    other = runner.invoke(app, ["train", "--out", out, "--resume", "--backbone", "resnet18"])
    assert other.exit_code == 2
    assert other.stderr.startswith("error: --backbone: ")
    assert "backbone: the run has 'test_resnet', given 'resnet18'" in other.stderr


def test_an_existing_run_folder_without_resume_is_a_usage_error(runner, app, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "last.pt").write_bytes(b"a run")
    result = runner.invoke(app, [*args(tmp_path), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --out: {out}: the folder exists and holds files")
    assert (out / "last.pt").read_bytes() == b"a run"


def test_resume_without_last_pt_is_a_usage_error(runner, app, tmp_path):
    result = runner.invoke(app, ["train", "--out", str(tmp_path / "run"), "--resume"])
    assert result.exit_code == 2
    assert "error: --resume: " in result.stderr and "has no last.pt" in result.stderr
    assert "Traceback" not in result.output


def test_a_new_run_needs_gt_and_images(runner, app, tmp_path):
    result = runner.invoke(app, ["train", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "--gt and --images are needed to start a run" in result.stderr


def test_a_bad_ground_truth_exits_1_with_pillcmps_message(runner, app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"images": []}')
    result = runner.invoke(
        app,
        ["train", "--gt", str(bad), "--images", str(SAMPLE / "images"), *TINY,
         "--out", str(tmp_path / "run")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("error: ") and "bad.json: ground truth is missing" in result.stderr
    )
    assert "Traceback" not in result.output


def test_a_usage_error_from_the_library_names_the_flag(runner, app, tmp_path):
    result = runner.invoke(app, [*args(tmp_path), "--lr", "0", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --lr: Expected a number > 0, got 0.0")


def test_every_train_config_field_is_an_option_with_the_same_default(app):
    import typer.main

    command = typer.main.get_command(app).commands["train"]
    options = {p.name: p for p in command.params}
    for f in dataclasses.fields(nn_train.TrainConfig):
        assert f.name in options, f.name
        default = options[f.name].default
        default = getattr(default, "value", default)
        if f.default is dataclasses.MISSING:  # gt, images: required unless resuming
            assert default is None
        elif f.name == "clip_grad":
            assert default == f.default
        elif f.name != "out":
            assert default == f.default, f.name
    assert set(options) == {f.name for f in dataclasses.fields(nn_train.TrainConfig)}


def test_the_torchrun_entry_point_is_the_cli_run_as_a_module():
    # torchrun --nproc-per-node N -m pill_compare train ...: each process runs `pillcmp train`
    proc = subprocess.run(
        [sys.executable, "-m", "pill_compare", "train", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage: python -m pill_compare train" in proc.stdout
    assert "--backbone" in proc.stdout and "--resume" in proc.stdout
    assert "torchrun --nproc-per-node N -m pill_compare train" in " ".join(proc.stdout.split())


@pytest.mark.filterwarnings("ignore:.*found in sys.modules:RuntimeWarning")  # runpy, re-run
def test_the_old_module_entry_says_which_command_to_run_instead():
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("pill_compare.nn.train", run_name="__main__")
    assert "torchrun --nproc-per-node N -m pill_compare train" in str(exit_.value.code)
    assert "library module, not a command" in str(exit_.value.code)


def test_the_train_command_module_loads_no_torch():
    code = (
        "import sys\nfrom pill_compare.cli import train_cmd\n"
        "print(sorted(m for m in ('torch', 'torchvision', 'timm') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


# --- --pretrained: a local file or a timm tag (tests/nn/test_pretrained.py has the library's) -----


def test_pretrained_local_file_still_trains_from_it(runner, app, tmp_path):
    weights = tmp_path / "test_resnet.pt"
    timm = pytest.importorskip("timm")
    torch.save(timm.create_model("test_resnet").state_dict(), weights)  # a classifier's file
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [*args(tmp_path), "--pretrained", str(weights), "--max-steps", "1", "--epochs", "1",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"backbone weights from {weights} (90 of 90 tensors), BatchNorm frozen" in result.stdout


def test_pretrained_file_that_does_not_exist_is_a_usage_error(runner, app, tmp_path):
    missing = tmp_path / "nope.pt"
    result = runner.invoke(app, [*args(tmp_path), "--pretrained", str(missing), "--out", "x"])
    assert result.exit_code == 2
    assert f"Invalid value for '--pretrained': file '{missing}' does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_pretrained_unknown_tag_is_a_usage_error_naming_the_flag(runner, app, tmp_path):
    result = runner.invoke(app, [*args(tmp_path), "--pretrained", "test_resnet.nope", "--out", "x"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: --pretrained: Expected 'timm', a pretrained tag of test_resnet or a local weights "
        "file, got 'test_resnet.nope'"
    )


@pytest.mark.usefixtures("hub")  # an empty Hugging Face cache of the test's own, no download
def test_pretrained_tag_offline_exits_1_naming_the_file_to_fetch(
    runner, app, tmp_path, monkeypatch
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = runner.invoke(
        app, [*args(tmp_path), "--pretrained", "timm", "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        "error: test_resnet.r160_in1k: timm's pretrained weights are not on this machine"
    )
    text = " ".join(result.stderr.split())
    assert (
        "https://huggingface.co/timm/test_resnet.r160_in1k/resolve/main/model.safetensors" in text
    )
    assert "--backbone test_resnet.r160_in1k --pretrained DIR/model.safetensors" in text
    assert "Traceback" not in result.output
