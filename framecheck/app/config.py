"""Project configuration: ``.framecheck.yaml`` or ``[tool.framecheck]`` in ``pyproject.toml``.

The file is found by walking up from the first scanned path (or given with ``--config``).
Paths in it are relative to the file's folder. Command-line options override it: options
that take one value replace the file's value; ``--rules`` and ``--plugin`` add to its lists.
"""

from __future__ import annotations

import fnmatch
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any

from ..core.errors import FramecheckError, PackError
from ..core.located_yaml import Checker, LocatedDict, load_located_yaml
from ..core.model import MAX_FACTOR, MODEL_MODES, Severity
from ..core.taxonomy import TECHNIQUES
from ..engine.scoring import PART_KEYS, SEVERITY_KEYS, ScoringModel, model_from_settings
from ..inputs.readers import DEFAULT_MAX_BYTES
from ..languages.detect import checked_language

YAML_NAMES = (".framecheck.yaml", ".framecheck.yml")
PYPROJECT = "pyproject.toml"
FAIL_ON = ("info", "warning", "error", "never")
# Which findings may fail the check: own-voice leaves out what a named speaker is quoted as
# saying and site chrome (both are still reported, marked); all counts every active finding.
FAIL_SCOPES = ("own-voice", "all")
MIN_REGEX_TIMEOUT, MAX_REGEX_TIMEOUT = 0.01, 600.0  # seconds per million characters


@dataclass(frozen=True)
class Config:
    """The resolved settings of a run (defaults where neither file nor command line says)."""

    path: str | None = None
    rules: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    no_default_rules: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str = "warning"
    min_severity: str = "info"  # findings below it are left out of reports (they still count in scores)
    fail_scope: str = "own-voice"
    fail_on_empty: bool = False
    max_score: float | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    follow_symlinks: bool = False  # directory walks read links to files outside the folder
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    format: str = "text"
    output: tuple[str, ...] = ()
    require_reason: bool = False
    regex_timeout: float = 2.0
    plugin_timeout: float = 60.0
    document_timeout: float = 600.0
    max_bytes: int = DEFAULT_MAX_BYTES
    input_format: str | None = None
    text_field: str = "text"
    id_field: str = "id"
    baseline: str | None = None
    scoring: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    model_mode: str = "both"
    language: str | None = None  # None: told per document (framecheck.languages.detect)

    @property
    def root(self) -> Path:
        """The folder that relative paths and globs in the configuration refer to."""
        return Path(self.path).parent if self.path else Path.cwd()

    def scoring_model(self) -> ScoringModel:
        return model_from_settings(self.scoring)

    def severity_overrides(self) -> dict[str, Severity]:
        return {rule: Severity.parse(level) for rule, level in self.severity.items()}

    def wants(self, path: Path) -> bool:
        """Whether a file found by walking a directory is scanned under include/exclude."""
        if not self.include and not self.exclude:
            return True  # the common case; resolving every path costs ~40 ms per 1,000 files
        relative = _relative_posix(path, self.root)
        if self.include and not any(_glob_match(relative, pattern) for pattern in self.include):
            return False
        return not self.excluded(path, relative)

    def excluded(self, path: Path, relative: str | None = None) -> bool:
        """Whether ``path`` matches an ``exclude`` glob. Files named on the command line are
        checked against it only with ``force-exclude`` (pre-commit names every staged file)."""
        if not self.exclude:
            return False
        relative = relative if relative is not None else _relative_posix(path, self.root)
        return any(_glob_match(relative, pattern) for pattern in self.exclude)

    def ignored_for(self, source: str) -> frozenset[str]:
        """Rule and technique ids that ``per-file-ignores`` turns off for the document ``source``
        (a path, or ``path#record`` in a corpus)."""
        if not self.per_file_ignores:
            return frozenset()
        relative = _relative_posix(Path(source.partition("#")[0]), self.root)
        return frozenset(
            rule for pattern, rules in self.per_file_ignores.items() if _glob_match(relative, pattern) for rule in rules
        )

    def to_dict(self) -> dict[str, Any]:
        """The settings under the keys a configuration file uses, so that the output of
        ``framecheck config`` is itself a valid configuration."""
        settings = {f.name.replace("_", "-"): _plain(getattr(self, f.name)) for f in fields(self) if f.name != "path"}
        settings["scoring"] = self.scoring_model().to_settings()  # every factor in use, not only those set
        return settings


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return list(value) if isinstance(value, tuple) else value


_FORMAT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def split_output(entry: str) -> tuple[str | None, str]:
    """``FORMAT=FILE`` -> (FORMAT, FILE); a plain ``FILE`` -> (None, FILE).

    Anything before ``=`` that could be a format name is taken as one, so a mistyped format
    is an error rather than a file named ``jsn=r.json`` (write ``./a=b.json`` for that)."""
    name, equals, target = entry.partition("=")
    if equals and _FORMAT_NAME.match(name):
        return name, target
    return None, entry


def _relative_posix(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return PurePosixPath(path.as_posix()).as_posix()


def _glob_match(relative: str, pattern: str) -> bool:
    """fnmatch, where ``**/`` may also match nothing and a bare folder name matches below it."""
    pattern = pattern.rstrip("/")
    candidates = {pattern, pattern[3:] if pattern.startswith("**/") else pattern}
    return any(
        fnmatch.fnmatchcase(relative, candidate) or fnmatch.fnmatchcase(relative, candidate + "/*")
        for candidate in candidates
    )


_SCORING_MAPS = {"severity": SEVERITY_KEYS, "part": PART_KEYS, "bands": ("elevated", "high"),
                 "technique": tuple(TECHNIQUES)}
_SCORING_NUMBERS = ("quote-named", "quote-unnamed", "scale", "prior-words")
_SIZE = re.compile(r"\s*(\d+)\s*([KMG]i?B?|B)?\s*", re.IGNORECASE)


def parse_size(value: int | str) -> int:
    """A size in bytes: a whole number, or one with K, M or G (powers of 1024): "64M"."""
    if isinstance(value, int) and not isinstance(value, bool):
        number, unit = value, ""
    else:
        match = _SIZE.fullmatch(str(value))
        if match is None:
            raise ValueError(f"{value!r} is not a size (a number of bytes, or with K, M or G: 64M)")
        number, unit = int(match.group(1)), (match.group(2) or "").upper()
    size = number * {"K": 2**10, "M": 2**20, "G": 2**30}.get(unit[:1], 1)
    if size <= 0:
        raise ValueError(f"{value!r} must be more than 0 bytes")
    return size


def _factor(value: Any) -> bool:
    """A scoring factor: finite, from 0 to MAX_FACTOR, so that scores stay finite."""
    return _non_negative(value) and value <= MAX_FACTOR


def _non_negative(value: Any) -> bool:
    """A number a setting can use: not a boolean, finite (YAML's .nan and .inf are refused), >= 0."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


# Each reader takes (key, value already of the setting's type, the configuration's folder) and
# returns the value the Config holds, or raises ValueError with the message to show.
SettingReader = Callable[[str, Any, Path], Any]


def _as_is(_key: str, value: Any, _folder: Path) -> Any:
    return value


def _one_of(choices: tuple[str, ...]) -> SettingReader:
    def read(key: str, value: str, _folder: Path) -> str:
        if value not in choices:
            raise ValueError(f"{key!r} must be one of {', '.join(choices)}, not {value!r}")
        return value

    return read


def _seconds(low: float = 0.0, high: float = math.inf) -> SettingReader:
    def read(key: str, value: float, _folder: Path) -> float:
        if not _non_negative(value):
            raise ValueError(f"{key!r} must be a finite, non-negative number, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{key!r} must be between {low} and {high} seconds")
        return value

    return read


def _prefixed(convert: Callable[[Any], Any]) -> SettingReader:
    """A reader whose converter's own message follows the key ("'max-bytes': ...")."""

    def read(key: str, value: Any, _folder: Path) -> Any:
        try:
            return convert(value)
        except ValueError as exc:
            raise ValueError(f"{key!r}: {exc}") from None

    return read


def _severities(_key: str, value: dict, _folder: Path) -> dict[str, str]:
    for rule, level in value.items():
        try:
            Severity.parse(str(level))
        except ValueError as exc:
            raise ValueError(f"severity of {rule!r}: {exc}") from None
    return {str(rule): str(level) for rule, level in value.items()}


def _per_file_ignores(_key: str, value: dict, _folder: Path) -> dict[str, tuple[str, ...]]:
    checked: dict[str, tuple[str, ...]] = {}
    for pattern, rules in value.items():
        if isinstance(rules, str):
            rules = [rules]
        if not isinstance(pattern, str) or not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
            raise ValueError("'per-file-ignores' must map globs to lists of rule or technique ids")
        checked[pattern] = tuple(rules)
    return checked


def _scoring(_key: str, value: dict, _folder: Path) -> dict:
    for key, item in value.items():
        if key == "context":  # reviewers name their own contexts, so any name may be given a factor
            if not isinstance(item, dict) or not all(isinstance(k, str) and _factor(v) for k, v in item.items()):
                raise ValueError("scoring.context must map context names to numbers from 0 to 1000")
        elif key in _SCORING_MAPS:
            allowed = _SCORING_MAPS[key]
            if not isinstance(item, dict) or any(k not in allowed for k in item) or not all(
                _factor(v) for v in item.values()
            ):
                raise ValueError(f"scoring.{key} must map {', '.join(allowed)} to numbers from 0 to 1000")
        elif key in _SCORING_NUMBERS:
            if not _factor(item):
                raise ValueError(f"scoring.{key} must be a number from 0 to 1000")
        else:
            allowed = ", ".join([*_SCORING_MAPS, "context", *_SCORING_NUMBERS])
            raise ValueError(f"unknown key {key!r} in scoring (allowed: {allowed})")
    return {str(k): dict(v) if isinstance(v, dict) else v for k, v in value.items()}


def _paths(_key: str, value: tuple[str, ...], folder: Path) -> tuple[str, ...]:
    """Paths relative to the configuration's folder."""
    return tuple(str(folder / item) if not Path(item).is_absolute() else item for item in value)


def _path(_key: str, value: str, folder: Path) -> str:
    return str(folder / value)


def _plugins(_key: str, value: tuple[str, ...], folder: Path) -> tuple[str, ...]:
    """Plugin files relative to the configuration's folder; module names as they are."""
    return tuple(str(folder / item) if item.endswith(".py") else item for item in value)


def _outputs(_key: str, value: tuple[str, ...], folder: Path) -> tuple[str, ...]:
    """``output`` entries with their files relative to the configuration's folder."""
    located = []
    for entry in value:
        name, target = split_output(entry)
        where = target if Path(target).is_absolute() else str(folder / target)
        located.append(where if name is None else f"{name}={where}")
    return tuple(located)


@dataclass(frozen=True)
class Setting:
    """One key of a configuration file: the Config field it sets, the type it must have (a
    list is a list of strings), how it reads, and whether null means "not set"."""

    field: str
    kind: type | tuple[type, ...]
    label: str
    read: SettingReader = _as_is
    nullable: bool = False

    def value(self, key: str, value: Any, folder: Path) -> Any:
        if value is None and self.nullable:
            return None
        if (isinstance(value, bool) and self.kind is not bool) or not isinstance(value, self.kind):
            raise ValueError(f"{key!r} must be a {self.label}")
        if self.kind is list:
            if not all(isinstance(item, str) for item in value):
                raise ValueError(f"{key!r} must be a {self.label}")
            value = tuple(value)
        return self.read(key, value, folder)


NUMBER = (int, float)
SETTINGS: dict[str, Setting] = {
    "rules": Setting("rules", list, "list of paths", _paths),
    "plugins": Setting("plugins", list, "list of modules or paths", _plugins),
    "no-default-rules": Setting("no_default_rules", bool, "boolean"),
    "select": Setting("select", list, "list of rule or technique ids"),
    "ignore": Setting("ignore", list, "list of rule or technique ids"),
    "severity": Setting("severity", dict, "mapping of rule id to info, warning or error", _severities),
    "fail-on": Setting("fail_on", str, "one of info, warning, error, never", _one_of(FAIL_ON)),
    "min-severity": Setting("min_severity", str, "one of info, warning, error", _one_of(SEVERITY_KEYS)),
    "fail-scope": Setting("fail_scope", str, "one of own-voice, all", _one_of(FAIL_SCOPES)),
    "fail-on-empty": Setting("fail_on_empty", bool, "boolean"),
    "max-score": Setting("max_score", NUMBER, "number", _seconds(), nullable=True),
    "include": Setting("include", list, "list of globs"),
    "exclude": Setting("exclude", list, "list of globs"),
    "force-exclude": Setting("force_exclude", bool, "boolean"),
    "respect-gitignore": Setting("respect_gitignore", bool, "boolean"),
    "follow-symlinks": Setting("follow_symlinks", bool, "boolean"),
    "per-file-ignores": Setting("per_file_ignores", dict, "mapping of glob to a list of rule or technique ids",
                                _per_file_ignores),
    "format": Setting("format", str, "format name"),
    "output": Setting("output", list, "list of FORMAT=FILE", _outputs),
    "require-reason": Setting("require_reason", bool, "boolean"),
    "regex-timeout": Setting("regex_timeout", NUMBER, "number", _seconds(MIN_REGEX_TIMEOUT, MAX_REGEX_TIMEOUT)),
    "max-bytes": Setting("max_bytes", (int, str), "size in bytes, or with K, M or G (64M)", _prefixed(parse_size)),
    "plugin-timeout": Setting("plugin_timeout", NUMBER, "number of seconds (0: no limit)", _seconds()),
    "document-timeout": Setting("document_timeout", NUMBER, "number of seconds (0: no limit)", _seconds()),
    "input-format": Setting("input_format", str, "reader name", nullable=True),
    "text-field": Setting("text_field", str, "string"),
    "id-field": Setting("id_field", str, "string"),
    "baseline": Setting("baseline", str, "path", _path, nullable=True),
    "model": Setting("model", str, "path to a model file from 'framecheck train'", _path, nullable=True),
    "model-mode": Setting("model_mode", str, "one of filter, add, both", _one_of(MODEL_MODES)),
    "language": Setting("language", str, "language code (en, uk, ru, ...) or auto", _prefixed(checked_language),
                        nullable=True),
    "scoring": Setting("scoring", dict, "mapping (severity, part, context, technique, quote-named, quote-unnamed, "
                       "scale, prior-words, bands)",
                       _scoring),
}


def _error(path: Path, line: int | None, message: str) -> FramecheckError:
    where = f"{path}:{line}" if line else str(path)
    return FramecheckError(f"{where}: {message}")


class _ConfigChecker(Checker):
    """The line-tracking checker packs use, its errors those of a configuration."""

    def fail(self, line: int | None, message: str) -> FramecheckError:  # type: ignore[override]
        return _error(Path(self.path), line, message)


def _parse(data: Any, path: Path, where: str) -> Config:
    """A configuration's settings, each checked and read by its entry in SETTINGS."""
    check = _ConfigChecker(str(path))
    if not isinstance(data, dict):
        raise check.fail(getattr(data, "line", None), f"{where} must be a mapping of settings")
    data = data if isinstance(data, LocatedDict) else LocatedDict.without_lines(data)
    check.check_keys(data, SETTINGS, where)
    values: dict[str, Any] = {}
    for key, value in data.items():
        setting = SETTINGS[key]
        try:
            values[setting.field] = setting.value(key, value, path.parent)
        except ValueError as exc:
            raise check.fail(data.line_of(key), str(exc)) from None
    return Config(path=str(path), **values)


def load_config(path: Path) -> Config:
    """Read one configuration file; a problem is an error naming the file (and line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _error(path, None, f"cannot read configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _error(path, None, "configuration is not valid UTF-8") from None
    if path.name == PYPROJECT:
        table = _pyproject_table(text, path)
        return _parse(table if table is not None else {}, path, "[tool.framecheck]")
    try:
        data = load_located_yaml(text, path)
    except PackError as exc:
        raise FramecheckError(str(exc)) from None
    return _parse(data if data is not None else LocatedDict(), path, "framecheck configuration")


def framecheck_table(pyproject: Path, text: str | None = None) -> dict | None:
    """The [tool.framecheck] table of ``pyproject`` (or of ``text``, as that file would hold
    it), None when it has none; invalid TOML is an error naming the file."""
    return _pyproject_table(pyproject.read_text(encoding="utf-8-sig") if text is None else text, pyproject)


def _pyproject_table(text: str, path: Path) -> dict | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _error(path, None, f"invalid TOML: {exc}") from None
    return document.get("tool", {}).get("framecheck")


def find_config(start: Path) -> Path | None:
    """The nearest configuration at or above ``start``: YAML first, then a pyproject table."""
    folder = start if start.is_dir() else start.parent
    for candidate in [folder.resolve(), *folder.resolve().parents]:
        for name in YAML_NAMES:
            if (candidate / name).is_file():
                return candidate / name
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and "[tool.framecheck" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


def resolve_config(explicit: str | None, scanned: list[str]) -> Config:
    """The configuration for a run: ``--config``, else the nearest file, else defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FramecheckError(f"{explicit}: configuration file not found")
        return load_config(path)
    first = next((p for p in scanned if p != "-"), None)
    found = find_config(Path(first) if first else Path.cwd())
    return load_config(found) if found else Config()
