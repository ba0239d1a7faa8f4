"""The composite detection loss of the loss specification (document 001) and its pieces, functional and as ``nn.Module``.

=========================================  ==========================  ===========================
Piece                                      Function                    Module
=========================================  ==========================  ===========================
Box regression (piecewise / Huber / Smooth-L1)  :func:`box_loss`            :class:`BoxLoss`
Soft F-beta (F1 for beta = 1)              :func:`soft_fbeta_loss`     :class:`SoftFBetaLoss`
Sigmoid focal loss                         :func:`focal_loss`          :class:`FocalLoss`
Hard negative mining                       :func:`hard_negative_mining`
Guarded geometric mean                     :func:`guarded_geometric_mean`
Composite loss (Algorithm 2 / compact)     :func:`composite_detection_loss`  :class:`CompositeDetectionLoss`
=========================================  ==========================  ===========================

Every term against the specification's equations, and the degenerate cases, are in ``docs/losses.md``.
"""

from .box import BOX_LOSS_FORMS, BoxLoss, DiscontinuousLossWarning, box_loss
from .composite import (
    ANCHOR_IGNORE,
    ANCHOR_NEGATIVE,
    ANCHOR_POSITIVE,
    CompositeDetectionLoss,
    CompositeLossConfig,
    CompositeLossOutput,
    composite_detection_loss,
    guarded_geometric_mean,
)
from .fbeta import FBETA_AVERAGES, SoftFBetaLoss, soft_fbeta_loss
from .focal import FocalLoss, focal_loss
from .mining import hard_negative_mining, num_hard_negatives

__all__ = [
    "ANCHOR_IGNORE",
    "ANCHOR_NEGATIVE",
    "ANCHOR_POSITIVE",
    "BOX_LOSS_FORMS",
    "FBETA_AVERAGES",
    "BoxLoss",
    "CompositeDetectionLoss",
    "CompositeLossConfig",
    "CompositeLossOutput",
    "DiscontinuousLossWarning",
    "FocalLoss",
    "SoftFBetaLoss",
    "box_loss",
    "composite_detection_loss",
    "focal_loss",
    "guarded_geometric_mean",
    "hard_negative_mining",
    "num_hard_negatives",
    "soft_fbeta_loss",
]
