"""profile_models: parameters, GFLOPs, feature levels, timings and their conditions."""

import json
import math

import pytest

torch = pytest.importorskip("torch")
timm = pytest.importorskip("timm")

from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from pill_compare.errors import ConfigError  # noqa: E402
from pill_compare.nn.profile import count_gflops, profile_models, resolve_devices  # noqa: E402

SIZE = 64
FAST = {"image_size": SIZE, "batch_sizes": (1,), "repeats": 1, "warmup": 0, "device": "cpu"}


@pytest.fixture(scope="module")
def tiny():
    """test_resnet alone and as a RetinaNet detector, timed at batch 1 and 2 (threads=1)."""
    return profile_models(
        ["test_resnet"], image_size=SIZE, batch_sizes=(2, 1, 2), repeats=2, device="cpu", threads=1
    )


def test_features_only_parameter_counts_are_pinned():
    # The issue's numbers: timm 1.0.31's features_only extractors, all five levels.
    r = profile_models(["resnet101", "efficientnet_b3"], detectors=False, threads=1, **FAST)
    resnet, effnet = r.models
    assert (resnet.name, resnet.part, resnet.params) == ("resnet101", "backbone", 42_500_160)
    assert (effnet.name, effnet.part, effnet.params) == ("efficientnet_b3", "backbone", 10_103_336)
    assert resnet.trainable_params == resnet.params
    # the levels RetinaNet reads: strides 8, 16, 32 with feature_info's channels
    assert resnet.strides == effnet.strides == (8, 16, 32)
    assert resnet.channels == (512, 1024, 2048)
    assert effnet.channels == (48, 136, 384)


def test_gflops_are_flop_counter_modes_on_one_image():
    model = timm.create_model("test_resnet", pretrained=False, features_only=True).eval()
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        model(torch.rand(1, 3, SIZE, SIZE))
    r = profile_models(["test_resnet"], detectors=False, threads=1, **FAST)
    assert r.models[0].gflops == counter.get_total_flops() / 1e9 > 0


def test_count_gflops_is_two_per_multiply_add():
    # Conv2d(3 -> 8, 3x3, padding 1) on 16x16: 8 * 16 * 16 outputs x 3 * 3 * 3 multiply-adds each
    conv = nn.Conv2d(3, 8, 3, padding=1).eval()
    assert count_gflops(conv, torch.rand(1, 3, 16, 16)) == 2 * 8 * 16 * 16 * 27 / 1e9


def test_detector_row_follows_its_backbone_with_more_parameters(tiny):
    backbone, detector = tiny.models
    assert (backbone.part, detector.part) == ("backbone", "detector")
    assert detector.name == backbone.name == "test_resnet"
    assert detector.params > backbone.params and detector.gflops > backbone.gflops
    assert backbone.strides == (8, 16, 32) and backbone.channels == (48, 192, 96)
    # RetinaNet: the FPN's P3-P5 plus P6, P7, all 256 channels
    assert detector.strides == (8, 16, 32, 64, 128)
    assert detector.channels == (256,) * 5


def test_faster_rcnn_detector_reads_strides_4_to_32_plus_the_pooled_level():
    r = profile_models(["test_efficientnet"], head="fasterrcnn", threads=1, **FAST)
    backbone, detector = r.models
    assert backbone.strides == (4, 8, 16, 32) and backbone.channels == (24, 32, 48, 64)
    assert detector.strides == (4, 8, 16, 32, 64) and detector.channels == (256,) * 5
    assert r.head == "fasterrcnn"


def test_timings_per_device_and_sorted_batch_size(tiny):
    assert tiny.batch_sizes == (1, 2) and tiny.devices.keys() == {"cpu"}
    for m in tiny.models:
        assert [(t.device, t.batch_size) for t in m.timings] == [("cpu", 1), ("cpu", 2)]
        for t in m.timings:
            assert len(t.runs_ms) == 2 and t.latency_ms == pytest.approx(sum(t.runs_ms) / 2)
            assert t.images_per_s == pytest.approx(t.batch_size / (t.latency_ms / 1e3))
            assert t.peak_mib is None or t.peak_mib >= 0
        assert m.timing("cpu", 2) is m.timings[1] and m.timing("cuda", 1) is None


def test_conditions_are_recorded(tiny):
    assert tiny.threads == 1 and tiny.image_size == SIZE and tiny.repeats == 2
    assert tiny.versions["torch"] == torch.__version__
    assert tiny.versions["timm"] == timm.__version__
    assert tiny.devices["cpu"]  # the CPU's model name


def test_json_has_the_documented_key_paths(tiny):
    data = json.loads(json.dumps(tiny.to_dict()))
    assert data["image_size"] == SIZE and data["threads"] == 1
    assert data["torch_version"] == torch.__version__ and data["devices"].keys() == {"cpu"}
    m = data["models"][1]
    assert (m["name"], m["part"], m["strides"]) == ("test_resnet", "detector", [8, 16, 32, 64, 128])
    assert m["latency_ms"]["cpu"]["b1"] > 0 and m["throughput"]["cpu"]["b2"] > 0
    assert set(m["peak_mib"]["cpu"]) == {"b1", "b2"} and len(m["runs_ms"]["cpu"]["b2"]) == 2
    assert set(data["definitions"]) >= {"params", "gflops", "latency_ms", "peak_mib"}


def test_frame_has_one_row_per_model_part(tiny):
    frame = tiny.to_frame()
    assert frame["part"].tolist() == ["backbone", "detector"]
    assert frame.loc[1, "strides"] == "8 16 32 64 128"
    assert math.isclose(frame.loc[0, "cpu_b2_latency_ms"], tiny.models[0].timings[1].latency_ms)


def test_threads_and_the_global_rng_are_left_as_they_were():
    before_threads, before_rng = torch.get_num_threads(), torch.random.get_rng_state()
    settings = {**FAST, "image_size": 32}
    r = profile_models(["test_efficientnet"], detectors=False, threads=2, **settings)
    assert r.threads == 2
    assert torch.get_num_threads() == before_threads
    assert torch.equal(torch.random.get_rng_state(), before_rng)


def test_unknown_backbones_are_listed_with_close_matches_before_anything_is_built():
    with pytest.raises(ConfigError, match="Expected a timm model name") as info:
        profile_models(["test_resnet", "resnet1O1", "efficientnet_b9"], **FAST)
    assert info.value.param == "backbones"
    assert "got 'resnet1O1'; close matches: 'resnet101'" in info.value.problems[0]
    assert "efficientnet_b8" in info.value.problems[1]


def test_a_backbone_that_cannot_take_the_image_size_is_a_config_error():
    # timm's ViT has a features_only extractor, but a fixed 224 px input
    with pytest.raises(ConfigError, match=r"vit_tiny_patch16_224 \(backbone\) fails on 64 x 64 "):
        profile_models(["vit_tiny_patch16_224"], detectors=False, **FAST)


def test_a_backbone_without_the_heads_strides_is_refused_by_the_detector():
    settings = {**FAST, "image_size": 224}
    with pytest.raises(ConfigError, match=r"feature strides \[8, 16, 32\]") as info:
        profile_models(["vit_tiny_patch16_224"], threads=1, **settings)
    assert info.value.param == "backbones"  # build_detector's 'backbone', renamed


@pytest.mark.parametrize(
    ("override", "param", "message"),
    [
        ({"image_size": 16}, "image_size", "image_size must be an integer >= 32, got 16"),
        ({"batch_sizes": (1, 0)}, "batch_sizes", "every batch size must be an integer >= 1"),
        ({"batch_sizes": ()}, "batch_sizes", "batch_sizes must be one or more integers"),
        ({"head": "yolo"}, "head", "head must be one of retinanet, fasterrcnn, got 'yolo'"),
        ({"repeats": 0}, "repeats", "repeats must be an integer >= 1, got 0"),
        ({"threads": 0}, "threads", "threads must be an integer >= 1, got 0"),
        ({"device": "tpu"}, "device", "device must be one of cpu, cuda, auto, all, got 'tpu'"),
    ],
)
def test_bad_settings_name_their_parameter(override, param, message):
    with pytest.raises(ConfigError, match=message) as info:
        profile_models(["test_resnet"], **{**FAST, **override})
    assert info.value.param == param


def test_a_string_instead_of_a_list_of_names_is_a_type_error():
    with pytest.raises(TypeError, match="Expected a sequence of backbone names, got the string"):
        profile_models("resnet101", **FAST)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_devices_without_cuda():
    assert resolve_devices("all") == resolve_devices("auto") == ("cpu",)
    with pytest.raises(ConfigError, match="no CUDA device is available here") as info:
        resolve_devices("cuda")
    assert info.value.param == "device"
