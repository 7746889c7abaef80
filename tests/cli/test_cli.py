"""The `framecheck` command line, end to end: output, exit codes, errors, JSON round trip."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SEED, run, run_json, run_subprocess

LINE = re.compile(r'^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<severity>info|warning|error) (?P<rule>[a-z0-9-]+) (?P<message>.+) (?P<excerpt>"(?:[^"\\]|\\.)*")(?: \((?P<notes>[^()]*)\))?$')

PACK = """\
id: house-style
name: House style
rules:
  - id: house-regime
    technique: name-calling
    severity: error
    message: say "government"
    patterns: [regime]
"""


def finding_lines(stdout: str) -> list[re.Match]:
    return [m for m in map(LINE.match, stdout.splitlines()) if m]


def test_seed_article_reports_the_three_devices_from_the_card() -> None:
    result = run("scan", str(SEED))
    assert result.exit_code == 1, result.output
    found = {(m["rule"], json.loads(m["excerpt"])) for m in finding_lines(result.stdout)}
    assert ("loaded-verb-terrorise", "terrorise") in found
    assert ("unsourced-attribution", "It has also been reported that") in found
    assert ("distrust-fakes-warning", "Do not fall for fakes!") in found
    assert all("Patel" not in excerpt for _, excerpt in found)
    assert result.stdout.splitlines()[-1].startswith(f"{SEED}: 4 findings, score ")
    notes = {m["rule"]: m["notes"] for m in finding_lines(result.stdout)}
    assert notes["distrust-fakes-warning"] == "also exclamation"  # one device, one finding


def test_text_lines_point_at_the_right_line_and_column() -> None:
    text = SEED.read_text(encoding="utf-8").splitlines()
    for match in finding_lines(run("scan", str(SEED)).stdout):
        line, col = int(match["line"]), int(match["col"])
        excerpt = json.loads(match["excerpt"])
        assert text[line - 1][col - 1 : col - 1 + len(excerpt)] == excerpt


def test_json_output_round_trips_spans() -> None:
    data = run_json(str(SEED))
    assert data["schema_version"] == 1
    (article,) = data["articles"]
    text = SEED.read_text(encoding="utf-8")
    assert article["findings"], "the seed article has findings"
    for finding in article["findings"]:
        assert text[finding["start"] : finding["end"]] == finding["excerpt"]
    assert data["summary"]["findings"] == len(article["findings"])
    techniques = {t["technique"] for t in article["score"]["by_technique"]}
    assert {"loaded-language", "unsourced-attribution", "distrust-call"} <= techniques


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = run("scan", "--format", "json", str(SEED)).stdout
    assert run("scan", "--format", "json", str(SEED)).stdout == first


@pytest.mark.parametrize(
    ("fail_on", "code"), [("info", 1), ("warning", 1), ("error", 1), ("never", 0)]
)
def test_fail_on_thresholds_on_the_seed(fail_on: str, code: int) -> None:
    assert run("scan", "--fail-on", fail_on, str(SEED)).exit_code == code


def test_fail_on_error_passes_when_only_warnings(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("They terrorised the town.\n", encoding="utf-8")
    assert run("scan", "--fail-on", "error", str(article)).exit_code == 0
    assert run("scan", str(article)).exit_code == 1


def test_clean_article_exits_zero(tmp_path: Path) -> None:
    article = tmp_path / "clean.txt"
    article.write_text("The council approved the budget on Tuesday, its chair said.\n", encoding="utf-8")
    result = run("scan", str(article))
    assert result.exit_code == 0
    assert result.stdout == f"{article}: 0 findings, score 0/100 (low), 0.0 points per 1,000 words (10 words)\n"


def test_custom_pack_is_applied(tmp_path: Path) -> None:
    pack = tmp_path / "house.yaml"
    pack.write_text(PACK, encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("The regime said so.\n", encoding="utf-8")
    result = run("scan", "--rules", str(pack), str(article))
    assert result.exit_code == 1
    assert f'{article}:1:5: error house-regime say "government" "regime"' in result.stdout


def test_broken_pack_fails_with_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(PACK.replace("patterns:", "paterns:"), encoding="utf-8")
    result = run("scan", "--rules", str(pack), str(SEED))
    assert result.exit_code == 2
    assert result.stderr == (
        f"framecheck: error: {pack}:8: rule 'house-regime': unknown key 'paterns' (did you mean 'patterns'?)\n"
    )
    assert result.stdout == ""


def test_stdin_is_scanned_under_its_given_name() -> None:
    result = run("scan", "--stdin-filename", "draft.txt", "-", input="Do not fall for fakes!\n")
    assert result.exit_code == 1
    assert result.stdout.startswith('draft.txt:1:1: error distrust-fakes-warning ')


def test_directories_are_scanned_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.md").write_text("They terrorised us.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Sources say so.\n", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("terrorise\n", encoding="utf-8")
    data = run_json(str(tmp_path))
    assert [Path(a["source"]).relative_to(tmp_path).as_posix() for a in data["articles"]] == ["a.txt", "b/two.md"]


def test_one_bad_input_does_not_stop_the_others(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("They terrorised us.\n", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\0\1\2binary")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    missing = tmp_path / "missing.txt"
    result = run("scan", str(missing), str(binary), str(latin), str(good))
    assert result.exit_code == 2
    assert f"{good}:1:6: warning loaded-verb-terrorise" in result.stdout
    errors = result.stderr.splitlines()
    assert errors == [
        f"framecheck: error: {missing}: no such file or directory",
        f"framecheck: error: {binary}: looks like a binary file (contains NUL bytes); skipped",
    ]
    assert f"{latin}: note: not valid UTF-8 (byte 0xe9 at offset 3); decoded as windows-1252" in result.stdout
    assert "Traceback" not in result.output


def test_utf8_bom_and_utf16_inputs_keep_character_offsets(tmp_path: Path) -> None:
    text = "Héllo.\r\nThey terrorised us.\r\n"
    for name, data in (("bom8.txt", b"\xef\xbb\xbf" + text.encode()), ("u16.txt", b"\xff\xfe" + text.encode("utf-16-le"))):
        (tmp_path / name).write_bytes(data)
    data = run_json(str(tmp_path))
    for article in data["articles"]:
        (finding,) = article["findings"]
        assert (finding["start"], finding["line"], finding["column"]) == (13, 2, 6)
        assert text[finding["start"] : finding["end"]] == "terrorised"


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("They terrorised us.\n", encoding="utf-8")
    before = (article.read_bytes(), os.stat(article).st_mtime_ns)
    run("scan", "--format", "json", "-o", str(tmp_path / "out.json"), str(article))
    assert (article.read_bytes(), os.stat(article).st_mtime_ns) == before


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run("scan", "--format", "json", "--output", str(out), str(SEED))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["articles"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_select_and_ignore_options() -> None:
    selected = run_json("--select", "distrust-call", str(SEED))
    assert {f["technique"] for f in selected["articles"][0]["findings"]} == {"distrust-call"}
    ignored = run_json("--ignore", "distrust-call,loaded-language", str(SEED))
    assert {f["rule_id"] for f in ignored["articles"][0]["findings"]} == {"unsourced-attribution"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "--select", "nonsense", "x"], "framecheck: error: --select: unknown rule or technique 'nonsense'"),
        (["scan", "--format", "yaml", "x"], "framecheck: error: --format: unknown format 'yaml' (available: annotated, concise, github, gitlab, html, json, jsonl, junit, markdown, sarif, text)"),
        (["scan", "--plugin", "no_such_module_xyz", "x"], "framecheck: error: no_such_module_xyz: cannot import plugin module"),
        (["scan", "--rules", "/nonexistent/pack.yaml", "x"], "framecheck: error: /nonexistent/pack.yaml: no such rule pack"),
        (["rules", "show", "no-such-rule"], "framecheck: error: no rule or technique 'no-such-rule'"),
    ],
)
def test_usage_and_configuration_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_plugin_from_a_file(tmp_path: Path) -> None:
    plugin = tmp_path / "shouting.py"
    plugin.write_text(
        '''
import re
from framecheck import Examples, RuleInfo, Severity, hookimpl

RULE = RuleInfo("shouting", "loaded-language", Severity.INFO, "all-caps word", examples=Examples(("LIES",), ("Lies",)))

class Shouting:
    name = "shouting"
    rules = (RULE,)
    def detect(self, document):
        for m in re.finditer(r"\\b[A-Z]{4,}\\b", document.text):
            yield document.finding(rule_id=RULE.id, technique=RULE.technique, severity=RULE.severity,
                                   message=RULE.message, start=m.start(), end=m.end())

@hookimpl
def framecheck_detectors():
    return [Shouting()]
''',
        encoding="utf-8",
    )
    data = run_json("--plugin", str(plugin), "--select", "shouting", str(SEED))
    assert [f["excerpt"] for f in data["articles"][0]["findings"]] == ["OBOZREVATEL"]
    listing = run("rules", "list", "--plugin", str(plugin)).stdout
    assert re.search(r"^shouting\s+loaded-language\s+info\s+-\s+plugin:shouting$", listing, re.M), listing


def test_rules_list_shows_packs_and_plugin_rules() -> None:
    result = run("rules", "list", "--format", "json")
    rules = {r["id"]: r for r in json.loads(result.stdout)["rules"]}
    assert rules["loaded-verb-terrorise"]["origin"].startswith("framecheck:rules/en/loaded-language.yaml:")
    assert rules["unsourced-attribution"]["origin"] == "plugin:unsourced-attribution"
    text = run("rules", "list").stdout.splitlines()
    assert text[0].split() == ["RULE", "TECHNIQUE", "SEVERITY", "PACK", "DEFINED", "IN"]
    assert text[-1] == f"{len(rules)} rules"


def test_rules_show_explains_a_rule() -> None:
    result = run("rules", "show", "loaded-verb-terrorise")
    assert result.exit_code == 0
    out = result.stdout
    assert "technique:  loaded-language - Loaded language" in out
    assert 'instead:    "attack"; "strike"; "target"; "intimidate"' in out
    assert "  - terroris(e|es|ed|ing)" in out
    assert "flags:\n  - Russian forces used Iranian drones to strike Kyiv to terrorise" in out


def test_rules_techniques_lists_the_taxonomy() -> None:
    out = run("rules", "techniques").stdout
    assert "whataboutism" in out and "distrust-call" in out and "corpus: Loaded_Language" in out


@pytest.mark.slow
def test_python_dash_m_and_console_script_work() -> None:
    result = run_subprocess("scan", "--format", "json", str(SEED))
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["findings"] == 4
    script = shutil.which("framecheck", path=str(Path(sys.executable).parent))
    assert script, "run the tests in an environment where framecheck is installed (see README)"
    completed = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert completed.stdout.startswith("framecheck, version ")


def test_no_color_by_default_when_not_a_terminal() -> None:
    assert "\033[" not in run("scan", str(SEED)).stdout
    assert "\033[33mwarning\033[0m" in run("scan", "--color", str(SEED)).stdout


def test_the_command_ends_with_output_flushed_and_exit_handlers_run(tmp_path: Path) -> None:
    """The command skips the interpreter's teardown (``cli._exit_now``): nothing may be lost."""
    mark = tmp_path / "exit-handler-ran"
    plugin = tmp_path / "at_exit.py"
    plugin.write_text(f"import atexit, pathlib\natexit.register(pathlib.Path({str(mark)!r}).write_text, 'yes')\n")
    result = run_subprocess("scan", "--plugin", str(plugin), "--format", "json", str(SEED))
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["articles"][0]["findings"] and mark.read_text() == "yes"
    assert run_subprocess("scan", "--fail-on", "never", str(SEED)).returncode == 0
    assert run_subprocess("scan", str(tmp_path / "missing.txt")).returncode == 2


def test_a_closed_pipe_stops_the_scan_quietly(tmp_path: Path) -> None:
    for number in range(40):
        (tmp_path / f"a{number:02}.txt").write_text("They terrorised the town. Do not fall for fakes!\n" * 200)
    scan = subprocess.Popen([sys.executable, "-m", "framecheck", "scan", "-j", "1", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert scan.stdout is not None and scan.stdout.readline()
    scan.stdout.close()  # like ``| head -1``
    _, stderr = scan.communicate(timeout=120)
    assert scan.returncode == 141 and stderr == b""
