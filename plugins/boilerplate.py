"""Site chrome in plain text: "Other News" lists, "Read also" teasers, newsletter promotions
(in each language's words: "Read also", "Читайте також", "Підписуйтесь на наш канал", "Реклама").

Pages copied out of a CMS end with blocks the newsroom did not write as part of the story:
related-link lists, recipe teasers, "subscribe" calls. Findings in them are still reported
(marked ``part: boilerplate``) but not scored, so a teaser headline does not count against
the story. The outlet's own words to its readers ("Only verified information is available
in our channel. Do not fall for fakes!") are not chrome and stay in the body.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import regex

from framecheck import Document, Languages, Region, hookimpl


@functools.cache
def _any_of(sources: tuple[str, ...]) -> regex.Pattern:
    """One case-blind pattern matching any of the languages' own (each kept a group of its own)."""
    return regex.compile("|".join(f"(?:{source})" for source in sources) or r"(?!)", regex.IGNORECASE)


KEPT_WITHOUT_DEFAULT_RULES = True  # context for every rule, a newsroom pack's alone included
MAX_HEADING_WORDS = 6
MAX_HEADING_CHARS = 120  # six words and the punctuation around them
MAX_PROMOTION_WORDS = 30
MAX_BLOCK_CHARS = 400  # longer blocks are article prose, never chrome
HEADING_TRIM = " \t\n:.-–—"  # what may surround a heading's words ("— Related —", "Read also:")


class BoilerplateAnnotator:
    """Marks link-list headings (and all that follows them) and calls to subscribe, in the words
    of each of the run's languages (their language.yaml's ``boilerplate`` section)."""

    name = "boilerplate"

    def __init__(self, languages: Languages):
        self.trailer_heading = _any_of(languages.words("boilerplate", "headings"))
        self.promotion = _any_of(languages.words("boilerplate", "promotions"))

    def _is_trailer_heading(self, block: str) -> bool:
        if len(block) > MAX_HEADING_CHARS:  # most blocks are prose: skip them before splitting
            return False
        words = block.strip(HEADING_TRIM).split()
        return 0 < len(words) <= MAX_HEADING_WORDS and self.trailer_heading.fullmatch(" ".join(words)) is not None

    def _is_promotion(self, block: str) -> bool:
        # The anchored match fails on the first word of almost every block, so it goes first.
        return self.promotion.match(block.strip()) is not None and len(block.split()) <= MAX_PROMOTION_WORDS

    def annotate(self, document: Document) -> Iterator[Region]:
        text = document.text
        blocks = document.paragraphs
        for start, end in blocks:
            if end - start > MAX_BLOCK_CHARS or not (text[start].isalpha() or text[start] in HEADING_TRIM):
                continue  # chrome is short and starts with a word (both patterns begin with one)
            block = text[start:end]
            if self._is_trailer_heading(block):
                yield Region("boilerplate", start, blocks[-1][1], f"trailing block after {block.strip()!r}")
                return
            if self._is_promotion(block):
                yield Region("boilerplate", start, end, "promotion")


@hookimpl
def framecheck_annotators(languages: Languages) -> list[BoilerplateAnnotator]:
    return [BoilerplateAnnotator(languages)]
