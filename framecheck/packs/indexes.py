"""The runtime indexes: every rule's phrases found in one pass over a document.

Two ways to run a rule's patterns give the same spans:

* the *simple path* scans the text with each rule's regex in turn; its cost grows with the
  number of rules, so it is kept for texts too long to fold in memory and as the reference;
* the *combined path* (:class:`PhraseIndex`) puts every variant of every rule into one
  Aho-Corasick automaton (pyahocorasick, C), runs it once over a case-folded copy of the
  text, and confirms a match only where the automaton saw one of a rule's variants begin,
  with the regex of just the variants seen there, tried in the order the rule's trie would
  try them. Its cost barely grows with the number of phrases, and a scan compiles only the
  phrases its text contains.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import ahocorasick
import regex

from ..core.cache import cached, file_signature
from ..core.folding import FoldedText, fold_variant, is_word_char
from ..core.model import LARGE_TEXT, Document
from .phrases import expand_phrase, phrase_regex_source, trie_rank, word_edges
from .regex_safety import Gate, compile_re, compile_source, gate_open, regex_gate

# Phrases are confirmed with the standard library's ``re``: a trie cannot backtrack
# catastrophically, and ``re`` starts a match ~10x faster than ``regex``, which matters when a
# phrase is tried at every candidate. Raw regexes use ``regex`` for its features and timeouts.


# A rule confirms with one small regex per phrase until it has compiled this many; after that
# (a long scan meets most of a rule's phrases) with its whole trie, compiled once.
VARIANTS_BEFORE_TRIE = 12


@dataclass(frozen=True)
class CompiledPatterns:
    """A rule's patterns (or exceptions), validated once and run on many documents.

    Only sources are stored: the regexes are compiled the first time a document needs them,
    so a one-article scan does not pay for the rules that never come close to matching, and
    the object pickles small for the on-disk pack cache.
    """

    phrase_source: str | None
    variants: tuple[str, ...]
    raw_sources: tuple[str, ...]
    ignore_case: bool
    raw_gates: tuple[Gate | None, ...] = ()
    word_boundary: bool = True

    def __getstate__(self) -> dict:
        return {field: self.__dict__[field] for field in self.__dataclass_fields__}

    @functools.cached_property
    def phrase(self) -> re.Pattern | None:
        return None if self.phrase_source is None else compile_re(self.phrase_source, self.ignore_case)

    @functools.cached_property
    def _trie_order(self) -> dict[str, int]:
        """Each variant's place in the order the trie regex tries them."""
        ordered = sorted(self.variants, key=lambda v: trie_rank(v, self.word_boundary))
        return {variant: place for place, variant in enumerate(ordered)}

    @functools.cached_property
    def _variants_by_key(self) -> dict[str, list[str]]:
        """Variants by the folded form the automaton reports, each list in trie order."""
        by_key: dict[str, list[str]] = {}
        for variant in self._trie_order:  # a dict keeps the order it was built in
            by_key.setdefault(fold_variant(variant), []).append(variant)
        return by_key

    @functools.cached_property
    def _variant_patterns(self) -> dict[str, re.Pattern]:
        return {}

    def _variant_pattern(self, variant: str) -> re.Pattern:
        """The regex of one variant, compiled when a text first contains it: a one-article scan
        compiles the handful of phrases it meets, not every rule's whole trie."""
        pattern = self._variant_patterns.get(variant)
        if pattern is None:
            source = phrase_regex_source([variant], word_boundary=self.word_boundary)
            pattern = self._variant_patterns[variant] = compile_re(source, self.ignore_case)
        return pattern

    @functools.cached_property
    def raw(self) -> tuple[regex.Pattern, ...]:
        return tuple(compile_source(source, ignore_case=self.ignore_case) for source in self.raw_sources)

    @functools.cached_property
    def _scanner(self) -> regex.Pattern:
        """The phrase regex for scanning a whole text: ``regex`` skips ahead to possible first
        characters where ``re`` would try every position of, say, a 100 MB line."""
        assert self.phrase_source is not None
        return regex.compile(self.phrase_source, regex.IGNORECASE if self.ignore_case else 0)

    def spans(
        self,
        text: str,
        starts: Sequence[int] | None = None,
        seen: frozenset[str] | set[str] | None = None,
        *,
        timeout: float | None = None,
        keys: Sequence[str] | None = None,
    ) -> Iterator[tuple[int, int]]:
        """Non-empty (start, end) spans of every match; raises TimeoutError on a runaway regex.

        The combined path passes ``starts``, offsets that include every one where a variant
        begins (phrases are only tried there), and ``seen``, the gate literals found in the
        text (a raw regex whose gate stays closed is not run); with ``keys`` (the folded
        variant found at each start, as :class:`Candidates` records them) only those variants
        are tried there. Without ``starts`` the whole text is scanned. Either way matches are
        kept left to right, without overlap, as a scan keeps them.
        """
        if self.phrase_source is not None:
            if starts is None:
                # The same engine as the confirming regex, so both paths agree on every letter;
                # beyond LARGE_TEXT, ``regex``, whose scan skips ahead (it folds "ı" apart from "i").
                phrase = self.phrase if len(text) < LARGE_TEXT else self._scanner
                yield from _scan(phrase, text, timeout)
            elif starts and keys is not None and self.ignore_case:
                # Where the automaton saw a folded variant, the text reads as that variant to a
                # case-blind regex (the fold is how ``re`` compares): only boundaries are left.
                yield from self._confirmed_by_key(text, starts, keys, self._first_literal_match)
            elif starts and keys is not None and len(self._variant_patterns) < VARIANTS_BEFORE_TRIE:
                yield from self._confirmed_by_key(text, starts, keys, self._variant_or_trie_match)
            elif starts:  # without keys, or once the rule has met many of its phrases: its trie
                yield from self._confirmed(text, starts)
        for pattern, gate in zip(self.raw, self.raw_gates or (None,) * len(self.raw)):
            if seen is None or gate_open(gate, seen):
                yield from _scan(pattern, text, timeout)

    @property
    def gate_literals(self) -> frozenset[str]:
        return frozenset(word for gate in self.raw_gates if gate for factor in gate for word in factor)

    def _confirmed(self, text: str, starts: Sequence[int]) -> Iterator[tuple[int, int]]:
        phrase = self.phrase
        assert phrase is not None
        last_end = 0
        for start in sorted(set(starts)):
            if start < last_end:
                continue
            match = phrase.match(text, start)
            if match and match.end() > start:
                last_end = match.end()
                yield match.span()

    def _confirmed_by_key(self, text: str, starts: Sequence[int], keys: Sequence[str],
                          first_match: Callable[[str, int, set[str]], tuple[int, int] | None]
                          ) -> Iterator[tuple[int, int]]:
        """What :meth:`_confirmed` finds, trying at each start only the variants seen there
        (``first_match`` picks the one the rule's trie regex would: see the two below)."""
        keys_at: dict[int, set[str]] = {}
        for start, key in zip(starts, keys):
            keys_at.setdefault(start, set()).add(key)
        last_end = 0
        for start in sorted(keys_at):
            if start < last_end:
                continue
            span = first_match(text, start, keys_at[start])
            if span is not None:
                last_end = span[1]
                yield span

    def _variant_or_trie_match(self, text: str, start: int, keys: set[str]) -> tuple[int, int] | None:
        """Each variant's own regex, in trie order, until the rule has compiled
        VARIANTS_BEFORE_TRIE of them; from then on (within this text too) its trie."""
        if len(self._variant_patterns) < VARIANTS_BEFORE_TRIE:
            return self._first_variant_match(text, start, keys)
        match = self.phrase.match(text, start)  # type: ignore[union-attr]
        return match.span() if match and match.end() > start else None

    def _first_literal_match(self, text: str, start: int, keys: set[str]) -> tuple[int, int] | None:
        """The first of the folded variants seen at ``start``, in trie order, whose word
        boundaries hold there; no regex is run."""
        edges = self._key_edges
        ordered = [key for key in keys if key in edges]
        if len(ordered) > 1:
            ordered.sort(key=self._key_order.__getitem__)
        for key in ordered:
            end = _literal_end(text, start, key)
            if end is None:
                continue
            before, after = edges[key]
            if before and start and is_word_char(text[start - 1]):
                continue
            if after and end < len(text) and is_word_char(text[end]):
                continue
            return start, end
        return None

    @functools.cached_property
    def _key_edges(self) -> dict[str, tuple[bool, bool]]:
        """Each folded variant's word-boundary needs (its variants all read alike: folding keeps
        a word character one)."""
        return {key: word_edges(variants[0], self.word_boundary) for key, variants in self._variants_by_key.items()}

    @functools.cached_property
    def _key_order(self) -> dict[str, int]:
        """Each folded variant's place in trie order: that of its first variant."""
        return {key: self._trie_order[variants[0]] for key, variants in self._variants_by_key.items()}

    def _first_variant_match(self, text: str, start: int, keys: set[str]) -> tuple[int, int] | None:
        by_key = self._variants_by_key
        variants = [variant for key in keys for variant in by_key.get(key, ())]
        if len(keys) > 1:
            variants.sort(key=self._trie_order.__getitem__)
        for variant in variants:
            match = self._variant_pattern(variant).match(text, start)
            if match and match.end() > start:
                return match.span()
        return None

    @classmethod
    def build(
        cls,
        phrases: Iterable[str],
        regexes: Iterable[str],
        *,
        ignore_case: bool,
        word_boundary: bool,
    ) -> CompiledPatterns:
        variants = tuple(dict.fromkeys(variant for phrase in phrases for variant in expand_phrase(phrase)))
        source = phrase_regex_source(variants, word_boundary=word_boundary) if variants else None
        regexes = tuple(regexes)
        gates = tuple(regex_gate(raw, ignore_case=ignore_case) for raw in regexes)
        return cls(source, variants, regexes, ignore_case, gates, word_boundary)


_WHITE_SPACE_RUN = re.compile(r"\s+")


def _literal_end(text: str, start: int, key: str) -> int | None:
    """Where the text that reads as folded variant ``key`` from ``start`` ends (a space in the
    key stands for a run of white space), or None when it does not read so there."""
    if " " not in key:  # most phrases are one word
        end = start + len(key)
        return end if end <= len(text) and fold_variant(text[start:end]) == key else None
    position = start
    for number, word in enumerate(key.split(" ")):
        if number:
            gap = _WHITE_SPACE_RUN.match(text, position)  # as the phrase regex's \s+ (str.isspace)
            if gap is None:
                return None
            position = gap.end()
        end = position + len(word)
        if end > len(text) or fold_variant(text[position:end]) != word:
            return None
        position = end
    return position


def _scan(pattern: re.Pattern | regex.Pattern, text: str, timeout: float | None) -> Iterator[tuple[int, int]]:
    """Scan with ``pattern``; only ``regex`` patterns take a timeout (phrase tries cannot run away)."""
    bounded = timeout is not None and isinstance(pattern, regex.Pattern)
    matches = pattern.finditer(text, timeout=timeout) if bounded else pattern.finditer(text)
    for match in matches:
        if match.end() > match.start():
            yield match.span()


@dataclass
class Candidates:
    """What one automaton pass found: where each pattern's variants begin, which variant (by
    its folded form) begins there, and which raw-regex gate literals occur."""

    starts: dict[int, list[int]]
    seen: set[str]
    keys: dict[int, list[str]] = field(default_factory=dict)  # parallel to ``starts``


Owner = tuple[int, int]  # (index number, pattern number) in a shared automaton


def _automaton(indexes: Sequence[Sequence[CompiledPatterns | None]]) -> ahocorasick.Automaton | None:
    """One automaton over the variants and gate literals of every pattern of every index;
    each key's value: (length - 1, owners of the key as a phrase variant, the key, whether it
    is a gate literal).

    Built once per set of patterns and kept in the on-disk cache: loading the default packs'
    automaton takes a third of the time of adding their ~2,700 folded variants one by one.
    """
    layout = [
        None if compiled is None else (compiled.variants, sorted(compiled.gate_literals))
        for patterns in indexes
        for compiled in itertools.chain(patterns, [None])  # None also ends each index
    ]
    content = f"{_automaton_library_signature()}\n{layout!r}".encode()
    return cached("automaton", "phrase-index", content, lambda: _build_automaton(indexes))


def _automaton_library_signature() -> str:
    """Which build of pyahocorasick pickled an automaton: its pickles are not portable."""
    return file_signature("ahocorasick", ahocorasick.__file__)


def _build_automaton(indexes: Sequence[Sequence[CompiledPatterns | None]]) -> ahocorasick.Automaton | None:
    owners: dict[str, set[Owner]] = {}
    gate_keys: set[str] = set()
    for index_number, patterns in enumerate(indexes):
        for number, compiled in enumerate(patterns):
            if compiled is None:
                continue
            for variant in compiled.variants:
                owners.setdefault(fold_variant(variant), set()).add((index_number, number))
            for literal in compiled.gate_literals:
                owners.setdefault(literal, set())
                gate_keys.add(literal)
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for key, key_owners in owners.items():
        automaton.add_word(key, (len(key) - 1, tuple(sorted(key_owners)), key, key in gate_keys))
    automaton.make_automaton()
    return automaton


FOLD_CHUNK = 1_000_000  # characters of a LARGE_TEXT folded at a time
FOLD_OVERLAP = 4_096  # characters a chunk reaches into the next, so no phrase is cut at the seam


def _run_document(automaton: ahocorasick.Automaton | None, document: Document | str, found: list[Candidates]) -> None:
    """One pass of ``automaton`` over the document's folded text. A text of LARGE_TEXT
    characters or more is folded a chunk at a time (folding it whole would triple its memory);
    each chunk reaches FOLD_OVERLAP characters into the next and keeps only the candidates that
    start in its own part, so the candidates are those of one pass over the whole."""
    text = document if isinstance(document, str) else document.text
    if len(text) < LARGE_TEXT:
        _run(automaton, FoldedText.of(text) if isinstance(document, str) else document.folded, found)
        return
    for base in range(0, len(text), FOLD_CHUNK):
        limit = min(len(text), base + FOLD_CHUNK)
        piece = FoldedText.of(text[base : min(len(text), limit + FOLD_OVERLAP)])
        _run(automaton, piece, found, base=base, limit=limit)


def _run(automaton: ahocorasick.Automaton | None, folded: FoldedText, found: list[Candidates], *,
         base: int = 0, limit: int | None = None) -> None:
    """One pass of ``automaton`` over ``folded``, filling ``found`` (one per index); all share
    one ``seen`` set (a gate only asks about its own literals). ``folded`` may be a chunk of the
    text starting at ``base``: candidates are then moved there, and those starting at ``limit``
    or later are left to the next chunk."""
    if automaton is None or not folded.text:
        return
    shifted = bool(folded.run_ends)
    seen = found[0].seen if found else set()
    for end, (extent, owners, key, is_gate) in automaton.iter(folded.text):
        start = base + (folded.original(end - extent) if shifted else end - extent)
        if limit is not None and start >= limit:
            continue
        if is_gate:
            seen.add(key)
        if not owners:
            continue
        for index_number, number in owners:
            candidates = found[index_number]
            if number in candidates.starts:
                candidates.starts[number].append(start)
                candidates.keys[number].append(key)
            else:
                candidates.starts[number] = [start]
                candidates.keys[number] = [key]


class PhraseIndex:
    """Every phrase variant and gate literal of many :class:`CompiledPatterns` in one
    Aho-Corasick automaton.

    :meth:`candidates` runs the automaton once over a folded copy of the text (a chunk at a
    time for texts of ``LARGE_TEXT`` characters or more). Case-sensitive rules and word
    boundaries are left to the confirming regex. A detector that lists its indexes in
    ``phrase_indexes`` gets them answered, with every other detector's, by one shared pass per
    document (:class:`SharedPhraseIndex`).
    """

    def __init__(self, patterns: Sequence[CompiledPatterns | None]):
        self.patterns = tuple(patterns)

    @functools.cached_property
    def _automaton(self) -> ahocorasick.Automaton | None:
        """Built on first use: under the engine, the shared pass answers and this is never needed."""
        return _automaton([self.patterns])

    def candidates(self, source: Document | str) -> Candidates | None:
        """The candidates in ``source``: from the engine's shared pass when it answered this
        index for the document, else from one pass of this index's own automaton."""
        if not isinstance(source, str):
            shared = source.shared_candidates.get(id(self))
            if shared is not None:
                return shared
        found = [Candidates({}, set())]
        _run_document(self._automaton, source, found)
        return found[0]


class SharedPhraseIndex:
    """Several :class:`PhraseIndex` es answered by one automaton pass per document.

    The engine builds one over the indexes its detectors declare (``phrase_indexes``) and,
    before they run, stores each index's candidates in ``document.shared_candidates``, where
    :meth:`PhraseIndex.candidates` finds them: one pass instead of one per detector.
    """

    def __init__(self, indexes: Sequence[PhraseIndex]):
        self.indexes = tuple({id(index): index for index in indexes}.values())
        self._automaton = _automaton([index.patterns for index in self.indexes])

    def answer(self, document: Document) -> None:
        if not self.indexes:
            return
        seen: set[str] = set()
        found = [Candidates({}, seen) for _ in self.indexes]
        _run_document(self._automaton, document, found)
        for index, candidates in zip(self.indexes, found):
            document.shared_candidates[id(index)] = candidates
