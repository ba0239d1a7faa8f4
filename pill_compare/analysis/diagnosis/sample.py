"""A large run judged on part of it: the images (in id order) holding its first ``n`` boxes.

The input checks decide shares (how many boxes a reading or an id map explains); a share is as
clear on tens of thousands of boxes as on half a million, and the check then costs the same at
pill scale and at COCO scale. Whole images are kept, so nothing within an image is cut, and the
choice is deterministic (the same file gives the same finding).
"""

from __future__ import annotations

import numpy as np

from pill_compare.core import Detections


def first_images(run: Detections, n: int) -> Detections:
    """``run`` itself when it has at most ``n`` boxes, else its boxes on the images, in id
    order, that hold the first ``n``.

    Example:
        6,000 images of 10 boxes each and ``n = 20_000``: images 0..1999, 20,000 boxes.
    """
    if len(run) <= n:
        return run
    images, counts = np.unique(run.image_id, return_counts=True)
    last = images[min(int(np.searchsorted(np.cumsum(counts), n)), images.size - 1)]
    return run.select(run.image_id <= last)
