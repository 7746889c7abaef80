"""The phrase syntax and the compiled matcher behave as documented in docs/rule-packs.md."""

from __future__ import annotations

import random

import pytest
import regex

from framecheck.matching import CompiledPatterns, PatternError, index_words, expand_phrase

from helpers import PTC


def spans_of(patterns: CompiledPatterns, text: str) -> list[str]:
    return [text[s:e] for s, e in patterns.spans(text, index_words(text))]


def build(*phrases: str, regexes=(), ignore_case=True, word_boundary=True) -> CompiledPatterns:
    return CompiledPatterns.build(phrases, regexes, ignore_case=ignore_case, word_boundary=word_boundary)


@pytest.mark.parametrize(
    ("phrase", "variants"),
    [
        ("terroris(e|es|ed|ing)", ["terrorise", "terrorises", "terrorised", "terrorising"]),
        ("fake(s|)", ["fakes", "fake"]),
        ("do not (fall for|believe) fakes", ["do not fall for fakes", "do not believe fakes"]),
        ("sow (|the )chaos", ["sow chaos", "sow the chaos"]),
        ("  spaced    words ", ["spaced words"]),
    ],
)
def test_expand_phrase(phrase: str, variants: list[str]) -> None:
    assert expand_phrase(phrase) == variants


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("terroris(e|es", "never closed"),
        ("a (b (c|d))", "nested"),
        ("a|b", "outside a (a|b) group"),
        ("(|)", "empty"),
        ("(a|b|c|d)" * 7, "variants"),
    ],
)
def test_bad_phrases_are_rejected(phrase: str, problem: str) -> None:
    with pytest.raises(PatternError, match=regex.escape(problem)):
        expand_phrase(phrase)


def test_whole_words_and_inflections() -> None:
    patterns = build("terroris(e|es|ed|ing)")
    text = "They terrorised us; terrorism is not terrorise-d; Terrorising."
    assert spans_of(patterns, text) == ["terrorised", "terrorise", "Terrorising"]


def test_word_boundary_can_be_turned_off() -> None:
    assert spans_of(build("terror", word_boundary=False), "counterterrorism") == ["terror"]
    assert spans_of(build("terror"), "counterterrorism") == []


def test_case_sensitive_rules() -> None:
    assert spans_of(build("Kremlin", ignore_case=False), "the Kremlin and the kremlin") == ["Kremlin"]


def test_whitespace_and_apostrophes_are_flexible() -> None:
    text = "Don’t  fall\nfor fakes! Don't fall for fakes"
    assert spans_of(build("don't fall for fakes(!|)"), text) == ["Don’t  fall\nfor fakes!", "Don't fall for fakes"]


def test_punctuation_edges_get_no_word_boundary() -> None:
    assert spans_of(build("!!!"), "Wow!!! now") == ["!!!"]


def test_raw_regexes_always_scan() -> None:
    patterns = build(regexes=[r"\bonly\s+us\b"])
    assert patterns.phrase is None and patterns.could_match(index_words("nothing"))
    assert spans_of(patterns, "trust only us") == ["only us"]


def test_prefilter_skips_documents_without_anchor_words() -> None:
    patterns = build("sow (chaos|panic)", "wreak havoc")
    assert patterns.anchors == {"sow", "wreak"}
    assert not patterns.could_match(index_words("a calm day"))
    assert patterns.could_match(index_words("they SOW panic"))


def test_empty_matches_are_never_reported() -> None:
    assert spans_of(build(regexes=[r"x*"]), "abc") == []


def test_timeout_bounds_a_runaway_regex() -> None:
    patterns = build(regexes=[r"(a|aa)+$"])
    with pytest.raises(TimeoutError):
        list(patterns.spans("a" * 40 + "!", frozenset(), timeout=0.05))


@pytest.mark.skipif(not PTC.is_dir(), reason="PTC corpus not found beside the checkout (../shared/corpora/ptc)")
def test_trie_matches_exactly_what_a_plain_alternation_matches() -> None:
    """The trie-shaped regex is an optimisation only: same hits as the obvious alternation."""
    articles = sorted((PTC / "articles").glob("*.txt"))[:60]
    text = "\n".join(p.read_text(encoding="utf-8") for p in articles)
    words = sorted({w.lower() for w in regex.findall(r"[A-Za-z]{4,}", text)})
    phrases = random.Random(7).sample(words, 300) + ["according to reports", "it has been reported"]
    plain = regex.compile(r"(?<!\w)(?:" + "|".join(map(regex.escape, sorted(phrases, key=len, reverse=True))) + r")(?!\w)", regex.I)
    expected = [m.span() for m in plain.finditer(text)]
    assert expected  # the sample must exercise the matcher
    assert list(build(*phrases).spans(text, index_words(text))) == expected
    scanned = build(*phrases)
    from framecheck.matching import WordIndex

    without_positions = WordIndex(index_words(text).words, None)  # the path taken for huge texts
    assert list(scanned.spans(text, without_positions)) == expected


def test_offsets_survive_characters_whose_lower_case_is_longer() -> None:
    text = "İİİ They terrorised the town."
    assert spans_of(build("terroris(e|ed)"), text) == ["terrorised"]
