"""Independent numpy-bound parts run side by side in threads (run A ‖ run B and the like).

Why threads: numpy lets go of the interpreter lock inside its array loops (take, cumsum,
sorts, arithmetic, bincount), so two threads doing array work on different arrays use two
cores; no process start, no pickling of the match tables, and it works the same on every
platform (no fork).

What is run this way is only work that is independent: each task reads shared inputs that no
task writes, and returns its own outputs. The numbers are therefore the same bit for bit with
one thread or several (tested on ``compare``), only the wall time differs.

How many threads: :func:`thread_count`, from (first found)

* :func:`threads` (a context manager: ``with threads(1): compare(...)``);
* the environment variable ``PILLCMP_THREADS`` (an integer >= 1; ``PILLCMP_THREADS=1`` turns
  threads off);
* ``min(2, os.cpu_count())``: two, because the parts run this way come in pairs (A and B).

A task that itself asks for parallel work runs it serially in its own thread (no nested pools,
no oversubscription, no deadlock).
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from pill_compare.errors import ConfigError

T = TypeVar("T")

#: The environment variable that sets the number of threads (1 turns threads off).
THREADS_ENV = "PILLCMP_THREADS"

#: Threads used when neither :func:`threads` nor ``PILLCMP_THREADS`` says (capped by the CPUs).
DEFAULT_THREADS = 2

_override: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "pillcmp_threads", default=None
)
_worker = threading.local()


def thread_count() -> int:
    """Threads that :func:`run_parallel` may use here and now (module docstring: where from).

    Returns:
        An integer >= 1; 1 inside a task that :func:`run_parallel` is running.

    Raises:
        ConfigError: ``PILLCMP_THREADS`` is set to something other than an integer >= 1.
    """
    if getattr(_worker, "busy", False):
        return 1
    chosen = _override.get()
    if chosen is not None:
        return chosen
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return max(1, min(DEFAULT_THREADS, os.cpu_count() or 1))
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ConfigError(
            f"Expected the environment variable {THREADS_ENV} to be an integer >= 1 (1 turns "
            f"threads off), got {value!r}"
        )
    return count


@contextmanager
def threads(count: int) -> Iterator[None]:
    """Use ``count`` threads (1: none) for the parallel parts run inside the ``with`` block.

    Args:
        count: Threads, >= 1; it wins over ``PILLCMP_THREADS``.

    Raises:
        ValueError: ``count`` is not an integer >= 1.

    Example:
        >>> with threads(1):  # doctest: +SKIP
        ...     serial = compare(gt, a, b)
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"Expected count to be an integer >= 1, got {count!r}")
    token = _override.set(count)
    try:
        yield
    finally:
        _override.reset(token)


def run_parallel(*tasks: Callable[[], T]) -> list[T]:
    """Run independent tasks, up to :func:`thread_count` at once; their results in task order.

    Each task runs in a copy of the caller's context (numpy's ``errstate`` and :func:`threads`
    included). With one thread the tasks run one after the other in the calling thread.

    Args:
        tasks: Callables without arguments. They must not write anything another task reads.

    Returns:
        ``[task() for task in tasks]``.

    Raises:
        Exception: the first exception in task order, after every task has finished.
    """
    count = min(thread_count(), len(tasks))
    if count <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="pillcmp") as pool:
        futures = [pool.submit(contextvars.copy_context().run, _as_worker, t) for t in tasks]
        return [f.result() for f in futures]


def _as_worker(task: Callable[[], Any]) -> Any:
    """``task()`` with this thread marked as a worker (its own parallel parts run serially)."""
    _worker.busy = True
    try:
        return task()
    finally:
        _worker.busy = False
