"""train() under DistributedDataParallel: 2 CPU processes with the gloo backend end with
identical weights, and rank 0 alone writes the run folder."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

import torch.multiprocessing as mp  # noqa: E402

from pill_compare.nn.train import train  # noqa: E402
from tests.nn.test_train import tiny_config  # noqa: E402

WORLD = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank(rank: int, config, port: int, folder: Path) -> None:
    """One process of the group, as torchrun would start it (the environment it sets)."""
    import os

    os.environ.update(
        {
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
            "WORLD_SIZE": str(WORLD),
            "RANK": str(rank),
            "LOCAL_RANK": str(rank),
        }
    )
    torch.set_num_threads(1)
    result = train(config)
    state = {k: v.detach().cpu() for k, v in result.model.state_dict().items()}
    torch.save(
        {"state": state, "steps": result.steps, "world": result.world_size, "rank": result.rank},
        folder / f"rank{rank}.pt",
    )


def test_two_gloo_processes_end_with_identical_weights(tmp_path):
    # 6 images: 3 a rank, 2 steps an epoch at batch 2 (the second batch of 1), 2 epochs
    config = replace(tiny_config(tmp_path, n=6, epochs=2), seed=3)
    # fork: the children need not import torch again (~3 s instead of ~30 s on 2 cores)
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    group = mp.start_processes(
        _rank, args=(config, free_port(), tmp_path), nprocs=WORLD, join=False, start_method=method
    )
    deadline = time.monotonic() + 120
    while not group.join(timeout=1):
        if time.monotonic() > deadline:
            for process in group.processes:
                process.kill()
            pytest.fail("the DDP processes did not finish within 120 s")
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(WORLD)]
    assert [(r["world"], r["rank"], r["steps"]) for r in ranks] == [(2, 0, 4), (2, 1, 4)]
    a, b = (r["state"] for r in ranks)
    assert a.keys() == b.keys()
    assert [k for k in a if not torch.equal(a[k], b[k])] == []
    # rank 0 saved that model, and only rank 0 wrote files
    saved = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    assert all(torch.equal(saved["model"][k], a[k]) for k in a)
    assert saved["history"][-1]["step"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "rank0.pt", "rank1.pt", "run"]
