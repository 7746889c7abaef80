"""--select and --ignore: by rule or technique id, and a typo is an error with the closest id."""

from __future__ import annotations

import pytest

from framecheck.core.errors import FramecheckError
from framecheck.core.resources import bundled_rules_dir
from framecheck.engine.selection import Selection, filtered_packs, require_known
from framecheck.packs.loading import load_packs


def test_select_keeps_and_ignore_drops_by_rule_or_technique() -> None:
    selection = Selection(frozenset({"distrust-call", "loaded-verb-terrorise"}), frozenset({"distrust-fakes-warning"}))
    assert selection.allows("distrust-only-our-channel", "distrust-call")
    assert selection.allows("loaded-verb-terrorise", "loaded-language")
    assert not selection.allows("distrust-fakes-warning", "distrust-call")
    assert not selection.allows("doubt-questioning", "doubt")
    assert Selection().allows("anything", "doubt")


def test_an_unknown_id_is_an_error_naming_the_setting_and_the_closest_id() -> None:
    with pytest.raises(FramecheckError, match=r"--select: unknown rule or technique 'distrust-cal' \(did you mean "
                                              r"'distrust-call'\?\)"):
        Selection(frozenset({"distrust-cal"})).check_known({"distrust-call", "doubt"})
    require_known(["doubt"], {"doubt"}, "severity")  # a known id passes


def test_filtered_packs_keep_only_the_allowed_rules() -> None:
    packs = load_packs([bundled_rules_dir() / "en"])
    kept = filtered_packs(packs, Selection(frozenset({"distrust-call"})))
    assert len(kept) == len(packs)  # every pack stays, with only its allowed rules
    assert {rule.info.technique for pack in kept for rule in pack.rules} == {"distrust-call"}
