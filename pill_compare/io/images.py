"""Finding an image's file in a folder safely, from its ground-truth ``file_name`` or its id.

The file names come from input files, so they are not trusted: a name that leads outside the
folder (``../../etc/passwd``, an absolute path, a symlink whose target is outside) is refused
before anything is opened, and only regular files are returned (not a folder, a pipe or a
device, which could block or never end). Nothing here reads an image's bytes.

Candidates, in order (the first regular file inside the folder wins):

1. ``file_name`` relative to the folder (when the ground truth gives one);
2. its last part alone (``images/x.png`` → ``x.png``), for a folder that holds the images
   without the ground truth's sub-folders;
3. ``<image_id>.<ext>`` for each of :data:`IMAGE_EXTENSIONS` (lower case, then upper case).

A ``file_name`` that is absolute or resolves outside the folder is refused outright (reason
``'outside'``) and no other candidate is tried: the input is suspicious and the report says so.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

__all__ = ["IMAGE_EXTENSIONS", "LOOKUP_REASONS", "ImageLookup", "resolve_image"]

#: Extensions tried for ``<image_id>.<ext>``, in order (then the same in upper case).
IMAGE_EXTENSIONS: tuple[str, ...] = ("png", "jpg", "jpeg", "bmp", "webp")

#: Why no file was returned: ``missing`` (no candidate exists), ``outside`` (the name or a
#: symlink leads outside the folder), ``not_a_file`` (a candidate exists but is a folder, pipe,
#: device or socket), ``invalid`` (a file name no file system accepts, e.g. with a NUL byte).
LOOKUP_REASONS: tuple[str, ...] = ("missing", "outside", "not_a_file", "invalid")


@dataclass(frozen=True)
class ImageLookup:
    """Where an image's file is, or why none was taken.

    Attributes:
        path: The resolved path of a regular file inside the folder, or None.
        reason: None when ``path`` is set, else one of :data:`LOOKUP_REASONS`.
    """

    path: Path | None
    reason: str | None = None

    @property
    def found(self) -> bool:
        return self.path is not None


def resolve_image(
    images_dir: str | os.PathLike[str], image_id: int, file_name: str | None = None
) -> ImageLookup:
    """Find image ``image_id``'s file in ``images_dir`` without ever leaving the folder.

    Args:
        images_dir: The folder of images.
        image_id: The image's id (for ``<image_id>.<ext>``).
        file_name: The ground truth's ``file_name`` (relative to ``images_dir``); None or ''
            when unknown.

    Returns:
        An :class:`ImageLookup` with the file's resolved path, or the reason there is none
        (the candidates are in the module docstring; a refused ``file_name`` gives
        ``'outside'``; among failed candidates ``'outside'`` wins over ``'not_a_file'``, then
        ``'invalid'``, then ``'missing'``).

    Raises:
        TypeError: ``image_id`` is not an int, or ``file_name`` not a str or None.

    Example:
        >>> resolve_image("images", 3, "../../etc/passwd")
        ImageLookup(path=None, reason='outside')
    """
    if isinstance(image_id, bool) or not isinstance(image_id, int):
        raise TypeError(f"Expected image_id to be an int, got {type(image_id).__name__}")
    if file_name is not None and not isinstance(file_name, str):
        raise TypeError(f"Expected file_name to be a str or None, got {type(file_name).__name__}")
    try:
        root = Path(images_dir).resolve()
    except (OSError, ValueError):
        return ImageLookup(None, "invalid")
    candidates: list[str] = []
    if file_name:
        if "\x00" in file_name:
            return ImageLookup(None, "invalid")
        if _is_absolute(file_name):
            return ImageLookup(None, "outside")
        if _inside(root, file_name) == "outside":
            return ImageLookup(None, "outside")
        candidates.append(file_name)
        base = PurePosixPath(file_name.replace("\\", "/")).name
        if base and base != file_name:
            candidates.append(base)
    candidates += [f"{image_id}.{ext}" for ext in IMAGE_EXTENSIONS]
    candidates += [f"{image_id}.{ext.upper()}" for ext in IMAGE_EXTENSIONS]

    rank = {"missing": 0, "invalid": 1, "not_a_file": 2, "outside": 3}
    worst = "missing"
    for name in candidates:
        path = _inside(root, name)
        if isinstance(path, str):  # outside (a symlink or a part of the name leads out), invalid
            worst = max(worst, path, key=rank.__getitem__)
            continue
        try:
            mode = path.stat().st_mode
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(mode):
            return ImageLookup(path)
        worst = max(worst, "not_a_file", key=rank.__getitem__)
    return ImageLookup(None, worst)


def _is_absolute(name: str) -> bool:
    """Absolute on POSIX or on Windows (``C:\\x``, ``\\\\server\\share``, ``\\x``)."""
    return (
        name.startswith(("/", "\\"))
        or PurePosixPath(name).is_absolute()
        or bool(PureWindowsPath(name).drive)
    )


def _inside(root: Path, name: str) -> Path | str:
    """``root / name`` with every symlink and ``..`` resolved, or 'outside' when that is outside
    ``root``, 'invalid' when it cannot be resolved (a symlink loop). Only metadata is read
    (``lstat``, ``readlink``), never a file's content."""
    try:
        path = (root / name).resolve()
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a symlink loop (Python < 3.13)
        return "invalid"
    return path if path.is_relative_to(root) else "outside"
