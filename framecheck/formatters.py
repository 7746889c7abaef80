"""Output formatters: small classes with a streaming life cycle.

A run calls ``start()``, then ``article(report)`` once per document as soon as it is
scanned, then ``finish(summary)``; nothing needs to hold the whole corpus. Formatters are
contributed through the ``framecheck_formatters`` hook, the built-in ones included.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, TextIO

from . import __version__
from .model import ArticleReport, Finding, RunSummary, Severity

JSON_SCHEMA_VERSION = 1

_COLOURS = {Severity.INFO: "\033[36m", Severity.WARNING: "\033[33m", Severity.ERROR: "\033[31m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


class Formatter:
    """Base class: subclasses set ``name`` and override the life-cycle methods they need."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, stream: TextIO, *, color: bool = False):
        self.stream = stream
        self.color = color

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
        if summary.articles > 1 or summary.errors or summary.skipped or summary.suppressed or summary.baselined:
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
