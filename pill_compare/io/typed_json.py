"""A typed JSON decoder for the two large inputs: valid files straight into arrays, fast.

A COCO results file of 450k detections takes 1.2-1.9 s to parse with the standard library's
``json`` (one dict, one list and six number objects per record) and 0.3 s more to validate and
turn into arrays. msgspec decodes the same text into small typed structs in 0.2 s, checking
types, the bbox length and the int64 range of ids as it goes; pulling the columns out of the
structs takes about 0.1 s more.

This is a fast path only. Whenever msgspec is not installed, or the text is anything but valid
records of the expected shape (a float id, a null, a missing field, ``NaN``, an integer beyond
int64, a box of 5 numbers, a negative width, a lone surrogate, bad JSON...), the decoder returns
None and the caller parses the text again with the validating path
(:func:`pill_compare.io.files.parse_json` + :func:`pill_compare.io.records.extract_columns`),
which names every problem with its record number. So the fast path only ever changes how quickly
a valid file loads, never what a file is accepted as or what a message says.

What the fast path accepts equals what the validating path accepts for these shapes, value for
value:

* Ids are JSON integers with ``|id| < 2^63`` (the validating path also takes ``17.0``: such a
  file falls back and loads the same, slower).
* Numbers are JSON numbers; msgspec rounds decimal text to the nearest float64 as Python's
  ``float()`` does (round-half-even, tested against ``json``), and integers beyond 2^64 in a
  number field too. Non-finite results are refused here and left to the validating path.
* Keys not named here are ignored, as the validating path ignores them; a repeated key keeps
  its last value, as ``json`` does.
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

from pill_compare.io.records import bboxes_in_range
from pill_compare.parallel import in_background

_INT64_MAX = 2**63 - 1
_DECODERS: dict[str, Any] = {}


def _results_decoder() -> Any | None:
    """msgspec's decoder of a COCO results list, built once; None without msgspec."""
    if "results" in _DECODERS:
        return _DECODERS["results"]
    try:
        import msgspec
    except ImportError:  # an optional speed-up: the validating path does the same work
        _DECODERS["results"] = None
        return None
    from typing import Annotated

    # |id| < 2^63, as the validating path's INT64 check: -2^63 is refused there too.
    int64 = Annotated[int, msgspec.Meta(ge=-_INT64_MAX, le=_INT64_MAX)]

    # gc=False: the structs hold no references to other containers that could form a cycle
    # (ints, floats, a tuple of floats), so the collector need not track 450k of them.
    detection = msgspec.defstruct(
        "Detection",
        [
            ("image_id", int64),
            ("category_id", int64),
            ("bbox", tuple[float, float, float, float]),
            ("score", float),
        ],
        gc=False,
    )
    _DECODERS["results"] = msgspec.json.Decoder(list[detection])
    return _DECODERS["results"]


#: Characters of JSON text decoded at a time: the decoded records (about 270 bytes each, ~6x
#: the text they come from) live only while their chunk is turned into columns, so a 450k
#: detection file peaks ~110 MiB lower than when decoded whole, and decodes faster (the fresh
#: records are still in cache when they are read).
CHUNK_CHARS = 1 << 20
#: From this many characters on (~180k detections, ~0.15 s of decoding), the second half of
#: the list is decoded in a child process (:func:`pill_compare.parallel.in_background`) while
#: this one decodes the first: a fork and the columns sent back cost ~0.03 s.
PARALLEL_CHARS = 16 << 20
_JSON_SPACE = " \t\n\r"


def decode_results(text: str) -> dict[str, np.ndarray] | None:
    """Decode a COCO results list (``[{image_id, category_id, bbox, score}, ...]``) to columns.

    The list is decoded a chunk of records at a time (:data:`CHUNK_CHARS`): the text is cut
    after a ``}`` followed by ``,``, and each piece is decoded as a list of its own. A cut
    inside a string or a nested value leaves its piece unterminated, so that piece fails to
    decode and the whole text goes to the validating path; when every piece decodes, the
    pieces joined by the commas cut out are the whole list, so the columns are those of the
    whole text.

    Args:
        text: The whole file (UTF-8 decoded, byte-order mark removed).

    Returns:
        ``{"image_id": (N,) int64, "category_id": (N,) int64, "bbox": (N, 4) float64 xywh,
        "score": (N,) float64}``, exactly the columns
        :func:`~pill_compare.io.records.extract_columns` builds from the same valid text; None
        when msgspec is missing or anything in the text is not a valid detection record (the
        caller then parses it with the validating path, which explains what is wrong).
    """
    decoder = _results_decoder()
    if decoder is None:
        return None
    # The outer brackets, past JSON's whitespace (indices: stripping would copy the text).
    first, end = 0, len(text) - 1
    while first <= end and text[first] in _JSON_SPACE:
        first += 1
    while end > first and text[end] in _JSON_SPACE:
        end -= 1
    if not (first < end and text[first] == "[" and text[end] == "]"):
        return None  # an object, bad JSON...: the validating path reads or explains it
    mid = text.find("},", (first + end) // 2, end) if end - first >= PARALLEL_CHARS else -1
    if mid < 0:
        columns = _decode_span(decoder, text, first + 1, end, after_cut=False)
    else:  # the second half in a child process (where one can fork), the first half here
        with in_background(
            lambda: _decode_span(decoder, text, mid + 2, end, after_cut=True)
        ) as second_half:
            first_half = _decode_span(decoder, text, first + 1, mid + 1, after_cut=False)
            second = second_half.result()
        columns = None if first_half is None or second is None else _joined([first_half, second])
    if columns is None:
        return None
    cols = dict(zip(("image_id", "category_id", "bbox", "score"), columns, strict=True))
    box = cols["bbox"]
    # The checks of the validating path's 'box' and 'number' kinds: finite, w and h >= 0, every
    # coordinate within MAX_COORDINATE.
    if not (
        np.isfinite(box).all()
        and (box[:, 2:] >= 0).all()
        and bboxes_in_range(box)
        and np.isfinite(cols["score"]).all()
    ):
        return None
    return cols


def _decode_span(
    decoder: Any, text: str, start: int, end: int, *, after_cut: bool
) -> tuple[np.ndarray, ...] | None:
    """The columns of the records in ``text[start:end]`` (records separated by commas, no
    brackets), decoded :data:`CHUNK_CHARS` at a time; None when any piece fails to decode.

    ``after_cut``: the span follows a comma cut out of the list, so it must hold a record (an
    empty span there is a trailing comma).
    """
    parts: list[tuple[np.ndarray, ...]] = []
    while True:
        cut = text.find("},", start + CHUNK_CHARS, end) if end - start > CHUNK_CHARS else -1
        stop = end if cut < 0 else cut + 1
        try:
            records = decoder.decode("[" + text[start:stop] + "]")
        except Exception:  # DecodeError, ValidationError, RecursionError: fall back
            return None
        if not records and (parts or after_cut):  # a trailing comma: '[{...}, ]' is not JSON
            return None
        parts.append(_columns(records))
        del records
        if cut < 0:
            return _joined(parts)
        start = cut + 2


def _joined(parts: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _columns(records: list[Any]) -> tuple[np.ndarray, ...]:
    n = len(records)
    return (
        np.fromiter(map(attrgetter("image_id"), records), np.int64, n),
        np.fromiter(map(attrgetter("category_id"), records), np.int64, n),
        np.fromiter(
            chain.from_iterable(map(attrgetter("bbox"), records)), np.float64, 4 * n
        ).reshape(n, 4),
        np.fromiter(map(attrgetter("score"), records), np.float64, n),
    )
