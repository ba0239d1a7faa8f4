"""Stable orders of integer keys: :func:`numpy.lexsort`'s answer from one sort.

``np.lexsort`` sorts once per key (a stable merge sort each), so ordering 1.8M detections by
(image, category) costs two full sorts. When the keys' value ranges multiply to fewer than
2**63 values, the keys fold into one int64 (``(k0 - min0) * span1 + (k1 - min1)``, the primary
key most significant) whose order is exactly the lexicographic order of the keys, and one stable
sort of it gives the same permutation: 0.28 → 0.10 s for (image, category) at 1.8M detections.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_INT64_VALUES = 1 << 63


def stable_order(keys: Sequence[np.ndarray]) -> np.ndarray:
    """The permutation ``np.lexsort(keys)`` gives for integer keys, by one stable sort.

    As with ``np.lexsort``, the *last* key is the primary one, and rows equal on every key
    keep their order.

    Args:
        keys: (N,) integer or bool arrays, all of one length (at least one key).

    Returns:
        (N,) intp: the same array ``np.lexsort(keys)`` returns. Keys whose value ranges do not
        fold into one int64, and keys that are not integers, are handed to ``np.lexsort``.

    Example:
        >>> stable_order([np.array([2, 1, 2]), np.array([0, 0, 0])]).tolist()
        [1, 0, 2]
    """
    arrays = [np.asarray(k) for k in keys]
    if not arrays or arrays[0].size == 0:
        return np.lexsort(arrays) if arrays else np.zeros(0, dtype=np.intp)
    if any(a.ndim != 1 or a.dtype.kind not in "biu" for a in arrays):
        return np.lexsort(arrays)
    lows, spans, values = [], [], 1
    for a in arrays:
        low, high = int(a.min()), int(a.max())
        lows.append(low)
        spans.append(high - low + 1)
        values *= high - low + 1
    if values >= _INT64_VALUES or max(lows) + max(spans) > _INT64_VALUES:
        return np.lexsort(arrays)  # (uint64 values past int64 are left to lexsort too)
    folded = np.zeros(arrays[0].size, dtype=np.int64)
    for a, low, span in zip(reversed(arrays), reversed(lows), reversed(spans), strict=True):
        folded *= span
        column = a.astype(np.int64, copy=False)
        folded += column - np.int64(low) if low else column
    # A narrower type sorts faster (numpy sorts 16-bit integers by radix).
    if values <= 1 << 16:
        folded = folded.astype(np.uint16)
    elif values <= 1 << 31:
        folded = folded.astype(np.int32)
    return np.argsort(folded, kind="stable")
