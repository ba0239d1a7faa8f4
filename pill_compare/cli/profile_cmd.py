"""`pillcmp profile`: parameters, GFLOPs, feature maps, latency and memory of detectors and
their backbones, in one table.

torch is imported only when the command runs (``pillcmp --help`` stays fast).
"""

from enum import Enum
from typing import Annotated

import typer

from pill_compare.cli._common import Outputs, print_or_put, progress_spinner
from pill_compare.cli.options import ExplainOption, FormatOption, HeadChoice, OutputOption
from pill_compare.cli.registry import command
from pill_compare.errors import ConfigError


class ProfileDevice(str, Enum):
    """Where to time: one device, auto (CUDA when available, else CPU), all (CPU + CUDA)."""

    all = "all"
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


def parse_batch_sizes(value: str) -> tuple[int, ...]:
    """Comma-separated integers >= 1, e.g. '1,8'.

    Raises:
        ConfigError: anything else (exit 2).
    """
    try:
        sizes = tuple(int(p) for p in value.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise ConfigError(
            f"expects comma-separated integers >= 1 like 1,8, got {value!r}", param="batch_sizes"
        )
    return sizes


@command("profile")
def profile_command(
    backbones: Annotated[
        list[str],
        typer.Argument(
            help="timm backbone names with a features_only extractor, e.g. resnet101 "
            "efficientnet_b0 efficientnet_b3.",
            metavar="BACKBONE",
            show_default=False,
        ),
    ],
    image_size: Annotated[
        int, typer.Option("--image-size", min=32, help="Input height = width, in pixels.")
    ] = 512,
    batch_sizes: Annotated[
        str, typer.Option("--batch-sizes", help="Batch sizes to time, comma-separated.")
    ] = "1,8",
    head: Annotated[
        HeadChoice,
        typer.Option(
            "--head",
            help="Detector head: retinanet (strides 8-32 + P6/P7) or fasterrcnn (4-32 + pool).",
        ),
    ] = HeadChoice.retinanet,
    num_classes: Annotated[
        int, typer.Option("--num-classes", min=1, help="Object classes of the detectors.")
    ] = 8,
    backbone_only: Annotated[
        bool, typer.Option("--backbone-only", help="Profile the backbones only, no detectors.")
    ] = False,
    device: Annotated[
        ProfileDevice,
        typer.Option(
            "--device",
            help="all: CPU, and CUDA too when available; auto: CUDA when available, else CPU; "
            "cpu; cuda.",
        ),
    ] = ProfileDevice.all,
    repeats: Annotated[
        int,
        typer.Option(
            "--repeats", min=1, help="Timed passes per model and batch size (median reported)."
        ),
    ] = 3,
    warmup: Annotated[
        int, typer.Option("--warmup", min=0, help="Untimed passes before the timed ones.")
    ] = 1,
    threads: Annotated[
        int | None,
        typer.Option("--threads", min=1, help="CPU threads (default: torch's, usually the cores)."),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            min=0,
            help="Random seed of the weights and inputs (the same value, the same numbers).",
        ),
    ] = 0,
    explain: ExplainOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """How big and how fast is each backbone, alone and as a detector?

    For each backbone: the timm features_only extractor alone, and the whole detector (backbone + FPN + head), both with random weights: parameters (total and trainable), GFLOPs of one pass at batch 1 (torch's FlopCounterMode: 2 FLOPs per multiply-add of convolutions and matrix products; post-processing and NMS count 0), the strides and channels of the feature levels used, and per device and batch size the median latency of --repeats passes (eval mode, inference mode; a detector's pass includes its post-processing and NMS), the throughput (images/s) and the peak memory (CUDA: torch's max allocated; CPU: peak resident set increase). JSON keys: models[i].{name, part, params, trainable_params, gflops, strides, channels, latency_ms.<device>.b<N>, throughput.<device>.b<N>, peak_mib.<device>.b<N>}, plus image_size, batch_sizes, head, threads, devices, torch_version.

    Example:

        pillcmp profile resnet101 efficientnet_b3 --threads 2 -f md -o p.md
    """
    from pill_compare.report.profile_render import render_profile

    outputs = Outputs()
    out_fmt = outputs.report("output", output, fmt)
    sizes = parse_batch_sizes(batch_sizes)

    from pill_compare.nn.profile import profile_models

    with progress_spinner("profile", lines=True) as step:
        result = profile_models(
            backbones,
            image_size=image_size,
            batch_sizes=sizes,
            head=head.value,
            num_classes=num_classes,
            detectors=not backbone_only,
            device=device.value,
            repeats=repeats,
            warmup=warmup,
            threads=threads,
            seed=seed,
            progress=step,
        )
    print_or_put(outputs, "output", output, render_profile(result, out_fmt.value, explain=explain))
    outputs.write()
