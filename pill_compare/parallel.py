"""Independent parts run side by side: in threads (run A ‖ run B and the like), and the long
Python-bound parts in child processes.

Why threads: numpy lets go of the interpreter lock inside its array loops (take, cumsum,
sorts, arithmetic, bincount), so two threads doing array work on different arrays use two
cores; no process start, no pickling of the match tables, and it works the same on every
platform (no fork).

Why processes too: much of the work holds the interpreter lock (msgspec's decoding, the
bootstrap's many small array steps, matplotlib), so threads gain little there (the paired
bootstrap's two runs: 1.3x on two cores). :func:`in_background` and :func:`start_all` fork
a child that shares every loaded array with its parent (copy-on-write: nothing is pickled on
the way in) and sends back only its result, pickled, through a file in memory (the arrays in
it out of band: the parent maps them where the child wrote them, without a copy). They fork
only where that is safe and pays: on Linux, from the main thread of a process that runs no other Python thread (rich's
spinner thread aside), with parallel work allowed (:func:`thread_count` > 1), and for work of
seconds (callers pass ``fork=False`` below their own threshold: a child costs 0.1-0.3 s in
copied pages and pickling at COCO scale). Elsewhere the same tasks run in this process, with
the same results. What runs this way: the paired bootstrap's two runs and calibration + LRP
(``compare``), the report's figures (``build_report``), the second half of a large results
file (``load_results``), the operating point, accuracy and confusion matrix beside the COCO
accumulation and LRP (``evaluate``), and the input check beside the evaluation from 300k
detections (``start_prepare_runs``, ``pillcmp eval``).

What is run in parallel is only work that is independent: each task reads shared inputs that
no task writes, and returns its own outputs. The numbers are therefore the same bit for bit
with one thread or several, one process or several (tested on ``compare``, ``evaluate`` and
the decoding: tests/fork_checks.py), only the wall time differs.

How many threads: :func:`thread_count`, from (first found)

* :func:`threads` (a context manager: ``with threads(1): compare(...)``);
* the environment variable ``PILLCMP_THREADS`` (an integer >= 1; ``PILLCMP_THREADS=1`` turns
  threads and child processes off);
* ``min(2, os.cpu_count())``: two, because the parts run this way come in pairs (A and B).

A task that itself asks for parallel work runs it serially in its own thread or child (no
nested pools, no oversubscription, no deadlock).
"""

from __future__ import annotations

import contextvars
import mmap
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any, Generic, TypeVar

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


class Background(Generic[T]):
    """A task started by :func:`in_background`: :meth:`result` waits for it and returns its
    value (or raises its exception); :meth:`cancel` stops it. Use it as a context manager
    (``with in_background(task) as job: ...; value = job.result()``) so that a task whose
    result is never asked for is stopped when the block is left."""

    def __init__(self, task: Callable[[], T]) -> None:
        self._task = task
        self._pid: int | None = None
        self._fd: int | None = None
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None
        self.forked = False  # True: the task runs in a child process

    def _run_here(self) -> None:
        """Run the task in this process; its value or exception is kept for :meth:`result`."""
        try:
            self._value = self._task()
        except BaseException as exc:  # handed to result(), as a child's would be
            self._error = exc
        self._done = True

    def _fork(self) -> None:
        fd = _result_file()
        for stream in (sys.stdout, sys.stderr):  # or the child would write them out again
            with suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid == 0:  # the child: run the task, write its outcome, leave without cleanup
            code = 0
            try:
                _worker.busy = True  # its own parallel parts run serially
                try:
                    outcome: tuple[bool, Any] = (True, self._task())
                except Exception as exc:  # re-raised by the parent
                    outcome = (False, exc)
                try:
                    _write_outcome(fd, outcome)
                except Exception:  # an unpicklable value or exception: the parent re-runs it
                    code = 3
            except BaseException:  # interrupted, or the parent went away
                code = 4
            finally:
                os._exit(code)
        self._pid, self._fd, self.forked = pid, fd, True

    def result(self) -> T:
        """Wait for the task; its return value, or its exception raised here.

        A child that dies without an answer (killed, out of memory, a result or exception that
        cannot be pickled or unpickled) is not an error of the task: the task is then run again
        here, so the outcome is always the task's own.
        """
        if not self._done:
            parts = self._collect()
            try:
                ok, value = pickle.loads(parts[0], buffers=parts[1:]) if parts else (None, None)
            except Exception:  # e.g. an exception whose constructor pickle cannot call again
                ok = None
            if ok is None:  # no usable answer: the task's own outcome, here
                self._run_here()
            else:
                self._value, self._error = (value, None) if ok else (None, value)
                self._done = True
        if self._error is not None:
            raise self._error
        return self._value

    def _collect(self) -> list[memoryview] | None:
        """The child's pickled outcome and its out-of-band buffers (views of the file the
        child wrote, mapped copy-on-write: the arrays built on them are writable), or None
        when it died without one."""
        assert self._fd is not None and self._pid is not None
        try:
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            size = os.fstat(self._fd).st_size
            if os.waitstatus_to_exitcode(status) != 0 or size < 8:
                return None
            view = memoryview(mmap.mmap(self._fd, size, access=mmap.ACCESS_COPY))
        finally:
            os.close(self._fd)
            self._fd = None
        try:
            (count,) = struct.unpack_from("<q", view)
            sizes = struct.unpack_from(f"<{count}q", view, 8)
        except (struct.error, ValueError):  # not what _write_outcome writes: no answer
            return None
        parts, at = [], 8 + 8 * count
        for n in sizes:
            parts.append(view[at : at + n])
            at += n
        return parts if at == size else None

    def cancel(self) -> None:
        """Stop a task still running in a child (nothing happens to one that ran here)."""
        if self._pid is not None:
            with suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            os.waitpid(self._pid, 0)
            self._pid = None

    def __enter__(self) -> Background[T]:
        return self

    def __del__(self) -> None:  # a forgotten job must not leave a child waiting on its pipe
        with suppress(Exception):
            self.cancel()

    def __exit__(self, *exc: object) -> None:
        self.cancel()


def in_background(task: Callable[[], T], *, fork: bool = True) -> Background[T]:
    """Start ``task`` in a child process (fork), so that the caller goes on with other work on
    another core; where that cannot be done safely, run it now, here.

    The child is a copy of this process (the match tables and the loaded runs are shared, not
    pickled); only the task's return value comes back, pickled. It forks only when parallel
    work is allowed (:func:`thread_count` > 1: ``PILLCMP_THREADS=1`` or ``threads(1)`` turn it
    off), on Linux, and when no other Python thread runs (forking a process with threads can
    leave the child waiting forever on a lock another thread held), apart from rich's refresh
    thread of the CLI's spinner, which only draws on the terminal (the child never does).
    Elsewhere (macOS, Windows, inside a worker thread) the task runs before this returns.

    Args:
        task: A callable without arguments whose result (or exception) can be pickled. It must
            not print or write files: its side effects stay in the child.
        fork: False: run it here now (small work, see :func:`start_all`).

    Returns:
        A :class:`Background`; ``.result()`` gives ``task()``'s value, the same either way.
    """
    job = Background(task)
    if fork and _may_fork():
        job._fork()
    else:
        job._run_here()
    return job


def start_all(*tasks: Callable[[], T], fork: bool = True) -> list[Background[T]]:
    """Start independent tasks side by side: each in a child process of its own where
    :func:`in_background` would fork, else in threads (:func:`run_parallel`) before this
    returns. Same results either way; ``[job.result() for job in jobs]`` collects them.

    Args:
        tasks: Callables without arguments, as for :func:`in_background`.
        fork: False: threads only (small work: a child process costs 0.1-0.3 s, its copied
            pages and the pickling of the results, more than it saves there).

    Returns:
        One :class:`Background` per task, in task order.
    """
    if fork and _may_fork():
        jobs = [Background(task) for task in tasks]
        for job in jobs:
            job._fork()
        return jobs
    jobs = [Background(task) for task in tasks]
    run_parallel(*(job._run_here for job in jobs))  # each keeps its own value or exception
    return jobs


def _result_file() -> int:
    """A file descriptor for a child's outcome: a file in memory (Linux ``memfd_create``), or
    an anonymous temporary file where that is refused."""
    try:
        return os.memfd_create("pillcmp-result", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile  # only here: ~2 ms of every start otherwise

        with tempfile.TemporaryFile() as fh:
            return os.dup(fh.fileno())


def _write_outcome(fd: int, outcome: tuple[bool, Any]) -> None:
    """Write the pickled outcome to ``fd``: the part count, each part's size, the pickle, then
    each contiguous array's bytes as they are (pickle protocol 5's out-of-band buffers)."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(outcome, protocol=5, buffer_callback=buffers.append)
    parts = [memoryview(head), *(b.raw() for b in buffers)]
    sizes = [p.nbytes for p in parts]
    for part in (memoryview(struct.pack(f"<{len(sizes) + 1}q", len(sizes), *sizes)), *parts):
        while part:
            part = part[os.write(fd, part) :]


def _may_fork() -> bool:
    if not sys.platform.startswith("linux") or not hasattr(os, "fork") or thread_count() < 2:
        return False
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    return threading.current_thread() is threading.main_thread() and all(
        type(t).__name__ == "_RefreshThread" for t in others
    )
