"""Every hook a framecheck plugin can implement, in one place.

framecheck's own behaviour is written against these hooks too: the YAML rule matcher, the
shipped rule packs, the bundled detectors and the text/JSON formatters are all registered
as plugins. Every hook here is documented in ``docs/plugins.md`` (a test checks that).

All hooks are "collect all results": pluggy calls every implementation and framecheck
merges what they return. An implementation may accept any subset of a hook's arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pluggy

from ..core.model import Dismissal, Document, Finding, Region, RuleInfo, ScanOptions, ScanWarning

if TYPE_CHECKING:
    from ..inputs.readers import Reader
    from ..languages.profiles import Languages
    from ..outputs.base import Formatter
    from ..packs.loading import Pack

PROJECT_NAME = "framecheck"
ENTRY_POINT_GROUP = "framecheck"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@runtime_checkable
class Detector(Protocol):
    """Finds framing devices that YAML patterns cannot express.

    ``name`` identifies the detector in warnings; ``rules`` describes every rule id the
    detector can report (its findings must use one of them); ``detect`` yields findings,
    best built with :meth:`framecheck.Document.finding` so spans and positions agree, and
    may yield :class:`framecheck.ScanWarning` for a check it had to skip on that document.

    Optionally, ``phrase_indexes`` lists the :class:`framecheck.PhraseIndex` es the
    detector asks per document; the engine then answers all detectors' indexes with one
    automaton pass (not part of the protocol check, so older detectors need not have it).
    """

    name: str
    rules: Sequence[RuleInfo]

    def detect(self, document: Document) -> Iterable[Finding | ScanWarning]: ...


@runtime_checkable
class Reviewer(Protocol):
    """Looks at a document's findings once every detector has run, for devices that are
    about other findings rather than about the text alone (a loaded phrase repeated through
    an article; a loaded word under a negation).

    ``review(document, findings)`` gets the document and its findings so far (validated,
    placed, sorted) and yields:

    * new findings for its own ``rules`` (checked like a detector's),
    * revised copies of given findings, made with :meth:`framecheck.Finding.evolve`: same
      span, rule and technique, with a changed ``weight``, ``severity`` or ``context``. They
      replace the original, and
    * :class:`framecheck.Dismissal` s of given findings, which leave the report with a note
      in the article's warnings saying why.

    It may also yield :class:`framecheck.ScanWarning`. Reviewers run in registration order,
    each seeing the previous one's result, except that one with ``runs_last = True`` runs
    after the others; a reviewer that raises loses only its own changes.

    A reviewer may also define ``notes_on_rules(rules) -> list[str]``: once the engine is built
    it gets the rules the run selects, and what it returns is shown as set-up warnings (the
    learned layer says so when its model was trained with other rules). And it may define
    ``technique_factors``, a mapping of technique to score factor that the run scores with where
    the configuration gives none (the learned layer's fitted article score).
    """

    name: str
    rules: Sequence[RuleInfo]

    def review(
        self, document: Document, findings: Sequence[Finding]
    ) -> Iterable[Finding | Dismissal | ScanWarning]: ...


@runtime_checkable
class Annotator(Protocol):
    """Adds structure to a document before detectors run (e.g. marks site chrome).

    ``annotate`` yields :class:`framecheck.Region` objects over the document's text; the
    engine adds them to ``document.regions``, and findings inside record where they are.
    """

    name: str

    def annotate(self, document: Document) -> Iterable[Region]: ...


# --------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------


@hookspec
def framecheck_readers() -> Iterable[Reader]:
    """Return readers that turn input files into documents.

    A reader has a ``name`` (for ``--input-format``), a one-line ``description``,
    ``extensions`` it claims (lower-case, with the dot), ``sniff(head)`` for files whose
    extension says nothing, and ``read(item, options)`` yielding documents. All
    implementations are called; for an extension claimed twice the first registered wins.
    """


@hookspec
def framecheck_annotators(languages: Languages) -> Iterable[Annotator]:
    """Return annotators that add regions (such as boilerplate) to every document.

    :param languages: the run's languages (the shipped ones and those in its rule folders),
        whose word lists (``languages.words(section, key)``) an annotator may read.

    All implementations are called; annotators run in registration order, before detectors.
    """


# --------------------------------------------------------------------------------------
# Rules and detection
# --------------------------------------------------------------------------------------


@hookspec
def framecheck_rule_pack_paths() -> Iterable[str | Path]:
    """Return rule-pack files or directories of packs that this plugin ships.

    The packs are loaded and validated like ``--rules`` packs, and matched by the built-in
    YAML matcher. All implementations are called; their paths are merged in order.
    """


@hookspec
def framecheck_detectors(packs: Sequence[Pack], options: ScanOptions, languages: Languages) -> Iterable[Detector]:
    """Return detectors to run on every document.

    :param packs: every rule pack loaded for this run (after ``--select``/``--ignore``), for
        detectors that want to read rule data.
    :param options: run-wide settings, such as the per-document regex timeout.
    :param languages: the run's languages, as for annotators.

    All implementations are called; every detector they return runs on every document.
    """


@hookspec
def framecheck_reviewers(options: ScanOptions, languages: Languages) -> Iterable[Reviewer]:
    """Return reviewers to run on every document after the detectors.

    :param options: run-wide settings, as for detectors.
    :param languages: the run's languages, as for annotators.

    All implementations are called; reviewers run in registration order.
    """


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


@hookspec
def framecheck_formatters() -> Iterable[type[Formatter]]:
    """Return formatter classes this plugin adds, each with a unique ``name``.

    A formatter class is selected with ``--format NAME``. All implementations are called.
    """
