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
Reviewers run in file-name order, so this one sees the negation reviewer's contexts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from framecheck import Document, Examples, Finding, RuleInfo, Severity, hookimpl
from framecheck.structure import sentences

MIN_DEVICES = 2
MAX_SHARE = 0.5  # a finding longer than this share of its sentence is sentence-level itself
MAX_WORDS = 50  # a longer "sentence" is a list or a run-on paragraph: a span too long to act on
NAMED_IN_MESSAGE = 3

STACKED = RuleInfo(
    id="stacked-framing", technique="loaded-language", severity=Severity.INFO, weight=0.0,
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
        """Each sentence that holds a finding, with its countable findings (one per span), in
        reading order. Findings arrive sorted by position, so one walk through the sentences,
        stopping after the last finding, places them all."""
        others = [finding for finding in findings if finding.rule_id != STACKED.id]
        if len(others) < MIN_DEVICES:
            return
        bounds = sentences(document.text)
        sentence = next(bounds, None)
        devices: list[Finding] = []
        spans: set[tuple[int, int]] = set()
        for finding in others:
            while sentence is not None and sentence[1] <= finding.start:
                if devices:
                    yield sentence, devices
                sentence, devices, spans = next(bounds, None), [], set()
            if sentence is None:
                break
            if _counts(finding, sentence) and (finding.start, finding.end) not in spans:
                spans.add((finding.start, finding.end))
                devices.append(finding)
        if sentence is not None and devices:
            yield sentence, devices


@hookimpl
def framecheck_reviewers() -> list[StackedFramingReviewer]:
    return [StackedFramingReviewer()]
