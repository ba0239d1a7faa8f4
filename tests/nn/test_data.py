"""DetectionDataset, train_transforms, collate_detection: boxes follow the image, files are
found safely, downscaled copies are scaled, crowds and empty images are handled."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

from PIL import Image, ImageDraw  # noqa: E402

from pill_compare.errors import ConsistencyError, InputFormatError  # noqa: E402
from pill_compare.io import ground_truth_from_dict  # noqa: E402
from pill_compare.nn.data import (  # noqa: E402
    DetectionDataset,
    collate_detection,
    eval_transforms,
    train_transforms,
)
from tests.conftest import SAMPLE  # noqa: E402

#: The pill drawn by :func:`draw_pill`: an ellipse filling the box (x0, y0, x1, y1) in a 64 x 48 image.
PILL = (6, 10, 22, 34)
W, H = 64, 48


def draw_pill(path, box=PILL, size=(W, H), colour=(250, 250, 250)):
    """A bright ellipse filling ``box`` on a black image of ``size`` (w, h), saved as PNG."""
    image = Image.new("RGB", size)
    ImageDraw.Draw(image).ellipse([box[0], box[1], box[2] - 1, box[3] - 1], fill=colour)
    image.save(path)


def gt_doc(images, annotations=(), categories=(7, 9)):
    """A COCO ground truth: ``images`` are (id, file_name, width, height); annotations
    (image_id, category_id, xywh, iscrowd)."""
    return {
        "images": [{"id": i, "file_name": f, "width": w, "height": h} for i, f, w, h in images],
        "annotations": [
            {
                "id": k,
                "image_id": i,
                "category_id": c,
                "bbox": list(b),
                "area": b[2] * b[3],
                "iscrowd": crowd,
            }
            for k, (i, c, b, crowd) in enumerate(annotations, start=1)
        ],
        "categories": [{"id": c, "name": f"c{c}"} for c in categories],
    }


def pill_dataset(tmp_path, **kwargs):
    """One 64 x 48 image with the pill :data:`PILL` annotated as category 7."""
    draw_pill(tmp_path / "a.png")
    x0, y0, x1, y1 = PILL
    doc = gt_doc([(1, "a.png", W, H)], [(1, 7, (x0, y0, x1 - x0, y1 - y0), 0)])
    return DetectionDataset(ground_truth_from_dict(doc, source="gt.json"), tmp_path, **kwargs)


def bright_box(image):
    """The xyxy box around the pixels brighter than half (the drawn pill after transforms)."""
    ys, xs = torch.nonzero(image.mean(0) > 0.5, as_tuple=True)
    return torch.stack([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]).float()


def sample_gt_dict(n=4):
    """The first ``n`` images of data/sample (244 x 320 files for 976 x 1280 sizes) with their
    annotations, as a COCO dict (the real file names: the images stay in data/sample/images)."""
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    images = doc["images"][:n]
    ids = {im["id"] for im in images}
    return {
        "images": images,
        "annotations": [a for a in doc["annotations"] if a["image_id"] in ids],
        "categories": doc["categories"],
    }


def test_dataset_returns_a_float_image_and_xyxy_boxes_in_the_files_pixels(tmp_path):
    image, target = pill_dataset(tmp_path)[0]
    assert image.shape == (3, H, W) and image.dtype == torch.float32
    assert image.min() >= 0 and image.max() <= 1
    assert target["boxes"].tolist() == [list(map(float, PILL))]
    assert target["boxes"].format.value == "XYXY" and target["boxes"].canvas_size == (H, W)
    assert target["category_ids"].tolist() == [7] and target["category_ids"].dtype == torch.int64
    assert target["image_id"] == 1 and target["scale"] == (1.0, 1.0)
    assert torch.equal(bright_box(image), target["boxes"][0])


def test_boxes_follow_the_pill_through_rotation_and_zoom(tmp_path):
    data = pill_dataset(
        tmp_path, transforms=train_transforms(rotation=20, scale_jitter=(0.8, 1.2), colour=0)
    )
    moved = 0
    for seed in range(8):
        torch.manual_seed(seed)
        image, target = data[0]
        (box,) = target["boxes"]
        pixels = bright_box(image)
        # the box is the box around the rotated corners: it holds the pill, centred on it
        assert (box[:2] <= pixels[:2] + 1).all() and (box[2:] >= pixels[2:] - 1).all()
        assert torch.allclose((box[:2] + box[2:]) / 2, (pixels[:2] + pixels[2:]) / 2, atol=1.5)
        moved += not torch.allclose(box, torch.tensor(PILL, dtype=torch.float32), atol=0.5)
    assert moved >= 6


def test_a_flip_moves_the_box_with_the_pill_and_is_off_by_default(tmp_path):
    flipping = pill_dataset(tmp_path, transforms=train_transforms(hflip=True, colour=0))
    default = pill_dataset(tmp_path, transforms=train_transforms())
    sides = set()
    for seed in range(10):
        torch.manual_seed(seed)
        image, target = flipping[0]
        (box,) = target["boxes"]
        pixels = bright_box(image)
        assert torch.allclose((box[:2] + box[2:]) / 2, (pixels[:2] + pixels[2:]) / 2, atol=1.5)
        sides.add(bool(box[0] > W / 2))
        torch.manual_seed(seed)
        _, target = default[0]
        assert target["boxes"][0, 2] < W / 2  # the pill stays on the left: never flipped
    assert sides == {False, True}


def test_colour_jitter_keeps_a_pills_colour_class(tmp_path):
    draw_pill(tmp_path / "a.png", colour=(230, 120, 30))  # orange
    doc = gt_doc([(1, "a.png", W, H)], [(1, 7, (6, 10, 16, 24), 0)])
    data = DetectionDataset(
        ground_truth_from_dict(doc), tmp_path, transforms=train_transforms(colour=0.1)
    )
    cx, cy = 14, 22
    for seed in range(10):
        torch.manual_seed(seed)
        image, _ = data[0]
        r, g, b = image[:, cy, cx].tolist()
        assert r > g > b and r - b > 0.5  # still orange: no hue shift


def test_too_strong_colour_jitter_is_refused():
    with pytest.raises(ValueError, match=r"Expected colour in \[0, 0.1\].*got 0.3"):
        train_transforms(colour=0.3)
    with pytest.raises(ValueError, match="Expected scale_jitter"):
        train_transforms(scale_jitter=(1.2, 0.8))


def test_a_downscaled_copy_gets_its_boxes_scaled_by_file_size_over_gt_size(tmp_path):
    draw_pill(tmp_path / "a.png", size=(W, H))  # the ground truth annotated it at 4x
    doc = gt_doc([(1, "a.png", 4 * W, 4 * H)], [(1, 9, (24.0, 40.0, 64.0, 96.0), 0)])
    data = DetectionDataset(ground_truth_from_dict(doc), tmp_path)
    image, target = data[0]
    assert image.shape == (3, H, W)
    assert target["boxes"].tolist() == [[6.0, 10.0, 22.0, 34.0]]  # (24, 40, 24+64, 40+96) / 4
    assert target["scale"] == (0.25, 0.25)
    assert data.scales.tolist() == [[0.25, 0.25]]


def test_a_file_whose_aspect_ratio_differs_from_the_gt_size_is_refused(tmp_path):
    draw_pill(tmp_path / "a.png", size=(W, W))
    doc = gt_doc([(1, "a.png", 4 * W, 4 * H)])
    with pytest.raises(ConsistencyError, match="do not have the aspect ratio") as err:
        DetectionDataset(ground_truth_from_dict(doc, source="gt.json"), tmp_path)
    assert "image 1 'a.png': the file is 64 x 64, the ground truth says 256 x 192" in str(err.value)


def test_missing_images_are_an_error_naming_the_first_few(tmp_path):
    draw_pill(tmp_path / "a.png")
    images = [(1, "a.png", W, H)] + [(i, f"missing{i}.png", W, H) for i in range(2, 10)]
    with pytest.raises(ConsistencyError, match=r"8 of 9 image\(s\) of gt.json have no file") as err:
        DetectionDataset(ground_truth_from_dict(gt_doc(images), source="gt.json"), tmp_path)
    text = str(err.value)
    assert "image 2 'missing2.png': not found" in text and "missing6.png" in text
    assert "missing7.png" not in text and "and 3 more problem(s)" in text


def test_a_file_name_leading_outside_the_folder_is_refused(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    draw_pill(tmp_path / "secret.png")
    doc = gt_doc([(1, "../secret.png", W, H)])
    with pytest.raises(ConsistencyError, match="refused: the name leads outside the folder"):
        DetectionDataset(ground_truth_from_dict(doc), folder)


def test_a_file_that_is_not_an_image_is_an_input_error(tmp_path):
    (tmp_path / "a.png").write_text("not a png")
    with pytest.raises(InputFormatError, match=r"a\.png: expected an image file"):
        DetectionDataset(ground_truth_from_dict(gt_doc([(1, "a.png", W, H)])), tmp_path)


def test_crowds_are_left_out_and_images_without_boxes_kept_empty(tmp_path):
    draw_pill(tmp_path / "a.png")
    draw_pill(tmp_path / "b.png")
    doc = gt_doc(
        [(1, "a.png", W, H), (2, "b.png", W, H)],
        [(1, 7, (6, 10, 16, 24), 0), (1, 9, (30, 5, 20, 20), 1)],
    )
    data = DetectionDataset(ground_truth_from_dict(doc), tmp_path)
    assert len(data) == 2
    _, first = data[0]
    assert first["category_ids"].tolist() == [7] and first["boxes"].shape == (1, 4)
    _, second = data[1]
    assert second["boxes"].shape == (0, 4) and second["category_ids"].shape == (0,)


def test_an_annotation_with_a_category_the_model_lacks_is_an_error(tmp_path):
    draw_pill(tmp_path / "a.png")
    doc = gt_doc([(1, "a.png", W, H)], [(1, 9, (6, 10, 16, 24), 0)])
    with pytest.raises(ConsistencyError, match=r"category id\(s\) the model does not know: \[9\]"):
        DetectionDataset(ground_truth_from_dict(doc), tmp_path, category_ids=[7])


def test_collate_keeps_images_and_targets_as_lists_of_plain_tensors():
    gt = ground_truth_from_dict(sample_gt_dict(3))
    data = DetectionDataset(gt, SAMPLE / "images", transforms=eval_transforms())
    images, targets = collate_detection([data[0], data[1], data[2]])
    assert [im.shape for im in images] == [(3, 320, 244)] * 3
    assert all(
        type(im) is torch.Tensor and type(t["boxes"]) is torch.Tensor
        for im, t in zip(images, targets, strict=True)
    )
    counts = [int((gt.annotations.image_id == i).sum()) for i in gt.images.id]
    assert [t["boxes"].shape for t in targets] == [(c, 4) for c in counts]
    assert [t["category_ids"].shape for t in targets] == [(c,) for c in counts]
    assert [t["image_id"] for t in targets] == gt.images.id.tolist()
