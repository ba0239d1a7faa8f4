"""What the two comparison reports share: the report with a ground truth
(:mod:`pill_compare.report.sections.compare`) and the agreement report without one
(:mod:`pill_compare.report.sections.agreement`).

One builder for each part both arrange, taking what differs between the two as an argument (a
catalogue key, the training-support object, the glossary's entries): the cell helpers (category
labels, id lists, numbers), the header and pairing lines, the input check, the overview, the
detections' image lines, the training set's imbalance, the gallery, the glossary and the
definitions, the caveats, and the placing of figures. Every number comes from the
:class:`~pill_compare.analysis.compare.ComparisonResult`, every word from the catalogue.

The underscore names are helpers of the section modules, not part of the library's API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pill_compare.analysis.compare import ComparisonResult
from pill_compare.report.sections.diagnosis import diagnosis_section, finding_items
from pill_compare.report.sections.eval import Text, caveat_notes
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
from pill_compare.report.tables import fit_width, fmt_ids

if TYPE_CHECKING:  # pandas is imported where it is used: ~0.3 s at import
    import pandas as pd

__all__ = [
    "CELL_IDS",
    "INDEX_KEYS",
    "LABEL_CELLS",
    "PATTERN_CELLS",
    "TEXT_ROWS",
    "TOP_PATTERNS",
    "caveat_blocks",
    "closing_sections",
    "definitions_legend",
    "definitions_table",
    "disputed_images",
    "gallery_section",
    "glossary_table",
    "header_lines",
    "image_count_headers",
    "image_count_row",
    "image_lines",
    "imbalance_blocks",
    "input_check_sections",
    "overview_section",
    "pair_lines",
    "pairing_section",
    "run_rows",
]

#: Text output shows this many rows of a long table.
TEXT_ROWS = 15
#: The command's first screen shows this many swap patterns.
TOP_PATTERNS = 5
#: Compact (terminal) output: ids shown per list cell, and cells a category label may take
#: (in the swap-pattern table, and elsewhere).
CELL_IDS = 3
PATTERN_CELLS = 23
LABEL_CELLS = 28
#: Imbalance indices shown with the training set's imbalance, in order.
INDEX_KEYS = (
    "imbalance_ratio",
    "gini",
    "pielou_evenness",
    "effective_classes",
    "coefficient_of_variation",
    "rare_share",
)


# --- cells --------------------------------------------------------------------------------------


def _label(r: ComparisonResult, category_id: int, cells: int | None = None) -> str:
    """The label "<id> <name>" (the id alone without a name), cut to ``cells`` display cells."""
    name = r.diff.category_names.get(category_id)
    text = f"{category_id} {name}" if name else str(category_id)
    return text if cells is None else fit_width(text, cells)


def _ids(ids: Sequence[int], limit: int | None = None) -> str:
    return fmt_ids(list(ids), limit)


def _names(r: ComparisonResult) -> dict[str, str]:
    return {"a": r.names[0], "b": r.names[1]}


def difference_sentence(t: Text, r: ComparisonResult, key: str, **values: float | None) -> str:
    """The verdict on a lower-is-better number compared by a paired bootstrap (``key`` is
    ``"calibration"`` or ``"lrp"``: ``r.<key>`` holds ``delta``, ``ci_low``/``ci_high``,
    ``alpha``, ``n_resamples`` and ``finding``): ``<key>.finding.<finding>`` with both values,
    B − A and its interval, or ``<key>.undefined`` when B − A is undefined."""
    c = getattr(r, key)
    if c.delta is None:
        return t(f"{key}.undefined")
    interval = {"low": c.ci_low, "high": c.ci_high} if c.ci_low is not None else {}
    return t(
        f"{key}.finding.{c.finding}",
        delta=c.delta,
        level=1 - c.alpha,
        n=c.n_resamples,
        **values,
        **interval,
        **_names(r),
    )


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    """A share as a percentage with one decimal ("94.0%"), "n/a" for None."""
    return "n/a" if value is None else f"{value:.1%}"


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if value != value else value


def _missing(value: Any) -> bool:
    """None, NaN or pandas' NA (compared by its class name: pandas is imported where used)."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    return type(value).__name__ == "NAType"


def _category_cell(r: ComparisonResult, value: Any) -> str:
    return "" if _missing(value) else _label(r, int(value))


def _check(r: Any) -> None:
    if not isinstance(r, ComparisonResult):
        raise TypeError(f"Expected a ComparisonResult, got {type(r).__name__}")


# --- lines --------------------------------------------------------------------------------------


def header_lines(t: Text, r: ComparisonResult) -> list[str]:
    """What was compared, against what, with which parameters."""
    p = r.parameters
    lines = [t("header.runs", la=r.diff.loaded["a"], lb=r.diff.loaded["b"], **_names(r))]
    if r.eval_a is not None:
        ev = r.eval_a
        lines.append(
            t(
                "header.gt",
                gt=ev.gt_source or t("eval.the_ground_truth"),
                images=ev.images,
                boxes=ev.gt_boxes,
                score=p["score_threshold"],
                iou=p["iou_threshold"],
                pair_iou=p["pair_iou"],
                n=p["n_bootstrap"],
                seed=p["seed"],
            )
        )
    else:
        lines.append(t("header.no_gt", score=p["score_threshold"], pair_iou=p["pair_iou"]))
    return lines


def pair_lines(t: Text, r: ComparisonResult) -> list[str]:
    """The pairing counts, the swaps' verdicts, the one-sided boxes, and the agreement."""
    names = _names(r)
    c = r.pairing.counts()
    lines = [t("pairs.counts", **c, **names)]
    if r.disagreements is not None:
        v = r.disagreements.swap_verdicts()
        extra = ""
        if v["both_right"]:
            extra += t("pairs.both_right", n=v["both_right"])
        if v["ignored"]:
            extra += t("pairs.ignored", n=v["ignored"])
        lines.append(t("pairs.verdicts", **v, extra=extra, **names))
        for kind, name in (("a_only", names["a"]), ("b_only", names["b"])):
            o = r.disagreements.one_sided()[kind]
            errors = ", ".join(f"{k} {n}" for k, n in o["errors"].items() if n)
            lines.append(
                t(
                    "pairs.one_sided",
                    name=name,
                    boxes=o["boxes"],
                    right=o["right"],
                    wrong=o["wrong"],
                    errors=t("pairs.errors", errors=errors) if errors else "",
                    ignored=t("pairs.ignored", n=o["ignored"]) if o["ignored"] else "",
                )
            )
    ag = r.agreement
    lines.append(t("pairs.agreement", rate=_pct(ag.rate), kappa=_num(ag.kappa)))
    return lines


def image_lines(t: Text, r: ComparisonResult) -> list[str]:
    """The images both runs were compared on, and those only one run has boxes on."""
    names = _names(r)
    lines = [t("detections.images", both=r.diff.images_compared, total=r.diff.images_total)]
    for side, ids in (("a", r.diff.images_only_a), ("b", r.diff.images_only_b)):
        if ids:
            lines.append(t("detections.images_only", name=names[side], n=len(ids), ids=_ids(ids)))
    return lines


# --- per image ----------------------------------------------------------------------------------


def disputed_images(frame: pd.DataFrame) -> pd.Series:
    """Per row of an agreement frame (one row per image): whether the image has a class swap
    or a one-sided box."""
    return (frame["class_swap"] + frame["a_only"] + frame["b_only"]) > 0


def image_count_row(rec: Mapping[str, Any]) -> tuple[str, int, int, int, int]:
    """An image's id and its agreeing pairs, swaps and one-sided boxes of A and of B."""
    return (
        str(int(rec["image_id"])),
        int(rec["agree"]),
        int(rec["class_swap"]),
        int(rec["a_only"]),
        int(rec["b_only"]),
    )


def image_count_headers(t: Text, r: ComparisonResult, first: str) -> tuple[str, ...]:
    """The headers of :func:`image_count_row`'s cells (``first``: the image column's)."""
    a, b = r.names
    return (
        first,
        t("col.agree"),
        t("col.swaps"),
        t("col.only_in", name=a),
        t("col.only_in", name=b),
    )


# --- sections -----------------------------------------------------------------------------------


def input_check_sections(r: ComparisonResult, lang: str) -> list[Section]:
    """The input check first, when it found anything or a category map was applied; a clean
    check is one line of the overview's inputs instead (:func:`clean_check_blocks`)."""
    d = r.diagnosis
    runs = (r.pairing.a, r.pairing.b)
    if d is None or (not d.standing and not any(x.category_map for x in runs)):
        return []  # nothing stands: the overview says so in one line (and lists any info)
    gt_source = r.eval_a.gt_source if r.eval_a is not None else ""
    return [diagnosis_section(d, lang, runs=runs, gt_source=gt_source or "")]


def clean_check_blocks(t: Text, r: ComparisonResult, lang: str) -> tuple[Block, ...]:
    """A clean input check: one line (with any informational findings below it)."""
    d = r.diagnosis
    if d is None or d.standing or any(x.category_map for x in (r.pairing.a, r.pairing.b)):
        return ()
    clean = Paragraph(t("diagnosis.clean", checks=len(d.checks), names=", ".join(d.checks)))
    if not d.findings:
        return (clean,)
    return (clean, Bullets(finding_items(d, lang)))


def run_rows(t: Text, r: ComparisonResult, support: Any) -> list[tuple[Any, ...]]:
    """The overview's input rows of A and B (role, name, file, boxes loaded) and, with a
    training-support object (``r.support`` or ``r.agreement_support``), the training
    annotations' (its source and count)."""
    a, b = r.pairing.a, r.pairing.b
    rows: list[tuple[Any, ...]] = [
        (t("overview.role.a"), r.names[0], a.source or t("eval.in_memory"), r.diff.loaded["a"]),
        (t("overview.role.b"), r.names[1], b.source or t("eval.in_memory"), r.diff.loaded["b"]),
    ]
    if support is not None:
        rows.append(
            (
                t("overview.role.train"),
                "",
                support.train_source or "",
                support.training.total_annotations,
            )
        )
    return rows


def overview_section(
    t: Text,
    r: ComparisonResult,
    lang: str,
    *,
    summary: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    caption: str,
    params: Sequence[tuple[str, Any, str]],
    notes: Sequence[Block] = (),
    sortable_parameters: bool = True,
) -> Section:
    """``overview``: the summary sentences, the inputs (``rows`` under ``caption``, then
    ``notes`` and the clean input check) and the parameters ((name, value, meaning))."""
    inputs = Table(
        key="inputs",
        headers=(t("col.role"), t("col.name"), t("col.file"), t("col.count")),
        rows=tuple(rows),
        align="lllr",
        caption=caption,
    )
    parameters = Table(
        key="parameters",
        headers=(t("col.parameter"), t("col.value"), t("col.meaning")),
        rows=tuple((k, v if isinstance(v, str) else str(v), d) for k, v, d in params),
        align="lll",
        sortable=sortable_parameters,
    )
    return Section(
        "overview",
        t("s.overview"),
        (),
        (
            Section(
                "overview.summary",
                t("s.overview.summary"),
                tuple(Paragraph(s, emphasis=True) for s in summary),
            ),
            Section(
                "overview.inputs",
                t("s.overview.inputs"),
                (inputs, *notes, *clean_check_blocks(t, r, lang)),
            ),
            Section("overview.parameters", t("s.overview.parameters"), (parameters,)),
        ),
    )


def imbalance_blocks(
    t: Text, r: ComparisonResult, support: Any, *, note: str, sortable: bool = True
) -> list[Block]:
    """The training set's imbalance (``support``: ``r.support`` or ``r.agreement_support``):
    the max / min sentence, the indices with their definitions, ``note`` below them, and the
    classes without a training annotation."""
    tr = support.training
    rows = []
    for k in INDEX_KEYS:
        value = getattr(tr, k)
        shown: Any = value
        if k == "imbalance_ratio" and value is not None and tr.most and tr.least:
            shown = f"{tr.most.annotations} / {tr.least.annotations} = {value:.2f}"
        rows.append((t(f"index.{k}"), shown, t(f"index.{k}.definition", rare=tr.rare_threshold)))
    blocks: list[Block] = []
    if tr.imbalance_ratio is not None and tr.most and tr.least:
        blocks.append(
            Paragraph(
                t(
                    "imbalance.ratio_sentence",
                    most=tr.most.annotations,
                    most_label=_label(r, tr.most.category_id),
                    least=tr.least.annotations,
                    least_label=_label(r, tr.least.category_id),
                    ratio=tr.imbalance_ratio,
                ),
                emphasis=True,
            )
        )
    blocks.append(
        Table(
            key="imbalance_indices",
            headers=(t("col.index"), t("col.value"), t("col.definition")),
            rows=tuple(rows),
            align="lrl",
            sortable=sortable,
            caption=t(
                "imbalance.caption", source=support.train_source or "", n=tr.total_annotations
            ),
        )
    )
    blocks.append(Paragraph(note))
    if tr.zero_annotation_categories:
        blocks.append(
            Note(
                t(
                    "imbalance.zero",
                    n=len(tr.zero_annotation_categories),
                    ids=_ids([c.category_id for c in tr.zero_annotation_categories]),
                ),
                kind="caveat",
            )
        )
    return blocks


def gallery_section(
    t: Text, key: str, gallery: Gallery | None, notes: Sequence[str], *, empty: Note
) -> Section:
    """The disagreement gallery with a warning per image left out; ``empty`` when neither."""
    blocks: list[Block] = [gallery] if gallery is not None else []
    blocks += [Note(n, kind="warning") for n in notes]
    if not blocks:
        blocks.append(empty)
    return Section(key, t("s.disagreements.gallery"), tuple(blocks))


def glossary_table(t: Text, keys: Sequence[str]) -> Table:
    """The glossary entries ``keys`` (catalogue ``glossary.<key>.term|english|text``)."""
    return Table(
        key="glossary",
        headers=(t("col.term"), t("col.english"), t("col.description")),
        rows=tuple(
            (t(f"glossary.{k}.term"), t(f"glossary.{k}.english"), t(f"glossary.{k}.text"))
            for k in keys
        ),
        align="lll",
        sortable=False,
    )


def definitions_legend(t: Text, keys: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The definitions ``keys`` (catalogue ``definition.<key>.term|text``): (term, text)."""
    return tuple((t(f"definition.{k}.term"), t(f"definition.{k}.text")) for k in keys)


def definitions_table(t: Text, keys: Sequence[str]) -> Table:
    """The definitions ``keys`` as the report's table."""
    return Table(
        "definitions",
        (t("col.term"), t("col.definition")),
        definitions_legend(t, keys),
        sortable=False,
    )


def caveat_blocks(t: Text, r: ComparisonResult, *, none: str) -> list[Block]:
    """The report's caveats: one warning per caveat of ``r``, or the note ``none`` (a catalogue
    key) when there is none."""
    blocks: list[Block] = list(caveat_notes(r.caveats))
    if not r.caveats:
        blocks.append(Note(t(none), kind="info"))
    return blocks


def pairing_section(t: Text, r: ComparisonResult, patterns: tuple[Section, ...]) -> Section:
    """The command's ``disagreements``: the pairing lines, the swap patterns below them."""
    return Section(
        "disagreements", t("s.disagreements"), (Bullets(tuple(pair_lines(t, r))),), patterns
    )


def closing_sections(t: Text, r: ComparisonResult, definitions: Sequence[str]) -> list[Section]:
    """The command's last sections: ``caveats`` (when any) and ``definitions`` (one line each
    of the catalogue's ``definition.<key>`` for ``definitions``)."""
    out = []
    if r.caveats:
        out.append(Section("caveats", t("caveats.title"), caveat_notes(r.caveats)))
    lines = tuple(
        t("definition.line", term=k, text=v) for k, v in definitions_legend(t, definitions)
    )
    out.append(Section("definitions", t("s.definitions"), (Bullets(lines),)))
    return out


def _place_figures(
    sections: list[Section], figures: Mapping[str, Figure], t: Text, places: Mapping[str, str]
) -> list[Section]:
    """``sections`` with each figure appended to the section ``places`` names for its key (an
    empty caption filled from the catalogue, ``figure.<key>``)."""
    by_section: dict[str, list[Figure]] = {}
    for key, figure in figures.items():
        if not isinstance(figure, Figure):
            raise TypeError(
                f"Expected figures[{key!r}] to be a Figure, got {type(figure).__name__}"
            )
        if key not in places:
            raise ValueError(f"Expected figure keys in {sorted(places)}, got {key!r}")
        if not figure.caption:
            figure = dataclasses.replace(figure, caption=t(f"figure.{key}"))
        by_section.setdefault(places[key], []).append(figure)

    def place(s: Section) -> Section:
        subs = tuple(place(x) for x in s.subsections)
        extra = tuple(by_section.get(s.key, ()))
        if not extra and subs == s.subsections:
            return s
        return dataclasses.replace(s, blocks=s.blocks + extra, subsections=subs)

    return [place(s) for s in sections]
