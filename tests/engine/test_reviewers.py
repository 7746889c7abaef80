"""Reviewers see every finding of a document after the detectors: the hook, its checks, and the
bundled negation, repetition and stacked-framing reviewers; plus the intensity cues they build on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers import run

from framecheck import Dismissal, Document, Examples, Finding, RuleInfo, ScanWarning, Severity, hookimpl
from framecheck.engine.engine import Engine
from framecheck.engine.plugins import get_plugin_manager
from framecheck.engine.selection import Selection
from framecheck.inputs.readers import text_document
from framecheck.languages.profiles import bundled_languages

ECHO = RuleInfo("echo-rule", "repetition", Severity.INFO, "an echo", examples=Examples(("x",), ("y",)))


class ScriptedReviewer:
    """A reviewer that yields what a test tells it to, and remembers what it was shown."""

    name = "scripted-reviewer"
    rules = (ECHO,)

    def __init__(self, produce):
        self.produce = produce
        self.seen: list[Finding] = []

    def review(self, document: Document, findings):
        self.seen = list(findings)
        yield from self.produce(document, findings)


class ReviewerPlugin:
    def __init__(self, reviewer):
        self.reviewer = reviewer

    @hookimpl
    def framecheck_reviewers(self, options):
        return [self.reviewer]


def engine_with(reviewer, severity_overrides=None, **selection) -> Engine:
    manager = get_plugin_manager(autoload=False)
    manager.register(ReviewerPlugin(reviewer), name="reviewer-plugin")
    return Engine.from_plugins(manager, selection=Selection(**selection), severity_overrides=severity_overrides)


def scan(engine: Engine, text: str):
    return engine.scan(text_document("story.txt", text))


STORY = "The regime carried out a barbaric attack.\n\nIt was not a barbaric act, the court found.\n"


def test_a_reviewer_sees_placed_findings_and_can_add_and_revise() -> None:
    def produce(document, findings):
        barbaric = [f for f in findings if f.excerpt == "barbaric"]
        yield barbaric[0].evolve(weight=0.1, context=("house-style",))
        yield document.finding_of(ECHO, barbaric[1].start, barbaric[1].end, detector="scripted-reviewer")

    reviewer = ScriptedReviewer(produce)
    report = scan(engine_with(reviewer), STORY)
    assert all(f.line >= 1 and f.fingerprint == "" for f in reviewer.seen)  # placed, before fingerprints
    by_rule = {(f.rule_id, f.start): f for f in report.findings}
    first = by_rule[("loaded-adjective", STORY.index("barbaric"))]
    assert (first.weight, first.context) == (0.1, ("house-style",))
    echo = by_rule[("echo-rule", STORY.rindex("barbaric"))]
    assert (echo.line, echo.column, echo.excerpt) == (3, 14, "barbaric")
    assert echo.fingerprint  # reviewers' findings are fingerprinted like any other


def test_a_revision_may_not_move_or_rename_a_finding() -> None:
    def produce(document, findings):
        finding = findings[0]
        yield finding.evolve(message="something else")

    report = scan(engine_with(ScriptedReviewer(produce)), STORY)
    assert any("invalid revision" in w and "message" in w for w in report.warnings)
    assert report.findings[0].message != "something else"


def test_a_reviewer_finding_is_checked_like_a_detector_finding() -> None:
    def produce(document, findings):
        yield ScanWarning("skipped a check")
        yield document.finding(rule_id="not-my-rule", technique="doubt", severity=Severity.INFO, message="m",
                               start=0, end=3)
        yield document.finding_of(ECHO, 0, 3, detector="x").evolve(excerpt="nope")

    report = scan(engine_with(ScriptedReviewer(produce)), STORY)
    assert "skipped a check" in report.warnings
    assert sum("invalid finding" in w for w in report.warnings) == 2
    assert not [f for f in report.findings if f.rule_id in ("not-my-rule", "echo-rule")]


def test_a_raising_reviewer_loses_only_its_own_changes() -> None:
    def produce(document, findings):
        yield findings[0].evolve(weight=0.0)
        raise RuntimeError("boom")

    report = scan(engine_with(ScriptedReviewer(produce)), STORY)
    assert any("reviewer 'scripted-reviewer' failed: RuntimeError: boom" in w for w in report.warnings)
    assert report.findings[0].weight > 0  # the half-done revision was not applied
    assert {f.rule_id for f in report.findings} >= {"loaded-adjective"}


def test_a_dismissed_finding_leaves_the_report_and_the_warnings_say_why() -> None:
    def produce(document, findings):
        barbaric = [f for f in findings if f.excerpt == "barbaric"]
        yield Dismissal(barbaric[0], "house style allows it")
        yield Dismissal(barbaric[0].evolve(start=0, end=3, excerpt="The"), "not a finding it was given")

    report = scan(engine_with(ScriptedReviewer(produce)), STORY)
    assert [f.start for f in report.findings if f.excerpt == "barbaric"] == [STORY.rindex("barbaric")]
    assert "scripted-reviewer: dropped loaded-adjective at 1:26 'barbaric' (house style allows it)" in report.warnings
    assert any("dismissed a finding it was not given" in w for w in report.warnings)


def test_a_reviewer_that_runs_last_sees_every_other_reviewers_findings() -> None:
    class Last(ScriptedReviewer):
        name = "last-reviewer"
        rules = ()
        runs_last = True

    last = Last(lambda document, findings: iter(()))
    first = ScriptedReviewer(lambda document, findings: iter([document.finding_of(ECHO, 0, 3, detector="x")]))
    manager = get_plugin_manager(autoload=False)
    manager.register(ReviewerPlugin(last), name="registered-first")
    manager.register(ReviewerPlugin(first), name="registered-second")
    scan(Engine.from_plugins(manager), STORY)
    assert "echo-rule" in {f.rule_id for f in last.seen}


def test_reviewer_rules_are_listed_selectable_and_overridable() -> None:
    def produce(document, findings):
        yield document.finding_of(ECHO, 0, 3, detector="scripted-reviewer")

    assert "echo-rule" in [r.id for r in engine_with(ScriptedReviewer(produce)).rules()]
    ignored = scan(engine_with(ScriptedReviewer(produce), ignore=frozenset({"echo-rule"})), STORY)
    assert not [f for f in ignored.findings if f.rule_id == "echo-rule"]
    overridden = scan(engine_with(ScriptedReviewer(produce), severity_overrides={"echo-rule": Severity.ERROR}), STORY)
    assert [f.severity for f in overridden.findings if f.rule_id == "echo-rule"] == [Severity.ERROR]


def test_a_configured_severity_wins_over_a_revision() -> None:
    def produce(document, findings):
        yield next(f for f in findings if f.rule_id == "loaded-adjective").evolve(severity=Severity.INFO)

    report = scan(engine_with(ScriptedReviewer(produce), severity_overrides={"loaded-adjective": Severity.ERROR}), STORY)
    assert {f.severity for f in report.findings if f.rule_id == "loaded-adjective"} == {Severity.ERROR}


# -- negation ----------------------------------------------------------------------------

NEGATION_CASES = [
    ("This was no massacre of innocents, and no barbaric act.", "barbaric", ("negated",), 0.5),
    ("It isn't a hoax.", "hoax", ("negated",), 0.5),
    ("If the inquiry is a witch hunt, the minister should say so.", "witch hunt", ("conditional",), 0.5),
    ("Critics called the new plan a disaster.", "disaster", ("reported-label",), 0.25),
    ("He was described as a tyrant by the opposition.", "tyrant", ("reported-label",), 0.25),
    ("It was not only barbaric but planned.", "barbaric", (), 1.0),
    ("It is not clear. The barbaric attack went on.", "barbaric", (), 1.0),
    ("He called for a barbaric crackdown.", "barbaric", (), 1.0),
    # denying that something stops says it goes on (issue 27): asserted, not negated
    ("The group will never stop its campaign of terror.", "campaign of terror", (), 1.0),
    ("The army did not end the barbaric siege.", "barbaric", (), 1.0),
    ("It was never a campaign of terror.", "campaign of terror", ("negated",), 0.5),
    # reported speech without quotation marks is the speaker's (issue 27)
    ("Senator Smith said the report was a witch hunt.", "witch hunt", ("reported-speech",), 0.25),
    ("The report is a witch hunt, Smith said.", "witch hunt", ("reported-speech",), 0.25),
    ("He told reporters that the inquiry was a witch hunt.", "witch hunt", ("reported-speech",), 0.25),
    ("The minister said the inquiry was not a witch hunt.", "witch hunt", ("negated", "reported-speech"), 0.125),
    ("Critics said the report was a witch hunt.", "witch hunt", (), 1.0),  # a vague crowd is no speaker
    ("The report was a witch hunt. Smith said nothing.", "witch hunt", (), 1.0),
    ('Smith said "the inquiry" was over. It was a witch hunt.', "witch hunt", (), 1.0),
    ("Smith added that the inquiry was a witch hunt.", "witch hunt", ("reported-speech",), 0.25),
    ("Senate Democrats continued their smear of the judge.", "smear", (), 1.0),  # not a verb of saying here
    ("Murillo wrote in a stunning admission that the plan failed.", "stunning", (), 1.0),  # how, not what
    ("He said that she must be heard; then he called the inquiry a witch hunt.", "witch hunt", ("reported-label",), 0.25),
]


@pytest.mark.parametrize(("text", "word", "context", "kept"), NEGATION_CASES)
def test_negation_conditions_and_reported_labels_count_less(default_engine, text, word, context, kept) -> None:
    (finding,) = [f for f in scan(default_engine, text).findings if f.excerpt == word]
    (plain,) = [f for f in scan(default_engine, f"It was a {word}.").findings if f.excerpt == word]
    assert finding.context == context
    assert finding.weight == plain.weight  # the rule's weight; the context is a scoring factor
    points = default_engine.scoring.contribution
    assert points(finding) == pytest.approx(points(finding.evolve(context=())) * kept)


def test_the_cue_index_of_a_crowded_text_decides_as_the_search_before_each_finding() -> None:
    """With a finding every few words the negation reviewer finds every cue in one pass; at every
    offset it must give the context the window search gives, edge cases included ("no" running
    on into "nonsense", a cue right before the offset, "n't", Cyrillic, a long s)."""
    import importlib

    get_plugin_manager(autoload=False)  # imports the bundled plugins, installed or from a checkout
    negation = importlib.import_module(next(name for name in sys.modules if name.endswith(("plugins.negation",
                                                                                           "plugin_negation"))))
    texts = [case[0] for case in NEGATION_CASES] + [
        "It was nonsense, not a hoax; if NOT called a fiasco, it wasn't described as one.",
        "no\nnonono no-go ноу не брехня, якщо це не провокація; unleſs a hoax, don’t panic",
    ]
    words = negation.CueWords.of(bundled_languages())
    checked = 0
    for text in texts:
        cues = negation.CueIndex(text, words)
        for offset in range(len(text) + 1):
            searched = negation.context_of(text, offset, words)
            assert negation.context_of(text, offset, words, cues) == searched, (text, offset)
            checked += searched is not None
    assert checked > 100  # the texts are full of contexts, so the comparison is not of Nones


@pytest.mark.parametrize(("text", "word", "context"), [
    ("Вони ніколи не припинять терор.", "терор", None),  # a denied ending asserts what follows
    ("Це не терор.", "терор", "negated"),
    ("Они никогда не прекратят террор.", "террор", None),
    ("Это не террор.", "террор", "negated"),
])
def test_ceasing_verbs_undo_a_negation_in_ukrainian_and_russian(text: str, word: str, context: str | None) -> None:
    import importlib

    get_plugin_manager(autoload=False)
    negation = importlib.import_module(next(name for name in sys.modules if name.endswith(("plugins.negation",
                                                                                           "plugin_negation"))))
    assert negation.context_of(text, text.index(word), negation.CueWords.of(bundled_languages())) == context


def test_context_factors_are_configurable(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("The summit was no fiasco, whatever the papers say about it.\n", encoding="utf-8")
    default = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"][0]["score"]
    assert default["total_weight"] == 0.5  # warning 1 x weight 1 x negated 0.5
    (tmp_path / ".framecheck.yaml").write_text("scoring:\n  context: {negated: 1}\n", encoding="utf-8")
    counted = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"][0]["score"]
    assert counted["total_weight"] == 1.0
    (tmp_path / ".framecheck.yaml").write_text("scoring:\n  context: {negated: -1}\n", encoding="utf-8")
    bad = run("scan", str(story))
    assert bad.exit_code == 2 and "scoring.context must map context names to numbers from 0 to 1000" in bad.stderr


def test_negation_is_reported_in_every_format(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("The summit was no fiasco, whatever the papers say about it.\n", encoding="utf-8")
    text = run("scan", "--format", "concise", str(story)).stdout
    assert 'catastrophe-word a catastrophe word; describe what happened and how large it is "fiasco" (negated)' in text
    (article,) = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"]
    (finding,) = article["findings"]
    assert finding["context"] == ["negated"] and finding["weight"] == 1.0
    sarif = json.loads(run("scan", "--format", "sarif", str(story)).stdout)
    assert sarif["runs"][0]["results"][0]["properties"]["context"] == ["negated"]
    assert '"fiasco" (loaded-language) (negated)' in run("scan", "--format", "github", str(story)).stdout
    assert "(negated) |" in run("scan", "--format", "markdown", str(story)).stdout
    assert "how large it is (negated)" in run("scan", "--format", "html", str(story)).stdout  # the hover text


# -- repetition --------------------------------------------------------------------------

def test_the_third_use_of_a_loaded_word_makes_the_later_ones_repetition(default_engine) -> None:
    text = ("The plan will annihilate the opposition.\n\nThey annihilated the old guard.\n\n"
            "Annihilating them is the aim, and it will annihilate us too.\n")
    report = scan(default_engine, text)
    repeated = [f for f in report.findings if f.rule_id == "repeated-loaded-phrase"]
    uses = [f for f in report.findings if f.rule_id == "loaded-verb-violence"]
    assert len(uses) == 4
    assert [(f.start, f.end) for f in repeated] == [(f.start, f.end) for f in uses[1:]]
    assert repeated[0].message == "repeats a loaded phrase: 2nd of 4 uses in this article (first at line 1)"
    assert repeated[-1].message.startswith("repeats a loaded phrase: 4th of 4 uses")
    assert all(f.technique == "repetition" and f.severity is Severity.INFO for f in repeated)


def test_two_uses_or_a_named_speakers_uses_are_not_repetition(default_engine) -> None:
    twice = "It was a barbaric attack.\n\nA barbaric regime.\n"
    assert not [f for f in scan(default_engine, twice).findings if f.rule_id == "repeated-loaded-phrase"]
    quoted = twice + '\n"It was barbaric," Vedant Patel said.\n'
    assert not [f for f in scan(default_engine, quoted).findings if f.rule_id == "repeated-loaded-phrase"]
    outlet = twice + "\nBarbaric, again.\n"
    assert len([f for f in scan(default_engine, outlet).findings if f.rule_id == "repeated-loaded-phrase"]) == 2


def test_reported_speech_is_not_the_outlets_voice_and_does_not_fail_the_gate(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Senator Smith said the report was a witch hunt.\n", encoding="utf-8")
    result = run("scan", "--format", "json", str(story))
    (finding,) = json.loads(result.stdout)["articles"][0]["findings"]
    assert (finding["excerpt"], finding["context"], finding["quote"]) == ("witch hunt", ["reported-speech"], None)
    assert result.exit_code == 0 and "said by named speakers (quoted or reported)" in result.stderr
    assert run("scan", "--fail-scope", "all", str(story)).exit_code == 1
    outlet = tmp_path / "outlet.txt"
    outlet.write_text("The report was a witch hunt.\n", encoding="utf-8")
    assert run("scan", str(outlet)).exit_code == 1


def test_a_word_that_is_the_storys_subject_is_not_repetition(default_engine) -> None:
    """"Mayor sues paper that called him a liar" must say "liar" again and again (issue 27)."""
    def repeated(text: str) -> list[Finding]:
        return [f for f in scan(default_engine, text).findings if f.rule_id == "repeated-loaded-phrase"]

    headline = ("Mayor sues paper over liar claim\n\nThe mayor sued the paper that branded him a liar in an editorial "
                "last week.\n\nHis lawyers say a liar is what he is not. Whether he is a liar is for the court.\n")
    assert not repeated(headline)
    mentioned = ('The paper called him a "liar" last week.\n\nThe liar claim spread fast.\n\n'
                 "Now everybody says he is a liar.\n")
    assert not repeated(mentioned)
    labelled = "Critics called him a liar.\n\nThe liar spoke again.\n\nThe liar will not stop.\n"
    assert not repeated(labelled)
    hammered = "The liar spoke.\n\nThe liar lied again.\n\nNobody believes the liar any more.\n"
    assert len(repeated(hammered)) == 2


# -- stacked framing -----------------------------------------------------------------------

def stacked(report) -> list[Finding]:
    return [f for f in report.findings if f.rule_id == "stacked-framing"]


def test_a_sentence_with_two_devices_is_reported_once_and_weighs_nothing(default_engine) -> None:
    text = "Officials met on Monday.\n\nThe brutal crackdown terrorised the protesters on Sunday. It ended at noon.\n"
    report = scan(default_engine, text)
    (sentence,) = stacked(report)
    assert sentence.excerpt == "The brutal crackdown terrorised the protesters on Sunday."
    assert sentence.message == ('this sentence stacks 2 framing devices: loaded-adjective "brutal", '
                                'loaded-verb-terrorise "terrorised"')
    assert (sentence.line, sentence.column, sentence.severity) == (3, 1, Severity.INFO)
    devices = [f for f in report.findings if f.rule_id != "stacked-framing"]
    assert report.score.total_weight == pytest.approx(sum(default_engine.scoring.contribution(f) for f in devices))
    assert default_engine.scoring.contribution(sentence) == 0


@pytest.mark.parametrize("text", [
    "The brutal crackdown began. It terrorised the protesters.",  # one device a sentence
    "The crackdown was not brutal and it did not terrorise anyone.",  # denied: not the outlet's claim
    "The crackdown terrorised the protesters!",  # the exclamation covers its sentence: one device besides
])
def test_single_denied_or_sentence_wide_devices_do_not_stack(default_engine, text: str) -> None:
    report = scan(default_engine, text)
    assert not stacked(report), [f.rule_id for f in report.findings]


def test_a_run_on_sentence_is_too_long_to_report_and_many_devices_are_summarised(default_engine) -> None:
    devices = "The brutal, barbaric, savage crackdown terrorised the protesters"
    assert stacked(scan(default_engine, devices + "."))[0].message.endswith("and 1 more")
    long = devices + ", " + ", ".join(["and then the town went on with its ordinary day"] * 6) + "."
    assert len(long.split()) > 50 and not stacked(scan(default_engine, long))


# -- intensity ---------------------------------------------------------------------------

def test_an_exclamation_spans_its_sentence(default_engine) -> None:
    text = 'Officials met on Monday. This is, frankly, a total disgrace!! "We will win!" he said.'
    exclamations = [f.excerpt for f in scan(default_engine, text).findings if f.rule_id == "exclamation"]
    assert exclamations == ["This is, frankly, a total disgrace!!"]


@pytest.mark.parametrize(("text", "reported"), [
    ("Good morning, Kyiv! The council lied again!", ["The council lied again!"]),
    ("Dear readers! Dear Cardinal, there is only one answer: No!", ["Dear Cardinal, there is only one answer: No!"]),
    ("Шановні воїни, побратими! Шановні земляки, ворог знову атакує наші міста!",
     ["Шановні земляки, ворог знову атакує наші міста!"]),
    ("Висловлюємо щирі співчуття рідним! Увага! Увага, ворог знову бреше!", ["Увага, ворог знову бреше!"]),
    ("Дорогие земляки! Желаем вам здоровья! Друзья Путина опять приехали!", ["Друзья Путина опять приехали!"]),
])
def test_an_exclamation_of_etiquette_is_not_reported(default_engine, text: str, reported: list[str]) -> None:
    """Greetings, an address that is the whole sentence, condolences, wishes and a bare alert end
    in "!" by etiquette; the same opening followed by a claim is the outlet's tone."""
    assert [f.excerpt for f in scan(default_engine, text).findings if f.rule_id == "exclamation"] == reported


@pytest.mark.parametrize("text", [
    "HANNITY: The memo is out, and it is not good for anybody who thought otherwise.\nHannity said it was not.",
    "The World Health Organization (WHO) said who was infected, and who was not, in the region.",
    "Readers of VDARE.COM know the site, as the com crowd says, and the readers keep reading it.",
    "WHO said it. WHO repeated it. WHO will say it again, and who would doubt it now.",
])
def test_labels_acronyms_and_addresses_are_not_shouting(default_engine, text: str) -> None:
    assert not [f for f in scan(default_engine, text).findings if f.rule_id == "shouted-capitals"]


def test_an_ordinary_word_in_capitals_is_shouting(default_engine) -> None:
    text = "He is NOT a Democrat, whatever the papers say, and he was not one before."
    assert [f.excerpt for f in scan(default_engine, text).findings if f.rule_id == "shouted-capitals"] == ["NOT"]
