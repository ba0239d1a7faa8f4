"""cross_check: pycocotools' COCOeval on the same input agrees with pillcmp to the last bit."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from pill_compare.analysis.crosscheck import (
    CROSS_CHECK_ENGINES,
    SOURCE_PRECISION,
    SOURCE_RECALL,
    cross_check,
    installed_engines,
)
from pill_compare.analysis.evaluate import evaluate
from pill_compare.analysis.matching import coco_iou_thresholds
from pill_compare.errors import ConfigError
from pill_compare.io import load_ground_truth, load_results
from pill_compare.report.crosscheck_render import render_cross_check
from tests.analysis.eval_fixtures import detections, ground_truth, random_case
from tests.conftest import SAMPLE

COCO_KEYS = [
    "map", "map_50", "map_75", "map_small", "map_medium", "map_large",
    "mar_1", "mar_10", "mar_100", "mar_small", "mar_medium", "mar_large",
]  # fmt: skip


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    dets = load_results(SAMPLE / "resnet101.json", gt=gt)
    return gt, dets, evaluate(gt, dets)


def _seeds(start: int, count: int) -> list[int]:
    """Seeds whose random case has annotations (evaluate needs some)."""
    return [s for s in range(start, start + 3 * count) if random_case(s).gt["annotations"]][:count]


def _case(seed: int):
    case = random_case(seed)
    return ground_truth(case.gt), detections(case.results)


def test_sample_data_every_stat_equals_pycocotools_summarize(sample):
    gt, dets, result = sample
    check = cross_check(gt, dets, result)
    assert [s.key for s in check.stats] == COCO_KEYS
    # default settings: all 12 numbers are COCOeval.stats itself, each difference exactly 0.0
    assert [s.source for s in check.stats] == [f"COCOeval.stats[{i}]" for i in range(12)]
    assert [s.abs_diff for s in check.stats] == [0.0] * 12
    assert check.max_abs_diff == 0.0 and check.equal
    assert check.stats[0].reference == result.coco.stats["map"]  # 0.8239..., not rounded
    assert (check.detections, check.left_out) == (1012, 0)


@pytest.mark.parametrize("seed", _seeds(1000, 40))
def test_random_case_every_difference_is_zero(seed):
    # crowd regions, IoU ties, score ties, area on the range bounds, annotation id 0, ...
    gt, dets = _case(seed)
    check = cross_check(gt, dets, evaluate(gt, dets))
    assert check.max_abs_diff == 0.0, check.to_frame()
    assert all(s.abs_diff == 0.0 for s in check.stats)


@pytest.mark.parametrize("seed", _seeds(3000, 15))
def test_custom_caps_map_is_read_from_pycocotools_precision_array(seed):
    # pycocotools' stats[0] is hard-coded to maxDets=100; pillcmp's map uses the largest cap
    # (5 here), so map is read from COCOeval.eval['precision'] with summarize's formula.
    gt, dets = _case(seed)
    thresholds = coco_iou_thresholds(0.75, 0.95, 0.05)
    result = evaluate(gt, dets, iou_thresholds=thresholds, max_dets=(1, 3, 5))
    check = cross_check(gt, dets, result)
    sources = {s.key: s.source for s in check.stats}
    assert sources["map"] == SOURCE_PRECISION
    assert sources["map_75"] == "COCOeval.stats[2]" and sources["mar_5"] == "COCOeval.stats[8]"
    assert check.max_abs_diff == 0.0, check.to_frame()
    assert check.stats[1].pillcmp is None and check.stats[1].reference is None  # no IoU 0.50
    assert np.array_equal(check.iou_thresholds, thresholds) and check.max_dets == (1, 3, 5)


@pytest.mark.parametrize("seed", _seeds(4000, 15))
def test_two_caps_compare_every_stat_through_pycocotools_arrays(seed):
    # summarize cannot run with fewer than 3 caps (it indexes maxDets[2])
    gt, dets = _case(seed)
    check = cross_check(gt, dets, evaluate(gt, dets, max_dets=(2, 4)))
    assert {s.source for s in check.stats} == {SOURCE_PRECISION, SOURCE_RECALL}
    assert [s.key for s in check.stats if s.source == SOURCE_RECALL] == [
        "mar_2", "mar_4", "mar_small", "mar_medium", "mar_large",
    ]  # fmt: skip
    assert check.max_abs_diff == 0.0, check.to_frame()


def test_detections_on_unknown_images_are_left_out_and_unknown_categories_passed(sample):
    # pycocotools' loadRes asserts on unknown image ids: those are left out of its input; an
    # unknown category id is passed on and COCOeval leaves it out by itself (its catIds come
    # from the GT), giving the numbers of the evaluation without both.
    gt, dets, result = sample
    stray = detections(
        [
            {"image_id": 99_999, "category_id": int(gt.category_ids[0]), "bbox": [1, 1, 9, 9], "score": 0.9},
            {"image_id": int(gt.images.id[0]), "category_id": 123_456, "bbox": [1, 1, 9, 9], "score": 0.8},
        ]
    )  # fmt: skip
    both = detections(dets.to_coco() + stray.to_coco())
    check = cross_check(gt, both, result)
    assert (check.detections, check.left_out) == (len(dets) + 1, 1)
    assert check.max_abs_diff == 0.0 and check.equal


def test_no_detections_equals_pycocotools(sample):
    # pycocotools' loadRes([]) crashes; the cross-check builds the empty results COCO itself
    gt, dets, _ = sample
    empty = dets.select(np.zeros(len(dets), dtype=bool))
    check = cross_check(gt, empty, evaluate(gt, empty))
    assert check.detections == 0
    assert check.max_abs_diff == 0.0 and check.stats[0].reference == 0.0


def test_a_result_from_other_detections_shows_the_difference(sample):
    gt, dets, result = sample
    fewer = dets.select(np.arange(len(dets)) % 2 == 0)
    check = cross_check(gt, fewer, result)
    assert not check.equal
    assert check.max_abs_diff == max(s.abs_diff for s in check.stats) > 0.05
    assert "largest |difference|" in render_cross_check(check)


def test_one_sided_na_has_no_difference_number(sample):
    # both tools agree on every real input tried, so the one-sided case is built by hand: map is
    # n/a in pillcmp but 0.5 in pycocotools
    check = cross_check(*sample)
    stat = check.stats[0]
    one_sided = type(stat)(stat.key, stat.definition, None, 0.5, None, stat.source)
    assert not one_sided.equal
    lopsided = type(check)(**{**vars(check), "stats": (one_sided, *check.stats[1:])})
    assert lopsided.max_abs_diff is None and not lopsided.equal
    assert "n/a in one tool only" in render_cross_check(lopsided)


def test_cross_check_prints_nothing(sample, capsys):
    gt, dets, result = sample
    cross_check(gt, dets, result)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gt.json", None, None), "Expected gt to be a GroundTruth, got str"),
        ((None, [], None), "Expected dets to be a Detections, got list"),
        ((None, None, {}), "Expected result to be an EvalResult, got dict"),
    ],
)
def test_wrong_argument_types_raise_type_error(sample, args, message):
    gt, dets, result = sample
    given = [a if a is not None else real for a, real in zip(args, (gt, dets, result), strict=True)]
    with pytest.raises(TypeError, match=re.escape(message)):
        cross_check(*given)


def test_render_text_has_a_row_per_stat_and_the_verdict(sample):
    text = render_cross_check(cross_check(*sample), "text")
    lines = text.splitlines()
    assert lines[0] == "cross-check against pycocotools: every stat equal (largest |difference| 0)"
    assert lines[1].startswith("1012 detections given to pycocotools; IoU 0.50:0.95")
    rows = [line.split()[0] for line in lines[5:]]
    assert rows == COCO_KEYS
    assert max(len(line) for line in lines) <= 120
    assert "definition" not in text


def test_render_text_explain_adds_every_definition_and_how_pycocotools_ran(sample):
    text = render_cross_check(cross_check(*sample), "text", explain=True)
    assert "map_50: AP, IoU 0.50, all sizes, top 100" in text.splitlines()
    assert "hard-codes" in text and max(len(line) for line in text.splitlines()) <= 120


def test_render_rejects_an_unknown_format(sample):
    with pytest.raises(ValueError, match=re.escape("Expected fmt in")):
        render_cross_check(cross_check(*sample), "html")


def test_render_markdown_json_and_csv(sample):
    check = cross_check(*sample)
    md = render_cross_check(check, "md")
    assert md.startswith("## Cross-check against pycocotools: resnet101\n")
    assert "| map | 0.8239074035434245 | 0.8239074035434245 | 0 | `COCOeval.stats[0]` |" in md
    assert "- `map`: AP, IoU 0.50:0.95 step 0.05 (10 thresholds), all sizes, top 100" in md
    assert "hard-codes maxDets=100" in md
    data = json.loads(render_cross_check(check, "json"))
    assert data["max_abs_diff"] == 0.0 and data["equal"] is True
    assert (data["engine"], data["engine_package"]) == ("pycocotools", "pycocotools")
    assert [s["key"] for s in data["stats"]] == COCO_KEYS
    assert data["stats"][0]["reference"] == data["stats"][0]["pillcmp"]
    assert data["stats"][0]["pycocotools"] == data["stats"][0]["reference"]  # the older key
    csv = render_cross_check(check, "csv").splitlines()
    assert csv[0] == "key,pillcmp,reference,abs_diff,source,definition"
    assert len(csv) == 13


ENGINES = [
    pytest.param(name, marks=pytest.mark.skipif(name not in installed_engines(), reason="absent"))
    for name in ("ultrafast", "hotcoco")
]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rust_engine_agrees_on_the_sample_data(sample, engine):
    gt, dets, result = sample
    check = cross_check(gt, dets, result, engine=engine)
    assert check.engine == engine and check.to_dict()["engine"] == engine
    assert [s.abs_diff for s in check.stats] == [0.0] * 12
    assert f"cross-check against {check.engine_package}" in render_cross_check(check)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", _seeds(5000, 6))
def test_a_rust_engine_agrees_on_random_cases_with_custom_thresholds_and_caps(engine, seed):
    gt, dets = _case(seed)
    result = evaluate(gt, dets, iou_thresholds=coco_iou_thresholds(0.3, 0.9, 0.2), max_dets=(1, 5))
    check = cross_check(gt, dets, result, engine=engine)
    assert check.max_abs_diff == 0.0, check.to_frame()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rust_engine_takes_an_empty_results_list(sample, engine):
    gt, dets, _ = sample
    empty = dets.select(np.zeros(len(dets), dtype=bool))
    check = cross_check(gt, empty, evaluate(gt, empty), engine=engine)
    assert check.max_abs_diff == 0.0 and check.stats[0].reference == 0.0


def test_an_unknown_or_missing_engine_is_a_config_error_naming_the_fix(sample, monkeypatch):
    with pytest.raises(ConfigError, match=r"among pycocotools, ultrafast, hotcoco, got 'fast'"):
        cross_check(*sample, engine="fast")
    monkeypatch.setitem(CROSS_CHECK_ENGINES, "hotcoco", ("no_such_module_x", "hotcoco"))
    with pytest.raises(ConfigError, match=r"needs the package hotcoco.*pip install hotcoco"):
        cross_check(*sample, engine="hotcoco")
