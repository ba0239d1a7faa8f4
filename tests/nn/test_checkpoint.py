"""Checkpoints: plain dicts that torch.load(weights_only=True) reads; exact round trips; clear errors."""

import dataclasses
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.errors import InputFormatError  # noqa: E402
from pill_compare.nn.checkpoint import (  # noqa: E402
    CHECKPOINT_FORMAT,
    CHECKPOINT_KEYS,
    CHECKPOINT_VERSION,
    load_checkpoint,
    load_detector,
    save_checkpoint,
)
from pill_compare.nn.detector import build_detector  # noqa: E402

SIZE = 64
IDS = (1899, 25366, 3483)
SMALL = {"image_size": SIZE, "fpn_channels": 32, "score_thresh": 0.0}


def _images():
    g = torch.Generator().manual_seed(1)
    return [torch.rand(3, SIZE, SIZE, generator=g), torch.rand(3, 48, SIZE, generator=g)]


def _trained(head="retinanet", **kwargs):
    """A detector after one Adam step (weights no longer at their init), and its optimizer."""
    torch.manual_seed(0)
    detector = build_detector("test_resnet", IDS, head=head, **SMALL, **kwargs)
    optimizer = torch.optim.Adam(detector.parameters(), lr=1e-3)
    targets = [
        {"boxes": torch.tensor([[4.0, 4.0, 40.0, 44.0]]), "category_ids": torch.tensor([25366])},
        {"boxes": torch.tensor([[10.0, 6.0, 50.0, 30.0]]), "category_ids": torch.tensor([3483])},
    ]
    sum(detector(_images(), targets).values()).backward()
    optimizer.step()
    return detector, optimizer


def _predict(detector):
    detector.eval()
    with torch.no_grad():
        return detector(_images())


@pytest.mark.parametrize("head", ["retinanet", "fasterrcnn"])
def test_round_trip_gives_identical_predictions(tmp_path, head):
    detector, optimizer = _trained(head)
    path = save_checkpoint(tmp_path / "last.pt", detector, optimizer=optimizer, epoch=3)
    loaded = load_detector(path)
    assert loaded.config == detector.config and not loaded.training
    before, after = _predict(detector), _predict(loaded)
    assert sum(len(o["boxes"]) for o in before) > 0
    for a, b in zip(before, after, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            assert torch.equal(a[key], b[key]), key
        assert set(b["category_ids"].tolist()) <= set(IDS)
    assert loaded.describe().endswith("weights from " + str(path) + " (epoch 3)")


def test_checkpoint_is_a_plain_dict_that_weights_only_loads(tmp_path):
    detector, optimizer = _trained()
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    train = {"gt": Path("data/train.json"), "epochs": 12, "lr": 1e-4}
    path = save_checkpoint(
        tmp_path / "best.pt",
        detector,
        optimizer=optimizer,
        scheduler=scheduler,
        epoch=2,
        train=train,
        metrics={"map": 0.25},
        history=[{"epoch": 1, "loss": 1.5}, {"epoch": 2, "loss": 1.2}],
    )
    raw = torch.load(path, weights_only=True)
    assert tuple(raw) == CHECKPOINT_KEYS
    assert raw["format"] == CHECKPOINT_FORMAT and raw["format_version"] == CHECKPOINT_VERSION
    assert raw["detector"]["category_ids"] == sorted(IDS)
    assert raw["train"]["gt"] == "data/train.json"  # paths stored as str
    checkpoint = load_checkpoint(path)
    assert checkpoint.detector_config == detector.config
    assert (checkpoint.epoch, checkpoint.metrics) == (2, {"map": 0.25})
    assert checkpoint.history[-1] == {"epoch": 2, "loss": 1.2}
    resumed = torch.optim.Adam(detector.parameters(), lr=1e-3)
    resumed.load_state_dict(checkpoint.optimizer_state)
    assert resumed.state_dict()["state"][0]["step"] == optimizer.state_dict()["state"][0]["step"]
    assert checkpoint.scheduler_state["T_max"] == 10


def test_load_detector_keeps_frozen_batchnorm_as_saved(tmp_path):
    weights = tmp_path / "backbone.pt"
    body = build_detector("test_resnet", IDS, **SMALL).model.backbone.body
    torch.save(body.state_dict(), weights)
    detector = build_detector("test_resnet", IDS, pretrained=weights, **SMALL)
    assert detector.config.freeze_bn
    path = save_checkpoint(tmp_path / "c.pt", detector)
    loaded = load_detector(path).train()
    # resuming through build_detector(config=...) rebuilds it frozen too, without the file
    rebuilt = build_detector(config=load_checkpoint(path).detector_config).train()
    for again in (loaded, rebuilt):
        assert again.config.freeze_bn
        bn = again.model.backbone.body.bn1
        assert not bn.training and not bn.weight.requires_grad


def test_saving_refuses_what_weights_only_could_not_load(tmp_path):
    detector = build_detector("test_resnet", IDS, **SMALL)
    with pytest.raises(TypeError, match=re.escape("got object at train['hook']")):
        save_checkpoint(tmp_path / "c.pt", detector, train={"hook": object()})
    with pytest.raises(TypeError, match="Expected a Detector, got RetinaNet"):
        save_checkpoint(tmp_path / "c.pt", detector.model)
    assert not (tmp_path / "c.pt").exists()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A valid checkpoint's path and raw dict (shared by the error cases)."""
    path = tmp_path_factory.mktemp("ckpt") / "good.pt"
    save_checkpoint(path, build_detector("test_resnet", IDS, **SMALL))
    return path, torch.load(path, weights_only=True)


def _write(tmp_path, obj, name="bad.pt"):
    path = tmp_path / name
    torch.save(obj, path)
    return path


def test_missing_file(tmp_path):
    with pytest.raises(InputFormatError, match=r"nope\.pt: checkpoint not found"):
        load_checkpoint(tmp_path / "nope.pt")


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"epoch,loss\n1,0.5\n", r"could not read it \(IndexError: pop from empty list\)"),
        (b"", r"could not read it \(EOFError"),
        ("truncated", r"could not read it \(RuntimeError: PytorchStreamReader failed"),
    ],
    ids=["text", "empty", "truncated"],
)
def test_not_a_torch_file(tmp_path, saved, content, found):
    path = tmp_path / "bad.pt"
    path.write_bytes(saved[0].read_bytes()[:2000] if content == "truncated" else content)
    expected = "bad.pt: expected a pillcmp detector checkpoint (a torch.save file"
    with pytest.raises(InputFormatError, match=re.escape(expected) + ".*" + found):
        load_checkpoint(path)


def test_pickled_code_is_refused(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(build_detector("test_resnet", IDS, **SMALL), path)  # the whole module, pickled
    with pytest.raises(InputFormatError, match=r"model\.pt: .*could not read it \(UnpicklingError"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["model"], "found no 'format' key (a bare state dict)"),
        (lambda raw: {**raw, "format": "yolo"}, "expected format 'pillcmp-detector', found 'yolo'"),
        (
            lambda raw: {**raw, "format_version": 2},
            "written by a newer pillcmp (0.1.0, format_version 2); this pillcmp (0.1.0) reads "
            "format_version up to 1: upgrade pillcmp",
        ),
        (
            lambda raw: {k: v for k, v in raw.items() if k not in ("history", "metrics")},
            "found no ['metrics', 'history']",
        ),
        (lambda raw: {**raw, "epoch": -1}, "'epoch': expected an int >= 0, found -1"),
        (
            lambda raw: {**raw, "detector": {**raw["detector"], "colour": "red"}},
            "'detector': Expected the DetectorConfig fields",
        ),
        (lambda raw: [1, 2], "expected a dict with format 'pillcmp-detector', found list"),
    ],
    ids=["bare-state-dict", "format", "newer", "missing-keys", "epoch", "config-key", "list"],
)
def test_not_a_pillcmp_checkpoint(tmp_path, saved, change, message):
    path = _write(tmp_path, change(dict(saved[1])))
    with pytest.raises(InputFormatError, match=r"(?s)bad\.pt: .*" + re.escape(message)):
        load_checkpoint(path)


def test_weights_that_do_not_fit_the_config(tmp_path, saved):
    raw = dict(saved[1])
    raw["detector"] = {**raw["detector"], "category_ids": [1, 2]}  # 2 classes, weights for 3
    path = _write(tmp_path, raw)
    with pytest.raises(InputFormatError) as info:
        load_detector(path)
    text = str(info.value)
    assert "bad.pt: the weights do not fit the checkpoint's detector config" in text
    assert "test_resnet + RetinaNet (focal loss), 2 classes at 64 px): 2 difference(s)" in text
    assert (
        "model.head.classification_head.cls_logits.weight: expected shape (18, 32, 3, 3), "
        "found (27, 32, 3, 3)" in text
    )


def test_missing_tensor_is_named(tmp_path, saved):
    raw = dict(saved[1])
    raw["model"] = {k: v for k, v in raw["model"].items() if k != "model.backbone.body.bn1.weight"}
    with pytest.raises(
        InputFormatError, match=re.escape("model.backbone.body.bn1.weight: expected, missing")
    ):
        load_detector(_write(tmp_path, raw))


def test_config_that_does_not_build_here(tmp_path, saved):
    raw = dict(saved[1])
    raw["detector"] = {**raw["detector"], "backbone": "resnet_from_the_future"}
    with pytest.raises(
        InputFormatError, match=r"bad\.pt: its detector config does not build here: backbone: "
    ):
        load_detector(_write(tmp_path, raw))


def test_config_round_trips_through_builtins():
    detector = build_detector("test_resnet", IDS, anchor_sizes=(8, 16, 32, 64, 128), **SMALL)
    config = detector.config
    d = config.to_dict()
    assert d["anchor_sizes"] == [8, 16, 32, 64, 128] and d["category_ids"] == sorted(IDS)
    assert type(config).from_dict(d) == config
    assert dataclasses.asdict(config)["category_ids"] == tuple(sorted(IDS))
