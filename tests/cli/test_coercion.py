"""Command-line values converted without pydantic give what typer's own conversion gives:
for every parameter of every command, on plain values, edge cases and bad values alike."""

import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
import typer
from typer._coercion import build_runtime_param
from typer._param_types import lenient_issubclass
from typer._typing import get_args, get_origin

from pill_compare.cli import coercion
from pill_compare.cli.app import build_app
from tests.conftest import SAMPLE

NUMBERS = [
    "0", "1", "7", "007", "42", "999999999999999999", "9999999999999999999", "-1", "+1", "1_000",
    " 1", "1 ", "", "1.0", "0.5", ".5", "5.", "05.5", "1e-3", "2E5", "1e99", "1e400", "1e-400",
    "0.1000000000000000055511151231257827", "3.14159265358979323846", "inf", "-inf", "nan",
    "abc", "1,5", "0x10", "١٢",
]  # fmt: skip


def _command_params():
    group = typer.main.get_command(build_app())
    for name, command in sorted(group.commands.items()):
        for p in command.params:
            if getattr(p, "type_descriptor", None) is not None:
                yield name, command, p
    for p in group.params:
        yield "pillcmp", group, p


PARAMS = list(_command_params())


def _values(p, tmp_path):
    descriptor = p.type_descriptor
    annotation = descriptor.annotation
    leaf = get_args(annotation)[0] if get_origin(annotation) is list else annotation
    a_file = str(SAMPLE / "ground_truth.json")
    if leaf is str:
        raw = ["", "resnet101", " spaced ", "ü", "-"]
    elif lenient_issubclass(leaf, Enum):
        raw = [m.value for m in leaf] + [m.value.upper() for m in leaf] + ["nope", ""] + list(leaf)
    elif leaf is int or leaf is float:
        raw = [*NUMBERS, *([p.default] if p.default is not None else [])]
    elif lenient_issubclass(leaf, Path):
        raw = [
            a_file,
            str(tmp_path),
            str(tmp_path / "missing.json"),
            "",
            "-",
            "a\x00b",
            Path(a_file),
        ]
    elif leaf is bool:
        raw = [True, False, "true", "0", ""]
    else:
        pytest.fail(f"a parameter type the test does not know: {annotation!r}")
    if get_origin(annotation) is list:
        return [tuple(raw[:2]), tuple(raw[-2:]), (), (raw[0],)]
    return raw


def _outcome(runtime, value, p, ctx):
    try:
        got = runtime.coerce(value, param=p, ctx=ctx)
    except Exception as exc:  # typer's BadParameter (or pydantic's error, wrapped by typer)
        return ("error", type(exc).__name__, str(getattr(exc, "message", exc)))
    return ("value", type(got).__name__, repr(got))  # repr: nan equals nan


@pytest.mark.parametrize(("name", "command", "p"), PARAMS, ids=lambda x: getattr(x, "name", x))
def test_each_parameter_converts_as_typer_converts_it(name, command, p, tmp_path):
    ctx = typer.Context(command)
    plain = coercion.PlainValues(
        parameter_info=p.type_descriptor.parameter_info,
        annotation=p.type_descriptor.annotation,
        descriptor=p.type_descriptor,
    )
    typers = build_runtime_param(p.type_descriptor)
    for value in _values(p, tmp_path):
        assert _outcome(plain, value, p, ctx) == _outcome(typers, value, p, ctx), (name, value)


def test_plain_numbers_need_no_typer_conversion():
    ranged = next(p for _, _, p in PARAMS if p.name == "score_thr").type_descriptor
    assert coercion.plain_value("0.25", ranged) == 0.25
    assert coercion.plain_value("1e-3", ranged) == 0.001
    assert coercion.plain_value("-1", ranged) is coercion.TYPER  # below its minimum: typer says so
    assert coercion.plain_value("inf", ranged) is coercion.TYPER


def test_a_command_runs_without_importing_pydantic(tmp_path):
    code = (
        "import sys; from pill_compare.cli.app import main; sys.argv = ['pillcmp', 'eval', "
        f"{str(SAMPLE / 'ground_truth.json')!r}, {str(SAMPLE / 'resnet101.json')!r}, '-f', "
        f"'json', '-o', {str(tmp_path / 'e.json')!r}, '--score-thr', '0.4']\n"
        "import atexit; atexit.register(lambda: print('pydantic' in sys.modules))\nmain()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert (tmp_path / "e.json").is_file()


def test_a_bad_value_is_worded_by_typer(runner):
    from pill_compare.cli import app

    result = runner.invoke(
        app, ["eval", str(SAMPLE / "ground_truth.json"), str(SAMPLE / "resnet101.json"),
              "--score-thr", "-1"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Invalid value for '--score-thr': Input should be greater than or equal to 0" in (
        result.output
    )


def test_without_typers_conversion_parts_typer_converts_every_value(runner, monkeypatch, tmp_path):
    from pill_compare.cli import app

    monkeypatch.setattr(coercion, "build_runtime_param", None)  # as with another typer
    command = typer.main.get_command(build_app(only="eval")).commands["eval"]
    coercion.install(command.params)
    assert all(getattr(p, "_runtime_param", None) is None for p in command.params)
    out = tmp_path / "e.json"
    args = [str(SAMPLE / "ground_truth.json"), str(SAMPLE / "resnet101.json"), "-o", str(out)]
    result = runner.invoke(app, ["eval", *args, "-f", "json", "--score-thr", "0.4"])
    assert result.exit_code == 0, result.output
    assert out.is_file()
