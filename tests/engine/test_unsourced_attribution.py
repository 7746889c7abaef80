"""The bundled unsourced-attribution detector: cues without a named source in their sentence."""

from __future__ import annotations

import importlib

import pytest
from helpers import SEED

from framecheck import Document
from framecheck.engine.plugins import get_plugin_manager


def detector_module():
    get_plugin_manager(autoload=False)  # imports the bundled plugins, installed or from a checkout
    for name in ("framecheck.bundled_plugins.unsourced_attribution", "framecheck_plugin_unsourced_attribution"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise AssertionError("bundled unsourced_attribution plugin not importable")


MODULE = detector_module()


def flagged(text: str) -> list[str]:
    return [f.excerpt for f in MODULE.UnsourcedAttributionDetector().detect(Document("t", text))]


def test_seed_article_flags_the_unsourced_claim_and_not_patel() -> None:
    text = SEED.read_text(encoding="utf-8")
    findings = list(MODULE.UnsourcedAttributionDetector().detect(Document("seed", text)))
    assert [(f.excerpt, f.line, f.column) for f in findings] == [("It has also been reported that", 30, 1)]
    for finding in findings:
        assert "Patel" not in text[text.rfind("\n", 0, finding.start) : text.find("\n", finding.end)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Officials said the bridge was destroyed. Nobody confirmed it.", ["Officials said"]),
        ("Some analysts suggest that sanctions have failed.", ["Some analysts suggest that"]),
        ("It was claimed that the convoy carried weapons.", ["It was claimed that"]),
        ("Rumour has it that the minister will quit.", ["Rumour has it that"]),
        ("Mr. Smith arrived. Sources close to the ministry said he would quit.", ["Sources close to the ministry said"]),
        ("Sources say he left. Patel stated that he stayed.", ["Sources say"]),
    ],
)
def test_unnamed_sources_are_flagged(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "This was stated by Deputy Press Secretary of the US State Department Vedant Patel on Tuesday.",
        "Experts believe the ceasefire will hold, Jane Doe of the Atlantic Council told Reuters.",
        "According to the Institute for the Study of War, the offensive stalled.",
        "As reported by OBOZREVATEL: sources say the plant is ready.",
        "It has been reported, she said, that the plant is ready.",
        "The sources of the river were mapped in 1890.",
    ],
)
def test_named_sources_and_non_attribution_are_not_flagged(text: str) -> None:
    assert flagged(text) == []


def test_sentences_split_at_line_breaks_and_terminal_punctuation() -> None:
    text = "One claim. Dr. Who spoke!\nNext line? \u201cQuoted\u201d start."
    from framecheck.inputs.structure import sentences

    spans = [text[s:e] for s, e in sentences(text)]
    assert spans == ["One claim.", "Dr. Who spoke!", "Next line?", "\u201cQuoted\u201d start."]
    around = [text[s:e] for s, e in (MODULE.sentence_around(text, text.index(word), text.index(word) + 1)
                                     for word in ("claim", "Who", "line", "Quoted"))]
    assert around == spans


CUE_FORMS = (
    "It has also been reported that the plant is closed. It is widely believed the vote was rigged. "
    "According to unnamed officials, talks failed. According to reports the deal is off. "
    "Many senior sources close to the minister say that he will go. Some experts fear a crash. "
    "Analysts warned of losses. Word has it that she quits. Many people are saying it. "
    "Officials familiar with the matter told reporters nothing. Critics contend otherwise. "
    "IT WAS SAID he left. Some ſources said so. Media reports claimed it. Insiders close to the "
    "Anticonstitutionnellementissimoverylongname said no. The mayor said yes, and she thinks so."
)


@pytest.mark.parametrize("source", ["forms", "corpus"])
def test_cues_found_from_trigger_words_are_exactly_the_cues_a_full_scan_finds(source: str) -> None:
    """The trigger path (forwards from "according to", backwards from the verb) is a shortcut
    for scanning the text with the cue grammar, the path huge texts take: both must agree, so
    a cue added to the grammar without its trigger word cannot go missing."""
    from helpers import PTC

    if source == "corpus" and not PTC.is_dir():
        pytest.skip("PTC corpus not found beside the checkout (../shared/corpora/ptc)")
    texts = [CUE_FORMS] if source == "forms" else [p.read_text(encoding="utf-8") for p in sorted((PTC / "articles").glob("*.txt"))]
    found = 0
    for text in texts:
        scanned = [match.span() for match in MODULE.cues().finditer(text)]
        assert MODULE.cue_spans(text) == scanned
        found += len(scanned)
    assert found >= (15 if source == "forms" else 50)


def test_a_cue_ends_at_its_verb_after_every_source_noun_of_the_grammar() -> None:
    """Backward cues are matched only after an anchor word: with each source noun (and the
    passive), the trigger path finds exactly what scanning with the cue grammar finds."""
    nouns = sorted(MODULE._SOURCE_ANCHORS - {"is", "was", "been"})
    assert {"sources", "source", "rumors", "rumours", "reports", "people", "officials"} <= set(nouns)
    text = " ".join(f"Many {noun} said so. Some {noun} close to the army warned." for noun in nouns)
    text += " It was claimed he left. It has been reported that she quits."
    scanned = [match.span() for match in MODULE.cues().finditer(text)]
    assert MODULE.cue_spans(text) == scanned
    assert len(scanned) == 2 * len(nouns) + 2
