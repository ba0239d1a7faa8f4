"""Category names from the class-map files teams keep: what ``--class-map`` reads.

A class map names the category ids a results file writes (``1899`` → ``"K-001900 white
round"`` or ``"보령부스파정 5mg"``). Without a ground truth it is where a report's names come
from. It is not ``--category-map`` (:mod:`pill_compare.io.category_map`), which rewrites ids,
nor ``convert --class-map`` (:func:`pill_compare.prep.yolo.load_class_map`), which turns a
YOLO class index into a category id; this one only names ids.

Forms, told apart by the first character (``{`` or ``[``: JSON; anything else: CSV):

* **CSV** with a header row naming an id column and a name column among others, e.g.
  ``class_index,dl_name,category_id,item_seq`` or ``orig_id,yolo_id,class_name,...``. The
  columns are found from the header (case, spaces and ``-`` ignored):

  - the id column: the first of :data:`ID_COLUMNS` present (``category_id`` before
    ``orig_id`` before ``class_id`` ...). Index columns (``class_index``, ``yolo_id``,
    ``index``, ...) are never taken for it: a results file writes category ids, not the
    detector's class index. With none of these, the only column whose every cell is a whole
    number is taken; with several such columns the file is refused and names them;
  - the name column: the first of :data:`NAME_COLUMNS` present (``name``, ``category_name``,
    ``class_name``, ``dl_name``, ...), else the first column whose header ends in ``name`` or
    ``명`` (``품목명``), else ``label``.

  ``columns=(ID, NAME)`` (``--class-map-columns ID,NAME``) names both columns instead. Cells
  are read by pillcmp's one CSV reader (:func:`~pill_compare.io.results.iter_csv_rows`);
  blank lines are skipped; a row whose name cell is empty names nothing.
* **JSON** ``{"1899": "K-001900 white round", ...}``: each key a category id (an integer in a
  string), each value its name.
* **JSON records** ``{"0": {"name": "...", "class_id": 16547}, ...}`` (keyed by the class
  index) or a list of such objects: each record's id field (the first of :data:`ID_COLUMNS`
  it has, or ``id``) is the category id, the key is not; its name field as for CSV.
  ``columns=(ID, NAME)`` names the two fields. A COCO file (an object with ``categories``) is
  read as its ``categories`` records.

Text: UTF-8 (with or without a byte-order mark); a CSV saved by Excel in Korean Windows'
code page (CP949) is read too, and the result says so (``encoding``). Names keep Hangul and
every other script; surrounding spaces are dropped. An id given twice with two different
names, a non-integer id and a file that names no id are refused
(:class:`~pill_compare.errors.InputFormatError`, every problem listed with its line or key);
``columns`` that the header does not hold is bad usage
(:class:`~pill_compare.errors.ConfigError`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pill_compare.errors import ConfigError, InputFormatError, ProblemCollector
from pill_compare.io.files import display_path, parse_json, read_text
from pill_compare.io.records import INT64_EXPECTED, cell_integer, parse_int64, show
from pill_compare.io.results import iter_csv_rows

__all__ = ["ID_COLUMNS", "INDEX_COLUMNS", "NAME_COLUMNS", "CategoryNames", "load_category_names"]

#: What a class map must hold (for messages).
EXPECTED = (
    "a class map: a CSV with a header naming an id column and a name column (e.g. "
    'category_id,name), JSON {"1899": "name", ...} or JSON records {"0": {"name": ..., '
    '"class_id": 1899}}'
)
#: Header names of the category-id column, most specific first (normalized: lower case,
#: spaces and '-' as '_').
ID_COLUMNS = (
    "category_id",
    "cat_id",
    "coco_id",
    "coco_category_id",
    "orig_id",
    "original_id",
    "class_id",
    "dl_idx",
    "label_id",
    "id",
)
#: Header names of a detector's class index: never the category id.
INDEX_COLUMNS = (
    "class_index",
    "class_idx",
    "yolo_id",
    "yolo_index",
    "index",
    "idx",
    "label_index",
    "model_index",
)
#: Header names of the name column, most specific first.
NAME_COLUMNS = (
    "name",
    "category_name",
    "class_name",
    "dl_name",
    "cat_name",
    "label_name",
    "item_name",
    "이름",
    "품목명",
    "제품명",
    "클래스명",
)
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class CategoryNames:
    """A class map as read: category id → name, and where the names came from.

    Attributes:
        names: Category id → name (ids ascending).
        source: The file, as shown in messages.
        id_column / name_column: The CSV columns (or JSON record fields) read; empty for a
            JSON ``{id: name}`` object.
        encoding: 'utf-8', or 'cp949' for a CSV saved in Korean Windows' code page.
    """

    names: dict[int, str]
    source: str = ""
    id_column: str = ""
    name_column: str = ""
    encoding: str = "utf-8"
    ids: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", tuple(sorted(self.names)))

    def __len__(self) -> int:
        return len(self.names)

    def coverage(self, category_ids: Sequence[int]) -> tuple[int, int]:
        """(named, total): how many of the distinct ``category_ids`` the map names."""
        wanted = {int(i) for i in category_ids}
        return len(wanted & self.names.keys()), len(wanted)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: source, columns, encoding and the number of names (not the names)."""
        return {
            "source": self.source,
            "id_column": self.id_column,
            "name_column": self.name_column,
            "encoding": self.encoding,
            "names": len(self.names),
        }


def load_category_names(
    path: str | os.PathLike[str], *, columns: Sequence[str] | None = None
) -> CategoryNames:
    """Read a class map (module docstring): category id → name.

    Args:
        path: The file (CSV or JSON).
        columns: ``(id_column, name_column)``: the CSV columns or JSON record fields to read,
            as the header writes them; None finds them (module docstring).

    Returns:
        The :class:`CategoryNames`.

    Raises:
        InputFormatError: unreadable, neither form, an id that is not an integer, an id named
            twice with different names, no id named.
        ConfigError: ``columns`` not two names, or naming a column the file lacks (param
            ``class_map_columns``).

    Example:
        A CSV ``class_index,dl_name,category_id`` with the row ``0,보령부스파정 5mg,1899``
        gives ``names == {1899: "보령부스파정 5mg"}`` (``id_column='category_id'``,
        ``name_column='dl_name'``).
    """
    if columns is not None:
        if (
            isinstance(columns, str)
            or len(columns) != 2
            or not all(isinstance(c, str) and c.strip() for c in columns)
        ):
            raise ConfigError(
                f"Expected the class map's columns as ID,NAME (two column names), got "
                f"{show(columns)}",
                param="class_map_columns",
            )
        columns = (columns[0].strip(), columns[1].strip())
    shown = display_path(path)
    text, encoding = _read(path, shown)
    if text.lstrip()[:1] in ("{", "["):
        names, id_col, name_col = _from_json(text, shown, columns)
    else:
        names, id_col, name_col = _from_csv(text, shown, columns)
    if not names:
        raise InputFormatError(f"{shown}: the class map names no category id; expected {EXPECTED}")
    ordered = {k: names[k] for k in sorted(names)}
    return CategoryNames(ordered, shown, id_col, name_col, encoding)


def _read(path: str | os.PathLike[str], shown: str) -> tuple[str, str]:
    """The text and its encoding: UTF-8, else (a CSV from Korean Excel) CP949."""
    try:
        return read_text(path, EXPECTED), "utf-8"
    except InputFormatError as exc:
        if "not UTF-8" not in str(exc):
            raise
        try:
            data = Path(path).read_bytes()
            return data.decode("cp949"), "cp949"
        except (OSError, UnicodeDecodeError):
            raise exc from None


def _key(header: str) -> str:
    return _SEPARATORS.sub("_", header.strip().lower())


def _clean_name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    name = value.strip()
    return name or None


# --- CSV ----------------------------------------------------------------------------------------


def _from_csv(
    text: str, path: str, columns: tuple[str, str] | None
) -> tuple[dict[int, str], str, str]:
    rows = list(iter_csv_rows(text, path))
    if not rows:
        raise InputFormatError(f"{path}: no row in the file; expected {EXPECTED}")
    (_, header), body = rows[0], rows[1:]
    keys = [_key(h) for h in header]
    if columns is not None:
        id_at, name_at = (_given_column(c, header, keys, path) for c in columns)
    else:
        id_at = _id_column(keys, header, body, path)
        name_at = _name_column(keys, header, id_at, path)
    problems = ProblemCollector()
    names: dict[int, str] = {}
    first: dict[int, int] = {}
    for line, cells in body:
        if max(id_at, name_at) >= len(cells):
            problems.add(
                f"{path}: line {line}: expected {len(header)} cells as the header has, got "
                f"{len(cells)}"
            )
            continue
        cid = cell_integer(cells[id_at])
        if cid is None:
            problems.add(
                f"{path}: line {line}: column {show(header[id_at])} must be {INT64_EXPECTED} "
                f"(a category id), got {show(cells[id_at])}"
            )
            continue
        name = _clean_name(cells[name_at])
        if name is None:
            continue
        if cid in names and names[cid] != name:
            problems.add(
                f"{path}: line {line}: id {cid} is named {show(name)} here and "
                f"{show(names[cid])} on line {first[cid]}; keep one"
            )
            continue
        names.setdefault(cid, name)
        first.setdefault(cid, line)
    _raise_problems(problems, path)
    return names, header[id_at].strip(), header[name_at].strip()


def _given_column(column: str, header: list[str], keys: list[str], path: str) -> int:
    key = _key(column)
    if key in keys:
        return keys.index(key)
    raise ConfigError(
        f"{path}: --class-map-columns names {show(column)}, but the header has "
        f"{', '.join(show(h) for h in header)}",
        param="class_map_columns",
    )


def _id_column(keys: list[str], header: list[str], body: list, path: str) -> int:
    for wanted in ID_COLUMNS:
        if wanted in keys:
            return keys.index(wanted)
    whole = [
        j
        for j, k in enumerate(keys)
        if k not in INDEX_COLUMNS
        and body
        and all(j < len(cells) and cell_integer(cells[j]) is not None for _, cells in body)
    ]
    if len(whole) == 1:
        return whole[0]
    found = ", ".join(show(header[j]) for j in whole) if whole else "none"
    raise InputFormatError(
        f"{path}: cannot tell which column holds the category ids (header "
        f"{', '.join(show(h) for h in header)}; columns of whole numbers: {found}); name it "
        "with --class-map-columns ID,NAME, e.g. --class-map-columns category_id,name"
    )


def _name_column(keys: list[str], header: list[str], id_at: int, path: str) -> int:
    for wanted in NAME_COLUMNS:
        if wanted in keys and keys.index(wanted) != id_at:
            return keys.index(wanted)
    for j, k in enumerate(keys):
        if j != id_at and (k.endswith("name") or k.endswith("명")):
            return j
    if "label" in keys and keys.index("label") != id_at:
        return keys.index("label")
    raise InputFormatError(
        f"{path}: cannot tell which column holds the category names (header "
        f"{', '.join(show(h) for h in header)}); name it with --class-map-columns ID,NAME"
    )


# --- JSON ---------------------------------------------------------------------------------------


def _from_json(
    text: str, path: str, columns: tuple[str, str] | None
) -> tuple[dict[int, str], str, str]:
    doc = parse_json(text, path, EXPECTED)
    if isinstance(doc, dict) and isinstance(doc.get("categories"), list):
        doc = doc["categories"]  # a COCO file: its categories are records
    if isinstance(doc, list):
        records = list(enumerate(doc))
    elif isinstance(doc, dict) and doc and all(isinstance(v, Mapping) for v in doc.values()):
        records = list(doc.items())
    elif isinstance(doc, dict):
        if columns is not None:
            raise ConfigError(
                f"{path}: --class-map-columns names record fields, but the file is a JSON "
                '{"id": "name"} object (no records); leave the option out',
                param="class_map_columns",
            )
        return _from_object(doc, path), "", ""
    else:
        raise InputFormatError(f"{path}: expected {EXPECTED}, got {show(doc, 40)}")
    return _from_records(records, path, columns)


def _from_object(doc: Mapping[str, Any], path: str) -> dict[int, str]:
    problems = ProblemCollector()
    names: dict[int, str] = {}
    for key, value in doc.items():
        cid = parse_int64(key)
        if cid is None:
            problems.add(
                f"{path}: key {show(key)}: must be a category id ({INT64_EXPECTED} in quotes, "
                'e.g. "1899")'
            )
            continue
        name = _clean_name(value)
        if name is None:
            problems.add(f"{path}: key {show(key)}: the name must be text, got {show(value)}")
            continue
        _name_once(names, cid, name, problems, f"{path}: key {show(key)}")
    _raise_problems(problems, path)
    return names


def _from_records(
    records: list[tuple[Any, Any]], path: str, columns: tuple[str, str] | None
) -> tuple[dict[int, str], str, str]:
    fields: dict[str, str] = {}
    for _, rec in records:
        if isinstance(rec, Mapping):
            for f in rec:
                fields.setdefault(_key(str(f)), str(f))
    if columns is not None:
        missing = [c for c in columns if _key(c) not in fields]
        if missing:
            raise ConfigError(
                f"{path}: --class-map-columns names {', '.join(show(c) for c in missing)}, but "
                f"the records have {', '.join(show(f) for f in fields.values()) or 'no field'}",
                param="class_map_columns",
            )
        id_field, name_field = (fields[_key(c)] for c in columns)
    else:
        id_key = next((k for k in ID_COLUMNS if k in fields), None)
        name_key = next((k for k in NAME_COLUMNS if k in fields and k != id_key), None)
        if name_key is None:
            name_key = next(
                (k for k in fields if k != id_key and (k.endswith("name") or k.endswith("명"))),
                None,
            )
        if id_key is None or name_key is None:
            raise InputFormatError(
                f"{path}: cannot tell which record fields hold the category id and name "
                f"(fields {', '.join(show(f) for f in fields.values()) or 'none'}); name them "
                "with --class-map-columns ID,NAME"
            )
        id_field, name_field = fields[id_key], fields[name_key]
    problems = ProblemCollector()
    names: dict[int, str] = {}
    for where, rec in records:
        if not isinstance(rec, Mapping):
            problems.add(f"{path}: record {show(where)}: expected an object, got {show(rec, 40)}")
            continue
        raw = rec.get(id_field)
        cid = parse_int64(raw)
        if cid is None:
            problems.add(
                f"{path}: record {show(where)}: {show(id_field)} must be {INT64_EXPECTED} (a "
                f"category id), got {show(raw)}"
            )
            continue
        name = _clean_name(rec.get(name_field))
        if name is None:
            continue
        _name_once(names, cid, name, problems, f"{path}: record {show(where)}")
    _raise_problems(problems, path)
    return names, id_field, name_field


def _name_once(
    names: dict[int, str], cid: int, name: str, problems: ProblemCollector, where: str
) -> None:
    """``names[cid] = name``, or a problem at ``where`` when ``cid`` already has another name."""
    if cid in names and names[cid] != name:
        problems.add(f"{where}: id {cid} is named twice; keep one")
    else:
        names[cid] = name


def _raise_problems(problems: ProblemCollector, path: str) -> None:
    """Every problem found in the class map at ``path`` at once (InputFormatError), if any."""
    problems.raise_if_any(
        InputFormatError,
        f"{path}: {problems.total} problem(s) in the class map; expected {EXPECTED}",
    )
