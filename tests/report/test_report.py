"""The report on the sample, at the library level: `build_report` + `render_report_files` +
`write_report`.

report.json's numbers are the API's; every section is there, or its "absent" note without a
ground truth; the same inputs give the same bytes except the date line; hostile category and file
names are escaped or refused; the folder is written all at once and never over a user's folder;
the HTML is self-contained, with a Hangul font subset exactly when the text needs one.

The sample report is built once per process (:func:`sample_report`, shared with
tests/report/test_browser.py); builds whose figures do not matter skip them (``figures=False``).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import io
import json
import re
import struct
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from unittest import mock

import pandas as pd
import pytest

import pill_compare.io.outputs as outputs
import pill_compare.report.build as build
import pill_compare.report.gallery as gallery
import pill_compare.report.render.html as html_render
from pill_compare import compare, load_ground_truth, load_results
from pill_compare.errors import ConfigError
from pill_compare.io import ground_truth_from_dict
from pill_compare.report.build import build_report, render_report_files, write_report
from pill_compare.report.render.html import EMBEDDED_FONT_FAMILY, embedded_font_css
from pill_compare.report.sections.compare_files import CSV_FILES
from pill_compare.report.structure import Note, Report
from pill_compare.report.tables import to_json
from pill_compare.version import __version__
from tests.conftest import SAMPLE

HOSTILE = "<script>alert(1)</script>"
DATE = dt.date(2024, 5, 1)
BOOT = 20  # resamples: the numbers are compared with the API's at the same count, not judged
FILES = {
    "a": SAMPLE / "efficientnet_b3.json",
    "b": SAMPLE / "resnet101.json",
    "gt": SAMPLE / "ground_truth.json",
    "train": SAMPLE / "train_annotations.json",
}
SECTIONS = (
    "overview",
    "overall",
    "detections",
    "disagreements",
    "per_class",
    "slices",
    "gt_audit",
    "errors",
    "causes",
    "glossary",
    "caveats",
)
_FONT_URI = re.compile(r'url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\)')
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


@functools.cache
def sample_runs() -> tuple:
    """(gt, train, a, b) of data/sample, loaded once."""
    gt = load_ground_truth(FILES["gt"])
    train = load_ground_truth(FILES["train"])
    a = load_results(FILES["a"], gt=gt)
    b = load_results(FILES["b"], gt=gt)
    return gt, train, a, b


def _build(gt, a, b, *, figures: bool, **kwargs) -> tuple[Report, Mapping[str, str | bytes]]:
    kwargs.setdefault("n_bootstrap", BOOT)
    kwargs.setdefault("date", DATE)
    if figures:
        report = build_report(gt, a, b, **kwargs)
    else:
        with mock.patch.object(build, "report_figures", lambda r, lang="en", names=None: {}):
            report = build_report(gt, a, b, **kwargs)
    return report, MappingProxyType(render_report_files(report))


@functools.cache
def sample_report(
    lang: str = "en", *, with_gt: bool = True, images: bool = True, figures: bool = True
) -> tuple[Report, Mapping[str, str | bytes], tuple[str, ...]]:
    """The sample's report (with GT: also the training annotations), its files, and every
    warning raised while building it. Cached: build once, read many times."""
    gt, train, a, b = sample_runs()
    inputs = {k: v for k, v in FILES.items() if with_gt or k in ("a", "b")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report, files = _build(
            gt if with_gt else None,
            a,
            b,
            figures=figures,
            train_gt=train if with_gt else None,
            images_dir=SAMPLE / "images" if images else None,
            lang=lang,
            inputs=inputs,
        )
    return report, files, tuple(str(w.message) for w in caught)


@functools.cache
def hostile_report() -> tuple[Report, Mapping[str, str | bytes]]:
    """The sample with its first category renamed ``<script>alert(1)</script>`` (no figures)."""
    doc = json.loads(FILES["gt"].read_text(encoding="utf-8"))
    doc["categories"][0]["name"] = HOSTILE
    gt = ground_truth_from_dict(doc, source="ground_truth.json")
    a, b = (load_results(FILES[k], gt=gt) for k in ("a", "b"))
    return _build(gt, a, b, figures=False)


def text_of(files: Mapping[str, str | bytes], name: str) -> str:
    content = files[name]
    assert isinstance(content, str)
    return content


def figure_names(files: Mapping[str, str | bytes]) -> list[str]:
    return sorted(n for n in files if n.endswith(".png"))


# --- numbers -------------------------------------------------------------------------------


def test_report_json_numbers_equal_the_api_results():
    _, files, _ = sample_report()
    data = json.loads(text_of(files, "report.json"))
    gt, train, a, b = sample_runs()
    api = json.loads(to_json(compare(gt, a, b, train_gt=train, n_bootstrap=BOOT).to_dict()))

    for side in ("a", "b", "delta"):
        assert data["metrics"][side] == api["metrics"][side]
    assert data["significance"]["bootstrap"] == api["significance"]["bootstrap"]
    assert data["significance"]["bootstrap"]["map"]["resamples_used"] == BOOT
    assert data["errors"] == api["errors"]
    assert data["disagreements"]["counts"] == api["disagreements"]["counts"]
    assert data["imbalance"]["spearman"] == api["imbalance"]["spearman"]
    assert data["per_class"] == api["per_class"]
    # and the API's number is the one pinned by compare's own tests (B - A on mAP)
    assert data["metrics"]["delta"]["map"] == pytest.approx(0.17055, abs=1e-5)


def test_report_json_records_the_inputs_sha256_and_pillcmp_version():
    _, files, _ = sample_report()
    data = json.loads(text_of(files, "report.json"))
    assert data["pillcmp_version"] == __version__
    assert data["date"] == DATE.isoformat() and data["lang"] == "en"
    assert set(data["inputs"]) == set(FILES)
    for role, path in FILES.items():
        assert data["inputs"][role]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert data["inputs"][role]["path"].endswith(path.name)


def test_report_shows_the_api_numbers_in_markdown_and_html():
    _, files, _ = sample_report()
    data = json.loads(text_of(files, "report.json"))
    shown = f"{data['metrics']['b']['map']:.3f}"  # the tables' 3 decimals
    assert shown in text_of(files, "report.md") and shown in text_of(files, "report.html")


# --- sections ------------------------------------------------------------------------------


def test_every_section_is_present_with_ground_truth():
    report, files, _ = sample_report()
    assert tuple(s.key for s in report.sections) == SECTIONS
    for key in ("overall", "per_class", "errors", "causes.imbalance", "causes.support"):
        section = report.find(key)
        assert section is not None and section.blocks, key
        assert not [b for b in section.blocks if isinstance(b, Note) and b.kind == "absent"], key
    assert report.find("disagreements.gallery").blocks  # the gallery with --images
    page = text_of(files, "report.html")
    markdown = text_of(files, "report.md")
    for section in report.sections:
        assert f'<section id="{section.key}">' in page
        assert f'## <a id="{section.key}"></a>{section.title}\n' in markdown


def test_without_ground_truth_the_report_keeps_only_what_applies():
    report, files, _ = sample_report(with_gt=False, images=False, figures=False)
    assert tuple(s.key for s in report.sections) == (
        "overview",
        "detections",
        "agreement",
        "glossary",
        "caveats",
    )
    assert not [
        b for s in report.walk() for b in s.blocks if isinstance(b, Note) and b.kind == "absent"
    ]
    data = json.loads(text_of(files, "report.json"))
    assert data["ground_truth"] is False
    assert "errors" not in data and "significance" not in data and "imbalance" not in data
    assert "patterns" in data["disagreements"] and "per_class" in data["detections"]
    assert set(data["inputs"]) == {"a", "b"}
    assert "Not shown" not in text_of(files, "report.md")


# --- reproducible --------------------------------------------------------------------------


def test_same_inputs_give_the_same_bytes():
    _, first, _ = sample_report()
    gt, train, a, b = sample_runs()
    _, again = _build(
        gt, a, b, figures=True, train_gt=train, images_dir=SAMPLE / "images", inputs=FILES
    )
    assert sorted(again) == sorted(first)
    assert figure_names(first)  # figures and gallery pictures included
    for name in first:
        assert again[name] == first[name], name


def test_another_date_changes_the_date_line_only():
    gt, _, a, b = sample_runs()
    day1, day2 = dt.date(2031, 1, 2), dt.date(2031, 3, 4)
    _, one = _build(gt, a, b, figures=False, date=day1)
    _, two = _build(gt, a, b, figures=False, date=day2)
    assert sorted(one) == sorted(two)
    for name in one:
        if name.endswith((".png", ".csv")):  # the figures and the complete tables hold no date
            assert one[name] == two[name], name
            continue
        old, new = text_of(one, name).splitlines(), text_of(two, name).splitlines()
        changed = [(x, y) for x, y in zip(old, new, strict=True) if x != y]
        assert len(changed) == 1, (name, changed)
        assert changed[0][1] == changed[0][0].replace(day1.isoformat(), day2.isoformat())


# --- safety --------------------------------------------------------------------------------


def test_a_script_category_name_is_escaped_in_html_and_markdown():
    _, files = hostile_report()
    page, markdown = text_of(files, "report.html"), text_of(files, "report.md")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert HOSTILE not in page and HOSTILE not in markdown
    assert page.count(escaped) >= 2 and markdown.count(escaped) >= 2
    assert page.count("<script") == 1  # the report's own sorting script
    names = [row["name"] for row in json.loads(text_of(files, "report.json"))["per_class"]]
    assert HOSTILE in names  # the data keeps the name as it is


def test_a_file_name_leading_outside_the_images_folder_is_refused_and_never_read(monkeypatch):
    doc = json.loads(FILES["gt"].read_text(encoding="utf-8"))
    for image in doc["images"]:
        if image["id"] % 2:  # half the images: the gallery still reads the other half
            image["file_name"] = "../../etc/passwd"
    gt = ground_truth_from_dict(doc, source="ground_truth.json")
    a, b = (load_results(FILES[k], gt=gt) for k in ("a", "b"))
    opened: list[Path] = []
    real_open = gallery._open

    def recording_open(path, *args, **kwargs):
        opened.append(Path(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(gallery, "_open", recording_open)
    folder = (SAMPLE / "images").resolve()
    report, files = _build(gt, a, b, figures=False, images_dir=folder, gallery_max=6)

    assert opened and all(p.resolve().is_relative_to(folder) for p in opened)
    notes = json.loads(text_of(files, "report.json"))["gallery"]["notes"]
    refused = [n for n in notes if n["code"] == "outside"]
    assert refused and all(n["file_name"] == "../../etc/passwd" for n in refused)
    assert all(n["image_id"] % 2 for n in refused)
    assert len(report.find("disagreements.gallery").blocks[0].items) == 6
    # Each gallery says which of its photos it refused (the audit's: its wrong-label image 97);
    # report.json lists each refused photo once.
    shown = [
        b
        for key in ("disagreements.gallery", "gt_audit")
        for b in report.find(key).blocks
        if isinstance(b, Note) and b.kind == "warning"
    ]
    assert len({b.text for b in shown}) == len(notes)
    assert 97 in {n["image_id"] for n in refused}
    assert (  # the reader is told
        f"Image {refused[0]['image_id']} (../../etc/passwd): its file name leads outside the "
        "images folder; refused, nothing was read."
    ) in [b.text for b in shown]
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        first = passwd.read_text(errors="replace").split("\n", 1)[0]
        assert not first or all(
            first not in text_of(files, n) for n in ("report.md", "report.html")
        )


# --- the folder ----------------------------------------------------------------------------


def small_report(day: dt.date = DATE) -> Report:
    _, _, a, b = sample_runs()
    return _build(None, a, b, figures=False, date=day)[0]


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_write_report_writes_the_rendered_files(tmp_path):
    report, files, _ = sample_report()
    out = write_report(report, tmp_path / "reports" / "sample")
    assert out == tmp_path / "reports" / "sample"
    written = folder_bytes(out)
    assert sorted(written) == sorted(files)
    assert {"report.md", "report.html", "report.json"} <= set(written)
    for name, content in files.items():
        assert written[name] == (content.encode() if isinstance(content, str) else content)
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["sample"]  # no temporary


def test_report_md_links_every_figure_file_of_the_folder(tmp_path):
    report, _, _ = sample_report()
    out = write_report(report, tmp_path / "r")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)\s]+\.png)\)", markdown))
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs and linked == pngs
    assert any(name.startswith("gallery_") for name in pngs)


def test_write_report_refuses_a_folder_of_other_files(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    with pytest.raises(
        ConfigError, match=r"mine: a folder with other files in it \(no report\.json"
    ):
        write_report(small_report(), mine)
    assert folder_bytes(mine) == {"thesis.tex": b"precious"}


def test_a_failure_while_writing_leaves_the_previous_report_intact(tmp_path, monkeypatch):
    folder = write_report(small_report(dt.date(2030, 1, 1)), tmp_path / "r")
    before = folder_bytes(folder)
    calls = []

    def disk_full(fd, data):
        calls.append(len(data))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write_all(fd, data)

    real_write_all = outputs._write_all
    monkeypatch.setattr(outputs, "_write_all", disk_full)
    with pytest.raises(
        ConfigError, match=r"r: cannot write the report \(No space left on device\)"
    ):
        write_report(small_report(dt.date(2030, 2, 2)), folder)
    assert folder_bytes(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


# --- HTML: self-contained, Hangul font -----------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_html_has_no_url_to_the_outside(lang):
    _, files, _ = sample_report(lang)
    page = text_of(files, "report.html")
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page
    assert re.findall(r'\ssrc="([a-z]+:[a-z/]+)', page) == ["data:image/png"] * page.count("<img")
    assert f'<html lang="{lang}">' in page


def test_korean_html_embeds_a_font_subset_covering_every_hangul_character():
    from fontTools.ttLib import TTFont

    _, files, _ = sample_report("ko")
    page = text_of(files, "report.html")
    (data,) = _FONT_URI.findall(page)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    assert font.flavor == "woff"
    covered = {chr(c) for c in font.getBestCmap()}
    without_font = _FONT_URI.sub("", page)
    used = set(_HANGUL.findall(without_font))
    assert len(used) > 300 and used <= covered
    # Exactly the page's non-ASCII characters the font has: nothing else (no ASCII: Latin text
    # keeps the reader's font).
    assert covered <= {c for c in without_font if ord(c) > 0x7F}
    family = font["name"].getDebugName(1)
    assert family == EMBEDDED_FONT_FAMILY and "Nanum" not in family  # renamed, as the OFL asks
    assert "SIL Open Font License" in font["name"].getDebugName(13)
    assert f'font-family: "{EMBEDDED_FONT_FAMILY}", "Noto Sans KR",' in page
    assert "font-src data:;" in page
    assert (
        f"<!-- Hangul: {len(covered)} characters of NanumGothic (c) NHN Corporation, SIL Open "
        f"Font License 1.1, embedded as the subset font {EMBEDDED_FONT_FAMILY} -->"
    ) in page


def test_korean_figures_raise_no_missing_glyph_warning():
    _, files, caught = sample_report("ko")
    assert figure_names(files)
    assert not [w for w in caught if "missing from" in w or "Glyph" in w]


def test_an_english_report_on_ascii_names_embeds_no_font():
    # The sample's pill attributes are Korean (원형, 하양) and only the slices show them: without
    # slices every name on the page is ASCII, so no font is embedded.
    gt, train, a, b = sample_runs()
    _, files = _build(gt, a, b, figures=False, train_gt=train, slices=())
    page = text_of(files, "report.html")
    assert "@font-face" not in page and "<!-- Hangul" not in page
    assert not _HANGUL.search(page)


def test_font_subset_is_small_and_the_same_for_the_same_text():
    rule, note = embedded_font_css("보고서 분석 한국어")
    assert rule.startswith(f'@font-face {{ font-family: "{EMBEDDED_FONT_FAMILY}";')
    assert len(rule) < 8_000 and note.startswith("Hangul: 8 characters of NanumGothic")
    html_render._font_subset.cache_clear()
    assert embedded_font_css("보고서 분석 한국어") == (rule, note)  # rebuilt: same bytes
    assert embedded_font_css("plain ASCII, Δ and − only") == ("", "")


def test_without_the_font_file_the_page_keeps_the_font_stack_and_says_why(monkeypatch):
    import pill_compare.report.style as style

    report, _, _ = sample_report("ko", figures=False, images=False)
    monkeypatch.setattr(style, "hangul_font_path", lambda name="NanumGothic.ttf": None)
    page = html_render.render_html(report)
    assert "@font-face" not in page
    assert "<!-- Hangul: no font embedded (NanumGothic.ttf from koreanize-matplotlib" in page
    assert page == _FONT_URI.sub("", page) and "한" in page


def test_a_font_that_cannot_be_subset_falls_back_without_failing(monkeypatch):
    def broken(path, chars):
        raise struct.error("unpack requires a buffer of 12 bytes")

    monkeypatch.setattr(html_render, "_font_subset", broken)
    rule, note = embedded_font_css("한국어")
    assert rule == ""
    assert note == (
        "Hangul: no font embedded (the subset of NanumGothic.ttf failed: error): the reader's "
        "own Korean fonts are used"
    )


# --- the complete tables beside the report, and one number format -----------------------------


CSV_NAMES = tuple(CSV_FILES.values())


def test_the_complete_tables_are_csv_files_beside_the_report():
    report, files, _ = sample_report(images=False, figures=False)
    gt, _, a, b = sample_runs()
    r = compare(gt, a, b, n_bootstrap=0)
    frames = {name: pd.read_csv(io.StringIO(str(files[name]))) for name in CSV_NAMES}
    # Every image, the 221 fully agreeing ones included (the page lists only the other 59).
    per_image = frames["per_image.csv"]
    assert len(per_image) == 280 and set(per_image.columns) >= {"image_id", "agreement_rate"}
    # Every disputed box with every column the page leaves out: scores, IoU, TIDE types.
    boxes = frames["disputed_boxes.csv"]
    counts = r.pairing.counts()
    assert len(boxes) == counts["class_swap"] + counts["a_only"] + counts["b_only"] == 61
    assert {"a_score", "b_score", "iou", "a_error", "verdict", "a_category_name"} <= set(boxes)
    # report.json holds the same rows.
    data = json.loads(text_of(files, "report.json"))
    table = data["disputed_boxes"]  # columns once, then one list per box (up to 100)
    assert table["columns"] == list(boxes.columns) and len(table["rows"]) == 61
    assert table["total"] == 61 and table["file"] == "disputed_boxes.csv"
    first = dict(zip(table["columns"], table["rows"][0], strict=True))
    assert first["image_id"] == int(boxes["image_id"][0])
    assert len(frames["differing_images.csv"]) == 61
    assert set(frames["swap_patterns.csv"]["swap_boxes"]) >= {12, 0}
    # The pages name the file under each table it completes.
    md = text_of(files, "report.md")
    for name in CSV_NAMES:
        assert name in md and name in text_of(files, "report.html"), name
    assert report.files.keys() == set(CSV_NAMES)


def test_a_long_table_keeps_its_top_rows_and_says_how_many_are_left_out():
    from pill_compare.report.render.markdown import render_markdown
    from pill_compare.report.structure import Section, Table

    # 1,500 rows, the page shows 100: the line under the table says so and names the file.
    table = Table(
        "t", ("image", "n"), tuple((str(i), i) for i in range(1500)), page_limit=100, file="t.csv"
    )
    md, _ = render_markdown([Section("s", "S", (table,))])
    assert md.count("\n| ") == 101  # the header and 100 rows
    assert "*The first 100 of 1,500 rows; every row and column: t.csv*" in md
    with pytest.raises(ValueError, match=r"Expected file of table 't' as a CSV file name"):
        Table("t", ("n",), (), file="../t.txt")


def test_every_number_in_the_report_has_one_format():
    _, files, _ = sample_report(images=False, figures=False)
    md = text_of(files, "report.md")
    assert not re.search(r"\d[eE][+-]\d", md)  # never 2.1e+04
    first = next(line for line in md.splitlines() if line.startswith("| mAP |"))  # the metrics
    # AP with 3 decimals, B - A signed with 3, the interval with 3, p with 3.
    assert re.fullmatch(
        r"\| mAP \| 0\.\d{3} \| 0\.\d{3} \| \+0\.\d{3} \| \\\[0\.\d{3}, 0\.\d{3}\\\] \| (0\.\d{3}|&lt; 0\.001) \|",
        first.replace("\u00a0", " "),
    ), first
    # Agreement as a percentage, not "0.9398 of items".
    assert "94.0% of the paired items agree" in md


def test_report_json_lists_the_top_disputed_boxes_and_points_to_the_csv_for_the_rest(monkeypatch):
    import pill_compare.report.sections.compare_files as compare_files

    # The sample has 61 disputed boxes; with room for 10 the JSON keeps the CSV's first 10 rows
    # and says 61 and the file's name.
    gt, _, a, b = sample_runs()
    r = compare(gt, a, b, n_bootstrap=0)
    monkeypatch.setattr(compare_files, "JSON_ROWS", 10)
    table = compare_files.disputed_box_records(r)
    boxes = pd.read_csv(io.StringIO(compare_files.compare_csv_files(r)["disputed_boxes.csv"]))
    assert len(table["rows"]) == 10 and table["total"] == len(boxes) == 61
    assert table["file"] == "disputed_boxes.csv"
    assert [row[0] for row in table["rows"]] == boxes[table["columns"][0]][:10].tolist()


def test_the_figures_split_into_two_halves_of_about_the_same_drawing_time():
    from pill_compare.report.build import FIGURE_WEIGHTS, _halves

    names = (
        "plot_ap_comparison",
        "plot_pr_curves",
        "plot_score_histograms",
        "plot_error_breakdown",
        "plot_confusion_pair",
        "plot_ap_by_iou",
        "plot_matched_iou",
        "plot_calibration",
        "plot_support_vs_ap",
    )
    first, second = _halves(names)
    assert sorted(first + second) == sorted(names)  # each figure once
    for half in (first, second):  # each half in the report's order
        assert list(half) == [n for n in names if n in half]
    weight = [sum(FIGURE_WEIGHTS.get(n, 1) for n in half) for half in (first, second)]
    assert abs(weight[0] - weight[1]) <= 1
    assert (
        "plot_confusion_pair" in first and "plot_ap_comparison" in second
    )  # the two heaviest apart
    assert _halves(("plot_score_histograms",)) == (("plot_score_histograms",), ())
    assert _halves(()) == ((), ())
