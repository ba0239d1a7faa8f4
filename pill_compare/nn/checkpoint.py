"""Detector checkpoints: a plain dict of tensors and builtins that ``torch.load(weights_only=True)`` reads.

A checkpoint file holds::

    {"format": "pillcmp-detector", "format_version": 1, "pillcmp_version": "0.1.0",
     "detector": DetectorConfig.to_dict(),        # backbone, category ids, head, loss, sizes, ...
     "model": state_dict, "optimizer": state_dict | None, "scheduler": state_dict | None,
     "epoch": int (epochs done), "train": dict | None (the training config, builtins),
     "metrics": dict[str, float], "history": list[dict]}

No pickled classes: configs are stored as dicts of builtins, so the file loads with
``weights_only=True`` (no code runs while reading it) and without pillcmp installed. The category
map is the config's ``category_ids`` with the head's label offset, so predictions come back with
the dataset's ids. Files are written atomically (:func:`pill_compare.io.outputs.write_atomic`):
a run killed while saving leaves the previous checkpoint intact.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io.files import display_path
from pill_compare.io.outputs import write_atomic
from pill_compare.version import __version__

from .detector import Detector, DetectorConfig, _build

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_KEYS",
    "CHECKPOINT_VERSION",
    "Checkpoint",
    "load_checkpoint",
    "load_detector",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "pillcmp-detector"
CHECKPOINT_VERSION = 1
#: Every key of a version-1 checkpoint (all required).
CHECKPOINT_KEYS: tuple[str, ...] = (
    "format",
    "format_version",
    "pillcmp_version",
    "detector",
    "model",
    "optimizer",
    "scheduler",
    "epoch",
    "train",
    "metrics",
    "history",
)


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as read by :func:`load_checkpoint`.

    Attributes:
        path: The file it was read from.
        detector_config: The detector's architecture (and its category ids).
        model_state: The :class:`~pill_compare.nn.detector.Detector` state dict.
        optimizer_state: The optimizer's state dict, or ``None``.
        scheduler_state: The learning-rate scheduler's state dict, or ``None``.
        epoch: Epochs done when it was saved.
        train: The training config (builtins), or ``None``.
        metrics: e.g. ``{"map": 0.41}`` (the best validation mAP).
        history: One dict per epoch (losses, mAP, ...).
        pillcmp_version: The pillcmp that wrote it.
    """

    path: Path
    detector_config: DetectorConfig
    model_state: dict[str, Tensor]
    optimizer_state: dict[str, Any] | None
    scheduler_state: dict[str, Any] | None
    epoch: int
    train: dict[str, Any] | None
    metrics: dict[str, float]
    history: list[dict[str, Any]]
    pillcmp_version: str


def _plain(value: Any, where: str) -> Any:
    """``value`` as tensors and builtins (paths as str, numpy scalars as Python numbers).

    Raises:
        TypeError: Anything else (``weights_only=True`` could not load it), naming where.
    """
    if value is None or isinstance(value, (bool, int, float, str, Tensor)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        items = [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"Expected str or int keys in {where}, got {k!r}")
            out[k] = _plain(v, f"{where}[{k!r}]")
        return out
    raise TypeError(
        f"Expected tensors and builtins in a checkpoint, got {type(value).__name__} at {where}"
    )


def _state_of(obj: Any, name: str) -> dict[str, Any] | None:
    """An optimizer / scheduler (anything with ``state_dict()``), its state dict, or ``None``."""
    if obj is None:
        return None
    state = obj if isinstance(obj, Mapping) else obj.state_dict()
    return _plain(state, name)


def save_checkpoint(
    path: str | os.PathLike[str],
    detector: Detector,
    *,
    optimizer: Any = None,
    scheduler: Any = None,
    epoch: int = 0,
    train: Mapping[str, Any] | None = None,
    metrics: Mapping[str, float] | None = None,
    history: list[Mapping[str, Any]] | None = None,
) -> Path:
    """Write a checkpoint atomically (``torch.save`` to memory, then one atomic file write).

    Args:
        path: The file (``RUN_DIR/last.pt``); an existing file is replaced atomically.
        detector: The detector (a ``DistributedDataParallel`` wrapper is unwrapped).
        optimizer: A ``torch.optim`` optimizer or its state dict, or ``None``.
        scheduler: A learning-rate scheduler or its state dict, or ``None``.
        epoch: Epochs done.
        train: The training config as builtins (e.g. ``dataclasses.asdict``; paths become
            str), or ``None``.
        metrics: e.g. ``{"map": 0.41}``.
        history: One dict per epoch.

    Returns:
        The path as given.

    Raises:
        TypeError: ``detector`` is not a :class:`Detector`, or a value that is not a tensor or a
            builtin (the message says where).
        ValueError: ``epoch`` is not an int >= 0.
        ConfigError: ``path`` cannot be written (a folder, a missing folder, ...).
    """
    module = getattr(detector, "module", detector)  # DistributedDataParallel / DataParallel
    if not isinstance(module, Detector):
        raise TypeError(f"Expected a Detector, got {type(detector).__name__}")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"Expected epoch to be an int >= 0, got {epoch!r}")
    payload = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "pillcmp_version": __version__,
        "detector": module.config.to_dict(),
        "model": {k: v.detach() for k, v in module.state_dict().items()},
        "optimizer": _state_of(optimizer, "optimizer"),
        "scheduler": _state_of(scheduler, "scheduler"),
        "epoch": int(epoch),
        "train": None if train is None else _plain(dict(train), "train"),
        "metrics": _plain(dict(metrics or {}), "metrics"),
        "history": _plain(list(history or []), "history"),
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return write_atomic(path, buffer.getvalue())


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def load_checkpoint(path: str | os.PathLike[str], map_location: Any = "cpu") -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``).

    Args:
        path: The checkpoint file.
        map_location: Where tensors go (``torch.load``'s ``map_location``).

    Returns:
        The :class:`Checkpoint`.

    Raises:
        InputFormatError: The file is missing, is not a torch file (text, truncated), holds
            pickled code, is not a pillcmp detector checkpoint (no or another ``format``), was
            written by a newer pillcmp (``format_version``), or lacks keys / has values of the
            wrong type; the message names the file, what was expected and what was found.
    """
    p = Path(path)
    shown = display_path(p)
    if not p.is_file():
        what = "is a folder, not a file" if p.is_dir() else "not found"
        raise InputFormatError(f"{shown}: checkpoint {what}")
    try:
        obj = torch.load(p, map_location=map_location, weights_only=True)
    except Exception as e:  # zip, pickle and EOF errors all mean "not a readable checkpoint"
        raise InputFormatError(
            f"{shown}: expected a pillcmp detector checkpoint (a torch.save file of tensors and "
            f"builtins), could not read it ({type(e).__name__}: {_first_line(e)})"
        ) from None
    if not isinstance(obj, Mapping):
        raise InputFormatError(
            f"{shown}: expected a dict with format {CHECKPOINT_FORMAT!r}, found {type(obj).__name__}"
        )
    if "format" not in obj:
        bare = obj and all(isinstance(v, Tensor) for v in obj.values())
        found = "a bare state dict" if bare else f"keys {sorted(map(str, obj))[:10]}"
        raise InputFormatError(
            f"{shown}: expected a pillcmp detector checkpoint (key 'format' = "
            f"{CHECKPOINT_FORMAT!r}), found no 'format' key ({found})"
        )
    if obj["format"] != CHECKPOINT_FORMAT:
        raise InputFormatError(
            f"{shown}: expected format {CHECKPOINT_FORMAT!r}, found {obj['format']!r}"
        )
    version = obj.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputFormatError(
            f"{shown}: expected 'format_version' to be an int >= 1, found {version!r}"
        )
    if version > CHECKPOINT_VERSION:
        raise InputFormatError(
            f"{shown}: written by a newer pillcmp ({obj.get('pillcmp_version', '?')}, format_version "
            f"{version}); this pillcmp ({__version__}) reads format_version up to "
            f"{CHECKPOINT_VERSION}: upgrade pillcmp"
        )
    missing = [k for k in CHECKPOINT_KEYS if k not in obj]
    if missing:
        raise InputFormatError(
            f"{shown}: expected every key of a version-{CHECKPOINT_VERSION} checkpoint "
            f"{list(CHECKPOINT_KEYS)}, found no {missing}"
        )
    problems = _type_problems(obj)
    if problems:
        raise InputFormatError(
            f"{shown}: {len(problems)} checkpoint value(s) of the wrong type", problems
        )
    try:
        config = DetectorConfig.from_dict(obj["detector"])
    except (ValueError, TypeError) as e:
        raise InputFormatError(f"{shown}: 'detector': {_first_line(e)}") from None
    return Checkpoint(
        path=p,
        detector_config=config,
        model_state=dict(obj["model"]),
        optimizer_state=obj["optimizer"],
        scheduler_state=obj["scheduler"],
        epoch=obj["epoch"],
        train=obj["train"],
        metrics=dict(obj["metrics"]),
        history=list(obj["history"]),
        pillcmp_version=obj["pillcmp_version"],
    )


def _type_problems(obj: Mapping[str, Any]) -> list[str]:
    expected = {
        "pillcmp_version": (str, "a str"),
        "detector": (Mapping, "a dict"),
        "model": (Mapping, "a dict (state dict)"),
        "optimizer": ((Mapping, type(None)), "a dict or None"),
        "scheduler": ((Mapping, type(None)), "a dict or None"),
        "train": ((Mapping, type(None)), "a dict or None"),
        "metrics": (Mapping, "a dict"),
        "history": (list, "a list"),
    }
    problems = [
        f"'{key}': expected {words}, found {type(obj[key]).__name__}"
        for key, (types, words) in expected.items()
        if not isinstance(obj[key], types)
    ]
    epoch = obj["epoch"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        problems.append(f"'epoch': expected an int >= 0, found {epoch!r}")
    if isinstance(obj["model"], Mapping):
        bad = [k for k, v in obj["model"].items() if not isinstance(v, Tensor)]
        if bad:
            problems.append(f"'model': expected tensors, found non-tensors at {bad[:5]}")
    return problems


def _state_mismatch(model: nn.Module, state: Mapping[str, Tensor]) -> list[str]:
    """What keeps ``state`` from loading strictly into ``model``: one line per tensor."""
    own = model.state_dict()
    lines = [f"{k}: expected, missing from the file" for k in own if k not in state]
    lines += [f"{k}: in the file, not in the model" for k in state if k not in own]
    lines += [
        f"{k}: expected shape {tuple(own[k].shape)}, found {tuple(state[k].shape)}"
        for k in own
        if k in state and own[k].shape != state[k].shape
    ]
    return lines


def load_detector(path: str | os.PathLike[str], map_location: Any = "cpu") -> Detector:
    """The detector of a checkpoint: built from its config, its weights loaded strictly.

    The config is used as saved (``freeze_bn`` included), so a resumed run trains exactly as
    the one that saved it. The detector is returned in eval mode (call ``.train()`` to train on)
    on ``map_location``; :meth:`~pill_compare.nn.detector.Detector.describe` names the file.

    Raises:
        InputFormatError: Everything :func:`load_checkpoint` raises, a config that does not
            build here (e.g. a backbone this timm does not know), or weights that do not fit the
            config (the first 20 differences listed: expected vs found).
    """
    checkpoint = load_checkpoint(path, map_location="cpu")
    shown = display_path(checkpoint.path)
    try:
        detector = _build(checkpoint.detector_config)
    except ConfigError as e:
        raise InputFormatError(f"{shown}: its detector config does not build here: {e}") from None
    problems = _state_mismatch(detector, checkpoint.model_state)
    if problems:
        raise InputFormatError(
            f"{shown}: the weights do not fit the checkpoint's detector config "
            f"({detector.architecture}): {len(problems)} difference(s)",
            problems[:20],
            len(problems),
        )
    try:
        detector.load_state_dict(checkpoint.model_state, strict=True)
    except RuntimeError as e:  # dtype or other mismatches the key/shape check above misses
        raise InputFormatError(f"{shown}: the weights do not load: {_first_line(e)}") from None
    detector.init = f"weights from {shown} (epoch {checkpoint.epoch})"
    return detector.eval().to(map_location)
