"""The comparison's optimal LRP (report subsection ``overall.lrp``, its CSV and JSON) and the
compare command's calibration and oLRP lines, against :mod:`pill_compare.analysis.lrp` on the
sample."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from pill_compare.analysis.lrp import compute_lrp
from pill_compare.report.compare_render import compare_json, render_compare
from pill_compare.report.render.html import render_html
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.compare import compare_sections
from pill_compare.report.sections.compare_files import compare_csv_files
from pill_compare.report.structure import Report
from tests.report.test_sections_compare import by_key, sample_comparison, tables


def flat(text: str) -> str:
    return " ".join(text.split())


def test_overall_lrp_numbers_are_compute_lrps_on_the_sample():
    r = sample_comparison()  # 50 resamples
    a, b = compute_lrp(r.eval_a.matches), compute_lrp(r.eval_b.matches)
    section = by_key(compare_sections(r))["overall.lrp"]
    found = tables([section])
    assert found["lrp"].headers == ("model", "oLRP", "oLRP_loc", "oLRP_FP", "oLRP_FN")
    assert found["lrp"].rows == (
        ("efficientnet_b3", a.olrp, a.olrp_loc, a.olrp_fp, a.olrp_fn),
        ("resnet101", b.olrp, b.olrp_loc, b.olrp_fp, b.olrp_fn),
    )
    # Per class: a row per class with GT boxes, both oLRPs, the gap and the four thresholds.
    per_class = found["lrp_per_class"]
    assert per_class.file == "lrp_per_class.csv"
    expected = {
        x.category_id: (
            *(x.gt, x.olrp, y.olrp, y.olrp - x.olrp),
            *(x.threshold, x.f1_threshold, y.threshold, y.f1_threshold),
        )
        for x, y in zip(a.per_class, b.per_class, strict=True)
        if x.gt
    }
    assert {int(row[0].split()[0]): row[1:] for row in per_class.rows} == expected
    gaps = [abs(row[4]) for row in per_class.rows]
    assert gaps == sorted(gaps, reverse=True)  # largest gap first


def test_overall_lrp_says_who_is_better_with_the_interval_the_definition_and_how_to_submit():
    r = sample_comparison()
    c = r.lrp
    # The sample: resnet101 (B) 0.194 against efficientnet_b3 (A) 0.348; B − A = -0.155.
    assert c.delta == pytest.approx(-0.155, abs=5e-4)
    assert c.ci_low <= c.delta <= c.ci_high < 0 and c.finding == "b_better"
    assert c.n_resamples == 50
    text = flat(render_text([by_key(compare_sections(r))["overall.lrp"]]))
    assert "resnet101 makes fewer errors at its best thresholds: oLRP 0.194 against 0.348" in text
    assert f"95% interval {c.ci_low:+.3f} to {c.ci_high:+.3f}" in text
    assert "Oksuz et al. 2018, 2021" in text and "IoU τ = 0.5" in text
    assert "localisation (mean (1 − IoU)/(1 − τ) of the TPs), FP (1 − precision)" in text
    assert "--thresholds-out" in text and "predict ... --class-thresholds" in text
    untested = by_key(compare_sections(sample_comparison(n_bootstrap=0)))["overall.lrp"]
    assert "whether the difference is real was not tested" in flat(render_text([untested]))


def test_lrp_json_and_csv_hold_both_models_and_the_difference():
    r = sample_comparison()
    doc = compare_json(r)["lrp"]
    assert doc["a"]["olrp"] == r.eval_a.lrp.olrp and doc["b"]["olrp"] == r.eval_b.lrp.olrp
    assert doc["delta"] == r.lrp.delta and doc["ci"] == [r.lrp.ci_low, r.lrp.ci_high]
    assert (doc["finding"], doc["n_resamples"]) == ("b_better", 50)
    assert doc["sentence"].startswith("resnet101 makes fewer errors")
    rows = list(csv.DictReader(io.StringIO(compare_csv_files(r)["lrp_per_class.csv"])))
    assert len(rows) == len(r.lrp.a.per_class)  # every declared class
    first = r.lrp.a.per_class[0]
    row = next(x for x in rows if int(x["category_id"]) == first.category_id)
    assert float(row["olrp_a"]) == first.olrp and float(row["threshold_a"]) == first.threshold


def test_korean_report_renders_the_lrp_section():
    r = sample_comparison()
    sections = compare_sections(r, "ko")
    section = by_key(sections)["overall.lrp"]
    assert section.title.startswith("최적 LRP")
    text = flat(render_text([section]))
    assert "최적 임계값에서 resnet101의 오류가 더 적다" in text and "oLRP 임계값" in text
    assert "최적 LRP" in render_markdown(sections, lang="ko")[0]
    html = render_html(Report(title="보고서", lang="ko", sections=tuple(sections)))
    assert 'id="overall.lrp"' in html and "최적 LRP" in html


def test_without_lrp_there_is_no_lrp_section_file_json_key_or_line():
    r = dataclasses.replace(sample_comparison(), lrp=None)  # as a comparison without one
    assert "overall.lrp" not in by_key(compare_sections(r))
    assert "lrp" not in compare_json(r) and "lrp_per_class.csv" not in compare_csv_files(r)
    text = render_compare(r, "text")
    assert "oLRP" not in text and "Calibration (D-ECE" in text


def test_compare_text_has_a_calibration_line_and_an_olrp_line_per_model():
    r = sample_comparison()
    lines = flat(render_compare(r, "text"))
    cal = r.calibration
    assert (
        "Calibration (D-ECE, lower is better): efficientnet_b3 0.158, resnet101 0.192; "
        "efficientnet_b3's scores are the more trustworthy (95% interval of B − A "
        f"{cal.ci_low:+.3f} to {cal.ci_high:+.3f})."
    ) in lines
    a = r.lrp.a
    # The line is compute_lrp's numbers: 0.348 (localisation 0.306, FP 0.025, FN 0.038).
    assert [a.olrp, a.olrp_loc, a.olrp_fp, a.olrp_fn] == pytest.approx(
        [0.348, 0.306, 0.025, 0.038], abs=5e-4
    )
    assert (
        "oLRP (IoU 0.5, lower is better) efficientnet_b3: 0.348 (localisation 0.306, FP 0.025, "
        "FN 0.038)"
    ) in lines
    assert "oLRP (IoU 0.5, lower is better) resnet101: 0.194 (localisation 0.183" in lines
    ko = flat(render_compare(r, "text", lang="ko"))
    assert "보정(D-ECE, 낮을수록 좋다): efficientnet_b3 0.158" in ko and "위치 오차 0.306" in ko
