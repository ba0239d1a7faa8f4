"""Regenerate reports/example/: ``pillcmp report`` on the bundled sample, with a fixed date.

    .venv/bin/python data/make_example_report.py          # rewrites reports/example/
    .venv/bin/python data/make_example_report.py OUT      # writes the same report into OUT/
    make example                                          # the same as the first line

The example is exactly what the command a user types writes (run in a fresh interpreter from the
repository root, so the report shows the inputs as ``data/sample/...``):

    pillcmp report data/sample/efficientnet_b3.json data/sample/resnet101.json \\
        --gt data/sample/ground_truth.json --train-ann data/sample/train_annotations.json \\
        --images data/sample/images --date 2026-12-01 -o reports/example

Every other parameter keeps its default (1,000 bootstrap resamples, seed 0, 24 gallery images,
English). With the date fixed, the same inputs and the same pillcmp give the same report.md and
report.json bytes and the same pixels in every figure (the PNG bytes also depend on the zlib that
Pillow was built with); tests/test_example_report.py checks the committed copy is up to date by
what it shows (report.md's bytes, report.json's structure and numbers, each figure's size and
picture at a tolerance that a matplotlib or FreeType upgrade stays within).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "reports" / "example"

#: The report's date line (the only part that would otherwise change from run to run).
DATE = "2026-12-01"

#: ``pillcmp report`` arguments, relative to the repository root (they appear in the report).
ARGS: tuple[str, ...] = (
    "data/sample/efficientnet_b3.json",
    "data/sample/resnet101.json",
    "--gt",
    "data/sample/ground_truth.json",
    "--train-ann",
    "data/sample/train_annotations.json",
    "--images",
    "data/sample/images",
    "--date",
    DATE,
)


def command(folder: str | Path) -> list[str]:
    """The command line that writes the example into ``folder`` (``python -m pill_compare``)."""
    return [sys.executable, "-m", "pill_compare", "report", *ARGS, "-o", str(folder)]


def main(folder: str | Path = EXAMPLE) -> Path:
    """Write the example report into ``folder`` (replaced as a whole) and return its path.

    Raises:
        RuntimeError: the command failed; its stderr is in the message.
    """
    folder = Path(folder).resolve()
    proc = subprocess.run(command(folder), cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"pillcmp report failed (exit {proc.returncode}):\n{proc.stderr}")
    return folder


if __name__ == "__main__":
    written = main(*sys.argv[1:2])
    total = sum(p.stat().st_size for p in written.iterdir())
    print(f"wrote {written}/ ({len(list(written.iterdir()))} files, {total:,} bytes)")
