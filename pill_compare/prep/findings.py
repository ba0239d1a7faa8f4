"""A finding: one thing wrong (or worth knowing) about an input file, in a structured form.

``merge`` and ``check-submission`` both report lists of findings. Each names the rule it comes
from, how bad it is, where it is (a file, an image, CSV lines) and what to do about it.

Severities:

* ``error``: the output would be wrong or the submission would not score (exit code 1).
* ``warning``: fixed automatically (and said so), or legal but probably a mistake.
* ``info``: context, e.g. which id convention the files use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd


Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

#: How many locations (lines, ids) one finding spells out before counting the rest.
MAX_LOCATIONS = 10


@dataclass(frozen=True)
class Finding:
    """One finding.

    Attributes:
        rule: The rule's short name, e.g. ``'annotation_id'``, ``'missing_label'``.
        severity: ``'error'``, ``'warning'`` or ``'info'``.
        location: Where: a file path, ``'image K-...png'``, ``'lines 2, 5 (+3 more)'``; '' when
            the finding is about the whole input.
        message: What is wrong and, where known, the fix.
    """

    rule: str
    severity: Severity
    location: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"Expected severity in {SEVERITIES}, got {self.severity!r}")
        # File names with undecodable bytes reach Python as lone surrogates, which no output
        # can encode: keep them as visible escapes (\udcff) so every report can be written.
        for name in ("location", "message"):
            text = getattr(self, name)
            if not text.isprintable():
                object.__setattr__(self, name, writable_text(text))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def writable_text(text: str) -> str:
    """``text`` with lone surrogates as backslash escapes: encodable as UTF-8, else unchanged."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def count_severities(findings: Iterable[Finding]) -> dict[str, int]:
    """``{'error': n, 'warning': n, 'info': n}``."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


FINDING_COLUMNS: tuple[str, ...] = ("source", "rule", "severity", "location", "message")


def findings_frame(findings: Sequence[Finding], source: str = "") -> pd.DataFrame:
    """One row per finding: source (the input file or folder), rule, severity, location, message.

    Args:
        findings: The findings.
        source: The input they are about, repeated on every row so that a CSV report of several
            inputs (or one row read alone) still says which file it is about.
    """
    import pandas as pd

    return pd.DataFrame(
        [{"source": writable_text(source), **f.to_dict()} for f in findings],
        columns=list(FINDING_COLUMNS),
    )


def listing(values: Sequence[Any], limit: int = MAX_LOCATIONS) -> str:
    """``'1, 2, 3 (+4 more)'``: the first ``limit`` values, then a count of the rest."""
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" (+{len(values) - limit} more)" if len(values) > limit else "")


def located(noun: str, values: Sequence[Any], limit: int = MAX_LOCATIONS) -> str:
    """``'image id 280'`` or ``'image ids 3, 4, 5 (+2 more)'``: a noun, plural when needed."""
    return f"{noun}{'' if len(values) == 1 else 's'} {listing(values, limit)}"


def csv_lines(lines: Sequence[int], limit: int = MAX_LOCATIONS) -> str:
    """``'line 5'`` or ``'lines 5, 9, 12 (+3 more)'`` (1-based file lines; the header is line 1)."""
    return located("line", [int(n) for n in lines], limit)
