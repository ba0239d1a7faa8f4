"""The slices sections: a subsection per key after per_class in the report and the compare view,
the result's numbers in the table, the definition beside it, Korean words; eval's table; the
report slices by shape and colour by default when the ground truth carries them."""

from __future__ import annotations

import functools
import re
from unittest import mock

from pill_compare import compare, evaluate, load_results
from pill_compare.io import ground_truth_from_dict
from pill_compare.report import build
from pill_compare.report.build import build_report
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.sections.compare import compare_command_sections, compare_sections
from pill_compare.report.sections.eval import eval_sections
from pill_compare.report.structure import Table
from tests.analysis.test_slices import sample_gt_doc
from tests.conftest import SAMPLE

HANGUL = re.compile("[\uac00-\ud7a3]")


@functools.cache
def runs():
    gt = ground_truth_from_dict(sample_gt_doc(), source="gt.json")
    a, b = (load_results(SAMPLE / f, gt=gt) for f in ("efficientnet_b3.json", "resnet101.json"))
    return gt, a, b


@functools.cache
def comparison():
    gt, a, b = runs()
    return compare(gt, a, b, n_bootstrap=20, slices=["drug_shape", "objects_per_image"])


def test_the_report_has_a_slices_section_after_per_class_with_the_result_numbers():
    r = comparison()
    sections = compare_sections(r)
    keys = [s.key for s in sections]
    assert keys[keys.index("per_class") + 1] == "slices"
    slices = sections[keys.index("slices")]
    assert [s.key for s in slices.subsections] == ["slices.drug_shape", "slices.objects_per_image"]
    table = next(b for b in slices.subsections[0].blocks if isinstance(b, Table))
    assert [row[0] for row in table.rows] == ["round", "oval", "oblong", "capsule"]
    first = r.slices[0].entries[0]
    assert table.rows[0][1:6] == (
        first.a.n_images,
        first.a.n_gt,
        first.a.map,
        first.b.map,
        first.delta,
    )
    md = render_markdown(sections, title="t")[0]
    assert "A slice is the part of the data with one value of a key" in md
    assert "pycocotools with catIds = those classes" in md and "imgIds = those images" in md
    assert "fewer than 10 images" in md  # objects_per_image's one-image slice is untested


def test_compare_view_and_korean_words():
    r = comparison()
    text = render_text(compare_command_sections(r, compact=True), lang="en")
    assert "By objects_per_image" in text and "No evidence at 5%" in text
    ko = next(s for s in compare_sections(r, "ko") if s.key == "slices")
    assert all(HANGUL.search(s.title) for s in ko.walk())
    assert "슬라이스" in render_markdown([ko], title="t", lang="ko")[0]


def test_eval_shows_a_table_per_key():
    gt, _, b = runs()
    result = evaluate(gt, b, slices=["color_class1"])
    [section] = [s for s in eval_sections(result) if s.key == "eval.slices"]
    [table] = [x for x in section.blocks if isinstance(x, Table)]
    assert table.headers[:3] == ("color_class1", "images", "GT boxes") and len(table.rows) == 10


def test_the_report_slices_by_shape_and_colour_by_default_when_the_gt_has_them():
    gt, a, b = runs()
    with mock.patch.object(build, "report_figures", lambda r, lang="en", names=None: {}):
        report = build_report(gt, a, b, n_bootstrap=10)
    assert {e["key"] for e in report.data["slices"]} == {"drug_shape", "color_class1"}
    assert report.find("slices.drug_shape") is not None
