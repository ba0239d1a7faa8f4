"""``duplicate_detections``."""

from __future__ import annotations

from pill_compare.analysis.diagnosis.finding import Finding


def check_duplicates(inputs) -> list[Finding]:
    return []
