"""convert: COCO results ↔ submission CSV (lossless), YOLO folders → either, class maps."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest

from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io import ground_truth_from_dict, load_results
from pill_compare.prep.convert import convert, submission_csv_text
from pill_compare.prep.yolo import load_class_map, load_yolo_predictions
from tests.conftest import SAMPLE
from tests.prep.pill_folder import write_png

# One 976x1280 image named 17.png (id 17) and one named K-001900-003483_0_2.png (id 3).
GT = ground_truth_from_dict(
    {
        "images": [
            {"id": 17, "file_name": "17.png", "width": 976, "height": 1280},
            {"id": 3, "file_name": "K-001900-003483_0_2.png", "width": 976, "height": 1280},
        ],
        "categories": [{"id": 1899, "name": "K-001900"}, {"id": 3482, "name": "K-003483"}],
        "annotations": [],
    },
    source="gt.json",
)


def random_results(n: int, seed: int = 0) -> list[dict]:
    """Results with full-precision floats (17 significant digits) that must survive."""
    rng = np.random.default_rng(seed)
    return [
        {
            "image_id": int(rng.integers(1, 50)),
            "category_id": int(rng.choice([1899, 3482, 10223])),
            "bbox": [float(v) for v in rng.uniform(1, 500, 4)],
            "score": float(rng.uniform()),
        }
        for _ in range(n)
    ]


def test_coco_to_csv_to_coco_is_lossless(tmp_path):
    records = random_results(200)
    records[0]["bbox"] = [589, 101, 202, 184]  # integers too
    records[1]["score"] = 1e-7  # and tiny numbers
    src = tmp_path / "run.json"
    src.write_text(json.dumps(records))
    r1 = convert(src, tmp_path / "run.csv")
    r2 = convert(tmp_path / "run.csv", tmp_path / "back.json")
    assert (r1.input_format, r1.output_format, r2.input_format, r2.output_format) == (
        "coco",
        "csv",
        "csv",
        "coco",
    )
    back = json.loads((tmp_path / "back.json").read_text())
    assert back == records  # same values, same order (589 == 589.0 in Python)
    assert r1.detections == r2.detections == 200


def test_csv_gets_annotation_ids_1_to_n_in_file_order(tmp_path):
    src = tmp_path / "run.json"
    src.write_text(json.dumps(random_results(3)))
    convert(src, tmp_path / "run.csv")
    lines = (tmp_path / "run.csv").read_text().splitlines()
    assert lines[0] == "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score"
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2", "3"]


def test_sample_coco_results_convert_to_the_sample_submission(tmp_path):
    out = tmp_path / "resnet101.csv"
    convert(SAMPLE / "resnet101.json", out)
    ours = load_results(out)
    theirs = load_results(SAMPLE / "resnet101_submission.csv")
    for field in ("annotation_id", "image_id", "category_id", "bbox", "score"):
        assert np.array_equal(getattr(ours, field), getattr(theirs, field)), field


def test_csv_to_csv_keeps_annotation_ids(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score\n"
        "7,1,1899,10.0,20.5,30,40,0.5\n"
        "9,1,3482,1,2,3,4,0.25\n"
    )
    convert(src, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == (
        "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score\n"
        "7,1,1899,10,20.5,30,40,0.5\n"
        "9,1,3482,1,2,3,4,0.25\n"
    )


def test_submission_csv_text_of_no_detections_is_just_the_header(tmp_path):
    src = tmp_path / "empty.json"
    src.write_text("[]")
    result = convert(src, tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_text().splitlines() == [
        "annotation_id,image_id,category_id,bbox_x,bbox_y,bbox_w,bbox_h,score"
    ]
    assert result.warnings == (f"{src}: no detections at all",)
    assert submission_csv_text(load_results(tmp_path / "empty.csv")).count("\n") == 1


# --- YOLO ------------------------------------------------------------------------------------


def yolo_folder(tmp_path, files: dict[str, str]):
    folder = tmp_path / "labels"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_yolo_to_coco_with_sizes_from_the_ground_truth(tmp_path):
    # 976x1280 image, class 0 → 1899: cx 0.5, cy 0.5, w 0.25, h 0.125 gives
    # x = (0.5 - 0.125) * 976 = 366, y = (0.5 - 0.0625) * 1280 = 560, w = 244, h = 160.
    # Class 1 → 3482: x = (0.25 - 0.05) * 976 = 195.2, y = (0.75 - 0.1) * 1280 = 832,
    # w = 0.1 * 976 = 97.6, h = 0.2 * 1280 = 256.
    folder = yolo_folder(
        tmp_path,
        {
            "17.txt": "0 0.5 0.5 0.25 0.125 0.9\n1 0.25 0.75 0.1 0.2 0.4\n",
            "K-001900-003483_0_2.txt": "1 0.5 0.5 0.25 0.125 0.75\n",
        },
    )
    dets = load_yolo_predictions(folder, class_map={0: 1899, 1: 3482}, gt=GT)
    assert dets.image_id.tolist() == [3, 17, 17]  # image-id order, then line order
    assert dets.category_id.tolist() == [3482, 1899, 3482]
    np.testing.assert_allclose(
        dets.bbox, [[366, 560, 244, 160], [366, 560, 244, 160], [195.2, 832, 97.6, 256]]
    )
    assert dets.score.tolist() == [0.75, 0.9, 0.4]


def test_yolo_sizes_from_image_files_and_missing_scores(tmp_path):
    # No ground truth: 5.txt is image 5, its size is read from images/5.png (200x100).
    folder = yolo_folder(tmp_path, {"5.txt": "0 0.5 0.5 0.5 0.5\n\n"})
    write_png(tmp_path / "images" / "5.png", 200, 100)
    class_map = tmp_path / "classes.txt"
    class_map.write_text("1899\n")
    result = convert(
        folder, tmp_path / "out.json", images_dir=tmp_path / "images", class_map=class_map
    )
    assert result.input_format == "yolo"
    assert json.loads((tmp_path / "out.json").read_text()) == [
        {"image_id": 5, "category_id": 1899, "bbox": [50.0, 25.0, 100.0, 50.0], "score": 1.0}
    ]
    assert result.warnings == (
        f"{folder}: 1 line(s) have no score column; they get score 1.0, so AP cannot rank "
        "them (predict with --save-conf)",
    )


def test_yolo_problems_are_listed_with_file_and_line(tmp_path):
    folder = yolo_folder(
        tmp_path,
        {
            "17.txt": "0 0.5 0.5 0.25\n7 0.5 0.5 0.2 0.2 0.9\n0 0.5 0.5 0 0.2 0.9\n",
            "photo.txt": "0 0.5 0.5 0.2 0.2 0.9\n",
            "99.txt": "0 0.5 0.5 0.2 0.2 0.9\n",
        },
    )
    with pytest.raises(InputFormatError) as err:
        load_yolo_predictions(folder, class_map={0: 1899, 1: 3482}, gt=GT)
    assert err.value.message == f"{folder}: 5 problem(s) in its YOLO predictions"
    assert list(err.value.problems) == [
        f"{folder / '17.txt'}: line 1: expected 'class cx cy w h [score]' (5 or 6 numbers), "
        'got 4 field(s): "0 0.5 0.5 0.25"',
        f"{folder / '17.txt'}: line 2: class 7 is not in the class map (it has 2 classes: 0..1)",
        f"{folder / '17.txt'}: line 3: w and h must be > 0, got w=0, h=0.2",
        f"{folder / '99.txt'}: no size for image 99: give a ground truth with width/height, or an image folder "
        "with a file of this stem",
        f"{folder / 'photo.txt'}: cannot tell its image id: the name is not an integer and no "
        "ground-truth image has this stem",
    ]


def test_an_empty_yolo_folder_is_refused(tmp_path):
    (tmp_path / "labels").mkdir()
    with pytest.raises(InputFormatError, match=r"labels: no \.txt files; expected one YOLO"):
        load_yolo_predictions(tmp_path / "labels", class_map={0: 1})


# --- class maps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("map.json", "[1899, 3482]", {0: 1899, 1: 3482}),
        ("map.json", '{"1": 3482, "0": 1899}', {0: 1899, 1: 3482}),
        ("classes.txt", "1899\n3482\n\n", {0: 1899, 1: 3482}),
        ("classes.txt", "K-003483\nK-001900\n", {0: 3482, 1: 1899}),  # names, through --gt
        ("data.yaml", "path: x\nnames:\n  0: K-001900\n  1: '3482'\n", {0: 1899, 1: 3482}),
        ("data.yaml", "names: [K-001900, K-003483]\n", {0: 1899, 1: 3482}),
    ],
)
def test_class_map_forms(tmp_path, name, text, expected):
    if name.endswith(".yaml"):
        pytest.importorskip("yaml")
    path = tmp_path / name
    path.write_text(text)
    assert load_class_map(path, gt=GT) == expected


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("classes.txt", "1899\nparacetamol\n", r"classes\.txt: class 1: \"paracetamol\" is not a category id nor a category name"),
        ("map.json", '{"a": 1899}', r"map\.json: class map key \"a\" must be a class index"),
        ("map.json", "[1899, 1899]", r"map\.json: classes 0 and 1 both map to category 1899"),
        ("map.json", "[]", r"map\.json: the class map is empty"),
    ],
)  # fmt: skip
def test_bad_class_maps(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputFormatError, match=message):
        load_class_map(path, gt=GT)


def test_class_names_need_a_ground_truth(tmp_path):
    path = tmp_path / "classes.txt"
    path.write_text("K-001900\n")
    with pytest.raises(InputFormatError) as err:
        load_class_map(path)
    assert err.value.problems == (
        f'{path}: class 0: "K-001900" is not a category id (names need a ground truth to be resolved)',
    )


# --- usage errors ----------------------------------------------------------------------------


def test_usage_errors(tmp_path):
    src = tmp_path / "run.json"
    src.write_text("[]")
    folder = yolo_folder(tmp_path, {"1.txt": ""})
    with pytest.raises(ConfigError, match=r"cannot tell the output format from the suffix '\.txt'"):
        convert(src, tmp_path / "out.txt")
    with pytest.raises(
        ConfigError,
        match=r"class_map: .*labels: YOLO predictions hold class indices .* give a class map",
    ):
        convert(folder, tmp_path / "out.csv")
    with pytest.raises(
        ConfigError,
        match=r"input_format: .*labels is a folder; the input format 'csv' expects a file",
    ):
        convert(folder, tmp_path / "out.csv", input_format="csv")
    with pytest.raises(
        ConfigError,
        match=r"input_format: .*run\.json is not a folder; the input format 'yolo' expects",
    ):
        convert(src, tmp_path / "out.csv", input_format="yolo", class_map={0: 1})
    with pytest.raises(
        ConfigError, match=r"output_format: must be one of auto, coco, csv, got 'xml'"
    ):
        convert(src, tmp_path / "out.csv", output_format="xml")
    assert not (tmp_path / "out.csv").exists()


def test_a_plain_folder_is_named_in_its_error(tmp_path):
    folder = tmp_path / "photos"
    write_png(folder / "1.png", 2, 2)
    with pytest.raises(
        InputFormatError, match=r"photos: a folder without \.txt files: not YOLO predictions"
    ):
        convert(folder, tmp_path / "out.json")
    with pytest.raises(InputFormatError, match=r"photos: no \.txt files; expected one YOLO"):
        convert(folder, tmp_path / "out.json", class_map={0: 1})


# --- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: &c [*b, *b]\nnames: [*c, *c]\n',
            r"data\.yaml: uses a YAML alias \(\*a\); a class map must write every name out",
        ),
        ("names: " + "[" * 5000 + "]" * 5000 + "\n", r"YAML nested more than 20 levels deep"),
        (
            "names:\n  0: 2024-13-45\n",
            r"data\.yaml: not valid YAML: ValueError: month must be in 1\.\.12",
        ),
        ("names: {0: 1899, 99999999999999999999: 2}\n", r"expected a YOLO data\.yaml with 'names'"),
        (
            "names: [1899, 99999999999999999999]\n",
            r"class 1: 99999999999999999999 is not a category id",
        ),
    ],
    ids=["billion-laughs", "deep", "bad-timestamp", "huge-index", "huge-id"],
)
def test_hostile_yaml_class_maps_are_refused_quickly(tmp_path, text, message):
    pytest.importorskip("yaml")
    path = tmp_path / "data.yaml"
    path.write_text(text)
    with pytest.raises(InputFormatError, match=message):
        load_class_map(path)


def test_a_yaml_class_map_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    pytest.importorskip("yaml")
    from pill_compare.prep import yolo

    monkeypatch.setattr(yolo, "MAX_YAML_BYTES", 100)
    path = tmp_path / "data.yaml"
    path.write_text("names: [" + ", ".join(["1899"] * 50) + "]\n")
    with pytest.raises(InputFormatError, match=r"data\.yaml: larger than 0 MiB"):
        load_class_map(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"²": 1899}', r'class map key "²" must be a class index'),
        ('{"１": 1899}', r'class map key "１" must be a class index'),
        ("[1899, 9223372036854775808]", r"class 1: 9223372036854775808 is not a category id"),
    ],
)
def test_class_map_keys_and_ids_are_ascii_int64(tmp_path, text, message):
    path = tmp_path / "map.json"
    path.write_text(text)
    with pytest.raises(InputFormatError, match=message):
        load_class_map(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("0 0.5 0.5 ５ 0.1", r"expected 'class cx cy w h \[score\]' \(5 or 6 numbers\), got"),
        ("0 0.5 0.5 1_0 0.1", r"expected 'class cx cy w h \[score\]'"),
        ("0 0.5 0.5 0.1 0.1 nan", r"expected 'class cx cy w h \[score\]'"),
        (
            "0 1e308 0.5 1e308 0.1 0.9",
            r"line 1: the box in pixels must have every coordinate within ±1e\+150 px",
        ),
    ],
)
def test_yolo_numbers_follow_the_loaders_grammar_and_stay_finite(tmp_path, line, message):
    folder = yolo_folder(tmp_path, {"17.txt": line + "\n"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputFormatError, match=message):
            load_yolo_predictions(folder, class_map={0: 1899}, gt=GT)


@pytest.mark.parametrize("stem", ["²", "１７", "99999999999999999999"])
def test_yolo_stems_that_are_not_ascii_int64_are_not_image_ids(tmp_path, stem):
    folder = yolo_folder(tmp_path, {f"{stem}.txt": "0 0.5 0.5 0.1 0.1 0.9\n"})
    with pytest.raises(InputFormatError) as err:
        load_yolo_predictions(folder, class_map={0: 1899})
    assert err.value.problems == (
        f"{folder / (stem + '.txt')}: cannot tell its image id: the name is not an integer and "
        "no ground truth given",
    )


def test_a_pipe_is_read_once_whole(tmp_path):
    # `pillcmp convert <(zcat r.json.gz) out.csv`: peeking at the pipe would eat its first bytes.
    text = json.dumps([{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.5}])
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, text.encode())
        os.close(write_fd)
        result = convert(f"/dev/fd/{read_fd}", tmp_path / "out.csv")
    finally:
        os.close(read_fd)
    assert (result.input_format, result.detections) == ("auto", 1)
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == "1,1,2,1,2,3,4,0.5"
