"""A tiny AIHub-style per-pill annotation folder, with its answers worked out in comments.

Layout (``<K-a-b-c-d>_json/<K-xxxxxx>/<image_stem>.json``, one pill per file; every file says
``images[0].id == 1`` and ``annotations[0].id == 1``, as the real data does)::

    train_annotations/
      K-001900-010224-016551-031705_json/      image A: the file name lists 4 pills
        K-001900/A.json    bbox [589, 101, 202, 184]         fine
        K-010224/A.json    bbox [120, 640, 230, 410]         fine
        K-016551/A.json    bbox [900, 1200, 100, 120]        leaves the 976x1280 image:
                                                             clipped to [900, 1200, 76, 80]
        (no K-031705 folder)                                 -> missing label K-031705
      K-001900-016551_json/                    image C: lists 2 pills
        K-001900/C.json    bbox [150, 220, 205, 186]         fine
        K-016551/C.json    truncated JSON                    -> bad file; missing label K-016551
        K-016551/._C.json  macOS AppleDouble junk            -> ignored (hidden)
      K-003544-012247_json/                    image B: lists 2 pills
        K-003544/B.json    bbox [300, 310, 190, 195]         fine
        K-012247/B.json    bbox [610, 700, 0, 180]           w = 0: dropped -> missing label K-012247
      backup/K-003544-012247_json/K-003544/B.json            exact copy of K-003544/B.json:
                                                             removed (sorts after "K-...")

Merged (images by file name: A < C < B, since "K-001900-01..." < "K-001900-06..." < "K-003544"):
images A=1, C=2, B=3; annotations 1..5 in (image, category) order; category ids are the files'
``category_id`` = ``dl_idx`` = K-number − 1.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

IMAGE_A = "K-001900-010224-016551-031705_0_2_0_2_70_000_200.png"
IMAGE_B = "K-003544-012247_0_2_0_2_90_000_200.png"
IMAGE_C = "K-001900-016551_0_2_1_0_70_000_200.png"
WIDTH, HEIGHT = 976, 1280

#: Per-drug fields of the source records (plausible values; the test data is made up).
DRUGS: dict[str, dict[str, Any]] = {
    "K-001900": {
        "dl_idx": "1899",
        "dl_name": "보령부스파정 5mg",
        "dl_name_en": "Boryung Buspar Tab. 5mg",
        "drug_shape": "원형",
        "color_class1": "하양",
        "print_front": "BS",
        "print_back": "5",
    },
    "K-010224": {
        "dl_idx": "10223",
        "dl_name": "뮤테란캡슐 100mg",
        "dl_name_en": "Muteran Cap. 100mg",
        "drug_shape": "장방형",
        "color_class1": "갈색",
        "print_front": "MUT",
        "print_back": "",
    },
    "K-016551": {
        "dl_idx": "16550",
        "dl_name": "동아가바펜틴정 800mg",
        "dl_name_en": "Dong-A Gabapentin Tab. 800mg",
        "drug_shape": "타원형",
        "color_class1": "하양",
        "print_front": "DA",
        "print_back": "GPT",
    },
    "K-003544": {
        "dl_idx": "3543",
        "dl_name": "무코스타정",
        "dl_name_en": "Mucosta Tab.",
        "drug_shape": "원형",
        "color_class1": "하양",
        "print_front": "OG",
        "print_back": "2",
    },
    "K-012247": {
        "dl_idx": "12246",
        "dl_name": "아모잘탄정 5/100mg",
        "dl_name_en": "Amosartan Tab. 5/100mg",
        "drug_shape": "장방형",
        "color_class1": "하양",
        "print_front": "AMZ",
        "print_back": "",
    },
}


def image_record(file_name: str, code: str, **overrides: Any) -> dict[str, Any]:
    """The ``images[0]`` record of a per-pill file, with every field the real data has."""
    drug = DRUGS[code]
    record = {
        "file_name": file_name,
        "width": WIDTH,
        "height": HEIGHT,
        "imgfile": file_name,
        "drug_N": code,
        "drug_S": "정상알약",
        "back_color": "연회색 배경",
        "drug_dir": "앞면",
        "light_color": "주백색",
        "camera_la": 70,
        "camera_lo": 0,
        "size": 200,
        "dl_idx": drug["dl_idx"],
        "dl_mapping_code": code,
        "dl_name": drug["dl_name"],
        "dl_name_en": drug["dl_name_en"],
        "img_key": f"http://connectdi.com/design/img/drug/{code}.jpg",
        "dl_material": "성분 정보",
        "dl_material_en": "ingredient",
        "dl_custom_shape": "정제, 저작정",
        "dl_company": "제약회사",
        "dl_company_en": "Pharma Co.",
        "di_company_mf": "",
        "di_company_mf_en": "",
        "item_seq": 200000000 + int(code[2:]),
        "di_item_permit_date": "20040324",
        "di_class_no": "[01170]정신신경용제",
        "di_etc_otc_code": "전문의약품",
        "di_edi_code": "A11A0000",
        "chart": "흰색의 원형 정제",
        "drug_shape": drug["drug_shape"],
        "thick": 3.9,
        "leng_long": 7.0,
        "leng_short": 7.0,
        "print_front": drug["print_front"],
        "print_back": drug["print_back"],
        "color_class1": drug["color_class1"],
        "color_class2": "",
        "line_front": "",
        "line_back": "",
        "img_regist_ts": "20040324",
        "form_code_name": "나정",
        "mark_code_front_anal": "",
        "mark_code_back_anal": "",
        "mark_code_front_img": "",
        "mark_code_back_img": "",
        "mark_code_front": "",
        "mark_code_back": "",
        "change_date": "20200106",
        "id": 1,
    }
    record.update(overrides)
    return record


def pill_file(
    file_name: str,
    code: str,
    bbox: list[float],
    area: float,
    *,
    category_id: int | None = None,
    **image_overrides: Any,
) -> dict[str, Any]:
    """One per-pill COCO document; ``category_id`` defaults to ``dl_idx`` as in the real data."""
    cid = int(DRUGS[code]["dl_idx"]) if category_id is None else category_id
    return {
        "images": [image_record(file_name, code, **image_overrides)],
        "type": "instances",
        "annotations": [
            {
                "area": area,
                "iscrowd": 0,
                "bbox": bbox,
                "category_id": cid,
                "ignore": 0,
                "segmentation": [],
                "id": 1,
                "image_id": 1,
            }
        ],
        "categories": [{"supercategory": "pill", "id": cid, "name": DRUGS[code]["dl_name"]}],
    }


def write_json(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def rel_path(file_name: str, code: str) -> str:
    """``<K-a-b>_json/<K-xxxxxx>/<stem>.json`` for a pill on an image."""
    stem = file_name.rsplit(".", 1)[0]
    return f"{stem.split('_', 1)[0]}_json/{code}/{stem}.json"


def write_pill(
    root: Path, file_name: str, code: str, bbox: list[float], area: float, **kwargs: Any
) -> Path:
    """Write :func:`pill_file` at its place under ``root`` (:func:`rel_path`)."""
    return write_json(
        root / rel_path(file_name, code), pill_file(file_name, code, bbox, area, **kwargs)
    )


def build_pill_folder(root: Path) -> Path:
    """Write the folder described in the module docstring; return ``root/'train_annotations'``."""
    ann = root / "train_annotations"
    good = [
        (IMAGE_A, "K-001900", [589, 101, 202, 184], 37212),
        (IMAGE_A, "K-010224", [120, 640, 230, 410], 94300),
        (IMAGE_A, "K-016551", [900, 1200, 100, 120], 12000),
        (IMAGE_C, "K-001900", [150, 220, 205, 186], 38130),
        (IMAGE_B, "K-003544", [300, 310, 190, 195], 37050),
        (IMAGE_B, "K-012247", [610, 700, 0, 180], 0),
    ]
    for file_name, code, bbox, area in good:
        write_pill(ann, file_name, code, bbox, area)
    write_json(
        ann / "backup" / rel_path(IMAGE_B, "K-003544"),
        pill_file(IMAGE_B, "K-003544", [300, 310, 190, 195], 37050),
    )
    corrupt = ann / rel_path(IMAGE_C, "K-016551")
    corrupt.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(pill_file(IMAGE_C, "K-016551", [400, 500, 180, 170], 30600))
    corrupt.write_text(text[: len(text) // 2], encoding="utf-8")  # cut off while copying
    (corrupt.parent / f"._{corrupt.name}").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    return ann


def png_bytes(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of the given size (all black), built with the stdlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def write_png(path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(width, height))
    return path
