"""Baselines: today's findings recorded, so that only new ones fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import make_engine

from framecheck.app.baseline import Baseline, baseline_entries, write_baseline
from framecheck.core.errors import FramecheckError
from framecheck.inputs.readers import text_document


def test_written_entries_load_back_keyed_by_the_article_s_path_relative_to_the_baseline(tmp_path: Path) -> None:
    article = tmp_path / "articles" / "a.txt"
    article.parent.mkdir()
    report = make_engine().scan(text_document(str(article), "They terrorised the town. Do not fall for fakes!"))
    entries = baseline_entries(report)
    assert {e["rule_id"] for e in entries} >= {"loaded-verb-terrorise", "distrust-fakes-warning"}
    count = write_baseline(tmp_path / "baseline.json", [(str(article), entries), ("<stdin>", [])])
    stored = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert count == len(entries) and list(stored["articles"]) == ["articles/a.txt"]
    loaded = Baseline.load(tmp_path / "baseline.json")
    assert loaded.fingerprints(str(article)) == {e["fingerprint"] for e in entries}
    assert loaded.fingerprints(str(tmp_path / "other.txt")) == frozenset()


def test_waived_findings_are_not_recorded() -> None:
    text = "framecheck: ignore[loaded-verb-terrorise] reason=\"verdict\"\nThey terrorised the town."
    report = make_engine().scan(text_document("a.txt", text))
    assert [e["rule_id"] for e in baseline_entries(report)] == []


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", r"not a framecheck baseline \(invalid JSON"),
    ('{"baseline_version": 9, "articles": {}}', "expected baseline_version 1"),
])
def test_a_file_that_is_not_a_baseline_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "b.json").write_text(content, encoding="utf-8")
    with pytest.raises(FramecheckError, match=message):
        Baseline.load(tmp_path / "b.json")
    with pytest.raises(FramecheckError, match="cannot read baseline"):
        Baseline.load(tmp_path / "missing.json")
