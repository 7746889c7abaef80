"""Hostile input, round three (issue 28): overflowing weights, phrases too long or too many,
reports aimed at devices and FIFOs, plugins raising BaseExceptions, forged workflow commands in
annotated output, links out of a scanned folder, absurd --jobs, a baseline nested too deeply."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import ROGUE_PLUGIN, write_rule_pack

from framecheck.packs.phrases import MAX_VARIANT_LENGTH

LOADED = "They terrorise the town.\n"


@pytest.mark.parametrize("weight", ["1.0e+308", "101", "-1"])
def test_a_weight_that_could_overflow_the_score_is_a_pack_error(inputs: Path, scan, weight: str) -> None:
    pack = write_rule_pack(inputs / "w.yaml", "huge-weight", "['zorbic']", extra=f"    weight: {weight}\n")
    article = inputs / "a.txt"
    article.write_text("zorbic " * 50, encoding="utf-8")
    result = scan("--no-default-rules", "--rules", str(pack), str(article), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert f"{pack}:8: rule 'huge-weight': 'weight' must be a number from 0 to 100" in result.stderr


def test_scoring_factors_that_could_overflow_are_configuration_errors(inputs: Path, scan) -> None:
    (inputs / ".framecheck.yaml").write_text("scoring:\n  severity: {warning: 1.0e+300}\n", encoding="utf-8")
    article = inputs / "a.txt"
    article.write_text(LOADED * 50, encoding="utf-8")
    result = scan(str(article), "--format", "json")
    assert result.returncode == 2 and "scoring.severity must map info, warning, error to numbers from 0 to 1000" \
        in result.stderr


def test_the_largest_allowed_weights_and_factors_keep_the_score_finite(inputs: Path, scan) -> None:
    pack = write_rule_pack(inputs / "w.yaml", "heavy", "['zorbic']", extra="    weight: 100\n    severity: error\n")
    (inputs / ".framecheck.yaml").write_text(
        "scoring:\n  severity: {error: 1000}\n  part: {body: 1000, headline: 1000, lede: 1000}\n  scale: 1000\n",
        encoding="utf-8")
    article = inputs / "a.txt"
    article.write_text("x\n\n" + "zorbic " * 100_000, encoding="utf-8")
    result = scan("--no-default-rules", "--rules", str(pack), str(article), "--format", "json")
    report = json.loads(result.stdout)  # parses: no inf or nan reached the report
    assert result.returncode == 1 and 0 < report["articles"][0]["score"]["value"] <= 100


def test_a_long_phrase_is_a_clear_pack_error_not_a_recursion_error(inputs: Path, scan) -> None:
    long_phrase = " ".join(["word"] * 120)
    pack = write_rule_pack(inputs / "long.yaml", "long-phrase", f"['{long_phrase}']")
    result = scan("--no-default-rules", "--rules", str(pack), str(pack))
    assert result.returncode == 2 and "RecursionError" not in result.stderr
    assert f"has a variant of {len(long_phrase)} characters (limit {MAX_VARIANT_LENGTH})" in result.stderr
    checked = subprocess.run([sys.executable, "-m", "framecheck", "rules", "check", str(pack)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 2 and "limit 300" in checked.stdout + checked.stderr


def test_a_phrase_at_the_length_limit_builds_and_matches(inputs: Path, scan) -> None:
    words = " ".join(["zorbic"] * 42)  # 293 characters: one trie level per character
    pack = write_rule_pack(inputs / "long.yaml", "long-phrase", f"['{words}']")
    article = inputs / "a.txt"
    article.write_text(f"Before. {words}. After.\n", encoding="utf-8")
    result = scan("--no-default-rules", "--rules", str(pack), str(article), "--format", "json")
    findings = json.loads(result.stdout)["articles"][0]["findings"]
    assert [(f["rule_id"], f["excerpt"]) for f in findings] == [("long-phrase", words)]


def test_many_short_variants_still_meet_the_variant_limit(inputs: Path, scan) -> None:
    letters = "|".join("abcdefghijklmnop")
    rules = "".join(f"  - id: r{n}\n    technique: doubt\n    message: m\n    patterns: ['({letters})({letters})({letters}) w{n}']\n"
                    for n in range(30))
    pack = inputs / "many.yaml"
    pack.write_text("id: many\nname: many\nrules:\n" + rules, encoding="utf-8")
    result = scan("--no-default-rules", "--rules", str(pack), str(pack))
    assert result.returncode == 2 and "rule 'r24': the pack's phrases expand to more than 100,000 variants" \
        in result.stderr


def test_a_report_aimed_at_a_fifo_is_written_into_it_not_over_it(inputs: Path, scan, tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    article = inputs / "a.txt"
    article.write_text(LOADED, encoding="utf-8")
    result = scan(str(article), "-o", f"json={fifo}")
    reader.join(30)
    assert result.returncode == 1
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO is still a FIFO"
    assert json.loads(received[0])["summary"]["findings"] == 1


def test_a_report_through_a_symlink_replaces_the_file_and_keeps_the_link(inputs: Path, scan, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    article = inputs / "a.txt"
    article.write_text(LOADED, encoding="utf-8")
    scan(str(article), "-o", f"json={link}")
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["summary"]["findings"] == 1


@pytest.mark.parametrize("trigger", ["GENEXIT", "INTERRUPT"])
def test_a_plugin_raising_a_base_exception_costs_its_findings_not_the_run(inputs: Path, scan, tmp_path: Path,
                                                                          trigger: str) -> None:
    plugin = tmp_path / "rogue.py"
    plugin.write_text(ROGUE_PLUGIN, encoding="utf-8")
    (inputs / "a.txt").write_text(f"{trigger}. {LOADED}", encoding="utf-8")
    (inputs / "b.txt").write_text(LOADED, encoding="utf-8")
    result = scan("--plugin", str(plugin), str(inputs), "--format", "json")
    report = json.loads(result.stdout)  # whole: nothing escaped the guard half-way through the report
    assert result.returncode == 2, "a check that did not fully run never passes nor reads as findings"
    assert [a["source"] for a in report["articles"]] == [str(inputs / "a.txt"), str(inputs / "b.txt")]
    assert len(report["summary"]["incomplete"]) == 1 and "rogue" in report["summary"]["incomplete"][0]
    assert "Traceback" not in result.stderr


def test_annotated_output_cannot_forge_a_workflow_command(inputs: Path, scan) -> None:
    article = inputs / "a.txt"
    article.write_text("Intro.\n::error file=x::forged\n::add-mask::secret\nThey terrorise us.\n", encoding="utf-8")
    result = scan(str(article), "--format", "annotated")
    assert not [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert " ::error file=x::forged" in result.stdout.splitlines()


def test_a_walk_does_not_follow_a_link_out_of_the_folder(inputs: Path, scan, tmp_path: Path) -> None:
    secret = tmp_path / "outside_secret.txt"
    secret.write_text("PASSWORD-1234 They terrorise us.\n", encoding="utf-8")
    tree = inputs / "tree"
    tree.mkdir()
    (tree / "link.txt").symlink_to(secret)
    (tree / "inside.txt").write_text("A calm council story.\n", encoding="utf-8")
    (tree / "sibling.txt").symlink_to(tree / "inside.txt")  # a link that stays inside is read
    walked = scan(str(tree), "--format", "concise")
    assert "PASSWORD" not in walked.stdout + walked.stderr and walked.returncode == 0
    assert f"{tree / 'link.txt'}: a link to {secret}, outside {tree}; skipped" in walked.stderr
    assert str(tree / "sibling.txt") in walked.stdout
    followed = scan(str(tree), "--follow-symlinks", "--format", "concise")
    assert followed.returncode == 1 and "link.txt:1:" in followed.stdout
    named = scan(str(tree / "link.txt"), "--format", "concise")
    assert named.returncode == 1, "a link named on the command line is read"


def test_absurd_jobs_are_capped_and_a_deep_baseline_is_a_message(inputs: Path, scan) -> None:
    for n in range(70):
        (inputs / f"a{n}.txt").write_text(LOADED, encoding="utf-8")
    many = scan(str(inputs), "--jobs", "100000", "--format", "concise")
    assert many.returncode == 1 and "--jobs 100000 is more than" in many.stderr
    assert many.stdout.count("loaded-verb-terrorise") == 70
    deep = inputs.parent / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = scan(str(inputs / "a0.txt"), "--baseline", str(deep))
    assert result.returncode == 2 and result.stderr.strip() == \
        f"framecheck: error: {deep}: not a framecheck baseline (nested too deeply)"


FD_WRITER = '''
import os
import framecheck

class Writer:
    name = "writer"
    rules = ()

    def detect(self, document):
        os.write(1, b"WRITTEN-TO-FD-1\\n")  # below print: a C extension or a subprocess does this
        return iter(())

@framecheck.hookimpl
def framecheck_detectors(packs, options):
    return [Writer()]
'''


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_writes_to_file_descriptor_1_never_land_in_the_report(inputs: Path, scan, tmp_path: Path, jobs: str) -> None:
    plugin = tmp_path / "writer.py"
    plugin.write_text(FD_WRITER, encoding="utf-8")
    for n in range(3):
        (inputs / f"a{n}.txt").write_text(LOADED, encoding="utf-8")
    result = scan("--plugin", str(plugin), "--jobs", jobs, str(inputs), "--format", "json")
    assert json.loads(result.stdout)["summary"]["articles"] == 3
    assert result.stderr.count("WRITTEN-TO-FD-1") == 3


def test_a_plugin_ending_the_process_is_caught_without_jobs(inputs: Path, scan, tmp_path: Path) -> None:
    plugin = tmp_path / "rogue.py"
    plugin.write_text(ROGUE_PLUGIN, encoding="utf-8")
    (inputs / "a.txt").write_text("EXITNOW\n", encoding="utf-8")
    (inputs / "b.txt").write_text(LOADED, encoding="utf-8")
    report = tmp_path / "report.json"
    result = scan("--plugin", str(plugin), str(inputs), "-o", f"json={report}")
    assert result.returncode == 2, "a document nobody scanned is an error, not a pass"
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    assert summary["articles"] == 1 and summary["findings"] == 1
    assert summary["errors"] == [f"{inputs / 'a.txt'}: the worker process scanning it died (killed, out of "
                                 "memory, or a plugin ended the process); it was not scanned"]


def test_regex_repetitions_add_up_to_a_pack_limit_checked_before_compiling(inputs: Path, scan) -> None:
    rules = "".join(f"  - id: r{n}\n    technique: doubt\n    message: m\n    patterns:\n"
                    f"      - regex: '(?:x{n}a{{300}}){{300}}'\n" for n in range(3))  # 90,000 copies each
    pack = inputs / "heavy.yaml"
    pack.write_text("id: heavy\nname: heavy\nrules:\n" + rules, encoding="utf-8")
    result = scan("--no-default-rules", "--rules", str(pack), str(pack), timeout=60)
    assert result.returncode == 2
    assert (f"{pack}:17: rule 'r2': the pack's regexes repeat their parts 270,000 times in all (limit 200,000)"
            in result.stderr)


def test_a_file_with_lone_carriage_returns_has_its_lines(inputs: Path, scan) -> None:
    text = ("Town news\r\rThe council met.\rThey terrorised the port.\r\r"
            'framecheck: ignore[loaded-verb-terrorise] reason="quoted verdict"\r\rThey terrorised the town.\r')
    story = inputs / "mac.txt"
    story.write_bytes(text.encode("utf-8"))
    result = scan(str(story), "--format", "json")
    article = json.loads(result.stdout)["articles"][0]
    places = [(f["rule_id"], f["line"], f["column"], f["suppression"] is not None) for f in article["findings"]]
    assert places == [("loaded-verb-terrorise", 4, 6, False), ("loaded-verb-terrorise", 8, 6, True)]
    for finding in article["findings"]:
        assert text[finding["start"] : finding["end"]] == "terrorised"  # offsets into the file as decoded


def test_line_numbers_count_every_kind_of_line_break() -> None:
    from framecheck import Document
    from framecheck.core.offsets import line_number

    text = "a\rb\r\nc\nd"
    assert [line_number(text, text.index(letter)) for letter in "abcd"] == [1, 2, 3, 4]
    document = Document("t", text)
    assert [document.position(text.index(letter)) for letter in "abcd"] == [(1, 1), (2, 1), (3, 1), (4, 1)]


def test_a_file_name_that_is_not_utf8_is_named_in_github_annotations_not_pointed_at(inputs: Path, scan) -> None:
    odd = os.fsdecode(b"caf\xe9.txt")
    (inputs / odd).write_text(LOADED, encoding="utf-8")
    (inputs / "plain.txt").write_text(LOADED, encoding="utf-8")
    result = scan(str(inputs), "--format", "github")
    lines = result.stdout.splitlines()
    unlocated = [line for line in lines if "caf" in line]
    assert len(unlocated) == 1 and unlocated[0].startswith("::warning title=framecheck loaded-verb-terrorise::")
    assert "caf\\xe9.txt: " in unlocated[0] and "file=" not in unlocated[0]
    located = [line for line in lines if "plain.txt" in line]
    assert len(located) == 1 and located[0].startswith("::warning file=") and ",line=1,col=6," in located[0]


def test_a_walk_says_which_files_it_passed_over(inputs: Path, scan) -> None:
    tree = inputs / "tree"
    tree.mkdir()
    (tree / "story.md").write_text(LOADED, encoding="utf-8")
    for name in ("notes.rst", "data.json", "rows.jsonl", "table.csv", "README", "other.JSON"):
        (tree / name).write_text("They terrorise the town.\n", encoding="utf-8")
    (tree / ".hidden.rst").write_text(LOADED, encoding="utf-8")
    result = scan(str(tree), "--format", "json")
    summary = json.loads(result.stdout)["summary"]
    assert summary["articles"] == 1 and result.returncode == 1
    assert summary["passed_over"] == {".csv": 1, ".json": 2, ".jsonl": 1, ".rst": 1, "no extension": 1}
    text = scan(str(tree))
    assert "6 files passed over (.csv 1, .json 2, .jsonl 1, .rst 1, no extension 1), not in an article format" \
        in text.stdout
    (tree / "story.md").unlink()
    empty = scan(str(tree), "--fail-on-empty", deleted=(tree / "story.md",))
    assert empty.returncode == 2
    assert "nothing was scanned: no article files under" in empty.stderr and "6 files passed over" in empty.stderr
    excluded = scan(str(tree), "--exclude", "*.rst", "--format", "json", deleted=(tree / "story.md",))
    assert json.loads(excluded.stdout)["summary"]["passed_over"] == {".csv": 1, ".json": 2, ".jsonl": 1,
                                                                     "no extension": 1}
