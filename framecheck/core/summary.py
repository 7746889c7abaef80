"""The state of one run over many articles: totals and why the check failed.

Kept apart from the document model: a run summary is made by the application layer and read
by formatters at the end of a run; no detector or reader ever sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import passed_over_note
from .model import ArticleReport, Severity


@dataclass(frozen=True)
class GateFailure:
    """Why one article fails the pre-publication check: ``kind`` is "findings" (at or over
    ``--fail-on``) or "score" (over ``--max-score``); ``reason`` says it in words."""

    source: str
    kind: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "kind": self.kind, "reason": self.reason}


@dataclass
class RunSummary:
    """Totals over a whole run, handed to formatters at the end."""

    articles: int = 0
    findings: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: {s.label: 0 for s in Severity})
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    suppressed: int = 0
    baselined: int = 0
    failures: list[GateFailure] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # articles on which a plugin failed
    not_counted: int = 0  # findings at or over --fail-on that the fail scope leaves out
    not_shown: int = 0  # findings below --min-severity, left out of the reports
    unchanged: int = 0  # findings on lines --changed-lines did not see changed, left out
    # Files folder walks found and did not read (no reader takes them), by extension.
    passed_over: dict[str, int] = field(default_factory=dict)

    def passed_over_note(self) -> str:
        """What folder walks passed over, in words (see :func:`core.errors.passed_over_note`)."""
        return passed_over_note(self.passed_over)

    @property
    def failed(self) -> bool:
        """Whether the pre-publication check failed (findings or scores over the limits)."""
        return bool(self.failures)

    def merge(self, other: RunSummary) -> None:
        """Add the totals of a run over other articles (a service scans a batch record by
        record, in several processes)."""
        self.articles += other.articles
        self.findings += other.findings
        for label, count in other.by_severity.items():
            self.by_severity[label] = self.by_severity.get(label, 0) + count
        self.errors.extend(other.errors)
        self.skipped.extend(other.skipped)
        self.suppressed += other.suppressed
        self.baselined += other.baselined
        self.failures.extend(other.failures)
        self.incomplete.extend(other.incomplete)
        self.not_counted += other.not_counted
        self.not_shown += other.not_shown
        self.unchanged += other.unchanged
        for kind, count in other.passed_over.items():
            self.passed_over[kind] = self.passed_over.get(kind, 0) + count

    def add(self, report: ArticleReport) -> None:
        self.articles += 1
        for finding in report.findings:
            if finding.suppression is not None:
                self.suppressed += 1
            elif finding.baselined:
                self.baselined += 1
            else:
                self.findings += 1
                self.by_severity[finding.severity.label] += 1
