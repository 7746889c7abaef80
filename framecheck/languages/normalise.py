"""What the engine does to a document's text before any detector reads it.

Text from the web and from people who want to slip past a filter carries characters that
change nothing a reader sees but break every phrase a rule looks for: a soft hyphen, a
zero-width space or a bidirectional mark inside "terr\u00adorise", an accent drawn on it as a
combining mark, a Cyrillic "е" or a Greek "ο" inside a Latin word ("tеrrorise"), fullwidth or
mathematical letters, a lone surrogate that no UTF-8 report can hold. Each is handled here
once, for every reader and every detector, and the report says what was done
(:mod:`framecheck.languages.confusables` lists the characters).

Detectors see the mended text; the report does not: :func:`normalise` returns a
:class:`Restoration` that puts the document back and moves each finding's span and excerpt to
the text as it was read, so offsets keep their meaning (for plain text, offsets into the
decoded file) and an excerpt shows what the file says. The words that were hidden are left in
``document.disguises`` for the reviewer that reports concealment.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..core.folding import is_word_char
from ..core.model import Disguise, Document, Finding, Region
from ..core.offsets import OffsetMap
from ..core.surrogates import has_surrogates, printable, without_surrogates
from .confusables import (
    COMPATIBILITY_RANGES,
    CYRILLIC,
    GREEK,
    INNOCENT_INVISIBLES,
    INVISIBLE_RANGES,
    LATIN,
    LOOK_ALIKES,
    MARK_RANGES,
    MARKED_LETTER_RANGES,
    character_ranges,
    composed,
    described,
    plain_form,
    script_of,
    telling,
    within,
)

_HIDDEN = character_ranges(INVISIBLE_RANGES) + character_ranges(MARK_RANGES)
_COMPATIBILITY = character_ranges(COMPATIBILITY_RANGES)
_LATIN, _GREEK, _CYRILLIC = "A-Za-z\u00c0-\u024f\u1e00-\u1eff", "\u0370-\u03ff\u1f00-\u1fff", "\u0400-\u052f"
# A letter touching a letter of another script: every mixed-script word has one, so a text is
# told apart from mixed words by one scan instead of word by word. Each pattern starts with one
# character class, which the regex engine skips along (6x faster than an alternation of pairs):
# so a text is searched from the letters it has fewer of, Greek and Cyrillic in English text,
# Latin (and then Greek) in Ukrainian or Russian text.
_TOUCHING_FROM_GREEK_OR_CYRILLIC = (f"[{_GREEK}{_CYRILLIC}](?:(?<=[{_LATIN}].)|(?=[{_LATIN}])"
                                    f"|(?<=[{_GREEK}][{_CYRILLIC}])|(?<=[{_CYRILLIC}][{_GREEK}]))")
_TOUCHING_FROM_LATIN = f"[{_LATIN}](?:(?<=[{_GREEK}{_CYRILLIC}].)|(?=[{_GREEK}{_CYRILLIC}]))"
_TOUCHING_FROM_GREEK = f"[{_GREEK}](?:(?<=[{_CYRILLIC}].)|(?=[{_CYRILLIC}]))"
SAMPLE = 2000  # characters read to tell which letters a text has fewer of
# Anything normalise may act on besides surrogates: one class, one scan of an English text. A
# class of characters outside the Basic Multilingual Plane costs the regex engine 2.5x more per
# character, so the astral ones are looked for only in a text that has astral characters.
_ACTIONABLE = f"[{_HIDDEN}{_COMPATIBILITY}{_GREEK}{_CYRILLIC}]"
_ACTIONABLE_IN_BMP = "[{}{}{}]".format(
    character_ranges(tuple(r for r in (*INVISIBLE_RANGES, *MARK_RANGES, *COMPATIBILITY_RANGES) if r[1] <= 0xFFFF)),
    _GREEK, _CYRILLIC)
NAMED_IN_NOTE = 3


@functools.cache
def _compiled(pattern: str) -> re.Pattern:
    """Patterns compiled on first use: nearly every document needs none of them."""
    return re.compile(pattern)


@dataclass
class Restoration:
    """How to give a normalised document and its findings back the text as it was read."""

    text: str
    source_text: str | None
    offsets: OffsetMap | None
    regions: tuple[Region, ...]
    to_read: Callable[[int], int]  # an offset into the mended text -> into the text as read

    def finding(self, finding: Finding) -> Finding:
        start, end = self.to_read(finding.start), self.to_read(finding.end - 1) + 1
        return finding.evolve(start=start, end=end, excerpt=self.text[start:end])

    def restore(self, document: Document) -> None:
        document.text, document.source_text = self.text, self.source_text
        document.offsets, document.regions = self.offsets, self.regions
        document.disguises = ()
        _forget_cached(document)


_CACHED = ("paragraphs", "folded", "word_count", "line_starts")


def _forget_cached(document: Document) -> None:
    """Drop what the document worked out from a text it no longer has."""
    for cached in _CACHED:
        document.__dict__.pop(cached, None)


@dataclass
class _Mending:
    """What the steps did: counts for the notes, and where a hidden word was (offsets into the
    text as it is after the step that found it, which later steps keep: they replace one
    character by one), with the character that hid it."""

    invisible: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    compatibility: int = 0
    mixed: dict[tuple[str, str], int] = field(default_factory=dict)  # (read as, other scripts) -> words
    concealed: list[tuple[int, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        notes = []
        if self.invisible:
            notes.append(f"ignored {_counted(len(self.invisible), 'invisible character')} inside words "
                         f"({_names(self.invisible)})")
        if self.marks:
            notes.append(f"ignored {_counted(len(self.marks), 'combining mark')} on letters ({_names(self.marks)})")
        if self.compatibility:
            notes.append(f"{_counted(self.compatibility, 'fullwidth, mathematical or enclosed letter')} "
                         f"{'was' if self.compatibility == 1 else 'were'} read as plain letters")
        for (script, others), words in sorted(self.mixed.items()):
            notes.append(f"{_counted(words, 'word')} mixing {script} and look-alike {others} letters "
                         f"{'was' if words == 1 else 'were'} read as {script}")
        return notes


def _counted(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"


def _names(chars: list[str]) -> str:
    """The distinct characters, most frequent first, by their Unicode names in lower case."""
    counts = Counter(chars)
    ordered = sorted(counts, key=lambda c: (-counts[c], c))
    names = [described(char).split(" ", 1)[1].lower() for char in ordered[:NAMED_IN_NOTE]]
    return ", ".join(names) + (f" and {len(ordered) - NAMED_IN_NOTE} more" if len(ordered) > NAMED_IN_NOTE else "")


def normalise(document: Document) -> Restoration | None:
    """Mend the document in place (see the module's docstring); notes say what changed. The
    restoration, when the text changed other than one character for one surrogate."""
    if _nothing_to_mend(document):
        document.source = printable(document.source)
        return None
    notes = []
    if _mend_surrogates(document):
        notes.append("lone surrogate code points in the text were replaced by U+FFFD")
    read = Restoration(document.text, document.source_text, document.offsets, document.regions, lambda offset: offset)
    mending = _Mending()
    changed = False
    if _compiled(f"[{_HIDDEN}{_COMPATIBILITY}]").search(document.text) is not None:
        changed = _remove_hidden(document, read, mending)
        changed = _read_compatibility_letters(document, mending) or changed
    changed = _read_look_alikes(document, mending) or changed
    document.disguises = _disguised_words(document.text, mending.concealed)
    notes += mending.notes()
    if notes:
        document.notes = (*document.notes, *notes)
    return read if changed else None


def _nothing_to_mend(document: Document) -> bool:
    """The fast answer for the common case: no character normalise acts on, anywhere."""
    text = document.text
    if not text.isascii() and (has_surrogates(text) or _actionable(text)):
        return False
    if document.source_text is not None and has_surrogates(document.source_text):
        return False
    return not any(isinstance(item, str) and has_surrogates(item)
                   for item in (*document.metadata, *document.metadata.values()))


def _actionable(text: str) -> bool:
    """Whether the text holds a character normalise acts on (surrogates aside)."""
    if _compiled(_ACTIONABLE_IN_BMP).search(text):
        return True
    encoded = text.encode("utf-8", "surrogatepass")  # 15x faster than the scan it may spare
    astral = b"\xf0" in encoded or b"\xf3" in encoded  # the lead bytes of U+10000-3FFFF and U+C0000-FFFFF
    return astral and _compiled(_ACTIONABLE).search(text) is not None


def _mend_surrogates(document: Document) -> bool:
    """Lone surrogates (a JSON "\\ud800", a file name with bytes that are not UTF-8) cannot be
    written to any UTF-8 report: the text gets U+FFFD in their place, one for one, and names
    and metadata show them escaped."""
    document.source = printable(document.source)
    mended = False
    for name in ("text", "source_text"):
        value = getattr(document, name)
        if value is not None and has_surrogates(value):
            setattr(document, name, without_surrogates(value))
            mended = True
    if any(isinstance(v, str) and has_surrogates(v) for v in (*document.metadata, *document.metadata.values())):
        document.metadata = {printable(str(k)): printable(v) if isinstance(v, str) else v
                             for k, v in document.metadata.items()}
    return mended


def _hidden_runs(text: str, mending: _Mending) -> tuple[list[tuple[int, int]], dict[int, str], list[tuple[int, str]]]:
    """The runs of invisible characters and combining marks to remove, the letters to replace
    by their composition with the marks after them, and (run start, character) for each
    character that hid a word.

    Invisible characters go only from inside a word (between two word characters): at a word's
    edge they hide nothing, and a right-to-left mark there is a bidirectional text's own. Marks
    go from any Latin, Greek or Cyrillic letter they sit on, composed with it where they make
    one letter that is not Latin (и + U+0306 -> й: a spelling, not a disguise). Soft hyphens
    and marks on Greek or Cyrillic letters (stress marks) are removed but hide nothing."""
    runs: list[tuple[int, int]] = []
    replacements: dict[int, str] = {}
    hiding: list[tuple[int, str]] = []
    for match in _compiled(f"[{_HIDDEN}]+").finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        run = match.group()
        on_letter = before != "" and within(before, MARKED_LETTER_RANGES) and any(within(c, MARK_RANGES) for c in run)
        letter = composed(before, "".join(c for c in run if within(c, MARK_RANGES))) if on_letter else None
        if not on_letter and not (is_word_char(before) and end < len(text) and is_word_char(text[end])):
            continue
        runs.append((start, end))
        if letter is not None:
            replacements[start - 1] = letter
        for char in run:
            is_mark = within(char, MARK_RANGES)
            if is_mark and letter is not None:
                continue  # composed into the letter: a spelling
            (mending.marks if is_mark else mending.invisible).append(char)
            if not (char in INNOCENT_INVISIBLES or is_mark and script_of(before) != LATIN):
                hiding.append((start, char))  # (a stress mark on a Cyrillic vowel is a spelling)
    return runs, replacements, hiding


def _remove_hidden(document: Document, read: Restoration, mending: _Mending) -> bool:
    """Remove invisible characters and combining marks from the scanned text (see
    :func:`_hidden_runs`); whether any was. The way back to the text as read goes into ``read``."""
    text = document.text
    runs, replacements, hiding = _hidden_runs(text, mending)  # normalise has seen a hidden or compatibility one
    if not runs:
        return False
    kept: list[tuple[int, int]] = []  # (start, end) in the old text of each piece that stays
    cursor = 0
    for start, end in runs:
        if start > cursor:
            kept.append((cursor, start))
        cursor = end
    if cursor < len(text):
        kept.append((cursor, len(text)))
    document.offsets = _composed_map(document, kept)
    if document.source_text is None:
        document.source_text = text
    removed_at = [start for start, _ in runs]
    removed_before = list(itertools.accumulate(end - start for start, end in runs))

    def moved(offset: int) -> int:
        index = bisect.bisect_right(removed_at, offset) - 1
        if index < 0:
            return offset
        run_start, run_end = runs[index]
        before = removed_before[index - 1] if index else 0
        return run_start - before if offset < run_end else offset - removed_before[index]

    mended = "".join(text[start:end] for start, end in kept)
    if replacements:
        letters = list(mended)
        for offset, letter in replacements.items():
            letters[moved(offset)] = letter
        mended = "".join(letters)
    document.text = mended
    document.regions = tuple(Region(r.kind, moved(r.start), moved(r.end), r.label) for r in document.regions)
    _forget_cached(document)
    mending.concealed += [(moved(start), char) for start, char in hiding]
    new_starts = list(itertools.accumulate((end - start for start, end in kept), initial=0))[:-1]

    def back(offset: int) -> int:
        index = max(bisect.bisect_right(new_starts, offset) - 1, 0)
        return kept[index][0] + offset - new_starts[index]

    read.to_read = back
    return True


def _composed_map(document: Document, kept: list[tuple[int, int]]) -> OffsetMap:
    """The map from the new text (the ``kept`` pieces of the old one, joined) to the source:
    through the document's old map when it has one, so Markdown and HTML keep their positions."""
    old = document.offsets
    text_starts: list[int] = []
    source_starts: list[int] = []
    copied: list[bool] = []
    new_offset = 0
    for start, end in kept:
        cuts = [start]
        if old is not None:  # split where the old map's pieces change
            first = bisect.bisect_right(old.text_starts, start)
            last = bisect.bisect_left(old.text_starts, end)
            cuts += [cut for cut in old.text_starts[first:last] if start < cut < end]
        for piece_start, piece_end in zip(cuts, [*cuts[1:], end]):
            text_starts.append(new_offset + piece_start - start)
            source_starts.append(document.source_offset(piece_start))
            copied.append(True if old is None else old.copied[bisect.bisect_right(old.text_starts, piece_start) - 1])
        new_offset += end - start
    return OffsetMap(tuple(text_starts), tuple(source_starts), tuple(copied))


def _read_compatibility_letters(document: Document, mending: _Mending) -> bool:
    """Read fullwidth, mathematical, circled and squared letters (and fullwidth punctuation)
    as their plain forms, one character for one; whether any was."""
    text = document.text
    if text.isascii():
        return False
    found = [(match.start(), match.group()) for match in _compiled(f"[{_COMPATIBILITY}]").finditer(text)]
    table = {ord(char): plain_form(char) for _, char in found if plain_form(char) != char}
    if not table:
        return False
    letters = [(offset, char) for offset, char in found if ord(char) in table and table[ord(char)].isalnum()]
    mending.compatibility += len(letters)
    mending.concealed += letters
    _replace_text(document, text.translate(table))
    return True


def _read_look_alikes(document: Document, mending: _Mending) -> bool:
    """Read each mixed-script word in the one script its telling letters belong to (a word
    with Latin "t" and "r" is Latin, one with Cyrillic "в" or "й" Cyrillic), its look-alike
    letters from other scripts as that script's letters, one character for one; whether any
    word changed. A word whose letters tell two scripts is left as it is."""
    text = document.text
    if text.isascii():
        return False
    pieces: list[str] = []
    cursor = word_end = 0
    for touch in _touching(text):
        if touch < word_end:
            continue  # a word already read
        start, word_end = _word_around(text, touch)
        reading = _read_word(text[start:word_end])
        if reading is None:
            continue
        word, script, others = reading
        pieces += [text[cursor:start], word]
        cursor = word_end
        key = (script, " and ".join(sorted(others)))
        mending.mixed[key] = mending.mixed.get(key, 0) + 1
        mending.concealed += [(start + index, old) for index, (old, new) in enumerate(zip(text[start:word_end], word))
                              if old != new]
    if not pieces:
        return False
    pieces.append(text[cursor:])
    _replace_text(document, "".join(pieces))
    return True


def _touching(text: str) -> Iterator[int]:
    """Where a letter touches a letter of another script, in order (see ``_TOUCHING_FROM_LATIN``)."""
    sample = text[:SAMPLE]
    # Greek and Cyrillic letters take two bytes in UTF-8, Latin ones one: encoding is how a
    # sample is told fastest (counting letters of each script cost most of this function).
    if len(sample.encode("utf-8", "surrogatepass")) - len(sample) < len(sample) // 4:
        return (match.start() for match in _compiled(_TOUCHING_FROM_GREEK_OR_CYRILLIC).finditer(text))
    from_latin = (match.start() for match in _compiled(_TOUCHING_FROM_LATIN).finditer(text))
    from_greek = (match.start() for match in _compiled(_TOUCHING_FROM_GREEK).finditer(text))
    return heapq.merge(from_latin, from_greek)


def _read_word(word: str) -> tuple[str, str, set[str]] | None:
    """The word read in its script, the script, and the scripts of the letters read; None when
    the word has one script, letters telling two, or nothing to read."""
    scripts = {script_of(char) for char in word} - {""}
    if len(scripts) < 2:
        return None
    telling_scripts = {script_of(char) for char in word if telling(char)} - {""}
    if len(telling_scripts) > 1:
        return None
    script = next(iter(telling_scripts)) if telling_scripts else min(scripts, key=_SCRIPT_PREFERENCE.index)
    others: set[str] = set()
    letters = []
    for char in word:
        own = script_of(char)
        if own and own != script:
            read = LOOK_ALIKES.get((own, script), {}).get(char, char)
            if read != char:
                others.add(own)
            letters.append(read)
        else:
            letters.append(char)
    return ("".join(letters), script, others) if others else None


_SCRIPT_PREFERENCE = (LATIN, CYRILLIC, GREEK)  # a word of look-alikes only is read as the first it has


def _word_around(text: str, offset: int) -> tuple[int, int]:
    """The word (a run of word characters) holding ``offset``, or touching it from the left."""
    start = offset
    while start > 0 and is_word_char(text[start - 1]):
        start -= 1
    end = offset
    while end < len(text) and is_word_char(text[end]):
        end += 1
    return start, end


def _replace_text(document: Document, text: str) -> None:
    """Give the detectors ``text``, as long as the old one; reports keep quoting the file."""
    if document.source_text is None:
        document.source_text = document.text
    document.text = text
    _forget_cached(document)


def _disguised_words(text: str, concealed: list[tuple[int, str]]) -> tuple[Disguise, ...]:
    """The words that the concealing characters were in, each once with what hid it."""
    words: list[tuple[int, int, set[str]]] = []
    for offset, char in sorted(concealed):
        if words and words[-1][0] <= offset <= words[-1][1]:
            words[-1][2].add(char)  # the same word (a word is found once however long it is)
            continue
        start, end = _word_around(text, offset)
        if start < end:
            words.append((start, end, {char}))
    return tuple(Disguise(start, end, tuple(described(char) for char in sorted(chars))) for start, end, chars in words)
