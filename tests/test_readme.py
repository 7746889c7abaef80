"""The README's first screen stays true: the example scan prints what the README shows."""

from __future__ import annotations

import re

import pytest
from helpers import REPO, run

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_real_output_of_the_example_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    command = re.search(r"&& framecheck (scan \S+)\n", README)
    assert command, "the README's first command must install and run a scan"
    shown = re.search(r"The scan prints:\n\n```\n(.*?)```", README, re.S)
    assert shown
    monkeypatch.chdir(REPO)
    result = run(*command.group(1).split())
    assert result.stdout == shown.group(1)
    assert result.exit_code == 1 and "exits 1" in README


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci in README
    assert "tox" in ci
