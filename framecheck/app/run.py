"""The run loop every face shares: inputs -> documents -> reports -> formatters, judged by the gate.

An :class:`Application` is built once from a resolved configuration (engine, readers,
formatters) and then runs; the command line builds one per process, a long-running service
keeps one warm. It returns what happened (a :class:`RunOutcome`); what to print and which exit
code that means is the face's business.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from ..core.errors import FramecheckError, InputError, InputSkipped, InputsPassedOver
from ..core.model import ArticleReport, Finding, Severity
from ..core.summary import RunSummary
from ..core.surrogates import printable
from ..engine.engine import Engine
from ..inputs.changes import ChangedLines
from ..inputs.readers import Input, MemoryInput, ReaderSet, ReadOptions
from ..inputs.walk import NotAnArticle, collect_inputs, pack_tested_by
from ..outputs.atomic import atomic_text_file
from ..outputs.base import Formatter
from ..outputs.progress import Progress
from .components import Fanout, formatter_classes, output_targets, reader_objects, require_format
from .config import Config
from .gate import GatePolicy, on_changed_lines, shown_from
from .options import engine_for
from .parallel import read_safely, scan_all, scan_safely, work_units


class Events(Protocol):
    """What a face is told while a run goes on (the command line prints it to stderr)."""

    def warning(self, message: str) -> None: ...

    def error(self, message: str) -> None: ...


STDIN_NAME = "<stdin>"  # what reports call standard input unless --stdin-filename names it


@dataclass(frozen=True)
class RunSettings:
    """How one run walks its inputs, beyond what the configuration says."""

    stdin_name: str = STDIN_NAME
    changed_since: str | None = None  # a git ref: only the files changed since it
    changed_lines: str | None = None  # a git ref: only the findings on lines changed since it
    add_waivers: bool = False  # keep each file's active findings, to write waivers for them
    jobs: int | None = None  # worker processes; None decides from the number of documents
    dask_address: str | None = None
    skip_unreadable: bool = False  # an unreadable input is a warning, not an error
    record_baseline: bool = False  # every finding is recorded and accepted: the check passes
    statistics: bool = False  # count active findings per rule
    keep_texts: bool = False  # keep each article's decoded text (a face that shows it beside its findings)


@dataclass
class RunOutcome:
    """What a run found: the totals and gate failures, and what was asked for besides."""

    summary: RunSummary = field(default_factory=RunSummary)
    statistics: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (rule, severity, technique)
    recorded: list[tuple[str, list[dict]]] = field(default_factory=list)  # (source, baseline entries)
    texts: dict[str, str] = field(default_factory=dict)  # source -> decoded text, with keep_texts
    waivable: list[tuple[str, tuple[Finding, ...]]] = field(default_factory=list)  # with add_waivers


class Application:
    """One configured framecheck: an engine with its readers and formatters, built once."""

    def __init__(self, config: Config, engine: Engine, readers: ReaderSet, formats: dict[str, type[Formatter]],
                 events: Events):
        self.config = config
        self.engine = engine
        self.readers = readers
        self.formats = formats
        self.events = events

    @classmethod
    def from_config(cls, config: Config, events: Events, *, debug: bool = False,
                    record_baseline: bool = False) -> Application:
        """The application a configuration describes. A run that records a baseline need not
        (and, the first time, cannot) read the one the configuration names."""
        baseline = None
        if config.baseline and not record_baseline:
            from .baseline import Baseline  # imported on use: most runs have none

            baseline = Baseline.load(Path(config.baseline))
        engine, manager = engine_for(config, baseline=baseline, debug=debug)
        for warning in engine.setup_warnings:
            events.warning(warning)
        read_options = ReadOptions(config.input_format, config.text_field, config.id_field, config.max_bytes,
                                   languages=engine.languages)
        readers = ReaderSet(reader_objects(manager, events.warning), read_options)
        return cls(config, engine, readers, formatter_classes(manager, events.warning), events)

    def reading_as(self, input_format: str) -> Application:
        """This application with every input read by one reader (``--input-format``); the
        engine and formatters are shared, not rebuilt."""
        readers = self.readers.forcing(input_format)
        return Application(self.config, self.engine, readers, self.formats, self.events)

    def output_targets(self) -> tuple[str | None, list[tuple[str, str]]]:
        """(format for the face's own stream or None, [(format, file)]), checked against the
        formats this run has."""
        return output_targets(self.config, self.formats)

    def open_reports(self, stack: ExitStack, *, stream: TextIO | None, stream_format: str | None,
                     files: Sequence[tuple[str, str]], stream_color: bool, file_color: bool,
                     quiet: bool) -> Formatter:
        """One formatter for every report of the run; files are written atomically and only
        replace what was there when ``stack`` closes without an error."""
        outputs: list[Formatter] = []
        catalogue = self.engine.rules()
        if stream is not None and stream_format:
            outputs.append(self.formats[stream_format](stream, color=stream_color, rules=catalogue))
        for name, target in files:
            handle = stack.enter_context(atomic_text_file(target))
            outputs.append(self.formats[name](handle, color=file_color, rules=catalogue))
        for output in outputs:
            output.quiet = quiet
        return Fanout(outputs)

    def inputs(self, paths: Sequence[str], settings: RunSettings,
               changed: Iterable[Path] | None = None) -> Iterator[Input | InputError]:
        """What to scan: the paths (walked, filtered by include/exclude and .gitignore), or git's
        changed files under them (``changed``, when the run has asked git already). Files named
        explicitly are scanned whatever the globs say, unless ``force-exclude`` is on."""
        config = self.config
        ref = settings.changed_lines or settings.changed_since
        if ref:
            roots = [Path(p).resolve() for p in paths] or [Path.cwd().resolve()]
            from ..inputs.vcs import changed_files  # imported on use: most scans never ask git

            option = "--changed-lines" if settings.changed_lines else "--changed-since"
            for path in changed if changed is not None else changed_files(ref, Path.cwd(), option):
                under = any(path == root or root in path.parents for root in roots)
                if under and path.suffix.lower() in self.readers.extensions and config.wants(path):
                    yield Input(os.path.relpath(path), path)
            return
        walked = collect_inputs(paths, self.readers.extensions, settings.stdin_name,
                                respect_gitignore=config.respect_gitignore, follow_symlinks=config.follow_symlinks)
        passed_over: Counter[str] = Counter()
        for item in walked:
            if isinstance(item, NotAnArticle):
                if config.wants(item.where):  # what include/exclude leave out is not missed
                    passed_over[item.kind] += 1
                continue
            if isinstance(item, Input) and self._left_out(item, item.name in paths):
                continue
            yield item
        if passed_over:
            yield InputsPassedOver(dict(passed_over))

    def _left_out(self, item: Input, named: bool) -> bool:
        """Whether include/exclude leave out an input: a walked file by its path, a named one
        (or standard input under its --stdin-filename) only under ``force-exclude``. A pack's
        test article named on the command line is scanned, with a warning saying what it is."""
        config = self.config
        if item.path is None:
            return item.name != STDIN_NAME and config.force_exclude and config.excluded(Path(item.name))
        if not named:
            return not config.wants(item.path)
        if config.force_exclude and config.excluded(item.path):
            return True
        tested = pack_tested_by(item.path) if ".test" in item.path.as_posix() else None
        if tested is not None:
            self.events.warning(f"{printable(item.name)}: a test article of the rule pack {printable(str(tested))}, "
                                "full of what the pack flags on purpose (framecheck rules test checks it)")
        return False

    def reports(self, paths: Sequence[str], settings: RunSettings,
                changed: Iterable[Path] | None = None) -> Iterator[ArticleReport | InputError]:
        """A report (or an input error) per document, in input order, here, in worker
        processes or on a Dask cluster (``changed``: see :meth:`inputs`)."""
        items = self.inputs(paths, settings, changed)
        if settings.dask_address:
            from .dask_scan import scan_jsonl  # imported on use: needs framecheck[dask]

            return scan_jsonl(settings.dask_address, items, self.config, self.readers.options)
        return scan_all(self.engine, work_units(items, self.readers), settings.jobs, self.readers,
                        warn=self.events.warning)

    def run(self, paths: Sequence[str], settings: RunSettings, report_to: Formatter,
            progress: Progress | None = None) -> RunOutcome:
        """Scan every input, hand each report to ``report_to``, judge each against the gate."""
        changed = None
        if settings.changed_lines:
            from ..inputs.vcs import changed_lines  # imported on use: most scans never ask git

            changed = changed_lines(settings.changed_lines, Path.cwd())
        return self.collect(self.reports(paths, settings, changed), settings, report_to, progress, changed=changed)

    def scan_bytes(self, name: str, data: bytes, format_name: str = "json",
                   settings: RunSettings = RunSettings()) -> tuple[str, RunOutcome]:
        """One document handed over as bytes (a request body, an editor's buffer), read, scanned
        and judged as ``run`` treats a file of that ``name`` (its extension, or its first bytes,
        choose the reader), and its report in ``format_name``, exactly as ``framecheck scan
        --format NAME`` writes it for that file."""
        require_format(format_name, self.formats, "format")
        stream = io.StringIO()
        report_to = self.formats[format_name](stream, rules=self.engine.rules())
        outcome = self.collect(self._scanned(MemoryInput(name, None, data)), settings, report_to)
        return stream.getvalue(), outcome

    def _scanned(self, item: Input) -> Iterator[ArticleReport | InputError]:
        for document in read_safely(self.readers, item):
            yield document if isinstance(document, InputError) else scan_safely(self.engine, document)

    def collect(self, results: Iterable[ArticleReport | InputError], settings: RunSettings, report_to: Formatter,
                progress: Progress | None = None, *, changed: dict[Path, ChangedLines] | None = None) -> RunOutcome:
        """Hand each report (or input error) to ``report_to`` and judge it against the gate;
        with ``changed`` (``--changed-lines``), only on the findings of changed lines."""
        outcome = RunOutcome()
        summary = outcome.summary
        policy = GatePolicy.from_config(self.config)
        minimum = Severity.parse(self.config.min_severity)
        if settings.record_baseline:
            from .baseline import baseline_entries  # imported on use: most runs record none
        report_to.start()
        for report in results:
            if isinstance(report, InputError):
                self._input_error(report, settings, summary)
                continue
            if progress is not None:
                progress.advance(len(report.document.text), len(report.findings))
            if report.incomplete:  # a check that did not run cannot pass: exit 2, and say which
                message = printable(f"{report.source}: the check is incomplete: "
                                    f"{'; '.join(report.incomplete)} failed (see its notes)")
                self.events.error(message)
                summary.incomplete.append(message)
            whole = True
            if changed is not None:
                report, whole, unchanged = on_changed_lines(report, changed)
                summary.unchanged += unchanged
            failures, left_out = policy.judge(report, judge_score=whole)
            summary.failures.extend(failures)
            summary.not_counted += left_out
            if settings.record_baseline:
                outcome.recorded.append((report.source, baseline_entries(report)))
            if settings.add_waivers and report.active_findings and Path(report.source).is_file():
                outcome.waivable.append((report.source, report.active_findings))
            report, below = shown_from(report, minimum)
            summary.add(report)
            summary.not_shown += below
            if settings.statistics:
                outcome.statistics.update((f.rule_id, f.severity.label, f.technique) for f in report.active_findings)
            report_to.article(report)
            if settings.keep_texts:
                outcome.texts[report.source] = report.document.text
        if settings.record_baseline:
            summary.failures.clear()  # the findings are accepted: the check does not fail
        report_to.finish(summary)
        return outcome

    def _input_error(self, error: InputError, settings: RunSettings, summary: RunSummary) -> None:
        if isinstance(error, InputsPassedOver):  # said in the summary, not once per file
            for kind, count in error.counts.items():
                summary.passed_over[kind] = summary.passed_over.get(kind, 0) + count
            return
        message = printable(str(error))  # a file name may hold bytes that are not UTF-8
        if settings.skip_unreadable or isinstance(error, InputSkipped):
            self.events.warning(message)
            summary.skipped.append(message)
        else:
            self.events.error(message)
            summary.errors.append(message)

    def add_waivers(self, outcome: RunOutcome) -> tuple[int, int]:
        """Write a placeholder waiver above each paragraph with active findings, in every file
        the run scanned (see ``app.waivers``); (waivers written, files changed). A file that
        cannot take them (not UTF-8, a format without comments) is a warning, not a stop."""
        from .waivers import COMMENT_SYNTAX, TEXT_SYNTAX, add_waivers  # imported on use: one command asks

        syntaxes = {"text": TEXT_SYNTAX, "markdown": COMMENT_SYNTAX, "html": COMMENT_SYNTAX}
        written = files = 0
        for source, findings in outcome.waivable:
            path = Path(source)
            syntax = syntaxes.get(self.readers.reader_for(Input(source, path)).name)
            if syntax is None:
                self.events.warning(f"{printable(source)}: waivers go into text, Markdown or HTML files only; "
                                    "none was added")
                continue
            try:
                count = add_waivers(path, findings, syntax)
            except (FramecheckError, OSError) as exc:
                self.events.warning(printable(str(exc)))
                continue
            written += count
            files += bool(count)
        return written, files

    def write_baseline(self, path: str, outcome: RunOutcome) -> int:
        """Record the run's findings as the new baseline at ``path``; how many were written."""
        from .baseline import write_baseline

        return write_baseline(Path(path), outcome.recorded)
