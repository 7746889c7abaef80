"""The pre-publication check: which articles fail it, and why, in words every report can show.

An article fails when an active finding in scope is at or over ``--fail-on``, or when its
score is over ``--max-score``. In scope, by default, are the findings in the outlet's own
voice: what a named speaker is quoted as saying and site chrome are reported, marked, but do
not fail a story (``fail-scope: all`` counts them too).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..core.model import ArticleReport, Finding, Severity
from ..core.summary import GateFailure
from ..inputs.changes import ChangedLines
from ..outputs.base import plural
from .config import Config


@dataclass(frozen=True)
class GatePolicy:
    """The limits a run checks articles against."""

    fail_on: Severity | None = Severity.WARNING  # None: findings never fail the check
    max_score: float | None = None
    scope: str = "own-voice"  # or "all"

    @classmethod
    def from_config(cls, config: Config) -> GatePolicy:
        fail_on = None if config.fail_on == "never" else Severity.parse(config.fail_on)
        return cls(fail_on, config.max_score, config.fail_scope)

    def counts(self, finding: Finding) -> bool:
        """Whether an active finding can fail the check under the scope."""
        return self.scope == "all" or finding.own_voice

    def judge(self, report: ArticleReport, *, judge_score: bool = True) -> tuple[list[GateFailure], int]:
        """(why the article fails, or nothing; how many findings over the threshold the scope
        left out). ``judge_score`` False leaves ``max-score`` out: an edited article's score
        covers lines the edit did not touch (``--changed-lines``)."""
        failures: list[GateFailure] = []
        left_out = 0
        if self.fail_on is not None:
            over = [f for f in report.active_findings if f.severity >= self.fail_on]
            counted = [f for f in over if self.counts(f)]
            left_out = len(over) - len(counted)
            if counted:
                failures.append(GateFailure(
                    report.source, "findings",
                    f"{plural(len(counted), 'finding')} at or above {self.fail_on.label}",
                ))
        if judge_score and self.max_score is not None and report.score.value > self.max_score:
            failures.append(GateFailure(
                report.source, "score",
                f"score {report.score.value:.0f}/100 is above --max-score {self.max_score:g}",
            ))
        return failures, left_out



def shown_from(report: ArticleReport, minimum: Severity) -> tuple[ArticleReport, int]:
    """The report with only findings of ``minimum`` severity or higher (``min-severity``: what a
    hook or a CI log shows), and how many were left out. The score is the article's and stays
    as it is; the check is judged on every finding, before this."""
    if minimum == Severity.INFO:
        return report, 0
    kept = tuple(f for f in report.findings if f.severity >= minimum)
    return dataclasses.replace(report, findings=kept), len(report.findings) - len(kept)


def on_changed_lines(report: ArticleReport, changed: dict[Path, ChangedLines]) -> tuple[ArticleReport, bool, int]:
    """(the report with only the findings on lines a diff changed, whether the whole file is
    new, how many findings were left out) for ``--changed-lines``. A new file is judged whole,
    its score included; an edited one only on its changed lines, without its score."""
    lines = changed.get(Path(report.source).resolve(), ChangedLines())
    if lines.whole:
        return report, True, 0
    kept = tuple(f for f in report.findings if lines.touches(f.line, max(f.line, f.end_line)))
    return dataclasses.replace(report, findings=kept), False, len(report.findings) - len(kept)
