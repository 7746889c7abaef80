"""The configuration file is the base; what the command line gives replaces or adds to it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import run

from framecheck.cli.options import split_ids


def test_given_options_replace_settings_and_lists_add_to_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".framecheck.yaml").write_text("fail-on: error\nrules: [a.yaml]\nexclude: [x/**]\nlanguage: uk\n",
                                               encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    shown = yaml.safe_load(run("config", "--rules", "b.yaml", "--language", "en").stdout)
    assert shown["fail-on"] == "error"  # not given: the file's
    assert shown["language"] == "en"  # given: replaces
    assert shown["rules"] == [str(tmp_path / "a.yaml"), "b.yaml"]  # lists add


def test_ids_are_split_on_commas_deduplicated_in_order() -> None:
    assert split_ids(["a,b", " b , c", ""]) == ("a", "b", "c")


@pytest.mark.parametrize(("args", "message"), [
    (["scan", "--max-score", "nan", "x"], "nan is not a finite number"),
    (["scan", "--max-bytes", "lots", "x"], "'lots' is not a size"),
    (["scan", "--language", "english", "x"], "'english' is not a language code"),
])
def test_a_bad_option_value_is_a_usage_error(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr
