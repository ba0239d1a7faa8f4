"""The input check as report blocks: a banner, one table of findings, each finding's fix.

Used three ways, all from one :class:`~pill_compare.analysis.diagnosis.Diagnosis`:

* the report's first section (``diagnosis``), above the overview, when anything was found;
* ``pillcmp doctor``'s whole output (:func:`doctor_sections`);
* the lines every command prints first on stderr (:func:`finding_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pill_compare.analysis.diagnosis import Diagnosis, Finding
from pill_compare.report.messages import catalogue
from pill_compare.report.structure import Block, Bullets, Note, Paragraph, Section, Table


def finding_lines(diagnosis: Diagnosis, lang: str = "en") -> list[tuple[str, str, str]]:
    """``(severity, sentence, fix)`` per finding, blocking first; a repaired finding's severity
    reads 'repaired'."""
    msg = catalogue(lang)
    return [
        (
            "repaired" if f.repaired else f.severity,
            f"{msg.finding_title(f)}: {msg.finding_sentence(f)}",
            msg.finding_fix(f),
        )
        for f in diagnosis.findings
    ]


def _severity(t: Any, f: Finding) -> str:
    word = t(f"diagnosis.severity.{f.severity}")
    return f"{word} ({t('diagnosis.repaired')})" if f.repaired else word


def applied_maps(runs: Sequence[Any], lang: str = "en", gt_source: str = "") -> list[str]:
    """A sentence per run whose category ids were rewritten when loaded."""
    msg = catalogue(lang)
    return [s for s in (msg.applied_map_sentence(r, gt_source) for r in runs) if s]


def finding_items(diagnosis: Diagnosis, lang: str = "en") -> tuple[str, ...]:
    """One line per finding: '[severity] Title (code): sentence Fix: ...'."""
    msg = catalogue(lang)
    t = msg.text
    out = []
    for f in diagnosis.findings:
        fix = msg.finding_fix(f)
        line = f"[{_severity(t, f)}] {msg.finding_title(f)} ({f.code}): {msg.finding_sentence(f)}"
        out.append(line + (f" {t('diagnosis.fix_label')}: {fix}" if fix else ""))
    return tuple(out)


def diagnosis_blocks(
    diagnosis: Diagnosis,
    lang: str = "en",
    *,
    runs: Sequence[Any] = (),
    gt_source: str = "",
    banner: str = "diagnosis.banner",
) -> tuple[Block, ...]:
    """The banner (when a blocking finding stands), one line per finding with its fix, and the
    maps applied; one sentence when nothing was found."""
    msg = catalogue(lang)
    t = msg.text
    blocks: list[Block] = []
    if diagnosis.blocking:
        blocks.append(Note(t(banner, n=len(diagnosis.blocking)), kind="warning"))
    if diagnosis.standing:
        blocks.append(Paragraph(t("diagnosis.intro")))
        blocks.append(Bullets(finding_items(diagnosis, lang)))
    else:
        names = ", ".join(diagnosis.checks)
        blocks.append(Paragraph(t("diagnosis.clean", checks=len(diagnosis.checks), names=names)))
        if diagnosis.findings:  # info (or repaired) only: worth knowing, nothing to fix first
            blocks.append(Bullets(finding_items(diagnosis, lang)))
    maps = applied_maps(runs, lang, gt_source)
    if maps:
        blocks.append(Bullets(tuple(maps)))
    return tuple(blocks)


def diagnosis_section(
    diagnosis: Diagnosis, lang: str = "en", *, runs: Sequence[Any] = (), gt_source: str = ""
) -> Section:
    """The report's ``diagnosis`` section."""
    return Section(
        "diagnosis",
        catalogue(lang).text("s.diagnosis"),
        diagnosis_blocks(diagnosis, lang, runs=runs, gt_source=gt_source),
    )


def blocked_summary(diagnosis: Diagnosis, lang: str = "en") -> str:
    """The summary's first sentence while a blocking finding stands: no better model is named;
    what is wrong first, and its fix."""
    msg = catalogue(lang)
    first = diagnosis.blocking[0]
    fix = msg.finding_fix(first)
    return msg.text(
        "diagnosis.summary.blocked",
        n=len(diagnosis.blocking),
        codes=", ".join(dict.fromkeys(f.code for f in diagnosis.blocking)),
        first=msg.finding_sentence(first) + (f" {fix}" if fix else ""),
    )


def doctor_sections(
    diagnosis: Diagnosis, lang: str = "en", *, runs: Sequence[Any] = ()
) -> list[Section]:
    """``pillcmp doctor``'s output: the inputs looked at, then the findings."""
    msg = catalogue(lang)
    t = msg.text
    inputs = Table(
        key="diagnosis.inputs",
        headers=(t("col.role"), t("col.file")),
        rows=tuple((role, path) for role, path in diagnosis.roles.items()),
        sortable=False,
    )
    return [
        Section(
            "diagnosis",
            t("s.diagnosis"),
            (
                inputs,
                *diagnosis_blocks(diagnosis, lang, runs=runs, banner="diagnosis.banner.doctor"),
            ),
        )
    ]


__all__ = [
    "applied_maps",
    "blocked_summary",
    "diagnosis_blocks",
    "diagnosis_section",
    "doctor_sections",
    "finding_items",
    "finding_lines",
]
