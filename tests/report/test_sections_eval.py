"""eval_sections: the sections, tables and legends of one evaluation, the result's numbers, in
English and Korean."""

from __future__ import annotations

import dataclasses
import functools
import re

import numpy as np
import pytest

from pill_compare import evaluate, load_ground_truth, load_results
from pill_compare.analysis.matching import coco_iou_thresholds
from pill_compare.report.messages import catalogue
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.sections.eval import NAME_CELLS, eval_sections, stat_definitions
from pill_compare.report.structure import Note, Section, Table
from tests.conftest import SAMPLE

HANGUL = re.compile("[\uac00-\ud7a3]")


@functools.cache
def sample_eval(iou: tuple[float, ...] | None = None):
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    run = load_results(SAMPLE / "resnet101.json", gt=gt)
    return evaluate(gt, run, iou_thresholds=None if iou is None else np.array(iou))


def tables(sections: list[Section]) -> dict[str, Table]:
    return {b.key: b for s in sections for x in s.walk() for b in x.blocks if isinstance(b, Table)}


def test_sections_and_tables_are_keyed():
    sections = eval_sections(sample_eval())
    assert [s.key for s in sections] == [
        "eval.header",
        "eval.coco",
        "eval.operating_point",
        "eval.accuracy",
        "eval.lrp",
        "eval.per_class",
        "eval.confusion",
    ]
    assert set(tables(sections)) == {
        "coco_stats",
        "operating_point",
        "accuracy",
        "per_class_coco",
        "per_class_operating_point",
        "confusion_counts",
        "top_confusions",
        "lrp",
    }
    render_markdown(sections)  # keys are ids and unique


def test_lrp_section_shows_the_means_and_only_when_matched_at_half():
    r = sample_eval()
    assert dict(tables(eval_sections(r))["lrp"].rows)["olrp"] == r.lrp.olrp
    # An evaluation not matched at IoU 0.5 has no LRP: no section.
    keys = [s.key for s in eval_sections(dataclasses.replace(r, lrp=None))]
    assert "eval.lrp" not in keys and "eval.per_class" in keys


def test_numbers_are_the_results():
    r = sample_eval()
    t = tables(eval_sections(r))
    assert dict(t["coco_stats"].rows) == r.coco.stats
    micro = t["operating_point"].rows[0]
    assert micro[1:] == (
        r.operating_point.micro.tp,
        r.operating_point.micro.fp,
        r.operating_point.micro.fn,
        r.operating_point.micro.precision,
        r.operating_point.micro.recall,
        r.operating_point.micro.f1,
    )
    assert t["accuracy"].rows[0][1] == r.accuracy.classification_accuracy
    assert t["accuracy"].rows[1][2] == f"{r.accuracy.exact_images} / {r.accuracy.images}"
    coco = t["per_class_coco"]
    assert len(coco.rows) == r.coco.declared_categories == 22
    assert [row[4] for row in coco.rows] == [c.ap for c in r.coco.per_class]
    ops = t["per_class_operating_point"]
    assert [row[3:6] for row in ops.rows] == [
        (c.tp, c.fp, c.fn) for c in r.operating_point.per_class
    ]
    counts = dict(t["confusion_counts"].rows)
    assert list(counts.values()) == [
        r.confusion.correct,
        r.confusion.misclassified,
        r.confusion.false_detections,
        r.confusion.missed,
        r.confusion.absorbed,
    ]
    assert [row[2] for row in t["top_confusions"].rows] == [
        n for _, _, n in r.confusion.top_confusions(10)
    ]


@pytest.mark.parametrize("iou", [None, (0.5, 0.75), tuple(coco_iou_thresholds(0.75, 0.95, 0.05))])
def test_english_definitions_are_the_analysis_definitions(iou):
    r = sample_eval(iou)
    assert stat_definitions(catalogue("en").text, r) == r.coco.definitions
    legend = dict(tables(eval_sections(r))["coco_stats"].legend)
    assert all(legend[k] == v for k, v in r.coco.definitions.items())


def test_every_table_has_its_definitions_as_a_legend():
    t = tables(eval_sections(sample_eval()))
    assert dict(t["operating_point"].legend)["f1"].startswith("2 TP / (2 TP + FP + FN)")
    assert dict(t["accuracy"].legend)["classification_accuracy"].startswith("(a) among")
    assert "rows = GT class" in dict(t["confusion_counts"].legend)["Confusion matrix"]
    assert t["per_class_coco"].legend and t["per_class_operating_point"].legend


def test_compact_cuts_long_names_and_the_full_view_keeps_them():
    r = sample_eval()
    long = max((c.name for c in r.coco.per_class), key=len)
    full = [row[1] for row in tables(eval_sections(r))["per_class_coco"].rows]
    cut = [row[1] for row in tables(eval_sections(r, compact=True))["per_class_coco"].rows]
    assert long in full
    assert all(len(name) <= NAME_CELLS for name in cut)


def test_korean_headings_and_words():
    sections = eval_sections(sample_eval(), "ko")
    titles = [s.title for s in sections if s.title]
    assert titles and all(HANGUL.search(title) for title in titles)
    assert sections[1].title == "COCO 지표"
    assert "상위 100개" in dict(tables(sections)["coco_stats"].legend)["map"]


def test_caveats_become_warning_notes():
    import dataclasses

    r = dataclasses.replace(sample_eval(), caveats=("resnet101.json: 2 detections left out",))
    last = eval_sections(r)[-1]
    assert last.key == "eval.caveats"
    assert last.blocks == (Note("resnet101.json: 2 detections left out", kind="warning"),)


def test_not_an_evaluation_is_refused():
    with pytest.raises(TypeError, match="Expected an EvalResult, got dict"):
        eval_sections({})
