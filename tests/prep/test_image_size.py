"""Image sizes from headers, never decoding the image."""

import os
import struct

import pytest

from pill_compare.errors import InputFormatError
from pill_compare.prep.image_size import index_image_files, read_image_size
from tests.prep.pill_folder import write_png


def _jpeg_header(width: int, height: int, app_bytes: int = 16) -> bytes:
    """SOI, an APP0 segment of ``app_bytes`` payload, then SOF0 (baseline) with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", app_bytes + 2) + b"J" * app_bytes
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def test_png_size_from_its_ihdr(tmp_path):
    assert read_image_size(write_png(tmp_path / "a.png", 976, 1280)) == (976, 1280)


def test_jpeg_size_from_its_start_of_frame(tmp_path):
    path = tmp_path / "a.jpg"
    path.write_bytes(_jpeg_header(640, 480))
    assert read_image_size(path) == (640, 480)


def test_jpeg_with_a_segment_larger_than_the_read_buffer(tmp_path):
    # An APP1 (EXIF thumbnail) of 65,000 bytes before the frame header: the walker reads on.
    path = tmp_path / "big.jpg"
    path.write_bytes(_jpeg_header(4032, 3024, app_bytes=65_000))
    assert read_image_size(path) == (4032, 3024)


def test_real_jpeg_written_by_pillow(tmp_path):
    image = pytest.importorskip("PIL.Image")
    path = tmp_path / "p.jpg"
    image.new("RGB", (33, 17)).save(path, quality=90)
    assert read_image_size(path) == (33, 17)


def test_gif_and_bmp(tmp_path):
    gif = tmp_path / "a.gif"
    gif.write_bytes(b"GIF89a" + struct.pack("<HH", 12, 34) + b"\x00" * 20)
    bmp = tmp_path / "a.bmp"
    # BITMAPFILEHEADER (14 bytes) then BITMAPINFOHEADER: size, width, height (negative: top-down).
    bmp.write_bytes(b"BM" + b"\x00" * 12 + struct.pack("<Iii", 40, 56, -78) + b"\x00" * 20)
    assert read_image_size(gif) == (12, 34)
    assert read_image_size(bmp) == (56, 78)


def test_a_file_that_is_not_an_image_is_refused(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(InputFormatError, match=r"notes\.png: no image size in its header"):
        read_image_size(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(InputFormatError, match=r"gone\.png: cannot be read"):
        read_image_size(tmp_path / "gone.png")


def test_index_finds_images_recursively_and_reports_repeated_names(tmp_path):
    write_png(tmp_path / "a" / "1.png", 2, 2)
    write_png(tmp_path / "b" / "1.png", 3, 3)
    write_png(tmp_path / "b" / "2.PNG", 3, 3)
    (tmp_path / "b" / "notes.txt").write_text("x")
    (tmp_path / "b" / "._3.png").write_bytes(b"\x00")
    files, repeated = index_image_files(tmp_path)
    assert sorted(files) == ["1.png", "2.PNG"]
    assert files["1.png"] == tmp_path / "a" / "1.png"  # the first in path order
    assert repeated == ["1.png"]


def test_a_fifo_named_like_an_image_is_refused_without_blocking(tmp_path):
    path = tmp_path / "1.png"
    os.mkfifo(path)
    with pytest.raises(InputFormatError, match=r"1\.png: not a regular file, expected an image"):
        read_image_size(path)


def test_a_jpeg_with_a_segment_length_past_its_end_has_no_size(tmp_path):
    # The APP0 length points 60 kB past the end of a 40 kB file: the walk seeks, finds nothing.
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\xff\xff" + b"\x00" * 40_000)
    with pytest.raises(InputFormatError, match=r"bad\.jpg: no image size in its header"):
        read_image_size(path)
