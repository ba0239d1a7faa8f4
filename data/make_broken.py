"""Write the sample's results broken in each way real pill-team submissions were, to try
``pillcmp doctor`` and ``--category-map`` on (docs/diagnosis.md uses them):

    .venv/bin/python data/make_broken.py            # into build/broken/

Each file is ``data/sample/resnet101.json`` (or its ground truth) with one breakage, made by the
same builders the tests use (tests/broken_inputs.py): ids + 1 (K-number written for dl_idx), the
detector's class index, a permuted id list, 300 repeated rows, two zero-width boxes at the image
edge, [x1, y1, x2, y2], centre + size and normalized boxes, and a ground truth with a quarter of
its boxes deleted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import broken_inputs as broken  # noqa: E402  (after the path is set)

RESULTS = {
    "ids_plus_one.json": broken.ids_plus_one,
    "class_index.json": broken.class_index,
    "permuted_ids.json": broken.permuted_ids,
    "repeated_rows.json": broken.repeated_rows,
    "zero_width.json": broken.zero_width_edge_boxes,
    "xyxy.json": broken.xyxy_boxes,
    "cxcywh.json": broken.cxcywh_boxes,
    "normalized.json": broken.normalized_boxes,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(REPO / "build" / "broken"))
    out = Path(parser.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    records = broken.sample_records("resnet101")
    for name, make in RESULTS.items():
        (out / name).write_text(json.dumps(make(records)), encoding="utf-8")
    partial, deleted = broken.gt_with_deleted_boxes(0.25)
    (out / "partial_ground_truth.json").write_text(json.dumps(partial), encoding="utf-8")
    print(f"wrote {len(RESULTS) + 1} files into {out} ({len(deleted)} GT boxes deleted)")


if __name__ == "__main__":
    main()
