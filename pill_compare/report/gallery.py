"""The disagreement gallery: the images where two runs differ, worst first, with both runs' boxes.

Which images, in which order: every image of ``r.diff.differing_images`` and every image with a
class swap or a one-sided box in ``r.pairing`` (the same pairing the report's disagreement
numbers come from), ranked by class swaps + one-sided boxes on the image (most first), ties by
ascending image id. The first ``max_items`` images whose file is found make the gallery; an image
that is missing, refused or unreadable is skipped with a note, and the next one is tried.

Each item is one PNG: side-by-side panels A | B | GT (GT only with a ground truth) of the same
crop of the photo, around the image's disputed boxes (class swaps and one-sided boxes, with the
ground-truth boxes "there"), padded by half its size and kept between 3:4 and 4:3, so a pill
fills the panel instead of a whole photo shrunk to a thumbnail; the crop's longer side is drawn
at ``thumb_px`` pixels (enlarged at most :data:`MAX_ZOOM` times). A panel shows its run's boxes
with ``score >= r.pairing.score_threshold`` (the operating point) that reach into the crop, each
with its category id and score; disputed boxes are drawn thick, agreeing ones thin. With a
ground truth each box is coloured by its verdict at the operating point
(:data:`VERDICT_COLORS`): *right* (a TP of its class at IoU u), *wrong* (a false positive), and,
dashed, the ground-truth boxes that run *missed* (no counted detection of the run found them);
the GT panel shows the ground truth in :data:`GT_COLOR`. Without a ground truth the runs keep
:data:`~pill_compare.report.style.MODEL_COLORS`. A legend under the panels names the colours.
Boxes are in the ground truth's pixel coordinates: with a ground truth that gives
the image's width and height they are scaled by photo size / GT size (a photo may be stored
smaller than the annotated image, as the sample's are); without one the photo is taken to be at
the detections' scale.

Size: an item whose RGB PNG is over :data:`ITEM_BYTES` is stored as a 256-colour palette PNG
(then, if still over, at smaller sizes), so 24 items stay under ~5 MB (~6.5 MB as base64 in
HTML). Same inputs, same Pillow: same bytes (fixed fonts, Pillow's basic text layout, fixed PNG
settings, no metadata).

Notes (second return value) are ``"<code>: image <id>"`` plus `` (<file name>)`` where one is
known, with a code from :data:`NOTE_CODES`; the report words them.

The audit gallery (:func:`build_audit_gallery`) draws the ground-truth audit's top cases
(:class:`~pill_compare.analysis.gt_audit.GtAudit`) the same way, one item per image: the
likely-missing annotations (boxes both runs agree on where the ground truth has no box of any
class) and the likely wrong labels (a GT box both runs call the same other class) of the image,
the crop around those cases, their boxes drawn thick. On the GT panel a likely-missing case is
outlined dotted in :data:`AUDIT_MARK_COLOR` (labelled with the class both runs say and '?'), so
the panel shows that nothing is labelled where both runs put a box; a wrong label's GT box is
drawn thick there. Which images, in which order: each image with a case, ranked by its most
confident case (the lower of the two runs' scores, as the audit ranks cases; ties by ascending
image id); the first ``max_items`` whose photo is found.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.analysis.disagreements import PairKind
from pill_compare.analysis.gt_audit import GtAudit
from pill_compare.analysis.matching import FP, IGNORED, TP
from pill_compare.core import expect_type
from pill_compare.errors import ConfigError
from pill_compare.io.files import printable
from pill_compare.io.images import resolve_image
from pill_compare.report.structure import Gallery, GalleryItem
from pill_compare.report.style import MODEL_COLORS, hangul_font_path

__all__ = [
    "AUDIT_MARK_COLOR",
    "GALLERY_LABELS",
    "GT_COLOR",
    "ITEM_BYTES",
    "MAX_ZOOM",
    "NOTE_CODES",
    "OUTSIDE_PX",
    "VERDICT_COLORS",
    "boxes_outside",
    "build_audit_gallery",
    "build_gallery",
    "rank_audit_images",
    "rank_images",
]

#: Panel titles, captions and alt texts (English defaults), as ``str.format`` templates.
#: Fields: ``panel_a`` / ``panel_b``: {name}; ``caption`` / ``alt``: {image_id}, {file_name},
#: {swaps}, {a_only}, {b_only}, {name_a}, {name_b}; ``gallery_caption``: {shown}, {total},
#: {name_a}, {name_b}. The audit gallery's (``audit_*``): ``audit_caption`` / ``audit_alt``:
#: {image_id}, {file_name}, {what}, {missing}, {wrong}, {name_a}, {name_b}; ``audit_missing_*``:
#: {n}, {categories} (the classes both runs say, e.g. '1899, 3482'); ``audit_wrong_*``: {n},
#: {pairs} (annotated class → the class both runs say, e.g. '30307 → 34596');
#: ``audit_gallery_caption``: {shown}, {total}, {missing}, {wrong}, {name_a}, {name_b}.
GALLERY_LABELS: dict[str, str] = {
    "panel_a": "A: {name}",
    "panel_b": "B: {name}",
    "panel_gt": "Ground truth",
    "caption": "Image {image_id} ({file_name}): {what}",
    "swaps_one": "1 class swap",
    "swaps_many": "{n} class swaps",
    "only_one": "1 box only {name} found",
    "only_many": "{n} boxes only {name} found",
    "join": "; ",
    "alt": "Boxes of {name_a}, {name_b} and the ground truth on image {image_id}",
    "gallery_caption": (
        "The {shown} images where {name_a} and {name_b} disagree most (of {total} where they "
        "differ), each cropped around its disputed boxes."
    ),
    "legend_right": "right",
    "legend_wrong": "wrong",
    "legend_missed": "missed (GT box it did not find)",
    "legend_disputed": "thick: disputed box",
    "audit_caption": "Image {image_id} ({file_name}): {what}",
    "audit_missing_one": "1 box both models agree on, with no ground-truth box there (class "
    "{categories})",
    "audit_missing_many": "{n} boxes both models agree on, with no ground-truth box there "
    "(classes {categories})",
    "audit_wrong_one": "1 ground-truth box both models call another class (label → their "
    "class: {pairs})",
    "audit_wrong_many": "{n} ground-truth boxes both models call another class (label → their "
    "class: {pairs})",
    "audit_alt": "Boxes of {name_a}, {name_b} and the ground truth around the audit's cases on "
    "image {image_id}",
    "audit_gallery_caption": (
        "The {shown} images with the most confident of the audit's cases ({missing} likely "
        "missing annotations, {wrong} likely wrong labels in all, on {total} images), each "
        "cropped around its cases. Thick boxes are the cases; the ground-truth panel shows what "
        "is labelled there."
    ),
    "legend_case": "thick: the audit's case",
    "legend_unlabelled": "dotted (ground truth): both models' box, no label there",
}


#: Note codes: the image's file was not found (``missing``), its name leads outside the folder
#: (``outside``), it is not a regular file (``not_a_file``), its name is unusable (``invalid``),
#: it cannot be decoded (``unreadable``), or its aspect ratio differs from the ground truth's
#: width / height by more than 2 % (``size_mismatch``: drawn anyway, boxes may be off), or a
#: box of either run at the operating point reaches more than :data:`OUTSIDE_PX` beyond the
#: photo once scaled to it (``box_outside``: the detections are not in the photo's pixel
#: coordinates; drawn cut at its edge, and said, never drawn off the frame silently).
@dataclass(frozen=True)
class GalleryNote:
    """An image the gallery could not show, or showed with a caveat: a code and the image.

    ``str(note)`` is ``"<code>: image <id> (<file_name>)"``; the report words it from the
    catalogue (``gallery.note.<code>``). ``size``: the photo's (width, height) in pixels, for
    ``box_outside``.
    """

    code: str
    image_id: int
    file_name: str = ""
    size: tuple[int, int] | None = None

    def __str__(self) -> str:
        where = f"image {self.image_id}" + (f" ({self.file_name})" if self.file_name else "")
        return f"{self.code}: {where}"


NOTE_CODES: tuple[str, ...] = (
    "missing",
    "outside",
    "not_a_file",
    "invalid",
    "unreadable",
    "size_mismatch",
    "box_outside",
)
#: A box reaching further than this beyond the photo (in the photo's pixels, after scaling)
#: is outside it: a pixel of rounding is not a finding.
OUTSIDE_PX = 1.0

#: The ground truth's boxes: a neutral dark grey (the runs have MODEL_COLORS).
GT_COLOR = "#3A3A3A"
#: The audit gallery's outline, on the GT panel, of where both runs agree on a box the ground
#: truth lacks: a strong blue, apart from the verdict colours and the grey GT boxes.
AUDIT_MARK_COLOR = "#2166AC"
#: A run's boxes by verdict at the operating point (with a ground truth): green, magenta and
#: orange stay apart for the common colour-vision deficiencies; 'ignored' is a box a crowd
#: region absorbed (neither right nor wrong).
VERDICT_COLORS: dict[str, str] = {
    "right": "#1B7837",
    "wrong": "#C51B7D",
    "missed": "#E08214",
    "ignored": "#8C8C8C",
}
#: A crop is enlarged at most this many times (a small photo stays recognisable, not blurred).
MAX_ZOOM = 4.0
#: An item larger than this as an RGB PNG is stored with a 256-colour palette (bytes).
ITEM_BYTES = 200_000

_HALO = "#FFFFFF"
_BACKGROUND = "#FFFFFF"
_GAP, _MARGIN, _TITLE_PX, _LABEL_PX, _LEGEND_PX = 8, 4, 14, 12, 12
_PIXEL_LIMIT = 64_000_000  # a larger image is not decoded (a decompression bomb, or no photo)


def rank_images(r: ComparisonResult) -> list[tuple[int, dict[str, int]]]:
    """The gallery's candidate images, worst first (the rule is in the module docstring).

    Returns:
        ``[(image_id, {'swaps': n, 'a_only': n, 'b_only': n}), ...]``.
    """
    expect_type(r, ComparisonResult, "r", "build it with compare(gt, a, b)")
    p = r.pairing
    ids = np.unique(
        np.r_[
            np.array([d.image_id for d in r.diff.differing_images], dtype=np.int64),
            p.image_id[p.kind != PairKind.AGREE],
        ]
    )
    where = np.searchsorted(ids, p.image_id)
    counts = np.zeros((ids.size, 3), dtype=np.int64)
    keep = (p.kind != PairKind.AGREE) & (where < ids.size)
    keep[keep] = ids[where[keep]] == p.image_id[keep]
    np.add.at(counts, (where[keep], p.kind[keep].astype(np.int64) - 1), 1)
    order = np.lexsort((ids, -counts.sum(axis=1)))
    return [
        (int(ids[i]), {"swaps": int(c[0]), "a_only": int(c[1]), "b_only": int(c[2])})
        for i, c in ((i, counts[i]) for i in order)
    ]


def build_gallery(
    r: ComparisonResult,
    images_dir: str | os.PathLike[str],
    *,
    max_items: int = 24,
    labels: Mapping[str, str] | None = None,
    thumb_px: int = 256,
) -> tuple[Gallery, list[GalleryNote]]:
    """The disagreement gallery of ``r`` from the photos in ``images_dir``.

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` (with or without ground truth).
        images_dir: The folder of images; files are found with
            :func:`~pill_compare.io.images.resolve_image` (GT ``file_name``, else
            ``<image_id>.<ext>``), never outside it.
        max_items: At most this many items (0: an empty gallery).
        labels: Texts overriding :data:`GALLERY_LABELS` (same keys and fields), e.g. from the
            report's language catalogue.
        thumb_px: The longer side of each panel (the crop around the disputed boxes), in
            pixels (16 to 2048); a crop is enlarged at most :data:`MAX_ZOOM` times.

    Returns:
        The :class:`~pill_compare.report.structure.Gallery` (key ``'gallery'``, items keyed
        ``'gallery_<image_id>'``, worst first) and the notes (see the module docstring).

    Raises:
        TypeError: ``r`` is not a ComparisonResult, or ``labels`` not a mapping of str.
        ValueError: ``max_items`` or ``thumb_px`` out of range, an unknown label key, or a label
            using an unknown field.
        ConfigError: ``images_dir`` is not a folder (param ``images_dir``).
    """
    expect_type(r, ComparisonResult, "r", "build it with compare(gt, a, b)")
    texts, folder, max_items, thumb_px = _arguments(images_dir, max_items, labels, thumb_px)
    ranked = rank_images(r)
    names = {"name_a": r.names[0], "name_b": r.names[1]}
    verdicts = _verdicts(r) if r.disagreements is not None else None
    info = _image_info(r)
    items: list[GalleryItem] = []
    notes: list[GalleryNote] = []
    for image_id, counts in ranked:
        if len(items) >= max_items:
            break
        photo = _load_photo(r, folder, image_id, info, thumb_px, notes)
        if photo is None:
            continue
        focus = _disputed(r, image_id)
        fields = {
            "image_id": image_id,
            "file_name": photo.file_name,
            "what": _what(texts, counts, r.names),
            **counts,
            **names,
        }
        items.append(
            GalleryItem(
                key=f"gallery_{image_id}",
                png=_render_item(photo, r, image_id, texts, verdicts, focus, thumb_px),
                caption=texts["caption"].format(**fields),
                alt=texts["alt"].format(**fields),
            )
        )
    caption = (
        texts["gallery_caption"].format(shown=len(items), total=len(ranked), **names)
        if items
        else ""
    )
    return Gallery(key="gallery", items=tuple(items), caption=caption), notes


def rank_audit_images(audit: GtAudit) -> list[tuple[int, dict[str, np.ndarray]]]:
    """The audit gallery's candidate images, most confident case first (the rule is in the
    module docstring).

    Returns:
        ``[(image_id, {'missing': rows, 'wrong': rows}), ...]``: per image the positions of its
        cases in ``audit.likely_missing`` and ``audit.likely_wrong_label`` (int64 arrays, most
        confident first, as the audit orders them).

    Example:
        Likely-missing cases on images 7 (lower scores 0.9 and 0.6) and 3 (0.8), a wrong label
        on image 3 (0.95): ``[(3, {'missing': [2], 'wrong': [0]}), (7, {'missing': [0, 1],
        'wrong': []})]`` (image 3's best case, 0.95, beats image 7's 0.9).
    """
    expect_type(audit, GtAudit, "audit", "take it from compare(gt, a, b).gt_audit")
    m, w = audit.likely_missing, audit.likely_wrong_label
    image = np.r_[m.image_id, w.image_id].astype(np.int64)
    low = np.r_[np.minimum(m.a_score, m.b_score), np.minimum(w.a_score, w.b_score)]
    best: dict[int, float] = {}
    for i, score in zip(image.tolist(), low.tolist(), strict=True):
        best[i] = max(best.get(i, -np.inf), score)
    order = sorted(best, key=lambda i: (-best[i], i))
    return [
        (
            i,
            {
                "missing": np.flatnonzero(m.image_id == i).astype(np.int64),
                "wrong": np.flatnonzero(w.image_id == i).astype(np.int64),
            },
        )
        for i in order
    ]


def build_audit_gallery(
    r: ComparisonResult,
    images_dir: str | os.PathLike[str],
    *,
    max_items: int = 8,
    labels: Mapping[str, str] | None = None,
    thumb_px: int = 256,
) -> tuple[Gallery, list[GalleryNote]]:
    """The ground-truth audit's top cases of ``r`` (``r.gt_audit``) as a gallery: per image the
    likely-missing annotations and likely wrong labels, cropped around them (see the module
    docstring).

    Args:
        r: From :func:`~pill_compare.analysis.compare.compare` with a ground truth (without
            one, or without a case, the gallery is empty).
        images_dir: The folder of images, as for :func:`build_gallery`.
        max_items: At most this many images (0: an empty gallery).
        labels: Texts overriding :data:`GALLERY_LABELS`, as for :func:`build_gallery`.
        thumb_px: The longer side of each panel, as for :func:`build_gallery`.

    Returns:
        The :class:`~pill_compare.report.structure.Gallery` (key ``'gt_audit_gallery'``, items
        keyed ``'gt_audit_<image_id>'``, most confident case first) and the notes of the photos
        it could not show or showed with a caveat (see the module docstring).

    Raises:
        TypeError: ``r`` is not a ComparisonResult, or ``labels`` not a mapping of str.
        ValueError: ``max_items`` or ``thumb_px`` out of range, an unknown label key, or a label
            using an unknown field.
        ConfigError: ``images_dir`` is not a folder (param ``images_dir``).

    Example:
        The sample with a quarter of its GT boxes deleted: both runs still box the pills that
        lost their annotation; the first item is the image of the most confident such pill,
        its GT panel with a dotted outline where no box is labelled.
    """
    expect_type(r, ComparisonResult, "r", "build it with compare(gt, a, b)")
    texts, folder, max_items, thumb_px = _arguments(images_dir, max_items, labels, thumb_px)
    audit = r.gt_audit
    if audit is None or r.disagreements is None:
        return Gallery(key="gt_audit_gallery", items=()), []
    ranked = rank_audit_images(audit)
    names = {"name_a": r.names[0], "name_b": r.names[1]}
    verdicts = _verdicts(r)
    info = _image_info(r)
    items: list[GalleryItem] = []
    notes: list[GalleryNote] = []
    for image_id, cases in ranked:
        if len(items) >= max_items:
            break
        photo = _load_photo(r, folder, image_id, info, thumb_px, notes)
        if photo is None:
            continue
        focus = _audit_focus(r, audit, cases)
        fields = {
            "image_id": image_id,
            "file_name": photo.file_name,
            "what": _audit_what(texts, audit, cases),
            "missing": int(cases["missing"].size),
            "wrong": int(cases["wrong"].size),
            **names,
        }
        items.append(
            GalleryItem(
                key=f"gt_audit_{image_id}",
                png=_render_item(photo, r, image_id, texts, verdicts, focus, thumb_px),
                caption=texts["audit_caption"].format(**fields),
                alt=texts["audit_alt"].format(**fields),
            )
        )
    caption = (
        texts["audit_gallery_caption"].format(
            shown=len(items),
            total=len(ranked),
            missing=audit.likely_missing.count,
            wrong=audit.likely_wrong_label.count,
            **names,
        )
        if items
        else ""
    )
    return Gallery(key="gt_audit_gallery", items=tuple(items), caption=caption), notes


def _arguments(
    images_dir: str | os.PathLike[str],
    max_items: Any,
    labels: Mapping[str, str] | None,
    thumb_px: Any,
) -> tuple[dict[str, str], Path, int, int]:
    """The galleries' checked arguments: texts, folder, max_items, thumb_px."""
    max_items = _check_int(max_items, "max_items", 0, 10_000)
    thumb_px = _check_int(thumb_px, "thumb_px", 16, 2048)
    texts = _labels(labels)
    folder = Path(images_dir)
    if not folder.is_dir():
        raise ConfigError(
            f"{printable(os.fspath(folder))}: expected a folder of images, found "
            f"{'a file' if folder.exists() else 'nothing'} there",
            param="images_dir",
        )
    return texts, folder, max_items, thumb_px


def _image_info(r: ComparisonResult) -> dict[int, tuple[str, float, float]]:
    """Image id → (GT file name, width, height); empty without a ground truth."""
    if r.disagreements is None:
        return {}
    imgs = r.disagreements.gt.images
    return {
        int(i): (str(f or ""), float(w), float(h))
        for i, f, w, h in zip(imgs.id, imgs.file_name, imgs.width, imgs.height, strict=True)
    }


@dataclass(frozen=True)
class _Photo:
    """A decoded photo (RGB, maybe a reduced draft), its full size, the scale from box units to
    its pixels, and the file name a caption shows."""

    image: Any
    size: tuple[int, int]
    scale: tuple[float, float]
    file_name: str


def _load_photo(
    r: ComparisonResult,
    folder: Path,
    image_id: int,
    info: Mapping[int, tuple[str, float, float]],
    thumb_px: int,
    notes: list[GalleryNote],
) -> _Photo | None:
    """The image's photo, or None (a note added) when it cannot be shown; a caveat (aspect
    ratio, boxes beyond the photo) is added to ``notes`` and the photo is still returned."""
    file_name, gt_w, gt_h = info.get(image_id, ("", np.nan, np.nan))
    shown = printable(file_name) if file_name else ""
    lookup = resolve_image(folder, image_id, file_name or None)
    if lookup.path is None:
        notes.append(GalleryNote(str(lookup.reason), image_id, shown))
        return None
    opened = _open(lookup.path, thumb_px)
    if opened is None:
        notes.append(GalleryNote("unreadable", image_id, shown))
        return None
    image, (pw, ph) = opened
    scale = (1.0, 1.0)  # without the GT's size: the photo is at the detections' scale
    if np.isfinite(gt_w) and np.isfinite(gt_h) and gt_w > 0 and gt_h > 0:
        scale = (pw / gt_w, ph / gt_h)
        if abs(scale[0] / scale[1] - 1) > 0.02:
            notes.append(GalleryNote("size_mismatch", image_id, shown))
    if boxes_outside(r, image_id, (pw, ph), scale):
        notes.append(GalleryNote("box_outside", image_id, shown, size=(pw, ph)))
    return _Photo(image, (pw, ph), scale, file_name or lookup.path.name)


def _render_item(
    photo: _Photo,
    r: ComparisonResult,
    image_id: int,
    texts: Mapping[str, str],
    verdicts: _Verdicts | None,
    focus: _Focus,
    thumb_px: int,
) -> bytes:
    """The item's PNG (:func:`_draw_item`, stored within :data:`ITEM_BYTES`)."""
    draw = functools.partial(
        _draw_item, r, image_id, photo.image, photo.size, photo.scale, texts, verdicts, focus=focus
    )
    return _fit_png(draw, thumb_px)


def boxes_outside(
    r: ComparisonResult, image_id: int, size: tuple[int, int], scale: tuple[float, float]
) -> int:
    """How many boxes of either run on ``image_id`` at the operating point reach more than
    :data:`OUTSIDE_PX` beyond a photo of ``size`` (width, height) once scaled by ``scale``
    (photo pixels per box unit: photo size / GT size, or 1 without a ground truth).

    Example:
        A box [200, 300, 60, 40] on a 244 × 320 photo at scale 1 reaches x = 260 > 245:
        outside (1); at scale 0.25 it lies inside (0).
    """
    p = r.pairing
    total = 0
    for run in (p.a, p.b):
        rows = (run.image_id == image_id) & (run.score >= p.score_threshold)
        box = run.bbox[rows]
        if not box.size:
            continue
        x0, y0 = box[:, 0] * scale[0], box[:, 1] * scale[1]
        x1, y1 = (box[:, 0] + box[:, 2]) * scale[0], (box[:, 1] + box[:, 3]) * scale[1]
        out = (x0 < -OUTSIDE_PX) | (y0 < -OUTSIDE_PX)
        out |= (x1 > size[0] + OUTSIDE_PX) | (y1 > size[1] + OUTSIDE_PX)
        total += int(out.sum())
    return total


def _what(texts: Mapping[str, str], counts: Mapping[str, int], names: tuple[str, str]) -> str:
    """'1 class swap; 2 boxes only B found': the nonzero counts, each in the right number."""
    parts = []
    for key, template, fields in (
        ("swaps", "swaps", {}),
        ("a_only", "only", {"name": names[0]}),
        ("b_only", "only", {"name": names[1]}),
    ):
        n = counts[key]
        if n:
            parts.append(texts[f"{template}_{'one' if n == 1 else 'many'}"].format(n=n, **fields))
    return texts["join"].join(parts)


def _audit_what(texts: Mapping[str, str], audit: GtAudit, cases: Mapping[str, np.ndarray]) -> str:
    """'2 boxes both models agree on ... (classes 1899, 3482); 1 ground-truth box ... (30307 →
    34596)': the image's likely-missing and likely-wrong-label cases, each kind in the right
    number, classes in the order of the cases (most confident first), each once."""
    parts = []
    missing, wrong = cases["missing"], cases["wrong"]
    if missing.size:
        categories = ", ".join(
            _unique(str(int(c)) for c in audit.likely_missing.category_id[missing])
        )
        key = "audit_missing_" + ("one" if missing.size == 1 else "many")
        parts.append(texts[key].format(n=int(missing.size), categories=categories))
    if wrong.size:
        w = audit.likely_wrong_label
        pairs = ", ".join(
            _unique(
                f"{int(g)} → {int(c)}"
                for g, c in zip(w.gt_category_id[wrong], w.category_id[wrong], strict=True)
            )
        )
        key = "audit_wrong_" + ("one" if wrong.size == 1 else "many")
        parts.append(texts[key].format(n=int(wrong.size), pairs=pairs))
    return texts["join"].join(parts)


def _unique(values: Any) -> list[str]:
    """``values`` in order, each once."""
    return list(dict.fromkeys(values))


def _check_int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"Expected {name} to be an int, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"Expected {name} in [{low}, {high}], got {value}")
    return int(value)


_ITEM_FIELDS = {"image_id", "file_name", "what", "swaps", "a_only", "b_only", "name_a", "name_b"}
_AUDIT_FIELDS = {"image_id", "file_name", "what", "missing", "wrong", "name_a", "name_b"}
_FIELDS = {
    "panel_a": {"name"},
    "panel_b": {"name"},
    "panel_gt": set(),
    "caption": _ITEM_FIELDS,
    "swaps_one": set(),
    "swaps_many": {"n"},
    "only_one": {"name"},
    "only_many": {"n", "name"},
    "join": set(),
    "alt": _ITEM_FIELDS,
    "gallery_caption": {"shown", "total", "name_a", "name_b"},
    "legend_right": set(),
    "legend_wrong": set(),
    "legend_missed": set(),
    "legend_disputed": set(),
    "audit_caption": _AUDIT_FIELDS,
    "audit_missing_one": {"n", "categories"},
    "audit_missing_many": {"n", "categories"},
    "audit_wrong_one": {"n", "pairs"},
    "audit_wrong_many": {"n", "pairs"},
    "audit_alt": _AUDIT_FIELDS,
    "audit_gallery_caption": {"shown", "total", "missing", "wrong", "name_a", "name_b"},
    "legend_case": set(),
    "legend_unlabelled": set(),
}


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    """:data:`GALLERY_LABELS` with ``labels`` over them, each template checked once."""
    import string

    if labels is None:
        return dict(GALLERY_LABELS)
    expect_type(labels, Mapping, "labels", "a mapping of label key to text")
    unknown = sorted(set(labels) - set(GALLERY_LABELS), key=str)
    if unknown:
        raise ValueError(f"Expected labels keys among {sorted(GALLERY_LABELS)}, got {unknown}")
    out = dict(GALLERY_LABELS)
    for key, text in labels.items():
        if not isinstance(text, str):
            raise TypeError(f"Expected labels[{key!r}] to be a str, got {type(text).__name__}")
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise ValueError(f"Expected labels[{key!r}] to be a format template: {exc}") from None
        if not used <= _FIELDS[key]:
            raise ValueError(
                f"Expected labels[{key!r}] to use only the fields {sorted(_FIELDS[key])}, got "
                f"{sorted(used - _FIELDS[key])}"
            )
        out[key] = text
    return out


def _open(path: Path, thumb_px: int) -> tuple[Any, tuple[int, int]] | None:
    """The decoded photo (RGB; a JPEG already reduced by its decoder to no less than six times
    the panel: a crop of a sixth of the photo keeps its pixels) and its full size, or None when
    it cannot be decoded or is too large."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
            size = image.size
            if size[0] < 1 or size[1] < 1 or size[0] * size[1] > _PIXEL_LIMIT:
                image.close()
                return None
            fit = min(1.0, 6 * thumb_px / max(size))
            image.draft("RGB", (max(1, round(size[0] * fit)), max(1, round(size[1] * fit))))
            rgb = image.convert("RGB")
            image.close()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        return None
    return rgb, size


def _fit_png(draw: Callable[[int], Any], thumb_px: int) -> bytes:
    """The PNG of ``draw(thumb_px)`` (an RGB image); with a 256-colour palette, then drawn at
    smaller sizes, until it fits :data:`ITEM_BYTES`."""
    from PIL import Image

    px = thumb_px
    while True:
        canvas = draw(px)
        png = _png(canvas)
        if len(png) <= ITEM_BYTES:
            return png
        png = _png(canvas.quantize(256, method=Image.Quantize.FASTOCTREE, dither=0))
        if len(png) <= ITEM_BYTES or px <= 64:
            return png
        px = int(px * 0.8)


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Verdicts:
    """Per run, what the operating point says of each detection and each GT box."""

    status: dict[str, np.ndarray]  # (N,) int8 TP / FP / IGNORED of each detection at (s, u)
    found: dict[str, np.ndarray]  # (G,) bool: a counted detection of the run found the GT box


def _verdicts(r: ComparisonResult) -> _Verdicts:
    """Each detection's status and each GT box's found / missed at the operating point: the
    COCO matching at IoU u over all sizes (the match tables the metrics came from), detections
    with score >= s counted."""
    u = r.parameters["iou_threshold"]
    status, found = {}, {}
    for side, ev in (("a", r.eval_a), ("b", r.eval_b)):
        table = ev.matches
        k, t = table.area_index("all"), table.threshold_index(u)
        counted = table.dets.score >= r.pairing.score_threshold
        status[side] = table.det_status[k, t]
        det = table.gt_det[k, t]
        found[side] = (table.gt_status[k, t] == TP) & (det >= 0) & counted[np.maximum(det, 0)]
    return _Verdicts(status, found)


@dataclass(frozen=True)
class _Focus:
    """What an item is about: the boxes its crop is around, the boxes drawn thick, and the
    regions outlined on the GT panel.

    Attributes:
        around: (n, 4) xywh boxes, in the ground truth's pixels, the crop is around.
        thick: 'a' / 'b' → the run's detection rows drawn thick; 'gt' → GT annotation rows.
        marks: (xywh box, label) outlined dotted in :data:`AUDIT_MARK_COLOR` on the GT panel.
        legend: The label key saying what a thick box is (``legend_disputed``, ``legend_case``).
    """

    around: np.ndarray
    thick: Mapping[str, frozenset[int]]
    marks: tuple[tuple[np.ndarray, str], ...] = ()
    legend: str = "legend_disputed"


def _disputed(r: ComparisonResult, image_id: int) -> _Focus:
    """The disagreement gallery's focus: the image's disputed boxes (class swaps and one-sided
    boxes of the pairing), with the GT boxes there, drawn thick (the runs' boxes)."""
    p = r.pairing
    mine = (p.image_id == image_id) & (p.kind != PairKind.AGREE)
    a_rows, b_rows = p.a_row[mine], p.b_row[mine]
    a_rows, b_rows = a_rows[a_rows >= 0], b_rows[b_rows >= 0]
    boxes = [p.a.bbox[a_rows], p.b.bbox[b_rows]]
    if r.disagreements is not None:
        d, ann = r.disagreements, r.disagreements.gt.annotations
        for rows in (d.a_gt[mine], d.b_gt[mine]):
            boxes.append(ann.bbox[rows[rows >= 0]])
    return _Focus(
        around=np.concatenate([b.reshape(-1, 4) for b in boxes]),
        thick={"a": frozenset(a_rows.tolist()), "b": frozenset(b_rows.tolist())},
    )


def _audit_focus(r: ComparisonResult, audit: GtAudit, cases: Mapping[str, np.ndarray]) -> _Focus:
    """The audit gallery's focus on one image: its likely-missing cases (both runs' boxes,
    thick; their union outlined on the GT panel, labelled with the class and '?') and its likely
    wrong labels (the GT box and both runs' boxes on it, thick)."""
    m, w = audit.likely_missing, audit.likely_wrong_label
    missing, wrong = cases["missing"], cases["wrong"]
    marks = []
    for i in missing:
        both = np.stack([m.a_bbox[i], m.b_bbox[i]])
        x0, y0 = both[:, :2].min(axis=0)
        x1, y1 = (both[:, :2] + both[:, 2:]).max(axis=0)
        marks.append((np.array([x0, y0, x1 - x0, y1 - y0]), f"{int(m.category_id[i])} ?"))
    p = r.pairing
    around = np.concatenate(
        [
            m.a_bbox[missing],
            m.b_bbox[missing],
            w.gt_bbox[wrong],
            p.a.bbox[w.a_row[wrong]].reshape(-1, 4),
            p.b.bbox[w.b_row[wrong]].reshape(-1, 4),
        ]
    )
    return _Focus(
        around=around,
        thick={
            "a": frozenset(np.r_[m.a_row[missing], w.a_row[wrong]].tolist()),
            "b": frozenset(np.r_[m.b_row[missing], w.b_row[wrong]].tolist()),
            "gt": frozenset(w.gt_row[wrong].tolist()),
        },
        marks=tuple(marks),
        legend="legend_case",
    )


def _crop(
    r: ComparisonResult,
    image_id: int,
    scale: tuple[float, float],
    size: tuple[int, int],
    around: np.ndarray | None = None,
) -> tuple[float, float, float, float]:
    """The photo region (x0, y0, x1, y1 in photo pixels) around ``around`` ((n, 4) xywh in the
    ground truth's pixels; None: the image's disputed boxes and the GT boxes there): their
    union, padded by half its longer side (at least 8 px), widened to an aspect between 3:4
    and 4:3, moved inside the photo. No box: the whole photo."""
    xywh = _disputed(r, image_id).around if around is None else np.asarray(around).reshape(-1, 4)
    pw, ph = size
    if not len(xywh):
        return 0.0, 0.0, float(pw), float(ph)
    x0 = float(xywh[:, 0].min()) * scale[0]
    y0 = float(xywh[:, 1].min()) * scale[1]
    x1 = float((xywh[:, 0] + xywh[:, 2]).max()) * scale[0]
    y1 = float((xywh[:, 1] + xywh[:, 3]).max()) * scale[1]
    pad = max(8.0, 0.5 * max(x1 - x0, y1 - y0))
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    w, h = max(w, 0.75 * h), max(h, 0.75 * w)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = min(w, pw), min(h, ph)
    left = min(max(cx - w / 2, 0.0), pw - w)
    top = min(max(cy - h / 2, 0.0), ph - h)
    return left, top, left + w, top + h


def _draw_item(
    r: ComparisonResult,
    image_id: int,
    photo: Any,
    size: tuple[int, int],
    scale: tuple[float, float],
    texts: Mapping[str, str],
    verdicts: _Verdicts | None,
    thumb_px: int,
    *,
    focus: _Focus | None = None,
) -> Any:
    """The item as an RGB image: per panel a title and the crop with its boxes; a legend.
    ``focus``: what the item is about (default: the image's disputed boxes)."""
    from PIL import Image, ImageDraw

    focus = _disputed(r, image_id) if focus is None else focus
    pw, ph = size
    cx0, cy0, cx1, cy1 = _crop(r, image_id, scale, size, focus.around)
    # The decoded photo may be a reduced draft: its own pixels per photo pixel.
    rx, ry = photo.size[0] / pw, photo.size[1] / ph
    region = photo.crop((round(cx0 * rx), round(cy0 * ry), round(cx1 * rx), round(cy1 * ry)))
    zoom = min(thumb_px / max(cx1 - cx0, cy1 - cy0), MAX_ZOOM)
    tw, th = max(1, round((cx1 - cx0) * zoom)), max(1, round((cy1 - cy0) * zoom))
    thumb = region.resize((tw, th), Image.Resampling.LANCZOS)
    # GT pixel coordinates -> panel pixels.
    fx, fy = scale[0] * zoom, scale[1] * zoom
    ox, oy = cx0 * zoom, cy0 * zoom
    panels = _panels(r, image_id, texts, verdicts, focus)
    title_font, label_font, legend_font = _font(_TITLE_PX), _font(_LABEL_PX), _font(_LEGEND_PX)
    title_h = _TITLE_PX + 6
    legend = _legend_entries(texts, verdicts is not None, focus)
    width = len(panels) * tw + (len(panels) - 1) * _GAP + 2 * _MARGIN
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    legend_lines = _legend_layout(probe, legend, legend_font, width - 2 * _MARGIN)
    legend_h = len(legend_lines) * (_LEGEND_PX + 6)
    canvas = Image.new("RGB", (width, title_h + th + 2 * _MARGIN + legend_h), _BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for k, (title, colour, boxes) in enumerate(panels):
        left, top = _MARGIN + k * (tw + _GAP), _MARGIN + title_h
        draw.text((left, _MARGIN), _fit(draw, title, title_font, tw), fill=colour, font=title_font)
        canvas.paste(thumb, (left, top))
        draw.rectangle((left, top, left + tw - 1, top + th - 1), outline="#D0D0D0")
        frame = (left, top, left + tw, top + th)
        for bbox, text, box_colour, thick, dashed in boxes:
            # dashed: True (a missed GT box, a crowd region) or 'dotted' (an audit mark)
            x, y, w, h = bbox
            x0, y0 = left + x * fx - ox, top + y * fy - oy
            x1, y1 = x0 + max(w * fx, 1), y0 + max(h * fy, 1)
            if x1 < left or y1 < top or x0 > left + tw - 1 or y0 > top + th - 1:
                continue  # outside the crop
            x0, x1 = np.clip([x0, x1], left, left + tw - 1)
            y0, y1 = np.clip([y0, y1], top, top + th - 1)
            line = 3 if thick else 1
            if dashed:
                _dashed(draw, (x0, y0, x1, y1), box_colour, 2, dotted=dashed == "dotted")
            else:
                draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), outline=_HALO, width=line + 2)
                draw.rectangle((x0, y0, x1, y1), outline=box_colour, width=line)
            if dashed:
                _label(draw, text, label_font, box_colour, (x0, y1 + 1), frame, below=True)
            else:
                _label(draw, text, label_font, box_colour, (x0, y0), frame)
    y = _MARGIN + title_h + th + 4
    for line in legend_lines:
        x = _MARGIN
        for text, colour, dashed in line:
            if colour is not None:
                box = (x, y + 2, x + _LEGEND_PX + 2, y + _LEGEND_PX)
                if dashed:
                    _dashed(draw, box, colour, 2, dotted=dashed == "dotted")
                else:
                    draw.rectangle(box, outline=colour, width=3)
                x += _LEGEND_PX + 6
            draw.text((x, y), _drawable(legend_font, text), fill="#303030", font=legend_font)
            x += int(draw.textlength(_drawable(legend_font, text), font=legend_font)) + 14
        y += _LEGEND_PX + 6
    return canvas


_Entry = tuple[str, str | None, bool | str]  # text, swatch colour or None, dashed / 'dotted'


def _legend_entries(texts: Mapping[str, str], with_gt: bool, focus: _Focus) -> list[_Entry]:
    """(text, swatch colour or None, dashed) of the legend: the verdict colours with a ground
    truth, what a thick box is, and the GT panel's dotted outline when the item has one."""
    out: list[_Entry] = []
    if with_gt:
        out += [
            (texts["legend_right"], VERDICT_COLORS["right"], False),
            (texts["legend_wrong"], VERDICT_COLORS["wrong"], False),
            (texts["legend_missed"], VERDICT_COLORS["missed"], True),
        ]
    out.append((texts[focus.legend], None, False))
    if focus.marks:
        out.append((texts["legend_unlabelled"], AUDIT_MARK_COLOR, "dotted"))
    return out


def _legend_layout(draw: Any, entries: list[_Entry], font: Any, width: int) -> list[list[_Entry]]:
    """The legend's entries in lines that fit ``width`` pixels (a narrow item wraps)."""
    lines: list[list[_Entry]] = [[]]
    used = 0
    for entry in entries:
        need = int(draw.textlength(_drawable(font, entry[0]), font=font)) + 14
        need += (_LEGEND_PX + 6) if entry[1] is not None else 0
        if lines[-1] and used + need > width:
            lines.append([])
            used = 0
        lines[-1].append(entry)
        used += need
    return lines


def _dashed(
    draw: Any,
    box: tuple[float, float, float, float],
    colour: str,
    width: int,
    *,
    dotted: bool = False,
) -> None:
    """A dashed rectangle (6 px on, 4 px off; ``dotted``: 2 px on, 3 px off), on a white halo."""
    on, period = (2, 5) if dotted else (6, 10)
    x0, y0, x1, y1 = box
    for (ax, ay), (bx, by) in (
        ((x0, y0), (x1, y0)),
        ((x1, y0), (x1, y1)),
        ((x1, y1), (x0, y1)),
        ((x0, y1), (x0, y0)),
    ):
        length = max(abs(bx - ax), abs(by - ay))
        steps = max(1, int(length // period) + 1)
        for i in range(steps):
            s0 = i * period / max(length, 1)
            s1 = min((i * period + on) / max(length, 1), 1.0)
            if s0 >= 1:
                break
            p0 = (ax + (bx - ax) * s0, ay + (by - ay) * s0)
            p1 = (ax + (bx - ax) * s1, ay + (by - ay) * s1)
            draw.line((p0, p1), fill=_HALO, width=width + 2)
            draw.line((p0, p1), fill=colour, width=width)


_Box = tuple[np.ndarray, str, str, bool, bool | str]  # xywh, label, colour, thick, dashed


def _panels(
    r: ComparisonResult,
    image_id: int,
    texts: Mapping[str, str],
    verdicts: _Verdicts | None,
    focus: _Focus,
) -> list[tuple[str, str, list[_Box]]]:
    """(title, title colour, boxes) per panel; a run's boxes by ascending score, so the surest
    is drawn last (on top), after the GT boxes it missed. With ``verdicts`` a box's colour is
    its verdict (:data:`VERDICT_COLORS`), else its run's colour. The focus's boxes are thick;
    its marks are drawn last on the GT panel."""
    p = r.pairing
    ann = r.disagreements.gt.annotations if r.disagreements is not None else None
    gt_rows = np.flatnonzero((ann.image_id == image_id) & ~ann.iscrowd) if ann is not None else None
    out = []
    for side, run in (("a", p.a), ("b", p.b)):
        rows = np.flatnonzero((run.image_id == image_id) & (run.score >= p.score_threshold))
        rows = rows[np.lexsort((rows, run.score[rows]))]
        thick = focus.thick.get(side, frozenset())
        boxes: list[_Box] = []
        if verdicts is not None and ann is not None and gt_rows is not None:
            missed = gt_rows[~verdicts.found[side][gt_rows]]
            boxes += [
                (ann.bbox[g], str(int(ann.category_id[g])), VERDICT_COLORS["missed"], False, True)
                for g in missed
            ]
        for i in rows:
            if verdicts is None:
                colour = MODEL_COLORS[side]
            else:
                colour = VERDICT_COLORS[_STATUS_KEYS[int(verdicts.status[side][i])]]
            label = f"{int(run.category_id[i])} {float(run.score[i]):.2f}"
            boxes.append((run.bbox[i], label, colour, int(i) in thick, False))
        name = r.names[0] if side == "a" else r.names[1]
        out.append((texts[f"panel_{side}"].format(name=name), MODEL_COLORS[side], boxes))
    if ann is not None and gt_rows is not None:
        rows = np.flatnonzero(ann.image_id == image_id)
        thick = focus.thick.get("gt", frozenset())
        gt_boxes: list[_Box] = [
            (
                ann.bbox[i],
                str(int(ann.category_id[i])),
                GT_COLOR,
                int(i) in thick,
                bool(ann.iscrowd[i]),
            )
            for i in rows
        ]
        gt_boxes += [(box, label, AUDIT_MARK_COLOR, False, "dotted") for box, label in focus.marks]
        out.append((texts["panel_gt"], GT_COLOR, gt_boxes))
    return out


_STATUS_KEYS = {TP: "right", FP: "wrong", IGNORED: "ignored"}


def _label(
    draw: Any, text: str, font: Any, colour: str, at: tuple, panel: tuple, *, below: bool = False
) -> None:
    """``text`` white on ``colour`` just above the box's top-left corner (inside the box when
    there is no room above), kept inside the panel; ``below``: under its bottom-left corner
    (``at`` is then that corner), so a missed GT box's label does not hide the run's label on
    the same object."""
    text = _drawable(font, text)
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    w, h = x1 - x0 + 4, y1 - y0 + 2
    left, top, right, bottom = panel
    x = min(max(at[0], left), max(left, right - w))
    if below:
        y = at[1] if at[1] + h <= bottom else at[1] - h
    else:
        y = at[1] - h if at[1] - h >= top else at[1]
    y = min(y, max(top, bottom - h))
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=colour)
    draw.text((x + 2 - x0, y + 1 - y0), text, fill="#FFFFFF", font=font)


def _fit(draw: Any, text: str, font: Any, width: int) -> str:
    """``text`` cut with '…' to fit ``width`` pixels."""
    text = _drawable(font, printable(text))
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _drawable(font: Any, text: str) -> str:
    """Pillow's bitmap fallback font has Latin-1 only: other characters become '?'."""
    from PIL import ImageFont

    if isinstance(font, ImageFont.FreeTypeFont):
        return text
    return text.encode("latin-1", "replace").decode("latin-1")


@functools.cache
def _font(px: int) -> Any:
    """NanumGothic (Hangul and Latin; shipped with pillcmp's font dependency), else matplotlib's
    DejaVu Sans, else Pillow's bitmap font. Basic layout (no raqm), so bytes do not depend on
    which text-shaping library is installed."""
    from PIL import ImageFont

    for path in (hangul_font_path(), _dejavu_path()):
        if path is not None:
            try:
                return ImageFont.truetype(str(path), px, layout_engine=ImageFont.Layout.BASIC)
            except OSError:
                continue
    return ImageFont.load_default_imagefont()


def _dejavu_path() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.is_file():
            return path
    return None
