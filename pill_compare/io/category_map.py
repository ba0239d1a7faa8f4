"""Category-id maps on the command line and on disk: what ``--category-map`` takes and what
``pillcmp doctor --write-map`` writes.

A spec (:func:`parse_category_map`) is one of:

* ``auto``: infer the map from the data (returned as the string ``'auto'``; the caller runs
  :func:`~pill_compare.analysis.diagnosis.diagnose` and applies the map it finds). A map file
  literally named ``auto`` is given as ``./auto``.
* ``offset:N``: every id + N, N a signed whole number (``offset:-1`` undoes the K-number
  written for ``dl_idx``, which is K-number − 1).
* a map file, told apart by its first character:

  - JSON, a flat object ``{"from": to, ...}``: each key the id the results file writes (an
    integer in a string, JSON keys are strings), each value the id to use; an optional
    ``"offset": N`` key adds N to every id not listed.
  - JSON in the form :func:`category_map_json` writes (``CategoryIdMap.to_dict``):
    ``{"origin": ..., "source": ..., "offset": N or null, "mapping": {"from": to, ...}}``;
    ``origin`` and ``source`` say where the map came from and are not read back.
  - CSV with two columns ``from,to`` (comma or tab separated), one pair a line; a header row
    (a first row that is not two ids, e.g. ``from,to``), blank lines and ``#`` comment lines are
    skipped.

Ids not in a map are kept as they are (or shifted by its offset). Every id must be an integer in
the int64 range; a ``from`` id given twice is an error. A bad spec is bad usage
(:class:`~pill_compare.errors.ConfigError`, exit 2); a map file that cannot be read as one is bad
input (:class:`~pill_compare.errors.InputFormatError`, exit 1), listing every problem with its
line or key, what was expected, what was found and the fix.

What :func:`category_map_json` writes: the ``CategoryIdMap.to_dict`` form above with the mapping
sorted by ``from`` id; an offset map keeps its ``"offset"`` key (the ids it applies to are any
ids, so they are not listed). :func:`parse_category_map` reads it back to the same mapping and
offset (``origin='file'``, ``source`` = the map file).
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Mapping
from typing import Any, Literal

from pill_compare.core import CategoryIdMap
from pill_compare.errors import ConfigError, InputFormatError, ProblemCollector
from pill_compare.io.files import display_path, parse_json, read_text
from pill_compare.io.records import INT64_EXPECTED, cell_integer, check_value, show

#: What a map file must hold (for messages).
EXPECTED = (
    'a category map: a JSON object {"from": to} of integer category ids (e.g. {"1900": 1899}) '
    "or a CSV with two columns from,to"
)
#: The forms a spec may take (for messages).
SPEC_FORMS = (
    "'auto', 'offset:N' (N a whole number, e.g. offset:-1) or a map file "
    '(JSON {"from": to} or CSV from,to)'
)
_OFFSET = re.compile(r"offset\s*:\s*(?P<n>[+-]?[0-9]+)", re.IGNORECASE)
_INT_KEY = re.compile(r"\s*[+-]?[0-9]+\s*")
_INT64 = 2**63
#: Keys of the ``CategoryIdMap.to_dict`` form.
_DICT_KEYS = ("origin", "source", "offset", "mapping")


def parse_category_map(spec: str | os.PathLike[str]) -> CategoryIdMap | Literal["auto"]:
    """Read a ``--category-map`` spec: ``auto``, ``offset:N`` or a map file (module docstring).

    Args:
        spec: The spec as the user wrote it.

    Returns:
        ``'auto'``, or the :class:`~pill_compare.core.CategoryIdMap` (``origin='offset'`` with
        ``source`` = the spec, or ``origin='file'`` with ``source`` = the file).

    Raises:
        ConfigError: a spec that is none of the forms (e.g. ``offset:x`` or a missing file),
            with ``param='category_map'``.
        InputFormatError: a map file that cannot be read as a map (every problem listed).
        TypeError: ``spec`` is not a string or path.

    Example:
        >>> parse_category_map("offset:-1")
        CategoryIdMap({}, offset=-1, origin='offset')
        >>> parse_category_map("auto")
        'auto'
    """
    if not isinstance(spec, (str, os.PathLike)):
        raise TypeError(f"Expected a category map spec (str), got {type(spec).__name__}")
    text = os.fspath(spec)
    if isinstance(text, bytes):
        raise TypeError("Expected a category map spec (str), got a bytes path")
    word = text.strip()
    if word.lower() == "auto":
        return "auto"
    if word.lower().startswith("offset"):
        m = _OFFSET.fullmatch(word)
        if m is None or abs(int(m["n"])) >= _INT64:
            raise ConfigError(
                f"{word!r}: expected 'offset:N' with N a whole number in the int64 range "
                "(e.g. offset:-1 for K-numbers written for dl_idx, offset:1 the other way)",
                param="category_map",
            )
        return CategoryIdMap({}, offset=int(m["n"]), origin="offset", source=word)
    if not word or not os.path.lexists(text):
        raise ConfigError(
            f"{show(text)}: expected {SPEC_FORMS}; no such file", param="category_map"
        )
    return load_category_map(text)


def load_category_map(path: str | os.PathLike[str]) -> CategoryIdMap:
    """Read a map file (JSON or CSV, module docstring) into a ``CategoryIdMap`` (origin 'file').

    Raises:
        InputFormatError: unreadable, or not a map (every problem listed, up to 20).
    """
    shown = display_path(path)
    text = read_text(path, EXPECTED)
    head = text.lstrip()[:1]
    if head in ("{", "["):
        mapping, offset = _json_map(text, shown)
    else:
        mapping, offset = _csv_map(text, shown)
    if not mapping and offset is None:
        raise InputFormatError(f"{shown}: the category map maps no id; expected {EXPECTED}")
    return CategoryIdMap(mapping, offset=offset, origin="file", source=shown)


def category_map_json(m: CategoryIdMap) -> str:
    """The map as JSON text, readable back by :func:`parse_category_map`.

    The ``CategoryIdMap.to_dict`` form (``origin``, ``source``, ``offset``, ``mapping``), the
    mapping sorted by ``from`` id, two-space indented, ending with a newline. An offset map
    keeps its ``"offset"`` key.

    Example:
        >>> print(category_map_json(CategoryIdMap({1900: 1899}, origin="auto", source="gt.json")))
        {
          "origin": "auto",
          "source": "gt.json",
          "offset": null,
          "mapping": {
            "1900": 1899
          }
        }
        <BLANKLINE>
    """
    if not isinstance(m, CategoryIdMap):
        raise TypeError(f"Expected a CategoryIdMap, got {type(m).__name__}")
    doc = m.to_dict()
    doc["mapping"] = {str(k): m.mapping[k] for k in sorted(m.mapping)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- JSON -------------------------------------------------------------------------------------


class _Object(dict):
    """A JSON object that remembers the keys it was given more than once (key → times)."""

    duplicates: dict[str, int]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Object:
    out = _Object(pairs)
    seen: dict[str, int] = {}
    for k, _ in pairs:
        seen[k] = seen.get(k, 0) + 1
    out.duplicates = {k: n for k, n in seen.items() if n > 1}
    return out


def _json_map(text: str, path: str) -> tuple[dict[int, int], int | None]:
    parse_json(text, path, EXPECTED)  # names the file and the place of any syntax error
    doc = json.loads(text, object_pairs_hook=_pairs_hook)
    if not isinstance(doc, dict):
        raise InputFormatError(
            f"{path}: expected {EXPECTED}, got a JSON {type(doc).__name__}; write one object "
            'with a key per id, e.g. {"1900": 1899, "3483": 3482}'
        )
    problems = ProblemCollector()
    _duplicates(doc, path, "", problems)
    nested = isinstance(doc.get("mapping"), dict)
    if nested:
        for key in doc:
            if key not in _DICT_KEYS:
                problems.add(
                    f"{path}: key {show(key)}: not a key of a map with 'mapping' (expected "
                    f"{', '.join(_DICT_KEYS)}); put every id pair inside 'mapping'"
                )
        pairs = doc["mapping"]
        _duplicates(pairs, path, "mapping.", problems)
        where = "mapping."
    else:
        if "mapping" in doc:
            problems.add(
                f"{path}: key 'mapping': must be a JSON object {{\"from\": to}}, got "
                f"{show(doc['mapping'])}"
            )
        pairs = {k: v for k, v in doc.items() if k not in ("offset", "mapping")}
        where = ""
    offset = _json_offset(doc.get("offset"), path, problems)
    mapping: dict[int, int] = {}
    for key, value in pairs.items():
        from_id = int(key) if _INT_KEY.fullmatch(key) else None
        if from_id is None or abs(from_id) >= _INT64:
            problems.add(
                f"{path}: key {show(where + key)}: must be a category id as the results file "
                f'writes it ({INT64_EXPECTED} in quotes, e.g. "1900"), got {show(key)}'
            )
            continue
        why = check_value("id", value)
        if why or isinstance(value, bool):
            problems.add(
                f"{path}: key {show(where + key)}: the id to use "
                + (why or f"must be an integer, got {show(value)}")
            )
            continue
        if from_id in mapping:
            problems.add(
                f"{path}: key {show(where + key)}: id {from_id} is mapped twice (also as another "
                "spelling of the same number); keep one"
            )
            continue
        mapping[from_id] = int(value)
    problems.raise_if_any(
        InputFormatError,
        f"{path}: {problems.total} problem(s) in the category map; expected {EXPECTED}",
    )
    return mapping, offset


def _duplicates(obj: Mapping[str, Any], path: str, where: str, problems: ProblemCollector) -> None:
    for key, n in getattr(obj, "duplicates", {}).items():
        problems.add(f"{path}: key {show(where + key)}: given {n} times; keep one")


def _json_offset(value: Any, path: str, problems: ProblemCollector) -> int | None:
    if value is None:
        return None
    why = check_value("id", value)
    if why or isinstance(value, bool):
        problems.add(
            f"{path}: key 'offset': "
            + (why or f"must be an integer, got {show(value)}")
            + " (the number added to every id not listed, e.g. -1)"
        )
        return None
    return int(value)


# --- CSV --------------------------------------------------------------------------------------


def _csv_map(text: str, path: str) -> tuple[dict[int, int], int | None]:
    lines = text.splitlines()
    data = [
        (n, line)
        for n, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not data:
        raise InputFormatError(f"{path}: no id pair in the file; expected {EXPECTED}")
    delimiter = "\t" if "\t" in data[0][1] and "," not in data[0][1] else ","
    problems = ProblemCollector()
    mapping: dict[int, int] = {}
    first_line: dict[int, int] = {}
    for i, (n, line) in enumerate(data):
        cells = next(csv.reader([line], delimiter=delimiter))
        ids = [cell_integer(c) for c in cells]
        if i == 0 and len(cells) == 2 and all(v is None for v in ids):
            continue  # a header row, e.g. 'from,to'
        if len(cells) != 2:
            problems.add(
                f"{path}: line {n}: expected 2 columns from,to (two integer ids), got "
                f"{len(cells)}: {show(line)}"
            )
            continue
        bad = [
            f"'{name}' must be {INT64_EXPECTED}, got {show(cell)}"
            for name, cell, v in zip(("from", "to"), cells, ids, strict=True)
            if v is None
        ]
        if bad:
            problems.add(f"{path}: line {n}: " + "; ".join(bad))
            continue
        from_id, to_id = ids
        assert from_id is not None and to_id is not None
        if from_id in mapping:
            problems.add(
                f"{path}: line {n}: id {from_id} is mapped already on line "
                f"{first_line[from_id]}; keep one"
            )
            continue
        mapping[from_id] = to_id
        first_line[from_id] = n
    problems.raise_if_any(
        InputFormatError,
        f"{path}: {problems.total} problem(s) in the category map; expected {EXPECTED}",
    )
    return mapping, None


__all__ = ["EXPECTED", "SPEC_FORMS", "category_map_json", "load_category_map", "parse_category_map"]
