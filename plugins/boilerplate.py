"""Site chrome in plain text: "Other News" lists, "Read also" teasers, newsletter promotions
(in English, Ukrainian and Russian: "Читайте також", "Підписуйтесь на наш канал", "Реклама").

Pages copied out of a CMS end with blocks the newsroom did not write as part of the story:
related-link lists, recipe teasers, "subscribe" calls. Findings in them are still reported
(marked ``part: boilerplate``) but not scored, so a teaser headline does not count against
the story. The outlet's own words to its readers ("Only verified information is available
in our channel. Do not fall for fakes!") are not chrome and stay in the body.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from framecheck import Document, Region, hookimpl

TRAILER_HEADING = regex.compile(
    r"(?:other|more|latest|related|recommended|popular|top|trending)\s+(?:news|stories|articles|posts|reads|from\s+\S+)"
    r"|read\s+(?:also|more|next)|see\s+also|you\s+(?:may|might)\s+also\s+like|most\s+(?:read|viewed|popular)"
    r"|related(?:\s+content)?|advertisement|sponsored(?:\s+content)?"
    # Ukrainian and Russian
    r"|(?:читайте|дивіться|смотрите)\s+(?:також|также|ще|еще|ещё)|(?:інші|другие|останні|последние)\s+новини"
    r"|(?:другие|последние)\s+новости|реклама|партнерський\s+матеріал|партнерский\s+материал",
    regex.IGNORECASE,
)
PROMOTION = regex.compile(
    r"(?:subscribe|sign\s+up|follow\s+us|join\s+us|download\s+(?:our|the)\s+app|share\s+this)\b"
    r"|\b(?:subscribe|sign\s+up)\s+(?:to|for)\s+(?:our|the)\s+(?:newsletter|channel|podcast|updates)"
    # Ukrainian and Russian calls to subscribe or join a channel
    r"|(?:підписуйте?с[ья]|підпишіться|приєднуйтес[ья]|долучайтес[ья]|подписывайтесь|подпишитесь"
    r"|присоединяйтесь)(?!\w)",
    regex.IGNORECASE,
)
KEPT_WITHOUT_DEFAULT_RULES = True  # context for every rule, a newsroom pack's alone included
MAX_HEADING_WORDS = 6
MAX_HEADING_CHARS = 120  # six words and the punctuation around them
MAX_PROMOTION_WORDS = 30
MAX_BLOCK_CHARS = 400  # longer blocks are article prose, never chrome
HEADING_TRIM = " \t\n:.-–—"  # what may surround a heading's words ("— Related —", "Read also:")


def _is_trailer_heading(block: str) -> bool:
    if len(block) > MAX_HEADING_CHARS:  # most blocks are prose: skip them before splitting
        return False
    words = block.strip(HEADING_TRIM).split()
    return 0 < len(words) <= MAX_HEADING_WORDS and TRAILER_HEADING.fullmatch(" ".join(words)) is not None


def _is_promotion(block: str) -> bool:
    # The anchored match fails on the first word of almost every block, so it goes first.
    return PROMOTION.match(block.strip()) is not None and len(block.split()) <= MAX_PROMOTION_WORDS


class BoilerplateAnnotator:
    name = "boilerplate"

    def annotate(self, document: Document) -> Iterator[Region]:
        text = document.text
        blocks = document.paragraphs
        for start, end in blocks:
            if end - start > MAX_BLOCK_CHARS or not (text[start].isalpha() or text[start] in HEADING_TRIM):
                continue  # chrome is short and starts with a word (both patterns begin with one)
            block = text[start:end]
            if _is_trailer_heading(block):
                yield Region("boilerplate", start, blocks[-1][1], f"trailing block after {block.strip()!r}")
                return
            if _is_promotion(block):
                yield Region("boilerplate", start, end, "promotion")


@hookimpl
def framecheck_annotators() -> list[BoilerplateAnnotator]:
    return [BoilerplateAnnotator()]
