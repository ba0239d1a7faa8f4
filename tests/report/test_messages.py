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
        if path.name in ("eval.py", "compare.py", "gt_audit.py", "agreement.py", "scores.py"):
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


# --- words a reader sees (issue 15 §3) ---------------------------------------------------------

#: The only "seed" a reader may meet is a random seed (the bootstrap's, training's).
RANDOM_SEED = re.compile(
    r"random seeds?|--seed\b|the same seed|seeds the|\{seed\}|난수 시드|시드가 같으면", re.I
)


def user_texts() -> dict[str, str]:
    """Every text a reader can see: both catalogues, the renderers' words, the figure and gallery
    texts, and the help of every command and option."""
    import typer.main

    from pill_compare.cli.app import app

    out = {f"en:{k}": v for k, v in en.TEXTS.items()}
    out |= {f"ko:{k}": v for k, v in ko.TEXTS.items()}
    out |= {f"words:{k}": v for k, v in {**DEFAULT_WORDS, **ko.RENDER_WORDS}.items()}
    out |= {f"figure:{k}": v for k, v in figure_labels().items()}
    group = typer.main.get_command(app)
    out["help:pillcmp"] = group.help or ""
    for name, command in group.commands.items():
        out[f"help:{name}"] = command.help or ""
        for param in command.params:
            out[f"help:{name} {param.name}"] = getattr(param, "help", None) or ""
    return out


def test_no_text_a_reader_sees_speaks_of_the_seed():
    texts = user_texts()
    assert len(texts) > 1000 and any(k.startswith("help:report") for k in texts)
    found = {k: v for k, v in texts.items() if re.search("seed|시드", RANDOM_SEED.sub("", v), re.I)}
    assert found == {}


def test_no_message_shows_a_python_name_or_pydantic_wording():
    texts = user_texts()
    bad = re.compile(r"\w+_\w+='|Value error,|is not one of")
    assert {k: v for k, v in texts.items() if bad.search(v)} == {}


def test_korean_uses_the_terms_korean_detection_teams_use():
    texts = {k: v for k, v in ko.TEXTS.items()}
    # 매칭 (not 짝짓기), 어노테이션/라벨 (not 주석), crowd 영역 (not 군중), 판정 기준 (not 운영점),
    # "점수가 높은 것부터 차례로" (not 탐욕적), a percentage (not "항목의 0.9398가").
    for odd in (
        "짝짓",
        "짝지",
        "짝이",
        "주석",
        "군중",
        "운영점",
        "운영 기준",
        "탐욕",
        "항목의 {rate}",
    ):
        assert not [k for k, v in texts.items() if odd in v], odd
    assert "매칭 IoU" in texts["param.pair_iou"] and "어노테이션" in texts["overview.role.train"]
    # One plain declarative style: ~다, never ~습니다 / ~세요.
    assert not [k for k, v in texts.items() if re.search("습니다|세요", v)]
    # 오탐지 is false detection as a whole (the title, the glossary); a false positive is 오검출.
    assert "오탐지" in texts["report.title"] and "오탐지" in texts["glossary.false_detection.term"]
    fp_keys = ("error.bkg", "s.gt_audit", "cause.background", "eval.confusion.false_detections")
    assert all("오검출" in texts[k] and "오탐지" not in texts[k] for k in fp_keys)
    assert "오탐지" not in "".join(v for k, v in texts.items() if k.startswith("gt_audit."))


def test_no_label_is_doubled_by_its_definition():
    # "Cls (분류 오류): 분류 오류: ..." reads twice; the definition starts with what it adds.
    for lang in LANGUAGES:
        t = catalogue(lang).TEXTS
        for key in ("cls", "loc", "both", "dupe", "bkg", "miss", "false_pos", "false_neg"):
            label, definition = t[f"error.{key}"], t[f"error.{key}.definition"]
            inner = re.search(r"\((.+)\)", label)
            if inner:
                assert not definition.startswith(inner.group(1)), (lang, key, definition)


def test_agreement_reads_as_a_percentage():
    from pill_compare.report.sections.common import pair_lines
    from tests.report.test_sections_compare import sample_comparison

    r = sample_comparison()
    for lang, expected in (
        ("en", "94.0% of the paired items agree"),
        ("ko", "매칭된 항목 중 94.0% 일치"),
    ):
        lines = pair_lines(catalogue(lang).text, r)
        assert expected in lines[-1], lines[-1]
