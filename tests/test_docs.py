"""Every hook is documented (with its exact signature as the heading) and every doc example runs."""

from __future__ import annotations

import inspect
import re

import pytest
from helpers import REPO, SEED, run

from framecheck import hookspecs

DOCS = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
HOOKS = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("framecheck_")]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_section_headed_by_its_signature(hook: str) -> None:
    params = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert f"\n## {hook}({params})\n" in DOCS


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOCS, re.S)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_plugin_doc_examples_load_as_plugins(tmp_path, index: int) -> None:
    source = python_blocks()[index]
    plugin = tmp_path / f"doc_example_{index}.py"
    plugin.write_text(source, encoding="utf-8")
    (tmp_path / "packs").mkdir()
    result = run("scan", "--plugin", str(plugin), "--format", "counts" if "counts" in source else "text", str(SEED))
    assert result.exit_code == 1, result.output
    if "counts" in source:
        assert result.stdout == f"5\t{SEED}\n"
    if "Shouting" in source:
        assert "shouting" in result.stdout and '"OBOZREVATEL"' in result.stdout
