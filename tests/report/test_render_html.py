"""render_html on a hand-built report: one self-contained file, nothing external, escaped by
Jinja2's autoescape, images as PNG data URIs, anchors for the table of contents, same bytes."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from html.parser import HTMLParser

import pytest

from pill_compare.report.render.html import PNG_MAGIC, render_html
from pill_compare.report.structure import Figure, Gallery, GalleryItem, Note, Report, Section
from tests.report.test_render_common import hostile_report, tiny_png


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> and <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.raw[self._in][-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(hostile_report())


@pytest.fixture(scope="module")
def tags(html) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_nothing_external_no_url_of_any_kind(html, tags):
    assert "http://" not in html and "https://" not in html
    assert "//" not in re.sub(
        r"data:(?:image/png|font/woff);base64,[A-Za-z0-9+/=]+", "", html
    ).replace("/*", "").replace("*/", "")
    assert "<link" not in html and "@import" not in html
    assert html.count("url(") == html.count('url("data:font/woff;base64,')  # only the Hangul font
    for tag, attrs in tags.tags:
        for name in ("src", "href", "action", "srcset", "poster"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("data:image/png;base64,", "#")), (tag, name, value)
    # A policy forbids any fetch even if something slipped in: only this style and this script.
    policy = next(a["content"] for a in tags.all("meta") if a.get("http-equiv"))
    assert policy.startswith("default-src 'none'; img-src data:;")
    for kind, directive in (("style", "style-src"), ("script", "script-src")):
        (body,) = tags.raw[kind]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy


def test_images_are_png_data_uris_that_decode_to_the_figures(tags):
    images = tags.all("img")
    assert len(images) == 3  # one figure, two gallery items
    decoded = [base64.b64decode(a["src"].split(",", 1)[1], validate=True) for a in images]
    assert all(png.startswith(PNG_MAGIC) for png in decoded)
    assert decoded == [tiny_png(), tiny_png(4, 2, 10), tiny_png(2, 4, 99)]
    assert [(a["width"], a["height"]) for a in images] == [("3", "2"), ("4", "2"), ("2", "4")]
    assert images[0]["alt"] == "AP chart"


def test_lang_font_stack_viewport_and_print_rules(html, tags):
    assert tags.all("html") == [{"lang": "ko"}]
    assert render_html(dataclasses.replace(hostile_report(), lang="en")).count('lang="en"') == 1
    (css,) = tags.raw["style"]
    assert (
        '"Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "NanumGothic", sans-serif' in css
    )
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in tags.all(
        "meta"
    )
    assert "@media print" in css and "overflow-x: auto" in css
    assert '<meta charset="utf-8">' in html


def test_table_of_contents_links_to_section_anchors(tags):
    links = [a["href"] for a in tags.all("a")]
    assert links == ["#overview", "#overview.gallery", "#korean"]
    ids = [a["id"] for _, a in tags.tags if "id" in a]
    assert len(ids) == len(set(ids))
    assert {link[1:] for link in links} <= set(ids)
    assert {"table-per_class", "figure-ap", "gallery-disagreements", "picture-img-277"} <= set(ids)


def test_autoescape_leaves_no_raw_markup_from_the_input(html, tags):
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; a|b =cmd\\x0dx \\x1b[2J \\u202eevil" in html
    assert len(tags.all("script")) == 1  # ours
    for raw in ("\r", "\x1b", "\u202e"):
        assert raw not in html
    assert "<title>Report &lt;script&gt;" in html


def test_same_report_same_bytes(html):
    assert render_html(hostile_report()) == html  # a fresh, equal report
    assert render_html(hostile_report()).encode("utf-8") == html.encode("utf-8")


def test_tables_are_sortable_in_their_own_scroll_box(html, tags):
    tables = tags.all("table")
    assert [t["id"] for t in tables] == ["table-per_class", "table-plain"]
    assert tables[0]["class"] == "sortable" and "class" not in tables[1]
    # Every row is there (limit is for the terminal), numbers carry a sort value, n/a has none.
    body = html.split('id="table-per_class"')[1].split("</table>")[0]
    assert body.count("<tr>") == 5
    assert '<td class="num" data-sort="0.125">+0.125</td>' in body
    assert '<td class="num" data-sort="">n/a</td>' in body  # NaN
    assert '<td class="num">n/a</td>' in body  # None
    assert html.count('<div class="table-wrap" role="region" tabindex="0"') == 2
    assert "<caption>Per class &lt;script&gt;" in body
    assert '<dl class="legend">' in html


def test_notes_by_kind_meta_and_gallery_grid(html):
    for kind, label in (
        ("info", "참고"),
        ("absent", "생략"),
        ("caveat", "주의"),
        ("warning", "경고"),
    ):
        assert (
            f'<aside class="note note-{kind}" role="note"><span class="note-label">{label}' in html
        )
    assert "<dt>date</dt><dd>2024-05-01</dd>" in html
    grid = html.split('<div class="gallery-grid">')[1].split('<div class="gallery-grid">')[0]
    assert grid.count("<figure") == 2
    assert '<p class="finding"><strong>B is better' in html
    assert "Intro &lt;script&gt;" in html and "<br>Second line.</p>" in html


def test_misuse_is_refused():
    report = hostile_report()
    with pytest.raises(TypeError, match="Expected a Report, got list"):
        render_html(list(report.sections))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Expected lang as a language tag"):
        render_html(dataclasses.replace(report, lang='en" onload="x'))
    bad = Section("s", "S", (Figure("f", b"GIF89a....", "c"),))
    with pytest.raises(ValueError, match="Expected PNG bytes for figure 'f'"):
        render_html(Report("t", "en", (bad,)))
    clash = (Section("figure-f", "F", (Figure("f", tiny_png(), "c"),)),)
    with pytest.raises(ValueError, match=r"Expected section keys apart from .* 'figure-f'"):
        render_html(Report("t", "en", clash))
    with pytest.raises(ValueError, match="Expected a note kind in"):
        render_html(Report("t", "en", (Section("s", "S", (Note("x", "oops"),)),)))  # type: ignore[arg-type]
    gallery = Gallery("g", (GalleryItem("i", b"not a png", "c"),))
    with pytest.raises(ValueError, match="Expected PNG bytes for galleryitem 'i'"):
        render_html(Report("t", "en", (Section("s", "S", (gallery,)),)))
