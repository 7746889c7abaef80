"""The engine validates, selects, de-duplicates and orders findings, and survives bad plugins."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers import SEED, make_engine, write_rule_pack

from framecheck import Document, Examples, Finding, RuleInfo, ScanWarning, Severity, hookimpl
from framecheck.core.errors import FramecheckError, PluginError
from framecheck.core.model import Position
from framecheck.inputs.readers import text_document

RULE = RuleInfo("fake-plugin-rule", "doubt", Severity.INFO, "a doubt cue", examples=Examples(("x",), ("y",)))


class ScriptedDetector:
    """A detector that yields exactly what a test tells it to."""

    name = "scripted"
    rules = (RULE,)

    def __init__(self, produce):
        self.produce = produce

    def detect(self, document: Document):
        yield from self.produce(document)


class ScriptedPlugin:
    def __init__(self, produce):
        self.detector = ScriptedDetector(produce)

    @hookimpl
    def framecheck_detectors(self):
        return [self.detector]


def engine_with(produce, **kwargs):
    from framecheck.engine.engine import Engine
    from framecheck.engine.plugins import get_plugin_manager
    from framecheck.engine.selection import Selection

    manager = get_plugin_manager(autoload=False)
    manager.register(ScriptedPlugin(produce), name="scripted-plugin")
    return Engine.from_plugins(manager, selection=Selection(**kwargs))


def doubt(document: Document, start: int, end: int) -> Finding:
    return document.finding(rule_id=RULE.id, technique="doubt", severity=Severity.INFO, message="m", start=start, end=end)


def test_positions_are_one_based_lines_and_character_columns() -> None:
    document = Document("d", "first\nsécond line\r\nthird")
    assert document.position(0) == Position(1, 1)
    assert document.position(6) == Position(2, 1)
    assert document.position(8) == Position(2, 3)
    assert document.position(len("first\nsécond line\r\n")) == Position(3, 1)


def test_document_finding_is_the_finding_its_constructor_makes() -> None:
    """Document.finding fills a Finding's fields without its __init__ (for speed): it must make
    exactly what the constructor makes, every defaulted field included."""
    document = Document("d", "first\nsecond line with words")
    made = document.finding(rule_id="r", technique="doubt", severity=Severity.WARNING, message="m", start=13,
                            end=17, weight=2.5, detector="x")
    assert made == Finding(rule_id="r", technique="doubt", severity=Severity.WARNING, message="m", start=13, end=17,
                           excerpt="line", line=2, column=8, weight=2.5, detector="x")
    assert vars(made).keys() == {field.name for field in dataclasses.fields(Finding)}
    assert made.evolve(part="lede").part == "lede" and made.part == "body"


def test_findings_are_sorted_and_deduplicated() -> None:
    engine = engine_with(lambda d: [doubt(d, 6, 9), doubt(d, 0, 3), doubt(d, 6, 9), doubt(d, 0, 5)])
    report = engine.scan(Document("d", "abcdefghijkl"))
    plugin_spans = [(f.start, f.end) for f in report.findings if f.rule_id == RULE.id]
    assert plugin_spans == [(0, 3), (0, 5), (6, 9)]


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (lambda d: Finding(RULE.id, "doubt", Severity.INFO, "m", 5, 99, "x", 1, 1), "outside the text"),
        (lambda d: Finding(RULE.id, "doubt", Severity.INFO, "m", 0, 3, "xyz", 1, 1), "differs from the text"),
        (lambda d: Finding(RULE.id, "made-up", Severity.INFO, "m", 0, 3, "abc", 1, 1), "unknown technique"),
        (lambda d: Finding("other-rule", "doubt", Severity.INFO, "m", 0, 3, "abc", 1, 1), "not among the detector's rules"),
        (lambda d: ("not", "a", "finding"), "expected a Finding"),
    ],
)
def test_invalid_plugin_findings_are_dropped_with_a_warning(bad, problem: str) -> None:
    engine = engine_with(lambda d: [bad(d), doubt(d, 0, 3)])
    report = engine.scan(Document("d", "abcdef"))
    assert [(f.rule_id, f.start) for f in report.findings] == [(RULE.id, 0)]
    assert len(report.warnings) == 1 and problem in report.warnings[0]


def test_positions_from_plugins_are_recomputed_from_the_span() -> None:
    engine = engine_with(lambda d: [Finding(RULE.id, "doubt", Severity.INFO, "m", 4, 7, "def", 99, 99)])
    (finding,) = engine.scan(Document("d", "abc\ndefg")).findings
    assert (finding.line, finding.column) == (2, 1)


def test_a_raising_detector_loses_only_its_own_findings() -> None:
    def explode(document):
        yield doubt(document, 0, 3)
        raise RuntimeError("boom")

    engine = engine_with(explode)
    report = engine.scan(Document("d", "They terrorised the town."))
    assert [f.rule_id for f in report.findings] == ["loaded-verb-terrorise"]
    assert "detector 'scripted' failed: RuntimeError: boom" in report.warnings[0]


def test_scan_warnings_from_detectors_reach_the_report() -> None:
    engine = engine_with(lambda d: [ScanWarning("skipped something")])
    assert engine.scan(Document("d", "text")).warnings == ("skipped something",)


def test_select_and_ignore_by_rule_or_technique() -> None:
    text = SEED.read_text(encoding="utf-8")
    only_distrust = make_engine(select=["distrust-call"]).scan(Document("s", text))
    assert {f.technique for f in only_distrust.findings} == {"distrust-call"}
    without = make_engine(ignore=["distrust-call", "loaded-language"]).scan(Document("s", text))
    assert {f.rule_id for f in without.findings} == {"unsourced-attribution"}


def test_unknown_selection_is_an_error() -> None:
    with pytest.raises(FramecheckError, match="--select: unknown rule or technique 'loaded-langauge'"):
        make_engine(select=["loaded-langauge"])


def test_two_detectors_may_not_claim_one_rule_id() -> None:
    class Twin(ScriptedDetector):
        name = "twin"

    class TwinPlugin:
        @hookimpl
        def framecheck_detectors(self):
            return [Twin(lambda d: [])]

    from framecheck.engine.engine import Engine
    from framecheck.engine.plugins import get_plugin_manager

    manager = get_plugin_manager(autoload=False)
    manager.register(ScriptedPlugin(lambda d: []), name="one")
    manager.register(TwinPlugin(), name="two")
    with pytest.raises(PluginError, match="rule id 'fake-plugin-rule' is defined by both"):
        Engine.from_plugins(manager)


def test_no_default_rules_leaves_only_user_packs(tmp_path: Path) -> None:
    pack = write_rule_pack(tmp_path / "p.yaml", "my-rule", "[allegedly]")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    assert [r.id for r in engine.rules()] == ["my-rule"]
    report = engine.scan(Document("d", "They terrorised a town, allegedly."))
    assert [(f.rule_id, f.excerpt) for f in report.findings] == [("my-rule", "allegedly")]


def test_a_pack_scanned_alone_keeps_site_chrome_and_negation_handling(tmp_path: Path) -> None:
    pack = write_rule_pack(tmp_path / "house.yaml", "house-regime", "[regime]", technique="name-calling")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    text = ("Talks resumed\n\nThe regime met the envoys. It is no regime, the minister said.\n\n"
            "Other News\n\nRegime falls in the north\n")
    report = engine.scan(text_document("story.txt", text))
    assert [(f.excerpt, f.context, f.part) for f in report.findings] == [
        ("regime", (), "lede"), ("regime", ("negated", "reported-speech"), "lede"), ("Regime", (), "boilerplate"),
    ]
    assert [r.id for r in engine.rules()] == ["house-regime"]


def test_exceptions_cancel_overlapping_matches(tmp_path: Path) -> None:
    pack = write_rule_pack(tmp_path / "p.yaml", "regime", "[regime]", technique="name-calling",
                           extra="    exceptions: [regime change]\n")
    report = make_engine(rule_paths=[pack], default_rules=False).scan(
        Document("d", "The regime fell. Calls for regime change grew.")
    )
    assert [f.start for f in report.findings] == [4]


def test_runaway_regex_is_skipped_with_a_warning(tmp_path: Path) -> None:
    from framecheck.core.model import ScanOptions
    from framecheck.engine.engine import Engine
    from framecheck.engine.plugins import get_plugin_manager

    pack = tmp_path / "p.yaml"
    pack.write_text(
        "id: p\nname: P\nrules:\n  - id: slow\n    technique: doubt\n    message: m\n"
        "    patterns: [{regex: '(a|aa)+$'}]\n  - id: fine\n    technique: doubt\n    message: m\n    patterns: [b]\n",
        encoding="utf-8",
    )
    manager = get_plugin_manager(autoload=False)
    engine = Engine.from_plugins(manager, rule_paths=[pack], default_rules=False, options=ScanOptions(regex_timeout=0.2))
    report = engine.scan(Document("d", "b " + "a" * 60 + "!"))
    assert [f.rule_id for f in report.findings] == ["fine"]
    assert "rule 'slow'" in report.warnings[0] and "timeout" in report.warnings[0]


def _naive_place(regions, start: int, end: int) -> tuple[str, str | None]:
    """Every region looked at: the definition the indexed placement must agree with."""
    from framecheck.engine.placement import PART_PRIORITY

    part, quote, length = "body", None, None
    for region in sorted(regions, key=lambda r: (r.start, r.end)):
        if not region.contains(start, end):
            continue
        if region.kind == "quote":
            if length is None or region.end - region.start < length:
                quote, length = region.label, region.end - region.start
        elif PART_PRIORITY.get(region.kind, 0) > PART_PRIORITY[part]:
            part = region.kind
    return part, quote


def test_indexed_placement_agrees_with_looking_at_every_region() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from framecheck.core.model import Region
    from framecheck.engine.engine import RegionIndex

    kinds = st.sampled_from(["headline", "lede", "body", "boilerplate", "quote"])
    region = st.builds(
        lambda kind, start, length, label: Region(kind, start, start + length, label),
        kinds, st.integers(0, 60), st.integers(0, 40), st.sampled_from(["", "Ana Ruiz", "NATO"]),
    )

    @settings(max_examples=400, deadline=None)
    @given(st.lists(region, max_size=12, unique_by=lambda r: (r.start, r.end)), st.integers(0, 100), st.integers(1, 30))
    def check(regions, start, length):
        assert RegionIndex(regions).place(start, start + length) == _naive_place(regions, start, start + length)

    check()
