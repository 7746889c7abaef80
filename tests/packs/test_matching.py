"""The phrase syntax and the compiled matcher behave as documented in docs/rule-packs.md."""

from __future__ import annotations

import random

import pytest
import regex
from helpers import PTC
from hypothesis import given, settings
from hypothesis import strategies as st

from framecheck.packs import indexes
from framecheck.packs.indexes import CompiledPatterns, PhraseIndex
from framecheck.packs.phrases import PatternError, expand_phrase
from framecheck.packs.regex_safety import regex_gate


def combined_spans(patterns: CompiledPatterns, text: str) -> list[tuple[int, int]]:
    """The combined path's spans; trying only the variants seen at each start (``keys``) must
    give what the rule's whole trie regex gives there."""
    candidates = PhraseIndex([patterns]).candidates(text)
    assert candidates is not None
    starts = candidates.starts.get(0, ())
    by_variant = list(patterns.spans(text, starts, candidates.seen, keys=candidates.keys.get(0, ())))
    assert by_variant == list(patterns.spans(text, starts, candidates.seen))
    return by_variant


def spans_of(patterns: CompiledPatterns, text: str) -> list[str]:
    """Matched texts; the combined path (automaton + confirm) must agree with a plain scan."""
    scanned = list(patterns.spans(text))
    assert combined_spans(patterns, text) == scanned
    return [text[s:e] for s, e in scanned]


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


def test_raw_regexes_run_where_their_gate_opens() -> None:
    patterns = build(regexes=[r"\bonly\s+us\b"])
    assert patterns.phrase is None and patterns.raw_gates == ((frozenset({"only"}),),)
    assert spans_of(patterns, "trust ONLY us") == ["ONLY us"]
    assert spans_of(patterns, "nothing here") == []


@pytest.mark.parametrize(
    ("source", "gate"),
    [
        (r"\bsow(?:s|ed|ing)?\s+terror\b", ({"sow"}, {"terror"})),
        (r"(?:trust|believe)\s+only\s+(?:us|our)", ({"trust", "believe"}, {"only"})),
        (r"(?:the\s+)?(?:worst|most\s+\w+)\s+(?:in\s+history|of\s+all\s+time)", ({"worst", "most"}, {"history", "time"})),
        (r"Don’t\s+stop", ({"don't"}, {"stop"})),
    ],
)
def test_regex_gates_name_the_literals_every_match_contains(source: str, gate: tuple[set[str], ...]) -> None:
    assert regex_gate(source, ignore_case=True) == tuple(frozenset(factor) for factor in gate)


@pytest.mark.parametrize(
    "source",
    [r"x*", r"\p{Lu}+", r"(?:only){e<=1}", r"(?:only)?\s+us", r"(?r)abc", r"a|bcd"],
)
def test_regexes_without_a_safe_gate_always_run(source: str) -> None:
    """No literal every match must contain, syntax only ``regex`` knows, fuzzy matching."""
    assert regex_gate(source, ignore_case=True) is None


def test_empty_matches_are_never_reported() -> None:
    assert spans_of(build(regexes=[r"x*"]), "abc") == []


def test_timeout_bounds_a_runaway_regex() -> None:
    patterns = build(regexes=[r"(a|aa)+$"])
    with pytest.raises(TimeoutError):
        list(patterns.spans("a" * 40 + "!", timeout=0.05))


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
    patterns = build(*phrases)
    assert list(patterns.spans(text)) == expected  # the simple path, also taken for huge texts
    assert combined_spans(patterns, text) == expected


def test_offsets_survive_characters_whose_lower_case_is_longer() -> None:
    text = "İİİ They terrorised the town."
    assert spans_of(build("terroris(e|ed)"), text) == ["terrorised"]


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("istanbul", "İSTANBUL and Istanbul", ["İSTANBUL", "Istanbul"]),  # İ is "i" to re, not "i̇"
        ("odos", "the ODOΣ", []),
        ("οδοσ", "ΟΔΟΣ and οδος", ["ΟΔΟΣ", "οδος"]),  # final sigma
        ("mask", "maſk", ["maſk"]),  # long s
        ("μg dose", "5 µg  dose", ["µg  dose"]),  # micro sign and a run of spaces
        ("fake news", "fake\u00a0news and fake \t\n news", ["fake\u00a0news", "fake \t\n news"]),
        ("sow chaos", "a   b  sow   chaos  c  sow chaos", ["sow   chaos", "sow chaos"]),
    ],
)
def test_combined_path_folds_as_the_regex_compares(phrase: str, text: str, expected: list[str]) -> None:
    assert spans_of(build(phrase), text) == expected


def test_the_variant_the_trie_tries_first_wins_on_both_paths() -> None:
    """"New" sorts before "new york" in the trie, so it wins where both match (and a longer
    variant wins over a shorter one it extends): trying variants one by one keeps that order."""
    assert spans_of(build("New", "new york", "new york city"), "New York City and new york") == ["New", "new"]
    assert spans_of(build("new", "new york", "new york city"), "New York City and new york") == [
        "New York City", "new york"]
    # The trie puts both apostrophes on one branch, so the longer phrase still comes first.
    assert spans_of(build("it's", "it’s a fake"), "They said it's a fake story.") == ["it's a fake"]


def test_a_rule_that_meets_many_of_its_phrases_confirms_with_its_trie_and_finds_the_same() -> None:
    """Case-blind rules confirm the automaton's candidates with no regex at all; a case-sensitive
    rule compiles one regex per phrase it meets, then its whole trie once it has met many."""
    words = [f"word{letter}" for letter in "abcdefghijklmnopqrstuvwxyz"]
    text = " ".join(f"{word} {word}s x{word}" for word in words) + " WORDA  B. worda\n b"
    patterns = build(*words, "worda b")
    expected = [(m.start(), m.end()) for m in regex.finditer(r"(?<!\w)word[a-z](?:\s+b)?(?!\w)", text, regex.I)]
    assert len(expected) == 28
    assert combined_spans(patterns, text) == list(patterns.spans(text)) == expected
    assert patterns._variant_patterns == {}  # nothing compiled to confirm them
    sensitive = build(*words, "worda b", ignore_case=False)
    expected = [(m.start(), m.end()) for m in regex.finditer(r"(?<!\w)word[a-z](?:\s+b)?(?!\w)", text)]
    assert len(expected) == 27
    assert combined_spans(sensitive, text) == list(sensitive.spans(text)) == expected
    assert len(sensitive._variant_patterns) == indexes.VARIANTS_BEFORE_TRIE  # the switch happened


def test_case_sensitive_rules_are_confirmed_by_their_regex() -> None:
    patterns = build("Kremlin", ignore_case=False)
    assert spans_of(patterns, "KREMLIN, kremlin, Kremlin") == ["Kremlin"]


def test_one_index_serves_many_rules() -> None:
    rules = [build("fake news"), build("fake"), build("news"), None, build(regexes=[r"fake\s+\w+"])]
    text = "Fake news! More FAKE NEWS."
    candidates = PhraseIndex(rules).candidates(text)
    assert candidates is not None
    for number, patterns in enumerate(rules):
        if patterns is not None:
            assert list(patterns.spans(text, candidates.starts.get(number, ()), candidates.seen)) == list(patterns.spans(text))
    assert candidates.seen == {"fake"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab sAB’'\n\t\u00a0İıſΣσς.-")), max_size=60))
def test_combined_path_equals_scanning_on_any_text(text: str) -> None:
    for patterns in (build("a b", "ab(s|)", "b'a", "sa"), build("AB", ignore_case=False), build("σa", "ia", word_boundary=False),
                     build("A", "a b", "a-", "B a", "b"), build("a'", "a’ b", "b’a", "b'a s")):
        assert combined_spans(patterns, text) == list(patterns.spans(text))


@pytest.mark.skipif(not PTC.is_dir(), reason="PTC corpus not found beside the checkout (../shared/corpora/ptc)")
def test_shipped_packs_find_the_same_spans_both_ways_on_the_corpus() -> None:
    """The combined matcher is an optimisation only: on every labelled article, every shipped
    rule reports exactly what scanning with each rule's own regex reports."""
    from framecheck.core.model import ScanOptions
    from framecheck.core.resources import bundled_rules_dir
    from framecheck.engine.builtin import PackMatcher
    from framecheck.inputs.readers import text_document
    from framecheck.packs.loading import load_packs

    packs = load_packs([bundled_rules_dir()])
    combined, simple = PackMatcher(packs, ScanOptions()), PackMatcher(packs, ScanOptions(), combined=False)
    total = 0
    for path in sorted((PTC / "articles").glob("*.txt")):
        document = text_document(path.name, path.read_text(encoding="utf-8"))
        fast = [(f.start, f.end, f.rule_id) for f in combined.detect(document)]
        assert fast == [(f.start, f.end, f.rule_id) for f in simple.detect(document)], path.name
        total += len(fast)
    assert total > 1000  # the comparison must cover real findings


def test_the_folded_copy_is_made_once_per_scan_and_not_kept(default_engine) -> None:
    from framecheck.inputs.readers import text_document

    document = text_document("story.txt", "Sources say they terrorised the town. It is so very bad!")
    made = []
    original = type(document).folded.func

    def counting(self):
        made.append(1)
        return original(self)

    type(document).folded.func = counting
    try:
        report = default_engine.scan(document)
    finally:
        type(document).folded.func = original
    assert made == [1]  # the rules' automaton and the plugins' triggers share one copy
    assert {f.rule_id for f in report.findings} >= {"loaded-verb-terrorise", "unsourced-attribution"}
    assert "folded" not in report.document.__dict__


def test_one_shared_pass_answers_every_declared_index(default_engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The YAML matcher and the unsourced-attribution triggers share one automaton pass per
    document, and get exactly what their own passes would give."""
    from framecheck.inputs.readers import text_document

    text = "Sources say they terrorised the town. Only verified news in our channel! It is so very bad."
    declared = [index for d in default_engine.detectors for index in getattr(d, "phrase_indexes", ())]
    assert len(declared) >= 2
    own = [index.candidates(text) for index in declared]
    shared = indexes.SharedPhraseIndex(declared)
    document = text_document("story.txt", text)
    shared.answer(document)
    answered = [index.candidates(document) for index in declared]
    assert answered == [document.shared_candidates[id(index)] for index in declared]
    assert [c.starts for c in answered] == [c.starts for c in own]
    assert all(c.seen <= a.seen for c, a in zip(own, answered))  # one seen set serves every gate

    passes = []
    real_run = indexes._run
    monkeypatch.setattr(indexes, "_run", lambda *args: (passes.append(1), real_run(*args))[1])
    report = default_engine.scan(text_document("story.txt", text))
    assert passes == [1]
    assert {"loaded-verb-terrorise", "unsourced-attribution", "distrust-only-our-channel"} <= {f.rule_id for f in report.findings}
    assert report.document.shared_candidates == {}
