"""Render data-preparation results (merge, check-submission) as text, Markdown, JSON or CSV.

Findings are grouped by rule, errors first; every finding is shown (CSV gives one row each).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from pill_compare.prep.findings import Finding, count_severities
from pill_compare.prep.merge import MergeResult
from pill_compare.prep.submission_check import SubmissionCheck
from pill_compare.report.escape import md_code, md_escape, terminal_safe
from pill_compare.report.tables import md_table, render_as, text_table, wrap_text


def _severity_summary(findings: Sequence[Finding]) -> str:
    counts = count_severities(findings)
    parts = [f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items() if n]
    return ", ".join(parts) if parts else "nothing found"


def _groups(findings: Sequence[Finding]) -> list[tuple[tuple[str, str], list[Finding]]]:
    """Consecutive findings of one (severity, rule), in the order given (errors come first)."""
    return [
        (key, list(group)) for key, group in groupby(findings, key=lambda f: (f.severity, f.rule))
    ]


def render_findings_text(findings: Sequence[Finding]) -> list[str]:
    """``[error] rule (n)`` headings, then one indented finding each (wrapped at 120 columns)."""
    out: list[str] = []
    for (severity, rule), group in _groups(findings):
        out += ["", f"[{severity}] {rule} ({len(group)})"]
        for f in group:
            text = f"  {f.location}: {f.message}" if f.location else f"  {f.message}"
            out += wrap_text(text, indent="      ")
    return out


def render_findings_markdown(findings: Sequence[Finding]) -> list[str]:
    """One table row per finding; every cell escaped once (by :func:`md_table`)."""
    if not findings:
        return ["Nothing found."]
    rows = [[f.severity, f.rule, f.location, f.message] for f in findings]
    return [md_table(["severity", "rule", "location", "message"], rows)]


def _merge_summary(r: MergeResult) -> list[str]:
    c = r.counts
    source = {
        "category_id": "the files' own category_id (= dl_idx = K-number - 1 in AIHub data)",
        "dl_idx": "the image records' dl_idx (= K-number - 1)",
        "k_code": "the K-number of each pill's K-code",
    }[r.category_id_from]
    lines = [
        f"files: {r.files_found} found, {r.files_read} read, {r.files_bad} unreadable or malformed",
        f"output: {c['images']} images, {c['annotations']} annotations, "
        f"{c['categories']} categories",
        f"category ids: from {source}",
        f"fixed: {r.duplicates_removed} exact duplicate(s) removed, {r.boxes_dropped} box(es) "
        f"dropped, {r.boxes_clipped} clipped (boxes leaving the image: {r.bad_boxes})",
        f"missing labels: {r.labels_missing} listed pill(s) without an annotation on "
        f"{r.images_missing_labels} image(s)",
    ]
    if r.images_dir:
        lines.append(f"image sizes: checked against the files in {r.images_dir}")
    return lines


def render_merge_text(r: MergeResult, *, explain: bool = False) -> str:
    """The terminal view: what was read and written, what was fixed, then every finding.

    Args:
        r: The merge result.
        explain: Accepted for a uniform signature; the summary already says what each count is.
    """
    del explain  # each summary line names what it counts
    out = [f"Merged per-pill annotations from {r.source}", ""]
    out += [line for text in _merge_summary(r) for line in wrap_text(f"  {text}", indent="    ")]
    out += ["", f"Findings: {_severity_summary(r.findings)}"]
    out += render_findings_text(r.findings)
    return terminal_safe("\n".join(out) + "\n")


def render_merge_markdown(r: MergeResult) -> str:
    out = ["# Merged per-pill annotations", "", f"Source: {md_code(r.source)}", ""]
    out += [f"- {md_escape(line)}" for line in _merge_summary(r)]
    out += ["", f"## Findings ({_severity_summary(r.findings)})", ""]
    out += render_findings_markdown(r.findings)
    return "\n".join(out) + "\n"


def render_merge(r: MergeResult, fmt: str, *, explain: bool = False) -> str:
    """Dispatch: 'text', 'md', 'json' (summary and findings) or 'csv' (one row per finding)."""
    return render_as(r, fmt, text=render_merge_text, md=render_merge_markdown, explain=explain)


def verdict(r: SubmissionCheck) -> str:
    """The one-line answer: OK or NOT OK, and which rules ran and which were skipped.

    A rule is skipped when what it needs is missing (the ground truth, the test images, a
    column); "OK" without skipped rules means every rule ran and none found an error.

    Example:
        ``'OK for the 8 rules that ran (nothing found); 3 skipped, so not checked: box_inside,
        category_id, image_coverage'``
    """
    summary = _severity_summary(r.findings)
    skipped = [s.rule for s in r.rules if s.status == "skipped"]
    ran = len(r.rules) - len(skipped)
    if not skipped:
        if r.ok:
            return f"OK: the file will be scored ({summary})"
        return f"NOT OK: fix the errors before submitting ({summary})"
    rules = f"rule{'s' if ran != 1 else ''}"
    not_checked = f"{len(skipped)} skipped, so not checked: {', '.join(skipped)}"
    if r.ok:
        return f"OK for the {ran} {rules} that ran ({summary}); {not_checked}"
    return f"NOT OK: fix the errors before submitting ({summary}); {not_checked}"


def _check_header(r: SubmissionCheck) -> list[str]:
    against = (
        f"checked against {r.reference}"
        if r.reference
        else "checked without ground truth or test images"
    )
    expected = f" of {r.expected_images} test images" if r.expected_images is not None else ""
    return [f"{r.source}: {r.rows} rows on {r.images} image ids{expected}", against, verdict(r)]


def _rule_rows(r: SubmissionCheck, explain: bool = True) -> list[list[str]]:
    if not explain:  # the status and, for a skipped rule, why
        return [[s.rule, s.status, s.note] for s in r.rules]
    return [[s.rule, s.status, s.description + (f" ({s.note})" if s.note else "")] for s in r.rules]


def render_submission_check_text(r: SubmissionCheck, *, explain: bool = False) -> str:
    """The terminal view: the verdict, each rule's status, then every finding.

    Args:
        r: The check.
        explain: Add what each rule checks (Markdown always has it); without it the rules table
            shows the status and, for a skipped rule, why.
    """
    out = [line for text in _check_header(r) for line in wrap_text(text, indent="  ")]
    headers = ["rule", "status", "checks" if explain else "note"]
    out += ["", text_table(headers, _rule_rows(r, explain), align="lll")]
    out += render_findings_text(r.findings)
    return terminal_safe("\n".join(out) + "\n")


def render_submission_check_markdown(r: SubmissionCheck) -> str:
    out = ["# Submission check", ""]
    out += [f"- {md_escape(line)}" for line in _check_header(r)]
    out += ["", "## Rules", "", md_table(["rule", "status", "checks"], _rule_rows(r))]
    out += ["", "## Findings", ""]
    out += render_findings_markdown(r.findings)
    return "\n".join(out) + "\n"


def render_submission_check(r: SubmissionCheck, fmt: str, *, explain: bool = False) -> str:
    """Dispatch: 'text', 'md', 'json' or 'csv' (one row per finding).

    ``explain`` adds what each rule checks to the text view (Markdown always has it).
    """
    return render_as(
        r,
        fmt,
        text=render_submission_check_text,
        md=render_submission_check_markdown,
        explain=explain,
    )
