"""The engine: load packs and detectors once, then turn documents into article reports.

Data flows one way: document -> detectors -> validated, selected, de-duplicated findings ->
score -> report. Nothing a plugin returns is trusted: findings are checked against the
document before they reach a report, and a detector that raises loses only its own
findings for that document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pluggy

from .errors import FramecheckError, PluginError
from .hookspecs import Detector
from .model import ArticleReport, Document, Finding, RuleInfo, ScanOptions, ScanWarning
from .packs import Pack, load_packs
from .plugins import default_content_plugins
from .scoring import preliminary_score
from .taxonomy import TECHNIQUES


@dataclass(frozen=True)
class Selection:
    """Which rules run: ids or technique ids to keep (empty: all) and to drop."""

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()

    def allows(self, rule_id: str, technique: str) -> bool:
        keys = {rule_id, technique}
        if self.select and keys.isdisjoint(self.select):
            return False
        return keys.isdisjoint(self.ignore)

    def check_known(self, known: set[str]) -> None:
        for option, names in (("--select", self.select), ("--ignore", self.ignore)):
            for name in sorted(names - known):
                raise FramecheckError(f"{option}: unknown rule or technique {name!r}")


def _filtered_packs(packs: Sequence[Pack], selection: Selection) -> list[Pack]:
    return [
        dataclasses.replace(
            pack, rules=tuple(r for r in pack.rules if selection.allows(r.id, r.info.technique))
        )
        for pack in packs
    ]


def _collect(results: Iterable[Iterable | None]) -> list:
    return [item for result in results if result for item in result]


class Engine:
    """Packs and detectors compiled once for a run; :meth:`scan` is then called per document."""

    def __init__(self, packs: Sequence[Pack], detectors: Sequence[Detector], selection: Selection):
        self.packs = tuple(packs)
        self.detectors = tuple(detectors)
        self.selection = selection
        self._declared = {d.name: {r.id for r in d.rules} for d in self.detectors}

    @classmethod
    def from_plugins(
        cls,
        manager: pluggy.PluginManager,
        *,
        rule_paths: Sequence[str | Path] = (),
        default_rules: bool = True,
        selection: Selection = Selection(),
        options: ScanOptions = ScanOptions(),
    ) -> Engine:
        """Ask every plugin for packs and detectors, validate them and the selection."""
        hook = manager.hook
        if not default_rules:
            dropped = default_content_plugins(manager)
            pack_hook = manager.subset_hook_caller("framecheck_rule_pack_paths", dropped)
            detector_hook = manager.subset_hook_caller("framecheck_detectors", dropped)
        else:
            pack_hook, detector_hook = hook.framecheck_rule_pack_paths, hook.framecheck_detectors
        paths = list(reversed(_collect(pack_hook()))) + list(rule_paths)
        packs = load_packs(paths)
        selected = _filtered_packs(packs, selection)
        detectors = list(reversed(_collect(detector_hook(packs=selected, options=options))))
        rules = _check_detectors(detectors)
        known = set(TECHNIQUES) | {r.id for p in packs for r in p.rules} | set(rules)
        selection.check_known(known)
        return cls(selected, detectors, selection)

    def rules(self) -> list[RuleInfo]:
        """Every rule this run can report, sorted by id."""
        found = {
            rule.id: rule if rule.origin else dataclasses.replace(rule, origin=f"plugin:{detector.name}")
            for detector in self.detectors
            for rule in detector.rules
        }
        return [found[rule_id] for rule_id in sorted(found)]

    def scan(self, document: Document) -> ArticleReport:
        findings: list[Finding] = []
        warnings: list[str] = []
        for detector in self.detectors:
            try:
                found, notes = self._run(detector, document)
            except Exception as exc:  # a plugin bug must not stop the scan
                warnings.append(
                    f"detector {detector.name!r} failed: {type(exc).__name__}: {exc}; "
                    "its findings for this document were dropped"
                )
                continue
            findings.extend(found)
            warnings.extend(notes)
        unique = sorted({(f.start, f.end, f.rule_id): f for f in findings}.values(), key=lambda f: f.sort_key)
        return ArticleReport(document, tuple(unique), preliminary_score(document, unique), tuple(warnings))

    def _run(self, detector: Detector, document: Document) -> tuple[list[Finding], list[str]]:
        found: list[Finding] = []
        notes: list[str] = []
        for item in detector.detect(document):
            if isinstance(item, ScanWarning):
                notes.append(item.message)
                continue
            problem = self._problem(item, detector, document)
            if problem:
                notes.append(f"detector {detector.name!r} returned an invalid finding ({problem}); it was dropped")
            elif self.selection.allows(item.rule_id, item.technique):
                where = document.position(item.start)
                found.append(dataclasses.replace(item, line=where.line, column=where.column))
        return found, notes

    def _problem(self, item: object, detector: Detector, document: Document) -> str | None:
        if not isinstance(item, Finding):
            return f"expected a Finding, got {type(item).__name__}"
        if not (isinstance(item.start, int) and isinstance(item.end, int)):
            return "span offsets must be integers"
        if not 0 <= item.start < item.end <= len(document.text):
            return f"span {item.start}..{item.end} is outside the text (length {len(document.text)})"
        if document.text[item.start : item.end] != item.excerpt:
            return f"excerpt {item.excerpt!r} differs from the text at {item.start}..{item.end}"
        if item.technique not in TECHNIQUES:
            return f"unknown technique {item.technique!r}"
        declared = self._declared.get(detector.name)
        if declared and item.rule_id not in declared:
            return f"rule {item.rule_id!r} is not among the detector's rules"
        return None


def _check_detectors(detectors: Sequence[Detector]) -> dict[str, str]:
    """Rule id -> detector name; two detectors may not claim one rule id."""
    owners: dict[str, str] = {}
    names: set[str] = set()
    for detector in detectors:
        if not isinstance(detector, Detector):
            raise PluginError(f"a plugin returned {detector!r} as a detector; it needs name, rules and detect()")
        if detector.name in names:
            raise PluginError(f"two detectors are named {detector.name!r}")
        names.add(detector.name)
        for rule in detector.rules:
            if rule.technique not in TECHNIQUES:
                raise PluginError(f"detector {detector.name!r}: rule {rule.id!r} has unknown technique {rule.technique!r}")
            if rule.id in owners:
                raise PluginError(f"rule id {rule.id!r} is defined by both {owners[rule.id]!r} and {detector.name!r}")
            owners[rule.id] = detector.name
    return owners
