"""Category-id diff per image between two runs: what a hand-written comparison report computes
by reading the two files side by side (the category lists per image, which differ, how).

Definitions (both runs first filtered to ``score >= score_threshold``):

* An image's *list* for a run is the sorted category ids it detected there: with
  ``multiset=False`` each id once (a set), with ``multiset=True`` once per detection.
* An image *differs* when its two lists are unequal. COCO results cannot say "nothing found"
  except by leaving an image out, so an image with detections in A and none in B differs too
  (its B list is empty). Images with detections in only one run are also listed apart
  (``images_only_a/b``).
* The images counted (``images_total``, the M of "N of M images differ") are the images with
  detections in either run, or, with a ground truth, its images (plus any image a run detected
  on outside it). A ground-truth image with no detection in either run does not differ.
* With a ground truth, detections whose image or category id it lacks are left out first, as
  pycocotools does (runs loaded with ``load_results(..., gt=gt)`` already are).
* ``only_a`` of a differing image = its A list minus its B list (multiset difference when
  ``multiset=True``); ``only_b`` likewise.
* ``only_a_counts[c]`` = number of differing images whose ``only_a`` contains ``c``.
* A *substitution* X→Y is a differing image whose ``only_a`` is exactly {X} and ``only_b``
  exactly {Y}; each (X, Y) pair is reported with the images where it occurs (an image one run
  found nothing on is never a substitution).

``diff(a, b)`` mirrors ``diff(b, a)``: a and b fields swap and substitutions reverse.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_score_threshold
from pill_compare.consistency import restrict_to_ground_truth, unknown_ids
from pill_compare.core import Detections, GroundTruth, expect_type

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd


@dataclass(frozen=True)
class ImageDiff:
    """One image whose category lists differ. Lists are sorted ascending."""

    image_id: int
    a: tuple[int, ...]
    b: tuple[int, ...]
    only_a: tuple[int, ...]
    only_b: tuple[int, ...]


@dataclass(frozen=True)
class Substitution:
    """Category ``a`` in run A where run B has ``b``, on ``image_ids`` (sorted)."""

    a: int
    b: int
    image_ids: tuple[int, ...]

    @property
    def images(self) -> int:
        return len(self.image_ids)


@dataclass(frozen=True)
class DiffResult:
    """The full diff of two runs. See the module docstring for every definition.

    Attributes:
        names: Display names of run A and run B (suffixed '_a' / '_b' when they are equal).
        detections: Detections per run after the score threshold, ``{'a': n, 'b': n}``.
        loaded: Detections per run as loaded (before the threshold).
        score_threshold: The threshold applied.
        multiset: Whether duplicates of a category count.
        images_compared: Images with detections in both runs.
        images_total: Images counted (M of "N of M images differ"): with detections in either
            run, or the ground truth's images when one was given.
        differing_images: Every differing image, sorted by image_id (an image one run found
            nothing on included, with an empty list for that run).
        only_a_counts / only_b_counts: category id → number of differing images.
        substitutions: Single-for-single swaps, most frequent first.
        images_only_a / images_only_b: Images with detections in one run only (sorted).
        category_names: Names of categories when a ground truth was given.
        left_out: Detections per run left out for ids the ground truth lacks, ``{'a': n, 'b': n}``
            (at loading or here).
        caveats: Warnings made here (ids left out of runs that were not loaded against the
            ground truth); the loading warnings stay on the runs.
    """

    names: tuple[str, str]
    detections: dict[str, int]
    loaded: dict[str, int]
    score_threshold: float
    multiset: bool
    images_compared: int
    images_total: int
    differing_images: tuple[ImageDiff, ...]
    only_a_counts: dict[int, int]
    only_b_counts: dict[int, int]
    substitutions: tuple[Substitution, ...]
    images_only_a: tuple[int, ...]
    images_only_b: tuple[int, ...]
    category_names: dict[int, str] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=lambda: {"a": 0, "b": 0})
    caveats: tuple[str, ...] = ()

    def __repr__(self) -> str:
        a, b = self.names
        return (
            f"DiffResult(a={a!r}, b={b!r}, differing_images={len(self.differing_images)}, "
            f"images_total={self.images_total}, substitutions={len(self.substitutions)}, "
            f"images_only_a={len(self.images_only_a)}, images_only_b={len(self.images_only_b)})"
        )

    def category_label(self, category_id: int) -> str:
        """'34596 (name)' when a name is known, else '34596'."""
        name = self.category_names.get(category_id)
        return f"{category_id} ({name})" if name else str(category_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict. Category-id keys are strings (JSON object keys must be)."""
        return {
            "names": {"a": self.names[0], "b": self.names[1]},
            "score_threshold": self.score_threshold,
            "multiset": self.multiset,
            "detections": dict(self.detections),
            "loaded": dict(self.loaded),
            "images_compared": self.images_compared,
            "images_total": self.images_total,
            "differing_image_count": len(self.differing_images),
            "differing_images": [
                {
                    "image_id": d.image_id,
                    "a": list(d.a),
                    "b": list(d.b),
                    "only_a": list(d.only_a),
                    "only_b": list(d.only_b),
                }
                for d in self.differing_images
            ],
            "only_a_counts": {str(k): v for k, v in self.only_a_counts.items()},
            "only_b_counts": {str(k): v for k, v in self.only_b_counts.items()},
            "substitutions": [
                {"a": s.a, "b": s.b, "images": s.images, "image_ids": list(s.image_ids)}
                for s in self.substitutions
            ],
            "images_only_a": list(self.images_only_a),
            "images_only_b": list(self.images_only_b),
            "category_names": {str(k): v for k, v in self.category_names.items()},
            "left_out": dict(self.left_out),
            "caveats": list(self.caveats),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per differing image; lists joined with spaces (CSV-friendly)."""
        import pandas as pd

        a_name, b_name = self.names

        def join(xs: tuple[int, ...]) -> str:
            return " ".join(map(str, xs))

        return pd.DataFrame(
            {
                "image_id": [d.image_id for d in self.differing_images],
                f"{a_name}": [join(d.a) for d in self.differing_images],
                f"{b_name}": [join(d.b) for d in self.differing_images],
                f"only_{a_name}": [join(d.only_a) for d in self.differing_images],
                f"only_{b_name}": [join(d.only_b) for d in self.differing_images],
            },
            columns=["image_id", a_name, b_name, f"only_{a_name}", f"only_{b_name}"],
        )


#: Codes of :func:`list_verdicts`, in the order a report lists them.
LIST_VERDICTS: tuple[str, ...] = ("a_right", "b_right", "each_partly", "both_wrong", "no_gt")


@dataclass(frozen=True)
class ListVerdict:
    """Which run's category list the ground truth sides with on one differing image.

    Attributes:
        image_id: The image.
        code: One of :data:`LIST_VERDICTS` (rule in :func:`list_verdicts`).
        gt_categories: The categories where the lists differ (``only_a`` ∪ ``only_b``) that
            the ground truth has on the image, ascending.
    """

    image_id: int
    code: str
    gt_categories: tuple[int, ...]


def list_verdicts(result: DiffResult, gt: GroundTruth) -> tuple[ListVerdict, ...]:
    """Who was right on each differing image of ``result``, judged on the categories where the
    two lists differ against the image's non-crowd ground-truth categories G.

    With ``only_a ∩ G`` the categories only A listed that the GT has (hits) and ``only_a − G``
    those it does not (misses), likewise for B, the first rule that holds:

    * ``no_gt``: the ground truth does not have the image;
    * ``a_right``: A has no miss and B no hit (A's extra categories are all there, B's none);
    * ``b_right``: the mirror;
    * ``both_wrong``: neither has a hit (every differing category is absent from the GT);
    * ``each_partly``: both have a hit (each run lists a true category the other lacks).

    Example:
        Image 4: A lists {19231, 25366}, B {22073, 25366}, the GT has {19231, 25366}:
        only_a = {19231} ⊆ G, only_b = {22073} ∉ G → ``a_right``, gt_categories (19231,).

    Returns:
        One :class:`ListVerdict` per ``result.differing_images``, in their order.
    """
    expect_type(result, DiffResult, "result", "build it with diff(a, b)")
    expect_type(gt, GroundTruth, "gt", "load it with load_ground_truth(path)")
    ann = gt.annotations
    keep = ~ann.iscrowd
    truth: dict[int, set[int]] = defaultdict(set)
    for image_id, category_id in zip(
        ann.image_id[keep].tolist(), ann.category_id[keep].tolist(), strict=True
    ):
        truth[image_id].add(category_id)
    images = set(gt.images.id.tolist())
    out = []
    for d in result.differing_images:
        g = truth.get(d.image_id, set())
        a_hit, b_hit = set(d.only_a) & g, set(d.only_b) & g
        if d.image_id not in images:
            code = "no_gt"
        elif not set(d.only_a) - g and not b_hit:
            code = "a_right"
        elif not set(d.only_b) - g and not a_hit:
            code = "b_right"
        elif not a_hit and not b_hit:
            code = "both_wrong"
        else:
            code = "each_partly"
        out.append(ListVerdict(d.image_id, code, tuple(sorted(a_hit | b_hit))))
    return tuple(out)


def _lists_by_image(dets: Detections, multiset: bool) -> dict[int, tuple[int, ...]]:
    if len(dets) == 0:
        return {}
    order = np.lexsort((dets.category_id, dets.image_id))
    img = dets.image_id[order]
    cat = dets.category_id[order]
    if not multiset:
        keep = np.ones(len(img), dtype=bool)
        keep[1:] = (img[1:] != img[:-1]) | (cat[1:] != cat[:-1])
        img, cat = img[keep], cat[keep]
    starts = np.flatnonzero(np.r_[True, img[1:] != img[:-1]])
    bounds = np.r_[starts, len(img)]
    cats = cat.tolist()
    return {int(img[s]): tuple(cats[s:e]) for s, e in itertools.pairwise(bounds)}


def _minus(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...]:
    """Multiset difference x − y, sorted (equals set difference when x, y have no repeats)."""
    return tuple(sorted((Counter(x) - Counter(y)).elements()))


def diff(
    a: Detections,
    b: Detections,
    *,
    score_threshold: float = 0.0,
    multiset: bool = False,
    category_names: Mapping[int, str] | None = None,
    gt: GroundTruth | None = None,
) -> DiffResult:
    """Compare the category ids two runs detected on each image.

    Args:
        a: Run A (its ``name`` labels every output).
        b: Run B.
        score_threshold: Keep detections with ``score >= score_threshold`` (0 keeps all).
        multiset: Count a category detected twice vs once as a difference.
        category_names: Optional id → name; defaults to ``gt.category_names`` with a ``gt``.
        gt: Optional ground truth: its images are the images counted (an image it has that
            neither run detected on counts but does not differ), and detections with ids it
            lacks are left out, as pycocotools does.

    Returns:
        A :class:`DiffResult`; see the module docstring for the definitions.

    Raises:
        TypeError: ``a`` or ``b`` is not Detections (e.g. a file name: load it first), or ``gt``
            not a GroundTruth.
        ValueError: a negative or non-finite ``score_threshold``.

    Example:
        Image 277 of the sample: A = [3482, 19860, 34596, 36636], B = [3482, 19860, 30307, 36636]
        gives only_a = (34596,), only_b = (30307,) and a substitution 34596 → 30307.
    """
    check_inputs("diff", a=(a, Detections), b=(b, Detections))
    if gt is not None:
        expect_type(gt, GroundTruth, "gt", "load it with load_ground_truth(path)")
    if category_names is not None:
        expect_type(category_names, Mapping, "category_names", "e.g. gt.category_names")
    score_threshold = check_score_threshold(score_threshold)
    caveats: list[str] = []
    if gt is not None:
        a, b = (_restricted(run, gt, caveats) for run in (a, b))
        if category_names is None:
            category_names = gt.category_names
    fa, fb = a.above(score_threshold), b.above(score_threshold)
    lists_a = _lists_by_image(fa, multiset)
    lists_b = _lists_by_image(fb, multiset)
    seen = lists_a.keys() | lists_b.keys()
    counted = seen if gt is None else seen | set(gt.images.id.tolist())
    differing = []
    only_a_counts: Counter[int] = Counter()
    only_b_counts: Counter[int] = Counter()
    swaps: dict[tuple[int, int], list[int]] = defaultdict(list)
    for image_id in sorted(seen):
        la, lb = lists_a.get(image_id, ()), lists_b.get(image_id, ())
        if la == lb:
            continue
        oa, ob = _minus(la, lb), _minus(lb, la)
        differing.append(ImageDiff(image_id, la, lb, oa, ob))
        only_a_counts.update(set(oa))
        only_b_counts.update(set(ob))
        if len(oa) == 1 and len(ob) == 1:
            swaps[(oa[0], ob[0])].append(image_id)
    substitutions = sorted(
        (Substitution(x, y, tuple(ids)) for (x, y), ids in swaps.items()),
        key=lambda s: (-s.images, s.a, s.b),
    )
    names = (a.name or "a", b.name or "b")
    if names[0] == names[1]:
        # e.g. run1/preds.json vs run2/preds.json: equal names would merge their table columns.
        names = (f"{names[0]}_a", f"{names[1]}_b")
    return DiffResult(
        names=names,
        detections={"a": len(fa), "b": len(fb)},
        loaded={"a": len(a), "b": len(b)},
        score_threshold=float(score_threshold),
        multiset=multiset,
        images_compared=len(lists_a.keys() & lists_b.keys()),
        images_total=len(counted),
        differing_images=tuple(differing),
        only_a_counts=_sorted_counts(only_a_counts),
        only_b_counts=_sorted_counts(only_b_counts),
        substitutions=tuple(substitutions),
        images_only_a=tuple(sorted(lists_a.keys() - lists_b.keys())),
        images_only_b=tuple(sorted(lists_b.keys() - lists_a.keys())),
        category_names=dict(category_names or {}),
        left_out={
            "a": a.left_out.detections if a.left_out else 0,
            "b": b.left_out.detections if b.left_out else 0,
        },
        caveats=tuple(caveats),
    )


def _restricted(run: Detections, gt: GroundTruth, caveats: list[str]) -> Detections:
    """``run`` without ids ``gt`` lacks; a no-op (and no second warning) when loaded with it."""
    bad_image, bad_category = unknown_ids(run, gt)
    if not (bad_image | bad_category).any():
        return run
    kept, found = restrict_to_ground_truth(run, gt)
    caveats += found
    return kept


def _sorted_counts(counts: Counter[int]) -> dict[int, int]:
    """Most images first, then by category id: a stable, readable order."""
    return {k: counts[k] for k in sorted(counts, key=lambda k: (-counts[k], k))}
