"""The report's ground-truth audit section: counts, a row per class with a case, the top cases,
the estimate labelled as one beside the real numbers, absent without a ground truth, Korean."""

from __future__ import annotations

import functools
import json

import numpy as np

from pill_compare import compare, load_ground_truth, load_results
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.messages import catalogue
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.sections.gt_audit import TOP_CASES, gt_audit_section
from pill_compare.report.structure import Note, Paragraph, Table
from tests.conftest import SAMPLE


@functools.cache
def comparison(ground_truth: str = "full"):
    """The sample's comparison against its GT ('full'), the GT with a quarter of its
    annotations deleted ('quarter'), or none ('none'). No bootstrap (not shown here)."""
    doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    full = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=full)
    b = load_results(SAMPLE / "resnet101.json", gt=full)
    gt = {"full": full, "none": None}.get(ground_truth)
    if ground_truth == "quarter":
        n = len(doc["annotations"])
        drop = set(np.random.default_rng(0).choice(n, size=n // 4, replace=False).tolist())
        kept = [x for i, x in enumerate(doc["annotations"]) if i not in drop]
        gt = ground_truth_from_dict(dict(doc, annotations=kept), source="quarter.json")
    return compare(gt, a, b, n_bootstrap=0)


def _tables(section):
    return {b.key: b for b in section.blocks if isinstance(b, Table)}


def test_section_shows_counts_classes_top_cases_and_the_estimate():
    r = comparison("quarter")
    audit = r.gt_audit
    section = gt_audit_section(catalogue("en").text, r)
    assert section.key == "gt_audit"
    counts = [b for b in section.blocks if isinstance(b, Paragraph) and b.emphasis]
    assert f"{audit.likely_missing.count} likely missing" in counts[0].text
    tables = _tables(section)
    assert set(tables) == {
        "gt_audit_classes",
        "gt_audit_missing",
        "gt_audit_wrong_labels",
        "gt_audit_estimate",
    }
    # A row per class with a case, and the per-class counts add up to the totals.
    classes = tables["gt_audit_classes"].rows
    assert sum(row[1] for row in classes) == audit.likely_missing.count
    assert sum(row[2] for row in classes) == audit.likely_wrong_label.count
    # The most confident cases first, as many as TOP_CASES.
    missing = tables["gt_audit_missing"]
    assert len(missing.rows) == min(TOP_CASES, audit.likely_missing.count)
    low = [min(row[3], row[4]) for row in missing.rows]
    assert low == sorted(low, reverse=True)
    # The estimate is labelled as one, next to the real numbers (which equal the comparison's).
    estimate = tables["gt_audit_estimate"]
    assert estimate.caption.startswith("ESTIMATE")
    assert any("(estimate)" in h for h in estimate.headers)
    m = r.metrics()
    assert estimate.rows[0][0] == "mAP"
    assert (estimate.rows[0][1], estimate.rows[0][4]) == (m["a"]["map"], m["b"]["map"])
    assert estimate.rows[0][2] == audit.if_completed["a"]["map"] > m["a"]["map"]
    assert any(isinstance(b, Note) and b.kind == "caveat" for b in section.blocks)


def test_complete_sample_gt_shows_only_the_wrong_labels():
    r = comparison("full")
    section = gt_audit_section(catalogue("en").text, r)
    tables = _tables(section)
    # 0 likely missing on the complete sample GT: no case table, no estimate.
    assert r.gt_audit.likely_missing.count == 0
    assert "gt_audit_missing" not in tables and "gt_audit_estimate" not in tables
    wrong = tables["gt_audit_wrong_labels"]
    assert sum(row[2] for row in wrong.rows) == r.gt_audit.likely_wrong_label.count


def test_without_ground_truth_the_section_says_what_it_would_add():
    section = gt_audit_section(catalogue("en").text, comparison("none"))
    assert [b.kind for b in section.blocks] == ["absent"]


def test_korean_section_renders_in_korean():
    section = gt_audit_section(catalogue("ko").text, comparison("quarter"))
    md, _ = render_markdown([section], title="t", lang="ko")
    assert "정답 어노테이션 점검" in md and "(추정)" in md
