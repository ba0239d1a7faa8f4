"""Checks across inputs."""

from __future__ import annotations

from pill_compare.analysis.diagnosis.finding import Finding


def check_gt_mismatch(inputs) -> list[Finding]:
    return []


def check_identical_inputs(inputs) -> list[Finding]:
    return []


def check_image_sets_differ(inputs) -> list[Finding]:
    return []
