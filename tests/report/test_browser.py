"""A real browser opens HTML offline: headless Chromium through tests/report/browser.py.

Skipped, with the reason shown, where no Chromium is installed (``.ci/run`` installs Debian's
``chromium``). Each test writes its own small page; the report test renders a ``Report`` with
every block kind through ``render_html`` and a hostile category name; the sample's report.html
(English and Korean) is opened as written by ``write_report``, and the Korean one's embedded
font is checked to draw Hangul (not the empty boxes a machine without a Korean font shows).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from pill_compare.report.build import write_report
from pill_compare.report.render.html import EMBEDDED_FONT_FAMILY, render_html
from pill_compare.report.structure import Gallery
from tests.report import browser
from tests.report.browser import BrowserError, open_page
from tests.report.test_render_common import hostile_report as hostile_tree
from tests.report.test_render_common import tiny_png
from tests.report.test_report import hostile_report, sample_report

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium binary, or skip: the browser tests need Debian's ``chromium`` package."""
    found = browser.find_chromium()
    if found is None:
        looked = ", ".join(browser.CANDIDATES)
        pytest.skip(f"no Chromium found (looked for {looked}): apt-get install chromium")
    return found


def data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file, after checking its signature and IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def write_page(tmp_path: Path, body: str, lang: str = "en") -> Path:
    path = tmp_path / "page.html"
    path.write_text(
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title>'
        f"</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    return path


def test_clean_self_contained_page_loads_without_errors_requests_or_broken_images(
    chromium: str, tmp_path: Path
) -> None:
    # The second image is lazy and 2,000 px down: it must still be decoded and in the shot.
    image = data_uri(tiny_png(4, 3))
    body = (
        f'<h1>Clean</h1><img alt="a" src="{image}">'
        f'<div style="height:2000px"></div><img alt="b" loading="lazy" src="{image}">'
    )
    path = write_page(tmp_path, body, lang="ko")
    page = open_page(path, screenshot=tmp_path / "shot.png", browser=chromium)

    assert page.console_errors == ()
    assert page.dialogs == ()
    assert page.lang == "ko"
    assert [(i.decoded, i.natural_width, i.natural_height) for i in page.images] == [
        (True, 4, 3),
        (True, 4, 3),
    ]
    assert page.requests[0] == path.resolve().as_uri()
    assert page.leaks == ()
    assert page.screenshot == tmp_path / "shot.png"
    width, height = png_size(page.screenshot)
    assert width == 1280 and height > 2000  # the full page, not the 800 px viewport


@pytest.fixture(scope="module")
def faulty_page(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> browser.PageReport:
    """One visit to a page with a broken image, a JS error, an alert and five outside requests."""
    body = (
        '<img alt="missing" src="missing.png">'
        '<img alt="outside" src="https://example.com/x.png">'
        '<link rel="stylesheet" href="http://cdn.example/x.css">'
        "<script>fetch('https://api.example/t').catch(() => {}); new WebSocket('wss://ws.example/');"
        "</script><script>undefinedFunction();</script>"
        "<script>alert('boo'); console.error('explicit', 42);</script>"
    )
    return open_page(write_page(tmp_path_factory.mktemp("faulty"), body), browser=chromium)


def test_broken_and_outside_images_are_reported_undecoded(
    faulty_page: browser.PageReport,
) -> None:
    assert [(Path(i.src).name, i.decoded) for i in faulty_page.broken_images] == [
        ("missing.png", False),
        ("x.png", False),
    ]


def test_uncaught_exception_and_console_error_are_reported(
    faulty_page: browser.PageReport,
) -> None:
    errors = "\n".join(faulty_page.console_errors)
    assert "uncaught: ReferenceError: undefinedFunction is not defined" in errors
    assert ("error", "explicit 42") in faulty_page.console_messages
    assert faulty_page.dialogs == ("boo",)


def test_every_request_beyond_the_file_is_recorded_as_a_leak_and_blocked(
    faulty_page: browser.PageReport,
) -> None:
    leaks = {Path(u).name if u.startswith("file:") else u for u in faulty_page.leaks}
    assert leaks == {
        "missing.png",  # a sibling file is a leak too: the report must be one file
        "https://example.com/x.png",
        "http://cdn.example/x.css",
        "https://api.example/t",
        "wss://ws.example/",
    }
    blocked = [e for e in faulty_page.console_errors if "ERR_BLOCKED_BY_CLIENT" in e]
    assert any("https://example.com/x.png" in e for e in blocked)


def test_a_page_that_never_loads_times_out_and_leaves_no_browser_or_profile(
    chromium: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(browser.tempfile, "mkdtemp", lambda prefix: str(work))
    path = write_page(tmp_path, "<script>while (true) {}</script>")

    with pytest.raises(BrowserError, match=r"page\.html: timed out waiting for the page's load"):
        open_page(path, timeout=2, browser=chromium)

    assert not work.exists()
    running = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            running.append(cmdline.read_bytes())
        except OSError:
            continue  # the process ended while we looked
    assert not [c for c in running if str(work).encode() in c]


def test_a_browser_that_cannot_start_raises_browser_error(tmp_path: Path) -> None:
    path = write_page(tmp_path, "<p>x</p>")
    with pytest.raises(BrowserError, match=r"could not start /nonexistent/chromium: "):
        open_page(path, browser="/nonexistent/chromium")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_rendered_report_opens_offline_clean_with_the_hostile_name_as_text(
    chromium: str, tmp_path: Path, lang: str
) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_html(hostile_tree(lang)), encoding="utf-8")
    page = open_page(path, screenshot=tmp_path / "report.png", browser=chromium)

    assert page.console_errors == ()
    assert page.dialogs == ()  # the hostile <script> did not run
    assert not [m for m in page.console_messages if "alert" in m[1]]
    assert page.leaks == ()
    assert page.lang == lang
    assert len(page.images) >= 3 and page.broken_images == ()  # the figure and both gallery items
    assert HOSTILE in page.text  # shown to the reader as text
    assert png_size(tmp_path / "report.png")[0] == 1280


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sample_report_opens_offline_with_every_image_decoded(
    chromium: str, tmp_path: Path, lang: str
) -> None:
    report, _, _ = sample_report(lang)
    folder = write_report(report, tmp_path / "report")
    shot = tmp_path / f"report-{lang}.png"
    page = open_page(folder / "report.html", screenshot=shot, browser=chromium, timeout=60)

    assert page.console_errors == ()  # a font or image refused by the policy would be one
    assert page.dialogs == ()
    assert page.leaks == ()  # not even the PNGs beside it: the HTML is one file
    assert page.lang == lang
    figures = len(report.figures())
    gallery = len(report.find("disagreements.gallery").blocks[0].items)
    assert figures >= 5 and gallery == 24
    pictures = sum(
        len(b.items) for s in report.walk() for b in s.blocks if isinstance(b, Gallery)
    )  # the disagreement gallery and the ground-truth audit's
    assert len(page.images) == figures + pictures and page.broken_images == ()
    assert page.title == report.title
    assert (report.find("overall").title or "") in page.text
    width, height = png_size(shot)
    assert width == 1280 and height > 10_000


def test_hostile_category_name_in_the_sample_report_is_shown_as_text(
    chromium: str, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(str(hostile_report()[1]["report.html"]), encoding="utf-8")
    page = open_page(path, browser=chromium, timeout=60)
    assert page.dialogs == () and page.console_errors == ()
    assert HOSTILE in page.text


def system_has_korean_font() -> bool | None:
    """Whether fontconfig knows a font for Korean (None: no fc-list to ask)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    found = subprocess.run(
        [fc_list, ":lang=ko", "family"], capture_output=True, text=True, timeout=30, check=False
    )
    return bool(found.stdout.strip())


def test_korean_report_font_draws_hangul_where_the_system_has_no_korean_font(
    chromium: str, tmp_path: Path
) -> None:
    """Three rows in one screenshot, with the Korean report's own stylesheet: a Hangul heading in
    the report's font stack (the embedded subset first), the same heading in the stack without
    the subset (what a reader saw before), and characters no font has (the empty-box glyph)."""
    from PIL import Image

    page_html = str(sample_report("ko")[1]["report.html"])
    (style,) = re.findall(r"<style>(.*?)</style>", page_html, flags=re.S)
    assert style.startswith(f'@font-face {{ font-family: "{EMBEDDED_FONT_FAMILY}";')
    stack = "'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', 'NanumGothic', sans-serif"
    heading = "전체성능"  # four syllables of the report's own headings (the subset has them)
    assert heading[:2] in page_html and heading[2:] in page_html
    rows = [
        ("embedded", heading, ""),
        ("system", heading, f"font-family: {stack};"),
        ("tofu", "\ue000\ue001\ue002\ue003", f"font-family: {stack};"),
    ]
    body = "".join(
        f'<div id="{key}" style="position:absolute; left:0; top:{100 * k}px; width:400px; '
        f'height:100px; margin:0; background:#fff; font-size:48px; line-height:100px; {css}">'
        f"{text}</div>"
        for k, (key, text, css) in enumerate(rows)
    )
    probe = (
        "<script>document.fonts.ready.then(() => { document.title = JSON.stringify({"
        f"check: document.fonts.check('48px \"{EMBEDDED_FONT_FAMILY}\"', '{heading}'), "
        "faces: Array.from(document.fonts, (f) => f.family + ' ' + f.status)}); });</script>"
    )
    path = tmp_path / "font.html"
    path.write_text(
        f'<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>pending</title>'
        f"<style>{style}</style></head><body>{body}{probe}</body></html>",
        encoding="utf-8",
    )
    shot = tmp_path / "font.png"
    page = open_page(path, screenshot=shot, browser=chromium)

    assert page.console_errors == () and page.leaks == ()
    seen = json.loads(page.title)
    assert seen == {"check": True, "faces": [f"{EMBEDDED_FONT_FAMILY} loaded"]}
    with Image.open(shot) as image:
        embedded, system, tofu = (
            image.convert("L").crop((0, 100 * k, 400, 100 * k + 100)) for k in range(3)
        )
    assert embedded.getextrema()[0] < 100  # ink: the glyphs are drawn
    assert embedded.tobytes() != tofu.tobytes()  # and they are not the empty-box glyph
    if system_has_korean_font() is False:  # here and in CI: without the subset, boxes
        assert system.tobytes() == tofu.tobytes()


#: What the layout tests read from the page: the page's own width, each table's box (its
#: scrollable width, visible width and right edge) and the right edge of every picture.
LAYOUT_PROBE = """(() => {
  const doc = document.documentElement;
  const tables = {};
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    tables[wrap.querySelector('table').id] = {
      scroll: wrap.scrollWidth, visible: wrap.clientWidth,
      right: wrap.getBoundingClientRect().right};
  }
  const pictures = Array.from(document.images, (img) => img.getBoundingClientRect().right);
  return {page: doc.scrollWidth, viewport: doc.clientWidth, tables, pictures};
})()"""


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_disputed_boxes_and_differing_images_fit_a_1400_px_window(
    chromium: str, tmp_path: Path, lang: str
) -> None:
    """Issue 15 §2: the GT class and the verdict are on screen without sideways scrolling."""
    report, _, _ = sample_report(lang)
    folder = write_report(report, tmp_path / "report")
    page = open_page(
        folder / "report.html", width=1400, browser=chromium, timeout=60, probe=LAYOUT_PROBE
    )
    tables = page.probe["tables"]
    for key in ("table-disputed_boxes", "table-differing_images", "table-swap_patterns"):
        assert tables[key]["scroll"] <= tables[key]["visible"], (key, tables[key])
    assert page.probe["page"] <= 1400


def test_on_a_phone_tables_scroll_in_their_own_box_and_figures_fit(
    chromium: str, tmp_path: Path
) -> None:
    """At 400 px the page never scrolls sideways: the overall comparison, wider than the
    screen, scrolls as a whole inside its box, and every figure and gallery picture fits."""
    report, _, _ = sample_report("en")
    folder = write_report(report, tmp_path / "report")
    page = open_page(
        folder / "report.html", width=400, browser=chromium, timeout=60, probe=LAYOUT_PROBE
    )
    probe = page.probe
    assert probe["page"] <= probe["viewport"] <= 400
    metrics = probe["tables"]["table-metrics"]
    assert metrics["scroll"] > metrics["visible"]  # wider than a phone: it scrolls...
    assert metrics["right"] <= probe["viewport"]  # ...inside its box, not the page
    assert all(right <= probe["viewport"] + 0.5 for right in probe["pictures"])
