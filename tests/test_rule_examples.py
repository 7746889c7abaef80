"""Every shipped rule proves itself: each `match` example is flagged by that rule, each
`no_match` example is not. Rules from YAML packs and from bundled plugins alike."""

from __future__ import annotations

import pytest
from helpers import make_engine

from framecheck.app.packtest import example_hits
from framecheck.core.model import RuleInfo

SHIPPED_RULES = make_engine().rules()
CASES = [
    pytest.param(rule, text, expected, id=f"{rule.id}-{'match' if expected else 'no_match'}-{index}")
    for rule in SHIPPED_RULES
    for expected, texts in ((True, rule.examples.match), (False, rule.examples.no_match))
    for index, text in enumerate(texts)
]


def test_the_default_rules_include_packs_and_the_bundled_plugin() -> None:
    origins = {rule.origin.split(":")[0] for rule in SHIPPED_RULES}
    assert {"framecheck", "plugin"} <= origins
    assert len(SHIPPED_RULES) >= 8


@pytest.mark.parametrize("rule", SHIPPED_RULES, ids=[r.id for r in SHIPPED_RULES])
def test_every_shipped_rule_is_documented_and_has_both_kinds_of_example(rule: RuleInfo) -> None:
    assert rule.examples.match, "needs at least one example that must match"
    assert rule.examples.no_match, "needs at least one example that must not match"
    assert rule.message and rule.why, "needs a message and a 'why'"


@pytest.mark.parametrize(("rule", "text", "expected"), CASES)
def test_rule_example(default_engine, rule: RuleInfo, text: str, expected: bool) -> None:
    hits = example_hits(default_engine, rule, text)
    assert bool(hits) == expected, f"{rule.id} on {text!r}: {hits or 'no finding'}"
