"""merge_annotations on the tiny per-pill folder of tests/prep/pill_folder.py (answers derived there)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io import ground_truth_from_dict
from pill_compare.prep.merge import merge_annotations
from tests.prep.pill_folder import (
    IMAGE_A,
    IMAGE_B,
    IMAGE_C,
    build_pill_folder,
    image_record,
    pill_file,
    rel_path,
    write_json,
    write_pill,
    write_png,
)

A_K001900 = rel_path(IMAGE_A, "K-001900")
A_K010224 = rel_path(IMAGE_A, "K-010224")
A_K016551 = rel_path(IMAGE_A, "K-016551")
B_K003544 = rel_path(IMAGE_B, "K-003544")
B_K012247 = rel_path(IMAGE_B, "K-012247")
C_K001900 = rel_path(IMAGE_C, "K-001900")
C_K016551 = rel_path(IMAGE_C, "K-016551")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return build_pill_folder(tmp_path)


def _core(annotation: dict) -> dict:
    keep = ("id", "image_id", "category_id", "bbox", "area", "iscrowd", "source_file")
    return {k: annotation[k] for k in keep}


def test_merged_output_matches_the_hand_written_ground_truth(folder):
    result = merge_annotations(folder, skip_bad_files=True)
    coco = result.coco
    # Images keyed by file name, ids in file-name order: A < C < B (see pill_folder).
    assert coco["images"] == [
        {"id": 1, "file_name": IMAGE_A, "width": 976, "height": 1280},
        {"id": 2, "file_name": IMAGE_C, "width": 976, "height": 1280},
        {"id": 3, "file_name": IMAGE_B, "width": 976, "height": 1280},
    ]
    # A's K-016551 box [900, 1200, 100, 120] ends at x 1000 > 976 and y 1320 > 1280: clipped to
    # [900, 1200, 76, 80], area 76 * 80 = 6080. B's K-012247 box has w = 0: dropped. The backup
    # copy of B's K-003544 is removed. C's K-016551 file is truncated: skipped.
    assert [_core(a) for a in coco["annotations"]] == [
        {"id": 1, "image_id": 1, "category_id": 1899, "bbox": [589, 101, 202, 184],
         "area": 37212, "iscrowd": 0, "source_file": A_K001900},
        {"id": 2, "image_id": 1, "category_id": 10223, "bbox": [120, 640, 230, 410],
         "area": 94300, "iscrowd": 0, "source_file": A_K010224},
        {"id": 3, "image_id": 1, "category_id": 16550, "bbox": [900, 1200, 76, 80],
         "area": 6080, "iscrowd": 0, "source_file": A_K016551},
        {"id": 4, "image_id": 2, "category_id": 1899, "bbox": [150, 220, 205, 186],
         "area": 38130, "iscrowd": 0, "source_file": C_K001900},
        {"id": 5, "image_id": 3, "category_id": 3543, "bbox": [300, 310, 190, 195],
         "area": 37050, "iscrowd": 0, "source_file": B_K003544},
    ]  # fmt: skip
    # Every readable file's category is declared, 12246 too (its only box was dropped).
    assert coco["categories"] == [
        {"id": 1899, "name": "보령부스파정 5mg", "supercategory": "pill", "k_code": "K-001900", "dl_idx": 1899},
        {"id": 3543, "name": "무코스타정", "supercategory": "pill", "k_code": "K-003544", "dl_idx": 3543},
        {"id": 10223, "name": "뮤테란캡슐 100mg", "supercategory": "pill", "k_code": "K-010224", "dl_idx": 10223},
        {"id": 12246, "name": "아모잘탄정 5/100mg", "supercategory": "pill", "k_code": "K-012247", "dl_idx": 12246},
        {"id": 16550, "name": "동아가바펜틴정 800mg", "supercategory": "pill", "k_code": "K-016551", "dl_idx": 16550},
    ]  # fmt: skip
    assert coco["info"]["category_id_from"] == "category_id"


def test_summary_counts(folder):
    r = merge_annotations(folder, skip_bad_files=True)
    # 9 .json files, one of them hidden (._C.json): 8 found, 1 truncated → 7 read.
    assert (r.files_found, r.files_read, r.files_bad) == (8, 7, 1)
    assert r.counts == {"images": 3, "annotations": 5, "categories": 5}
    assert (r.duplicates_removed, r.boxes_dropped, r.boxes_clipped) == (1, 1, 1)
    # A misses K-031705, B K-012247 (box dropped), C K-016551 (file unreadable).
    assert (r.images_missing_labels, r.labels_missing) == (3, 3)


def test_findings_list_exactly_what_was_wrong(folder):
    r = merge_annotations(folder)
    found = {(f.rule, f.severity, f.location) for f in r.findings}
    assert found == {
        ("bad_file", "error", C_K016551),
        ("duplicate", "warning", f"backup/{B_K003544}"),
        ("box_outside", "warning", f"{A_K016551} (image {IMAGE_A})"),
        ("bad_box", "warning", f"{B_K012247} (image {IMAGE_B})"),
        ("missing_label", "warning", f"image {IMAGE_A}"),
        ("missing_label", "warning", f"image {IMAGE_B}"),
        ("missing_label", "warning", f"image {IMAGE_C}"),
        ("category_id_source", "warning", ""),
        ("ignored_file", "info", f"{Path(C_K016551).parent}/._{Path(C_K016551).name}"),
    }
    assert r.findings[0].severity == "error"  # errors first
    messages = {f.location: f.message for f in r.findings}
    assert messages[f"image {IMAGE_A}"].endswith("no label for K-031705 (no annotation file)")
    assert messages[f"image {IMAGE_B}"].endswith("no label for K-012247 (its box was dropped)")
    assert messages[f"image {IMAGE_C}"].endswith("no label for K-016551 (its file is unreadable)")
    assert "the JSON is truncated" in messages[C_K016551]
    assert f"exact duplicate of {B_K003544}" in messages[f"backup/{B_K003544}"]
    assert "now [900, 1200, 76, 80]" in messages[f"{A_K016551} (image {IMAGE_A})"]
    # 5 annotations written (the dropped box and the duplicate are not), all with id = K - 1.
    assert r.counts["annotations"] == 5
    assert messages[""].startswith("5 of 5 annotation(s) have a category id that differs")


def test_an_unreadable_file_makes_the_result_not_ok_unless_skipped(folder):
    assert not merge_annotations(folder).ok
    skipped = merge_annotations(folder, skip_bad_files=True)
    assert skipped.ok
    bad = [f for f in skipped.findings if f.rule == "bad_file"]
    assert [f.severity for f in bad] == ["warning"]
    assert bad[0].message.endswith("; skipped")


def test_attributes_keep_every_pill_field_of_the_source_record(folder):
    first = merge_annotations(folder, skip_bad_files=True).coco["annotations"][0]
    # The source image record minus the per-photo identity (id, file_name, width, height).
    expected = image_record(IMAGE_A, "K-001900")
    for key in ("id", "file_name", "width", "height"):
        del expected[key]
    assert first["attributes"] == expected
    assert first["attributes"]["drug_shape"] == "원형"
    assert first["attributes"]["color_class1"] == "하양"
    assert first["attributes"]["print_front"] == "BS"
    assert "segmentation" not in first  # empty in the source


def test_merged_output_is_a_valid_ground_truth(folder):
    gt = ground_truth_from_dict(merge_annotations(folder, skip_bad_files=True).coco)
    assert len(gt.images) == 3 and len(gt.annotations) == 5
    assert gt.categories[0].extra == {"k_code": "K-001900", "dl_idx": 1899}
    assert gt.warnings == ()


def test_coco_json_round_trips(folder):
    r = merge_annotations(folder, skip_bad_files=True)
    assert json.loads(r.coco_json()) == r.coco
    assert "보령부스파정" in r.coco_json()  # names stay readable, not \\u-escaped


def test_ids_do_not_depend_on_per_file_ids(tmp_path):
    # Two files of image A, both with images[0].id == 1 and annotations[0].id == 1, plus one file
    # of another image whose per-file ids are 7: ids come from file names, not from the files.
    root = tmp_path / "ann"
    write_pill(root, IMAGE_A, "K-001900", [1, 2, 3, 4], 12)
    write_pill(root, IMAGE_A, "K-010224", [5, 6, 7, 8], 56)
    other = pill_file(IMAGE_B, "K-003544", [9, 9, 9, 9], 81, id=7)
    other["annotations"][0].update(id=7, image_id=7)
    write_json(root / rel_path(IMAGE_B, "K-003544"), other)
    coco = merge_annotations(root).coco
    assert [(i["id"], i["file_name"]) for i in coco["images"]] == [(1, IMAGE_A), (2, IMAGE_B)]
    assert [(a["id"], a["image_id"], a["category_id"]) for a in coco["annotations"]] == [
        (1, 1, 1899),
        (2, 1, 10223),
        (3, 2, 3543),
    ]


def test_category_id_from_k_code_uses_k_numbers(folder):
    r = merge_annotations(folder, category_id_from="k_code", skip_bad_files=True)
    assert [c["id"] for c in r.coco["categories"]] == [1900, 3544, 10224, 12247, 16551]
    assert [a["category_id"] for a in r.coco["annotations"]] == [1900, 10224, 16551, 1900, 3544]
    notes = [f for f in r.findings if f.rule == "category_id_source"]
    # Output ids now equal the K-numbers: no off-by-one warning, an info that ids changed.
    assert [(f.severity, f.message[:50]) for f in notes] == [
        ("info", "5 of 5 annotation(s) get an id other than their fi")
    ]
    assert "K-001900: 1899 → 1900" in notes[0].message


def test_category_id_from_dl_idx_equals_the_files_category_id_here(folder):
    by_dl_idx = merge_annotations(folder, category_id_from="dl_idx", skip_bad_files=True)
    default = merge_annotations(folder, skip_bad_files=True)
    assert by_dl_idx.coco["annotations"] == default.coco["annotations"]


def test_files_mixing_id_conventions_are_flagged(tmp_path):
    root = tmp_path / "ann"
    write_pill(root, IMAGE_A, "K-001900", [1, 2, 3, 4], 12)
    write_pill(root, IMAGE_A, "K-010224", [5, 6, 7, 8], 56)
    # This file writes the K-number (3544) where the others write dl_idx.
    write_pill(root, IMAGE_B, "K-003544", [9, 9, 9, 9], 81, category_id=3544)
    r = merge_annotations(root)
    mixed = [f for f in r.findings if f.message.startswith("the files disagree")]
    assert len(mixed) == 1
    assert mixed[0].severity == "warning"
    assert mixed[0].location == rel_path(IMAGE_B, "K-003544")
    assert "2 use dl_idx (K-number - 1), 1 the K-number" in mixed[0].message
    fixed = merge_annotations(root, category_id_from="dl_idx")
    assert [a["category_id"] for a in fixed.coco["annotations"]] == [1899, 10223, 3543]


def test_bad_boxes_drop_drops_boxes_leaving_the_image(folder):
    r = merge_annotations(folder, bad_boxes="drop", skip_bad_files=True)
    assert (r.boxes_clipped, r.boxes_dropped) == (0, 2)
    assert [a["category_id"] for a in r.coco["annotations"]] == [1899, 10223, 1899, 3543]
    outside = [f for f in r.findings if f.rule == "box_outside"]
    assert outside[0].message == ("dropped: bbox [900, 1200, 100, 120] leaves the 976x1280 image")
    # K-016551 on A now has no annotation: A misses two pills.
    assert r.labels_missing == 4


def test_a_box_wholly_outside_is_dropped_even_when_clipping(tmp_path):
    root = tmp_path / "ann"
    write_pill(root, IMAGE_A, "K-001900", [1000, 5, 10, 10], 100)
    write_pill(root, IMAGE_A, "K-010224", [5, 6, 7, 8], 56)
    r = merge_annotations(root)
    assert r.boxes_dropped == 1 and r.boxes_clipped == 0
    assert any(
        f.message == "dropped: bbox [1000, 5, 10, 10] lies wholly outside the 976x1280 image"
        for f in r.findings
    )


def test_images_folder_checks_sizes_and_lists_unannotated_images(folder, tmp_path):
    images = tmp_path / "train_images"
    write_png(images / IMAGE_A, 976, 1280)
    write_png(images / "sub" / IMAGE_C, 1280, 976)  # stored sideways; found in a sub-folder
    write_png(images / "K-099999_0_2_0_2_70_000_200.png", 976, 1280)  # no annotation file
    # IMAGE_B has no image file.
    r = merge_annotations(folder, images_dir=images, skip_bad_files=True)
    found = {(f.rule, f.location): f.message for f in r.findings}
    assert found[("size_mismatch", f"image {IMAGE_C}")] == (
        "the JSON says 976x1280, the image file is 1280x976 (width and height swapped); "
        "using the file's size"
    )
    assert found[("image_file", f"image {IMAGE_B}")] == "no such file in the image folder"
    assert found[("unannotated_image", "image K-099999_0_2_0_2_70_000_200.png")] == (
        "has no annotation file at all (left out of the ground truth)"
    )
    sizes = {i["file_name"]: (i["width"], i["height"]) for i in r.coco["images"]}
    assert sizes == {IMAGE_A: (976, 1280), IMAGE_B: (976, 1280), IMAGE_C: (1280, 976)}


def test_per_pill_files_that_disagree_on_the_size_are_flagged(tmp_path):
    root = tmp_path / "ann"
    write_pill(root, IMAGE_A, "K-001900", [1, 2, 3, 4], 12)
    write_pill(root, IMAGE_A, "K-010224", [5, 6, 7, 8], 56, width=1000)
    r = merge_annotations(root)
    conflicts = [f for f in r.findings if f.rule == "size_conflict"]
    assert len(conflicts) == 1
    assert "976x1280 (1 file(s)), 1000x1280 (1 file(s)); using 976x1280" in conflicts[0].message


def test_images_without_size_or_usable_annotation_are_flagged(tmp_path):
    root = tmp_path / "ann"
    # No width/height in the JSON and no --images: the box cannot be checked, but is kept.
    write_pill(root, IMAGE_A, "K-001900", [5000, 2, 3, 4], 12, width=None, height=None)
    # An image whose name lists no pill and whose only box is dropped: left out.
    write_pill(root, "17.png", "K-010224", [5, 6, -7, 8], 56)
    r = merge_annotations(root)
    found = {(f.rule, f.location): f.message for f in r.findings}
    assert found[("size_unknown", f"image {IMAGE_A}")] == (
        "no width/height in its files (give the image folder to read them from its files); boxes "
        "on it are not checked against the image"
    )
    assert found[("no_annotation", "image 17.png")] == "left out: none of its annotations is usable"
    assert r.coco["images"] == [{"id": 1, "file_name": IMAGE_A}]


def test_repeated_unlisted_and_misfiled_pills_are_flagged(tmp_path):
    root = tmp_path / "ann"
    write_pill(root, IMAGE_A, "K-001900", [1, 2, 3, 4], 12)
    write_json(
        root / "extra" / rel_path(IMAGE_A, "K-001900"),
        pill_file(IMAGE_A, "K-001900", [50, 60, 30, 40], 1200),
    )
    # K-003544 on image A, which does not list it, filed in the K-010224 folder.
    write_json(
        root / rel_path(IMAGE_A, "K-010224"), pill_file(IMAGE_A, "K-003544", [5, 6, 7, 8], 56)
    )
    r = merge_annotations(root)
    rules = {f.rule: f for f in r.findings}
    assert rules["repeated_category"].message.startswith("category 1899 is annotated 2 times")
    assert rules["unlisted_label"].message.startswith("annotated pill(s) K-003544 are not in")
    assert rules["k_code_mismatch"].message == (
        "the record names K-003544 but the file is in folder K-010224"
    )


def _pill_text(change: str) -> str:
    """The K-010224 file of image A, broken in one way."""
    doc = pill_file(IMAGE_A, "K-010224", [5, 6, 7, 8], 56)
    if change == "bbox-string":
        doc["annotations"][0]["bbox"] = "10,20,30,40"
    elif change == "image-id":
        doc["annotations"][0]["image_id"] = 2
    elif change == "no-category":
        del doc["annotations"][0]["category_id"]
    elif change == "no-images":
        del doc["images"]
    elif change == "empty-images":
        doc["images"] = []
    elif change == "list":
        return "[1, 2]"
    elif change == "empty":
        return ""
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("list", r"^expected per-pill COCO JSON .*, got \[1, 2\]$"),
        ("no-images", r"^'images' is missing or not a list; expected per-pill COCO JSON"),
        ("empty-images", r"^'images' is empty; expected the one image the pill is on$"),
        (
            "bbox-string",
            r"^annotation #0: 'bbox' must be 4 finite numbers \[x, y, w, h\], got \"10,20,30,40\"$",
        ),
        ("image-id", r"^annotation #0: 'image_id' 2 is not an id in 'images' \(1\)$"),
        (
            "no-category",
            r"^1 problem\(s\) in its annotations; annotation #0: 'category_id' is missing$",
        ),
        ("empty", r"^the file is empty, expected per-pill COCO JSON"),
    ],
)
def test_malformed_files_are_listed_with_the_reason(tmp_path, change, reason):
    root = tmp_path / "ann"
    write_pill(root, IMAGE_A, "K-001900", [1, 2, 3, 4], 12)
    bad_path = root / rel_path(IMAGE_A, "K-010224")
    bad_path.parent.mkdir(parents=True)
    bad_path.write_text(_pill_text(change), encoding="utf-8")
    r = merge_annotations(root)
    bad = [f for f in r.findings if f.rule == "bad_file"]
    assert [(f.severity, f.location) for f in bad] == [("error", rel_path(IMAGE_A, "K-010224"))]
    assert re.search(reason, bad[0].message), bad[0].message
    assert r.counts["annotations"] == 1  # the good file is still merged


def test_dl_idx_needed_but_missing_is_a_bad_file(tmp_path):
    root = tmp_path / "ann"
    write_pill(root, IMAGE_A, "K-001900", [1, 2, 3, 4], 12, dl_idx="n/a")
    r = merge_annotations(root, category_id_from="dl_idx")
    assert [f.message for f in r.findings if f.rule == "bad_file"] == [
        "image 'dl_idx' must be an integer (needed to take category ids from dl_idx: --category-id-from dl_idx), got \"n/a\""
    ]


def test_a_folder_without_json_files_is_refused(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(InputFormatError, match=r"empty: no \.json files found \(searched every"):
        merge_annotations(tmp_path / "empty")


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(InputFormatError, match=r"nope: not a folder \(expected the per-pill"):
        merge_annotations(tmp_path / "nope")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"category_id_from": "name"},
            r"category_id_from: must be one of category_id, dl_idx, k_code, got 'name'",
        ),
        ({"bad_boxes": "fix"}, r"bad_boxes: must be one of clip, drop, got 'fix'"),
    ],
)
def test_bad_options_are_config_errors(folder, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        merge_annotations(folder, **kwargs)


def test_to_frame_and_to_dict_list_every_finding(folder):
    r = merge_annotations(folder)
    frame = r.to_frame()
    assert list(frame.columns) == ["source", "rule", "severity", "location", "message"]
    assert set(frame["source"]) == {str(folder)}
    assert len(frame) == len(r.findings) == 9
    d = r.to_dict()
    assert d["ok"] is False and d["severities"] == {"error": 1, "warning": 7, "info": 1}
    assert d["images"] == 3 and len(d["findings"]) == 9


# --- hostile input: everything read can be written back --------------------------------------


def _write_raw(root: Path, code: str, doc: dict, name: str | None = None) -> Path:
    """Write ``doc`` as json.dumps does by default: NaN literals, \\ud800 escapes allowed."""
    path = root / rel_path(IMAGE_A, code)
    if name is not None:
        path = path.with_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="ascii")
    return path


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("thick", float("nan"), "NaN is not a finite number"),
        ("leng_long", float("inf"), "Infinity is not a finite number"),
        ("dl_name", "pill\ud800", "holds a lone surrogate"),
        ("chart", {"a": [1, float("-inf")]}, "-Infinity is not a finite number"),
    ],
)
def test_fields_that_cannot_be_written_are_left_out_with_a_finding(tmp_path, field, value, why):
    root = tmp_path / "ann"
    _write_raw(root, "K-001900", pill_file(IMAGE_A, "K-001900", [1, 2, 3, 4], 12, **{field: value}))
    r = merge_annotations(root)
    assert r.ok
    (finding,) = [f for f in r.findings if f.rule == "bad_field"]
    assert finding.severity == "warning"
    assert finding.message.startswith(f'image field "{field}" left out of the attributes: ')
    assert why in finding.message
    assert field not in r.coco["annotations"][0]["attributes"]
    ground_truth_from_dict(json.loads(r.coco_json()))  # written, and reads back


def test_a_segmentation_with_nan_is_left_out(tmp_path):
    doc = pill_file(IMAGE_A, "K-001900", [1, 2, 3, 4], 12)
    doc["annotations"][0]["segmentation"] = [[1, 2, float("nan"), 4]]
    root = tmp_path / "ann"
    _write_raw(root, "K-001900", doc)
    r = merge_annotations(root)
    assert "segmentation" not in r.coco["annotations"][0]
    assert any(
        "'segmentation' left out: NaN is not a finite number" in f.message for f in r.findings
    )
    r.coco_json()


@pytest.mark.parametrize("category_id_from", ["category_id", "dl_idx"])
def test_a_null_category_id_is_a_finding_or_not_needed(tmp_path, category_id_from):
    doc = pill_file(IMAGE_A, "K-001900", [1, 2, 3, 4], 12)
    doc["annotations"][0]["category_id"] = None
    root = tmp_path / "ann"
    _write_raw(root, "K-001900", doc)
    r = merge_annotations(root, category_id_from=category_id_from)
    if category_id_from == "category_id":
        (bad,) = [f for f in r.findings if f.rule == "bad_file"]
        assert "annotation #0: 'category_id' is null" in bad.message
    else:  # the id comes from dl_idx: the file's null category_id is not needed
        assert r.ok and [a["category_id"] for a in r.coco["annotations"]] == [1899]


def test_a_box_too_large_for_box_arithmetic_is_a_bad_file(tmp_path):
    root = tmp_path / "ann"
    _write_raw(
        root, "K-001900", pill_file(IMAGE_A, "K-001900", [1e308, 2, 1e308, 4], 12, width=None)
    )
    (bad,) = [f for f in merge_annotations(root).findings if f.rule == "bad_file"]
    assert "'bbox' must have every coordinate within ±1e+150 px" in bad.message


def test_an_integer_too_long_for_python_is_a_bad_file(tmp_path):
    root = tmp_path / "ann"
    path = _write_raw(root, "K-001900", pill_file(IMAGE_A, "K-001900", [1, 2, 3, 4], 12))
    path.write_text(path.read_text().replace('"thick": 3.9', '"thick": ' + "7" * 4400))
    (bad,) = [f for f in merge_annotations(root).findings if f.rule == "bad_file"]
    assert "an integer with 4,400 digits" in bad.message


def test_a_file_name_with_undecodable_bytes_is_escaped_in_the_output(tmp_path):
    root = tmp_path / "ann"
    name = os.fsdecode(b"A\xff.json")
    _write_raw(root, "K-001900", pill_file(IMAGE_A, "K-001900", [1, 2, 3, 4], 12), name=name)
    r = merge_annotations(root)
    assert r.coco["annotations"][0]["source_file"].endswith("A\\udcff.json")
    r.coco_json().encode("utf-8")
    json.dumps(r.to_dict(), ensure_ascii=False).encode("utf-8")
