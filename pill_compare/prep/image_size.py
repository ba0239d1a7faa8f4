"""Image sizes from file headers (PNG, JPEG, GIF, BMP with the standard library), never decoding.

Reading a 976×1280 PNG whole to learn its size costs milliseconds and megabytes; its header holds
the size in the first 24 bytes. Other formats (WebP, TIFF, ...) fall back to Pillow's lazy
``Image.open``, which also reads only the header; Pillow is installed with matplotlib.

Sizes are the stored pixel size, as COCO's ``width`` / ``height`` are: a JPEG EXIF orientation tag
(a photo stored sideways) is not applied.
"""

from __future__ import annotations

import os
import stat
import struct
import warnings
from pathlib import Path

from pill_compare.errors import InputFormatError
from pill_compare.io.files import display_path

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
#: A JPEG has a few dozen segments before its frame header; a file with more is not a JPEG.
_JPEG_MAX_SEGMENTS = 10_000


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
        if not stat.S_ISREG(os.stat(p).st_mode):  # a FIFO would block, a device never end
            raise InputFormatError(f"{display_path(p)}: not a regular file, expected an image")
        with p.open("rb") as fh:
            head = fh.read(32)
            size = _jpeg_size(fh) if head[:2] == b"\xff\xd8" else _simple_size(head)
    except OSError as exc:
        raise InputFormatError(f"{display_path(p)}: cannot be read ({exc.strerror})") from None
    if size is None:
        size = _pillow_size(p)
    if size is None or size[0] <= 0 or size[1] <= 0:
        raise InputFormatError(
            f"{display_path(p)}: no image size in its header "
            "(expected a PNG, JPEG, GIF or BMP image)"
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
    """Walk the JPEG marker segments (after SOI) to the first start-of-frame.

    Seeks from segment to segment (large APPn segments such as EXIF thumbnails come first), so
    the cost grows with the number of segments, never with the file size.
    """
    pos = 2
    for _ in range(_JPEG_MAX_SEGMENTS):
        fh.seek(pos)
        buf = fh.read(512)
        fill = len(buf) - len(buf.lstrip(b"\xff"))  # fill bytes before a marker
        if fill == len(buf):
            if not buf:
                return None
            pos += fill
            continue
        marker = buf[fill]
        pos += fill + 1
        if marker in _JPEG_STANDALONE:
            continue
        seg = buf[fill + 1 : fill + 8]
        if len(seg) < 7:
            fh.seek(pos)
            seg = fh.read(7)
        if len(seg) < 2:
            return None
        (length,) = struct.unpack(">H", seg[:2])
        if marker in _JPEG_SOF:
            if len(seg) < 7:
                return None
            h, w = struct.unpack(">HH", seg[3:7])
            return int(w), int(h)
        if marker == 0xD9 or length < 2:  # end of image, or a broken segment
            return None
        pos += length
    return None


def _pillow_size(path: Path) -> tuple[int, int] | None:
    try:
        from PIL import Image
    except ImportError:
        return None
    try:
        with warnings.catch_warnings():
            # A huge declared size is what we want to read, not a decompression bomb: nothing
            # is decoded here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:  # lazy: reads the header only
                w, h = img.size
    except Exception:  # any decoder error (or bomb error) means "no size we can trust"
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
        raise InputFormatError(
            f"{display_path(root)}: not a folder (expected a folder of image files)"
        )
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
