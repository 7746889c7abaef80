"""The formatter life cycle every report format follows, and the helpers formats share.

A formatter is told of the run's start, of each article as it is scanned, and of the run's
end: streaming formats (text, JSON Lines) never hold the whole corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, TextIO

from ..core.model import ArticleReport, Finding, RuleInfo, Score
from ..core.summary import RunSummary


class Formatter:
    """Base class: subclasses set ``name`` and override the life-cycle methods they need."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    quiet: bool = False  # set by ``--quiet``: formats for people show the findings only

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


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# Characters that must not reach a terminal or a CI log as they are: C0 controls (ESC starts
# the sequences that recolour, retitle or hide text; a line break in a file name starts a forged
# "::error" workflow command), DEL, C1 controls, and the bidirectional controls that make text
# display in another order than it is read ("Trojan Source"). Each becomes one visible
# character, so columns and carets stay aligned: the Unicode control pictures for C0 and DEL,
# U+FFFD for the rest.
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_VISIBLE = {code: 0x2400 + code for code in range(0x20) if code != 0x09} | {0x7F: 0x2421} | {
    code: 0xFFFD for code in (*range(0x80, 0xA0), *_BIDI)
}
_VISIBLE_KEEPING_LINES = {code: value for code, value in _VISIBLE.items() if code != 0x0A}


def visible(text: str, *, keep_lines: bool = False) -> str:
    """``text`` safe to print on a terminal or in a CI log (see ``_VISIBLE``); with
    ``keep_lines``, line breaks stay line breaks (CRLF becomes LF; a lone CR, which would
    send the cursor back over the line, is shown), and a line that would start with ``::`` (a
    GitHub Actions workflow command such as ``::error`` or ``::add-mask``) gets a space first."""
    if keep_lines:
        shown = text.replace("\r\n", "\n").translate(_VISIBLE_KEEPING_LINES)
        return _WORKFLOW_COMMAND.sub(" ::", shown) if "::" in shown else shown
    if text.isprintable():  # no control or format character at all: the common case, checked in C
        return text
    return text.translate(_VISIBLE)


_WORKFLOW_COMMAND = re.compile(r"^::", re.MULTILINE)


def quote_excerpt(text: str) -> str:
    """The excerpt on one line, so one finding is always one line of output."""
    return '"' + text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n") + '"'


CONTEXT_WIDTH = 100


def source_line(report: ArticleReport, line: int) -> str:
    """Line ``line`` (1-based) of the article's source, without its line break."""
    document = report.document
    source = document.source_text if document.source_text is not None else document.text
    starts = document.line_starts
    begin = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(source)
    return source[begin:end].rstrip("\r")


def excerpt_window(text: str, start: int, end: int, width: int = CONTEXT_WIDTH) -> tuple[str, int]:
    """At most ``width`` characters of ``text`` around [start, end), and where start lands in them."""
    if len(text) <= width:
        return text, start
    left = max(0, min(start - (width - (end - start)) // 2, len(text) - width))
    shown = text[left : left + width]
    prefix = "…" if left > 0 else ""
    suffix = "…" if left + width < len(text) else ""
    return prefix + shown + suffix, start - left + len(prefix)


def headline_of(report: ArticleReport) -> str:
    """The article's headline: from its metadata, else the text of its headline region."""
    title = report.document.metadata.get("title") or report.document.metadata.get("headline")
    if title:
        return str(title)
    region = next(iter(report.document.regions_of("headline")), None)
    return report.document.text[region.start : region.end].strip() if region else ""


def top_techniques(score: Score, count: int = 3) -> str:
    """The techniques that contribute most to a score, with their shares: "doubt 60%, ..."."""
    return ", ".join(f"{t.technique} {t.share:.0f}%" for t in score.by_technique[:count])


def summary_to_dict(summary: RunSummary) -> dict[str, Any]:
    """The run's totals as every JSON format writes them; ``failures`` says which articles fail
    the check and why (findings at or over --fail-on, a score over --max-score)."""
    return {
        "articles": summary.articles,
        "findings": summary.findings,
        "by_severity": summary.by_severity,
        "suppressed": summary.suppressed,
        "baselined": summary.baselined,
        "errors": summary.errors,
        "skipped": summary.skipped,
        "passed_over": dict(sorted(summary.passed_over.items())),
        "not_shown": summary.not_shown,
        "unchanged": summary.unchanged,
        "incomplete": summary.incomplete,
        "failed": summary.failed,
        "failures": [failure.to_dict() for failure in summary.failures],
    }


def score_summary(report: ArticleReport) -> str:
    score = report.score
    top = top_techniques(score)
    return (
        f"score {score.value:.0f}/100 ({score.band}), {score.density:.1f} points per 1,000 words "
        f"({plural(score.words, 'word')})" + (f"; top: {top}" if top else "")
    )


def hidden_counts(report: ArticleReport) -> str:
    waived = sum(1 for f in report.findings if f.suppression is not None)
    baselined = sum(1 for f in report.findings if f.baselined)
    parts = [text for count, text in ((waived, f"{waived} suppressed"), (baselined, f"{baselined} in baseline")) if count]
    return f" ({', '.join(parts)})" if parts else ""


_NOTE_LINE = re.compile(r"\bat line (\d+)\b")


def note_line(note: str) -> int | None:
    """The source line a note is about ("suppression at line 12 expired ..."), if it names one."""
    match = _NOTE_LINE.search(note)
    return int(match.group(1)) if match else None


def merge_overlapping(findings: Iterable[Finding]) -> list[tuple[int, int, list[Finding]]]:
    """Findings grouped where their spans overlap: (start, end, findings), in text order.

    Inline renderings (annotated text, HTML) mark each group once, so markers never interleave.
    """
    groups: list[tuple[int, int, list[Finding]]] = []
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        if groups and finding.start < groups[-1][1]:
            start, end, members = groups[-1]
            groups[-1] = (start, max(end, finding.end), members + [finding])
        else:
            groups.append((finding.start, finding.end, [finding]))
    return groups
