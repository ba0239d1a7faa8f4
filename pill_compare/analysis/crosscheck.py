"""Cross-check an evaluation against pycocotools' ``COCOeval`` (or a drop-in engine) on the same input.

pillcmp's COCO stats are meant to equal pycocotools' bit for bit; :func:`cross_check` proves it
on the user's own data: it runs pycocotools (``COCO``, ``loadRes``, ``COCOeval`` ``evaluate`` /
``accumulate`` / ``summarize``) in memory with the settings the :class:`EvalResult` used, and
reports, per stat, both values and their absolute difference. ``engine`` may name one of the
pycocotools-exact drop-in engines instead (:data:`CROSS_CHECK_ENGINES`: ultrafast-pycocotools and
hotcoco, Rust, seconds where pycocotools takes a minute at COCO scale); they have the same API
(``COCO``, ``loadRes``, ``COCOeval``, ``stats``, ``eval['precision']``) and are run the same way.

Where each pycocotools number comes from (``StatCheck.source``):

* ``COCOeval.stats[i]``: pycocotools' own summary, used whenever its definition is the same as
  pillcmp's for that stat. ``summarize`` hard-codes its slices: ``stats[0]`` (AP over every
  threshold) always uses ``maxDets=100``, every other AP and the size-range ARs use
  ``maxDets[2]``, and the three ``mar`` use ``maxDets[0..2]``; with fewer than 3 caps it cannot
  run at all (it indexes ``maxDets[2]``).
* ``COCOeval.eval['precision']`` / ``['recall']``: for a stat that ``summarize`` does not compute
  with pillcmp's definition (pillcmp's ``map`` uses the *largest* cap, so ``map`` with caps
  ``1,10,300`` or any stat with a number of caps other than 3), the value is read from
  pycocotools' accumulated arrays with ``summarize``'s own formula: the mean of the defined
  (> -1) entries of the same slice, -1 (n/a) when there is none.

So every stat is comparable whatever the IoU thresholds and caps, and with the default settings
(IoU 0.50:0.95, caps 1, 10, 100) all 12 come from ``COCOeval.stats``.

pycocotools' ``loadRes`` refuses (``assert``) detections on images the ground truth lacks, so
those are left out of its input (as pillcmp's evaluation leaves them out); detections with
category ids the ground truth lacks are passed on, and pycocotools leaves them out by itself
(``COCOeval`` evaluates the GT's categories only), so the check also covers that policy.
pycocotools is slow at scale (about 50 s for 450,000 detections on 2 cores, see docs/eval.md).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.coco_metrics import StatSpec, stat_specs
from pill_compare.analysis.evaluate import EvalResult
from pill_compare.core import Detections, GroundTruth
from pill_compare.errors import ConfigError

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

#: Where a pycocotools number read from its accumulated arrays comes from.
SOURCE_PRECISION = "COCOeval.eval['precision']"
SOURCE_RECALL = "COCOeval.eval['recall']"

#: The engines :func:`cross_check` can run: name -> (module to import, package to install).
#: Each is pycocotools' API (``COCO(dict)``, ``loadRes(list)``, ``COCOeval``); the Rust ones are
#: optional dev dependencies of pillcmp.
CROSS_CHECK_ENGINES: dict[str, tuple[str, str]] = {
    "pycocotools": ("pycocotools", "pycocotools"),
    "ultrafast": ("ultrafast_pycocotools", "ultrafast-pycocotools"),
    "hotcoco": ("hotcoco", "hotcoco"),
}


def installed_engines() -> tuple[str, ...]:
    """The names in :data:`CROSS_CHECK_ENGINES` whose package can be imported here."""
    from importlib.util import find_spec

    return tuple(name for name, (module, _) in CROSS_CHECK_ENGINES.items() if find_spec(module))


@dataclass(frozen=True)
class StatCheck:
    """One COCO stat from pillcmp and from the reference engine (pycocotools by default).

    Attributes:
        key: The stat's key as in pillcmp's output (``map``, ``map_50``, ..., ``mar_large``).
        definition: pillcmp's one-line definition of the stat.
        pillcmp: pillcmp's value (None = n/a).
        reference: The engine's value (None where it reports -1).
        abs_diff: ``|pillcmp - reference|``; 0.0 when both are n/a, None when only one is.
        source: Where the pycocotools value was read (``COCOeval.stats[i]`` or one of its
            ``eval`` arrays; see the module docstring).
    """

    key: str
    definition: str
    pillcmp: float | None
    reference: float | None
    abs_diff: float | None
    source: str

    @property
    def equal(self) -> bool:
        """True when both values are the same float, or both are n/a."""
        return self.abs_diff == 0.0


@dataclass(frozen=True, eq=False)
class CrossCheck:
    """pillcmp's COCO stats next to pycocotools' (or another engine's) on the same input.

    Attributes:
        engine: The engine run, a key of :data:`CROSS_CHECK_ENGINES` ('pycocotools',
            'ultrafast', 'hotcoco').
        name: The run's display name.
        gt_source / dets_source: Where the inputs came from.
        detections: Detections given to pycocotools.
        left_out: Detections on images the ground truth lacks (pycocotools' ``loadRes`` refuses
            them), left out of pycocotools' input.
        iou_thresholds: (T,) float64 thresholds both tools used.
        max_dets: Caps on detections per (image, category) both tools used, ascending.
        stats: One :class:`StatCheck` per COCO stat, in pillcmp's order.
    """

    engine: str
    name: str
    gt_source: str
    dets_source: str
    detections: int
    left_out: int
    iou_thresholds: np.ndarray
    max_dets: tuple[int, ...]
    stats: tuple[StatCheck, ...]

    @property
    def max_abs_diff(self) -> float | None:
        """The largest ``abs_diff`` over the stats; None when some stat is n/a in one tool only
        (no number measures that disagreement)."""
        diffs = [s.abs_diff for s in self.stats]
        if any(d is None for d in diffs):
            return None
        return max(diffs, default=0.0)

    @property
    def equal(self) -> bool:
        """True when every stat is equal in both tools (same float, or both n/a)."""
        return all(s.equal for s in self.stats)

    @property
    def engine_package(self) -> str:
        """The engine's package name, as users install and cite it ('ultrafast-pycocotools')."""
        return CROSS_CHECK_ENGINES[self.engine][1]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the engine, settings, ``max_abs_diff``, ``equal`` and one entry per stat
        (``stats[].reference``: the engine's value; with pycocotools also under
        ``stats[].pycocotools``, the key's name before ``--cross-check-engine`` existed)."""
        return {
            "engine": self.engine,
            "engine_package": self.engine_package,
            "name": self.name,
            "ground_truth": self.gt_source,
            "results": self.dets_source,
            "detections": self.detections,
            "left_out": self.left_out,
            "iou_thresholds": self.iou_thresholds.tolist(),
            "max_dets": list(self.max_dets),
            "max_abs_diff": self.max_abs_diff,
            "equal": self.equal,
            "stats": [
                {
                    "key": s.key,
                    "pillcmp": s.pillcmp,
                    "reference": s.reference,
                    # the key before other engines could be named: kept for tools reading it
                    **({"pycocotools": s.reference} if self.engine == "pycocotools" else {}),
                    "abs_diff": s.abs_diff,
                    "source": s.source,
                    "definition": s.definition,
                }
                for s in self.stats
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per stat: key, pillcmp, reference, abs_diff, source, definition."""
        import pandas as pd

        return pd.DataFrame(
            {
                "key": [s.key for s in self.stats],
                "pillcmp": [s.pillcmp for s in self.stats],
                "reference": [s.reference for s in self.stats],
                "abs_diff": [s.abs_diff for s in self.stats],
                "source": [s.source for s in self.stats],
                "definition": [s.definition for s in self.stats],
            }
        ).astype(object)


def cross_check(
    gt: GroundTruth, dets: Detections, result: EvalResult, *, engine: str = "pycocotools"
) -> CrossCheck:
    """Run pycocotools' COCOeval (or ``engine``'s) on ``gt`` and ``dets``; compare with ``result``.

    The engine runs in memory (no file is written) with ``result``'s IoU thresholds and caps;
    its progress messages are swallowed (nothing is printed).

    Args:
        gt: The ground truth ``result`` was computed against.
        dets: The run ``result`` evaluated, as loaded. Detections on images ``gt`` lacks are left
            out of the engine's input (counted in ``left_out``).
        result: From :func:`~pill_compare.analysis.evaluate.evaluate` on ``gt`` and ``dets``.
        engine: A key of :data:`CROSS_CHECK_ENGINES`: 'pycocotools' (default), 'ultrafast'
            (ultrafast-pycocotools) or 'hotcoco'.

    Returns:
        The :class:`CrossCheck`: per stat both values and ``|difference|``; ``max_abs_diff``.

    Raises:
        TypeError: an argument of the wrong type.
        ConfigError: (``param="engine"``) an unknown engine, or one not installed here.

    Example:
        >>> check = cross_check(gt, dets, evaluate(gt, dets))  # doctest: +SKIP
        >>> check.max_abs_diff
        0.0
    """
    _expect(gt, GroundTruth, "gt")
    _expect(dets, Detections, "dets")
    _expect(result, EvalResult, "result")
    module = require_engine(engine)
    coco = result.coco
    thresholds = np.asarray(coco.iou_thresholds, dtype=np.float64)
    caps = tuple(int(m) for m in coco.max_dets)
    known = np.isin(dets.image_id, gt.images.id)
    passed = dets if known.all() else dets.select(known)
    ev = _run_cocoeval(module, gt, passed, thresholds, caps)
    summarized = _summarize_specs(caps)
    checks = []
    for spec in stat_specs(caps):
        ours = coco.stats[spec.key]
        slice_ = _slice_of(spec)
        if slice_ in summarized and ev.stats is not None:
            index = summarized.index(slice_)
            theirs, source = float(ev.stats[index]), f"COCOeval.stats[{index}]"
        else:
            theirs = _slice_mean(ev, spec)
            source = SOURCE_PRECISION if spec.ap else SOURCE_RECALL
        theirs_or_none = None if theirs == -1 else theirs
        checks.append(
            StatCheck(
                key=spec.key,
                definition=coco.definitions[spec.key],
                pillcmp=ours,
                reference=theirs_or_none,
                abs_diff=_abs_diff(ours, theirs_or_none),
                source=source,
            )
        )
    return CrossCheck(
        engine=engine,
        name=result.name,
        gt_source=gt.source,
        dets_source=dets.source,
        detections=len(passed),
        left_out=int((~known).sum()),
        iou_thresholds=thresholds,
        max_dets=caps,
        stats=tuple(checks),
    )


def require_engine(engine: str) -> Any:
    """The engine's package (a key of :data:`CROSS_CHECK_ENGINES`), imported.

    Raises:
        ConfigError: (``param="engine"``) an unknown name, or a package not installed here (the
            message names the package to install and the engines that are installed).
    """
    import importlib

    if engine not in CROSS_CHECK_ENGINES:
        raise ConfigError(
            f"expected a cross-check engine among {', '.join(CROSS_CHECK_ENGINES)}, got {engine!r}",
            param="engine",
        )
    module, package = CROSS_CHECK_ENGINES[engine]
    try:
        return importlib.import_module(module)
    except ImportError:
        installed = installed_engines()
        raise ConfigError(
            f"cross-check engine {engine!r} needs the package {package}, which is not installed "
            f"here: install it (pip install {package}) or name an installed engine "
            f"({', '.join(installed) if installed else 'none is'})",
            param="engine",
        ) from None


def _expect(value: Any, kind: type, name: str) -> None:
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise TypeError(
            f"Expected {name} to be {article} {kind.__name__}, got {type(value).__name__}"
        )


def _abs_diff(a: float | None, b: float | None) -> float | None:
    if a is None and b is None:
        return 0.0
    if a is None or b is None:
        return None
    return abs(float(a) - float(b))


#: A stat's slice of pycocotools' arrays: (AP?, IoU threshold or None = all, area, cap).
_Slice = tuple[bool, float | None, str, int]


def _slice_of(spec: StatSpec) -> _Slice:
    return (spec.ap, spec.iou, spec.area, spec.max_dets)


def _summarize_specs(caps: tuple[int, ...]) -> tuple[_Slice, ...]:
    """The slices ``COCOeval.summarize`` computes for bbox, in its ``stats`` order; empty when
    it cannot run (fewer than 3 caps)."""
    if len(caps) < 3:
        return ()
    m0, m1, m2 = caps[:3]
    return (
        (True, None, "all", 100),  # hard-coded maxDets=100, whatever the caps
        (True, 0.5, "all", m2),
        (True, 0.75, "all", m2),
        (True, None, "small", m2),
        (True, None, "medium", m2),
        (True, None, "large", m2),
        (False, None, "all", m0),
        (False, None, "all", m1),
        (False, None, "all", m2),
        (False, None, "small", m2),
        (False, None, "medium", m2),
        (False, None, "large", m2),
    )


class _Evaluated:
    """What the engine computed: its params, ``eval`` arrays and (when it ran) ``stats``."""

    def __init__(self, ev: Any, stats: np.ndarray | None) -> None:
        self.params = ev.params
        self.precision = np.asarray(ev.eval["precision"])
        self.recall = np.asarray(ev.eval["recall"])
        self.stats = stats


def _run_cocoeval(
    module: Any, gt: GroundTruth, dets: Detections, thresholds: np.ndarray, caps: tuple[int, ...]
) -> _Evaluated:
    """Run ``module``'s COCO / loadRes / COCOeval (pycocotools' API) on ``gt`` and ``dets``."""
    if module.__name__ == "pycocotools":
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
    else:  # the drop-in engines export both at the top level
        COCO, COCOeval = module.COCO, module.COCOeval

    dataset = gt.to_coco()
    empty = {
        "images": list(dataset["images"]),
        "categories": list(dataset["categories"]),
        "annotations": [],
    }
    # pycocotools prints progress on stdout; the analysis layer never prints.
    with contextlib.redirect_stdout(io.StringIO()):
        if module.__name__ == "pycocotools":
            coco_gt = COCO()
            coco_gt.dataset = dataset
            coco_gt.createIndex()
        else:
            coco_gt = COCO(dataset)
        if len(dets):
            coco_dt = coco_gt.loadRes(dets.to_coco())
        elif module.__name__ == "pycocotools":
            # loadRes([]) crashes (it reads anns[0]): the empty results COCO it would build.
            coco_dt = COCO()
            coco_dt.dataset = empty
            coco_dt.createIndex()
        else:
            coco_dt = COCO(empty)
        ev = COCOeval(coco_gt, coco_dt, "bbox")
        ev.params.iouThrs = thresholds.copy()
        ev.params.maxDets = list(caps)
        ev.evaluate()
        ev.accumulate()
        stats = None
        if len(caps) >= 3:
            ev.summarize()
            stats = np.array(ev.stats, dtype=np.float64)  # a list in some engines
    return _Evaluated(ev, stats)


def _slice_mean(ev: _Evaluated, spec: StatSpec) -> float:
    """``COCOeval.summarize``'s ``_summarize`` for one spec, on pycocotools' own arrays: the
    mean of the defined (> -1) entries of the slice, -1 when none is."""
    p = ev.params
    aind = [i for i, label in enumerate(p.areaRngLbl) if label == spec.area]
    mind = [i for i, m in enumerate(p.maxDets) if m == spec.max_dets]
    s = ev.precision if spec.ap else ev.recall
    if spec.iou is not None:
        s = s[np.where(spec.iou == np.asarray(p.iouThrs, dtype=np.float64))[0]]
    s = s[:, :, :, aind, mind] if spec.ap else s[:, :, aind, mind]
    defined = s[s > -1]
    return -1 if defined.size == 0 else float(np.mean(defined))
