"""From a report's findings to what an editor shows: diagnostics, hovers and quick fixes.

Works on the JSON report of one document (what a worker process sends back), so the language
server shows exactly what ``framecheck scan --format json`` reports. Positions: findings carry
1-based line and column in Unicode code points of the source; the Language Server Protocol
counts UTF-16 code units by default (an emoji is two, a Cyrillic letter one), or UTF-8 bytes
or code points when client and server agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from ..app.waivers import COMMENT_SYNTAX, TEXT_SYNTAX, waiver_line
from ..core.model import instead
from ..core.offsets import LINE_BREAK
from ..core.taxonomy import TECHNIQUES

SOURCE = "framecheck"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in the position encoding's code units."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def position(lines: list[str], line: int, column: int, encoding: str) -> types.Position:
    """The LSP position of 1-based (line, code-point column) in a document of ``lines``."""
    index = min(max(line - 1, 0), len(lines))
    text = lines[index] if index < len(lines) else ""
    return types.Position(line=index, character=units(text[: max(column - 1, 0)], encoding))


def finding_range(lines: list[str], finding: dict, encoding: str) -> types.Range:
    end_line = finding["end_line"] or finding["line"]
    end_column = finding["end_column"] or finding["column"] + len(finding["excerpt"])
    return types.Range(start=position(lines, finding["line"], finding["column"], encoding),
                       end=position(lines, end_line, end_column, encoding))


def own_voice(finding: dict) -> bool:
    """Said in the outlet's own voice: neither quoted from a named speaker nor site chrome."""
    quoted = finding["quote"] is not None and finding["quote"].get("speaker")
    return not quoted and finding["part"] != "boilerplate"


def active(finding: dict) -> bool:
    """Neither waived inline nor in the baseline: waived findings are not shown."""
    return finding["suppression"] is None and not finding["baselined"]


@dataclass(frozen=True)
class Shown:
    """One finding as the editor shows it, with the report's dictionary kept for hovers and fixes."""

    finding: dict
    range: types.Range

    def diagnostic(self, rule_link: str | None) -> types.Diagnostic:
        finding = self.finding
        severity = SEVERITIES[finding["severity"]] if own_voice(finding) else types.DiagnosticSeverity.Hint
        voice = ""
        if not own_voice(finding):
            speaker = (finding["quote"] or {}).get("speaker")
            voice = " (site chrome)" if finding["part"] == "boilerplate" else f" (quoted: {speaker})"
        if finding.get("absorbed"):  # one device, one diagnostic: the other rules that flagged it
            voice += f" (also {', '.join(finding['absorbed'])})"
        return types.Diagnostic(
            range=self.range, severity=severity, source=SOURCE, code=finding["rule_id"],
            code_description=types.CodeDescription(href=rule_link) if rule_link else None,
            message=f"{finding['message']}{voice}", data={"fingerprint": finding["fingerprint"]},
        )


def editor_lines(text: str) -> list[str]:
    """The lines of ``text`` as the protocol counts them: LF, CRLF and a lone CR each end one."""
    return LINE_BREAK.split(text)


def shown_findings(report: dict, text: str, encoding: str) -> list[Shown]:
    """The active findings of a one-document JSON report over the editor's ``text``."""
    lines = editor_lines(text)
    found = []
    for article in report.get("articles", ()):
        for finding in article["findings"]:
            if active(finding):
                found.append(Shown(finding, finding_range(lines, finding, encoding)))
    return found


def contains(outer: types.Range, point: types.Position) -> bool:
    start, end = outer.start, outer.end
    after_start = (point.line, point.character) >= (start.line, start.character)
    before_end = (point.line, point.character) <= (end.line, end.character)
    return after_start and before_end


def overlaps(a: types.Range, b: types.Range) -> bool:
    return not ((a.end.line, a.end.character) < (b.start.line, b.start.character)
                or (b.end.line, b.end.character) < (a.start.line, a.start.character))


def hover_text(finding: dict, rule: dict | None) -> str:
    """Markdown for a hover: rule, technique, why, what to write instead, examples."""
    technique = TECHNIQUES.get(finding["technique"])
    technique_name = technique.name if technique else finding["technique"]
    parts = [f"**{finding['rule_id']}** · {finding['severity']} · {technique_name}", finding["message"]]
    if finding.get("why"):
        parts.append(f"*Why:* {finding['why']}")
    alternatives = instead(finding.get("replace", ()), finding.get("suggest", ()))
    if alternatives:
        parts.append("*Instead:* " + "; ".join(alternatives))
    examples = (rule or {}).get("examples", {})
    if examples.get("match"):
        parts.append("*Flags:* " + " · ".join(f"“{text}”" for text in examples["match"][:3]))
    if examples.get("no_match"):
        parts.append("*Passes:* " + " · ".join(f"“{text}”" for text in examples["no_match"][:3]))
    if technique:
        parts.append(f"*{technique.name}:* {technique.definition}")
    return "\n\n".join(parts)


EDITOR_REASON = "why this stays"  # selected for the writer to type over, there and then


def editor_waiver(finding: dict, language: str) -> str:
    """An inline waiver for the finding's rule, as its document's format writes one."""
    rules = [finding["rule_id"], *finding.get("absorbed", ())]  # the device's rules, so it stays one
    return waiver_line(rules, TEXT_SYNTAX if language == "text" else COMMENT_SYNTAX, EDITOR_REASON)


def rule_markdown(rule: dict) -> str:
    """A rule's documentation page, written to a file the editor opens."""
    technique = TECHNIQUES.get(rule["technique"])
    lines = [f"# {rule['id']}", "", f"{rule['severity']} · weight {rule['weight']:g} · {rule['origin']}", "",
             rule["message"], ""]
    if technique:
        lines += [f"**Technique:** {technique.name}. {technique.definition}", ""]
    if rule.get("why"):
        lines += [f"**Why:** {rule['why']}", ""]
    alternatives = instead(rule.get("replace", ()), rule.get("suggest", ()))
    if alternatives:
        lines += ["**Instead:**", "", *(f"- {text}" for text in alternatives), ""]
    for title, key in (("Flags", "match"), ("Passes", "no_match")):
        items = rule.get("examples", {}).get(key, [])
        if items:
            lines += [f"**{title}:**", "", *(f"- {text}" for text in items), ""]
    return "\n".join(lines)
