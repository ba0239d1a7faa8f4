"""predict: a checkpoint over a folder of images gives Detections with the dataset's category ids,
the GT's (or the numeric stems') image ids, boxes in GT coordinates, thresholds applied."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

from pill_compare.core import GroundTruth  # noqa: E402
from pill_compare.errors import ConfigError, ConsistencyError, InputFormatError  # noqa: E402
from pill_compare.io import ground_truth_from_dict  # noqa: E402
from pill_compare.nn.checkpoint import save_checkpoint  # noqa: E402
from pill_compare.nn.detector import build_detector  # noqa: E402
from pill_compare.nn.predict import predict, resolve_weights, stem_ground_truth  # noqa: E402
from tests.conftest import SAMPLE  # noqa: E402

#: The sample's photos are 0.25 x the GT's 976x1280 (data/make_sample.py PHOTO_SCALE).
PHOTO_SCALE = 0.25
#: Images of the sample used here: few, so that every predict call takes well under a second.
N_IMAGES = 4


def sample_subset(n: int = N_IMAGES, *, size: tuple[float, float] | None = None) -> dict:
    """The sample GT's first ``n`` images with their annotations and every category; ``size``
    overrides each image's width and height."""
    doc = json.loads((SAMPLE / "ground_truth.json").read_text())
    images = [dict(img) for img in doc["images"][:n]]
    if size is not None:
        for img in images:
            img["width"], img["height"] = size
    ids = {img["id"] for img in images}
    return {
        "images": images,
        "annotations": [a for a in doc["annotations"] if a["image_id"] in ids],
        "categories": doc["categories"],
    }


def sample_category_ids() -> list[int]:
    doc = json.loads((SAMPLE / "ground_truth.json").read_text())
    return sorted(c["id"] for c in doc["categories"])


def write_tiny_checkpoint(path: Path, category_ids: list[int] | None = None) -> Path:
    """A randomly initialised test_resnet RetinaNet at 64 px (0.4 M parameters) saved to ``path``."""
    torch.manual_seed(0)
    detector = build_detector(
        "test_resnet", category_ids or sample_category_ids(), image_size=64, fpn_channels=16
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_checkpoint(path, detector)


def copy_as(names: dict[str, str], dest: Path) -> Path:
    """Copy sample photos (GT file_name → new name) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for src, new in names.items():
        shutil.copyfile(SAMPLE / "images" / src, dest / new)
    return dest


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A run folder holding best.pt."""
    run = tmp_path_factory.mktemp("run")
    write_tiny_checkpoint(run / "best.pt")
    return run


@pytest.fixture(scope="module")
def subset() -> GroundTruth:
    return ground_truth_from_dict(sample_subset(), source="subset.json")


@pytest.fixture(scope="module")
def result(run_dir, subset):
    """Everything the random model returns (score_thr 0), 10 per image."""
    return predict(
        run_dir / "best.pt", SAMPLE / "images", gt=subset, score_thr=0.0, max_per_image=10
    )


def test_detections_carry_the_dataset_category_ids_and_the_gt_image_ids(result, subset):
    dets = result.detections
    assert len(dets) == 10 * N_IMAGES  # random init scores ~0.01: score_thr 0 keeps all
    assert set(dets.category_id.tolist()) <= set(sample_category_ids())
    assert set(dets.category_id.tolist()).isdisjoint(range(22))  # never contiguous labels
    assert dets.image_id.tolist() == np.repeat(subset.images.id, 10).tolist()
    assert dets.name == "test_resnet"
    assert result.images == N_IMAGES
    assert result.device == "cpu"
    assert result.images_per_second == pytest.approx(N_IMAGES / result.seconds)
    assert result.warnings == ()


def test_each_image_is_sorted_by_score_and_boxes_are_positive_xywh(result):
    dets = result.detections
    for image_id in np.unique(dets.image_id):
        scores = dets.score[dets.image_id == image_id]
        assert np.all(np.diff(scores) <= 0)
    assert np.all(dets.bbox[:, 2:] >= 0)


def test_boxes_are_scaled_back_to_the_gt_size_of_a_downscaled_file(run_dir, subset, result):
    # Same files, a GT that says they are full size: the same detections, boxes 4x smaller.
    photo_size = (976 * PHOTO_SCALE, 1280 * PHOTO_SCALE)
    same_size = ground_truth_from_dict(sample_subset(size=photo_size), source="photo_size.json")
    small = predict(
        run_dir, SAMPLE / "images", gt=same_size, score_thr=0.0, max_per_image=10
    ).detections
    np.testing.assert_array_equal(small.score, result.detections.score)
    np.testing.assert_allclose(result.detections.bbox, small.bbox / PHOTO_SCALE, rtol=1e-12)
    # and the boxes lie in the GT's 976x1280 image, not in the 244x320 file
    assert result.detections.bbox[:, 0].max() > 244


def test_boxes_without_area_are_left_out_and_edges_stay_inside_the_gt_image(
    run_dir, subset, monkeypatch
):
    from pill_compare.nn.detector import Detector

    # What torchvision returns for boxes past the edges of a 244x320 file: clipped to it, some
    # with no height or width left (COCO results need w, h > 0), and float32 edges a hair out.
    boxes = [[10, 20, 50, 60], [100, 320, 140, 320], [243.99998, 0, 243.99998, 30]]
    boxes.append([200, 100, 244.00002, 150])

    def fake_forward(self, images, targets=None):
        out = {
            "boxes": torch.tensor(boxes, dtype=torch.float32),
            "scores": torch.tensor([0.9, 0.8, 0.7, 0.6]),
            "category_ids": torch.tensor([1899] * 4),
        }
        return [out for _ in images]

    monkeypatch.setattr(Detector, "forward", fake_forward)
    # max_per_image counts real boxes: the two without area (0.8, 0.7) do not crowd out 0.6
    result = predict(run_dir, SAMPLE / "images", gt=subset, score_thr=0.0, max_per_image=2)
    assert result.dropped == 2 * N_IMAGES
    first = result.detections.select(result.detections.image_id == int(subset.images.id[0]))
    np.testing.assert_allclose(first.bbox, [[40, 80, 160, 160], [800, 400, 176, 200]], rtol=1e-6)
    assert first.bbox[1, 0] + first.bbox[1, 2] == 976.0  # clipped to the GT width
    assert first.score.tolist() == pytest.approx([0.9, 0.6])


def test_image_ids_come_from_numeric_stems_without_gt(run_dir, subset, result, tmp_path):
    names = list(subset.images.file_name)
    folder = copy_as({names[0]: "12.png", names[1]: "5.png", names[2]: "007.png"}, tmp_path)
    (folder / "notes.txt").write_text("not an image")  # other files are not images: ignored
    dets = predict(run_dir, folder, score_thr=0.0, max_per_image=10).detections
    assert dets.image_id.tolist() == [5] * 10 + [7] * 10 + [12] * 10
    # without a GT size, boxes stay in the file's pixels: the scale-1 run's boxes
    first = result.detections.select(result.detections.image_id == int(subset.images.id[0]))
    twelve = dets.select(dets.image_id == 12)
    np.testing.assert_allclose(twelve.bbox, first.bbox * PHOTO_SCALE, rtol=1e-12)


def test_stem_ground_truth_names_non_numeric_files_and_suggests_a_ground_truth(tmp_path):
    first = sample_subset(1)["images"][0]["file_name"]
    copy_as({first: first}, tmp_path)
    shutil.copyfile(tmp_path / first, tmp_path / "3.png")
    with pytest.raises(ConsistencyError, match=r"1 of 2 image file names are not image ids") as e:
        stem_ground_truth(tmp_path)
    assert "give the ground truth" in str(e.value)
    assert first in str(e.value)


def test_two_files_with_the_same_id_are_refused(tmp_path):
    first = sample_subset(1)["images"][0]["file_name"]
    copy_as({first: "7.png"}, tmp_path)
    shutil.copyfile(tmp_path / "7.png", tmp_path / "007.jpg")
    with pytest.raises(ConsistencyError, match=r"1 image id\(s\) have more than one file") as e:
        stem_ground_truth(tmp_path)
    assert "007.jpg, 7.png" in str(e.value)


def test_an_empty_folder_is_refused(run_dir, tmp_path):
    with pytest.raises(InputFormatError, match=r"no image files"):
        predict(run_dir, tmp_path)


def test_gt_images_without_a_file_are_listed(run_dir, subset, tmp_path):
    names = list(subset.images.file_name)
    folder = copy_as({names[0]: names[0]}, tmp_path)
    with pytest.raises(ConsistencyError, match=r"3 of 4 image\(s\) of subset.json have no file"):
        predict(run_dir, folder, gt=subset)


def test_score_thr_and_max_per_image_select_from_the_full_output(run_dir, subset, result):
    full = result.detections
    cut = float(np.median(full.score))
    kept = predict(run_dir, SAMPLE / "images", gt=subset, score_thr=cut, max_per_image=3)
    dets = kept.detections
    assert np.all(dets.score >= cut)
    for image_id in subset.images.id:
        mine = dets.score[dets.image_id == image_id]
        theirs = full.score[(full.image_id == image_id) & (full.score >= cut)][:3]
        np.testing.assert_array_equal(mine, theirs)


def test_a_score_equal_to_score_thr_is_kept(run_dir, subset, result):
    # torchvision's heads keep score > their threshold; predict keeps score >= score_thr
    top = float(result.detections.score.max())
    dets = predict(run_dir, SAMPLE / "images", gt=subset, score_thr=top).detections
    assert len(dets) >= 1
    assert set(dets.score.tolist()) == {top}


def test_max_per_image_above_the_model_default_is_honoured(run_dir, subset):
    # the head's own cap (detections_per_img = 100) must not cut first
    dets = predict(
        run_dir,
        SAMPLE / "images",
        gt=ground_truth_from_dict(sample_subset(1)),
        score_thr=0.0,
        max_per_image=150,
    ).detections
    assert len(dets) == 150


def test_a_run_folder_means_its_best_checkpoint(run_dir, tmp_path):
    assert resolve_weights(run_dir) == run_dir / "best.pt"
    (tmp_path / "last.pt").write_bytes(b"")
    with pytest.raises(InputFormatError, match=r"a run folder without best.pt; it has last.pt"):
        resolve_weights(tmp_path)
    with pytest.raises(InputFormatError, match=r"no such checkpoint"):
        resolve_weights(tmp_path / "nothing.pt")


def test_a_corrupt_checkpoint_is_an_input_format_error(subset, tmp_path):
    bad = tmp_path / "best.pt"
    bad.write_bytes(b"not a torch file")
    with pytest.raises(InputFormatError, match=r"best.pt"):
        predict(bad, SAMPLE / "images", gt=subset)


def test_model_categories_the_gt_lacks_give_a_warning(subset, tmp_path):
    weights = write_tiny_checkpoint(tmp_path / "other.pt", [1, 2, 3])
    out = predict(weights, SAMPLE / "images", gt=subset, max_per_image=1)
    assert len(out.warnings) == 1
    assert "3 category id(s) that subset.json does not declare (1, 2, 3)" in out.warnings[0]


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"score_thr": 1.5}, "score_thr", r"must be a score in \[0, 1\], got 1.5"),
        ({"score_thr": float("nan")}, "score_thr", r"got nan"),
        ({"max_per_image": 0}, "max_per_image", r"must be at least 1, got 0"),
        ({"batch_size": 0}, "batch_size", r"must be at least 1, got 0"),
        ({"device": "tpu"}, "device", r"must be one of auto, cpu, cuda \(or cuda:N\), got 'tpu'"),
    ],
)
def test_bad_parameters_are_config_errors_naming_the_parameter(run_dir, kwargs, param, message):
    with pytest.raises(ConfigError, match=message) as e:
        predict(run_dir, SAMPLE / "images", **kwargs)
    assert e.value.param == param


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_a_gpu_is_refused(run_dir, subset):
    with pytest.raises(ConfigError, match=r"CUDA is not available here"):
        predict(run_dir, SAMPLE / "images", gt=subset, device="cuda")


def test_programmer_misuse_raises_type_error(run_dir):
    with pytest.raises(TypeError, match=r"Expected max_per_image to be an int, got float"):
        predict(run_dir, SAMPLE / "images", max_per_image=2.0)
    with pytest.raises(TypeError, match=r"Expected gt to be GroundTruth, got dict"):
        predict(run_dir, SAMPLE / "images", gt={})
