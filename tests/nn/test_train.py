"""train(): the loop end to end (files, loss going down, schedule, validation by evaluate),
exact resume, warnings, and the settings it refuses before training."""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.errors import ConfigError, ConsistencyError, InputFormatError  # noqa: E402
from pill_compare.nn.heads import CompositeLossRetinaNetHead  # noqa: E402
from pill_compare.nn.train import TrainConfig, resume_config, train  # noqa: E402
from tests.conftest import SAMPLE  # noqa: E402
from tests.nn.test_data import sample_gt_dict  # noqa: E402


def write_gt(folder: Path, n: int, name: str = "gt.json") -> Path:
    """The first ``n`` sample images and their boxes as a GT file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(sample_gt_dict(n)), encoding="utf-8")
    return path


def tiny_config(tmp_path: Path, n: int = 4, **changes) -> TrainConfig:
    """A test_resnet RetinaNet at 64 px on ``n`` sample images, 2 per step, on CPU."""
    gt = write_gt(tmp_path / "data", n)
    base = TrainConfig(
        gt=gt,
        images=SAMPLE / "images",
        backbone="test_resnet",
        image_size=64,
        fpn_channels=32,
        epochs=2,
        batch_size=2,
        lr=1e-3,
        warmup_steps=3,
        workers=0,
        device="cpu",
        out=tmp_path / "run",
    )
    return replace(base, **changes)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def train_recording(config: TrainConfig):
    """Train; return the result, every step's progress parts and the warnings seen."""
    steps, warned = [], []
    result = train(
        config,
        progress=lambda epoch, step, total, parts: steps.append((epoch, step, total, dict(parts))),
        on_warning=warned.append,
    )
    return result, steps, warned


def mean(values):
    return sum(values) / len(values)


@pytest.mark.parametrize("loss", ["focal", "composite"])
def test_thirty_steps_lower_the_loss_and_write_every_file(tmp_path, loss):
    # 6 images, 3 steps an epoch, 10 epochs = 30 steps; focal validated on the same images
    # (the composite run is not: validation is the same code, and its time is better spent)
    config = tiny_config(tmp_path, n=6, loss=loss, epochs=10)
    validated = loss == "focal"
    config = replace(config, val_gt=config.gt if validated else None)
    result, steps, warned = train_recording(config)

    losses = [parts["loss"] for *_, parts in steps]
    assert len(losses) == 30 and result.steps == 30 and result.epochs == 10
    assert mean(losses[-5:]) < 0.8 * mean(losses[:5]), losses
    terms = ["classification", "bbox_regression"]
    assert all(set(terms) <= set(parts) for *_, parts in steps)
    if loss == "composite":
        assert all({"cls", "f1", "box"} <= set(parts) for *_, parts in steps)
    assert [s[:3] for s in steps[:4]] == [(1, 1, 30), (1, 2, 30), (1, 3, 30), (2, 4, 30)]
    lrs = [parts["lr"] for *_, parts in steps]  # warm-up over 3 steps, then a cosine to 0
    assert lrs[:3] == pytest.approx([1e-3 / 3, 2e-3 / 3, 1e-3])
    assert lrs[3] == lrs[2] and all(a > b for a, b in itertools.pairwise(lrs[3:]))
    assert lrs[-1] < 1e-5
    assert warned == []

    out = tmp_path / "run"
    assert {p.name for p in out.iterdir()} == {
        "last.pt", "best.pt", "metrics.csv", "curves.png", "config.json"
    }  # fmt: skip
    rows = read_csv(out / "metrics.csv")
    assert [int(r["epoch"]) for r in rows] == list(range(1, 11))
    assert [int(r["step"]) for r in rows] == list(range(3, 31, 3))
    assert list(rows[0])[:4] == ["epoch", "step", "lr", "loss"]
    tail = ["val_map", "val_map_50", "seconds"] if validated else ["seconds"]
    assert list(rows[0])[-len(tail) :] == tail
    assert set(terms) <= set(rows[0])
    for row, losses_of_epoch in zip(
        rows, [losses[i : i + 3] for i in range(0, 30, 3)], strict=True
    ):
        assert float(row["loss"]) == pytest.approx(mean(losses_of_epoch), rel=1e-5)
    if validated:
        maps = [float(r["val_map"]) for r in rows]
        assert all(0 <= m <= 1 for m in maps)
        assert result.best_map == pytest.approx(max(maps), abs=1e-6)
        assert result.best_epoch == 1 + maps.index(max(maps))
    else:
        assert result.best_map is None and result.best_epoch == 10
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "config.json").read_text())["train"]["loss"] == loss

    last = torch.load(out / "last.pt", weights_only=True)
    best = torch.load(out / "best.pt", weights_only=True)
    assert last["epoch"] == 10 and best["epoch"] == result.best_epoch
    assert last["train"]["backbone"] == "test_resnet"
    assert [h["epoch"] for h in last["history"]] == list(range(1, 11))
    state = result.model.state_dict()
    assert all(torch.equal(last["model"][k], v) for k, v in state.items())


def test_without_validation_best_is_the_last_epoch(tmp_path):
    result, _, _ = train_recording(tiny_config(tmp_path, epochs=1, max_steps=1))
    assert result.best_map is None and result.best_epoch == 1
    assert (tmp_path / "run" / "best.pt").read_bytes() == (
        tmp_path / "run" / "last.pt"
    ).read_bytes()
    assert "val_map" not in read_csv(tmp_path / "run" / "metrics.csv")[0]


def test_faster_rcnn_trains_through_the_same_loop(tmp_path):
    config = tiny_config(tmp_path, head="fasterrcnn", epochs=1, max_steps=1)
    result, steps, _ = train_recording(replace(config, val_gt=config.gt))
    terms = {"loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg"}
    assert len(steps) == 1 and all(terms <= set(parts) for *_, parts in steps)
    assert terms <= set(read_csv(tmp_path / "run" / "metrics.csv")[0])
    assert "Faster R-CNN" in result.description and result.best_map is not None


def test_resuming_at_an_epoch_boundary_continues_exactly(tmp_path):
    train(tiny_config(tmp_path / "a"))
    # the same run stopped after its first epoch (2 steps), then resumed from last.pt
    first, _, _ = train_recording(tiny_config(tmp_path / "b", max_steps=2))
    assert first.epochs == 1 and first.steps == 2
    resumed, steps, _ = train_recording(resume_config(tmp_path / "b" / "run"))
    assert [s[1] for s in steps] == [3, 4] and resumed.epochs == 2 and resumed.steps == 4

    a = torch.load(tmp_path / "a" / "run" / "last.pt", weights_only=True)
    b = torch.load(tmp_path / "b" / "run" / "last.pt", weights_only=True)
    assert a["model"].keys() == b["model"].keys()
    different = [k for k in a["model"] if not torch.equal(a["model"][k], b["model"][k])]
    assert different == []
    assert [h["loss"] for h in a["history"]] == [h["loss"] for h in b["history"]]
    assert a["scheduler"]["last_epoch"] == b["scheduler"]["last_epoch"] == 4


def test_composite_warnings_for_algorithm2_and_images_without_hard_negatives(tmp_path, monkeypatch):
    # k = 0 with N_pos > 0 needs floor(r * N_pos) = 0; force the head to report one such image
    monkeypatch.setattr(CompositeLossRetinaNetHead, "_zero_k_images", lambda self, state: 1)
    config = tiny_config(tmp_path, loss="composite", loss_variant="algorithm2", max_steps=1)
    result, _, warned = train_recording(config)
    assert warned == list(result.warnings) and len(warned) == 2
    assert "algorithm2 variant reproduces Algorithm 2" in warned[0]
    assert "score threshold" in warned[0]
    assert warned[1].startswith("epoch 1: 1 training image(s) had positive anchors (N_pos > 0)")
    assert "k = 0" in warned[1]
    assert read_csv(tmp_path / "run" / "metrics.csv")[0]["zero_k_images"] == "1"


def test_a_run_folder_that_holds_files_is_refused_without_resume(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="holds files") as err:
        train(tiny_config(tmp_path))
    assert err.value.param == "out"
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"


def test_an_empty_run_folder_is_fine(tmp_path):
    (tmp_path / "run").mkdir()
    result = train(tiny_config(tmp_path, epochs=1, max_steps=1))
    assert result.last.is_file()


def test_resume_needs_last_pt(tmp_path):
    with pytest.raises(ConfigError, match=r"has no last\.pt, so there is no run to resume") as err:
        train(tiny_config(tmp_path, resume=True))
    assert err.value.param == "resume"
    with pytest.raises(ConfigError, match="no run to resume"):
        resume_config(tmp_path / "run")


def test_resume_refuses_other_settings_and_finished_runs(tmp_path):
    train(tiny_config(tmp_path, epochs=1, max_steps=1))
    run = tmp_path / "run"
    with pytest.raises(ConfigError, match="these differ") as err:
        resume_config(run, backbone="resnet18", lr=0.5)
    assert "backbone: the run has 'test_resnet', given 'resnet18'" in str(err.value)
    assert "lr: the run has 0.001, given 0.5" in str(err.value)
    with pytest.raises(ConfigError, match="trained 1 of 1 epoch") as err:
        train(resume_config(run))
    assert err.value.param == "epochs"
    assert resume_config(run, epochs=3, workers=1).epochs == 3  # these may change


@pytest.mark.parametrize(
    ("changes", "param", "message"),
    [
        ({"lr": 0.0}, "lr", "Expected a number > 0, got 0.0"),
        ({"lr": float("nan")}, "lr", "Expected a finite number"),
        ({"epochs": 0}, "epochs", "Expected an int >= 1, got 0"),
        ({"optimizer": "adam"}, "optimizer", "Expected one of 'adamw', 'sgd', got 'adam'"),
        ({"loss_variant": "seed"}, "loss_variant", "Expected one of 'compact', 'algorithm2'"),
        ({"max_steps": 0}, "max_steps", "Expected an int >= 1"),
        ({"device": "tpu"}, "device", "Expected one of 'auto', 'cpu', 'cuda', got 'tpu'"),
    ],
)
def test_settings_that_cannot_work_are_refused_before_anything_is_written(
    tmp_path, changes, param, message
):
    with pytest.raises(ConfigError, match=message) as err:
        train(tiny_config(tmp_path, **changes))
    assert err.value.param == param
    assert not (tmp_path / "run").exists()


def test_a_validation_gt_without_annotations_is_refused_before_training(tmp_path):
    empty = {**sample_gt_dict(2), "annotations": []}
    val = tmp_path / "val.json"
    val.write_text(json.dumps(empty))
    with pytest.raises(ConsistencyError, match="the validation ground truth has no annotations"):
        train(tiny_config(tmp_path, val_gt=val))
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_gpu_is_a_usage_error(tmp_path):
    with pytest.raises(ConfigError, match="CUDA is not available") as err:
        train(tiny_config(tmp_path, device="cuda"))
    assert err.value.param == "device"


def test_a_bad_ground_truth_is_an_input_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    with pytest.raises(InputFormatError, match=r"bad\.json: expected COCO ground truth"):
        train(tiny_config(tmp_path, gt=bad))


def test_a_diverging_run_stops_with_a_message(tmp_path, monkeypatch):
    real = torch.nn.utils.clip_grad_norm_
    monkeypatch.setattr(
        torch.nn.utils, "clip_grad_norm_", lambda *a, **k: real(*a, **k) * float("nan")
    )
    with pytest.raises(ConfigError, match=r"training diverged at step 1 \(epoch 1\)") as err:
        train(tiny_config(tmp_path))
    assert err.value.param == "lr"


def test_train_config_round_trips_through_builtins(tmp_path):
    config = tiny_config(tmp_path, val_gt=tmp_path / "v.json")
    d = config.to_dict()
    assert d["gt"] == str(config.gt) and d["out"] == str(tmp_path / "run")
    assert all(isinstance(v, str | int | float | bool | type(None)) for v in d.values())
    assert TrainConfig.from_dict(d) == replace(
        config, gt=str(config.gt), images=str(config.images), val_gt=str(config.val_gt),
        out=str(config.out),
    )  # fmt: skip
