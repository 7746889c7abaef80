"""What the engine does to a document's text before any detector reads it.

Text from the web and from people who want to slip past a filter carries characters that
change nothing a reader sees but break every phrase a rule looks for: a soft hyphen or a
zero-width space inside "terr\u00adorise", a Cyrillic "е" inside a Latin word ("tеrrorise"), a
lone surrogate that no UTF-8 report can hold. Each is handled here once, for every reader and
every detector, and the report says what was done.

Detectors see the mended text; the report does not: :func:`normalise` returns a
:class:`Restoration` that puts the document back and moves each finding's span and excerpt to
the text as it was read, so offsets keep their meaning (for plain text, offsets into the
decoded file) and an excerpt shows what the file says.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..core.model import Document, Finding, Region, has_surrogates, printable, without_surrogates
from ..core.offsets import OffsetMap

# Format characters with no width and no letters of their own: soft hyphen, zero-width space,
# non-joiner and joiner, word joiner, byte order mark inside text, Mongolian vowel separator.
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
INVISIBLE = f"[{_INVISIBLE_CHARS}]+"

# Cyrillic letters drawn like Latin ones. Inside a word that also has Latin letters they are
# read as the Latin letter (a Ukrainian or Russian word, all Cyrillic, is left alone).
LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁһӏԛԝАВЕКМНОРСТХІЈЅԌ",
    "aeopcyxijsdhlqwABEKMHOPCTXIJSG",
)
_LOOKALIKE_CHARS = "".join(chr(code) for code in LOOKALIKES)
# The characters normalise acts on besides surrogates: a text without any (nearly all) costs
# a few substring searches, 4x faster than one regex scan for a character class.
_ACTIONABLE_CHARS = _INVISIBLE_CHARS + _LOOKALIKE_CHARS
_MIXED_WORD = rf"\b(?=\w*[A-Za-z])(?=\w*[{_LOOKALIKE_CHARS}])\w+\b"
_OTHER_CYRILLIC = rf"[^\W{_LOOKALIKE_CHARS}A-Za-z\d_]"
# A Latin letter touching a look-alike: every mixed word has one, and Ukrainian or Russian text
# (full of look-alikes) is told apart by one quick scan instead of a word-by-word look.
_TOUCHING = rf"[A-Za-z][{_LOOKALIKE_CHARS}]|[{_LOOKALIKE_CHARS}][A-Za-z]"


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
        for cached in _CACHED:
            document.__dict__.pop(cached, None)


_CACHED = ("paragraphs", "folded", "word_count", "line_starts")


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
    removed = _drop_invisibles(document, read)
    if removed:
        notes.append(f"ignored {removed} invisible character{'s' if removed != 1 else ''} (soft hyphens, "
                     "zero-width spaces) inside words")
    mixed = _read_lookalikes_as_latin(document)
    if mixed:
        notes.append(f"{mixed} word{'s' if mixed != 1 else ''} mixing Latin and look-alike Cyrillic letters "
                     f"{'were' if mixed != 1 else 'was'} read as Latin")
    if notes:
        document.notes = (*document.notes, *notes)
    return read if removed or mixed else None


def _nothing_to_mend(document: Document) -> bool:
    """The fast answer for the common case: no character normalise acts on, anywhere."""
    text = document.text
    if not text.isascii() and (has_surrogates(text) or any(char in text for char in _ACTIONABLE_CHARS)):
        return False
    if document.source_text is not None and has_surrogates(document.source_text):
        return False
    return not any(isinstance(item, str) and has_surrogates(item)
                   for item in (*document.metadata, *document.metadata.values()))


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


def _drop_invisibles(document: Document, read: Restoration) -> int:
    """Remove invisible format characters from the scanned text; how many were removed. The
    way back to the text as read goes into ``read``."""
    text = document.text
    if text.isascii() or not any(char in text for char in _INVISIBLE_CHARS):  # substring searches: fast
        return 0
    runs = [match.span() for match in _compiled(INVISIBLE).finditer(text)]
    if not runs:
        return 0
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
    document.text = "".join(text[start:end] for start, end in kept)
    removed_at = [start for start, _ in runs]
    removed_before = []
    total = 0
    for start, end in runs:
        total += end - start
        removed_before.append(total)

    def moved(offset: int) -> int:
        index = bisect.bisect_right(removed_at, offset) - 1
        if index < 0:
            return offset
        run_start, run_end = runs[index]
        before = removed_before[index - 1] if index else 0
        return run_start - before if offset < run_end else offset - removed_before[index]

    document.regions = tuple(Region(r.kind, moved(r.start), moved(r.end), r.label) for r in document.regions)
    for cached in _CACHED:
        document.__dict__.pop(cached, None)
    new_starts = list(itertools.accumulate((end - start for start, end in kept), initial=0))[:-1]

    def back(offset: int) -> int:
        index = max(bisect.bisect_right(new_starts, offset) - 1, 0)
        return kept[index][0] + offset - new_starts[index]

    read.to_read = back
    return total


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


def _read_lookalikes_as_latin(document: Document) -> int:
    """Translate look-alike Cyrillic letters in mixed-script words to Latin, one character for
    one (no offset moves); how many words changed."""
    text = document.text
    if text.isascii() or not any(char in text for char in _LOOKALIKE_CHARS):
        return 0
    if _compiled(_TOUCHING).search(text) is None:
        return 0
    other = _compiled(_OTHER_CYRILLIC)
    words = [match.span() for match in _compiled(_MIXED_WORD).finditer(text) if not other.search(match.group())]
    if not words:
        return 0
    pieces = []
    cursor = 0
    for start, end in words:
        pieces += [text[cursor:start], text[start:end].translate(LOOKALIKES)]
        cursor = end
    pieces.append(text[cursor:])
    if document.source_text is None:  # reports quote the file as it is
        document.source_text = text
    document.text = "".join(pieces)
    document.__dict__.pop("folded", None)
    return len(words)
