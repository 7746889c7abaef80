"""framecheck's own behaviour, registered as plugins through the public hooks.

``CorePlugin`` provides the YAML rule matcher and the standard formatters; it is always
registered. ``DefaultRulesPlugin`` contributes the shipped packs; ``--no-default-rules``
leaves it (and the bundled detectors) out of the hook calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ..core.model import Document, Finding, ScanOptions, ScanWarning
from ..core.resources import bundled_rules_dir
from ..inputs.markup import HtmlReader, MarkdownReader
from ..inputs.readers import CsvReader, JsonlReader, TextReader
from ..inputs.structure import QuoteIndex, extent_around
from ..languages.detect import document_language, runs_in
from ..languages.profiles import Languages
from ..outputs.ci import GitlabFormatter, JunitFormatter
from ..outputs.data import JsonFormatter, JsonLinesFormatter
from ..outputs.html import HtmlFormatter
from ..outputs.markdown import MarkdownFormatter
from ..outputs.sarif import GithubFormatter, SarifFormatter
from ..outputs.text import AnnotatedFormatter, ConciseFormatter, TextFormatter
from ..packs.indexes import Candidates, PhraseIndex
from ..packs.lemmas import LemmaIndex, Lexicons, non_overlapping
from ..packs.loading import Pack, PackRule
from .hookspecs import hookimpl


def _overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    start, end = span
    return any(other_start < end and start < other_end for other_start, other_end in others)


def _widened(text: str, start: int, end: int, extent: str, quotes: QuoteIndex) -> tuple[int, int]:
    """The clause or sentence around a match (``extent``), kept inside the quotation that holds
    the match, if any: a label in a speaker's words stays the speaker's."""
    first, last = extent_around(text, start, end, extent)
    quote = quotes.holding(start, end)
    return (first, last) if quote is None else (max(first, quote.start), min(last, quote.end))


class PackMatcher:
    """Runs the patterns of every enabled pack rule over a document.

    By default candidates come from one :class:`PhraseIndex` over all rules (the combined
    path); ``combined=False`` scans with each rule's regex instead (the simple path, kept as
    the reference the combined one is tested against). Lemma phrases (``match: lemma``) are
    found by one walk over the document's words (:class:`LemmaIndex`). A rule runs only on
    documents in its pack's language.
    """

    name = "yaml-rules"

    def __init__(self, packs: Sequence[Pack], options: ScanOptions, *, combined: bool = True,
                 languages: Languages | None = None):
        self._rules: tuple[PackRule, ...] = tuple(r for pack in packs for r in pack.rules if r.enabled)
        self.rules = tuple(rule.info for rule in self._rules)
        # Pattern ids: 2*i for rule i's patterns, 2*i + 1 for its exceptions.
        compiled = [c for rule in self._rules for c in (rule.patterns, rule.exceptions)]
        self._index = PhraseIndex(compiled) if combined else None
        self.phrase_indexes = (self._index,) if self._index is not None else ()
        # Per document language: the rules that run on it, and one index of their lemma phrases.
        self._active: dict[str, tuple[list[int], LemmaIndex | None]] = {}
        # Rules with regexes of their own run on every document; the others only where the
        # shared pass found one of their phrases (or a lemma phrase matched).
        self._with_regexes = frozenset(n for n, rule in enumerate(self._rules) if rule.patterns.raw_sources)
        self._lexicons = Lexicons(languages)  # the forms of lemma phrases, looked up once per language
        self._languages = languages
        self._options = options

    def _for_language(self, language: str) -> tuple[list[int], LemmaIndex | None]:
        """The rules that run on documents in ``language``, and the index of their lemma phrases
        (pattern ids as in the shared index), made on first use."""
        if language not in self._active:
            active = [n for n, rule in enumerate(self._rules) if runs_in(rule.info.language, language)]
            chosen = set(active)
            index = LemmaIndex([c if n in chosen else None for n, rule in enumerate(self._rules)
                                for c in (rule.lemma_patterns, rule.lemma_exceptions)], self._lexicons)
            self._active[language] = (active, index if index else None)
        return self._active[language]

    def _worth_trying(self, active: list[int], candidates: Candidates | None, lemma_spans: dict[int, list]
                      ) -> list[int]:
        """The active rules, in order, that can match: all of them without the shared pass's
        candidates; else those with regexes, a phrase found, or a lemma phrase matched (most of
        the ~200 rules have none of these in a given article)."""
        if candidates is None:
            return active
        found = {number // 2 for number in candidates.starts if not number % 2}
        found.update(number // 2 for number in lemma_spans if not number % 2)
        found.update(self._with_regexes)
        return [number for number in active if number in found]

    def detect(self, document: Document) -> Iterator[Finding | ScanWarning]:
        text = document.text
        # A document scanned outside an engine has no language yet.
        language = document.language or document_language(text, document.metadata, None, self._languages)
        active, lemmas = self._for_language(language)
        if not active:
            return
        lemma_spans = {} if lemmas is None else {  # one walk over the words for every lemma rule
            number: list(non_overlapping(spans)) for number, spans in lemmas.spans(text).items()}
        candidates = self._index.candidates(document) if self._index is not None else None
        timeout = self._options.timeout_for(text)
        quotes: QuoteIndex | None = None  # made when a rule first widens a finding
        for number in self._worth_trying(active, candidates, lemma_spans):
            rule = self._rules[number]
            starts = exception_starts = seen = keys = exception_keys = None
            if candidates is not None:
                starts = candidates.starts.get(2 * number, ())
                keys = candidates.keys.get(2 * number, ())
                exception_starts = candidates.starts.get(2 * number + 1, ())
                exception_keys = candidates.keys.get(2 * number + 1, ())
                seen = candidates.seen
            try:
                spans = set(rule.patterns.spans(text, starts, seen, timeout=timeout, keys=keys))
                spans = sorted(spans.union(lemma_spans.get(2 * number, ())))
                cancelled = list(lemma_spans.get(2 * number + 1, ()))
                if spans and rule.exceptions is not None:
                    cancelled += rule.exceptions.spans(text, exception_starts, seen, timeout=timeout,
                                                       keys=exception_keys)
            except TimeoutError:
                yield ScanWarning(
                    f"rule {rule.id!r} ({rule.info.origin}) exceeded the {timeout:g}s regex "
                    "timeout and was skipped for this document", incomplete=True,
                )
                continue
            except Exception as exc:  # noqa: BLE001 - one failing rule loses only itself
                yield ScanWarning(
                    f"rule {rule.id!r} ({rule.info.origin}) failed: {type(exc).__name__}: {exc}; "
                    "it was skipped for this document", incomplete=True,
                )
                continue
            for start, end in spans:
                if cancelled and _overlaps((start, end), cancelled):
                    continue
                if rule.extent == "match":
                    yield document.finding_of(rule.info, start, end, detector=self.name)
                else:
                    if quotes is None:
                        quotes = QuoteIndex(document.regions)
                    first, last = _widened(text, start, end, rule.extent, quotes)
                    yield document.finding_of(rule.info, first, last, detector=self.name, cue=(start, end))


class CorePlugin:
    @hookimpl
    def framecheck_detectors(self, packs: Sequence[Pack], options: ScanOptions,
                             languages: Languages) -> list[PackMatcher]:
        return [PackMatcher(packs, options, languages=languages)]

    @hookimpl
    def framecheck_formatters(self) -> list[type]:
        return [TextFormatter, ConciseFormatter, JsonFormatter, JsonLinesFormatter, SarifFormatter, GithubFormatter,
                GitlabFormatter, JunitFormatter, MarkdownFormatter, AnnotatedFormatter, HtmlFormatter]

    @hookimpl
    def framecheck_readers(self) -> list:
        return [TextReader(), MarkdownReader(), HtmlReader(), JsonlReader(), CsvReader()]


class DefaultRulesPlugin:
    @hookimpl
    def framecheck_rule_pack_paths(self) -> list[Path]:
        return [bundled_rules_dir()]
