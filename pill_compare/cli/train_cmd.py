"""`pillcmp train`: train a detector (timm backbone, RetinaNet or Faster R-CNN) on a COCO ground
truth and a folder of images, with per-epoch validation mAP, checkpoints, metrics and curves.

torch is imported only when the command runs (inside the function body), so ``pillcmp --help``
and the other commands never load it. The same command is the ``torchrun`` entry point
(``torchrun --nproc-per-node N -m pill_compare train ...``: ``python -m pill_compare`` is
``pillcmp``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from pill_compare.cli._common import echo, fail_usage, progress_bar, warn
from pill_compare.cli.options import EXISTING_FILE, DeviceChoice, HeadChoice
from pill_compare.cli.registry import command
from pill_compare.report.escape import terminal_safe

EXISTING_DIR = {"exists": True, "file_okay": False, "dir_okay": True, "readable": True}


#: What an epoch's line shows: the loss and its terms (metrics.csv has every part).
_LOSS_TERMS = (
    "loss", "classification", "bbox_regression", "loss_classifier", "loss_box_reg", "loss_objectness",
    "loss_rpn_box_reg", "cls", "f1", "box",
)  # fmt: skip


def _choices(name: str, doc: str, *values: str) -> type[Enum]:
    """A str Enum of ``values`` (typer lists its members as the option's choices)."""
    choice = Enum(name, [(v, v) for v in values], type=str)  # type: ignore[misc]
    choice.__doc__ = doc
    return choice


Loss = _choices("Loss", "A RetinaNet's training loss.", "focal", "composite")
LossVariant = _choices("LossVariant", "The composite loss's variant.", "compact", "algorithm2")
OptimizerChoice = _choices("OptimizerChoice", "The optimiser.", "adamw", "sgd")


@command("train")
def train_command(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            file_okay=False,
            help="The run folder: last.pt, best.pt, metrics.csv, curves.png and config.json go "
            "here. It must be new or empty, unless --resume.",
        ),
    ],
    gt: Annotated[
        Path | None,
        typer.Option(
            "--gt",
            help="Training ground truth (COCO JSON). Its categories are the model's classes "
            "(their ids, e.g. K-codes, come back in predictions). Needed unless --resume.",
            **EXISTING_FILE,
        ),
    ] = None,
    images: Annotated[
        Path | None,
        typer.Option(
            "--images",
            help="Folder of the training images, found by the ground truth's file_name. Files "
            "that are downscaled copies (same aspect ratio) get their boxes scaled. Needed "
            "unless --resume.",
            **EXISTING_DIR,
        ),
    ] = None,
    val_gt: Annotated[
        Path | None,
        typer.Option(
            "--val-gt",
            help="Validation ground truth: COCO mAP (as pillcmp eval computes it) after every "
            "epoch, and best.pt is the best epoch. Without it best.pt is the last epoch.",
            **EXISTING_FILE,
        ),
    ] = None,
    val_images: Annotated[
        Path | None,
        typer.Option(
            "--val-images",
            help="Folder of the validation images (default: --images).",
            **EXISTING_DIR,
        ),
    ] = None,
    backbone: Annotated[
        str,
        typer.Option(
            "--backbone",
            help="Any timm model name with features_only: resnet101, efficientnet_b3, "
            "resnet18, ... (random init unless --pretrained).",
        ),
    ] = "resnet101",
    head: Annotated[
        HeadChoice,
        typer.Option(
            "--head",
            help="retinanet (one stage, focal or composite loss) or fasterrcnn "
            "(two stages, its own losses).",
        ),
    ] = HeadChoice.retinanet,
    loss: Annotated[
        Loss,
        typer.Option(
            "--loss",
            help="focal (torchvision's RetinaNet loss) or composite (the specification's loss: box, "
            "soft F-beta, focal with hard-negative mining; RetinaNet only).",
        ),
    ] = Loss.focal,
    loss_variant: Annotated[
        LossVariant,
        typer.Option(
            "--loss-variant",
            help="With --loss composite: compact (trains the classifier) or algorithm2 (the "
            "specification's Algorithm 2 as written; its scores may all fall below the score threshold: warned).",
        ),
    ] = LossVariant.compact,
    epochs: Annotated[
        int, typer.Option("--epochs", min=1, help="Passes over the training images.")
    ] = 12,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, help="Images per step (per process under torchrun)."),
    ] = 4,
    lr: Annotated[
        float,
        typer.Option(
            "--lr", help="Peak learning rate, reached after --warmup-steps; then a cosine to 0."
        ),
    ] = 1e-4,
    weight_decay: Annotated[
        float, typer.Option("--weight-decay", help="AdamW's decoupled weight decay (SGD: L2).")
    ] = 1e-4,
    optimizer: Annotated[
        OptimizerChoice,
        typer.Option("--optimizer", help="adamw, or sgd (momentum 0.9, Nesterov)."),
    ] = OptimizerChoice.adamw,
    warmup_steps: Annotated[
        int,
        typer.Option(
            "--warmup-steps", min=0, help="Steps of linear learning-rate warm-up (0: none)."
        ),
    ] = 100,
    clip_grad: Annotated[
        float,
        typer.Option(
            "--clip-grad",
            min=0.0,
            help="Clip the gradients' global L2 norm to this (0: no clipping).",
        ),
    ] = 10.0,
    image_size: Annotated[
        int,
        typer.Option(
            "--image-size",
            min=32,
            help="The detector resizes each image so that its longer side is this many px.",
        ),
    ] = 512,
    fpn_channels: Annotated[
        int,
        typer.Option(
            "--fpn-channels",
            min=1,
            help="Channels of the FPN and of the head's convolutions (torchvision's 256; a "
            "small backbone trains faster with fewer).",
        ),
    ] = 256,
    device: Annotated[
        DeviceChoice,
        typer.Option(
            "--device",
            help="cpu, cuda, or auto (cuda when available). On CUDA training uses bfloat16 "
            "autocast (see --no-amp); under torchrun each process takes its local GPU.",
        ),
    ] = DeviceChoice.auto,
    amp: Annotated[
        bool,
        typer.Option("--amp/--no-amp", help="bfloat16 autocast on CUDA (ignored on CPU)."),
    ] = True,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            min=0,
            help="Random seed of the initial weights, shuffling and augmentation: the same value gives "
            "the same run, and --resume continues it exactly.",
        ),
    ] = 0,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Data-loading processes (0: in the trainer).")
    ] = 2,
    hflip: Annotated[
        bool,
        typer.Option(
            "--hflip",
            help="Flip half the training images left-right. Off by default: a flip mirrors a "
            "pill's imprint.",
        ),
    ] = False,
    fit_anchors: Annotated[
        bool,
        typer.Option(
            "--fit-anchors",
            help="Anchor sizes fitted to the training boxes (quantiles of their sizes at "
            "--image-size) instead of torchvision's defaults.",
        ),
    ] = False,
    pretrained: Annotated[
        str | None,
        typer.Option(
            "--pretrained",
            metavar="FILE|TAG",
            help="Starting weights of the backbone: a local state-dict file (.pt, .safetensors), "
            "or a timm pretrained tag: 'timm' (the backbone's default, e.g. resnet101.a1h_in1k) or "
            "a named one (resnet101.tv_in1k), downloaded by timm into its Hugging Face cache. "
            "Offline (HF_HUB_OFFLINE=1) a tag must already be cached; the error names the file "
            "to fetch. Default: random weights.",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue the run in --out from its last.pt with the run's settings (options "
            "given must match them, except --epochs, --device, --workers, --amp, --max-steps "
            "and the data paths).",
        ),
    ] = False,
    max_steps: Annotated[
        int | None,
        typer.Option(
            "--max-steps",
            min=1,
            help="Stop after this many steps (a smoke test or a time budget); the schedule "
            "stays planned for every epoch.",
        ),
    ] = None,
) -> None:
    """Train a detector on a COCO ground truth and its images; validate with pillcmp's own mAP.

    A timm backbone (features_only) with an FPN and a torchvision RetinaNet or Faster R-CNN head; AdamW with a warm-up and a cosine schedule, gradient clipping, bfloat16 autocast on CUDA; augmentations that suit pills (small rotation, zoom, mild brightness and contrast, no hue change, no flip unless --hflip). Each epoch ends with validation mAP (--val-gt) and writes last.pt, best.pt (loadable with torch.load(weights_only=True); pillcmp predict takes them), metrics.csv and curves.png. Several GPUs: torchrun --nproc-per-node N -m pill_compare train with these options.

    Example:

        pillcmp train --gt train.json --images imgs --val-gt val.json --out b3
    """
    values = dict(locals())
    values.pop("ctx")
    values = {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}
    values["clip_grad"] = values["clip_grad"] or None
    main_rank = os.environ.get("RANK", "0") in ("", "0")

    from dataclasses import fields

    from pill_compare.nn.train import TrainConfig, resume_config, train

    names = [f.name for f in fields(TrainConfig)]  # every option is a TrainConfig field
    if resume:
        typed = {k: values[k] for k in names if _typed(ctx, k) and k not in ("out", "resume")}
        config = resume_config(out, **typed)
    else:
        if gt is None or images is None:
            fail_usage("--gt and --images are needed to start a run (--resume reads the run's)")
        _check_pretrained(pretrained, backbone)
        config = TrainConfig(**{k: values[k] for k in names})

    with _TrainProgress(enabled=main_rank) as shown:
        result = train(
            config,
            progress=shown.step,
            on_epoch=shown.epoch,
            on_warning=(lambda m: warn([m])) if main_rank else None,
        )
    if main_rank:
        _summary(result)


def _check_pretrained(pretrained: str | None, backbone: str) -> None:
    """A --pretrained that names a file must name one that exists (bad usage otherwise, as for
    every file option); a tag is checked against the backbone (ConfigError, bad usage)."""
    if pretrained is None:
        return
    from pill_compare.nn.backbones import parse_pretrained

    path = parse_pretrained(pretrained, backbone)
    if isinstance(path, Path) and not path.is_file():
        shown = terminal_safe(pretrained)
        state = "is a folder" if path.is_dir() else "does not exist"
        fail_usage(
            f"Invalid value for '--pretrained': file '{shown}' {state}; give a state-dict file, "
            "'timm' (the backbone's default pretrained tag) or a tag such as resnet101.a1h_in1k"
        )


def _typed(ctx: Any, name: str) -> bool:
    """Whether the user gave option ``name`` (not its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


def _summary(result: Any) -> None:
    """What was trained, how well, where the files are, how fast."""
    echo(
        f"trained {result.description}: {result.epochs} epoch(s), {result.steps} step(s) in "
        f"{result.seconds:.1f} s ({result.images_per_second:.2f} training images/s on "
        f"{result.device}{f', {result.world_size} processes' if result.world_size > 1 else ''})"
    )
    if result.best_map is not None:
        echo(f"best val mAP {result.best_map:.4f} (epoch {result.best_epoch})")
    else:
        echo("no validation set: best.pt is the last epoch")
    echo(f"checkpoints: {result.best} (best), {result.last} (last)")
    echo(f"metrics: {result.out / 'metrics.csv'}, curves: {result.out / 'curves.png'}")


def _parts_text(parts: Mapping[str, Any]) -> str:
    return "  ".join(f"{k} {v:.4g}" for k, v in parts.items() if isinstance(v, int | float))


class _TrainProgress:
    """A rich progress bar on stderr with the step's loss parts (on a terminal), and one line
    per epoch (epoch means, validation mAP) on stderr everywhere (a log, CI)."""

    def __init__(self, *, enabled: bool):
        self.enabled = enabled
        self.live: Any = None
        self.task: Any = None
        self.epochs = 0

    def __enter__(self) -> _TrainProgress:
        if self.enabled:
            self.live = progress_bar("{task.fields[parts]}")
        return self

    def step(self, epoch: int, step: int, total: int, parts: Mapping[str, float]) -> None:
        """``train``'s ``progress``: the bar shows the step and the latest loss parts."""
        if self.live is None:
            return
        text = terminal_safe(_parts_text(parts))
        if self.task is None:
            self.task = self.live.add_task(f"epoch {epoch}", total=total, parts=text)
        self.live.update(self.task, completed=step, description=f"epoch {epoch}", parts=text)

    def epoch(self, row: Mapping[str, Any]) -> None:
        """``train``'s ``on_epoch``: one line with the epoch's means and validation mAP."""
        if not self.enabled:
            return
        shown = {k: v for k, v in row.items() if k in _LOSS_TERMS}
        text = f"epoch {row['epoch']}: {_parts_text(shown)}  lr {row['lr']:.3g}"
        if "val_map" in row:
            text += f"  val mAP {row['val_map']:.4f} (mAP50 {row['val_map_50']:.4f})"
        text += f"  {row.get('seconds', 0.0):.1f} s"
        if self.live is not None:
            self.live.console.print(terminal_safe(text), markup=False, highlight=False)
        else:
            echo(text, err=True)

    def __exit__(self, *exc: Any) -> bool:
        if self.live is not None:
            self.live.stop()
        return False
