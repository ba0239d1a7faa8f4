"""timm feature extractors: the one place pillcmp builds them.

:func:`create_features` is how :func:`~pill_compare.nn.detector.build_detector` and
:func:`~pill_compare.nn.profile.profile_models` make a timm ``features_only`` extractor, so both
refuse an unknown name or a model without feature extraction with the same
:class:`~pill_compare.errors.ConfigError` and the same words; only ``param`` differs (each names
its own argument: ``backbone``, ``backbones``).

Pretrained weights are what the user names, and nothing else is ever fetched:
:func:`parse_pretrained` reads ``pretrained`` as a local state-dict file (a path) or a timm
pretrained tag (``"timm"``: the backbone's default tag; ``"resnet101.a1h_in1k"``: that one), and
:func:`fetch_timm_weights` gets a tag's file the way timm does (``huggingface_hub`` and its cache,
or timm's URL cache for the few tags not on the hub). Offline (no network, or ``HF_HUB_OFFLINE=1``)
a file already in the cache is used; otherwise :class:`~pill_compare.errors.InputFormatError`
names the file to fetch and where to put it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import timm
import torch
from timm.models import get_pretrained_cfg, split_model_name_tag
from torch import nn

from pill_compare.errors import ConfigError, InputFormatError

__all__ = [
    "TIMM_DEFAULT_TAG",
    "TimmWeights",
    "check_timm_names",
    "closest_timm_names",
    "create_features",
    "fetch_timm_weights",
    "hub_offline",
    "load_state_file",
    "parse_pretrained",
    "timm_weights",
]

#: How many close names an unknown name's hint lists.
CLOSE_MATCHES = 5
#: ``pretrained`` that means "timm's default pretrained tag of the backbone".
TIMM_DEFAULT_TAG = "timm"
#: A ``pretrained`` ending so is a file name, never a timm tag (``resnet101.pth``).
WEIGHT_SUFFIXES = frozenset({"pt", "pth", "bin", "safetensors", "ckpt", "tar", "npz"})
#: The files timm reads from a hub repo when its config names none: the safetensors file first,
#: then the pickled one (``timm.models._hub.load_state_dict_from_hf``).
HF_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def closest_timm_names(name: str, n: int = CLOSE_MATCHES) -> list[str]:
    """Up to ``n`` timm model names close to ``name`` (for "close matches" hints)."""
    return difflib.get_close_matches(name, timm.list_models(), n=n, cutoff=0.6)


def check_timm_names(names: Sequence[object], *, param: str = "backbone") -> None:
    """Refuse, all at once, every entry of ``names`` that is not a timm model name.

    Args:
        names: Candidate timm model names (``resnet101``, ``efficientnet_b3``, ...).
        param: The parameter the error names.

    Raises:
        ConfigError: one problem per unknown name, with its close matches.
    """
    problems = []
    for name in names:
        if isinstance(name, str) and timm.is_model(name):
            arch, tag = split_model_name_tag(name)
            if tag and name not in pretrained_tags(arch):
                problems.append(f"got {name!r}: {_tags_hint(arch)}")
            continue
        close = closest_timm_names(str(name))
        hint = f"; close matches: {', '.join(repr(c) for c in close)}" if close else ""
        problems.append(f"got {name!r}{hint}")
    if problems:
        raise ConfigError(
            "Expected a timm model name (timm.list_models() lists them; pattern: "
            "timm.list_models('efficientnet*'))",
            problems,
            param=param,
        )


def create_features(
    name: str, *, param: str = "backbone", pretrained: bool = False, **timm_kwargs: Any
) -> nn.Module:
    """timm's ``features_only`` extractor of ``name``, randomly initialised or pretrained.

    Args:
        name: A timm model name, with or without a pretrained tag (``resnet101``,
            ``resnet101.a1h_in1k``: the tag also sets the normalisation in ``pretrained_cfg``).
        param: The parameter a :class:`~pill_compare.errors.ConfigError` names.
        pretrained: Load timm's pretrained weights of ``name`` (its default tag when it has
            none), fetched by :func:`fetch_timm_weights`: the only download pillcmp makes.
        **timm_kwargs: Passed to :func:`timm.create_model` (``out_indices``, ...).

    Returns:
        The extractor; its ``feature_info`` gives each level's ``reduction`` and ``channels``.

    Raises:
        ConfigError: ``name`` is not a timm model (:func:`check_timm_names`), or timm cannot build
            a feature extractor for it (timm raises RuntimeError, AssertionError, KeyError, ...
            depending on the model family: every one is this error, with timm's reason), or
            (``pretrained``) timm has no pretrained weights for it.
        InputFormatError: ``pretrained`` and the weights cannot be fetched (offline and not in
            the cache: the message names the file and where to put it) or read.
    """
    check_timm_names([name], param=param)
    if pretrained:
        weights = timm_weights(name, param=param)
        path = fetch_timm_weights(weights)
        timm_kwargs["pretrained_cfg_overlay"] = _weights_overlay(weights, path)
        name = weights.name
    try:
        return timm.create_model(name, pretrained=pretrained, features_only=True, **timm_kwargs)
    except Exception as e:
        reason = str(e).splitlines()[0] if str(e) else ""
        raise ConfigError(
            f"Expected a timm model that supports features_only, got {name!r} "
            f"({type(e).__name__}: {reason}); pick a convolutional backbone such as resnet101 "
            "or efficientnet_b3",
            param=param,
        ) from None


# --- pretrained weights: a local file or a timm tag ------------------------------------------


@dataclass(frozen=True)
class TimmWeights:
    """One timm pretrained tag and where timm fetches its file from (its pretrained config).

    Attributes:
        name: The full timm name, architecture and tag (``"resnet101.a1h_in1k"``).
        hf_hub_id: The Hugging Face repo (``"timm/resnet101.a1h_in1k"``, ``"@rev"`` kept), or
            None for the few tags timm fetches from a URL.
        hf_filenames: The repo's files timm reads, first found wins (``("model.safetensors",
            "pytorch_model.bin")``, or the one file the config names).
        url: The URL timm fetches when there is no hub repo ('' in timm's config: None).
        custom_load: The model reads the file itself (timm's ``custom_load``, e.g. ``.npz``).
    """

    name: str
    hf_hub_id: str | None
    hf_filenames: tuple[str, ...]
    url: str | None
    custom_load: bool = False

    @property
    def repo_and_revision(self) -> tuple[str, str | None]:
        """``hf_hub_id`` split at ``@`` (timm's ``hf_split``): the repo id and its revision."""
        repo, _, revision = (self.hf_hub_id or "").partition("@")
        return repo, revision or None

    def file_url(self) -> str:
        """Where a browser (or ``curl -L``) gets the file: the first hub file, or the URL."""
        if self.hf_hub_id:
            repo, revision = self.repo_and_revision
            return (
                f"https://huggingface.co/{repo}/resolve/{revision or 'main'}/{self.hf_filenames[0]}"
            )
        return self.url or ""


def pretrained_tags(arch: str) -> list[str]:
    """timm's pretrained names of architecture ``arch`` (``["resnet101.a1_in1k", ...]``)."""
    return [n for n in timm.list_pretrained(f"{arch}.*") if split_model_name_tag(n)[0] == arch]


def _tags_hint(arch: str) -> str:
    tags = pretrained_tags(arch)
    if not tags:
        return f"timm has no pretrained weights for {arch}"
    shown = ", ".join(tags[:CLOSE_MATCHES]) + (", ..." if len(tags) > CLOSE_MATCHES else "")
    return f"{arch}'s pretrained tags: {shown} (default {_default_name(arch)})"


def _default_name(arch: str) -> str:
    cfg = get_pretrained_cfg(arch)
    return f"{arch}.{cfg.tag}" if cfg is not None and cfg.tag else arch


def timm_weights(name: str, *, param: str = "pretrained") -> TimmWeights:
    """Where timm fetches the pretrained weights of ``name`` (its default tag when it has none).

    Args:
        name: A timm name, with or without a tag (``"resnet101"``, ``"resnet101.a1h_in1k"``).
        param: The parameter a :class:`~pill_compare.errors.ConfigError` names.

    Raises:
        ConfigError: An unknown name or tag, or one timm has no weights for.

    Example:
        >>> w = timm_weights("resnet101")
        >>> w.name, w.hf_hub_id, w.hf_filenames
        ('resnet101.a1h_in1k', 'timm/resnet101.a1h_in1k', ('model.safetensors', 'pytorch_model.bin'))
    """
    check_timm_names([name], param=param)
    arch, tag = split_model_name_tag(name)
    full = f"{arch}.{tag}" if tag else _default_name(arch)
    cfg = get_pretrained_cfg(full) if "." in full else None
    if cfg is None or not (cfg.hf_hub_id or cfg.url):
        raise ConfigError(
            f"Expected a timm model with pretrained weights, got {name!r}: {_tags_hint(arch)}",
            param=param,
        )
    files = (cfg.hf_hub_filename,) if cfg.hf_hub_filename else HF_WEIGHT_FILES
    return TimmWeights(
        name=full,
        hf_hub_id=cfg.hf_hub_id or None,
        hf_filenames=tuple(files),
        url=cfg.url or None,
        custom_load=bool(cfg.custom_load),
    )


def parse_pretrained(
    pretrained: str | os.PathLike[str] | None, backbone: str
) -> Path | TimmWeights | None:
    """What ``pretrained`` names: a local state-dict file, or timm weights of ``backbone``.

    An ``os.PathLike`` is always a file. A string is, in this order: an existing file; ``"timm"``
    (:data:`TIMM_DEFAULT_TAG`): ``backbone``'s default pretrained tag (or its own tag, for a
    ``backbone`` such as ``"resnet101.a1h_in1k"``); a path when it has a folder separator; a tag
    of ``backbone``'s architecture (``"resnet101.a1h_in1k"``, or ``"resnet101"`` for the
    default) unless it ends like a weights file (``.pt``, ``.pth``, ``.safetensors``, ...); and a
    path otherwise. A file is returned without checking that it exists (its loader says so).

    Args:
        pretrained: The user's value; None: no pretrained weights.
        backbone: The timm model name the weights are for.

    Returns:
        A :class:`~pathlib.Path`, a :class:`TimmWeights`, or None.

    Raises:
        ConfigError: ``param="pretrained"``: an unknown tag of ``backbone``'s architecture, a tag
            of another architecture, or ``"timm"`` for a model without pretrained weights;
            ``param="backbone"``: ``backbone`` is not a timm name.

    Example:
        >>> parse_pretrained("timm", "resnet101").name
        'resnet101.a1h_in1k'
        >>> parse_pretrained("resnet101.tv_in1k", "resnet101").hf_hub_id
        'timm/resnet101.tv_in1k'
        >>> parse_pretrained("weights/r101.pth", "resnet101") == Path("weights/r101.pth")
        True
    """
    if pretrained is None:
        return None
    if not isinstance(pretrained, str):
        return Path(pretrained)
    path = Path(pretrained)
    if path.is_file():
        return path
    if pretrained == TIMM_DEFAULT_TAG:
        check_timm_names([backbone], param="backbone")
        return timm_weights(backbone)
    if "/" in pretrained or os.sep in pretrained or (os.altsep and os.altsep in pretrained):
        return path
    arch, tag = split_model_name_tag(pretrained)
    if tag.lower() in WEIGHT_SUFFIXES or not timm.is_model(arch):
        return path
    check_timm_names([backbone], param="backbone")
    own = split_model_name_tag(backbone)[0]
    if arch != own:
        raise ConfigError(
            f"Expected pretrained weights of the backbone {backbone!r}, got {pretrained!r} "
            f"(timm weights of {arch}; {_tags_hint(own)}), or a local weights file "
            f"(no file {pretrained!r} exists)",
            param="pretrained",
        )
    if tag and pretrained not in pretrained_tags(arch):
        raise ConfigError(
            f"Expected 'timm', a pretrained tag of {arch} or a local weights file, got "
            f"{pretrained!r} (no such tag: {_tags_hint(arch)}; no such file either)",
            param="pretrained",
        )
    return timm_weights(pretrained)


def hub_offline() -> bool:
    """Whether the Hugging Face hub must not be reached: ``HF_HUB_OFFLINE`` (or
    ``TRANSFORMERS_OFFLINE``) set now, or when ``huggingface_hub`` was imported."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(var, "").strip().upper() in ("1", "ON", "YES", "TRUE"):
            return True
    try:
        from huggingface_hub import constants
    except ImportError:  # timm then fetches by URL only
        return False
    return bool(constants.HF_HUB_OFFLINE)


def _hf_cache() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def _url_cache_file(url: str) -> Path:
    """Where timm (torch.hub) keeps a URL's file: ``<torch hub dir>/checkpoints/<file name>``."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(urlparse(url).path)


def _cached_weights(weights: TimmWeights) -> Path | None:
    """The tag's file if it is already on this machine (no network)."""
    if weights.hf_hub_id:
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:
            return None
        repo, revision = weights.repo_and_revision
        for filename in weights.hf_filenames:
            found = try_to_load_from_cache(repo, filename, revision=revision)
            if isinstance(found, str) and os.path.isfile(found):
                return Path(found)
        return None
    if weights.url:
        local = _url_cache_file(weights.url)
        return local if local.is_file() else None
    return None


def _fetch_hint(weights: TimmWeights, why: str) -> InputFormatError:
    """The error for weights that are not here: what to fetch, and the two places it can go."""
    url = weights.file_url()
    if weights.hf_hub_id:
        repo, _ = weights.repo_and_revision
        first = weights.hf_filenames[0]
        fetch = f"{first} of the Hugging Face repo {repo} ({url})"
        cache = (
            f"put the repo in this machine's Hugging Face cache {_hf_cache()} (`hf download "
            f"{repo} {first}` online, then copy its folder models--{repo.replace('/', '--')} "
            "there) and use the tag again"
        )
    else:
        first = _url_cache_file(url).name
        fetch = url
        cache = f"put it at {_url_cache_file(url)} and use the tag again"
    # --backbone with the tag keeps the tag's normalisation, as the tag itself would
    return InputFormatError(
        f"{weights.name}: timm's pretrained weights are not on this machine and {why}; nothing "
        f"was downloaded. Fetch {fetch} on a machine that is online, then either give the file: "
        f"--backbone {weights.name} --pretrained DIR/{first} (build_detector({weights.name!r}, "
        f"pretrained=PATH)), or {cache}"
    )


def fetch_timm_weights(weights: TimmWeights) -> Path:
    """The local file of ``weights``, fetched the way timm fetches it when it is not cached.

    Online, :func:`huggingface_hub.hf_hub_download` (its cache, ``HF_HUB_CACHE``; the first of
    ``hf_filenames`` the repo has), or for a URL-only tag timm's download into torch.hub's
    ``checkpoints`` folder. Offline (:func:`hub_offline`) only the caches are read.

    Raises:
        InputFormatError: Offline and not cached, or the download failed (no network, repo or
            file not found, ...): the message names the file to fetch and where to put it.
    """
    cached = _cached_weights(weights)
    if cached is not None:
        return cached
    if hub_offline():
        raise _fetch_hint(weights, "the Hugging Face hub is off (HF_HUB_OFFLINE is set)")
    try:
        if weights.hf_hub_id:
            return _download_from_hub(weights)
        from timm.models._hub import download_cached_file  # timm's own URL cache

        return Path(download_cached_file(weights.url or "", check_hash=False, progress=False))
    except Exception as e:  # connection, HTTP, disk errors: all mean "could not fetch it"
        reason = str(e).splitlines()[0] if str(e) else ""
        raise _fetch_hint(weights, f"the download failed ({type(e).__name__}: {reason})") from None


def _download_from_hub(weights: TimmWeights) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError

    repo, revision = weights.repo_and_revision
    for i, filename in enumerate(weights.hf_filenames):
        try:
            return Path(hf_hub_download(repo, filename, revision=revision))
        except EntryNotFoundError as e:
            # the repo lacks this file (a pickled-only repo): try the next, as timm does; a
            # LocalEntryNotFoundError is "not reachable and not cached", not "not in the repo"
            if isinstance(e, LocalEntryNotFoundError) or i == len(weights.hf_filenames) - 1:
                raise
    raise AssertionError("unreachable: hf_filenames is never empty")


def load_state_file(path: Path) -> Any:
    """A torch or safetensors file's content, on the CPU, never unpickling code
    (``weights_only=True``)."""
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(path, device="cpu")
    return torch.load(path, map_location="cpu", weights_only=True)


def _weights_overlay(weights: TimmWeights, path: Path) -> dict[str, Any]:
    """timm's ``pretrained_cfg_overlay`` that loads ``path`` (no download of its own)."""
    if weights.custom_load:
        return {"file": str(path)}
    try:
        state = load_state_file(path)
    except Exception as e:  # a truncated download, a corrupt cache entry
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputFormatError(
            f"{path}: expected timm's {weights.name} weights, could not read the file "
            f"({type(e).__name__}: {reason}); delete it and fetch it again"
        ) from None
    return {"state_dict": state}
