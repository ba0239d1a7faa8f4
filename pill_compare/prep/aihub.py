"""What the AIHub oral-drug pill data encodes in its names: K-codes, ``dl_idx``, listed pills.

* A drug's **K-code** is ``K-`` and six digits (``K-001900``); its **K-number** is the integer
  (1900).
* ``dl_idx`` is the drug's 0-based index: K-number − 1 (``K-001900`` ↔ ``dl_idx`` 1899). In the
  per-pill JSON files, ``category_id`` equals ``dl_idx``; some teams use the K-number instead, and
  the two conventions differ by exactly one: the K-code vs ``dl_idx`` mix-up.
* An image's file name lists the pills on it before the first ``_``:
  ``K-001900-010224-016551-031705_0_2_0_2_70_000_200.png`` shows four pills (K-001900, K-010224,
  K-016551, K-031705). The form ``K-016551-K-019861-K-025367_0001.png`` is read the same way.
"""

from __future__ import annotations

import re
from typing import Any

# ASCII digits only ('\d' also matches '５' and '٥'), at most 18 so every K-number fits int64.
_K_CODE = re.compile(r"K-([0-9]{1,18})")
_LISTED = re.compile(r"K-[0-9]{1,18}(?:-(?:K-)?[0-9]{1,18})*")


def k_number(code: Any) -> int | None:
    """``'K-001900'`` → 1900; None when ``code`` is not a K-code."""
    if not isinstance(code, str):
        return None
    m = _K_CODE.fullmatch(code.strip())
    return int(m.group(1)) if m else None


def k_code(number: int) -> str:
    """1900 → ``'K-001900'``."""
    return f"K-{number:06d}"


def listed_pill_codes(file_name: str) -> tuple[str, ...]:
    """The pill K-codes an image file name lists, in order; () when it lists none.

    Example:
        >>> listed_pill_codes("K-001900-010224-016551-031705_0_2_0_2_70_000_200.png")
        ('K-001900', 'K-010224', 'K-016551', 'K-031705')
    """
    stem = file_name.rsplit("/", 1)[-1].split("_", 1)[0]
    stem = stem.rsplit(".", 1)[0] if "_" not in file_name else stem
    if not _LISTED.fullmatch(stem):
        return ()
    return tuple(k_code(int(d)) for d in re.findall(r"[0-9]+", stem))
