"""Benchmark the detectors: training and inference throughput (images/s) and peak memory.

The detectors are ``build_detector(backbone, 8 category ids, head=..., image_size=...)`` with
random weights (``pretrained=False``), as ``pillcmp train`` and ``pillcmp predict`` build them.

Cases, for each backbone (default resnet101 and efficientnet_b3) on each device (the CPU, and
CUDA when available):

* train: ``--train-batch`` (2) random images of ``--image-size`` (512) px with 1-4 random boxes
  each (sides 10-40 % of the image, random category ids), train mode, AdamW (lr 1e-4); one
  step = forward (losses) + backward + ``optimizer.step()``. ``--warmup`` (1) steps, then
  ``--steps`` (3) timed steps; the same batch every step (data loading is not timed). With
  ``--amp`` the CUDA forward runs under bf16 autocast.
* infer b1, infer b8 (``--infer-batches``): eval mode, :func:`torch.inference_mode`, the whole
  ``detector(images)`` call (resize, backbone, FPN, head, box decoding, NMS); ``--warmup``
  untimed passes, then ``--repeats`` (3) timed.

Each case runs in a fresh subprocess, so its peak memory is its own: on the CPU the process's
peak resident set (``VmHWM``, the whole process: Python, torch and the model) and the part of it
above the resident set after the imports; on CUDA ``torch.cuda.max_memory_allocated``. Times are
medians; throughput = images per step or pass / median seconds. The load average is recorded
before and after every case: other processes on the machine slow the CPU numbers down.

Usage:
    .venv/bin/python benchmarks/bench_nn.py                          # both backbones, 512 px
    .venv/bin/python benchmarks/bench_nn.py --threads 2 --steps 3 --json bench_nn.json
    .venv/bin/python benchmarks/bench_nn.py --backbones resnet101 --device cuda --amp
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NUM_CLASSES = 8
MIB = 2**20


def _status_mib(key: str) -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE).group(1)) / 1024


def _loadavg() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


# --- one case, in a fresh interpreter: `bench_nn.py --run '<json spec>'` ------------------------


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    import torch

    from pill_compare.nn.detector import build_detector

    if spec["threads"]:
        torch.set_num_threads(spec["threads"])
    device = spec["device"]
    base_rss = _status_mib("VmRSS")
    torch.manual_seed(0)
    size, batch = spec["image_size"], spec["batch"]
    detector = build_detector(
        spec["backbone"], tuple(range(1, NUM_CLASSES + 1)), head=spec["head"], image_size=size
    ).to(device)
    g = torch.Generator().manual_seed(0)
    images = [torch.rand(3, size, size, generator=g).to(device) for _ in range(batch)]
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()

    if spec["mode"] == "train":
        targets = [_random_target(size, g, device) for _ in range(batch)]
        detector.train()
        optimizer = torch.optim.AdamW(
            [p for p in detector.parameters() if p.requires_grad], lr=1e-4
        )
        amp = spec["amp"] and device == "cuda"

        def run() -> None:
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
                losses = detector(images, targets)
            loss = sum(losses.values())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

        count = spec["steps"]
    else:
        detector.eval()

        def run() -> None:
            with torch.inference_mode():
                detector(images)

        count = spec["repeats"]
    seconds = []
    for i in range(spec["warmup"] + count):
        sync()
        start = time.perf_counter()
        run()
        sync()
        if i >= spec["warmup"]:
            seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    out = {
        **spec,
        "params": sum(p.numel() for p in detector.parameters()),
        "seconds": median,
        "runs": seconds,
        "images_per_s": batch / median,
        "threads_used": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "device_name": torch.cuda.get_device_name() if device == "cuda" else _cpu_name(),
        "base_rss_mib": base_rss,
        "peak_rss_mib": _status_mib("VmHWM"),
    }
    if device == "cuda":
        out["cuda_peak_mib"] = torch.cuda.max_memory_allocated() / MIB
    return out


def _random_target(size: int, g: Any, device: str) -> dict[str, Any]:
    import torch

    n = int(torch.randint(1, 5, (1,), generator=g))
    side = (0.1 + 0.3 * torch.rand(n, 2, generator=g)) * size
    corner = torch.rand(n, 2, generator=g) * (size - side)
    boxes = torch.cat([corner, corner + side], dim=1)
    ids = torch.randint(1, NUM_CLASSES + 1, (n,), generator=g)
    return {"boxes": boxes.to(device), "category_ids": ids.to(device)}


def _cpu_name() -> str:
    found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    return found.group(1).strip() if found else "cpu"


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """One case in a fresh interpreter, with the load average before and after it."""
    before = _loadavg()
    cmd = [sys.executable, __file__, "--run", json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"case {spec} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**result, "loadavg_before": before, "loadavg_after": _loadavg()}


# --- the table -----------------------------------------------------------------------------------


def cases(args: argparse.Namespace) -> list[dict[str, Any]]:
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    if "cuda" in devices and args.device == "all" and not _cuda_available():
        devices.remove("cuda")
    common = {
        "image_size": args.image_size,
        "head": args.head,
        "threads": args.threads,
        "warmup": args.warmup,
        "steps": args.steps,
        "repeats": args.repeats,
        "amp": args.amp,
    }
    out = []
    for device in devices:
        for backbone in args.backbones:
            if "train" in args.modes:
                out.append({**common, "backbone": backbone, "device": device, "mode": "train",
                            "batch": args.train_batch})  # fmt: skip
            for b in args.infer_batches if "infer" in args.modes else ():
                out.append({**common, "backbone": backbone, "device": device, "mode": "infer",
                            "batch": b})  # fmt: skip
    return out


def _cuda_available() -> bool:
    code = "import torch; print(torch.cuda.is_available())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return proc.stdout.strip() == "True"


def table(rows: list[dict[str, Any]]) -> str:
    from pill_compare.report.tables import text_table

    headers = ["backbone", "device", "case", "params (M)", "s per step/pass", "images/s",
               "peak RSS MiB", "RSS over imports MiB", "CUDA peak MiB", "load avg before/after"]  # fmt: skip
    body = []
    for r in rows:
        case = f"train b{r['batch']}" if r["mode"] == "train" else f"infer b{r['batch']}"
        body.append(
            [
                r["backbone"],
                r["device"],
                case,
                f"{r['params'] / 1e6:.2f}",
                f"{r['seconds']:.3f}",
                f"{r['images_per_s']:.3g}",
                f"{r['peak_rss_mib']:.0f}",
                f"{r['peak_rss_mib'] - r['base_rss_mib']:.0f}",
                f"{r['cuda_peak_mib']:.0f}" if "cuda_peak_mib" in r else "-",
                f"{r['loadavg_before'][0]:.2f} / {r['loadavg_after'][0]:.2f}",
            ]
        )
    return text_table(headers, body, align="lllrrrrrrr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbones", nargs="+", default=["resnet101", "efficientnet_b3"])
    parser.add_argument("--head", choices=("retinanet", "fasterrcnn"), default="retinanet")
    parser.add_argument("--image-size", type=int, default=512, help="pixels (the pill size)")
    parser.add_argument("--device", choices=("all", "cpu", "cuda"), default="all",
                        help="all: the CPU, and CUDA when available")  # fmt: skip
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (torch default)")
    parser.add_argument("--train-batch", type=int, default=2)
    parser.add_argument("--infer-batches", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 8], help="comma-separated, e.g. 1,8")  # fmt: skip
    parser.add_argument(
        "--modes", nargs="+", choices=("train", "infer"), default=["train", "infer"]
    )
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps/passes first")
    parser.add_argument("--steps", type=int, default=3, help="timed training steps")
    parser.add_argument("--repeats", type=int, default=3, help="timed inference passes")
    parser.add_argument("--amp", action="store_true", help="CUDA training under bf16 autocast")
    parser.add_argument("--json", type=Path, help="also write every case's numbers here")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(_child(json.loads(args.run))))
        return
    rows = []
    for spec in cases(args):
        print(f"{spec['backbone']} {spec['device']} {spec['mode']} b{spec['batch']} ...",
              file=sys.stderr, flush=True)  # fmt: skip
        rows.append(measure(spec))
    first = rows[0]
    devices = sorted({f"{r['device']}: {r['device_name']}" for r in rows})
    print(
        f"{' '.join(sys.argv)}\n"
        f"torch {first['torch_version']}, {os.cpu_count()} CPUs, torch threads: "
        f"{first['threads_used']}; {'; '.join(devices)}; {args.image_size} px, {args.head}, {NUM_CLASSES} "
        f"classes, random init; {args.warmup} warm-up, {args.steps} timed train steps, "
        f"{args.repeats} timed inference passes; each case a fresh process\n"
    )
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
