"""Reports for programs: one JSON document per run, or one JSON line per article.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._version import __version__
from ..core.model import ArticleReport, Finding, RuleInfo
from ..core.summary import RunSummary
from ..languages.detect import ANY
from .base import Formatter, summary_to_dict

JSON_SCHEMA_VERSION = 1


# What ``rule_to_dict(detail=True)`` adds to a listed rule.
RULE_DETAIL = ("why", "suggest", "replace", "references", "examples")


def rule_to_dict(rule: RuleInfo, *, detail: bool = False) -> dict[str, Any]:
    """A rule as ``rules list --format json`` lists it; with ``detail``, also what ``rules show``
    says (why, suggestions, replacements, references, examples)."""
    data: dict[str, Any] = {
        "id": rule.id, "technique": rule.technique, "severity": rule.severity.label, "weight": rule.weight,
        "pack": rule.pack, "language": rule.language or ANY, "origin": rule.origin, "message": rule.message,
    }
    if detail:
        data.update(why=rule.why, suggest=list(rule.suggest), replace=list(rule.replace),
                    references=list(rule.references),
                    examples={"match": list(rule.examples.match), "no_match": list(rule.examples.no_match)})
    return data


def finding_to_dict(finding: Finding, rules: Mapping[str, RuleInfo]) -> dict[str, Any]:
    """A finding with what its rule says a writer can do about it: ``why`` it matters,
    ``suggest`` (advice) and ``replace`` (literal words for the matched text)."""
    info = rules.get(finding.rule_id)
    return {**finding.to_dict(), "why": info.why if info else "", "suggest": list(info.suggest) if info else [],
            "replace": list(info.replace) if info else []}


def article_to_dict(report: ArticleReport, rules: Mapping[str, RuleInfo]) -> dict[str, Any]:
    """The JSON shape of one article (schema documented in README, ``schema_version`` 1)."""
    score = report.score
    return {
        "source": report.source,
        "metadata": dict(report.document.metadata),
        "language": report.document.language,
        "words": score.words,
        "score": {
            "value": score.value,
            "band": score.band,
            "density": score.density,
            "total_weight": score.total_weight,
            "by_technique": [
                {"technique": t.technique, "findings": t.findings, "weight": t.weight, "share": t.share}
                for t in score.by_technique
            ],
        },
        "findings": [finding_to_dict(finding, rules) for finding in report.findings],
        "warnings": list(report.warnings),
    }


class JsonFormatter(Formatter):
    """One JSON document for the run, written article by article as they are scanned."""

    name = "json"
    description = f"a JSON document (schema_version {JSON_SCHEMA_VERSION}) with every article and a summary"

    def start(self) -> None:
        tool = {"name": "framecheck", "version": __version__}
        header = json.dumps({"schema_version": JSON_SCHEMA_VERSION, "tool": tool}, allow_nan=False)
        self.stream.write(header[:-1] + ', "articles": [')
        self._first = True

    def article(self, report: ArticleReport) -> None:
        encoded = json.dumps(article_to_dict(report, self.rules), ensure_ascii=False, allow_nan=False)
        self.stream.write(("\n" if self._first else ",\n") + encoded)
        self._first = False

    def finish(self, summary: RunSummary) -> None:
        totals = json.dumps(summary_to_dict(summary), ensure_ascii=False, allow_nan=False)
        self.stream.write(("\n" if not self._first else "") + '], "summary": ' + totals + "}\n")


# Characters that many line readers (Python's str.splitlines among them) take for line breaks;
# JSON allows them raw inside strings, so a JSON-lines record escapes them to stay one line.
_LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _one_line(encoded: str) -> str:
    return encoded.translate(_LINE_SEPARATORS)


class JsonLinesFormatter(Formatter):
    """One JSON object per article per line, then a summary line: for big corpora and streaming."""

    name = "jsonl"
    description = f"one JSON object per article per line (schema_version {JSON_SCHEMA_VERSION}), then a summary line"

    def article(self, report: ArticleReport) -> None:
        record = {"schema_version": JSON_SCHEMA_VERSION, **article_to_dict(report, self.rules)}
        self.stream.write(_one_line(json.dumps(record, ensure_ascii=False, allow_nan=False)) + "\n")

    def finish(self, summary: RunSummary) -> None:
        self.stream.write(_one_line(json.dumps({"summary": summary_to_dict(summary)}, ensure_ascii=False,
                                               allow_nan=False)) + "\n")
