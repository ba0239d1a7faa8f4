"""Words for people, one catalogue per language, keyed by the codes analyses emit.

Analyses return codes and numbers (``SignificanceVerdict.code == 'b_better'``, a support finding
``'no_evidence'``); the sentences are made here, so a second language is a second catalogue.
"""

from __future__ import annotations

from types import ModuleType

LANGUAGES = ("en",)


def catalogue(lang: str = "en") -> ModuleType:
    """The message module of ``lang``.

    Raises:
        ValueError: a language without a catalogue.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"Expected lang in {LANGUAGES}, got {lang!r}")
    from pill_compare.report.messages import en

    return en
