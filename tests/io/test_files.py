"""Reading raw files: missing, empty, binary, bad JSON; sniffing the format."""

import pytest

from pill_compare.errors import InputFormatError
from pill_compare.io.files import parse_json, read_text, sniff_format
from tests.conftest import write_text


def test_missing_file_names_the_path_and_what_was_expected(tmp_path):
    with pytest.raises(InputFormatError, match=r"nope\.json: no such file \(expected COCO\)"):
        read_text(tmp_path / "nope.json", "COCO")


def test_directory_is_refused(tmp_path):
    with pytest.raises(InputFormatError, match="is a directory, expected a COCO file"):
        read_text(tmp_path, "COCO")


def test_empty_and_blank_files_are_refused(tmp_path):
    for name, content in (("empty.json", ""), ("blank.json", " \n\t\n")):
        with pytest.raises(InputFormatError, match=rf"{name}: the file is empty, expected COCO"):
            read_text(write_text(tmp_path, name, content), "COCO")


def test_binary_file_is_refused_with_the_offset_of_its_first_nul(tmp_path):
    path = write_text(tmp_path, "model.pt", b"PK\x03\x04\x00\x00weights")
    with pytest.raises(InputFormatError, match=r"binary data \(a NUL byte at offset 4\)"):
        read_text(path, "COCO")


def test_non_utf8_text_is_refused(tmp_path):
    path = write_text(tmp_path, "latin1.csv", "caf\xe9".encode("latin-1"))
    with pytest.raises(InputFormatError, match=r"not UTF-8 text \(undecodable byte at offset 3\)"):
        read_text(path, "CSV")


def test_utf8_bom_is_accepted(tmp_path):
    path = write_text(tmp_path, "bom.json", b"\xef\xbb\xbf[]")
    assert read_text(path, "COCO") == "[]"


def test_not_json_reports_line_and_column():
    with pytest.raises(
        InputFormatError, match=r"x\.json: not valid JSON: Expecting value at line 2, column 1"
    ):
        parse_json("[1,\n]", "x.json", "COCO")


def test_json_cut_off_mid_value_is_reported_as_truncated():
    # '[{"a": [1, 2' ends where a ',' or ']' should follow: the 13th column of line 1.
    with pytest.raises(
        InputFormatError,
        match=r"the JSON is truncated: it ends unexpectedly at line 1, column 13 .*cut off",
    ):
        parse_json('[{"a": [1, 2', "x.json", "COCO")


def test_json_cut_off_inside_a_string_is_reported_as_truncated():
    # The open string '"sc' starts at column 8 and runs to the end of the text.
    with pytest.raises(
        InputFormatError,
        match=r"truncated: it ends inside a string that starts at line 1, column 8",
    ):
        parse_json('[{"a": "sc', "x.json", "COCO")


def test_json_nested_too_deeply_is_an_input_error():
    with pytest.raises(InputFormatError, match="JSON nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000, "x.json", "COCO")


def test_sniff_uses_content_before_suffix():
    assert sniff_format("a.csv", "  [ ]") == "coco"
    assert sniff_format("a.json", "annotation_id,image_id\n1,2\n") == "csv"
    assert sniff_format("a.csv", "just words") == "csv"
    assert sniff_format("a.txt", "just words") == "coco"  # the JSON parser then explains
