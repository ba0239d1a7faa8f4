"""Writing outputs atomically."""

import os
import stat

import pytest

from pill_compare.errors import ConfigError
from pill_compare.io.outputs import atomic_path, write_atomic
from tests.conftest import write_text


def test_write_atomic_writes_text_and_bytes(tmp_path):
    assert write_atomic(tmp_path / "sub" / "a.txt", "héllo").read_text(encoding="utf-8") == "héllo"
    assert write_atomic(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"


def test_failed_write_leaves_neither_a_partial_file_nor_a_temp_file(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("previous")
    with pytest.raises(RuntimeError, match="render failed"), atomic_path(target) as tmp:
        tmp.write_text("half a rep")
        raise RuntimeError("render failed")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_temp_file_keeps_the_suffix_and_invents_none(tmp_path):
    with atomic_path(tmp_path / "plot.png") as tmp:
        assert tmp.suffix == ".png" and tmp.parent == tmp_path
        tmp.write_bytes(b"x")
    with atomic_path(tmp_path / "noext") as tmp:
        assert tmp.suffix == ""  # matplotlib picks the format from the suffix
        tmp.write_bytes(b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noext", "plot.png"]


def test_written_file_gets_the_usual_mode_not_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "out.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_unwritable_destination_is_a_usage_error(tmp_path):
    blocker = write_text(tmp_path, "file", "x")  # a file where a directory should be
    with pytest.raises(ConfigError, match=r"out\.json: cannot write the output into .*file/"):
        write_atomic(blocker / "out.json", "{}")
