"""Make text from input files safe to show: in Markdown, in spreadsheets (CSV) and on terminals.

Category names, file names and messages come from files someone else wrote. Each output escapes
them exactly once, where it is written: :func:`md_escape` in Markdown tables and lines,
:func:`csv_safe` on CSV string cells, :func:`terminal_safe` on everything printed. All of them
clean control characters with the one helper :func:`pill_compare.io.files.printable` (figures
too, through :func:`pill_compare.report.plots.shorten_label`).

Example:
    >>> md_escape("<script>a|b</script>")
    '&lt;script&gt;a\\\\|b&lt;/script&gt;'
    >>> csv_safe("=HYPERLINK(1)"), csv_safe(-3)
    ("'=HYPERLINK(1)", -3)
    >>> terminal_safe("red\\x1b[2Jtext")
    'red\\\\x1b[2Jtext'
"""

from __future__ import annotations

import re
from typing import Any

from pill_compare.io.files import CONTROL_CHARACTERS_BUT_LINES, printable

__all__ = ["Md", "csv_safe", "json_safe", "md_code", "md_escape", "terminal_safe"]

# Every character that means something inline in CommonMark / GitHub-flavoured Markdown; '_'
# between two letters or digits never starts emphasis, so `imbalance_ratio` stays as written.
# '<' and '>' become entities (an escaped '<' is still raw HTML for some renderers).
_MD_BACKSLASH = re.compile(r"([\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_]))")
# '&' only where it would start an entity: '&amp;' stays readable as '&' elsewhere.
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
# A block marker at the start of a line: heading, list item, setext underline.
_MD_BLOCK_START = re.compile(r"^(\s*)(#{1,6}|[-+=]|\d{1,9}[.)])(?=\s|$)")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\t\v\f\u2028\u2029\x85]")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _escape_block_marker(match: re.Match[str]) -> str:
    lead, marker = match.group(1), match.group(2)
    if marker[0].isdigit():  # '1.' starts a list: escape the '.' (a backslash before '1' shows)
        return f"{lead}{marker[:-1]}\\{marker[-1]}"
    return f"{lead}\\{marker}"


def terminal_safe(text: str) -> str:
    r"""Text that cannot move the cursor, clear the screen or change colours when printed.

    Control characters (C0 except ``\n`` and ``\t``, DEL, C1), bidirectional overrides and lone
    surrogates are replaced by their visible escape (``\x1b``, ``\u202e``), so an ANSI sequence
    such as ``"\x1b[2J"`` is shown as the characters ``\x1b[2J`` instead of acting. Hangul and every
    other printable character are kept.

    Args:
        text: Anything about to be printed.

    Returns:
        The text with each control character escaped; unchanged when it has none.
    """
    return printable(text, keep_lines=True)


def json_safe(json_text: str) -> str:
    r"""JSON text with every control character written as a ``\uXXXX`` escape.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but leaves DEL, C1 controls,
    bidirectional overrides and lone surrogates raw; escaped, the JSON still parses to the same
    strings, and printing it cannot act on the terminal (:func:`terminal_safe` changes nothing).

    Args:
        json_text: A JSON document (controls can only occur inside its strings).

    Returns:
        The same document, control characters escaped.
    """
    return CONTROL_CHARACTERS_BUT_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def md_escape(text: str) -> str:
    r"""Text that Markdown shows as written, in a table cell or a line of prose.

    Backslash-escapes ``\ ` * [ ] | ~`` and ``_`` (except between two letters or digits, where
    it cannot start emphasis); writes ``<`` and ``>`` as ``&lt;`` / ``&gt;`` (raw HTML
    such as ``<script>`` or ``<img onerror=...>`` is never rendered) and an ``&`` that would start
    an entity as ``&amp;``; escapes a heading or list marker at the start; turns line breaks
    (``\n``, ``\r``, tabs) into spaces, so a table row stays one row; escapes control characters
    as :func:`terminal_safe` does. Apply it once: escaping twice shows the backslashes.

    Args:
        text: Plain text (a category name, a file name, a message).

    Returns:
        The escaped text, on one line.
    """
    out = _LINE_BREAK.sub(" ", text)
    out = _MD_ENTITY.sub("&amp;", out)
    out = _MD_BACKSLASH.sub(r"\\\1", out)
    out = out.replace("<", "&lt;").replace(">", "&gt;")
    out = _MD_BLOCK_START.sub(_escape_block_marker, out, count=1)
    return terminal_safe(out)


class Md(str):
    """A string that already is Markdown: :func:`~pill_compare.report.tables.md_table` writes it
    as is (only an unescaped ``|`` is escaped, since it would split the table row)."""

    __slots__ = ()


def md_code(text: str) -> Md:
    """``text`` as an inline code span, with a fence longer than any backtick run inside.

    Args:
        text: Plain text (a path, an id list). Line breaks become spaces; control characters are
            escaped.

    Returns:
        An :class:`Md` string: the text between backticks.
    """
    body = terminal_safe(_LINE_BREAK.sub(" ", text))
    if not body:
        return Md("")  # an empty code span is not Markdown: nothing to show
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return Md(f"{fence}{pad}{body}{pad}{fence}")


def md_cell(value: str) -> str:
    """A string for a Markdown table cell: :class:`Md` kept (pipes made safe), else escaped."""
    if isinstance(value, Md):
        return _UNESCAPED_PIPE.sub(r"\\|", _LINE_BREAK.sub(" ", value))
    return md_escape(value)


# OWASP "CSV injection": a cell starting with one of these is a formula in Excel, LibreOffice and
# Google Sheets. The fullwidth forms are included: some spreadsheets normalise them on input.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def csv_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula, and that cannot act
    on a terminal when the file is printed (``cat``, ``less -r``).

    Control characters are escaped as :func:`terminal_safe` does (the same cleaning as every
    other format); then a string starting with ``= + - @``, a tab or a line break is prefixed
    with a single quote ``'`` (the OWASP rule). Anything that is not a string is returned
    unchanged: a negative number stays a number.

    Args:
        value: One cell.

    Returns:
        The cell, cleaned and neutralised when it is a string.
    """
    if not isinstance(value, str):
        return value
    value = terminal_safe(value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value
