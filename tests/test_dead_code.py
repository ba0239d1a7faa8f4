"""No dead code: every top-level function, class and constant of the package is used by the
package (or exported), read from the source with ``ast``. A name nothing uses is a copy waiting
to drift (issue 18 found ``check_train_needs_gt``, ``report_summary``, ``VERDICT_KEYS`` and
``PlotOption`` defined, documented and never called)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pill_compare"


def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def _defined(tree: ast.Module) -> list[str]:
    """Top-level names a module defines; decorated ones (registered commands) are used."""
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            if not node.decorator_list:
                names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not (n.startswith("__") and n.endswith("__"))]


def _used(trees: dict[Path, ast.Module]) -> set[str]:
    """Every name read anywhere in the package: loads, attributes, imports, ``__all__`` entries."""
    used: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.ImportFrom):
                used.update(a.name for a in node.names)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                used.update(e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant))
    return used


def _library_api(path: Path, name: str) -> bool:
    """A public function of the analysis layer: the library's API (the CLI only wraps it), which
    a user's code may call although no command does."""
    return path.parent.name == "analysis" and not name.startswith("_")


def test_every_top_level_name_is_used_or_exported():
    trees = _trees()
    used = _used(trees)
    unused = [
        f"{path.relative_to(PACKAGE.parent)}: {name}"
        for path, tree in trees.items()
        for name in _defined(tree)
        if name not in used and not _library_api(path, name)
    ]
    assert unused == []
