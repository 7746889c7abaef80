"""Case folding keeps one character for one, so folded offsets are the text's offsets."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from framecheck.core.folding import FoldedText, fold_case, fold_variant, is_word_char


def test_fold_case_is_what_re_ignorecase_compares() -> None:
    for word in ("TERRORISED", "İstanbul", "ſtate", "ΣΟΦΊΑ", "Київ", "Straße"):
        folded = fold_case(word)
        assert len(folded) == len(word)
        assert re.fullmatch(re.escape(folded), word, re.IGNORECASE), word


def test_variants_fold_apostrophes_to_one() -> None:
    assert fold_variant("Don’t FALL") == "don't fall"


def test_word_characters_are_those_of_backslash_w() -> None:
    assert [is_word_char(c) for c in "a_9 ,ї"] == [True, True, True, False, False, True]


def test_white_space_runs_collapse_and_offsets_lead_back() -> None:
    text = "Do  not\n\n fall\tFOR fakes"
    folded = FoldedText.of(text)
    assert folded.text == "do not fall for fakes"
    for offset, char in enumerate(folded.text):
        if char != " ":
            assert text[folded.original(offset)].lower() == char


@given(st.text(alphabet=st.sampled_from(list("aB \n\t\u00a0\u2019’x")), max_size=60))
def test_every_non_space_character_of_the_copy_leads_back_to_its_own(text: str) -> None:
    folded = FoldedText.of(text)
    for offset, char in enumerate(folded.text):
        if char != " ":
            assert fold_case(text[folded.original(offset)]).replace("\u2019", "'") == char
