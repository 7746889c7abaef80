"""Every output format, parsed back or compared with a reviewed golden file."""

from __future__ import annotations

import json
import re

import pytest
from helpers import DATA, REPO, SEED, run

GOLDEN = DATA / "golden"
SEED_ARG = "examples/obozrevatel-iran-russia-2023.txt"


@pytest.mark.parametrize("format_name", ["text", "markdown", "annotated"])
def test_seed_output_matches_the_reviewed_golden_file(monkeypatch, format_name: str) -> None:
    monkeypatch.chdir(REPO)
    result = run("scan", "--format", format_name, SEED_ARG)
    assert result.stdout == (GOLDEN / f"seed.{format_name}").read_text(encoding="utf-8")


def test_text_underlines_each_span_in_its_source_line() -> None:
    lines = run("scan", str(SEED)).stdout.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r".+:(\d+):(\d+): \w+ [\w-]+ .* (\".*\")$", line)
        if not match:
            continue
        excerpt = json.loads(match.group(3))
        shown, carets = lines[index + 1], lines[index + 2]
        column = carets.index("^")
        assert shown[column : column + carets.count("^")] == excerpt


def test_concise_is_one_line_per_finding() -> None:
    lines = run("scan", "--format", "concise", str(SEED)).stdout.splitlines()
    assert len(lines) == 5 and all(line.startswith(str(SEED)) for line in lines)


def test_annotated_marks_every_active_finding_inline() -> None:
    out = run("scan", "--format", "annotated", str(SEED)).stdout
    marks = re.findall(r"\[\[(.+?)\]\]\{([\w,-]+)\}", out)
    assert marks == [
        ("terrorise", "loaded-language"),
        ("It has also been reported that", "unsourced-attribution"),
        ("Only verified information is available in our", "distrust-call"),
        ("Do not fall for fakes!", "distrust-call"),  # one device: its exclamation is absorbed
    ]
    assert re.sub(r"\[\[(.+?)\]\]\{[\w,-]+\}", r"\1", out.split("\n", 1)[1]).rstrip() == SEED.read_text(encoding="utf-8").rstrip()


def test_several_articles_get_a_table_sorted_by_score(tmp_path) -> None:
    calm = tmp_path / "calm.txt"
    calm.write_text("The council approved the budget. " * 20 + "They terrorised nobody.\n", encoding="utf-8")
    out = run("scan", str(calm), str(SEED)).stdout.splitlines()
    table = out[out.index("  SCORE  BAND      FINDINGS  WORDS  ARTICLE") + 1 :][:2]
    assert [row.split()[-1] for row in table] == [str(SEED), str(calm)]
    assert out[-1] == "2 articles scanned, 5 findings (3 warnings, 2 errors)"


def test_jsonl_streams_one_article_per_line(tmp_path) -> None:
    lines = run("scan", "--format", "jsonl", str(SEED), str(SEED)).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r.get("source") for r in records[:-1]] == [str(SEED)]  # the same path twice is scanned once
    assert records[0]["schema_version"] == 1 and records[-1]["summary"]["articles"] == 1
    assert records[0]["score"]["band"] == "high"
