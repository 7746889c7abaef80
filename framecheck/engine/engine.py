"""The engine: load packs and detectors once, then turn documents into article reports.

Data flows one way: document -> detectors -> validated, selected, de-duplicated findings ->
score -> report. Nothing a plugin returns is trusted: findings are checked against the
document before they reach a report, and a detector that raises loses only its own
findings for that document.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeVar, cast

import pluggy

from ..core.errors import FramecheckError, Interrupted, PluginError, interrupts_marked
from ..core.model import (
    MAX_WEIGHT,
    REGION_KINDS,
    ArticleReport,
    Dismissal,
    Document,
    Finding,
    Region,
    RuleInfo,
    ScanOptions,
    ScanWarning,
    Severity,
    usable_weight,
)
from ..core.taxonomy import TECHNIQUES
from ..languages.detect import document_language
from ..languages.normalise import normalise
from ..languages.profiles import Languages, bundled_languages, run_languages
from ..packs.indexes import SharedPhraseIndex
from ..packs.loading import Pack, load_packs
from .budget import OverBudget, budget
from .devices import one_per_device
from .hookspecs import Annotator, Detector, Reviewer
from .placement import RegionIndex, place
from .plugins import HookCall, call_each, default_content_plugins
from .scoring import DEFAULT_MODEL, ScoringModel
from .selection import Selection, filtered_packs, require_known
from .suppressions import SuppressionPolicy, read_waivers, with_fingerprints

T = TypeVar("T")


class AcceptedFindings(Protocol):
    """Findings recorded as accepted (a baseline): they are reported but marked, and do not fail
    the check. The engine needs only their fingerprints, per source."""

    def fingerprints(self, source: str) -> frozenset[str] | set[str]: ...


class Engine:
    """Packs and detectors compiled once for a run; :meth:`scan` is then called per document.

    ``setup_warnings`` lists plugins whose hooks failed while the engine was built; their
    contributions are left out and the run goes on. With ``debug`` a failing detector's
    warning carries the full traceback.
    """

    def __init__(
        self,
        packs: Sequence[Pack],
        detectors: Sequence[Detector],
        selection: Selection,
        *,
        owners: dict[str, str] | None = None,
        setup_warnings: Sequence[str] = (),
        debug: bool = False,
        annotators: Sequence[Annotator] = (),
        severity_overrides: Mapping[str, Severity] | None = None,
        suppression_policy: SuppressionPolicy | None = None,
        baseline: AcceptedFindings | None = None,
        scoring: ScoringModel = DEFAULT_MODEL,
        reviewers: Sequence[Reviewer] = (),
        per_file_ignores: Callable[[str], frozenset[str]] | None = None,
        options: ScanOptions = ScanOptions(),
        languages: Languages | None = None,
    ):
        self.packs = tuple(packs)
        self.languages = languages or bundled_languages()
        self.per_file_ignores = per_file_ignores
        self.scoring = scoring
        self.severity_overrides = dict(severity_overrides or {})
        self.suppression_policy = suppression_policy or SuppressionPolicy()
        self.baseline = baseline
        self.detectors = tuple(detectors)
        # A reviewer that reads every other finding (the learned layer) asks to run last.
        self.reviewers = tuple(sorted(reviewers, key=lambda r: bool(getattr(r, "runs_last", False))))
        self.annotators = tuple(annotators)
        self.selection = selection
        self.setup_warnings = tuple(setup_warnings)
        self.debug = debug
        self.options = options
        self._owners = owners or {}
        self._labels = {id(p): self._make_label(p) for p in (*self.detectors, *self.reviewers, *self.annotators)}
        # framecheck's own detectors run without a plugin budget (arming a timer for each costs
        # ~5% of a scan); the document's budget still bounds them.
        self._bundled = {
            id(p) for p in (*self.detectors, *self.reviewers, *self.annotators)
            if self._owners.get(p.name, "").startswith("framecheck.")
        }
        self._declared = {d.name: {r.id for r in d.rules} for d in (*self.detectors, *self.reviewers)}
        indexes = [index for d in self.detectors for index in getattr(d, "phrase_indexes", ()) or ()]
        self._shared_index = SharedPhraseIndex(indexes) if indexes else None
        self._known_ids = frozenset(TECHNIQUES) | {
            rule.id for d in (*self.detectors, *self.reviewers) for rule in d.rules
        }
        # Rules that a severity set for their whole technique leaves alone (typography and
        # aggregates such as exclamation and stacked-framing): only their own id changes them.
        self._own_severity = frozenset(
            rule.id for d in (*self.detectors, *self.reviewers) for rule in d.rules if not rule.technique_severity
        )

    @property
    def known_ids(self) -> frozenset[str]:
        """Every rule id and technique id this engine can report: what a setting may name."""
        return self._known_ids

    @classmethod
    def from_plugins(
        cls,
        manager: pluggy.PluginManager,
        *,
        rule_paths: Sequence[str | Path] = (),
        default_rules: bool = True,
        selection: Selection = Selection(),
        options: ScanOptions = ScanOptions(),
        debug: bool = False,
        severity_overrides: Mapping[str, Severity] | None = None,
        suppression_policy: SuppressionPolicy | None = None,
        baseline: AcceptedFindings | None = None,
        scoring: ScoringModel = DEFAULT_MODEL,
        language_paths: Sequence[str | Path] = (),
    ) -> Engine:
        """Ask every plugin for packs and detectors, validate them and the selection. The run's
        languages are the shipped ones and those whose language.yaml stands in the rule paths
        (or in ``language_paths``, folders whose packs do not run)."""
        skip = [] if default_rules else default_content_plugins(manager)
        warnings: list[str] = []
        pack_calls = call_each(manager, "framecheck_rule_pack_paths", skip=skip)
        paths = [path for _, paths in _successes(pack_calls, "framecheck_rule_pack_paths", warnings) for path in paths]
        languages = run_languages([*paths, *rule_paths, *language_paths])
        packs = load_packs(paths + list(rule_paths), languages)
        selected = filtered_packs(packs, selection)
        detector_calls = call_each(manager, "framecheck_detectors", skip=skip, packs=selected, options=options,
                                   languages=languages)
        owners: dict[str, str] = {}
        detectors: list[Detector] = []
        for plugin, found in _successes(detector_calls, "framecheck_detectors", warnings):
            for detector in found:
                detectors.append(detector)
                owners.setdefault(getattr(detector, "name", ""), plugin)
        reviewer_calls = call_each(manager, "framecheck_reviewers", skip=skip, options=options, languages=languages)
        reviewers: list[Reviewer] = []
        for plugin, found in _successes(reviewer_calls, "framecheck_reviewers", warnings):
            for reviewer in found:
                reviewers.append(reviewer)
                owners.setdefault(getattr(reviewer, "name", ""), plugin)
        rules = _check_detectors(detectors, owners, reviewers)
        known = set(TECHNIQUES) | {r.id for p in packs for r in p.rules} | set(rules)
        selection.check_known(known)
        require_known(severity_overrides or {}, known, "severity")
        annotators: list[Annotator] = []
        annotator_calls = call_each(manager, "framecheck_annotators", languages=languages)
        for plugin, found in _successes(annotator_calls, "framecheck_annotators", warnings):
            for annotator in found:
                if not isinstance(annotator, Annotator):
                    raise PluginError(f"plugin {plugin!r} returned {annotator!r} as an annotator; "
                                      "it needs name and annotate()")
                annotators.append(annotator)
                owners.setdefault(getattr(annotator, "name", ""), plugin)
        engine = cls(selected, detectors, selection, owners=owners, setup_warnings=warnings, debug=debug,
                     annotators=annotators, severity_overrides=severity_overrides,
                     suppression_policy=suppression_policy, baseline=baseline, scoring=scoring,
                     reviewers=reviewers, options=options, languages=languages)
        engine.setup_warnings += tuple(engine._notes_on_rules())
        fitted = {name: factor for reviewer in reviewers
                  for name, factor in getattr(reviewer, "technique_factors", {}).items()}
        if fitted:  # a model's fitted article score; the configuration's own factors win
            engine.scoring = dataclasses.replace(scoring, technique={**fitted, **scoring.technique})
        return engine

    def _notes_on_rules(self) -> list[str]:
        """What reviewers say of the rules this run selects (``notes_on_rules``, optional: the
        learned layer warns when they are not the rules its model was trained with)."""
        selected = self.selected_rules()
        notes: list[str] = []
        for reviewer in self.reviewers:
            if hasattr(reviewer, "notes_on_rules"):
                notes += reviewer.notes_on_rules(selected)
        return notes

    def selected_rules(self) -> list[RuleInfo]:
        """The rules this run can report that ``--select``/``--ignore`` leave in, sorted by id."""
        return [rule for rule in self.rules() if self.selection.allows(rule.id, rule.technique)]

    @property
    def runs_third_party_code(self) -> bool:
        """Whether a plugin from outside framecheck takes part in scans: a run then keeps the
        scanning in a worker process, where a plugin's ``os._exit`` or crash costs one document
        and is reported, instead of ending the run with exit code 0 and no report."""
        plugins = (*self.detectors, *self.reviewers, *self.annotators)
        return any(id(plugin) not in self._bundled for plugin in plugins)

    def rules(self) -> list[RuleInfo]:
        """Every rule this run can report, sorted by id."""
        found = {
            rule.id: rule if rule.origin else dataclasses.replace(rule, origin=f"plugin:{detector.name}")
            for detector in (*self.detectors, *self.reviewers)
            for rule in detector.rules
        }
        return [found[rule_id] for rule_id in sorted(found)]

    def scan(self, document: Document) -> ArticleReport:
        """The document's report. Every plugin runs with its stdout sent to stderr (a ``print``
        must not corrupt a JSON report), and every third-party one with ``plugin_timeout`` seconds
        to spend; one that fails loses its own contribution, and the report is marked
        ``incomplete``. The document is normalised for the detectors and given back as read."""
        restoration = normalise(document)
        if self.options.language or not document.language:
            document.language = document_language(document.text, document.metadata, self.options.language,
                                                  self.languages)
        findings: list[Finding] = []
        warnings: list[str] = list(document.notes)
        failed: list[str] = []  # labels of the plugins that failed on this document
        guard = functools.partial(self._guarded, seconds=self.options.plugin_budget(document.text),
                                  warnings=warnings, failed=failed)
        with contextlib.redirect_stdout(sys.stderr):
            self._annotate(document, warnings, guard)
            if self._shared_index is not None:
                self._shared_index.answer(document)  # one automaton pass for every detector that asks
            regions = RegionIndex(document.regions)
            for detector in self.detectors:
                outcome = guard(detector, lambda d=detector: self._run(d, document, regions))
                if outcome is not None:
                    findings.extend(outcome[0])
                    warnings.extend(outcome[1])
                    if outcome[2]:  # a rule it could not run: the check is incomplete
                        failed.append(self._label(detector))
            unique = sorted({(f.start, f.end, f.rule_id): f for f in findings}.values(), key=lambda f: f.sort_key)
            ignored = self.per_file_ignores(document.source) if self.per_file_ignores is not None else frozenset()
            waivers = read_waivers(document, self.suppression_policy, self._known_ids)
            # Waived findings are marked before the reviewers run, so none of them counts a waived
            # use (repetition); what the reviewers add is marked after.
            unique = waivers.mark(document, _without(unique, ignored))
            for reviewer in self.reviewers:
                reviewed = guard(reviewer, lambda r=reviewer, f=unique: self._review(r, document, f, regions, warnings))
                unique = unique if reviewed is None else reviewed
        # One finding per device before the baseline is asked, so a baseline records, and then
        # accepts, the finding a report shows (not the rules it absorbed, one by one).
        marked = one_per_device(waivers.mark(document, with_fingerprints(_without(unique, ignored))))
        notes = waivers.notes()
        if self.baseline is not None:
            accepted = self.baseline.fingerprints(document.source)
            marked = [f.evolve(baselined=True) if f.fingerprint in accepted else f for f in marked]
        if restoration is not None:  # report what the file says, where it says it
            marked = [restoration.finding(f) for f in marked]
            restoration.restore(document)
        document.__dict__.pop("folded", None)  # scan-time copies of the text; reports may be kept long
        document.shared_candidates.clear()
        return ArticleReport(document, tuple(marked), self.scoring.score(document, marked), tuple(warnings + notes),
                             incomplete=tuple(failed))

    def _guarded(self, plugin: Detector | Annotator | Reviewer, call: Callable[[], T], *, seconds: float,
                 warnings: list[str], failed: list[str]) -> T | None:
        """``call()`` within the plugin time budget; None, with a note and the plugin in
        ``failed``, when it raised (``sys.exit``, ``GeneratorExit`` and a ``KeyboardInterrupt``
        that is not the user's included) or ran out of time."""
        label = self._label(plugin)
        try:
            if id(plugin) in self._bundled:  # no budget of its own (see __init__): no ``with`` to pay for
                return call()
            with budget(seconds, label):
                return call()
        except OverBudget as exc:
            if exc.label != label:
                raise  # the document's own budget: not this plugin's to answer for
            warnings.append(self._failure(plugin, exc))
        except (Exception, SystemExit, GeneratorExit) as exc:  # a plugin bug must not stop the scan
            warnings.append(self._failure(plugin, exc))
        except KeyboardInterrupt as exc:
            if isinstance(exc, Interrupted) or not interrupts_marked():
                raise  # the user's Ctrl-C (or one that cannot be told apart): stop the run
            warnings.append(self._failure(plugin, exc))  # the plugin's own raise
        failed.append(label)
        return None

    def _label(self, plugin: Detector | Annotator | Reviewer) -> str:
        """"plugin 'x', detector 'y'": made once per plugin (a Protocol isinstance check costs
        ~25 µs, and every plugin runs on every document)."""
        return self._labels.get(id(plugin)) or self._make_label(plugin)

    def _make_label(self, plugin: Detector | Annotator | Reviewer) -> str:
        role = ("detector" if isinstance(plugin, Detector)
                else "reviewer" if isinstance(plugin, Reviewer) else "annotator")
        return f"plugin {self._owners.get(plugin.name, '?')!r}, {role} {plugin.name!r}"

    def _annotate(self, document: Document, warnings: list[str], guard: Callable) -> None:
        """Add annotators' regions to the document; a failing annotator is reported and skipped."""
        added: list[Region] = []
        for annotator in self.annotators:
            regions = guard(annotator, lambda a=annotator: list(a.annotate(document)))
            if regions is None:
                continue
            for region in regions:
                if isinstance(region, Region) and region.kind in REGION_KINDS and 0 <= region.start <= region.end <= len(document.text):
                    added.append(region)
                else:
                    warnings.append(f"annotator {annotator.name!r} returned an invalid region {region!r}; it was dropped")
        if added:
            document.regions = tuple(document.regions) + tuple(added)

    def _review(
        self, reviewer: Reviewer, document: Document, findings: list[Finding], regions: RegionIndex, warnings: list[str]
    ) -> list[Finding]:
        """``findings`` with the reviewer's revisions applied and its new findings added, sorted.

        Collected in full before anything changes, so a reviewer that raises half-way leaves
        the findings as they were."""
        by_key = {(f.start, f.end, f.rule_id): f for f in findings}
        revised: dict[tuple[int, int, str], Finding] = {}
        dismissed: set[tuple[int, int, str]] = set()
        added: list[Finding] = []
        notes: list[str] = []
        for item in reviewer.review(document, tuple(findings)):
            if isinstance(item, ScanWarning):
                notes.append(item.message)
                continue
            if isinstance(item, Dismissal):
                notes.append(self._dismiss(item, reviewer, by_key, dismissed))
                continue
            key = (item.start, item.end, item.rule_id) if isinstance(item, Finding) else None
            original = by_key.get(key) if key else None
            if original is not None:
                problem = _revision_problem(original, item)
                if problem:
                    notes.append(f"reviewer {reviewer.name!r} returned an invalid revision ({problem}); it was dropped")
                else:
                    revised[key] = self._with_override(item)  # the configuration has the last word
                continue
            admitted = self._admit(item, "reviewer", reviewer, document, regions, notes)
            if admitted is not None:
                added.append(admitted)
        warnings.extend(notes)
        if not revised and not added and not dismissed:
            return findings
        merged = {**by_key, **revised, **{(f.start, f.end, f.rule_id): f for f in added}}
        return sorted((f for key, f in merged.items() if key not in dismissed), key=lambda f: f.sort_key)

    @staticmethod
    def _dismiss(
        item: Dismissal, reviewer: Reviewer, by_key: Mapping[tuple[int, int, str], Finding],
        dismissed: set[tuple[int, int, str]],
    ) -> str:
        """Record a dismissal of a known finding; the note the report shows either way."""
        finding = item.finding
        key = (finding.start, finding.end, finding.rule_id) if isinstance(finding, Finding) else None
        if key is None or key not in by_key:
            return f"reviewer {reviewer.name!r} dismissed a finding it was not given; nothing was dropped"
        dismissed.add(key)
        original = by_key[key]
        return (f"{reviewer.name}: dropped {original.rule_id} at {original.line}:{original.column} "
                f"{original.excerpt!r} ({item.reason})")

    def _failure(self, detector: Detector | Annotator | Reviewer, exc: BaseException) -> str:
        lost = ("findings" if isinstance(detector, Detector)
                else "changes" if isinstance(detector, Reviewer) else "regions")
        reason = (f"took longer than {exc.seconds:g} s (--plugin-timeout)" if isinstance(exc, OverBudget)
                  else f"{type(exc).__name__}: {exc}")
        message = f"{self._label(detector)} failed: {reason}; its {lost} for this document were dropped"
        if self.debug:
            import traceback  # only --debug runs pay for it

            message += "\n" + "".join(traceback.format_exception(exc)).rstrip()
        return message

    def _run(self, detector: Detector, document: Document, regions: RegionIndex
             ) -> tuple[list[Finding], list[str], bool]:
        """The detector's admitted findings, its notes, and whether it skipped a check."""
        found: list[Finding] = []
        notes: list[str] = []
        skipped = False
        for item in detector.detect(document):
            if isinstance(item, ScanWarning):
                notes.append(item.message)
                skipped = skipped or bool(getattr(item, "incomplete", False))
                continue
            admitted = self._admit(item, "detector", detector, document, regions, notes)
            if admitted is not None:
                found.append(admitted)
        return found, notes, skipped

    def _admit(
        self, item: object, role: str, source: Detector | Reviewer, document: Document, regions: RegionIndex,
        notes: list[str],
    ) -> Finding | None:
        """A plugin's new finding, checked, selected, given its configured severity and placed;
        None (with a note when it was invalid) when it does not make it into the report.
        framecheck's own detectors and reviewers make their findings with ``Document.finding``
        from spans of the text (their tests hold them to it): theirs are not checked again."""
        problem = None if id(source) in self._bundled else self._problem(item, source, document)
        if problem:
            notes.append(f"{role} {source.name!r} returned an invalid finding ({problem}); it was dropped")
            return None
        finding = cast(Finding, item)  # _problem found nothing wrong, so it is a Finding
        if not self.selection.allows(finding.rule_id, finding.technique):
            return None
        return place(self._with_override(finding), document, regions)

    def _with_override(self, finding: Finding) -> Finding:
        """The finding with the configured severity for its rule or technique, if there is one."""
        override = self.severity_overrides.get(finding.rule_id)
        if override is None and finding.rule_id not in self._own_severity:
            override = self.severity_overrides.get(finding.technique)
        return finding if override is None or override == finding.severity else finding.evolve(severity=override)

    def _problem(self, item: object, detector: Detector | Reviewer, document: Document) -> str | None:
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
        if not usable_weight(item.weight):
            return f"weight {item.weight!r} is not a number from 0 to {MAX_WEIGHT:g}"
        declared = self._declared.get(detector.name)
        if declared and item.rule_id not in declared:
            return f"rule {item.rule_id!r} is not among the detector's rules"
        return None


def _without(findings: list[Finding], ignored: frozenset[str]) -> list[Finding]:
    """The findings whose rule and technique are both outside ``ignored``."""
    if not ignored:
        return findings
    return [f for f in findings if f.rule_id not in ignored and f.technique not in ignored]


def _successes(calls: Sequence[HookCall], hook_name: str, warnings: list[str]) -> list[tuple[str, list]]:
    """(plugin, returned items) for each call that worked; failures become warnings."""
    results = []
    for call in calls:
        if isinstance(call.error, FramecheckError):
            raise call.error  # a setting the user must fix (a corrupt model file): not a plugin bug
        if call.error is not None:
            warnings.append(call.describe_error(hook_name) + "; its contributions were skipped")
        elif call.result is not None:
            results.append((call.plugin, list(call.result)))
    return results


REVISABLE = frozenset({"weight", "severity", "context"})


def _revision_problem(original: Finding, revised: object) -> str | None:
    """Why a reviewer's revision of ``original`` is not acceptable, or None: it may change
    only the weight, severity and context."""
    if not isinstance(revised, Finding):
        return f"expected a Finding, got {type(revised).__name__}"
    changed = sorted(
        name for name in original.__dataclass_fields__
        if name not in REVISABLE and getattr(original, name) != getattr(revised, name)
    )
    if changed:
        return f"it changes {', '.join(changed)}; only weight, severity and context may change"
    if not usable_weight(revised.weight):
        return f"weight must be a number from 0 to {MAX_WEIGHT:g}"
    if not isinstance(revised.severity, Severity):
        return "severity must be a framecheck.Severity"
    if not (isinstance(revised.context, tuple) and all(isinstance(c, str) for c in revised.context)):
        return "context must be a tuple of strings"
    return None


def _check_detectors(
    detectors: Sequence[Detector], plugins: dict[str, str], reviewers: Sequence[Reviewer] = ()
) -> dict[str, str]:
    """Rule id -> detector (or reviewer) name; two of them may not claim one rule id."""
    owners: dict[str, str] = {}
    names: set[str] = set()
    for detector in detectors:
        if not isinstance(detector, Detector):
            plugin = plugins.get(getattr(detector, "name", ""), "?")
            raise PluginError(
                f"plugin {plugin!r} returned {detector!r} as a detector; it needs name, rules and detect()"
            )
    for reviewer in reviewers:
        if not isinstance(reviewer, Reviewer):
            plugin = plugins.get(getattr(reviewer, "name", ""), "?")
            raise PluginError(
                f"plugin {plugin!r} returned {reviewer!r} as a reviewer; it needs name, rules and review()"
            )
    for detector in (*detectors, *reviewers):
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
