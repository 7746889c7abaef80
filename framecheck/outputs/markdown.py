"""A Markdown report, for a pull-request comment or a job summary.
"""

from __future__ import annotations

from ..core.model import ArticleReport
from ..core.summary import RunSummary
from .base import Formatter, headline_of, plural, top_techniques, visible


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    cell = visible(" ".join(text.split()))
    return cell.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("`", "'")


class MarkdownFormatter(Formatter):
    """A compact report to paste into a pull-request comment."""

    name = "markdown"
    description = "a compact Markdown report for pull-request comments"

    def start(self) -> None:
        self.rows: list[str] = []
        self.details: list[str] = []
        self.scores: list[float] = []

    def article(self, report: ArticleReport) -> None:
        active = report.active_findings
        score = report.score
        top = top_techniques(score) or "-"
        title = _cell(headline_of(report))
        self.scores.append(score.value)
        self.rows.append(
            f"| `{_cell(report.source)}` | {title} | {score.value:.0f} | {score.band} | {len(active)} | {top} |"
        )
        if not active:
            return
        lines = [
            f"<details><summary><code>{_cell(report.source)}</code>: {plural(len(active), 'finding')}, "
            f"score {score.value:.0f} ({score.band})</summary>",
            "",
            "| Line | Severity | Rule | Excerpt | Message |",
            "|---:|---|---|---|---|",
        ]
        lines += [
            f"| {f.line}:{f.column} | {f.severity.label} | `{f.rule_id}` | {_cell(f.excerpt)} | {_cell(f.message + f.context_note)} |"
            for f in active
        ]
        lines += ["", "</details>", ""]
        self.details.append("\n".join(lines))

    def finish(self, summary: RunSummary) -> None:
        header = (
            f"## framecheck: {plural(summary.articles, 'article')}, {plural(summary.findings, 'finding')}"
            + (f", {summary.suppressed} suppressed" if summary.suppressed else "")
            + (f", {summary.baselined} in baseline" if summary.baselined else "")
        )
        order = sorted(range(len(self.rows)), key=lambda i: -self.scores[i])
        out = [header, "", "| Article | Headline | Score | Band | Findings | Top techniques |", "|---|---|---:|---|---:|---|"]
        out += [self.rows[i] for i in order]
        out.append("")
        out += self.details
        over = [f for f in summary.failures if f.kind == "score"]
        if over:
            reasons = "; ".join(f"`{_cell(f.source)}`: {_cell(f.reason)}" for f in over)
            out.append(f"**Over the maximum score:** {reasons}")
            out.append("")
        if summary.errors or summary.skipped:
            out.append("**Could not be read:** " + "; ".join(_cell(e) for e in summary.errors + summary.skipped))
        if summary.passed_over:
            out.append(f"**Not read:** {_cell(summary.passed_over_note())}, not in an article format")
        self.stream.write("\n".join(out).rstrip() + "\n")
