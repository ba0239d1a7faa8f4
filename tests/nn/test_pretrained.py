"""Pretrained backbone weights: a local file, or a timm tag fetched the way timm fetches it.

No test downloads anything: the Hugging Face cache is an empty folder of the test's own, and
``huggingface_hub.hf_hub_download`` is replaced by a fake that either refuses (offline) or hands
back a file the test wrote (from a random-init ``test_resnet``, timm's tiny test model).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
timm = pytest.importorskip("timm")
huggingface_hub = pytest.importorskip("huggingface_hub")
safetensors = pytest.importorskip("safetensors.torch")

from huggingface_hub.errors import LocalEntryNotFoundError, RemoteEntryNotFoundError  # noqa: E402

from pill_compare.errors import ConfigError, InputFormatError  # noqa: E402
from pill_compare.nn.backbones import TimmWeights, parse_pretrained  # noqa: E402
from pill_compare.nn.detector import build_detector  # noqa: E402

IDS = (1899, 25366, 3483)
SMALL = {"image_size": 64, "fpn_channels": 32}
# timm's default (and only) pretrained tag of its tiny test ResNet, and the hub repo it lives in
TAG = "test_resnet.r160_in1k"
REPO = "timm/test_resnet.r160_in1k"


def _classifier_weights(path: Path, seed: int = 1) -> dict:
    """A random-init test_resnet classifier's state dict (what timm's hub file holds), saved."""
    torch.manual_seed(seed)
    state = timm.create_model("test_resnet").state_dict()
    safetensors.save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    return state


def _put_in_cache(cache: Path, repo: str, filename: str, seed: int = 1) -> dict:
    """The layout huggingface_hub keeps: models--org--name/{refs/main, snapshots/<rev>/file}."""
    folder = cache / f"models--{repo.replace('/', '--')}"
    revision = "0" * 40
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(revision)
    snapshot = folder / "snapshots" / revision
    snapshot.mkdir(parents=True)
    return _classifier_weights(snapshot / filename, seed)


# --- what --pretrained names --------------------------------------------------------------------


def test_timm_means_the_backbones_default_tag_and_names_its_hub_file():
    weights = parse_pretrained("timm", "test_resnet")
    assert weights == TimmWeights(
        name=TAG,
        hf_hub_id=REPO,
        hf_filenames=("model.safetensors", "pytorch_model.bin"),  # timm's order
        url=None,  # test_resnet's weights are on the hub only
    )
    assert weights.file_url() == f"https://huggingface.co/{REPO}/resolve/main/model.safetensors"
    # resnet101's default is a1h_in1k; a tagged backbone's "timm" is its own tag
    assert parse_pretrained("timm", "resnet101").name == "resnet101.a1h_in1k"
    assert parse_pretrained("timm", "resnet101.tv_in1k").name == "resnet101.tv_in1k"


def test_a_named_tag_of_the_backbone_is_a_tag():
    assert parse_pretrained("resnet101.tv_in1k", "resnet101").hf_hub_id == "timm/resnet101.tv_in1k"
    assert parse_pretrained("resnet101", "resnet101").name == "resnet101.a1h_in1k"  # the default
    assert parse_pretrained(TAG, "test_resnet").name == TAG


def test_paths_stay_paths(tmp_path, monkeypatch):
    assert parse_pretrained(None, "resnet101") is None
    # a separator, a weights-file ending or a name timm does not know: a file (checked later)
    assert parse_pretrained("weights/r101.pth", "resnet101") == Path("weights/r101.pth")
    assert parse_pretrained("resnet101.pth", "resnet101") == Path("resnet101.pth")
    assert parse_pretrained("model.safetensors", "resnet101") == Path("model.safetensors")
    # a Path is a file whatever its name, and so is an existing file named like a tag
    assert parse_pretrained(Path("timm"), "resnet101") == Path("timm")
    monkeypatch.chdir(tmp_path)
    Path("resnet101.tv_in1k").write_bytes(b"")
    assert parse_pretrained("resnet101.tv_in1k", "resnet101") == Path("resnet101.tv_in1k")


def test_an_unknown_tag_or_another_models_tag_is_a_config_error():
    with pytest.raises(ConfigError, match=re.escape("got 'resnet101.nope' (no such tag")) as info:
        parse_pretrained("resnet101.nope", "resnet101")
    assert info.value.param == "pretrained"
    assert "resnet101's pretrained tags: resnet101.a1_in1k" in info.value.message
    with pytest.raises(
        ConfigError,
        match=re.escape("Expected pretrained weights of the backbone 'resnet101', got 'resnet50."),
    ) as info:
        parse_pretrained("resnet50.a1_in1k", "resnet101")
    assert info.value.param == "pretrained"
    # resnet200 is a timm model without any pretrained weights
    with pytest.raises(ConfigError, match="timm has no pretrained weights for resnet200"):
        parse_pretrained("timm", "resnet200")


def test_docstring_examples_hold(hub):
    import doctest

    import pill_compare.nn.backbones as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_a_backbone_with_an_unknown_tag_is_refused_with_the_tags():
    with pytest.raises(ConfigError, match=re.escape("got 'test_resnet.nope': test_resnet's")):
        build_detector("test_resnet.nope", IDS)


# --- offline --------------------------------------------------------------------------------------


def test_offline_without_the_file_says_what_to_fetch_and_where_to_put_it(hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # set after huggingface_hub's import: still read
    with pytest.raises(InputFormatError) as info:
        build_detector("test_resnet", IDS, pretrained="timm", **SMALL)
    message = str(info.value)
    assert message.startswith(
        f"{TAG}: timm's pretrained weights are not on this machine and the Hugging Face hub is "
        "off (HF_HUB_OFFLINE is set); nothing was downloaded."
    )
    assert f"Fetch model.safetensors of the Hugging Face repo {REPO} " in message
    assert f"https://huggingface.co/{REPO}/resolve/main/model.safetensors" in message
    # where it goes: the local-file form, or the Hugging Face cache folder
    assert f"--backbone {TAG} --pretrained DIR/model.safetensors" in message
    assert f"Hugging Face cache {hub} " in message
    assert "models--timm--test_resnet.r160_in1k" in message


def test_offline_with_the_file_in_the_cache_loads_it(hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    state = _put_in_cache(hub, REPO, "model.safetensors")
    detector = build_detector("test_resnet", IDS, pretrained="timm", **SMALL)
    body = detector.model.backbone.body
    assert torch.equal(body.conv1[0].weight, state["conv1.0.weight"])
    assert torch.equal(body.layer4[0].conv1.weight, state["layer4.0.conv1.weight"])
    assert detector.describe().endswith(f"timm pretrained weights {TAG}, BatchNorm frozen")
    # the tag is kept in the config: a rebuild (a checkpoint) normalises as the weights expect
    assert detector.config.backbone == TAG and detector.config.freeze_bn
    rebuilt = build_detector(config=detector.config)
    assert rebuilt.model.transform.image_mean == detector.model.transform.image_mean == [0.5] * 3


# --- online: timm's own download (faked) ---------------------------------------------------------


class _NotInRepo(RemoteEntryNotFoundError):
    """The hub's "no such file in this repo" (its real constructor wants an HTTP response)."""

    def __init__(self, message: str):
        Exception.__init__(self, message)


def test_online_the_hub_download_fetches_the_safetensors_file(hub, monkeypatch, tmp_path):
    state = _classifier_weights(tmp_path / "model.safetensors")
    calls = []

    def download(repo_id, filename, revision=None, **kwargs):
        calls.append((repo_id, filename, revision))
        return str(tmp_path / filename)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
    detector = build_detector("test_resnet", IDS, pretrained=TAG, **SMALL)
    assert calls == [(REPO, "model.safetensors", None)]
    assert torch.equal(detector.model.backbone.body.conv1[0].weight, state["conv1.0.weight"])


def test_online_a_repo_without_safetensors_falls_back_to_the_pickled_file(
    hub, monkeypatch, tmp_path
):
    torch.manual_seed(3)
    state = timm.create_model("test_resnet").state_dict()
    torch.save(state, tmp_path / "pytorch_model.bin")
    tried = []

    def download(repo_id, filename, revision=None, **kwargs):
        tried.append(filename)
        if filename == "model.safetensors":
            raise _NotInRepo("404 Client Error: Entry Not Found")
        return str(tmp_path / filename)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
    detector = build_detector("test_resnet", IDS, pretrained="timm", **SMALL)
    assert tried == ["model.safetensors", "pytorch_model.bin"]
    assert torch.equal(detector.model.backbone.body.conv1[0].weight, state["conv1.0.weight"])


def test_online_a_failed_download_says_what_to_fetch(hub, monkeypatch):
    def unreachable(repo_id, filename, **kwargs):
        # what huggingface_hub raises without a network and without the file cached
        raise LocalEntryNotFoundError(
            "An error happened while trying to locate the file on the Hub"
        )

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", unreachable)
    with pytest.raises(InputFormatError) as info:
        build_detector("test_resnet", IDS, pretrained="timm", **SMALL)
    message = str(info.value)
    assert message.startswith(
        f"{TAG}: timm's pretrained weights are not on this machine and the download failed "
        "(LocalEntryNotFoundError: An error happened while trying to locate the file on the Hub); "
        "nothing was downloaded."
    )
    assert f"--backbone {TAG} --pretrained DIR/model.safetensors" in message


def test_a_corrupt_cached_file_is_an_input_error(hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _put_in_cache(hub, REPO, "model.safetensors")
    cached = next(hub.rglob("model.safetensors"))
    cached.write_bytes(b"truncated")
    with pytest.raises(InputFormatError, match=r"could not read the file .*fetch it again"):
        build_detector("test_resnet", IDS, pretrained="timm", **SMALL)


# --- the local-file form the error suggests -----------------------------------------------------


def test_the_hub_file_given_as_a_local_file_builds_the_same_detector(hub, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    state = _put_in_cache(hub, REPO, "model.safetensors")
    from_tag = build_detector("test_resnet", IDS, pretrained="timm", **SMALL)
    path = tmp_path / "model.safetensors"
    _classifier_weights(path)  # the same seed: the same tensors
    from_file = build_detector(TAG, IDS, pretrained=path, **SMALL)
    assert from_file.config == from_tag.config
    n = len(from_file.model.backbone.body.state_dict())
    assert f"backbone weights from {path} ({n} of {n} tensors)" in from_file.describe()
    for k, v in from_file.model.backbone.body.state_dict().items():
        assert torch.equal(v, from_tag.model.backbone.body.state_dict()[k]), k
    assert torch.equal(from_file.model.backbone.body.conv1[0].weight, state["conv1.0.weight"])
