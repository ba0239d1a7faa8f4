"""Class distribution and imbalance indices of a set of annotations.

Let the K categories that have at least one annotation have counts n_1..n_K, N = Σ n_k,
p_k = n_k / N. Then:

* ``imbalance_ratio`` = max n_k / min n_k (the sample's 88 / 7 = 12.57); 1 when uniform.
* ``gini`` = Σ_i Σ_j |n_i − n_j| / (2 K² mean(n)); 0 when uniform, → 1 as one class dominates.
* ``shannon_entropy`` H = −Σ p_k ln p_k (nats).
* ``pielou_evenness`` J = H / ln K; 1 when uniform; undefined (None) for K = 1.
* ``effective_classes`` = exp(H); equals K when uniform.
* ``coefficient_of_variation`` = std(n) / mean(n), population std (ddof = 0); 0 when uniform.
* ``rare_share`` = share of the K categories with fewer than ``rare_threshold`` annotations.

Declared categories with no annotation are listed in ``zero_annotation_categories`` and kept out
of every index (a zero count would make max/min infinite and is not an imbalance but an absence).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.core import GroundTruth

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd


@dataclass(frozen=True)
class CategoryCount:
    """One category's share: ``annotations`` boxes over ``images`` distinct images."""

    category_id: int
    name: str
    annotations: int
    images: int


@dataclass(frozen=True)
class ImbalanceResult:
    """The distribution (sorted by annotations, descending) and its indices (module docstring).

    Indices are None where undefined (no annotated category; evenness with one category).
    """

    categories: tuple[CategoryCount, ...]
    zero_annotation_categories: tuple[CategoryCount, ...]
    total_annotations: int
    total_images: int
    imbalance_ratio: float | None
    gini: float | None
    shannon_entropy: float | None
    pielou_evenness: float | None
    effective_classes: float | None
    coefficient_of_variation: float | None
    rare_threshold: int
    rare_share: float | None
    source: str = ""

    def __repr__(self) -> str:
        ratio = "n/a" if self.imbalance_ratio is None else f"{self.imbalance_ratio:.4g}"
        return (
            f"ImbalanceResult(source={self.source!r}, annotations={self.total_annotations}, "
            f"annotated_categories={len(self.categories)}, "
            f"zero_annotation_categories={len(self.zero_annotation_categories)}, "
            f"imbalance_ratio={ratio})"
        )

    @property
    def most(self) -> CategoryCount | None:
        return self.categories[0] if self.categories else None

    @property
    def least(self) -> CategoryCount | None:
        return self.categories[-1] if self.categories else None

    def to_dict(self) -> dict[str, Any]:
        def row(c: CategoryCount) -> dict[str, Any]:
            return {
                "category_id": c.category_id,
                "name": c.name,
                "annotations": c.annotations,
                "images": c.images,
            }

        return {
            "source": self.source,
            "total_annotations": self.total_annotations,
            "total_images": self.total_images,
            "annotated_categories": len(self.categories),
            "imbalance_ratio": self.imbalance_ratio,
            "max": row(self.most) if self.most else None,
            "min": row(self.least) if self.least else None,
            "gini": self.gini,
            "shannon_entropy": self.shannon_entropy,
            "pielou_evenness": self.pielou_evenness,
            "effective_classes": self.effective_classes,
            "coefficient_of_variation": self.coefficient_of_variation,
            "rare_threshold": self.rare_threshold,
            "rare_share": self.rare_share,
            "zero_annotation_categories": [row(c) for c in self.zero_annotation_categories],
            "categories": [row(c) for c in self.categories],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per declared category (zero-annotation ones last), with its share."""
        import pandas as pd

        rows = [*self.categories, *self.zero_annotation_categories]
        total = max(self.total_annotations, 1)
        return pd.DataFrame(
            {
                "category_id": [c.category_id for c in rows],
                "name": [c.name for c in rows],
                "annotations": [c.annotations for c in rows],
                "images": [c.images for c in rows],
                "share": [c.annotations / total for c in rows],
            }
        )


def compute_indices(counts: np.ndarray) -> dict[str, float | None]:
    """The imbalance indices of positive class counts (see the module docstring).

    Args:
        counts: (K,) annotation counts, all > 0.

    Returns:
        ``imbalance_ratio``, ``gini``, ``shannon_entropy``, ``pielou_evenness``,
        ``effective_classes``, ``coefficient_of_variation``; None where undefined.
    """
    n = np.asarray(counts, dtype=np.float64)
    if n.size == 0:
        return dict.fromkeys(
            (
                "imbalance_ratio",
                "gini",
                "shannon_entropy",
                "pielou_evenness",
                "effective_classes",
                "coefficient_of_variation",
            )
        )
    if (n <= 0).any():
        raise ValueError("Expected every count > 0; exclude zero-annotation categories first")
    k = n.size
    mean = n.mean()
    # Σ_i Σ_j |n_i − n_j| in O(K log K): with n sorted ascending, Σ_i (2i − K + 1) n_(i) counts
    # each pair once, so the double sum is twice that.
    s = np.sort(n)
    pair_sum = 2.0 * float(np.sum((2 * np.arange(k) - k + 1) * s))
    p = n / n.sum()
    entropy = float(-np.sum(p * np.log(p)))
    return {
        "imbalance_ratio": float(n.max() / n.min()),
        "gini": float(pair_sum / (2.0 * k * k * mean)),
        "shannon_entropy": entropy,
        "pielou_evenness": entropy / float(np.log(k)) if k > 1 else None,
        "effective_classes": float(np.exp(entropy)),
        "coefficient_of_variation": float(n.std() / mean),
    }


def imbalance(gt: GroundTruth, *, rare_threshold: int = 10) -> ImbalanceResult:
    """Class distribution and imbalance indices of a ground truth's annotations.

    Args:
        gt: The annotations (crowd regions count like any annotation).
        rare_threshold: A category with fewer annotations than this is 'rare'.

    Returns:
        An :class:`ImbalanceResult`. Example: counts {33877: 7, 31884: 85, 34596: 88,
        25366: 88} give imbalance_ratio 88 / 7 = 12.571428...

    Raises:
        TypeError: ``gt`` is not a GroundTruth, or ``rare_threshold`` not a number.
        ValueError: ``rare_threshold`` is negative, NaN or not an integer.
    """
    check_inputs("imbalance", gt=(gt, GroundTruth))
    rare_threshold = int(check_number(rare_threshold, "rare_threshold", low=0, integer=True))
    ann = gt.annotations
    names = gt.category_names
    cat_ids, ann_counts = np.unique(ann.category_id, return_counts=True)
    pairs = np.unique(np.stack([ann.category_id, ann.image_id], axis=1), axis=0)
    img_ids, img_counts = np.unique(pairs[:, 0], return_counts=True)
    images_of = dict(zip(img_ids.tolist(), img_counts.tolist(), strict=True))
    counted = [
        CategoryCount(c, names.get(c, str(c)), n, images_of[c])
        for c, n in zip(cat_ids.tolist(), ann_counts.tolist(), strict=True)
    ]
    counted.sort(key=lambda c: (-c.annotations, c.category_id))
    present = set(cat_ids.tolist())
    zero = tuple(CategoryCount(c.id, c.name, 0, 0) for c in gt.categories if c.id not in present)
    indices = compute_indices(ann_counts)
    rare = float(np.mean(ann_counts < rare_threshold)) if ann_counts.size else None
    return ImbalanceResult(
        categories=tuple(counted),
        zero_annotation_categories=zero,
        total_annotations=len(ann),
        total_images=len(np.unique(ann.image_id)),
        rare_threshold=rare_threshold,
        rare_share=rare,
        source=gt.source,
        **indices,  # type: ignore[arg-type]
    )
