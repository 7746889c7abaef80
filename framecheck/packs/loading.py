"""Load and validate YAML rule packs (format v1).

Validation happens once, at load time, and every problem is reported as
``file:line: rule 'id': what is wrong``: the pack author should never have to guess.
The format is documented in ``docs/rule-packs.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.cache import cached
from ..core.errors import PackError, did_you_mean
from ..core.located_yaml import Checker, LocatedDict, LocatedList, describe, load_located_yaml
from ..core.model import MAX_WEIGHT, Examples, RuleInfo, Severity, usable_weight
from ..core.resources import bundled_rules_dir, display_path
from ..core.taxonomy import TECHNIQUES
from ..languages.detect import ANY, LANGUAGE_CODE, primary
from ..languages.profiles import LANGUAGE_FILE, Languages
from .indexes import CompiledPatterns
from .lemmas import LemmaPatterns, LemmaPhrase, LexiconError, check_language, prepare_phrase
from .phrases import (
    MAX_PHRASE_CHARACTERS_PER_PACK,
    MAX_VARIANTS_PER_PACK,
    MAX_VARIANTS_PER_RUN,
    PatternError,
    expand_phrase,
    variant_bounds,
)
from .regex_safety import (
    MAX_REPETITION,
    MAX_REPETITION_PER_PACK,
    MAX_REPETITION_PER_RUN,
    compile_source,
    repetition_product,
    starts_with_literal,
)

FORMAT_VERSION = 1
PACK_SUFFIXES = (".yaml", ".yml")
RULE_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")

PACK_KEYS = ("format", "id", "name", "version", "language", "match", "description", "license", "sources", "rules")
RULE_KEYS = (
    "id",
    "technique",
    "severity",
    "message",
    "weight",
    "patterns",
    "exceptions",
    "case",
    "word_boundary",
    "match",
    "extent",
    "examples",
    "why",
    "suggest",
    "replace",
    "references",
    "enabled",
)
EXAMPLE_KEYS = ("match", "no_match")
PATTERN_KINDS = ("phrase", "regex")
CASE_CHOICES = ("insensitive", "sensitive")
MATCH_CHOICES = ("literal", "lemma")
EXTENT_CHOICES = ("match", "clause", "sentence")


@dataclass(frozen=True)
class PackRule:
    """A validated rule with its patterns compiled, ready for the matcher."""

    info: RuleInfo
    patterns: CompiledPatterns
    exceptions: CompiledPatterns | None
    enabled: bool = True
    # ``match: lemma``: the phrases, each word standing for all its forms (regexes stay above).
    lemma_patterns: LemmaPatterns | None = None
    lemma_exceptions: LemmaPatterns | None = None
    # What a finding covers: the words matched, or the clause or sentence that holds them.
    extent: str = "match"

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class Pack:
    """One rule-pack file."""

    path: str
    id: str
    name: str
    version: str
    language: str
    description: str
    license: str
    sources: tuple[str, ...]
    rules: tuple[PackRule, ...]


class _Checker(Checker):
    """The checker of one pack file: also carries the pack-wide settings every rule starts from."""

    def __init__(self, path: str, languages: Languages | None = None):
        super().__init__(path)
        self.languages = languages
        self.rule_id: str | None = None
        self.language = "en"
        self.match = "literal"
        self.dictionary_checked = False  # whether the pack language's dictionary is installed

    def require_dictionary(self, line: int | None) -> None:
        """The pack language's dictionary must exist and be installed (checked once a pack)."""
        if not self.dictionary_checked:
            try:
                check_language(self.language, self.languages)
            except LexiconError as exc:
                raise self.fail(line, str(exc)) from None
            self.dictionary_checked = True

    def fail(self, line: int | None, message: str) -> PackError:
        return PackError(self.path, line, message, self.rule_id)


def _read_patterns(check: _Checker, rule: LocatedDict, key: str) -> list[tuple[str, str, int]]:
    """The (kind, source, line) of each item of a pattern list; kind is 'phrase' or 'regex'."""
    items = rule.get(key)
    if not isinstance(items, list) or (key == "patterns" and not items):
        raise check.fail(rule.line_of(key), f"{key!r} must be a non-empty list of phrases or {{regex: ...}} items")
    parsed = []
    for index, item in enumerate(items):
        line = items.line_of(index) if isinstance(items, LocatedList) else rule.line_of(key)
        if isinstance(item, str):
            parsed.append(("phrase", item, line))
        elif isinstance(item, dict) and len(item) == 1 and next(iter(item)) in PATTERN_KINDS:
            kind, source = next(iter(item.items()))
            if not isinstance(source, str) or not source:
                raise check.fail(line, f"{key!r} item {index + 1}: {kind!r} must be a non-empty string")
            parsed.append((kind, source, line))
        else:
            raise check.fail(line, f"{key!r} item {index + 1} must be a phrase string, {{phrase: ...}} or {{regex: ...}}")
    return parsed


def _compile_patterns(
    check: _Checker, rule: LocatedDict, key: str, *, ignore_case: bool, word_boundary: bool, lemma: bool = False
) -> tuple[CompiledPatterns, LemmaPatterns | None, tuple[str, ...]]:
    """The rule's regexes and literal phrases compiled, and with ``lemma`` its phrases as
    lemma phrases instead; and the patterns as ``rules show`` lists them."""
    items = _read_patterns(check, rule, key)
    phrases = [source for kind, source, _ in items if kind == "phrase"]
    regexes = [source for kind, source, _ in items if kind == "regex"]
    prepared: list[LemmaPhrase] = []  # the lemma phrases' variants
    for kind, source, line in items:
        try:
            if kind == "phrase" and lemma:
                check.require_dictionary(line)
                prepared.extend(prepare_phrase(source))
            elif kind == "phrase":
                expand_phrase(source)
            else:
                compile_source(source, ignore_case=ignore_case)
        except (PatternError, LexiconError) as exc:
            raise check.fail(line, str(exc)) from None
    lemma_patterns = None
    if lemma:
        if phrases:
            lemma_patterns = LemmaPatterns(tuple(dict.fromkeys(prepared)), tuple(phrases), check.language)
        phrases = []
    compiled = CompiledPatterns.build(phrases, regexes, ignore_case=ignore_case, word_boundary=word_boundary)
    shown = tuple(phrases) + (lemma_patterns.shown if lemma_patterns else ()) + tuple(f"regex: {s}" for s in regexes)
    return compiled, lemma_patterns, shown


def _replacements(check: _Checker, rule: LocatedDict) -> tuple[str, ...]:
    """``replace``: literal text for the matched words, offered as a fix (an editor's quick fix,
    SARIF ``fixes``); one line each, so a fix never rewrites more than the span."""
    replacements = check.string_list(rule, "replace", allow_single=True)
    for text in replacements:
        if "\n" in text or "\r" in text or text != text.strip():
            raise check.fail(rule.line_of("replace"),
                             f"a replacement is one line without leading or trailing spaces, not {text!r}")
    return replacements


def _read_examples(check: _Checker, rule: LocatedDict) -> Examples:
    examples = check.typed(rule, "examples", dict, "mapping with 'match' and 'no_match' lists", LocatedDict())
    if not isinstance(examples, LocatedDict):
        return Examples()
    check.check_keys(examples, EXAMPLE_KEYS, "examples")
    return Examples(check.string_list(examples, "match"), check.string_list(examples, "no_match"))


def _read_rule(check: _Checker, rule: Any, line: int, pack_id: str) -> PackRule:
    check.rule_id = None
    if not isinstance(rule, LocatedDict):
        raise check.fail(line, f"each rule must be a mapping, not {describe(rule)}")
    rule_id = check.require(rule, "id", "rule")
    if not isinstance(rule_id, str) or not RULE_ID_RE.match(rule_id):
        raise check.fail(rule.line_of("id"), f"rule id {rule_id!r} must be lower-case letters, digits and '-'")
    check.rule_id = rule_id
    check.check_keys(rule, RULE_KEYS, "")  # the "rule 'id':" prefix says where

    technique = check.require(rule, "technique", "rule")
    if technique not in TECHNIQUES:
        suffix = did_you_mean(str(technique), TECHNIQUES) or " (see 'framecheck rules techniques')"
        raise check.fail(rule.line_of("technique"), f"unknown technique {technique!r}{suffix}")
    try:
        severity = Severity.parse(check.typed(rule, "severity", str, "string", "warning"))
    except ValueError as exc:
        raise check.fail(rule.line_of("severity"), str(exc)) from None
    message = check.require(rule, "message", "rule")
    if not isinstance(message, str) or not message.strip():
        raise check.fail(rule.line_of("message"), "'message' must be a non-empty string")
    weight = float(check.typed(rule, "weight", (int, float), "number", 1.0))
    if not usable_weight(weight):
        raise check.fail(rule.line_of("weight"), f"'weight' must be a number from 0 to {MAX_WEIGHT:g}, not {weight}")
    case = check.typed(rule, "case", str, "string", "insensitive")
    if case not in CASE_CHOICES:
        raise check.fail(rule.line_of("case"), f"'case' must be one of {', '.join(CASE_CHOICES)}, not {case!r}")
    word_boundary = check.typed(rule, "word_boundary", bool, "boolean", True)
    lemma = check.choice(rule, "match", MATCH_CHOICES, check.match) == "lemma"
    if lemma and case == "sensitive":
        raise check.fail(rule.line_of("case"), "'match: lemma' compares words case-insensitively; "
                                               "use 'match: literal' for a case-sensitive rule")
    extent = check.choice(rule, "extent", EXTENT_CHOICES, "match")
    options = {"ignore_case": case == "insensitive", "word_boundary": word_boundary, "lemma": lemma}

    check.require(rule, "patterns", "rule")
    patterns, lemma_patterns, shown_patterns = _compile_patterns(check, rule, "patterns", **options)
    exceptions, lemma_exceptions, shown_exceptions = None, None, ()
    if "exceptions" in rule:
        exceptions, lemma_exceptions, shown_exceptions = _compile_patterns(check, rule, "exceptions", **options)

    info = RuleInfo(
        id=rule_id,
        technique=technique,
        severity=severity,
        message=message.strip(),
        weight=weight,
        why=" ".join(check.typed(rule, "why", str, "string", "").split()),
        suggest=check.string_list(rule, "suggest", allow_single=True),
        replace=_replacements(check, rule),
        references=check.string_list(rule, "references"),
        examples=_read_examples(check, rule),
        patterns=shown_patterns,
        exceptions=shown_exceptions,
        origin=f"{check.path}:{rule.line}",
        pack=pack_id,
        language=check.language,
    )
    enabled = check.typed(rule, "enabled", bool, "boolean", True)
    return PackRule(info, patterns, exceptions, enabled, lemma_patterns, lemma_exceptions, extent)


def _check_variant_total(check: _Checker, rules: LocatedList) -> None:
    """Refuse, before anything is built, a pack whose phrases expand to more variants than
    MAX_VARIANTS_PER_PACK or spell out more than MAX_PHRASE_CHARACTERS_PER_PACK characters, or
    whose regexes repeat their parts more than MAX_REPETITION_PER_PACK times in all: building
    them would cost gigabytes and minutes."""
    total = characters = copies = 0
    for rule in rules:
        if not isinstance(rule, LocatedDict):
            continue
        for key in ("patterns", "exceptions"):
            items = rule.get(key)
            for item in items if isinstance(items, list) else ():
                source = item.get("regex") if isinstance(item, dict) else None
                if isinstance(source, str):
                    product = repetition_product(source)
                    copies += product if product <= MAX_REPETITION else 0  # over it alone: its own error
                phrase = item if isinstance(item, str) else item.get("phrase") if isinstance(item, dict) else None
                if isinstance(phrase, str):
                    try:
                        count, spelled = variant_bounds(phrase)
                    except PatternError:
                        continue  # the rule's own check reports it
                    total += count
                    characters += spelled
            if copies > MAX_REPETITION_PER_PACK:
                check.rule_id = rule.get("id") if isinstance(rule.get("id"), str) else None
                raise check.fail(rule.line_of(key), f"the pack's regexes repeat their parts {copies:,} times in all "
                                                    f"(limit {MAX_REPETITION_PER_PACK:,}); compiling them would take "
                                                    "gigabytes: use fewer or smaller {n} counts")
            if characters > MAX_PHRASE_CHARACTERS_PER_PACK:
                check.rule_id = rule.get("id") if isinstance(rule.get("id"), str) else None
                raise check.fail(rule.line_of(key), f"the pack's phrases spell out more than "
                                                    f"{MAX_PHRASE_CHARACTERS_PER_PACK:,} characters (each costs memory "
                                                    "and start-up time); split the pack or shorten the phrases")
            if total > MAX_VARIANTS_PER_PACK:
                check.rule_id = rule.get("id") if isinstance(rule.get("id"), str) else None
                raise check.fail(rule.line_of(key), f"the pack's phrases expand to more than {MAX_VARIANTS_PER_PACK:,} "
                                                    "variants (each costs memory and start-up time); split the pack "
                                                    "or use fewer (a|b) groups")


def _read_pack(data: Any, path: str, problems: list[PackError] | None = None,
               languages: Languages | None = None) -> Pack:
    """The validated pack. With ``problems``, a broken rule is recorded there and left out,
    so that one run reports every rule's error (``rules check``); without, it raises."""
    check = _Checker(path, languages)
    data = check.document(data, PACK_KEYS, kind="pack", version=FORMAT_VERSION,
                          shape="a rule pack must be a mapping with 'id', 'name' and 'rules'")
    for key in ("id", "name"):
        if not isinstance(check.require(data, key, "pack"), str):
            raise check.fail(data.line_of(key), f"pack {key!r} must be a string")
    if not RULE_ID_RE.match(data["id"]):
        raise check.fail(data.line_of("id"), f"pack id {data['id']!r} must be lower-case letters, digits and '-'")
    rules = check.require(data, "rules", "pack")
    if not isinstance(rules, LocatedList):
        raise check.fail(data.line_of("rules"), "'rules' must be a list of rules")
    _check_variant_total(check, rules)
    language = check.typed(data, "language", str, "string", "en")
    if not LANGUAGE_CODE.match(language):
        raise check.fail(data.line_of("language"), f"'language' must be a language code such as en, uk, ru "
                                                   f"(or 'any' for every language), not {language!r}")
    check.language = language if language == ANY else primary(language)
    check.match = check.choice(data, "match", MATCH_CHOICES, "literal")
    seen: dict[str, int] = {}
    parsed = []
    for index, rule in enumerate(rules):
        try:
            pack_rule = _read_rule(check, rule, rules.line_of(index), data["id"])
            if pack_rule.id in seen:
                raise check.fail(rule.line, f"duplicate rule id (first defined at line {seen[pack_rule.id]})")
        except PackError as error:
            if problems is None:
                raise
            problems.append(error)
            continue
        seen[pack_rule.id] = rule.line
        parsed.append(pack_rule)
    check.rule_id = None
    return Pack(
        path=path,
        id=data["id"],
        name=data["name"],
        version=str(check.typed(data, "version", (str, int, float), "string", "0")),
        language=check.language,
        description=" ".join(check.typed(data, "description", str, "string", "").split()),
        license=check.typed(data, "license", str, "string", ""),
        sources=check.string_list(data, "sources"),
        rules=tuple(parsed),
    )


def performance_hints(pack: Pack) -> list[str]:
    """Advice on rules that will be slow on big corpora (they still work)."""
    hints = []
    for rule in pack.rules:
        compiled = [c for c in (rule.patterns, rule.exceptions) if c is not None]
        for patterns in compiled:
            for source in patterns.raw_sources:
                if starts_with_literal(source, ignore_case=patterns.ignore_case) is False:
                    hints.append(
                        f"{rule.info.origin}: rule {rule.id!r}: regex {source!r} does not start with a fixed "
                        "word, so it is tried at every position of every document; start it with one "
                        "(several regexes if need be) or use phrases"
                    )
    return hints


def load_pack(path: Path | str, shown: str | None = None, problems: list[PackError] | None = None,
              languages: Languages | None = None) -> Pack:
    """Read and validate one pack file; any problem raises PackError naming file and line.

    ``shown`` is the name used in errors and rule origins (default: the path as given). With
    ``problems``, a broken rule is recorded there and left out instead (``rules check``), and the
    pack is not cached.
    """
    shown = shown or str(path)
    try:
        data = Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PackError(shown, None, "rule pack is not valid UTF-8") from None
    except OSError as exc:
        raise PackError(shown, None, f"cannot read rule pack: {exc.strerror or exc}") from None
    if problems is not None:
        return _read_pack(load_located_yaml(text, shown), shown, problems, languages)
    return cached("pack", shown, data, lambda: _read_pack(load_located_yaml(text, shown), shown, None, languages))


class _Registry:
    """The packs of one run so far: a pack id or rule id may be defined once across them."""

    def __init__(self) -> None:
        self.pack_ids: dict[str, str] = {}
        self.rule_origins: dict[str, str] = {}

    def add(self, pack: Pack) -> list[PackError]:
        """Register ``pack``; the ids it repeats, as errors."""
        problems = []
        if pack.id in self.pack_ids:
            also = self.pack_ids[pack.id]
            problems.append(PackError(pack.path, None, f"duplicate pack id {pack.id!r} (also in {also})"))
        self.pack_ids.setdefault(pack.id, pack.path)
        for rule in pack.rules:
            if rule.id in self.rule_origins:
                first = self.rule_origins[rule.id]
                problems.append(PackError(pack.path, _line_of(rule), f"duplicate rule id (already defined at {first})",
                                          rule.id))
            self.rule_origins.setdefault(rule.id, rule.info.origin)
        return problems


def _line_of(rule: PackRule) -> int:
    return int(rule.info.origin.rsplit(":", 1)[1])


def check_packs(paths: Sequence[Path | str], shipped: Mapping[str, str]) -> tuple[list[Pack], list[PackError]]:
    """Every pack below ``paths`` validated without stopping at the first problem: (the packs
    that load, every error in every pack). ``shipped`` maps the ids of the rules framecheck
    ships to where they are defined: a pack rule with one of those ids would clash with it
    in a scan (a copy of a shipped pack file is that pack, not a clash)."""
    packs: list[Pack] = []
    problems: list[PackError] = []
    registry = _Registry()
    files: list[Path] = []
    for root in paths:
        try:
            files.extend(pack_files(root))
        except PackError as error:
            problems.append(error)
    for pack_path in dict.fromkeys(files):
        try:
            pack = load_pack(pack_path, display_path(pack_path), problems)
        except PackError as error:
            problems.append(error)
            continue
        problems += registry.add(pack)
        clashes = [rule for rule in pack.rules if rule.id in shipped and shipped[rule.id] != rule.info.origin]
        if clashes and not _is_shipped_copy(pack_path):
            problems += [PackError(pack.path, _line_of(rule), f"rule id clashes with the shipped rule at "
                                   f"{shipped[rule.id]} (rename it, or scan with --no-default-rules)", rule.id)
                         for rule in clashes]
        packs.append(pack)
    return packs, problems


def _is_shipped_copy(path: Path) -> bool:
    """Whether the file is byte for byte one of the shipped packs (checked out, copied)."""
    data = path.read_bytes()
    return any(data == shipped.read_bytes() for shipped in pack_files(bundled_rules_dir()))


def pack_files(path: Path | str) -> list[Path]:
    """The pack files a path names: itself, or every .yaml/.yml below a directory, sorted."""
    path = Path(path)
    if path.is_dir():
        # A folder's language.yaml describes its language (languages.profiles); it is not a pack.
        return sorted(p for p in path.rglob("*")
                      if p.suffix in PACK_SUFFIXES and p.name != LANGUAGE_FILE and p.is_file())
    if not path.exists():
        raise PackError(str(path), None, "no such rule pack file or directory")
    return [path]


def load_packs(paths: Sequence[Path | str], languages: Languages | None = None) -> list[Pack]:
    """Load every pack below ``paths`` and check that rule ids are unique across them."""
    packs: list[Pack] = []
    registry = _Registry()
    variants = copies = 0
    for pack_path in dict.fromkeys(p for root in paths for p in pack_files(root)):
        pack = load_pack(pack_path, display_path(pack_path), languages=languages)
        variants += sum(len(r.patterns.variants) + (len(r.exceptions.variants) if r.exceptions else 0)
                        for r in pack.rules if r.patterns is not None)
        if variants > MAX_VARIANTS_PER_RUN:
            raise PackError(pack.path, None, f"the packs of this run expand to more than {MAX_VARIANTS_PER_RUN:,} "
                                             "phrase variants; load fewer or smaller packs")
        copies += sum(repetition_product(source) for r in pack.rules for patterns in (r.patterns, r.exceptions)
                      if patterns is not None for source in patterns.raw_sources)
        if copies > MAX_REPETITION_PER_RUN:
            raise PackError(pack.path, None, f"the regexes of this run's packs repeat their parts more than "
                                             f"{MAX_REPETITION_PER_RUN:,} times in all; load fewer or smaller packs")
        problems = registry.add(pack)
        if problems:
            raise problems[0]
        packs.append(pack)
    return packs
