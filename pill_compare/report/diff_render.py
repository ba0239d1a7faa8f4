"""Render a :class:`~pill_compare.analysis.diff.DiffResult` as text, Markdown, JSON or CSV."""

from __future__ import annotations

from pill_compare.analysis.diff import DiffResult
from pill_compare.report.tables import fmt_ids, md_table, render_as, text_table


def _summary_lines(r: DiffResult) -> list[str]:
    a, b = r.names
    thr = f" with score >= {r.score_threshold:g}" if r.score_threshold > 0 else ""
    mode = "multiset (duplicates count)" if r.multiset else "set of category ids"
    lines = [
        f"Result A ({a}) loaded: {r.loaded['a']} detections"
        + (f", {r.detections['a']} kept{thr}" if thr else ""),
        f"Result B ({b}) loaded: {r.loaded['b']} detections"
        + (f", {r.detections['b']} kept{thr}" if thr else ""),
        f"Images with detections in both: {r.images_compared}",
        f"Images whose category lists differ: {len(r.differing_images)} "
        f"of {r.images_compared} (compared as a {mode})",
    ]
    if r.images_only_a:
        lines.append(
            f"Images with detections only in {a}: {len(r.images_only_a)} {fmt_ids(r.images_only_a)}"
        )
    if r.images_only_b:
        lines.append(
            f"Images with detections only in {b}: {len(r.images_only_b)} {fmt_ids(r.images_only_b)}"
        )
    return lines


def _image_rows(r: DiffResult) -> tuple[list[str], list[list[str]]]:
    a, b = r.names
    headers = ["image_id", a, b, f"only {a}", f"only {b}"]
    rows = [
        [str(d.image_id), fmt_ids(d.a), fmt_ids(d.b), fmt_ids(d.only_a), fmt_ids(d.only_b)]
        for d in r.differing_images
    ]
    return headers, rows


def _count_rows(r: DiffResult, counts: dict[int, int]) -> list[list[object]]:
    return [[r.category_label(c), n] for c, n in counts.items()]


def _substitution_rows(r: DiffResult) -> list[list[object]]:
    return [
        [r.category_label(s.a), r.category_label(s.b), s.images, fmt_ids(s.image_ids)]
        for s in r.substitutions
    ]


def render_diff_text(r: DiffResult) -> str:
    """The terminal view: summary, differing images, one-sided categories, substitutions."""
    a, b = r.names
    out = _summary_lines(r)
    if not r.differing_images:
        out.append("\nNo image differs.")
        return "\n".join(out) + "\n"
    headers, rows = _image_rows(r)
    out += ["", "Differing images:", text_table(headers, rows, align="lllll")]
    for name, counts in ((a, r.only_a_counts), (b, r.only_b_counts)):
        if counts:
            out += ["", f"Categories detected only by {name} (in how many differing images):"]
            out.append(text_table(["category", "images"], _count_rows(r, counts)))
    if r.substitutions:
        out += ["", f"Substitutions ({a} has X where {b} has Y, nothing else differs):"]
        out.append(
            text_table(
                [f"{a} (X)", f"{b} (Y)", "images", "image ids"], _substitution_rows(r), align="llrl"
            )
        )
    return "\n".join(out) + "\n"


def render_diff_markdown(r: DiffResult) -> str:
    """A Markdown section in the shape of the seed report's §3.2–4.2."""
    a, b = r.names
    out = [f"# Category-id diff: {a} vs {b}", "", "## Detections", ""]
    out += [f"- {line}" for line in _summary_lines(r)]
    out += ["", "## Differing images", ""]
    if r.differing_images:
        headers, rows = _image_rows(r)
        out.append(
            md_table(headers, [[f"`{c}`" if i else c for i, c in enumerate(row)] for row in rows])
        )
    else:
        out.append("No image differs.")
    for name, counts in ((a, r.only_a_counts), (b, r.only_b_counts)):
        out += ["", f"## Categories detected only by {name}", ""]
        out.append(
            md_table(["category", "differing images"], _count_rows(r, counts))
            if counts
            else "None."
        )
    out += ["", "## Substitutions", ""]
    if r.substitutions:
        out.append(
            f"An image counts as X → Y when {a} has exactly one category X that {b} lacks "
            f"and {b} exactly one category Y that {a} lacks."
        )
        out += [
            "",
            md_table([f"{a} (X)", f"{b} (Y)", "images", "image ids"], _substitution_rows(r)),
        ]
    else:
        out.append("None.")
    return "\n".join(out) + "\n"


def render_diff(r: DiffResult, fmt: str) -> str:
    """Dispatch on the output format: 'text', 'md', 'json' or 'csv' (one row per differing image)."""
    return render_as(r, fmt, text=render_diff_text, md=render_diff_markdown)
