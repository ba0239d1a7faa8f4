"""Reading raw input files safely and sniffing their format. Outputs: :mod:`pill_compare.io.outputs`.

Inputs may be regular files or pipes (a FIFO, or process substitution such as ``<(zcat x.gz)``,
which the shell passes as ``/dev/fd/N``). Anything else (``/dev/zero``, sockets, terminals) is
refused before a byte is read; a pipe is read up to :data:`MAX_INPUT_BYTES` and waited on at most
:data:`PIPE_WAIT_SECONDS` for its next data, so no input can hang a command or exhaust memory.
"""

from __future__ import annotations

import json
import mmap
import os
import re
import select
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal

from pill_compare.errors import ConfigError, InputFormatError

FileFormat = Literal["coco", "csv"]
InputFormat = Literal["auto", "coco", "csv"]
INPUT_FORMATS: tuple[str, ...] = ("auto", "coco", "csv")

#: The largest input read, in bytes (4 GiB). A COCO results file with 10M detections is ~1 GB;
#: anything bigger is almost surely not an input (e.g. a device) and would exhaust memory.
MAX_INPUT_BYTES = 4 << 30
#: How long to wait for a pipe's writer to send its next data before giving up (seconds).
PIPE_WAIT_SECONDS = 10.0
#: Python refuses to turn a longer digit string into an int (``sys.get_int_max_str_digits``).
_INT_DIGITS_LIMIT = 4300
_CHUNK = 1 << 20
#: Regular files of this many bytes or more are mapped by :func:`input_bytes` instead of read.
MAP_BYTES = 16 << 20


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as text that can always be printed and written as UTF-8.

    File names with bytes that are not UTF-8 reach Python as lone surrogates (``\\udcff``), and
    printing or writing those fails; control characters (a newline, ANSI escapes) would garble a
    terminal or a table. Both are shown as backslash escapes; everything else is kept as is.

    Example:
        >>> display_path("caf\\udce9.json")
        'caf\\\\udce9.json'
    """
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    return printable(text)


#: What :func:`printable` escapes: C0 controls, DEL, C1 controls; the bidirectional marks,
#: overrides and isolates (they reorder what is shown: a name can look like another); lone
#: surrogates (they cannot be encoded, so printing them raises UnicodeEncodeError). Tab and
#: newline are in it; :data:`CONTROL_CHARACTERS_BUT_LINES` keeps them (text of several lines).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
#: :data:`CONTROL_CHARACTERS` without tab and newline.
CONTROL_CHARACTERS_BUT_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str, *, keep_lines: bool = False) -> str:
    r"""``text`` with control characters as visible backslash escapes: the one cleaning of text
    from input files, behind every output (terminal, Markdown, CSV, figures, messages).

    Hangul, other scripts and spaces are kept (see :func:`display_path`); each character of
    :data:`CONTROL_CHARACTERS` becomes ``\xNN`` / ``\uNNNN``, so ``"\x1b[2J"`` shows as the
    characters ``\x1b[2J`` instead of clearing a screen.

    Args:
        text: A name, a message, a line of a table.
        keep_lines: Keep tab and newline (text of several lines); else they are escaped too,
            and the text stays on one line.

    Returns:
        The text, unchanged when it has nothing to escape.
    """
    pattern = CONTROL_CHARACTERS_BUT_LINES if keep_lines else CONTROL_CHARACTERS
    return pattern.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def read_text(path: str | os.PathLike[str], expected: str) -> str:
    """Read a whole text file, refusing missing, empty, binary and non-UTF-8 input clearly.

    Args:
        path: A regular file, or a pipe (FIFO, ``/dev/fd/N``).
        expected: What the file should be, for messages (e.g. 'COCO results JSON').

    Returns:
        The text, without its UTF-8 byte-order mark.

    Raises:
        InputFormatError: missing, unreadable, not a regular file or pipe, larger than
            :data:`MAX_INPUT_BYTES`, a pipe with no data for :data:`PIPE_WAIT_SECONDS`, empty,
            binary, UTF-16/UTF-32, not UTF-8, or starting with a second byte-order mark.
    """
    return decode_text(read_bytes(path, expected), display_path(path), expected)


def read_bytes(path: str | os.PathLike[str], expected: str) -> bytes:
    """Read a whole input file's bytes, refusing missing, unreadable and non-files clearly
    (:func:`read_text` is this, then :func:`decode_text`).

    Args:
        path: A regular file, or a pipe (FIFO, ``/dev/fd/N``).
        expected: What the file should be, for messages (e.g. 'COCO results JSON').

    Raises:
        InputFormatError: missing, unreadable, not a regular file or pipe, larger than
            :data:`MAX_INPUT_BYTES`, or a pipe with no data for :data:`PIPE_WAIT_SECONDS`.
    """
    p = Path(path)
    shown = display_path(p)
    try:
        mode = os.stat(p).st_mode
        if stat.S_ISDIR(mode):
            raise InputFormatError(f"{shown}: is a directory, expected a {expected} file")
        if stat.S_ISREG(mode):
            data = _read_regular(p, shown)
        elif stat.S_ISFIFO(mode):
            data = _read_pipe(p, shown)
        else:
            raise InputFormatError(
                f"{shown}: not a regular file ({_file_kind(mode)}), expected a {expected} file"
            )
    except FileNotFoundError:
        raise InputFormatError(f"{shown}: no such file (expected {expected})") from None
    except OSError as exc:
        raise InputFormatError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    return data


@contextmanager
def input_bytes(path: str | os.PathLike[str], expected: str) -> Iterator[bytes | mmap.mmap]:
    """An input file's bytes, as :func:`read_bytes` gives them, for the time of a ``with``
    block; a regular file of :data:`MAP_BYTES` or more is mapped read-only instead of read.

    Reading a file copies it into fresh memory that the kernel must fault in page by page; a
    mapping shares the page cache's copy. A 40 MB results file: 0.029-0.035 s and 10,219 page
    faults read, 0.006-0.008 s and 641 faults mapped (the ASCII check included, in a process
    set up as the CLI's). The mapping supports what bytes do for reading (``len``, indexing,
    slicing, ``find``, the buffer protocol); ``data[:]`` is a bytes copy. It is closed when the
    block ends. (A file truncated by another program while it is mapped ends the process with
    SIGBUS where a read would have seen the shorter file.)

    Raises:
        InputFormatError: as :func:`read_bytes`.
    """
    mapped = None
    with suppress(OSError, ValueError):  # anything unusual: read_bytes reads or explains it
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode) and MAP_BYTES <= st.st_size <= MAX_INPUT_BYTES:
            with open(path, "rb") as fh:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if mapped is None:
        yield read_bytes(path, expected)
        return
    try:
        yield mapped
    finally:
        with suppress(BufferError):  # a view still held: the mapping goes with its last user
            mapped.close()


def is_ascii(data: bytes | mmap.mmap) -> bool:
    """Whether every byte is below 128 (``bytes.isascii``, also for a mapping)."""
    if isinstance(data, bytes):
        return data.isascii()
    import numpy as np

    view = np.frombuffer(data, dtype=np.uint8)
    try:
        return bool(view.size == 0 or view.max() < 128)
    finally:
        del view


def _file_kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _too_large(shown: str) -> InputFormatError:
    return InputFormatError(
        f"{shown}: larger than the {MAX_INPUT_BYTES / (1 << 30):g} GiB input limit; "
        "is this really an input file?"
    )


def _read_regular(p: Path, shown: str) -> bytes:
    with p.open("rb") as fh:
        if os.fstat(fh.fileno()).st_size > MAX_INPUT_BYTES:
            raise _too_large(shown)
        return fh.read()  # /proc files report size 0: read to the end, not st_size bytes


def _read_pipe(p: Path, shown: str) -> bytes:
    """Read a pipe to its end without blocking forever on a missing or silent writer."""
    fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    try:
        chunks: list[bytes] = []
        size = 0
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        while True:
            deadline = time.monotonic() + PIPE_WAIT_SECONDS
            while not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
                if time.monotonic() >= deadline:
                    raise InputFormatError(
                        f"{shown}: a pipe that sent no data for {PIPE_WAIT_SECONDS:g} s "
                        "(no program is writing to it?)"
                    )
            try:
                chunk = os.read(fd, _CHUNK)
            except BlockingIOError:  # woken without data (a writer opened it): wait again
                continue
            if not chunk:
                if size or _writer_gone(fd):
                    return b"".join(chunks)
                continue
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_INPUT_BYTES:
                raise _too_large(shown)
    finally:
        os.close(fd)


def _writer_gone(fd: int) -> bool:
    """After an empty read: True when a writer came and left (POLLHUP), not when none came yet.

    Linux reports POLLHUP on a FIFO only once a writer has connected and closed it; before any
    writer, ``read`` returns b'' at once, which must not be taken for the end of the data.
    """
    poller = select.poll()
    poller.register(fd, select.POLLHUP)
    return any(ev & select.POLLHUP for _, ev in poller.poll(0))


def decode_text(data: bytes, path: str, expected: str) -> str:
    """Decode an input's bytes as UTF-8 text, naming what else it looks like when it is not.

    Args:
        data: The raw bytes.
        path: The file, for messages (already :func:`display_path`-ed).
        expected: What the file should be, for messages.

    Raises:
        InputFormatError: empty, UTF-16/UTF-32, binary, not UTF-8, or a doubled byte-order mark.
    """
    if not data or data.isspace():  # (not data.strip(): a copy of the whole file)
        raise InputFormatError(f"{path}: the file is empty, expected {expected}")
    encoding = _utf16_or_32(data)
    if encoding:
        raise InputFormatError(
            f"{path}: looks like {encoding} text; save it as UTF-8 (expected {expected})"
        )
    nul = data.find(b"\x00", 0, 1 << 16)
    if nul >= 0:
        raise InputFormatError(
            f"{path}: binary data (a NUL byte at offset {nul}), expected {expected} text"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            f"{path}: not UTF-8 text (undecodable byte at offset {exc.start}), expected {expected}"
        ) from None
    if text.startswith("\ufeff"):
        raise InputFormatError(
            f"{path}: line 1: starts with a second byte-order mark (U+FEFF, bytes EF BB BF "
            f"twice); remove it (expected {expected})"
        )
    return text


def _utf16_or_32(data: bytes) -> str:
    """'UTF-16' / 'UTF-32' when a byte-order mark, or text that decodes so, says so; else ''.

    Without a byte-order mark: the first 512 bytes must decode in one of the four byte orders
    as mostly printable text (ASCII in UTF-16 is a NUL every other byte; in UTF-32 three of
    four), which a binary file almost never does.
    """
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    head = data[: min(len(data), 512) // 4 * 4]
    if b"\x00" not in head:
        return ""
    for codec, name in (
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
    ):
        try:
            text = head.decode(codec)
        except UnicodeDecodeError:
            continue
        readable = sum(c.isprintable() or c in "\t\r\n" for c in text)
        if "\x00" not in text and readable >= 0.95 * len(text):
            return name
    return ""


def parse_json(text: str, path: str | os.PathLike[str], expected: str) -> Any:
    """Parse JSON text, turning every failure into a message that names the file.

    A document that ends in the middle of a value is reported as truncated; one nested too
    deeply, or holding an integer longer than Python converts (4,300 digits), is refused.
    """
    shown = display_path(path)
    doc = _decode_fast(text)
    if doc is not _NOT_DECODED:
        return doc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"unexpectedly at line {exc.lineno}, column {exc.colno}"
        if exc.msg.startswith("Unterminated string"):
            # json reports where the open string starts; it runs on to the end of the text.
            where = f"inside a string that starts at line {exc.lineno}, column {exc.colno}"
        elif exc.pos < len(text.rstrip()):
            where = ""
        if where:
            raise InputFormatError(
                f"{shown}: the JSON is truncated: it ends {where} "
                f"(expected {expected}; was the file cut off while copying?)"
            ) from None
        raise InputFormatError(
            f"{shown}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(expected {expected})"
        ) from None
    except RecursionError:
        raise InputFormatError(f"{shown}: JSON nested too deeply (expected {expected})") from None
    except ValueError as exc:  # int('9' * 5000): Python's integer-string conversion limit
        if "Exceeds the limit" not in str(exc):
            raise
        raise InputFormatError(f"{shown}: {_huge_integer(text)} (expected {expected})") from None


_NOT_DECODED = object()


def _decode_fast(text: str) -> Any:
    """``text`` parsed by msgspec (2x faster than ``json``), or :data:`_NOT_DECODED`.

    msgspec builds the same Python objects as ``json.loads`` (dicts, lists, str, int, float,
    bool, None; a repeated key keeps its last value; numbers rounded alike) for every document
    it accepts, and refuses what ``json`` would refuse or read differently (``NaN``,
    ``Infinity``, ``1e400``, an integer too long to convert, a lone surrogate ``\ud800``, bad
    JSON): those, and everything when msgspec is not installed, go to ``json.loads``, whose
    error the caller explains.
    """
    try:
        import msgspec
    except ImportError:  # an optional speed-up
        return _NOT_DECODED
    try:
        return msgspec.json.decode(text)
    except Exception:  # any refusal: json.loads decides, and names the problem
        return _NOT_DECODED


_LONG_INTEGER = re.compile(r"(?<![\d.])-?\d{" + str(_INT_DIGITS_LIMIT + 1) + r",}(?![\d.eE])")


def _huge_integer(text: str) -> str:
    """Where the first over-long integer literal is, and how long it is."""
    m = _LONG_INTEGER.search(text)
    if m is None:
        return (
            f"an integer with more than {_INT_DIGITS_LIMIT:,} digits, too long to read "
            "(ids must be integers in the int64 range, |id| < 2^63)"
        )
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    digits = len(m.group().lstrip("-"))
    return (
        f"line {line}, column {column}: an integer with {digits:,} digits, too long to read "
        "(ids must be integers in the int64 range, |id| < 2^63)"
    )


def sniff_format(path: str | os.PathLike[str], text: str) -> FileFormat:
    """Guess whether ``text`` is COCO JSON or a submission CSV, by content first, then suffix."""
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return "coco"
    first_line = text.lstrip().split("\n", 1)[0]
    if "," in first_line or Path(path).suffix.lower() == ".csv":
        return "csv"
    return "coco"  # let the JSON parser explain what is wrong


def check_input_format(value: str) -> InputFormat:
    """Validate an ``input_format`` value."""
    if value not in INPUT_FORMATS:
        raise ConfigError(
            f"must be one of {', '.join(INPUT_FORMATS)}, got {value!r}", param="input_format"
        )
    return value  # type: ignore[return-value]


def file_sha256(path: str | os.PathLike[str]) -> str | None:
    """The hex SHA-256 of a regular file's bytes (read in blocks), or None when it is not one
    (a pipe was already consumed; a device has no content to fingerprint)."""
    import hashlib

    p = Path(path)
    if not p.is_file():
        return None
    digest = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
