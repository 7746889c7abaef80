"""Helpers shared by the tests: the real CLI, a clean engine per test, and test-data paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from framecheck.cli import cli
from framecheck.engine.engine import Engine, Selection
from framecheck.engine.plugins import get_plugin_manager

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = REPO / "examples" / "obozrevatel-iran-russia-2023.txt"
PTC = REPO.parent / "shared" / "corpora" / "ptc" / "train"


def run(*args: str, input: str | None = None) -> Result:
    """Run the CLI in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def run_json(*args: str) -> dict:
    result = run("scan", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def run_subprocess(
    *args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """The real CLI in a child process, as CI and pre-commit run it."""
    return subprocess.run(
        [sys.executable, "-m", "framecheck", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )


def make_engine(*, rule_paths=(), default_rules=True, select=(), ignore=(), plugins=()) -> Engine:
    manager = get_plugin_manager(plugins, autoload=False)
    return Engine.from_plugins(
        manager,
        rule_paths=rule_paths,
        default_rules=default_rules,
        selection=Selection(frozenset(select), frozenset(ignore)),
    )


def write_rule_pack(path: Path, rule_id: str, patterns: str, *, technique: str = "doubt", extra: str = "") -> Path:
    """A pack with one rule (``patterns`` in YAML flow syntax, ``extra`` more lines of the rule)."""
    path.write_text(
        f"id: {path.stem}\nname: {path.stem}\nrules:\n  - id: {rule_id}\n    technique: {technique}\n"
        f"    message: m\n    patterns: {patterns}\n{extra}",
        encoding="utf-8",
    )
    return path


def labelled_set(root: Path, articles: dict[str, str], labels: str) -> tuple[Path, Path]:
    """A folder of ``article<ID>.txt`` files and their ``labels.tsv``, as ``eval`` and ``train`` read them."""
    folder = root / "articles"
    folder.mkdir()
    for identifier, text in articles.items():
        (folder / f"article{identifier}.txt").write_text(text, encoding="utf-8")
    (root / "labels.tsv").write_text(labels, encoding="utf-8")
    return folder, root / "labels.tsv"
