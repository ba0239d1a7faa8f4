"""A diagnosis finding: one thing wrong with the inputs, as data (a code, numbers, evidence, a fix).

Every check of :mod:`pill_compare.analysis.diagnosis` returns :class:`Finding` s; the words
(title, sentence, fix) live in the catalogues (``diagnosis.<code>.*`` in
:mod:`pill_compare.report.messages`), keyed by the code and filled with ``params``.

Severities, most serious first:

* ``blocking``: a comparison on these inputs would be meaningless (wrong id space, boxes in
  another format, the wrong ground truth); the report names no better model while one stands.
* ``warning``: the numbers are computed but distorted (duplicate rows, zero-area boxes, images
  that only one run covers).
* ``info``: context worth knowing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pill_compare.core import CategoryIdMap

Severity = Literal["blocking", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("blocking", "warning", "info")

#: How many example rows or ids a finding keeps as evidence.
MAX_EVIDENCE = 5


@dataclass(frozen=True)
class Finding:
    """One diagnosis finding.

    Attributes:
        code: Stable identifier, e.g. ``'category_offset'`` (other tools read it).
        severity: ``'blocking'``, ``'warning'`` or ``'info'``.
        role: Which input: ``'a'``, ``'b'``, ``'gt'``, ``'a,b'`` (both runs), or a results file's
            position (``'1'``, ``'2'`` …) in ``pillcmp doctor``.
        file: That input's path ('' in memory).
        count: How many rows, boxes or images the finding concerns.
        params: JSON-ready numbers and ids the message is filled with (the catalogue's
            placeholders), e.g. ``{'offset': 1, 'explained': 0.98, 'map_before': 0.02}``.
        evidence: Up to :data:`MAX_EVIDENCE` example rows or ids, each a JSON-ready mapping.
        fix: What to do, as a code the catalogue words (``'category_map'``, ``'deduplicate'``,
            ``'convert_boxes'``, ``'check_gt'``, ...), '' when nothing is to be done.
        fix_params: Parameters of the fix (e.g. ``{'option': '--category-map offset:1'}``).
        category_map: For the id-space findings: the inferred map (what ``--category-map auto``
            applies, what ``doctor --write-map`` writes).
        repaired: The fix was applied when the inputs were prepared (``--category-map auto``):
            the finding stays on record but blocks nothing.
    """

    code: str
    severity: Severity
    role: str
    file: str = ""
    count: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: tuple[Mapping[str, Any], ...] = ()
    fix: str = ""
    fix_params: Mapping[str, Any] = field(default_factory=dict)
    category_map: CategoryIdMap | None = None
    repaired: bool = False

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"Expected severity in {SEVERITIES}, got {self.severity!r}")
        if not self.code or not self.code.replace("_", "").isalnum():
            raise ValueError(f"Expected a code of letters, digits and '_', got {self.code!r}")
        object.__setattr__(self, "evidence", tuple(self.evidence)[:MAX_EVIDENCE])
        object.__setattr__(self, "count", int(self.count))

    @property
    def blocking(self) -> bool:
        """A blocking finding that stands (not repaired)."""
        return self.severity == "blocking" and not self.repaired

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; ``code``, ``severity``, ``file`` and ``count`` are the contract."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "role": self.role,
            "file": self.file,
            "count": self.count,
            "params": dict(self.params),
            "evidence": [dict(e) for e in self.evidence],
            "fix": self.fix,
            "fix_params": dict(self.fix_params),
            "repaired": self.repaired,
        }
        if self.category_map is not None:
            out["category_map"] = self.category_map.to_dict()
        return out


def severity_order(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """``findings`` with blocking ones first, then warnings, then info (stable within each)."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(findings, key=lambda f: rank[f.severity]))


@dataclass(frozen=True)
class Diagnosis:
    """What the checks found on one set of inputs.

    Attributes:
        findings: Every finding, blocking first.
        checks: The names of the checks that ran, in order.
        roles: Role → file of every input looked at (``{'gt': 'gt.json', 'a': 'r.json'}``).
        category_maps: Role → the category-id map the data imply (the id-space findings'
            maps; what ``--category-map auto`` applies).
    """

    findings: tuple[Finding, ...] = ()
    checks: tuple[str, ...] = ()
    roles: Mapping[str, str] = field(default_factory=dict)
    category_maps: Mapping[str, CategoryIdMap] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", severity_order(self.findings))

    def __repr__(self) -> str:
        codes = ", ".join(f.code for f in self.findings[:5])
        return (
            f"Diagnosis(findings={len(self.findings)}, blocking={len(self.blocking)}"
            + (f", codes=[{codes}]" if codes else "")
            + ")"
        )

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """The blocking findings that stand (repaired ones block nothing)."""
        return tuple(f for f in self.findings if f.blocking)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning" and not f.repaired)

    @property
    def standing(self) -> tuple[Finding, ...]:
        """Blocking findings and warnings that were not repaired (what ``--strict`` refuses)."""
        return tuple(f for f in self.findings if f.severity != "info" and not f.repaired)

    def extended(self, findings: Sequence[Finding], check: str) -> Diagnosis:
        """This diagnosis with ``findings`` (from a later ``check``) added."""
        return Diagnosis(
            findings=(*self.findings, *findings),
            checks=(*self.checks, check),
            roles=self.roles,
            category_maps=self.category_maps,
        )

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """``{'findings': [...], 'blocking': n, 'warnings': n, 'checks': [...]}`` (JSON-ready;
        ``diagnosis.findings`` is the contract)."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "blocking": len(self.blocking),
            "warnings": len(self.warnings),
            "checks": list(self.checks),
            "inputs": dict(self.roles),
            "category_maps": {r: m.to_dict() for r, m in self.category_maps.items()},
        }
