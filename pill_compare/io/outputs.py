"""Writing outputs: atomically for regular files, never clobbering anything else.

The rules, for every file pillcmp writes (``-o``, ``--plot``, ``--dump-matches``, ``merge -o``):

* A regular file (or a path that does not exist yet) is replaced atomically: the bytes go to an
  unnamed temporary file in the same folder (``O_TMPFILE``), are ``fsync``-ed, and only then get
  a name — so a reader never sees half a file, and a process killed mid-write (even by SIGKILL)
  leaves the old output intact and no temporary file behind. Where the file system has no
  ``O_TMPFILE``, the temporary gets a fixed-length name, ``.pillcmp-tmp-<pid>-<random>``, that a
  later run recognises and removes once its process is gone.
* A symlink is written *through*: its target is replaced atomically, the link stays.
* A character device or FIFO (``/dev/null``, ``/dev/stdout``, ``mkfifo``) is written straight
  into; it is never replaced by a regular file.
* A folder, socket or block device is refused, as is a path whose folder does not exist
  (unless ``make_parents``) or is not a folder.
* Several outputs are written all or none: every regular file is staged first; names are given
  only when every staging (and every device write) succeeded.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pill_compare.errors import ConfigError

#: Prefix of named temporaries (only where O_TMPFILE is unavailable): ``.pillcmp-tmp-<pid>-<hex>``.
TEMP_PREFIX = ".pillcmp-tmp-"
_TEMP_RE = re.compile(r"^\.pillcmp-tmp-(\d+)-[0-9a-f]{8}$")
#: How long to wait for a process to open a FIFO output for reading.
FIFO_WAIT_SECONDS = 10.0

OutputKind = Literal["stdout", "file", "special"]


@dataclass(frozen=True)
class OutputTarget:
    """A checked output destination.

    Attributes:
        path: The path as given ('-' for stdout).
        kind: 'stdout'; 'file' (a regular file, replaced atomically); 'special' (a character
            device or FIFO, written straight into).
        write_path: Where the bytes go: for 'file' the real path (through symlinks).
    """

    path: Path
    kind: OutputKind
    write_path: Path


def check_output(
    path: str | os.PathLike[str],
    *,
    suffixes: Sequence[str] | None = None,
    param: str | None = None,
    make_parents: bool = False,
) -> OutputTarget:
    """Check, before any work is done, that ``path`` can be written under the rules above.

    Args:
        path: The output path; '-' means standard output.
        suffixes: Accepted suffixes (lower case, with the dot; '' for none) for a regular file;
            None accepts any. Devices, FIFOs and stdout are not checked.
        param: The parameter the path came from, carried by the error (the CLI names its flag).
        make_parents: Create missing folders instead of refusing the path.

    Returns:
        The :class:`OutputTarget`.

    Raises:
        ConfigError: a folder, socket or block device; a missing or non-folder parent; an
            unwritable folder; a suffix not in ``suffixes`` (the message lists them).
    """
    given = Path(path)
    if str(path) == "-":
        return OutputTarget(given, "stdout", given)

    def refuse(why: str) -> ConfigError:
        return ConfigError(f"{given}: {why}", param=param)

    st = _stat_or_refuse(given, refuse, follow_symlinks=True)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise refuse("is a folder; give a file name")
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            return OutputTarget(given, "special", given)
        if not stat.S_ISREG(st.st_mode):
            raise refuse(
                "exists and is not a regular file (a socket or block device); refusing to replace it"
            )
    if suffixes is not None and given.suffix.lower() not in suffixes:
        shown = ", ".join(s if s else "no suffix" for s in suffixes)
        found = f"'{given.suffix}'" if given.suffix else "no suffix"
        raise refuse(f"unsupported file suffix {found}; expected {shown}")
    real = Path(os.path.realpath(given))  # through symlinks, also dangling ones
    _ready_parent(real.parent, refuse, make_parents=make_parents)
    return OutputTarget(given, "file", real)


def _stat_or_refuse(
    path: Path, refuse: Callable[[str], ConfigError], *, follow_symlinks: bool
) -> os.stat_result | None:
    """``os.stat`` of an output path: None when it does not exist; every other failure (a file
    where a folder should be, a name too long, a loop of links) a :class:`ConfigError`."""
    try:
        return os.stat(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise refuse(f"cannot write there: {_first_non_folder(path)} is not a folder") from None
    except OSError as exc:
        raise refuse(f"cannot write there ({exc.strerror or exc})") from None


def _ready_parent(
    parent: Path, refuse: Callable[[str], ConfigError], *, make_parents: bool
) -> None:
    """Check that ``parent`` is a writable folder (creating it with ``make_parents``): the one
    check behind every output, file or folder."""
    st = _stat_or_refuse(parent, refuse, follow_symlinks=True)
    if st is None:
        if not make_parents:
            raise refuse(f"the folder {parent}/ does not exist; create it first")
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (NotADirectoryError, FileExistsError):
            raise refuse(
                f"cannot write there: {_first_non_folder(parent)} is not a folder"
            ) from None
        except OSError as exc:
            raise refuse(f"cannot create the folder {parent}/ ({exc.strerror or exc})") from None
    elif not stat.S_ISDIR(st.st_mode):
        raise refuse(f"cannot write there: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise refuse(f"cannot write into the folder {parent}/ (permission denied)")


def _first_non_folder(path: Path) -> Path:
    """The first component of ``path`` (its folders, then itself) that exists and is not a
    folder."""
    for part in [*reversed(path.parents), path]:
        try:
            if part.exists() and not part.is_dir():
                return part
        except OSError:  # a name too long further down: the ones before it were folders
            break
    return path.parent


def write_outputs(
    items: Iterable[tuple[OutputTarget | str | os.PathLike[str], str | bytes]],
) -> list[OutputTarget]:
    """Write every ``(target, content)`` pair, all or none. Text is written as UTF-8.

    Regular files are staged (written and fsync-ed to unnamed temporaries) first, then devices
    and FIFOs are written, then every staged file gets its name. If anything fails before the
    naming step, no regular file has changed. 'stdout' targets are not handled here (the caller
    prints them) and are refused.

    Returns:
        The targets written, in order.

    Raises:
        ConfigError: a path that :func:`check_output` refuses, or a write that fails (disk full,
            permission), naming the file.
    """
    plan = []
    for target, content in items:
        if not isinstance(target, OutputTarget):
            target = check_output(target)
        if target.kind == "stdout":
            raise ValueError("Expected a file target; write stdout targets yourself")
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        plan.append((target, data))
    staged: list[_Staged] = []
    try:
        for target, data in plan:
            if target.kind == "file":
                staged.append(_stage(target, data))
        for target, data in plan:
            if target.kind == "special":
                _write_special(target, data)
        for s in staged:
            s.commit()
    finally:
        for s in staged:
            s.discard()
    return [t for t, _ in plan]


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write ``content`` to ``path`` under the rules of this module (text as UTF-8).

    Returns the path as given.
    """
    target = check_output(path)
    if target.kind == "stdout":
        raise ValueError("Expected a file path, got '-' (standard output)")
    write_outputs([(target, content)])
    return target.path


def check_folder(
    folder: str | os.PathLike[str], *, owner_file: str, make_parents: bool = False
) -> Path:
    """Check, before any work, that :func:`write_folder` may write ``folder``; return its parent.

    The same checks as :func:`check_output` for a file (one helper behind both), plus the ones a
    folder needs.

    Raises:
        ConfigError: ``folder`` is '-' (standard output: a folder of files cannot go there), a
            file, a symlink, or a non-empty folder without ``owner_file`` (one of the user's);
            a name the system refuses (too long); its parent is missing (without
            ``make_parents``; with it, the parent is created), not a folder or unwritable.
    """
    target = Path(folder)

    def refuse(why: str) -> ConfigError:
        return ConfigError(f"{target}: {why}", param="output")

    if str(folder) == "-":
        raise ConfigError(
            "'-' (standard output) cannot receive a folder of files; give a folder name",
            param="output",
        )
    st = _stat_or_refuse(target, refuse, follow_symlinks=False)
    if st is not None:
        if not stat.S_ISDIR(st.st_mode):
            raise refuse("exists and is not a folder; give a folder name")
        try:
            names = os.listdir(target)
        except OSError as exc:
            raise refuse(f"cannot read the folder ({exc.strerror or exc})") from None
        if names and owner_file not in names:
            raise refuse(
                f"a folder with other files in it (no {owner_file}); refusing to replace "
                "it: give a new or empty folder, or a previous report's folder"
            )
    parent = Path(os.path.abspath(target)).parent
    _ready_parent(parent, refuse, make_parents=make_parents)
    return parent


def write_folder(
    folder: str | os.PathLike[str],
    files: Mapping[str, str | bytes],
    *,
    owner_file: str,
    make_parents: bool = False,
) -> Path:
    """Write a folder of files (a report) all at once: built beside it, then renamed into place.

    The files go into a temporary folder next to ``folder`` (fsync-ed); then an existing
    ``folder`` is renamed aside, the new one renamed in, and the old one removed. A failure
    before the swap leaves an existing folder untouched and no temporary behind (a killed run's
    leftover is removed by the next write there, as for files).

    Args:
        folder: The output folder.
        files: Relative file name (no folders, no '..') → content (text as UTF-8).
        owner_file: A file every such folder holds (e.g. 'report.json'): an existing non-empty
            folder without it is refused, so a folder of the user's is never replaced.
        make_parents: Create missing parent folders.

    Returns:
        The folder.

    Raises:
        ConfigError: ``folder`` is a file, a symlink, or a non-empty folder that is not one of
            ours; its parent is missing (without ``make_parents``) or unwritable; a write fails.
    """
    target = Path(folder)
    for name in files:
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise ValueError(f"Expected plain file names, got {name!r}")
    parent = check_folder(target, owner_file=owner_file, make_parents=make_parents)
    remove_stale_temporaries(parent)
    staging = _temp_name(parent)
    aside = None
    try:
        staging.mkdir()
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
            fd = os.open(staging / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o666)
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_folder(staging)
        if target.exists():
            aside = _temp_name(parent)
            os.rename(target, aside)
        os.rename(staging, target)
        staging = None
        _fsync_folder(parent)
    except OSError as exc:
        if aside is not None and not target.exists():
            os.rename(aside, target)  # put the old report back
            aside = None
        raise ConfigError(f"{target}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        for leftover in (staging, aside):
            if leftover is not None and leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
    return target


def _fail(target: OutputTarget, exc: OSError) -> ConfigError:
    return ConfigError(f"{target.path}: cannot write the output ({exc.strerror or exc})")


class _Staged:
    """One regular file written to a temporary, waiting for its name."""

    def __init__(self, target: OutputTarget, fd: int, temp: Path | None):
        self.target = target
        self.fd = fd  # open while unnamed (O_TMPFILE); -1 once closed
        self.temp = temp  # a named temporary, or None for O_TMPFILE
        self.done = False

    def commit(self) -> None:
        final = self.target.write_path
        try:
            if self.temp is None:
                # Give the unnamed file a name: straight at the target when it is free, else a
                # temporary name renamed over the target (rename is atomic, link cannot replace).
                # A dst_dir_fd makes os.link use linkat(AT_SYMLINK_FOLLOW), which is what
                # naming an O_TMPFILE file through /proc needs; plain link() would fail (EXDEV).
                proc = f"/proc/self/fd/{self.fd}"
                folder = os.open(final.parent, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    try:
                        os.link(proc, final.name, dst_dir_fd=folder, follow_symlinks=True)
                    except FileExistsError:
                        self.temp = _temp_name(final.parent)
                        os.link(proc, self.temp.name, dst_dir_fd=folder, follow_symlinks=True)
                        os.replace(self.temp, final)
                        self.temp = None
                finally:
                    os.close(folder)
            else:
                os.replace(self.temp, final)
                self.temp = None
        except OSError as exc:
            raise _fail(self.target, exc) from None
        self.done = True
        _fsync_folder(final.parent)

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self.temp.unlink()
            self.temp = None


def _stage(target: OutputTarget, data: bytes) -> _Staged:
    folder = target.write_path.parent
    remove_stale_temporaries(folder)
    staged = None
    try:
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666)
            staged = _Staged(target, fd, None)
        except (AttributeError, OSError) as exc:  # no O_TMPFILE here (file system or platform)
            if isinstance(exc, OSError) and exc.errno not in _NO_TMPFILE:
                raise
            temp = _temp_name(folder)
            fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o666)
            staged = _Staged(target, fd, temp)
        _write_all(staged.fd, data)
        os.fsync(staged.fd)
        if staged.temp is not None:
            os.close(staged.fd)
            staged.fd = -1
    except OSError as exc:
        if staged is not None:
            staged.discard()
        raise _fail(target, exc) from None
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    return staged


#: errno values meaning "this file system or kernel has no O_TMPFILE".
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT}


def _temp_name(folder: Path) -> Path:
    return folder / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove pillcmp's named temporaries in ``folder`` whose writing process is gone.

    Only files named ``.pillcmp-tmp-<pid>-<8 hex>`` are touched, and only when no process
    ``<pid>`` runs any more (a killed run's leftovers). Returns what was removed.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TEMP_RE.match(name)
        if m and not _pid_alive(int(m.group(1))):
            path = Path(folder) / name
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _fsync_folder(folder: Path) -> None:
    """Make the new name durable too (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_special(target: OutputTarget, data: bytes) -> None:
    """Write into a character device or FIFO as it is; wait a bounded time for a FIFO reader."""
    path = target.path
    try:
        fd = _open_special(path)
    except OSError as exc:
        raise _fail(target, exc) from None
    try:
        _write_all(fd, data)
    except OSError as exc:
        raise _fail(target, exc) from None
    finally:
        os.close(fd)


def _open_special(path: Path) -> int:
    if not stat.S_ISFIFO(os.stat(path).st_mode):
        return os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    deadline = time.monotonic() + FIFO_WAIT_SECONDS
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: nobody reads the FIFO yet
                raise
            if time.monotonic() >= deadline:
                raise OSError(
                    errno.ENXIO,
                    f"no process opened the FIFO for reading within {FIFO_WAIT_SECONDS:g} s",
                ) from None
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return fd
