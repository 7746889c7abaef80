"""Every hook is documented (with its exact signature as the heading) and every doc example runs."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from helpers import REPO, SEED, readme_pre_commit_config, run

from framecheck.engine import hookspecs

DOCS = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
HOOKS = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("framecheck_")]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_section_headed_by_its_signature(hook: str) -> None:
    params = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert f"\n## {hook}({params})\n" in DOCS


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOCS, re.S)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_plugin_doc_examples_work_as_documented(tmp_path, index: int) -> None:
    source = python_blocks()[index]
    plugin = tmp_path / f"doc_example_{index}.py"
    plugin.write_text(source, encoding="utf-8")
    (tmp_path / "packs").mkdir()
    article = SEED
    if "ShoutReader" in source:  # the reader example must read its own extension
        article = tmp_path / "story.shout"
        article.write_text("THEY TERRORISED THE TOWN.\n", encoding="utf-8")
    if "EditorsNote" in source:
        article = tmp_path / "note.txt"
        article.write_text("Town hall\n\nThe council met.\n\nEditor's note: they terrorised nobody.\n", encoding="utf-8")
    fmt = "counts" if "counts" in source else "json"
    result = run("scan", "--plugin", str(plugin), "--format", fmt, str(article))
    # site chrome is reported but does not fail the check (--fail-scope own-voice)
    assert result.exit_code == (0 if "EditorsNote" in source else 1), result.output
    if fmt == "counts":
        assert result.stdout == f"4\t{SEED}\n"
        return
    findings = json.loads(result.stdout)["articles"][0]["findings"]
    if "Shouting" in source:
        assert [f["excerpt"] for f in findings if f["rule_id"] == "shouting"] == ["OBOZREVATEL"]
    if "ShoutReader" in source:
        assert [f["excerpt"] for f in findings] == ["TERRORISED"]
    if "EditorsNote" in source:
        assert [(f["excerpt"], f["part"]) for f in findings] == [("terrorised", "boilerplate")]


def test_the_ci_guide_shows_the_pre_commit_configuration_the_readme_runs() -> None:
    guide = (REPO / "docs" / "github-action.md").read_text(encoding="utf-8")
    assert f"```yaml\n{readme_pre_commit_config()}```" in guide


def _agrees(documented: object, real: object, where: str) -> None:
    """The documented JSON is the real JSON: the same keys at every level, equal values, except
    that a documented list may show only the first items and a string ending in "..." only
    the start of the real one."""
    if isinstance(documented, dict):
        assert isinstance(real, dict) and list(documented) == list(real), f"{where}: keys differ"
        for key in documented:
            _agrees(documented[key], real[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(real, list) and len(documented) <= len(real) and (documented or not real), where
        for index, item in enumerate(documented):
            _agrees(item, real[index], f"{where}[{index}]")
    elif isinstance(documented, str) and documented.endswith("..."):
        assert isinstance(real, str) and real.startswith(documented[:-3].rstrip()), where
    else:
        assert documented == real, f"{where}: documented {documented!r}, real {real!r}"


def test_the_documented_json_report_is_the_real_one(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    text = (REPO / "docs" / "reports.md").read_text(encoding="utf-8")
    block = re.search(r"\*\*json\*\*.*?```json\n(.*?)```", text, re.S)
    assert block, "docs/reports.md shows a JSON report"
    documented = json.loads(block.group(1))
    real = json.loads(run("scan", "--format", "json", "examples/obozrevatel-iran-russia-2023.txt").stdout)
    _agrees(documented, real, "report")
    assert len(real["articles"][0]["findings"]) == 4
