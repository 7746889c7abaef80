"""Output formatters: small classes with a streaming life cycle.

A run calls ``start()``, then ``article(report)`` once per document as soon as it is
scanned, then ``finish(summary)``; nothing needs to hold the whole corpus. Formatters are
contributed through the ``framecheck_formatters`` hook, the built-in ones included.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, TextIO

from . import __version__
from .model import ArticleReport, Finding, RuleInfo, RunSummary, Severity
from .taxonomy import TECHNIQUES

JSON_SCHEMA_VERSION = 1

_COLOURS = {Severity.INFO: "\033[36m", Severity.WARNING: "\033[33m", Severity.ERROR: "\033[31m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


class Formatter:
    """Base class: subclasses set ``name`` and override the life-cycle methods they need."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, stream: TextIO, *, color: bool = False, rules: Sequence[RuleInfo] = ()):
        self.stream = stream
        self.color = color
        self.rules = {rule.id: rule for rule in rules}

    def start(self) -> None:
        """Called once before the first article."""

    def article(self, report: ArticleReport) -> None:
        """Called once per scanned article, in input order."""

    def finish(self, summary: RunSummary) -> None:
        """Called once after the last article, with the run's totals and input errors."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def quote_excerpt(text: str) -> str:
    """The excerpt on one line, so one finding is always one line of output."""
    return '"' + text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n") + '"'


class TextFormatter(Formatter):
    """One finding a line (``path:line:col: severity rule-id message "excerpt"``), then a summary per article."""

    name = "text"
    description = "one line per finding, a summary line per article (the default)"

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def finding_line(self, source: str, finding: Finding) -> str:
        severity = self._paint(finding.severity.label, _COLOURS[finding.severity])
        rule = self._paint(finding.rule_id, _BOLD)
        return (
            f"{source}:{finding.line}:{finding.column}: {severity} {rule} "
            f"{finding.message} {quote_excerpt(finding.excerpt)}"
        )

    def article(self, report: ArticleReport) -> None:
        write = self.stream.write
        active = report.active_findings
        for finding in active:
            write(self.finding_line(report.source, finding) + "\n")
        for warning in report.warnings:
            write(f"{report.source}: note: {warning}\n")
        score = report.score
        top = ", ".join(f"{t.technique} {t.findings}" for t in score.by_technique[:3])
        waived = sum(1 for f in report.findings if f.suppression is not None)
        baselined = sum(1 for f in report.findings if f.baselined)
        hidden = ", ".join(
            text for count, text in ((waived, f"{waived} suppressed"), (baselined, f"{baselined} in baseline")) if count
        )
        write(
            f"{report.source}: {_plural(len(active), 'finding')}"
            + (f" ({hidden})" if hidden else "")
            + f", score {score.value:.1f} per 1,000 words ({_plural(score.words, 'word')})"
            + (f"; top: {top}" if top else "")
            + "\n"
        )

    def finish(self, summary: RunSummary) -> None:
        if summary.articles > 1 or summary.errors or summary.skipped:
            counts = ", ".join(f"{_plural(n, s)}" for s, n in summary.by_severity.items() if n)
            line = f"{_plural(summary.articles, 'article')} scanned, {_plural(summary.findings, 'finding')}"
            line += f" ({counts})" if counts else ""
            if summary.suppressed:
                line += f", {summary.suppressed} suppressed"
            if summary.baselined:
                line += f", {summary.baselined} in baseline"
            unread = len(summary.errors) + len(summary.skipped)
            if unread:
                line += f"; {_plural(unread, 'input')} could not be read"
            self.stream.write(line + "\n")


def article_to_dict(report: ArticleReport) -> dict[str, Any]:
    """The JSON shape of one article (schema documented in README, ``schema_version`` 1)."""
    score = report.score
    return {
        "source": report.source,
        "metadata": dict(report.document.metadata),
        "words": score.words,
        "score": {
            "value": score.value,
            "total_weight": score.total_weight,
            "by_technique": [
                {"technique": t.technique, "findings": t.findings, "weight": t.weight}
                for t in score.by_technique
            ],
        },
        "findings": [finding.to_dict() for finding in report.findings],
        "warnings": list(report.warnings),
    }


class JsonFormatter(Formatter):
    """One JSON document for the run, written article by article as they are scanned."""

    name = "json"
    description = f"a JSON document (schema_version {JSON_SCHEMA_VERSION}) with every article and a summary"

    def start(self) -> None:
        header = json.dumps({"schema_version": JSON_SCHEMA_VERSION, "tool": {"name": "framecheck", "version": __version__}})
        self.stream.write(header[:-1] + ', "articles": [')
        self._first = True

    def article(self, report: ArticleReport) -> None:
        self.stream.write(("\n" if self._first else ",\n") + json.dumps(article_to_dict(report), ensure_ascii=False))
        self._first = False

    def finish(self, summary: RunSummary) -> None:
        totals = {
            "articles": summary.articles,
            "findings": summary.findings,
            "by_severity": summary.by_severity,
            "suppressed": summary.suppressed,
            "baselined": summary.baselined,
            "errors": summary.errors,
            "skipped": summary.skipped,
        }
        self.stream.write(("\n" if not self._first else "") + '], "summary": ' + json.dumps(totals, ensure_ascii=False) + "}\n")


class JsonLinesFormatter(Formatter):
    """One JSON object per article per line, then a summary line: for big corpora and streaming."""

    name = "jsonl"
    description = f"one JSON object per article per line (schema_version {JSON_SCHEMA_VERSION}), then a summary line"

    def article(self, report: ArticleReport) -> None:
        record = {"schema_version": JSON_SCHEMA_VERSION, **article_to_dict(report)}
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")

    def finish(self, summary: RunSummary) -> None:
        totals = {"summary": {"articles": summary.articles, "findings": summary.findings,
                              "suppressed": summary.suppressed, "baselined": summary.baselined,
                              "errors": summary.errors, "skipped": summary.skipped}}
        self.stream.write(json.dumps(totals, ensure_ascii=False) + "\n")


SARIF_LEVELS = {Severity.INFO: "note", Severity.WARNING: "warning", Severity.ERROR: "error"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def repository_uri(source: str, root: Path) -> str:
    """A source name as a URI relative to ``root`` (forward slashes), for SARIF and annotations."""
    path = source.partition("#")[0]
    if path.startswith("<"):
        return path.strip("<>")
    try:
        return Path(os.path.relpath(Path(path).resolve(), root.resolve())).as_posix()
    except ValueError:
        return Path(path).as_posix()


class SarifFormatter(Formatter):
    """SARIF 2.1.0 for GitHub code scanning: rules with help, regions, stable fingerprints."""

    name = "sarif"
    description = "SARIF 2.1.0 (GitHub code scanning); paths relative to the working directory"

    def start(self) -> None:
        self.root = Path.cwd()
        self.results: list[dict[str, Any]] = []
        self.used_rules: dict[str, int] = {}

    def _rule_index(self, finding: Finding) -> int:
        if finding.rule_id not in self.used_rules:
            self.used_rules[finding.rule_id] = len(self.used_rules)
        return self.used_rules[finding.rule_id]

    def article(self, report: ArticleReport) -> None:
        uri = repository_uri(report.source, self.root)
        for finding in report.findings:
            result: dict[str, Any] = {
                "ruleId": finding.rule_id,
                "ruleIndex": self._rule_index(finding),
                "level": SARIF_LEVELS[finding.severity],
                "message": {"text": f"{finding.message}: \"{finding.excerpt}\""},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": finding.line, "startColumn": finding.column,
                            "endLine": max(finding.end_line, finding.line),
                            "endColumn": max(finding.end_column, finding.column + 1),
                            "snippet": {"text": finding.excerpt},
                        },
                    },
                }],
                "partialFingerprints": {"framecheckFingerprint/v1": f"{uri}:{finding.fingerprint}"},
                "properties": {"technique": finding.technique, "part": finding.part, "weight": finding.weight},
            }
            if "#" in report.source:
                result["locations"][0]["logicalLocations"] = [{"name": report.source.partition("#")[2], "kind": "record"}]
            if finding.suppression is not None:
                waiver = finding.suppression
                result["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                           "justification": waiver.reason or "no reason given"}]
            if finding.baselined:
                result["baselineState"] = "unchanged"
            self.results.append(result)

    def _rule(self, rule_id: str) -> dict[str, Any]:
        info = self.rules.get(rule_id)
        if info is None:
            return {"id": rule_id}
        technique = TECHNIQUES[info.technique]
        help_lines = [info.why or technique.definition]
        if info.suggest:
            help_lines.append("Instead: " + "; ".join(info.suggest))
        help_lines.append(f"Technique: {technique.name}. {technique.definition}")
        return {
            "id": info.id,
            "name": "".join(part.capitalize() for part in info.id.split("-")),
            "shortDescription": {"text": info.message},
            "fullDescription": {"text": info.why or technique.definition},
            "help": {"text": "\n\n".join(help_lines), "markdown": "\n\n".join(help_lines)},
            "defaultConfiguration": {"level": SARIF_LEVELS[info.severity]},
            "properties": {"technique": info.technique, "tags": ["framing", info.technique], "origin": info.origin},
        }

    def finish(self, summary: RunSummary) -> None:
        run = {
            "tool": {"driver": {
                "name": "framecheck", "version": __version__, "semanticVersion": __version__,
                "informationUri": "https://pypi.org/project/framecheck/",
                "rules": [self._rule(rule_id) for rule_id in self.used_rules],
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": self.root.resolve().as_uri() + "/"}},
            "invocations": [{
                "executionSuccessful": not summary.errors,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": error}} for error in summary.errors
                ],
            }],
            "results": self.results,
        }
        document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        self.stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter(Formatter):
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

    name = "github"
    description = "GitHub Actions annotations (::warning file=...,line=...::message)"
    COMMANDS = {Severity.INFO: "notice", Severity.WARNING: "warning", Severity.ERROR: "error"}

    def start(self) -> None:
        self.root = Path.cwd()

    def article(self, report: ArticleReport) -> None:
        path = _escape_property(repository_uri(report.source, self.root))
        for finding in report.active_findings:
            properties = (
                f"file={path},line={finding.line},col={finding.column},"
                f"endLine={finding.end_line},endColumn={finding.end_column},"
                f"title={_escape_property('framecheck ' + finding.rule_id)}"
            )
            message = _escape_data(f"{finding.message}: \"{finding.excerpt}\" ({finding.technique})")
            self.stream.write(f"::{self.COMMANDS[finding.severity]} {properties}::{message}\n")
