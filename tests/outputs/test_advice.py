"""Findings carry what their rule tells a writer: why, advice, and literal replacements, in
JSON, SARIF (as fixes) and the text report; the concise format stays one line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import DATA, SEED, run, write_rule_pack

from framecheck.core.errors import PackError
from framecheck.packs.loading import load_pack

TERRORISE = ["attack", "strike", "target", "intimidate"]


def seed_findings(format_name: str) -> str:
    return run("scan", str(SEED), "--format", format_name).stdout


def test_json_findings_carry_why_advice_and_replacements() -> None:
    findings = json.loads(seed_findings("json"))["articles"][0]["findings"]
    terrorise = next(f for f in findings if f["rule_id"] == "loaded-verb-terrorise")
    assert terrorise["replace"] == TERRORISE and terrorise["why"].startswith('"Terrorise" asserts intent')
    unsourced = next(f for f in findings if f["rule_id"] == "unsourced-attribution")
    assert unsourced["replace"] == [] and any("<named person" in s for s in unsourced["suggest"])
    assert all({"why", "suggest", "replace"} <= finding.keys() for finding in findings)


def test_sarif_results_carry_one_fix_per_replacement_over_the_finding_span() -> None:
    sarif = json.loads(seed_findings("sarif"))
    jsonschema.validate(sarif, json.loads((DATA / "sarif-schema-2.1.0.json").read_text()))
    results = sarif["runs"][0]["results"]
    terrorise = next(r for r in results if r["ruleId"] == "loaded-verb-terrorise")
    region = terrorise["locations"][0]["physicalLocation"]["region"]
    fixes = terrorise["fixes"]
    assert [fix["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] for fix in fixes] == TERRORISE
    deleted = fixes[0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert (deleted["startLine"], deleted["startColumn"], deleted["endColumn"]) == \
        (region["startLine"], region["startColumn"], region["endColumn"])
    assert all("fixes" not in r for r in results if r["ruleId"] == "unsourced-attribution")


def test_text_prints_advice_under_each_finding_and_why_once_per_rule(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("They terrorise the town.\n\nLater they terrorised the village too.\n", encoding="utf-8")
    lines = run("scan", str(story)).stdout.splitlines()
    assert sum(line.strip().startswith("= why:") for line in lines) == 1
    instead = [line for line in lines if line.strip().startswith("= instead:")]
    assert len(instead) == 2 and all('"attack"; "strike"' in line for line in instead)
    concise = run("scan", str(story), "--format", "concise").stdout.splitlines()
    assert sum("loaded-verb-terrorise" in line for line in concise) == 2
    assert not any("instead" in line or "why" in line for line in concise)


@pytest.mark.parametrize("replace", ['["two\\nlines"]', '[" padded"]', "[3]"])
def test_a_bad_replacement_is_a_pack_error_with_its_line(tmp_path: Path, replace: str) -> None:
    pack = write_rule_pack(tmp_path / "house.yaml", "house-rule", "['zorbic']", extra=f"    replace: {replace}\n")
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    assert f"{pack}:8" in str(caught.value) and "replace" in str(caught.value)
