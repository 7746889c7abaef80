"""SARIF 2.1.0, for code-scanning dashboards, and GitHub's workflow commands for pull requests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core.model import ArticleReport, Finding, Severity
from ..core.summary import RunSummary
from ..core.taxonomy import TECHNIQUES
from .base import Formatter, note_line, visible

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
        self.notifications: list[dict[str, Any]] = []

    def _notification(self, level: str, text: str, uri: str, line: int | None = None) -> dict[str, Any]:
        location: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
        if line is not None:
            location["region"] = {"startLine": line}
        return {"level": level, "message": {"text": text}, "locations": [{"physicalLocation": location}]}

    def _rule_index(self, finding: Finding) -> int:
        if finding.rule_id not in self.used_rules:
            self.used_rules[finding.rule_id] = len(self.used_rules)
        return self.used_rules[finding.rule_id]

    def article(self, report: ArticleReport) -> None:
        uri = repository_uri(report.source, self.root)
        for note in report.warnings:  # waivers that did not apply, rules skipped for time, ...
            self.notifications.append(self._notification("warning", note, uri, note_line(note)))
        for finding in report.findings:
            result: dict[str, Any] = {
                "ruleId": finding.rule_id,
                "ruleIndex": self._rule_index(finding),
                "level": SARIF_LEVELS[finding.severity],
                "message": {"text": f"{finding.message}: \"{finding.excerpt}\"{finding.context_note}"},
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
                "properties": {"technique": finding.technique, "part": finding.part, "weight": finding.weight,
                               **({"context": list(finding.context)} if finding.context else {}),
                               **({"absorbed": list(finding.absorbed)} if finding.absorbed else {}),
                               **({"quote": {"speaker": finding.quote or None}} if finding.quote is not None else {})},
            }
            fixes = self._fixes(finding, uri)
            if fixes:
                result["fixes"] = fixes
            if "#" in report.source:
                record = report.source.partition("#")[2]
                result["locations"][0]["logicalLocations"] = [{"name": record, "kind": "record"}]
            if finding.suppression is not None:
                waiver = finding.suppression
                result["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                           "justification": waiver.reason or "no reason given"}]
            if finding.baselined:
                result["baselineState"] = "unchanged"
            self.results.append(result)

    def _fixes(self, finding: Finding, uri: str) -> list[dict[str, Any]]:
        """One fix per literal replacement the rule offers: the finding's span, replaced."""
        info = self.rules.get(finding.rule_id)
        if info is None or not info.replace or finding.end_line != finding.line:
            return []
        region = {"startLine": finding.line, "startColumn": finding.column,
                  "endLine": finding.end_line, "endColumn": finding.end_column}
        return [{
            "description": {"text": f"Replace \"{finding.excerpt}\" with \"{text}\""},
            "artifactChanges": [{
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": text}}],
            }],
        } for text in info.replace]

    def _rule(self, rule_id: str) -> dict[str, Any]:
        info = self.rules.get(rule_id)
        if info is None:
            return {"id": rule_id}
        technique = TECHNIQUES[info.technique]
        help_lines = [info.why or technique.definition]
        if info.instead:
            help_lines.append("Instead: " + "; ".join(info.instead))
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
                "executionSuccessful": not summary.errors and not summary.incomplete,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": error}} for error in summary.errors + summary.incomplete
                ] + self.notifications + [
                    self._notification("error", failure.reason, repository_uri(failure.source, self.root))
                    for failure in summary.failures if failure.kind == "score"
                ],
            }],
            "results": self.results,
        }
        document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
        self.stream.write(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _escape_data(text: str) -> str:
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter(Formatter):
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

    name = "github"
    description = "GitHub Actions annotations (::warning file=...,line=...::message)"
    COMMANDS = {Severity.INFO: "notice", Severity.WARNING: "warning", Severity.ERROR: "error"}

    def start(self) -> None:
        self.root = Path.cwd()

    def _where(self, source: str, **position: int | None) -> tuple[str, str]:
        """(the annotation's location properties, a prefix for its message). A file name with
        bytes that are not UTF-8 reaches the report escaped ("\\xff"): no path in a UTF-8 log
        can point at the real file, so the annotation names it in its message instead."""
        if "\\x" in source and not os.path.lexists(source):
            return "", _escape_data(f"{source}: ")
        located = [f"file={_escape_property(repository_uri(source, self.root))}"]
        located += [f"{name}={value}" for name, value in position.items() if value]
        return ",".join(located) + ",", ""

    def article(self, report: ArticleReport) -> None:
        for note in report.warnings:  # waivers that did not apply, rules skipped for time, ...
            where, named = self._where(report.source, line=note_line(note))
            self.stream.write(f"::warning {where}title=framecheck note::{named}{_escape_data(note)}\n")
        for finding in report.active_findings:
            where, named = self._where(report.source, line=finding.line, col=finding.column,
                                       endLine=finding.end_line, endColumn=finding.end_column)
            title = f"title={_escape_property('framecheck ' + finding.rule_id)}"
            said = f"{finding.message}: \"{finding.excerpt}\" ({finding.technique}){finding.context_note}"
            self.stream.write(f"::{self.COMMANDS[finding.severity]} {where}{title}::{named}{_escape_data(said)}\n")

    def finish(self, summary: RunSummary) -> None:
        for failure in summary.failures:
            if failure.kind == "score":
                where, named = self._where(failure.source)
                self.stream.write(f"::error {where}title=framecheck max-score::{named}{_escape_data(failure.reason)}\n")
