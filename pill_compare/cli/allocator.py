"""Process-wide tuning of the C allocator for the ``pillcmp`` process (glibc only).

An evaluation at COCO scale allocates and frees hundreds of large numpy temporaries (a column
of 1.8M detections is 14 MB; an array over 10 IoU thresholds, 140 MB). glibc's ``malloc``
serves every block above its mmap threshold (128 KiB at start, raised adaptively up to 32 MiB)
with a fresh ``mmap`` and returns it to the kernel on ``free``, so the next array of the same
size gets new pages that the kernel must fault in and zero again. At 1.8M detections that is
1.2-1.9 s of system time in a 5-7 s ``pillcmp eval``; with large blocks kept in the heap for
reuse it is 0.4-0.5 s, for a peak memory within 1 % (benchmarks/bench_eval.py; docs/eval.md §8).

Python's cyclic garbage collector is tuned for the same process by :func:`collect_less`.

Only the console entry point calls :func:`keep_freed_blocks` and :func:`collect_less`: a
program that imports pill_compare as a library keeps its own settings.
"""

from __future__ import annotations

import ctypes
import gc
import sys

# mallopt(3) parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: Blocks below this are served from the heap and kept there when freed; the heap is trimmed
#: (memory returned to the kernel) only when this much is free at its top.
KEEP_BYTES = 1 << 30


def keep_freed_blocks(limit: int = KEEP_BYTES) -> bool:
    """Ask glibc's malloc to keep freed blocks of up to ``limit`` bytes for reuse.

    Sets ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` to ``limit`` (both, or the adaptive
    threshold makes every large block an mmap of its own again), and ``M_ARENA_MAX`` to 1
    (threads share the heap, and so its freed blocks).

    Args:
        limit: Bytes, 1 to 2**31 - 1.

    Returns:
        True when glibc accepted the settings; False elsewhere (macOS, Windows, musl, or a
        glibc that refuses the value), where nothing changes.

    Raises:
        ValueError: ``limit`` outside 1 .. 2**31 - 1 (mallopt takes a C int).
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit < 2**31:
        raise ValueError(f"Expected limit to be an integer in [1, 2**31 - 1], got {limit!r}")
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc's; musl has none
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # One arena: threads (pill_compare.parallel.run_parallel) allocate from the one heap too,
    # so they reuse its freed blocks (glibc gives a thread an arena of its own otherwise:
    # with the pair search in two threads, `pillcmp eval` at 450k detections peaked at
    # 276 MiB instead of 208). numpy allocates few, large blocks: the shared lock costs nothing.
    return all(
        mallopt(option, value)
        for option, value in (
            (_M_MMAP_THRESHOLD, limit),
            (_M_TRIM_THRESHOLD, limit),
            (_M_ARENA_MAX, 1),
        )
    )


#: Container objects allocated (net) before the collector's youngest generation is collected:
#: Python's default, 700, made `pillcmp eval` at COCO scale collect ~300 times (37-64 ms in
#: the main process), and the numbers live in arrays, not in Python objects.
YOUNG_THRESHOLD = 100_000


def collect_less() -> None:
    """Spare the cyclic garbage collector's work in a short command: the objects that exist
    now (the modules imported at start-up) move to a generation that is never scanned
    (:func:`gc.freeze`, which Python's documentation also advises before forking), and the youngest
    generation is collected every :data:`YOUNG_THRESHOLD` allocations instead of 700 (the older
    generations keep their ratios). Garbage without cycles is still freed at once."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
