"""The disagreement gallery: the images where two runs differ, worst first, with both runs' boxes.

Which images, in which order: every image of ``r.diff.differing_images`` and every image with a
class swap or a one-sided box in ``r.pairing`` (the same pairing the report's disagreement
numbers come from), ranked by class swaps + one-sided boxes on the image (most first), ties by
ascending image id. The first ``max_items`` images whose file is found make the gallery; an image
that is missing, refused or unreadable is skipped with a note, and the next one is tried.

Each item is one PNG: side-by-side panels A | B | GT (GT only with a ground truth), the photo
downscaled so its longer side is at most ``thumb_px``. A panel shows its run's boxes with
``score >= r.pairing.score_threshold`` (the operating point), each with its category id and
score; boxes in a class swap or one-sided are drawn thicker than agreeing ones. Colours:
:data:`~pill_compare.report.style.MODEL_COLORS` for A and B, :data:`GT_COLOR` (neutral) for the
ground truth. Boxes are in the ground truth's pixel coordinates: with a ground truth that gives
the image's width and height they are scaled by photo size / GT size (a photo may be stored
smaller than the annotated image, as the sample's are); without one the photo is taken to be at
the detections' scale.

Size: an item whose RGB PNG is over :data:`ITEM_BYTES` is stored as a 256-colour palette PNG
(then, if still over, at smaller sizes), so 24 items stay under ~5 MB (~6.5 MB as base64 in
HTML). Same inputs, same Pillow: same bytes (fixed fonts, Pillow's basic text layout, fixed PNG
settings, no metadata).

Notes (second return value) are ``"<code>: image <id>"`` plus `` (<file name>)`` where one is
known, with a code from :data:`NOTE_CODES`; the report words them.
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
from pill_compare.core import expect_type
from pill_compare.errors import ConfigError
from pill_compare.io.files import printable
from pill_compare.io.images import resolve_image
from pill_compare.report.structure import Gallery, GalleryItem
from pill_compare.report.style import MODEL_COLORS, hangul_font_path

__all__ = [
    "GALLERY_LABELS",
    "GT_COLOR",
    "ITEM_BYTES",
    "NOTE_CODES",
    "OUTSIDE_PX",
    "boxes_outside",
    "build_gallery",
    "rank_images",
]

#: Panel titles, captions and alt texts (English defaults), as ``str.format`` templates.
#: Fields: ``panel_a`` / ``panel_b``: {name}; ``caption`` / ``alt``: {image_id}, {file_name},
#: {swaps}, {a_only}, {b_only}, {name_a}, {name_b}; ``gallery_caption``: {shown}, {total},
#: {name_a}, {name_b}.
GALLERY_LABELS: dict[str, str] = {
    "panel_a": "A: {name}",
    "panel_b": "B: {name}",
    "panel_gt": "Ground truth",
    "caption": (
        "Image {image_id} ({file_name}): {swaps} class swap(s), {a_only} box(es) only in "
        "{name_a}, {b_only} only in {name_b}"
    ),
    "alt": "Boxes of {name_a}, {name_b} and the ground truth on image {image_id}",
    "gallery_caption": (
        "{shown} of {total} images where {name_a} and {name_b} differ, most disagreements first"
    ),
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
#: An item larger than this as an RGB PNG is stored with a 256-colour palette (bytes).
ITEM_BYTES = 200_000

_HALO = "#FFFFFF"
_BACKGROUND = "#FFFFFF"
_GAP, _MARGIN, _TITLE_PX, _LABEL_PX = 8, 4, 14, 11
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
    thumb_px: int = 320,
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
        thumb_px: The longer side of each panel's photo, in pixels (16 to 2048); photos are
            only made smaller, never larger.

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
    ranked = rank_images(r)
    names = {"name_a": r.names[0], "name_b": r.names[1]}
    gt = r.disagreements.gt if r.disagreements is not None else None
    info: dict[int, tuple[str, float, float]] = {}
    if gt is not None:
        imgs = gt.images
        info = {
            int(i): (str(f or ""), float(w), float(h))
            for i, f, w, h in zip(imgs.id, imgs.file_name, imgs.width, imgs.height, strict=True)
        }
    items: list[GalleryItem] = []
    notes: list[GalleryNote] = []
    for image_id, counts in ranked:
        if len(items) >= max_items:
            break
        file_name, gt_w, gt_h = info.get(image_id, ("", np.nan, np.nan))
        shown = printable(file_name) if file_name else ""
        lookup = resolve_image(folder, image_id, file_name or None)
        if lookup.path is None:
            notes.append(GalleryNote(str(lookup.reason), image_id, shown))
            continue
        photo = _open(lookup.path, thumb_px)
        if photo is None:
            notes.append(GalleryNote("unreadable", image_id, shown))
            continue
        image, (pw, ph) = photo
        scale = (1.0, 1.0)  # without the GT's size: the photo is at the detections' scale
        if np.isfinite(gt_w) and np.isfinite(gt_h) and gt_w > 0 and gt_h > 0:
            scale = (pw / gt_w, ph / gt_h)
            if abs(scale[0] / scale[1] - 1) > 0.02:
                notes.append(GalleryNote("size_mismatch", image_id, shown))
        if boxes_outside(r, image_id, (pw, ph), scale):
            notes.append(GalleryNote("box_outside", image_id, shown, size=(pw, ph)))
        draw = functools.partial(
            _draw_item, r, image_id, image, (pw, ph), scale, texts, gt is not None
        )
        png = _render_item(draw, thumb_px)
        fields = {
            "image_id": image_id,
            "file_name": file_name or lookup.path.name,
            **counts,
            **names,
        }
        items.append(
            GalleryItem(
                key=f"gallery_{image_id}",
                png=png,
                caption=texts["caption"].format(**fields),
                alt=texts["alt"].format(**fields),
            )
        )
    caption = texts["gallery_caption"].format(shown=len(items), total=len(ranked), **names)
    return Gallery(key="gallery", items=tuple(items), caption=caption), notes


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


def _check_int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"Expected {name} to be an int, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"Expected {name} in [{low}, {high}], got {value}")
    return int(value)


_FIELDS = {
    "panel_a": {"name"},
    "panel_b": {"name"},
    "panel_gt": set(),
    "caption": {"image_id", "file_name", "swaps", "a_only", "b_only", "name_a", "name_b"},
    "alt": {"image_id", "file_name", "swaps", "a_only", "b_only", "name_a", "name_b"},
    "gallery_caption": {"shown", "total", "name_a", "name_b"},
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
    """The decoded photo (RGB; a JPEG already reduced by its decoder to no less than twice the
    thumbnail) and its full size, or None when it cannot be decoded or is too large."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
            size = image.size
            if size[0] < 1 or size[1] < 1 or size[0] * size[1] > _PIXEL_LIMIT:
                image.close()
                return None
            fit = min(1.0, 2 * thumb_px / max(size))
            image.draft("RGB", (max(1, round(size[0] * fit)), max(1, round(size[1] * fit))))
            rgb = image.convert("RGB")
            image.close()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        return None
    return rgb, size


def _render_item(draw: Callable[[int], Any], thumb_px: int) -> bytes:
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


def _draw_item(
    r: ComparisonResult,
    image_id: int,
    photo: Any,
    size: tuple[int, int],
    scale: tuple[float, float],
    texts: Mapping[str, str],
    with_gt: bool,
    thumb_px: int,
) -> Any:
    """The item as an RGB image: a title and the thumbnail with its boxes per panel."""
    from PIL import Image, ImageDraw

    pw, ph = size
    fit = min(1.0, thumb_px / max(pw, ph))
    tw, th = max(1, round(pw * fit)), max(1, round(ph * fit))
    thumb = photo if photo.size == (tw, th) else photo.resize((tw, th), Image.Resampling.LANCZOS)
    # GT pixel coordinates -> thumbnail pixels.
    fx, fy = scale[0] * tw / pw, scale[1] * th / ph
    panels = _panels(r, image_id, texts, with_gt)
    title_font, label_font = _font(_TITLE_PX), _font(_LABEL_PX)
    title_h = _TITLE_PX + 6
    width = len(panels) * tw + (len(panels) - 1) * _GAP + 2 * _MARGIN
    canvas = Image.new("RGB", (width, title_h + th + 2 * _MARGIN), _BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for k, (title, colour, boxes) in enumerate(panels):
        left, top = _MARGIN + k * (tw + _GAP), _MARGIN + title_h
        draw.text((left, _MARGIN), _fit(draw, title, title_font, tw), fill=colour, font=title_font)
        canvas.paste(thumb, (left, top))
        draw.rectangle((left, top, left + tw - 1, top + th - 1), outline="#D0D0D0")
        for bbox, text, thick in boxes:
            x, y, w, h = bbox
            x0, y0 = left + x * fx, top + y * fy
            x1, y1 = x0 + max(w * fx, 1), y0 + max(h * fy, 1)
            x0, x1 = np.clip([x0, x1], left, left + tw - 1)
            y0, y1 = np.clip([y0, y1], top, top + th - 1)
            line = 3 if thick else 1
            draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), outline=_HALO, width=line + 2)
            draw.rectangle((x0, y0, x1, y1), outline=colour, width=line)
            _label(draw, text, label_font, colour, (x0, y0), (left, top, left + tw, top + th))
    return canvas


def _panels(
    r: ComparisonResult, image_id: int, texts: Mapping[str, str], with_gt: bool
) -> list[tuple[str, str, list[tuple[np.ndarray, str, bool]]]]:
    """(title, colour, [(xywh box, label, drawn thick)]) per panel; boxes by ascending score,
    so the surest is drawn last (on top)."""
    p = r.pairing
    mine = (p.image_id == image_id) & (p.kind != PairKind.AGREE)
    out = []
    for side, run, rows_in_dispute in (("a", p.a, p.a_row[mine]), ("b", p.b, p.b_row[mine])):
        rows = np.flatnonzero((run.image_id == image_id) & (run.score >= p.score_threshold))
        rows = rows[np.lexsort((rows, run.score[rows]))]
        disputed = set(rows_in_dispute[rows_in_dispute >= 0].tolist())
        boxes = [
            (
                run.bbox[i],
                f"{int(run.category_id[i])} {float(run.score[i]):.2f}",
                int(i) in disputed,
            )
            for i in rows
        ]
        name = r.names[0] if side == "a" else r.names[1]
        out.append((texts[f"panel_{side}"].format(name=name), MODEL_COLORS[side], boxes))
    if with_gt and r.disagreements is not None:
        ann = r.disagreements.gt.annotations
        rows = np.flatnonzero(ann.image_id == image_id)
        boxes = [(ann.bbox[i], str(int(ann.category_id[i])), False) for i in rows]
        out.append((texts["panel_gt"], GT_COLOR, boxes))
    return out


def _label(draw: Any, text: str, font: Any, colour: str, at: tuple, panel: tuple) -> None:
    """``text`` white on ``colour`` just above the box's top-left corner (inside the box when
    there is no room above), kept inside the panel."""
    text = _drawable(font, text)
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    w, h = x1 - x0 + 4, y1 - y0 + 2
    left, top, right, bottom = panel
    x = min(max(at[0], left), max(left, right - w))
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
