"""Configuration files are read through one table of settings, each checked with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from framecheck.app.config import SETTINGS, Config, load_config, parse_size
from framecheck.core.errors import FramecheckError


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / ".framecheck.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_every_setting_sets_a_config_field() -> None:
    fields = set(Config.__dataclass_fields__)
    assert {setting.field for setting in SETTINGS.values()} <= fields


def test_paths_are_relative_to_the_file_and_values_are_read(tmp_path: Path) -> None:
    config = load(tmp_path, "rules: [style/house.yaml, /abs/p.yaml]\nplugins: [mine.py, a_module]\n"
                            "baseline: b.json\noutput: [sarif=out/r.sarif]\nmax-bytes: 2M\nlanguage: uk-UA\n"
                            "severity: {doubt: error}\nper-file-ignores: {\"opinion/**\": loaded-language}\n")
    assert config.rules == (str(tmp_path / "style/house.yaml"), "/abs/p.yaml")
    assert config.plugins == (str(tmp_path / "mine.py"), "a_module")
    assert config.baseline == str(tmp_path / "b.json") and config.output == (f"sarif={tmp_path / 'out/r.sarif'}",)
    assert config.max_bytes == 2 * 2**20 and config.language == "uk"
    assert config.severity == {"doubt": "error"} and config.per_file_ignores == {"opinion/**": ("loaded-language",)}


@pytest.mark.parametrize(("text", "message"), [
    ("fail-on: loud\n", ":1: 'fail-on' must be one of info, warning, error, never, not 'loud'"),
    ("\nmax-score: .nan\n", ":2: 'max-score' must be a finite, non-negative number"),
    ("regex-timeout: 900\n", ":1: 'regex-timeout' must be between 0.01 and 600.0 seconds"),
    ("select: [a, 1]\n", ":1: 'select' must be a list of rule or technique ids"),
    ("no-default-rules: 1\n", ":1: 'no-default-rules' must be a boolean"),
    ("max-bytes: lots\n", ":1: 'max-bytes': 'lots' is not a size"),
    ("language: english\n", ":1: 'language': 'english' is not a language code"),
    ("severity: {doubt: loud}\n", ":1: severity of 'doubt':"),
    ("scoring: {scale: -1}\n", ":1: scoring.scale must be a number from 0 to 1000"),
    ("rulez: []\n", ":1: unknown key 'rulez' in framecheck configuration (did you mean 'rules'?)"),
])
def test_a_bad_value_is_one_error_naming_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(FramecheckError) as caught:
        load(tmp_path, text)
    assert str(caught.value).startswith(str(tmp_path / ".framecheck.yaml")) and message in str(caught.value)


def test_null_means_not_set_where_the_default_is_not_set(tmp_path: Path) -> None:
    config = load(tmp_path, "max-score: null\nbaseline: null\nlanguage: null\n")
    assert (config.max_score, config.baseline, config.language) == (None, None, None)
    with pytest.raises(FramecheckError, match="'fail-on' must be a one of"):
        load(tmp_path, "fail-on: null\n")


def test_a_pyproject_table_is_read_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.framecheck]\nfail-on = "error"\nexclude = ["drafts/**"]\n', encoding="utf-8")
    config = load_config(path)
    assert config.fail_on == "error" and config.exclude == ("drafts/**",)


def test_sizes() -> None:
    assert [parse_size(v) for v in (512, "1K", "64M", "1g", " 2 MiB ")] == [512, 1024, 64 * 2**20, 2**30, 2 * 2**20]
    for bad in ("0", "-1", "1T", True):
        with pytest.raises(ValueError):
            parse_size(bad)
