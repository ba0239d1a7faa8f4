"""Slices: the COCO metrics per value of an image or annotation attribute, from the match tables.

A *slice key* groups the ground truth; a *slice* is one value of it. Keys:

* ``objects_per_image``: an image's non-crowd GT boxes. Each distinct count is a slice when
  there are at most :data:`FEW_VALUES` of them, else the bins 0, 1, 2, 3, 4, 5-9, 10-19, 20+
  (code ``binned``).
* ``image_size``: an image's ``width`` x ``height`` ('976x1280'; 'unknown' without them); more
  than :data:`FEW_VALUES` sizes are binned by the longer side: <=640, 641-1024, 1025-2048, >2048
  (code ``binned``).
* any key of the annotations' ``attributes`` (what ``pillcmp merge`` writes from AIHub:
  ``drug_shape``, ``color_class1``, ``print_front``, ...; ``attributes.<key>`` also works). An
  annotation without the key has the value None (code ``attribute_missing``). At most
  :data:`MAX_SLICE_VALUES` distinct values: a grouping, not an identifier.

How a slice's numbers are computed (nothing is matched again; every number comes from the runs'
:class:`~pill_compare.analysis.matching.MatchTable`\\ s), by the key's *mode*:

* ``image`` (``objects_per_image``, ``image_size``, and an attribute that is constant within
  every image but not within every class): the slice is a set of images; its mAP is the COCO mAP
  on those images alone: pycocotools with ``params.imgIds`` = the slice's images, bit for bit
  (:func:`~pill_compare.analysis.coco_metrics.accumulate_precision_recall` with 0/1 image
  weights). For an attribute, an image without annotations has no value and is in no slice.
* ``category`` (an attribute constant within every class: for pills, shape and colour are
  properties of the drug): the slice is the set of classes with that value; its mAP is the mean
  AP over those classes: pycocotools with ``params.catIds`` = those classes, bit for bit.
* ``annotation`` (an attribute that varies within a class and within an image; code
  ``attribute_varies_within_class``): per annotation, as COCO treats its area ranges but
  without matching again: GT boxes outside the slice are ignored, a detection matched to one is
  ignored, and a detection that matched nothing counts in the slice of its predicted class's
  most frequent value (ties: the first value in slice order). A detection that matched an
  ignored box might have matched a box of the slice under a re-matching: these numbers are the
  table's, not pycocotools' with ignore flags.

Each slice reports ``map`` (COCO AP over the evaluation's IoU thresholds, area 'all', the
largest ``maxDets``), ``map_50``, its images and its non-crowd GT boxes; mAP is None where the
slice has no GT box.

Two runs (:func:`compare_slices`): Δ = B − A per slice, with the paired image bootstrap of
:mod:`~pill_compare.analysis.significance` (``resample_images``:
the resamples of ``paired_bootstrap`` with the same random seed; a resample counts each image as often
as it was drawn, in the slice's images only). ``ci_low`` / ``ci_high``: the percentile interval
of the resampled Δs. Does the gap differ between slices? Per slice, g = Δ(slice) − Δ(rest), the
rest being every other slice of the key, on the same resamples; ``p_gap`` is the two-sided
bootstrap p of g = 0 (min(1, 2 (1 + min(#{g* <= 0}, #{g* >= 0})) / (N + 1)), as for ΔmAP), and
``p_gap_holm`` its Holm correction (:func:`~pill_compare.analysis.significance.holm`) over the
key's slices. With exactly two slices the two tests are one (g of one slice is −g of the other),
so the family has one member and ``p_gap_holm = p_gap``. A resample where g is undefined for a
run (no GT drawn in the slice or in the rest) is left out. A slice with fewer than
:data:`MIN_TEST_IMAGES` images gets neither interval nor test (``not_tested = 'too_small'``:
every resample that draws its one image gives the same Δ, an interval of width 0 that means
nothing), but stays in the others' rest. Finding per key: ``gap_differs`` when some
``p_gap_holm`` < alpha, else ``no_evidence``; ``not_tested`` when no slice was tested.

The bootstrap replicates come from
:func:`~pill_compare.analysis.significance.replicate_metrics` under the resample weights: for
image slices on the table with the other images' GT boxes ignored and their detections ranked
past every ``maxDets`` cap (the same numbers as weight 0, at a cost that follows the slice's
size); for annotation slices on the table with the outside boxes ignored; for class slices as
the mean of per-class APs (:func:`replicate_class_ap`, one class at a time), so every class
grouping of every key costs one pass per run.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.analysis.coco_metrics import (
    COCO_MAX_DETS,
    accumulate_precision_recall,
    summarize_precision_recall,
)
from pill_compare.analysis.matching import IGNORED, MatchTable, coco_iou_thresholds
from pill_compare.core import GroundTruth
from pill_compare.errors import ConsistencyError

SliceMode = Literal["image", "category", "annotation"]
SliceFinding = Literal["gap_differs", "no_evidence", "not_tested"]

#: The keys every ground truth has (image properties).
IMAGE_KEYS = ("objects_per_image", "image_size")
#: Attribute keys the report slices by without being asked, when the ground truth has them.
DEFAULT_REPORT_KEYS = ("drug_shape", "color_class1")
#: Most distinct values of an attribute key.
MAX_SLICE_VALUES = 20
#: A slice with fewer images (holding its GT boxes) gets neither an interval nor a gap test.
MIN_TEST_IMAGES = 10
#: An image key with at most this many distinct values gets one slice per value (else bins).
FEW_VALUES = 6
#: ``objects_per_image`` bins: (label, lowest, highest) counts.
OBJECT_BINS = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4", 4, 4),
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20+", 20, np.inf),
)
#: ``image_size`` bins by the longer side in pixels: (label, lowest, highest).
SIZE_BINS = (
    ("<=640", 0, 640),
    ("641-1024", 641, 1024),
    ("1025-2048", 1025, 2048),
    (">2048", 2049, np.inf),
)


@dataclass(frozen=True, eq=False)
class SliceSpec:
    """How one key cuts a ground truth into slices (module docstring).

    Attributes:
        key: The key ('objects_per_image', 'image_size' or an attribute key).
        mode: 'image', 'category' or 'annotation'.
        values: The V slice values in display order (JSON scalars; None = attribute missing).
        labels: (V,) what each value shows as ('3', '5-9', '976x1280', 'round'; 'n/a' for
            None, '""' for an empty string).
        gt_slice: (G,) int64 value index of each GT row, -1 when in no slice.
        image_slice: (I,) int64 value index of each image (``gt.images`` order), -1 = none;
            None unless mode is 'image'.
        category_slice: Category id → value index (mode 'category'; empty otherwise).
        codes: Facts about the key a reader needs ('binned', 'attribute_missing',
            'attribute_varies_within_class', 'images_without_value').
    """

    key: str
    mode: SliceMode
    values: tuple[Any, ...]
    labels: tuple[str, ...]
    gt_slice: np.ndarray
    image_slice: np.ndarray | None = None
    category_slice: dict[int, int] = dataclasses.field(default_factory=dict)
    codes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"SliceSpec(key={self.key!r}, mode={self.mode!r}, values={list(self.labels)})"


@dataclass(frozen=True)
class SliceEntry:
    """One slice of one run.

    Attributes:
        value / label: The slice value and how it shows.
        n_images: Images of the slice (mode 'image'), or images holding a GT box of it.
        n_gt: Non-crowd GT boxes of the slice.
        category_ids: The slice's classes (mode 'category'), else None.
        map: COCO mAP of the slice (None without GT).
        map_50: The same at IoU 0.50 (None without GT or when 0.50 was not evaluated).
    """

    value: Any
    label: str
    n_images: int
    n_gt: int
    category_ids: tuple[int, ...] | None
    map: float | None
    map_50: float | None


@dataclass(frozen=True, eq=False)
class SliceMetrics:
    """One run's numbers per slice of one key (``pillcmp eval --slice``).

    Attributes:
        key / mode / codes: As in :class:`SliceSpec`.
        name: The run's display name.
        entries: One :class:`SliceEntry` per value, in the spec's order.
    """

    key: str
    mode: SliceMode
    codes: tuple[str, ...]
    name: str
    entries: tuple[SliceEntry, ...]

    def records(self) -> list[dict[str, Any]]:
        """JSON ``slices`` entries: ``{key, value, label, mode, n_images, n_gt, category_ids,
        map, map_50, codes}``, one per slice."""
        return [
            {
                "key": self.key,
                **_entry_head(e),
                "mode": self.mode,
                "map": e.map,
                "map_50": e.map_50,
                "codes": list(self.codes),
            }
            for e in self.entries
        ]


@dataclass(frozen=True)
class SliceGap:
    """One slice, A vs B (definitions in the module docstring).

    Attributes:
        a / b: Each run's :class:`SliceEntry`.
        delta: B − A mAP on the full data (None where undefined).
        ci_low / ci_high: Percentile interval of the resampled Δs.
        p_gap: Bootstrap p of "Δ(slice) = Δ(rest)".
        p_gap_holm: Holm-adjusted over the key's slices.
        resamples_used: Resamples where Δ(slice) − Δ(rest) was defined for both runs.
        not_tested: Why the slice has no gap test, None when it has one: 'no_bootstrap',
            'no_gt' (mAP undefined for a run), 'too_small' (fewer than
            :data:`MIN_TEST_IMAGES` images: no interval either, a bootstrap of a handful of
            images has no spread to measure), 'single_slice' (no rest to compare with; the
            interval is given).
    """

    a: SliceEntry
    b: SliceEntry
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_gap: float | None
    p_gap_holm: float | None
    resamples_used: int
    not_tested: str | None = None


@dataclass(frozen=True, eq=False)
class SliceComparison:
    """A vs B per slice of one key, with the bootstrap interval and the gap test.

    Attributes:
        key / mode / codes: As in :class:`SliceSpec`.
        name_a / name_b: The runs' display names.
        n_resamples / confidence / alpha: resamples (0: none), confidence level of the
            intervals and significance level of the bootstrap; its random seed is the attribute
            of that name.
        entries: One :class:`SliceGap` per value.
        finding: 'gap_differs', 'no_evidence' or 'not_tested'.
    """

    key: str
    mode: SliceMode
    codes: tuple[str, ...]
    name_a: str
    name_b: str
    n_resamples: int
    seed: int
    confidence: float
    alpha: float
    entries: tuple[SliceGap, ...]
    finding: SliceFinding

    def __repr__(self) -> str:
        return (
            f"SliceComparison(key={self.key!r}, mode={self.mode!r}, "
            f"slices={len(self.entries)}, finding={self.finding!r})"
        )

    def records(self) -> list[dict[str, Any]]:
        """JSON ``slices`` entries: ``{key, value, label, mode, n_images, n_gt, category_ids,
        a: {map, map_50}, b: {map, map_50}, delta, ci_low, ci_high, p_gap, p_gap_holm,
        resamples_used, not_tested, finding, codes}``, one per slice."""
        return [
            {
                "key": self.key,
                **_entry_head(g.a),
                "mode": self.mode,
                "a": {"map": g.a.map, "map_50": g.a.map_50},
                "b": {"map": g.b.map, "map_50": g.b.map_50},
                "delta": g.delta,
                "ci_low": g.ci_low,
                "ci_high": g.ci_high,
                "p_gap": g.p_gap,
                "p_gap_holm": g.p_gap_holm,
                "resamples_used": g.resamples_used,
                "not_tested": g.not_tested,
                "finding": self.finding,
                "codes": list(self.codes),
            }
            for g in self.entries
        ]


def _entry_head(e: SliceEntry) -> dict[str, Any]:
    return {
        "value": e.value,
        "label": e.label,
        "n_images": e.n_images,
        "n_gt": e.n_gt,
        "category_ids": None if e.category_ids is None else list(e.category_ids),
    }


def slice_keys(gt: GroundTruth) -> tuple[str, ...]:
    """The keys :func:`define_slices` takes for ``gt``: the image keys, then the annotations'
    attribute keys in sorted order."""
    check_inputs("slice_keys", gt=(gt, GroundTruth))
    return (*IMAGE_KEYS, *sorted(gt.annotations.attributes))


def default_slice_keys(gt: GroundTruth) -> tuple[str, ...]:
    """The keys of :data:`DEFAULT_REPORT_KEYS` that ``gt``'s annotations carry with at most
    :data:`MAX_SLICE_VALUES` values (what the report slices by unless told otherwise)."""
    check_inputs("default_slice_keys", gt=(gt, GroundTruth))
    attrs = gt.annotations.attributes
    return tuple(
        k
        for k in DEFAULT_REPORT_KEYS
        if k in attrs and len(_distinct(attrs[k])[0]) <= MAX_SLICE_VALUES
    )


def define_slices(gt: GroundTruth, key: str) -> SliceSpec:
    """Cut ``gt`` into the slices of ``key`` and pick the mode (module docstring).

    Args:
        gt: The ground truth.
        key: 'objects_per_image', 'image_size' or an attribute key (``attributes.<key>`` too).

    Returns:
        The :class:`SliceSpec`.

    Raises:
        ConsistencyError: ``key`` is neither an image key nor an attribute of ``gt``'s
            annotations (the message lists the keys there are), or it has more than
            :data:`MAX_SLICE_VALUES` values.

    Example:
        >>> define_slices(gt, "objects_per_image")  # doctest: +SKIP
        SliceSpec(key='objects_per_image', mode='image', values=['3', '4'])
    """
    check_inputs("define_slices", gt=(gt, GroundTruth))
    if not isinstance(key, str):
        raise TypeError(f"Expected key to be a str, got {type(key).__name__}")
    if key == "objects_per_image":
        return _objects_per_image(gt)
    if key == "image_size":
        return _image_size(gt)
    name = key.removeprefix("attributes.")
    attrs = gt.annotations.attributes
    if name not in attrs:
        found = ", ".join(slice_keys(gt))
        raise ConsistencyError(
            f"{gt.source or 'the ground truth'}: no slice key {key!r}: its annotations have no "
            f"such attribute. Available: {found} (attributes are the annotations' "
            "'attributes' objects, as 'pillcmp merge' writes them)"
        )
    return _attribute(gt, name, attrs[name])


def _image_slices(
    gt: GroundTruth,
    key: str,
    labels: Sequence[str],
    image_slice: np.ndarray,
    codes: Sequence[str] = (),
) -> SliceSpec:
    gt_img = _image_rows(gt, gt.annotations.image_id)
    return SliceSpec(
        key=key,
        mode="image",
        values=tuple(labels),
        labels=tuple(labels),
        gt_slice=image_slice[gt_img] if gt_img.size else np.zeros(0, np.int64),
        image_slice=image_slice,
        codes=tuple(codes),
    )


def _objects_per_image(gt: GroundTruth) -> SliceSpec:
    ann = gt.annotations
    rows = _image_rows(gt, ann.image_id[~ann.iscrowd])
    counts = np.bincount(rows, minlength=len(gt.images))
    distinct = np.unique(counts)
    if distinct.size <= FEW_VALUES:
        return _image_slices(
            gt, "objects_per_image", [str(v) for v in distinct], np.searchsorted(distinct, counts)
        )
    return _binned(gt, "objects_per_image", counts.astype(np.float64), OBJECT_BINS)


def _image_size(gt: GroundTruth) -> SliceSpec:
    w, h = gt.images.width, gt.images.height
    known = np.isfinite(w) & np.isfinite(h)
    names = np.array(
        [f"{a:g}x{b:g}" if ok else "unknown" for a, b, ok in zip(w, h, known, strict=True)],
        dtype=object,
    )
    sizes = sorted(set(names[known].tolist()), key=lambda s: tuple(float(x) for x in s.split("x")))
    if len(sizes) <= FEW_VALUES:
        labels = sizes + (["unknown"] if not known.all() else [])
        index = {s: i for i, s in enumerate(labels)}
        return _image_slices(gt, "image_size", labels, np.array([index[n] for n in names]))
    longer = np.where(known, np.fmax(w, h), np.nan)
    return _binned(gt, "image_size", longer, SIZE_BINS)


def _binned(gt: GroundTruth, key: str, values: np.ndarray, bins: tuple) -> SliceSpec:
    """Image slices by ``bins`` (label, low, high) of (I,) ``values`` (NaN: 'unknown')."""
    which = np.full(values.size, -1, dtype=np.int64)
    for i, (_, low, high) in enumerate(bins):
        which[(values >= low) & (values <= high)] = i
    used = [i for i in range(len(bins)) if (which == i).any()]
    labels = [bins[i][0] for i in used]
    if (which < 0).any():
        labels.append("unknown")
        which[which < 0] = len(bins)
        used.append(len(bins))
    image_slice = np.searchsorted(np.array(used), which)
    return _image_slices(gt, key, labels, image_slice, ("binned",))


def _distinct(column: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """The distinct values of an object column and each row's index among them (first seen)."""
    index: dict[Any, int] = {}
    out = np.empty(column.size, dtype=np.int64)
    for i, v in enumerate(column.tolist()):
        if isinstance(v, list | dict):  # a nested JSON value groups by its compact text
            v = json.dumps(v, ensure_ascii=False, sort_keys=True)
        out[i] = index.setdefault(v, len(index))
    return list(index), out


def _attribute(gt: GroundTruth, key: str, column: np.ndarray) -> SliceSpec:
    values, row_value = _distinct(column)
    if len(values) > MAX_SLICE_VALUES:
        raise ConsistencyError(
            f"{gt.source or 'the ground truth'}: attribute {key!r} has {len(values)} distinct "
            f"values; a slice key takes at most {MAX_SLICE_VALUES} (a grouping such as "
            "drug_shape or color_class1, not an identifier or a measurement)"
        )
    ann = gt.annotations
    # Slice order: most GT boxes first, then by the value's text (None last).
    n_gt = np.bincount(row_value[~ann.iscrowd], minlength=len(values))
    order = sorted(range(len(values)), key=lambda i: (values[i] is None, -n_gt[i], str(values[i])))
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    gt_slice = rank[row_value]
    values = [values[i] for i in order]
    labels = tuple("n/a" if v is None else str(v) if v != "" else '""' for v in values)
    codes = ["attribute_missing"] if None in values else []
    if _constant_within(ann.category_id, gt_slice):
        cats = {int(c): int(s) for c, s in zip(ann.category_id, gt_slice, strict=True)}
        return SliceSpec(key, "category", tuple(values), labels, gt_slice, None, cats, tuple(codes))
    codes.append("attribute_varies_within_class")
    if _constant_within(ann.image_id, gt_slice):
        image_slice = np.full(len(gt.images), -1, dtype=np.int64)
        image_slice[_image_rows(gt, ann.image_id)] = gt_slice
        if (image_slice < 0).any():
            codes.append("images_without_value")
        return SliceSpec(
            key, "image", tuple(values), labels, gt_slice, image_slice, {}, tuple(codes)
        )
    return SliceSpec(key, "annotation", tuple(values), labels, gt_slice, None, {}, tuple(codes))


def _constant_within(groups: np.ndarray, value: np.ndarray) -> bool:
    """Whether every group (e.g. class) has one value."""
    if groups.size == 0:
        return True
    pairs = np.unique(np.stack([groups, value]), axis=1)
    return np.unique(pairs[0]).size == pairs.shape[1]


def _image_rows(gt: GroundTruth, image_ids: np.ndarray) -> np.ndarray:
    """Row of each id in ``gt.images`` (the loaders guarantee they are there)."""
    ids = gt.images.id
    order = np.argsort(ids, kind="stable")
    pos = np.searchsorted(ids[order], image_ids)
    return order[np.minimum(pos, max(ids.size - 1, 0))]


# --- one run -------------------------------------------------------------------------------------


def evaluate_slices(
    table: MatchTable,
    slices: Sequence[str | SliceSpec],
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
) -> tuple[SliceMetrics, ...]:
    """One run's mAP and AP50 per slice of each key (definitions in the module docstring).

    Args:
        table: The run's match table (``evaluate(...).matches``).
        slices: Keys, or specs from :func:`define_slices` on ``table.gt``.
        iou_thresholds: (T,) thresholds of ``map``; default pycocotools' 0.50:0.95.
        max_dets: ``maxDets`` caps; the largest applies.

    Returns:
        One :class:`SliceMetrics` per key, in order.

    Raises:
        ConsistencyError: an unknown key (see :func:`define_slices`).
        ValueError: a spec made from another ground truth, or a threshold the table was not
            matched at.
    """
    check_inputs("evaluate_slices", table=(table, MatchTable))
    thresholds = _thresholds(iou_thresholds)
    specs = _specs(table.gt, slices)
    full = None
    out = []
    for spec in specs:
        if spec.mode == "category" and full is None:
            full = _accumulate(table, thresholds, max_dets)
        points = [
            _point(table, spec, s, thresholds, max_dets, full) for s in range(len(spec.values))
        ]
        entries = tuple(_entry(table, spec, s, *points[s]) for s in range(len(spec.values)))
        out.append(SliceMetrics(spec.key, spec.mode, spec.codes, table.dets.name, entries))
    return tuple(out)


def _thresholds(iou_thresholds: Sequence[float] | np.ndarray | None) -> np.ndarray:
    t = coco_iou_thresholds() if iou_thresholds is None else iou_thresholds
    return np.asarray(t, dtype=np.float64).reshape(-1)


def _specs(gt: GroundTruth, slices: Sequence[str | SliceSpec]) -> list[SliceSpec]:
    if isinstance(slices, str | SliceSpec):
        slices = [slices]
    specs = [s if isinstance(s, SliceSpec) else define_slices(gt, s) for s in slices]
    for s in specs:
        if s.gt_slice.shape != (len(gt.annotations),) or (
            s.image_slice is not None and s.image_slice.shape != (len(gt.images),)
        ):
            raise ValueError(f"Expected slice specs of the table's ground truth, got {s!r}")
    return specs


def _accumulate(table: MatchTable, thresholds: np.ndarray, max_dets: Sequence[int], **kw: Any):
    return accumulate_precision_recall(
        table, iou_thresholds=thresholds, max_dets=max_dets, area_names=("all",), **kw
    )


def _point(
    table: MatchTable,
    spec: SliceSpec,
    s: int,
    thresholds: np.ndarray,
    max_dets: Sequence[int],
    full: Any,
) -> tuple[float | None, float | None]:
    """(map, map_50) of slice ``s`` on the full data, exactly as pycocotools on the subset."""
    if spec.mode == "category":
        cats = [c for c, v in spec.category_slice.items() if v == s]
        cols = np.flatnonzero(np.isin(full.category_ids, cats))  # ascending, as catIds
        p = full.precision[:, :, cols, 0, -1]
        t50 = np.flatnonzero(full.iou_thresholds == 0.5)
        return _mean_defined(p), (_mean_defined(p[t50[:1]]) if t50.size else None)
    if spec.mode == "image":
        member = spec.image_slice == s
        det_w = member[_image_rows(table.gt, table.dets.image_id)].astype(np.int64)
        gt_w = (spec.gt_slice == s).astype(np.int64)
        pr = _accumulate(table, thresholds, max_dets, det_weight=det_w, gt_weight=gt_w)
    else:
        det_status, gt_status = _ignored_outside(table, spec, s)
        pr = _accumulate(table, thresholds, max_dets, det_status=det_status, gt_status=gt_status)
    stats = summarize_precision_recall(pr)
    return stats["map"], stats["map_50"]


def _entry(
    table: MatchTable, spec: SliceSpec, s: int, map_: float | None, map_50: float | None
) -> SliceEntry:
    ann = table.gt.annotations
    in_slice = (spec.gt_slice == s) & ~ann.iscrowd
    if spec.mode == "image":
        n_images = int((spec.image_slice == s).sum())
    else:
        n_images = int(np.unique(ann.image_id[in_slice]).size)
    cats = None
    if spec.mode == "category":
        cats = tuple(sorted(c for c, v in spec.category_slice.items() if v == s))
    return SliceEntry(
        value=spec.values[s],
        label=spec.labels[s],
        n_images=n_images,
        n_gt=int(in_slice.sum()),
        category_ids=cats,
        map=map_,
        map_50=map_50,
    )


def _mean_defined(values: np.ndarray) -> float | None:
    kept = values[values > -1]
    return float(np.mean(kept)) if kept.size else None


def _ignored_outside(
    table: MatchTable, spec: SliceSpec, s: int | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Status arrays with everything outside slice(s) ``s`` ignored (mode 'annotation').

    GT rows outside are ignored; a detection matched to one is ignored; an unmatched detection
    stays only when its predicted class's most frequent value is in ``s``.
    """
    member = np.isin(spec.gt_slice, s)
    gt_status = table.gt_status.copy()
    gt_status[:, :, ~member] = IGNORED
    home = np.isin(_home_slice(table, spec), s)
    det_gt = table.det_gt
    outside = np.where(det_gt >= 0, ~member[np.maximum(det_gt, 0)], ~home[None, None, :])
    det_status = table.det_status.copy()
    det_status[outside] = IGNORED
    return det_status, gt_status


def _home_slice(table: MatchTable, spec: SliceSpec) -> np.ndarray:
    """(N,) the most frequent slice among the GT boxes of each detection's class, -1 if none."""
    declared, det_k, gt_k = table.category_index()
    counted = ~table.gt.annotations.iscrowd & (spec.gt_slice >= 0)
    counts = np.zeros((declared.size, len(spec.values)), dtype=np.int64)
    np.add.at(counts, (gt_k[counted], spec.gt_slice[counted]), 1)
    home = np.where(counts.max(axis=1) > 0, counts.argmax(axis=1), -1)
    return home[det_k]


# --- two runs ------------------------------------------------------------------------------------


def compare_slices(
    table_a: MatchTable,
    table_b: MatchTable,
    slices: Sequence[str | SliceSpec],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    alpha: float = 0.05,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
) -> tuple[SliceComparison, ...]:
    """A vs B per slice of each key: both runs' mAP, Δ with its bootstrap interval, and whether
    the gap differs between slices (Holm over the key's slices; module docstring).

    Args:
        table_a / table_b: Match tables of A and B against one ground truth.
        slices: Keys, or specs from :func:`define_slices` on that ground truth.
        n_resamples: Bootstrap resamples (0: numbers only, no interval or test).
        seed: Random seed of the resamples (``paired_bootstrap``'s with the same value).
        confidence: Level of the percentile intervals, in (0, 1).
        alpha: The level of ``finding``.
        iou_thresholds / max_dets: As for :func:`evaluate_slices`.

    Returns:
        One :class:`SliceComparison` per key, in order.

    Raises:
        ConsistencyError: an unknown key.
        ValueError: the tables have different ground truths, or an argument out of range.

    Example:
        >>> [c] = compare_slices(ev_a.matches, ev_b.matches, ["drug_shape"])  # doctest: +SKIP
        >>> [(g.a.label, g.delta, g.p_gap_holm) for g in c.entries]  # doctest: +SKIP
    """
    check_inputs("compare_slices", table_a=(table_a, MatchTable), table_b=(table_b, MatchTable))
    if len(table_a.gt.annotations) != len(table_b.gt.annotations) or not np.array_equal(
        table_a.gt.images.id, table_b.gt.images.id
    ):
        raise ValueError("Expected table_a and table_b matched against one ground truth")
    n_resamples = int(check_number(n_resamples, "n_resamples", low=0, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))
    confidence = check_number(confidence, "confidence", low=0.0, low_open=True, high=1.0)
    alpha = check_number(alpha, "alpha", low=0.0, low_open=True, high=1.0)
    thresholds = _thresholds(iou_thresholds)
    specs = _specs(table_a.gt, slices)
    point_a = evaluate_slices(table_a, specs, iou_thresholds=thresholds, max_dets=max_dets)
    point_b = evaluate_slices(table_b, specs, iou_thresholds=thresholds, max_dets=max_dets)
    boot = None
    if n_resamples:
        from pill_compare.analysis.significance import resample_images

        weights = resample_images(len(table_a.gt.images), n_resamples, seed)
        boot = _Replicates(table_a, table_b, weights, thresholds, max_dets)
    out = []
    for spec, ma, mb in zip(specs, point_a, point_b, strict=True):
        gaps = _gaps(spec, ma, mb, boot, confidence)
        finding = _finding(gaps, alpha, boot is not None)
        out.append(
            SliceComparison(
                key=spec.key,
                mode=spec.mode,
                codes=spec.codes,
                name_a=table_a.dets.name,
                name_b=table_b.dets.name,
                n_resamples=n_resamples,
                seed=seed,
                confidence=float(confidence),
                alpha=float(alpha),
                entries=gaps,
                finding=finding,
            )
        )
    return tuple(out)


class _Replicates:
    """Resampled mAP of both runs per group of slices, under one set of image weights."""

    def __init__(
        self,
        table_a: MatchTable,
        table_b: MatchTable,
        weights: np.ndarray,
        thresholds: np.ndarray,
        max_dets: Sequence[int],
    ) -> None:
        self.tables = (table_a, table_b)
        self.weights = weights
        self.kw = {
            "iou_thresholds": thresholds,
            "max_dets": max_dets,
            # replicate_metrics also computes F1 at an operating IoU; any matched one will do.
            "iou_threshold": float(thresholds[0]),
        }
        self._class_ap: list[tuple[np.ndarray, np.ndarray]] | None = None

    def class_ap(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per run: (K,) category ids and (B, K) resampled class APs (computed once)."""
        if self._class_ap is None:
            self._class_ap = [replicate_class_ap(t, self.weights, **self.kw) for t in self.tables]
        return self._class_ap

    def of(self, spec: SliceSpec, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(B,) resampled mAP of A and of B on the union of the slices ``members``."""
        out = []
        for run, table in enumerate(self.tables):
            if spec.mode == "category":
                ids, ap = self.class_ap()[run]
                cats = [c for c, v in spec.category_slice.items() if v in members]
                out.append(_nanmean(ap[:, np.isin(ids, cats)]))
                continue
            if spec.mode == "image":
                variant = _without_images(table, spec, members)
            else:
                det_status, gt_status = _ignored_outside(table, spec, members)
                variant = dataclasses.replace(table, det_status=det_status, gt_status=gt_status)
            from pill_compare.analysis.significance import replicate_metrics

            out.append(replicate_metrics(variant, self.weights, **self.kw)["map"])
        return out[0], out[1]


def _without_images(table: MatchTable, spec: SliceSpec, members: np.ndarray) -> MatchTable:
    """The table with the images outside slices ``members`` taken out: their GT boxes ignored
    and their detections ranked past every ``maxDets`` cap. The same numbers as image weight 0
    for them (a detection past the cap and an uncounted GT box count nowhere), at a cost that
    follows the slice's size rather than the whole table's."""
    inside = np.isin(spec.image_slice, members)
    det_out = ~inside[_image_rows(table.gt, table.dets.image_id)]
    gt_status = table.gt_status.copy()
    gt_status[:, :, ~np.isin(spec.gt_slice, members)] = IGNORED
    det_rank = table.det_rank.copy()
    det_rank[det_out] = np.iinfo(np.int64).max
    return dataclasses.replace(table, gt_status=gt_status, det_rank=det_rank)


def replicate_class_ap(
    table: MatchTable,
    image_weights: np.ndarray,
    *,
    iou_thresholds: Sequence[float] | np.ndarray | None = None,
    max_dets: Sequence[int] = COCO_MAX_DETS,
    iou_threshold: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each class's AP under each row of image weights, without re-matching.

    One :func:`~pill_compare.analysis.significance.replicate_metrics` call per class with GT,
    on the table with every other class's GT boxes ignored (so only that class has a defined
    AP, and the run's ``map`` is that class's AP); together these cost about one pass over the
    table. The mean of the defined entries of a row over a set of classes is their mAP under
    those weights (equal to ``replicate_metrics`` on the whole table up to rounding, ~1e-16).

    Args:
        table: The run's match table.
        image_weights: (B, I) integers >= 0, column i = ``table.gt.images.id[i]``.
        iou_thresholds: (T,) thresholds of the AP; default pycocotools' 0.50:0.95.
        max_dets: ``maxDets`` caps; the largest applies.
        iou_threshold: A threshold the table was matched at, for ``replicate_metrics``'
            operating point (its F1 is not used); default the first of ``iou_thresholds``.

    Returns:
        ``(category_ids, ap)``: (K,) ascending ids of the classes with counted GT and (B, K)
        float64 APs, NaN where a resample drew no GT box of the class.
    """
    from pill_compare.analysis.significance import replicate_metrics

    check_inputs("replicate_class_ap", table=(table, MatchTable))
    thresholds = _thresholds(iou_thresholds)
    op = float(thresholds[0]) if iou_threshold is None else iou_threshold
    declared, _, gt_k = table.category_index()
    counted = table.gt_status[table.area_index("all"), 0] != IGNORED
    present = np.unique(gt_k[counted])
    weights = np.asarray(image_weights)
    ap = np.full((weights.shape[0], present.size), np.nan)
    for j, k in enumerate(present):
        gt_status = table.gt_status.copy()
        gt_status[:, :, gt_k != k] = IGNORED
        one = dataclasses.replace(table, gt_status=gt_status)
        ap[:, j] = replicate_metrics(
            one, weights, iou_thresholds=thresholds, max_dets=max_dets, iou_threshold=op
        )["map"]
    return declared[present], ap


def _nanmean(values: np.ndarray) -> np.ndarray:
    """Row means of the finite entries, NaN for a row with none (no warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=1) if values.shape[1] else np.full(values.shape[0], np.nan)


def _gaps(
    spec: SliceSpec,
    ma: SliceMetrics,
    mb: SliceMetrics,
    boot: _Replicates | None,
    confidence: float,
) -> tuple[SliceGap, ...]:
    """Every slice's Δ, interval and gap test, Holm-corrected over the key's slices."""
    n = len(spec.values)
    deltas = [_diff(ea.map, eb.map) for ea, eb in zip(ma.entries, mb.entries, strict=True)]
    untested = [_untested(ea, deltas[s], n, boot) for s, ea in enumerate(ma.entries)]
    intervals: list[tuple[float | None, float | None]] = [(None, None)] * n
    p_gap: list[float | None] = [None] * n
    used = [0] * n
    cache: dict[tuple[int, ...], np.ndarray] = {}

    def delta_of(members: np.ndarray) -> np.ndarray:  # (B,) resampled B − A on those slices
        key = tuple(members.tolist())
        if key not in cache:
            assert boot is not None  # only tested slices get here
            rep_a, rep_b = boot.of(spec, members)
            cache[key] = rep_b - rep_a
        return cache[key]

    tail = (1.0 - confidence) / 2.0
    for s in range(n):
        if untested[s] not in (None, "single_slice"):
            continue
        d = delta_of(np.array([s]))
        inside = d[np.isfinite(d)]
        if inside.size:
            low, high = np.quantile(inside, [tail, 1.0 - tail])
            intervals[s] = (float(low), float(high))
        if untested[s] is not None:
            continue
        g = d - delta_of(np.delete(np.arange(n), s))  # the rest: every other slice
        g = g[np.isfinite(g)]
        used[s] = int(g.size)
        if g.size:
            smaller = min(int((g <= 0).sum()), int((g >= 0).sum()))
            p_gap[s] = min(1.0, 2.0 * (1 + smaller) / (g.size + 1))
    holm_p = _holm_family(p_gap)
    return tuple(
        SliceGap(
            a=ma.entries[s],
            b=mb.entries[s],
            delta=deltas[s],
            ci_low=intervals[s][0],
            ci_high=intervals[s][1],
            p_gap=p_gap[s],
            p_gap_holm=holm_p[s],
            resamples_used=used[s],
            not_tested=untested[s],
        )
        for s in range(n)
    )


def _untested(
    entry: SliceEntry, delta: float | None, n_slices: int, boot: _Replicates | None
) -> str | None:
    """Why a slice gets no gap test (None: it gets one). 'single_slice' still gets its
    interval; the others get neither."""
    if boot is None:
        return "no_bootstrap"
    if delta is None:
        return "no_gt"
    if entry.n_images < MIN_TEST_IMAGES:
        return "too_small"
    return "single_slice" if n_slices < 2 else None


def _holm_family(p_gap: list[float | None]) -> list[float | None]:
    """Holm over the key's tested slices; a key of two slices has one test (module docstring)."""
    from pill_compare.analysis.significance import holm

    if len(p_gap) == 2:
        return list(p_gap)
    return holm(p_gap)


def _finding(gaps: Sequence[SliceGap], alpha: float, bootstrapped: bool) -> SliceFinding:
    tested = [g.p_gap_holm for g in gaps if g.p_gap_holm is not None]
    if not bootstrapped or not tested:
        return "not_tested"
    return "gap_differs" if min(tested) < alpha else "no_evidence"


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


__all__ = [
    "DEFAULT_REPORT_KEYS",
    "IMAGE_KEYS",
    "MAX_SLICE_VALUES",
    "MIN_TEST_IMAGES",
    "SliceComparison",
    "SliceEntry",
    "SliceGap",
    "SliceMetrics",
    "SliceSpec",
    "compare_slices",
    "default_slice_keys",
    "define_slices",
    "evaluate_slices",
    "replicate_class_ap",
    "slice_keys",
]
