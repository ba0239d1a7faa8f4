"""pillcmp's plot style: fixed colours, and a scoped rcParams context with a Hangul font.

Every ``plot_*`` in :mod:`pill_compare.report` draws inside :func:`plot_style`, so a figure looks
the same on every machine and a user's own matplotlib settings are untouched afterwards.

The Hangul font is NanumGothic (SIL Open Font License), shipped inside the
``koreanize-matplotlib`` package, a dependency of pillcmp. That package is never imported
(importing it rewrites the global rcParams): its font file is located on disk and registered
with matplotlib's font manager once. Without it, plots fall back to DejaVu Sans (Hangul then
shows as boxes, with matplotlib's "Glyph missing" warning) and nothing fails.

Example:
    >>> from pill_compare.report.style import plot_style, MODEL_COLORS
    >>> with plot_style():
    ...     pass  # draw here; rcParams are restored on exit
    >>> MODEL_COLORS["a"]
    '#4C72B0'
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "ERROR_TYPE_COLORS",
    "FP_FN_COLORS",
    "HANGUL_FONT_FAMILY",
    "LANGS",
    "LATIN_FONT_FAMILY",
    "MODEL_COLORS",
    "font_families",
    "hangul_font_path",
    "plot_style",
    "register_hangul_font",
    "style_rc",
]

#: Languages of the text pillcmp writes into figures.
LANGS: tuple[str, ...] = ("en", "ko")

#: One colour per model slot, the same in every figure: A blue, B orange (seaborn "deep").
MODEL_COLORS: dict[str, str] = {"a": "#4C72B0", "b": "#DD8452"}

#: One colour per false-detection type, fixed across models and figures. TIDE's own palette
#: (dbolya/tide ``tidecv/plotting.py``: seaborn "muted", Cls = [9], Loc = [8], Both = [2],
#: Dupe = [6], Bkg = [4], Miss = [3]), so pillcmp's figures read like TIDE's.
ERROR_TYPE_COLORS: dict[str, str] = {
    "Cls": "#82C6E2",
    "Loc": "#D5BB67",
    "Both": "#6ACC64",
    "Dupe": "#DC7EC0",
    "Bkg": "#956CB4",
    "Miss": "#D65F5F",
}

#: TIDE's colours for its two summary bars (all false positives, all false negatives).
FP_FN_COLORS: dict[str, str] = {"FP": "#4878D0", "FN": "#EE854A"}

#: Latin text keeps matplotlib's default face; Hangul falls back, glyph by glyph, to NanumGothic.
LATIN_FONT_FAMILY = "DejaVu Sans"
HANGUL_FONT_FAMILY = "NanumGothic"
_FONT_FILES = ("NanumGothic.ttf", "NanumGothicBold.ttf")


def hangul_font_path(name: str = "NanumGothic.ttf") -> Path | None:
    """Where the installed ``koreanize_matplotlib`` keeps ``name``; None when it is not there.

    The package is located with :func:`importlib.util.find_spec`, which does not import it.
    """
    try:
        spec = importlib.util.find_spec("koreanize_matplotlib")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "fonts" / name
        if path.is_file():
            return path
    return None


@functools.cache
def register_hangul_font() -> str | None:
    """Add NanumGothic (regular and bold) to matplotlib's font manager, once per process.

    Returns:
        The family name to use ("NanumGothic"), or None when the font file is not installed.
    """
    from matplotlib import font_manager

    regular = hangul_font_path()
    if regular is None:
        return None
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for name in _FONT_FILES:
        path = hangul_font_path(name)
        if path is not None and str(path) not in known:
            try:
                font_manager.fontManager.addfont(str(path))
            except (OSError, RuntimeError, ValueError):  # an unreadable file: no Hangul, no crash
                if name == _FONT_FILES[0]:
                    return None
    return HANGUL_FONT_FAMILY


def font_families(lang: str = "en") -> list[str]:
    """The ``font.family`` list for ``lang``: per-glyph fallback from the first family on.

    DejaVu Sans first in every language, NanumGothic for the Hangul it lacks: Latin letters,
    digits and symbols are DejaVu's, so "≥", "≤" and "−" stay legible at a figure's 7-8 pt
    (NanumGothic's comparison signs are hairlines there) and look the same in English and
    Korean figures. ``lang`` is checked. Without the Hangul font: DejaVu Sans alone.
    """
    _check_lang(lang)
    hangul = register_hangul_font()
    if hangul is None:
        return [LATIN_FONT_FAMILY, "sans-serif"]
    return [LATIN_FONT_FAMILY, hangul, "sans-serif"]


def style_rc(lang: str = "en") -> dict[str, Any]:
    """The rcParams :func:`plot_style` applies (a new dict each call)."""
    from cycler import cycler

    return {
        "font.family": font_families(lang),
        "font.size": 8,
        "axes.titlesize": 10,
        "axes.labelsize": 8,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "legend.fontsize": 7,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=[MODEL_COLORS["a"], MODEL_COLORS["b"]]),
        "axes.unicode_minus": True,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        # Stable ids in SVG output: the same figure gives the same bytes.
        "svg.hashsalt": "pillcmp",
        "svg.fonttype": "path",
        # TrueType in PDF keeps Hangul as text (searchable, copyable) instead of Type 3 glyphs.
        "pdf.fonttype": 42,
    }


@contextmanager
def plot_style(lang: str = "en") -> Iterator[None]:
    """Apply pillcmp's plot style inside the block; every rcParam is restored on exit.

    Args:
        lang: Language of the figure's own text: 'en' or 'ko' (Hangul category names display
            in either).

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGS`.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> with plot_style("ko"):
        ...     fig, ax = plt.subplots()
        ...     _ = ax.set_title("보령부스파정 5mg")
        >>> plt.close(fig)
    """
    import matplotlib

    rc = style_rc(lang)
    with matplotlib.rc_context(rc):
        yield


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"Expected lang in {LANGS}, got {lang!r}")
