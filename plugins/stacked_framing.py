"""Stacked framing: one sentence that carries several framing devices at once.

One charged word can be a slip of style; two or more in one sentence ("the brutal crackdown
terrorised the protesters") are a choice: the sentence argues by its vocabulary instead of
its facts, and the remedy is to rewrite the sentence, not to swap one word. This reviewer
reads the other detectors' findings, so it counts exactly the devices the packs know, a
newsroom's own packs included, and reports the whole sentence once, naming them.

The finding weighs nothing in the score: the devices in the sentence already count there,
and weighing the sentence as well lowered the score's rank correlation with the labelled
corpus (``bench/calibrate.py``). It is there to point at the sentence to rewrite.

What counts: distinct spans of findings that lie inside the sentence and are much shorter
than it (an exclamation already covers its sentence), in the outlet's plain voice: a word
whose clause denies, supposes or attributes it (a reviewer's ``context``) does not count.
Reviewers run in file-name order, so this one sees the negation reviewer's contexts. A word
written to hide it (concealed wording) is the same device as the word, not another one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from framecheck import CONCEALMENT_TECHNIQUE, Document, Examples, Finding, RuleInfo, Severity, hookimpl, sentence_around

MIN_DEVICES = 2
MAX_SHARE = 0.5  # a finding longer than this share of its sentence is sentence-level itself
MAX_WORDS = 50  # a longer "sentence" is a list or a run-on paragraph: a span too long to act on
REACH = 400  # characters: about 60 words, more than MAX_WORDS take; devices further apart never stack
NAMED_IN_MESSAGE = 3

STACKED = RuleInfo(  # an aggregate of other rules' findings: a technique's severity leaves it alone
    id="stacked-framing", technique="loaded-language", severity=Severity.INFO, weight=0.0, technique_severity=False,
    message="this sentence stacks framing devices",
    why="One charged word can be a slip of style; several in one sentence make the sentence argue "
        "by its vocabulary instead of its facts.",
    suggest=("rewrite the sentence in neutral words and keep the facts",),
    examples=Examples(
        match=("The brutal crackdown terrorised the protesters.",),
        no_match=(
            "The crackdown terrorised the protesters.",
            "The crackdown was brutal. It terrorised the protesters.",
            "The crackdown was not brutal and it did not terrorise anyone.",
        ),
    ),
    origin="plugin:stacked-framing", pack="bundled",
)


def _counts(finding: Finding, sentence: tuple[int, int]) -> bool:
    start, end = sentence
    inside = start <= finding.start and finding.end <= end
    short = finding.end - finding.start <= MAX_SHARE * (end - start)
    return inside and short and not finding.context


def _described(findings: Sequence[Finding]) -> str:
    named = [f'{finding.rule_id} "{finding.excerpt}"' for finding in findings[:NAMED_IN_MESSAGE]]
    more = len(findings) - len(named)
    return ", ".join(named) + (f" and {more} more" if more else "")


class StackedFramingReviewer:
    """Reports each sentence that holds MIN_DEVICES or more framing devices."""

    name = "stacked-framing"
    rules = (STACKED,)

    def review(self, document: Document, findings: Sequence[Finding]) -> Iterator[Finding]:
        for sentence, devices in self._sentences(document, findings):
            if len(devices) < MIN_DEVICES or len(document.text[slice(*sentence)].split()) > MAX_WORDS:
                continue
            stacked = document.finding_of(STACKED, *sentence, detector=self.name)
            yield stacked.evolve(message=f"this sentence stacks {len(devices)} framing devices: {_described(devices)}")

    def _sentences(
        self, document: Document, findings: Sequence[Finding]
    ) -> Iterator[tuple[tuple[int, int], list[Finding]]]:
        """Each sentence that holds two or more candidate devices, with its countable findings
        (one per span), in reading order. A sentence is looked for only around a device with
        another one close behind it, so a long article with scattered findings is not split."""
        text = document.text
        candidates = [f for f in findings
                      if f.rule_id != STACKED.id and f.technique != CONCEALMENT_TECHNIQUE and not f.context]
        sentence: tuple[int, int] | None = None
        devices: list[Finding] = []
        for index, finding in enumerate(candidates):
            if sentence is not None and sentence[0] <= finding.start < sentence[1]:
                distinct = all((d.start, d.end) != (finding.start, finding.end) for d in devices)
                if _counts(finding, sentence) and distinct:
                    devices.append(finding)
                continue
            if devices:
                yield sentence, devices  # type: ignore[misc]
            sentence, devices = None, []
            following = candidates[index + 1] if index + 1 < len(candidates) else None
            if following is None or following.start - finding.end > REACH:
                continue  # no device close enough to share a sentence with this one
            sentence = _sentence_of(text, finding)
            if sentence is not None and _counts(finding, sentence):
                devices.append(finding)
        if devices:
            yield sentence, devices  # type: ignore[misc]


def _sentence_of(text: str, finding: Finding) -> tuple[int, int] | None:
    """The sentence around ``finding``, or None when it runs on past REACH characters either
    way (far longer than MAX_WORDS words: not a sentence to report)."""
    start, end = sentence_around(text, finding.start, finding.end, reach=REACH)
    if (start == finding.start - REACH and start > 0) or (end >= finding.end + REACH and end < len(text)):
        return None
    return start, end


@hookimpl
def framecheck_reviewers() -> list[StackedFramingReviewer]:
    return [StackedFramingReviewer()]
