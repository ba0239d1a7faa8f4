"""The committed reports/example/ shows what its generator writes today (data/make_example_report.py).

Regenerated into tmp_path with the same arguments and date, and compared by what a reader sees,
not by bytes that other libraries decide:

* the same files, and report.md byte for byte (pillcmp's own text);
* report.json: the same structure (keys, lengths, types, strings) and the same numbers (to 1e-9,
  relative: the last bits of a float may follow the BLAS or numpy build);
* every figure (PNG file, and each PNG embedded in report.html, in order): the same size, and
  the same picture at a perceptual tolerance: both shrunk to a 16-cell-wide grid of mean colours
  (alpha on white), no cell's red, green or blue differs by more than 0.15 (of 1). Glyphs drawn
  another way move edges by a pixel and shift a cell by ~0.09 at most (measured: the example
  regenerated with matplotlib's ``text.hinting: none``, ``text.hinting_factor: 1``, what a
  FreeType upgrade changes); a bar a sixth shorter shifts one by 0.8, a blanked panel by 0.28;
* report.html: the same text once each embedded PNG is replaced by a placeholder.

If this fails after a change to the report, run ``make example`` (or
``.venv/bin/python data/make_example_report.py``) and commit reports/example/.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO

EXAMPLE = REPO / "reports" / "example"
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
REGENERATE = "run `make example` and commit reports/example/"
#: Cells across the grid of mean colours, and the largest difference of a cell's channel (0..1)
#: between two pictures of one figure (module docstring).
GRID_WIDTH = 16
PICTURE_TOLERANCE = 0.15
#: Relative tolerance on report.json's floats.
NUMBER_TOLERANCE = 1e-9


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_report", REPO / "data" / "make_example_report.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _grid(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """(rows, columns, 3) mean RGB in [0, 1] of each cell (a box filter: every pixel counts)."""
    rgba = image.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return np.asarray(flat.resize(size, Image.Resampling.BOX), dtype=np.float64) / 255.0


def picture_difference(old: bytes, new: bytes) -> str | None:
    """Why two PNGs are not the same picture, or None when they are (module docstring)."""
    with Image.open(io.BytesIO(old)) as a, Image.open(io.BytesIO(new)) as b:
        if a.format != "PNG" or b.format != "PNG":
            return f"not both PNG: {a.format}, {b.format}"
        if a.size != b.size:
            return f"size {a.size[0]}x{a.size[1]} became {b.size[0]}x{b.size[1]}"
        width = min(GRID_WIDTH, a.size[0])
        size = (width, max(1, round(a.size[1] * width / a.size[0])))
        diff = float(np.max(np.abs(_grid(a, size) - _grid(b, size))))
    if diff > PICTURE_TOLERANCE:
        return f"a region's colour changed by {diff:.2f} (tolerance {PICTURE_TOLERANCE})"
    return None


def json_differences(old: Any, new: Any, where: str = "report.json") -> list[str]:
    """Where two JSON values part: keys, lengths, types, strings, or numbers beyond tolerance."""
    if isinstance(old, bool) or isinstance(new, bool) or old is None or new is None:
        return [] if old is new else [f"{where}: {old!r} became {new!r}"]
    if isinstance(old, int | float) and isinstance(new, int | float):
        if type(old) is not type(new) and not (isinstance(old, float) or isinstance(new, float)):
            return [f"{where}: {old!r} became {new!r}"]
        same = math.isclose(old, new, rel_tol=NUMBER_TOLERANCE, abs_tol=1e-12)
        return [] if same else [f"{where}: {old!r} became {new!r}"]
    if type(old) is not type(new):
        return [f"{where}: a {type(old).__name__} became a {type(new).__name__}"]
    if isinstance(old, dict):
        if list(old) != list(new):
            return [f"{where}: keys {list(old)} became {list(new)}"]
        return [d for k in old for d in json_differences(old[k], new[k], f"{where}.{k}")]
    if isinstance(old, list):
        if len(old) != len(new):
            return [f"{where}: {len(old)} items became {len(new)}"]
        return [
            d for i, (x, y) in enumerate(zip(old, new, strict=True))
            for d in json_differences(x, y, f"{where}[{i}]")
        ]  # fmt: skip
    return [] if old == new else [f"{where}: {old!r} became {new!r}"]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    return _generator().main(tmp_path_factory.mktemp("example") / "example")


def test_example_folder_holds_the_same_files_as_a_fresh_generation(regenerated):
    committed = sorted(p.name for p in EXAMPLE.iterdir())
    assert committed == sorted(p.name for p in regenerated.iterdir()), REGENERATE
    assert {"report.md", "report.html", "report.json"} <= set(committed)


def test_example_markdown_is_byte_identical_to_a_fresh_generation(regenerated):
    md = "report.md"
    assert (EXAMPLE / md).read_bytes() == (regenerated / md).read_bytes(), REGENERATE


def test_example_json_has_the_structure_and_numbers_of_a_fresh_generation(regenerated):
    old = json.loads((EXAMPLE / "report.json").read_text(encoding="utf-8"))
    new = json.loads((regenerated / "report.json").read_text(encoding="utf-8"))
    differences = json_differences(old, new)
    assert differences == [], f"{differences[:5]}; {REGENERATE}"


def test_example_figures_show_what_a_fresh_generation_shows(regenerated):
    names = sorted(p.name for p in EXAMPLE.glob("*.png"))
    assert names, "the example has no figures"
    for name in names:
        why = picture_difference((EXAMPLE / name).read_bytes(), (regenerated / name).read_bytes())
        assert why is None, f"{name}: {why}; {REGENERATE}"


def _first_difference(old: str, new: str) -> str:
    """Where two long texts part, with a little context (instead of pytest's whole-file diff)."""
    pairs = enumerate(zip(old, new, strict=False))
    at = next((i for i, (x, y) in pairs if x != y), min(len(old), len(new)))
    lo, hi = max(at - 60, 0), at + 60
    return f"first difference at character {at}: {old[lo:hi]!r} vs {new[lo:hi]!r}"


def test_example_html_equals_a_fresh_generation_text_and_figures(regenerated):
    committed = (EXAMPLE / "report.html").read_text(encoding="utf-8")
    fresh = (regenerated / "report.html").read_text(encoding="utf-8")
    old_pngs, new_pngs = DATA_URI.findall(committed), DATA_URI.findall(fresh)
    assert len(old_pngs) == len(new_pngs) > 0, REGENERATE
    for i, (a, b) in enumerate(zip(old_pngs, new_pngs, strict=True)):
        why = picture_difference(base64.b64decode(a), base64.b64decode(b))
        assert why is None, f"report.html figure {i + 1}: {why}; {REGENERATE}"
    old, new = (
        DATA_URI.sub("data:image/png;base64,…", committed),
        DATA_URI.sub("data:image/png;base64,…", fresh),
    )
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


# --- the comparison itself: a font upgrade passes, a changed figure does not --------------------


def _bar_chart(heights, font: str) -> bytes:
    """A small bar chart with a title and tick labels in ``font``, as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.bar(["resnet101", "efficientnet_b3", "other"], heights, color="#1f77b4")
    ax.set_title("AP per class", fontfamily=font)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontfamily(font)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_a_figure_drawn_with_other_glyphs_is_the_same_picture():
    # Another font family moves every glyph edge (what a FreeType or matplotlib upgrade does,
    # more so): not one pixel digest equal, yet the same figure.
    sans, serif = (
        _bar_chart([0.8, 0.6, 0.3], "DejaVu Sans"),
        _bar_chart([0.8, 0.6, 0.3], "DejaVu Serif"),
    )
    with Image.open(io.BytesIO(sans)) as a, Image.open(io.BytesIO(serif)) as b:
        assert np.asarray(a).tobytes() != np.asarray(b).tobytes()
    assert picture_difference(sans, serif) is None


def test_a_figure_showing_other_numbers_is_not_the_same_picture():
    before = _bar_chart([0.8, 0.6, 0.3], "DejaVu Sans")
    after = _bar_chart([0.8, 0.5, 0.3], "DejaVu Sans")  # one bar a sixth shorter
    why = picture_difference(before, after)
    assert why is not None and "a region's colour changed by" in why


def test_another_size_is_not_the_same_picture():
    png = _bar_chart([0.8, 0.6, 0.3], "DejaVu Sans")
    with Image.open(io.BytesIO(png)) as image:
        buffer = io.BytesIO()
        image.resize((401, 300)).save(buffer, format="PNG")
    assert picture_difference(png, buffer.getvalue()) == "size 400x300 became 401x300"


def test_report_json_numbers_agree_to_a_tolerance_and_structure_exactly():
    old = {"map": 0.1 + 0.2, "n": 3, "names": ["a", "b"], "x": None}
    assert json_differences(old, {"map": 0.3, "n": 3, "names": ["a", "b"], "x": None}) == []
    assert json_differences(old, {**old, "map": 0.31}) == [
        "report.json.map: 0.30000000000000004 became 0.31"
    ]
    assert json_differences(old, {**old, "names": ["a"]}) == ["report.json.names: 2 items became 1"]
    assert json_differences(old, {**old, "x": 0}) == ["report.json.x: None became 0"]
    assert json_differences({"a": 1, "b": 2}, {"b": 2, "a": 1}) == [
        "report.json: keys ['a', 'b'] became ['b', 'a']"
    ]
