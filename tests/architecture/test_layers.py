"""The package's layers, read from its imports: data flows one way.

framecheck is built in layers, each a subpackage that may import only the ones below it:

    core < languages < packs < inputs < outputs < engine < learn < app < serve < lsp < cli

A lower package never imports a higher one (not even inside a function or for type checking),
modules do not import each other in a cycle, and bundled plugins use only the public API.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "framecheck"  # the source tree, whatever is installed
PLUGINS = REPO / "plugins"
LAYERS = ("core", "languages", "packs", "inputs", "outputs", "engine", "learn", "app", "serve", "lsp", "cli")
LEAVES = {"framecheck._version"}  # importable from anywhere: holds no code
PUBLIC = {"framecheck", "framecheck.learn"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, source: str | None = None) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every framecheck import of a file (or of ``source`` read as
    that file), relative ones resolved; ``from X import name`` yields ``X.name`` when that is a
    module of its own."""
    tree = ast.parse(path.read_text() if source is None else source, str(path))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "framecheck":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != "framecheck":
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield node.lineno, candidate if _is_module(candidate) else base


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer() -> None:
    loose = [module_name(p) for p in SOURCES if layer_of(module_name(p)) is None
             and module_name(p) not in {"framecheck", "framecheck.__main__", *LEAVES}]
    assert loose == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path: Path) -> None:
    importer = module_name(path)
    own = layer_of(importer)
    if own is None:  # the public API and __main__ sit on top
        return
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
             for line, target in imports_of(path)
             if target not in LEAVES and (layer_of(target) is None or layer_of(target) > own)]
    assert wrong == []


def test_the_engine_knows_no_configuration_or_command_line() -> None:
    engine = [p for p in SOURCES if module_name(p).startswith("framecheck.engine")]
    assert engine
    named = [(module_name(p), target) for p in engine for _, target in imports_of(p)
             if target.startswith(("framecheck.app", "framecheck.cli"))]
    assert named == []


def test_modules_import_each_other_without_cycles() -> None:
    graph = {module_name(p): {t for _, t in imports_of(p) if t != module_name(p)} for p in SOURCES}
    # A package's __init__ re-exports its modules; only module-to-module edges count.
    edges = {m: {t for t in targets if t in graph and not _is_package(t)} for m, targets in graph.items()
             if not _is_package(m)}
    cycle = _find_cycle(edges)
    assert cycle is None, " -> ".join(cycle or ())


def _is_package(name: str) -> bool:
    return (PACKAGE / Path(*name.split(".")[1:]) / "__init__.py").exists()


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize("path", sorted(PLUGINS.glob("*.py")), ids=lambda p: p.name)
def test_bundled_plugins_use_only_the_public_api(path: Path) -> None:
    tree = ast.parse(path.read_text())
    named = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    named |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    private = sorted(name for name in named if name.split(".")[0] == "framecheck" and name not in PUBLIC)
    assert private == []


def test_the_checker_sees_a_wrong_way_import() -> None:
    """Relative imports are resolved: a core module importing the engine would be caught."""
    model = PACKAGE / "core" / "model.py"
    targets = [t for _, t in imports_of(model, model.read_text() + "\nfrom ..engine import engine as _wrong\n")]
    assert "framecheck.engine.engine" in targets
    assert max(layer_of(t) or 0 for t in targets) > LAYERS.index("core")


def test_cycle_finder_finds_a_cycle() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None
