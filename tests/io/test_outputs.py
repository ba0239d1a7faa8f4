"""Writing outputs: atomic for regular files, through symlinks, into devices and FIFOs, never
replacing what is not a regular file, all or none, and nothing left behind when killed."""

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import pill_compare.io.outputs as outputs
from pill_compare.errors import ConfigError
from pill_compare.io.outputs import (
    check_folder,
    check_output,
    remove_stale_temporaries,
    write_atomic,
    write_outputs,
)
from tests.conftest import REPO, write_text


@pytest.fixture(params=["o_tmpfile", "named"])
def temp_mode(request, monkeypatch):
    """Run a test with unnamed temporaries (O_TMPFILE) and with the named fallback."""
    if request.param == "named":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return request.param


def test_write_atomic_writes_text_and_bytes(tmp_path, temp_mode):
    assert write_atomic(tmp_path / "a.txt", "héllo").read_text(encoding="utf-8") == "héllo"
    assert write_atomic(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_existing_file_is_replaced(tmp_path, temp_mode):
    target = write_text(tmp_path, "out.md", "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_written_file_gets_the_usual_mode_not_owner_only(tmp_path, temp_mode):
    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "out.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_symlink_is_written_through_to_its_target(tmp_path, temp_mode):
    real = write_text(tmp_path, "real.json", "old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "later.json")
    write_atomic(link, "x")
    assert link.is_symlink() and (tmp_path / "later.json").read_text() == "x"


def test_dev_null_is_written_into_not_replaced(tmp_path):
    write_atomic("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(5)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_fifo_without_reader_fails_after_a_bounded_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "FIFO_WAIT_SECONDS", 0.2)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"pipe: cannot write the output \(no process opened"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"is a folder; give a file name"):
        check_output(tmp_path)


def test_socket_is_refused_not_replaced(tmp_path):
    import socket

    path = tmp_path / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    try:
        with pytest.raises(ConfigError, match=r"not a regular file .* refusing to replace it"):
            write_atomic(path, "x")
        assert stat.S_ISSOCK(os.stat(path).st_mode)
    finally:
        sock.close()


def test_missing_folder_is_an_error_unless_asked_to_create_it(tmp_path):
    target = tmp_path / "no" / "such" / "x.md"
    with pytest.raises(ConfigError, match=r"the folder .*no/such/ does not exist; create it first"):
        check_output(target)
    assert not (tmp_path / "no").exists()
    assert check_output(target, make_parents=True).kind == "file"
    assert (tmp_path / "no" / "such").is_dir()


def test_parent_that_is_a_file_is_named(tmp_path):
    blocker = write_text(tmp_path, "target.txt", "x")
    with pytest.raises(ConfigError, match=r"target\.txt is not a folder"):
        check_output(blocker / "x.png")


def test_unwritable_folder_is_a_usage_error(tmp_path, monkeypatch):
    # Patched rather than chmod-ed: root (as in CI) may write anywhere, and the branch must run.
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: False)
    with pytest.raises(
        ConfigError, match=r"cannot write into the folder .*/ \(permission denied\)"
    ):
        check_output(tmp_path / "x.md")
    with pytest.raises(ConfigError, match=r"rep: cannot write into the folder .*/ \(permission"):
        check_folder(tmp_path / "rep", owner_file="report.json")


def test_unreadable_output_folder_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / "rep").mkdir()

    def denied(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(outputs.os, "listdir", denied)
    with pytest.raises(ConfigError, match=r"rep: cannot read the folder \(Permission denied\)"):
        check_folder(tmp_path / "rep", owner_file="report.json")


def test_suffix_is_checked_and_the_supported_ones_named(tmp_path):
    with pytest.raises(
        ConfigError, match=r"unsupported file suffix '\.gif'; expected \.png, \.svg"
    ):
        check_output(tmp_path / "x.gif", suffixes=(".png", ".svg"), param="plot")
    assert check_output(tmp_path / "x.PNG", suffixes=(".png",)).kind == "file"


def test_longest_legal_name_is_accepted(tmp_path, temp_mode):
    name = "n" * 251 + ".txt"  # 255 bytes: NAME_MAX
    write_atomic(tmp_path / name, "x")
    assert (tmp_path / name).read_text() == "x"


def test_several_outputs_are_written_all_or_none(tmp_path, temp_mode, monkeypatch):
    first = write_text(tmp_path, "a.md", "old a")
    second = write_text(tmp_path, "b.md", "old b")
    real_write = outputs._write_all
    calls = []

    def disk_full_on_the_second_file(fd, data):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_write(fd, data)

    monkeypatch.setattr(outputs, "_write_all", disk_full_on_the_second_file)
    with pytest.raises(ConfigError, match=r"b\.md: cannot write the output \(No space left"):
        write_outputs([(first, "new a"), (second, "new b")])
    assert first.read_text() == "old a" and second.read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md"]


def test_stale_named_temporaries_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = write_text(tmp_path, f".pillcmp-tmp-{int(dead.stdout)}-0123abcd", "left by a kill")
    mine = write_text(tmp_path, f".pillcmp-tmp-{os.getpid()}-0123abcd", "in progress")
    other = write_text(tmp_path, ".pillcmp-tmp-notours", "x")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert mine.exists() and other.exists()


# --- killed mid-write: the old output intact, no stray temporary --------------------------------

_SLOW_WRITER = textwrap.dedent(
    """
    import os, sys, time
    import pill_compare.io.outputs as outputs
    if sys.argv[2] == "named":
        del os.O_TMPFILE
    if sys.argv[3] == "handler":
        from pill_compare.cli.errors import raise_on_sigterm
        raise_on_sigterm()
    real = outputs._write_all
    def slow(fd, data):
        for i in range(0, len(data), 1 << 20):
            real(fd, data[i:i + (1 << 20)])
            open(sys.argv[1] + ".started", "w").close()
            time.sleep(0.05)
    outputs._write_all = slow
    try:
        outputs.write_atomic(sys.argv[1], b"n" * (200 << 20))
    except BaseException:
        raise SystemExit(143)
    """
)


@pytest.mark.parametrize(
    ("sig", "mode", "handler"),
    [
        (signal.SIGKILL, "o_tmpfile", "none"),
        (signal.SIGTERM, "o_tmpfile", "none"),
        (signal.SIGTERM, "named", "handler"),
    ],
    ids=["sigkill", "sigterm", "sigterm-named-temporary"],
)
def test_killed_mid_write_leaves_the_old_output_and_no_temporary(tmp_path, sig, mode, handler):
    target = write_text(tmp_path, "report.md", "previous")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target), mode, handler], cwd=REPO
    )
    started = tmp_path / "report.md.started"
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.exists(), "the writer never started"
    started.unlink()
    proc.send_signal(sig)
    proc.wait(30)
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_sigkill_with_named_temporary_is_cleaned_by_the_next_write(tmp_path):
    target = write_text(tmp_path, "report.md", "previous")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target), "named", "none"], cwd=REPO
    )
    started = tmp_path / "report.md.started"
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    started.unlink()
    proc.kill()
    proc.wait(30)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".pillcmp-tmp-")]
    assert len(leftovers) == 1  # SIGKILL cannot be caught: a named temporary stays ...
    write_atomic(tmp_path / "other.md", "x")  # ... until the next write in that folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.md", "report.md"]
    assert target.read_text() == "previous"


# --- report folders -------------------------------------------------------------------------


def test_folder_is_written_whole(tmp_path):
    from pill_compare.io.outputs import write_folder

    out = write_folder(
        tmp_path / "rep", {"report.json": "{}", "a.png": b"\x89PNG"}, owner_file="report.json"
    )
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "report.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_previous_report_is_replaced_and_a_failure_keeps_it(tmp_path, monkeypatch):
    from pill_compare.io.outputs import write_folder

    folder = tmp_path / "rep"
    write_folder(folder, {"report.json": "old", "old.png": b"x"}, owner_file="report.json")
    write_folder(folder, {"report.json": "new"}, owner_file="report.json")
    assert sorted(p.name for p in folder.iterdir()) == ["report.json"]
    assert (folder / "report.json").read_text() == "new"

    def disk_full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "_write_all", disk_full)
    with pytest.raises(ConfigError, match=r"rep: cannot write the report \(No space left"):
        write_folder(folder, {"report.json": "newer"}, owner_file="report.json")
    assert (folder / "report.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_a_folder_of_the_users_is_never_replaced(tmp_path):
    from pill_compare.io.outputs import write_folder

    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(ConfigError, match=r"a folder with other files in it \(no report\.json\)"):
        write_folder(mine, {"report.json": "{}"}, owner_file="report.json")
    assert (mine / "holiday.jpg").exists()
    blocker = write_text(tmp_path, "file", "x")
    with pytest.raises(ConfigError, match="exists and is not a folder"):
        write_folder(blocker, {"report.json": "{}"}, owner_file="report.json")
    with pytest.raises(ConfigError, match="does not exist; create it first"):
        write_folder(tmp_path / "no" / "rep", {"report.json": "{}"}, owner_file="report.json")
    with pytest.raises(ValueError, match="plain file names"):
        write_folder(tmp_path / "r2", {"../evil": "x"}, owner_file="report.json")


@pytest.mark.parametrize("make_parents", [False, True], ids=["plain", "make-parents"])
def test_folder_below_a_file_is_a_usage_error_not_a_crash(tmp_path, make_parents):
    blocker = write_text(tmp_path, "afile", "x")
    for folder in (blocker / "sub" / "rep", blocker / "rep"):
        with pytest.raises(ConfigError, match=r"cannot write there: .*afile is not a folder"):
            check_folder(folder, owner_file="report.json", make_parents=make_parents)
    assert blocker.read_text() == "x"


def test_folder_name_too_long_is_a_usage_error(tmp_path):
    check_folder(tmp_path / ("n" * 240), owner_file="report.json")  # long but legal
    with pytest.raises(ConfigError, match=r"cannot write there \(File name too long\)"):
        check_folder(tmp_path / ("n" * 300), owner_file="report.json")
    with pytest.raises(ConfigError, match=r"cannot write there \(File name too long\)"):
        check_output(tmp_path / ("n" * 300 + ".md"))


def test_dash_is_not_a_folder(tmp_path):
    with pytest.raises(ConfigError, match=r"'-' \(standard output\) cannot receive a folder"):
        check_folder("-", owner_file="report.json")
