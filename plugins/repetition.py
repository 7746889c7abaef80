"""Repetition: the same loaded word or slogan hammered through one article.

Repeating a charged label ("illegal alien" ten times, "annihilate" in every paragraph) makes
it familiar, and familiar claims feel true. One use is loaded language; a word used three
times or more in one story is a device of its own, and every use after the first is
reported. This reviewer reads the other detectors' findings, so it recognises exactly the
words the packs know to be loaded, including a newsroom's own packs.

Uses are grouped by a rough stem (the first STEM_LETTERS letters of each word, case folded),
so "annihilate", "annihilated" and "annihilation" count as one word. The first use is left
to its own rule; every later use in a group of REPEATS or more gets a repetition finding
(the 2nd of 3 uses included). Uses inside a quotation attributed to a named speaker are the speaker's, not the outlet's,
and waived uses were accepted by an editor: neither counts.

A word can also be what the article is about: "Mayor sues paper that called him a liar" has
to say "liar" again and again. A group with a use in the headline, or a use that mentions the
word rather than uses it (quoted on its own, or a label the story reports somebody gave:
context "reported-label"), is the story's subject and is not reported as repetition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import regex

from framecheck import REPORTED_SPEECH, Document, Examples, Finding, RuleInfo, Severity, hookimpl

REPEATS = 3
STEM_LETTERS = 6
MAX_WORDS = 6  # longer findings are sentences, not phrases that get repeated word for word
# Devices whose wording is the device; an exclamation or shouted word repeats typography.
TECHNIQUES = frozenset({"loaded-language", "name-calling", "slogans", "flag-waving", "appeal-to-fear", "exaggeration"})
TYPOGRAPHY_RULES = frozenset({"exclamation", "shouted-capitals"})
WORD = regex.compile(r"[\p{L}\p{N}]+")

REPEATED = RuleInfo(
    id="repeated-loaded-phrase", technique="repetition", severity=Severity.INFO, weight=0.5,
    message="repeats a loaded phrase",
    why="Repeating a charged word makes it familiar, and familiar claims feel true; once is enough "
        "to report what somebody said or did.",
    suggest=("say it once; then use a neutral word",),
    examples=Examples(
        match=("The inquiry is a witch hunt. A witch hunt, nothing more. End the witch hunt now.",),
        no_match=(
            "The inquiry is a witch hunt, nothing more.", "The inquiry began. The inquiry ended. The inquiry failed.",
            'He was called a "liar" on air. The liar claim spread. Is he a liar?',
        ),
    ),
    origin="plugin:repetition", pack="bundled",
)


def stem(excerpt: str) -> str:
    """The grouping key of a finding's words: each word's first STEM_LETTERS letters, case folded."""
    return " ".join(word.casefold()[:STEM_LETTERS] for word in WORD.findall(excerpt))


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


QUOTE_PADDING = 3  # characters a quotation holding only the word may add: its marks, a comma


def is_subject(use: Finding, quotes: set[tuple[int, int]]) -> bool:
    """Whether this use shows the word is the article's subject: in the headline, a label the
    story reports, or the word alone in quotation marks (a mention: he was called a "liar")."""
    if use.part == "headline" or "reported-label" in use.context:
        return True
    return any(start <= use.start and use.end <= end and (end - start) - (use.end - use.start) <= QUOTE_PADDING
               for start, end in quotes)


class RepetitionReviewer:
    """Reports the later uses of a loaded word or phrase used REPEATS times or more."""

    name = "repetition"
    rules = (REPEATED,)

    def review(self, document: Document, findings: Sequence[Finding]) -> Iterator[Finding]:
        groups: dict[str, list[Finding]] = defaultdict(list)
        seen: set[tuple[int, int]] = set()
        for finding in findings:  # sorted by position, so each group is in reading order
            if finding.technique not in TECHNIQUES or finding.rule_id in TYPOGRAPHY_RULES or finding.quote:
                continue  # a named speaker's words are reported, not the outlet's repetition
            if REPORTED_SPEECH in finding.context:
                continue  # so are the words of one reported without quotation marks
            if finding.suppression is not None:
                continue  # an editor accepted this use
            if (finding.start, finding.end) in seen or len(finding.excerpt.split()) > MAX_WORDS:
                continue  # two rules on one span are one use
            seen.add((finding.start, finding.end))
            key = stem(finding.excerpt)
            if key:
                groups[key].append(finding)
        quotes = {(q.start, q.end) for q in document.regions_of("quote")}
        for uses in groups.values():
            if len(uses) < REPEATS or any(is_subject(use, quotes) for use in uses):
                continue
            first = uses[0]
            for number, use in enumerate(uses[1:], start=2):
                repeated = document.finding_of(REPEATED, use.start, use.end, detector=self.name)
                message = (
                    f"repeats a loaded phrase: {_ordinal(number)} of {len(uses)} uses in this article "
                    f"(first at line {first.line})"
                )
                yield repeated.evolve(message=message)


@hookimpl
def framecheck_reviewers() -> list[RepetitionReviewer]:
    return [RepetitionReviewer()]
