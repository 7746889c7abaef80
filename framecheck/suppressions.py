"""Inline waivers with accountability, and the fingerprints that baselines are keyed on.

A newsroom may accept a finding ("the word is in a court ruling we quote"), but the waiver
must say why, who decided and until when. Waived findings stay in every report, marked,
and never count towards the score or the exit code; waivers that no longer apply (expired,
without a required reason, or matching nothing) are reported too.

Syntax (Markdown/HTML comment, or plain text)::

    <!-- framecheck: ignore loaded-verb-terrorise reason="quoting the verdict" by=jdoe until=2026-12-31 -->
    framecheck: ignore[loaded-verb-terrorise, loaded-language] reason="..."
    <!-- framecheck: ignore-file distrust-call reason="satire column" -->

``ignore`` covers the next paragraph (or the paragraph it sits in, when it shares its line
with text); ``ignore-file`` covers the whole file. Without rule ids it covers every rule.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from .model import Document, Finding, Suppression
from .structure import paragraphs

_NEXT_TEXT = regex.compile(r"\S")


@functools.cache
def _directive() -> regex.Pattern:
    """The waiver comment; compiled on first use, since few articles carry one."""
    return regex.compile(
        r"<!--\s*framecheck:\s*(?P<kind>ignore-file|ignore)\b(?P<args>.*?)-->"
        r"|framecheck:\s*(?P<kind>ignore-file|ignore)\[(?P<rules>[^\]\n]*)\](?P<args>[^\n]*)",
        regex.IGNORECASE,
    )


@functools.cache
def _argument() -> regex.Pattern:
    return regex.compile(r'(?P<key>reason|by|until)\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))|(?P<word>[^\s,=]+)')


@dataclass(frozen=True)
class SuppressionPolicy:
    """What a waiver needs in order to count: a reason (when configured), an unexpired date."""

    require_reason: bool = False
    today: datetime.date = dataclasses.field(default_factory=datetime.date.today)


def _parse_arguments(text: str) -> tuple[list[str], dict[str, str]]:
    words, values = [], {}
    for match in _argument().finditer(text):
        if match.group("key"):
            value = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
            values[match.group("key").lower()] = value
        else:
            words.append(match.group("word"))
    return words, values


def _scope(
    source: str, blocks: list[tuple[int, int]], directive_start: int, directive_end: int, kind: str
) -> tuple[int, int]:
    if kind == "ignore-file":
        return 0, len(source)
    line_start = source.rfind("\n", 0, directive_start) + 1
    line_end = source.find("\n", directive_end)
    line_end = len(source) if line_end == -1 else line_end
    shares_line = (source[line_start:directive_start] + source[directive_end:line_end]).strip()
    if shares_line:
        return next(((s, e) for s, e in blocks if s <= directive_start < e + 1), (line_start, line_end))
    following = _NEXT_TEXT.search(source, line_end)
    if following is None:
        return line_end, line_end
    start = following.start()
    end = next((e for s, e in blocks if s <= start < e), len(source))
    return start, end


def _directives(document: Document) -> list[regex.Match]:
    source = document.source_text if document.source_text is not None else document.text
    return list(_directive().finditer(source)) if "framecheck" in source else []


def find_suppressions(document: Document, directives: list[regex.Match] | None = None) -> list[Suppression]:
    """Every waiver written in the document's source."""
    source = document.source_text if document.source_text is not None else document.text
    found = []
    blocks = paragraphs(source)
    for match in _directives(document) if directives is None else directives:
        kind = match.group("kind").lower()
        rule_text = (match.group("rules") or "") + " "
        words, values = _parse_arguments(rule_text.replace(",", " ") + (match.group("args") or ""))
        start, end = _scope(source, blocks, match.start(), match.end(), kind)
        line = source.count("\n", 0, match.start()) + 1
        found.append(
            Suppression(
                rules=tuple(w.strip(",") for w in words if w.strip(",")),
                scope="file" if kind == "ignore-file" else "paragraph",
                start=start,
                end=end,
                line=line,
                reason=values.get("reason", ""),
                by=values.get("by", ""),
                until=values.get("until", ""),
            )
        )
    return found


def _problem(suppression: Suppression, policy: SuppressionPolicy) -> str | None:
    where = f"suppression at line {suppression.line}"
    if policy.require_reason and not suppression.reason.strip():
        return f'{where} has no reason="..." (required by the configuration); it was ignored'
    if suppression.until:
        try:
            until = datetime.date.fromisoformat(suppression.until)
        except ValueError:
            return f"{where} has an invalid until={suppression.until!r} (use YYYY-MM-DD); it was ignored"
        if until < policy.today:
            return f"{where} expired on {until.isoformat()}; its findings are reported again"
    return None


def apply_suppressions(
    document: Document, findings: Sequence[Finding], policy: SuppressionPolicy, known_ids: Iterable[str]
) -> tuple[list[Finding], list[str]]:
    """Mark waived findings; return them with notes on waivers that did not apply.

    Findings inside a directive itself (its rule ids are words too) are dropped.
    """
    directives = _directives(document)
    if not directives:
        return list(findings), []
    spans = [match.span() for match in directives]
    findings = [
        f for f in findings
        if not any(start <= document.source_offset(f.start) < end for start, end in spans)
    ]
    suppressions = find_suppressions(document, directives)
    notes: list[str] = []
    valid = []
    known = set(known_ids)
    for suppression in suppressions:
        problem = _problem(suppression, policy)
        unknown = [rule for rule in suppression.rules if rule not in known]
        if unknown:
            notes.append(f"suppression at line {suppression.line} names unknown rule(s): {', '.join(unknown)}")
        if problem:
            notes.append(problem)
        else:
            valid.append(suppression)
    used: set[int] = set()
    marked = []
    for finding in findings:
        offset = document.source_offset(finding.start)
        waiver = next((s for s in valid if s.applies_to(finding.rule_id, finding.technique, offset)), None)
        if waiver is not None:
            used.add(id(waiver))
            finding = finding.evolve(suppression=waiver)
        marked.append(finding)
    for suppression in valid:
        if id(suppression) not in used:
            target = ", ".join(suppression.rules) or "any rule"
            notes.append(f"unused suppression at line {suppression.line} ({target}): nothing to suppress")
    return marked, notes


def normalised_excerpt(text: str) -> str:
    return " ".join(text.casefold().split())


def with_fingerprints(findings: Sequence[Finding]) -> list[Finding]:
    """Fingerprint = rule id + normalised excerpt + occurrence index: stable under edits elsewhere."""
    seen: Counter[tuple[str, str]] = Counter()
    result = []
    for finding in findings:
        key = (finding.rule_id, normalised_excerpt(finding.excerpt))
        index = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(f"{key[0]}\0{key[1]}\0{index}".encode()).hexdigest()[:20]
        result.append(finding.evolve(fingerprint=digest))
    return result
