"""The console process ends with the command's status, without the interpreter's teardown."""

import subprocess
import sys
import threading

import pytest

from pill_compare.cli import teardown

app_module = sys.modules["pill_compare.cli.app"]


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (70, 70), ("bye", 1)])
def test_exit_status_is_the_interpreter_s(code, status, capsys):
    assert teardown.exit_status(code) == status
    assert capsys.readouterr().err == ("bye\n" if code == "bye" else "")


def test_it_flushes_runs_the_exit_handlers_and_keeps_the_status():
    script = (
        "import atexit, sys\n"
        "from pill_compare.cli.teardown import leave\n"
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "sys.stdout.write('no newline, still buffered')\n"
        "leave(7)\n"
        "print('never here')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 7
    assert proc.stdout == "no newline, still buffered"
    assert proc.stderr == "handler ran\n"


def test_a_thread_still_running_gets_the_usual_exit():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # not a daemon: the interpreter waits for it
    other.start()
    try:
        with pytest.raises(SystemExit) as done:
            teardown.leave(3)
        assert done.value.code == 3
    finally:
        stop.set()
        other.join()


def test_the_entry_point_leaves_with_the_command_s_status(monkeypatch):
    left = []
    monkeypatch.setattr(app_module, "raise_on_sigterm", lambda: None)
    monkeypatch.setattr(app_module, "keep_freed_blocks", lambda: None)
    monkeypatch.setattr(app_module, "collect_less", lambda: None)
    monkeypatch.setattr(app_module, "leave", left.append)

    def usage_error():
        raise SystemExit(2)

    monkeypatch.setattr(app_module, "app", usage_error)
    app_module.main()
    assert left == [2]


def test_the_entry_point_builds_only_the_command_it_runs(monkeypatch):
    built = []
    monkeypatch.setattr(app_module, "raise_on_sigterm", lambda: None)
    monkeypatch.setattr(app_module, "keep_freed_blocks", lambda: None)
    monkeypatch.setattr(app_module, "collect_less", lambda: None)
    monkeypatch.setattr(app_module, "leave", lambda status: None)
    monkeypatch.setattr(app_module, "build_app", lambda only: built.append(only) or (lambda: None))
    monkeypatch.setattr(app_module, "app", lambda: built.append("whole"))
    for argv in (["pillcmp", "--debug", "diff", "a.json", "b.json"], ["pillcmp", "--help"]):
        monkeypatch.setattr(sys, "argv", argv)
        app_module.main()
    assert built == ["diff", "whole"]
