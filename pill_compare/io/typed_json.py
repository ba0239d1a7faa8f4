"""A typed JSON decoder for the two large inputs, the results and the ground truth: valid files
straight into arrays, fast (:func:`decode_results`, :func:`decode_ground_truth`).

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

from pill_compare.io.records import bboxes_in_range, has_lone_surrogate
from pill_compare.parallel import in_background

_INT64_MAX = 2**63 - 1
#: An optional number left out (the validating path's default for 'area', 'width', 'height').
_NAN = float("nan")
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
_JSON_SPACE = b" \t\n\r"


def decode_results(text: str | bytes) -> dict[str, np.ndarray] | None:
    """Decode a COCO results list (``[{image_id, category_id, bbox, score}, ...]``) to columns.

    The list is decoded a chunk of records at a time (:data:`CHUNK_CHARS`): the text is cut
    after a ``}`` followed by ``,``, and each piece is decoded as a list of its own. A cut
    inside a string or a nested value leaves its piece unterminated, so that piece fails to
    decode and the whole text goes to the validating path; when every piece decodes, the
    pieces joined by the commas cut out are the whole list, so the columns are those of the
    whole text.

    Args:
        text: The whole file: its bytes (UTF-8, no byte-order mark; a file's loader passes
            ASCII bytes as read, which spares a text copy of the file), or its text.

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
    # A lone surrogate encodes to bytes that are not UTF-8, which msgspec refuses: None.
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    # The outer brackets, past JSON's whitespace (indices: stripping would copy the text).
    first, end = 0, len(data) - 1
    while first <= end and data[first] in _JSON_SPACE:
        first += 1
    while end > first and data[end] in _JSON_SPACE:
        end -= 1
    if not (first < end and data[first] == ord("[") and data[end] == ord("]")):
        return None  # an object, bad JSON...: the validating path reads or explains it
    mid = data.find(b"},", (first + end) // 2, end) if end - first >= PARALLEL_CHARS else -1
    if mid < 0:
        columns = _decode_span(decoder, data, first + 1, end, after_cut=False)
    else:  # the second half in a child process (where one can fork), the first half here
        with in_background(
            lambda: _decode_span(decoder, data, mid + 2, end, after_cut=True)
        ) as second_half:
            columns = _decode_span(
                decoder, data, first + 1, mid + 1, after_cut=False, room_for=end - mid - 2
            )
            second = second_half.result()
        if columns is not None and second is not None:
            columns.extend(second)
        else:
            columns = None
    if columns is None:
        return None
    names = ("image_id", "category_id", "bbox", "score")
    cols = dict(zip(names, columns.arrays(), strict=True))
    box, score = cols["bbox"], cols["score"]
    # The checks of the validating path's 'box' and 'number' kinds: finite, w and h >= 0, every
    # coordinate within MAX_COORDINATE (a NaN or an infinity fails the range check). Reductions,
    # no temporary the size of the boxes.
    if box.size and not (bboxes_in_range(box) and box[:, 2:].min() >= 0):
        return None
    if score.size and not (np.isfinite(score.min()) and np.isfinite(score.max())):
        return None
    return cols


def _ground_truth_decoder() -> Any | None:
    """msgspec's decoder of a COCO ground truth (images and annotations typed, categories as
    objects), built once; None without msgspec."""
    if "ground_truth" in _DECODERS:
        return _DECODERS["ground_truth"]
    try:
        import msgspec
    except ImportError:
        _DECODERS["ground_truth"] = None
        return None
    from typing import Annotated

    int64 = Annotated[int, msgspec.Meta(ge=-_INT64_MAX, le=_INT64_MAX)]
    image = msgspec.defstruct(
        "Image",
        [
            ("id", int64),
            ("file_name", str, ""),
            ("width", float, _NAN),
            ("height", float, _NAN),
        ],
        gc=False,
    )
    annotation = msgspec.defstruct(
        "Annotation",
        [
            ("id", int64),
            ("image_id", int64),
            ("category_id", int64),
            ("bbox", tuple[float, float, float, float]),
            ("area", float, _NAN),
            ("iscrowd", int, 0),
            ("attributes", Any, None),
        ],
    )
    document = msgspec.defstruct(
        "GroundTruthDocument",
        [
            ("images", list[image]),
            ("annotations", list[annotation]),
            ("categories", list[dict[str, Any]]),
        ],
    )
    _DECODERS["ground_truth"] = msgspec.json.Decoder(document)
    return _DECODERS["ground_truth"]


def decode_ground_truth(text: str | bytes) -> dict[str, Any] | None:
    """Decode a COCO ground truth straight into the validating path's columns, or None.

    The images' and annotations' fields are decoded into typed records (keys not named here,
    such as ``segmentation``, are skipped unread; an optional key left out takes the validating
    path's default, and one written ``null`` sends the file there); the categories stay objects
    (their extra keys are kept), for the validating path to read.

    Args:
        text: The whole file, checked text (:func:`~pill_compare.io.files.read_text`) or its
            UTF-8 bytes.

    Returns:
        ``{"images": {id, file_name, width, height}, "annotations": {id, image_id,
        category_id, bbox, area, iscrowd}, "categories": [objects], "attributes": [each
        annotation's 'attributes' value or None]}``, the columns exactly as
        :func:`~pill_compare.io.records.extract_columns` builds them from the same valid file;
        None when msgspec is missing or anything is not what the validating path accepts at
        once (an id written 17.0, a ``true`` iscrowd, a negative area, a lone surrogate...):
        the caller then reads the file with the validating path, which accepts or explains it.
    """
    decoder = _ground_truth_decoder()
    if decoder is None:
        return None
    try:
        doc = decoder.decode(text)
    except Exception:  # DecodeError, ValidationError, RecursionError, a lone surrogate
        return None
    if not doc.categories:
        return None
    images, annotations = doc.images, doc.annotations
    n_img, n_ann = len(images), len(annotations)
    names = list(map(attrgetter("file_name"), images))
    if has_lone_surrogate("".join(names)):
        return None
    image_cols = {
        "id": np.fromiter(map(attrgetter("id"), images), np.int64, n_img),
        "file_name": names,
        "width": np.fromiter(map(attrgetter("width"), images), np.float64, n_img),
        "height": np.fromiter(map(attrgetter("height"), images), np.float64, n_img),
    }
    box = np.fromiter(
        chain.from_iterable(map(attrgetter("bbox"), annotations)), np.float64, 4 * n_ann
    ).reshape(n_ann, 4)
    iscrowd = np.fromiter(map(attrgetter("iscrowd"), annotations), np.int64, n_ann)
    annotation_cols = {
        "id": np.fromiter(map(attrgetter("id"), annotations), np.int64, n_ann),
        "image_id": np.fromiter(map(attrgetter("image_id"), annotations), np.int64, n_ann),
        "category_id": np.fromiter(map(attrgetter("category_id"), annotations), np.int64, n_ann),
        "bbox": box,
        "area": np.fromiter(map(attrgetter("area"), annotations), np.float64, n_ann),
        "iscrowd": iscrowd,
    }
    numbers = [image_cols["width"], image_cols["height"], annotation_cols["area"]]
    # The 'number' kind with min_value 0 (NaN: absent), 'bbox' (finite, w and h > 0, within
    # MAX_COORDINATE) and 'flag' (0 or 1).
    if any(((a < 0) | np.isinf(a)).any() for a in numbers):
        return None
    if box.size and not (bboxes_in_range(box) and box[:, 2:].min() > 0):
        return None
    if iscrowd.size and not (iscrowd.min() >= 0 and iscrowd.max() <= 1):
        return None
    return {
        "images": image_cols,
        "annotations": annotation_cols,
        "categories": doc.categories,
        "attributes": [a.attributes for a in annotations],
    }


def _decode_span(
    decoder: Any,
    data: bytes,
    start: int,
    end: int,
    *,
    after_cut: bool,
    room_for: int = 0,
) -> _Columns | None:
    """The columns of the records in ``data[start:end]`` (records separated by commas, no
    brackets), decoded :data:`CHUNK_CHARS` at a time; None when any piece fails to decode.

    ``after_cut``: the span follows a comma cut out of the list, so it must hold a record (an
    empty span there is a trailing comma). ``room_for``: bytes of records that will be added
    after this span's (:meth:`_Columns.extend`), for the arrays' first size.
    """
    columns = _Columns()
    view = memoryview(data)
    while True:
        cut = data.find(b"},", start + CHUNK_CHARS, end) if end - start > CHUNK_CHARS else -1
        stop = end if cut < 0 else cut + 1
        try:
            records = decoder.decode(b"".join((b"[", view[start:stop], b"]")))
        except Exception:  # DecodeError, ValidationError, RecursionError: fall back
            return None
        if not records and (columns.n or after_cut):  # a trailing comma: '[{...}, ]'
            return None
        columns.add(records, stop - start, end - stop + room_for)
        del records
        if cut < 0:
            return columns
        start = cut + 2


class _Columns:
    """The four columns, filled a chunk of records at a time into arrays sized once.

    The first chunk's records per byte size the arrays for the rest of the text, with 10 %
    to spare; the part never written is never touched, so it costs no memory. (Concatenating
    the chunks' columns instead touched and copied every column twice.) They grow when a later
    part of the file holds denser records.
    """

    def __init__(self) -> None:
        self.n = 0
        self._arrays: tuple[np.ndarray, ...] = _empty_columns(0)

    def add(self, records: list[Any], chunk_bytes: int, bytes_left: int) -> None:
        n = len(records)
        self._reserve(n + (n * bytes_left) // max(chunk_bytes, 1) * 11 // 10)
        image_id, category_id, bbox, score = self._arrays
        at = slice(self.n, self.n + n)
        image_id[at] = np.fromiter(map(attrgetter("image_id"), records), np.int64, n)
        category_id[at] = np.fromiter(map(attrgetter("category_id"), records), np.int64, n)
        bbox[at] = np.fromiter(
            chain.from_iterable(map(attrgetter("bbox"), records)), np.float64, 4 * n
        ).reshape(n, 4)
        score[at] = np.fromiter(map(attrgetter("score"), records), np.float64, n)
        self.n += n

    def extend(self, other: _Columns) -> None:
        """Append another span's columns (the records that follow this span's)."""
        self._reserve(other.n)
        for mine, theirs in zip(self._arrays, other.arrays(), strict=True):
            mine[self.n : self.n + other.n] = theirs
        self.n += other.n

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(image_id, category_id, bbox, score), the first ``n`` rows."""
        return tuple(a[: self.n] for a in self._arrays)

    def _reserve(self, more: int) -> None:
        if self.n + more <= self._arrays[0].size:
            return
        grown = _empty_columns(max(self.n + more, 2 * self._arrays[0].size))
        for new, old in zip(grown, self._arrays, strict=True):
            new[: self.n] = old[: self.n]
        self._arrays = grown

    def __getstate__(self) -> tuple[np.ndarray, ...]:  # a child sends only the rows written
        return self.arrays()

    def __setstate__(self, state: tuple[np.ndarray, ...]) -> None:
        self._arrays, self.n = state, state[0].size


def _empty_columns(n: int) -> tuple[np.ndarray, ...]:
    return (
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty((n, 4), dtype=np.float64),
        np.empty(n, dtype=np.float64),
    )
