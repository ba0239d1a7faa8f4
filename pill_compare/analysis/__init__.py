"""Analyses over the data model. Pure functions: no printing, no argv, no file writing."""

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
