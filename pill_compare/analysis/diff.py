"""Category-id diff per image between two runs: what the seed report (§3.2–4.2) computed by hand.

Definitions (both runs first filtered to ``score >= score_threshold``):

* An image's *list* for a run is the sorted category ids it detected there: with
  ``multiset=False`` each id once (a set), with ``multiset=True`` once per detection.
* An image *differs* when it has detections in both runs and its two lists are unequal.
  Images with detections in only one run are reported separately (``images_only_a/b``).
* ``only_a`` of a differing image = its A list minus its B list (multiset difference when
  ``multiset=True``); ``only_b`` likewise.
* ``only_a_counts[c]`` = number of differing images whose ``only_a`` contains ``c``.
* A *substitution* X→Y is a differing image whose ``only_a`` is exactly {X} and ``only_b``
  exactly {Y}; each (X, Y) pair is reported with the images where it occurs.

``diff(a, b)`` mirrors ``diff(b, a)``: a and b fields swap and substitutions reverse.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pill_compare.core import Detections


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
        differing_images: Every differing image, sorted by image_id.
        only_a_counts / only_b_counts: category id → number of differing images.
        substitutions: Single-for-single swaps, most frequent first.
        images_only_a / images_only_b: Images with detections in one run only (sorted).
        category_names: Names of categories when a ground truth was given.
    """

    names: tuple[str, str]
    detections: dict[str, int]
    loaded: dict[str, int]
    score_threshold: float
    multiset: bool
    images_compared: int
    differing_images: tuple[ImageDiff, ...]
    only_a_counts: dict[int, int]
    only_b_counts: dict[int, int]
    substitutions: tuple[Substitution, ...]
    images_only_a: tuple[int, ...]
    images_only_b: tuple[int, ...]
    category_names: dict[int, str] = field(default_factory=dict)

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
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per differing image; lists joined with spaces (CSV-friendly)."""
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
    category_names: dict[int, str] | None = None,
) -> DiffResult:
    """Compare the category ids two runs detected on each image.

    Args:
        a: Run A (its ``name`` labels every output).
        b: Run B.
        score_threshold: Keep detections with ``score >= score_threshold`` (0 keeps all).
        multiset: Count a category detected twice vs once as a difference.
        category_names: Optional id → name, e.g. ``GroundTruth.category_names``.

    Returns:
        A :class:`DiffResult`; see the module docstring for the definitions.

    Example:
        Seed image 277: A = [3482, 19860, 34596, 36636], B = [3482, 19860, 30307, 36636]
        gives only_a = (34596,), only_b = (30307,) and a substitution 34596 → 30307.
    """
    if score_threshold < 0 or not np.isfinite(score_threshold):
        raise ValueError(f"Expected score_threshold >= 0, got {score_threshold}")
    fa, fb = a.above(score_threshold), b.above(score_threshold)
    lists_a = _lists_by_image(fa, multiset)
    lists_b = _lists_by_image(fb, multiset)
    common = sorted(lists_a.keys() & lists_b.keys())
    differing = []
    only_a_counts: Counter[int] = Counter()
    only_b_counts: Counter[int] = Counter()
    swaps: dict[tuple[int, int], list[int]] = defaultdict(list)
    for image_id in common:
        la, lb = lists_a[image_id], lists_b[image_id]
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
        images_compared=len(common),
        differing_images=tuple(differing),
        only_a_counts=_sorted_counts(only_a_counts),
        only_b_counts=_sorted_counts(only_b_counts),
        substitutions=tuple(substitutions),
        images_only_a=tuple(sorted(lists_a.keys() - lists_b.keys())),
        images_only_b=tuple(sorted(lists_b.keys() - lists_a.keys())),
        category_names=dict(category_names or {}),
    )


def _sorted_counts(counts: Counter[int]) -> dict[int, int]:
    """Most images first, then by category id: a stable, readable order."""
    return {k: counts[k] for k in sorted(counts, key=lambda k: (-counts[k], k))}
