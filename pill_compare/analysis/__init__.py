"""Analyses over the data model. Pure functions: no printing, no argv, no file writing.

The names below are imported on first use (PEP 562): importing one analysis module does not
import the others.
"""

from typing import TYPE_CHECKING

from pill_compare.lazy import lazy_exports

_EXPORTS = {
    "CategoryCount": "pill_compare.analysis.imbalance",
    "DiffResult": "pill_compare.analysis.diff",
    "ImageDiff": "pill_compare.analysis.diff",
    "ImbalanceResult": "pill_compare.analysis.imbalance",
    "Substitution": "pill_compare.analysis.diff",
    "compute_indices": "pill_compare.analysis.imbalance",
    "diff": "pill_compare.analysis.diff",
    "imbalance": "pill_compare.analysis.imbalance",
}


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from pill_compare.analysis.diff import DiffResult, ImageDiff, Substitution, diff
    from pill_compare.analysis.imbalance import (
        CategoryCount,
        ImbalanceResult,
        compute_indices,
        imbalance,
    )

__all__ = [
    "CategoryCount",
    "DiffResult",
    "ImageDiff",
    "ImbalanceResult",
    "Substitution",
    "compute_indices",
    "diff",
    "imbalance",
]
