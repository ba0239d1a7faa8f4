"""Shared fixtures for the nn tests: seeded per-anchor inputs for the composite loss."""

from __future__ import annotations

import pytest

try:
    import torch
except ImportError:  # the nn extra is missing: each test module here skips itself
    torch = None
else:
    # One intra-op thread. These tensors are tiny, so a second thread buys nothing, and on a busy
    # 2-core machine OpenMP's waiting threads made the RetinaNet training tests take 49, 31 and
    # 18 s instead of ~1.4 s each (docs/losses.md, "Reproducing", has the measurements).
    torch.set_num_threads(1)


def make_anchor_batch(
    n: int = 2,
    a: int = 30,
    c: int = 3,
    num_pos: int = 4,
    num_ignore: int = 3,
    dtype=None,
    seed: int = 0,
    requires_grad: bool = True,
) -> dict:
    """Random per-anchor inputs: the first ``num_pos`` anchors of each image are positives, the
    next ``num_ignore`` are ignored, the rest negatives; logits spread so no two losses tie."""
    dtype = torch.float64 if dtype is None else dtype
    g = torch.Generator().manual_seed(seed)
    state = torch.zeros(n, a, dtype=torch.long)
    state[:, :num_pos] = 1
    state[:, num_pos : num_pos + num_ignore] = -1
    return {
        "cls_logits": (2 * torch.randn(n, a, c, generator=g, dtype=dtype)).requires_grad_(
            requires_grad
        ),
        "box_regression": torch.randn(n, a, 4, generator=g, dtype=dtype).requires_grad_(
            requires_grad
        ),
        "cls_targets": torch.randint(0, c, (n, a), generator=g),
        "box_targets": torch.randn(n, a, 4, generator=g, dtype=dtype),
        "anchor_state": state,
    }


@pytest.fixture
def anchor_batch():
    """Factory for seeded per-anchor inputs (see :func:`make_anchor_batch`)."""
    return make_anchor_batch


@pytest.fixture
def hub(monkeypatch, tmp_path):
    """An empty Hugging Face cache of the test's own, and a download that must not happen
    (a test that expects one replaces it); returns the cache folder. No nn test downloads
    anything: tests/nn/test_pretrained.py fakes the hub with files it writes."""
    huggingface_hub = pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)

    def no_download(*args, **kwargs):
        raise AssertionError(f"a test tried to download {args} {kwargs}")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", no_download)
    return cache
