"""Rendering check-submission and merge: the verdict says which rules ran, findings are escaped
exactly once in Markdown, neutralised in CSV, and harmless on a terminal."""

import dataclasses
import io

import pandas as pd

from pill_compare import check_submission, load_ground_truth
from pill_compare.prep.findings import Finding
from pill_compare.report.prep_render import (
    render_findings_markdown,
    render_submission_check,
    verdict,
)
from tests.conftest import SAMPLE

SUBMISSION = SAMPLE / "resnet101_submission.csv"
HOSTILE = Finding("category_id", "error", "line 2", "=cmd|x <script>alert(1)</script>\r\x1b[2J")


def test_without_ground_truth_the_verdict_names_the_skipped_rules():
    r = check_submission(SUBMISSION)
    assert verdict(r) == (
        "OK for the 8 rules that ran (nothing found); 3 skipped, so not checked: "
        "box_inside, category_id, image_coverage"
    )
    assert "OK: the file will be scored" not in render_submission_check(r, "text")


def test_with_ground_truth_every_rule_runs_and_the_file_will_be_scored():
    r = check_submission(SUBMISSION, gt=load_ground_truth(SAMPLE / "ground_truth.json"))
    assert [s.status for s in r.rules if s.status == "skipped"] == []
    assert verdict(r) == "OK: the file will be scored (nothing found)"


def test_an_error_with_skipped_rules_says_both():
    r = check_submission(SUBMISSION)
    bad = dataclasses.replace(r, findings=(HOSTILE,))
    assert verdict(bad) == (
        "NOT OK: fix the errors before submitting (1 error); 3 skipped, so not checked: "
        "box_inside, category_id, image_coverage"
    )


def test_findings_markdown_is_escaped_exactly_once():
    (table,) = render_findings_markdown([HOSTILE])
    row = table.splitlines()[2]
    assert row == (
        "| error | category_id | line 2 | "
        "=cmd\\|x &lt;script&gt;alert(1)&lt;/script&gt; \\x1b\\[2J |"
    )
    assert "\\\\|" not in table  # not '=cmd\\|x' escaped a second time


def test_findings_reach_csv_neutralised_and_the_terminal_without_control_characters():
    r = dataclasses.replace(check_submission(SUBMISSION), findings=(HOSTILE,))
    frame = pd.read_csv(io.StringIO(render_submission_check(r, "csv")))
    assert frame["message"][0].startswith("'=cmd|x")
    text = render_submission_check(r, "text")
    assert "\x1b" not in text and "\r" not in text
    assert "\\x1b[2J" in text
