"""Helpers shared by the tests: the real CLI, a clean engine per test, and test-data paths."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner, Result

from framecheck.cli import cli
from framecheck.engine.engine import Engine
from framecheck.engine.plugins import get_plugin_manager
from framecheck.engine.selection import Selection

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


# A synthetic labelled corpus (PTC layout) for training and evaluation tests.
LOADED = ("zorbic", "flarnish", "grulent", "vexatory")
NEUTRAL = ("council", "budget", "meeting", "report", "river", "bridge", "school", "market", "vote", "plan")
VERBS = ("discussed", "approved", "reviewed", "opened", "closed", "studied")


def _sentence(rng: random.Random, loaded: bool) -> tuple[str, tuple[int, int] | None]:
    """A sentence whose only cue is its adjective: an invented loaded word, or an ordinary one."""
    ending = rng.choice(("near the river", "on Monday", "after the vote", "again", "for the town"))
    adjective = rng.choice(LOADED) if loaded else rng.choice(("plain", "new", "old", "small"))
    before = f"The {rng.choice(NEUTRAL)} {rng.choice(VERBS)} the "
    phrase = f"{adjective} {rng.choice(NEUTRAL)}"
    return f"{before}{phrase} {ending}.", (len(before), len(before) + len(phrase)) if loaded else None


def write_corpus(folder: Path, articles: int = 60, seed: int = 7) -> tuple[Path, Path]:
    """``articles`` articles of ten sentences (one a line, PTC style): in every third article none
    is loaded, in the others about a third; and a labels file marking each loaded phrase."""
    rng = random.Random(seed)
    texts = folder / "articles"
    texts.mkdir()
    rows = []
    for number in range(1, articles + 1):
        lines, offset = ["Town news", ""], len("Town news\n\n")
        for _ in range(10):
            sentence, span = _sentence(rng, number % 3 != 0 and rng.random() < 0.35)
            if span:
                rows.append(f"{number}\tLoaded_Language\t{offset + span[0]}\t{offset + span[1]}")
            lines.append(sentence)
            offset += len(sentence) + 1
        (texts / f"article{number}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    labels = folder / "labels.tsv"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return texts, labels


def readme_pre_commit_config() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"\*\*pre-commit\*\*.*?```yaml\n(.*?)```", readme, re.S)
    assert block, "the README shows a .pre-commit-config.yaml"
    return block.group(1)


# A plugin that misbehaves on cue, for the hostile tests: raises on BOOM (GeneratorExit on
# GENEXIT, KeyboardInterrupt on INTERRUPT), sleeps past any budget on SLOWDOWN, naps on NAP (slow but within a
# budget), ends its process on EXITNOW, and blocks the budget's alarm on BLOCKALARM.
ROGUE_PLUGIN = '''
import os, signal, time
import framecheck

class Rogue:
    name = "rogue"
    rules = ()

    def detect(self, document):
        if "BOOM" in document.text:
            raise RuntimeError("the plugin broke")
        if "GENEXIT" in document.text:
            raise GeneratorExit()
        if "INTERRUPT" in document.text:
            raise KeyboardInterrupt()
        if "SLOWDOWN" in document.text:
            time.sleep(30)
        if "NAP" in document.text:
            time.sleep(1.5)
        if "EXITNOW" in document.text:
            os._exit(3)
        if "BLOCKALARM" in document.text:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(30)
        return iter(())

@framecheck.hookimpl
def framecheck_detectors(packs, options):
    return [Rogue()]
'''


# Runs the command given after it and writes "<exit code> <peak RSS in KiB>" to stderr.
_MEASURE = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
sys.stderr.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}\\n")
"""


def peak_rss_kib(command: list[str]) -> tuple[int, str, int]:
    """(exit code, stdout, peak RSS in KiB) of this one command, started by a small Python
    process of its own: Linux counts in a child's peak the memory its parent had when it forked
    (the test process, which earlier tests may have grown by hundreds of MiB), and
    RUSAGE_CHILDREN would give the largest child the test process ever had."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-c", _MEASURE, *command], stdout=out, stderr=subprocess.PIPE,
                                   start_new_session=True)
        try:
            _, measured = process.communicate(timeout=300)  # a hang fails the test instead of stalling the suite
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        code, peak = measured.decode().split()
        out.seek(0)
        return int(code), out.read().decode("utf-8", errors="replace"), int(peak)
