"""What every command shares: output planning (checked first, written all or none), warnings,
strict mode, small parsers. Error handling lives in :mod:`pill_compare.cli.errors`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import typer

from pill_compare.cli.errors import flag_for
from pill_compare.cli.options import FORMAT_SUFFIXES, Format
from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io import load_ground_truth, load_results
from pill_compare.io.outputs import OutputTarget, check_output, write_outputs
from pill_compare.report.escape import terminal_safe


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text from files (names, messages) with control characters made harmless."""
    typer.echo(terminal_safe(text), err=err, nl=nl)


def warn(messages: Iterable[str]) -> None:
    for m in messages:
        typer.secho(terminal_safe(f"warning: {m}"), err=True, fg="yellow")


def loading_warnings(warnings: Sequence[str], *, strict: bool) -> None:
    """Print loading warnings, or with ``--strict`` refuse the input because of them (exit 1)."""
    if strict and warnings:
        raise InputFormatError(
            f"--strict: {len(warnings)} loading warning(s), treated as errors", list(warnings)
        )
    warn(warnings)


def load_two_runs(
    paths: tuple[Path, Path],
    names: tuple[str, str] | None,
    truth: GroundTruth | None,
    *,
    input_format: str,
    strict: bool,
) -> tuple[Detections, Detections]:
    """Load runs A and B (against ``truth`` when given), printing or refusing their warnings."""
    runs = []
    for path, name in zip(paths, names or (None, None), strict=True):
        dets = load_results(path, gt=truth, input_format=input_format, name=name)
        loading_warnings(dets.warnings, strict=strict)
        runs.append(dets)
    return runs[0], runs[1]


def load_optional_gt(path: Path | None, *, strict: bool) -> GroundTruth | None:
    """Load an optional ground truth (``--gt``), printing or refusing its warnings."""
    if path is None:
        return None
    truth = load_ground_truth(path)
    loading_warnings(truth.warnings, strict=strict)
    return truth


def parse_pair(value: str | None, option: str) -> tuple[str, str] | None:
    """Parse 'x,y' for options such as --names; None stays None."""
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise ConfigError(
            f"{option} expects two comma-separated names like 'resnet101,efficientnet_b3', got {value!r}"
        )
    return parts[0], parts[1]


def check_operating_point(score_thr: float, iou_thr: float, pair_iou: float) -> None:
    """The operating point and pairing IoU of compare / report (exit 2 when out of range)."""
    if not math.isfinite(score_thr):
        fail_usage(f"--score-thr must be a finite number >= 0, got {score_thr}")
    for flag, value in (("--iou-thr", iou_thr), ("--pair-iou", pair_iou)):
        if not (0 < value <= 1):
            fail_usage(f"{flag} must be in (0, 1], got {value}")


def fail_usage(message: str) -> None:
    """Raise a bad-usage error (exit 2) from inside a command."""
    raise ConfigError(message)


def _format_of_suffix(suffix: str) -> Format | None:
    for fmt, suffixes in FORMAT_SUFFIXES.items():
        if suffix in suffixes:
            return fmt
    return None


class Outputs:
    """Every output of one command: each path checked before any work, then written all or none.

    Example::

        out = Outputs()
        fmt = out.report("output", output, fmt)      # checks -o and its suffix against -f
        out.file("plot", plot, PLOT_SUFFIXES)        # checks --plot
        ... compute ...
        out.put("output", text); out.put("plot", png_bytes)
        out.write()                                  # nothing is written unless all succeed
    """

    def __init__(self) -> None:
        self._targets: dict[str, OutputTarget] = {}
        self._content: dict[str, bytes | str] = {}

    def file(
        self, param: str, path: Path | None, suffixes: Sequence[str] | None = None
    ) -> OutputTarget | None:
        """Check one output path now (exit 2 when it cannot be written); None stays None."""
        if path is None:
            return None
        target = check_output(path, suffixes=suffixes, param=param)
        for other, seen in self._targets.items():
            if target.kind != "stdout" and _same_file(seen, target):
                raise ConfigError(
                    f"{path}: is already the output of {flag_for(other)}; give each output its own file",
                    param=param,
                )
            if target.kind == "stdout" and seen.kind == "stdout":
                raise ConfigError(
                    f"only one output can go to stdout ('-'), and {flag_for(other)} already does",
                    param=param,
                )
        self._targets[param] = target
        return target

    def report(self, param: str, path: Path | None, fmt: Format | None) -> Format:
        """Check the report output and return its format: ``fmt``, else the suffix's, else text.

        A regular file's suffix must fit the format (``-o x.json -f md`` is refused, so is
        ``-o x.html``); stdout, devices and FIFOs take any format.
        """
        target = self.file(param, path)
        if target is None or target.kind != "file":
            return fmt or Format.text
        suffix = target.path.suffix.lower()
        implied = _format_of_suffix(suffix)
        listing = "; ".join(
            f"{f.value}: {', '.join(s or 'no suffix' for s in ss)}"
            for f, ss in FORMAT_SUFFIXES.items()
        )
        if fmt is None:
            if implied is None:
                raise ConfigError(
                    f"{path}: cannot tell the output format from the suffix '{suffix}'; "
                    f"supported suffixes are {listing}",
                    param=param,
                )
            return implied
        if suffix not in FORMAT_SUFFIXES[fmt]:
            expected = ", ".join(s or "no suffix" for s in FORMAT_SUFFIXES[fmt])
            raise ConfigError(
                f"{path}: --format {fmt.value} is written to {expected}, not '{suffix or 'no suffix'}'; "
                "change the suffix or the format",
                param=param,
            )
        return fmt

    def put(self, param: str, content: str | bytes) -> None:
        """The content of a checked output (ignored when that output was not asked for)."""
        if param in self._targets:
            self._content[param] = content

    def write(self) -> None:
        """Write every output that has content: files all or none, then stdout; say where."""
        files = [
            (t, self._content[p])
            for p, t in self._targets.items()
            if t.kind != "stdout" and p in self._content
        ]
        write_outputs(files)
        for target, _ in files:
            echo(f"wrote {target.path}", err=True)
        for p, t in self._targets.items():
            if t.kind == "stdout" and p in self._content:
                _print_stdout(self._content[p])


def print_or_put(outputs: Outputs, param: str, path: Path | None, text: str) -> None:
    """The report goes to ``path`` when given (via ``outputs``), else to the terminal."""
    if path is None:
        echo(text, nl=False)
    else:
        outputs.put(param, text)


def _print_stdout(content: str | bytes) -> None:
    if isinstance(content, bytes):
        typer.get_binary_stream("stdout").write(content)
    else:
        echo(content, nl=False)


def _same_file(a: OutputTarget, b: OutputTarget) -> bool:
    if a.kind == "special" or b.kind == "special":
        return False  # /dev/null twice is fine
    try:
        return os.path.samefile(a.write_path, b.write_path)
    except OSError:
        return a.write_path == b.write_path


def figure_bytes(fig: Any, path: Path) -> bytes:
    """Render a matplotlib Figure for ``path``'s suffix (deterministic bytes) and release it."""
    from pill_compare.report.figures import close_figure, figure_to_bytes

    try:
        return figure_to_bytes(fig, path.suffix.lower().lstrip(".") or "png")
    finally:
        close_figure(fig)


class progress_spinner:
    """A rich spinner on stderr naming the part being computed, only on a terminal.

    ``with progress_spinner("compare") as step: compare(..., progress=step)``.
    """

    def __init__(self, label: str):
        self.label = label
        self.live: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return lambda name: None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.live = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.live.start()
        task = self.live.add_task(self.label, total=None)
        return lambda name: self.live.update(task, description=f"{self.label}: {name}")

    def __exit__(self, *exc: Any) -> bool:
        if self.live is not None:
            self.live.stop()
        return False


def progress_bar(*extra: str) -> Any:
    """A started rich progress bar on stderr (description, bar, done/total, elapsed, left, then
    ``extra`` text columns such as ``"images"`` or ``"{task.fields[parts]}"``), or ``None`` when
    stderr is not a terminal. The caller adds tasks and stops it."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    live = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        *(TextColumn(text) for text in extra),
        console=Console(stderr=True),
        transient=True,
    )
    live.start()
    return live
