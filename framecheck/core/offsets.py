"""Map offsets in the text framecheck scans back to offsets in the file the user opened.

Readers of Markdown and HTML scan extracted text: markup is dropped, entities are decoded,
blocks are separated by blank lines. They build that text with a :class:`TextBuilder`, which
records for every piece where it came from, so a finding still points at the right line and
column of the source file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# What ends a line: LF, CRLF, or a lone CR (old Mac files), as editors and the Language Server
# Protocol count them. Readers turn a lone CR into LF when they decode a file (see inputs.readers.decode).
LINE_BREAK = re.compile(r"\r\n?|\n")


def line_starts(text: str) -> list[int]:
    """The offset at which each line of ``text`` begins."""
    if "\r" in text:
        return [0, *(match.end() for match in LINE_BREAK.finditer(text))]
    starts = [0]
    index = text.find("\n")
    while index != -1:  # ~10x faster than a regex over text with no CR
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def line_break_in(text: str) -> str:
    """The line break a text uses (its first one; LF when it has none), so that an inserted
    line matches the rest."""
    match = LINE_BREAK.search(text)
    return match.group() if match else "\n"


def line_number(text: str, offset: int) -> int:
    """The 1-based line of ``text`` that ``offset`` lies on."""
    if "\r" not in text:
        return text.count("\n", 0, offset) + 1
    return len(LINE_BREAK.findall(text, 0, offset)) + 1


@dataclass(frozen=True)
class OffsetMap:
    """A piecewise map from text offsets to source offsets.

    Piece ``i`` starts at ``text_starts[i]`` in the text and ``source_starts[i]`` in the
    source. A copied piece advances through the source one character per character; a
    synthetic piece (a decoded entity, an inserted paragraph break) maps every character to
    the same source offset.
    """

    text_starts: tuple[int, ...]
    source_starts: tuple[int, ...]
    copied: tuple[bool, ...]

    def to_source(self, offset: int) -> int:
        index = bisect.bisect_right(self.text_starts, offset) - 1
        if index < 0:
            return 0
        delta = offset - self.text_starts[index] if self.copied[index] else 0
        return self.source_starts[index] + delta


class TextBuilder:
    """Accumulates scanned text piece by piece, remembering each piece's source offset."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._text_starts: list[int] = []
        self._source_starts: list[int] = []
        self._copied: list[bool] = []

    def __len__(self) -> int:
        return self._length

    def _add(self, text: str, source_offset: int, copied: bool) -> None:
        if not text:
            return
        continues = (
            copied
            and self._copied
            and self._copied[-1]
            and self._source_starts[-1] + (self._length - self._text_starts[-1]) == source_offset
        )
        if not continues:
            self._text_starts.append(self._length)
            self._source_starts.append(source_offset)
            self._copied.append(copied)
        self._parts.append(text)
        self._length += len(text)

    def copy(self, text: str, source_offset: int) -> None:
        """Add ``text`` that appears at ``source_offset`` in the source (same length there)."""
        self._add(text, source_offset, True)

    def insert(self, text: str, source_offset: int) -> None:
        """Add ``text`` that stands for whatever is at ``source_offset`` (an entity, a break)."""
        self._add(text, source_offset, False)

    def ends_with(self, suffix: str) -> bool:
        return "".join(self._parts[-3:]).endswith(suffix) if self._parts else False

    def separate(self, source_offset: int, separator: str = "\n\n") -> None:
        """Start a new block: add a blank line unless the text is empty or already ends in one."""
        if self._length and not self.ends_with(separator):
            self.insert(separator, source_offset)

    def build(self) -> tuple[str, OffsetMap]:
        text = "".join(self._parts)
        return text, OffsetMap(tuple(self._text_starts), tuple(self._source_starts), tuple(self._copied))
