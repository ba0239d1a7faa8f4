"""The one-way flow, read from the source with ``ast`` (every import, also inside functions):

    core (core, errors, consistency, parallel, lazy) <- io <- analysis, prep <- report <- cli

A module imports only from its own layer or below; analysis and prep do not import each other;
nothing but ``pill_compare.__main__`` imports cli; ``nn`` imports only core, io and analysis (its
training loop validates with ``evaluate``) and torch; torch, torchvision and timm are imported
nowhere outside ``nn``. No exception: the torchrun entry is ``torchrun -m pill_compare train``
(the CLI, which imports nn lazily), so no import circle runs between nn and cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pill_compare"

LAYER = {
    "version": 0,
    "errors": 0,
    "core": 0,
    "consistency": 0,
    "parallel": 0,
    "lazy": 0,
    "io": 1,
    "analysis": 2,
    "prep": 2,
    "report": 3,
}
LAYER["cli"] = 4
SIBLINGS_APART = {("analysis", "prep"), ("prep", "analysis")}
NN_MAY_IMPORT = {"version", "errors", "core", "consistency", "io", "analysis", "nn"}
DEEP_LEARNING = {"torch", "torchvision", "timm"}


def _part(module: Path) -> str:
    """'io' for pill_compare/io/results.py, 'core' for pill_compare/core.py, '' for __init__."""
    rel = module.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(module: Path) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every import in the file."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return _resolve(module, tree)


def _resolve(module: Path, tree: ast.AST) -> list[tuple[int, str]]:
    package = ["pill_compare", *module.relative_to(PACKAGE).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _violations(module: Path) -> list[str]:
    here = _part(module)
    tree = ast.parse(module.read_text(encoding="utf-8"))
    out = []
    for line, name in _resolve(module, tree):
        where = f"{module.relative_to(PACKAGE.parent)}:{line} imports {name}"
        top = name.split(".")[0]
        if top in DEEP_LEARNING and here != "nn":
            out.append(f"{where}: torch & co. belong in pill_compare.nn only")
        if top != "pill_compare":
            continue
        parts = name.split(".")
        target = parts[1] if len(parts) > 1 else ""
        if target == "cli" and here not in ("cli", "__main__"):
            out.append(f"{where}: nothing imports the CLI")
        elif here == "nn":
            if target not in NN_MAY_IMPORT:
                out.append(f"{where}: nn imports only core, io and analysis")
        elif target == "nn":
            if here not in ("cli",):
                out.append(f"{where}: only the CLI reaches into nn (lazily)")
        elif here == "__init__":
            if target in ("cli",):
                out.append(f"{where}: the public API does not import the CLI")
        elif here == "__main__":
            continue
        elif target == "":
            if LAYER.get(here, 0) < LAYER["cli"]:
                out.append(f"{where}: importing the package facade from inside a layer is a cycle")
        elif target in LAYER and here in LAYER:
            if LAYER[target] > LAYER[here]:
                out.append(f"{where}: {here} (layer {LAYER[here]}) reaches up to {target}")
            elif (here, target) in SIBLINGS_APART:
                out.append(f"{where}: {here} and {target} are independent")
    return out


def test_every_package_part_has_a_layer():
    parts = {_part(m) for m in _modules()} - {"__init__", "__main__", "nn"}
    assert parts <= set(LAYER), f"give these a layer in tests/test_layers.py: {parts - set(LAYER)}"


@pytest.mark.parametrize("module", _modules(), ids=lambda m: str(m.relative_to(PACKAGE)))
def test_imports_flow_one_way(module):
    assert _violations(module) == []


def test_the_checker_catches_an_upward_import(tmp_path, monkeypatch):
    fake = PACKAGE / "analysis" / "_layer_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: "from ..report import x\n")
    problems = _violations(fake)
    assert problems and "analysis (layer 2) reaches up to report" in problems[0]


def _probe(monkeypatch, source: str) -> list[str]:
    fake = PACKAGE / "nn" / "_layer_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    return _violations(fake)


def test_nn_may_not_import_the_report_or_the_cli_at_module_level(monkeypatch):
    assert (
        "nn imports only core, io and analysis"
        in _probe(monkeypatch, "from ..report import x\n")[0]
    )
    assert "nothing imports the CLI" in _probe(monkeypatch, "from pill_compare.cli import app\n")[0]
    helper = "def helper():\n    from pill_compare.cli import app\n"
    assert "nothing imports the CLI" in _probe(monkeypatch, helper)[0]


def test_not_even_an_nn_entry_points_main_may_import_the_cli(monkeypatch):
    # cli/train_cmd.py imports nn.train: an import back from nn would be a circle
    entry = "def main():\n    from pill_compare.cli.train_cmd import run\n    run()\n"
    assert "nothing imports the CLI" in _probe(monkeypatch, entry)[0]
    assert _probe(monkeypatch, "from pill_compare.analysis.evaluate import evaluate\n") == []
