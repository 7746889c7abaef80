"""One job per module, small functions: no module over ~500 lines, and no function whose
cyclomatic complexity passes 15 without a docstring saying why it is one piece."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / "framecheck").rglob("*.py")) + sorted((REPO / "plugins").glob("*.py"))
MAX_LINES = 520
MAX_COMPLEXITY = 15


def complexity(function: ast.AST) -> int:
    """McCabe's number as flake8's and ruff's C901 count it: one plus each ``if``/``elif``, loop
    (and its ``else``), ``except``, ``case`` and comprehension, not counting nested functions."""
    count = 1
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            count += 1 + bool(node.orelse)
        elif isinstance(node, (ast.If, ast.ExceptHandler, ast.match_case, ast.comprehension)):
            count += 1
        stack.extend(ast.iter_child_nodes(node))
    return count


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_modules_stay_small_and_functions_simple(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_LINES, f"{path.name}: split it by job"
    tree = ast.parse(text)
    tangled = [
        f"{node.name} (line {node.lineno}): complexity {complexity(node)}"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and complexity(node) > MAX_COMPLEXITY and not ast.get_docstring(node)
    ]
    assert tangled == []


def test_the_count_sees_branches() -> None:
    source = ("def f(a, b):\n    if a:\n        return [x for x in a]\n    elif b:\n        pass\n"
              "    for i in b:\n        pass\n    else:\n        pass\n"
              "    def inner():\n        if a:\n            pass\n")
    assert complexity(ast.parse(source).body[0]) == 1 + 1 + 1 + 1 + 2  # if, comprehension, elif, for-else
