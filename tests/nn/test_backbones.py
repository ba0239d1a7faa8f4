"""One builder of timm feature extractors: the detector and the profiler refuse alike."""

import pytest

torch = pytest.importorskip("torch")
timm = pytest.importorskip("timm")

from pill_compare.errors import ConfigError  # noqa: E402
from pill_compare.nn.detector import build_detector  # noqa: E402
from pill_compare.nn.profile import profile_models  # noqa: E402

FAST = {"image_size": 32, "batch_sizes": (1,), "repeats": 1, "warmup": 0, "device": "cpu"}


def _refusals(monkeypatch, name):
    """The ConfigErrors of build_detector(name) and profile_models([name]) (backbone alone)."""
    with pytest.raises(ConfigError) as built:
        build_detector(name, (1, 2))
    with pytest.raises(ConfigError) as profiled:
        profile_models([name], detectors=False, **FAST)
    return built.value, profiled.value


def test_an_unknown_name_gets_the_same_message_from_the_detector_and_the_profiler(monkeypatch):
    built, profiled = _refusals(monkeypatch, "resnet1O1")
    assert (built.param, profiled.param) == ("backbone", "backbones")  # each names its argument
    assert built.message == profiled.message
    assert built.problems == profiled.problems
    assert built.message.startswith("Expected a timm model name")
    assert "got 'resnet1O1'; close matches: 'resnet101'" in built.problems[0]


@pytest.mark.parametrize("error", [ValueError, KeyError, RuntimeError, AssertionError])
def test_a_model_timm_cannot_build_features_for_is_the_same_config_error_in_both(
    monkeypatch, error
):
    # timm raises a different exception type per model family when features_only fails; every one
    # is a ConfigError with timm's reason, never an internal error (exit 70) in either command.
    def refuse(name, **kwargs):
        raise error("features_only not implemented for this model")

    monkeypatch.setattr(timm, "create_model", refuse)
    built, profiled = _refusals(monkeypatch, "test_resnet")
    assert built.message == profiled.message
    reason = str(error("features_only not implemented for this model"))  # KeyError quotes it
    assert built.message == (
        f"Expected a timm model that supports features_only, got 'test_resnet' "
        f"({error.__name__}: {reason}); pick a convolutional backbone such as resnet101 or "
        "efficientnet_b3"
    )
