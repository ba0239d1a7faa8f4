"""Reading raw input files safely and sniffing their format. Outputs: :mod:`pill_compare.io.outputs`."""

from __future__ import annotations

import json
import os
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
