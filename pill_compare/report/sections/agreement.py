"""Section builders for a comparison *without* a ground truth: two result files, box by box.

The most common real situation is two runs on a test set whose answers are not at hand, with
the training annotations (and a class map) beside them. This report says only what those can
say: where the runs agree and where they disagree, never which one is right; no parameter,
column or caveat of an evaluation (mAP, a significance test, COCO caps, ids left out by a
ground truth) appears, and no section refers to one that is not in the report.

* :func:`agreement_sections` (``pillcmp report A B`` without ``--gt``): ``diagnosis`` (when
  the input check found something), ``overview`` (``overview.summary``, ``overview.inputs``,
  ``overview.parameters``), ``detections`` (``detections.per_class``), ``agreement``
  (``agreement.patterns``, ``agreement.one_sided``, ``agreement.images``,
  ``agreement.boxes``, ``agreement.gallery``), ``imbalance`` (with training annotations:
  ``imbalance.rare``), ``glossary``, ``caveats``.
* :func:`agreement_command_sections` (``pillcmp compare A B`` without ``--gt``):
  ``findings``, ``disagreements`` (``disagreements.patterns``), ``imbalance`` (with training
  annotations), ``class_agreement``, ``caveats``, ``definitions``.
* :func:`agreement_summary`: the overview's sentences.

The tables are built in :mod:`pill_compare.report.sections.agreement_tables`, the parts the
report shares with the one with a ground truth in :mod:`pill_compare.report.sections.common`.
Every number comes from the result (:class:`~pill_compare.analysis.compare.ComparisonResult`:
its pairing, agreement and ``agreement_support``), every word from the catalogue
(``agreement_report.*`` keys and the shared ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.report.messages import catalogue
from pill_compare.report.sections import common
from pill_compare.report.sections.agreement_tables import (
    boxes_table,
    class_agreement_table,
    class_counts_table,
    images_table,
    one_sided_table,
    rare_patterns_table,
    rare_table,
    swap_table,
)
from pill_compare.report.sections.common import (
    LABEL_CELLS,
    TEXT_ROWS,
    TOP_PATTERNS,
    _check,
    _ids,
    _label,
    _names,
    _num,
    _pct,
    _place_figures,
)
from pill_compare.report.sections.diagnosis import blocked_summary, diagnosis_section
from pill_compare.report.sections.eval import Text
from pill_compare.report.structure import (
    Block,
    Bullets,
    Figure,
    Gallery,
    Note,
    Paragraph,
    Section,
    Table,
)

__all__ = [
    "AGREEMENT_FIGURE_PLACES",
    "agreement_command_sections",
    "agreement_sections",
    "agreement_summary",
]

#: Where each figure goes without a ground truth: figure key → section key.
AGREEMENT_FIGURE_PLACES = {
    "score_histograms": "detections",
    "class_counts": "detections.per_class",
    "swap_heatmap": "agreement.patterns",
}
#: Glossary entries that apply without a ground truth (catalogue ``glossary.<key>.*``).
GLOSSARY = (
    "object_detection",
    "iou",
    "class_swap",
    "one_sided",
    "agreement",
    "kappa",
    "support",
    "imbalance_ratio",
)
#: Definitions that apply without a ground truth (catalogue ``definition.<key>.*``).
DEFINITIONS = ("pairing", "agreement")


# --- sentences ----------------------------------------------------------------------------------


def agreement_summary(r: ComparisonResult, lang: str = "en") -> list[str]:
    """The overview's sentences without a ground truth: what this is (agreement), how much the
    runs agree, the most frequent swap and the one-sided boxes, and with training annotations
    the imbalance and how many disagreements fall on rare classes."""
    _check(r)
    t = catalogue(lang).text
    if r.blocked:
        return [blocked_summary(r.diagnosis, lang)]
    names = _names(r)
    c, ag = r.pairing.counts(), r.agreement
    items = sum(c.values())
    out = [
        t("agreement_report.what", **names),
        t(
            "agreement_report.rate",
            agree=c["agree"],
            items=items,
            rate=_pct(ag.rate),
            kappa=_num(ag.kappa),
        ),
    ]
    patterns = r.pairing.swap_patterns()
    if patterns:
        s = patterns[0]
        out.append(
            t(
                "agreement_report.top_pattern",
                x=_label(r, s.a),
                y=_label(r, s.b),
                n=s.swaps,
                images=s.images,
                swaps=c["class_swap"],
                patterns=len(patterns),
                **names,
            )
        )
    else:
        out.append(t("agreement_report.no_swaps", **names))
    out.append(t("agreement_report.one_sided", a_only=c["a_only"], b_only=c["b_only"], **names))
    out += training_lines(r, lang)
    return out


def training_lines(r: ComparisonResult, lang: str = "en") -> list[str]:
    """With training annotations (and no ground truth): the imbalance ratio and where the
    disagreements fall; empty otherwise."""
    s = r.agreement_support
    if s is None:
        return []
    t = catalogue(lang).text
    tr = s.training
    out = []
    if tr.imbalance_ratio is not None and tr.most and tr.least:
        out.append(
            t(
                "agreement_report.training",
                ratio=tr.imbalance_ratio,
                most=tr.most.annotations,
                least=tr.least.annotations,
                rare=len(s.rare_categories),
                threshold=s.rare_threshold,
                gini=_num(tr.gini),
            )
        )
    if s.disagreements:
        out.append(
            t(
                "agreement_report.on_rare",
                on_rare=s.disagreements_on_rare,
                total=s.disagreements,
                share=_pct(s.share_on_rare),
                base=_pct(s.rare_box_share),
                rate_rare=_pct(s.agreement_rate_rare),
                rate_frequent=_pct(s.agreement_rate_frequent),
            )
        )
    return out


# --- the report ---------------------------------------------------------------------------------


def _overview(t: Text, r: ComparisonResult, lang: str) -> Section:
    rows = common.run_rows(t, r, r.agreement_support)
    blocks: list[Block] = []
    if r.class_map is not None:
        m = r.class_map
        rows.append((t("agreement_report.role.class_map"), "", m.source, len(m)))
        used = r.agreement.category_ids.tolist()
        named, total = m.coverage(used)
        columns = f"{m.id_column}, {m.name_column}" if m.id_column else ""
        blocks.append(
            Paragraph(
                t(
                    "agreement_report.class_map",
                    file=m.source,
                    names=len(m),
                    named=named,
                    total=total,
                    columns=t("agreement_report.class_map.columns", columns=columns)
                    if columns
                    else "",
                )
            )
        )
        if named < total:
            missing = sorted(set(used) - set(m.names))
            blocks.append(
                Note(t("agreement_report.class_map.missing", ids=_ids(missing)), kind="caveat")
            )
    p = r.parameters
    params: list[tuple[str, Any, str]] = [
        (
            t("agreement_report.param.score"),
            p["score_threshold"],
            t("agreement_report.param.score.text"),
        ),
        (t("param.pair_iou"), p["pair_iou"], t("param.pair_iou.text")),
    ]
    if "rare_threshold" in p:
        params.append(
            (t("param.rare_threshold"), p["rare_threshold"], t("param.rare_threshold.text"))
        )
    return common.overview_section(
        t,
        r,
        lang,
        summary=agreement_summary(r, lang),
        rows=rows,
        caption=t("agreement_report.inputs_caption"),
        params=params,
        notes=blocks,
        sortable_parameters=False,
    )


def _detections(t: Text, r: ComparisonResult) -> Section:
    names = _names(r)
    score = r.pairing.score_threshold
    table = Table(
        key="detections",
        headers=(t("col.model"), t("col.loaded"), t("col.at_operating_point", score=score)),
        rows=tuple(
            (names[side], r.diff.loaded[side], r.pairing.boxes.get(side)) for side in ("a", "b")
        ),
        align="lrr",
    )
    per_class = Section(
        "detections.per_class",
        t("agreement_report.s.per_class"),
        (class_counts_table(t, r, limit=TEXT_ROWS),),
    )
    images = Bullets(tuple(common.image_lines(t, r)))
    return Section("detections", t("s.detections"), (table, images), (per_class,))


def _agreement(
    t: Text, r: ComparisonResult, gallery: Gallery | None, gallery_notes: Sequence[str]
) -> Section:
    names = _names(r)
    intro: tuple[Block, ...] = (
        Paragraph(t("definition.pairing.text")),
        Bullets(tuple(common.pair_lines(t, r))),
    )
    if r.pairing.counts()["class_swap"]:
        pattern_blocks: tuple[Block, ...] = (
            Paragraph(t("agreement_report.patterns_text", **names)),
            swap_table(t, r, limit=TEXT_ROWS),
        )
    else:
        pattern_blocks = (Paragraph(t("patterns.none")),)
    empty = Note(t("agreement_report.no_gallery"), kind="info")
    subsections = (
        Section("agreement.patterns", t("s.patterns"), pattern_blocks),
        Section(
            "agreement.one_sided",
            t("agreement_report.s.one_sided"),
            (one_sided_table(t, r, limit=TEXT_ROWS),),
        ),
        Section(
            "agreement.images",
            t("agreement_report.s.images"),
            images_table(t, r, limit=TEXT_ROWS),
        ),
        Section(
            "agreement.boxes",
            t("s.disagreements.boxes"),
            (boxes_table(t, r, limit=TEXT_ROWS),),
        ),
        common.gallery_section(t, "agreement.gallery", gallery, gallery_notes, empty=empty),
    )
    return Section("agreement", t("agreement_report.s.agreement"), intro, subsections)


def _imbalance(t: Text, r: ComparisonResult, lang: str) -> Section:
    s = r.agreement_support
    assert s is not None
    note = t("agreement_report.indices_note")
    blocks = common.imbalance_blocks(t, r, s, note=note, sortable=False)
    if s.untrained_categories:
        blocks.append(
            Note(
                t("agreement_report.untrained", ids=_ids(s.untrained_categories)),
                kind="caveat",
            )
        )
    rare_blocks: list[Block] = [
        Paragraph(line, emphasis=True) for line in training_lines(r, lang)[1:]
    ]
    rare_blocks.append(rare_table(t, r))
    if s.rare_patterns:
        rare_blocks.append(rare_patterns_table(t, r))
    rare_blocks.append(Note(t("agreement_report.rare_note"), kind="info"))
    rare = Section("imbalance.rare", t("agreement_report.s.rare"), tuple(rare_blocks))
    return Section("imbalance", t("agreement_report.s.imbalance"), tuple(blocks), (rare,))


def _glossary(t: Text) -> Section:
    table = common.glossary_table(t, GLOSSARY)
    return Section("glossary", t("s.glossary"), (table, common.definitions_table(t, DEFINITIONS)))


def _caveats(t: Text, r: ComparisonResult) -> Section:
    blocks = common.caveat_blocks(t, r, none="agreement_report.caveats.none")
    blocks.append(Note(t("agreement_report.caveat.agreement"), kind="caveat"))
    blocks.append(Note(t("agreement_report.caveat.ground_truth"), kind="info"))
    return Section("caveats", t("caveats.title"), tuple(blocks))


def agreement_sections(
    r: ComparisonResult,
    lang: str = "en",
    *,
    figures: Mapping[str, Figure] | None = None,
    gallery: Gallery | None = None,
    gallery_notes: Sequence[Any] = (),
) -> list[Section]:
    r"""The report's sections without a ground truth (module docstring).

    Args:
        r: A comparison without a ground truth.
        lang: 'en' or 'ko'.
        figures: Figure key → :class:`Figure` (keys of :data:`AGREEMENT_FIGURE_PLACES`).
        gallery: The disagreement gallery (placed in ``agreement.gallery``).
        gallery_notes: :class:`~pill_compare.report.gallery.GalleryNote`\ s, worded here.

    Returns:
        ``diagnosis`` (when anything was found), ``overview``, ``detections``, ``agreement``,
        ``imbalance`` (with training annotations), ``glossary``, ``caveats``.

    Raises:
        TypeError: ``r`` is not a ComparisonResult.
        ValueError: ``r`` has a ground truth (use
            :func:`~pill_compare.report.sections.compare.compare_sections`), or an unknown
            figure key.
    """
    _check(r)
    if r.has_ground_truth:
        raise ValueError("Expected a comparison without a ground truth, got one with")
    msg = catalogue(lang)
    t = msg.text
    sections = [
        *common.input_check_sections(r, lang),
        _overview(t, r, lang),
        _detections(t, r),
        _agreement(t, r, gallery, [msg.gallery_note(n) for n in gallery_notes]),
    ]
    if r.agreement_support is not None:
        sections.append(_imbalance(t, r, lang))
    sections += [_glossary(t), _caveats(t, r)]
    return _place_figures(sections, figures or {}, t, AGREEMENT_FIGURE_PLACES)


# --- the command's view -------------------------------------------------------------------------


def agreement_command_sections(
    r: ComparisonResult, lang: str = "en", *, compact: bool = False
) -> list[Section]:
    """What ``pillcmp compare`` shows without a ground truth: the findings (the summary
    sentences), the pairing with the top swap patterns, the training imbalance (with training
    annotations), agreement per class, caveats and the two definitions that apply.

    Args:
        r: A comparison without a ground truth.
        lang: 'en' or 'ko'.
        compact: For a terminal: labels and id lists cut (as in
            :func:`~pill_compare.report.sections.compare.compare_command_sections`).
    """
    _check(r)
    t = catalogue(lang).text
    findings: list[Block] = [Paragraph("\n".join(common.header_lines(t, r)))]
    if r.diagnosis is not None and r.diagnosis.findings:
        runs = (r.pairing.a, r.pairing.b)
        findings = [*diagnosis_section(r.diagnosis, lang, runs=runs).blocks, *findings]
    summary = agreement_summary(r, lang)
    training = training_lines(r, lang)
    main = summary[: len(summary) - len(training)] if training else summary
    findings += [Paragraph(s, emphasis=i == 0) for i, s in enumerate(main)]
    out = [Section("findings", "" if compact else t("s.findings"), tuple(findings))]
    patterns: tuple[Section, ...] = ()
    if r.pairing.counts()["class_swap"]:
        table = swap_table(t, r, limit=TOP_PATTERNS if compact else None, compact=compact)
        patterns = (Section("disagreements.patterns", t("s.patterns"), (table,)),)
    out.append(common.pairing_section(t, r, patterns))
    if training:
        out.append(
            Section(
                "imbalance",
                t("agreement_report.s.imbalance"),
                tuple(Paragraph(line) for line in training),
            )
        )
    cells = LABEL_CELLS if compact else None
    out.append(
        Section(
            "class_agreement",
            t("s.class_agreement"),
            (class_agreement_table(t, r, limit=TEXT_ROWS, cells=cells),),
        )
    )
    return out + common.closing_sections(t, r, DEFINITIONS)
