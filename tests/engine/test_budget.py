"""Time budgets: a block over its seconds is stopped, a block within them is untouched."""

from __future__ import annotations

import time

import pytest

from framecheck.engine.budget import OverBudget, budget, enforced


@pytest.mark.skipif(not enforced(), reason="budgets need SIGALRM on the main thread")
def test_a_block_past_its_budget_is_stopped_with_its_label() -> None:
    started = time.monotonic()
    with pytest.raises(OverBudget) as caught:
        with budget(0.2, "plugin 'slow'"):
            while True:
                pass
    assert time.monotonic() - started < 5
    assert "plugin 'slow'" in str(caught.value)


def test_a_block_within_its_budget_or_without_one_runs_to_the_end() -> None:
    with budget(5.0, "quick"):
        done = sum(range(1000))
    with budget(None, "unbounded"):
        done += 1
    with budget(0, "zero means no limit"):
        done += 1
    assert done == 499502


@pytest.mark.skipif(not enforced(), reason="budgets need SIGALRM on the main thread")
def test_nested_budgets_stop_at_the_inner_one() -> None:
    with pytest.raises(OverBudget) as caught:
        with budget(10.0, "document"):
            with budget(0.2, "plugin"):
                time.sleep(3)
    assert "plugin" in str(caught.value)
