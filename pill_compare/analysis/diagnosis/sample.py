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
    last = last_image(run.image_id, n)
    return run if last is None else run.select(run.image_id <= last)


def last_image(image_id: np.ndarray, n: int) -> int | None:
    """The id of the last image :func:`first_images` takes: the one holding the ``n``-th box in
    image-id order, i.e. the ``n``-th smallest of ``image_id``; None when there are at most
    ``n`` boxes (every image is taken)."""
    if image_id.size <= n:
        return None
    k = max(n, 1) - 1
    lo = int(image_id.min())
    span = int(image_id.max()) - lo + 1
    if span <= 4 * image_id.size:  # ids of a few images each: count them (no sort)
        held = np.cumsum(np.bincount(image_id - lo, minlength=span))
        return lo + int(np.searchsorted(held, k + 1))
    return int(np.partition(image_id, k)[k])
