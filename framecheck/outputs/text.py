"""Reports for people at a terminal: the full text report, the one-line concise one, and the
article annotated in place.
"""

from __future__ import annotations

from ..core.model import ArticleReport, Finding, Severity
from ..core.summary import RunSummary
from .base import (
    Formatter,
    excerpt_window,
    hidden_counts,
    merge_overlapping,
    plural,
    quote_excerpt,
    score_summary,
    source_line,
    visible,
)

_COLOURS = {Severity.INFO: "\033[36m", Severity.WARNING: "\033[33m", Severity.ERROR: "\033[31m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


class TextFormatter(Formatter):
    """Each finding as ``path:line:col: severity rule-id message "excerpt"`` with its source line
    underlined, a summary per article, and a table sorted by score when several were scanned."""

    name = "text"
    description = "findings with their source line underlined, a score per article, a summary table (the default)"
    show_source = True

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def start(self) -> None:
        self.rows: list[tuple[float, str, int, int, str]] = []
        self.explained: set[str] = set()

    def finding_line(self, source: str, finding: Finding) -> str:
        severity = self._paint(finding.severity.label, _COLOURS[finding.severity])
        rule = self._paint(finding.rule_id, _BOLD)
        return (
            f"{visible(source)}:{finding.line}:{finding.column}: {severity} {rule} "
            f"{visible(finding.message + ' ' + quote_excerpt(finding.excerpt) + finding.context_note)}"
        )

    def context_lines(self, report: ArticleReport, finding: Finding) -> list[str]:
        line = visible(source_line(report, finding.line))  # one character for one: carets stay aligned
        start = finding.column - 1
        end = finding.end_column - 1 if finding.end_line == finding.line else len(line)
        end = max(start + 1, min(end, len(line)))
        shown, at = excerpt_window(line, start, end)
        length = min(end - start, len(shown) - at)
        gutter = " " * len(str(finding.line))
        if self.color:
            code = _COLOURS[finding.severity]
            shown = shown[:at] + code + shown[at : at + length] + _RESET + shown[at + length :]
        return [f"  {finding.line} | {shown}", f"  {gutter} | {' ' * at}{'^' * max(1, length)}"]

    def advice_lines(self, finding: Finding) -> list[str]:
        """What the rule says a writer can do, under the finding: why (the first time the rule is
        reported in the run), and what to write instead."""
        info = self.rules.get(finding.rule_id)
        if info is None:
            return []
        gutter = " " * len(str(finding.line))
        explained = info.why and finding.rule_id not in self.explained
        lines = [f"  {gutter} = why: {visible(info.why)}"] if explained else []
        self.explained.add(finding.rule_id)  # once per run: a long article repeats its rules
        if info.instead:
            lines.append(f"  {gutter} = instead: {visible('; '.join(info.instead))}")
        return lines

    def article(self, report: ArticleReport) -> None:
        write = self.stream.write
        active = report.active_findings
        for finding in active:
            write(self.finding_line(report.source, finding) + "\n")
            if self.show_source:
                for line in self.context_lines(report, finding):
                    write(line + "\n")
                for line in self.advice_lines(finding):
                    write(line + "\n")
        if self.quiet:
            return
        source = visible(report.source)
        for warning in report.warnings:
            write(f"{source}: note: {visible(warning)}\n")
        write(f"{source}: {plural(len(active), 'finding')}{hidden_counts(report)}, {score_summary(report)}\n")
        self.rows.append((report.score.value, report.score.band, len(active), report.score.words, source))

    def finish(self, summary: RunSummary) -> None:
        if self.quiet:
            return
        write = self.stream.write
        for failure in summary.failures:
            if failure.kind == "score":
                write(f"{visible(failure.source)}: {failure.reason}\n")
        if summary.articles > 1:
            write("\n  SCORE  BAND      FINDINGS  WORDS  ARTICLE\n")
            for value, band, findings, words, source in sorted(self.rows, key=lambda r: (-r[0], r[4])):
                write(f"  {value:5.0f}  {band:<8}  {findings:8d}  {words:5d}  {source}\n")
        worth_a_line = (summary.errors or summary.skipped or summary.incomplete or summary.passed_over
                        or summary.not_shown or summary.unchanged)
        if summary.articles > 1 or worth_a_line:
            write(totals_line(summary) + "\n")


def totals_line(summary: RunSummary) -> str:
    """The run's last line: articles and findings, then what was left out of the count or the
    scan and why ("2 articles scanned, 3 findings (1 warning, 2 errors), 1 suppressed; ...")."""
    counts = ", ".join(f"{plural(n, s)}" for s, n in summary.by_severity.items() if n)
    line = f"{plural(summary.articles, 'article')} scanned, {plural(summary.findings, 'finding')}"
    line += f" ({counts})" if counts else ""
    for count, said in ((summary.suppressed, "suppressed"), (summary.baselined, "in baseline"),
                        (summary.not_shown, "below --min-severity not shown"),
                        (summary.unchanged, "on unchanged lines not shown")):
        line += f", {count} {said}" if count else ""
    if summary.errors:
        line += f"; {plural(len(summary.errors), 'input')} could not be read"
    if summary.skipped:
        line += f"; {plural(len(summary.skipped), 'input')} skipped (see the warnings)"
    if summary.incomplete:
        line += f"; {plural(len(summary.incomplete), 'article')} checked incompletely (a plugin failed)"
    if summary.passed_over:
        line += f"; {summary.passed_over_note()}, not in an article format"
    return line


class ConciseFormatter(TextFormatter):
    """Exactly one line per finding and one per article: for grep, editors and old CI parsers."""

    name = "concise"
    description = "one line per finding (path:line:col: severity rule-id message \"excerpt\") and per article"
    show_source = False


class AnnotatedFormatter(Formatter):
    """The scanned text with every finding marked inline: ``[[terrorise]]{loaded-language}``."""

    name = "annotated"
    description = "the article text with inline [[span]]{technique} markers, for reading or diffing"

    def article(self, report: ArticleReport) -> None:
        text = report.document.text
        pieces, cursor = [], 0
        for start, end, group in merge_overlapping(report.active_findings):
            labels = ",".join(dict.fromkeys(f.technique for f in group))
            voices = ", ".join(dict.fromkeys(voice for f in group for voice in f.voice))
            labels += f"; {voices}" if voices else ""
            pieces += [text[cursor:start], "[[", text[start:end], "]]{", labels, "}"]
            cursor = end
        pieces.append(text[cursor:])
        score = report.score
        self.stream.write(f"=== {visible(report.source)} (score {score.value:.0f}/100, {score.band}) ===\n")
        self.stream.write(visible("".join(pieces).rstrip("\n"), keep_lines=True) + "\n\n")

    def finish(self, summary: RunSummary) -> None:
        for failure in summary.failures:
            if failure.kind == "score":
                self.stream.write(f"=== {visible(failure.source)}: {failure.reason} ===\n")
