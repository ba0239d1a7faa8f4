"""Training support beside two runs' agreement, without a ground truth: do the runs disagree on
the classes they were trained on least?

With no ground truth nothing here is accuracy: it relates the *training* annotations' class
distribution to where two runs disagree. Definitions (the pairing's items are its agreeing
pairs, class swaps and one-sided boxes; :mod:`pill_compare.analysis.disagreements`):

* ``training``: :func:`~pill_compare.analysis.imbalance.imbalance` of the training annotations
  (imbalance ratio max / min, Gini, Pielou evenness, effective classes, coefficient of
  variation, rare share).
* ``support`` n_k of a category: its training annotations (crowd regions included, as
  ``imbalance`` counts them); 0 for a category the runs use that the training set lacks.
  ``rare``: n_k < ``rare_threshold`` (the rule of ``imbalance``'s ``rare_share``), so a
  category without training annotations is rare.
* Per category (every category annotated in the training set or used by either run on a box
  at the operating point): A's and B's boxes at the operating point, and the disagreements
  involving it (class swaps with it on either side plus its one-sided boxes,
  :meth:`~pill_compare.analysis.disagreements.Pairing.disagreements_by_class`).
* An item *involves a rare class* when A's or B's category on it is rare.
  ``disagreements_on_rare`` = disagreeing items (swaps and one-sided boxes) involving a rare
  class; ``share_on_rare`` = that / all disagreeing items (None without any).
  ``rare_box_share`` = boxes of rare classes / all boxes of both runs at the operating point:
  the share a rare class would have of the disagreements if disagreeing did not depend on the
  class (the base rate to read ``share_on_rare`` against).
* ``agreement_rate_rare`` = agreeing pairs among the items involving a rare class / those
  items; ``agreement_rate_frequent`` likewise over the items involving none (None without
  items). The two partition the items.
* ``rare_patterns``: the swap patterns (A says X where B says Y) with a rare class on either
  side, most swaps first.

Codes and numbers only; the words are in the report layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_number
from pill_compare.analysis.disagreements import Pairing, PairKind, SwapPattern
from pill_compare.analysis.imbalance import ImbalanceResult, imbalance
from pill_compare.core import GroundTruth, expect_type

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

__all__ = ["AgreementSupport", "ClassBoxes", "agreement_vs_support"]

#: Keys of :class:`ImbalanceResult` copied into ``AgreementSupport.to_dict()``.
_INDEX_KEYS = (
    "total_annotations",
    "total_images",
    "annotated_categories",
    "gini",
    "shannon_entropy",
    "pielou_evenness",
    "effective_classes",
    "coefficient_of_variation",
    "rare_share",
    "max",
    "min",
)


@dataclass(frozen=True)
class ClassBoxes:
    """One category: training support beside both runs' boxes and their disagreements.

    Attributes:
        category_id / name: The category (name from the training annotations, else '').
        support: Training annotations (0 when the training set has none).
        rare: ``support < rare_threshold``.
        a_boxes / b_boxes: Boxes of the category at the operating point, per run.
        disagreements: Class swaps with it on either side plus its one-sided boxes.
    """

    category_id: int
    name: str
    support: int
    rare: bool
    a_boxes: int
    b_boxes: int
    disagreements: int


@dataclass(frozen=True, eq=False)
class AgreementSupport:
    """Training support beside the agreement of two runs (module docstring).

    Attributes:
        train_source: Where the training annotations came from.
        rare_threshold: A category with fewer training annotations is rare.
        training: The training annotations' distribution and imbalance indices.
        classes: One :class:`ClassBoxes` per category, ascending support, then id.
        disagreements: Disagreeing items (class swaps + one-sided boxes).
        disagreements_on_rare: Those involving a rare class.
        share_on_rare: ``disagreements_on_rare / disagreements`` (None without any).
        rare_box_share: Boxes of rare classes / all boxes at the operating point (None
            without boxes).
        agreement_rate_rare / agreement_rate_frequent: Agreement over the items involving a
            rare class / none (None without such items).
        items_rare / items_frequent: Those items' numbers.
        rare_patterns: Swap patterns with a rare class on either side, most swaps first.
        untrained_categories: Categories the runs use with no training annotation, ascending.
    """

    train_source: str
    rare_threshold: int
    training: ImbalanceResult
    classes: tuple[ClassBoxes, ...]
    disagreements: int
    disagreements_on_rare: int
    share_on_rare: float | None
    rare_box_share: float | None
    agreement_rate_rare: float | None
    agreement_rate_frequent: float | None
    items_rare: int
    items_frequent: int
    rare_patterns: tuple[SwapPattern, ...]
    untrained_categories: tuple[int, ...]

    def __repr__(self) -> str:
        ratio = self.training.imbalance_ratio
        return (
            f"AgreementSupport(source={self.train_source!r}, imbalance_ratio="
            f"{'n/a' if ratio is None else f'{ratio:.4g}'}, disagreements={self.disagreements}, "
            f"on_rare={self.disagreements_on_rare})"
        )

    @property
    def rare_categories(self) -> tuple[int, ...]:
        """The rare categories (of :attr:`classes`), ascending id."""
        return tuple(sorted(c.category_id for c in self.classes if c.rare))

    def to_frame(self) -> pd.DataFrame:
        """One row per category (the order of :attr:`classes`)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "category_id": [c.category_id for c in self.classes],
                "name": [c.name for c in self.classes],
                "support": [c.support for c in self.classes],
                "rare": [c.rare for c in self.classes],
                "a": [c.a_boxes for c in self.classes],
                "b": [c.b_boxes for c in self.classes],
                "disagreements": [c.disagreements for c in self.classes],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``ratio`` (the imbalance ratio max / min), the other indices, the rare
        classes and where the disagreements fall (``disagreements``), ``rare_patterns``
        (``{a_category_id, b_category_id, count, images}``), ``classes``."""
        training = self.training.to_dict()
        return {
            "train_source": self.train_source,
            "ratio": self.training.imbalance_ratio,
            **{k: training[k] for k in _INDEX_KEYS},
            "rare_threshold": self.rare_threshold,
            "rare_categories": list(self.rare_categories),
            "untrained_categories": list(self.untrained_categories),
            "zero_annotation_categories": training["zero_annotation_categories"],
            "disagreements": {
                "total": self.disagreements,
                "on_rare": self.disagreements_on_rare,
                "share_on_rare": self.share_on_rare,
                "rare_box_share": self.rare_box_share,
                "agreement_rate_rare": self.agreement_rate_rare,
                "agreement_rate_frequent": self.agreement_rate_frequent,
                "items_rare": self.items_rare,
                "items_frequent": self.items_frequent,
            },
            "rare_patterns": [
                {"a_category_id": s.a, "b_category_id": s.b, "count": s.swaps, "images": s.images}
                for s in self.rare_patterns
            ],
            "classes": self.to_frame().to_dict(orient="records"),
        }


def agreement_vs_support(
    train_gt: GroundTruth, pairing: Pairing, *, rare_threshold: int = 10
) -> AgreementSupport:
    """Training support beside where two runs disagree (definitions in the module docstring).

    Args:
        train_gt: The training annotations (only their category counts are used).
        pairing: A's and B's boxes paired (:func:`~pill_compare.analysis.disagreements.pair_models`).
        rare_threshold: A category with fewer training annotations than this is rare.

    Returns:
        The :class:`AgreementSupport`.

    Raises:
        TypeError: ``train_gt`` not a GroundTruth or ``pairing`` not a Pairing.
        ValueError: ``rare_threshold`` negative or not a whole number.

    Example:
        Training counts {1: 40, 2: 5} (rare threshold 10), one agreeing pair of class 1 and one
        swap 1 → 2: one disagreement, on a rare class (share 1.0); agreement over the items
        involving a rare class 0 / 1, over the others 1 / 1.
    """
    check_inputs("agreement_vs_support", train_gt=(train_gt, GroundTruth))
    expect_type(pairing, Pairing, "pairing", "build it with pair_models(a, b)")
    rare_threshold = int(check_number(rare_threshold, "rare_threshold", low=0, integer=True))
    training = imbalance(train_gt, rare_threshold=rare_threshold)
    support_of = {c.category_id: c.annotations for c in training.categories}
    names = train_gt.category_names

    cat_a, cat_b, kind = pairing.a_category(), pairing.b_category(), pairing.kind
    used = np.unique(np.r_[cat_a[cat_a >= 0], cat_b[cat_b >= 0]]).tolist()
    # Declared categories with no annotation that no run uses are no class here (the
    # imbalance lists them apart, as zero-annotation categories).
    ids = sorted(set(used) | set(support_of))
    a_boxes = _count(cat_a[cat_a >= 0])
    b_boxes = _count(cat_b[cat_b >= 0])
    disputes = pairing.disagreements_by_class()

    def rare(category_id: int) -> bool:
        return support_of.get(category_id, 0) < rare_threshold

    classes = sorted(
        (
            ClassBoxes(
                category_id=c,
                name=names.get(c, ""),
                support=support_of.get(c, 0),
                rare=rare(c),
                a_boxes=a_boxes.get(c, 0),
                b_boxes=b_boxes.get(c, 0),
                disagreements=disputes.get(c, 0),
            )
            for c in ids
        ),
        key=lambda c: (c.support, c.category_id),
    )
    rare_ids = np.array([c.category_id for c in classes if c.rare], dtype=np.int64)
    involves = np.isin(cat_a, rare_ids) | np.isin(cat_b, rare_ids)
    disagree = kind != PairKind.AGREE
    agree = kind == PairKind.AGREE
    n_dis = int(disagree.sum())
    on_rare = int((disagree & involves).sum())
    boxes = int((cat_a >= 0).sum() + (cat_b >= 0).sum())
    rare_boxes = int(np.isin(cat_a[cat_a >= 0], rare_ids).sum())
    rare_boxes += int(np.isin(cat_b[cat_b >= 0], rare_ids).sum())
    items_rare, items_frequent = int(involves.sum()), int((~involves).sum())
    patterns = tuple(s for s in pairing.swap_patterns() if rare(s.a) or rare(s.b))
    return AgreementSupport(
        train_source=train_gt.source,
        rare_threshold=rare_threshold,
        training=training,
        classes=tuple(classes),
        disagreements=n_dis,
        disagreements_on_rare=on_rare,
        share_on_rare=on_rare / n_dis if n_dis else None,
        rare_box_share=rare_boxes / boxes if boxes else None,
        agreement_rate_rare=int((agree & involves).sum()) / items_rare if items_rare else None,
        agreement_rate_frequent=(
            int((agree & ~involves).sum()) / items_frequent if items_frequent else None
        ),
        items_rare=items_rare,
        items_frequent=items_frequent,
        rare_patterns=patterns,
        untrained_categories=tuple(c for c in used if support_of.get(c, 0) == 0),
    )


def _count(values: np.ndarray) -> dict[int, int]:
    ids, n = np.unique(values, return_counts=True)
    return dict(zip(ids.tolist(), n.tolist(), strict=True))
