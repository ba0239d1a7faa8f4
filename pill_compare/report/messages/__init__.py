"""Words for people, one catalogue per language, keyed by the codes analyses emit.

Analyses return codes and numbers (``SignificanceVerdict.code == 'b_better'``, a support finding
``'no_evidence'``); the words are here, so a second language is a second catalogue.

A language is a module holding data only (``en``, ``ko``; a test holds their keys and
placeholders equal):

* ``TEXTS``: key → template (every heading, label, table header, sentence, glossary entry and
  note of the reports), filled with :meth:`str.format`;
* ``RENDER_WORDS``: the renderers' own words ("Contents", "Caveat"), overriding their English
  defaults. Likewise the texts inside the figures and the gallery (``plot.<figure>.<label>``,
  ``gallery.<label>``): English is the figure modules' own defaults
  (:data:`pill_compare.report.report_plots.LABELS`,
  :data:`pill_compare.report.gallery.GALLERY_LABELS`); another language gives all of them.

:func:`catalogue` wraps one in a :class:`Catalogue`, which makes the sentences from analysis
results once for every language (``significance_sentence``, ``mcnemar_sentence``,
``support_sentence``, ...): a language changes the words and their order, not the logic.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import ModuleType
from typing import Any

__all__ = ["LANGUAGES", "Catalogue", "catalogue", "fill", "prefixed"]

LANGUAGES = ("en", "ko")

#: A correlation over fewer classes than this says so in its sentence (a rule of thumb: below
#: ~30 pairs a rank correlation detects only strong effects).
FEW_CLASSES = 30


def fill(texts: Mapping[str, str], key: str, params: Mapping[str, Any]) -> str:
    """``texts[key]`` filled with ``params`` (a template without params is returned as is).

    Raises:
        KeyError: ``key`` is not in the catalogue (a builder asked for a missing text).
    """
    try:
        template = texts[key]
    except KeyError:
        raise KeyError(f"Expected a catalogue text {key!r}, got none") from None
    return template.format(**params) if params else template


def prefixed(texts: Mapping[str, str], prefix: str) -> dict[str, str]:
    """``{rest: text}`` for every key ``<prefix>.<rest>`` (``rest`` may hold dots)."""
    head = prefix + "."
    return {k[len(head) :]: v for k, v in texts.items() if k.startswith(head)}


def num(value: float | None, digits: int = 3) -> str:
    """A number to ``digits`` decimals, "n/a" for None."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def p_value_cell(p: float | None) -> str:
    """A p-value in a table cell: '< 0.001', '0.012', 'n/a'."""
    if p is None:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


class Catalogue:
    """The words of one language, and the sentences made from analysis results with them.

    Attributes:
        lang: The language code.
        module: The language's data module (``TEXTS``, ``RENDER_WORDS``).

    Example:
        >>> catalogue("en").text("detections.loaded", side="A", name="resnet101", n=1012)
        'Result A (resnet101) loaded: 1012 detections'
    """

    num = staticmethod(num)
    p_value_cell = staticmethod(p_value_cell)

    def __init__(self, lang: str, module: ModuleType) -> None:
        self.lang = lang
        self.module = module
        self.TEXTS: Mapping[str, str] = module.TEXTS
        self.RENDER_WORDS: Mapping[str, str] = getattr(module, "RENDER_WORDS", {})

    def __repr__(self) -> str:
        return f"Catalogue(lang={self.lang!r}, texts={len(self.TEXTS)})"

    # --- lookups --------------------------------------------------------------------------

    def text(self, key: str, **params: Any) -> str:
        """``TEXTS[key]`` filled with ``params`` (KeyError naming the key when it is missing)."""
        return fill(self.TEXTS, key, params)

    def labels(self, prefix: str) -> dict[str, str]:
        """Every text under ``prefix``: ``labels("plot.pr_curves")`` → ``{"title": ..., ...}``
        (the ``labels`` argument of the figures), ``labels("gallery")`` (``build_gallery``'s);
        empty in English, whose figure texts are the figure modules' defaults."""
        return prefixed(self.TEXTS, prefix)

    def report_title(self, name_a: str, name_b: str) -> str:
        """The report's default title."""
        return self.text("report.title", a=name_a, b=name_b)

    def gallery_note(self, note: Any) -> str:
        """A gallery note (:class:`~pill_compare.report.gallery.GalleryNote`) as a sentence."""
        key = f"gallery_note.{note.code}"
        if key not in self.TEXTS:
            return str(note)
        file = f" ({note.file_name})" if note.file_name else ""
        size = getattr(note, "size", None)
        shown = f"{size[0]} × {size[1]} px" if size else ""
        return self.text(key, image_id=note.image_id, file=file, size=shown)

    @property
    def NO_BOOTSTRAP(self) -> str:
        return self.text("sentence.no_bootstrap")

    @property
    def NO_GROUND_TRUTH(self) -> str:
        return self.text("sentence.no_ground_truth")

    # --- diagnosis findings ---------------------------------------------------------------

    def finding_params(self, finding: Any) -> dict[str, Any]:
        """A :class:`~pill_compare.analysis.diagnosis.Finding`'s params ready for a template:
        the raw values, ``file`` and ``count``, and for every number ``<key>_pct`` ('78%') and
        ``<key>_3`` ('0.824'), "n/a" for None; ranges and readings worded."""
        params: dict[str, Any] = {**finding.params, "file": finding.file, "count": finding.count}
        for key, value in finding.params.items():
            if value is None or (isinstance(value, float) and value != value):
                params[f"{key}_pct"] = params[f"{key}_3"] = self.text("p.none").split()[-1]
            elif isinstance(value, int | float) and not isinstance(value, bool):
                params[f"{key}_pct"] = f"{value:.0%}"
                params[f"{key}_3"] = f"{value:.3f}"
            elif isinstance(value, list) and len(value) == 2:
                params[f"{key}_text"] = f"{value[0]}–{value[1]}"
        for key in ("run_image_range", "gt_image_range"):
            params.setdefault(f"{key}_text", "n/a")
        reading = finding.params.get("reading") or finding.fix_params.get("reading")
        if reading and f"diagnosis.reading.{reading}" in self.TEXTS:
            params["reading_text"] = self.text(f"diagnosis.reading.{reading}")
        against = finding.params.get("against")
        if against is not None:
            params["against_text"] = (
                self.text("diagnosis.box_format.against.gt")
                if against == "gt"
                else self.text("diagnosis.box_format.against.run", other=against)
            )
        sign = finding.params.get("sign")
        if sign:
            params["sign_text"] = self.text(f"diagnosis.box_format.sign.{sign}")
        if finding.code == "category_offset":
            k_number = finding.params.get("offset") == 1
            params["k_number"] = self.text("diagnosis.category_offset.k_number") if k_number else ""
        params.update({k: v for k, v in finding.fix_params.items() if k not in params})
        return params

    def finding_title(self, finding: Any) -> str:
        """The finding's short title (its code when the catalogue has none)."""
        key = f"diagnosis.{finding.code}.title"
        return self.text(key) if key in self.TEXTS else finding.code

    def finding_sentence(self, finding: Any) -> str:
        """What the finding found, with its numbers, in one or two sentences."""
        code = finding.code
        if code.startswith("box_format_"):
            base = "diagnosis.box_format.text"
        else:
            base = f"diagnosis.{code}.text"
        variant = ""
        if code == "gt_mismatch" and finding.params.get("reason") == "boxes":
            variant = "boxes"
        elif code.startswith("box_format_") and not finding.params.get("against"):
            variant = "heuristic"
        elif code == "duplicate_detections" and finding.params.get("map_before") is not None:
            variant = "map"
        key = f"{base}.{variant}" if variant and f"{base}.{variant}" in self.TEXTS else base
        if key not in self.TEXTS:
            return f"{finding.file}: {code} ({finding.count})"
        params = self.finding_params(finding)
        text = self.text(key, **params)
        if code.startswith("category_") and finding.params.get("map_before") is not None:
            text += self.text("diagnosis.category_ids.map_change", **params)
        return text

    def finding_fix(self, finding: Any) -> str:
        """The fix in one line ('' when the finding needs none)."""
        if not finding.fix:
            return ""
        key = f"diagnosis.{finding.code}.fix"
        if key not in self.TEXTS:
            key = f"diagnosis.fix.{finding.fix}"
        if key not in self.TEXTS:
            return finding.fix
        return self.text(key, **{**self.finding_params(finding), **dict(finding.fix_params)})

    def applied_map_sentence(self, dets: Any, gt_source: str = "") -> str:
        """Which category-id map was applied to a run when it was loaded, and where it came
        from (``Detections.category_map``); '' when none was."""
        m = dets.category_map
        if m is None:
            return ""
        origin_key = f"diagnosis.applied_map.origin.{m.origin}"
        origin = self.text(origin_key, source=m.source) if origin_key in self.TEXTS else m.origin
        inferred = (
            self.text("diagnosis.applied_map.inferred", gt=m.source or gt_source)
            if m.origin == "auto"
            else ""
        )
        file = dets.source or dets.name
        if m.offset and not m.mapping:
            return self.text(
                "diagnosis.applied_map.offset",
                file=file,
                origin=origin,
                offset=m.offset,
                inferred=inferred,
            )
        changed = [(k, v) for k, v in m.mapping.items() if k != v]
        examples = ", ".join(f"{k}→{v}" for k, v in changed[:3])
        if m.offset:
            examples = (examples + ", " if examples else "") + f"id {m.offset:+d}"
        return self.text(
            "diagnosis.applied_map",
            file=file,
            origin=origin,
            n=len(changed),
            examples=examples or "—",
            inferred=inferred,
        )

    # --- sentences ------------------------------------------------------------------------

    def p_text(self, p: float | None) -> str:
        """'p < 0.001', 'p = 0.012', 'p n/a'."""
        if p is None:
            return self.text("p.none")
        return self.text("p.small") if p < 0.001 else self.text("p.value", p=p)

    def _reason(self, c: Mapping[str, Any]) -> str:
        reason = c.get("reason") or ""
        key = f"support.reason.{reason}"
        return self.text(key) if key in self.TEXTS else reason

    def _finding(self, kind: str, code: str) -> str:
        key = f"finding.{kind}.{code}"
        return self.text(key) if key in self.TEXTS else code

    def correlation_facts(self, c: Mapping[str, Any], *, rho: float | None = None) -> str:
        """'Spearman rho = 0.41, p = 0.067, Holm-adjusted p = 0.337, 21 classes, fewer than 30'
        (``Correlation.to_dict()``; ``rho`` overrides the sign-bearing ρ, e.g. for A − B).
        Holm's p is shown when it differs from p; fewer than :data:`FEW_CLASSES` classes are
        said to be few."""
        holm = c.get("p_holm")
        return self.text(
            "corr.facts",
            rho=c["rho"] if rho is None else rho,
            p=self.p_text(c.get("p_value")),
            holm=""
            if holm is None or holm == c.get("p_value")
            else self.text("corr.holm", p=self.p_text(holm)),
            n=c["n"],
            few=self.text("corr.few", limit=FEW_CLASSES) if c["n"] < FEW_CLASSES else "",
        )

    def power_note(self, c: Mapping[str, Any]) -> str:
        """For a correlation with no evidence: the smallest |ρ| the data could have detected
        ('; these 21 classes could reveal only |rho| >= 0.58 ...'); '' otherwise."""
        if c.get("finding") != "no_evidence" or c.get("detectable_rho") is None:
            return ""
        return self.text(
            "corr.power", n=c["n"], rho=c["detectable_rho"], alpha=c.get("alpha", 0.05)
        )

    def correlation_sentence(self, kind: str, c: Mapping[str, Any]) -> str:
        """A finding with its Spearman numbers: '... (Spearman rho = 0.25, p = 0.282, 21
        classes, fewer than 30); these 21 classes could reveal only |rho| >= 0.58 (...).'

        Args:
            kind: Which findings the code is one of: 'support', 'gap' or 'dispute'.
            c: ``Correlation.to_dict()``.
        """
        text = self._finding(kind, c["finding"])
        if c.get("rho") is None:
            reason = self._reason(c)
            if reason:
                return self.text("sentence.correlation_reason", text=text, reason=reason)
            return self.text("sentence.plain", text=text)
        return self.text(
            "sentence.correlation",
            text=text,
            facts=self.correlation_facts(c),
            power=self.power_note(c),
        )

    def dispute_sentence(self, d: Mapping[str, Any]) -> str:
        """Where the disagreements fall: the rate per GT box against support, the raw count
        against support, and how many of the most disputed classes are rare or above the
        median support (``DisputeSupport.to_dict()``)."""
        text = self._finding("dispute", d["finding"])
        rate = d.get("rate") or {}
        if rate.get("rho") is not None:
            text += self.text("sentence.dispute.rate", facts=self.correlation_facts(rate))
            text += self.power_note(rate)
        count = d.get("count") or {}
        if count.get("rho") is not None:
            key = f"dispute.count.{count.get('finding')}"
            if key in self.TEXTS:
                text += self.text(
                    "sentence.dispute.count",
                    what=self.text(key),
                    facts=self.correlation_facts(count),
                )
        top, rare = d.get("top_k"), d.get("top_rare")
        if top and rare is not None:
            text += self.text("sentence.dispute.top", top=top, rare=rare)
            if d.get("rare_share") is not None:
                text += self.text("sentence.dispute.share", share=d["rare_share"])
            if d.get("top_above_median") is not None and d.get("top_categories"):
                text += self.text(
                    "sentence.dispute.above",
                    above=d["top_above_median"],
                    n=len(d["top_categories"]),
                )
        return self.text("sentence.plain", text=text)

    def significance_sentence(self, verdict: Any) -> str:
        """One plain sentence from a
        :class:`~pill_compare.analysis.significance.SignificanceVerdict`."""
        key = f"metric_name.{verdict.metric}"
        metric = self.text(key) if key in self.TEXTS else verdict.metric
        if verdict.delta is None:
            return self.text("sentence.significance.undefined", metric=metric)
        low, high = verdict.ci_low, verdict.ci_high
        if verdict.code == "a_better":
            # the sentence states A - B, so its interval is of A - B too
            low, high = -high, -low
        ci = self.text(
            "sentence.significance.ci", level=verdict.confidence, low=num(low), high=num(high)
        )
        p = self.p_text(verdict.p_value)
        if verdict.code in ("a_better", "b_better"):
            b_better = verdict.code == "b_better"
            facts = self.text("sentence.significance.facts", ci=ci, p=p, n=verdict.n_images)
            return self.text(
                "sentence.significance.better",
                better=verdict.name_b if b_better else verdict.name_a,
                worse=verdict.name_a if b_better else verdict.name_b,
                metric=metric,
                delta=num(verdict.delta if b_better else -verdict.delta),
                facts=facts,
            )
        return self.text(
            "sentence.significance.not_significant",
            metric=metric,
            a=verdict.name_a,
            b=verdict.name_b,
            delta=verdict.delta,
            ci=ci,
            p=p,
            n=verdict.n_images,
            alpha=verdict.alpha,
        )

    def mcnemar_sentence(self, test: Any) -> str:
        """Per GT object at the operating point, who alone got it right
        (:class:`~pill_compare.analysis.significance.McNemarResult`)."""
        return self.text(
            "sentence.mcnemar",
            score=test.score_threshold,
            iou=test.iou_threshold,
            a=test.name_a,
            b=test.name_b,
            a_only=test.a_only_correct,
            b_only=test.b_only_correct,
            p=self.p_text(test.p_value),
            both=test.both,
            neither=test.neither,
        )

    def support_sentence(self, names: tuple[str, str], spearman: Mapping[str, Any]) -> str:
        """Training support against per-class AP for both models
        (``SupportAnalysis.to_dict()['spearman']``), with the smallest detectable |ρ| when
        either shows no evidence."""
        parts = []
        power = ""
        for side, name in zip(("a", "b"), names, strict=True):
            c = spearman[side]
            what = self._finding("support", c["finding"])
            if c["rho"] is None:
                parts.append(
                    self.text(
                        "sentence.support.model_reason",
                        name=name,
                        what=what,
                        reason=self._reason(c),
                    )
                )
            else:
                parts.append(
                    self.text(
                        "sentence.support.model",
                        name=name,
                        what=what,
                        facts=self.correlation_facts(c),
                    )
                )
                power = power or self.power_note(c)
        joined = self.text("sentence.support.join").join(parts)
        return self.text("sentence.support", parts=joined, power=power)

    def cause_sentence(self, causes: Any) -> str:
        """The dominant cause of the mAP gap with its share
        (:class:`~pill_compare.analysis.causes.Causes`), worded from the better run's side."""
        c = causes
        if c.delta is None:
            return self.text("summary.cause.undefined")
        if c.localization_share is None:
            return self.text("summary.cause.no_gap")
        sign = 1.0 if c.delta > 0 else -1.0
        better, worse = (c.names[1], c.names[0]) if sign > 0 else c.names
        common = {
            "better": better,
            "worse": worse,
            "delta": sign * c.delta,
            "loose": c.loose_iou,
            "delta_loose": sign * (c.delta_loose or 0.0),
            "share": c.localization_share,
        }
        d = c.dominant
        if d is None:
            return self.text("summary.cause.none", **common)
        if d.basis == "ap_by_iou":
            return self.text("summary.cause.localization", **common)
        part = ""
        if d.share is not None:
            part = self.text("summary.cause.tide_share", tide_share=d.share)
        return self.text(
            "summary.cause.tide",
            cause=self.text(f"cause.{d.code}"),
            value=d.value,
            part=part,
            **common,
        )


@functools.cache
def catalogue(lang: str = "en") -> Catalogue:
    """The :class:`Catalogue` of ``lang``.

    Raises:
        ValueError: a language without a catalogue.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"Expected lang in {LANGUAGES}, got {lang!r}")
    if lang == "ko":
        from pill_compare.report.messages import ko as module
    else:
        from pill_compare.report.messages import en as module
    return Catalogue(lang, module)
