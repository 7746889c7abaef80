"""framecheck's own behaviour, registered as plugins through the public hooks.

``CorePlugin`` provides the YAML rule matcher and the standard formatters; it is always
registered. ``DefaultRulesPlugin`` contributes the shipped packs; ``--no-default-rules``
leaves it (and the bundled detectors) out of the hook calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from .formatters import (
    AnnotatedFormatter,
    ConciseFormatter,
    GithubFormatter,
    JsonFormatter,
    JsonLinesFormatter,
    MarkdownFormatter,
    SarifFormatter,
    TextFormatter,
)
from .hookspecs import hookimpl
from .html_report import HtmlFormatter
from .markup import HtmlReader, MarkdownReader
from .matching import PhraseIndex
from .model import Document, Finding, ScanOptions, ScanWarning
from .packs import Pack, PackRule
from .readers import CsvReader, JsonlReader, TextReader
from .resources import bundled_rules_dir


def _overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    start, end = span
    return any(other_start < end and start < other_end for other_start, other_end in others)


class PackMatcher:
    """Runs the patterns of every enabled pack rule over a document.

    By default candidates come from one :class:`PhraseIndex` over all rules (the combined
    path); ``combined=False`` scans with each rule's regex instead (the simple path, kept as
    the reference the combined one is tested against).
    """

    name = "yaml-rules"

    def __init__(self, packs: Sequence[Pack], options: ScanOptions, *, combined: bool = True):
        self._rules: tuple[PackRule, ...] = tuple(r for pack in packs for r in pack.rules if r.enabled)
        self.rules = tuple(rule.info for rule in self._rules)
        # Pattern ids: 2*i for rule i's patterns, 2*i + 1 for its exceptions.
        compiled = [c for rule in self._rules for c in (rule.patterns, rule.exceptions)]
        self._index = PhraseIndex(compiled) if combined else None
        self.phrase_indexes = (self._index,) if self._index is not None else ()
        self._options = options

    def detect(self, document: Document) -> Iterator[Finding | ScanWarning]:
        text = document.text
        candidates = self._index.candidates(document) if self._index is not None else None
        timeout = self._options.timeout_for(text)
        for number, rule in enumerate(self._rules):
            starts = exception_starts = seen = keys = exception_keys = None
            if candidates is not None:
                starts = candidates.starts.get(2 * number, ())
                keys = candidates.keys.get(2 * number, ())
                exception_starts = candidates.starts.get(2 * number + 1, ())
                exception_keys = candidates.keys.get(2 * number + 1, ())
                seen = candidates.seen
                if not starts and not rule.patterns.raw_sources:
                    continue
            try:
                spans = sorted(set(rule.patterns.spans(text, starts, seen, timeout=timeout, keys=keys)))
                cancelled = []
                if spans and rule.exceptions is not None:
                    cancelled = list(
                        rule.exceptions.spans(text, exception_starts, seen, timeout=timeout, keys=exception_keys)
                    )
            except TimeoutError:
                yield ScanWarning(
                    f"rule {rule.id!r} ({rule.info.origin}) exceeded the {timeout:g}s regex "
                    "timeout and was skipped for this document", incomplete=True,
                )
                continue
            except Exception as exc:  # noqa: BLE001 - one failing rule loses only itself
                yield ScanWarning(
                    f"rule {rule.id!r} ({rule.info.origin}) failed: {type(exc).__name__}: {exc}; "
                    "it was skipped for this document", incomplete=True,
                )
                continue
            for start, end in spans:
                if not (cancelled and _overlaps((start, end), cancelled)):
                    yield document.finding_of(rule.info, start, end, detector=self.name)


class CorePlugin:
    @hookimpl
    def framecheck_detectors(self, packs: Sequence[Pack], options: ScanOptions) -> list[PackMatcher]:
        return [PackMatcher(packs, options)]

    @hookimpl
    def framecheck_formatters(self) -> list[type]:
        return [TextFormatter, ConciseFormatter, JsonFormatter, JsonLinesFormatter, SarifFormatter, GithubFormatter,
                MarkdownFormatter, AnnotatedFormatter, HtmlFormatter]

    @hookimpl
    def framecheck_readers(self) -> list:
        return [TextReader(), MarkdownReader(), HtmlReader(), JsonlReader(), CsvReader()]


class DefaultRulesPlugin:
    @hookimpl
    def framecheck_rule_pack_paths(self) -> list[Path]:
        return [bundled_rules_dir()]
