"""render_compare: text (one screen of findings, 120 columns), Markdown, JSON with the sentences,
CSV, in English and Korean, through the shared renderers."""

from __future__ import annotations

import json
import re

import pytest
from rich.cells import cell_len

from pill_compare import compare, load_results
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.compare_render import compare_json, render_compare
from pill_compare.report.tables import TEXT_WIDTH
from tests.conftest import SAMPLE
from tests.report.test_sections_compare import sample_comparison

HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("ground_truth", [True, False], ids=["gt", "no gt"])
def test_text_fits_120_columns(lang, ground_truth):
    text = render_compare(sample_comparison(ground_truth), "text", lang=lang)
    widest = max(text.splitlines(), key=cell_len)
    assert cell_len(widest) <= TEXT_WIDTH, widest


def test_text_with_long_hangul_names_fits_120_columns():
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    for c in doc["categories"]:
        c["name"] = f"{c['name'].split()[0]} 노란색 장방형 필름코팅정 보령부스파정 5mg"
    gt = ground_truth_from_dict(doc, source="gt.json")
    runs = [load_results(SAMPLE / f"{n}.json", gt=gt) for n in ("efficientnet_b3", "resnet101")]
    r = compare(gt, *runs, n_bootstrap=20)
    for lang in ("en", "ko"):
        text = render_compare(r, "text", lang=lang)
        assert max(map(cell_len, text.splitlines())) <= TEXT_WIDTH
        assert "노란색 장방형" in text


def test_text_first_screen_and_definitions_on_request():
    r = sample_comparison()
    short = render_compare(r, "text")
    first = "\n".join(short.splitlines()[:45])
    assert first.startswith("A = efficientnet_b3 (1008 detections), B = resnet101")
    assert "* resnet101 is better than efficientnet_b3 on mAP by 0.171" in first
    for part in ("McNemar exact", "Class-swap patterns (top 5 of 15", "Error types (TIDE)"):
        assert part in first
    assert "[10, 20, 40 (+9 more)]" in short  # id lists cut for the terminal
    assert "Definitions" not in short and "pairing: per image" not in short
    full = render_compare(r, "text", explain=True)
    assert "pairing: per image, both runs' boxes" in " ".join(full.split())
    assert "map_75_95: the pill competition's metric" in " ".join(full.split())


def test_korean_text_is_korean():
    text = render_compare(sample_comparison(), "text", lang="ko")
    assert "mAP 기준으로 resnet101 모델이 efficientnet_b3 모델보다 0.171 높으며" in text
    assert "오류 유형 (TIDE)" in text and "클래스별" in text


def test_markdown_has_every_class_and_pattern():
    r = sample_comparison()
    md = render_compare(r, "md")
    assert md.startswith("# Comparison: efficientnet_b3 vs resnet101\n")
    for heading in ("## Findings", "## Metrics", "### Class-swap patterns", "## Per class"):
        assert heading in md
    assert "## Error types (TIDE)" in md and "## Definitions" in md
    assert "more rows" not in md
    per_class = md[md.index("## Per class") :].split("\n## ")[0]
    labels = [f"| {c.category_id} {c.name} |" for c in r.eval_a.coco.per_class]
    assert all(per_class.count(label) == 1 for label in labels)  # every class, once


def test_json_is_the_result_plus_the_sentences():
    r = sample_comparison()
    doc = json.loads(render_compare(r, "json"))
    assert doc["metrics"]["delta"]["map"] == pytest.approx(r.metrics()["delta"]["map"])
    assert doc["significance"]["sentence"].startswith("resnet101 is better than efficientnet_b3")
    assert doc["significance"]["mcnemar_sentence"].startswith("Per GT object")
    assert doc["imbalance"]["sentence"].startswith("Training support vs per-class AP")
    assert len(doc["report_summary"]) == 4  # verdict, cause, top pattern, imbalance
    korean = compare_json(r, lang="ko")
    assert HANGUL.search(korean["significance"]["sentence"])
    assert korean["metrics"] == doc["metrics"]


def test_csv_and_bad_format():
    r = sample_comparison()
    assert render_compare(r, "csv").splitlines()[0].startswith("category_id,name,gt,ap_a")
    with pytest.raises(ValueError, match=r"Expected fmt in \('text', 'md', 'json', 'csv'\)"):
        render_compare(r, "html")
