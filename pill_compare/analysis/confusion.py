"""Confusion matrix with a background row and column, at an operating point.

Convention (pillcmp): rows are the GT class, columns the predicted class; the last row and the
last column are *background*.

1. Keep the detections with score >= s.
2. Match boxes class-agnostically, one-to-one, within each image: detections in descending
   score (ties in file order) each take the still-free non-crowd GT box of *any* class with the
   highest IoU >= u (IoU ties: the later GT); a detection with no such GT but inside a crowd region
   (crowd IoU >= u) is absorbed and counted nowhere. This is the COCO matching rule with the
   class check removed, so it comes from the same match table as every other number.
3. Count: a matched pair adds 1 to [GT class, predicted class] (the diagonal when the labels
   agree); an unmatched detection adds 1 to [background, predicted class] (a false detection on
   no object); an unmatched non-crowd GT adds 1 to [GT class, background] (a missed object).

Compared with the other tools (see docs/eval.md): Ultralytics (``ConfusionMatrix.process_batch``)
stores the transpose (rows = predicted, columns = true), keeps ``conf > 0.25`` and ``IoU > 0.45``
(strict), matches by descending IoU rather than by score, and has no crowd regions. supervision
(``ConfusionMatrix.evaluate_detection_batch``) has our orientation (rows = true, columns =
predicted, last row/column = background, labelled FP/FN in its plot), also uses strict ``>``
thresholds and matches by descending IoU. Without crowd regions, threshold ties, or a box that
overlaps two boxes of the other side above the IoU threshold, the three give the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.analysis.arguments import check_inputs, check_score_threshold
from pill_compare.analysis.matching import (
    FP,
    IGNORED,
    TP,
    MatchTable,
    column_of,
    present_categories,
)

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

BACKGROUND = "background"

CONVENTION = (
    "rows = GT class, columns = predicted class, last row/column = background; detections with "
    "score >= s matched class-agnostically one-to-one (greedy by score, IoU >= u); "
    "[background, c] = detection of c on no object, [c, background] = missed GT of c; "
    "detections absorbed by crowd regions are left out"
)


@dataclass(frozen=True, eq=False)
class ConfusionMatrix:
    """Counts by (GT class, predicted class) with background, at (score >= s, IoU >= u).

    Attributes:
        matrix: (K + 1, K + 1) int64; ``matrix[i, j]`` = GT class i predicted as j; index K is
            background (see the module docstring for the convention).
        category_ids: (K,) ascending ids of the declared categories with a GT box or a
            detection (the order of rows and columns; a category with neither would be an
            all-zero row and column).
        names: (K,) category names.
        score_threshold: s.
        iou_threshold: u.
        absorbed: Detections absorbed by crowd regions (counted in no cell).
    """

    matrix: np.ndarray
    category_ids: np.ndarray
    names: tuple[str, ...]
    score_threshold: float
    iou_threshold: float
    absorbed: int

    def __repr__(self) -> str:
        return (
            f"ConfusionMatrix(categories={self.category_ids.size}, correct={self.correct}, "
            f"misclassified={self.misclassified}, false_detections={self.false_detections}, "
            f"missed={self.missed}, score_threshold={self.score_threshold:g}, "
            f"iou_threshold={self.iou_threshold:g})"
        )

    @property
    def correct(self) -> int:
        """Matched detections whose label equals the GT's (the diagonal without background)."""
        k = self.category_ids.size
        return int(np.trace(self.matrix[:k, :k]))

    @property
    def misclassified(self) -> int:
        """Matched detections with the wrong label (off-diagonal of the class block)."""
        k = self.category_ids.size
        return int(self.matrix[:k, :k].sum()) - self.correct

    @property
    def false_detections(self) -> int:
        """Detections on no object: the background row."""
        return int(self.matrix[-1, :].sum())

    @property
    def missed(self) -> int:
        """GT boxes no detection matched: the background column."""
        return int(self.matrix[:, -1].sum())

    def labels(self) -> list[str]:
        """'<id> <name>' for each class, then 'background'."""
        return [f"{c} {n}" for c, n in zip(self.category_ids.tolist(), self.names, strict=True)] + [
            BACKGROUND
        ]

    def top_confusions(self, limit: int = 10) -> list[tuple[int, int, int]]:
        """The largest off-diagonal class-to-class cells: (GT id, predicted id, count)."""
        k = self.category_ids.size
        block = self.matrix[:k, :k].copy()
        np.fill_diagonal(block, 0)
        rows, cols = np.nonzero(block)
        counts = block[rows, cols]
        order = np.lexsort((cols, rows, -counts))[:limit]
        ids = self.category_ids
        return [(int(ids[rows[i]]), int(ids[cols[i]]), int(counts[i])) for i in order]

    def to_frame(self) -> pd.DataFrame:
        """The matrix with labelled rows (``gt``) and columns (predicted)."""
        import pandas as pd

        labels = self.labels()
        frame = pd.DataFrame(self.matrix, index=labels, columns=labels)
        frame.index.name = "gt"
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "convention": CONVENTION,
            "score_threshold": self.score_threshold,
            "iou_threshold": self.iou_threshold,
            "labels": self.labels(),
            "category_ids": self.category_ids.tolist(),
            "matrix": self.matrix.tolist(),
            "correct": self.correct,
            "misclassified": self.misclassified,
            "false_detections": self.false_detections,
            "missed": self.missed,
            "absorbed_by_crowd": self.absorbed,
            "top_confusions": [
                {"gt": g, "predicted": p, "count": n} for g, p, n in self.top_confusions()
            ],
        }


def compute_confusion_matrix(table: MatchTable, *, score_threshold: float = 0.5) -> ConfusionMatrix:
    """The confusion matrix at ``score >= score_threshold`` and the table's agnostic IoU.

    Args:
        table: The match table (its ``agnostic_*`` columns hold the class-agnostic matching).
        score_threshold: s.

    Returns:
        The :class:`ConfusionMatrix`.

    Example:
        One image, GT boxes A and B; detections: A on A's box, C on B's box, A on empty space.
        With categories (A, B, C): [A, A] = 1, [B, C] = 1, [background, A] = 1, no missed GT.
    """
    check_inputs("compute_confusion_matrix", table=(table, MatchTable))
    score_threshold = check_score_threshold(score_threshold)
    gt, dets = table.gt, table.dets
    ann = gt.annotations
    declared, det_k, gt_k = table.category_index()
    # Rows and columns only for categories with a GT box or a detection: a declared category
    # with neither has an all-zero row and column, and 20,000 unused declared categories would
    # otherwise make a (20001, 20001) matrix (3.2 GB).
    present = present_categories(declared.size, det_k, gt_k)
    cat_ids = declared[present]
    det_k, gt_k = column_of(present, det_k), column_of(present, gt_k)
    names = gt.category_names
    n_k = cat_ids.size
    bg = n_k
    counted = dets.score >= score_threshold

    matched = counted & (table.agnostic_status == TP)
    unmatched = counted & (table.agnostic_status == FP)
    found = np.zeros(len(ann), dtype=bool)
    found[table.agnostic_gt[matched]] = True
    missed = ~found & ~ann.iscrowd

    rows = np.r_[gt_k[table.agnostic_gt[matched]], np.full(int(unmatched.sum()), bg), gt_k[missed]]
    cols = np.r_[det_k[matched], det_k[unmatched], np.full(int(missed.sum()), bg)]
    matrix = np.bincount(rows * (n_k + 1) + cols, minlength=(n_k + 1) ** 2).reshape(
        n_k + 1, n_k + 1
    )
    return ConfusionMatrix(
        matrix=matrix.astype(np.int64),
        category_ids=cat_ids,
        names=tuple(names.get(c, str(c)) for c in cat_ids.tolist()),
        score_threshold=float(score_threshold),
        iou_threshold=table.agnostic_iou_threshold,
        absorbed=int((counted & (table.agnostic_status == IGNORED)).sum()),
    )
