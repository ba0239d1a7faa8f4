"""The disagreement gallery on the bundled sample: worst first, decodable PNGs, boxes on the pills,
missing and refused images noted (never fatal), small enough for one HTML file."""

from __future__ import annotations

import io
import itertools
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from pill_compare import compare, load_ground_truth, load_results
from pill_compare.errors import ConfigError
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.gallery import (
    GALLERY_LABELS,
    GT_COLOR,
    ITEM_BYTES,
    MAX_ZOOM,
    VERDICT_COLORS,
    _crop,
    build_gallery,
    rank_images,
)
from tests.conftest import SAMPLE

#: Plot tests fail on any warning (a missing glyph, a collapsed layout): it would reach the user.
pytestmark = pytest.mark.filterwarnings("error")


IMAGES = SAMPLE / "images"
#: The sample's photos are the GT size times 0.25 (data/make_sample.py PHOTO_SCALE).
PHOTO_W, PHOTO_H, SCALE = 244, 320, 0.25
#: _GAP, _MARGIN and the title height of report/gallery.py's layout; the default panel size.
GAP, MARGIN, TITLE, THUMB = 8, 4, 20, 256


def _runs(gt):
    a = load_results(SAMPLE / "resnet101.json", gt=gt)
    b = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    return a, b


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a, b = _runs(gt)
    return compare(gt, a, b, n_bootstrap=0)


@pytest.fixture(scope="module")
def gallery(sample):
    return build_gallery(sample, IMAGES)


def _decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[k : k + 2], 16) for k in (1, 3, 5))


def test_items_are_the_worst_images_first(sample, gallery):
    g, notes = gallery
    ranked = rank_images(sample)
    assert notes == []
    assert len(g.items) == 24
    assert [item.key for item in g.items] == [f"gallery_{i}" for i, _ in ranked[:24]]
    worst = [c["swaps"] + c["a_only"] + c["b_only"] for _, c in ranked]
    assert worst == sorted(worst, reverse=True) and worst[0] >= 2
    # ties by ascending image id
    for (i, ci), (j, cj) in itertools.pairwise(ranked):
        if sum(ci.values()) == sum(cj.values()):
            assert i < j
    # every differing image of the diff and every disagreement of the pairing is a candidate
    ids = {i for i, _ in ranked}
    assert {d.image_id for d in sample.diff.differing_images} <= ids
    assert set(sample.pairing.image_id[sample.pairing.kind != 0].tolist()) <= ids
    assert g.caption == (
        f"The 24 images where resnet101 and efficientnet_b3 disagree most (of {len(ranked)} "
        "where they differ), each cropped around its disputed boxes."
    )


def test_ranking_counts_the_pairings_swaps_and_one_sided_boxes(sample):
    counts = dict(rank_images(sample))
    p = sample.pairing
    for image_id in (4, 5, 115):
        kinds = p.kind[p.image_id == image_id].tolist()
        assert counts[image_id] == {
            "swaps": kinds.count(1),
            "a_only": kinds.count(2),
            "b_only": kinds.count(3),
        }


def _panel(sample, image_id: int, thumb: int = THUMB) -> tuple[tuple[float, ...], float, int, int]:
    """The crop (photo pixels), the zoom, and the panel's width and height, as drawn."""
    crop = _crop(sample, image_id, (SCALE, SCALE), (PHOTO_W, PHOTO_H))
    zoom = min(thumb / max(crop[2] - crop[0], crop[3] - crop[1]), MAX_ZOOM)
    return crop, zoom, round((crop[2] - crop[0]) * zoom), round((crop[3] - crop[1]) * zoom)


def test_each_item_is_three_panels_of_a_crop_with_a_caption(sample, gallery):
    g, _ = gallery
    for item in g.items:
        image_id = int(item.key.removeprefix("gallery_"))
        image = _decode(item.png)
        _, _, tw, th = _panel(sample, image_id)
        assert image.size[0] == 3 * tw + 2 * GAP + 2 * MARGIN
        assert image.size[1] > TITLE + th + 2 * MARGIN  # and a legend under the panels
        assert item.caption.startswith(f"Image {image_id} (K-")
        assert "(s)" not in item.caption and "box(es)" not in item.caption and item.alt


def test_a_single_disputed_pill_is_cropped_and_enlarged_not_shrunk(sample, gallery):
    # Image 4: one class swap on one pill (A 19231 right, B 22073 wrong).
    item = {i.key: i for i in gallery[0].items}["gallery_4"]
    crop, zoom, tw, th = _panel(sample, 4)
    assert crop[2] - crop[0] < PHOTO_W / 2 and crop[3] - crop[1] < PHOTO_H / 2
    assert zoom > 1 and max(tw, th) == THUMB  # the pill fills the panel
    assert item.caption.endswith(": 1 class swap")


def _colour_on_left_edge(pixels, sample, image_id, panel, bbox) -> np.ndarray:
    crop, zoom, tw, _ = _panel(sample, image_id)
    x, y, _w, h = bbox
    left = MARGIN + panel * (tw + GAP)
    row = int(MARGIN + TITLE + ((y + h / 2) * SCALE - crop[1]) * zoom)
    col = int(left + (x * SCALE - crop[0]) * zoom)
    return pixels[row, col - 3 : col + 4]


def _has(strip: np.ndarray, colour: str) -> bool:
    return bool((np.abs(strip - _rgb(colour)).sum(axis=1) < 40).any())


def test_boxes_are_coloured_by_verdict_and_the_missed_gt_box_is_drawn(sample, gallery):
    item = {i.key: i for i in gallery[0].items}["gallery_4"]
    pixels = np.asarray(_decode(item.png)).astype(int)
    p, ann = sample.pairing, sample.disagreements.gt.annotations
    swap = np.flatnonzero((p.image_id == 4) & (p.kind == 1))[0]
    a_box, b_box = p.a.bbox[p.a_row[swap]], p.b.bbox[p.b_row[swap]]
    gt_box = ann.bbox[(ann.image_id == 4) & (ann.category_id == 19231)][0]
    # A here is resnet101, wrong on this pill (22073); B efficientnet_b3, right (19231).
    assert p.a.category_id[p.a_row[swap]] == 22073 and p.b.category_id[p.b_row[swap]] == 19231
    assert _has(_colour_on_left_edge(pixels, sample, 4, 0, a_box), VERDICT_COLORS["wrong"])
    assert _has(_colour_on_left_edge(pixels, sample, 4, 1, b_box), VERDICT_COLORS["right"])
    # A missed the GT box its wrong box sits on: drawn (dashed, labelled) in A's panel only.
    _, _, tw, th = _panel(sample, 4)
    panels = [
        pixels[MARGIN + TITLE : MARGIN + TITLE + th, MARGIN + k * (tw + GAP) :][:, :tw]
        for k in range(3)
    ]
    missed = [_has(x.reshape(-1, 3), VERDICT_COLORS["missed"]) for x in panels]
    assert missed == [True, False, False]
    assert _has(_colour_on_left_edge(pixels, sample, 4, 2, gt_box), GT_COLOR)
    # The legend under the panels names the three verdict colours.
    legend = pixels[-20:].reshape(-1, 3)
    for key in ("right", "wrong", "missed"):
        assert _has(legend, VERDICT_COLORS[key]), key


def test_the_gallery_is_deterministic_and_small(sample, gallery):
    g, _ = gallery
    again, _ = build_gallery(sample, IMAGES)
    assert [i.png for i in again.items] == [i.png for i in g.items]
    sizes = [len(i.png) for i in g.items]
    # measured: 652 kB for the sample's 24 items (~27 kB each); the bound is 24 * ITEM_BYTES
    assert max(sizes) <= ITEM_BYTES
    assert sum(sizes) < 1_000_000


def test_a_noisy_large_photo_is_stored_within_the_item_budget(sample, tmp_path):
    rng = np.random.default_rng(0)
    image_id = rank_images(sample)[0][0]
    file_name = sample.disagreements.gt.images.file_name[
        sample.disagreements.gt.images.id == image_id
    ][0]
    noise = rng.integers(0, 256, (1280, 976, 3), dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / file_name)
    g, notes = build_gallery(sample, tmp_path, max_items=1)
    assert [i.key for i in g.items] == [f"gallery_{image_id}"]
    assert len(g.items[0].png) <= ITEM_BYTES
    assert notes == []


def test_max_items_limits_the_gallery(sample):
    g, _ = build_gallery(sample, IMAGES, max_items=2)
    assert [i.key for i in g.items] == [f"gallery_{i}" for i, _ in rank_images(sample)[:2]]
    empty, notes = build_gallery(sample, IMAGES, max_items=0)
    assert (empty.items, notes) == ((), [])


def test_a_missing_image_is_a_note_and_the_next_image_takes_its_place(sample, tmp_path):
    ranked = [i for i, _ in rank_images(sample)]
    names = dict(
        zip(
            sample.disagreements.gt.images.id.tolist(),
            sample.disagreements.gt.images.file_name,
            strict=True,
        )
    )
    for image_id in ranked[1:4]:
        shutil.copy(IMAGES / names[image_id], tmp_path / names[image_id])
    g, notes = build_gallery(sample, tmp_path, max_items=3)
    assert [i.key for i in g.items] == [f"gallery_{i}" for i in ranked[1:4]]
    assert [str(n) for n in notes] == [f"missing: image {ranked[0]} ({names[ranked[0]]})"]


def test_a_traversal_file_name_is_refused_with_a_note(tmp_path):
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    gt = ground_truth_from_dict(doc)
    a, b = _runs(gt)
    worst = rank_images(compare(gt, a, b, n_bootstrap=0))[0][0]
    for img in doc["images"]:
        if img["id"] == worst:
            img["file_name"] = "../../etc/passwd"
    gt = ground_truth_from_dict(doc)
    r = compare(gt, *_runs(gt), n_bootstrap=0)
    g, notes = build_gallery(r, IMAGES, max_items=2)
    assert [str(n) for n in notes] == [f"outside: image {worst} (../../etc/passwd)"]
    assert (notes[0].code, notes[0].image_id) == ("outside", worst)
    assert f"gallery_{worst}" not in [i.key for i in g.items] and len(g.items) == 2


def test_an_undecodable_file_is_a_note(sample, tmp_path):
    image_id = rank_images(sample)[0][0]
    gt_images = sample.disagreements.gt.images
    (tmp_path / gt_images.file_name[gt_images.id == image_id][0]).write_bytes(b"\x89PNG broken")
    g, notes = build_gallery(sample, tmp_path, max_items=1)
    assert g.items == ()
    assert str(notes[0]).startswith(f"unreadable: image {image_id} (")


def test_a_photo_of_another_aspect_ratio_is_drawn_with_a_note(sample, tmp_path):
    image_id = rank_images(sample)[0][0]
    gt_images = sample.disagreements.gt.images
    Image.new("RGB", (320, 320), "gray").save(
        tmp_path / gt_images.file_name[gt_images.id == image_id][0]
    )
    g, notes = build_gallery(sample, tmp_path, max_items=1)
    assert len(g.items) == 1
    assert str(notes[0]).startswith(f"size_mismatch: image {image_id} (")


def test_without_ground_truth_images_are_found_by_id_and_have_two_panels(tmp_path):
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a, b = _runs(gt)
    r = compare(None, a, b)
    ranked = [i for i, _ in rank_images(r)]
    # photos at the detections' scale (no GT size to scale by)
    for image_id in ranked[:2]:
        Image.new("RGB", (976, 1280), "white").save(tmp_path / f"{image_id}.jpg")
    g, notes = build_gallery(r, tmp_path, max_items=2, thumb_px=200)
    assert [i.key for i in g.items] == [f"gallery_{i}" for i in ranked[:2]]
    crop = _crop(r, ranked[0], (1.0, 1.0), (976, 1280))
    zoom = min(200 / max(crop[2] - crop[0], crop[3] - crop[1]), MAX_ZOOM)
    assert (
        _decode(g.items[0].png).size[0] == 2 * round((crop[2] - crop[0]) * zoom) + GAP + 2 * MARGIN
    )
    assert notes == []
    _, notes = build_gallery(r, SAMPLE, max_items=1)  # no <id>.<ext> there, no file_name known
    assert str(notes[0]) == f"missing: image {ranked[0]}"


def test_labels_replace_the_english_texts(sample):
    labels = {
        "panel_gt": "정답",
        "panel_a": "모델 A: {name}",
        "caption": "이미지 {image_id}: 클래스 교체 {swaps}",
        "gallery_caption": "{shown}/{total}",
    }
    g, _ = build_gallery(sample, IMAGES, max_items=1, labels=labels)
    default, _ = build_gallery(sample, IMAGES, max_items=1)
    image_id = g.items[0].key.removeprefix("gallery_")
    assert g.items[0].caption.startswith(f"이미지 {image_id}: 클래스 교체 ")
    assert g.caption.startswith("1/")
    assert g.items[0].png != default.items[0].png  # the panel titles are drawn
    assert set(labels) <= set(GALLERY_LABELS)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"labels": {"title": "x"}}, ValueError, r"Expected labels keys among .*got \['title'\]"),
        (
            {"labels": {"panel_a": "{model}"}},
            ValueError,
            r"Expected labels\['panel_a'\] to use only the fields \['name'\], got \['model'\]",
        ),
        ({"labels": {"caption": "{"}}, ValueError, r"to be a format template"),
        ({"labels": {"panel_gt": 3}}, TypeError, r"Expected labels\['panel_gt'\] to be a str"),
        ({"max_items": -1}, ValueError, r"Expected max_items in \[0, 10000\], got -1"),
        ({"thumb_px": 8}, ValueError, r"Expected thumb_px in \[16, 2048\], got 8"),
        ({"thumb_px": 32.0}, TypeError, r"Expected thumb_px to be an int, got float"),
    ],
)
def test_bad_arguments_raise(sample, kwargs, error, message):
    with pytest.raises(error, match=message):
        build_gallery(sample, IMAGES, **kwargs)


def test_a_result_that_is_not_a_comparison_is_a_type_error():
    with pytest.raises(TypeError, match="Expected r to be ComparisonResult, got dict"):
        build_gallery({}, IMAGES)


def test_an_images_dir_that_is_not_a_folder_is_a_usage_error(sample, tmp_path):
    with pytest.raises(ConfigError, match="expected a folder of images, found nothing") as e:
        build_gallery(sample, tmp_path / "nowhere")
    assert e.value.param == "images_dir"
    with pytest.raises(ConfigError, match="found a file"):
        build_gallery(sample, SAMPLE / "ground_truth.json")
