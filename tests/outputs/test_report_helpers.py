"""What every report format shares: safe text for terminals, counts, overlapping findings."""

from __future__ import annotations

from framecheck.core.model import Document, Severity
from framecheck.outputs.base import merge_overlapping, note_line, plural, quote_excerpt, visible


def test_control_and_bidirectional_characters_never_reach_a_terminal() -> None:
    shown = visible("a\x1b[31mred\u202etxt.exe\x7f\nnext\tend")
    assert "\x1b" not in shown and "\u202e" not in shown and "\n" not in shown
    assert shown == "a␛[31mred\ufffdtxt.exe␡␊next\tend"
    assert len(shown) == len("a\x1b[31mred\u202etxt.exe\x7f\nnext\tend")  # carets stay aligned
    assert visible("one\ntwo", keep_lines=True) == "one\ntwo"


def test_plural_and_quoted_excerpts() -> None:
    assert (plural(1, "finding"), plural(0, "finding"), plural(2, "pack")) == ("1 finding", "0 findings", "2 packs")
    assert quote_excerpt("line\nnext\\ \r") == '"line\\nnext\\\\ \\r"'  # one finding, one output line


def test_overlapping_findings_are_shown_as_one_highlight() -> None:
    document = Document("a.txt", "The brutal crackdown terrorised them.")

    def at(word: str, rule: str):
        start = document.text.index(word)
        return document.finding(rule_id=rule, technique="loaded-language", severity=Severity.WARNING, message="m",
                                start=start, end=start + len(word))

    merged = merge_overlapping([at("brutal crackdown", "a"), at("crackdown", "b"), at("terrorised", "c")])
    assert [(start, end, [f.rule_id for f in group]) for start, end, group in merged] == [
        (4, 20, ["a", "b"]), (21, 31, ["c"])]


def test_a_note_s_line_is_read_back_for_annotations() -> None:
    assert note_line("unused suppression at line 12 (x): nothing to suppress") == 12
    assert note_line("no line here") is None
