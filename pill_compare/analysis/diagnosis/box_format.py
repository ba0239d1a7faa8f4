"""Box format checks."""

from __future__ import annotations

from pill_compare.analysis.diagnosis.finding import Finding


def check_box_format(inputs) -> list[Finding]:
    return []


def check_degenerate_boxes(inputs) -> list[Finding]:
    return []
