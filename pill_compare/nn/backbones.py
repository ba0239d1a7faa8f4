"""timm feature extractors: the one place pillcmp builds them.

:func:`create_features` is how :func:`~pill_compare.nn.detector.build_detector` and
:func:`~pill_compare.nn.profile.profile_models` make a timm ``features_only`` extractor, so both
refuse an unknown name or a model without feature extraction with the same
:class:`~pill_compare.errors.ConfigError` and the same words; only ``param`` differs (each names
its own argument: ``backbone``, ``backbones``). Nothing is downloaded (``pretrained=False``).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import timm
from torch import nn

from pill_compare.errors import ConfigError

__all__ = ["check_timm_names", "closest_timm_names", "create_features"]

#: How many close names an unknown name's hint lists.
CLOSE_MATCHES = 5


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


def create_features(name: str, *, param: str = "backbone", **timm_kwargs: Any) -> nn.Module:
    """timm's ``features_only`` extractor of ``name``, randomly initialised.

    Args:
        name: A timm model name.
        param: The parameter a :class:`~pill_compare.errors.ConfigError` names.
        **timm_kwargs: Passed to :func:`timm.create_model` (``out_indices``, ...).

    Returns:
        The extractor; its ``feature_info`` gives each level's ``reduction`` and ``channels``.

    Raises:
        ConfigError: ``name`` is not a timm model (:func:`check_timm_names`), or timm cannot build
            a feature extractor for it (timm raises RuntimeError, AssertionError, KeyError, ...
            depending on the model family: every one is this error, with timm's reason).
    """
    check_timm_names([name], param=param)
    try:
        return timm.create_model(name, pretrained=False, features_only=True, **timm_kwargs)
    except Exception as e:
        reason = str(e).splitlines()[0] if str(e) else ""
        raise ConfigError(
            f"Expected a timm model that supports features_only, got {name!r} "
            f"({type(e).__name__}: {reason}); pick a convolutional backbone such as resnet101 "
            "or efficientnet_b3",
            param=param,
        ) from None
