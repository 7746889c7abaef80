"""GitLab Code Quality and JUnit XML (issue 26): parsed back, every active finding there once,
waived ones skipped, clean articles passing, and text no XML parser chokes on."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from helpers import REPO, SEED, run

SEED_ARG = "examples/obozrevatel-iran-russia-2023.txt"


def test_gitlab_code_quality_lists_each_active_finding_once(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    issues = json.loads(run("scan", "--format", "gitlab", SEED_ARG).stdout)
    expected = json.loads(run("scan", "--format", "json", SEED_ARG).stdout)["articles"][0]["findings"]
    assert [(i["check_name"], i["location"]["lines"]["begin"]) for i in issues] == [
        (f["rule_id"], f["line"]) for f in expected
    ]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert issue["location"]["path"] == SEED_ARG and issue["severity"] in {"info", "minor", "major"}
        assert isinstance(issue["description"], str) and issue["categories"] == ["Style"]
    assert {i["check_name"]: i["severity"] for i in issues}["distrust-fakes-warning"] == "major"
    again = json.loads(run("scan", "--format", "gitlab", SEED_ARG).stdout)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues], "stable across runs"


def test_gitlab_report_of_a_clean_run_is_an_empty_array(tmp_path: Path) -> None:
    calm = tmp_path / "calm.md"
    calm.write_text("The council approved the budget.\n", encoding="utf-8")
    result = run("scan", "--format", "gitlab", str(calm))
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_junit_has_a_suite_per_article_and_a_failure_per_finding(tmp_path: Path) -> None:
    calm = tmp_path / "calm.md"
    calm.write_text("The council approved the budget.\n", encoding="utf-8")
    waived = tmp_path / "waived.md"
    waived.write_text('<!-- framecheck: ignore reason="quoted verdict" -->\nThey terrorised the town.\n'
                      "\nWhat a \x1b[31mday\x07 it was!\n", encoding="utf-8")
    result = run("scan", "--format", "junit", str(SEED), str(calm), str(waived))
    root = ElementTree.fromstring(result.stdout.encode("utf-8"))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    seed = suites[str(SEED)]
    assert (seed.get("tests"), seed.get("failures"), seed.get("skipped")) == ("4", "4", "0")
    assert [case.find("failure").get("type") for case in seed.iter("testcase")] == ["warning", "warning", "error",
                                                                                     "error"]
    assert suites[str(calm)].get("tests") == "1" and suites[str(calm)].find("testcase/failure") is None
    kept = suites[str(waived)]
    assert (kept.get("failures"), kept.get("skipped")) == ("1", "1")
    assert kept.find("testcase/skipped").get("message") == "waived: quoted verdict"
    message = kept.find("testcase/failure").get("message")
    assert '"What a \ufffd[31mday\ufffd it was!"' in message  # XML 1.0 holds no ESC or BEL
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("7", "5", "1")


def test_junit_counts_an_unreadable_input_as_an_error(tmp_path: Path) -> None:
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\0\1\2")
    result = run("scan", "--format", "junit", str(binary))
    root = ElementTree.fromstring(result.stdout.encode("utf-8"))
    assert result.exit_code == 2 and root.get("errors") == "1"
    assert "looks like a binary file" in root.find("testsuite/testcase/error").get("message")
