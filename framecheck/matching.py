"""Turn a rule's patterns into compiled matchers, and run them cheaply.

Phrases use a small, documented syntax instead of raw regexes so that pack authors cannot
write a slow or wrong pattern by accident:

* words are matched literally; a space matches any run of whitespace;
* ``(e|es|ed|ing)`` lists alternatives, an empty alternative makes the group optional
  (``terroris(e|es|ed|ing)``, ``fake(s|)``);
* an apostrophe matches both ``'`` and ``’``.

Every phrase expands to a finite set of literal variants. They are compiled into one
trie-shaped regex per rule (a plain alternation of many phrases is ~20x slower, see
``shared/notes``), and the variants' first words form a prefilter: a rule only runs on a
document whose words include one of them.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

from .model import LARGE_TEXT

MAX_VARIANTS_PER_PHRASE = 4096
# Phrases compile to the standard library's ``re``: a trie cannot backtrack catastrophically, and
# ``re`` starts a match ~10x faster than ``regex``, which matters when a phrase is tried at every
# occurrence of its first word. Raw regexes use ``regex`` for its features and timeouts.
WORD_RE = re.compile(r"\w+")


class PatternError(ValueError):
    """A phrase or regex that cannot be compiled; the message says why."""


def expand_phrase(phrase: str) -> list[str]:
    """All literal variants of ``phrase``, in a stable order."""
    segments: list[list[str]] = []
    literal: list[str] = []
    index = 0
    while index < len(phrase):
        char = phrase[index]
        if char == "(":
            close = phrase.find(")", index)
            if close == -1:
                raise PatternError(f"phrase {phrase!r}: '(' at character {index + 1} is never closed")
            body = phrase[index + 1 : close]
            if "(" in body:
                raise PatternError(f"phrase {phrase!r}: groups cannot be nested")
            segments.append(["".join(literal)])
            literal = []
            segments.append(body.split("|"))
            index = close + 1
            continue
        if char in ")|":
            raise PatternError(f"phrase {phrase!r}: {char!r} outside a (a|b) group")
        literal.append(char)
        index += 1
    segments.append(["".join(literal)])
    count = 1
    for options in segments:
        count *= len(options)
    if count > MAX_VARIANTS_PER_PHRASE:
        raise PatternError(f"phrase {phrase!r} expands to {count} variants (limit {MAX_VARIANTS_PER_PHRASE})")
    variants = [" ".join("".join(parts).split()) for parts in itertools.product(*segments)]
    variants = [v for v in dict.fromkeys(variants) if v]
    if not variants:
        raise PatternError(f"phrase {phrase!r} is empty")
    return variants


def _char_pattern(char: str) -> str:
    if char == " ":
        return r"\s+"
    if char in "'’":
        return "['’]"
    return re.escape(char)


def _trie_pattern(variants: Iterable[str]) -> str:
    """A regex matching exactly ``variants``, shaped as a trie so matching never backtracks far."""
    trie: dict[str, dict] = {}
    for variant in variants:
        node = trie
        for char in variant.replace("’", "'"):
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [_char_pattern(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return build(trie)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def phrase_regex_source(variants: Iterable[str], *, word_boundary: bool) -> str:
    """One regex source for all variants, with word boundaries only where a variant has words."""
    buckets: dict[tuple[bool, bool], list[str]] = {}
    for variant in variants:
        edges = (
            word_boundary and _is_word_char(variant[0]),
            word_boundary and _is_word_char(variant[-1]),
        )
        buckets.setdefault(edges, []).append(variant)
    parts = []
    for (start_edge, end_edge), group in sorted(buckets.items()):
        before = r"(?<!\w)" if start_edge else ""
        after = r"(?!\w)" if end_edge else ""
        parts.append(before + "(?:" + _trie_pattern(group) + ")" + after)
    return "|".join(parts)


def compile_phrase_source(source: str, *, ignore_case: bool) -> re.Pattern:
    return re.compile(source, re.IGNORECASE if ignore_case else 0)


def compile_source(source: str, *, ignore_case: bool) -> regex.Pattern:
    flags = regex.IGNORECASE if ignore_case else 0
    try:
        return regex.compile(source, flags)
    except regex.error as exc:
        raise PatternError(f"invalid regex {source!r}: {exc}") from None


@dataclass(frozen=True)
class WordIndex:
    """Where each lower-cased word of a text starts: the phrase prefilter and its jump table.

    ``positions`` is None for very long texts, where a list of every word's offset would cost
    more memory than the text itself; those are matched by scanning instead.
    """

    words: frozenset[str]
    positions: dict[str, list[int]] | None


def index_words(text: str, wanted: frozenset[str] | None = None) -> WordIndex:
    """Index the words of ``text``; with ``wanted``, only those words (the rules' anchors).

    Words are found in the original text and lower-cased one by one: lower-casing the whole
    text first would shift offsets after characters such as "İ", whose lower case is longer.
    """
    if len(text) >= LARGE_TEXT:
        found = (match.group().lower() for match in WORD_RE.finditer(text))
        return WordIndex(frozenset(w for w in found if wanted is None or w in wanted), None)
    positions: dict[str, list[int]] = {}
    for match in WORD_RE.finditer(text):
        word = match.group().lower()
        if wanted is None or word in wanted:
            if word in positions:
                positions[word].append(match.start())
            else:
                positions[word] = [match.start()]
    return WordIndex(frozenset(positions), positions)


@dataclass(frozen=True)
class CompiledPatterns:
    """A rule's patterns (or exceptions), compiled once and run on many documents.

    Phrases are compiled into one trie-shaped regex. When every phrase starts with a word
    (and word boundaries apply) that regex can only match where one of its first words
    (``anchors``) starts, so it is tried at those positions only instead of scanning the
    whole text; the result is the same as scanning (matches are kept left to right, without
    overlap). Raw regexes always scan, bounded by the timeout.
    """

    phrase: re.Pattern | None
    anchors: frozenset[str] | None
    raw: tuple[regex.Pattern, ...]

    def could_match(self, index: WordIndex) -> bool:
        return bool(self.raw) or self.anchors is None or not self.anchors.isdisjoint(index.words)

    def spans(self, text: str, index: WordIndex, *, timeout: float | None = None) -> Iterator[tuple[int, int]]:
        """Non-empty (start, end) spans of every match; raises TimeoutError on a runaway regex."""
        if self.phrase is not None and (self.anchors is None or not self.anchors.isdisjoint(index.words)):
            if self.anchors is not None and index.positions is not None:
                yield from self._anchored_spans(text, index.positions)
            else:
                yield from _scan(self._scanner, text, timeout)
        for pattern in self.raw:
            yield from _scan(pattern, text, timeout)

    @functools.cached_property
    def _scanner(self) -> regex.Pattern:
        """The phrase regex for scanning a whole text (used when a text is too long to index).

        ``regex`` skips ahead to possible first characters where ``re`` would try every
        position of, say, a 100 MB line; it is compiled only when first needed.
        """
        assert self.phrase is not None
        return regex.compile(self.phrase.pattern, regex.IGNORECASE if self.phrase.flags & re.IGNORECASE else 0)

    def _anchored_spans(self, text: str, positions: dict[str, list[int]]) -> Iterator[tuple[int, int]]:
        assert self.phrase is not None and self.anchors is not None
        starts = sorted(p for word in self.anchors.intersection(positions) for p in positions[word])
        last_end = 0
        for start in starts:
            if start < last_end:
                continue
            match = self.phrase.match(text, start)
            if match and match.end() > start:
                last_end = match.end()
                yield match.span()

    @classmethod
    def build(
        cls,
        phrases: Iterable[str],
        regexes: Iterable[str],
        *,
        ignore_case: bool,
        word_boundary: bool,
    ) -> CompiledPatterns:
        variants = [variant for phrase in phrases for variant in expand_phrase(phrase)]
        phrase = None
        anchors = None
        if variants:
            phrase = compile_phrase_source(phrase_regex_source(variants, word_boundary=word_boundary), ignore_case=ignore_case)
            if word_boundary and all(_is_word_char(v[0]) for v in variants):
                anchors = frozenset(WORD_RE.match(v.lower()).group() for v in variants)
        raw = tuple(compile_source(source, ignore_case=ignore_case) for source in regexes)
        return cls(phrase, anchors, raw)


def _scan(pattern: re.Pattern | regex.Pattern, text: str, timeout: float | None) -> Iterator[tuple[int, int]]:
    matches = pattern.finditer(text) if timeout is None else pattern.finditer(text, timeout=timeout)
    for match in matches:
        if match.end() > match.start():
            yield match.span()
