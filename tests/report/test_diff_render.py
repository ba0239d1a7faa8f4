"""Rendering a diff: its sections, each format, names in headers, no number computed here."""

import dataclasses
import io
import json

import pandas as pd
import pytest

from pill_compare.analysis.diff import diff
from pill_compare.report.diff_render import render_diff
from pill_compare.report.render.html import render_html
from pill_compare.report.sections.diff import diff_sections
from pill_compare.report.structure import Report
from tests.conftest import make_detections as make

# Seed image 277 plus image 5 where B alone sees 10223, and image 9 only in B.
A = make({277: [3482, 19860, 34596, 36636], 5: [16550], 6: [1]}, "resnet101")
B = make({277: [3482, 19860, 30307, 36636], 5: [10223, 16550], 6: [1], 9: [2]}, "efficientnet_b3")
RESULT = diff(A, B, category_names={34596: "white oval", 30307: "white oval 2"})


def test_text_lists_summary_images_one_sided_categories_and_substitutions():
    text = render_diff(RESULT, "text")
    assert "Result A (resnet101) loaded: 6 detections" in text  # 4 + 1 + 1
    assert "Result B (efficientnet_b3) loaded: 8 detections" in text  # 4 + 2 + 1 + 1
    # 5, 277 and 9 (B alone detected there: A's list is empty) of the 4 images in either run.
    assert "Images whose category lists differ: 3 of 4 (compared as a set of category ids)" in text
    assert "Images with detections only in efficientnet_b3: 1 [9]" in text
    assert "[3482, 19860, 34596, 36636]  [3482, 19860, 30307, 36636]  [34596]" in text
    assert "Categories detected only by resnet101 (in how many differing images):" in text
    assert "34596 (white oval)" in text
    assert "Substitutions (resnet101 has X where efficientnet_b3 has Y, nothing else differs):" in (
        text
    )
    header = next(line for line in text.splitlines() if line.startswith("image_id"))
    assert header.split() == [
        "image_id",
        "resnet101",
        "efficientnet_b3",
        "only",
        "resnet101",
        "only",
        "efficientnet_b3",
    ]


def test_text_says_when_nothing_differs_and_shows_the_threshold():
    same = diff(A, A.select([0, 1, 2, 3, 4, 5]), score_threshold=0.5)
    text = render_diff(same, "text")
    assert "No image differs." in text
    assert "kept with score >= 0.5" in text
    assert "Substitutions" not in text


def test_markdown_has_the_report_sections_and_a_row_per_differing_image():
    md = render_diff(RESULT, "md")
    for heading in (
        "# Category-id diff: resnet101 vs efficientnet_b3",
        "## Detections",
        "## Differing images",
        "## Categories detected only by resnet101",
        "## Categories detected only by efficientnet_b3",
        "## Substitutions",
    ):
        assert f"\n{heading}\n" in f"\n{md}"
    rows = [
        line for line in md.splitlines() if line.startswith("| 277 ") or line.startswith("| 5 ")
    ]
    assert len(rows) == 2
    assert "| `34596 (white oval)` |" not in md  # names sit in plain table cells
    assert "| 34596 (white oval) | 30307 (white oval 2) | 1 | [277] |" in md
    assert "http" not in md


def test_markdown_says_none_for_empty_sections():
    md = render_diff(diff(A, A), "md")
    assert "No image differs." in md
    assert md.count("None.") == 3  # two one-sided sections and substitutions


def test_json_is_the_result_dict():
    data = json.loads(render_diff(RESULT, "json"))
    assert data == json.loads(json.dumps(RESULT.to_dict()))
    assert [d["image_id"] for d in data["differing_images"]] == [5, 9, 277]


def test_csv_has_one_row_per_differing_image_with_named_columns():
    frame = pd.read_csv(io.StringIO(render_diff(RESULT, "csv")), dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "image_id",
        "resnet101",
        "efficientnet_b3",
        "only_resnet101",
        "only_efficientnet_b3",
    ]
    assert frame.values.tolist() == [
        ["5", "16550", "10223 16550", "", "10223"],
        ["9", "", "2", "", "2"],  # A found nothing on image 9
        ["277", "3482 19860 34596 36636", "3482 19860 30307 36636", "34596", "30307"],
    ]


def test_caveats_are_listed_in_text_and_escaped_in_markdown():
    warned = dataclasses.replace(RESULT, caveats=("2 detections of <b>unknown</b> ids left out",))
    assert "Caveats:\n  - 2 detections of <b>unknown</b> ids left out" in render_diff(
        warned, "text"
    )
    md = render_diff(warned, "md")
    assert "## Caveats\n\n- 2 detections of &lt;b&gt;unknown&lt;/b&gt; ids left out" in md
    assert "Caveats" not in render_diff(RESULT, "text")


def test_the_full_sections_hold_every_part_and_every_id():
    (top,) = diff_sections(RESULT)
    assert top.title == "Category-id diff: resnet101 vs efficientnet_b3"
    assert [s.key for s in top.subsections] == [
        "diff-detections",
        "diff-images",
        "diff-only-a",
        "diff-only-b",
        "diff-substitutions",
    ]
    (images,) = top.find("diff-images").blocks
    assert images.rows[2] == (
        "277",  # an id: text, never "1,277"
        *("[3482, 19860, 34596, 36636]", "[3482, 19860, 30307, 36636]"),
        "[34596]",
        "[30307]",
    )
    many = dataclasses.replace(RESULT, images_only_b=tuple(range(1000, 1030)))
    (summary,) = diff_sections(many)[0].find("diff-detections").blocks
    assert summary.items[-1].endswith(", ".join(map(str, range(1000, 1030))) + "]")


def test_the_compact_sections_cut_ids_and_labels_for_the_terminal():
    wide = diff(
        make({1: list(range(10, 20))}, "a"),
        make({1: [5]}, "b"),
        category_names={10: "x" * 50},
    )
    (top,) = diff_sections(wide, compact=True)
    assert top.title == ""
    (images,) = top.find("diff-images").blocks
    assert images.rows[0][1] == "[10, 11, 12, 13 (+6 more)]"
    (counts,) = top.find("diff-only-a").blocks
    assert counts.rows[0][0] == "10 (" + "x" * 25 + "…"  # 30 cells
    assert top.find("diff-substitutions") is None


def test_a_hostile_category_name_is_escaped_in_every_format():
    name = "<script>alert(1)</script>|=cmd"
    r = diff(A, B, category_names={34596: name})
    assert "<script>" not in render_diff(r, "md")
    assert "34596 (&lt;script&gt;alert(1)&lt;/script&gt;\\|=cmd)" in render_diff(r, "md")
    html = render_html(Report("diff", "en", tuple(diff_sections(r))))
    assert (
        "<script>alert" not in html and "34596 (&lt;script&gt;alert(1)&lt;/script&gt;|=cmd)" in html
    )
    text = render_diff(dataclasses.replace(r, names=("a\x1b[2J", "b")), "text")
    assert "\x1b" not in text and "Result A (a\\x1b[2J)" in text


def test_diff_sections_want_a_diff():
    with pytest.raises(TypeError, match="Expected a DiffResult, got dict"):
        diff_sections({})
