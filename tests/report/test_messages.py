"""The catalogues: English and Korean have the same keys and placeholders, the figure texts match
the figure modules' label keys, the builders ask only for keys that exist, and the sentences made
from analysis results read as pinned."""

from __future__ import annotations

import re
import string
from pathlib import Path
from types import SimpleNamespace

import pytest

from pill_compare.report.agreement_plots import LABELS as AGREEMENT_LABELS
from pill_compare.report.gallery import GALLERY_LABELS
from pill_compare.report.messages import LANGUAGES, catalogue, en, ko
from pill_compare.report.render.common import DEFAULT_WORDS
from pill_compare.report.report_plots import LABELS

SECTIONS = Path(__file__).resolve().parents[2] / "pill_compare" / "report" / "sections"
HANGUL = re.compile("[\uac00-\ud7a3]")
FIGURE_PREFIXES = ("plot.", "gallery.")


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def figure_labels() -> dict[str, str]:
    """What the figure modules take as ``labels``, as catalogue keys → English default."""
    out = {
        f"plot.{function.removeprefix('plot_')}.{key}": text
        for function, texts in LABELS.items()
        for key, text in texts.items()
    }
    out.update(
        {
            f"plot.{function.removeprefix('plot_')}.{key}": text
            for function, texts in AGREEMENT_LABELS.items()
            for key, text in texts.items()
        }
    )
    out.update({f"gallery.{key}": text for key, text in GALLERY_LABELS.items()})
    return out


def test_english_and_korean_have_the_same_keys_and_placeholders():
    korean = {k: v for k, v in ko.TEXTS.items() if not k.startswith(FIGURE_PREFIXES)}
    assert set(en.TEXTS) == set(korean)
    differ = [k for k in en.TEXTS if fields(en.TEXTS[k]) != fields(korean[k])]
    assert differ == []


def test_korean_figure_texts_are_exactly_the_figure_modules_labels():
    # English figure texts are the modules' own defaults; Korean gives every one of them, with
    # the same placeholders (the plot functions refuse unknown keys and check the fields).
    expected = figure_labels()
    korean = {k: v for k, v in ko.TEXTS.items() if k.startswith(FIGURE_PREFIXES)}
    assert set(korean) == set(expected)
    assert [k for k in expected if fields(expected[k]) != fields(korean[k])] == []
    assert not [k for k in en.TEXTS if k.startswith(FIGURE_PREFIXES)]
    assert catalogue("en").labels("plot.pr_curves") == {}
    assert catalogue("ko").labels("plot.pr_curves")["xlabel"] == "재현율"
    assert set(catalogue("ko").labels("gallery")) == set(GALLERY_LABELS)


def test_korean_render_words_cover_every_renderer_word():
    assert set(ko.RENDER_WORDS) == set(DEFAULT_WORDS)
    assert all(fields(ko.RENDER_WORDS[k]) == fields(v) for k, v in DEFAULT_WORDS.items())
    assert en.RENDER_WORDS == {}


def test_korean_texts_are_korean():
    # Every Korean text with a word of Latin letters also has Hangul, except the glossary's
    # English column and two proper names (McNemar, maxDets).
    latin_only = {
        k
        for k, v in ko.TEXTS.items()
        if re.search("[A-Za-z]{4,}", v) and not HANGUL.search(v) and "{" not in v
    }
    names = {k for k in latin_only if k.startswith("glossary.") and k.endswith(".english")}
    assert latin_only - names == {"definition.mcnemar.term", "param.max_dets"}
    headings = [v for k, v in ko.TEXTS.items() if k.startswith("s.") and k != "s.patterns_top"]
    assert all(HANGUL.search(v) for v in headings)


def test_every_literal_key_the_builders_use_exists():
    used: set[str] = set()
    for path in SECTIONS.glob("*.py"):
        if path.name in ("eval.py", "compare.py", "gt_audit.py", "agreement.py"):
            used |= set(re.findall(r'\bt\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert len(used) > 150
    for lang in LANGUAGES:
        missing = sorted(k for k in used if k not in catalogue(lang).TEXTS)
        assert missing == [], lang


def test_every_template_fills_without_error():
    # Fill each placeholder with a number (every field takes one; ':.2f' needs it).
    for lang in LANGUAGES:
        for key, template in catalogue(lang).TEXTS.items():
            catalogue(lang).text(key, **dict.fromkeys(fields(template), 0.5))


def test_unknown_language_and_missing_key_say_so():
    with pytest.raises(ValueError, match=r"Expected lang in \('en', 'ko'\), got 'fr'"):
        catalogue("fr")
    with pytest.raises(KeyError, match=r"Expected a catalogue text 'no\.such\.key', got none"):
        catalogue("en").text("no.such.key")


def _verdict(**changes):
    v = dict(
        code="b_better",
        metric="map",
        name_a="efficientnet_b3",
        name_b="resnet101",
        delta=0.17055,
        ci_low=0.1514,
        ci_high=0.184,
        confidence=0.95,
        p_value=0.002,
        alpha=0.05,
        n_images=280,
        n_resamples=1000,
    )
    return SimpleNamespace(**(v | changes))


def test_significance_sentences_in_english_and_korean():
    msg = catalogue("en")
    assert msg.significance_sentence(_verdict()) == (
        "resnet101 is better than efficientnet_b3 on mAP by 0.171 (95% CI [0.151, 0.184], "
        "p = 0.002, 280 images)."
    )
    a_better = _verdict(code="a_better", delta=-0.2, ci_low=-0.23, ci_high=-0.18)
    assert msg.significance_sentence(a_better) == (
        "efficientnet_b3 is better than resnet101 on mAP by 0.200 (95% CI [0.180, 0.230], "
        "p = 0.002, 280 images)."
    )
    assert "신뢰구간 [0.180, 0.230]" in catalogue("ko").significance_sentence(a_better)
    assert msg.significance_sentence(
        _verdict(code="not_significant", delta=0.01, ci_low=-0.01, p_value=0.4)
    ) == (
        "No evidence at 5% of a mAP difference between resnet101 and efficientnet_b3: +0.010 "
        "(95% CI [-0.010, 0.184], p = 0.400, 280 images); any difference in that interval fits "
        "the data."
    )
    assert msg.significance_sentence(_verdict(delta=None)) == (
        "The mAP difference is undefined on this data."
    )
    korean = catalogue("ko").significance_sentence(_verdict())
    assert korean.startswith("mAP 기준으로 resnet101 모델이 efficientnet_b3 모델보다 0.171 높으며")
    assert "95% 신뢰구간 [0.151, 0.184]" in korean and "이미지 280장" in korean


def test_mcnemar_and_support_sentences():
    test = SimpleNamespace(
        score_threshold=0.5,
        iou_threshold=0.5,
        name_a="A",
        name_b="B",
        a_only_correct=11,
        b_only_correct=50,
        p_value=1e-6,
        both=951,
        neither=3,
    )
    assert catalogue("en").mcnemar_sentence(test) == (
        "Per GT object (score >= 0.5, IoU >= 0.5): 11 found only by A, 50 only by B (McNemar "
        "exact p < 0.001; 951 by both, 3 by neither)."
    )
    spearman = {
        "a": {"rho": 0.41, "p_value": 0.001, "n": 21, "finding": "support_explains"},
        "b": {
            "rho": None,
            "p_value": None,
            "n": 2,
            "finding": "not_computable",
            "reason": "too_few_classes",
        },
    }
    assert catalogue("en").support_sentence(("A", "B"), spearman) == (
        "Training support vs per-class AP: for A AP rises with training support (Spearman rho = "
        "0.41, p = 0.001, 21 classes, fewer than 30); for B AP cannot be related to training "
        "support (fewer than 3 classes with a value)."
    )
    assert "값이 있는 클래스가 3개 미만" in catalogue("ko").support_sentence(("A", "B"), spearman)
    gap = {"rho": -0.6, "p_value": 0.01, "n": 21, "finding": "gap_larger_on_rare"}
    assert catalogue("en").correlation_sentence("gap", gap) == (
        "The AP gap between the models (B − A) is larger on rare classes (Spearman rho = -0.60, "
        "p = 0.010, 21 classes, fewer than 30)."
    )
    # No evidence: the Holm-adjusted p and the smallest |rho| the classes could reveal.
    flat = {
        "rho": 0.01,
        "p_value": 0.978,
        "p_holm": 1.0,
        "n": 40,
        "finding": "no_evidence",
        "detectable_rho": 0.43,
        "alpha": 0.05,
    }
    assert catalogue("en").correlation_sentence("gap", flat) == (
        "No evidence that the AP gap between the models (B − A) follows training support "
        "(Spearman rho = 0.01, p = 0.978, Holm-adjusted p = 1.000, 40 classes); 40 classes could "
        "reveal only |rho| >= 0.43 (80% power at 5%, Fisher z approximation)."
    )
    assert "Holm 보정 p = 1.000" in catalogue("ko").correlation_sentence("gap", flat)
    disputes = {
        "finding": "no_evidence",
        "rate": {"rho": None},
        "top_k": 5,
        "top_rare": 0,
        "rare_share": None,
    }
    assert catalogue("en").dispute_sentence(disputes) == (
        "No evidence that disagreements concentrate on rare or on frequent classes; 0 of the 5 "
        "most disputed classes are rare."
    )
