"""Concealed wording: a framing word written so that a checker would miss it.

A left-to-right mark, a tag character or a Hangul filler inside "terrorised", a Greek omicron
for its "o", a combining accent drawn over one letter, the word set in fullwidth or
mathematical bold: a reader sees the word, a filter that compares characters does not. The
engine reads such words as the words they show before any detector runs (see
``framecheck.languages.normalise``), so the device itself is still found; this reviewer adds
that the word was hidden, because hiding a word from a checker is a choice worth an editor's
attention of its own.

Only a hidden word inside a finding is reported, and never for a soft hyphen (a hyphenation
hint that publishing systems put into long words) or a stress mark on a Cyrillic vowel (a
spelling): a hidden word in a passage nobody flags is said in the article's notes.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence

from framecheck import CONCEALMENT_TECHNIQUE, Disguise, Document, Examples, Finding, RuleInfo, Severity, hookimpl

NAMED_IN_MESSAGE = 2

CONCEALED = RuleInfo(
    id="concealed-word", technique=CONCEALMENT_TECHNIQUE, severity=Severity.WARNING, weight=1.0,
    message="{match} is written with characters that hide it from checkers",
    why="Invisible characters, letters from another script drawn alike, or letters from a "
        "compatibility block keep a word away from filters and checkers while readers see it. "
        "Text that does this to a framing word was written to slip past review.",
    suggest=("retype the word in plain letters",),
    examples=Examples(
        match=(
            "They terr\u200eorised the town.",
            "They terr\u03bfrised the town.",
            "They te\u0301rrorised the town.",
            "What a st\u03bfry!",
            "They \uff54\uff45\uff52\uff52\uff4f\uff52\uff49\uff53\uff45\uff44 the town.",
        ),
        no_match=(
            "They terrorised the town.",
            "Read the st\u03bfry in full.",
            "They visited the caf\u200ee in town.",
            "They terr\u00adorised the town.",
        ),
    ),
    origin="plugin:concealed-wording", pack="bundled",
)


def _listed(disguise: Disguise) -> str:
    named = list(disguise.characters[:NAMED_IN_MESSAGE])
    more = len(disguise.characters) - len(named)
    return ", ".join(named) + (f" and {more} more" if more else "")


class ConcealedWordingReviewer:
    """Reports each hidden word that another finding covers, naming the characters that hid it."""

    name = "concealed-wording"
    rules = (CONCEALED,)

    def review(self, document: Document, findings: Sequence[Finding]) -> Iterator[Finding]:
        if not document.disguises:
            return
        spans = sorted((f.start, f.end) for f in findings if f.rule_id != CONCEALED.id)
        starts = [start for start, _ in spans]
        furthest = list(itertools.accumulate((end for _, end in spans), max))  # of the spans so far
        for disguise in document.disguises:
            before_end = bisect.bisect_left(starts, disguise.end)  # spans starting before the word ends
            if before_end and furthest[before_end - 1] > disguise.start:  # one of them reaches into it
                concealed = document.finding_of(CONCEALED, disguise.start, disguise.end, detector=self.name)
                yield concealed.evolve(message=f"{concealed.message} ({_listed(disguise)})")


@hookimpl
def framecheck_reviewers() -> list[ConcealedWordingReviewer]:
    return [ConcealedWordingReviewer()]
