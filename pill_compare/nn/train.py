"""Train a detector on a COCO ground truth and a folder of images: ``pillcmp train``'s engine.

:func:`train` builds a :func:`~pill_compare.nn.detector.build_detector` model for the ground
truth's categories and trains it with AdamW (or SGD), a linear warm-up then a cosine learning
rate (per step), gradient clipping and, on CUDA, bfloat16 autocast. After every epoch it
validates with pillcmp's own :func:`~pill_compare.analysis.evaluate.evaluate` (the same mAP as
``pillcmp eval``, not a second implementation) and writes, in the run folder:

* ``last.pt``: the latest checkpoint (model, optimizer, scheduler, epochs done, this config,
  history), loadable with ``torch.load(weights_only=True)``;
* ``best.pt``: the checkpoint of the best validation mAP (the latest one without validation);
* ``metrics.csv``: one row per epoch (step, lr, loss and each of its parts, val mAP, seconds);
* ``curves.png``: loss and mAP per epoch (redrawn at most every 30 s, and at the end);
* ``config.json``: this config and the detector's.

Reproducible: every epoch sets torch's random state from the run's random seed plus the epoch
(under DDP, that sum times the world size plus the rank) and re-initialises the data loader's generator the same way
(shuffling, augmentation, the workers' random streams), so a run resumed from ``last.pt`` at an epoch boundary
ends with exactly the weights of an uninterrupted run.

More than one process: launched by ``torchrun`` (``WORLD_SIZE > 1``; ``torchrun
--nproc-per-node N -m pill_compare train ...`` runs ``pillcmp train`` in every process), it joins
the process group (gloo on CPU, nccl on CUDA), wraps the model in
:class:`~torch.nn.parallel.DistributedDataParallel` and shards every epoch with a
:class:`~torch.utils.data.DistributedSampler`; rank 0 validates and writes every file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from pill_compare.analysis.evaluate import evaluate
from pill_compare.core import GroundTruth
from pill_compare.errors import ConfigError, ConsistencyError
from pill_compare.io import load_ground_truth, write_atomic
from pill_compare.io.files import display_path

from .checkpoint import load_checkpoint, save_checkpoint
from .data import DetectionDataset, collate_detection, eval_transforms, train_transforms
from .detector import Detector, build_detector, fit_anchor_sizes
from .predict import detect

__all__ = [
    "BEST_CHECKPOINT",
    "LAST_CHECKPOINT",
    "RESUMABLE",
    "TrainConfig",
    "TrainResult",
    "resume_config",
    "train",
]

LAST_CHECKPOINT = "last.pt"
BEST_CHECKPOINT = "best.pt"
METRICS_FILE = "metrics.csv"
CURVES_FILE = "curves.png"
CONFIG_FILE = "config.json"
#: curves.png is redrawn after an epoch when this many seconds have passed since it last was
#: (and always after the last epoch).
CURVES_EVERY = 30.0
OPTIMIZERS = ("adamw", "sgd")
DEVICES = ("auto", "cpu", "cuda")
LOSS_VARIANTS = ("compact", "algorithm2")

#: Fields a resumed run may change (the others fix the model, the data order or the
#: optimisation, and must be the run's). ``epochs`` may grow: the cosine is then re-planned
#: over the new total, so the learning rate from there differs from the old plan's.
RESUMABLE = frozenset(
    {"gt", "images", "val_gt", "val_images", "epochs", "device", "amp", "workers", "pretrained",
     "out", "resume", "max_steps"}
)  # fmt: skip
#: Composite-loss parts shown in the progress (``metrics.csv`` has every part).
_PROGRESS_PARTS = ("cls", "f1", "box")


@dataclass(frozen=True)
class TrainConfig:
    """Everything one training run takes (saved, as builtins, in every checkpoint).

    Attributes:
        gt: The training ground truth (COCO JSON).
        images: The folder of training images (found by ``file_name``, never outside it).
        val_gt: A validation ground truth: mAP after every epoch, and ``best.pt`` by it. None:
            no validation (``best.pt`` is the latest).
        val_images: The validation images' folder; None: ``images``.
        backbone: A timm model name (``resnet101``, ``efficientnet_b3``, ``test_resnet``, ...).
        head: ``"retinanet"`` or ``"fasterrcnn"``.
        loss: ``"focal"`` or ``"composite"`` (RetinaNet only).
        loss_variant: ``"compact"`` or ``"algorithm2"`` (Algorithm 2 as written: its scores may
            all fall below the detector's score threshold; a warning says so).
        epochs: Passes over the training images.
        batch_size: Images per step (per process under DDP).
        lr: Peak learning rate (after the warm-up).
        weight_decay: AdamW's decoupled weight decay, or SGD's L2 penalty.
        optimizer: ``"adamw"`` or ``"sgd"`` (momentum 0.9, Nesterov).
        warmup_steps: Steps of linear warm-up from ``lr / warmup_steps`` to ``lr``; then a
            cosine to 0 at the last step of the last epoch.
        clip_grad: Clip the gradients' global L2 norm to this; None or 0: no clipping.
        image_size: The detector resizes every image so that its longer side is this.
        fpn_channels: Channels of the FPN levels and of the head's convolutions (torchvision's
            256; a small backbone trains faster with fewer).
        device: ``"cpu"``, ``"cuda"`` or ``"auto"`` (cuda when available).
        amp: bfloat16 autocast on CUDA (no ``GradScaler`` needed, unlike float16); ignored
            on CPU.
        seed: Random seed of the initial weights, the shuffling and the augmentation.
        workers: Data-loading worker processes (0: load in the training process).
        hflip: Flip half the training images left-right (off: a flip mirrors the imprint).
        fit_anchors: Anchor sizes fitted to the training boxes' sizes instead of torchvision's.
        pretrained: The backbone's weights: a local state-dict file, or a timm pretrained tag
            (``"timm"``: the backbone's default; ``"resnet101.a1h_in1k"``), fetched by timm
            when online (:func:`~pill_compare.nn.detector.build_detector`); None: random init.
        out: The run folder (created; must be empty or new unless resuming).
        resume: Continue the run in ``out`` from its ``last.pt``.
        max_steps: Stop after this many optimiser steps in this call (a smoke test or a time
            budget; the schedule is still planned for every epoch, and the epoch it stops in
            counts as done). None: no limit.
    """

    gt: str | os.PathLike[str]
    images: str | os.PathLike[str]
    val_gt: str | os.PathLike[str] | None = None
    val_images: str | os.PathLike[str] | None = None
    backbone: str = "resnet101"
    head: str = "retinanet"
    loss: str = "focal"
    loss_variant: str = "compact"
    epochs: int = 12
    batch_size: int = 4
    lr: float = 1e-4
    weight_decay: float = 1e-4
    optimizer: str = "adamw"
    warmup_steps: int = 100
    clip_grad: float | None = 10.0
    image_size: int = 512
    fpn_channels: int = 256
    device: str = "auto"
    amp: bool = True
    seed: int = 0
    workers: int = 2
    hflip: bool = False
    fit_anchors: bool = False
    pretrained: str | os.PathLike[str] | None = None
    out: str | os.PathLike[str] = "runs/train"
    resume: bool = False
    max_steps: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields as builtins (paths as str), e.g. for a checkpoint or ``config.json``."""
        return {
            k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in asdict(self).items()
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TrainConfig:
        """The config back from :meth:`to_dict` (unknown keys are ignored, missing ones default).

        Raises:
            ValueError: ``d`` is not a mapping, or lacks ``gt`` or ``images``.
        """
        if not isinstance(d, Mapping):
            raise ValueError(f"Expected a mapping of TrainConfig fields, got {type(d).__name__}")
        names = {f.name for f in fields(cls)}
        if "gt" not in d or "images" not in d:
            raise ValueError(f"Expected 'gt' and 'images' in a TrainConfig dict, got {sorted(d)}")
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` did.

    Attributes:
        out: The run folder.
        last: ``out/last.pt``.
        best: ``out/best.pt``.
        epochs: Epochs done in all (a resumed run counts the earlier ones).
        steps: Optimiser steps done in all.
        best_map: The best validation mAP (COCO 0.50:0.95), None without validation.
        best_epoch: The epoch (1-based) of ``best_map`` (or of ``best.pt`` without validation).
        history: One dict per epoch, as in ``metrics.csv``.
        warnings: Legal but noteworthy findings, one line each (also passed to ``on_warning``).
        seconds: Wall time of this call.
        train_seconds: Time spent in training steps (data loading included, validation not).
        images_per_second: Training images per second of ``train_seconds``, all processes.
        device: The device trained on (``cpu``, ``cuda:0``).
        world_size: Processes (1 without DDP).
        rank: This process's rank (0 writes the files).
        description: One line describing the model (backbone, head, loss, classes, init).
        model: The trained :class:`~pill_compare.nn.detector.Detector` (on ``device``, in
            training mode); every rank's is the same.
    """

    out: Path
    last: Path
    best: Path
    epochs: int
    steps: int
    best_map: float | None
    best_epoch: int | None
    history: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    seconds: float
    train_seconds: float
    images_per_second: float
    device: str
    world_size: int = 1
    rank: int = 0
    description: str = ""
    model: Any = field(default=None, repr=False, compare=False)


#: ``progress(epoch, step, total_steps, parts)``: epoch 1-based, step 1-based over the whole
#: run; ``parts`` the latest step's ``loss``, its terms (and the composite loss's ``cls``,
#: ``f1``, ``box``) and ``lr``.
Progress = Callable[[int, int, int, Mapping[str, float]], None]


@dataclass
class _Dist:
    """The process group this run is in (world 1: none)."""

    world: int = 1
    rank: int = 0
    local_rank: int = 0
    owned: bool = False  # this call initialised the group (and destroys it at the end)

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.world > 1:
            torch.distributed.barrier()


@dataclass
class _Run:
    """State carried between epochs."""

    history: list[dict[str, Any]] = field(default_factory=list)
    step: int = 0
    epoch: int = 0  # epochs done
    best_map: float | None = None
    best_epoch: int | None = None
    warnings: list[str] = field(default_factory=list)
    zero_k_warned: bool = False
    curves_at: float = -math.inf  # when curves.png was last drawn (perf_counter)


def resume_config(out: str | os.PathLike[str], **changes: Any) -> TrainConfig:
    """The config of the run in ``out`` (from its ``last.pt``), to resume it.

    Args:
        out: The run folder.
        **changes: Fields to change; those not in :data:`RESUMABLE` must equal the run's.
            ``max_steps`` is not taken from the run (it limits one call), ``resume`` is True.

    Returns:
        The run's :class:`TrainConfig` with ``changes``, ``out`` and ``resume=True``.

    Raises:
        ConfigError: no ``last.pt`` in ``out``; a change to a field that must stay the run's
            (``param`` names it when there is one).
        InputFormatError: ``last.pt`` is corrupt or not a pillcmp checkpoint.
        ValueError: an unknown field in ``changes``.
    """
    names = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ValueError(f"Expected TrainConfig fields, got unknown {unknown}")
    saved = _saved_config(Path(out))
    config = replace(saved, out=os.fspath(out), resume=True, max_steps=None)
    _check_same_run(saved, replace(config, **changes), Path(out))
    return replace(config, **changes, resume=True)


def train(
    config: TrainConfig,
    *,
    progress: Progress | None = None,
    on_epoch: Callable[[Mapping[str, Any]], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train a detector as ``config`` says; write checkpoints, metrics and curves to ``config.out``.

    The composite loss under DDP: each process normalises by its own images, so ``N_pos``, the
    hard-negative count ``k`` and the union soft-F1 are per rank (per process batch), not
    global; the gradients are then averaged over the ranks as usual. With one process per
    ``batch_size`` images this is the loss of a ``batch_size`` batch, whatever the world size.
    BatchNorm layers that train (random init) use each rank's batch; DDP copies rank 0's running
    statistics to the others at every forward, and rank 0's model is saved.

    Args:
        config: The run (see :class:`TrainConfig`).
        progress: Called after every step, on rank 0 only (see :data:`Progress`).
        on_epoch: Called after every epoch (rank 0) with its row of ``metrics.csv``.
        on_warning: Called with each warning as it arises (rank 0); they are also in the result.

    Returns:
        A :class:`TrainResult`.

    Raises:
        ConfigError: a setting that cannot work (``param`` names it): bad numbers or choices, a
            CUDA device where there is none, an ``out`` that exists and holds files without
            ``resume``, ``resume`` without ``out/last.pt`` or with other settings than the
            run's (see :func:`resume_config`), no epoch left to train; a loss or gradient that
            becomes NaN or infinite (``param="lr"``: lower it).
        InputFormatError: a ground truth or checkpoint that cannot be read.
        ConsistencyError: images missing from their folder, sizes that do not fit, an empty
            training set.

    Example:
        >>> result = train(TrainConfig("train.json", "images/", val_gt="val.json",
        ...                            backbone="efficientnet_b3", out="runs/b3"))  # doctest: +SKIP
        >>> result.best_map, result.best  # doctest: +SKIP
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"Expected config to be a TrainConfig, got {type(config).__name__}")
    started = time.perf_counter()
    _check_config(config)
    out = Path(config.out)
    _check_out(config, out)
    checkpoint = load_checkpoint(out / LAST_CHECKPOINT) if config.resume else None
    if checkpoint is not None:
        _check_same_run(TrainConfig.from_dict(checkpoint.train or {}), config, out)
        if checkpoint.epoch >= config.epochs:
            raise ConfigError(
                f"the run in {display_path(out)} has trained {checkpoint.epoch} of "
                f"{config.epochs} epoch(s) already; give more epochs to train on",
                param="epochs",
            )
    dist = _init_distributed(config.device)
    try:
        return _train(config, out, checkpoint, dist, (progress, on_epoch, on_warning), started)
    finally:
        if dist.owned:
            torch.distributed.destroy_process_group()


def _train(
    config: TrainConfig,
    out: Path,
    checkpoint: Any,
    dist: _Dist,
    callbacks: tuple[Any, Any, Any],
    started: float,
) -> TrainResult:
    """Set up (data, model, loop), then train epoch after epoch; see :func:`train`."""
    progress, on_epoch, on_warning = callbacks
    device = _device(config.device, dist)
    run = _Run()

    def warn(message: str) -> None:
        if message not in run.warnings:
            run.warnings.append(message)
            if on_warning is not None and dist.main:
                on_warning(message)

    gt, val_gt = _load_ground_truths(config, warn)
    torch.manual_seed(config.seed)
    detector = _build_or_resume(config, gt, checkpoint, warn)
    loop = _prepare_loop(config, gt, val_gt, detector, checkpoint, dist, device, run)
    if dist.main:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(
            out / CONFIG_FILE,
            json.dumps({"train": config.to_dict(), "detector": detector.config.to_dict()}, indent=2)
            + "\n",
        )
    stop_at = None if config.max_steps is None else run.step + config.max_steps
    train_seconds, images_seen = 0.0, 0
    for epoch in range(run.epoch, config.epochs):
        epoch_start = time.perf_counter()
        sums, steps, seen = _train_epoch(loop, config, dist, run, epoch, stop_at, progress)
        train_seconds += time.perf_counter() - epoch_start
        images_seen += seen
        row = _epoch_row(loop, sums, steps, dist, run, epoch, warn)
        if dist.main:
            _end_epoch(loop, config, out, run, row, epoch_start, stop_at)
            if on_epoch is not None:
                on_epoch(row)
        else:
            run.history.append(row)
            run.epoch = epoch + 1
        dist.barrier()
        if stop_at is not None and run.step >= stop_at:
            break
    _sync_buffers(detector, dist)
    return TrainResult(
        out=out,
        last=out / LAST_CHECKPOINT,
        best=out / BEST_CHECKPOINT,
        epochs=run.epoch,
        steps=run.step,
        best_map=run.best_map,
        best_epoch=run.best_epoch,
        history=tuple(run.history),
        warnings=tuple(run.warnings),
        seconds=time.perf_counter() - started,
        train_seconds=train_seconds,
        images_per_second=images_seen / train_seconds if train_seconds > 0 else 0.0,
        device=str(device),
        world_size=dist.world,
        rank=dist.rank,
        description=detector.describe(),
        model=detector,
    )


@dataclass
class _Loop:
    """What the epochs run on, built once by :func:`_prepare_loop`."""

    detector: Detector
    model: nn.Module  # the detector, or its DistributedDataParallel wrapper
    loader: Any  # torch.utils.data.DataLoader
    sampler: Any  # torch.utils.data.DistributedSampler, or None with one process
    generator: torch.Generator
    params: list[nn.Parameter]
    optimizer: torch.optim.Optimizer
    scheduler: Any  # torch.optim.lr_scheduler.LambdaLR
    total_steps: int
    device: torch.device
    amp: bool
    val_gt: GroundTruth | None
    val_set: DetectionDataset | None


def _load_ground_truths(
    config: TrainConfig, warn: Callable[[str], None]
) -> tuple[GroundTruth, GroundTruth | None]:
    """The training and (when given) validation ground truths; their warnings go to ``warn``."""
    gt = load_ground_truth(config.gt)
    for w in gt.warnings:
        warn(w)
    val_gt = load_ground_truth(config.val_gt) if config.val_gt is not None else None
    if val_gt is not None:
        if len(val_gt.annotations) == 0:
            # found now, not by evaluate after the first epoch
            raise ConsistencyError(
                f"{val_gt.source}: the validation ground truth has no annotations, so there is "
                "no mAP to compute; give the labelled validation split"
            )
        for w in val_gt.warnings:
            warn(w)
    return gt, val_gt


def _build_or_resume(
    config: TrainConfig, gt: GroundTruth, checkpoint: Any, warn: Callable[[str], None]
) -> Detector:
    """The checkpoint's detector with its weights, or a new one for ``gt``'s categories."""
    if checkpoint is not None:
        detector = build_detector(config=checkpoint.detector_config)
        detector.load_state_dict(checkpoint.model_state)
    else:
        anchors = fit_anchor_sizes(gt, config.image_size) if config.fit_anchors else None
        detector = build_detector(
            config.backbone,
            sorted(gt.category_ids.tolist()),
            head=config.head,
            loss=config.loss,
            loss_variant=config.loss_variant,
            image_size=config.image_size,
            fpn_channels=config.fpn_channels,
            pretrained=config.pretrained,
            anchor_sizes=anchors,
        )
    if detector.config.loss == "composite" and detector.config.loss_variant == "algorithm2":
        warn(
            "the composite loss's algorithm2 variant reproduces Algorithm 2 as written: it pushes "
            "every score down, and after a short training the detector may find nothing above "
            "its score threshold; the compact variant (the default) trains the classifier"
        )
    return detector


def _prepare_loop(
    config: TrainConfig,
    gt: GroundTruth,
    val_gt: GroundTruth | None,
    detector: Detector,
    checkpoint: Any,
    dist: _Dist,
    device: torch.device,
    run: _Run,
) -> _Loop:
    """Datasets, the (DDP) model on its device, the loader, optimizer and schedule; a resumed
    run's optimizer, schedule and history are restored into them and ``run``."""
    train_set = DetectionDataset(
        gt,
        config.images,
        transforms=train_transforms(hflip=config.hflip),
        category_ids=detector.config.category_ids,
    )
    if len(train_set) == 0:
        raise ConfigError(
            f"{gt.source or 'the ground truth'}: has no image to train on", param="gt"
        )
    val_set = None
    if val_gt is not None:
        val_set = DetectionDataset(
            val_gt,
            config.val_images if config.val_images is not None else config.images,
            transforms=eval_transforms(),
        )
    detector.to(device)
    model: nn.Module = detector
    if dist.world > 1:
        model = nn.parallel.DistributedDataParallel(
            detector, device_ids=[device.index] if device.type == "cuda" else None
        )
    generator = torch.Generator()
    sampler = None
    if dist.world > 1:
        sampler = torch.utils.data.DistributedSampler(
            train_set, num_replicas=dist.world, rank=dist.rank, shuffle=True, seed=config.seed
        )
    loader = torch.utils.data.DataLoader(
        train_set,
        batch_size=config.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=config.workers,
        collate_fn=collate_detection,
        generator=generator,
        pin_memory=device.type == "cuda",
    )
    total_steps = len(loader) * config.epochs
    params = [p for p in detector.parameters() if p.requires_grad]
    optimizer = _optimizer(config, params)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _warmup_cosine(config.warmup_steps, total_steps)
    )
    if checkpoint is not None:
        optimizer.load_state_dict(checkpoint.optimizer_state)
        scheduler.load_state_dict(checkpoint.scheduler_state)
        run.history = list(checkpoint.history or [])
        run.epoch = checkpoint.epoch
        run.step = int(scheduler.last_epoch)
        metrics = checkpoint.metrics or {}
        run.best_map = metrics.get("best_map")
        run.best_epoch = None if metrics.get("best_epoch") is None else int(metrics["best_epoch"])
    return _Loop(
        detector=detector,
        model=model,
        loader=loader,
        sampler=sampler,
        generator=generator,
        params=params,
        optimizer=optimizer,
        scheduler=scheduler,
        total_steps=total_steps,
        device=device,
        amp=config.amp and device.type == "cuda",
        val_gt=val_gt,
        val_set=val_set,
    )


def _train_epoch(
    loop: _Loop,
    config: TrainConfig,
    dist: _Dist,
    run: _Run,
    epoch: int,
    stop_at: int | None,
    progress: Progress | None,
) -> tuple[dict[str, float], int, int]:
    """One pass over the training data (or up to ``stop_at`` steps): each loss part summed over
    the steps, the steps taken and the images seen (over every rank)."""
    # the random seed plus the epoch (one process); each rank its own stream, so that ranks do not draw the
    # same augmentation for different images
    epoch_seed = (config.seed + epoch) * dist.world + dist.rank
    torch.manual_seed(epoch_seed)
    loop.generator.manual_seed(epoch_seed)
    if loop.sampler is not None:
        loop.sampler.set_epoch(epoch)
    loop.model.train()
    device, scheduler = loop.device, loop.scheduler
    sums: dict[str, float] = {}
    steps = seen = 0
    for images, targets in loop.loader:
        images = [im.to(device, non_blocking=True) for im in images]
        targets = [
            {"boxes": t["boxes"].to(device), "category_ids": t["category_ids"].to(device)}
            for t in targets
        ]
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=loop.amp):
            losses = loop.model(images, targets)
        total = sum(losses.values())
        loop.optimizer.zero_grad(set_to_none=True)
        total.backward()
        # The norm of the (DDP-averaged) gradients is the same on every rank, so every rank
        # stops together when it is not finite (a NaN loss on one rank reaches all of them).
        norm = nn.utils.clip_grad_norm_(loop.params, config.clip_grad or math.inf)
        if not torch.isfinite(norm):
            raise ConfigError(
                f"training diverged at step {run.step + 1} (epoch {epoch + 1}): the loss is "
                f"{float(total.detach()):g}, the gradient norm {float(norm):g}; lower the "
                f"learning rate (now {scheduler.get_last_lr()[0]:g}), keep gradient clipping on",
                param="lr",
            )
        lr = scheduler.get_last_lr()[0]
        loop.optimizer.step()
        scheduler.step()
        run.step += 1
        steps += 1
        seen += len(images) * dist.world
        parts = _step_parts(total, losses, loop.detector)
        for k, v in parts.items():
            sums[k] = sums.get(k, 0.0) + v
        if dist.main and progress is not None:
            shown = {"loss": parts["loss"], **{k: parts[k] for k in losses}}
            shown |= {k: parts[k] for k in _PROGRESS_PARTS if k in parts}
            progress(epoch + 1, run.step, loop.total_steps, {**shown, "lr": lr})
        if stop_at is not None and run.step >= stop_at:
            break
    return sums, steps, seen


def _epoch_row(
    loop: _Loop,
    sums: Mapping[str, float],
    steps: int,
    dist: _Dist,
    run: _Run,
    epoch: int,
    warn: Callable[[str], None],
) -> dict[str, Any]:
    """The epoch's row of ``metrics.csv`` before validation: step, lr and each part's mean;
    the first epoch with images that had no hard negative is warned about."""
    means = _epoch_means(sums, steps, dist)
    zero_k = means.pop("zero_k_images_sum", 0.0)
    if zero_k > 0 and not run.zero_k_warned:
        run.zero_k_warned = True
        warn(
            f"epoch {epoch + 1}: {zero_k:g} training image(s) had positive anchors "
            "(N_pos > 0) but no hard negative (k = 0); with the algorithm2 loss a batch "
            "without one has a classification gradient of exactly zero (metrics.csv counts "
            "them per epoch in zero_k_images)"
        )
    row: dict[str, Any] = {
        "epoch": epoch + 1,
        "step": run.step,
        "lr": loop.scheduler.get_last_lr()[0],
        **means,
    }
    if "zero_k_images" in sums:
        row["zero_k_images"] = zero_k
    return row


def _end_epoch(
    loop: _Loop,
    config: TrainConfig,
    out: Path,
    run: _Run,
    row: dict[str, Any],
    epoch_start: float,
    stop_at: int | None,
) -> None:
    """Rank 0 after an epoch: validate into ``row``, keep the best, write the run's files."""
    epoch = row["epoch"] - 1
    improved = False
    if loop.val_set is not None and loop.val_gt is not None:
        val_map, val_map_50 = _validate(
            loop.detector, loop.val_set, loop.val_gt, config, loop.device, loop.amp
        )
        row |= {"val_map": val_map, "val_map_50": val_map_50}
        improved = run.best_map is None or val_map > run.best_map
        if improved:
            run.best_map, run.best_epoch = val_map, epoch + 1
    else:
        improved, run.best_epoch = True, epoch + 1
    row["seconds"] = time.perf_counter() - epoch_start
    run.history.append(row)
    run.epoch = epoch + 1
    final = run.epoch == config.epochs or (stop_at is not None and run.step >= stop_at)
    # A figure costs ~0.3 s: drawn after the last epoch, and after others at most every
    # CURVES_EVERY seconds (every epoch of a real run; a few of a toy one).
    curves = final or time.perf_counter() - run.curves_at >= CURVES_EVERY
    if curves:
        run.curves_at = time.perf_counter()
    _write_epoch(out, loop.detector, loop.optimizer, loop.scheduler, config, run, improved, curves)


def _step_parts(
    total: Tensor, losses: Mapping[str, Tensor], detector: Detector
) -> dict[str, float]:
    """The step's loss, its terms, and (composite loss) every part; ``total`` duplicates loss."""
    parts = {"loss": float(total.detach()), **{k: float(v.detach()) for k, v in losses.items()}}
    extra = dict(detector.last_loss_parts)
    extra.pop("total", None)
    return parts | extra


def _epoch_means(sums: Mapping[str, float], steps: int, dist: _Dist) -> dict[str, float]:
    """Each part's mean over the epoch's steps (of every rank); ``zero_k_images`` summed."""
    keys = list(sums)  # the same order on every rank: the parts come in the step's order
    values = torch.tensor([sums[k] for k in keys] + [float(steps)], dtype=torch.float64)
    if dist.world > 1:
        backend = torch.distributed.get_backend()
        device = torch.device("cuda", torch.cuda.current_device()) if backend == "nccl" else None
        values = values.to(device) if device is not None else values
        torch.distributed.all_reduce(values)
        values = values.cpu()
    count = max(float(values[-1]), 1.0)
    means = {k: float(v) / count for k, v in zip(keys, values[:-1].tolist(), strict=True)}
    if "zero_k_images" in means:
        means["zero_k_images_sum"] = means.pop("zero_k_images") * count
    return means


def _validate(
    detector: Detector,
    dataset: DetectionDataset,
    gt: GroundTruth,
    config: TrainConfig,
    device: torch.device,
    amp: bool,
) -> tuple[float, float]:
    """COCO mAP and mAP@0.5 of the detector on ``dataset``, by :func:`evaluate`."""
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=config.batch_size,
        shuffle=False,
        num_workers=config.workers,
        collate_fn=collate_detection,
    )
    # Everything the model returns (its own score threshold and cap), as predict writes it.
    detections, _ = detect(
        detector, loader, device, score_thr=0.0, max_per_image=detector.config.detections_per_img,
        autocast=amp,
    )  # fmt: skip
    detector.train()
    stats = evaluate(gt, detections).coco.stats
    return float(stats["map"] or 0.0), float(stats["map_50"] or 0.0)


def _write_epoch(
    out: Path,
    detector: Detector,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    config: TrainConfig,
    run: _Run,
    improved: bool,
    curves: bool,
) -> None:
    """metrics.csv, curves.png (when ``curves``), last.pt and (when better) best.pt; each
    written atomically."""
    write_atomic(out / METRICS_FILE, _metrics_csv(run.history))
    if curves:
        write_atomic(out / CURVES_FILE, _curves_png(run.history))
    metrics = {"epochs": float(run.epoch), "steps": float(run.step)}
    if run.best_map is not None:
        metrics["best_map"] = run.best_map
    if run.best_epoch is not None:
        metrics["best_epoch"] = float(run.best_epoch)
    last = save_checkpoint(
        out / LAST_CHECKPOINT,
        detector,
        optimizer=optimizer,
        scheduler=scheduler,
        epoch=run.epoch,
        train=config.to_dict(),
        metrics=metrics,
        history=run.history,
    )
    if improved:
        write_atomic(out / BEST_CHECKPOINT, Path(last).read_bytes())


def _metrics_csv(history: Sequence[Mapping[str, Any]]) -> str:
    """One row per epoch; columns in first-seen order, ``val_*`` and ``seconds`` last."""
    columns: list[str] = []
    for row in history:
        columns += [k for k in row if k not in columns]
    tail = [c for c in ("val_map", "val_map_50", "seconds") if c in columns]
    columns = [c for c in columns if c not in tail] + tail
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def _curves_png(history: Sequence[Mapping[str, Any]]) -> bytes:
    """Loss (and its terms) and validation mAP per epoch, as PNG bytes (Agg; no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    epochs = [row["epoch"] for row in history]
    # A fixed layout (no constrained layout: it costs ~0.3 s a figure, every epoch).
    fig = Figure(figsize=(9, 3.6), dpi=100)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.9, wspace=0.22)
    FigureCanvasAgg(fig)
    loss_ax, map_ax = fig.subplots(1, 2)
    loss_ax.plot(epochs, [row["loss"] for row in history], marker="o", lw=2, label="loss")
    terms = [k for k in _loss_terms(history[-1])]
    for k in terms:
        loss_ax.plot(epochs, [row.get(k, math.nan) for row in history], marker=".", lw=1, label=k)
    loss_ax.set(title="training loss (epoch mean)", xlabel="epoch", ylabel="loss")
    loss_ax.legend(fontsize=8)
    loss_ax.grid(alpha=0.3)
    if any("val_map" in row for row in history):
        for key, label in (("val_map", "mAP 0.50:0.95"), ("val_map_50", "mAP 0.50")):
            map_ax.plot(
                epochs, [row.get(key, math.nan) for row in history], marker="o", label=label
            )
        top = max(1e-3, *(row.get("val_map_50", 0) for row in history))
        map_ax.set_ylim(0, min(1.02, top * 1.1))
        map_ax.legend(fontsize=8)
    else:
        map_ax.text(0.5, 0.5, "no validation set", ha="center", va="center",
                    transform=map_ax.transAxes)  # fmt: skip
    map_ax.set(title="validation mAP (pillcmp evaluate)", xlabel="epoch", ylabel="mAP")
    map_ax.grid(alpha=0.3)
    for ax in (loss_ax, map_ax):
        if len(epochs) <= 12:  # every epoch a tick (autoscale ticks 0.96 .. 1.04 for one)
            ax.set_xticks(epochs)
            ax.set_xlim(epochs[0] - 0.5, epochs[-1] + 0.5)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


#: Loss terms by head (their sum is the loss); the composite parts are diagnostics.
_TERMS = (
    "classification",
    "bbox_regression",
    "loss_classifier",
    "loss_box_reg",
    "loss_objectness",
    "loss_rpn_box_reg",
)


def _loss_terms(row: Mapping[str, Any]) -> list[str]:
    return [k for k in _TERMS if k in row]


def _warmup_cosine(warmup_steps: int, total_steps: int) -> Callable[[int], float]:
    """The learning-rate factor at step s: ``(s + 1) / warmup`` for s < warmup, then a cosine
    from 1 down to 0 at the last step."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        span = max(1, total_steps - warmup_steps)
        progress = min(1.0, (step - warmup_steps) / span)
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return factor


def _optimizer(config: TrainConfig, params: list[nn.Parameter]) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=config.lr, momentum=0.9, nesterov=True, weight_decay=config.weight_decay
        )
    return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)


def _sync_buffers(detector: Detector, dist: _Dist) -> None:
    """Every rank ends with rank 0's buffers (BatchNorm statistics), as DDP's next forward would
    give them: the ranks then hold the same model, the one rank 0 saved."""
    if dist.world > 1:
        for buffer in detector.buffers():
            torch.distributed.broadcast(buffer, src=0)


def _init_distributed(device: str) -> _Dist:
    """Join torchrun's process group when ``WORLD_SIZE > 1`` (gloo on CPU, nccl on CUDA)."""
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world <= 1:
        return _Dist()
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", str(rank)))
    if torch.distributed.is_initialized():
        return _Dist(torch.distributed.get_world_size(), torch.distributed.get_rank(), local_rank)
    cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
    if cuda:
        torch.cuda.set_device(local_rank)
    torch.distributed.init_process_group(backend="nccl" if cuda else "gloo")
    return _Dist(world, rank, local_rank, owned=True)


def _device(name: str, dist: _Dist) -> torch.device:
    """'auto' -> cuda when available; under DDP on CUDA each process takes its local rank's GPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(
                "CUDA is not available here (no GPU, or a torch built without CUDA); use cpu",
                param="device",
            )
        return torch.device("cuda", dist.local_rank if dist.world > 1 else 0)
    return torch.device("cpu")


def _check_config(config: TrainConfig) -> None:
    """``ConfigError(param=...)`` for every setting that cannot work (the first found)."""
    choices = {
        "optimizer": OPTIMIZERS,
        "device": DEVICES,
        "loss_variant": LOSS_VARIANTS,
    }
    for name, allowed in choices.items():
        value = getattr(config, name)
        if value not in allowed:
            raise ConfigError(
                f"Expected one of {', '.join(repr(c) for c in allowed)}, got {value!r}", param=name
            )
    for name, minimum in (
        ("epochs", 1),
        ("batch_size", 1),
        ("image_size", 32),
        ("fpn_channels", 1),
    ):
        _check_int(config, name, minimum)
    for name in ("warmup_steps", "workers", "seed"):
        _check_int(config, name, 0)
    if config.max_steps is not None:
        _check_int(config, "max_steps", 1)
    for name, value, low_ok in (
        ("lr", config.lr, False),
        ("weight_decay", config.weight_decay, True),
        ("clip_grad", config.clip_grad or 0.0, True),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ConfigError(f"Expected a finite number, got {value!r}", param=name)
        if value < 0 or (value == 0 and not low_ok):
            bound = ">= 0" if low_ok else "> 0"
            raise ConfigError(f"Expected a number {bound}, got {value!r}", param=name)


def _check_int(config: TrainConfig, name: str, minimum: int) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"Expected an int >= {minimum}, got {value!r}", param=name)


def _check_out(config: TrainConfig, out: Path) -> None:
    """A new run needs a new or empty folder; a resumed one its ``last.pt``."""
    shown = display_path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{shown}: exists and is not a folder; give a run folder", param="out")
    if config.resume:
        if not (out / LAST_CHECKPOINT).is_file():
            raise ConfigError(
                f"{shown}: has no {LAST_CHECKPOINT}, so there is no run to resume; train without "
                "resuming first",
                param="resume",
            )
    elif out.is_dir() and any(out.iterdir()):
        raise ConfigError(
            f"{shown}: the folder exists and holds files (a run?); resume it, or give a new or "
            "empty folder",
            param="out",
        )


def _saved_config(out: Path) -> TrainConfig:
    if not (out / LAST_CHECKPOINT).is_file():
        raise ConfigError(
            f"{display_path(out)}: has no {LAST_CHECKPOINT}, so there is no run to resume; train "
            "without resuming first",
            param="resume",
        )
    checkpoint = load_checkpoint(out / LAST_CHECKPOINT)
    return TrainConfig.from_dict(checkpoint.train or {"gt": "", "images": ""})


def _check_same_run(saved: TrainConfig, given: TrainConfig, out: Path) -> None:
    """The fields outside :data:`RESUMABLE` must be the run's."""
    differ = [
        (f.name, getattr(saved, f.name), getattr(given, f.name))
        for f in fields(TrainConfig)
        if f.name not in RESUMABLE and getattr(saved, f.name) != getattr(given, f.name)
    ]
    if differ:
        raise ConfigError(
            f"{display_path(out)}: resuming continues the run with its own settings, and these "
            "differ; leave them out (they are read from the run) or start a new run",
            [f"{name}: the run has {old!r}, given {new!r}" for name, old, new in differ],
            param=differ[0][0] if len(differ) == 1 else None,
        )


if __name__ == "__main__":  # the entry before torchrun ran the CLI itself
    raise SystemExit(
        "pill_compare.nn.train is a library module, not a command: run `pillcmp train ...`, "
        "or for several GPUs `torchrun --nproc-per-node N -m pill_compare train ...`"
    )
