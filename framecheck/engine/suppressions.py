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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from ..core.errors import did_you_mean
from ..core.model import Document, Finding, Suppression
from ..core.offsets import line_number
from ..inputs.structure import paragraphs

_NEXT_TEXT = regex.compile(r"\S")
# The reason ``scan --add-waivers`` writes: a to-do, not a reason. A waiver still carrying it
# waives nothing, so the gate fails until an editor writes why the finding stays.
PLACEHOLDER_REASON = "TODO: say why this stays"
# How a directive's "framecheck" is written in practice; a document with none of them has no
# directive (a plain substring search is 20x faster than a case-insensitive regex over the text).
_SPELLINGS = ("framecheck", "Framecheck", "FrameCheck", "FRAMECHECK")


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
    return regex.compile(r'(?P<key>[\w-]+)\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))|(?P<word>[^\s,=]+)')


@functools.cache
def _mention() -> regex.Pattern:
    """Anything written as a directive, well-formed or not: a comment that starts with
    "framecheck", or "framecheck:" in running text up to the end of its line. None of it is
    prose, and what is not a valid directive gets a note rather than silence."""
    return regex.compile(
        r"<!--\s*framecheck\b(?P<comment>.{0,4000}?)-->|(?<![\w-])framecheck\s*:(?P<plain>[^\n]*)",
        regex.IGNORECASE | regex.DOTALL,
    )


ARGUMENTS = ("reason", "by", "until")
KINDS = ("ignore", "ignore-file")


@dataclass(frozen=True)
class SuppressionPolicy:
    """What a waiver needs in order to count: a reason (when configured), an unexpired date."""

    require_reason: bool = False
    today: datetime.date = dataclasses.field(default_factory=datetime.date.today)


def _parse_arguments(text: str) -> tuple[list[str], dict[str, str], list[str]]:
    """(rule ids, known key=value arguments, unknown argument names)."""
    words, values, unknown = [], {}, []
    for match in _argument().finditer(text):
        if match.group("key"):
            key = match.group("key").lower()
            value = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
            if key in ARGUMENTS:
                values[key] = value
            else:
                unknown.append(match.group("key"))
        else:
            words.append(match.group("word"))
    return words, values, unknown


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


def _source(document: Document) -> str:
    return document.source_text if document.source_text is not None else document.text


def _misread(mention: regex.Match) -> str:
    """Why a directive-like comment or line is not a directive."""
    comment = mention.group("comment")
    rest = comment if comment is not None else mention.group("plain")
    if comment is not None and not comment.lstrip().startswith(":"):
        return "write 'framecheck:' with a colon"
    word = regex.match(r"\s*:?\s*([\w-]*)", rest).group(1)
    if word.lower() not in KINDS:
        return f"unknown directive {word!r}{did_you_mean(word.lower(), KINDS)}; use ignore or ignore-file"
    if comment is None:
        after = rest[rest.lower().index(word.lower()) + len(word):]
        if not after.startswith("["):
            return (f"in plain text the rule ids go in brackets: framecheck: {word.lower()}[RULE-ID, ...] "
                    f"reason=\"...\" (empty brackets for every rule)")
        return "the rule ids' '[' is not closed on the same line"
    return "not understood"


@dataclass
class Waivers:
    """The waivers written in one document, applied to its findings.

    Built once per document before any reviewer runs, so that a reviewer never counts a
    waived finding (repetition), and applied again to what the reviewers added. Directive
    text is never prose: findings inside a directive are dropped.
    """

    spans: list[tuple[int, int]]
    valid: list[Suppression]
    problems: list[str]
    used: set[int] = dataclasses.field(default_factory=set)

    def in_directive(self, document: Document, finding: Finding) -> bool:
        offset = document.source_offset(finding.start)
        return any(start <= offset < end for start, end in self.spans)

    def mark(self, document: Document, findings: Iterable[Finding]) -> list[Finding]:
        """The findings outside directives, those a waiver covers marked with it."""
        marked = []
        for finding in findings:
            if self.spans and self.in_directive(document, finding):
                continue
            if finding.suppression is None and self.valid:
                offset = document.source_offset(finding.start)
                waiver = next((s for s in self.valid if s.applies_to(finding.rule_id, finding.technique, offset)), None)
                if waiver is not None:
                    self.used.add(id(waiver))
                    finding = finding.evolve(suppression=waiver)
            marked.append(finding)
        return marked

    def notes(self) -> list[str]:
        """Waivers that did not apply: malformed, invalid, expired, or matching nothing."""
        unused = [
            f"unused suppression at line {s.line} ({', '.join(s.rules) or 'any rule'}): nothing to suppress"
            for s in self.valid if id(s) not in self.used
        ]
        return self.problems + unused


def read_waivers(document: Document, policy: SuppressionPolicy, known_ids: Iterable[str]) -> Waivers:
    """Every directive in the document's source, checked against the policy and the known ids."""
    source = _source(document)
    if not any(spelling in source for spelling in _SPELLINGS):  # substring searches: the fast path
        return Waivers([], [], [])
    spans: list[tuple[int, int]] = []
    valid: list[Suppression] = []
    problems: list[str] = []
    known = set(known_ids)
    blocks = paragraphs(source)
    for mention in _mention().finditer(source):
        spans.append(mention.span())
        line = line_number(source, mention.start())
        directive = _directive().fullmatch(source, mention.start(), mention.end())
        if directive is None:
            problems.append(f"framecheck directive at line {line} was ignored: {_misread(mention)}")
            continue
        suppression, unknown_arguments = _suppression(source, blocks, directive, line)
        for name in unknown_arguments:
            hint = did_you_mean(name.lower(), ARGUMENTS)
            problems.append(f"suppression at line {line} has an unknown argument {name!r}{hint}")
        unknown = [rule for rule in suppression.rules if rule not in known]
        if unknown:
            problems.append(f"suppression at line {line} names unknown rule(s): {', '.join(unknown)}")
        problem = _problem(suppression, policy)
        if problem:
            problems.append(problem)
        else:
            valid.append(suppression)
    return Waivers(spans, valid, problems)


def _suppression(
    source: str, blocks: list[tuple[int, int]], match: regex.Match, line: int
) -> tuple[Suppression, list[str]]:
    """The waiver a well-formed directive writes, and the names of arguments it does not know."""
    kind = match.group("kind").lower()
    rule_text = (match.group("rules") or "") + " "
    words, values, unknown = _parse_arguments(rule_text.replace(",", " ") + (match.group("args") or ""))
    start, end = _scope(source, blocks, match.start(), match.end(), kind)
    suppression = Suppression(
        rules=tuple(w.strip(",") for w in words if w.strip(",")),
        scope="file" if kind == "ignore-file" else "paragraph",
        start=start, end=end, line=line,
        reason=values.get("reason", ""), by=values.get("by", ""), until=values.get("until", ""),
    )
    return suppression, unknown


def _problem(suppression: Suppression, policy: SuppressionPolicy) -> str | None:
    where = f"suppression at line {suppression.line}"
    if suppression.reason.strip() == PLACEHOLDER_REASON:
        return f'{where} still has the placeholder reason="{PLACEHOLDER_REASON}": write why it stays; it was ignored'
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


def normalised_excerpt(text: str) -> str:
    return " ".join(text.casefold().split())


def with_fingerprints(findings: Sequence[Finding]) -> list[Finding]:
    """Fingerprint = rule id + normalised excerpt + occurrence index: stable under edits elsewhere."""
    seen: dict[tuple[str, str], int] = {}
    result = []
    for finding in findings:
        key = (finding.rule_id, normalised_excerpt(finding.excerpt))
        index = seen[key] = seen.get(key, -1) + 1
        digest = hashlib.sha256(f"{key[0]}\0{key[1]}\0{index}".encode()).hexdigest()[:20]
        result.append(finding.evolve(fingerprint=digest))
    return result
