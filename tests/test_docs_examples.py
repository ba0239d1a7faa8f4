"""Every console example in README.md and docs/*.md runs as written on what the repo ships.

Each ```console block is read as a reader sees it: a ``$ `` line is a command (a trailing ``\\``
continues it on the next line), the lines after it are what it prints. The commands of a block
run in order, through ``CliRunner`` (in-process: one import for all of them), in a fresh folder
where ``data`` is the repo's ``data/`` and ``build/broken`` holds ``data/make_broken.py``'s
files, so every output (``-o e.json``, ``-o reports/sample``) lands in ``tmp_path`` and every
printed path reads as in the docs. Each command must

* exit with the code its comment names (``# exit 1``), else 1 when its shown output has an
  ``error:`` line, else 0;
* print every shown line, in order, where ``...`` stands for lines (or a part of a line) left
  out and whitespace, line wraps included, is normalized.

A command the tests cannot run (photos, trained weights, a benchmark) says why in a comment
that starts with ``not run in tests:``, on its line or on a ``#`` line above a block's first
command (then for every command of the block); any other command that is not ``pillcmp`` or
``data/make_broken.py`` fails here, so a new example is either run or marked. A block that
repeats another one's commands (README's report and docs/report.md's) runs once.
"""

from __future__ import annotations

import os
import re
import runpy
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pill_compare.cli import app
from tests.conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
#: The comment that marks a command as illustrative: ``# not run in tests: needs photos``.
NOT_RUN = "not run in tests:"
#: Scripts a block may run, by the path it names; each writes into the folder it is given.
SCRIPTS = {"data/make_broken.py": "build/broken"}


@dataclass(frozen=True)
class Command:
    """One ``$`` command of a console block: its words, its comment and the lines it shows."""

    line: int
    words: tuple[str, ...]
    comment: str
    shown: tuple[str, ...]
    not_run: str | None  # why the tests do not run it, from a '# not run in tests: ...' comment

    @property
    def expected_exit(self) -> int:
        said = re.search(r"\bexits? (\d+)\b", self.comment)
        if said:
            return int(said.group(1))
        return 1 if any(s.lstrip().startswith("error:") for s in self.shown) else 0


@dataclass(frozen=True)
class Example:
    doc: str
    line: int
    commands: tuple[Command, ...]


def _split_comment(text: str) -> tuple[str, str]:
    parts = re.split(r"\s+#\s+", text, maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def console_examples(markdown: str, doc: str) -> Iterator[Example]:
    """The console blocks of one Markdown text, each with its commands and their output."""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("```console"):
            i += 1
            continue
        start, i = i + 1, i + 1
        commands: list[Command] = []
        block_comment = ""  # a '# not run in tests: ...' line above the commands marks them all
        while i < len(lines) and not lines[i].startswith("```"):
            if not commands and lines[i].startswith("# "):
                block_comment = lines[i][2:]
            elif lines[i].startswith("$ "):
                line, text = i + 1, lines[i][2:]
                while text.endswith("\\"):
                    i += 1
                    text = text[:-1] + " " + lines[i].strip()
                command, comment = _split_comment(text)
                marked = comment if NOT_RUN in comment else block_comment
                not_run = marked.split(NOT_RUN, 1)[1].strip() if NOT_RUN in marked else None
                commands.append(Command(line, tuple(shlex.split(command)), comment, (), not_run))
            elif commands:
                last = commands[-1]
                commands[-1] = replace(last, shown=(*last.shown, lines[i]))
            i += 1
        yield Example(doc, start, tuple(commands))
        i += 1


EXAMPLES = [
    e
    for path in DOCS
    for e in console_examples(path.read_text(encoding="utf-8"), path.relative_to(REPO).as_posix())
]


def _normalized(text: str) -> str:
    return " ".join(text.split())


def assert_shows(output: str, shown: tuple[str, ...], where: str) -> None:
    """Every shown fragment (``...`` separates them) is in ``output``, in order.

    A fragment that is not there is reported by its first shown line that breaks it.
    """
    real = _normalized(output)
    position = 0
    for fragment in "\n".join(shown).split("..."):
        text = _normalized(fragment)
        if not text:
            continue
        found = real.find(text, position)
        if found < 0:
            lines = [s for s in fragment.splitlines() if s.strip()]
            kept = next(
                k for k in range(1, len(lines) + 1)
                if (real + " ").find(_normalized("\n".join(lines[:k])) + " ", position) < 0
            )  # fmt: skip
            pytest.fail(
                f"{where}: the docs show\n{lines[kept - 1]}\nwhich is not in the output "
                f"(after the lines before it):\n{output}"
            )
        position = found + len(text)


#: A block's commands -> each one's (exit code, output): a block that repeats another one
#: (README's report and docs/report.md's) runs once.
_RAN: dict[tuple[tuple[str, ...], ...], list[tuple[int, str]]] = {}


@pytest.fixture(scope="module")
def broken_dir(tmp_path_factory) -> Path:
    """``data/make_broken.py``'s files, written once for every block that reads them."""
    out = tmp_path_factory.mktemp("broken")
    runpy.run_path(str(REPO / "data" / "make_broken.py"))["main"]([str(out)])
    return out


def _workspace(root: Path, broken: Path) -> Path:
    """A folder that looks like the repo to the commands: data/, build/broken/, reports/."""
    (root / "data").symlink_to(REPO / "data", target_is_directory=True)
    (root / "build").mkdir()
    (root / "build" / "broken").symlink_to(broken, target_is_directory=True)
    (root / "reports").mkdir()
    return root


def run_command(command: Command) -> tuple[int, str]:
    """Run one command in the current folder; return its exit code and what it printed."""
    words = list(command.words)
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    if words[0] == "pillcmp":
        result = CliRunner().invoke(app, words[1:], env=env)
        assert "Traceback" not in result.output, result.output
        return result.exit_code, result.output
    if len(words) >= 2 and words[0].endswith("python") and words[1] in SCRIPTS:
        runpy.run_path(str(REPO / words[1]))["main"]([*words[2:], SCRIPTS[words[1]]])
        return 0, ""
    pytest.fail(
        f"line {command.line}: {shlex.join(command.words)!r} is neither pillcmp nor one of "
        f"{sorted(SCRIPTS)}: run it here, or mark it '# {NOT_RUN} <why>'"
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.doc}:{e.line}" for e in EXAMPLES])
def test_console_example_runs_as_written(example, tmp_path, broken_dir, monkeypatch):
    runnable = [c for c in example.commands if c.not_run is None]
    if not runnable:
        pytest.skip("not run: " + "; ".join(dict.fromkeys(c.not_run for c in example.commands)))
    key = tuple(c.words for c in runnable)
    if key not in _RAN:
        monkeypatch.chdir(_workspace(tmp_path, broken_dir))
        _RAN[key] = [run_command(c) for c in runnable]
    for command, (code, output) in zip(runnable, _RAN[key], strict=True):
        where = f"{example.doc}:{command.line}: $ {shlex.join(command.words)}"
        assert code == command.expected_exit, f"{where}: exit {code}\n{output}"
        assert_shows(output, command.shown, where)


def test_console_blocks_are_read_as_a_reader_reads_them():
    markdown = """Text, then a block that runs:

```console
$ pillcmp eval a.json \\
    b.json -o /dev/null   # exit 1: a comment
error: something
  fix: this
$ pillcmp imbalance a.json
```

```bash
$ pillcmp not-a-console-block
```

```console
# not run in tests: needs photos
$ pillcmp train --out runs/x   # trains
$ pillcmp predict -o p.json    # not run in tests: needs runs/x
```
"""
    first, second = console_examples(markdown, "x.md")  # the bash block is not an example
    assert [c.line for c in first.commands] == [4, 8]  # the file's line of each '$'
    run, imbalance = first.commands
    # The continuation is joined and the comment split off; the error line sets exit 1 and
    # the comment's "exit 1" says the same.
    assert run.words == ("pillcmp", "eval", "a.json", "b.json", "-o", "/dev/null")
    assert (run.comment, run.shown, run.not_run) == (
        "exit 1: a comment",
        ("error: something", "  fix: this"),
        None,
    )
    assert run.expected_exit == 1 and imbalance.expected_exit == 0 and imbalance.shown == ()
    # The '# not run in tests:' line above the commands marks both; a command's own wins.
    assert [c.not_run for c in second.commands] == ["needs photos", "needs runs/x"]


def test_every_marked_example_says_why():
    marked = [c for e in EXAMPLES for c in e.commands if c.not_run is not None]
    runnable = [c for e in EXAMPLES for c in e.commands if c.not_run is None]
    assert all(c.not_run for c in marked)
    # README's first example, the report on the sample, is one that runs.
    assert EXAMPLES[0].commands[0] in runnable and EXAMPLES[0].commands[0].words[1] == "report"


def test_make_examples_rewrites_the_shipped_files(tmp_path):
    runpy.run_path(str(REPO / "data" / "make_examples.py"))["main"]([str(tmp_path)])
    shipped = REPO / "data" / "examples"
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    expected = sorted(
        p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file() and p.name != "README.md"
    )
    assert written == expected
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (shipped / rel).read_bytes(), rel
    assert sum(os.path.getsize(shipped / rel) for rel in written) < 200_000


def test_shown_lines_must_be_printed_in_order_with_dots_for_the_rest():
    printed = "a 1\nb    2\n  wrapped\nc 3\n"
    assert_shows(printed, ("a 1", "b 2 wrapped", "..."), "x.md:1")  # spaces and wraps normalized
    assert_shows(printed, ("a 1", "...", "c 3"), "x.md:1")  # '...' skips "b 2 wrapped"
    with pytest.raises(pytest.fail.Exception, match="docs show\nc 4\n"):
        assert_shows(printed, ("a 1", "...", "c 4"), "x.md:1")
    with pytest.raises(pytest.fail.Exception, match="docs show\na 1\n"):
        assert_shows(printed, ("c 3", "...", "a 1"), "x.md:1")  # out of order
