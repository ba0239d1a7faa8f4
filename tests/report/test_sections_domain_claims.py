"""The report's ``causes.claims``: each domain claim with its verdict, test and numbers (en, ko),
the evidence bullets they give, and 'not testable' for a ground truth without pill attributes."""

from __future__ import annotations

import json

from pill_compare import compare, load_results
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.compare_render import compare_json, render_compare
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.compare import compare_sections
from pill_compare.report.structure import Note
from tests.conftest import SAMPLE
from tests.report.test_sections_compare import by_key, sample_comparison, tables


def _text(section) -> str:
    return " ".join(render_text([section]).split())


def test_the_samples_claims_are_stated_with_verdict_test_and_numbers():
    r = sample_comparison(train=False, n_bootstrap=0)
    sections = by_key(compare_sections(r))
    rows = tables([sections["causes.claims"]])["domain_claims"].rows
    assert [row[5] for row in rows] == ["supported", "not supported", "not supported", "supported"]
    assert [row[1] for row in rows] == [
        "swaps of efficientnet_b3 and resnet101 pooled",
        "efficientnet_b3",
        "resnet101",
        "lead of resnet101 over efficientnet_b3",
    ]
    assert rows[0][2] == "permutation test, one-sided, 9,999 random shuffles"
    assert rows[0][3] == (
        "35 of 45 swaps (77.8%) between look-alikes, 4.8% expected by chance "
        "(efficientnet_b3 38 swaps, resnet101 7)"
    )
    assert rows[0][4] == "< 0.001" and rows[3][4] == "0.018"  # p = 1/10,000 and 0.0176
    assert rows[1][2] == "Mann-Whitney U, one-sided (lower), normal approximation"
    text = _text(sections["causes.claims"])
    assert "Classes without an imprint: [6191, 10223, 16550, 19231, 30307]" in text
    # The evidence lists the supported claims with the supported, the rest with the others,
    # in place of the untested "why" of the confusions.
    evidence = _text(sections["causes.evidence"])
    supported, others = evidence.split("Not supported by these files:")
    assert "more than by chance (swaps of efficientnet_b3 and resnet101 pooled): supported" in (
        supported
    )
    assert "have a lower AP (efficientnet_b3): not supported (p = 0.087)" in others
    assert "Why the confused classes are confused" not in evidence
    claims = compare_json(r)["claims"]["claims"]
    assert [(c["code"], c["scope"], c["verdict"]) for c in claims] == [
        ("look_alike_swaps", "pooled", "supported"),
        ("imprint_lower_ap", "a", "not_supported"),
        ("imprint_lower_ap", "b", "not_supported"),
        ("imprint_larger_gap", "gap", "supported"),
    ]


def test_the_korean_claims_speak_korean():
    sections = by_key(compare_sections(sample_comparison(train=False, n_bootstrap=0), "ko"))
    text = _text(sections["causes.claims"])
    assert "도메인 주장의 검정" in text
    assert "모양과 색이 같은 알약끼리 우연보다 자주 치환된다" in text and "뒷받침됨" in text
    assert "치환 45건 중 35건(77.8%)이 닮은 알약 사이" in text


def test_a_ground_truth_without_attributes_makes_every_claim_not_testable():
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    for ann in doc["annotations"]:
        del ann["attributes"]
    gt = ground_truth_from_dict(doc, source="bare.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    r = compare(gt, a, b, n_bootstrap=0)
    sections = by_key(compare_sections(r))
    claims = sections["causes.claims"]
    rows = tables([claims])["domain_claims"].rows
    assert {row[5] for row in rows} == {"not testable with these files"}
    assert {row[4] for row in rows} == {"n/a"}
    assert rows[0][3] == "the annotations carry no shape, colour or imprint"
    caveats = [b.text for b in claims.blocks if isinstance(b, Note) and b.kind == "caveat"]
    assert len(caveats) == 1 and "carry no pill attributes" in caveats[0]
    assert "Why the confused classes are confused" in _text(sections["causes.evidence"])
    assert "by chance" not in render_compare(r, "text")  # no claim lines without attributes


def test_compare_text_states_each_claim_in_one_line_after_the_scores():
    text = render_compare(sample_comparison(train=False, n_bootstrap=0), "text")
    flat = " ".join(text.split())
    swaps = flat.index(
        "Swaps happen between pills of the same shape and colour more than by chance"
    )
    assert flat.index("oLRP (IoU 0.5") < swaps
    assert "supported (p < 0.001); 35 of 45 swaps (77.8%) between look-alikes" in flat
    assert "Classes without an imprint have a lower AP" in flat
