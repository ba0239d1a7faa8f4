"""--help that teaches: text shown as written, flags without a type, choices listed; every
command registered through the registry (so the error handler is never forgotten)."""

import importlib
import pkgutil

import pytest

import pill_compare.cli
from pill_compare.cli import app
from pill_compare.cli.registry import COMMANDS
from tests.conftest import SAMPLE

COMMAND_NAMES = sorted(c.name for c in COMMANDS)


def help_of(runner, *args):
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_square_brackets_in_help_are_shown(runner):
    text = help_of(runner, "convert")
    assert "[score]' (normalized)" in text
    assert "[x, y, w, h]" in text
    assert "[1899, 3482, ...]" in text


@pytest.mark.parametrize("name", ["", *COMMAND_NAMES])
def test_flags_show_no_bool_type(runner, name):
    assert "<bool>" not in help_of(runner, *([name] if name else []))


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        ("convert", "<auto|coco|csv|yolo>"),
        ("convert", "<auto|coco|csv>"),
        ("merge", "<category_id|dl_idx|k_code>"),
        ("merge", "<clip|drop>"),
        ("diff", "<text|md|json|csv>"),
        ("eval", "<auto|coco|csv>"),
    ],
)
def test_enum_options_list_their_choices(runner, command, choices):
    assert choices in help_of(runner, command)


def test_every_command_module_registers_through_the_registry():
    modules = {
        f"pill_compare.cli.{m.name}"
        for m in pkgutil.iter_modules(pill_compare.cli.__path__)
        if m.name.endswith("_cmd")
    }
    for name in modules:
        importlib.import_module(name)
    assert modules == {c.module for c in COMMANDS}
    registered = {c.name for c in COMMANDS}
    assert registered == {c.name for c in app.registered_commands}
    for c in COMMANDS:
        assert c.function.__wrapped__  # cli_errors (functools.wraps) wraps every command


def test_usage_errors_name_the_flag_the_user_typed(runner):
    result = runner.invoke(
        app,
        [
            "eval",
            str(SAMPLE / "ground_truth.json"),
            str(SAMPLE / "resnet101.json"),
            "--iou",
            "0.5:0.95:1e-12",
        ],
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --iou: ")
    assert "iou_thresholds" not in result.stderr


def test_report_help_says_dash_is_no_folder(runner):
    words = " ".join(help_of(runner, "report").replace("│", " ").split())
    assert "'-' is refused: a report is a folder of files (compare -f md prints Markdown)" in words


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_usage_names_arguments_plainly(runner, name):
    usage = next(line for line in help_of(runner, name).splitlines() if "Usage:" in line)
    assert "{" not in usage and "list[" not in help_of(runner, name)


def test_commands_are_listed_in_the_order_a_user_needs_them(runner):
    text = help_of(runner)
    listed = [
        line.split()[1]
        for line in text.splitlines()
        if line.startswith("│ ") and line.split()[1:2] and line.split()[1] in COMMAND_NAMES
    ]
    assert listed[:6] == ["doctor", "report", "compare", "diff", "eval", "imbalance"]
    assert listed[-3:] == ["profile", "train", "predict"]


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_examples_fit_an_80_column_terminal_without_wrapping(runner, name):
    result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "80"})
    examples = [
        ln.strip(" │")
        for ln in result.stdout.splitlines()
        if ln.strip(" │").startswith(("pillcmp ", "torchrun "))
    ]
    assert examples, f"{name} --help shows no example"
    for line in examples:
        # an example that wrapped would end mid-command, with its tail on the next line
        following = result.stdout.splitlines()[
            result.stdout.splitlines().index(
                next(x for x in result.stdout.splitlines() if line in x)
            )
            + 1
        ].strip(" │")
        assert not following.startswith("-"), (line, following)


@pytest.mark.parametrize("name", sorted(c.name for c in COMMANDS))
def test_the_app_built_for_one_command_reads_and_answers_as_the_whole_app(runner, name):
    from pill_compare.cli.app import build_app

    one = build_app(only=name)
    for args in ([name, "--help"], [name, "--no-such-flag"]):
        whole = runner.invoke(app, args, env={"COLUMNS": "200"})
        alone = runner.invoke(one, args, env={"COLUMNS": "200"})
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
    assert [c.name for c in one.registered_commands] == [name]


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["eval", "gt.json", "r.json"], "eval"),
        (["--debug", "compare", "a", "b"], "compare"),
        (["check-submission", "s.csv"], "check-submission"),
        (["--help"], None),
        ([], None),
        (["evl", "x"], None),  # the whole app says which commands there are
        (["--", "eval"], None),
    ],
)
def test_the_entry_point_finds_the_command_a_line_runs(args, name):
    from pill_compare.cli.app import command_named

    assert command_named(args) == name


def test_help_texts_are_escaped_as_rich_markup_escape_does():
    import typer.main
    from rich.markup import escape

    from pill_compare.cli.registry import _literal

    texts = [
        "[score]",
        "[x, y, w, h] and [/b] [#fff] [@click] [1, 2] [Z]",
        "a \\[score] b \\\\[x]",
        "ends with a backslash \\",
        "ends with two \\\\",
        "[a][b]] [[c]",
        "",
    ]
    group = typer.main.get_command(app)
    for c in COMMANDS:
        texts.append(c.function.__wrapped__.__doc__ or "")
        texts += [p.help for p in group.commands[c.name].params if getattr(p, "help", None)]
    assert len(texts) > 100
    for text in texts:
        assert _literal(text) == escape(text), text
