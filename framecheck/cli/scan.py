"""``framecheck scan``: options in, one application run, reports out, an exit code.

Exit codes: 0 no finding at or over ``--fail-on``; 1 findings at or over it (or a score over
``--max-score``); 2 a usage, configuration, rule-pack, plugin or input error; 130 interrupted.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from typing import Any, TextIO

import click

from ..app.config import FAIL_ON, FAIL_SCOPES, MAX_REGEX_TIMEOUT, MIN_REGEX_TIMEOUT, SEVERITY_KEYS, Config
from ..app.run import Application, RunOutcome, RunSettings
from ..core.model import ScanOptions
from ..core.summary import RunSummary
from ..core.surrogates import printable
from ..engine.suppressions import PLACEHOLDER_REASON
from ..outputs.base import plural, visible
from ..outputs.progress import Progress
from .base import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, TerminalEvents, debugging, error, warn
from .completion import format_names
from .options import engine_options, finite, model_options, resolve_settings, size
from .setup import print_settings


@click.command("scan")
@click.argument("paths", nargs=-1)
@engine_options
@click.option("--format", "format_name", default="text", show_default=True, metavar="NAME",
              shell_complete=format_names,
              help="Report format for stdout: text, concise, json, jsonl, sarif, github, gitlab, junit, markdown, "
                   "annotated, html, or one a plugin adds.")
@click.option("-o", "--output", "outputs", multiple=True, metavar="[FORMAT=]FILE",
              help="Write a report to FILE (atomically): FORMAT=FILE for another format, FILE for --format "
                   "(then stdout stays quiet). Repeatable.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="warning", show_default=True,
              help="Exit 1 when an active finding has this severity or higher.")
@click.option("--min-severity", type=click.Choice(SEVERITY_KEYS), default="info", show_default=True,
              help="Report only findings of this severity or higher (scores still count every finding): "
                   "what a hook or CI log shows, apart from what fails the check.")
@click.option("--fail-scope", type=click.Choice(FAIL_SCOPES), default="own-voice", show_default=True,
              help="Which findings --fail-on counts: own-voice leaves out what named or described speakers said "
                   "(quoted or reported) and site chrome (still reported, marked); all counts every active finding.")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when findings or scores fail the check (errors still exit 2).")
@click.option("--fail-on-empty", is_flag=True, default=None,
              help="Exit 2 when no article was scanned (an empty folder, everything excluded).")
@click.option("--max-score", type=click.FloatRange(min=0), metavar="SCORE", callback=finite("--max-score"),
              help="Also exit 1 when an article's score is above SCORE.")
@click.option("--stdin-filename", default="<stdin>", show_default=True,
              help="Name used for '-' in reports and for choosing its reader and config globs.")
@click.option("--regex-timeout", type=click.FloatRange(MIN_REGEX_TIMEOUT, MAX_REGEX_TIMEOUT),
              default=ScanOptions.regex_timeout, callback=finite("--regex-timeout"),
              show_default=True, help="Seconds one regex may run per million characters of a document.")
@click.option("--max-bytes", metavar="SIZE", callback=size,
              help="Largest document (or corpus record) read, in bytes or with K, M or G; a larger one is an "
                   "error and the others are scanned. Default 64M.")
@click.option("--plugin-timeout", type=click.FloatRange(min=0), default=ScanOptions.plugin_timeout, show_default=True,
              callback=finite("--plugin-timeout"),
              help="Seconds one plugin may spend on one document (per million characters); over it, its "
                   "findings for that document are dropped and the run exits 2. 0: no limit.")
@click.option("--document-timeout", type=click.FloatRange(min=0), default=ScanOptions.document_timeout,
              show_default=True, callback=finite("--document-timeout"),
              help="Seconds the whole scan of one document may take (per million characters); over it, the "
                   "document is an error and the others are scanned. 0: no limit.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal, unless NO_COLOR is set).")
@click.option("--skip-unreadable", is_flag=True,
              help="Warn about inputs that cannot be read instead of exiting 2 for them.")
@click.option("--debug", is_flag=True, help="Add tracebacks to plugin failures and internal errors.")
@click.option("--input-format", metavar="NAME",
              help="Read every input with this reader (text, markdown, html, jsonl, csv, or a plugin's) "
                   "instead of choosing by extension and content.")
@click.option("--text-field", default="text", show_default=True, help="Field or column holding the article text in JSONL/CSV corpora.")
@click.option("--id-field", default="id", show_default=True, help="Field or column naming each record in JSONL/CSV corpora (reports show FILE#ID).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB when walking directories (repeatable).")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply the exclude globs to files named on the command line too (as pre-commit names them).")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Skip files git ignores when walking directories in a git work tree (default: on).")
@click.option("--follow-symlinks/--no-follow-symlinks", default=None,
              help="Read links to files outside a walked directory (default: off; they are skipped with a note, "
                   "so a link cannot put another folder's text into reports).")
@click.option("--baseline", "baseline_path", metavar="FILE", help="Findings recorded in this baseline do not fail the check.")
@click.option("--write-baseline", metavar="FILE", help="Record every finding of this run in FILE as the new baseline.")
@click.option("--require-reason", is_flag=True, default=None, help="Inline suppressions without reason=\"...\" do not count.")
@click.option("--add-waivers", is_flag=True,
              help="Write a waiver with a placeholder reason above each paragraph with active findings (text, "
                   "Markdown and HTML files). They waive nothing until an editor writes each reason.")
@click.option("--changed-since", metavar="REF", help="Only scan files that git reports changed since REF (and untracked ones).")
@click.option("--changed-lines", metavar="REF",
              help="Only report and judge findings on lines changed since REF (git diff REF; a new file "
                   "whole, its score included): an edit surfaces its own findings, not the article's old ones.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Scan in N worker processes; reports keep input order. Default: all CPUs once a scan "
                   "passes 64 documents, one process before that.")
@click.option("-q", "--quiet", is_flag=True,
              help="Findings only: no progress line, notes, per-article summaries or totals in text output.")
@click.option("--show-settings", is_flag=True,
              help="Print the settings this scan would run with (configuration file and command line "
                   "together) and exit without scanning.")
@click.option("--statistics", is_flag=True,
              help="Print how many active findings each rule has, instead of the findings.")
@model_options
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Scan JSONL corpora on the Dask scheduler at ADDRESS (needs framecheck[dask]); "
                   "reports are the same, in the same order, as a local scan.")
@click.pass_context
def scan(ctx: click.Context, paths: tuple[str, ...], **options: Any) -> None:
    """Scan files, directories (recursively: text, Markdown and HTML articles) or '-' for stdin."""
    if options["debug"]:
        ctx.find_root().obj["debug"] = True
    if options["show_settings"]:
        print_settings(resolve_settings(ctx, paths))
        ctx.exit(EXIT_OK)
    if not paths and not options["changed_since"] and not options["changed_lines"]:
        raise click.UsageError("give at least one PATH (or --changed-since REF, --changed-lines REF)")
    if options["changed_since"] and options["changed_lines"]:
        raise click.UsageError("give --changed-since or --changed-lines, not both (--changed-lines scans the "
                               "changed files too)")
    config = resolve_settings(ctx, paths)
    settings = RunSettings(
        stdin_name=options["stdin_filename"], changed_since=options["changed_since"],
        changed_lines=options["changed_lines"], jobs=options["jobs"],
        dask_address=options["dask_address"], skip_unreadable=options["skip_unreadable"],
        record_baseline=bool(options["write_baseline"]), statistics=options["statistics"],
        add_waivers=options["add_waivers"],
    )
    events = TerminalEvents()
    color = _use_color(options["color"])
    app = Application.from_config(config, events, debug=debugging(), record_baseline=settings.record_baseline)
    stdout_format, files = app.output_targets()
    with ExitStack() as stack:
        stdout = stack.enter_context(report_stdout())
        report_to = app.open_reports(
            stack, stream=None if options["statistics"] else stdout, stream_format=stdout_format, files=files,
            stream_color=color, file_color=bool(options["color"]), quiet=options["quiet"],
        )
        events.progress = Progress(enabled=not options["quiet"])
        stack.callback(events.progress.close)
        outcome = app.run(paths, settings, report_to, events.progress)
        if options["statistics"]:
            _print_statistics(outcome.statistics, stdout)
    if options["write_baseline"]:
        _write_baseline(app, options["write_baseline"], outcome)
    if options["add_waivers"]:
        written, files = app.add_waivers(outcome)
        click.echo(f"framecheck: added {plural(written, 'waiver')} to {plural(files, 'file')}; each waives "
                   f"nothing until its reason is written (replace \"{PLACEHOLDER_REASON}\")", err=True)
    ctx.exit(scan_exit(outcome.summary, paths, config, exit_zero=options["exit_zero"]))


def _use_color(choice: bool | None) -> bool:
    if choice is not None:
        return choice
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _write_baseline(app: Application, path: str, outcome: RunOutcome) -> None:
    count = app.write_baseline(path, outcome)
    click.echo(f"framecheck: wrote {count} findings to the baseline {printable(path)}", err=True)


def scan_exit(summary: RunSummary, paths: Sequence[str], config: Config, *, exit_zero: bool) -> int:
    """The exit code, with the reason on stderr whenever it is not 0."""
    if summary.articles == 0 and not summary.errors and not summary.skipped:
        where = ", ".join(paths) or "the changed files"
        message = f"nothing was scanned: no article files under {where} (after include/exclude and .gitignore)"
        if summary.passed_over:
            message += f"; {summary.passed_over_note()}"
        if config.fail_on_empty:
            error(message)
            return EXIT_ERROR
        warn(message)
    if summary.errors or summary.incomplete:
        return EXIT_ERROR
    if summary.not_counted:
        warn(f"{plural(summary.not_counted, 'finding')} at or above --fail-on said by named speakers (quoted or "
             "reported) or in site chrome did not count (--fail-scope all counts them)")
    if not summary.failed:
        return EXIT_OK
    reasons = [f"{failure.source}: {failure.reason}" for failure in summary.failures]
    shown = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
    if exit_zero:
        click.echo(f"framecheck: check would fail ({shown}); --exit-zero", err=True)
        return EXIT_OK
    click.echo(f"framecheck: check failed: {visible(shown)}", err=True)
    return EXIT_FINDINGS


def _print_statistics(statistics: Counter[tuple[str, str, str]], stream: TextIO) -> None:
    """Active findings per rule, most frequent first (ties by rule id), and the total."""
    rows = sorted(statistics.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(rule) for (rule, _, _), _ in rows), default=0)
    for (rule, severity, technique), count in rows:
        click.echo(f"{count:6d}  {rule.ljust(width)}  {severity:<7}  {technique}", file=stream)
    click.echo(f"{statistics.total():6d}  total", file=stream)


@contextlib.contextmanager
def report_stdout() -> Iterator[TextIO]:
    """The report's own copy of standard output, while file descriptor 1 points at stderr.

    ``print`` from a plugin is sent to stderr already, but ``os.write(1, ...)``, a C extension
    or a subprocess write to the descriptor itself and would land inside a JSON report. Where
    stdout is no real descriptor (an embedding program, a test runner's capture), it is used
    as it is."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield sys.stdout
        return
    sys.stdout.flush()
    saved = os.dup(descriptor)
    private = os.fdopen(os.dup(descriptor), "w", encoding=sys.stdout.encoding, errors=sys.stdout.errors,
                        newline=None, closefd=True)
    os.dup2(sys.stderr.fileno(), descriptor)
    try:
        yield private
        private.flush()  # a reader that went away (``| head``) shows here, as BrokenPipeError
    finally:
        os.dup2(saved, descriptor)  # stdout is stdout again for what follows (the exit message)
        os.close(saved)
        _close_quietly(private)


def _close_quietly(stream: TextIO) -> None:
    """Close a stream whose reader may be gone: what cannot be written is dropped, once,
    instead of failing again when the stream is collected."""
    with contextlib.suppress(OSError):
        stream.flush()
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    with contextlib.suppress(OSError):
        stream.close()
