"""Category-id maps from the command line: ``auto``, ``offset:N`` or a map file (placeholder
until the full reader lands)."""

from __future__ import annotations

import json
from typing import Literal

from pill_compare.core import CategoryIdMap
from pill_compare.errors import ConfigError


def parse_category_map(spec: str) -> CategoryIdMap | Literal["auto"]:
    if spec == "auto":
        return "auto"
    if spec.startswith("offset:"):
        try:
            return CategoryIdMap(offset=int(spec.split(":", 1)[1]), origin="offset")
        except ValueError:
            raise ConfigError(
                f"--category-map offset:N expects an integer N, got {spec!r}"
            ) from None
    with open(spec, encoding="utf-8") as f:
        data = json.load(f)
    return CategoryIdMap({int(k): int(v) for k, v in data.items()}, origin="file", source=spec)


def category_map_json(m: CategoryIdMap) -> str:
    return json.dumps({str(k): v for k, v in m.mapping.items()}, indent=2) + "\n"
