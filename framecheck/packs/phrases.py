"""The phrase mini-language: what a pack author writes instead of a regex.

Phrases use a small, documented syntax so that pack authors cannot write a slow or wrong
pattern by accident:

* words are matched literally; a space matches any run of whitespace;
* ``(e|es|ed|ing)`` lists alternatives, an empty alternative makes the group optional
  (``terroris(e|es|ed|ing)``, ``fake(s|)``);
* an apostrophe matches both ``'`` and ``’``.

Every phrase expands to a finite set of literal variants, compiled into one trie-shaped regex
per rule (a plain alternation of many phrases is ~20x slower, see ``shared/notes``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable

from ..core.folding import is_word_char


class PatternError(ValueError):
    """A phrase or regex that cannot be compiled; the message says why."""


MAX_VARIANTS_PER_PHRASE = 4096
# A phrase variant costs ~0.4 KB in the automaton and the confirming regexes: these caps keep a
# pack (and a run) from costing gigabytes and minutes to load. The shipped packs have ~2,700.
MAX_VARIANTS_PER_PACK = 100_000
MAX_VARIANTS_PER_RUN = 250_000
# A variant longer than this is prose, not a phrase (the shipped packs' longest is 47); and a
# pack's phrases may spell out at most this many characters (variants x the longest a variant can
# be, known before expanding; the shipped packs reach 18,000): 1.7 MB of long phrases cost
# 2 GB and half a minute to build.
MAX_VARIANT_LENGTH = 300
MAX_PHRASE_CHARACTERS_PER_PACK = 1_000_000


def expand_phrase(phrase: str) -> list[str]:
    """All literal variants of ``phrase``, in a stable order."""
    segments = _segments(phrase)
    count = math.prod(len(options) for options in segments)
    if count > MAX_VARIANTS_PER_PHRASE:
        raise PatternError(f"phrase {phrase!r} expands to {count} variants (limit {MAX_VARIANTS_PER_PHRASE})")
    variants = [" ".join("".join(parts).split()) for parts in itertools.product(*segments)]
    variants = [v for v in dict.fromkeys(variants) if v]
    if not variants:
        raise PatternError(f"phrase {phrase!r} is empty")
    longest = max(variants, key=len)
    if len(longest) > MAX_VARIANT_LENGTH:
        raise PatternError(f"phrase {_shown(phrase)} has a variant of {len(longest)} characters (limit "
                           f"{MAX_VARIANT_LENGTH}): match a shorter phrase, or use a regex")
    return variants


def _shown(phrase: str) -> str:
    return repr(phrase if len(phrase) <= 60 else phrase[:60] + "…")


def variant_bounds(phrase: str) -> tuple[int, int]:
    """(how many variants ``phrase`` has, duplicates counted; at most how many characters they
    spell out together), without making them: the count times the longest a variant can be."""
    segments = _segments(phrase)
    count = math.prod(len(options) for options in segments)
    return count, count * sum(max(map(len, options)) for options in segments)


def _segments(phrase: str) -> list[list[str]]:
    """The phrase as literal pieces and (a|b) groups, each a list of its options."""
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
    return segments


def _char_pattern(char: str) -> str:
    if char == " ":
        return r"\s+"
    if char in "'’":
        return "['’]"
    return re.escape(char)


def _trie_path(variant: str) -> str:
    """The characters by which a variant is placed in the trie: both apostrophes are one branch
    (:func:`_char_pattern` matches either)."""
    return variant.replace("’", "'")


def _trie_pattern(variants: Iterable[str]) -> str:
    """A regex matching exactly ``variants``, shaped as a trie so matching never backtracks far."""
    trie: dict[str, dict] = {}
    for variant in variants:
        node = trie
        for char in _trie_path(variant):
            node = node.setdefault(char, {})
        node[""] = {}

    # Built from the leaves up without recursion: a long phrase is one trie level per character.
    built: dict[int, str] = {}
    stack: list[tuple[dict[str, dict], bool]] = [(trie, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for char, child in node.items() if char)
            continue
        branches = [_char_pattern(char) + built.pop(id(child)) for char, child in sorted(node.items()) if char]
        body = "" if not branches else branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        built[id(node)] = "(?:" + body + ")?" if body and "" in node else body
    return built[id(trie)]


def word_edges(variant: str, word_boundary: bool) -> tuple[bool, bool]:
    """Whether ``variant`` needs a word boundary before it and after it."""
    return (word_boundary and is_word_char(variant[0]), word_boundary and is_word_char(variant[-1]))


def phrase_regex_source(variants: Iterable[str], *, word_boundary: bool) -> str:
    """One regex source for all variants, with word boundaries only where a variant has words."""
    buckets: dict[tuple[bool, bool], list[str]] = {}
    for variant in variants:
        buckets.setdefault(word_edges(variant, word_boundary), []).append(variant)
    parts = []
    for (start_edge, end_edge), group in sorted(buckets.items()):
        before = r"(?<!\w)" if start_edge else ""
        after = r"(?!\w)" if end_edge else ""
        parts.append(before + "(?:" + _trie_pattern(group) + ")" + after)
    return "|".join(parts)


_AFTER_EVERY_CHARACTER = 0x110000  # above every code point


def trie_rank(variant: str, word_boundary: bool) -> tuple:
    """Where the trie regex of :func:`phrase_regex_source` tries ``variant``: bucket by bucket,
    branches in character order, and a longer phrase before any phrase it extends (the trie's
    optional tails are greedy)."""
    return (word_edges(variant, word_boundary), [ord(char) for char in _trie_path(variant)] + [_AFTER_EVERY_CHARACTER])
