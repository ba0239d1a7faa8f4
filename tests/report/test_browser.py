"""A real browser opens HTML offline: headless Chromium through tests/report/browser.py.

Skipped, with the reason shown, where no Chromium is installed (``.ci/run`` installs Debian's
``chromium``). Each test writes its own small page; the report test renders a ``Report`` with
every block kind through ``render_html`` and a hostile category name.
"""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest

from tests.report import browser
from tests.report.browser import BrowserError, open_page

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium binary, or skip: the browser tests need Debian's ``chromium`` package."""
    found = browser.find_chromium()
    if found is None:
        looked = ", ".join(browser.CANDIDATES)
        pytest.skip(f"no Chromium found (looked for {looked}): apt-get install chromium")
    return found


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid solid-colour PNG, made with zlib alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


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
    image = data_uri(png(4, 3))
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


def every_block_report(lang: str):
    """A small Report with every block kind, a subsection, and a hostile name everywhere."""
    from pill_compare.report.structure import (
        Bullets,
        Figure,
        Gallery,
        GalleryItem,
        Note,
        Paragraph,
        Report,
        Section,
        Table,
    )

    blocks = (
        Paragraph(f"Category {HOSTILE} has the most false detections.", emphasis=True),
        Paragraph("Plain text & an ampersand."),
        Bullets((f"only in A: {HOSTILE}", "only in B: aspirin")),
        Table(
            key="per_class",
            headers=("category", "AP A", "AP B", "Δ"),
            rows=((HOSTILE, 0.5, 0.25, -0.25), ("aspirin", 1.0, None, None)),
            caption=f"Per class ({HOSTILE})",
            legend=(("Δ", "AP B − AP A"),),
            signed=(3,),
        ),
        Figure(key="ap", png=png(60, 40), caption=f"AP of {HOSTILE}", alt="AP per class"),
        Note(f"{HOSTILE} only", kind="caveat"),
        Note("Ground truth would add this section.", kind="absent"),
        Note("a loading warning", kind="warning"),
        Note("an info note", kind="info"),
        Gallery(
            key="gallery",
            items=(
                GalleryItem(key="img1", png=png(90, 30, (30, 120, 30)), caption=HOSTILE),
                GalleryItem(key="img2", png=png(90, 30, (30, 30, 160)), caption="img 2"),
            ),
            caption="Disagreements",
        ),
    )
    inner = Section(key="inner", title=f"Inner {HOSTILE}", blocks=(Paragraph("inner text"),))
    title = "보고서" if lang == "ko" else "Report"
    return Report(
        title=f"{title} {HOSTILE}",
        lang=lang,
        sections=(
            Section(key="main", title=f"Main {HOSTILE}", blocks=blocks, subsections=(inner,)),
        ),
        meta=(("model A", HOSTILE), ("model B", "resnet101")),
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_rendered_report_opens_offline_clean_with_the_hostile_name_as_text(
    chromium: str, tmp_path: Path, lang: str
) -> None:
    html = pytest.importorskip(
        "pill_compare.report.render.html",
        reason="pill_compare.report.render.html is not in the tree yet",
    )
    path = tmp_path / "report.html"
    path.write_text(html.render_html(every_block_report(lang)), encoding="utf-8")
    page = open_page(path, screenshot=tmp_path / "report.png", browser=chromium)

    assert page.console_errors == ()
    assert page.dialogs == ()  # the hostile <script> did not run
    assert not [m for m in page.console_messages if "alert" in m[1]]
    assert page.leaks == ()
    assert page.lang == lang
    assert len(page.images) >= 3 and page.broken_images == ()  # the figure and both gallery items
    assert HOSTILE in page.text  # shown to the reader as text
    assert png_size(tmp_path / "report.png")[0] == 1280
