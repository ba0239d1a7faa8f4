"""compare_sections (the report, the seed's structure) and compare_command_sections: every
section present or deliberately absent, a row per class, the result's numbers, figures placed,
Korean headings."""

from __future__ import annotations

import dataclasses
import functools
import re

import pytest

from pill_compare import compare, load_ground_truth, load_results
from pill_compare.report.render.html import render_html
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.compare import (
    FIGURE_PLACES,
    compare_command_sections,
    compare_sections,
    summary_sentences,
)
from pill_compare.report.structure import (
    Figure,
    Gallery,
    GalleryItem,
    Note,
    Paragraph,
    Report,
    Section,
    Table,
)
from tests.conftest import SAMPLE

HANGUL = re.compile("[\uac00-\ud7a3]")
TOP = ["overview", "overall", "detections", "disagreements", "per_class", "gt_audit", "errors"]
TOP += ["causes", "glossary", "caveats"]
PNG = b"\x89PNG\r\n\x1a\n"  # a renderer only links or embeds the bytes


@functools.cache
def sample_comparison(
    ground_truth: bool = True, train: bool = True, n_bootstrap: int = 50, swap: bool = False
):
    """The sample's A vs B (swapped: B vs A), with or without a ground truth (cached: ~1 s each)."""
    gt = load_ground_truth(SAMPLE / "ground_truth.json") if ground_truth else None
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    if swap:
        a, b = b, a
    train_gt = load_ground_truth(SAMPLE / "train_annotations.json") if train and gt else None
    return compare(gt, a, b, train_gt=train_gt, n_bootstrap=n_bootstrap)


def by_key(sections: list[Section]) -> dict[str, Section]:
    return {s.key: s for top in sections for s in top.walk()}


def tables(sections: list[Section]) -> dict[str, Table]:
    return {b.key: b for s in by_key(sections).values() for b in s.blocks if isinstance(b, Table)}


def notes(section: Section, kind: str) -> list[str]:
    return [
        b.text for s in section.walk() for b in s.blocks if isinstance(b, Note) and b.kind == kind
    ]


def test_the_report_has_every_part_of_a_hand_written_comparison():
    sections = compare_sections(sample_comparison())
    assert [s.key for s in sections] == TOP
    keys = set(by_key(sections))
    assert {
        "overview.summary",
        "overview.inputs",
        "overview.parameters",
        "detections.per_image",
        "disagreements.images",
        "disagreements.categories",
        "disagreements.pairs",
        "disagreements.patterns",
        "disagreements.boxes",
        "disagreements.gallery",
        "per_class.worst",
        "per_class.confusions",
        "causes.imbalance",
        "causes.support",
        "causes.evidence",
        "glossary.methods",
    } <= keys
    assert not notes(sections[1], "absent")  # with a ground truth nothing is left out
    # The image-level substitutions are a column of the one table of disagreements.
    assert "disagreements.substitutions" not in keys
    render_markdown(sections)  # every key is an id and unique


def test_overview_summary_is_four_sentences_from_the_results():
    r = sample_comparison()
    summary = by_key(compare_sections(r))["overview.summary"]
    texts = [b.text for b in summary.blocks]
    assert texts == summary_sentences(r)
    assert texts[0].startswith("resnet101 is better than efficientnet_b3 on mAP by 0.171")
    # The dominant cause on the sample: 78% of the gap comes at IoU above 0.50.
    assert texts[1].startswith("Most of the gap is localization: 78% of the 0.171 mAP difference")
    assert "(ΔAP at IoU 0.50 = 0.037)" in texts[1]
    top = r.disagreements.swap_patterns[0]
    # One "most frequent disagreement": the box-level swap with its image-level substitutions.
    assert f"on {top.swaps} boxes on {top.images} images (on 7 of them nothing else" in texts[2]
    assert f"resnet101 was right {top.verdicts['b_right']} times" in texts[2]
    # A non-significant test is "no evidence", with the effect the data could have detected.
    assert texts[3].startswith("No evidence that class imbalance explains the gap")
    assert "21 classes, fewer than 30" in texts[3] and "|rho| >= 0.58" in texts[3]
    assert not any("does not explain" in text for text in texts)


def test_overall_metrics_are_the_results_with_the_competition_map():
    r = sample_comparison()
    t = tables(compare_sections(r))["metrics"]
    m = r.metrics()
    rows = {row[0]: row for row in t.rows}
    assert rows["mAP"][1:4] == (m["a"]["map"], m["b"]["map"], m["delta"]["map"])
    assert rows["mAP@[0.75:0.95]"][1:3] == (m["a"]["map_75_95"], m["b"]["map_75_95"])
    assert {"AP50", "precision", "recall", "F1", "classification accuracy"} <= set(rows)
    boot = r.bootstrap.metrics["map"]
    # as the AP columns; a no-break space keeps the interval on one line
    assert rows["mAP"][4] == f"[{boot.ci_low:.3f},\xa0{boot.ci_high:.3f}]"
    legend = dict(t.legend)
    assert legend["mAP@[0.75:0.95]"].startswith("the pill competition's metric")
    assert legend["image exact match"].startswith("(b) share of GT images")


def test_disagreements_list_every_image_pattern_and_box():
    r = sample_comparison()
    sections = compare_sections(r)
    t = tables(sections)
    assert len(t["differing_images"].rows) == len(r.diff.differing_images) == 61
    first = r.diff.differing_images[0]  # image 4: A lists 19231 where B lists 22073; GT 19231
    assert t["differing_images"].rows[0] == (
        "4",
        "19231 K-019232 pink oblong",
        "22073 K-022074 pink oblong",
        "19231 K-019232 pink oblong",
        "efficientnet_b3 right",
    )
    assert first.only_a == (19231,)
    assert t["differing_images"].file == "differing_images.csv"
    assert len(t["only_a_categories"].rows) == len(r.diff.only_a_counts)
    patterns = t["swap_patterns"]
    # 15 box-level swap patterns + 3 substitutions whose classes sit on different boxes.
    swapped = {(s.a, s.b) for s in r.disagreements.swap_patterns}
    alone = [s for s in r.diff.substitutions if (s.a, s.b) not in swapped]
    assert len(patterns.rows) == len(r.disagreements.swap_patterns) + len(alone) == 15 + 3
    top = r.disagreements.swap_patterns[0]
    assert patterns.rows[0][2:9] == (
        top.swaps,
        top.images,
        7,  # images where 34596 -> 30307 is the only difference (the substitution)
        top.verdicts["a_right"],
        top.verdicts["b_right"],
        top.verdicts["both_wrong"],
        top.verdicts["no_gt"],
    )
    assert patterns.rows[-1][2:5] == (0, 0, alone[-1].images)
    counts = r.pairing.counts()
    boxes = t["disputed_boxes"]
    assert len(boxes.rows) == counts["class_swap"] + counts["a_only"] + counts["b_only"]
    assert len(boxes.headers) == 6  # image, what differs, A, B, GT class, verdict
    verdicts = [row[-1] for row in boxes.rows if row[1] == "class swap"]
    assert verdicts.count("resnet101 right") == r.disagreements.swap_verdicts()["b_right"]
    # Image 5: only resnet101 has the box, and it is right: efficientnet_b3 missed it.
    assert boxes.rows[1] == (
        "5",
        "only resnet101",
        "",
        "10223 K-010224 white round",
        "10223 K-010224 white round",
        "efficientnet_b3 missed it",
    )
    assert boxes.limit is not None and boxes.file == "disputed_boxes.csv"


def test_per_image_table_lists_only_the_images_where_the_models_differ():
    r = sample_comparison()
    section = by_key(compare_sections(r))["detections.per_image"]
    intro, table = section.blocks
    frame = r.agreement.to_frame()
    differ = frame[(frame["class_swap"] + frame["a_only"] + frame["b_only"]) > 0]
    assert len(table.rows) == len(differ) == 59 and len(frame) == 280
    assert {row[0] for row in table.rows} == {str(i) for i in differ["image_id"]}
    assert all(row[2] + row[3] + row[4] > 0 for row in table.rows)  # no "0 0 0 1" row
    # The 221 fully agreeing images are one sentence, not 221 rows.
    assert intro.text.startswith("On 221 of 280 images both models give every box the same")
    assert table.file == "per_image.csv" and table.page_limit is not None


def test_per_class_has_a_row_per_class_with_each_models_fp_and_fn():
    r = sample_comparison()
    t = tables(compare_sections(r))
    assert len(t["per_class"].rows) == len(t["per_class_fp_fn"].rows) == 22
    by_label = {row[0]: row for row in t["per_class_fp_fn"].rows}
    for ca, cb in zip(
        r.eval_a.operating_point.per_class, r.eval_b.operating_point.per_class, strict=True
    ):
        row = by_label[f"{ca.category_id} {ca.name}"]
        assert row[2:] == (ca.tp, ca.fp, ca.fn, cb.tp, cb.fp, cb.fn)
    worst = t["worst_classes"].rows
    assert worst[0][2] == min(c.ap for c in r.eval_a.coco.per_class if c.ap is not None)
    assert "confusions_a" in t and "confusions_b" in t


def test_error_breakdown_side_by_side():
    r = sample_comparison()
    rows = {row[0]: row for row in tables(compare_sections(r))["error_types"].rows}
    assert rows["Cls"][1:] == (
        r.errors_a.counts["cls"],
        r.errors_a.delta_ap["cls"],
        r.errors_b.counts["cls"],
        r.errors_b.delta_ap["cls"],
    )
    assert len(rows) == 8


def test_cause_analysis_states_the_indices_and_what_is_not_evidence():
    r = sample_comparison()
    sections = compare_sections(r)
    indices = {row[0]: row[1] for row in tables(sections)["imbalance_indices"].rows}
    assert indices["imbalance ratio"] == "88 / 7 = 12.57"
    assert indices["Gini coefficient"] == r.support.training.gini
    support = tables(sections)["support_vs_ap"]
    assert len(support.rows) == len(r.support.classes)
    text = " ".join(render_text([by_key(sections)["causes.evidence"]]).split())
    assert "101 layers" in text and "compound scaling" in text and "are not evidence" in text
    assert "No evidence that class imbalance explains the gap" in text
    assert (
        "shows no trend with training support (Spearman rho = 0.01, p = 0.978, 21 classes" in text
    )
    assert "Most of the gap is localization" in text


def test_without_ground_truth_the_report_is_one_of_agreement_with_only_what_applies():
    r = sample_comparison(ground_truth=False)
    sections = compare_sections(r)
    assert [s.key for s in sections] == [
        "overview",
        "detections",
        "agreement",
        "glossary",
        "caveats",
    ]  # no training annotations: no imbalance section; nothing "absent"
    k = by_key(sections)
    assert not any(notes(s, "absent") for s in k.values())
    assert {"swap_patterns", "class_counts", "one_sided", "disputed_boxes"} <= set(tables(sections))
    text = render_text(sections)
    assert "better than" not in text and "not which one is right" in text
    for word in ("mAP", "bootstrap", "TIDE", "maxDets", "ids the GT lacks"):
        assert word not in text, word
    assert "verdict" not in tables(sections)["disputed_boxes"].headers


def test_without_training_annotations_the_cause_analysis_says_what_they_would_add():
    sections = compare_sections(sample_comparison(train=False))
    k = by_key(sections)
    assert "training annotations" in notes(k["causes.imbalance"], "absent")[0]
    assert "Anything about class imbalance" in render_text([k["causes.evidence"]])


def test_figures_go_to_their_sections_and_get_a_caption():
    figures = {key: Figure(key=key, png=PNG, caption="") for key in FIGURE_PLACES}
    sections = compare_sections(sample_comparison(), figures=figures)
    k = by_key(sections)
    for key, place in FIGURE_PLACES.items():
        placed = [b for b in k[place].blocks if isinstance(b, Figure) and b.key == key]
        assert len(placed) == 1 and placed[0].caption, key
    report = Report(title="t", lang="en", sections=tuple(sections))
    assert len(report.figures()) == len(FIGURE_PLACES)
    assert "<img" in render_html(report)


def test_bad_figures_are_refused():
    r = sample_comparison()
    with pytest.raises(ValueError, match="Expected figure keys in"):
        compare_sections(r, figures={"nope": Figure(key="nope", png=PNG, caption="x")})
    with pytest.raises(
        TypeError, match=r"Expected figures\['pr_curves'\] to be a Figure, got bytes"
    ):
        compare_sections(r, figures={"pr_curves": PNG})


def test_gallery_and_its_notes_go_to_the_gallery_section():
    r = sample_comparison()
    gallery = Gallery("gallery", (GalleryItem("gallery_4", PNG, "Image 4"),), caption="1 of 61")
    from pill_compare.report.gallery import GalleryNote

    missing = GalleryNote("missing", 7, "7.png")
    k = by_key(compare_sections(r, gallery=gallery, gallery_notes=(missing,)))
    blocks = k["disagreements.gallery"].blocks
    assert blocks[0] is gallery
    assert notes(k["disagreements.gallery"], "warning") == [
        "Image 7 (7.png): not found in the images folder, so it is not in the gallery."
    ]
    ko = by_key(compare_sections(r, "ko", gallery=gallery, gallery_notes=(missing,)))
    assert notes(ko["disagreements.gallery"], "warning")[0].startswith("이미지 7 (7.png)")
    assert notes(by_key(compare_sections(r))["disagreements.gallery"], "absent")


def test_caveats_hold_every_loading_warning_and_the_tool_differences():
    r = dataclasses.replace(sample_comparison(), caveats=("a.json: 3 boxes look like xyxy",))
    caveats = by_key(compare_sections(r))["caveats"]
    assert notes(caveats, "warning") == ["a.json: 3 boxes look like xyxy"]
    tools = " ".join(notes(caveats, "caveat"))
    assert "tidecv also averages classes with detections and no GT" in tools
    assert "maxDets" in tools


def test_korean_report_has_hangul_headings_and_renders():
    sections = compare_sections(sample_comparison(), "ko")
    titles = [s.title for top in sections for s in top.walk()]
    assert all(HANGUL.search(t) for t in titles), [t for t in titles if not HANGUL.search(t)]
    assert by_key(sections)["glossary"].title == "용어 목록"
    glossary = tables(sections)["glossary"]
    assert glossary.rows[1][:2] == ("오탐지", "False Detection")
    html = render_html(Report(title="보고서", lang="ko", sections=tuple(sections)))
    assert 'lang="ko"' in html and "불균형 지수" in html


def test_the_commands_view_puts_the_findings_first():
    r = sample_comparison()
    sections = compare_command_sections(r)
    assert [s.key for s in sections] == [
        "findings",
        "metrics",
        "disagreements",
        "errors",
        "per_class",
        "definitions",
    ]
    assert by_key(sections)["disagreements.patterns"].blocks[0].limit == 5
    compact = compare_command_sections(r, compact=True)
    assert compact[0].title == "" and compact[1].title == ""  # the first screen's lines say it
    first = compact[0].blocks[1]
    assert isinstance(first, Paragraph) and first.emphasis
    assert first.text.startswith("resnet101 is better than efficientnet_b3")
    no_gt = [s.key for s in compare_command_sections(sample_comparison(ground_truth=False))]
    assert no_gt == ["findings", "disagreements", "class_agreement", "definitions"]


def test_not_a_comparison_is_refused():
    with pytest.raises(TypeError, match="Expected a ComparisonResult, got str"):
        compare_sections("r")


OTHER_GAP = {
    "gap_larger_on_rare": "gap_larger_on_frequent",
    "gap_larger_on_frequent": "gap_larger_on_rare",
}


def _with_gap(result, finding, rho):
    gap = dataclasses.replace(result.support.ap_delta, finding=finding, rho=rho)
    return dataclasses.replace(result, support=dataclasses.replace(result.support, ap_delta=gap))


@pytest.mark.parametrize(
    ("finding", "rho", "says"),
    [
        ("gap_larger_on_rare", -0.75, "explains part of the gap: resnet101's advantage over "
         "efficientnet_b3 is larger on rarely trained classes (Spearman rho = -0.75"),
        ("gap_larger_on_frequent", 0.75, "not on rarely trained classes: resnet101's advantage "
         "over efficientnet_b3 is larger on frequent classes (Spearman rho = 0.75"),
    ],
)  # fmt: skip
def test_the_imbalance_sentence_speaks_of_the_better_runs_advantage_whichever_run_is_a(
    finding, rho, says
):
    # resnet101 is the better run; the finding codes and rho describe AP(B) - AP(A), so with
    # the runs swapped the same data has the other code and -rho.
    b_ahead = _with_gap(sample_comparison(n_bootstrap=0), finding, rho)
    a_ahead = _with_gap(sample_comparison(n_bootstrap=0, swap=True), OTHER_GAP[finding], -rho)
    assert says in summary_sentences(b_ahead)[3]
    assert summary_sentences(a_ahead)[3] == summary_sentences(b_ahead)[3]
    # The cause sentence is worded from the better run's side too.
    assert summary_sentences(a_ahead)[1] == summary_sentences(b_ahead)[1]


def test_causes_localization_has_ap_by_iou_the_share_and_both_figures():
    from pill_compare.report.report_plots import available_plots

    r = sample_comparison(n_bootstrap=0)
    assert {"plot_ap_by_iou", "plot_matched_iou"} <= set(available_plots(r))
    figures = {k: Figure(key=k, png=PNG, caption="") for k in ("ap_by_iou", "matched_iou")}
    section = by_key(compare_sections(r, figures=figures))["causes.localization"]
    table = tables([section])["ap_by_iou"]
    assert [row[0] for row in table.rows] == [f"{t:.2f}" for t in r.causes.iou_thresholds]
    assert [row[3] for row in table.rows] == list(r.causes.delta_by_iou)
    text = " ".join(render_text([section]).split())
    assert "Localization share = Δ_loc / Δ = 78.4%" in text
    keys = [b.key for b in section.blocks if isinstance(b, Figure)]
    assert keys == ["ap_by_iou", "matched_iou"]
    # The errors section adds TIDE at IoU 0.75, where A's loosely placed boxes are Loc errors.
    strict = tables(compare_sections(r))["error_types_strict"]
    loc = next(row for row in strict.rows if row[0] == "Loc")
    assert loc[1] == r.errors_strict_a.counts["loc"] > 0


def test_overall_calibration_states_d_ece_its_definition_and_who_is_more_trustworthy():
    from pill_compare.report.compare_render import compare_json
    from pill_compare.report.report_plots import available_plots

    r = sample_comparison()  # 50 resamples
    assert "plot_calibration" in available_plots(r)
    figures = {"calibration": Figure(key="calibration", png=PNG, caption="")}
    section = by_key(compare_sections(r, figures=figures))["overall.calibration"]
    rows = tables([section])["calibration"].rows
    assert [row[2] for row in rows] == [r.calibration.a.ece, r.calibration.b.ece]
    text = " ".join(render_text([section]).split())
    # The sample's efficientnet_b3 (A) 0.158 vs resnet101 (B) 0.192: A's interval excludes 0.
    assert "efficientnet_b3's scores are the more trustworthy: D-ECE 0.158" in text
    assert "true positive at IoU 0.50" in text and "10 equal-count score bins" in text
    assert [b.key for b in section.blocks if isinstance(b, Figure)] == ["calibration"]
    assert compare_json(r)["calibration"]["sentence"].startswith("efficientnet_b3's scores")
    ko = by_key(compare_sections(r, "ko"))["overall.calibration"]
    assert "믿을 만하다" in " ".join(render_text([ko]).split())
    # Without a bootstrap the difference is stated as not tested.
    untested = by_key(compare_sections(sample_comparison(n_bootstrap=0)))["overall.calibration"]
    assert "was not tested" in " ".join(render_text([untested]).split())
