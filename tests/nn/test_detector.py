"""build_detector: timm features_only backbones, an FPN sized from feature_info, two heads."""

import re

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.errors import ConfigError  # noqa: E402
from pill_compare.nn.detector import CategoryMap, Detector, build_detector  # noqa: E402

IDS = (1899, 25366, 3483)
SIZE = 64


def _targets():
    return [
        {"boxes": torch.tensor([[5.0, 6.0, 40.0, 44.0]]), "category_ids": torch.tensor([25366])},
        {"boxes": torch.tensor([[10.0, 8.0, 50.0, 30.0]]), "category_ids": torch.tensor([1899])},
    ]


@pytest.mark.parametrize("backbone", ["test_resnet", "test_efficientnet"])
@pytest.mark.parametrize("head", ["retinanet", "fasterrcnn"])
def test_both_heads_build_and_take_a_training_step(backbone, head):
    torch.manual_seed(0)
    detector = build_detector(backbone, IDS, head=head, image_size=SIZE, fpn_channels=32)
    assert isinstance(detector, Detector) and detector.training
    losses = detector([torch.rand(3, SIZE, SIZE), torch.rand(3, SIZE, SIZE)], _targets())
    total = sum(losses.values())
    total.backward()
    assert torch.isfinite(total)


def test_composite_loss_with_faster_rcnn_is_a_config_error():
    with pytest.raises(ConfigError, match="composite loss goes with RetinaNet only") as info:
        build_detector("test_resnet", IDS, head="fasterrcnn", loss="composite")
    assert info.value.param == "loss"


def test_unknown_backbone_is_a_config_error_with_close_matches():
    with pytest.raises(ConfigError, match=re.escape("did you mean 'resnet101'")) as info:
        build_detector("resnet1011", IDS)
    assert info.value.param == "backbone"


def test_category_map_round_trips_non_contiguous_ids():
    m = CategoryMap(IDS, offset=1)
    ids = torch.tensor([3483, 1899, 25366, 1899])
    assert m.to_labels(ids).tolist() == [3, 1, 2, 1]
    assert torch.equal(m.to_ids(m.to_labels(ids)), ids)
