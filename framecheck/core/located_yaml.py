"""A safe YAML loader that remembers where every mapping key and list item came from.

Rule packs are written by people, so a validation error must point at the line to fix. The
loader also refuses what a rule pack never needs and an attacker could abuse: anchors and
aliases (the "billion laughs" expansion), duplicate keys (silently overwritten by plain
YAML), and any Python-object tag (SafeLoader's own refusal).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import PackError, did_you_mean

if TYPE_CHECKING:
    import yaml


class LocatedDict(dict):
    """A mapping that knows its own line and the line of each of its keys."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    @classmethod
    def without_lines(cls, data: dict, line: int = 0) -> LocatedDict:
        """A mapping that did not come from YAML (a pyproject table, an absent section), every
        key placed at ``line`` (0: no line to name)."""
        located = cls(data)
        located.line, located.key_lines = line, {}
        return located


class LocatedList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@functools.lru_cache(maxsize=None)
def _loaders() -> tuple[type, type]:
    """(base loader, located loader), built on first use: a scan whose packs come from the
    cache and that has no config file never imports PyYAML (~25 ms of start-up)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 5-10x faster

    class PackLoader(base):  # type: ignore[misc, valid-type]
        """A safe loader with located mappings and lists (see the constructors below)."""

    PackLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    PackLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
    return base, PackLoader


def _reject_aliases(text: str) -> None:
    """Refuse anchors and aliases before anything is composed, so a YAML bomb never expands."""
    if "*" not in text and "&" not in text:
        return
    import yaml

    for event in yaml.parse(text, Loader=_loaders()[0]):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases are not allowed in rule packs", problem_mark=event.start_mark
            )


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> Any:
    import yaml

    data = LocatedDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in data
        except TypeError:
            raise yaml.MarkedYAMLError(
                problem="a mapping key must be a plain value", problem_mark=key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> Any:
    data = LocatedList()
    data.line = node.start_mark.line + 1
    data.item_lines = []
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + 1)


def load_located_yaml(text: str, path: Path | str) -> Any:
    """Parse one YAML document, turning any parse problem into a PackError with its line."""
    import yaml

    try:
        _reject_aliases(text)
        return yaml.load(text, Loader=_loaders()[1])  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise PackError(str(path), line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise PackError(str(path), None, f"invalid YAML: {exc}") from None


class Checker:
    """Validation helpers bound to one YAML file, so every error names the file and the line
    (rule packs, language folders and the configuration all read their files with one)."""

    def __init__(self, path: str):
        self.path = path

    def choice(self, mapping: LocatedDict, key: str, choices: Sequence[str], default: str) -> str:
        value = self.typed(mapping, key, str, "string", default)
        if value not in choices:
            suffix = did_you_mean(value, choices) or ""
            raise self.fail(mapping.line_of(key), f"{key!r} must be one of {', '.join(choices)}, not {value!r}{suffix}")
        return value

    def fail(self, line: int | None, message: str) -> PackError:
        return PackError(self.path, line, message)

    def document(self, data: Any, keys: Sequence[str], *, kind: str, shape: str, version: int) -> LocatedDict:
        """The file's top-level mapping (``shape`` says what it must be), with only ``keys`` and a
        ``format`` this framecheck reads."""
        if not isinstance(data, LocatedDict):
            raise self.fail(getattr(data, "line", 1), f"{shape}, not {describe(data)}")
        self.check_keys(data, keys, kind)
        found = self.typed(data, "format", int, "whole number", version)
        if found != version:
            raise self.fail(data.line_of("format"),
                            f"unsupported {kind} format {found} (this framecheck reads format {version})")
        return data

    def check_keys(self, mapping: LocatedDict, allowed: Iterable[str], what: str) -> None:
        allowed = list(allowed)
        for key in mapping:
            if key not in allowed:
                suffix = did_you_mean(str(key), allowed) or f" (allowed: {', '.join(allowed)})"
                where = f" in {what}" if what else ""
                raise self.fail(mapping.line_of(key), f"unknown key {key!r}{where}{suffix}")

    def require(self, mapping: LocatedDict, key: str, what: str) -> Any:
        if key not in mapping or mapping[key] is None:
            raise self.fail(mapping.line, f"{what} is missing required key {key!r}")
        return mapping[key]

    def typed(self, mapping: LocatedDict, key: str, kind: type | tuple[type, ...], label: str,
              default: Any = None) -> Any:
        if key not in mapping:
            return default
        value = mapping[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            value = None  # YAML's true/false are not numbers here
        if not isinstance(value, kind):
            raise self.fail(mapping.line_of(key), f"{key!r} must be a {label}, not {describe(mapping[key])}")
        return value

    def string_list(self, mapping: LocatedDict, key: str, *, allow_single: bool = False) -> tuple[str, ...]:
        if key not in mapping:
            return ()
        value = mapping[key]
        if allow_single and isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(mapping.line_of(key), f"{key!r} must be a list of strings")
        return tuple(value)


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    names = {dict: "a mapping", LocatedDict: "a mapping", list: "a list", LocatedList: "a list", bool: "a boolean"}
    return names.get(type(value), f"{type(value).__name__} {value!r}")
