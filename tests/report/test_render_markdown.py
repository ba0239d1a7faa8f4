"""render_markdown on a hand-built tree: escaped once, figures returned and linked, a table of
contents with a title, and what a CommonMark + tables parser (as GitHub's) makes of it."""

from __future__ import annotations

import re

import pytest

from pill_compare.report.escape import Md
from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.structure import Paragraph, Section, Table
from tests.report.test_render_common import hostile_sections, tiny_png


def _md(**kwargs):
    return render_markdown(hostile_sections(), **kwargs)


def test_figures_are_returned_and_linked_relative_to_the_report():
    md, files = _md(title="Report", figure_prefix="figures/")
    assert list(files) == ["figures/ap.png", "figures/img-277.png", "figures/img-409.png"]
    assert files["figures/ap.png"] == tiny_png()
    assert files["figures/img-277.png"] == tiny_png(4, 2, 10)
    assert "![AP chart](figures/ap.png)\\\n*AP per class &lt;script&gt;" in md
    assert "![image 409](figures/img-409.png)\\\n*image 409*" in md
    assert "http" not in md


def test_every_text_is_escaped_exactly_once():
    md, _ = _md(title="Report <b>x</b>")
    assert "<script>" not in md and "<b>" not in md
    assert "# Report &lt;b&gt;x&lt;/b&gt;\n" in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b" in md
    assert "&amp;lt;" not in md and "\\\\|" not in md  # not escaped twice
    for raw in ("\r", "\x1b", "\u202e"):
        assert raw not in md
    # A formula-looking name is only text here (CSV neutralises it, Markdown has no formulas).
    assert "| =HYPERLINK(1)\\|x | 0.500 | +0.125 | 10 |" in md


def test_tables_keep_every_row_their_alignment_caption_and_legend():
    md, _ = _md()
    lines = md.splitlines()
    head = lines.index("| category | AP | ΔAP | GT |")
    assert lines[head + 1] == "|---|---:|---:|---:|"  # the signed ΔAP is right-aligned too
    rows = lines[head + 2 : head + 6]
    assert len(rows) == 4  # Table.limit cuts only the text view
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows)  # no cell splits
    assert rows[3] == "| c4 | n/a | +0.500 | 1 |"  # one format per column: 3 decimals
    assert lines[head - 2].startswith("Per class &lt;script&gt;")
    assert "- **ΔAP**: AP of B minus AP of A &lt;script&gt;" in md


def test_headings_notes_and_bullets():
    md, _ = _md()
    assert md.startswith("# Overview &lt;script&gt;")  # no title: sections are level 1
    assert "\n## Gallery\n" in md
    assert "\n> **Caveat:** Two tools define recall differently.\n" in md
    assert "\n> **Not shown:** Without a ground truth" in md
    assert "\n- one &lt;script&gt;" in md and "\n- two\n" in md
    assert "\n**B is better &lt;script&gt;" in md
    assert "Intro &lt;script&gt;alert(1)&lt;/script&gt; a\\|b =cmd x \\x1b\\[2J" in md
    assert "<a id=" not in md and "Contents" not in md  # no title, no table of contents


def test_a_title_brings_a_table_of_contents_whose_links_have_anchors():
    md, _ = _md(title="Report", meta=(("date", "2024-05-01"),), lang="ko")
    assert md.startswith("# Report\n\n- **date:** 2024-05-01\n\n**목차**\n\n- [Overview")
    links = re.findall(r"\]\(#([^)]+)\)", md)
    assert links == ["overview", "overview.gallery", "korean"]
    for key in links:
        assert f'<a id="{key}"></a>' in md
    assert '\n## <a id="overview"></a>Overview' in md
    assert '\n### <a id="overview.gallery"></a>Gallery' in md


def test_an_md_cell_is_kept_as_markdown():
    table = Table("ids", ("image ids",), ((Md("[277, 409]"),), ("[a]",)))
    md, files = render_markdown([Section("s", "S", (table,))])
    assert "| [277, 409] |" in md and "| \\[a\\] |" in md and files == {}


def test_the_markdown_parses_as_github_would_show_it():
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(_md(title="R")[0])
    assert "<script>" not in html
    assert '<img src="ap.png" alt="AP chart"' in html
    table = html.split("<table>")[1].split("</table>")[0]
    assert table.count("<tr>") == 5 and table.count("<td") == 16
    assert "<td>=HYPERLINK(1)|x</td>" in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt; a|b" in table
    assert html.count("<blockquote>") == 4
    assert '<h2><a id="overview"></a>Overview' in html


@pytest.mark.parametrize("prefix", ["../up/", "/abs/", "http://x/", "a b/", ".hidden/", "a//b"])
def test_a_figure_prefix_must_be_a_plain_relative_folder(prefix):
    with pytest.raises(ValueError, match="Expected figure_prefix of letters, digits"):
        _md(figure_prefix=prefix)


def test_a_paragraph_line_break_is_a_markdown_hard_break():
    md, _ = render_markdown([Section("s", "", (Paragraph("one\ntwo"),))])
    assert md == "one\\\ntwo\n"
