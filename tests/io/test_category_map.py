"""``--category-map`` specs and map files: every form read, every error pinned, written maps
read back."""

from __future__ import annotations

import re

import pytest

from pill_compare.core import CategoryIdMap
from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io.category_map import category_map_json, parse_category_map
from tests.conftest import write_text


def test_auto_and_offset_specs():
    assert parse_category_map("auto") == "auto"
    assert parse_category_map(" AUTO ") == "auto"
    m = parse_category_map("offset:-1")
    assert m == CategoryIdMap({}, offset=-1, origin="offset", source="offset:-1")
    assert parse_category_map("offset:+2").offset == 2
    assert parse_category_map("Offset : 3").offset == 3


@pytest.mark.parametrize("spec", ["offset:x", "offset:", "offset:1.5", "offset=1", "offset:9" * 20])
def test_bad_offset_spec_is_bad_usage(spec):
    with pytest.raises(ConfigError, match=r"expected 'offset:N' with N a whole number") as exc:
        parse_category_map(spec)
    assert exc.value.param == "category_map"
    assert exc.value.exit_code == 2


def test_missing_file_names_every_form():
    with pytest.raises(
        ConfigError,
        match=r"^category_map: \"ofset1\.json\": expected 'auto', 'offset:N' .* or a map file "
        r"\(JSON \{\"from\": to\} or CSV from,to\); no such file",
    ):
        parse_category_map("ofset1.json")
    with pytest.raises(ConfigError, match="no such file"):
        parse_category_map("")


def test_json_flat_map_with_and_without_offset(tmp_path):
    # Keys are the ids the results file writes; values the ids to use.
    path = write_text(tmp_path, "m.json", '{"1900": 1899, "-3": 7, "5": 5.0}')
    m = parse_category_map(str(path))
    assert m == CategoryIdMap({1900: 1899, -3: 7, 5: 5}, origin="file", source=str(path))
    path = write_text(tmp_path, "o.json", '{"offset": -1, "0": 16547}')
    m = parse_category_map(str(path))
    assert (m.mapping, m.offset) == ({0: 16547}, -1)


def test_csv_map_with_header_comments_blank_lines_and_tabs(tmp_path):
    path = write_text(tmp_path, "m.csv", "# index to dl_idx\nfrom,to\n0,1899\n\n 1 , 3482\n")
    assert parse_category_map(path).mapping == {0: 1899, 1: 3482}
    path = write_text(tmp_path, "m.tsv", "0\t1899\n1\t3482\n")
    assert parse_category_map(path).mapping == {0: 1899, 1: 3482}


@pytest.mark.parametrize(
    "m",
    [
        CategoryIdMap({0: 1899, 12: 3482, 1: 16550}, origin="auto", source="gt.json"),
        CategoryIdMap({}, offset=-1, origin="auto", source="ground_truth.json"),
        CategoryIdMap({5: 6}, offset=2, origin="file", source="x.csv"),
    ],
)
def test_written_map_reads_back_to_the_same_ids(tmp_path, m):
    text = category_map_json(m)
    path = write_text(tmp_path, "map.json", text)
    back = parse_category_map(path)
    assert (back.mapping, back.offset) == (m.mapping, m.offset)
    assert (back.origin, back.source) == ("file", str(path))
    assert text.endswith("}\n") and f'"source": "{m.source}"' in text


def test_written_map_lists_ids_in_ascending_order():
    text = category_map_json(CategoryIdMap({12: 1, 3: 2, -1: 3}))
    assert text.index('"-1"') < text.index('"3"') < text.index('"12"')


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"x": 1}', r'key "x": must be a category id as the results file writes it .*got "x"'),
        ('{"1": 1.5}', r'key "1": the id to use must be an integer, got 1\.5'),
        ('{"1": true}', r'key "1": the id to use must be an integer, got true'),
        ('{"1": "2"}', r'key "1": the id to use must be an integer, got "2"'),
        ('{"1": 2, "1": 3}', r'key "1": given 2 times; keep one'),
        ('{"1": 2, "01": 3}', r'key "01": id 1 is mapped twice'),
        ('{"offset": "a"}', r"key 'offset': must be an integer, got \"a\" \(the number added"),
        ('{"mapping": {"1": 2}, "extra": 1}', r'key "extra": not a key of a map with .mapping.'),
        ('{"mapping": {"a": 2}}', r'key "mapping\.a": must be a category id'),
        ('{"mapping": [1, 2]}', r"key 'mapping': must be a JSON object"),
    ],
)
def test_bad_json_map_names_the_key_and_what_was_expected(tmp_path, content, problem):
    path = write_text(tmp_path, "m.json", content)
    with pytest.raises(
        InputFormatError, match=r"m\.json: \d problem\(s\) in the category map"
    ) as e:
        parse_category_map(path)
    assert e.value.exit_code == 1
    assert any(re.search(problem, p) for p in e.value.problems), e.value.problems


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("from,to\n1,2,3\n", r"line 2: expected 2 columns from,to \(two integer ids\), got 3"),
        ("1,2\nx,3\n", r"line 2: 'from' must be an integer in the int64 range .*got \"x\""),
        ("1,2\n3,y\n", r"line 2: 'to' must be an integer .*got \"y\""),
        ("1,2\n1,3\n", r"line 2: id 1 is mapped already on line 1; keep one"),
    ],
)
def test_bad_csv_map_names_the_line(tmp_path, content, problem):
    path = write_text(tmp_path, "m.csv", content)
    with pytest.raises(InputFormatError, match="problem\\(s\\) in the category map") as e:
        parse_category_map(path)
    assert any(re.search(problem, p) for p in e.value.problems), e.value.problems


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", r"expected a category map: .* got a JSON list; write one object"),
        ("{}", r"the category map maps no id"),
        ('{"1": ', r"the JSON is truncated"),
        ("from,to\n# nothing\n", r"the category map maps no id"),
        ("# only a comment\n", r"no id pair in the file"),
        ("", r"the file is empty"),
    ],
)
def test_a_file_that_is_not_a_map_says_why(tmp_path, content, message):
    path = write_text(tmp_path, "m.json", content)
    with pytest.raises(InputFormatError, match=message):
        parse_category_map(path)


def test_spec_must_be_text():
    with pytest.raises(TypeError, match="Expected a category map spec"):
        parse_category_map(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Expected a CategoryIdMap, got dict"):
        category_map_json({1: 2})  # type: ignore[arg-type]
