"""Category-id space checks: ``category_offset``, ``category_class_index``, ``category_permutation``."""

from __future__ import annotations

from pill_compare.analysis.diagnosis.finding import Finding


def check_category_ids(inputs) -> list[Finding]:
    return []
