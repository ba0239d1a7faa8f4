"""msgspec decoding: results straight into the validating path's columns (or None), and
``parse_json`` building exactly the objects ``json.loads`` builds."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pill_compare.errors import ConsistencyError, InputFormatError
from pill_compare.io import ground_truth_from_dict, load_ground_truth, load_results, typed_json
from pill_compare.io.files import parse_json
from pill_compare.io.records import extract_columns
from pill_compare.io.results import RESULT_FIELDS
from pill_compare.io.typed_json import decode_results
from tests.conftest import SAMPLE, write_text

pytest.importorskip("msgspec")


def _validating_columns(text: str) -> dict:
    return extract_columns(json.loads(text), RESULT_FIELDS, path="f.json", what="detection")


def _assert_same_columns(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key].dtype == value.dtype and got[key].shape == value.shape, key
        # Bit for bit: NaN never occurs here, -0.0 must stay -0.0.
        assert got[key].tobytes() == value.tobytes(), key


def test_the_sample_file_decodes_to_the_validating_paths_columns_bit_for_bit():
    text = (SAMPLE / "resnet101.json").read_text(encoding="utf-8")
    _assert_same_columns(decode_results(text), _validating_columns(text))


def test_an_empty_list_decodes_to_empty_columns():
    cols = decode_results("[]")
    assert cols["bbox"].shape == (0, 4) and cols["image_id"].dtype == np.int64


def test_integers_in_number_fields_and_extreme_valid_values_match_json():
    # ids at the int64 edge, an integer score, -0.0, the smallest subnormal, an integer beyond
    # 2^64 in a box (rounded to the nearest float64 as float() rounds it).
    text = json.dumps(
        [
            {"image_id": 2**63 - 1, "category_id": -(2**63 - 1), "bbox": [0, -0.0, 0, 3],
             "score": 1},
            {"image_id": 0, "category_id": 7, "bbox": [10**20 + 1, 5e-324, 1.5, 2], "score": -0.0},
        ]
    )  # fmt: skip
    _assert_same_columns(decode_results(text), _validating_columns(text))


def test_a_repeated_key_keeps_its_last_value_as_json_does():
    text = '[{"image_id": 1, "image_id": 2, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}]'
    assert decode_results(text)["image_id"].tolist() == [2]


def test_keys_it_does_not_know_are_ignored_as_by_the_validating_path():
    text = '[{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5, "id": "x"}]'
    _assert_same_columns(decode_results(text), _validating_columns(text))


@pytest.mark.parametrize(
    "record",
    [
        '{"image_id": 1.0, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}',  # float id
        '{"image_id": true, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}',
        '{"image_id": null, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}',
        '{"category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}',  # missing
        '{"image_id": -9223372036854775808, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}',
        '{"image_id": 9223372036854775808, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}',
        '{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": NaN}',
        '{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 1e400}',
        '{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4, 5], "score": 0.5}',
        '{"image_id": 1, "category_id": 3, "bbox": [1, 2, -3, 4], "score": 0.5}',
        '{"image_id": 1, "category_id": 3, "bbox": [1e200, 2, 3, 4], "score": 0.5}',
        '{"image_id": 1, "category_id": 3, "bbox": "1,2,3,4", "score": 0.5}',
        '{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": "0.5"}',
        '{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5, "x": "\\ud800"}',
        "[1, 3, [1, 2, 3, 4], 0.5]",
    ],
)
def test_anything_but_a_valid_record_falls_back_to_the_validating_path(record):
    assert decode_results(f"[{record}]") is None


@pytest.mark.parametrize(
    "text",
    [
        '{"annotations": []}',  # the other accepted shape: the validating path reads it
        '[{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}] x',
        '[{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_other_documents_and_bad_json_fall_back(text):
    assert decode_results(text) is None


def test_a_bad_record_keeps_its_record_level_message(tmp_path):
    # The decoder fails on record #1; the validating path names it, as before.
    path = write_text(
        tmp_path,
        "r.json",
        '[{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.5},'
        ' {"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": null}]',
    )
    with pytest.raises(InputFormatError, match=r"r\.json: detection #1: 'score' is null"):
        load_results(path)


def test_without_msgspec_the_validating_path_loads_the_same_detections(monkeypatch):
    fast = load_results(SAMPLE / "resnet101.json")
    monkeypatch.setitem(typed_json._DECODERS, "results", None)  # as when msgspec is missing
    assert decode_results("[]") is None
    slow = load_results(SAMPLE / "resnet101.json")
    for key in ("image_id", "category_id", "bbox", "score"):
        assert getattr(fast, key).tobytes() == getattr(slow, key).tobytes()


_DIGITS = st.text("0123456789", min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6).map(
                repr
            ),
            # long decimal text: correct rounding to the nearest float64 is what is tested
            st.tuples(_DIGITS, _DIGITS, st.integers(-30, 30)).map(
                lambda t: f"{t[0].lstrip('0') or '0'}.{t[1]}e{t[2]}"
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_numbers_decode_to_the_same_float64_as_json(numbers):
    records = [
        f'{{"image_id": 1, "category_id": 2, "bbox": [{v}, 0, 1, 1], "score": {v}}}'
        for v in numbers
    ]
    text = "[" + ",".join(records) + "]"
    _assert_same_columns(decode_results(text), _validating_columns(text))


def _same(x, y) -> bool:
    """Equal values of equal types all the way down (1 != 1.0 here; -0.0 != 0.0)."""
    if type(x) is not type(y):
        return False
    if isinstance(x, dict):
        return list(x) == list(y) and all(_same(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, float):
        return x.hex() == y.hex() or (x != x and y != y)
    return x == y


def test_parse_json_builds_the_objects_json_builds_from_the_sample_ground_truth():
    text = (SAMPLE / "ground_truth.json").read_text(encoding="utf-8")
    assert _same(parse_json(text, "gt.json", "COCO"), json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2.5, "b": [-0, -0.0, 1E5, 1e-400, 18446744073709551616]}',
        "[NaN, Infinity, -Infinity, 1e400]",  # json reads these (refused later, with a record)
        '["\\ud800", "\\u00e9", "한국어"]',  # a lone surrogate: json keeps it, the checks refuse it
        "[" + "9" * 400 + "]",
    ],
)
def test_parse_json_equals_json_loads_on_edge_values(text):
    got = parse_json(text, "f.json", "COCO")
    assert _same(got, json.loads(text))


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=80, deadline=None)
@given(_JSON)
def test_parse_json_equals_json_loads_on_random_documents(doc):
    text = json.dumps(doc, ensure_ascii=False)
    assert _same(parse_json(text, "f.json", "COCO"), json.loads(text))


def _records(n: int, note: str = "") -> list[str]:
    extra = f', "note": "{note}"' if note else ""
    return [
        f'{{"image_id": {i}, "category_id": {i % 3}, "bbox": [{i}.5, 2, 3, 4], "score": 0.{i}{extra}}}'
        for i in range(1, n + 1)
    ]


def test_a_list_decoded_in_small_chunks_gives_the_columns_of_the_whole(monkeypatch):
    # Chunks of 40 characters: a cut after nearly every record ('}, '), across 3 chunk sizes.
    text = "\n [" + ", ".join(_records(30)) + "] \n"
    want = _validating_columns(text)
    for size in (40, 97, 10_000):
        monkeypatch.setattr(typed_json, "CHUNK_CHARS", size)
        _assert_same_columns(decode_results(text), want)


@pytest.mark.parametrize("chunk", [40, 10_000])
def test_a_list_decoded_in_two_halves_gives_the_columns_of_the_whole(monkeypatch, chunk):
    # Halves (the second in a child process where one can fork), each in chunks or whole.
    text = "\n [" + ", ".join(_records(31)) + "] \n"
    monkeypatch.setattr(typed_json, "PARALLEL_CHARS", 50)
    monkeypatch.setattr(typed_json, "CHUNK_CHARS", chunk)
    _assert_same_columns(decode_results(text), _validating_columns(text))
    one = "[" + _records(1)[0] + "]"  # no '},' to cut at: decoded whole
    _assert_same_columns(decode_results(one), _validating_columns(one))


@pytest.mark.parametrize(
    "text",
    [
        "[" + ", ".join(_records(20)) + ", ]",  # a trailing comma: not JSON
        "[" + ", ".join(_records(20)) + ",, " + _records(1)[0] + "]",  # an empty element
        "[" + ", ".join(_records(20)) + "] x",
        "[" + _records(1)[0] + ", ]",  # the trailing comma right at the halves' cut
        "[" + ", ".join(_records(20)) + ", {]",  # a broken record in the second half
    ],
)
@pytest.mark.parametrize("halves", [False, True])
def test_chunked_decoding_refuses_what_json_refuses(monkeypatch, text, halves):
    monkeypatch.setattr(typed_json, "CHUNK_CHARS", 40)
    if halves:  # the cut between the halves lands on a '},' too
        monkeypatch.setattr(typed_json, "PARALLEL_CHARS", 50)
    assert decode_results(text) is None
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_a_cut_inside_a_string_falls_back_and_loads_the_same(monkeypatch, tmp_path):
    # Every record holds '},' inside a string: a cut there leaves its chunk unterminated, so the
    # decoder gives up and the validating path reads the file; the detections are the same.
    text = "[" + ", ".join(_records(20, note="a}, {b")) + "]"
    monkeypatch.setattr(typed_json, "CHUNK_CHARS", 40)
    assert decode_results(text) is None
    dets = load_results(write_text(tmp_path, "r.json", text))
    want = _validating_columns(text)
    for key in ("image_id", "category_id", "bbox", "score"):
        assert getattr(dets, key).tobytes() == want[key].tobytes()


@pytest.mark.parametrize("halves", [False, True])
def test_columns_grow_when_later_records_are_denser_than_the_first_chunks(monkeypatch, halves):
    # Long records first (their density sizes the arrays), then short ones: the arrays grow.
    long_first = _records(12, note="x" * 200) + _records(60)
    short_first = _records(60) + _records(12, note="x" * 200)
    monkeypatch.setattr(typed_json, "CHUNK_CHARS", 300)
    if halves:
        monkeypatch.setattr(typed_json, "PARALLEL_CHARS", 50)
    for records in (long_first, short_first):
        text = "[" + ", ".join(records) + "]"
        _assert_same_columns(decode_results(text), _validating_columns(text))
        _assert_same_columns(decode_results(text.encode()), _validating_columns(text))


def test_a_file_with_text_beyond_ascii_loads_as_its_text_does(tmp_path):
    # Not ASCII: read as checked UTF-8 text first, then decoded; the same detections.
    text = "[" + ", ".join(_records(5, note="정제 é")) + "]"
    dets = load_results(write_text(tmp_path, "r.json", text))
    want = _validating_columns(text)
    assert dets.bbox.tobytes() == want["bbox"].tobytes()
    assert dets.image_id.tolist() == want["image_id"].tolist()


def test_a_byte_that_is_not_utf8_in_an_ignored_field_is_still_refused(tmp_path):
    # msgspec skips unknown fields without checking their bytes; the loader checks the text.
    path = tmp_path / "r.json"
    path.write_bytes(("[" + _records(1, note="a")[0] + "]").encode().replace(b'"a"', b'"\xff"'))
    with pytest.raises(InputFormatError, match="not UTF-8"):
        load_results(path)


# --- the ground truth ------------------------------------------------------------------------


def _same_ground_truth(got, want) -> None:
    for part in ("images", "annotations"):
        a, b = getattr(got, part), getattr(want, part)
        for name in a.__dataclass_fields__:
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, np.ndarray) and x.dtype != object:
                assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), (part, name)
            elif isinstance(x, dict):  # attributes: key -> object column
                assert x.keys() == y.keys() and all(list(x[k]) == list(y[k]) for k in x), name
            else:
                assert list(x) == list(y), (part, name)
    assert got.categories == want.categories and got.warnings == want.warnings


def _random_ground_truth(seed: int) -> dict:
    """Valid COCO ground truth with optional keys left out, ints for floats, extra keys,
    attributes, crowd regions, segmentations and non-ASCII names."""
    rng = np.random.default_rng(seed)
    images = []
    for i in range(int(rng.integers(1, 8))):
        image = {"id": int(rng.integers(-5, 10**12)), "license": 1}
        if rng.random() < 0.7:
            image["file_name"] = f"정제_{i}.png"
        if rng.random() < 0.7:
            image["width"], image["height"] = 640, float(rng.integers(1, 900)) + 0.25
        images.append(image)
    ids = sorted({int(x) for x in rng.integers(1, 10**6, 4)})
    categories = [
        {"id": c, "name": f"K-{c}", "supercategory": "pill", "color": "흰색"} for c in ids
    ]
    annotations = []
    for j in range(int(rng.integers(0, 30))):
        ann = {
            "id": j + 1,
            "image_id": images[int(rng.integers(len(images)))]["id"],
            "category_id": int(rng.choice(ids)),
            "bbox": [float(rng.integers(0, 50)), 1.5, int(rng.integers(1, 90)), 0.125],
            "segmentation": [[1, 2, 3, 4]],
        }
        if rng.random() < 0.7:
            ann["area"] = float(rng.random() * 100)
        if rng.random() < 0.5:
            ann["iscrowd"] = int(rng.random() < 0.2)
        if rng.random() < 0.3:
            ann["attributes"] = {"drug_shape": "원형", "n": int(rng.integers(3))}
        annotations.append(ann)
    return {"info": {"year": 2026}, "images": images, "annotations": annotations,
            "categories": categories}  # fmt: skip


@pytest.mark.parametrize("seed", range(25))
def test_a_ground_truth_decoded_typed_equals_the_validating_paths(seed, tmp_path):
    doc = _random_ground_truth(seed)
    text = json.dumps(doc, ensure_ascii=seed % 2 == 0)
    assert typed_json.decode_ground_truth(text) is not None
    got = load_ground_truth(write_text(tmp_path, "gt.json", text))
    _same_ground_truth(got, ground_truth_from_dict(json.loads(text), source=got.source))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["annotations"][0].update(area=None),  # null: the default, validating path
        lambda d: d["annotations"][0].update(iscrowd=True),  # a bool flag is accepted there
        lambda d: d["annotations"][0].update(id=17.0),  # an integral float id too
        lambda d: d["images"][0].update(file_name=None),
        lambda d: d["annotations"][0].update(area=-1.0),  # refused: named there
        lambda d: d["annotations"][0].update(iscrowd=2),
        lambda d: d["annotations"][0].update(bbox=[1, 2, 0, 4]),
        lambda d: d["annotations"][0].update(bbox=[1e200, 2, 3, 4]),
        lambda d: d["images"][0].update(width=-3),
        lambda d: d["images"][0].update(file_name="\ud800"),
        lambda d: d.update(categories=[]),
        lambda d: d.pop("images"),
    ],
)
def test_anything_else_in_a_ground_truth_goes_to_the_validating_path(change, tmp_path):
    doc = _random_ground_truth(1)
    doc["annotations"] = doc["annotations"] or [
        {"id": 1, "image_id": doc["images"][0]["id"], "category_id": doc["categories"][0]["id"],
         "bbox": [1, 2, 3, 4]}
    ]  # fmt: skip
    change(doc)
    text = json.dumps(doc)
    assert typed_json.decode_ground_truth(text) is None
    path = write_text(tmp_path, "gt.json", text)
    try:
        want = ground_truth_from_dict(json.loads(text), source=str(path))
    except (InputFormatError, ConsistencyError) as exc:
        with pytest.raises(type(exc)) as got:
            load_ground_truth(path)
        assert str(got.value) == str(exc)
    else:
        _same_ground_truth(load_ground_truth(path), want)


def test_a_mapped_results_file_loads_as_a_read_one(tmp_path, monkeypatch):
    from pill_compare.io import files

    read = load_results(SAMPLE / "resnet101.json")
    bad = write_text(
        tmp_path,
        "bad.json",
        "[" + ", ".join(_records(30)) + ', {"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, '
        '4], "score": null}]',
    )
    monkeypatch.setattr(files, "MAP_BYTES", 1)  # every file mapped
    mapped = load_results(SAMPLE / "resnet101.json")
    for key in ("image_id", "category_id", "bbox", "score"):
        assert getattr(mapped, key).tobytes() == getattr(read, key).tobytes()
    with pytest.raises(InputFormatError, match=r"bad\.json: detection #30: 'score' is null"):
        load_results(bad)  # the validating path reads the mapped file's text
