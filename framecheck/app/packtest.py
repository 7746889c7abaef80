"""Tools for rule-pack authors: run a pack's examples and annotated test articles, scaffold a pack.

Annotated test articles sit next to a pack: ``NAME.test.md`` (or ``.txt``/``.html``) beside
``NAME.yaml``, or any article in a ``NAME.tests/`` folder. A line carrying
``<!-- expect: rule-id -->`` must get a finding of that rule; a line carrying
``<!-- ok: rule-id -->`` must not. A marker alone on its line applies to the next non-blank
line. A finding of a tested rule on a line that expects nothing is a failure too, so a test
article documents every finding it produces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import FramecheckError
from ..core.model import Document, RuleInfo
from ..core.offsets import LINE_BREAK
from ..engine.engine import Engine
from ..engine.plugins import get_plugin_manager
from ..inputs.markup import ARTICLE_EXTENSIONS, HtmlReader, MarkdownReader
from ..inputs.readers import Input, ReaderSet, ReadOptions, TextReader, text_document
from ..languages.detect import ANY
from ..languages.profiles import Languages, bundled_languages
from ..packs.loading import RULE_ID_RE, load_packs

MARKER = re.compile(r"<!--\s*(?P<kind>expect|ok)\s*:\s*(?P<rules>[a-z0-9][a-z0-9,\s-]*?)\s*-->")


@dataclass(frozen=True)
class TestResult:
    passed: bool
    rule_id: str
    where: str
    detail: str


def example_hits(engine: Engine, rule: RuleInfo, text: str) -> list[str]:
    """What ``rule`` flags in one of its examples, the example read in the rule's pack's
    language (a short example may not tell it by its letters)."""
    document = text_document("<example>", text, languages=engine.languages)
    if rule.language not in ("", ANY):
        document.language = rule.language
    return [f.excerpt for f in engine.scan(document).findings if rule.id in f.rule_ids]


def _example_results(engine: Engine, rule_ids: Iterable[str]) -> list[TestResult]:
    rules = {rule.id: rule for rule in engine.rules()}
    results = []
    for rule_id in rule_ids:
        examples = rules[rule_id].examples
        for expected, texts in ((True, examples.match), (False, examples.no_match)):
            label = "match" if expected else "no_match"
            for index, text in enumerate(texts, 1):
                hits = example_hits(engine, rules[rule_id], text)
                passed = bool(hits) == expected
                detail = repr(text) if passed else (
                    f"no finding in {text!r}" if expected else f"flagged {hits[0]!r} in {text!r}"
                )
                results.append(TestResult(passed, rule_id, f"example {label} {index}", detail))
    return results


def test_articles(pack_path: Path) -> list[Path]:
    """The annotated articles that belong to a pack file."""
    beside = [p for p in sorted(pack_path.parent.glob(f"{pack_path.stem}.test.*"))
              if p.suffix.lower() in ARTICLE_EXTENSIONS]
    folder = pack_path.parent / f"{pack_path.stem}.tests"
    inside = sorted(p for p in folder.rglob("*") if p.suffix.lower() in ARTICLE_EXTENSIONS) if folder.is_dir() else []
    return beside + inside


def _expectations(source: str) -> dict[tuple[int, str], str]:
    """(line, rule id) -> 'expect' or 'ok', from the markers in an article's source."""
    lines = LINE_BREAK.split(source)  # the lines findings count (str.splitlines knows more breaks)
    wanted: dict[tuple[int, str], str] = {}
    for number, line in enumerate(lines, 1):
        for marker in MARKER.finditer(line):
            target = number
            if not MARKER.sub("", line).strip():
                target = next((n for n in range(number + 1, len(lines) + 1) if lines[n - 1].strip()), number)
            for rule_id in re.split(r"[\s,]+", marker.group("rules").strip()):
                wanted[(target, rule_id)] = marker.group("kind")
    return wanted


def _article_results(engine: Engine, readers: ReaderSet, article: Path, rule_ids: set[str]) -> list[TestResult]:
    documents = [d for d in readers.read(Input(str(article), article)) if isinstance(d, Document)]
    if not documents:
        return [TestResult(False, "-", str(article), "cannot be read as an article")]
    document = documents[0]
    source = document.source_text if document.source_text is not None else document.text
    wanted = _expectations(source)
    findings = engine.scan(document).findings
    found = {(f.line, rule_id) for f in findings for rule_id in f.rule_ids if rule_id in rule_ids}
    results = []
    for (line, rule_id), kind in sorted(wanted.items()):
        hit = (line, rule_id) in found
        passed = hit if kind == "expect" else not hit
        detail = {True: "found as expected", False: "no finding"}[hit] if kind == "expect" else (
            "not flagged, as expected" if not hit else "flagged, but marked ok"
        )
        results.append(TestResult(passed, rule_id, f"{article}:{line} ({kind})", detail))
    for line, rule_id in sorted(found):
        if (line, rule_id) not in wanted:
            results.append(TestResult(False, rule_id, f"{article}:{line}", "unexpected finding (add an expect marker)"))
    return results


def run_pack_tests(paths: Sequence[str], plugin_specs: Sequence[str] = (),
                   language_paths: Sequence[str] = ()) -> list[TestResult]:
    """Every example and annotated article of the packs at ``paths``, run in isolation (with the
    languages of ``language_paths`` too, for packs in a language framecheck does not ship)."""
    engine = Engine.from_plugins(get_plugin_manager(plugin_specs), rule_paths=paths, default_rules=False,
                                 language_paths=language_paths)
    packs = load_packs(paths, engine.languages)
    rule_ids = [rule.id for pack in packs for rule in pack.rules]
    results = _example_results(engine, rule_ids)
    readers = ReaderSet([TextReader(), MarkdownReader(), HtmlReader()], ReadOptions(languages=engine.languages))
    for pack in packs:
        for article in test_articles(Path(pack.path)):
            results.extend(_article_results(engine, readers, article, set(rule_ids)))
    return results


def format_results(results: Sequence[TestResult]) -> list[str]:
    rows = [("RESULT", "RULE", "WHERE", "DETAIL")] + [
        ("PASS" if r.passed else "FAIL", r.rule_id, r.where, r.detail) for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] for row in rows]
    failed = sum(1 for r in results if not r.passed)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return lines


PACK_TEMPLATE = """\
# {name}: a framecheck rule pack (format: docs/rule-packs.md in framecheck).
{lemma_note}format: 1
id: {name}
name: {title}
version: "0.1"
language: {language}
{match_line}description: >
  {description} Run `framecheck rules test {name}.yaml` after every change.
license: proprietary
sources:
  - {source}
rules:
  - id: {name}-{rule}
    technique: {technique}
    severity: warning
    weight: 1
    message: {message}
    why: >
      {why}
    suggest: {suggest}
    patterns: {patterns}
    exceptions: {exceptions}
    examples:
      match:
        - {match}
      no_match:
        - {no_match}
"""

ARTICLE_TEMPLATE = """\
# {heading} {name}

{match} <!-- expect: {name}-{rule} -->

<!-- ok: {name}-{rule} -->
{no_match}
{closing}"""

_LEMMA_NOTE = "# match: lemma - each phrase, written in dictionary form, matches every inflected form.\n"


def _yaml_value(value: str | tuple[str, ...]) -> str:
    """A string or a list of them as a YAML flow value: double-quoted, or single-quoted where
    the wording has double quotes of its own, so that it reads as written."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_yaml_value(item) for item in value) + "]"
    if '"' in value:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def scaffold_pack(name: str, directory: Path, language: str = "en", languages: Languages | None = None) -> list[Path]:
    """Write NAME.yaml and NAME.test.md for a pack in ``language``, worded as that language's
    ``scaffold`` section says; refuses to overwrite existing files."""
    if not RULE_ID_RE.match(name):
        raise FramecheckError(f"pack name {name!r} must be lower-case letters, digits and '-'")
    languages = languages or bundled_languages()
    profile = languages.get(language)
    if profile is None or not profile.scaffold:
        worded = ", ".join(p.code for p in languages.profiles if p.scaffold)
        raise FramecheckError(f"no pack template for language {language!r} (templates: {worded}; a language's "
                              "'scaffold' in its language.yaml)")
    wording = profile.scaffold
    lemma = wording.get("match-kind") == "lemma"
    values = {
        "name": name, "title": name.replace("-", " ").capitalize(), "language": language,
        "lemma_note": _LEMMA_NOTE if lemma else "", "match_line": "match: lemma\n" if lemma else "",
        "description": wording.get("description", ""), "why": wording.get("why", ""),
        "rule": wording.get("rule", "rule"), "technique": wording.get("technique", "loaded-language"),
        "heading": wording.get("heading", "Test article for"),
        "match": wording.get("match", ""), "no_match": wording.get("no-match", ""),
        "closing": f"\n{wording['closing']}\n" if wording.get("closing") else "",
    }
    quoted = {key: _yaml_value(wording.get(key, default)) for key, default in
              (("source", ""), ("message", ""), ("suggest", ()), ("patterns", ()), ("exceptions", ()))}
    pack_text = PACK_TEMPLATE.format(**{**values, **quoted, "match": _yaml_value(values["match"]),
                                        "no_match": _yaml_value(values["no_match"])})
    directory.mkdir(parents=True, exist_ok=True)
    pack, article = directory / f"{name}.yaml", directory / f"{name}.test.md"
    for path in (pack, article):
        if path.exists():
            raise FramecheckError(f"{path}: already exists; not overwritten")
    pack.write_text(pack_text, encoding="utf-8")
    article.write_text(ARTICLE_TEMPLATE.format(**values), encoding="utf-8")
    return [pack, article]
