"""Rule packs load when valid, and fail with file:line: rule 'id': problem when not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from framecheck.core.errors import PackError
from framecheck.core.model import Severity
from framecheck.packs.loading import load_pack, load_packs

GOOD = """\
format: 1
id: newsroom-style
name: Our newsroom style
version: "2.1"
description: House rules.
rules:
  - id: loaded-verbs
    technique: loaded-language
    severity: error
    weight: 2
    message: loaded verb
    case: sensitive
    patterns:
      - terroris(e|ed)
      - regex: '\\bregime\\b'
    exceptions:
      - regime change
    why: >
      Because it judges.
    suggest: attack
    examples:
      match: [They terrorised us.]
      no_match: [They attacked us.]
"""


def write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_valid_pack_loads_with_every_field(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, GOOD))
    assert (pack.id, pack.name, pack.version, pack.language) == ("newsroom-style", "Our newsroom style", "2.1", "en")
    (rule,) = pack.rules
    info = rule.info
    assert (info.id, info.technique, info.severity, info.weight) == ("loaded-verbs", "loaded-language", Severity.ERROR, 2.0)
    assert info.patterns == ("terroris(e|ed)", "regex: \\bregime\\b")
    assert info.exceptions == ("regime change",)
    assert info.suggest == ("attack",)
    assert info.why == "Because it judges."
    assert info.examples.match == ("They terrorised us.",)
    assert info.origin.endswith("mine.yaml:7")


def replace_line(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


INVALID = [
    (replace_line("    patterns:", "    paterns:"), 13, "rule 'loaded-verbs': unknown key 'paterns' (did you mean 'patterns'?)"),
    (replace_line("technique: loaded-language", "technique: loaded-langauge"), 8, "unknown technique 'loaded-langauge' (did you mean 'loaded-language'?)"),
    (replace_line("severity: error", "severity: fatal"), 9, "unknown severity 'fatal'"),
    (replace_line("weight: 2", "weight: heavy"), 10, "'weight' must be a number, not str 'heavy'"),
    (replace_line("weight: 2", "weight: true"), 10, "'weight' must be a number, not a boolean"),
    (replace_line("weight: 2", "weight: -1"), 10, "'weight' must be a number from 0 to 100, not -1.0"),
    (replace_line("weight: 2", "weight: .nan"), 10, "'weight' must be a number from 0 to 100, not nan"),
    (replace_line("weight: 2", "weight: .inf"), 10, "'weight' must be a number from 0 to 100, not inf"),
    (replace_line("case: sensitive", "case: loud"), 12, "'case' must be one of insensitive, sensitive"),
    (replace_line("      - regex: '\\bregime\\b'", "      - regex: '(unclosed'"), 15, "invalid regex '(unclosed'"),
    (replace_line("      - terroris(e|ed)", "      - terroris(e|ed"), 14, "is never closed"),
    (replace_line("      - terroris(e|ed)", "      - {glob: x}"), 14, "must be a phrase string, {phrase: ...} or {regex: ...}"),
    (replace_line("  - id: loaded-verbs", "  - id: Loaded Verbs"), 7, "rule id 'Loaded Verbs' must be lower-case"),
    (replace_line("    message: loaded verb\n", ""), 7, "rule is missing required key 'message'"),
    (replace_line("name: Our newsroom style", "nmae: Our newsroom style"), 3, "unknown key 'nmae' in pack (did you mean 'name'?)"),
    (replace_line("format: 1", "format: 2"), 1, "unsupported pack format 2"),
    (replace_line("      match: [They terrorised us.]", "      matches: [They terrorised us.]"), 22, "unknown key 'matches' in examples (did you mean 'match'?)"),
    (GOOD + GOOD[GOOD.index("  - id: loaded-verbs"):], 24, "duplicate rule id (first defined at line 7)"),
    (replace_line("version:", "name: twice\nversion:"), 4, "duplicate key 'name'"),
    (replace_line("description: House rules.", "description: &d House rules.\nlicense: *d"), 5, "anchors and aliases are not allowed"),
    (replace_line("description: House rules.", "description: !!python/object/apply:os.system [echo hi]"), 5, "invalid YAML"),
    (replace_line("    weight: 2", "    weight: [2"), 11, "invalid YAML"),
]


@pytest.mark.parametrize(("text", "line", "message"), INVALID, ids=[case[2][:48] for case in INVALID])
def test_invalid_packs_name_file_line_and_rule(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PackError) as caught:
        load_pack(path)
    error = str(caught.value)
    assert error.startswith(f"{path}:{line}: "), error
    assert message in error


def test_a_pack_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"mine.yaml:1: a rule pack must be a mapping"):
        load_pack(write(tmp_path, "- just\n- a list\n"))


def test_rule_ids_are_unique_across_packs(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, "a.yaml")
    second = write(tmp_path, GOOD.replace("id: newsroom-style", "id: other-pack"), "b.yaml")
    with pytest.raises(PackError) as caught:
        load_packs([first, second])
    assert str(caught.value) == f"{second}:7: rule 'loaded-verbs': duplicate rule id (already defined at {first}:7)"


def test_a_directory_of_packs_loads_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, GOOD.replace("loaded-verbs", "zeta-rule").replace("newsroom-style", "pack-z"), "sub/z.yml")
    write(tmp_path, GOOD.replace("loaded-verbs", "alpha-rule").replace("newsroom-style", "pack-a"), "a.yaml")
    (tmp_path / "notes.txt").write_text("not a pack")
    assert [p.id for p in load_packs([tmp_path])] == ["pack-a", "pack-z"]


def test_missing_pack_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no such rule pack"):
        load_packs([tmp_path / "absent.yaml"])


def test_non_utf8_pack_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(PackError, match="not valid UTF-8"):
        load_pack(path)


def test_rules_check_hints_at_regexes_that_run_at_every_position(tmp_path: Path) -> None:
    from helpers import REPO, run

    pack = tmp_path / "slow.yaml"
    pack.write_text(textwrap.dedent("""\
        id: slow
        name: Slow
        rules:
          - id: slow-superlative
            technique: exaggeration
            message: m
            patterns:
              - regex: '\\b(?:the\\s+)?worst\\s+ever\\b'
              - regex: '\\bworst\\s+ever\\b'
              - regex: '\\p{Lu}{4,}'
    """), encoding="utf-8")
    result = run("rules", "check", str(pack))
    assert result.exit_code == 0 and "1 pack, 1 rule: OK" in result.stdout
    hints = result.stderr.strip().splitlines()
    assert len(hints) == 1  # the literal-led regex is fast; regex-only syntax is not judged
    assert hints[0].startswith(f"framecheck: hint: {pack}:4: rule 'slow-superlative': regex")
    assert "(?:the" in hints[0] and "does not start with a fixed word" in hints[0]
    shipped = run("rules", "check", str(REPO / "rules"))
    assert shipped.exit_code == 0 and shipped.stderr == ""  # the shipped packs follow the advice
