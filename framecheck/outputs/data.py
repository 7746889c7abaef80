"""Reports for programs: one JSON document per run, or one JSON line per article.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._version import __version__
from ..core.model import ArticleReport, Finding, RuleInfo
from ..core.summary import RunSummary
from .base import Formatter, summary_to_dict

JSON_SCHEMA_VERSION = 1


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
