"""Regex safety: what a pack's raw regexes may cost, and the literals that gate them.

A regex from a pack is checked before it is compiled (counted repetitions multiply when
nested, so their product is capped) and analysed for literal strings every match must contain:
a document without them never runs the regex at all.
"""

from __future__ import annotations

import re

import regex

from ..core.folding import fold_variant
from .phrases import PatternError

# Counted repetitions multiply when nested (((a{1000}){1000}){1000} is 10^9 copies): a regex
# costs ~3 KB per copy to compile, so their product along any nesting is capped.
MAX_REPETITION = 100_000
# ... and they add up across a pack's regexes and a run's packs (40 regexes each just under the
# limit took 3.9 GB); the shipped packs' regexes make 90 copies in all.
MAX_REPETITION_PER_PACK = 200_000
MAX_REPETITION_PER_RUN = 300_000


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


def compile_re(source: str, ignore_case: bool) -> re.Pattern:
    return re.compile(source, re.IGNORECASE if ignore_case else 0)
