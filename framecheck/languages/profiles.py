"""Each language's word lists, read from a ``language.yaml`` in the folder beside its packs.

Everything framecheck knows of a language besides its rules is data: how to tell its texts
from those of other languages in the same script, its sentence abbreviations, its speech verbs,
its negation and condition words, its intensifiers, its site-chrome phrases, its lemma
dictionary and the wording of a starter pack. Adding a language is adding a folder with a
``language.yaml`` (and packs); no code changes. The format is in docs/languages.md.

A run's :class:`Languages` are the shipped ones plus any found in its rule folders. They are
immutable values handed to whatever needs them; nothing here is global state but the cache of
the shipped set, which never changes within a process.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import regex

from ..core.cache import cached
from ..core.errors import PackError
from ..core.located_yaml import Checker, LocatedDict, describe, load_located_yaml
from ..core.resources import bundled_rules_dir, display_path

LANGUAGE_FILE = "language.yaml"
FORMAT_VERSION = 1
LATIN = "Latin"

# The word lists a language.yaml may hold, by section (their meaning: docs/languages.md). Each
# list is merged over every language of a run (a Ukrainian text may quote a Russian condition word).
WORD_LISTS: dict[str, tuple[str, ...]] = {
    "speech": ("verbs", "stems", "pronouns", "not-names", "unnamed", "needs-that", "circumstance-words"),
    "negation": ("negations", "emphatic-after", "ceasing-verbs", "conditions", "labelling-verbs", "not-a-label",
                 "describing-verbs"),
    "intensity": ("intensifiers", "not-intensified", "courtesy"),
    "boilerplate": ("headings", "promotions"),
}
# Lists of regular expressions (matched case-blind), checked when the file is read.
PATTERN_LISTS = (("intensity", "courtesy"), ("boilerplate", "headings"), ("boilerplate", "promotions"))
DETECTION_KEYS = ("letters", "letter-weight", "words", "preferred")
SCAFFOLD_KEYS = ("match-kind", "description", "source", "rule", "technique", "message", "why", "suggest", "patterns",
                 "exceptions", "match", "no-match", "heading", "closing")
SCAFFOLD_LISTS = ("suggest", "patterns", "exceptions")
TOP_KEYS = ("format", "language", "name", "script", "detection", "morphology", "abbreviations", "scaffold",
            *WORD_LISTS)
_CODE = regex.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, eq=False)
class Language:
    """One language's profile, as its ``language.yaml`` gives it."""

    code: str
    name: str
    script: str  # a Unicode script name: Latin, Cyrillic, Greek, Arabic, ...
    path: str
    letters: str = ""  # letters that tell it from the other languages of its script
    letter_weight: float = 1.0
    words: frozenset[str] = frozenset()  # common words, for short texts without telling letters
    preferred: bool = False  # taken when the evidence is even among its script's languages
    morphology: str | None = None  # the pymorphy3 dictionary module lemma phrases use
    abbreviations: tuple[str, ...] = ()
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "section.key" -> words
    scaffold: dict[str, Any] = field(default_factory=dict)

    def words_of(self, section: str, key: str) -> tuple[str, ...]:
        return self.lists.get(f"{section}.{key}", ())


class _LanguageChecker(Checker):
    def word_list(self, mapping: LocatedDict, key: str) -> tuple[str, ...]:
        words = self.string_list(mapping, key)
        for index, word in enumerate(words):
            if not word.strip():
                raise self.fail(mapping[key].line_of(index), f"{key!r} has an empty entry")
        return words


def _read(data: Any, path: str) -> Language:
    check = _LanguageChecker(path)
    data = check.document(data, TOP_KEYS, kind="language file", shape="a language file must be a mapping",
                          version=FORMAT_VERSION)
    check.require(data, "language", "a language file")
    code = check.typed(data, "language", str, "string")
    if not _CODE.match(code):
        raise check.fail(data.line_of("language"), f"'language' must be a two- or three-letter code, not {code!r}")
    name = check.typed(data, "name", str, "string", code)
    script = check.typed(data, "script", str, "string", LATIN)
    try:
        regex.compile(rf"\p{{Script={script}}}")
    except regex.error:
        raise check.fail(data.line_of("script"), f"unknown script {script!r} (a Unicode script name: Latin, "
                                                 "Cyrillic, Greek, ...)") from None
    detection = _section(check, data, "detection", DETECTION_KEYS)
    weight = check.typed(detection, "letter-weight", (int, float), "number", 1.0)
    if not weight > 0:
        raise check.fail(detection.line_of("letter-weight"), "'letter-weight' must be above 0")
    lists: dict[str, tuple[str, ...]] = {}
    for section, keys in WORD_LISTS.items():
        block = _section(check, data, section, keys)
        for key in keys:
            words = check.word_list(block, key)
            if words:
                lists[f"{section}.{key}"] = words
    _check_patterns(check, data, lists)
    _check_stems(check, data, lists)
    scaffold = _section(check, data, "scaffold", SCAFFOLD_KEYS)
    return Language(
        code=code, name=name, script=script, path=path,
        letters=check.typed(detection, "letters", str, "string", ""), letter_weight=float(weight),
        words=frozenset(word.lower() for word in check.word_list(detection, "words")),
        preferred=check.typed(detection, "preferred", bool, "boolean", False),
        morphology=check.typed(data, "morphology", str, "string"),
        abbreviations=check.word_list(data, "abbreviations"), lists=lists,
        scaffold={key: tuple(value) if key in SCAFFOLD_LISTS else value for key, value in scaffold.items()},
    )


def _section(check: Checker, data: LocatedDict, key: str, keys: Sequence[str]) -> LocatedDict:
    block = data.get(key)
    if block is None:
        return LocatedDict.without_lines({}, data.line_of(key))
    if not isinstance(block, LocatedDict):
        raise check.fail(data.line_of(key), f"{key!r} must be a mapping, not {describe(block)}")
    check.check_keys(block, keys, key)
    return block


def _check_patterns(check: Checker, data: LocatedDict, lists: dict[str, tuple[str, ...]]) -> None:
    for section, key in PATTERN_LISTS:
        block = data.get(section)
        for index, source in enumerate(lists.get(f"{section}.{key}", ())):
            try:
                regex.compile(source, regex.IGNORECASE)
            except regex.error as exc:
                raise check.fail(block[key].line_of(index), f"invalid regex {source!r}: {exc}") from None


def _check_stems(check: Checker, data: LocatedDict, lists: dict[str, tuple[str, ...]]) -> None:
    """Every speech verb must contain a stem: a quote near no stem is never searched for a speaker."""
    stems = [stem.lower() for stem in lists.get("speech.stems", ())]
    for index, verb in enumerate(lists.get("speech.verbs", ())):
        if not any(stem in verb.lower() for stem in stems):
            raise check.fail(data["speech"]["verbs"].line_of(index),
                             f"speech verb {verb!r} contains none of the 'stems'; add one that it contains")


def load_language(path: Path | str) -> Language:
    """A language file, validated; errors name the file and the line. Cached on disk by content."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackError(str(path), None, f"cannot read the language file: {exc.strerror or exc}") from None
    shown = display_path(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PackError(shown, None, "a language file must be UTF-8") from None
    return cached("language", shown, data, lambda: _read(load_located_yaml(text, shown), shown))


def language_files(paths: Iterable[Path | str]) -> list[Path]:
    """The language files under rule paths: a folder's own ``language.yaml`` and its subfolders'."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(path.rglob(LANGUAGE_FILE)))
        elif path.name == LANGUAGE_FILE and path.is_file():
            found.append(path)
    return found


def checked_language_files(paths: Iterable[Path | str]) -> tuple[int, list[PackError]]:
    """How many language files under ``paths`` load, and the problem of each that does not."""
    loaded, problems = 0, []
    for path in language_files(paths):
        try:
            load_language(path)
            loaded += 1
        except PackError as exc:
            problems.append(exc)
    return loaded, problems


@dataclass(frozen=True, eq=False)
class Languages:
    """The languages of one run, by code, and what is merged over all of them."""

    profiles: tuple[Language, ...]

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for profile in self.profiles:
            if profile.code in seen:
                raise PackError(profile.path, None, f"language {profile.code!r} is defined twice "
                                                    f"(also in {seen[profile.code]})")
            seen[profile.code] = profile.path

    def with_files(self, files: Iterable[Path | str]) -> Languages:
        """These languages and those of more language files."""
        extra = tuple(load_language(path) for path in files)
        return self if not extra else Languages(self.profiles + extra)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(profile.code for profile in self.profiles))

    def get(self, code: str) -> Language | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Language]:
        return {profile.code: profile for profile in self.profiles}

    def words(self, section: str, key: str) -> tuple[str, ...]:
        """One list merged over every language, in language order, without repeats."""
        return tuple(dict.fromkeys(word for profile in self.profiles for word in profile.words_of(section, key)))

    @cached_property
    def scripts(self) -> tuple[str, ...]:
        """The scripts of these languages, Latin first (a text as much in Latin as in another
        script is read as Latin), then by name."""
        return tuple(sorted({profile.script for profile in self.profiles}, key=lambda s: (s != LATIN, s)))

    def of_script(self, script: str) -> tuple[Language, ...]:
        return tuple(profile for profile in self.profiles if profile.script == script)

    @cached_property
    def abbreviations(self) -> str:
        """Every language's sentence abbreviations as one regex alternation ("Mr|Mrs|U\\.S|...")."""
        return alternation(dict.fromkeys(word for profile in self.profiles for word in profile.abbreviations))

    @cached_property
    def pronoun_speakers(self) -> frozenset[str]:
        return frozenset(word.lower() for word in self.words("speech", "pronouns"))

    @cached_property
    def unnamed_speakers(self) -> frozenset[str]:
        """A vague crowd or an anonymous source: "critics", "officials", "джерела"."""
        return frozenset(word.casefold() for word in self.words("speech", "unnamed"))

    @cached_property
    def not_names(self) -> frozenset[str]:
        return frozenset(word.lower() for word in self.words("speech", "not-names"))

    @cached_property
    def _speech_by_script(self) -> list[tuple[regex.Pattern | None, str, tuple[str, ...]]]:
        """(a letter of the script, or None for Latin; its languages' verbs; their stems), other
        scripts first: a window with a letter of one is searched for that script's verbs only
        (each list costs ~10 ms to compile, so Latin-script quotes never compile the others)."""
        found = []
        for script in (*self.scripts[1:], self.scripts[0]) if self.scripts else ():
            members = self.of_script(script)
            verbs = tuple(dict.fromkeys(v for member in members for v in member.words_of("speech", "verbs")))
            stems = tuple(dict.fromkeys(s.lower() for member in members for s in member.words_of("speech", "stems")))
            if verbs:
                found.append((None if script == LATIN else self.script_letters[script], alternation(verbs), stems))
        return found

    def speech_verbs_in(self, window: str) -> str | None:
        """The speech verbs (a regex alternation) that could occur in ``window``: those of the
        script its letters are in, or None when no stem occurs in it (a cheap test that spares
        most quotes, scare quotes and titles, the speaker patterns)."""
        lowered = None
        for letter, verbs, stems in self._speech_by_script:
            if letter is None or letter.search(window):
                lowered = window.lower() if lowered is None else lowered
                return verbs if any(stem in lowered for stem in stems) else None
        return None

    @cached_property
    def script_letters(self) -> dict[str, regex.Pattern]:
        return {script: regex.compile(rf"\p{{Script={script}}}") for script in self.scripts}

    @cached_property
    def script_runs(self) -> dict[str, regex.Pattern]:
        return {script: regex.compile(rf"\p{{Script={script}}}+") for script in self.scripts}


def alternation(words: Iterable[str]) -> str:
    """Words as a regex alternation, each matched literally."""
    return "|".join(regex.escape(word) for word in words)


def _bundled_files() -> list[Path]:
    return sorted(bundled_rules_dir().glob(f"*/{LANGUAGE_FILE}"))


@functools.cache
def bundled_languages() -> Languages:
    """The shipped languages (one folder each under ``rules/``)."""
    return Languages(tuple(load_language(path) for path in _bundled_files()))


def run_languages(rule_paths: Sequence[Path | str] = ()) -> Languages:
    """The shipped languages and those in a run's rule folders. A shipped language file named
    again, or a copy of one (a source checkout's ``rules/`` beside an installed framecheck), is
    the same language, not a second definition of it."""
    shipped_folder = bundled_rules_dir().resolve()
    found = language_files(path for path in rule_paths if Path(path).resolve() != shipped_folder)
    if not found:
        return bundled_languages()
    shipped = {path.read_bytes() for path in _bundled_files()}
    return bundled_languages().with_files(path for path in found if path.read_bytes() not in shipped)
