"""Properties that must hold for any text: valid spans, determinism, and locality."""

from __future__ import annotations

import re

from helpers import make_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framecheck import Document
from framecheck.core.model import Position

ENGINE = make_engine()

# Fragments that trigger every shipped detector, mixed with arbitrary Unicode so that the
# generated texts both exercise the rules and probe odd characters around them.
FRAGMENTS = [
    "They terrorised the town. ", "It has also been reported that ", "Do not fall for fakes!",
    "Only verified information is available in our channel. ", "Sources say ", "Vedant Patel stated ",
    "According to NATO, ", "barbaric", "brutally cold", "reportedly ", "\n", "\r\n", " ", ". ", "“", "”",
    "İ", "ß", "\u0301", "😀", "\t", "Mr. ", "'", "’", "\n\n",
]
texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8), st.just("\n\n")), min_size=10, max_size=80
).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_every_span_lies_in_the_text_and_matches_its_excerpt(text: str) -> None:
    document = Document("t", text)
    for finding in ENGINE.scan(document).findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.excerpt
        assert document.position(finding.start) == Position(finding.line, finding.column)


@SETTINGS
@given(texts)
def test_scanning_is_deterministic(text: str) -> None:
    first = ENGINE.scan(Document("t", text))
    second = ENGINE.scan(Document("t", text))
    assert first.findings == second.findings and first.score == second.score


SEAM = 100  # longer than any shipped phrase; and a paragraph break must close the sentence
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def away_from_seam(start: int, end: int, text: str, seam_at_end: bool) -> bool:
    if seam_at_end:
        return end <= len(text) - SEAM and PARAGRAPH_BREAK.search(text, end) is not None
    return start >= SEAM and PARAGRAPH_BREAK.search(text, 0, start) is not None


@SETTINGS
@given(texts, texts)
def test_a_concatenation_keeps_the_findings_of_each_part_away_from_the_seam(left: str, right: str) -> None:
    joined = {(f.rule_id, f.start, f.end) for f in ENGINE.scan(Document("t", left + right)).findings}
    offset = len(left)
    for finding in ENGINE.scan(Document("l", left)).findings:
        if away_from_seam(finding.start, finding.end, left, seam_at_end=True):
            assert (finding.rule_id, finding.start, finding.end) in joined
    for finding in ENGINE.scan(Document("r", right)).findings:
        if away_from_seam(finding.start, finding.end, right, seam_at_end=False):
            assert (finding.rule_id, finding.start + offset, finding.end + offset) in joined
