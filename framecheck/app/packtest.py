"""Tools for rule-pack authors: run a pack's examples and annotated test articles, scaffold a pack.

Annotated test articles sit next to a pack: ``NAME.test.md`` (or ``.txt``/``.html``) beside
``NAME.yaml``, or any article in a ``NAME.tests/`` folder. A line carrying
``<!-- expect: rule-id -->`` must get a finding of that rule; a line carrying
``<!-- ok: rule-id -->`` must not. A marker alone on its line applies to the next non-blank
line. A finding of a tested rule on a line that expects nothing is a failure too, so a test
article documents every finding it produces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import FramecheckError
from ..core.model import Document, RuleInfo
from ..engine.engine import Engine
from ..engine.plugins import get_plugin_manager
from ..inputs.markup import HtmlReader, MarkdownReader
from ..inputs.readers import Input, ReaderSet, ReadOptions, TextReader, text_document
from ..languages.detect import ANY
from ..packs.loading import RULE_ID_RE, load_packs

MARKER = re.compile(r"<!--\s*(?P<kind>expect|ok)\s*:\s*(?P<rules>[a-z0-9][a-z0-9,\s-]*?)\s*-->")
ARTICLE_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".html", ".htm")


@dataclass(frozen=True)
class TestResult:
    passed: bool
    rule_id: str
    where: str
    detail: str


def example_hits(engine: Engine, rule: RuleInfo, text: str) -> list[str]:
    """What ``rule`` flags in one of its examples, the example read in the rule's pack's
    language (a short example may not tell it by its letters)."""
    document = text_document("<example>", text)
    if rule.language not in ("", ANY):
        document.language = rule.language
    return [f.excerpt for f in engine.scan(document).findings if f.rule_id == rule.id]


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
    beside = [p for p in sorted(pack_path.parent.glob(f"{pack_path.stem}.test.*")) if p.suffix in ARTICLE_SUFFIXES]
    folder = pack_path.parent / f"{pack_path.stem}.tests"
    inside = sorted(p for p in folder.rglob("*") if p.suffix in ARTICLE_SUFFIXES) if folder.is_dir() else []
    return beside + inside


def _expectations(source: str) -> dict[tuple[int, str], str]:
    """(line, rule id) -> 'expect' or 'ok', from the markers in an article's source."""
    lines = source.splitlines()
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
    found = {(f.line, f.rule_id) for f in engine.scan(document).findings if f.rule_id in rule_ids}
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


def run_pack_tests(paths: Sequence[str], plugin_specs: Sequence[str] = ()) -> list[TestResult]:
    """Every example and annotated article of the packs at ``paths``, run in isolation."""
    packs = load_packs(paths)
    engine = Engine.from_plugins(get_plugin_manager(plugin_specs), rule_paths=paths, default_rules=False)
    rule_ids = [rule.id for pack in packs for rule in pack.rules]
    results = _example_results(engine, rule_ids)
    readers = ReaderSet([TextReader(), MarkdownReader(), HtmlReader()], ReadOptions())
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
format: 1
id: {name}
name: {title}
version: "0.1"
language: en
description: >
  Our newsroom's own rules. Run `framecheck rules test {name}.yaml` after every change.
license: proprietary
sources:
  - "Our style guide"
rules:
  - id: {name}-loaded-verb
    technique: loaded-language
    severity: warning
    weight: 1
    message: loaded verb; say what happened
    why: >
      Verbs that judge ("slaughter", "crush") put the outlet's opinion into a news sentence.
    suggest: [kill, defeat]
    patterns:
      - slaughter(s|ed|ing|)
      - crush(es|ed|ing|)
    exceptions:
      - crush(es|ed|ing|) (the |)(garlic|ice|grapes)
    examples:
      match:
        - "The visitors crushed the home side 4-0."
      no_match:
        - "Crush the garlic before frying it."
"""

ARTICLE_TEMPLATE = """\
# Test article for {name}

The visitors crushed the home side on Saturday. <!-- expect: {name}-loaded-verb -->

<!-- ok: {name}-loaded-verb -->
Crush the garlic and fry it gently.

The match ended 4-0, the league said.
"""


LEMMA_PACK_TEMPLATE = """\
# {{name}}: a framecheck rule pack (format: docs/rule-packs.md in framecheck).
# match: lemma - each phrase, written in dictionary form, matches every inflected form.
format: 1
id: {{name}}
name: {{title}}
version: "0.1"
language: {language}
match: lemma
description: >
  {description} Run `framecheck rules test {{name}}.yaml` after every change.
license: proprietary
sources:
  - "{source}"
rules:
  - id: {{name}}-loaded-label
    technique: name-calling
    severity: warning
    weight: 1
    extent: sentence
    message: '{message}'
    why: >
      {why} English: a label instead of a name tells readers what to feel.
    suggest: [{suggest}]
    patterns: [{patterns}]
    exceptions: [{exceptions}]
    examples:
      match:
        - "{match}"
      no_match:
        - "{no_match}"
"""

LEMMA_ARTICLE_TEMPLATE = """\
# {heading} {{name}}

{match} <!-- expect: {{name}}-loaded-label -->

<!-- ok: {{name}}-loaded-label -->
{no_match}
"""

# What the Ukrainian and Russian starter packs say, in their language.
_LEMMA_WORDING = {
    "uk": {"language": "uk", "description": "Правила нашої редакції.", "source": "Наш стильовий посібник",
           "message": 'ярлик "{{match}}": назвіть людей чи підрозділ',
           "why": "Ярлик замість назви каже читачеві, що відчувати.", "suggest": "російські військові",
           "patterns": "орк, рашист", "exceptions": "орк (з |)(фентезі|толкіна)",
           "match": "Орки знову обстріляли Харків уночі.", "no_match": "Російські війська знову обстріляли Харків.",
           "heading": "Тестова стаття для"},
    "ru": {"language": "ru", "description": "Правила нашей редакции.", "source": "Наше руководство по стилю",
           "message": 'ярлык "{{match}}": назовите людей или подразделение',
           "why": "Ярлык вместо названия говорит читателю, что чувствовать.", "suggest": "украинские военные",
           "patterns": "каратель, укронацист", "exceptions": "карательный (отряд |)(сс|вермахт)",
           "match": "Каратели снова обстреляли Донецк ночью.", "no_match": "Украинские военные сообщили об обстреле.",
           "heading": "Тестовая статья для"},
}

TEMPLATES = {"en": (PACK_TEMPLATE, ARTICLE_TEMPLATE)} | {
    language: (LEMMA_PACK_TEMPLATE.format(**wording), LEMMA_ARTICLE_TEMPLATE.format(**wording))
    for language, wording in _LEMMA_WORDING.items()
}


def scaffold_pack(name: str, directory: Path, language: str = "en") -> list[Path]:
    """Write NAME.yaml and NAME.test.md for a pack in ``language`` (en, or uk/ru with lemma
    phrases); refuses to overwrite existing files."""
    if not RULE_ID_RE.match(name):
        raise FramecheckError(f"pack name {name!r} must be lower-case letters, digits and '-'")
    if language not in TEMPLATES:
        raise FramecheckError(f"no pack template for language {language!r} (templates: {', '.join(TEMPLATES)})")
    pack_template, article_template = TEMPLATES[language]
    directory.mkdir(parents=True, exist_ok=True)
    pack, article = directory / f"{name}.yaml", directory / f"{name}.test.md"
    for path in (pack, article):
        if path.exists():
            raise FramecheckError(f"{path}: already exists; not overwritten")
    title = name.replace("-", " ").capitalize()
    pack.write_text(pack_template.format(name=name, title=title), encoding="utf-8")
    article.write_text(article_template.format(name=name), encoding="utf-8")
    return [pack, article]
