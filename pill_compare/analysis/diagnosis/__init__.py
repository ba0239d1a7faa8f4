"""The input doctor: what is wrong with a comparison's inputs, found from the data, with the fix.

Real submissions break in a handful of ways that leave every number computable and meaningless:
a wrong category-id space with the right boxes, boxes in another format, duplicated rows, the
training annotations passed as the ground truth, the same file twice. Each check here is one
small function ``check(inputs) -> list[Finding]`` registered in :data:`CHECKS` (in the order
the findings are worth reading); :func:`diagnose` runs them all on the *raw* runs — as loaded,
before any id is left out or mapped — so a check sees what the file says.

The checks and their codes:

* :mod:`.inputs`: ``gt_mismatch`` (the runs' images are mostly not the ground truth's),
  ``identical_inputs`` (A and B hold the same detections), ``image_sets_differ``.
* :mod:`.box_format`: ``box_format_xyxy``, ``box_format_cxcywh``, ``box_format_normalized``
  (the reading of the boxes that matches the ground truth best), ``degenerate_boxes``.
* :mod:`.category_ids`: ``category_offset``, ``category_class_index``,
  ``category_permutation`` (a one-to-one assignment of ids from the class-agnostic matches).
* :mod:`.duplicates`: ``duplicate_detections`` (exact rows, and same image and class at
  IoU >= 0.95).

Words for people are in the catalogues (``diagnosis.<code>.*``); a finding carries numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from pill_compare.analysis.diagnosis.finding import (
    MAX_EVIDENCE,
    SEVERITIES,
    Diagnosis,
    Finding,
    Severity,
    severity_order,
)
from pill_compare.core import Detections, GroundTruth, expect_type
from pill_compare.parallel import Background, in_background


@dataclass(frozen=True, eq=False)
class DiagnosisInputs:
    """What the checks look at.

    Attributes:
        gt: The ground truth the runs will be scored against, or None.
        runs: Role → the run as loaded (no id left out, no map applied). Roles are ``'a'`` and
            ``'b'`` in a comparison, ``'1'``, ``'2'`` … in ``pillcmp doctor``.
        score_threshold: The operating score: boxes both runs agree on are counted above it.
        pair_iou: IoU at which two boxes are the same object (the pairing's).
        iou_threshold: IoU at which a box found a GT box (class-agnostic matching).
        files: Role → path shown in the findings.
        known_category_ids: The category list the runs should use (e.g. the training
            annotations' ids, in file order), or None. Without a ground truth, the id-space
            check names the run whose ids are mostly outside it.
    """

    gt: GroundTruth | None
    runs: Mapping[str, Detections]
    score_threshold: float = 0.5
    pair_iou: float = 0.5
    iou_threshold: float = 0.5
    files: Mapping[str, str] = field(default_factory=dict)
    known_category_ids: tuple[int, ...] | None = None

    def file(self, role: str) -> str:
        if role in self.files:
            return self.files[role]
        if role == "gt":
            return self.gt.source if self.gt is not None else ""
        run = self.runs.get(role)
        return (run.source or run.name) if run is not None else ""

    def pairs(self) -> list[tuple[str, str]]:
        """Every (earlier role, later role) pair of runs, in order."""
        roles = list(self.runs)
        return [(x, y) for i, x in enumerate(roles) for y in roles[i + 1 :]]


Check = Callable[[DiagnosisInputs], list[Finding]]


def _checks() -> list[tuple[str, Check]]:
    # Imported here: each family may import scipy, and `import pill_compare` stays light.
    from pill_compare.analysis.diagnosis import box_format, category_ids, duplicates, inputs

    return [
        ("gt_mismatch", inputs.check_gt_mismatch),
        ("identical_inputs", inputs.check_identical_inputs),
        ("box_format", box_format.check_box_format),
        ("category_ids", category_ids.check_category_ids),
        ("duplicate_detections", duplicates.check_duplicates),
        ("degenerate_boxes", box_format.check_degenerate_boxes),
        ("image_sets_differ", inputs.check_image_sets_differ),
    ]


def check_names() -> list[str]:
    """The registered checks, in the order they run."""
    return [name for name, _ in _checks()]


def diagnose(
    gt: GroundTruth | None,
    runs: Mapping[str, Detections],
    *,
    score_threshold: float = 0.5,
    pair_iou: float = 0.5,
    iou_threshold: float = 0.5,
    files: Mapping[str, str] | None = None,
    only: tuple[str, ...] | None = None,
    known_category_ids: Sequence[int] | None = None,
) -> Diagnosis:
    """Run every check on the inputs of a comparison or an evaluation.

    Args:
        gt: The ground truth, or None (checks that need one say nothing).
        runs: Role → run, *as loaded*: ``load_results(path)`` without ``gt`` (the checks need
            the ids the ground truth lacks) and without a category map.
        score_threshold / pair_iou / iou_threshold: As in :class:`DiagnosisInputs`.
        files: Role → path shown in the findings (default: each input's ``source``).
        only: Run just these checks (names from :func:`check_names`).
        known_category_ids: As in :class:`DiagnosisInputs` (e.g. ``train_gt.category_ids``).

    Returns:
        The :class:`Diagnosis`: findings blocking first, and the category-id map each run's
        data imply (``category_maps``; empty for a run whose ids are right).

    Example:
        >>> d = diagnose(gt, {"a": load_results("shifted.json")})  # doctest: +SKIP
        >>> d.findings[0].code, d.category_maps["a"]
        ('category_offset', CategoryIdMap({}, offset=-1, origin='auto'))
    """
    if gt is not None:
        expect_type(gt, GroundTruth, "gt")
    for role, run in runs.items():
        expect_type(run, Detections, f"runs[{role!r}]")
    inputs = DiagnosisInputs(
        gt=gt,
        runs=dict(runs),
        score_threshold=float(score_threshold),
        pair_iou=float(pair_iou),
        iou_threshold=float(iou_threshold),
        files=dict(files or {}),
        known_category_ids=(
            None if known_category_ids is None else tuple(int(i) for i in known_category_ids)
        ),
    )
    ran, found = [], []
    for name, check in _checks():
        if only is not None and name not in only:
            continue
        ran.append(name)
        found += check(inputs)
    maps = {}
    for f in found:
        if f.category_map is not None and f.role in inputs.runs:
            maps[f.role] = f.category_map
    roles = {r: inputs.file(r) for r in ([*(["gt"] if gt is not None else []), *inputs.runs])}
    return Diagnosis(findings=tuple(found), checks=tuple(ran), roles=roles, category_maps=maps)


@dataclass(frozen=True, eq=False)
class PreparedRuns:
    """The runs ready to compare, and what the checks found on them as loaded.

    Attributes:
        diagnosis: The findings on the runs as loaded (an id-space finding whose map was
            applied is marked ``repaired``).
        runs: Role → the run as every analysis sees it: auto maps applied, ids the ground truth
            lacks left out (with their warning, as ``load_results(..., gt=gt)`` gives).
    """

    diagnosis: Diagnosis
    runs: Mapping[str, Detections]


def prepare_runs(
    gt: GroundTruth | None,
    runs: Mapping[str, Detections],
    *,
    auto_map: tuple[str, ...] | list[str] = (),
    score_threshold: float = 0.5,
    pair_iou: float = 0.5,
    iou_threshold: float = 0.5,
    files: Mapping[str, str] | None = None,
    known_category_ids: Sequence[int] | None = None,
) -> PreparedRuns:
    """Diagnose the runs as loaded, apply ``--category-map auto`` where asked, then leave out
    the ids the ground truth lacks — the order every command follows.

    Args:
        gt: The ground truth, or None.
        runs: Role → run from ``load_results(path)`` *without* ``gt`` (a map the user gave,
            ``category_map=``, already applied).
        auto_map: Roles whose ids are rewritten by the map their data imply (none for a run
            whose ids are right). Needs a ground truth, or exactly two runs (A's ids are then
            mapped onto B's).
        score_threshold / pair_iou / iou_threshold / files / known_category_ids: As for
            :func:`diagnose`.

    Returns:
        The :class:`PreparedRuns`.
    """
    return start_prepare_runs(
        gt,
        runs,
        auto_map=auto_map,
        score_threshold=score_threshold,
        pair_iou=pair_iou,
        iou_threshold=iou_threshold,
        files=files,
        known_category_ids=known_category_ids,
        fork=False,
    ).result()


def _restricted(gt: GroundTruth | None, run: Detections) -> Detections:
    """The run without the ids ``gt`` lacks, with that warning (as ``load_results(gt=gt)``)."""
    if gt is None:
        return run
    from pill_compare.consistency import restrict_to_ground_truth

    run, found = restrict_to_ground_truth(run, gt)
    return Detections(**{**run.__dict__, "warnings": tuple(run.warnings) + tuple(found)})


#: From this many detections in all runs on (~0.1 s of checks), :func:`start_prepare_runs`
#: diagnoses in a child process beside the caller's next work (``pillcmp eval``: the
#: matching, which leaves the second core mostly idle). Interleaved, ``pillcmp eval``: 450k
#: detections, medians of 20 runs, 1.51 s against 1.58 s with the checks in the evaluation's
#: child after its own work, and earlier medians of 5 and 8 runs, 1.32 and 1.62 s against 1.41
#: and 1.64 s with the checks first; 1.8M, 2.86-3.30 s against 3.02-3.74 s with the checks
#: first. Below, the checks take well under 0.1 s, about what a child's start and copied
#: pages cost.
FORK_DETECTIONS = 300_000


class PendingPreparation:
    """:func:`prepare_runs` under way (from :func:`start_prepare_runs`).

    Attributes:
        runs: Role → the run as every analysis sees it, ready now (the same runs
            :meth:`result` gives).
    """

    def __init__(
        self,
        runs: Mapping[str, Detections],
        diagnosis: Background[Diagnosis] | None = None,
        prepared: PreparedRuns | None = None,
    ) -> None:
        self.runs = runs
        self._diagnosis = diagnosis
        self._prepared = prepared

    def result(self) -> PreparedRuns:
        """The :class:`PreparedRuns` (waits for the diagnosis), equal to what
        :func:`prepare_runs` returns for the same arguments."""
        if self._prepared is None:
            assert self._diagnosis is not None
            self._prepared = PreparedRuns(diagnosis=self._diagnosis.result(), runs=self.runs)
        return self._prepared

    def cancel(self) -> None:
        """Stop a diagnosis still running in a child process."""
        if self._diagnosis is not None:
            self._diagnosis.cancel()


def start_prepare_runs(
    gt: GroundTruth | None,
    runs: Mapping[str, Detections],
    *,
    auto_map: tuple[str, ...] | list[str] = (),
    score_threshold: float = 0.5,
    pair_iou: float = 0.5,
    iou_threshold: float = 0.5,
    files: Mapping[str, str] | None = None,
    known_category_ids: Sequence[int] | None = None,
    fork: bool = True,
) -> PendingPreparation:
    """:func:`prepare_runs`, with the diagnosis beside the caller's next work where it cannot
    change the runs.

    Without ``auto_map`` the runs every analysis reads do not depend on what the diagnosis
    finds (it only reports), so they are ready at once and the checks run in a child process
    (:func:`~pill_compare.parallel.in_background`, at :data:`FORK_DETECTIONS` detections or
    more) while the caller evaluates them. With ``auto_map`` the maps come from the diagnosis,
    so it runs first, here.

    Args:
        gt / runs / auto_map / score_threshold / pair_iou / iou_threshold / files /
            known_category_ids: As for :func:`prepare_runs`.
        fork: False: diagnose here, now (what :func:`prepare_runs` does).

    Returns:
        A :class:`PendingPreparation`: ``.runs`` now, ``.result()`` the :class:`PreparedRuns`.
    """
    raw = dict(runs)

    def check() -> Diagnosis:
        return diagnose(
            gt,
            raw,
            score_threshold=score_threshold,
            pair_iou=pair_iou,
            iou_threshold=iou_threshold,
            files=files,
            known_category_ids=known_category_ids,
        )

    if not auto_map:
        many = sum(len(run) for run in raw.values()) >= FORK_DETECTIONS
        job = in_background(check, fork=fork and many)
        return PendingPreparation({role: _restricted(gt, run) for role, run in raw.items()}, job)
    diagnosis = check()
    out: dict[str, Detections] = {}
    repaired: set[str] = set()
    for role, run in raw.items():
        mapping = diagnosis.category_maps.get(role) if role in auto_map else None
        if mapping is not None and not mapping.is_identity:
            run = mapping.apply(run)
            repaired.add(role)
        out[role] = _restricted(gt, run)
    if repaired:
        findings = tuple(
            replace(f, repaired=True) if f.category_map is not None and f.role in repaired else f
            for f in diagnosis.findings
        )
        diagnosis = replace(diagnosis, findings=findings)
    return PendingPreparation(out, prepared=PreparedRuns(diagnosis=diagnosis, runs=out))


__all__ = [
    "MAX_EVIDENCE",
    "SEVERITIES",
    "Check",
    "Diagnosis",
    "DiagnosisInputs",
    "Finding",
    "PendingPreparation",
    "PreparedRuns",
    "Severity",
    "check_names",
    "diagnose",
    "prepare_runs",
    "severity_order",
    "start_prepare_runs",
]
