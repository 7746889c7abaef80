"""Case- and whitespace-folding of texts for the phrase automata.

An Aho-Corasick automaton compares characters exactly, while rules match case-insensitively
and let a space stand for any run of whitespace. So the automaton runs over a *folded* copy
of the text: lower case with one character per character (as ``re.IGNORECASE`` compares
them), one kind of apostrophe, and one space per whitespace run, with a map back to the
original offsets. A document folds once; every detector that asks shares the copy.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Characters that ``re`` treats as equal when ignoring case although ``str.lower`` keeps them
# apart (Unicode data; the same classes as Python's own ``re._casefix``). Each class folds to
# its first member, so the automaton sees "ſ" as "s" exactly where a rule's regex would.
EXTRA_CASE_CLASSES: tuple[tuple[int, ...], ...] = (
    (105, 305), (115, 383), (181, 956), (953, 837, 8126), (912, 8147), (944, 8163), (946, 976),
    (949, 1013), (952, 977), (954, 1008), (960, 982), (961, 1009), (963, 962), (966, 981),
    (1074, 7296), (1076, 7297), (1086, 7298), (1089, 7299), (1090, 7300, 7301), (1098, 7302),
    (1123, 7303), (42571, 7304), (7777, 7835), (64262, 64261),
)
_EXTRA_FOLDS = {member: cls[0] for cls in EXTRA_CASE_CLASSES for member in cls[1:]}
_EXTRA_FOLD_CHARS = tuple(chr(c) for c in sorted(_EXTRA_FOLDS))
DOTTED_CAPITAL_I = "\u0130"  # lower-cases to two characters in str.lower, to "i" in re
# Whitespace other than space and newline (what ``\s`` matches, as str.isspace says). Looking
# for each with ``in`` is ~3x faster than one regex character class over the text.
_ASCII_OTHER_WHITESPACE = ("\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
_OTHER_WHITESPACE_CHARS = _ASCII_OTHER_WHITESPACE + (
    "\x85", "\xa0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
)
_OTHER_WHITESPACE = re.compile(r"[^\S \n]")


def is_word_char(char: str) -> bool:
    """What ``\\w`` matches: a letter, digit or underscore."""
    return char.isalnum() or char == "_"


def fold_case(text: str) -> str:
    """Lower case, one character for one: what ``re.IGNORECASE`` treats as the same letter."""
    if DOTTED_CAPITAL_I in text:
        text = text.replace(DOTTED_CAPITAL_I, "i")
    folded = text.lower()
    if not folded.isascii() and any(char in folded for char in _EXTRA_FOLD_CHARS):
        folded = folded.translate(_EXTRA_FOLDS)
    return folded


def fold_variant(variant: str) -> str:
    """The automaton key of a phrase variant: case-folded, one apostrophe, single spaces."""
    return fold_case(variant).replace("’", "'")


@dataclass(frozen=True)
class FoldedText:
    """A case-folded copy of a text with whitespace runs collapsed to one space, and the way
    back: ``run_ends[i]`` is where the i-th collapsed run sits in the copy, ``shifts[i]`` the
    characters removed up to and including it."""

    text: str
    run_ends: list[int]
    shifts: list[int]

    @classmethod
    def of(cls, text: str) -> FoldedText:
        folded = fold_case(text).replace("\u2019", "'")
        # Newlines become spaces with a plain replace and rarer whitespace with a one-class
        # regex (both scan fast); only then are runs of spaces found, by their literal prefix.
        if "\n" in folded:
            folded = folded.replace("\n", " ")
        others = _ASCII_OTHER_WHITESPACE if folded.isascii() else _OTHER_WHITESPACE_CHARS
        if any(char in folded for char in others):
            folded = _OTHER_WHITESPACE.sub(" ", folded)
        run_ends: list[int] = []
        shifts: list[int] = []
        pieces: list[str] = []
        removed = kept_from = 0
        run = folded.find("  ")
        while run != -1:  # runs of spaces are few (paragraph breaks): find them literally
            run_end = run + 2
            while run_end < len(folded) and folded[run_end] == " ":
                run_end += 1
            pieces.append(folded[kept_from : run + 1])
            run_ends.append(run - removed)
            removed += run_end - run - 1
            shifts.append(removed)
            kept_from = run_end
            run = folded.find("  ", run_end)
        if pieces:
            pieces.append(folded[kept_from:])
            folded = "".join(pieces)
        return cls(folded, run_ends, shifts)

    def original(self, offset: int) -> int:
        """The offset in the original text of a character (never a space) of the copy."""
        runs_before = bisect.bisect_left(self.run_ends, offset)
        return offset + self.shifts[runs_before - 1] if runs_before else offset
