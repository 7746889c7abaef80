"""The README's first screen stays true: the example scan prints what the README shows."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, SEED, run, write_corpus

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


def using_it_commands() -> list[str]:
    """The commands of the README's "Using it" block, without their comments."""
    block = re.search(r"## Using it\n\n```sh\n(.*?)```", README, re.S)
    assert block
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


SETUP_FIRST = ("framecheck rules new ", "framecheck init", "framecheck train ")  # they make what others read


@pytest.fixture
def newsroom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newsroom's repository with everything the README's commands name."""
    site = tmp_path / "newsroom"
    (site / "drafts").mkdir(parents=True)
    (site / "articles").mkdir()
    shutil.copy(SEED, site / "story.txt")
    (site / "drafts" / "a.md").write_text("They terrorised the town.\n", encoding="utf-8")
    (site / "articles" / "b.md").write_text("Do not fall for fakes!\n", encoding="utf-8")
    (site / "my_detector.py").write_text(
        "from framecheck import hookimpl\n\n\n@hookimpl\ndef framecheck_detectors(packs, options):\n    return []\n",
        encoding="utf-8",
    )
    (site / "rules").mkdir()
    shutil.copy(REPO / "rules" / "en" / "doubt.yaml", site / "rules" / "house-doubt.yaml")
    (tmp_path / "corpus").mkdir()
    texts, labels = write_corpus(tmp_path / "corpus", articles=30)
    texts.rename(site / "labelled")
    labels.rename(site / "labels.tsv")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=site, check=True)
    subprocess.run([*git, "add", "-A"], cwd=site, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=site, check=True)
    subprocess.run([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=site, check=True)
    monkeypatch.chdir(site)
    return site


@pytest.mark.slow
def test_every_command_in_using_it_runs_as_written(newsroom: Path) -> None:
    commands = using_it_commands()
    assert len(commands) >= 25
    order = [c for c in commands if c.startswith(SETUP_FIRST)] + [c for c in commands if not c.startswith(SETUP_FIRST)]
    for command in order:
        words = shlex.split(command)
        if words[:3] == ["python", "-m", "framecheck"]:
            completed = subprocess.run([sys.executable, *words[1:]], capture_output=True, text=True, timeout=120)
            code, stderr = completed.returncode, completed.stderr
        else:
            assert words[0] == "framecheck", command
            result = run(*words[1:], input="Do not fall for fakes!\n" if words[-1] == "-" else None)
            code, stderr = result.exit_code, result.stderr
        assert code in (0, 1), f"{command}: exit {code}: {stderr}"
        assert "error:" not in stderr, f"{command}: {stderr}"
    assert (newsroom / "report.json").is_file() and (newsroom / "framecheck.sarif").is_file()
    assert (newsroom / "baseline.json").is_file() and (newsroom / "model.fcm").is_file()
    assert (newsroom / "house-style.yaml").is_file() and (newsroom / ".framecheck.yaml").is_file()


def gate_commands() -> list[str]:
    """The shell commands of the README's "Set up the gate in five minutes", in order."""
    section = README.split("## Set up the gate in five minutes", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_gate_in_five_minutes_works_as_written(tmp_path: Path) -> None:
    commands = gate_commands()
    assert commands[0] == "framecheck init" and any("--write-baseline" in c for c in commands)
    (tmp_path / "articles").mkdir()
    shutil.copy(SEED, tmp_path / "articles" / "story.txt")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"}
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{command}: {done.stderr}"
    check = ["bash", "-c", "framecheck scan articles/"]
    accepted = subprocess.run(check, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert accepted.returncode == 0, accepted.stderr  # the backlog is accepted
    waiver = re.search(r"`(<!-- framecheck: ignore [^`]*-->)`", README).group(1)
    (tmp_path / "articles" / "waived.md").write_text(f"{waiver}\nThe court found the gang terrorised the town.\n",
                                                     encoding="utf-8")
    assert subprocess.run(check, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120).returncode == 0
    (tmp_path / "articles" / "new.md").write_text("Troops terrorised the town.\n", encoding="utf-8")
    failed = subprocess.run(check, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "articles/new.md" in failed.stderr.splitlines()[-1]
