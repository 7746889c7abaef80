"""Shell completion knows what only a run knows: report formats and rule and technique ids,
a newsroom's own packs included (issue 26)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import write_rule_pack


def completions(words: str, cwd: Path, shell: str = "bash") -> list[str]:
    """What the shell is offered for the last word of ``words`` (Click's completion protocol)."""
    env = {**os.environ, "_FRAMECHECK_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    result = subprocess.run([sys.executable, "-m", "framecheck"], env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_formats_complete_with_their_names(tmp_path: Path) -> None:
    assert completions("framecheck scan --format s", tmp_path) == ["sarif"]
    offered = set(completions("framecheck scan --format ", tmp_path))
    assert {"json", "jsonl", "github", "gitlab", "junit", "html", "markdown", "text"} <= offered


def test_rule_and_technique_ids_complete_for_select_ignore_and_rules_show(tmp_path: Path) -> None:
    assert completions("framecheck scan --select loaded-verb-terr", tmp_path) == ["loaded-verb-terrorise"]
    assert completions("framecheck scan --ignore exclamation,distrust-c", tmp_path) == ["exclamation,distrust-call"]
    shown = completions("framecheck rules show distrust-", tmp_path)
    assert "distrust-call" in shown and "distrust-fakes-warning" in shown


def test_a_newsrooms_own_rules_complete_from_its_configuration(tmp_path: Path) -> None:
    write_rule_pack(tmp_path / "house.yaml", "house-zorbic", "['zorbic']")
    (tmp_path / ".framecheck.yaml").write_text("rules: [house.yaml]\n", encoding="utf-8")
    assert completions("framecheck scan --select house-", tmp_path) == ["house-zorbic"]


def test_a_broken_pack_completes_nothing_and_prints_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("rules: [\n", encoding="utf-8")
    assert completions("framecheck scan --rules bad.yaml --select loaded-", tmp_path) == []
