"""No function too long to read: each body (the code after its docstring) fits a limit.

The limit is a ceiling, not a goal: ``nn.train._train`` was 229 lines of set-up, step loop,
validation and file writing in one body; split into its parts, nn's longest is ~70. A body over
the limit is one to split by what its parts do.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pill_compare"
LIMIT = 160  # the longest today: analysis.compare.compare, 157 lines
NN_LIMIT = 80


def _body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = fn.body
    first = body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if docstring and isinstance(first.value.value, str):
        if len(body) == 1:
            return 0
        first = body[1]
    return (fn.end_lineno or first.lineno) - first.lineno + 1


def _long_functions() -> list[str]:
    found = []
    for module in sorted(PACKAGE.rglob("*.py")):
        rel = module.relative_to(PACKAGE)
        limit = NN_LIMIT if rel.parts[0] == "nn" else LIMIT
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = _body_lines(node)
                if n > limit:
                    found.append(f"{rel}:{node.lineno} {node.name}: {n} lines > {limit}")
    return found


def test_no_function_body_is_longer_than_the_limit():
    assert _long_functions() == []


def test_the_count_leaves_out_the_docstring():
    # 1 docstring line + 2 code lines -> 2
    fn = ast.parse('def f():\n    """Doc."""\n    a = 1\n    return a\n').body[0]
    assert _body_lines(fn) == 2
