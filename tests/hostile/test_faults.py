"""Faults in plugins and workers, and numbers that are not numbers: never a hang, a silent pass or broken JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import run_subprocess, write_rule_pack

from framecheck.engine.scoring import ScoringModel

LOADED = "They terrorised the town.\n"

MISBEHAVING = """
import os, signal, sys, time
from framecheck import hookimpl

class Misbehaving:
    name = "misbehaving"
    rules = ()
    def detect(self, document):
        print("chatter on stdout")
        if "SLEEP" in document.text:
            time.sleep(60)
        if "LOOP" in document.text:
            while True:
                try:
                    pass
                except Exception:
                    pass
        if "EXIT" in document.text:
            sys.exit(0)
        if "KILL" in document.text:
            os.kill(os.getpid(), signal.SIGKILL)
        return iter(())

@hookimpl
def framecheck_detectors(packs, options):
    return [Misbehaving()]
"""


def plugin(tmp_path: Path) -> Path:
    path = tmp_path / "misbehaving.py"
    path.write_text(MISBEHAVING, encoding="utf-8")
    return path


def strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("trigger", ["SLEEP", "LOOP", "EXIT"])
def test_a_plugin_that_hangs_or_exits_loses_its_findings_and_fails_the_run(tmp_path: Path, inputs: Path, scan,
                                                                           trigger: str) -> None:
    (inputs / "bad.txt").write_text(f"{trigger} They terrorised the town.\n", encoding="utf-8")
    (inputs / "ok.txt").write_text(LOADED, encoding="utf-8")
    started = time.monotonic()
    result = scan("--plugin", str(plugin(tmp_path)), "--plugin-timeout", "1", "--format", "json",
                  str(inputs / "bad.txt"), str(inputs / "ok.txt"))
    assert time.monotonic() - started < 30
    assert result.returncode == 2  # never 0: the check did not fully run
    document = strict_json(result.stdout)  # print() in the plugin did not corrupt it
    bad, ok = document["articles"]
    assert [f["rule_id"] for f in bad["findings"]] == ["loaded-verb-terrorise"]  # the shipped rules still ran
    reason = "took longer than 1 s (--plugin-timeout)" if trigger != "EXIT" else "SystemExit: 0"
    assert bad["warnings"] == [f"plugin '{plugin(tmp_path)}', detector 'misbehaving' failed: {reason}; "
                               "its findings for this document were dropped"]
    assert ok["warnings"] == [] and document["summary"]["incomplete"] == [
        f"{inputs / 'bad.txt'}: the check is incomplete: plugin '{plugin(tmp_path)}', detector 'misbehaving' failed "
        "(see its notes)"
    ]
    assert "chatter on stdout" in result.stderr


def test_a_document_over_its_time_budget_is_an_error_and_the_others_are_scanned(tmp_path: Path, inputs: Path,
                                                                                scan) -> None:
    (inputs / "bad.txt").write_text("SLEEP\n", encoding="utf-8")
    (inputs / "ok.txt").write_text(LOADED, encoding="utf-8")
    result = scan("--plugin", str(plugin(tmp_path)), "--plugin-timeout", "0", "--document-timeout", "1",
                  "--format", "json", str(inputs / "bad.txt"), str(inputs / "ok.txt"))
    assert result.returncode == 2
    document = strict_json(result.stdout)
    assert [a["source"] for a in document["articles"]] == [str(inputs / "ok.txt")]
    assert document["summary"]["errors"] == [
        f"{inputs / 'bad.txt'}: not scanned: the scan took longer than 1 s (--document-timeout)"
    ]


def test_a_worker_that_dies_costs_its_document_only(tmp_path: Path, inputs: Path, scan) -> None:
    for number in range(40):
        (inputs / f"a{number:02d}.txt").write_text(LOADED, encoding="utf-8")
    (inputs / "a17.txt").write_text("KILL\n", encoding="utf-8")
    result = scan("--plugin", str(plugin(tmp_path)), "--jobs", "2", "--format", "json", str(inputs), timeout=120)
    assert result.returncode == 2
    document = strict_json(result.stdout)
    assert len(document["articles"]) == 39
    assert [a["source"] for a in document["articles"]] == sorted(a["source"] for a in document["articles"])
    assert document["summary"]["errors"] == [
        f"{inputs / 'a17.txt'}: the worker process scanning it died (killed, out of memory, or a plugin ended the "
        "process); it was not scanned"
    ]


NON_FINITE_PLUGIN = """
from framecheck import RuleInfo, Severity, hookimpl

RULE = RuleInfo("nan-weight", "doubt", Severity.WARNING, "m")

class NanWeight:
    name = "nan-weight"
    rules = (RULE,)
    def detect(self, document):
        yield document.finding_of(RULE, 0, 4, detector=self.name).evolve(weight=float("nan"))

@hookimpl
def framecheck_detectors(packs, options):
    return [NanWeight()]
"""


@pytest.mark.parametrize(("setup", "says"), [
    ({"pack.yaml": "id: p\nname: p\nrules:\n  - id: r\n    technique: doubt\n    message: m\n    weight: .nan\n"
                   "    patterns: [town]\n"},
     "pack.yaml:7: rule 'r': 'weight' must be a number from 0 to 100, not nan"),
    ({".framecheck.yaml": "scoring:\n  severity: {warning: .inf}\n"},
     ".framecheck.yaml:1: scoring.severity must map info, warning, error to numbers from 0 to 1000"),
    ({".framecheck.yaml": "regex-timeout: .nan\n"}, ".framecheck.yaml:1: 'regex-timeout' must be a finite"),
    ({".framecheck.yaml": "regex-timeout: 0\n"}, ".framecheck.yaml:1: 'regex-timeout' must be between 0.01 and 600"),
    ({".framecheck.yaml": "max-score: .inf\n"}, ".framecheck.yaml:1: 'max-score' must be a finite"),
])
def test_non_finite_settings_are_refused_at_load(tmp_path: Path, inputs: Path, scan, setup: dict, says: str) -> None:
    for name, text in setup.items():
        (inputs / name).write_text(text, encoding="utf-8")
    args = ["--rules", str(inputs / "pack.yaml")] if "pack.yaml" in setup else []
    story = inputs / "story.txt"
    story.write_text(LOADED, encoding="utf-8")
    result = scan(*args, str(story))
    assert result.returncode == 2
    assert result.stderr.startswith(f"framecheck: error: {inputs}/{says}")


@pytest.mark.parametrize("option", ["--max-score", "--regex-timeout", "--plugin-timeout", "--document-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf"])
def test_non_finite_options_are_refused(inputs: Path, scan, option: str, value: str) -> None:
    result = scan(option, value, str(inputs))
    assert result.returncode == 2
    refused = (f"Invalid value for {option}: {value} is not a finite number",
               f"Invalid value for '{option}': {value} is not in the range")  # a range refuses inf itself
    assert any(reason in result.stderr for reason in refused), result.stderr


def test_non_finite_numbers_never_reach_a_json_report(tmp_path: Path, inputs: Path, scan) -> None:
    (inputs / "corpus.jsonl").write_text('{"id": 1, "text": "They terrorised it.", "x": NaN, "y": -Infinity}\n',
                                         encoding="utf-8")
    nan_plugin = tmp_path / "nan_plugin.py"
    nan_plugin.write_text(NON_FINITE_PLUGIN, encoding="utf-8")
    for fmt in ("json", "jsonl", "sarif"):
        result = scan("--plugin", str(nan_plugin), "--format", fmt, str(inputs / "corpus.jsonl"))
        first = result.stdout if fmt != "jsonl" else result.stdout.splitlines()[0]
        document = strict_json(first)
        if fmt == "json":
            (article,) = document["articles"]
            assert article["metadata"] == {"id": 1, "x": "nan", "y": "-inf"}
            assert article["score"]["value"] == round(ScoringModel().value(1.5, 3), 1)  # the NaN finding left out
            assert "weight nan is not a number from 0 to 100" in article["warnings"][0]


# --- packs that would cost gigabytes --------------------------------------------------------------


def test_a_regex_whose_repetitions_multiply_is_refused_at_load(inputs: Path, scan) -> None:
    pack = write_rule_pack(inputs / "mem.yaml", "mem-rule", "[{regex: '((a{1000}){1000}){1000}'}]")
    started = time.monotonic()
    result = scan("--rules", str(pack), str(pack))
    assert time.monotonic() - started < 20
    assert result.returncode == 2
    assert result.stderr == (
        f"framecheck: error: {pack}:7: rule 'mem-rule': regex '((a{{1000}}){{1000}}){{1000}}': its counted "
        "repetitions multiply to 1,000,000,000 copies (limit 100,000); compiling it would take gigabytes\n"
    )


def test_rules_check_catches_the_same(inputs: Path) -> None:
    pack = write_rule_pack(inputs / "mem.yaml", "mem-rule", "[{regex: '(x{500}){500}'}]")
    result = run_subprocess("rules", "check", "--no-default-rules", str(pack))
    assert result.returncode == 2 and "multiply to 250,000 copies" in result.stderr


def test_a_phrase_pack_that_expands_too_far_is_refused_before_it_is_built(inputs: Path, scan) -> None:
    rules = "".join(
        f"  - id: r{n}\n    technique: doubt\n    message: m\n    patterns:\n"
        f"      - '(a|b|c|d|e|f|g|h) (i|j|k|l|m|n|o|p) (q|r|s|t|u|v|w|x) (y|z|aa|bb|cc|dd|ee|ff) word{n}'\n"
        for n in range(400)
    )
    pack = inputs / "big.yaml"
    pack.write_text("id: big\nname: big\nrules:\n" + rules, encoding="utf-8")
    started = time.monotonic()
    result = scan("--rules", str(pack), str(pack))
    assert time.monotonic() - started < 20
    assert result.returncode == 2
    assert result.stderr == (  # 16 rules of 4,096 variants of up to 15 characters: over 1,000,000 characters
        f"framecheck: error: {pack}:87: rule 'r16': the pack's phrases spell out more than 1,000,000 characters "
        "(each costs memory and start-up time); split the pack or shorten the phrases\n"
    )


# --- terminal and CI-log injection ------------------------------------------------------------------------


INJECTED = "They terrorised \x1b]0;pwned\x07 the \x1b[2J town \u202e evil.\n"


def test_control_characters_never_reach_the_terminal_or_a_ci_log(inputs: Path, scan) -> None:
    name = inputs / "inj\n::error file=x::forged.txt"
    name.write_text(INJECTED, encoding="utf-8")
    for fmt in ("text", "concise", "github", "annotated", "markdown"):
        result = scan("--format", fmt, str(name))
        for stream in (result.stdout, result.stderr):
            assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream, fmt
            assert not any(line.startswith("::error file=x") for line in stream.splitlines()), fmt
    text = scan(str(name)).stdout.splitlines()
    at = next(i for i, line in enumerate(text) if "loaded-verb-terrorise frames" in line)
    assert text[at].startswith(f"{inputs}/inj␊::error file=x::forged.txt:1:6: warning")
    assert text[at + 1] == "  1 | They terrorised ␛]0;pwned␇ the ␛[2J town \ufffd evil."
    assert text[at + 2] == "    |      ^^^^^^^^^^"  # one visible character per control: the caret still fits


def test_sigterm_leaves_no_temporary_report_and_keeps_the_old_one(tmp_path: Path, inputs: Path) -> None:
    import signal
    import subprocess
    import sys

    (inputs / "SLEEP.txt").write_text("SLEEP\n", encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "r.json").write_text("the previous report\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "framecheck", "scan", "--plugin", str(plugin(tmp_path)), "-o", f"json={reports / 'r.json'}",
         str(inputs / "SLEEP.txt")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not any(p.name.startswith(".r.json.") for p in reports.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the report's temporary file exists: the scan is under way
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 143, stderr
    assert sorted(p.name for p in reports.iterdir()) == ["r.json"]
    assert (reports / "r.json").read_text(encoding="utf-8") == "the previous report\n"


def _interrupts_blocked(status_file: Path) -> set[int]:
    """Which of SIGINT and SIGTERM a thread or process blocks, from its /proc status (Linux)."""
    import re
    import signal

    mask = int(re.search(r"^SigBlk:\s*([0-9a-f]+)$", status_file.read_text(encoding="utf-8"), re.M).group(1), 16)
    return {number for number in (signal.SIGINT, signal.SIGTERM) if mask >> (number - 1) & 1}


def test_workers_are_forked_with_interrupts_held_so_a_sigterm_is_never_lost() -> None:
    """Python ignores what a fork's callbacks raise, so a SIGTERM handled while the pool forked
    was lost and the run hung on its sleeping worker. The signals are held while the pool forks:
    the pool's threads keep them blocked (they reach only the main thread), the main thread gets
    them back, and each worker unblocks them."""
    import signal
    import threading

    from helpers import make_engine

    from framecheck.app import parallel
    from framecheck.core.model import Document

    pool = parallel._WorkerPool(make_engine(), None, 2)
    try:
        (report,) = pool.submit([Document("a.txt", LOADED)]).result(timeout=60)
        assert [f.rule_id for f in report.findings] == ["loaded-verb-terrorise"]
        tasks = Path("/proc/self/task")
        assert _interrupts_blocked(tasks / str(threading.get_native_id()) / "status") == set()
        helpers = [pool.executor._executor_manager_thread, pool.executor._call_queue._thread]
        both = {signal.SIGINT, signal.SIGTERM}
        assert all(_interrupts_blocked(tasks / str(thread.native_id) / "status") == both for thread in helpers)
        workers = list(pool.executor._processes)
        assert len(workers) == 2
        assert all(_interrupts_blocked(Path(f"/proc/{pid}/status")) == set() for pid in workers)
    finally:
        parallel._stop(pool.executor)


WRONG_RETURNS = {
    "framecheck_rule_pack_paths():\n    return 7":
        "warning: plugin '{plugin}': framecheck_rule_pack_paths raised TypeError: returned 7, not a list; "
        "its contributions were skipped",
    "framecheck_readers():\n    return [42]":
        "warning: plugin '{plugin}' returned 42 as a reader (it needs name, description, extensions, sniff() "
        "and read()); it was left out",
    "framecheck_formatters():\n    return ['not a class']":
        "warning: plugin '{plugin}' returned 'not a class' as a formatter (it needs a framecheck Formatter "
        "subclass with a name); it was left out",
    "framecheck_annotators():\n    return ['x']":
        "error: plugin '{plugin}' returned 'x' as an annotator; it needs name and annotate()",
    "framecheck_detectors(packs, options):\n    return 'abc'":
        "warning: plugin '{plugin}': framecheck_detectors raised TypeError: returned 'abc', not a list; "
        "its contributions were skipped",
}


@pytest.mark.parametrize("hook", sorted(WRONG_RETURNS))
def test_a_hook_returning_the_wrong_type_is_named_never_an_internal_error(tmp_path: Path, inputs: Path, scan,
                                                                         hook: str) -> None:
    source = tmp_path / "wrong.py"
    source.write_text(f"from framecheck import hookimpl\n\n@hookimpl\ndef {hook}\n", encoding="utf-8")
    story = inputs / "story.txt"
    story.write_text(LOADED, encoding="utf-8")
    result = scan("--plugin", str(source), str(story))
    assert "internal error" not in result.stderr
    assert f"framecheck: {WRONG_RETURNS[hook].format(plugin=source)}\n" in result.stderr
