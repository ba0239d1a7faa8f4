"""The one exception family pillcmp raises for anything that came from a file or a flag.

The library raises; only the CLI turns these into exit codes (1 for bad data, 2 for bad usage).
Programmer misuse (a bad argument passed in Python code) raises ``ValueError`` / ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Sequence

#: How many problems one error lists before summarising the rest.
MAX_LISTED_PROBLEMS = 20


class PillCompareError(Exception):
    """Base class: a problem with the user's input, printable as-is.

    Args:
        message: One line saying what is wrong (and, where known, how to fix it).
        problems: Optional individual findings, one per line, e.g. one per bad record.
        total: How many problems exist in all, when ``problems`` was cut short.
    """

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[str] = (), total: int | None = None):
        self.message = message
        self.problems = tuple(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__(self.render())

    def render(self) -> str:
        """The full human-readable text: the message, then one problem per line."""
        lines = [self.message]
        lines += [f"  - {p}" for p in self.problems]
        hidden = self.total - len(self.problems)
        if hidden > 0:
            lines.append(f"  ... and {hidden} more problem(s) not listed")
        return "\n".join(lines)


class InputFormatError(PillCompareError):
    """A file cannot be read as what it should be: bad JSON/CSV, missing keys, bad values."""


class ConsistencyError(PillCompareError):
    """Files are valid alone but contradict each other (e.g. results name unknown image ids)."""


class ConfigError(PillCompareError):
    """A parameter value that cannot work (bad usage): exit code 2.

    Args:
        message: What is wrong, worded without naming any CLI flag (the library has none).
        problems / total: As for :class:`PillCompareError`.
        param: The library parameter the message is about (``"input_format"``,
            ``"iou_thresholds"``, ...). The CLI renders it as the flag the user typed; in Python
            it names the keyword argument.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        problems: Sequence[str] = (),
        total: int | None = None,
        *,
        param: str | None = None,
    ):
        self.param = param
        super().__init__(message, problems, total)

    def render(self) -> str:
        text = super().render()
        return f"{self.param}: {text}" if self.param else text


class ProblemCollector:
    """Collects per-record problems, keeping the first ``limit`` and counting all.

    Example:
        >>> problems = ProblemCollector()
        >>> problems.add("record #3: 'score' must be a number, got 'high'")
        >>> problems.raise_if_any(InputFormatError, "a.json: 1 invalid record")
        Traceback (most recent call last):
        ...
        pill_compare.errors.InputFormatError: a.json: 1 invalid record
          - record #3: 'score' must be a number, got 'high'
    """

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS):
        self.limit = limit
        self.items: list[str] = []
        self.total = 0

    def add(self, problem: str) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self, error_type: type[PillCompareError], message: str) -> None:
        if self.total:
            raise error_type(message, self.items, self.total)
