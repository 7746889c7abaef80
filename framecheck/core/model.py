"""The data that flows through framecheck: documents in, findings and reports out.

Everything here is plain, immutable-where-possible data so that detectors, scoring and
formatters can be written and tested without the engine.
"""

from __future__ import annotations

import bisect
import enum
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from functools import cached_property
from typing import Any, NamedTuple

from .folding import FoldedText
from .offsets import OffsetMap, line_starts
from .paragraphs import paragraphs

_NON_SPACE = re.compile(r"\S+")
LARGE_TEXT = 4_000_000  # characters: above this, work that builds a list per word streams instead


class Severity(enum.IntEnum):
    """How strongly a finding should be acted on; ordered so thresholds compare naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {choices})") from None

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self._value_]


_SEVERITY_LABELS = {member.value: member.name.lower() for member in Severity}


class Position(NamedTuple):
    """A 1-based line and column, derived from a character offset for humans to read (a named
    tuple: the engine makes three per finding, and a tuple is made ~3x faster than a dataclass)."""

    line: int
    column: int


REGION_KINDS = ("headline", "lede", "body", "quote", "boilerplate")
PARTS = ("headline", "lede", "body", "boilerplate")


@dataclass(frozen=True)
class Region:
    """A labelled stretch of a document's text: its headline, lede, a quote, site chrome...

    ``label`` carries detail: the speaker of a quote, named or described (empty when nobody is), or
    why a block was taken for boilerplate.
    """

    kind: str
    start: int
    end: int
    label: str = ""

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True)
class Disguise:
    """A word that was written so a checker would miss it (an invisible character inside it, a
    look-alike letter from another script, letters from a compatibility block) and that the
    engine read as the word it shows. ``start``/``end`` are offsets into the text detectors see;
    ``characters`` describe what hid the word ("U+200E LEFT-TO-RIGHT MARK")."""

    start: int
    end: int
    characters: tuple[str, ...]


@dataclass
class Document:
    """One article: where it came from, the text to scan, and what the reader learnt about it.

    ``source`` is the name reports use (a path, ``<stdin>``, or ``file#id`` for corpora).
    ``text`` is what detectors scan. When a reader extracted it from markup, ``source_text``
    is the decoded file and ``offsets`` maps text offsets into it, so positions shown to
    people are those of the file they opened. ``regions`` give the article's structure and
    ``notes`` what the reader had to warn about (e.g. an encoding fallback).
    """

    source: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source_text: str | None = None
    offsets: OffsetMap | None = None
    regions: tuple[Region, ...] = ()
    notes: tuple[str, ...] = ()
    # The language packs are chosen by (framecheck.languages.detect): given by the reader or the run,
    # else detected by the engine when the scan begins.
    language: str = ""
    # Filled by the engine during a scan (see languages.normalise), emptied after it: what
    # reviewers may report as concealment.
    disguises: tuple[Disguise, ...] = field(default=(), repr=False, compare=False)
    # Filled by the engine during a scan (see matching.SharedPhraseIndex), emptied after it.
    shared_candidates: dict[int, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def line_starts(self) -> list[int]:
        """Offsets at which each source line begins; computed once so positions cost O(log n)."""
        return line_starts(self.source_text if self.source_text is not None else self.text)

    def source_offset(self, offset: int) -> int:
        """Where text offset ``offset`` lies in the source file's decoded text."""
        return self.offsets.to_source(offset) if self.offsets is not None else offset

    def position(self, offset: int) -> Position:
        """Source line and column (1-based; columns count characters) of text offset ``offset``."""
        source = self.source_offset(offset)
        line_index = bisect.bisect_right(self.line_starts, source) - 1
        return Position(line_index + 1, source - self.line_starts[line_index] + 1)

    def regions_of(self, kind: str) -> tuple[Region, ...]:
        return tuple(region for region in self.regions if region.kind == kind)

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        """(start, end) of each paragraph of ``text`` (see ``core.paragraphs``), found once
        and shared by the reader, annotators and detectors."""
        return paragraphs(self.text)

    @cached_property
    def folded(self) -> FoldedText:
        """The folded copy phrase automata run over, made once and shared by every detector."""
        return FoldedText.of(self.text)

    @cached_property
    def word_count(self) -> int:
        """Whitespace-separated words; huge texts are counted without building a list."""
        if len(self.text) < LARGE_TEXT:
            return len(self.text.split())
        return sum(1 for _ in _NON_SPACE.finditer(self.text))

    def finding(
        self,
        *,
        rule_id: str,
        technique: str,
        severity: Severity,
        message: str,
        start: int,
        end: int,
        weight: float = 1.0,
        detector: str = "",
    ) -> Finding:
        """Build a finding for ``text[start:end]`` with its excerpt and position filled in.

        Made the way :meth:`Finding.evolve` copies one (a frozen dataclass's ``__init__`` sets
        its 19 fields one by one and took half the time): detectors make one per match."""
        where = self.position(start)
        finding = object.__new__(Finding)
        finding.__dict__.update(
            _FINDING_DEFAULTS, rule_id=rule_id, technique=technique, severity=severity, message=message,
            start=start, end=end, excerpt=self.text[start:end], line=where.line, column=where.column,
            weight=weight, detector=detector,
        )
        return finding

    def finding_of(self, rule: RuleInfo, start: int, end: int, *, detector: str, cue: tuple[int, int] | None = None
                   ) -> Finding:
        """A finding of ``rule`` for ``text[start:end]``: its technique, severity and weight, and
        its message with ``{match}`` filled in by the words matched (``cue``, when the finding
        covers more than them: the clause or sentence that holds them)."""
        matched = " ".join(self.text[cue[0] : cue[1]].split()) if cue is not None else self.text[start:end]
        return self.finding(
            rule_id=rule.id, technique=rule.technique, severity=rule.severity,
            message=rule.render_message(matched), start=start, end=end,
            weight=rule.weight, detector=detector,
        )


@dataclass(frozen=True)
class Suppression:
    """An inline waiver: ``<!-- framecheck: ignore rule-id reason="..." by=NAME until=DATE -->``.

    ``rules`` holds rule or technique ids (empty: every rule); ``start``/``end`` are the
    source offsets it covers (the next paragraph, or the whole file for ``ignore-file``).
    """

    rules: tuple[str, ...]
    scope: str
    start: int
    end: int
    line: int
    reason: str = ""
    by: str = ""
    until: str = ""

    def applies_to(self, rule_id: str, technique: str, source_offset: int) -> bool:
        in_scope = self.start <= source_offset < self.end
        return in_scope and (not self.rules or rule_id in self.rules or technique in self.rules)

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "scope": self.scope, "rules": list(self.rules), "reason": self.reason,
                "by": self.by, "until": self.until}


REPORTED_SPEECH = "reported-speech"  # a finding's context: a named speaker's words, reported without quotes


@dataclass(frozen=True)
class Finding:
    """One framing device found in a document, located by character offsets into its text.

    ``line``/``column`` (and ``end_line``/``end_column``, the position just after the span)
    are 1-based positions in the source file. ``part`` says where in the article it is
    (headline, lede, body, boilerplate); ``quote`` is the speaker of the direct quotation it
    sits in ("" when nobody is named, None when not quoted). ``context`` names what a
    reviewer found around it that changed its weight ("negated", "reported-label", ...).
    ``fingerprint`` identifies it across edits; ``suppression`` and ``baselined`` say why it
    may not count.
    """

    rule_id: str
    technique: str
    severity: Severity
    message: str
    start: int
    end: int
    excerpt: str
    line: int
    column: int
    weight: float = 1.0
    detector: str = ""
    end_line: int = 0
    end_column: int = 0
    part: str = "body"
    quote: str | None = None
    context: tuple[str, ...] = ()
    fingerprint: str = ""
    suppression: Suppression | None = None
    baselined: bool = False
    absorbed: tuple[str, ...] = ()  # rules that flagged exactly these words too (engine.devices)

    @property
    def active(self) -> bool:
        """Counts towards the score and the exit code: neither waived inline nor in the baseline."""
        return self.suppression is None and not self.baselined

    @property
    def own_voice(self) -> bool:
        """Said in the outlet's own voice: not quoted from a named or described speaker, not a
        named speaker's reported speech ("Smith said the report was a witch hunt"), not site chrome."""
        return not self.quote and self.part != "boilerplate" and REPORTED_SPEECH not in self.context

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule that flagged these words: this finding's and the ones it absorbed."""
        return (self.rule_id, *self.absorbed)

    @property
    def voice(self) -> tuple[str, ...]:
        """Where the words come from when not from the outlet: ("quoted: NAME",) or ("site chrome",)."""
        if self.part == "boilerplate":
            return ("site chrome",)
        return (f"quoted: {self.quote}",) if self.quote else ()

    @property
    def context_note(self) -> str:
        """What reports for people print after the finding: " (quoted: Patel; negated)", or ""."""
        notes = (*self.voice, *self.context, *((f"also {', '.join(self.absorbed)}",) if self.absorbed else ()))
        return f" ({'; '.join(notes)})" if notes else ""

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.rule_id)

    def evolve(self, **changes: Any) -> Finding:
        """A copy with ``changes``. The engine copies every finding a few times on its way to a
        report; ``dataclasses.replace`` re-runs ``__init__`` and costs ~5x more."""
        if not changes.keys() <= self.__dataclass_fields__.keys():
            unknown = sorted(changes.keys() - self.__dataclass_fields__.keys())
            raise TypeError(f"Finding has no field {unknown[0]!r}")
        copy = object.__new__(Finding)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "technique": self.technique,
            "severity": self.severity.label,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "excerpt": self.excerpt,
            "weight": self.weight,
            "detector": self.detector,
            "part": self.part,
            "quote": None if self.quote is None else {"speaker": self.quote or None},
            "context": list(self.context),
            "fingerprint": self.fingerprint,
            "suppression": None if self.suppression is None else self.suppression.to_dict(),
            "baselined": self.baselined,
            "absorbed": list(self.absorbed),
        }


_FINDING_DEFAULTS = {f.name: f.default for f in fields(Finding) if f.default is not MISSING}


@dataclass(frozen=True)
class ScanWarning:
    """Something a detector could not do for one document (e.g. a rule that timed out).

    Detectors may yield these among their findings; they end up in the article's report so
    that a skipped check is never silent. ``incomplete`` says that a check did not run on the
    document (a rule that timed out or failed): the run then exits 2 rather than pass it.
    """

    message: str
    incomplete: bool = False


@dataclass(frozen=True)
class Dismissal:
    """A reviewer's verdict that a finding should not be reported, and why.

    The finding leaves the report; the reason goes into the article's warnings, so a finding
    never disappears silently.
    """

    finding: Finding
    reason: str


MODEL_MODES = ("filter", "add", "both")  # the learned layer's modes (plugins/learned_layer.py)


@dataclass(frozen=True)
class ScanOptions:
    """Run-wide settings that detectors may need.

    ``regex_timeout`` is the budget of one regex on one document of up to a million
    characters; longer documents get a proportionally larger budget, so a legitimate rule is
    not cut off on a long text while a catastrophically backtracking one still stops.
    """

    regex_timeout: float = 2.0
    # Seconds one plugin may spend on one document, and the whole scan of one document (per
    # million characters, as for regexes); 0 turns a budget off. See framecheck.engine.budget.
    plugin_timeout: float = 60.0
    document_timeout: float = 600.0
    model: str | None = None  # a trained model file (``--model``): the learned layer runs
    model_mode: str = "both"  # filter, add or both (see framecheck.learn.learned)
    language: str | None = None  # ``--language``: every document is taken to be in it

    def timeout_for(self, text: str) -> float:
        return self.regex_timeout * max(1.0, len(text) / 1_000_000)

    def document_budget(self, text: str) -> float:
        return self.document_timeout * max(1.0, len(text) / 1_000_000)

    def plugin_budget(self, text: str) -> float:
        return self.plugin_timeout * max(1.0, len(text) / 1_000_000)


# The largest weight a rule or a finding may carry (the shipped rules' largest is 6). With every
# scoring factor bounded too (MAX_FACTOR), an article's score is finite by construction: a
# weight of 1e308 once turned the sum into inf and a JSON report into a crash.
MAX_WEIGHT = 100.0
MAX_FACTOR = 1000.0


def usable_weight(weight: object) -> bool:
    """A number a rule or finding may weigh: finite, between 0 and MAX_WEIGHT, not a boolean."""
    return (isinstance(weight, (int, float)) and not isinstance(weight, bool) and math.isfinite(weight)
            and 0 <= weight <= MAX_WEIGHT)


@dataclass(frozen=True)
class TechniqueScore:
    """How much one technique contributes to an article's score (``share`` in percent)."""

    technique: str
    findings: int
    weight: float
    share: float = 0.0


@dataclass(frozen=True)
class Score:
    """An article's framing score (0-100) with what it is made of; see ``framecheck.scoring``.

    ``total_weight`` is the sum of the findings' weighted contributions, ``density`` that sum
    per 1,000 words, ``value`` the saturated score and ``band`` low, elevated or high.
    """

    value: float
    words: int
    total_weight: float
    by_technique: tuple[TechniqueScore, ...]
    density: float = 0.0
    band: str = "low"


@dataclass(frozen=True)
class ArticleReport:
    """Everything framecheck says about one document."""

    document: Document
    findings: tuple[Finding, ...]
    score: Score
    warnings: tuple[str, ...] = ()
    incomplete: tuple[str, ...] = ()  # the plugins that failed on this document (see warnings)

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def active_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.active)

    def max_severity(self) -> Severity | None:
        """The worst severity among active findings (waived and baselined ones do not count)."""
        return max((f.severity for f in self.findings if f.active), default=None)


@dataclass(frozen=True)
class Examples:
    """Texts a rule must flag and texts it must leave alone; the test suite runs both."""

    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleInfo:
    """What a rule is, independent of how it matches: shown by ``rules list`` and ``rules show``.

    YAML pack rules and plugin rules both describe themselves with this, so users see one
    catalogue whatever implements a rule. ``origin`` is ``path:line`` for a pack rule and
    ``plugin:NAME`` for code.
    """

    id: str
    technique: str
    severity: Severity
    message: str
    weight: float = 1.0
    why: str = ""
    suggest: tuple[str, ...] = ()  # advice on what to write instead, for people
    replace: tuple[str, ...] = ()  # literal words that can stand in the matched text's place (quick fixes)
    references: tuple[str, ...] = ()
    examples: Examples = Examples()
    patterns: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    origin: str = ""
    pack: str = ""
    # The language of the documents the rule runs on ("any", or "" for a plugin's rule: all).
    language: str = ""
    # False for rules that a severity set for the whole technique should leave alone
    # (typography such as exclamation, aggregates such as stacked-framing).
    technique_severity: bool = True

    @property
    def instead(self) -> list[str]:
        """What to write instead, as reports show it: replacements quoted, then advice."""
        return instead(self.replace, self.suggest)

    def render_message(self, matched: str) -> str:
        """The message with ``{match}`` replaced; plain replace so braces in text are harmless."""
        return self.message.replace("{match}", matched)


def instead(replace: Iterable[str], suggest: Iterable[str]) -> list[str]:
    """A rule's replacements (quoted: literal words) followed by its advice, for every report
    and face that tells a writer what to write instead."""
    return [*(f'"{text}"' for text in replace), *suggest]
