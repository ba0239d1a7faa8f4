"""`pillcmp imbalance` through CliRunner: formats, the plot, and a results file by mistake."""

import io
import json

import pandas as pd

from pill_compare.cli import app
from tests.conftest import SAMPLE, SEED_COUNTS, det, gt_counts_dict, write_json

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def ok(runner, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def counts_file(tmp_path, counts, extra=()):
    return write_json(tmp_path, "train.json", gt_counts_dict(counts, extra))


def test_text_shows_the_seed_ratio(runner, tmp_path):
    out = ok(runner, "imbalance", counts_file(tmp_path, SEED_COUNTS)).stdout
    assert "268 annotations on 268 images, 4 annotated categories" in out
    assert "88 / 7 = 12.57" in out


def test_json_has_the_documented_keys(runner, tmp_path):
    out = tmp_path / "imb.json"
    ok(runner, "imbalance", counts_file(tmp_path, SEED_COUNTS, extra=(18109,)), "-o", out)
    data = json.loads(out.read_text())
    assert data["imbalance_ratio"] == 88 / 7
    assert data["gini"] == 492 / 2144  # derived in tests/analysis/test_imbalance.py
    for key in ("pielou_evenness", "effective_classes"):
        assert isinstance(data[key], float)
    assert [c["category_id"] for c in data["zero_annotation_categories"]] == [18109]
    assert [c["annotations"] for c in data["categories"]] == [88, 88, 85, 7]


def test_single_category_shows_n_a_evenness_in_json_as_null(runner, tmp_path):
    data = json.loads(ok(runner, "imbalance", counts_file(tmp_path, {5: 3}), "-f", "json").stdout)
    assert data["pielou_evenness"] is None
    assert data["imbalance_ratio"] == 1.0


def test_markdown_and_csv(runner, tmp_path):
    path = counts_file(tmp_path, SEED_COUNTS, extra=(18109,))
    md = ok(runner, "imbalance", path, "--format", "md").stdout
    assert md.startswith("# Class imbalance\n") and "## Indices" in md
    frame = pd.read_csv(io.StringIO(ok(runner, "imbalance", path, "-f", "csv").stdout))
    assert frame["category_id"].tolist() == [25366, 34596, 31884, 33877, 18109]


def test_rare_threshold_option(runner, tmp_path):
    data = json.loads(
        ok(
            runner, "imbalance", counts_file(tmp_path, SEED_COUNTS), "--rare", "86", "-f", "json"
        ).stdout
    )
    assert data["rare_threshold"] == 86
    assert data["rare_share"] == 0.5  # 7 and 85 of the four counts are below 86


def test_plot_writes_a_png_of_the_sample(runner, tmp_path):
    png = tmp_path / "figs" / "classes.png"
    png.parent.mkdir()
    result = ok(runner, "imbalance", SAMPLE / "ground_truth.json", "--plot", png)
    assert f"wrote {png}" in result.stderr
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 1000
    assert sorted(p.name for p in png.parent.iterdir()) == ["classes.png"]  # no temp file left


def test_plot_with_70_plus_classes(runner, tmp_path):
    png = tmp_path / "many.png"
    ok(
        runner,
        "imbalance",
        counts_file(tmp_path, {c: c for c in range(1, 76)}),
        "--plot",
        png,
        "--log",
    )
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 1000


def test_sample_reproduces_the_seed_ratio(runner):
    out = ok(runner, "imbalance", SAMPLE / "ground_truth.json").stdout
    assert "88 / 7 = 12.57" in out
    assert "left out of every index: 18109" in out


def test_results_file_passed_to_imbalance_is_a_clear_error(runner, tmp_path):
    path = write_json(tmp_path, "resnet101.json", [det(1, 2)])
    result = runner.invoke(app, ["imbalance", str(path)])
    assert result.exit_code == 1
    assert "expected COCO ground truth JSON" in result.stderr
    assert "this looks like detections" in result.stderr
    assert "Traceback" not in result.output


def test_svg_and_pdf_plots(runner, tmp_path):
    path = counts_file(tmp_path, {1: 3, 2: 1})
    ok(runner, "imbalance", path, "--plot", tmp_path / "c.svg")
    assert b"<svg" in (tmp_path / "c.svg").read_bytes()[:2000]
    ok(runner, "imbalance", path, "--plot", tmp_path / "c.PDF")
    assert (tmp_path / "c.PDF").read_bytes()[:5] == b"%PDF-"


def test_ground_truth_warnings_go_to_stderr(runner, tmp_path):
    doc = gt_counts_dict({1: 2})
    for a in doc["annotations"]:
        del a["area"]
    result = ok(runner, "imbalance", write_json(tmp_path, "gt.json", doc))
    assert "warning: " in result.stderr
    assert "2 annotation(s) have no 'area'; using w*h" in result.stderr
    assert "warning: " not in result.stdout
