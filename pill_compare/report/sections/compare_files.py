"""The complete tables of a comparison report, as CSV files beside ``report.md`` and
``report.html``.

The pages keep the top rows of the lists that grow with the data set and only the columns a
reader needs (:attr:`~pill_compare.report.structure.Table.page_limit`,
:attr:`~pill_compare.report.structure.Table.file`); these files hold every row and every column,
with machine-readable headers (``snake_case``, ids and names in separate columns, numbers
unrounded), for a spreadsheet or a script. Nothing here computes a metric: every value is a
column of the result's own tables (:meth:`~pill_compare.analysis.disagreements.Disagreements.
to_frame`, :meth:`~pill_compare.analysis.disagreements.Agreement.to_frame`,
:meth:`~pill_compare.analysis.diff.DiffResult.to_frame`, ...).

Files (:data:`CSV_FILES`):

* ``per_image.csv``: every image counted, with its paired items per kind and agreement rate
  (the page lists only the images that differ);
* ``differing_images.csv``: every image whose category lists differ: both lists, what only
  each run lists and, with a ground truth, whose list it sides with;
* ``swap_patterns.csv``: every (A class, B class) disagreement: class swaps with their verdicts
  and image ids, and the images where it is the only difference (substitutions);
* ``disputed_boxes.csv``: every class swap and one-sided box: rows, classes, scores, IoU, and
  with a ground truth each box's status, TIDE error type, the GT there and the verdict;
* ``lrp_per_class.csv`` (with a ground truth matched at IoU 0.5): every declared class with each
  model's :class:`~pill_compare.analysis.lrp.ClassLrp` fields (oLRP, its components, the counts,
  the oLRP and F1 thresholds), suffixed ``_a`` and ``_b``, and ``olrp_delta`` (B − A).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.analysis.diff import list_verdicts
from pill_compare.report.tables import to_csv

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

__all__ = ["CSV_FILES", "compare_csv_files", "disputed_box_records"]

#: Table key → the CSV file beside the report holding it whole.
CSV_FILES: dict[str, str] = {
    "per_image": "per_image.csv",
    "differing_images": "differing_images.csv",
    "swap_patterns": "swap_patterns.csv",
    "disputed_boxes": "disputed_boxes.csv",
    "lrp_per_class": "lrp_per_class.csv",
}


#: Disputed boxes report.json lists (the top of ``disputed_boxes.csv``, which holds them all).
JSON_ROWS = 100


def _ids(values: Any) -> str:
    return " ".join(str(int(v)) for v in values)


def _name_column(r: ComparisonResult, ids: pd.Series) -> pd.Series:
    """The category name of each id ('' for a missing id or an unnamed category), looked up
    once per distinct id."""
    import numpy as np
    import pandas as pd

    names = r.diff.category_names
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    lookup = np.array([names.get(int(c), "") for c in uniques] + [""], dtype=object)
    return pd.Series(lookup[codes], index=ids.index, dtype=object)


def _disputed_frame(r: ComparisonResult) -> pd.DataFrame:
    """Every disputed item (class swaps and one-sided boxes) with category names beside ids."""
    frame = r.disagreements.to_frame() if r.disagreements is not None else r.pairing.to_frame()
    frame = frame[frame["kind"] != "agree"].reset_index(drop=True)
    for column in [c for c in frame.columns if c.endswith("category_id")]:
        at = frame.columns.get_loc(column) + 1
        frame.insert(at, column.removesuffix("_id") + "_name", _name_column(r, frame[column]))
    return frame


def disputed_box_records(r: ComparisonResult) -> dict[str, Any]:
    """The top of ``disputed_boxes.csv`` as JSON (``report.json``'s ``disputed_boxes``):
    ``columns`` once, ``rows`` (its first :data:`JSON_ROWS` rows, as lists in that order,
    missing values as None), ``total`` (the file's row count) and ``file`` (its name, beside
    report.json). Every row is in the file: at COCO scale (100,000 boxes) the rows made
    report.json 45 MB and took seconds to write and to read."""
    frame = _disputed_frame(r)
    total = len(frame)
    frame = frame.iloc[:JSON_ROWS].astype(object)
    frame = frame.where(frame.notna(), None)
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": [
            [v.item() if hasattr(v, "item") else v for v in row]
            for row in frame.itertuples(index=False, name=None)
        ],
        "total": total,
        "file": CSV_FILES["disputed_boxes"],
    }


def _swap_frame(r: ComparisonResult) -> pd.DataFrame:
    import pandas as pd

    names = r.diff.category_names
    only = {(s.a, s.b): s for s in r.diff.substitutions}
    rows = []
    patterns = r.disagreements.swap_patterns if r.disagreements is not None else ()
    for s in patterns:
        sub = only.get((s.a, s.b))
        rows.append(
            {
                "a_category_id": s.a,
                "a_category_name": names.get(s.a, ""),
                "b_category_id": s.b,
                "b_category_name": names.get(s.b, ""),
                "swap_boxes": s.swaps,
                "swap_images": s.images,
                "substitution_images": sub.images if sub else 0,
                **s.verdicts,
                "swap_image_ids": _ids(s.image_ids),
                "substitution_image_ids": _ids(sub.image_ids) if sub else "",
            }
        )
    swapped = {(s.a, s.b) for s in patterns}
    for sub in r.diff.substitutions:
        if (sub.a, sub.b) in swapped:
            continue
        rows.append(
            {
                "a_category_id": sub.a,
                "a_category_name": names.get(sub.a, ""),
                "b_category_id": sub.b,
                "b_category_name": names.get(sub.b, ""),
                "swap_boxes": 0,
                "swap_images": 0,
                "substitution_images": sub.images,
                "swap_image_ids": "",
                "substitution_image_ids": _ids(sub.image_ids),
            }
        )
    return pd.DataFrame(rows)


def _differing_frame(r: ComparisonResult) -> pd.DataFrame:
    frame = r.diff.to_frame()
    if r.disagreements is not None and len(frame):
        verdicts = list_verdicts(r.diff, r.disagreements.gt)
        frame["gt_categories"] = [_ids(v.gt_categories) for v in verdicts]
        frame["verdict"] = [v.code for v in verdicts]
    return frame


def _lrp_frame(r: ComparisonResult) -> pd.DataFrame:
    """Both runs' per-class LRP side by side (the page's table sorts by |ΔoLRP|; this keeps
    category order)."""
    assert r.lrp is not None
    fa, fb = r.lrp.a.to_frame(), r.lrp.b.to_frame()
    frame = fa[["category_id", "name", "gt"]].copy()
    for column in [c for c in fa.columns if c not in ("category_id", "name", "gt")]:
        frame[f"{column}_a"] = fa[column]
        frame[f"{column}_b"] = fb[column]
    olrp_a = frame["olrp_a"].astype("float64")
    frame["olrp_delta"] = frame["olrp_b"].astype("float64") - olrp_a
    return frame


def compare_csv_files(r: ComparisonResult) -> dict[str, str]:
    """File name → CSV text of every complete table (:data:`CSV_FILES`), for
    :attr:`~pill_compare.report.structure.Report.files`.

    Raises:
        TypeError: ``r`` is not a ComparisonResult.
    """
    if not isinstance(r, ComparisonResult):
        raise TypeError(f"Expected a ComparisonResult, got {type(r).__name__}")
    files = {
        CSV_FILES["per_image"]: to_csv(r.agreement.to_frame()),
        CSV_FILES["differing_images"]: to_csv(_differing_frame(r)),
        CSV_FILES["swap_patterns"]: to_csv(_swap_frame(r)),
        CSV_FILES["disputed_boxes"]: to_csv(_disputed_frame(r)),
    }
    if r.lrp is not None:
        files[CSV_FILES["lrp_per_class"]] = to_csv(_lrp_frame(r))
    return files
