"""The gallery without a ground truth: boxes are in the photo's pixels, and a box outside the
photo is a finding (a note), never a silent drawing off the frame."""

from __future__ import annotations

import shutil

import numpy as np

from pill_compare.analysis.compare import compare
from pill_compare.core import Detections
from pill_compare.io import load_ground_truth, load_results
from pill_compare.report.gallery import boxes_outside, build_gallery, rank_images
from pill_compare.report.messages import catalogue
from tests.conftest import SAMPLE


def _one_box(box):
    return Detections(
        image_id=np.array([1]),
        category_id=np.array([7]),
        bbox=np.array([box], dtype=float),
        score=np.array([0.9]),
        name="a",
    )


def test_boxes_outside_counts_boxes_beyond_the_photo_once_scaled():
    # A box [200, 300, 60, 40]: at scale 1 it reaches x = 260 > 244 + 1 on a 244 x 320 photo;
    # at scale 0.25 (a photo stored at a quarter of the annotated size) it lies inside.
    r = compare(None, _one_box([200, 300, 60, 40]), _one_box([200, 300, 60, 40]))
    assert boxes_outside(r, 1, (244, 320), (1.0, 1.0)) == 2  # A's and B's box
    assert boxes_outside(r, 1, (244, 320), (0.25, 0.25)) == 0
    assert boxes_outside(r, 1, (260, 340), (1.0, 1.0)) == 0


def test_sample_photos_without_gt_are_a_finding_not_boxes_off_the_frame(tmp_path):
    # The sample's photos are 244 x 320, the detections in the 976 x 1280 annotated pixels:
    # without a ground truth to scale by, every gallery image says so. Without a ground truth
    # photos are found as <image_id>.png: the two worst images are copied so.
    a = load_results(SAMPLE / "efficientnet_b3.json")
    b = load_results(SAMPLE / "resnet101.json")
    r = compare(None, a, b)
    images = load_ground_truth(SAMPLE / "ground_truth.json").images
    files = dict(zip(images.id.tolist(), images.file_name, strict=True))
    for image_id, _ in rank_images(r)[:2]:
        shutil.copy(SAMPLE / "images" / files[image_id], tmp_path / f"{image_id}.png")
    gallery, notes = build_gallery(r, tmp_path, max_items=2)
    assert len(gallery.items) == 2
    outside = [n for n in notes if n.code == "box_outside"]
    assert [n.image_id for n in outside] == [int(i.key.split("_")[1]) for i in gallery.items]
    assert outside[0].size == (244, 320)
    sentence = catalogue("en").gallery_note(outside[0])
    assert "some boxes lie outside the photo (244 × 320 px)" in sentence
