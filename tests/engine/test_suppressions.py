"""Waivers read from a document's source: scope, policy, problems, fingerprints."""

from __future__ import annotations

import datetime

from framecheck.core.model import Document, Severity
from framecheck.engine.suppressions import SuppressionPolicy, read_waivers, with_fingerprints

KNOWN = {"loaded-verb-terrorise", "loaded-language", "exclamation"}
TODAY = SuppressionPolicy(today=datetime.date(2026, 6, 1))


def finding_at(document: Document, word: str, rule: str = "loaded-verb-terrorise", nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = document.text.index(word, start + 1)
    return document.finding(rule_id=rule, technique="loaded-language", severity=Severity.WARNING, message="m",
                            start=start, end=start + len(word))


def test_a_waiver_covers_the_next_paragraph_only() -> None:
    text = ("<!-- framecheck: ignore loaded-verb-terrorise reason=\"verdict\" by=jdoe -->\n"
            "The gang terrorised the town.\n\nThey terrorised it again.")
    document = Document("a.md", text)
    waivers = read_waivers(document, TODAY, KNOWN)
    first, second = finding_at(document, "terrorised"), finding_at(document, "terrorised", nth=1)
    marked = waivers.mark(document, [first, second])
    assert marked[0].suppression is not None and marked[0].suppression.reason == "verdict"
    assert marked[0].suppression.by == "jdoe" and marked[1].suppression is None
    assert waivers.notes() == []


def test_a_technique_id_waives_its_rules_and_ignore_file_the_whole_article() -> None:
    text = "framecheck: ignore-file[loaded-language]\nThey terrorised the town.\n\nAnd again terrorised it."
    document = Document("a.txt", text)
    waivers = read_waivers(document, TODAY, KNOWN)
    marked = waivers.mark(document, [finding_at(document, "terrorised"), finding_at(document, "terrorised", nth=1)])
    assert all(f.suppression is not None and f.suppression.scope == "file" for f in marked)


def test_waivers_that_do_not_apply_are_notes_never_silent() -> None:
    text = ("framecheck: ignore[loaded-verb-terrorise] until=2026-01-01\nThey terrorised the town.\n\n"
            "framecheck: ignore[no-such-rule] reson=\"typo\"\nA calm line.\n\n"
            "framecheck: ignroe[exclamation]\nWow!\n\n"
            "framecheck: ignore[exclamation]\nNothing to waive here.")
    document = Document("a.txt", text)
    waivers = read_waivers(document, SuppressionPolicy(require_reason=False, today=datetime.date(2026, 6, 1)), KNOWN)
    marked = waivers.mark(document, [finding_at(document, "terrorised")])
    assert marked[0].suppression is None  # expired: reported again
    notes = waivers.notes()
    assert any("expired on 2026-01-01" in note for note in notes)
    assert any("unknown rule(s): no-such-rule" in note for note in notes)
    assert any("unknown argument 'reson'" in note and "did you mean 'reason'" in note for note in notes)
    assert any("line 7 was ignored" in note for note in notes)
    assert any(note.startswith("unused suppression at line 10") for note in notes)


def test_a_required_reason_must_be_given() -> None:
    text = "framecheck: ignore[loaded-verb-terrorise]\nThey terrorised the town."
    document = Document("a.txt", text)
    waivers = read_waivers(document, SuppressionPolicy(require_reason=True), KNOWN)
    assert waivers.mark(document, [finding_at(document, "terrorised")])[0].suppression is None
    assert any('no reason="..."' in note for note in waivers.notes())


def test_findings_inside_a_directive_are_dropped() -> None:
    text = "<!-- framecheck: ignore loaded-verb-terrorise reason=\"terrorised\" -->\nCalm."
    document = Document("a.md", text)
    waivers = read_waivers(document, TODAY, KNOWN)
    assert waivers.mark(document, [finding_at(document, "terrorised")]) == []


def test_fingerprints_count_occurrences_and_ignore_case_and_spacing() -> None:
    document = Document("a.txt", "They Terrorised,  then terrorised, then TERRORISED.")
    findings = [finding_at(document, word) for word in ("Terrorised", "terrorised", "TERRORISED")]
    printed = [f.fingerprint for f in with_fingerprints(findings)]
    assert len(set(printed)) == 3  # same rule and excerpt: the occurrence index tells them apart
    moved = Document("a.txt", "A new first line.\n" + document.text)
    again = [f.fingerprint for f in with_fingerprints([finding_at(moved, w) for w in ("Terrorised", "terrorised")])]
    assert again == printed[:2]  # an edit elsewhere does not make old findings new
