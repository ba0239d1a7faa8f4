"""The installed `pillcmp` script, run as a user would: a real process, real exit codes."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, write_text

PILLCMP = Path(sys.executable).parent / "pillcmp"

pytestmark = pytest.mark.skipif(not PILLCMP.exists(), reason="pillcmp is not installed here")


def run(*args):
    return subprocess.run(
        [str(PILLCMP), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def test_diff_on_the_sample_succeeds():
    proc = run(
        "diff",
        SAMPLE / "efficientnet_b3.json",
        SAMPLE / "resnet101.json",
        "--gt",
        SAMPLE / "ground_truth.json",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Result A (efficientnet_b3) loaded: ")
    assert "Substitutions (efficientnet_b3 has X where resnet101 has Y" in proc.stdout
    assert proc.stderr == ""


def test_bad_file_exits_1_without_traceback(tmp_path):
    bad = write_text(tmp_path, "bad.json", '[{"image_id": 1, "category_id": 2, "bbox": [1, 2')
    proc = run("diff", bad, SAMPLE / "resnet101.json")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: {bad}: the JSON is truncated")
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("pillcmp ")


def test_sigterm_exits_143_and_leaves_the_old_output(tmp_path):
    import os
    import signal
    import time

    fifo = tmp_path / "waiting.json"
    os.mkfifo(fifo)  # nobody writes: pillcmp waits on it, as on a slow input
    out = write_text(tmp_path, "report.md", "previous")
    proc = subprocess.Popen(
        [str(PILLCMP), "imbalance", str(fifo), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:  # opening the FIFO for writing succeeds once pillcmp has opened it to read
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    os.close(writer)
    assert proc.returncode == 143, err
    assert err.strip() == "terminated"
    assert out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "waiting.json"]
