"""Image sizes from file headers (PNG, JPEG, GIF, BMP with the standard library), never decoding.

Reading a 976×1280 PNG whole to learn its size costs milliseconds and megabytes; its header holds
the size in the first 24 bytes. Other formats (WebP, TIFF, ...) fall back to Pillow's lazy
``Image.open``, which also reads only the header; Pillow is installed with matplotlib.

Sizes are the stored pixel size, as COCO's ``width`` / ``height`` are: a JPEG EXIF orientation tag
(a photo stored sideways) is not applied.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from pill_compare.errors import InputFormatError

IMAGE_SUFFIXES: tuple[str, ...] = (
    ".png",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".gif",
    ".webp",
    ".tif",
    ".tiff",
)

# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field (RSTn, SOI, EOI, TEM).
_JPEG_STANDALONE = frozenset([*range(0xD0, 0xDA), 0x01])
_HEADER_BYTES = 1 << 16


def read_image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """The ``(width, height)`` of an image file, from its header.

    Args:
        path: A PNG, JPEG, GIF or BMP file (others through Pillow, when installed).

    Returns:
        ``(width, height)`` in pixels, both > 0.

    Raises:
        InputFormatError: missing or unreadable file, or a header that names no size.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(32)
            size = _jpeg_size(fh) if head[:2] == b"\xff\xd8" else _simple_size(head)
    except OSError as exc:
        raise InputFormatError(f"{p}: cannot be read ({exc.strerror})") from None
    if size is None:
        size = _pillow_size(p)
    if size is None or size[0] <= 0 or size[1] <= 0:
        raise InputFormatError(
            f"{p}: no image size in its header (expected a PNG, JPEG, GIF or BMP image)"
        )
    return size


def _simple_size(head: bytes) -> tuple[int, int] | None:
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR" and len(head) >= 24:
        w, h = struct.unpack(">II", head[16:24])
        return int(w), int(h)
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        w, h = struct.unpack("<HH", head[6:10])
        return int(w), int(h)
    if head[:2] == b"BM" and len(head) >= 26:
        # BITMAPINFOHEADER: signed width and height; a negative height means top-down rows.
        w, h = struct.unpack("<ii", head[18:26])
        return abs(int(w)), abs(int(h))
    return None


def _jpeg_size(fh) -> tuple[int, int] | None:
    """Walk the JPEG marker segments (after SOI) to the first start-of-frame."""
    fh.seek(2)
    data = fh.read(_HEADER_BYTES)
    pos = 0
    while True:
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= len(data):
            data += fh.read(_HEADER_BYTES)  # large APPn segments (thumbnails) come first
            if pos >= len(data):
                return None
            continue
        marker = data[pos]
        pos += 1
        if marker in _JPEG_STANDALONE:
            continue
        if len(data) < pos + 7:
            more = fh.read(_HEADER_BYTES)
            if not more:
                return None
            data += more
            continue
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if marker in _JPEG_SOF:
            h, w = struct.unpack(">HH", data[pos + 3 : pos + 7])
            return int(w), int(h)
        if marker == 0xD9 or length < 2:  # end of image, or a broken segment
            return None
        pos += length


def _pillow_size(path: Path) -> tuple[int, int] | None:
    try:
        from PIL import Image
    except ImportError:
        return None
    try:
        with Image.open(path) as img:  # lazy: reads the header only
            w, h = img.size
    except Exception:  # any decoder error means "no size we can trust"
        return None
    return int(w), int(h)


def index_image_files(directory: str | os.PathLike[str]) -> tuple[dict[str, Path], list[str]]:
    """Every image file under ``directory`` (recursively), keyed by file name.

    Args:
        directory: The image folder.

    Returns:
        ``(files, duplicated)``: file name → path (the first in sorted path order), and the file
        names found more than once in different sub-folders (ambiguous for lookups by name).

    Raises:
        InputFormatError: ``directory`` is not a folder.
    """
    root = Path(directory)
    if not root.is_dir():
        raise InputFormatError(f"{root}: not a folder (expected a folder of image files)")
    files: dict[str, Path] = {}
    duplicated: list[str] = []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() not in IMAGE_SUFFIXES or p.name.startswith(".") or not p.is_file():
            continue
        if p.name in files:
            if p.name not in duplicated:
                duplicated.append(p.name)
            continue
        files[p.name] = p
    return files, duplicated
