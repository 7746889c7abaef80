"""Each formatter family driven directly through its life cycle (start, article, finish), with
no command line: the reports are parsed back."""

from __future__ import annotations

import io
import json
import os
import re

import jsonschema
import pytest
from helpers import DATA, SEED, make_engine

from framecheck.core.summary import RunSummary
from framecheck.inputs.readers import text_document
from framecheck.outputs.data import JsonFormatter, JsonLinesFormatter
from framecheck.outputs.markdown import MarkdownFormatter
from framecheck.outputs.sarif import GithubFormatter, SarifFormatter
from framecheck.outputs.text import AnnotatedFormatter, ConciseFormatter, TextFormatter


@pytest.fixture(scope="module")
def reports():
    engine = make_engine()
    seed = engine.scan(text_document(str(SEED), SEED.read_text(encoding="utf-8")))
    calm = engine.scan(text_document("calm.txt", "The council met on Monday.\n"))
    return engine, [seed, calm]


def render(cls, reports, **options) -> str:
    engine, articles = reports
    stream = io.StringIO()
    formatter = cls(stream, rules=engine.rules(), **options)
    summary = RunSummary()
    formatter.start()
    for report in articles:
        summary.add(report)
        formatter.article(report)
    formatter.finish(summary)
    return stream.getvalue()


def test_json_is_one_document_with_every_finding_and_the_totals(reports) -> None:
    data = json.loads(render(JsonFormatter, reports))
    assert [a["source"] for a in data["articles"]] == [str(SEED), "calm.txt"]
    assert len(data["articles"][0]["findings"]) == 4 and data["articles"][1]["findings"] == []
    assert data["summary"]["articles"] == 2 and data["summary"]["findings"] == 4
    text = SEED.read_text(encoding="utf-8")
    assert all(text[f["start"]:f["end"]] == f["excerpt"] for f in data["articles"][0]["findings"])


def test_json_lines_streams_one_line_per_article_then_the_summary(reports) -> None:
    lines = render(JsonLinesFormatter, reports).splitlines()
    parsed = [json.loads(line) for line in lines]
    assert len(parsed) == 3 and parsed[0]["source"] == str(SEED) and "summary" in parsed[-1]


def test_sarif_is_valid_sarif_2_1_0(reports) -> None:
    log = json.loads(render(SarifFormatter, reports))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert len(results) == 4 and {r["ruleId"] for r in results} >= {"distrust-fakes-warning"}


def test_github_annotations_are_workflow_commands(reports) -> None:
    lines = [line for line in render(GithubFormatter, reports).splitlines() if line.startswith("::")]
    assert len(lines) == 4 and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert all(f"file={os.path.relpath(SEED)}," in line for line in lines)  # paths relative, as GitHub reads them


def test_text_concise_markdown_and_annotated_name_every_finding(reports) -> None:
    concise = render(ConciseFormatter, reports).splitlines()
    assert sum(re.match(rf"{re.escape(str(SEED))}:\d+:\d+: ", line) is not None for line in concise) == 4
    text = render(TextFormatter, reports)
    assert text.count("^") > 50 and "score 81/100" in text
    markdown = render(MarkdownFormatter, reports)
    assert markdown.count("distrust-fakes-warning") >= 1 and "|" in markdown
    annotated = render(AnnotatedFormatter, reports)
    assert "[[Do not fall for fakes!]]" in annotated


def test_colour_only_when_asked(reports) -> None:
    assert "\x1b[" in render(TextFormatter, reports, color=True)
    assert "\x1b[" not in render(TextFormatter, reports, color=False)
