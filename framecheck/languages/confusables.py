"""The characters that hide a word from a checker while a reader sees the word, by kind.

Three kinds, each read differently by :mod:`framecheck.languages.normalise`:

* **invisible** format characters and fillers, removed when they sit inside a word: they
  have no width, or draw as a blank that joins the letters around it;
* **combining marks** on a Latin, Greek or Cyrillic letter, removed (or composed, where the
  letter and the mark make one letter of the alphabet, as и + U+0306 make й);
* **compatibility letters** (fullwidth forms, mathematical alphanumerics, circled and squared
  letters) and **look-alike letters** from another script in a mixed-script word (Greek ο or
  Cyrillic о in a Latin word, Latin i in a Ukrainian one), read one for one as the plain
  letter, so no offset moves.

The look-alike tables cover the scripts framecheck has packs for (Latin, Cyrillic) and Greek,
whose capitals and several small letters are drawn as theirs. They list letters drawn alike in
ordinary fonts, not every pair a confusables list names: a Cyrillic т is not read as "t".
"""

from __future__ import annotations

import functools
import unicodedata

# Format characters with no width, bidirectional controls, variation selectors, tag characters
# (U+E0000-E007F: invisible copies of ASCII) and the Hangul fillers, which draw as a blank
# letter and so join a word instead of breaking it.
INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xE0000, 0xE007F),
    (0xE0100, 0xE01EF),
)
# Combining marks that sit on Latin, Greek and Cyrillic letters (diacritics, their supplements
# and extensions, the Cyrillic titlo and the half marks).
MARK_RANGES: tuple[tuple[int, int], ...] = (
    (0x0300, 0x036F), (0x0483, 0x0489), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F),
)
# Letters a mark is removed from: Latin (Basic, Latin-1, Extended-A/B, Additional), Greek, Cyrillic.
MARKED_LETTER_RANGES: tuple[tuple[int, int], ...] = (
    (0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x052F), (0x1E00, 0x1FFF),
)
# Letters and digits drawn in another style: fullwidth ASCII, circled and squared Latin
# letters, mathematical alphanumerics. Each reads as its compatibility decomposition.
COMPATIBILITY_RANGES: tuple[tuple[int, int], ...] = (
    (0x24B6, 0x24E9), (0xFF01, 0xFF5E), (0x1D400, 0x1D7FF), (0x1F130, 0x1F149),
)
# Soft hyphens are hyphenation hints that publishing systems put into long words: they are
# removed before matching like the rest, but do not make a word concealed.
INNOCENT_INVISIBLES = frozenset("\u00ad")

LATIN, CYRILLIC, GREEK = "Latin", "Cyrillic", "Greek"

# (script of the letter, script of the word) -> the letter it is drawn like.
LOOK_ALIKES: dict[tuple[str, str], dict[str, str]] = {
    (CYRILLIC, LATIN): dict(zip("аеорсухіјѕԁһӏԛԝАВЕКМНОРСТХІЈЅԌ", "aeopcyxijsdhlqwABEKMHOPCTXIJSG", strict=True)),
    (GREEK, LATIN): dict(zip("οαικνρτυχϲγΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaiknptuxcyABEZHIKMNOPTYX", strict=True)),
    (LATIN, CYRILLIC): dict(zip("aeopcyxiABEKMHOPCTXI", "аеорсухіАВЕКМНОРСТХІ", strict=True)),
    (GREEK, CYRILLIC): dict(zip("οαρχϲΑΒΕΗΙΚΜΟΡΤΧ", "оархсАВЕНІКМОРТХ", strict=True)),
}
# Letters that could be drawn by another script's letter: they do not tell a word's script.
_AMBIGUOUS = frozenset(letter for table in LOOK_ALIKES.values() for letter in table)


def character_ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    """The ranges as the inside of a regular expression character class."""
    return "".join(chr(low) if low == high else f"{chr(low)}-{chr(high)}" for low, high in ranges)


def within(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def script_of(char: str) -> str:
    """Latin, Cyrillic, Greek, or "" for a character of none of them (a digit, a CJK letter)."""
    code = ord(char)
    if code < 0x80:
        return LATIN if char.isalpha() else ""
    if 0x00C0 <= code <= 0x024F or 0x1E00 <= code <= 0x1EFF:
        return LATIN if char.isalpha() else ""
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return GREEK
    if 0x0400 <= code <= 0x052F:
        return CYRILLIC
    return ""


def telling(char: str) -> bool:
    """Whether the letter tells its word's script: no other script draws it alike."""
    return char not in _AMBIGUOUS


@functools.cache
def plain_form(char: str) -> str:
    """A compatibility letter's plain form (fullwidth ｔ -> t, mathematical bold 𝐭 -> t), or
    the character itself when its decomposition is not one character."""
    plain = unicodedata.normalize("NFKC", char)
    return plain if len(plain) == 1 else char


def composed(letter: str, marks: str) -> str | None:
    """The one letter that ``letter`` and its ``marks`` compose to, when the letter is not
    Latin (a Latin letter keeps no mark: "té" hides "te"); None otherwise."""
    if script_of(letter) == LATIN:
        return None
    joined = unicodedata.normalize("NFC", letter + marks)
    return joined if len(joined) == 1 else None


def described(char: str) -> str:
    """"U+200E LEFT-TO-RIGHT MARK": how a report names a character."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"
