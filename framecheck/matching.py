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

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

MAX_VARIANTS_PER_PHRASE = 4096
WORD_RE = regex.compile(r"\w+")
STREAMING_THRESHOLD = 4_000_000  # characters


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
    return regex.escape(char)


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


def compile_source(source: str, *, ignore_case: bool) -> regex.Pattern:
    flags = regex.IGNORECASE if ignore_case else 0
    try:
        return regex.compile(source, flags)
    except regex.error as exc:
        raise PatternError(f"invalid regex {source!r}: {exc}") from None


def document_words(text: str) -> frozenset[str]:
    """The distinct lower-cased words of a text: what the phrase prefilter checks against.

    Very long texts are read through an iterator so memory grows with the vocabulary, not
    with the text; ordinary articles take the faster list-building path.
    """
    lowered = text.lower()
    if len(lowered) < STREAMING_THRESHOLD:
        return frozenset(WORD_RE.findall(lowered))
    return frozenset(match.group() for match in WORD_RE.finditer(lowered))


@dataclass(frozen=True)
class CompiledPatterns:
    """A rule's patterns (or exceptions), compiled once and run on many documents.

    ``anchors`` is None when no prefilter is possible (raw regexes, or phrases matched
    inside words); otherwise the patterns can only match where one of its words occurs.
    """

    patterns: tuple[regex.Pattern, ...]
    anchors: frozenset[str] | None

    def could_match(self, words: frozenset[str]) -> bool:
        return self.anchors is None or not self.anchors.isdisjoint(words)

    def spans(self, text: str, words: frozenset[str], *, timeout: float | None = None) -> Iterator[tuple[int, int]]:
        """Non-empty (start, end) spans of every match; raises TimeoutError on a runaway regex."""
        if not self.could_match(words):
            return
        for pattern in self.patterns:
            for match in pattern.finditer(text, timeout=timeout):
                if match.end() > match.start():
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
        raw = list(regexes)
        patterns = []
        if variants:
            source = phrase_regex_source(variants, word_boundary=word_boundary)
            patterns.append(compile_source(source, ignore_case=ignore_case))
        patterns.extend(compile_source(source, ignore_case=ignore_case) for source in raw)
        anchors = None
        if variants and not raw and word_boundary and all(_is_word_char(v[0]) for v in variants):
            anchors = frozenset(WORD_RE.match(v.lower()).group() for v in variants)
        return cls(tuple(patterns), anchors)
