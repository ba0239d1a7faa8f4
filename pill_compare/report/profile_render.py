"""Render a model profile (``pillcmp profile``) as text, Markdown, JSON or CSV.

The profile is computed in :mod:`pill_compare.nn.profile`, which imports torch; this module does
not, and does not import ``nn`` either (the report layer sits below it). It renders anything with
``to_dict()`` (the documented JSON: :meth:`pill_compare.nn.profile.ProfileResult.to_dict`) and
``to_frame()``, so a saved ``profile.json`` renders the same way as a fresh result
(:func:`profile_sections` takes the dict).

Text and Markdown hold the same sections: the conditions of the measurement, an architecture
table (parameters, GFLOPs, feature strides and channels), and one speed table per device
(latency, throughput and peak memory at each batch size). Markdown carries every definition
under its table; the text view does with ``explain=True``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pill_compare.report.render.markdown import render_markdown
from pill_compare.report.render.text import render_text
from pill_compare.report.structure import Paragraph, Section, Table
from pill_compare.report.tables import Renderable, render_as

__all__ = [
    "ARCHITECTURE_HEADERS",
    "profile_sections",
    "render_profile",
    "render_profile_markdown",
    "render_profile_text",
]

TITLE = "Architecture profile"
ARCHITECTURE_HEADERS = (
    "model",
    "part",
    "params (M)",
    "trainable (M)",
    "GFLOPs",
    "strides",
    "channels",
)
DEVICE_TITLES = {"cpu": "CPU", "cuda": "CUDA"}
HEAD_NAMES = {"retinanet": "RetinaNet", "fasterrcnn": "Faster R-CNN"}


def profile_sections(data: Mapping[str, Any]) -> list[Section]:
    """The profile's sections from its JSON (``ProfileResult.to_dict()``).

    Args:
        data: The profile as ``to_dict()`` returns it (or as read back from its JSON file).

    Returns:
        One section, key 'profile': the conditions, table 'architecture', and a table
        'speed_<device>' per device.
    """
    definitions: Mapping[str, str] = data.get("definitions", {})
    models: Sequence[Mapping[str, Any]] = data["models"]
    blocks: list[Any] = [Paragraph(_conditions(data))]
    blocks.append(
        Table(
            key="architecture",
            headers=ARCHITECTURE_HEADERS,
            rows=tuple(
                (
                    m["name"],
                    m["part"],
                    m["params"] / 1e6,
                    m["trainable_params"] / 1e6,
                    _cell(m["gflops"]),
                    " ".join(map(str, m["strides"])),
                    " ".join(map(str, m["channels"])),
                )
                for m in models
            ),
            align="llrrrll",
            caption=f"Parameters and GFLOPs at {data['image_size']} x {data['image_size']} px, "
            "batch 1",
            legend=_legend(
                definitions, ("params", "trainable_params", "gflops", "strides", "channels")
            ),
        )
    )
    batches = [f"b{b}" for b in data["batch_sizes"]]
    for device, name in data["devices"].items():
        headers = ["model", "part"]
        for b in batches:
            headers += [f"{b} ms", f"{b} img/s", f"{b} peak MiB"]
        rows = []
        for m in models:
            row: list[Any] = [m["name"], m["part"]]
            for b in batches:
                row += [
                    _cell(m[key].get(device, {}).get(b))
                    for key in ("latency_ms", "throughput", "peak_mib")
                ]
            rows.append(tuple(row))
        threads = _plural(data["threads"], "thread") if device == "cpu" else ""
        threads = f", {threads}" if threads else ""
        blocks.append(
            Table(
                key=f"speed_{device}",
                headers=tuple(headers),
                rows=tuple(rows),
                align="ll" + "r" * (len(headers) - 2),
                caption=f"{DEVICE_TITLES.get(device, device)} ({name}{threads}): latency, "
                "throughput and peak memory per batch size",
                legend=_legend(definitions, ("latency_ms", "throughput", "peak_mib")),
            )
        )
    return [Section("profile", TITLE, tuple(blocks))]


def render_profile_text(result: Renderable, *, explain: bool = False) -> str:
    """The terminal view: conditions, the architecture table, a speed table per device.

    Args:
        result: A profile (``to_dict()`` as :meth:`ProfileResult.to_dict`).
        explain: Add each number's definition under its table (Markdown always has them).
    """
    return render_text(profile_sections(result.to_dict()), explain=explain)


def render_profile_markdown(result: Renderable) -> str:
    """Markdown for a report's architecture section: the same tables, with the definitions."""
    return render_markdown(profile_sections(result.to_dict()))[0]


def render_profile(result: Renderable, fmt: str, *, explain: bool = False) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' (``to_dict()``) or 'csv' (one row
    per model part).

    ``explain`` adds the definitions to the text view (Markdown and JSON always have them).
    """
    return render_as(
        result, fmt, text=render_profile_text, md=render_profile_markdown, explain=explain
    )


def _conditions(data: Mapping[str, Any]) -> str:
    versions = ", ".join(
        f"{lib} {data[f'{lib}_version']}"
        for lib in ("torch", "torchvision", "timm")
        if f"{lib}_version" in data
    )
    head = HEAD_NAMES.get(data["head"], data["head"])
    batches = ", ".join(str(b) for b in data["batch_sizes"])
    parts = "backbone: the timm features_only extractor alone"
    if any(m["part"] == "detector" for m in data["models"]):
        parts += f"; detector: backbone + FPN + {head} head, {data['num_classes']} classes"
    size = data["image_size"]
    return (
        f"Random weights (pretrained=False), {size} x {size} px images; {parts}. "
        f"Latency: median of {_plural(data['repeats'], 'timed pass')} after "
        f"{_plural(data['warmup'], 'warm-up')}, eval mode, batch "
        f"{'size' if len(data['batch_sizes']) == 1 else 'sizes'} {batches}. {versions}."
    )


def _plural(n: int, noun: str) -> str:
    """'1 thread', '2 threads', '3 timed passes'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{'es' if noun.endswith('s') else 's'}"


def _cell(value: float | None) -> float | int | None:
    """A measurement as a cell: from 1000 up a whole number (the shared four significant digits
    would write 21250.3 ms as 2.125e+04), below it as is."""
    if value is None or abs(value) < 1000:
        return value
    return round(value)


def _legend(definitions: Mapping[str, str], keys: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((k, definitions[k]) for k in keys if k in definitions)
