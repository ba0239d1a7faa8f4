"""build_detector: timm features_only backbones, an FPN sized from feature_info, two heads."""

import dataclasses
import re

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.errors import ConfigError, InputFormatError  # noqa: E402
from pill_compare.nn.detector import (  # noqa: E402
    CategoryMap,
    Detector,
    build_detector,
    default_anchor_sizes,
    fit_anchor_sizes,
)

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
    with pytest.raises(ConfigError, match=re.escape("close matches: 'resnet101'")) as info:
        build_detector("resnet1011", IDS)
    assert info.value.param == "backbone"


def test_category_map_round_trips_non_contiguous_ids():
    m = CategoryMap(IDS, offset=1)
    ids = torch.tensor([3483, 1899, 25366, 1899])
    assert m.to_labels(ids).tolist() == [3, 1, 2, 1]
    assert torch.equal(m.to_ids(m.to_labels(ids)), ids)


# --- backbones and the FPN ----------------------------------------------------------------------


@pytest.mark.parametrize("backbone", ["test_resnet", "test_efficientnet"])
@pytest.mark.parametrize(
    ("head", "strides"), [("retinanet", [8, 16, 32]), ("fasterrcnn", [4, 8, 16, 32])]
)
def test_fpn_takes_the_feature_info_channels_of_the_chosen_strides(backbone, head, strides):
    import timm

    detector = build_detector(backbone, IDS, head=head, image_size=SIZE, fpn_channels=32)
    body = detector.model.backbone.body
    assert body.feature_info.reduction() == strides
    full = timm.create_model(backbone, pretrained=False, features_only=True).feature_info
    expected = [c for c, r in zip(full.channels(), full.reduction(), strict=True) if r in strides]
    assert body.feature_info.channels() == expected
    fpn = detector.model.backbone.fpn
    assert [block[0].in_channels for block in fpn.inner_blocks] == expected
    # every FPN level (3 + P6, P7 or 4 + pool) has fpn_channels, at the strides the anchors assume
    with torch.no_grad():
        levels = detector.model.backbone(torch.rand(1, 3, SIZE, SIZE))
    assert len(levels) == 5 and all(f.shape[1] == 32 for f in levels.values())
    assert [SIZE // f.shape[-1] for f in levels.values()][: len(strides)] == strides


def test_timm_features_only_parameter_counts_of_resnet101_and_efficientnet_b3():
    # the "42.50 M" and "10.10 M": timm's features_only extractors for out_indices
    # (1, 2, 3, 4), the strides 4-32 Faster R-CNN takes (RetinaNet's 8-32 need the same layers)
    counts = {}
    for name in ("resnet101", "efficientnet_b3"):
        body = build_detector(name, IDS, head="fasterrcnn").model.backbone.body
        assert body.feature_info.reduction() == [4, 8, 16, 32]
        counts[name] = sum(p.numel() for p in body.parameters())
    assert counts == {"resnet101": 42_500_160, "efficientnet_b3": 10_103_336}


def test_backbone_without_the_needed_strides_is_a_config_error():
    with pytest.raises(
        ConfigError, match=re.escape("got 'vit_tiny_patch16_224' with strides [16, 16, 16, 16")
    ) as info:
        build_detector("vit_tiny_patch16_224", IDS)
    assert info.value.param == "backbone"
    assert "Expected a backbone with feature strides [8, 16, 32] for RetinaNet" in str(info.value)


def test_unknown_backbone_without_a_close_match():
    with pytest.raises(ConfigError, match=r"^backbone: Expected a timm model name") as info:
        build_detector("zzzzqqq", IDS)
    assert info.value.problems == ("got 'zzzzqqq'",)


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"head": "yolo"}, "head", "Expected one of 'retinanet', 'fasterrcnn', got 'yolo'"),
        ({"loss": "l2"}, "loss", "Expected one of 'focal', 'composite', got 'l2'"),
        (
            {"loss_variant": "seed"},
            "loss_variant",
            "Expected one of 'compact', 'algorithm2', got 'seed'",
        ),
        ({"category_ids": ()}, "category_ids", "Expected at least one category id, got none"),
        ({"image_size": 16}, "image_size", "Expected an int >= 32, got 16"),
        (
            {"anchor_sizes": (16, 32, 64)},
            "anchor_sizes",
            "Expected 5 anchor sizes (ints >= 1, one per level), got [16, 32, 64]",
        ),
        ({"score_thresh": 1.5}, "score_thresh", "Expected a number in [0, 1], got 1.5"),
    ],
)
def test_bad_parameters_are_config_errors_naming_the_parameter(kwargs, param, message):
    kwargs = {"backbone": "test_resnet", "category_ids": IDS, **kwargs}
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        build_detector(**kwargs)
    assert info.value.param == param


def test_programmer_misuse_is_a_value_error():
    with pytest.raises(ValueError, match=re.escape("got unknown ['colour']")):
        build_detector("test_resnet", IDS, colour="red")
    config = build_detector("test_resnet", IDS, image_size=SIZE).config
    with pytest.raises(
        ValueError, match=re.escape("Expected either config or the parameters ['head']")
    ):
        build_detector(head="fasterrcnn", config=config)
    with pytest.raises(ValueError, match="Expected unique category ids, got repeated 7"):
        build_detector("test_resnet", (7, 7, 8))


def test_config_and_overrides_build_the_same_detector():
    first = build_detector("test_resnet", IDS, image_size=SIZE, detections_per_img=7)
    again = build_detector(config=first.config, score_thresh=0.2)
    assert again.config == dataclasses.replace(first.config, score_thresh=0.2)
    assert again.model.detections_per_img == 7 and again.model.score_thresh == 0.2
    assert first.config.category_ids == (1899, 3483, 25366)  # sorted


def test_transform_and_default_anchors_follow_image_size():
    detector = build_detector("test_resnet", IDS, image_size=512, fpn_channels=32)
    transform = detector.model.transform
    assert (transform.min_size, transform.max_size) == ((512,), 512)
    # torchvision's 32..512 px at 800 px, times 512 / 800, each with 3 scales and 3 ratios
    assert default_anchor_sizes(512) == (20, 41, 82, 164, 328)
    sizes = detector.model.anchor_generator.sizes
    assert sizes[0] == (20, 25, 32) and sizes[4] == (328, 413, 521)
    assert detector.model.anchor_generator.num_anchors_per_location() == [9] * 5
    faster = build_detector("test_resnet", IDS, head="fasterrcnn", image_size=512, fpn_channels=32)
    assert faster.model.rpn.anchor_generator.sizes == ((20,), (41,), (82,), (164,), (328,))


def test_describe_says_architecture_and_random_init_in_one_line():
    detector = build_detector("test_resnet", IDS, loss="composite", image_size=SIZE)
    assert detector.describe() == (
        "test_resnet + RetinaNet (composite loss, compact variant), 3 classes at 64 px, "
        "random init (no pretrained weights)"
    )
    faster = build_detector("test_efficientnet", [5], head="fasterrcnn", image_size=SIZE)
    assert faster.describe().startswith(
        "test_efficientnet + Faster R-CNN (its own losses), 1 class "
    )


# --- category ids in and out --------------------------------------------------------------------


def test_category_map_rejects_unknown_ids_and_labels_by_name():
    m = CategoryMap(IDS, offset=0)
    with pytest.raises(ValueError, match=re.escape("got unknown 4, 9999")):
        m.to_labels(torch.tensor([1899, 9999, 4]))
    with pytest.raises(ValueError, match=re.escape("Expected labels in [0, 3), got 3")):
        m.to_ids(torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="Expected unique category ids, got repeated 1899"):
        CategoryMap([1899, 1899], offset=0)
    with pytest.raises(
        ValueError, match=re.escape("Expected an integer tensor of category ids, got torch.float32")
    ):
        m.to_labels(torch.tensor([1899.0]))
    assert m.to_labels(torch.zeros(0, dtype=torch.long)).shape == (0,)


def test_offsets_follow_the_head():
    assert build_detector("test_resnet", IDS, image_size=SIZE).categories.offset == 0
    faster = build_detector("test_resnet", IDS, head="fasterrcnn", image_size=SIZE)
    assert faster.categories == CategoryMap(sorted(IDS), offset=1)
    assert faster.model.roi_heads.box_predictor.cls_score.out_features == 4  # background + 3


def test_unknown_category_id_in_a_target_is_named():
    detector = build_detector("test_resnet", IDS, image_size=SIZE, fpn_channels=32)
    targets = _targets()
    targets[1]["category_ids"] = torch.tensor([42])
    with pytest.raises(ValueError, match=re.escape("got unknown 42")):
        detector([torch.rand(3, SIZE, SIZE)] * 2, targets)
    with pytest.raises(
        ValueError, match=re.escape("Expected targets[0] to have 'boxes' and 'category_ids'")
    ):
        detector(
            [torch.rand(3, SIZE, SIZE)], [{"boxes": torch.zeros(0, 4), "labels": torch.zeros(0)}]
        )


@pytest.mark.parametrize("head", ["retinanet", "fasterrcnn"])
def test_eval_outputs_carry_the_datasets_category_ids(head):
    torch.manual_seed(0)
    detector = build_detector(
        "test_resnet", IDS, head=head, image_size=SIZE, fpn_channels=32, score_thresh=0.0
    ).eval()
    with torch.no_grad():
        outputs = detector([torch.rand(3, SIZE, SIZE), torch.rand(3, 100, 50)])
    for out in outputs:
        assert set(out) == {"boxes", "scores", "category_ids"}
        assert len(out["category_ids"]) > 0 and out["category_ids"].dtype == torch.int64
        assert set(out["category_ids"].tolist()) <= set(IDS)
    assert float(outputs[1]["boxes"][:, 2].max()) <= 50  # in the input image's pixels


# --- pretrained weights and BatchNorm -----------------------------------------------------------


def test_random_init_keeps_batchnorm_training():
    # timm zero-initialises each ResNet block's last BatchNorm weight; frozen, those residual
    # branches would stay off, so a random init never freezes
    detector = build_detector("test_resnet", IDS, image_size=SIZE, freeze_bn=True)
    assert detector.config.freeze_bn is False
    bn = detector.model.backbone.body.bn1
    assert bn.training and bn.weight.requires_grad


def test_pretrained_backbone_loads_from_a_local_file_and_freezes_batchnorm(tmp_path):
    torch.manual_seed(1)
    source = build_detector("test_resnet", IDS, image_size=SIZE).model.backbone.body
    path = tmp_path / "test_resnet.pt"
    torch.save({"state_dict": {"module." + k: v for k, v in source.state_dict().items()}}, path)
    torch.manual_seed(2)
    detector = build_detector("test_resnet", IDS, image_size=SIZE, fpn_channels=32, pretrained=path)
    body = detector.model.backbone.body
    assert torch.equal(body.conv1[0].weight, source.conv1[0].weight)
    n = len(source.state_dict())
    assert (
        f"backbone weights from {path} ({n} of {n} tensors), BatchNorm frozen"
        in detector.describe()
    )
    assert detector.config.freeze_bn
    detector.train()
    bn = body.bn1
    assert not bn.training and not bn.weight.requires_grad
    before = bn.running_mean.clone()
    detector([torch.rand(3, SIZE, SIZE)] * 2, _targets())
    assert torch.equal(bn.running_mean, before)  # statistics frozen too
    assert body.conv1[0].weight.requires_grad  # the convolutions still train


def test_pretrained_file_errors(tmp_path):
    with pytest.raises(InputFormatError, match=r"none\.pt: pretrained backbone weights not found"):
        build_detector("test_resnet", IDS, pretrained=tmp_path / "none.pt")
    other = tmp_path / "other.pt"
    torch.save({"encoder.weight": torch.zeros(3)}, other)
    with pytest.raises(
        InputFormatError, match=re.escape("no tensor name matches the test_resnet backbone")
    ):
        build_detector("test_resnet", IDS, pretrained=other)
    wrong = tmp_path / "wrong.pt"
    torch.save({"conv1.0.weight": torch.zeros(2, 2)}, wrong)
    with pytest.raises(InputFormatError, match=re.escape("1 tensor(s) do not fit")) as info:
        build_detector("test_resnet", IDS, pretrained=wrong)
    assert "conv1.0.weight: expected (" in str(info.value) and "found (2, 2)" in str(info.value)
    text = tmp_path / "weights.pt"
    text.write_text("not weights")
    with pytest.raises(
        InputFormatError, match=r"weights\.pt: expected a torch or safetensors state dict"
    ):
        build_detector("test_resnet", IDS, pretrained=text)


# --- anchors fitted to the ground truth ---------------------------------------------------------


def test_fit_anchor_sizes_takes_quantiles_of_the_scaled_box_sizes():
    from pill_compare.io.ground_truth import ground_truth_from_dict

    gt = ground_truth_from_dict(
        {
            "images": [
                {"id": 1, "file_name": "a.jpg", "width": 1000, "height": 500},
                {"id": 2, "file_name": "b.jpg", "width": 256, "height": 256},
            ],
            "annotations": [
                {
                    "id": 1,
                    "image_id": 1,
                    "category_id": 7,
                    "bbox": [0, 0, 100, 100],
                    "area": 1e4,
                    "iscrowd": 0,
                },
                {
                    "id": 2,
                    "image_id": 1,
                    "category_id": 7,
                    "bbox": [0, 0, 200, 50],
                    "area": 1e4,
                    "iscrowd": 0,
                },
                {
                    "id": 3,
                    "image_id": 2,
                    "category_id": 7,
                    "bbox": [0, 0, 10, 40],
                    "area": 400,
                    "iscrowd": 0,
                },
                {
                    "id": 4,
                    "image_id": 2,
                    "category_id": 7,
                    "bbox": [0, 0, 64, 64],
                    "area": 4096,
                    "iscrowd": 0,
                },
                {
                    "id": 5,
                    "image_id": 2,
                    "category_id": 7,
                    "bbox": [0, 0, 200, 200],
                    "area": 4e4,
                    "iscrowd": 1,
                },
            ],
            "categories": [{"id": 7, "name": "pill"}],
        }
    )
    # at 512 px: image 1 scales by 512 / 1000, image 2 by 2; sqrt(w h) = 100, 100 -> 51.2, 51.2;
    # 20, 64 -> 40, 128; the crowd box is left out. Sorted [40, 51.2, 51.2, 128]; numpy's linear
    # quantiles at 0.1, 0.3, 0.5, 0.7, 0.9 sit at positions 0.3, 0.9, 1.5, 2.1, 2.7:
    # 43.36, 50.08, 51.2, 58.88, 104.96
    assert fit_anchor_sizes(gt, 512) == (43, 50, 51, 59, 105)
    assert fit_anchor_sizes(gt, 512, levels=1) == (51,)
    detector = build_detector(
        "test_resnet", [7], anchor_sizes=fit_anchor_sizes(gt, 512), fpn_channels=32
    )
    assert detector.model.anchor_generator.sizes[0][0] == 43


def test_fit_anchor_sizes_needs_boxes():
    from pill_compare.io.ground_truth import ground_truth_from_dict

    gt = ground_truth_from_dict(
        {
            "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
            "annotations": [],
            "categories": [{"id": 7, "name": "pill"}],
        },
        source="empty.json",
    )
    with pytest.raises(
        InputFormatError, match=r"empty\.json: no \(non-crowd\) box to fit anchor sizes to"
    ):
        fit_anchor_sizes(gt, 512)


def test_docstring_examples_hold():
    import doctest

    import pill_compare.nn.detector as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_pretrained_safetensors_file_loads(tmp_path):
    safetensors = pytest.importorskip("safetensors.torch")
    source = build_detector("test_efficientnet", IDS, image_size=SIZE).model.backbone.body
    path = tmp_path / "test_efficientnet.safetensors"
    safetensors.save_file({k: v.contiguous() for k, v in source.state_dict().items()}, path)
    detector = build_detector("test_efficientnet", IDS, image_size=SIZE, pretrained=path)
    body = detector.model.backbone.body
    assert torch.equal(body.conv_stem.weight, source.conv_stem.weight)
    assert "backbone weights from" in detector.describe()


def test_training_takes_torchvision_tv_tensors():
    from torchvision import tv_tensors

    detector = build_detector("test_resnet", IDS, image_size=SIZE, fpn_channels=32)
    image = tv_tensors.Image(torch.rand(3, SIZE, SIZE))
    boxes = tv_tensors.BoundingBoxes(
        torch.tensor([[4.0, 4.0, 40.0, 44.0]]), format="XYXY", canvas_size=(SIZE, SIZE)
    )
    losses = detector([image], [{"boxes": boxes, "category_ids": torch.tensor([3483])}])
    assert torch.isfinite(sum(losses.values()))
