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
