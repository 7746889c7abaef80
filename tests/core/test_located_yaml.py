"""The safe YAML loader and the checker every user-written file is read with."""

from __future__ import annotations

import pytest

from framecheck.core.errors import PackError
from framecheck.core.located_yaml import Checker, LocatedDict, describe, load_located_yaml


def test_keys_and_items_remember_their_lines() -> None:
    data = load_located_yaml("a: 1\nb:\n  - x\n  - y\n", "f.yaml")
    assert isinstance(data, LocatedDict)
    assert (data.line_of("a"), data.line_of("b"), data["b"].line_of(1)) == (1, 2, 4)


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
    ("a: &x [1]\nb: *x\n", 1, "anchors and aliases are not allowed"),
    ("a: !!python/object:os.system x\n", 1, "invalid YAML"),
    ("a: [1\n", 2, "invalid YAML"),
])
def test_what_a_file_never_needs_is_refused_with_its_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(PackError) as caught:
        load_located_yaml(text, "f.yaml")
    message = str(caught.value)
    assert caught.value.line == line and problem in message and message.startswith(f"f.yaml:{line}:")


def test_the_checker_names_file_line_and_a_close_key() -> None:
    data = load_located_yaml("name: x\nfromat: 1\ncount: yes\n", "f.yaml")
    check = Checker("f.yaml")
    with pytest.raises(PackError, match=r"^f\.yaml:2: unknown key 'fromat' in pack \(did you mean 'format'\?\)"):
        check.check_keys(data, ("name", "format", "count"), "pack")
    with pytest.raises(PackError, match=r"^f\.yaml:3: 'count' must be a whole number, not a boolean"):
        check.typed(data, "count", int, "whole number")
    assert check.typed(data, "missing", str, "string", "default") == "default"
    assert check.string_list(load_located_yaml("l: one\n", "f"), "l", allow_single=True) == ("one",)
    with pytest.raises(PackError, match="'l' must be a list of strings"):
        check.string_list(load_located_yaml("l: [1]\n", "f"), "l")


def test_describe_names_a_value_for_an_error() -> None:
    described = [describe(v) for v in (None, {}, [], True, 3)]
    assert described == ["nothing (null)", "a mapping", "a list", "a boolean", "int 3"]
