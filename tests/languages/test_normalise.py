"""Text that hides its words from a filter: invisible characters and look-alike letters."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run

SOFT_HYPHEN, ZERO_WIDTH, CYRILLIC_E = "\u00ad", "\u200b", "\u0435"


def findings(path: Path) -> list[dict]:
    return json.loads(run("scan", "--format", "json", str(path)).stdout)["articles"][0]["findings"]


def test_invisible_characters_inside_a_word_do_not_hide_it(tmp_path: Path) -> None:
    text = f"They terr{SOFT_HYPHEN}orised the town.\n\nThey terror{ZERO_WIDTH}ised the port.\n"
    story = tmp_path / "story.txt"
    story.write_text(text, encoding="utf-8")
    found = [f for f in findings(story) if f["rule_id"] == "loaded-verb-terrorise"]
    assert [(f["line"], f["column"], f["excerpt"]) for f in found] == [
        (1, 6, f"terr{SOFT_HYPHEN}orised"), (3, 6, f"terror{ZERO_WIDTH}ised"),
    ]
    for finding in found:  # offsets stay offsets into the file as decoded
        assert text[finding["start"] : finding["end"]] == finding["excerpt"]
    article = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"][0]
    assert "ignored 2 invisible characters inside words (soft hyphen, zero width space)" in article["warnings"]


def test_invisible_characters_in_markdown_keep_positions_in_the_file(tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text(f"# Town\n\nThey terr{SOFT_HYPHEN}orised **the** town and te{ZERO_WIDTH}rrorised it.\n",
                     encoding="utf-8")
    found = [f for f in findings(story) if f["rule_id"] == "loaded-verb-terrorise"]
    assert [(f["line"], f["column"]) for f in found] == [(3, 6), (3, 35)]


def test_look_alike_cyrillic_letters_in_a_latin_word_do_not_hide_it(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(f"They t{CYRILLIC_E}rrorised the town.\n\nВони тероризували місто.\n", encoding="utf-8")
    found = findings(story)
    assert [(f["rule_id"], f["excerpt"]) for f in found] == [
        ("concealed-word", f"t{CYRILLIC_E}rrorised"), ("loaded-verb-terrorise", f"t{CYRILLIC_E}rrorised"),
    ]
    article = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"][0]
    assert article["warnings"] == ["1 word mixing Latin and look-alike Cyrillic letters was read as Latin"]


def test_clean_text_is_untouched() -> None:
    from framecheck import Document
    from framecheck.languages.normalise import normalise

    document = Document("t", "Вони тероризували місто. They met.")
    assert normalise(document) is None and document.notes == ()
