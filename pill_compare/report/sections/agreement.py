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
from pill_compare.report.sections.common import (
    CELL_IDS,
    LABEL_CELLS,
    PATTERN_CELLS,
    TEXT_ROWS,
    TOP_PATTERNS,
    _category_cell,
    _check,
    _finite,
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


# --- tables -------------------------------------------------------------------------------------


def swap_table(
    t: Text, r: ComparisonResult, *, limit: int | None = None, compact: bool = False
) -> Table:
    """Every swap pattern: A says X where B says Y, on how many boxes and images."""
    patterns = r.pairing.swap_patterns()
    caption = t("agreement_report.patterns_caption", n=len(patterns), **_names(r))
    return _patterns_table(
        t, r, patterns, key="swap_patterns", caption=caption, limit=limit, compact=compact
    )


def class_counts_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> Table:
    """Per class: training support (with training annotations), boxes of A and B at the
    operating point, B − A, agreeing pairs, swaps and one-sided boxes; rarest first with
    training annotations, else most boxes first."""
    frame = r.agreement.class_frame()
    counts = {int(rec["category_id"]): rec for rec in frame.to_dict(orient="records")}
    s = r.agreement_support
    a, b = r.names
    if s is not None:
        order = [c.category_id for c in s.classes if c.category_id in counts or c.support]
        support = {c.category_id: c for c in s.classes}
    else:
        order = sorted(counts, key=lambda c: (-(counts[c]["a_boxes"] + counts[c]["b_boxes"]), c))
        support = {}
    rows = []
    for cid in order:
        rec = counts.get(cid, {})
        n_a, n_b = int(rec.get("a_boxes", 0)), int(rec.get("b_boxes", 0))
        row: list[Any] = [_label(r, cid)]
        if s is not None:
            row += [support[cid].support, t("yes") if support[cid].rare else ""]
        row += [
            n_a,
            n_b,
            n_b - n_a,
            int(rec.get("agree", 0)),
            int(rec.get("swap_as_a", 0)) + int(rec.get("swap_as_b", 0)),
            int(rec.get("a_only", 0)) + int(rec.get("b_only", 0)),
        ]
        rows.append(tuple(row))
    headers = [t("col.category")]
    if s is not None:
        headers += [t("col.support"), t("col.rare")]
    headers += [
        t("agreement_report.col.model_boxes", name=a),
        t("agreement_report.col.model_boxes", name=b),
        t("col.delta"),
        t("col.agree"),
        t("col.swaps"),
        t("col.one_sided"),
    ]
    legend = [(t("col.delta"), t("definition.delta.text"))]
    if s is not None:
        legend.insert(0, (t("col.support"), t("support.legend.support")))
    return Table(
        key="class_counts",
        headers=tuple(headers),
        rows=tuple(rows),
        align="l" + ("rl" if s is not None else "") + "rrrrrr",
        signed=(len(headers) - 4,),
        limit=limit,
        caption=t(
            "agreement_report.class_counts_caption_rare"
            if s is not None
            else "agreement_report.class_counts_caption",
            score=r.pairing.score_threshold,
            rare=s.rare_threshold if s is not None else 0,
        ),
        legend=tuple(legend),
    )


def one_sided_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> Table:
    """Per class, the boxes only one run found (most first)."""
    frame = r.agreement.class_frame()
    frame = frame[(frame["a_only"] > 0) | (frame["b_only"] > 0)]
    recs = sorted(
        frame.to_dict(orient="records"),
        key=lambda c: (-(c["a_only"] + c["b_only"]), c["category_id"]),
    )
    a, b = r.names
    return Table(
        key="one_sided",
        headers=(t("col.category"), t("col.only_in", name=a), t("col.only_in", name=b)),
        rows=tuple(
            (_label(r, int(c["category_id"])), int(c["a_only"]), int(c["b_only"])) for c in recs
        ),
        align="lrr",
        limit=limit,
        caption=t("agreement_report.one_sided_caption", n=len(recs)),
    )


def class_agreement_table(
    t: Text, r: ComparisonResult, *, limit: int | None = None, cells: int | None = None
) -> Table:
    """Agreement per class (no ground truth needed), lowest first."""
    frame = r.agreement.class_frame().sort_values(["agreement_rate", "category_id"])
    rows = tuple(
        (
            _label(r, int(c["category_id"]), cells),
            int(c["a_boxes"]),
            int(c["b_boxes"]),
            int(c["agree"]),
            int(c["swap_as_a"]) + int(c["swap_as_b"]),
            int(c["a_only"]) + int(c["b_only"]),
            _finite(c["agreement_rate"]),
        )
        for c in frame.to_dict(orient="records")
    )
    return Table(
        key="class_agreement",
        headers=(
            t("col.category"),
            t("col.a_boxes"),
            t("col.b_boxes"),
            t("col.agree"),
            t("col.swaps"),
            t("col.one_sided"),
            t("col.rate"),
        ),
        rows=rows,
        align="lrrrrrr",
        limit=limit,
        caption=t("class_agreement.caption"),
    )


def images_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> tuple[Block, ...]:
    """The images with a disagreement (most first), and one sentence for the others."""
    frame = r.agreement.to_frame()
    disputed = frame[common.disputed_images(frame)]
    disputed = disputed.assign(
        _n=disputed["class_swap"] + disputed["a_only"] + disputed["b_only"]
    ).sort_values(["_n", "image_id"], ascending=[False, True])
    rows = tuple(common.image_count_row(rec) for rec in disputed.to_dict(orient="records"))
    sentence = t(
        "agreement_report.images_text",
        n=len(rows),
        total=len(frame),
        agreeing=len(frame) - len(rows),
    )
    table = Table(
        key="disputed_images",
        headers=common.image_count_headers(t, r, "image_id"),
        rows=rows,
        align="lrrrr",
        limit=limit,
    )
    return (Paragraph(sentence), table) if rows else (Paragraph(sentence),)


def boxes_table(t: Text, r: ComparisonResult, *, limit: int | None = None) -> Table:
    """Every disputed box: class swaps and one-sided boxes, with both runs' class and score."""
    frame = r.pairing.to_frame()
    frame = frame[frame["kind"] != "agree"]
    a, b = r.names

    rows = tuple(
        (
            str(int(rec["image_id"])),
            t(f"kind.{rec['kind']}"),
            _category_cell(r, rec["a_category_id"]),
            _finite(rec["a_score"]),
            _category_cell(r, rec["b_category_id"]),
            _finite(rec["b_score"]),
            _finite(rec["iou"]),
        )
        for rec in frame.to_dict(orient="records")
    )
    return Table(
        key="disputed_boxes",
        headers=(
            "image_id",
            t("col.difference"),
            t("col.model_category", name=a),
            t("col.model_score", name=a),
            t("col.model_category", name=b),
            t("col.model_score", name=b),
            "IoU",
        ),
        rows=rows,
        align="lllrlrr",
        limit=limit,
        caption=t("boxes.caption", n=len(rows)),
    )


def rare_table(t: Text, r: ComparisonResult) -> Table:
    """The rare classes: training support, both runs' boxes and their disagreements."""
    s = r.agreement_support
    assert s is not None
    a, b = r.names
    rows = tuple(
        (_label(r, c.category_id), c.support, c.a_boxes, c.b_boxes, c.disagreements)
        for c in s.classes
        if c.rare
    )
    return Table(
        key="rare_classes",
        headers=(
            t("col.category"),
            t("col.support"),
            t("agreement_report.col.model_boxes", name=a),
            t("agreement_report.col.model_boxes", name=b),
            t("col.disputes"),
        ),
        rows=rows,
        align="lrrrr",
        caption=t("agreement_report.rare_caption", n=len(rows), rare=s.rare_threshold),
        legend=((t("col.disputes"), t("agreement_report.legend.disputes")),),
    )


def rare_patterns_table(t: Text, r: ComparisonResult) -> Table:
    """The swap patterns with a rare class on either side."""
    s = r.agreement_support
    assert s is not None
    caption = t("agreement_report.rare_patterns_caption", n=len(s.rare_patterns))
    return _patterns_table(t, r, s.rare_patterns, key="rare_patterns", caption=caption)


def _patterns_table(
    t: Text,
    r: ComparisonResult,
    patterns: Sequence[Any],
    *,
    key: str,
    caption: str,
    limit: int | None = None,
    compact: bool = False,
) -> Table:
    """Swap patterns (A says X where B says Y) with their boxes, images and image ids
    (``compact``: labels and id lists cut for a terminal)."""
    cells, ids = (PATTERN_CELLS, CELL_IDS) if compact else (None, None)
    return Table(
        key=key,
        headers=(
            t("col.a_says"),
            t("col.b_says"),
            t("agreement_report.col.boxes"),
            t("col.images"),
            "image_id",
        ),
        rows=tuple(
            (
                _label(r, p.a, cells),
                _label(r, p.b, cells),
                p.swaps,
                p.images,
                _ids(p.image_ids, ids),
            )
            for p in patterns
        ),
        align="llrrl",
        limit=limit,
        caption=caption,
    )


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
