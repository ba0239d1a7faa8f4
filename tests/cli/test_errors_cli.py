"""Exit codes and messages: 1 bad data, 2 bad usage, 70 our bug; never a traceback by default."""

import matplotlib.figure
import pytest

import pill_compare.analysis.diff
import pill_compare.io.outputs
import pill_compare.report.diff_render
from pill_compare.cli import app
from tests.conftest import SAMPLE, det, dets_for, gt_dict, write_json, write_text

RES, GT = SAMPLE / "resnet101.json", SAMPLE / "ground_truth.json"
EFF = SAMPLE / "efficientnet_b3.json"
HEADER = "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score\n"


def fails(runner, code, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result


# --- exit 1: bad input data, the message on stderr --------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.json", "not json", "r.json: not valid JSON: Expecting value at line 1, column 1"),
        (
            "r.json",
            '[{"image_id": 1, "categ',
            "r.json: the JSON is truncated: it ends inside a string",
        ),
        ("r.json", b"\x00\x01", "r.json: binary data (a NUL byte at offset 0)"),
        ("r.json", "", "r.json: the file is empty"),
        ("r.json", "42", "r.json: expected COCO results JSON (a list of"),
        (
            "r.json",
            '[{"image_id": 1, "category_id": 2, "bbox": [1, 2, -1, 4], "score": NaN}]',
            "r.json: detection #0: 'bbox' must be [x, y, w, h]: 4 finite numbers with w, h >= 0, "
            "got [1, 2, -1, 4]",
        ),
        (
            "r.json",
            '[{"image_id": 1.5, "category_id": null, "bbox": [1, 2, 3, 4], "score": 0.5}]',
            "r.json: detection #0: 'image_id' must be an integer, got 1.5",
        ),
        ("s.csv", "image_id,score\n1,0.5\n", "s.csv: missing column(s) category_id, bbox_x"),
        (
            "s.csv",
            HEADER + "1,1,2,3,4,5,6,high\n",
            "s.csv: line 2: 'score' must be a finite number",
        ),
        (
            "s.csv",
            HEADER + "1,1,2,3,4,5,6,0.5,7\n",
            "s.csv: line 2: 9 fields, the header has 8",
        ),
    ],
    ids=[
        "not-json",
        "truncated",
        "binary",
        "empty",
        "wrong-top-level",
        "bad-bbox",
        "bad-id",
        "csv-missing-columns",
        "csv-bad-number",
        "csv-field-count",
    ],
)
def test_bad_results_file_exits_1_with_the_message(runner, tmp_path, name, content, message):
    path = write_text(tmp_path, name, content)
    result = fails(runner, 1, "diff", path, RES)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_more_than_20_bad_records_lists_20_and_says_how_many_more(runner, tmp_path):
    path = write_json(tmp_path, "r.json", [det(i, 2, score="x") for i in range(23)])
    err = fails(runner, 1, "diff", path, RES).stderr
    assert "r.json: 23 problem(s) in its detections" in err
    assert err.count("  - ") == 20
    assert "  ... and 3 more problem(s) not listed" in err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"images": [], "annotations": []}, "ground truth is missing 'categories'"),
        (
            {**gt_dict({1: [10]}), "images": [{"id": 1}, {"id": 1}]},
            "1 duplicate image id(s): 1; each image id must be unique",
        ),
        (gt_dict({1: [10]}) | {"images": [{"id": 2}]}, "unknown image_ids: 1"),
    ],
    ids=["no-categories", "duplicate-image-ids", "unknown-image"],
)
def test_bad_ground_truth_exits_1(runner, tmp_path, doc, message):
    gt = write_json(tmp_path, "gt.json", doc)
    assert message in fails(runner, 1, "imbalance", gt).stderr
    assert message in fails(runner, 1, "diff", RES, RES, "--gt", gt).stderr


def test_a_bad_ground_truth_is_reported_before_bad_results_as_it_loads_first(
    runner, tmp_path, monkeypatch
):
    from pill_compare.cli import _common

    gt = write_json(tmp_path, "gt.json", {"images": [], "annotations": []})
    res = write_json(tmp_path, "res.json", [{"image_id": 1}])
    for beside in (1 << 60, 0):  # loaded here first, or beside the results (in a child if it can)
        monkeypatch.setattr(_common, "TRUTH_BESIDE_BYTES", beside)
        err = fails(runner, 1, "eval", gt, res).stderr
        assert "ground truth is missing 'categories'" in err
        assert "res.json" not in err
    # A good ground truth: the results' own error.
    err = fails(runner, 1, "eval", GT, res).stderr
    assert "res.json" in err


def test_ground_truth_passed_as_results(runner):
    err = fails(runner, 1, "diff", GT, RES).stderr
    assert (
        "this is a COCO ground-truth file" in err and "pass it as the ground truth instead" in err
    )


def test_ids_unknown_to_the_gt_are_left_out_with_the_off_by_one_hint(runner, tmp_path):
    gt = write_json(tmp_path, "gt.json", gt_dict({1: [10, 11]}))
    shifted = write_json(tmp_path, "r.json", dets_for({1: [9, 10], 5: [9]}))
    result = runner.invoke(app, ["diff", str(shifted), str(shifted), "--gt", str(gt)])
    assert result.exit_code == 0, result.output
    assert "r.json: 2 of 3 detections left out: category ids 9 (2)" in result.stderr
    assert "image ids 5 (1)" in result.stderr
    assert "after adding +1: this is the K-code vs dl_idx (K-number - 1) mix-up" in result.stderr


def test_strict_turns_loading_warnings_into_errors(runner, tmp_path):
    gt = write_json(tmp_path, "gt.json", gt_dict({1: [10, 11]}))
    shifted = write_json(tmp_path, "r.json", dets_for({1: [9, 10], 5: [9]}))
    other = write_json(tmp_path, "b.json", dets_for({1: [10, 11]}))
    err = fails(runner, 1, "diff", shifted, other, "--gt", gt, "--strict").stderr
    assert err.startswith("error: --strict: 1 loading warning(s), treated as errors")
    assert "  - " in err and "r.json: 2 of 3 detections left out" in err


# --- exit 2: bad usage --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--names", "onlyone"], "--names expects two comma-separated names"),
        (["--names", "a,b,c"], "--names expects two comma-separated names"),
        (["--score-thr", "-1"], "--score-thr"),
        (["--score-thr", "inf"], "--score-thr must be a finite number >= 0, got inf"),
        (["--format", "xml"], "expected one of text, md, json, csv, got 'xml'"),
        (["--input-format", "xml"], "--input-format"),
        (["-o", "{tmp}/a_file/out.json"], "a_file is not a folder"),
    ],
    ids=[
        "names-one",
        "names-three",
        "negative-threshold",
        "inf-threshold",
        "format",
        "input-format",
        "unwritable-output",
    ],
)
def test_bad_usage_exits_2(runner, tmp_path, args, message):
    write_text(tmp_path, "a_file", "x")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["diff", str(RES), str(RES), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.replace("│", " ").split())
    assert "Traceback" not in result.output
    assert "Value error" not in result.stderr  # pydantic's phrasing never reaches the user


def test_a_bad_choice_is_worded_without_pydantic_or_python_names():
    from pill_compare.cli.registry import plain_usage_message

    assert plain_usage_message("Value error, 'kr' is not one of 'en', 'ko'.") == (
        "expected one of en, ko, got 'kr'"
    )
    assert plain_usage_message("Value error, must be positive") == "must be positive"
    assert plain_usage_message("--iou: bad") == "--iou: bad"


def test_missing_file_exits_2(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short path: click's boxed message wraps long ones
    result = runner.invoke(app, ["diff", str(RES), "nope.json"])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("plot", ["out.xyz", "noext"])
def test_unwritable_plot_format_exits_2_before_any_work(runner, tmp_path, plot):
    out = tmp_path / "imb.json"
    result = runner.invoke(
        app, ["imbalance", str(GT), "--plot", str(tmp_path / plot), "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "--plot: " in result.stderr and "expected .png, .svg, .pdf" in result.stderr
    assert not out.exists()


def test_no_command_shows_help_and_exits_2(runner):
    result = runner.invoke(app, [])
    assert result.exit_code == 2
    assert "diff" in result.output and "imbalance" in result.output


# --- exit 70: a pillcmp bug; --debug shows it -------------------------------------------------


def boom(*args, **kwargs):
    raise RuntimeError("boom")


def test_internal_error_exits_70_without_traceback(runner, monkeypatch):
    monkeypatch.setattr(pill_compare.analysis.diff, "diff", boom)  # what diff_cmd imports
    result = fails(runner, 70, "diff", EFF, RES)
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "This is a bug in pillcmp" in result.stderr
    assert "--debug" in result.stderr


def test_debug_shows_the_exception_and_does_not_stick(runner, monkeypatch):
    monkeypatch.delenv("PILLCMP_DEBUG", raising=False)
    monkeypatch.setattr(pill_compare.analysis.diff, "diff", boom)  # what diff_cmd imports
    result = runner.invoke(app, ["--debug", "diff", str(EFF), str(RES)])
    assert isinstance(result.exception, RuntimeError) and str(result.exception) == "boom"
    assert "internal error" not in result.stderr
    # The next invocation in the same process is back to the short message.
    assert fails(runner, 70, "diff", EFF, RES).stderr.startswith("internal error")


def test_pillcmp_debug_env_var_also_shows_the_exception(runner, monkeypatch):
    monkeypatch.setenv("PILLCMP_DEBUG", "1")
    monkeypatch.setattr(pill_compare.analysis.diff, "diff", boom)  # what diff_cmd imports
    result = runner.invoke(app, ["diff", str(EFF), str(RES)])
    assert isinstance(result.exception, RuntimeError)


def test_debug_lets_input_errors_raise_too(runner, tmp_path):
    from pill_compare.errors import InputFormatError

    result = runner.invoke(
        app, ["--debug", "diff", str(write_text(tmp_path, "r.json", "")), str(RES)]
    )
    assert isinstance(result.exception, InputFormatError)


# --- atomic outputs -------------------------------------------------------------------------------


def test_failing_render_leaves_the_previous_output_and_no_temp_file(runner, tmp_path, monkeypatch):
    out = tmp_path / "diff.md"
    out.write_text("previous report")
    monkeypatch.setattr(pill_compare.report.diff_render, "render_diff", boom)
    fails(runner, 70, "diff", RES, RES, "-o", out)
    assert out.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diff.md"]


def test_failing_write_leaves_no_partial_file(runner, tmp_path, monkeypatch):
    def disk_full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pill_compare.io.outputs, "_write_all", disk_full)
    err = fails(runner, 2, "diff", RES, RES, "-o", tmp_path / "diff.json").stderr
    assert "diff.json: cannot write the output (No space left on device)" in err
    assert list(tmp_path.iterdir()) == []


def test_failing_plot_writes_no_output_at_all(runner, tmp_path, monkeypatch):
    def half_savefig(self, fname, *args, **kwargs):
        fname.write(b"\x89PNG half") if hasattr(fname, "write") else None
        raise RuntimeError("disk full")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_savefig)
    result = fails(
        runner, 70, "imbalance", GT, "--plot", tmp_path / "classes.png", "-o", tmp_path / "i.json"
    )
    assert "internal error: RuntimeError: disk full" in result.stderr
    assert list(tmp_path.iterdir()) == []  # all or none: the report waits for the plot
