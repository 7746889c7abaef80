"""Output formatters: small classes with a streaming life cycle.

A run calls ``start()``, then ``article(report)`` once per document as soon as it is
scanned, then ``finish(summary)``; nothing needs to hold the whole corpus. Formatters are
contributed through the ``framecheck_formatters`` hook, the built-in ones included.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TextIO

from .._version import __version__
from ..core.model import ArticleReport, Finding, RuleInfo, Score, Severity
from ..core.summary import RunSummary
from ..core.taxonomy import TECHNIQUES

JSON_SCHEMA_VERSION = 1

_COLOURS = {Severity.INFO: "\033[36m", Severity.WARNING: "\033[33m", Severity.ERROR: "\033[31m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


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
    send the cursor back over the line, is shown)."""
    if text.isprintable():  # no control or format character at all: the common case, checked in C
        return text
    if keep_lines:
        return text.replace("\r\n", "\n").translate(_VISIBLE_KEEPING_LINES)
    return text.translate(_VISIBLE)


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


def _window(text: str, start: int, end: int, width: int = CONTEXT_WIDTH) -> tuple[str, int]:
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


def _hidden_counts(report: ArticleReport) -> str:
    waived = sum(1 for f in report.findings if f.suppression is not None)
    baselined = sum(1 for f in report.findings if f.baselined)
    parts = [text for count, text in ((waived, f"{waived} suppressed"), (baselined, f"{baselined} in baseline")) if count]
    return f" ({', '.join(parts)})" if parts else ""


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
        shown, at = _window(line, start, end)
        length = min(end - start, len(shown) - at)
        gutter = " " * len(str(finding.line))
        if self.color:
            code = _COLOURS[finding.severity]
            shown = shown[:at] + code + shown[at : at + length] + _RESET + shown[at + length :]
        return [f"  {finding.line} | {shown}", f"  {gutter} | {' ' * at}{'^' * max(1, length)}"]

    def article(self, report: ArticleReport) -> None:
        write = self.stream.write
        active = report.active_findings
        for finding in active:
            write(self.finding_line(report.source, finding) + "\n")
            if self.show_source:
                for line in self.context_lines(report, finding):
                    write(line + "\n")
        if self.quiet:
            return
        source = visible(report.source)
        for warning in report.warnings:
            write(f"{source}: note: {visible(warning)}\n")
        write(f"{source}: {plural(len(active), 'finding')}{_hidden_counts(report)}, {score_summary(report)}\n")
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
        if summary.articles > 1 or summary.errors or summary.skipped or summary.incomplete:
            counts = ", ".join(f"{plural(n, s)}" for s, n in summary.by_severity.items() if n)
            line = f"{plural(summary.articles, 'article')} scanned, {plural(summary.findings, 'finding')}"
            line += f" ({counts})" if counts else ""
            if summary.suppressed:
                line += f", {summary.suppressed} suppressed"
            if summary.baselined:
                line += f", {summary.baselined} in baseline"
            unread = len(summary.errors) + len(summary.skipped)
            if unread:
                line += f"; {plural(unread, 'input')} could not be read"
            if summary.incomplete:
                line += f"; {plural(len(summary.incomplete), 'article')} checked incompletely (a plugin failed)"
            write(line + "\n")


class ConciseFormatter(TextFormatter):
    """Exactly one line per finding and one per article: for grep, editors and old CI parsers."""

    name = "concise"
    description = "one line per finding (path:line:col: severity rule-id message \"excerpt\") and per article"
    show_source = False


def article_to_dict(report: ArticleReport) -> dict[str, Any]:
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
        "findings": [finding.to_dict() for finding in report.findings],
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
        encoded = json.dumps(article_to_dict(report), ensure_ascii=False, allow_nan=False)
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
        record = {"schema_version": JSON_SCHEMA_VERSION, **article_to_dict(report)}
        self.stream.write(_one_line(json.dumps(record, ensure_ascii=False, allow_nan=False)) + "\n")

    def finish(self, summary: RunSummary) -> None:
        self.stream.write(_one_line(json.dumps({"summary": summary_to_dict(summary)}, ensure_ascii=False,
                                               allow_nan=False)) + "\n")


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
                               **({"quote": {"speaker": finding.quote or None}} if finding.quote is not None else {})},
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

    def _path(self, source: str) -> str:
        return _escape_property(repository_uri(source, self.root))

    def article(self, report: ArticleReport) -> None:
        path = self._path(report.source)
        for note in report.warnings:  # waivers that did not apply, rules skipped for time, ...
            line = note_line(note)
            where = f"file={path}" + (f",line={line}" if line else "")
            self.stream.write(f"::warning {where},title=framecheck note::{_escape_data(note)}\n")
        for finding in report.active_findings:
            properties = (
                f"file={path},line={finding.line},col={finding.column},"
                f"endLine={finding.end_line},endColumn={finding.end_column},"
                f"title={_escape_property('framecheck ' + finding.rule_id)}"
            )
            message = _escape_data(f"{finding.message}: \"{finding.excerpt}\" ({finding.technique}){finding.context_note}")
            self.stream.write(f"::{self.COMMANDS[finding.severity]} {properties}::{message}\n")

    def finish(self, summary: RunSummary) -> None:
        for failure in summary.failures:
            if failure.kind == "score":
                where = f"file={self._path(failure.source)},title=framecheck max-score"
                self.stream.write(f"::error {where}::{_escape_data(failure.reason)}\n")


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
        self.stream.write("\n".join(out).rstrip() + "\n")


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
