"""Writing outputs: atomically for regular files, never clobbering anything else."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pill_compare.errors import ConfigError


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only if the block succeeds.

    Readers never see a half-written file: the final step is an atomic ``os.replace``.
    The temporary file keeps the target's suffix so writers that look at it (matplotlib) work.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # No '.' before mkstemp's random part: a target without a suffix must not get a random one.
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.stem}-tmp-", suffix=target.suffix, dir=target.parent
        )
    except OSError as exc:
        raise ConfigError(
            f"{target}: cannot write the output into {target.parent}/ ({exc.strerror})"
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file owner-only (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write ``content`` to ``path`` atomically (text as UTF-8). Returns the path."""
    with atomic_path(path) as tmp:
        if isinstance(content, str):
            tmp.write_text(content, encoding="utf-8")
        else:
            tmp.write_bytes(content)
    return Path(path)
