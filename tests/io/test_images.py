"""resolve_image: finds an image by GT file_name or <id>.<ext>, never outside the folder."""

from __future__ import annotations

import builtins
import io
import os
import sys

import pytest

from pill_compare.io.images import IMAGE_EXTENSIONS, ImageLookup, resolve_image


@pytest.fixture
def folder(tmp_path):
    """images/ with a.png, sub/b.png and 7.jpg; outside.png beside the folder."""
    images = tmp_path / "images"
    (images / "sub").mkdir(parents=True)
    for name in ("a.png", "sub/b.png", "7.jpg"):
        (images / name).write_bytes(b"not read")
    (tmp_path / "outside.png").write_bytes(b"secret")
    return images


def test_finds_the_ground_truth_file_name(folder):
    assert resolve_image(folder, 1, "a.png") == ImageLookup((folder / "a.png").resolve())
    assert resolve_image(folder, 1, "sub/b.png").path == (folder / "sub" / "b.png").resolve()


def test_a_dot_dot_that_stays_inside_is_found(folder):
    assert resolve_image(folder, 1, "sub/../a.png").path == (folder / "a.png").resolve()


def test_finds_the_last_part_of_a_file_name_with_folders_the_images_dir_lacks(folder):
    assert resolve_image(folder, 1, "train/images/a.png").path == (folder / "a.png").resolve()


def test_falls_back_to_image_id_and_an_extension(folder):
    assert resolve_image(folder, 7, None).path == (folder / "7.jpg").resolve()
    assert resolve_image(folder, 7, "").path == (folder / "7.jpg").resolve()
    assert resolve_image(folder, 7, "gone.png").path == (folder / "7.jpg").resolve()


def test_tries_every_extension_in_both_cases(folder):
    for k, ext in enumerate(IMAGE_EXTENSIONS):
        (folder / f"{100 + k}.{ext.upper()}").write_bytes(b"x")
        assert resolve_image(folder, 100 + k).path == (folder / f"{100 + k}.{ext.upper()}")


def test_nothing_there_is_missing(folder):
    assert resolve_image(folder, 8, "gone.png") == ImageLookup(None, "missing")
    assert resolve_image(folder / "no-such-folder", 7) == ImageLookup(None, "missing")


@pytest.mark.parametrize(
    "name", ["../outside.png", "../../etc/passwd", "sub/../../outside.png", "../images2/a.png"]
)
def test_a_file_name_leading_out_of_the_folder_is_refused(folder, name):
    assert resolve_image(folder, 7, name) == ImageLookup(None, "outside")


def test_an_absolute_file_name_is_refused_even_when_it_points_inside(folder):
    assert resolve_image(folder, 7, str(folder / "a.png")) == ImageLookup(None, "outside")
    assert resolve_image(folder, 7, "/etc/passwd") == ImageLookup(None, "outside")


@pytest.mark.parametrize("name", ["C:\\Windows\\win.ini", "\\\\server\\share\\x.png", "\\x.png"])
def test_a_windows_absolute_file_name_is_refused(folder, name):
    assert resolve_image(folder, 7, name).reason == "outside"


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_leading_out_is_refused_and_one_inside_is_followed(folder):
    (folder / "out.png").symlink_to(folder.parent / "outside.png")
    (folder / "in.png").symlink_to(folder / "a.png")
    (folder / "9.png").symlink_to(folder.parent / "outside.png")
    assert resolve_image(folder, 7, "out.png") == ImageLookup(None, "outside")
    assert resolve_image(folder, 7, "in.png").path == (folder / "a.png").resolve()
    # an id-based candidate that links out is refused too (and nothing else is there)
    assert resolve_image(folder, 9) == ImageLookup(None, "outside")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlinked_images_folder_is_its_target(folder, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(folder, target_is_directory=True)
    assert resolve_image(link, 1, "a.png").path == (folder / "a.png").resolve()


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_loop_is_invalid(folder):
    (folder / "loop.png").symlink_to(folder / "loop.png")
    assert resolve_image(folder, 8, "loop.png") == ImageLookup(None, "invalid")


def test_a_folder_is_not_a_file(folder):
    assert resolve_image(folder, 8, "sub") == ImageLookup(None, "not_a_file")
    assert resolve_image(folder, 8, ".") == ImageLookup(None, "not_a_file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_not_a_file_and_does_not_block(folder):
    os.mkfifo(folder / "pipe.png")
    assert resolve_image(folder, 8, "pipe.png") == ImageLookup(None, "not_a_file")


def test_a_nul_byte_is_invalid(folder):
    assert resolve_image(folder, 7, "a.png\x00.txt") == ImageLookup(None, "invalid")


def test_nothing_is_opened(folder, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"opened {args[0]!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    assert resolve_image(folder, 1, "a.png").found
    assert resolve_image(folder, 1, "../../etc/passwd").reason == "outside"


@pytest.mark.parametrize(
    ("image_id", "file_name", "message"),
    [
        (True, None, "Expected image_id to be an int, got bool"),
        ("7", None, "Expected image_id to be an int, got str"),
        (7, 3, "Expected file_name to be a str or None, got int"),
    ],
)
def test_wrong_argument_types_raise(folder, image_id, file_name, message):
    with pytest.raises(TypeError, match=message):
        resolve_image(folder, image_id, file_name)
