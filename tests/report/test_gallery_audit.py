"""The ground-truth audit's top cases in pictures, on the sample whose GT lost a quarter of its
boxes (tests/broken_inputs.py ``gt_with_deleted_boxes``): the photos show every pill, so each
deleted GT box is a pill both models still find and the GT no longer labels."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from unittest import mock

import numpy as np
import pytest
from PIL import Image

import pill_compare.report.build as build
from pill_compare import compare, load_ground_truth, load_results
from pill_compare.analysis.gt_audit import LikelyMissing, LikelyWrongLabel
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.build import build_report, render_report_files
from pill_compare.report.gallery import (
    AUDIT_MARK_COLOR,
    GT_COLOR,
    MAX_ZOOM,
    VERDICT_COLORS,
    _audit_focus,
    _crop,
    build_audit_gallery,
    rank_audit_images,
)
from pill_compare.report.messages import catalogue
from pill_compare.report.structure import Gallery, Table
from tests.broken_inputs import gt_with_deleted_boxes
from tests.conftest import SAMPLE

pytestmark = pytest.mark.filterwarnings("error")

IMAGES = SAMPLE / "images"
#: The sample's photos are the GT size times 0.25; the layout of report/gallery.py.
PHOTO, SCALE = (244, 320), 0.25
GAP, MARGIN, TITLE, THUMB = 8, 4, 20, 256
#: Image 18: its two deleted pills are the audit's most confident case (lower score 0.9773).
FIRST = "K-001900-K-021325-K-030308-K-034597_0018.png"


@pytest.fixture(scope="module")
def runs():
    full = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=full)
    b = load_results(SAMPLE / "resnet101.json", gt=full)
    return full, a, b


@pytest.fixture(scope="module")
def quarter(runs):
    """The comparison against the GT with a quarter of its boxes deleted, and the deleted ids."""
    _, a, b = runs
    doc, deleted = gt_with_deleted_boxes()
    gt = ground_truth_from_dict(doc, source="quarter.json")
    return compare(gt, a, b, n_bootstrap=0), deleted


@pytest.fixture(scope="module")
def complete(runs):
    return compare(*runs, n_bootstrap=0)


@pytest.fixture(scope="module")
def gallery(quarter):
    return build_audit_gallery(quarter[0], IMAGES)


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[k : k + 2], 16) for k in (1, 3, 5)])


def _iou(x, y) -> float:
    ix = max(0.0, min(x[0] + x[2], y[0] + y[2]) - max(x[0], y[0]))
    iy = max(0.0, min(x[1] + x[3], y[1] + y[3]) - max(x[1], y[1]))
    return ix * iy / (x[2] * x[3] + y[2] * y[3] - ix * iy)


def test_items_are_the_images_of_the_most_confident_cases(quarter, runs, gallery):
    r, deleted = quarter
    g, notes = gallery
    audit = r.gt_audit
    ranked = rank_audit_images(audit)
    assert notes == []
    assert g.key == "gt_audit_gallery"
    # 242 likely-missing cases on 186 images (and 2 wrong labels): the 8 images of the most
    # confident, the first the image of the audit's first case.
    assert (audit.likely_missing.count, audit.likely_wrong_label.count, len(ranked)) == (
        242,
        2,
        188,
    )
    assert [item.key for item in g.items] == [f"gt_audit_{i}" for i, _ in ranked[:8]]
    assert g.items[0].key == f"gt_audit_{audit.likely_missing.image_id[0]}" == "gt_audit_18"
    m = audit.likely_missing
    low = np.minimum(m.a_score, m.b_score)
    best = [max(low[cases["missing"]]) for _, cases in ranked[:8]]
    assert best == sorted(best, reverse=True)
    # Every case shown is a pill whose GT box was deleted: both models still find it, with the
    # deleted box's class, where the complete GT has it.
    ann = runs[0].annotations
    for image_id, cases in ranked[:8]:
        assert cases["wrong"].size == 0 and cases["missing"].size >= 1
        for k in cases["missing"]:
            rows = np.flatnonzero(ann.image_id == image_id)
            g_row = max(rows, key=lambda i: _iou(m.a_bbox[k], ann.bbox[i]))
            assert _iou(m.a_bbox[k], ann.bbox[g_row]) >= 0.5
            assert int(ann.id[g_row]) in deleted
            assert ann.category_id[g_row] == m.category_id[k]
    # Same inputs, same bytes.
    again, _ = build_audit_gallery(r, IMAGES)
    assert [item.png for item in again.items] == [item.png for item in g.items]


def test_captions_say_what_each_picture_shows(gallery):
    g, _ = gallery
    first = g.items[0]
    assert first.caption == (
        f"Image 18 ({FIRST}): 2 boxes both models agree on, with no ground-truth box there "
        "(classes 21324, 34596)"
    )
    assert first.alt == (
        "Boxes of efficientnet_b3, resnet101 and the ground truth around the audit's cases on "
        "image 18"
    )
    one = next(item for item in g.items if item.key == "gt_audit_69")
    assert one.caption.endswith(
        ": 1 box both models agree on, with no ground-truth box there (class 33008)"
    )
    assert g.caption == (
        "The 8 images with the most confident of the audit's cases (242 likely missing "
        "annotations, 2 likely wrong labels in all, on 188 images), each cropped around its "
        "cases. Thick boxes are the cases; the ground-truth panel shows what is labelled there."
    )


def _panels(
    r, image_id: int, png: bytes
) -> tuple[np.ndarray, list[tuple[int, int]], int, float, tuple]:
    """The item's pixels, each panel's (left, top), the panel height, zoom and crop."""
    cases = dict(rank_audit_images(r.gt_audit))[image_id]
    focus = _audit_focus(r, r.gt_audit, cases)
    crop = _crop(r, image_id, (SCALE, SCALE), PHOTO, focus.around)
    zoom = min(THUMB / max(crop[2] - crop[0], crop[3] - crop[1]), MAX_ZOOM)
    tw, th = round((crop[2] - crop[0]) * zoom), round((crop[3] - crop[1]) * zoom)
    pixels = _decode(png)
    assert pixels.shape[1] == 3 * tw + 2 * GAP + 2 * MARGIN  # A | B | GT
    corners = [(MARGIN + k * (tw + GAP), MARGIN + TITLE) for k in range(3)]
    return pixels, corners, th, zoom, crop


def _inside(pixels, corner, zoom, crop, box, inset: int) -> np.ndarray:
    """The panel's pixels inside ``box`` (xywh, GT pixels), ``inset`` px in from its edges."""
    x0 = corner[0] + round((box[0] * SCALE - crop[0]) * zoom) + inset
    y0 = corner[1] + round((box[1] * SCALE - crop[1]) * zoom) + inset
    x1 = corner[0] + round(((box[0] + box[2]) * SCALE - crop[0]) * zoom) - inset
    y1 = corner[1] + round(((box[1] + box[3]) * SCALE - crop[1]) * zoom) - inset
    return pixels[y0:y1, x0:x1]


def _count(pixels: np.ndarray, colour: str) -> int:
    return int((pixels == _rgb(colour)).all(axis=-1).sum())


def test_the_gt_panel_outlines_the_unlabelled_pill_and_has_no_box_there(quarter, gallery):
    r, _ = quarter
    g, _ = gallery
    m = r.gt_audit.likely_missing
    pixels, corners, th, zoom, crop = _panels(r, 18, g.items[0].png)
    a_panel, b_panel, gt_panel = (
        pixels[y : y + th, x : x + pixels.shape[1] // 3] for x, y in corners
    )
    # The dotted outline is on the GT panel only (and in the legend, under the panels).
    assert _count(gt_panel, AUDIT_MARK_COLOR) > 50
    assert _count(a_panel, AUDIT_MARK_COLOR) == _count(b_panel, AUDIT_MARK_COLOR) == 0
    for k in np.flatnonzero(m.image_id == 18):
        # A's box is drawn thick, 'wrong' (a false positive of the incomplete GT) ...
        assert (
            _count(
                _inside(pixels, corners[0], zoom, crop, m.a_bbox[k], -2), VERDICT_COLORS["wrong"]
            )
            > 100
        )
        # ... and inside the outline the GT panel shows no GT box: nothing is labelled there.
        inner = _inside(pixels, corners[2], zoom, crop, m.a_bbox[k], 6)
        assert inner.size and _count(inner, GT_COLOR) == 0


def test_the_complete_gt_shows_only_its_two_likely_wrong_labels(complete):
    g, notes = build_audit_gallery(complete, IMAGES)
    audit = complete.gt_audit
    assert (audit.likely_missing.count, audit.likely_wrong_label.count) == (0, 2)
    assert notes == [] and [item.key for item in g.items] == ["gt_audit_266", "gt_audit_97"]
    assert g.items[0].caption == (
        "Image 266 (K-006192-K-022074-K-030308-K-034597_0266.png): 1 ground-truth box both "
        "models call another class (label → their class: 30307 → 34596)"
    )
    w = audit.likely_wrong_label
    pixels, corners, _, zoom, crop = _panels(complete, 266, g.items[0].png)
    # No outline (nothing unlabelled); the GT box both models dispute is drawn thick on the GT
    # panel, and the models' panels show it missed (dashed orange).
    assert _count(pixels, AUDIT_MARK_COLOR) == 0
    assert _count(_inside(pixels, corners[2], zoom, crop, w.gt_bbox[0], -2), GT_COLOR) > 100
    assert (
        _count(_inside(pixels, corners[0], zoom, crop, w.gt_bbox[0], -3), VERDICT_COLORS["missed"])
        > 20
    )


def test_a_missing_photo_is_a_note_and_the_next_image_takes_its_place(quarter, tmp_path):
    r, _ = quarter
    for path in IMAGES.iterdir():
        if path.name != FIRST:
            shutil.copy(path, tmp_path / path.name)
    g, notes = build_audit_gallery(r, tmp_path, max_items=2)
    assert [item.key for item in g.items] == ["gt_audit_168", "gt_audit_69"]
    assert [str(n) for n in notes] == [f"missing: image 18 ({FIRST})"]


def test_without_ground_truth_or_room_the_gallery_is_empty(runs, quarter):
    _, a, b = runs
    no_gt = compare(None, a, b, n_bootstrap=0)
    for r, kwargs in ((no_gt, {}), (quarter[0], {"max_items": 0})):
        g, notes = build_audit_gallery(r, IMAGES, **kwargs)
        assert g == Gallery(key="gt_audit_gallery", items=()) and notes == []


def test_korean_labels_word_the_captions(quarter):
    g, _ = build_audit_gallery(
        quarter[0], IMAGES, max_items=1, labels=catalogue("ko").labels("gallery")
    )
    assert g.items[0].caption == (
        f"이미지 18 ({FIRST}): 두 모델이 일치했지만 그 자리에 정답 박스가 없는 박스 2개 (클래스 21324, 34596)"
    )
    assert g.caption.startswith("어노테이션 점검에서 가장 확실한 사례가 있는 이미지 1장")


def test_images_are_ranked_by_their_most_confident_case(complete):
    # Likely missing on image 7 (lower scores 0.9 and 0.6) and image 3 (0.8); a wrong label on
    # image 3 (0.95): image 3 first (its best case 0.95 beats 0.9), its cases listed by kind.
    audit = complete.gt_audit

    def arrays(n: int, **given):
        return {
            f.name: given.get(f.name, np.zeros((n, 4)) if "bbox" in f.name else np.zeros(n))
            for f in dataclasses.fields(LikelyMissing if "iou" in given else LikelyWrongLabel)
        }

    missing = LikelyMissing(
        **arrays(
            3,
            image_id=np.array([7, 3, 7]),
            a_score=np.array([0.95, 0.8, 0.6]),
            b_score=np.array([0.9, 0.85, 0.7]),
            iou=np.ones(3),
        )
    )
    wrong = LikelyWrongLabel(
        **arrays(1, image_id=np.array([3]), a_score=np.array([0.95]), b_score=np.array([0.96]))
    )
    fake = dataclasses.replace(audit, likely_missing=missing, likely_wrong_label=wrong)
    ranked = rank_audit_images(fake)
    assert [i for i, _ in ranked] == [3, 7]
    assert ranked[0][1]["missing"].tolist() == [1] and ranked[0][1]["wrong"].tolist() == [0]
    assert ranked[1][1]["missing"].tolist() == [0, 2] and ranked[1][1]["wrong"].tolist() == []


def test_the_report_places_the_pictures_in_the_audit_section_and_links_them(runs):
    _, a, b = runs
    doc, _ = gt_with_deleted_boxes()
    gt = ground_truth_from_dict(doc, source="quarter.json")
    with mock.patch.object(build, "report_figures", lambda r, lang="en", names=None: {}):
        report = build_report(gt, a, b, images_dir=IMAGES, n_bootstrap=0, gallery_max=2)
        bare = build_report(gt, a, b, n_bootstrap=0)
    files = render_report_files(report)
    blocks = report.find("gt_audit").blocks
    keys = [getattr(b, "key", None) for b in blocks if isinstance(b, Table | Gallery)]
    # After the case tables, before the estimate.
    assert keys == [
        "gt_audit_classes",
        "gt_audit_missing",
        "gt_audit_wrong_labels",
        "gt_audit_gallery",
        "gt_audit_estimate",
    ]
    pictures = next(b for b in blocks if isinstance(b, Gallery)).items
    assert len(pictures) == 8
    md = files["report.md"]
    heading = md.index("Ground-truth audit: false detections or missing labels?")
    for item in pictures:
        assert files[f"{item.key}.png"] == item.png
        assert md.index(f"]({item.key}.png)") > heading
    assert json.loads(files["report.json"])["gallery"]["gt_audit_images"] == 8
    # Without the photos, no pictures.
    assert not [b for b in bare.find("gt_audit").blocks if isinstance(b, Gallery)]
