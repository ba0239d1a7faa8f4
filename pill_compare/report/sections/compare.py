"""Section builders for a comparison (:class:`~pill_compare.analysis.compare.ComparisonResult`).

Two arrangements of the same parts, every number from the result, every word from the
catalogue (:mod:`pill_compare.report.messages`):

* :func:`compare_sections`: the report (``pillcmp report``), in the order of a hand-written
  comparison report: 0 ``diagnosis`` (when an input finding stands), 1 ``overview``,
  2 ``overall``, 3 ``detections``, 4 ``disagreements``, 5 ``per_class``, ``gt_audit``,
  6 ``errors``, 7 ``causes``, 8 ``glossary`` and ``caveats``. A part that needs training
  annotations is replaced by a ``Note(kind="absent")`` saying what they would add; without a
  ground truth the agreement report (:mod:`pill_compare.report.sections.agreement`) is built.
* :func:`compare_command_sections`: what ``pillcmp compare`` prints, one screen of findings first:
  ``findings``, ``metrics``, ``disagreements`` (with ``disagreements.patterns``), ``errors``,
  ``per_class``, ``caveats``, ``definitions``.

Without a ground truth both hand over to :mod:`pill_compare.report.sections.agreement` (a
report of agreement, with only the parts that apply).

The tables are built in :mod:`pill_compare.report.sections.compare_tables`; the parts both
reports build (overview, imbalance, gallery, glossary, caveats, the command's closing sections)
come from :mod:`pill_compare.report.sections.common`.

Subsection keys of the report: ``overview.summary``, ``overview.inputs``,
``overview.parameters``; ``detections.per_image`` (only the images where the models differ);
``disagreements.images``, ``disagreements.categories``, ``disagreements.pairs``,
``disagreements.patterns`` (one table of the class swaps with the image-level substitutions
beside them), ``disagreements.boxes``, ``disagreements.gallery``;
``per_class.worst``, ``per_class.confusions``; ``slices`` (after ``per_class``, when slices
were computed) with ``slices.<key>`` per key; ``causes.localization``, ``causes.imbalance``,
``causes.support``, ``causes.claims`` (the domain's claims, tested on the GT's pill
attributes), ``causes.evidence``; ``overall.calibration`` (D-ECE of both models);
``overall.lrp`` (optimal LRP of both models and the thresholds to submit at,
:mod:`pill_compare.report.sections.scores`);
``glossary.methods``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.report.messages import Catalogue, catalogue
from pill_compare.report.sections import common
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
    difference_sentence,
)
from pill_compare.report.sections.compare_files import CSV_FILES
from pill_compare.report.sections.compare_tables import (
    PAGE_ROWS,
    confusion_tables,
    differing_images_table,
    disagreement_table,
    disputed_boxes_blocks,
    errors_table,
    fully_agreeing_images,
    image_agreement_table,
    metrics_table,
    patterns_table,
    per_class_table,
    substitution_images,
    worst_classes_table,
)
from pill_compare.report.sections.diagnosis import blocked_summary, diagnosis_section
from pill_compare.report.sections.domain_claims import claim_bullets, claims_section
from pill_compare.report.sections.eval import (
    Text,
    describe_thresholds,
    operating_point_text,
)
from pill_compare.report.sections.gt_audit import gt_audit_section
from pill_compare.report.sections.scores import lrp_section, score_lines
from pill_compare.report.sections.slices import slice_sections
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

#: ... and this many of a table with a row per class (every class of COCO fits).
CLASS_ROWS = 200
#: Where each figure goes: figure key → section key.
FIGURE_PLACES = {
    "pr_curves": "overall",
    "score_histograms": "detections",
    "ap_comparison": "per_class",
    "confusion_pair": "per_class",
    "error_breakdown": "errors",
    "ap_by_iou": "causes.localization",
    "matched_iou": "causes.localization",
    "class_distribution": "causes.imbalance",
    "support_vs_ap": "causes.support",
    "calibration": "overall.calibration",
}
#: Glossary entries (catalogue keys ``glossary.<key>.term|english|text``), in order.
GLOSSARY = (
    "object_detection",
    "false_detection",
    "tp",
    "fp",
    "fn",
    "iou",
    "precision",
    "recall",
    "f1",
    "ap",
    "map",
    "map_75_95",
    "localization_share",
    "classification_accuracy",
    "image_exact_match",
    "operating_point",
    "olrp",
    "class_swap",
    "one_sided",
    "verdict",
    "tide",
    "bootstrap",
    "ci",
    "p_value",
    "holm",
    "mcnemar",
    "support",
    "imbalance_ratio",
    "spearman",
    "agreement",
    "kappa",
)
#: The compare definitions (catalogue keys ``definition.<key>.term|text``), in order.
DEFINITIONS = (
    "delta",
    "pairing",
    "verdict",
    "error_types",
    "localization",
    "bootstrap",
    "mcnemar",
    "statistics",
    "agreement",
)
#: Definitions that differ between tools (catalogue keys ``caveat.tools.<key>``).
TOOL_CAVEATS = ("categories", "max_dets", "tide_max_dets", "crowd", "tie_scores", "accuracy")


# --- small shared pieces ------------------------------------------------------------------------


def _absent(t: Text, key: str, **params: Any) -> Note:
    return Note(t(f"absent.{key}", **params), kind="absent")


# --- findings -----------------------------------------------------------------------------------


def verdict_lines(r: ComparisonResult, lang: str = "en") -> list[str]:
    """The significance sentence and the McNemar sentence (or why there are none); while a
    blocking input finding stands, what is wrong instead (no better model is named)."""
    msg = catalogue(lang)
    if r.blocked:
        return [blocked_summary(r.diagnosis, lang)]
    if not r.has_ground_truth:
        return [msg.NO_GROUND_TRUTH]
    out = [msg.significance_sentence(r.verdict) if r.verdict is not None else msg.NO_BOOTSTRAP]
    if r.mcnemar is not None:
        out.append(msg.mcnemar_sentence(r.mcnemar))
    return out


def support_lines(r: ComparisonResult, lang: str = "en") -> list[str]:
    """Training support against AP: per model, the gap, the disputes and the training ratio."""
    msg = catalogue(lang)
    t = msg.text
    if r.support is None and r.agreement_support is not None:
        from pill_compare.report.sections.agreement import training_lines

        return training_lines(r, lang)
    if r.support is None:
        return [t("support.not_tested")] if r.has_ground_truth else []
    d = r.support.to_dict()
    lines = [msg.support_sentence(r.names, d["spearman"])]
    gap = d["spearman"].get("delta")
    if gap:
        lines.append(msg.correlation_sentence("gap", gap))
    disputes = d.get("disputes") or {}
    if disputes.get("finding"):
        lines.append(msg.dispute_sentence(disputes))
    training = d.get("indices") or {}
    if training.get("imbalance_ratio") is not None:
        lines.append(t("support.training_ratio", ratio=training["imbalance_ratio"]))
    return lines


def _pattern_sentence(t: Text, r: ComparisonResult) -> str:
    names = _names(r)
    if r.disagreements is not None:
        if not r.disagreements.swap_patterns:
            c = r.pairing.counts()
            return t("summary.no_swaps", a_only=c["a_only"], b_only=c["b_only"], **names)
        s = r.disagreements.swap_patterns[0]
        v = s.verdicts
        only = substitution_images(r).get((s.a, s.b), 0)
        return t(
            "summary.top_pattern",
            x=_label(r, s.a),
            y=_label(r, s.b),
            swaps=s.swaps,
            images=s.images,
            only=only,
            a_right=v["a_right"],
            b_right=v["b_right"],
            both_wrong=v["both_wrong"],
            no_gt=v["no_gt"],
            **names,
        )
    if r.diff.substitutions:
        s = r.diff.substitutions[0]
        return t(
            "summary.top_substitution", x=_label(r, s.a), y=_label(r, s.b), images=s.images, **names
        )
    return t("summary.no_substitution", n=len(r.diff.differing_images), **names)


def _imbalance_sentence(msg: Catalogue, r: ComparisonResult) -> str:
    t = msg.text
    if r.support is None:
        return t("summary.imbalance.untested")
    gap = r.support.ap_delta
    ratio = r.support.training.imbalance_ratio
    finding, names, sign = gap.finding, _names(r), 1.0
    a_map = r.eval_a.coco.stats.get("map") if r.eval_a is not None else None
    b_map = r.eval_b.coco.stats.get("map") if r.eval_b is not None else None
    if a_map is not None and b_map is not None and a_map > b_map and finding in _FLIP:
        # The sentences speak of the better run's advantage: with A ahead, B − A larger on
        # rare classes is A − B larger on frequent ones, with rho of A − B (= −rho of B − A).
        finding, names, sign = _FLIP[finding], {"a": names["b"], "b": names["a"]}, -1.0
    c = gap.to_dict()
    facts = (
        msg.correlation_facts(c, rho=sign * gap.rho)
        if gap.rho is not None
        else t(f"support.reason.{gap.reason}")
        if gap.reason
        else ""
    )
    return t(
        f"summary.imbalance.{finding}",
        facts=facts,
        ratio=_num(ratio, 2),
        power=msg.power_note(c),
        **names,
    )


_FLIP = {
    "gap_larger_on_rare": "gap_larger_on_frequent",
    "gap_larger_on_frequent": "gap_larger_on_rare",
}


def summary_sentences(r: ComparisonResult, lang: str = "en") -> list[str]:
    """The overview's sentences: which run is better and whether significantly; with a ground
    truth, the dominant cause of the mAP gap with its share (``r.causes``); the biggest
    disagreement pattern and who was right; what imbalance explains."""
    if not r.has_ground_truth:
        from pill_compare.report.sections.agreement import agreement_summary

        return agreement_summary(r, lang)
    msg = catalogue(lang)
    t = msg.text
    first = verdict_lines(r, lang)[0]
    if r.blocked:
        return [first]  # nothing else is worth a headline until the inputs are fixed
    cause = [msg.cause_sentence(r.causes)] if r.causes is not None else []
    return [first, *cause, _pattern_sentence(t, r), _imbalance_sentence(msg, r)]


# --- the command's view -------------------------------------------------------------------------


def compare_command_sections(
    r: ComparisonResult, lang: str = "en", *, compact: bool = False
) -> list[Section]:
    """What ``pillcmp compare`` shows: findings, metrics, disagreements, error types, per class,
    caveats, definitions (text output: long tables cut to their ``limit``).

    Args:
        r: The comparison.
        lang: 'en' or 'ko'.
        compact: For a terminal: category labels cut to a few cells ("…") and image-id lists
            to :data:`CELL_IDS` ids ("(+N more)"); Markdown and HTML keep them whole.

    Returns:
        Sections ``findings``, ``metrics``, ``disagreements`` (subsection
        ``disagreements.patterns`` when there are swaps), ``errors``, ``imbalance``
        (``compact`` only: the support sentences, which are in ``findings`` otherwise),
        ``per_class``, ``caveats`` (when any), ``definitions``. Without a ground truth:
        :func:`~pill_compare.report.sections.agreement.agreement_command_sections`.
    """
    _check(r)
    if not r.has_ground_truth:
        from pill_compare.report.sections.agreement import agreement_command_sections

        return agreement_command_sections(r, lang, compact=compact)
    t = catalogue(lang).text
    cells = LABEL_CELLS if compact else None
    findings: list[Block] = [Paragraph("\n".join(common.header_lines(t, r)))]
    runs = (r.pairing.a, r.pairing.b)
    if r.diagnosis is not None and (r.diagnosis.standing or any(x.category_map for x in runs)):
        findings = [*diagnosis_section(r.diagnosis, lang, runs=runs).blocks, *findings]
    findings.append(Paragraph("\n".join(verdict_lines(r, lang)), emphasis=True))
    if r.causes is not None and not r.blocked:
        findings.append(Paragraph(catalogue(lang).cause_sentence(r.causes), emphasis=True))
    support = tuple(Paragraph(line) for line in support_lines(r, lang))
    scores = score_lines(t, r)
    if scores:  # calibration and oLRP: what the scores are worth, after the support sentences
        support += (Paragraph("\n".join(scores)),)
    if r.claims is not None and r.claims.has_attributes:  # the domain's claims, one line each
        supported, others = claim_bullets(t, r, r.claims)
        support += (Paragraph("\n".join([*supported, *others])),)
    if not compact:
        findings += support
    # A terminal's first screen: the findings and the metrics without titles (their lines say
    # what they are), the pattern table's caption in its title, the error types; the support
    # sentences and the score lines come after them.
    out = [Section("findings", "" if compact else t("s.findings"), tuple(findings))]
    metrics = metrics_table(t, r, display_names=False)
    out.append(Section("metrics", "" if compact else t("s.metrics"), (metrics,)))
    patterns: tuple[Section, ...] = ()
    if r.disagreements is not None and r.disagreements.swap_patterns:
        table = patterns_table(t, r, limit=TOP_PATTERNS, compact=compact)
        title = t("s.patterns")
        if compact:
            title = t("s.patterns_top", title=title, caption=table.caption)
            table = dataclasses.replace(table, caption="")
        patterns = (Section("disagreements.patterns", title, (table,)),)
    out.append(common.pairing_section(t, r, patterns))
    if r.errors_a is not None:
        tables: list[Block] = [errors_table(t, r)]
        if r.errors_strict_a is not None and r.errors_strict_b is not None:
            tables.append(errors_table(t, r, strict=True))
        out.append(Section("errors", t("s.errors"), tuple(tables)))
    if compact and support:  # the support sentences after the first screen's tables
        out.append(Section("imbalance", "", support))
    table = per_class_table(t, r, limit=TEXT_ROWS, cells=cells)
    out.append(Section("per_class", t("s.per_class"), (table,)))
    out += slice_sections(t, r)
    return out + common.closing_sections(t, r, DEFINITIONS)


# --- the report ---------------------------------------------------------------------------------


def _overview(t: Text, r: ComparisonResult, lang: str) -> Section:
    rows = common.run_rows(t, r, r.support)
    if r.eval_a is not None:
        rows.insert(2, (t("overview.role.gt"), "", r.eval_a.gt_source or "", r.eval_a.gt_boxes))
    p = r.parameters
    params: list[tuple[str, Any, str]] = [
        (t("param.score_threshold"), p["score_threshold"], t("param.score_threshold.text")),
        (t("param.iou_threshold"), p["iou_threshold"], t("param.iou_threshold.text")),
        (t("param.pair_iou"), p["pair_iou"], t("param.pair_iou.text")),
    ]
    if p.get("tide_iou") is not None:
        params.append((t("param.tide_iou"), p["tide_iou"], t("param.tide_iou.text")))
    if "iou_thresholds" in p:
        params.append(
            (
                t("param.iou_thresholds"),
                describe_thresholds(t, p["iou_thresholds"]),
                t("param.iou_thresholds.text"),
            )
        )
    params += [
        (t("param.max_dets"), ", ".join(map(str, p["max_dets"])), t("param.max_dets.text")),
        (t("param.n_bootstrap"), p["n_bootstrap"], t("param.n_bootstrap.text")),
        (t("param.seed"), p["seed"], t("param.seed.text")),
        (t("param.alpha"), p["alpha"], t("param.alpha.text")),
        (t("param.rare_threshold"), p["rare_threshold"], t("param.rare_threshold.text")),
    ]
    return common.overview_section(
        t,
        r,
        lang,
        summary=summary_sentences(r, lang),
        rows=rows,
        caption=t("overview.inputs.caption"),
        params=params,
    )


def _overall(t: Text, r: ComparisonResult, lang: str) -> Section:
    blocks: list[Block] = [metrics_table(t, r)]
    blocks += [Paragraph(line, emphasis=i == 0) for i, line in enumerate(verdict_lines(r, lang))]
    if r.metrics()["a"].get("map_75_95") is None:
        blocks.append(Note(t("note.map_75_95_missing"), kind="caveat"))
    if r.bootstrap is not None:
        blocks.append(Note(t("note.p_floor", n=r.bootstrap.n_resamples), kind="info"))
    subsections = () if r.calibration is None else (_calibration(t, r),)
    lrp = lrp_section(t, r)
    subsections += () if lrp is None else (lrp,)
    return Section("overall", t("s.overall"), tuple(blocks), subsections)


def calibration_sentence(t: Text, r: ComparisonResult) -> str | None:
    """Whether one model's scores are more trustworthy (D-ECE, ``r.calibration``), with the
    paired bootstrap interval of B − A or "not tested"; None without calibration."""
    c = r.calibration
    if c is None:
        return None
    return difference_sentence(t, r, "calibration", ece_a=c.a.ece, ece_b=c.b.ece)


def _calibration(t: Text, r: ComparisonResult) -> Section:
    """D-ECE with its definition (the matching IoU and the bins stated), the verdict sentence,
    each model's D-ECE and over-confidence, per class where both have the support (the
    figure ``calibration`` is placed here)."""
    from pill_compare.analysis.calibration import MIN_CLASS_DETECTIONS

    c = r.calibration
    assert c is not None
    a, b = r.names
    definition = t(
        "calibration.text",
        iou=c.a.iou_threshold,
        n_bins=c.a.n_bins,
        strategy=t(f"calibration.strategy.{c.a.strategy}"),
    )
    blocks: list[Block] = [
        Paragraph(calibration_sentence(t, r) or "", emphasis=True),
        Paragraph(definition),
        Table(
            key="calibration",
            headers=(
                t("col.model"),
                t("col.calibration_detections"),
                t("col.ece"),
                t("col.overconfidence"),
            ),
            rows=tuple(
                (name, cal.n, cal.ece, cal.overconfidence) for name, cal in ((a, c.a), (b, c.b))
            ),
            align="lrrr",
            signed=(3,),
            sortable=False,
            caption=t("calibration.caption"),
        ),
    ]
    per_b = {x.category_id: x for x in c.b.per_class}
    both = [(x, per_b[x.category_id]) for x in c.a.per_class if x.category_id in per_b]
    both.sort(key=lambda p: (-abs(p[1].ece - p[0].ece), p[0].category_id))
    if both:
        blocks.append(
            Table(
                key="calibration_per_class",
                headers=(
                    t("col.category"),
                    t("col.model_stat", name=a, stat="D-ECE"),
                    t("col.model_stat", name=b, stat="D-ECE"),
                    t("col.delta"),
                ),
                rows=tuple(
                    (_label(r, x.category_id), x.ece, y.ece, y.ece - x.ece) for x, y in both
                ),
                align="lrrr",
                signed=(3,),
                limit=TEXT_ROWS,
                caption=t("calibration.class_caption", min=MIN_CLASS_DETECTIONS),
            )
        )
    return Section("overall.calibration", t("s.overall.calibration"), tuple(blocks))


def _detections(t: Text, r: ComparisonResult) -> Section:
    names = _names(r)
    p = r.parameters
    lines = (
        t("detections.loaded", side="A", name=names["a"], n=r.diff.loaded["a"]),
        t("detections.loaded", side="B", name=names["b"], n=r.diff.loaded["b"]),
    )
    table = Table(
        key="detections",
        headers=(
            t("col.model"),
            t("col.loaded"),
            t("col.left_out"),
            t("col.at_operating_point", score=p["score_threshold"]),
        ),
        rows=tuple(
            (
                names[side],
                r.diff.loaded[side],
                r.diff.left_out.get(side, 0),
                r.pairing.boxes.get(side),
            )
            for side in ("a", "b")
        ),
        align="lrrr",
    )
    blocks: list[Block] = [Bullets(lines), table, Bullets(tuple(common.image_lines(t, r)))]
    agreeing, counted = fully_agreeing_images(r)
    table = image_agreement_table(
        t,
        r,
        limit=TEXT_ROWS,
        differing_only=True,
        page_limit=PAGE_ROWS,
        file=CSV_FILES["per_image"],
    )
    if table.rows:
        text = t("per_image.text", agree=agreeing, total=counted, n=counted - agreeing)
        per_image_blocks: tuple[Block, ...] = (Paragraph(text), table)
    else:
        per_image_blocks = (Paragraph(t("per_image.text_all", total=counted)),)
    per_image = Section("detections.per_image", t("s.detections.per_image"), per_image_blocks)
    return Section("detections", t("s.detections"), tuple(blocks), (per_image,))


def _disagreements(
    t: Text, r: ComparisonResult, gallery: Gallery | None, gallery_notes: Sequence[str]
) -> Section:
    d, names = r.diff, _names(r)
    a, b = r.names
    images = Section(
        "disagreements.images",
        t("s.disagreements.images"),
        (
            Paragraph(
                t("disagreements.images.text", n=len(d.differing_images), total=d.images_total)
            ),
            differing_images_table(t, r),
        ),
    )

    def only_table(key: str, counts: Mapping[int, int], name: str) -> Table:
        return Table(
            key=key,
            headers=(t("col.category"), t("col.images")),
            rows=tuple((_label(r, c), n) for c, n in counts.items()),
            align="lr",
            limit=TEXT_ROWS,
            page_limit=CLASS_ROWS,
            caption=t("disagreements.only_caption", name=name),
        )

    categories = Section(
        "disagreements.categories",
        t("s.disagreements.categories"),
        (
            only_table("only_a_categories", d.only_a_counts, a),
            only_table("only_b_categories", d.only_b_counts, b),
        ),
    )
    pairs = Section(
        "disagreements.pairs",
        t("s.disagreements.pairs"),
        (Paragraph(t("pairs.intro")), Bullets(tuple(common.pair_lines(t, r)))),
    )
    assert r.disagreements is not None
    # One table of the most frequent disagreements: the box-level class swaps with the
    # image-level substitutions beside them (the category lists of an image differ by
    # exactly that one swap), so the two views never name two different "most frequent".
    if r.disagreements.swap_patterns or d.substitutions:
        pattern_blocks: tuple[Block, ...] = (disagreement_table(t, r),)
    else:
        pattern_blocks = (Paragraph(t("patterns.none")),)
    patterns = Section("disagreements.patterns", t("s.report.patterns"), pattern_blocks)
    subsections = [images, categories, pairs, patterns]
    boxes = Section("disagreements.boxes", t("s.disagreements.boxes"), disputed_boxes_blocks(t, r))
    subsections.append(boxes)
    subsections.append(
        common.gallery_section(
            t, "disagreements.gallery", gallery, gallery_notes, empty=_absent(t, "gallery")
        )
    )
    return Section(
        "disagreements",
        t("s.disagreements"),
        (Paragraph(t("disagreements.intro", **names)),),
        tuple(subsections),
    )


def _per_class(t: Text, r: ComparisonResult) -> Section:
    assert r.eval_a is not None and r.eval_b is not None
    table = per_class_table(t, r, limit=TEXT_ROWS)
    ops = {
        side: {c.category_id: c for c in ev.operating_point.per_class}
        for side, ev in (("a", r.eval_a), ("b", r.eval_b))
    }
    a, b = r.names
    at = operating_point_text(t, r.parameters["score_threshold"], r.parameters["iou_threshold"])
    fpfn = Table(
        key="per_class_fp_fn",
        headers=(
            t("col.category"),
            "GT",
            t("col.model_stat", name=a, stat="TP"),
            t("col.model_stat", name=a, stat="FP"),
            t("col.model_stat", name=a, stat="FN"),
            t("col.model_stat", name=b, stat="TP"),
            t("col.model_stat", name=b, stat="FP"),
            t("col.model_stat", name=b, stat="FN"),
        ),
        rows=tuple(
            (
                _label(r, c.category_id),
                c.gt,
                ops["a"][c.category_id].tp,
                ops["a"][c.category_id].fp,
                ops["a"][c.category_id].fn,
                ops["b"][c.category_id].tp,
                ops["b"][c.category_id].fp,
                ops["b"][c.category_id].fn,
            )
            for c in r.eval_a.coco.per_class
        ),
        align="lrrrrrrr",
        limit=TEXT_ROWS,
        caption=t("per_class.fp_fn_caption", at=at),
        legend=tuple((k.upper(), t(f"def.op.{k}")) for k in ("tp", "fp", "fn")),
    )
    worst = Section("per_class.worst", t("s.per_class.worst"), (worst_classes_table(t, r),))
    confusions = Section(
        "per_class.confusions", t("s.per_class.confusions"), confusion_tables(t, r)
    )
    return Section("per_class", t("s.report.per_class"), (table, fpfn), (worst, confusions))


def _errors(t: Text, r: ComparisonResult) -> Section:
    if r.errors_a is None:
        return Section("errors", t("s.errors"), (_absent(t, "errors"),))
    blocks: list[Block] = [Paragraph(t("errors.intro")), errors_table(t, r)]
    if r.errors_strict_a is not None and r.errors_strict_b is not None:
        iou = r.errors_strict_a.fg_iou
        blocks += [Paragraph(t("errors.strict_intro", iou=iou)), errors_table(t, r, strict=True)]
    return Section("errors", t("s.errors"), tuple(blocks))


def _causes(t: Text, r: ComparisonResult, lang: str) -> Section:
    subsections = [
        _imbalance(t, r),
        _support(t, r, lang),
        claims_section(t, r),
        _evidence(t, r, lang),
    ]
    if r.causes is not None:
        subsections.insert(0, _localization(t, r, lang))
    return Section("causes", t("s.causes"), (Paragraph(t("causes.intro")),), tuple(subsections))


def _localization(t: Text, r: ComparisonResult, lang: str) -> Section:
    """AP at each IoU threshold, the localization share with its definition, the matched IoUs
    (the figures ``ap_by_iou`` and ``matched_iou`` are placed here)."""
    c = r.causes
    assert c is not None
    a, b = r.names
    top = r.eval_a.coco.max_dets[-1] if r.eval_a is not None else 100
    share = (
        f"{c.localization_share:.1%}"
        if c.localization_share is not None
        else t("localization.no_share")
    )
    blocks: list[Block] = [Paragraph(catalogue(lang).cause_sentence(c), emphasis=True)]
    if c.delta is not None and c.delta_loose is not None and c.delta_localization is not None:
        blocks.append(
            Paragraph(
                t(
                    "localization.text",
                    delta=c.delta,
                    loose=c.loose_iou,
                    delta_loose=c.delta_loose,
                    delta_loc=c.delta_localization,
                    share=share,
                )
            )
        )
    blocks.append(
        Table(
            key="ap_by_iou",
            headers=(t("col.iou_threshold"), a, b, t("col.delta")),
            rows=tuple(
                (f"{iou:.2f}", ap_a, ap_b, d)
                for iou, ap_a, ap_b, d in zip(
                    c.iou_thresholds.tolist(),
                    c.ap_by_iou_a,
                    c.ap_by_iou_b,
                    c.delta_by_iou,
                    strict=True,
                )
            ),
            align="lrrr",
            signed=(3,),
            sortable=False,
            caption=t("localization.caption", top=top),
        )
    )
    quantiles = (0.1, 0.25, 0.5, 0.75, 0.9)
    blocks.append(
        Table(
            key="matched_iou",
            headers=(
                t("col.model"),
                t("col.matched"),
                t("col.mean"),
                *(f"{q:.0%}" for q in quantiles),
            ),
            rows=tuple(
                (name, m.n, m.mean, *(m.quantiles.get(q) for q in quantiles))
                for name, m in ((a, c.matched_iou_a), (b, c.matched_iou_b))
            ),
            align="lrrrrrrr",
            sortable=False,
            caption=t("localization.matched_caption", iou=c.loose_iou, top=top),
        )
    )
    if r.errors_strict_a is not None:
        blocks.append(Note(t("localization.tide_note", iou=r.errors_strict_a.fg_iou), kind="info"))
    return Section("causes.localization", t("s.causes.localization"), tuple(blocks))


def _imbalance(t: Text, r: ComparisonResult) -> Section:
    key, title = "causes.imbalance", t("s.causes.imbalance")
    if r.support is None:
        return Section(key, title, (_absent(t, "imbalance"),))
    blocks = common.imbalance_blocks(t, r, r.support, note=t("imbalance.ratio_note"))
    return Section(key, title, tuple(blocks))


def _support(t: Text, r: ComparisonResult, lang: str) -> Section:
    key, title = "causes.support", t("s.causes.support")
    if r.support is None:
        return Section(key, title, (_absent(t, "support"),))
    s = r.support
    blocks: list[Block] = [
        Paragraph(line) for line in support_lines(r, lang)[:-1] or support_lines(r, lang)
    ]
    a, b = r.names
    blocks.append(
        Table(
            key="support_vs_ap",
            headers=(
                t("col.category"),
                t("col.support"),
                t("col.rare"),
                t("col.model_ap", name=a),
                t("col.model_ap", name=b),
                "ΔAP",
                t("col.disputes"),
                t("col.dispute_rate"),
            ),
            rows=tuple(
                (
                    _label(r, c.category_id),
                    c.support,
                    t("yes") if c.rare else "",
                    c.ap_a,
                    c.ap_b,
                    c.ap_delta,
                    c.disagreements,
                    c.dispute_rate,
                )
                for c in sorted(s.classes, key=lambda c: (c.support, c.category_id))
            ),
            align="lrlrrrrr",
            signed=(5,),
            limit=TEXT_ROWS,
            caption=t("support.caption", rare=s.rare_threshold),
            legend=(
                (t("col.support"), t("support.legend.support")),
                (t("col.disputes"), t("support.legend.disputes")),
                ("Spearman rho", t("support.legend.spearman")),
            ),
        )
    )
    if s.unsupported_categories:
        blocks.append(
            Note(t("support.unsupported", ids=_ids(s.unsupported_categories)), kind="caveat")
        )
    return Section(key, title, tuple(blocks))


def _evidence(t: Text, r: ComparisonResult, lang: str) -> Section:
    names = _names(r)
    supported: list[str] = []
    unsupported: list[str] = [t("evidence.architecture")]
    supported += verdict_lines(r, lang)
    if r.causes is not None:
        supported.append(catalogue(lang).cause_sentence(r.causes))
    if r.disagreements is not None:
        v = r.disagreements.swap_verdicts()
        supported.append(t("evidence.swaps", n=r.pairing.counts()["class_swap"], **v, **names))
    m = r.metrics()
    supported.append(
        t(
            "evidence.accuracy",
            acc_a=_pct(m["a"].get("classification_accuracy")),
            acc_b=_pct(m["b"].get("classification_accuracy")),
            exact_a=_pct(m["a"].get("image_exact_match")),
            exact_b=_pct(m["b"].get("image_exact_match")),
            **names,
        )
    )
    unsupported.append(t("evidence.accuracy_undefined"))
    if r.support is not None:
        supported.append(_imbalance_sentence(catalogue(lang), r))
        if r.support.ap_delta.finding != "gap_larger_on_rare":
            unsupported.append(t("evidence.imbalance_not_cause"))
    else:
        unsupported.append(t("evidence.imbalance_untested"))
    if r.claims is not None and r.claims.has_attributes:
        tested, untested = claim_bullets(t, r, r.claims)
        supported += tested
        unsupported += untested
    else:
        unsupported.append(t("evidence.domain"))
    return Section(
        "causes.evidence",
        t("s.causes.evidence"),
        (
            Paragraph(t("evidence.supported"), emphasis=True),
            Bullets(tuple(supported)),
            Paragraph(t("evidence.unsupported"), emphasis=True),
            Bullets(tuple(unsupported)),
        ),
    )


def _glossary(t: Text) -> Section:
    methods = Section(
        "glossary.methods", t("s.glossary.methods"), (common.definitions_table(t, DEFINITIONS),)
    )
    return Section("glossary", t("s.glossary"), (common.glossary_table(t, GLOSSARY),), (methods,))


def _caveats(t: Text, r: ComparisonResult) -> Section:
    blocks = common.caveat_blocks(t, r, none="caveats.none")
    blocks.append(Paragraph(t("caveats.tools")))
    blocks += [Note(t(f"caveat.tools.{k}"), kind="caveat") for k in TOOL_CAVEATS]
    return Section("caveats", t("caveats.title"), tuple(blocks))


def compare_sections(
    r: ComparisonResult,
    lang: str = "en",
    *,
    figures: Mapping[str, Figure] | None = None,
    gallery: Gallery | None = None,
    gallery_notes: Sequence[Any] = (),
    audit_gallery: Gallery | None = None,
    audit_gallery_notes: Sequence[Any] = (),
) -> list[Section]:
    r"""The report's sections, in the order of a hand-written comparison report (issue 10 §2,
    items 1-8).

    Args:
        r: The comparison.
        lang: 'en' or 'ko': every heading, label and sentence.
        figures: Figure key → :class:`Figure` (keys of :data:`FIGURE_PLACES`); each is placed
            in its section; an empty caption is filled from the catalogue (``figure.<key>``).
        gallery: The disagreement gallery (placed in ``disagreements.gallery``).
        gallery_notes: :class:`~pill_compare.report.gallery.GalleryNote`\ s from building the
            gallery (missing or refused images), worded from the catalogue.
        audit_gallery: The ground-truth audit's top cases in pictures
            (:func:`~pill_compare.report.gallery.build_audit_gallery`), placed in ``gt_audit``.
        audit_gallery_notes: Its :class:`~pill_compare.report.gallery.GalleryNote`\ s, worded
            from the catalogue.

    Returns:
        ``overview``, ``overall``, ``detections``, ``disagreements``, ``per_class``,
        ``gt_audit`` (:mod:`~pill_compare.report.sections.gt_audit`), ``errors``, ``causes``,
        ``glossary``, ``caveats`` (see the module docstring for the subsections). Without a
        ground truth: :func:`~pill_compare.report.sections.agreement.agreement_sections`.

    Raises:
        TypeError: ``r`` is not a ComparisonResult, or a figure is not a Figure.
        ValueError: an unknown language or figure key.
    """
    _check(r)
    if not r.has_ground_truth:
        from pill_compare.report.sections.agreement import agreement_sections

        return agreement_sections(
            r, lang, figures=figures, gallery=gallery, gallery_notes=gallery_notes
        )
    msg = catalogue(lang)
    t = msg.text
    sections = [
        *common.input_check_sections(r, lang),
        _overview(t, r, lang),
        _overall(t, r, lang),
        _detections(t, r),
        _disagreements(t, r, gallery, [msg.gallery_note(n) for n in gallery_notes]),
        _per_class(t, r),
        *slice_sections(t, r),
        gt_audit_section(
            t,
            r,
            gallery=audit_gallery,
            gallery_notes=[msg.gallery_note(n) for n in audit_gallery_notes],
        ),
        _errors(t, r),
        _causes(t, r, lang),
        _glossary(t),
        _caveats(t, r),
    ]
    return _place_figures(sections, figures or {}, t, FIGURE_PLACES)


__all__ = [
    "FIGURE_PLACES",
    "calibration_sentence",
    "compare_command_sections",
    "compare_sections",
    "summary_sentences",
]
