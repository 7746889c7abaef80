"""Turn a rule's patterns into compiled matchers, and run them cheaply.

Phrases use a small, documented syntax instead of raw regexes so that pack authors cannot
write a slow or wrong pattern by accident:

* words are matched literally; a space matches any run of whitespace;
* ``(e|es|ed|ing)`` lists alternatives, an empty alternative makes the group optional
  (``terroris(e|es|ed|ing)``, ``fake(s|)``);
* an apostrophe matches both ``'`` and ``’``.

Every phrase expands to a finite set of literal variants, compiled into one trie-shaped regex
per rule (a plain alternation of many phrases is ~20x slower, see ``shared/notes``).

Two ways to run them give the same spans:

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
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import ahocorasick
import regex

from ..core.cache import cached, file_signature
from ..core.folding import FoldedText, fold_variant, is_word_char
from ..core.model import LARGE_TEXT, Document

MAX_VARIANTS_PER_PHRASE = 4096
# A phrase variant costs ~0.4 KB in the automaton and the confirming regexes: these caps keep a
# pack (and a run) from costing gigabytes and minutes to load. The shipped packs have ~2,700.
MAX_VARIANTS_PER_PACK = 100_000
MAX_VARIANTS_PER_RUN = 250_000
# Counted repetitions multiply when nested (((a{1000}){1000}){1000} is 10^9 copies): a regex
# costs ~3 KB per copy to compile, so their product along any nesting is capped.
MAX_REPETITION = 100_000
# Phrases are confirmed with the standard library's ``re``: a trie cannot backtrack
# catastrophically, and ``re`` starts a match ~10x faster than ``regex``, which matters when a
# phrase is tried at every candidate. Raw regexes use ``regex`` for its features and timeouts.


class PatternError(ValueError):
    """A phrase or regex that cannot be compiled; the message says why."""


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
    return variants


def count_variants(phrase: str) -> int:
    """How many variants ``phrase`` has (at most; duplicates count), without making them."""
    return math.prod(len(options) for options in _segments(phrase))


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

    def build(node: dict[str, dict]) -> str:
        branches = [_char_pattern(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return build(trie)


def _edges(variant: str, word_boundary: bool) -> tuple[bool, bool]:
    """Whether ``variant`` needs a word boundary before it and after it."""
    return (word_boundary and is_word_char(variant[0]), word_boundary and is_word_char(variant[-1]))


def phrase_regex_source(variants: Iterable[str], *, word_boundary: bool) -> str:
    """One regex source for all variants, with word boundaries only where a variant has words."""
    buckets: dict[tuple[bool, bool], list[str]] = {}
    for variant in variants:
        buckets.setdefault(_edges(variant, word_boundary), []).append(variant)
    parts = []
    for (start_edge, end_edge), group in sorted(buckets.items()):
        before = r"(?<!\w)" if start_edge else ""
        after = r"(?!\w)" if end_edge else ""
        parts.append(before + "(?:" + _trie_pattern(group) + ")" + after)
    return "|".join(parts)


def compile_source(source: str, *, ignore_case: bool) -> regex.Pattern:
    copies = repetition_product(source)
    if copies > MAX_REPETITION:
        raise PatternError(f"regex {source!r}: its counted repetitions multiply to {copies:,} copies "
                           f"(limit {MAX_REPETITION:,}); compiling it would take gigabytes")
    flags = regex.IGNORECASE if ignore_case else 0
    try:
        return regex.compile(source, flags)
    except regex.error as exc:
        raise PatternError(f"invalid regex {source!r}: {exc}") from None



_COUNTED = re.compile(r"\{(\d*)(?:,(\d*))?\}")


def repetition_product(source: str) -> int:
    """The largest product of counted-repetition bounds (``{n}``, ``{n,m}``) along any nesting
    of groups in a regex: how many copies of its deepest part compiling it makes. ``*``, ``+``
    and ``?`` make no copies. A conservative scan of the text: escapes and character classes are
    skipped, every ``(`` opens a group."""
    frames = [[1, 0]]  # per open group: [largest item so far, the current item's weight]
    index = 0
    while index < len(source):
        char = source[index]
        frame = frames[-1]
        counted = _COUNTED.match(source, index) if char == "{" else None
        if counted and (counted.group(1) or counted.group(2)):
            bound = int(counted.group(2) or counted.group(1) or 0) if len(counted.group(0)) < 24 else 10**9
            frame[1] = max(frame[1], 1) * max(bound, 1)
            index = counted.end()
            continue
        frame[0] = max(frame[0], frame[1])
        if char == "(":
            frames.append([1, 0])
        elif char == ")" and len(frames) > 1:
            inner = frames.pop()
            frames[-1][1] = max(inner)
        elif char == "\\":
            frame[1] = 1
            index += 1
        elif char == "[":
            frame[1] = 1
            index = _class_end(source, index)
        else:
            frame[1] = 1
        index += 1
    while len(frames) > 1:  # an unclosed group: the compiler will say so
        inner = frames.pop()
        frames[-1][1] = max(inner)
    return max(frames[0])


def _class_end(source: str, start: int) -> int:
    """The index of the ``]`` closing the character class that opens at ``start``."""
    index = start + 1
    if index < len(source) and source[index] == "^":
        index += 1
    if index < len(source) and source[index] == "]":
        index += 1
    while index < len(source) and source[index] != "]":
        index += 2 if source[index] == "\\" else 1
    return index


def _parsed(source: str, ignore_case: bool) -> list:
    """The standard library's parse of a pattern (private API: callers treat any exception as
    "cannot tell")."""
    try:
        import re._parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse  # type: ignore[no-redef]
    return list(sre_parse.parse(source, re.IGNORECASE if ignore_case else 0))


MIN_GATE_LITERAL = 3  # shorter literals occur in nearly every text and would gate nothing
Gate = tuple[frozenset[str], ...]  # every set must have one member in the text


def regex_gate(source: str, *, ignore_case: bool) -> Gate | None:
    """Literal strings a match of ``source`` must contain: one from each set, case-folded.

    Derived from the standard library's parse of the pattern (the ``regex`` module's syntax is
    a superset; anything ``re`` cannot parse simply gets no gate and always runs). A document
    in which some set has no member cannot match, so the regex is not run on it.
    """
    try:
        factors = _required_factors(_parsed(source, ignore_case))
    except Exception:  # a private parser: any surprise means "no gate", never a wrong one
        return None  # (including a literal "{": the regex module's fuzzy "{e<=1}" parses as text in re)
    return tuple(factors) or None


def _literal_factors(literal: str) -> list[frozenset[str]]:
    """A run of literal characters as required pieces: whitespace may be any run in the text,
    so only the words between it are kept, folded as the automaton sees the text."""
    return [frozenset({fold_variant(word)}) for word in literal.split() if len(word) >= MIN_GATE_LITERAL]


def _required_factors(items: list) -> list[frozenset[str]]:
    factors: list[frozenset[str]] = []
    literal: list[str] = []
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            if value == ord("{"):
                raise ValueError("possible fuzzy-matching syntax")
            literal.append(chr(value))
            continue
        factors.extend(_literal_factors("".join(literal)))
        literal = []
        if name == "SUBPATTERN":
            factors.extend(_required_factors(list(value[-1])))
        elif name == "ATOMIC_GROUP":
            factors.extend(_required_factors(list(value)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and value[0] >= 1:
            factors.extend(_required_factors(list(value[2])))
        elif name == "BRANCH":
            choice = _branch_factor(value[1])
            if choice:
                factors.append(choice)
    factors.extend(_literal_factors("".join(literal)))
    return factors


def _branch_factor(alternatives: list) -> frozenset[str] | None:
    """One set for an alternation: each alternative's most selective required set, united."""
    united: set[str] = set()
    for alternative in alternatives:
        options = _required_factors(list(alternative))
        if not options:
            return None
        united |= max(options, key=lambda option: (min(map(len, option)), -len(option)))
    return frozenset(united)


def starts_with_literal(source: str, *, ignore_case: bool) -> bool | None:
    """Whether every match of ``source`` begins with a fixed character (after ``\\b``/``^``):
    ``regex`` then finds candidates by string search instead of trying every position.
    None when the standard library cannot parse the pattern (``regex``-only syntax)."""
    try:
        items = _parsed(source, ignore_case)
    except Exception:  # regex-only syntax
        return None
    while items:
        name, value = str(items[0][0]), items[0][1]
        if name == "AT":
            items = items[1:]
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            items = list(value[-1] if name == "SUBPATTERN" else value)
        else:
            return name == "LITERAL"
    return False


def gate_open(gate: Gate | None, seen: frozenset[str] | set[str]) -> bool:
    """Whether every set of the gate has a member in ``seen`` (asked per regex per document:
    a loop, not ``all()`` over a generator, which cost a third of a small article's rule pass)."""
    if gate is not None:
        for factor in gate:
            if factor.isdisjoint(seen):
                return False
    return True


def _compile_re(source: str, ignore_case: bool) -> re.Pattern:
    return re.compile(source, re.IGNORECASE if ignore_case else 0)


_AFTER_EVERY_CHARACTER = 0x110000  # above every code point
# A rule confirms with one small regex per phrase until it has compiled this many; after that
# (a long scan meets most of a rule's phrases) with its whole trie, compiled once.
VARIANTS_BEFORE_TRIE = 12


def _trie_rank(variant: str, word_boundary: bool) -> tuple:
    """Where the trie regex of :func:`phrase_regex_source` tries ``variant``: bucket by bucket,
    branches in character order, and a longer phrase before any phrase it extends (the trie's
    optional tails are greedy)."""
    return (_edges(variant, word_boundary), [ord(char) for char in _trie_path(variant)] + [_AFTER_EVERY_CHARACTER])


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
        return None if self.phrase_source is None else _compile_re(self.phrase_source, self.ignore_case)

    @functools.cached_property
    def _trie_order(self) -> dict[str, int]:
        """Each variant's place in the order the trie regex tries them."""
        ordered = sorted(self.variants, key=lambda v: _trie_rank(v, self.word_boundary))
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
            pattern = self._variant_patterns[variant] = _compile_re(source, self.ignore_case)
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
        return {key: _edges(variants[0], self.word_boundary) for key, variants in self._variants_by_key.items()}

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
