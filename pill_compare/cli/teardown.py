"""The end of the ``pillcmp`` process: the command's exit status, without the interpreter's
teardown.

When a command has finished, its outputs written and closed, what Python still does at exit
is tear down the ~480 modules a command loads (numpy, typer with pydantic, pillcmp's own) and
collect their objects: 0.06-0.15 s of every run (a ``pillcmp eval`` at COCO scale measured
from process start to exit: 0.14-0.21 s after the command returned, against 0.06-0.07 s
ending with :func:`os._exit`, which leaves only the kernel's freeing of the memory). The
console entry point therefore ends with :func:`leave`: the exit handlers run, standard output
and error are flushed, and the process ends with the command's status. Where a thread of
someone else's is still running (the interpreter would wait for it), it exits the usual way.

Only the console entry point calls :func:`leave`: a program that runs the typer app itself
(tests through ``CliRunner``) ends as it pleases.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

#: Python's own exit status when standard output cannot be flushed at exit.
FLUSH_FAILED = 120


def exit_status(code: object) -> int:
    """The process exit status of ``SystemExit(code)``, as the interpreter computes it: None
    is 0, an integer itself (modulo 256 by the kernel), anything else is printed on stderr
    and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def leave(status: int) -> NoReturn:
    """End the process now with ``status``, after the exit handlers and a flush of stdout and
    stderr (a flush that fails gives 120, as at a normal exit); see the module docstring.

    Args:
        status: The exit status.
    """
    others = [
        t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon
    ]
    if others:  # the interpreter would wait for them: let it
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream
            status = FLUSH_FAILED
    os._exit(status)
