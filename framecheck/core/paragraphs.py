"""Paragraphs: the blocks an article is made of, found from its text alone.

Kept below the document model (which finds them once per document) and the readers' structure
(headline, lede, quotes), both of which build on them.
"""

from __future__ import annotations

import re

import regex

BLANK_LINE = regex.compile(r"\n[ \t]*\n\s*")
NON_SPACE = regex.compile(r"\S")


def trimmed_end(text: str, start: int, end: int) -> int:
    """``end`` moved back over trailing whitespace (without copying a possibly huge text)."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# A line from its start (white space included) to its last non-space character; blank lines
# have none. ``re``, whose \s is str.isspace, as str.rstrip strips.
_LINE_TO_LAST_NON_SPACE = re.compile(r"[^\n]*\S")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Blocks separated by blank lines; a long block of one-sentence lines is split per line.

    Corpora such as the PTC store an article as a title, a blank line and one sentence a
    line: each line is then a paragraph of its own.
    """
    blocks = []
    cursor = 0
    for gap in BLANK_LINE.finditer(text):
        if NON_SPACE.search(text, cursor, gap.start()):
            blocks.append((cursor, gap.start()))
        cursor = gap.end()
    end = trimmed_end(text, cursor, len(text))
    if end > cursor:
        blocks.append((cursor, end))
    if len(blocks) <= 2 and blocks and text.count("\n", *blocks[-1]) >= 2:
        last_start, last_end = blocks.pop()
        blocks.extend(match.span() for match in _LINE_TO_LAST_NON_SPACE.finditer(text, last_start, last_end))
    return blocks
