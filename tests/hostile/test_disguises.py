"""Hostile input, round three (issue 28, item 8): a framing word hidden from the checker by
invisible characters, combining marks, look-alike letters of another script, or letters from a
compatibility block is still found, at offsets into the file as read, and the hiding itself is
reported; text that only looks unusual (stress marks, emoji, right-to-left marks at a word's
edge, soft hyphens) is not called concealed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_json

WORD = "terrorised"
TERRORISE = "loaded-verb-terrorise"
CONCEALED = "concealed-word"

INSIDE_THE_WORD = {
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "left-to-right embedding": "\u202a",
    "right-to-left embedding": "\u202b",
    "pop directional formatting": "\u202c",
    "left-to-right override": "\u202d",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "right-to-left isolate": "\u2067",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "variation selector-16": "\ufe0f",
    "tag latin capital letter a": "\U000e0041",
    "hangul filler": "\u3164",
    "two invisible characters": "\u200e\u2069",
}


def written(tmp_path: Path, text: str, name: str = "story.txt") -> tuple[Path, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


def findings_of(path: Path, *args: str) -> tuple[list[dict], list[str]]:
    article = run_json(*args, str(path))["articles"][0]
    return article["findings"], article["warnings"]


def assert_found_and_concealed(findings: list[dict], text: str, disguised: str) -> None:
    """The device is found on the disguised word, and so is its concealment; both quote the
    file as it is, at offsets into it."""
    by_rule = {finding["rule_id"]: finding for finding in findings}
    assert TERRORISE in by_rule and CONCEALED in by_rule, [f["rule_id"] for f in findings]
    for rule in (TERRORISE, CONCEALED):
        finding = by_rule[rule]
        assert finding["excerpt"] == disguised
        assert text[finding["start"] : finding["end"]] == disguised
        assert (finding["line"], finding["column"]) == (1, 6)
    assert by_rule[CONCEALED]["severity"] == "warning" and by_rule[CONCEALED]["technique"] == "concealment"


@pytest.mark.parametrize("hidden", INSIDE_THE_WORD.values(), ids=INSIDE_THE_WORD.keys())
def test_an_invisible_character_inside_a_word_does_not_hide_it(tmp_path: Path, hidden: str) -> None:
    disguised = f"terr{hidden}orised"
    path, text = written(tmp_path, f"They {disguised} the town.\n")
    findings, warnings = findings_of(path)
    assert_found_and_concealed(findings, text, disguised)
    count = len(hidden)
    assert any(w.startswith(f"ignored {count} invisible character{'s' if count > 1 else ''} inside words (")
               for w in warnings), warnings


@pytest.mark.parametrize("mark", ["\u0301", "\u0323", "\u0301\u0323"], ids=["acute", "dot below", "two marks"])
def test_a_combining_mark_on_a_letter_does_not_hide_the_word(tmp_path: Path, mark: str) -> None:
    disguised = f"te{mark}rrorised"
    path, text = written(tmp_path, f"They {disguised} the town.\n")
    findings, warnings = findings_of(path)
    assert_found_and_concealed(findings, text, disguised)
    concealed = next(f for f in findings if f["rule_id"] == CONCEALED)
    assert "U+0301 COMBINING ACUTE ACCENT" in concealed["message"] or "U+0323" in concealed["message"]


LOOK_ALIKE_WORDS = {
    "Greek omicron": "terr\u03bfrised",
    "Greek and Cyrillic letters": "t\u0435rr\u03bfrised",
    "Greek capital tau": "\u03a4errorised",
    "fullwidth letters": "\uff54\uff45\uff52\uff52\uff4f\uff52\uff49\uff53\uff45\uff44",
    "mathematical bold letters": "".join(chr(0x1D41A + ord(c) - ord("a")) for c in WORD),
    "mathematical italic capital": "\U0001d447errorised",
}


@pytest.mark.parametrize("disguised", LOOK_ALIKE_WORDS.values(), ids=LOOK_ALIKE_WORDS.keys())
def test_look_alike_and_compatibility_letters_do_not_hide_a_word(tmp_path: Path, disguised: str) -> None:
    path, text = written(tmp_path, f"They {disguised} the town.\n")
    findings, _ = findings_of(path)
    assert_found_and_concealed(findings, text, disguised)


def test_a_concealed_word_in_markdown_keeps_its_place_in_the_file(tmp_path: Path) -> None:
    disguised = "te\u0301rr\u200eorised"
    path, _ = written(tmp_path, f"# Town\n\nThey **met** and {disguised} it. They terrorised the port.\n",
                         "story.md")
    findings, _ = findings_of(path)
    places = sorted((f["rule_id"], f["line"], f["column"], f["excerpt"]) for f in findings
                    if f["rule_id"] in (TERRORISE, CONCEALED))
    assert places == [
        (CONCEALED, 3, 18, disguised), (TERRORISE, 3, 18, disguised), (TERRORISE, 3, 40, "terrorised"),
    ]


def test_a_latin_letter_in_a_ukrainian_word_is_read_as_cyrillic(tmp_path: Path) -> None:
    disguised = "Усi"  # Latin i, as a keyboard layout or a filter dodger types it
    path, text = written(tmp_path, f"{disguised} експерти сходяться на тому, що реформа провалилася.\n")
    findings, warnings = findings_of(path, "--language", "uk")
    assert sorted(f["rule_id"] for f in findings) == [CONCEALED, "uk-authority-consensus"]
    concealed = next(f for f in findings if f["rule_id"] == CONCEALED)
    assert (concealed["start"], concealed["end"], concealed["excerpt"]) == (0, 3, disguised)
    assert "U+0069 LATIN SMALL LETTER I" in concealed["message"]
    assert warnings == ["1 word mixing Cyrillic and look-alike Latin letters was read as Cyrillic"]


def test_a_hidden_word_no_finding_covers_is_only_noted(tmp_path: Path) -> None:
    path, _ = written(tmp_path, "They met at the ca\u200ef\u0301e and left.\n")
    findings, warnings = findings_of(path)
    assert findings == []
    assert sorted(warnings) == ["ignored 1 combining mark on letters (combining acute accent)",
                                "ignored 1 invisible character inside words (left-to-right mark)"]


def test_a_hidden_word_in_a_flagged_sentence_is_concealment(tmp_path: Path) -> None:
    path, _ = written(tmp_path, "Do not believe the st\u03bfry!\n")
    findings, _ = findings_of(path, "--select", "exclamation,concealed-word")
    assert [(f["rule_id"], f["excerpt"]) for f in findings] == [
        ("exclamation", "Do not believe the st\u03bfry!"), (CONCEALED, "st\u03bfry"),
    ]


@pytest.mark.parametrize("text", [
    "Противник цини\u0301чно ударил по больнице.\n",  # a stress mark: Russian spelling
    "They terr\u00adorised the town.\n",  # a soft hyphen: a hyphenation hint
    "They terrorised \u2764\ufe0f the town \U0001f44d\U0001f3fd.\n",  # emoji with a selector and a skin tone
    "\u200fThey terrorised the town.\u200e\n",  # direction marks at the edges of words
], ids=["stress mark", "soft hyphen", "emoji", "marks at word edges"])
def test_ordinary_unusual_text_is_not_called_concealed(tmp_path: Path, text: str) -> None:
    path, _ = written(tmp_path, text)
    findings, _ = findings_of(path)
    assert findings and CONCEALED not in {f["rule_id"] for f in findings}


def test_emoji_and_edge_marks_are_left_alone() -> None:
    from framecheck import Document
    from framecheck.languages.normalise import normalise

    text = "\u200fThey met \u2764\ufe0f at noon.\u200e"
    document = Document("t", text)
    assert normalise(document) is None and document.text == text and document.notes == ()


def test_a_decomposed_cyrillic_letter_is_composed_without_a_note() -> None:
    from framecheck import Document
    from framecheck.languages.normalise import normalise

    document = Document("t", "Вони и\u0306дуть.")
    restoration = normalise(document)
    assert restoration is not None and document.text == "Вони йдуть." and document.notes == ()
    assert document.disguises == ()
