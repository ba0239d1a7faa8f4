"""The committed reports/example/ is what its generator writes today (data/make_example_report.py).

Regenerated into tmp_path with the same arguments and date: report.md and report.json byte for
byte, every PNG the same size, mode and pixels, and report.html the same once each embedded PNG
is replaced by its decoded pixels (PNG bytes also depend on the zlib Pillow was built with, as for
the sample photos in tests/test_sample_data.py). If this fails after a change to the report, run
``make example`` (or ``.venv/bin/python data/make_example_report.py``) and commit reports/example/.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO

EXAMPLE = REPO / "reports" / "example"
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
REGENERATE = "run `make example` and commit reports/example/"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_report", REPO / "data" / "make_example_report.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pixels(png: bytes) -> tuple[tuple[int, int], str, str]:
    """What a PNG shows, whatever zlib packed it: size, mode and a digest of its pixels."""
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        palette = image.getpalette() or []
        digest = hashlib.sha256(np.asarray(image).tobytes() + bytes(palette)).hexdigest()
        return image.size, image.mode, digest


def _html_text(html: str) -> str:
    """report.html with each embedded PNG replaced by what it shows."""
    return DATA_URI.sub(lambda m: repr(_pixels(base64.b64decode(m.group(1)))), html)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    return _generator().main(tmp_path_factory.mktemp("example") / "example")


def test_example_folder_holds_the_same_files_as_a_fresh_generation(regenerated):
    committed = sorted(p.name for p in EXAMPLE.iterdir())
    assert committed == sorted(p.name for p in regenerated.iterdir()), REGENERATE
    assert {"report.md", "report.html", "report.json"} <= set(committed)


@pytest.mark.parametrize("name", ["report.md", "report.json"])
def test_example_text_files_are_byte_identical_to_a_fresh_generation(regenerated, name):
    assert (EXAMPLE / name).read_bytes() == (regenerated / name).read_bytes(), REGENERATE


def test_example_figures_show_the_same_pixels_as_a_fresh_generation(regenerated):
    names = sorted(p.name for p in EXAMPLE.glob("*.png"))
    assert names, "the example has no figures"
    for name in names:
        fresh = _pixels((regenerated / name).read_bytes())
        assert _pixels((EXAMPLE / name).read_bytes()) == fresh, f"{name}: {REGENERATE}"


def _first_difference(old: str, new: str) -> str:
    """Where two long texts part, with a little context (instead of pytest's whole-file diff)."""
    pairs = enumerate(zip(old, new, strict=False))
    at = next((i for i, (x, y) in pairs if x != y), min(len(old), len(new)))
    lo, hi = max(at - 60, 0), at + 60
    return f"first difference at character {at}: {old[lo:hi]!r} vs {new[lo:hi]!r}"


def test_example_html_equals_a_fresh_generation_apart_from_png_encoding(regenerated):
    committed = (EXAMPLE / "report.html").read_text(encoding="utf-8")
    fresh = (regenerated / "report.html").read_text(encoding="utf-8")
    assert len(DATA_URI.findall(committed)) == len(DATA_URI.findall(fresh)) > 0
    old, new = _html_text(committed), _html_text(fresh)
    assert old == new, f"report.html: {_first_difference(old, new)}; {REGENERATE}"


def test_example_is_the_sample_with_a_fixed_date_and_every_figure_linked():
    generator = _generator()
    md = (EXAMPLE / "report.md").read_text(encoding="utf-8")
    assert f"**Date:** {generator.DATE}" in md
    assert "data/sample/ground_truth.json" in md
    linked = set(MD_IMAGE.findall(md))
    # every figure the Markdown shows is in the folder, and every PNG in the folder is shown
    assert linked == {p.name for p in EXAMPLE.glob("*.png")}
    assert any(name.startswith("gallery_") for name in linked)
    # small enough to commit and to open on a phone (measured: 1,349,059 bytes)
    assert (EXAMPLE / "report.html").stat().st_size < 3_000_000
