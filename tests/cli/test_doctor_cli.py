"""`pillcmp doctor`, and the same checks run first by eval, diff, compare and report: every kind
of real breakage is named in the first lines of the output, with its fix."""

from __future__ import annotations

import json

import pytest

from pill_compare.cli import app
from tests import broken_inputs as broken
from tests.conftest import SAMPLE, write_json

GT = SAMPLE / "ground_truth.json"
TRAIN = SAMPLE / "train_annotations.json"
EFF = SAMPLE / "efficientnet_b3.json"
RES = SAMPLE / "resnet101.json"

BROKEN = {
    "xyxy": (broken.xyxy_boxes, "box_format_xyxy", "blocking"),
    "cxcywh": (broken.cxcywh_boxes, "box_format_cxcywh", "blocking"),
    "normalized": (broken.normalized_boxes, "box_format_normalized", "blocking"),
    "repeated": (broken.repeated_rows, "duplicate_detections", "blocking"),
    "zero_width": (broken.zero_width_edge_boxes, "degenerate_boxes", "warning"),
}


def invoke(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def broken_file(tmp_path, kind: str):
    make, code, _severity = BROKEN[kind]
    return write_json(tmp_path, f"{kind}.json", make(broken.sample_records("resnet101"))), code


def test_clean_files_pass_and_exit_0(runner):
    result = invoke(runner, "doctor", EFF, RES, "--gt", GT)
    assert result.exit_code == 0, result.output
    assert "found no problem (8 checks" in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_each_breakage_is_named_with_its_fix(runner, tmp_path, kind):
    path, code = broken_file(tmp_path, kind)
    result = invoke(runner, "doctor", path, "--gt", GT)
    severity = BROKEN[kind][2]
    assert result.exit_code == (1 if severity == "blocking" else 0), result.output
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("- ["))
    assert f"[{severity}]" in line and f"({code})" in line
    assert "Fix:" in result.stdout
    if severity == "blocking":
        assert result.stderr.startswith("error: 1 blocking finding(s) in the inputs")


def test_strict_makes_a_warning_exit_1(runner, tmp_path):
    path, _ = broken_file(tmp_path, "zero_width")
    assert invoke(runner, "doctor", path, "--gt", GT, "--strict").exit_code == 1


def test_json_lists_findings_with_code_severity_file_count(runner, tmp_path):
    path, _ = broken_file(tmp_path, "xyxy")
    result = invoke(runner, "doctor", path, EFF, "--gt", GT, "-f", "json")
    doc = json.loads(result.stdout)
    (finding,) = doc["findings"]
    assert {k: finding[k] for k in ("code", "severity", "file", "count")} == {
        "code": "box_format_xyxy",
        "severity": "blocking",
        "file": str(path),
        "count": 1012,
    }
    assert doc["inputs"] == {"gt": str(GT), "a": str(path), "b": str(EFF)}


def test_training_annotations_as_the_ground_truth_are_named(runner):
    result = invoke(runner, "doctor", RES, "--gt", TRAIN)
    assert result.exit_code == 1
    assert "(gt_mismatch)" in result.stdout and "training annotations" in result.stdout


def test_eval_says_what_is_wrong_first_on_stderr_and_strict_refuses(runner, tmp_path):
    path, _ = broken_file(tmp_path, "xyxy")
    result = invoke(runner, "eval", GT, path, "-o", tmp_path / "e.md")
    assert result.exit_code == 0
    first, fix = result.stderr.splitlines()[:2]
    assert first.startswith("blocking: Boxes are [x1, y1, x2, y2]") and fix.startswith("  fix: ")
    strict = invoke(runner, "eval", GT, path, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.startswith("error: --strict: 1 input finding(s), treated as errors")


def test_eval_prints_the_findings_before_an_evaluation_error(runner, tmp_path, monkeypatch):
    # The check runs beside the evaluation; when the evaluation fails, what the check found
    # still comes first (it may explain the failure), then the error.
    from pill_compare.cli import eval_cmd
    from pill_compare.errors import ConsistencyError

    def fails(*args, **kwargs):
        raise ConsistencyError("the evaluation failed")

    monkeypatch.setattr(eval_cmd, "evaluate", fails)
    path, _ = broken_file(tmp_path, "xyxy")
    result = invoke(runner, "eval", GT, path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("blocking: Boxes are [x1, y1, x2, y2]")
    assert "the evaluation failed" in lines[-1]


def test_diff_names_identical_inputs(runner):
    result = invoke(runner, "diff", RES, RES)
    assert result.stderr.startswith("blocking: A and B are the same detections")


def test_compare_names_no_better_model_while_an_input_is_broken(runner, tmp_path):
    path, _ = broken_file(tmp_path, "xyxy")
    result = invoke(runner, "compare", EFF, path, "--gt", GT, "--bootstrap", "0", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [f["code"] for f in doc["diagnosis"]["findings"]] == ["box_format_xyxy"]
    text = invoke(runner, "compare", EFF, path, "--gt", GT, "--bootstrap", "0").stdout
    assert "No better model is named: 1 blocking problem(s) in the inputs" in text
    assert " is better than " not in text


def test_report_puts_the_input_check_first_and_names_no_winner(runner, tmp_path):
    path, _ = broken_file(tmp_path, "normalized")
    out = tmp_path / "r"
    result = invoke(runner, "report", EFF, path, "--gt", GT, "--bootstrap", "0", "-o", out)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["diagnosis"]["findings"][0]["code"] == "box_format_normalized"
    md = (out / "report.md").read_text(encoding="utf-8")
    body = md[md.index("## ") :]
    assert body.startswith('## <a id="diagnosis"></a>Input check')
    assert "Do not trust the numbers below yet" in body.split("## ")[1]
    assert "No better model is named" in md and " is better than " not in md


@pytest.mark.parametrize("breaker", [broken.ids_plus_one, broken.class_index, broken.permuted_ids])
def test_category_map_auto_recovers_the_samples_stats_exactly(runner, tmp_path, breaker):
    path = write_json(tmp_path, "broken.json", breaker(broken.sample_records("resnet101")))
    fixed = invoke(runner, "eval", GT, path, "--category-map", "auto", "-f", "json")
    clean = invoke(runner, "eval", GT, RES, "-f", "json")
    assert fixed.exit_code == 0, fixed.output
    assert json.loads(fixed.stdout)["coco"] == json.loads(clean.stdout)["coco"]
    assert fixed.stderr.startswith("repaired: Category ids")
    assert (
        "rewritten by --category-map auto" in fixed.stderr
        or "by --category-map auto" in fixed.stderr
    )
    assert "the ground truth it is then scored against" in fixed.stderr


def test_doctor_writes_the_map_and_eval_reads_it_back(runner, tmp_path):
    path = write_json(
        tmp_path, "perm.json", broken.permuted_ids(broken.sample_records("resnet101"))
    )
    map_file = tmp_path / "map.json"
    doctor = invoke(runner, "doctor", path, "--gt", GT, "--write-map", map_file)
    assert doctor.exit_code == 1 and "(category_permutation)" in doctor.stdout
    fixed = invoke(runner, "eval", GT, path, "--category-map", map_file, "-f", "json")
    clean = invoke(runner, "eval", GT, RES, "-f", "json")
    assert json.loads(fixed.stdout)["coco"] == json.loads(clean.stdout)["coco"]
    assert f"the category map {map_file}" in fixed.stderr


def test_category_map_for_one_run_only(runner, tmp_path):
    path = write_json(
        tmp_path, "plus1.json", broken.ids_plus_one(broken.sample_records("resnet101"))
    )
    result = invoke(
        runner,
        "compare",
        EFF,
        path,
        "--gt",
        GT,
        "--bootstrap",
        "0",
        "--category-map",
        "b=offset:-1",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # the map was applied before the check: nothing on the inputs (the audit's info remains)
    assert [f["code"] for f in doc["diagnosis"]["findings"]] == ["likely_wrong_labels"]
    assert doc["metrics"]["b"]["map"] == pytest.approx(0.8239074035434245, abs=0)


def test_a_ground_truth_with_a_quarter_of_its_boxes_deleted_is_named(runner, tmp_path):
    doc, deleted = broken.gt_with_deleted_boxes(0.25)
    partial = write_json(tmp_path, "partial.json", doc)
    result = invoke(runner, "doctor", EFF, RES, "--gt", partial)
    assert result.exit_code == 0, result.output  # a warning: the numbers stand, read with care
    first = next(x for x in result.stdout.splitlines() if x.strip().startswith("- ["))
    assert "[warning]" in first and "(likely_missing_annotations)" in first
    report = invoke(runner, "compare", EFF, RES, "--gt", partial, "--bootstrap", "0", "-f", "json")
    assert report.stderr.startswith("warning: The ground truth likely misses objects")
    audit = json.loads(report.stdout)["gt_audit"]
    assert audit["likely_missing"]["count"] == 242 and len(deleted) == 253


EVERY_KIND = [
    (broken.ids_plus_one, "category_offset"),
    (broken.class_index, "category_class_index"),
    (broken.permuted_ids, "category_permutation"),
    (broken.repeated_rows, "duplicate_detections"),
    (broken.zero_width_edge_boxes, "degenerate_boxes"),
    (broken.xyxy_boxes, "box_format_xyxy"),
    (broken.cxcywh_boxes, "box_format_cxcywh"),
    (broken.normalized_boxes, "box_format_normalized"),
]


@pytest.mark.parametrize(("breaker", "code"), EVERY_KIND, ids=[c for _, c in EVERY_KIND])
def test_eval_names_every_kind_of_breakage_in_its_first_line_with_the_fix(
    runner, tmp_path, breaker, code
):
    from pill_compare.report.messages import catalogue

    path = write_json(tmp_path, "r.json", breaker(broken.sample_records("resnet101")))
    result = invoke(runner, "eval", GT, path, "-o", tmp_path / "e.md")
    assert result.exit_code == 0, result.output
    first, fix = result.stderr.splitlines()[:2]
    title = catalogue("en").text(f"diagnosis.{code}.title")
    assert first.split(": ")[0] in ("blocking", "warning") and f": {title}: " in first
    assert fix.startswith("  fix: ")
    # the written file says it too, first
    assert (tmp_path / "e.md").read_text(encoding="utf-8").startswith("# Input check")
