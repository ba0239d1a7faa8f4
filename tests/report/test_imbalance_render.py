"""Rendering imbalance results: every index shown with its definition, 'n/a' where undefined."""

import dataclasses
import io
import json

import pandas as pd
import pytest

from pill_compare.analysis.imbalance import imbalance
from pill_compare.report.imbalance_render import INDEX_DEFINITIONS, render_imbalance
from pill_compare.report.render.html import render_html
from pill_compare.report.sections.imbalance import imbalance_sections
from pill_compare.report.structure import Report
from tests.conftest import SEED_COUNTS, gt_with_counts

SEED = imbalance(gt_with_counts(SEED_COUNTS, extra_categories=(18109,)))


def test_text_shows_the_seed_ratio_as_a_fraction_and_every_definition_with_explain():
    text = render_imbalance(SEED, "text", explain=True)
    assert text.startswith("train.json: 268 annotations on 268 images, 4 annotated categories\n")
    assert "88 / 7 = 12.57" in text
    for key, definition in INDEX_DEFINITIONS:
        assert key in text
        assert definition.replace("R annotations", "10 annotations") in text
    # One row per annotated category, most annotated first.
    rows = [line.split()[0] for line in text.splitlines() if line[:5].strip().isdigit()]
    assert rows[:4] == ["25366", "34596", "31884", "33877"]
    assert "1 declared category has no annotation and is left out of every index: " in text
    assert "18109 (c18109)" in text


def test_text_leaves_the_definitions_out_unless_explain():
    text = render_imbalance(SEED, "text")
    assert "88 / 7 = 12.57" in text
    for key, definition in INDEX_DEFINITIONS:
        assert key in text
        assert definition.split(" (")[0] not in text
    assert text.splitlines()[2].split() == ["index", "value"]


def test_markdown_always_has_the_definitions():
    md = render_imbalance(SEED, "md")
    for _, definition in INDEX_DEFINITIONS[:5]:
        assert definition in md


def test_undefined_evenness_is_shown_as_n_a():
    text = render_imbalance(imbalance(gt_with_counts({5: 3})), "text")
    evenness = next(line for line in text.splitlines() if line.startswith("pielou_evenness"))
    assert evenness.split()[1] == "n/a"
    assert "3 / 3 = 1.00" in text


def test_markdown_has_indices_and_categories_sections():
    md = render_imbalance(SEED, "md")
    for heading in ("# Class imbalance", "## Indices", "## Categories"):
        assert f"\n{heading}\n" in f"\n{md}"
    assert "| imbalance_ratio | 88 / 7 = 12.57 |" in md
    assert sum(line.startswith("| 25366 |") for line in md.splitlines()) == 1
    assert "http" not in md


def test_json_is_the_result_dict_with_nan_free_values():
    data = json.loads(render_imbalance(SEED, "json"))
    assert data == json.loads(json.dumps(SEED.to_dict()))
    assert data["imbalance_ratio"] == 88 / 7


def test_csv_has_one_row_per_declared_category():
    frame = pd.read_csv(io.StringIO(render_imbalance(SEED, "csv")))
    assert list(frame.columns) == ["category_id", "name", "annotations", "images", "share"]
    assert frame["category_id"].tolist() == [25366, 34596, 31884, 33877, 18109]
    assert frame["annotations"].tolist() == [88, 88, 85, 7, 0]


def test_explain_puts_each_definition_under_the_indices():
    text = render_imbalance(SEED, "text", explain=True)
    lines = text.splitlines()
    rare = lines.index("rare_share                         0.250")
    assert lines[rare + 1] == "  imbalance_ratio: max / min annotations per class (1 = balanced)"
    assert lines[rare + 6] == "  rare_share: share of classes with fewer than 10 annotations"


def test_the_full_sections_have_the_definitions_as_a_column():
    (top,) = imbalance_sections(SEED)
    assert top.title == "Class imbalance"
    assert [s.key for s in top.subsections] == ["imbalance-indices", "imbalance-categories"]
    (indices,) = top.find("imbalance-indices").blocks
    assert indices.headers == ("index", "value", "definition")
    assert indices.rows[0] == ("imbalance_ratio", "88 / 7 = 12.57", INDEX_DEFINITIONS[0][1])
    table, note = top.find("imbalance-categories").blocks
    assert [row[0] for row in table.rows] == ["25366", "34596", "31884", "33877"]  # ids: text
    assert note.text.endswith("left out of every index: 18109 (c18109)")


def test_a_hostile_name_is_escaped_in_markdown_and_html():
    r = imbalance(gt_with_counts(SEED_COUNTS))
    r = dataclasses.replace(
        r,
        categories=(
            dataclasses.replace(r.categories[0], name="<img src=x onerror=alert(1)>"),
            *r.categories[1:],
        ),
    )
    assert "<img" not in render_imbalance(r, "md")
    html = render_html(Report("imbalance", "en", tuple(imbalance_sections(r))))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_imbalance_sections_want_an_imbalance_result():
    with pytest.raises(TypeError, match="Expected an ImbalanceResult, got int"):
        imbalance_sections(3)
