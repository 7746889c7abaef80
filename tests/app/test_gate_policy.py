"""The gate: which articles fail, and why, in words."""

from __future__ import annotations

from helpers import SEED, make_engine

from framecheck.app.config import Config
from framecheck.app.gate import GatePolicy
from framecheck.core.model import Severity
from framecheck.inputs.readers import text_document


def report_of(text: str):
    return make_engine().scan(text_document("story.txt", text))


def test_findings_at_or_above_the_threshold_fail_with_a_reason() -> None:
    report = make_engine().scan(text_document(str(SEED), SEED.read_text(encoding="utf-8")))
    failures, left_out = GatePolicy(Severity.WARNING).judge(report)
    assert [(f.kind, f.reason) for f in failures] == [("findings", "4 findings at or above warning")] and left_out == 0
    failures, _ = GatePolicy(Severity.ERROR).judge(report)
    assert [f.reason for f in failures] == ["2 findings at or above error"]
    assert GatePolicy(None).judge(report) == ([], 0)


def test_a_score_over_the_limit_fails_on_its_own() -> None:
    report = make_engine().scan(text_document(str(SEED), SEED.read_text(encoding="utf-8")))
    failures, _ = GatePolicy(None, max_score=40).judge(report)
    assert [(f.kind, f.reason) for f in failures] == [("score", "score 81/100 is above --max-score 40")]


def test_own_voice_leaves_named_speakers_quotes_out_and_says_how_many() -> None:
    report = report_of('"They terrorised the town," Mayor Jane Smith said.\n')
    assert GatePolicy(Severity.WARNING).judge(report) == ([], 1)
    failures, left_out = GatePolicy(Severity.WARNING, scope="all").judge(report)
    assert len(failures) == 1 and left_out == 0


def test_the_policy_comes_from_the_configuration() -> None:
    configured = Config(fail_on="never", max_score=30, fail_scope="all")
    assert GatePolicy.from_config(configured) == GatePolicy(None, 30, "all")
    assert GatePolicy.from_config(Config()) == GatePolicy(Severity.WARNING, None, "own-voice")
