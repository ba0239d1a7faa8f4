"""Reading raw files safely, sniffing their format, and writing outputs atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pill_compare.errors import ConfigError, InputFormatError

FileFormat = Literal["coco", "csv"]
InputFormat = Literal["auto", "coco", "csv"]
INPUT_FORMATS: tuple[str, ...] = ("auto", "coco", "csv")


def read_text(path: str | os.PathLike[str], expected: str) -> str:
    """Read a whole text file, refusing missing, empty and binary files with a clear message.

    Args:
        path: The file.
        expected: What the file should be, for messages (e.g. 'COCO results JSON').

    Raises:
        InputFormatError: missing, unreadable, empty, binary or not UTF-8.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputFormatError(f"{p}: no such file (expected {expected})") from None
    except IsADirectoryError:
        raise InputFormatError(f"{p}: is a directory, expected a {expected} file") from None
    except OSError as exc:
        raise InputFormatError(f"{p}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise InputFormatError(f"{p}: the file is empty, expected {expected}")
    nul = data.find(b"\x00", 0, 1 << 16)
    if nul >= 0:
        raise InputFormatError(
            f"{p}: binary data (a NUL byte at offset {nul}), expected {expected} text"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            f"{p}: not UTF-8 text (undecodable byte at offset {exc.start}), expected {expected}"
        ) from None
    return text


def parse_json(text: str, path: str | os.PathLike[str], expected: str) -> Any:
    """Parse JSON text, turning syntax errors into messages with line and column.

    A document that ends in the middle of a value is reported as truncated.
    """
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
                f"{path}: the JSON is truncated: it ends {where} "
                f"(expected {expected}; was the file cut off while copying?)"
            ) from None
        raise InputFormatError(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(expected {expected})"
        ) from None
    except RecursionError:
        raise InputFormatError(f"{path}: JSON nested too deeply (expected {expected})") from None


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
    """Validate an ``--input-format`` value."""
    if value not in INPUT_FORMATS:
        raise ConfigError(
            f"--input-format must be one of {', '.join(INPUT_FORMATS)}, got {value!r}"
        )
    return value  # type: ignore[return-value]


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only if the block succeeds.

    Readers never see a half-written file: the final step is an atomic ``os.replace``.
    The temporary file keeps the target's suffix so writers that look at it (matplotlib) work.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # No '.' before mkstemp's random part: a target without a suffix must not get a random one.
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.stem}-tmp-", suffix=target.suffix, dir=target.parent
        )
    except OSError as exc:
        raise ConfigError(
            f"{target}: cannot write the output into {target.parent}/ ({exc.strerror})"
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file owner-only (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write ``content`` to ``path`` atomically (text as UTF-8). Returns the path."""
    with atomic_path(path) as tmp:
        if isinstance(content, str):
            tmp.write_text(content, encoding="utf-8")
        else:
            tmp.write_bytes(content)
    return Path(path)
