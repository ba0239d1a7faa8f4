"""Measure detectors and their backbones: parameters, GFLOPs, feature maps, latency, memory.

:func:`profile_models` builds, for each timm backbone name, the ``features_only`` extractor alone
and the whole detector (:func:`~pill_compare.nn.detector.build_detector`), both randomly
initialised (``pretrained=False``: the numbers do not depend on the weights), and measures:

* **parameters**: every parameter tensor's ``numel`` (total and ``requires_grad``); buffers
  (BatchNorm running statistics, frozen BatchNorm's affine terms) are not parameters;
* **GFLOPs**: one forward pass at batch 1, ``image_size`` x ``image_size`` pixels, counted by
  torch's own :class:`torch.utils.flop_counter.FlopCounterMode`: 2 FLOPs per multiply-add of
  the convolutions and matrix products (torch's convention, so GFLOPs = 2 x GMACs). Element-wise
  operations, pooling, resizing, box decoding and NMS have no formula there and count 0, so the
  detector's post-processing adds nothing to its GFLOPs (it is in its latency);
* **feature maps**: the strides and channels of the levels the detector uses
  (``feature_info.reduction()`` / ``channels()`` of the backbone; for the detector, the FPN's
  outputs, with the extra P6/P7 levels of RetinaNet or the pooled level of Faster R-CNN);
* **latency**: the median of ``repeats`` timed forward passes after ``warmup`` untimed ones, in
  eval mode under :func:`torch.inference_mode`, at each batch size, on each device; the
  detector's pass is the whole ``detector(images)`` call (resize and normalisation, backbone,
  FPN, head, box decoding, NMS) on ``image_size`` square images; **throughput** is
  ``batch_size / latency``;
* **peak memory** (MiB), per device and batch size. CUDA: ``torch.cuda.max_memory_allocated``
  during that batch size's passes (weights + activations, as torch's allocator sees them).
  CPU (Linux): the process's peak resident set (``VmHWM`` in ``/proc/self/status``, reset by
  writing 5 to ``/proc/self/clear_refs`` and after ``malloc_trim``) minus the resident set before
  the model was built, so weights + activations + what the math libraries keep. It is measured in
  the calling process: within ~10 % of a fresh process's number (a benchmark that needs more
  runs each case in its own process, as ``benchmarks/bench_nn.py`` does); None where the kernel
  offers no such counter.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import platform
import re
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import timm
import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from pill_compare.errors import ConfigError
from pill_compare.nn.backbones import check_timm_names, create_features
from pill_compare.nn.detector import FEATURE_STRIDES, HEADS, build_detector

__all__ = [
    "DEVICES",
    "PARTS",
    "ModelProfile",
    "ProfileResult",
    "Timing",
    "count_gflops",
    "profile_models",
    "resolve_devices",
]

Part = Literal["backbone", "detector"]
PARTS: tuple[str, ...] = ("backbone", "detector")
#: ``device`` values: one device, ``auto`` (CUDA when available, else CPU) or ``all`` (CPU, and
#: CUDA too when available).
DEVICES: tuple[str, ...] = ("cpu", "cuda", "auto", "all")
MIB = 2**20


@dataclass(frozen=True)
class Timing:
    """One model's speed at one batch size on one device.

    Attributes:
        device: 'cpu' or 'cuda'.
        batch_size: Images per forward pass.
        latency_ms: Median wall time of one forward pass (milliseconds).
        images_per_s: ``batch_size / latency``.
        peak_mib: Peak memory of these passes (MiB; see the module docstring), None when not
            measurable.
        runs_ms: Every timed pass (milliseconds), in order.
    """

    device: str
    batch_size: int
    latency_ms: float
    images_per_s: float
    peak_mib: float | None
    runs_ms: tuple[float, ...]


@dataclass(frozen=True)
class ModelProfile:
    """The measurements of one model: a backbone alone or a whole detector.

    Attributes:
        name: The timm backbone name (``resnet101``).
        part: 'backbone' (the timm ``features_only`` extractor) or 'detector' (backbone + FPN +
            head).
        params: Number of parameters (sum of ``numel``; buffers excluded).
        trainable_params: Those with ``requires_grad``.
        gflops: FLOPs of one forward pass at batch 1 (``FlopCounterMode``), in units of 1e9.
        strides: Stride of each feature level used (pixels per cell), finest first.
        channels: Channels of each of those levels.
        timings: One :class:`Timing` per device and batch size.
    """

    name: str
    part: Part
    params: int
    trainable_params: int
    gflops: float
    strides: tuple[int, ...]
    channels: tuple[int, ...]
    timings: tuple[Timing, ...]

    def timing(self, device: str, batch_size: int) -> Timing | None:
        """The timing on ``device`` at ``batch_size``, or None when not measured."""
        return next(
            (t for t in self.timings if t.device == device and t.batch_size == batch_size), None
        )

    def to_dict(self) -> dict[str, Any]:
        """Builtins: ``latency_ms``, ``throughput`` and ``peak_mib`` are keyed by device, then
        by ``b<batch size>`` (``latency_ms["cpu"]["b8"]``)."""

        def by_device(field: str) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for t in self.timings:
                out.setdefault(t.device, {})[f"b{t.batch_size}"] = getattr(t, field)
            return out

        return {
            "name": self.name,
            "part": self.part,
            "params": self.params,
            "trainable_params": self.trainable_params,
            "gflops": self.gflops,
            "strides": list(self.strides),
            "channels": list(self.channels),
            "latency_ms": by_device("latency_ms"),
            "throughput": by_device("images_per_s"),
            "peak_mib": by_device("peak_mib"),
            "runs_ms": {
                d: {b: list(v or ()) for b, v in runs.items()}
                for d, runs in by_device("runs_ms").items()
            },
        }


@dataclass(frozen=True)
class ProfileResult:
    """Every model measured by :func:`profile_models`, and the conditions of the measurement.

    Attributes:
        models: Per backbone name, in the order given: its backbone row, then its detector row
            (when detectors were profiled).
        image_size: Input height = width (pixels).
        batch_sizes: The batch sizes timed, ascending.
        head: The detector head ('retinanet' or 'fasterrcnn').
        num_classes: The detectors' number of object classes.
        repeats: Timed passes per model, device and batch size (the latency is their median).
        warmup: Untimed passes before them.
        threads: CPU intra-op threads (``torch.get_num_threads()`` during the measurement).
        devices: Device kind → what it is (``{"cpu": "AMD EPYC 7B13", "cuda": "NVIDIA H200"}``).
        versions: ``torch``, ``torchvision``, ``timm``, ``python``.
    """

    models: tuple[ModelProfile, ...]
    image_size: int
    batch_sizes: tuple[int, ...]
    head: str
    num_classes: int
    repeats: int
    warmup: int
    threads: int
    devices: Mapping[str, str]
    versions: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``pillcmp profile -f json``.

        Keys: ``image_size``, ``batch_sizes``, ``head``, ``num_classes``, ``repeats``,
        ``warmup``, ``threads``, ``devices`` ({kind: name}), ``torch_version``,
        ``torchvision_version``, ``timm_version``, ``python_version``, ``definitions``
        ({number: what it is}) and ``models[i]`` = {``name``, ``part``, ``params``,
        ``trainable_params``, ``gflops``, ``strides``, ``channels``,
        ``latency_ms.<device>.b<batch>``, ``throughput.<device>.b<batch>`` (images/s),
        ``peak_mib.<device>.b<batch>``, ``runs_ms.<device>.b<batch>`` (every timed pass)}.
        """
        return {
            "image_size": self.image_size,
            "batch_sizes": list(self.batch_sizes),
            "head": self.head,
            "num_classes": self.num_classes,
            "repeats": self.repeats,
            "warmup": self.warmup,
            "threads": self.threads,
            "devices": dict(self.devices),
            **{f"{k}_version": v for k, v in self.versions.items()},
            "definitions": dict(DEFINITIONS),
            "models": [m.to_dict() for m in self.models],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per model part; timing columns ``<device>_b<batch>_{latency_ms,
        images_per_s,peak_mib}``."""
        rows = []
        for m in self.models:
            row: dict[str, Any] = {
                "name": m.name,
                "part": m.part,
                "params": m.params,
                "trainable_params": m.trainable_params,
                "gflops": m.gflops,
                "strides": " ".join(map(str, m.strides)),
                "channels": " ".join(map(str, m.channels)),
            }
            for t in m.timings:
                key = f"{t.device}_b{t.batch_size}"
                row[f"{key}_latency_ms"] = t.latency_ms
                row[f"{key}_images_per_s"] = t.images_per_s
                row[f"{key}_peak_mib"] = t.peak_mib
            rows.append(row)
        return pd.DataFrame(rows)


#: What each number is (the JSON's ``definitions``; the renderers' legends say the same).
DEFINITIONS: dict[str, str] = {
    "params": "number of parameters (numel of every parameter tensor; buffers excluded)",
    "trainable_params": "parameters with requires_grad",
    "gflops": (
        "1e9 FLOPs of one forward pass at batch 1, image_size x image_size, counted by "
        "torch.utils.flop_counter.FlopCounterMode: 2 per multiply-add of convolutions and matrix "
        "products (GFLOPs = 2 x GMACs); element-wise ops, pooling, resizing, box decoding and "
        "NMS count 0"
    ),
    "strides": "stride (input pixels per feature cell) of each feature level used, finest first",
    "channels": "channels of each of those levels",
    "latency_ms": (
        "median wall time of one forward pass over repeats timed passes after warmup untimed "
        "ones, eval mode, torch.inference_mode; a detector's pass is detector(images): resize, "
        "backbone, FPN, head, box decoding and NMS"
    ),
    "throughput": "images per second: batch size / latency",
    "peak_mib": (
        "peak memory during the passes at that batch size, MiB: on CUDA "
        "torch.cuda.max_memory_allocated; on CPU the process's peak resident set (VmHWM) minus "
        "its resident set before the model was built (weights, activations, library caches)"
    ),
}


def count_gflops(model: nn.Module, inputs: Any) -> float:
    """GFLOPs of ``model(inputs)`` as torch's ``FlopCounterMode`` counts them (1e9 FLOPs).

    Runs one forward pass under :func:`torch.inference_mode` (set ``model.eval()`` first for
    inference numbers).

    Args:
        model: Any module.
        inputs: Its argument: a ``(N, C, H, W)`` tensor, or a list of ``(C, H, W)`` images for a
            detector.

    Example:
        >>> count_gflops(nn.Conv2d(3, 8, 3, padding=1).eval(), torch.rand(1, 3, 16, 16))
        0.000110592
    """
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        model(inputs)
    return counter.get_total_flops() / 1e9


def resolve_devices(device: str) -> tuple[str, ...]:
    """The devices ``device`` stands for: 'cpu', 'cuda', 'auto' (CUDA when available, else CPU)
    or 'all' (CPU, and CUDA too when available).

    Raises:
        ConfigError: an unknown value, or 'cuda' without a CUDA device (param ``device``).
    """
    cuda = torch.cuda.is_available()
    if device == "cpu":
        return ("cpu",)
    if device == "cuda":
        if not cuda:
            raise ConfigError(
                "no CUDA device is available here (torch.cuda.is_available() is False); "
                "profile on 'cpu', or 'all' for CUDA where there is one",
                param="device",
            )
        return ("cuda",)
    if device == "auto":
        return ("cuda",) if cuda else ("cpu",)
    if device == "all":
        return ("cpu", "cuda") if cuda else ("cpu",)
    raise ConfigError(f"device must be one of {', '.join(DEVICES)}, got {device!r}", param="device")


def profile_models(
    backbones: Sequence[str],
    *,
    image_size: int = 512,
    batch_sizes: Sequence[int] = (1, 8),
    head: str = "retinanet",
    num_classes: int = 8,
    detectors: bool = True,
    device: str = "all",
    repeats: int = 3,
    warmup: int = 1,
    threads: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> ProfileResult:
    """Measure each backbone alone and as a detector (see the module docstring for each number).

    Every name is checked before anything is built, so a typo in the last one fails at once.
    Models are built one at a time and freed before the next, with ``pretrained=False``.

    Args:
        backbones: timm model names that support ``features_only`` (``resnet101``,
            ``efficientnet_b3``, ...), in the order of the table.
        image_size: Height = width of the input images (pixels); the detectors are built for it.
        batch_sizes: Batch sizes to time (sorted, duplicates dropped).
        head: Detector head: 'retinanet' (backbone strides 8-32 + P6/P7) or 'fasterrcnn'
            (strides 4-32 + pool).
        num_classes: Object classes of the detectors (category ids 1..num_classes).
        detectors: Also profile the whole detectors (False: the backbones only).
        device: 'cpu', 'cuda', 'auto' (CUDA when available, else CPU) or 'all' (CPU, plus CUDA
            when available).
        repeats: Timed passes per model, device and batch size (the latency is their median).
        warmup: Untimed passes before them (the first pass allocates and picks kernels).
        threads: CPU intra-op threads during the measurement (``torch.set_num_threads``,
            restored afterwards); None keeps torch's setting.
        seed: Random seed of the weights and images (the global RNG is left as it was).
        progress: Called with a short description of each step ("resnet101 detector: cpu b8").

    Returns:
        A :class:`ProfileResult`.

    Raises:
        ConfigError: an unknown backbone name or one without ``features_only`` (with close
            matches, param ``backbones``), or an out-of-range setting (param named).

    Example:
        >>> r = profile_models(["resnet18"], image_size=64, batch_sizes=[1], repeats=1,
        ...                    device="cpu", detectors=False)
        >>> r.models[0].params
        11176512
    """
    names = _check_backbones(backbones)
    sizes = _check_settings(image_size, batch_sizes, head, num_classes, repeats, warmup, threads)
    kinds = resolve_devices(device)
    step = progress or (lambda text: None)
    parts: tuple[Part, ...] = ("backbone", "detector") if detectors else ("backbone",)
    plan = _Plan(image_size, sizes, head, num_classes, kinds, repeats, warmup, seed)
    models = []
    with _threads(threads), torch.random.fork_rng(devices=[]):
        _prime()
        for name in names:
            for part in parts:
                torch.default_generator.manual_seed(seed)  # models are built on the CPU
                models.append(
                    _profile_one(
                        name, part, plan, lambda what, n=name, p=part: step(f"{n} {p}: {what}")
                    )
                )
        used_threads = torch.get_num_threads()
    described = {"cpu": _cpu_name()}
    if "cuda" in kinds:
        described["cuda"] = torch.cuda.get_device_name()
    return ProfileResult(
        models=tuple(models),
        image_size=image_size,
        batch_sizes=sizes,
        head=head,
        num_classes=num_classes,
        repeats=repeats,
        warmup=warmup,
        threads=used_threads,
        devices={k: described[k] for k in kinds},
        versions={
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "timm": timm.__version__,
            "python": platform.python_version(),
        },
    )


# --- checks --------------------------------------------------------------------------------------


def _check_backbones(backbones: Sequence[str]) -> tuple[str, ...]:
    if isinstance(backbones, str):
        raise TypeError(f"Expected a sequence of backbone names, got the string {backbones!r}")
    names = tuple(backbones)
    if not names:
        raise ConfigError("give at least one timm backbone name", param="backbones")
    check_timm_names(names, param="backbones")
    return names


def _check_settings(
    image_size: int,
    batch_sizes: Sequence[int],
    head: str,
    num_classes: int,
    repeats: int,
    warmup: int,
    threads: int | None,
) -> tuple[int, ...]:
    def whole(value: Any, least: int, param: str, what: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"{what} must be an integer >= {least}, got {value!r}", param=param)

    whole(image_size, 32, "image_size", "image_size")
    if isinstance(batch_sizes, str | int) or not batch_sizes:
        raise ConfigError(
            f"batch_sizes must be one or more integers >= 1, got {batch_sizes!r}",
            param="batch_sizes",
        )
    for b in batch_sizes:
        whole(b, 1, "batch_sizes", "every batch size")
    if head not in HEADS:
        raise ConfigError(f"head must be one of {', '.join(HEADS)}, got {head!r}", param="head")
    whole(num_classes, 1, "num_classes", "num_classes")
    whole(repeats, 1, "repeats", "repeats")
    whole(warmup, 0, "warmup", "warmup")
    if threads is not None:
        whole(threads, 1, "threads", "threads")
    return tuple(sorted(set(batch_sizes)))


# --- one model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What to measure, the same for every model."""

    image_size: int
    batch_sizes: tuple[int, ...]
    head: str
    num_classes: int
    devices: tuple[str, ...]
    repeats: int
    warmup: int
    seed: int


def _profile_one(name: str, part: Part, plan: _Plan, step: Callable[[str], None]) -> ModelProfile:
    _release("cpu")
    base_rss = _rss_mib()
    step("building")
    model, strides, channels = _build(name, part, plan)
    model.eval()
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    step("counting FLOPs")
    size = plan.image_size
    try:  # the first pass: a model that cannot take this input fails here
        gflops = count_gflops(model, _inputs(part, 1, size, "cpu", plan.seed))
    except Exception as exc:  # timm raises AssertionError, RuntimeError, ... per model family
        reason = str(exc).splitlines()[0] if str(exc) else ""
        raise ConfigError(
            f"{name} ({part}) fails on {size} x {size} images ({type(exc).__name__}: {reason}); "
            "pick another image size or backbone",
            param="backbones",
        ) from None
    timings = []
    for kind in plan.devices:
        # the baseline is taken before the weights reach the device: the peak includes them
        base = base_rss if kind == "cpu" else _cuda_allocated_mib()
        model.to(kind)
        for b in plan.batch_sizes:
            step(f"{kind} b{b}")
            images = _inputs(part, b, plan.image_size, kind, plan.seed)
            counting = _release(kind)
            runs = _time_passes(model, images, kind, plan.repeats, plan.warmup)
            peak = _peak_mib(kind) if counting else None
            median = statistics.median(runs)
            timings.append(
                Timing(
                    device=kind,
                    batch_size=b,
                    latency_ms=median * 1e3,
                    images_per_s=b / median,
                    peak_mib=None if peak is None or base is None else max(peak - base, 0.0),
                    runs_ms=tuple(r * 1e3 for r in runs),
                )
            )
            del images
    del model
    for kind in plan.devices:
        _release(kind)
    return ModelProfile(
        name=name,
        part=part,
        params=params,
        trainable_params=trainable,
        gflops=gflops,
        strides=strides,
        channels=channels,
        timings=tuple(timings),
    )


def _build(
    name: str, part: Part, plan: _Plan
) -> tuple[nn.Module, tuple[int, ...], tuple[int, ...]]:
    """The model, and the strides and channels of the feature levels it hands on."""
    if part == "backbone":
        model = create_features(name, param="backbones")
        strides, channels = _used_levels(model, plan.head)
        return model, strides, channels
    try:
        detector = build_detector(
            name,
            tuple(range(1, plan.num_classes + 1)),
            head=plan.head,  # type: ignore[arg-type]
            image_size=plan.image_size,
        )
    except ConfigError as exc:
        if exc.param != "backbone":
            raise
        # this function's parameter is ``backbones``: the CLI names its argument from it
        raise ConfigError(exc.message, exc.problems, exc.total, param="backbones") from None
    strides, channels = _detector_levels(detector)
    return detector, strides, channels


def _used_levels(model: nn.Module, head: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The strides and channels of the backbone levels ``head`` reads: at each of its strides the
    deepest level, as :func:`~pill_compare.nn.detector.build_detector` picks them."""
    info = model.feature_info  # type: ignore[union-attr]
    levels = dict(zip(info.reduction(), info.channels(), strict=True))  # the last one per stride
    strides = tuple(s for s in FEATURE_STRIDES[head] if s in levels)
    return strides, tuple(levels[s] for s in strides)


def _detector_levels(detector: nn.Module) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Strides and channels of the detector's FPN outputs (backbone levels + extra levels)."""
    backbone = detector.model.backbone  # type: ignore[union-attr]
    body = getattr(backbone, "body", backbone)
    info = body.feature_info
    strides = list(info.reduction())
    extra = getattr(getattr(backbone, "fpn", None), "extra_blocks", None)
    n_extra = 2 if type(extra).__name__ == "LastLevelP6P7" else 1 if extra is not None else 0
    strides += [strides[-1] * 2**k for k in range(1, n_extra + 1)]
    return tuple(strides), (int(backbone.out_channels),) * len(strides)


def _inputs(part: Part, batch: int, size: int, device: str, seed: int) -> Any:
    """Random images in [0, 1]: one (N, 3, H, W) tensor for a backbone, a list for a detector."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, 3, size, size, generator=g).to(device)
    return x if part == "backbone" else list(x)


def _time_passes(
    model: nn.Module, inputs: Any, device: str, repeats: int, warmup: int
) -> list[float]:
    """Seconds of each of ``repeats`` passes after ``warmup`` untimed ones."""
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    runs = []
    with torch.inference_mode():
        for i in range(warmup + repeats):
            sync()
            start = time.perf_counter()
            model(inputs)
            sync()
            if i >= warmup:
                runs.append(time.perf_counter() - start)
    return runs


def _prime() -> None:
    """One small convolution and matrix product, so that the one-off set-up of the CPU kernels
    and their thread pool is not counted in the first model's memory."""
    with torch.inference_mode():
        x = torch.rand(2, 3, 64, 64)
        nn.Conv2d(3, 8, 3, padding=1)(x).flatten(1) @ torch.rand(8 * 64 * 64, 4)


# --- memory and threads --------------------------------------------------------------------------

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_mib(key: str) -> float | None:
    try:
        found = re.search(rf"^{key}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) / 1024 if found else None


def _rss_mib() -> float | None:
    return _status_mib("VmRSS")


def _cuda_allocated_mib() -> float:
    return torch.cuda.memory_allocated() / MIB


def _release(device: str) -> bool:
    """Free what can be freed and restart the peak counter of ``device`` from now.

    Returns:
        Whether the peak counter was restarted (False: no CPU peak can be read for what follows).
    """
    gc.collect()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        return True
    _malloc_trim()
    try:
        _CLEAR_REFS.write_text("5")  # Linux: reset VmHWM to the current resident set
    except OSError:
        return False
    return _status_mib("VmHWM") is not None


def _peak_mib(device: str) -> float | None:
    if device == "cuda":
        return torch.cuda.max_memory_allocated() / MIB
    return _status_mib("VmHWM")


def _malloc_trim() -> None:
    """Give freed heap pages back to the kernel (glibc), so the resident set drops with them."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        return
    if trim is not None:
        trim(0)


@contextmanager
def _threads(threads: int | None) -> Iterator[None]:
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _cpu_name() -> str:
    """The CPU's model name (/proc/cpuinfo), else the machine type."""
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    except OSError:
        found = None
    return found.group(1).strip() if found else (platform.processor() or platform.machine())
