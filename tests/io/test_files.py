"""Reading raw files: missing, empty, binary, bad JSON, devices, pipes; sniffing the format."""

import os
import threading
import time

import pytest

from pill_compare.errors import InputFormatError
from pill_compare.io import files
from pill_compare.io.files import display_path, parse_json, printable, read_text, sniff_format
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


# --- hostile inputs: devices, pipes, encodings, huge integers ------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_character_devices_are_refused_before_reading(device):
    with pytest.raises(
        InputFormatError,
        match=rf"{device}: not a regular file \(a character device\), expected a COCO file",
    ):
        read_text(device, "COCO")


def test_a_socket_is_refused(tmp_path):
    import socket

    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(InputFormatError, match=r"s\.sock: not a regular file \(a socket\)"):
            read_text(path, "COCO")


def test_fifo_with_no_writer_times_out_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "PIPE_WAIT_SECONDS", 0.2)
    path = tmp_path / "in.json"
    os.mkfifo(path)
    start = time.monotonic()
    with pytest.raises(InputFormatError, match=r"in\.json: a pipe that sent no data for 0\.2 s"):
        read_text(path, "COCO")
    assert time.monotonic() - start < 5


def test_fifo_written_by_another_thread_is_read_to_its_end(tmp_path):
    path = tmp_path / "in.json"
    os.mkfifo(path)

    def write() -> None:
        time.sleep(0.1)  # the reader opens first, as with a slow producer
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("[1,")
            fh.flush()
            time.sleep(0.1)
            fh.write(" 2]")

    writer = threading.Thread(target=write)
    writer.start()
    assert read_text(path, "COCO") == "[1, 2]"
    writer.join()


def test_fifo_whose_writer_sends_nothing_is_empty(tmp_path):
    path = tmp_path / "in.json"
    os.mkfifo(path)
    writer = threading.Thread(target=lambda: (time.sleep(0.1), open(path, "w").close()))
    writer.start()
    with pytest.raises(InputFormatError, match=r"in\.json: the file is empty"):
        read_text(path, "COCO")
    writer.join()


def test_process_substitution_pipe_is_read(tmp_path):
    # `pillcmp eval gt.json <(zcat r.json.gz)` passes /dev/fd/N, an anonymous pipe.
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, b'[{"a": 1}]')
        os.close(write_fd)
        assert read_text(f"/dev/fd/{read_fd}", "COCO") == '[{"a": 1}]'
    finally:
        os.close(read_fd)


def test_pipe_larger_than_the_input_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", 10)
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, b"[" + b"1," * 20 + b"1]")
        os.close(write_fd)
        with pytest.raises(InputFormatError, match=r"larger than the .* GiB input limit"):
            read_text(f"/dev/fd/{read_fd}", "COCO")
    finally:
        os.close(read_fd)


def test_regular_file_larger_than_the_input_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", 10)
    path = write_text(tmp_path, "big.json", "[" + "1," * 20 + "1]")
    with pytest.raises(InputFormatError, match=r"big\.json: larger than the .* GiB input limit"):
        read_text(path, "COCO")


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-16", "UTF-16"),  # with its byte-order mark
        ("utf-16-le", "UTF-16"),  # without: a NUL after every ASCII byte
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
    ],
)
def test_utf16_and_utf32_text_is_named_with_the_fix(tmp_path, encoding, name):
    path = write_text(tmp_path, "r.json", '[{"name": "알약", "id": 1}]'.encode(encoding))
    with pytest.raises(
        InputFormatError, match=rf"r\.json: looks like {name} text; save it as UTF-8"
    ):
        read_text(path, "COCO")


def test_doubled_bom_is_refused_with_its_line(tmp_path):
    path = write_text(tmp_path, "s.csv", b"\xef\xbb\xbf\xef\xbb\xbfannotation_id\n")
    with pytest.raises(
        InputFormatError, match=r"s\.csv: line 1: starts with a second byte-order mark"
    ):
        read_text(path, "CSV")


def test_integer_beyond_pythons_digit_limit_names_file_line_and_length():
    text = '[{"image_id":\n  ' + "9" * 5000 + "}]"
    with pytest.raises(
        InputFormatError,
        match=r"x\.json: line 2, column 3: an integer with 5,000 digits, too long to read "
        r"\(ids must be integers in the int64 range",
    ):
        parse_json(text, "x.json", "COCO")


def test_a_long_fraction_is_a_float_not_a_huge_integer():
    assert parse_json("[0." + "1" * 5000 + "]", "x.json", "COCO") == [pytest.approx(1 / 9)]


def test_display_path_escapes_what_cannot_be_printed_and_keeps_hangul():
    assert display_path("알약 (1).json") == "알약 (1).json"
    assert display_path("caf\udce9.json") == "caf\\udce9.json"  # an undecodable byte
    assert display_path("a\x1b[2Jb\n.json") == "a\\x1b[2Jb\\x0a.json"
    assert display_path(display_path("caf\udce9.json")) == "caf\\udce9.json"  # idempotent


def test_file_name_with_undecodable_bytes_is_shown_printably(tmp_path):
    name = os.fsdecode(b"bad\xff.json")
    with pytest.raises(InputFormatError, match=r"bad\\udcff\.json: no such file") as e:
        read_text(tmp_path / name, "COCO")
    str(e.value).encode("utf-8")  # printable and writable


def test_file_sha256_fingerprints_regular_files_only(tmp_path):
    import hashlib

    from pill_compare.io.files import file_sha256

    path = write_text(tmp_path, "a.json", "[]")
    assert file_sha256(path) == hashlib.sha256(b"[]").hexdigest()
    assert file_sha256(tmp_path) is None and file_sha256("/dev/null") is None


def test_printable_is_the_one_cleaning_with_or_without_lines():
    # bidirectional overrides reorder what is shown: escaped like controls
    assert printable("a\u202eb\x1b[2J") == "a\\u202eb\\x1b[2J"
    assert printable("a\nb\tc") == "a\\x0ab\\x09c"  # one line
    assert printable("a\nb\tc", keep_lines=True) == "a\nb\tc"
    assert printable("보령 5mg") == "보령 5mg"


def test_a_large_regular_file_is_mapped_and_reads_as_its_bytes(tmp_path, monkeypatch):
    import mmap

    path = write_text(tmp_path, "r.json", b'[{"a": 1}]' * 50)
    monkeypatch.setattr(files, "MAP_BYTES", 100)
    with files.input_bytes(path, "COCO") as data:
        assert isinstance(data, mmap.mmap)
        assert data[:] == path.read_bytes() and len(data) == 500 and data.find(b"}]") == 8
        assert files.is_ascii(data)
    assert data.closed
    monkeypatch.setattr(files, "MAP_BYTES", 501)
    with files.input_bytes(path, "COCO") as data:
        assert data == path.read_bytes()  # smaller: read


def test_a_mapped_file_with_a_byte_beyond_ascii_is_not_ascii(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAP_BYTES", 1)
    path = write_text(tmp_path, "r.json", "[" + " " * 300 + '"é"]')
    with files.input_bytes(path, "COCO") as data:
        assert not files.is_ascii(data)


def test_mapped_or_read_an_unreadable_input_says_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAP_BYTES", 1)
    for path, message in ((tmp_path / "nope.json", "no such file"), (tmp_path, "is a directory")):
        with pytest.raises(InputFormatError, match=message), files.input_bytes(path, "COCO"):
            pass
