"""Hostile rule packs and faulty plugins: rejected or contained, never executed, never fatal."""

from __future__ import annotations

import json
import time
from pathlib import Path

LOADED = "They terrorised the town.\n"

BILLION_LAUGHS = """\
id: bomb
name: Bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
rules: [*g]
"""


def pack(tmp_path: Path, text: str, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def article(inputs: Path) -> Path:
    path = inputs / "story.txt"
    path.write_text(LOADED, encoding="utf-8")
    return path


def test_a_yaml_bomb_is_rejected_quickly(tmp_path: Path, inputs: Path, scan) -> None:
    bomb = pack(tmp_path, BILLION_LAUGHS)
    started = time.perf_counter()
    result = scan("--rules", str(bomb), str(article(inputs)))
    assert time.perf_counter() - started < 30
    assert result.returncode == 2
    assert result.stderr == f"framecheck: error: {bomb}:3: invalid YAML: anchors and aliases are not allowed in rule packs\n"


def test_python_object_tags_are_rejected_and_never_run(tmp_path: Path, inputs: Path, scan) -> None:
    marker = tmp_path / "pwned"
    evil = pack(tmp_path, f"id: evil\nname: !!python/object/apply:os.system ['touch {marker}']\nrules: []\n")
    result = scan("--rules", str(evil), str(article(inputs)))
    assert result.returncode == 2
    assert result.stderr.startswith(f"framecheck: error: {evil}:2: invalid YAML: could not determine a constructor")
    assert not marker.exists()


def test_a_catastrophic_regex_cannot_hang_the_scan(tmp_path: Path, inputs: Path, scan) -> None:
    redos = pack(
        tmp_path,
        "id: redos\nname: ReDoS\nrules:\n"
        "  - id: redos-rule\n    technique: doubt\n    message: m\n    patterns: [{regex: '(a|aa)+$'}]\n",
    )
    story = inputs / "story.txt"
    story.write_text(LOADED + "a" * 5000 + "!\n", encoding="utf-8")
    started = time.perf_counter()
    result = scan("--rules", str(redos), "--regex-timeout", "0.5", str(story), timeout=60)
    assert time.perf_counter() - started < 15
    assert result.returncode == 2  # a rule that did not run leaves the check incomplete: never a pass
    assert f"{story}:1:6: warning loaded-verb-terrorise" in result.stdout  # the other rules still ran
    assert f"{story}: note: rule 'redos-rule' ({redos}:4) exceeded the 0.5s regex timeout" in result.stdout
    assert result.stderr == (f"framecheck: error: {story}: the check is incomplete: plugin 'framecheck.core', "
                             "detector 'yaml-rules' failed (see its notes)\n")


def test_a_rule_that_recurses_forever_loses_only_itself_and_fails_the_run(tmp_path: Path, inputs: Path, scan) -> None:
    recursive = pack(
        tmp_path,
        "id: rec\nname: rec\nrules:\n  - id: rec-rule\n    technique: doubt\n    message: m\n"
        "    patterns:\n      - regex: '(?(DEFINE)(?<x>(?&x)))(?&x)'\n",
    )
    story = article(inputs)
    result = scan("--rules", str(recursive), "--regex-timeout", "0.2", "--format", "json", str(story))
    assert result.returncode == 2  # it was 0 when the failure dropped every shipped finding
    (report,) = json.loads(result.stdout)["articles"]
    assert [f["rule_id"] for f in report["findings"]] == ["loaded-verb-terrorise"]
    assert report["warnings"][0].startswith("rule 'rec-rule'")


def test_a_pattern_that_does_not_compile_names_file_and_line(tmp_path: Path, inputs: Path, scan) -> None:
    broken = pack(
        tmp_path,
        "id: broken\nname: Broken\nrules:\n  - id: bad\n    technique: doubt\n    message: m\n"
        "    patterns:\n      - fine phrase\n      - regex: 'unbalanced)'\n",
    )
    result = scan("--rules", str(broken), str(article(inputs)))
    assert result.returncode == 2
    assert result.stderr.startswith(f"framecheck: error: {broken}:9: rule 'bad': invalid regex 'unbalanced)'")


FAULTY = """
from framecheck import Examples, Finding, RuleInfo, Severity, hookimpl

RULE = RuleInfo("faulty-rule", "doubt", Severity.ERROR, "m", examples=Examples(("x",), ("y",)))

class Faulty:
    name = "faulty"
    rules = (RULE,)
    def detect(self, document):
        if "MALFORMED" in document.text:
            yield Finding(RULE.id, "doubt", Severity.ERROR, "m", 0, 10**9, "x", 1, 1)
            yield "not a finding"
            return
        raise ValueError("lexicon file is corrupt")

@hookimpl
def framecheck_detectors():
    return [Faulty()]
"""

FAILING_HOOK = """
from framecheck import hookimpl

@hookimpl
def framecheck_detectors():
    raise RuntimeError("cannot start detector")
"""


def test_a_raising_plugin_is_named_and_the_scan_goes_on(tmp_path: Path, inputs: Path, scan) -> None:
    plugin = pack(tmp_path, FAULTY, "faulty_plugin.py")
    story = article(inputs)
    result = scan("--plugin", str(plugin), str(story))
    assert result.returncode == 2  # a check that did not fully run cannot pass: an error
    assert result.stderr == (f"framecheck: error: {story}: the check is incomplete: plugin '{plugin}', "
                             "detector 'faulty' failed (see its notes)\n")
    assert f"{story}:1:6: warning loaded-verb-terrorise" in result.stdout  # the other rules still ran
    assert (
        f"{story}: note: plugin '{plugin}', detector 'faulty' failed: ValueError: lexicon file is corrupt; "
        "its findings for this document were dropped"
    ) in result.stdout

    debug = scan("--debug", "--plugin", str(plugin), str(story))
    assert "Traceback (most recent call last)" in debug.stdout
    assert 'raise ValueError("lexicon file is corrupt")' in debug.stdout


def test_malformed_plugin_findings_are_dropped_with_a_note(tmp_path: Path, inputs: Path, scan) -> None:
    plugin = pack(tmp_path, FAULTY, "faulty_plugin.py")
    story = inputs / "story.txt"
    story.write_text("MALFORMED\n", encoding="utf-8")
    result = scan("--plugin", str(plugin), str(story))
    assert result.returncode == 0
    notes = [line for line in result.stdout.splitlines() if ": note: " in line]
    assert len(notes) == 2
    assert "span 0..1000000000 is outside the text (length 10)" in notes[0]
    assert "expected a Finding, got str" in notes[1]


def test_a_plugin_whose_hook_raises_is_reported_and_skipped(tmp_path: Path, inputs: Path, scan) -> None:
    plugin = pack(tmp_path, FAILING_HOOK, "failing_hook.py")
    story = article(inputs)
    result = scan("--plugin", str(plugin), str(story))
    assert result.returncode == 1
    assert result.stderr == (
        f"framecheck: warning: plugin '{plugin}': framecheck_detectors raised RuntimeError: cannot start detector; "
        "its contributions were skipped\n"
        f"framecheck: check failed: {story}: 1 finding at or above warning\n"
    )
    assert "loaded-verb-terrorise" in result.stdout


def test_a_plugin_that_fails_to_import(tmp_path: Path, inputs: Path, scan) -> None:
    plugin = pack(tmp_path, "import not_a_real_module_xyz\n", "broken_plugin.py")
    result = scan("--plugin", str(plugin), str(article(inputs)))
    assert result.returncode == 2
    assert result.stderr == (
        f"framecheck: error: {plugin}: plugin failed to import: ModuleNotFoundError: "
        "No module named 'not_a_real_module_xyz'\n"
    )
