"""What every command shares: output planning (checked first, written all or none), warnings,
strict mode, small parsers. Error handling lives in :mod:`pill_compare.cli.errors`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

import typer

from pill_compare.analysis.diagnosis import PendingPreparation, PreparedRuns, start_prepare_runs
from pill_compare.cli.errors import flag_for
from pill_compare.cli.options import FORMAT_SUFFIXES, Format
from pill_compare.core import CategoryIdMap, GroundTruth
from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io import load_ground_truth, load_results
from pill_compare.io.category_map import parse_category_map
from pill_compare.io.outputs import OutputTarget, check_output, write_outputs
from pill_compare.parallel import Background, in_background
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


def parse_category_maps(
    specs: Sequence[str] | None, roles: Sequence[str]
) -> dict[str, CategoryIdMap | str]:
    """``--category-map`` values → role → map (or 'auto'). ``a=SPEC`` / ``b=SPEC`` name one
    run; a bare SPEC applies to every run (exit 2 when a role is given twice)."""
    out: dict[str, CategoryIdMap | str] = {}
    for spec in specs or ():
        role, _, rest = spec.partition("=")
        targets = [role] if rest and role in roles and len(roles) > 1 else list(roles)
        value = rest if rest and role in roles and len(roles) > 1 else spec
        if not value:
            fail_usage(f"--category-map expects auto, offset:N or a file, got {spec!r}")
        parsed = parse_category_map(value)
        for r in targets:
            if r in out:
                fail_usage(f"--category-map: run {r!r} is given two maps; give each run one")
            out[r] = parsed
    return out


class CheckedRuns:
    """Runs loaded, their check under way (:func:`start_checked_runs`): ``runs`` are ready for
    the analysis; :meth:`finish` waits for the check and prints what it found *first* on
    stderr (blocking first, each with its fix), then the maps applied, then the loading
    warnings; ``--strict`` refuses any finding that stands (exit 1)."""

    def __init__(
        self,
        pending: PendingPreparation,
        truth: GroundTruth | None,
        *,
        strict: bool,
        lang: str,
        quiet: bool,
    ) -> None:
        self.runs, self.truth = pending.runs, truth
        self._pending = pending
        self._strict, self._lang, self._quiet = strict, lang, quiet
        self._prepared: PreparedRuns | None = None

    def finish(self) -> PreparedRuns:
        if self._prepared is None:
            prepared = self._pending.result()
            self._prepared = prepared  # printed once, even when --strict refuses it
            if not self._quiet:
                report_diagnosis(prepared, self.truth, strict=self._strict, lang=self._lang)
                for run in prepared.runs.values():
                    loading_warnings(run.warnings, strict=self._strict)
        return self._prepared

    @contextmanager
    def first_on_error(self) -> Iterator[None]:
        """Around the analysis of ``runs``: if it fails, the check's findings are printed
        before the error (they may explain it), as when the check ran first."""
        try:
            yield
        except Exception:
            self.finish()
            raise
        except BaseException:  # Ctrl-C: stop the check too
            self._pending.cancel()
            raise


#: Runs files of this many bytes in all (~180k detections) are large enough that
#: :func:`start_loading_truth` loads the ground truth in a child process beside them.
TRUTH_BESIDE_BYTES = 16 << 20


def start_loading_truth(path: Path, *, beside: Sequence[Path]) -> Background[GroundTruth]:
    """Start loading the ground truth at ``path``: in a child process when the runs files that
    load next (``beside``) are large (:data:`TRUTH_BESIDE_BYTES`; their loading takes the
    other core only part of the time), else here, now. ``.result()`` gives the same
    :class:`GroundTruth` (or raises the same error) either way; give the job to
    :func:`start_checked_runs` as ``truth``."""
    size = 0
    for run in beside:
        with suppress(OSError):  # a missing file is the runs loader's to explain
            size += run.stat().st_size
    return in_background(partial(load_ground_truth, path), fork=size >= TRUTH_BESIDE_BYTES)


def start_checked_runs(
    paths: Sequence[Path],
    roles: Sequence[str],
    names: Sequence[str | None] | None,
    truth: GroundTruth | Background[GroundTruth] | None,
    *,
    input_format: str,
    strict: bool,
    category_map: Sequence[str] | None = None,
    score_threshold: float = 0.5,
    pair_iou: float = 0.5,
    iou_threshold: float = 0.5,
    lang: str = "en",
    quiet: bool = False,
    known_category_ids: Sequence[int] | None = None,
    beside: bool = True,
) -> CheckedRuns:
    """Load the runs as the files say and start their check and category maps
    (:func:`~pill_compare.analysis.diagnosis.start_prepare_runs`: beside what comes next where
    it cannot change the runs). Call ``.finish()`` before any output: it prints the findings
    (``quiet``: nothing, for ``doctor``, whose output is the findings) or refuses with
    ``strict``; ``start_checked_runs(...).finish()`` checks first, then goes on.

    ``beside``: False when the caller waits for the check at once (``.finish()`` next): it
    then runs here, without a child process whose start would cost and save nothing.

    ``truth`` may be still loading (:func:`start_loading_truth`): it is waited for after the
    runs are loaded, its loading warnings printed (or refused with ``strict``), and an error
    in it is raised before one in the runs, as if it had loaded first. ``.truth`` is it."""
    maps = parse_category_maps(category_map, roles)
    if any(m == "auto" for m in maps.values()) and truth is None and len(roles) != 2:
        fail_usage("--category-map auto needs --gt (or two runs, to map A's ids onto B's)")
    raw = {}
    try:
        for path, role, name in zip(paths, roles, names or [None] * len(roles), strict=True):
            given = maps.get(role)
            raw[role] = load_results(
                path,
                input_format=input_format,
                name=name,
                category_map=given if isinstance(given, CategoryIdMap) else None,
            )
    except Exception:
        if isinstance(truth, Background):
            truth.result()  # its error first; else the runs' error
        raise
    except BaseException:  # Ctrl-C: stop its loading too
        if isinstance(truth, Background):
            truth.cancel()
        raise
    if isinstance(truth, Background):
        truth = truth.result()
        loading_warnings(truth.warnings, strict=strict)
    pending = start_prepare_runs(
        truth,
        raw,
        auto_map=[r for r, m in maps.items() if m == "auto"],
        score_threshold=score_threshold,
        pair_iou=pair_iou,
        iou_threshold=iou_threshold,
        known_category_ids=known_category_ids,
        fork=beside,
    )
    return CheckedRuns(pending, truth, strict=strict, lang=lang, quiet=quiet)


def report_diagnosis(
    prepared: PreparedRuns, truth: GroundTruth | None, *, strict: bool, lang: str = "en"
) -> None:
    """Print the findings on stderr (or with ``strict`` refuse the input when any stands)."""
    from pill_compare.report.sections.diagnosis import applied_maps, finding_lines

    d = prepared.diagnosis
    lines = finding_lines(d, lang)
    if strict and d.standing:
        raise InputFormatError(
            f"--strict: {len(d.standing)} input finding(s), treated as errors",
            [
                f"{sev}: {text} Fix: {fix}" if fix else f"{sev}: {text}"
                for sev, text, fix in lines
                if sev != "info" and sev != "repaired"
            ],
        )
    print_finding_lines(lines)
    gt_source = truth.source if truth is not None else ""
    for line in applied_maps(list(prepared.runs.values()), lang, gt_source):
        typer.secho(terminal_safe(f"note: {line}"), err=True)


def print_finding_lines(lines: Sequence[tuple[str, str, str]]) -> None:
    """``severity: finding`` and ``  fix: ...`` lines on stderr (blocking in red, warnings in
    yellow; a repaired finding needs no fix; info stays in the outputs)."""
    colours = {"blocking": "red", "warning": "yellow"}
    for sev, text, fix in lines:
        if sev == "info":
            continue  # in the output (report, JSON, doctor), not worth a line on stderr
        typer.secho(terminal_safe(f"{sev}: {text}"), err=True, fg=colours.get(sev))
        if fix and sev != "repaired":
            typer.secho(terminal_safe(f"  fix: {fix}"), err=True, fg=colours.get(sev))


def report_later_findings(before: Any, after: Any, *, strict: bool, lang: str = "en") -> None:
    """Print the findings an analysis added to the diagnosis (the ground-truth audit's), or with
    ``strict`` refuse the input when one is a warning (exit 1)."""
    from pill_compare.analysis.diagnosis import Diagnosis
    from pill_compare.report.sections.diagnosis import finding_lines

    if after is None or before is None:
        return
    new = Diagnosis(findings=tuple(f for f in after.findings if f not in before.findings))
    lines = finding_lines(new, lang)
    if strict and new.standing:
        raise InputFormatError(
            f"--strict: {len(new.standing)} finding(s) on the ground truth, treated as errors",
            [f"{sev}: {text}" for sev, text, _ in lines if sev in ("blocking", "warning")],
        )
    print_finding_lines(lines)


def load_optional_gt(path: Path | None, *, strict: bool) -> GroundTruth | None:
    """Load an optional ground truth (``--gt``), printing or refusing its warnings."""
    if path is None:
        return None
    truth = load_ground_truth(path)
    loading_warnings(truth.warnings, strict=strict)
    return truth


def slice_specs(keys: Sequence[str] | None, truth: GroundTruth | None) -> list[Any]:
    """``--slice`` keys checked against the ground truth before any work: the
    :class:`~pill_compare.analysis.slices.SliceSpec` of each (exit 1 naming the keys there
    are when one is unknown; exit 2 when ``--slice`` is given without a ground truth)."""
    if not keys:
        return []
    if truth is None:
        fail_usage("--slice needs a ground truth (--gt): a slice's mAP is measured against it")
    from pill_compare.analysis.slices import define_slices

    return [define_slices(truth, key) for key in dict.fromkeys(keys)]


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


def parse_tide_iou(value: str, thresholds: Any = None) -> float | str | None:
    """``--tide-iou``: 'auto', 'off' (None) or an IoU among the COCO ``thresholds`` (the match
    table has no other; exit 2 otherwise)."""
    if value in ("auto", "off"):
        return None if value == "off" else "auto"
    try:
        iou = float(value)
    except ValueError:
        iou = float("nan")
    if not (0 < iou <= 1):
        fail_usage(f"--tide-iou expects an IoU in (0, 1], 'auto' or 'off', got {value!r}")
    if thresholds is not None:
        import numpy as np

        near = np.asarray(thresholds)[np.isclose(thresholds, iou)]
        if near.size == 0:
            listed = ", ".join(f"{t:g}" for t in thresholds)
            fail_usage(f"--tide-iou {value} must be one of the --iou thresholds ({listed})")
        iou = float(near[0])
    return iou


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
    """A rich spinner on stderr naming the part being computed, on a terminal; elsewhere
    nothing, or with ``lines=True`` (work of minutes, e.g. ``profile``) one line per part, so a
    log shows that it moves.

    ``with progress_spinner("compare") as step: compare(..., progress=step)``.
    """

    def __init__(self, label: str, *, lines: bool = False):
        self.label = label
        self.lines = lines
        self.live: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            if self.lines:
                return lambda name: echo(f"{self.label}: {name}", err=True)
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
