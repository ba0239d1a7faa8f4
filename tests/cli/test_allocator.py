"""The console entry point keeps large freed blocks in glibc's heap; the library does not."""

import subprocess
import sys

import pytest

import pill_compare.cli  # noqa: F401  (loads pill_compare.cli.app)
from pill_compare.cli import allocator
from pill_compare.cli.allocator import keep_freed_blocks

# The module, not the Typer object that pill_compare.cli exports under the same name.
app_module = sys.modules["pill_compare.cli.app"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_glibc_accepts_the_setting_on_linux():
    # In a child: the setting is process-wide and must not leak into the test process.
    code = "from pill_compare.cli.allocator import keep_freed_blocks; print(keep_freed_blocks())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_other_platforms_are_left_alone(monkeypatch):
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert keep_freed_blocks() is False


@pytest.mark.parametrize("limit", [0, -1, 2**31, 1.5, True])
def test_a_limit_mallopt_cannot_take_is_refused(limit):
    with pytest.raises(ValueError, match="limit"):
        keep_freed_blocks(limit)


def test_the_entry_point_sets_it_before_running_the_command(monkeypatch):
    calls = []
    monkeypatch.setattr(app_module, "keep_freed_blocks", lambda: calls.append("set"))
    monkeypatch.setattr(app_module, "collect_less", lambda: calls.append("gc"))
    monkeypatch.setattr(app_module, "raise_on_sigterm", lambda: None)
    monkeypatch.setattr(app_module, "app", lambda: calls.append("app"))
    monkeypatch.setattr(app_module, "leave", lambda status: calls.append(f"leave {status}"))
    app_module.main()
    assert calls == ["set", "gc", "app", "leave 0"]


def test_the_collector_skips_the_start_up_objects_and_collects_less_often():
    # In a child: the settings are process-wide and must not leak into the test process.
    code = (
        "import gc; from pill_compare.cli.allocator import collect_less, YOUNG_THRESHOLD\n"
        "before = gc.get_threshold()\n"
        "collect_less()\n"
        "after = gc.get_threshold()\n"
        "print(gc.get_freeze_count() > 1000, after[0] == YOUNG_THRESHOLD, after[1:] == before[1:])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]
