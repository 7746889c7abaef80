"""The ``framecheck`` command line.

Exit codes (documented in the README): 0 no finding at or over ``--fail-on``; 1 findings at
or over it; 2 a usage, configuration, rule-pack, plugin or input error; 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click

from . import __version__
from .engine import Engine, Selection
from .errors import FramecheckError, InputError
from .formatters import Formatter
from .model import Document, RunSummary, ScanOptions, Severity
from .plugins import call_each, get_plugin_manager
from .readers import Reader, ReaderSet, ReadOptions, collect_inputs
from .taxonomy import TECHNIQUES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
FAIL_ON_CHOICES = ("info", "warning", "error", "never")


class UserError(click.ClickException):
    """A FramecheckError shown as one line, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"framecheck: error: {self.format_message()}", err=True)


class FramecheckGroup(click.Group):
    """Turns every expected failure into one line and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except FramecheckError as exc:
            raise UserError(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("framecheck: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            else:
                click.echo(
                    f"framecheck: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                    err=True,
                )
            ctx.exit(EXIT_ERROR)


def _split_ids(values: Sequence[str]) -> frozenset[str]:
    return frozenset(part.strip() for value in values for part in value.split(",") if part.strip())


def engine_options(command: Callable) -> Callable:
    """The options that decide which rules run, shared by ``scan`` and ``rules``."""
    decorators = [
        click.option("--rules", "rule_paths", multiple=True, metavar="PATH",
                     help="A rule-pack file or a directory of packs, added to the defaults (repeatable)."),
        click.option("--no-default-rules", is_flag=True,
                     help="Do not load the shipped packs and bundled detectors."),
        click.option("--plugin", "plugin_specs", multiple=True, metavar="MODULE_OR_FILE",
                     help="Load a plugin from a module name or a .py file (repeatable)."),
        click.option("--select", multiple=True, metavar="IDS",
                     help="Only these rule ids or technique ids (comma-separated, repeatable)."),
        click.option("--ignore", multiple=True, metavar="IDS",
                     help="Skip these rule ids or technique ids (comma-separated, repeatable)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _warn(message: str) -> None:
    click.echo(f"framecheck: warning: {message}", err=True)


def build_engine(
    rule_paths: Sequence[str],
    no_default_rules: bool,
    plugin_specs: Sequence[str],
    select: Sequence[str],
    ignore: Sequence[str],
    options: ScanOptions = ScanOptions(),
) -> tuple[Engine, Any]:
    manager = get_plugin_manager(plugin_specs)
    ctx = click.get_current_context(silent=True)
    engine = Engine.from_plugins(
        manager,
        rule_paths=rule_paths,
        default_rules=not no_default_rules,
        selection=Selection(_split_ids(select), _split_ids(ignore)),
        options=options,
        debug=bool(ctx and ctx.find_root().obj and ctx.find_root().obj.get("debug")),
    )
    for warning in engine.setup_warnings:
        _warn(warning)
    return engine, manager


def _documents(paths: Sequence[str], readers: ReaderSet, stdin_name: str) -> Iterator[Document | InputError]:
    """Every document of every input, one at a time; unreadable inputs come through as errors."""
    for item in collect_inputs(paths, readers.extensions, stdin_name):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield from readers.read(item)
        except InputError as exc:
            yield exc


def reader_objects(manager: Any) -> list[Reader]:
    found: list[Reader] = []
    for call in call_each(manager, "framecheck_readers"):
        if call.error is not None:
            _warn(call.describe_error("framecheck_readers") + "; its readers are unavailable")
        else:
            found.extend(call.result or ())
    return found


def formatter_classes(manager: Any) -> dict[str, type[Formatter]]:
    classes: dict[str, type[Formatter]] = {}
    for call in call_each(manager, "framecheck_formatters"):
        if call.error is not None:
            _warn(call.describe_error("framecheck_formatters") + "; its formats are unavailable")
            continue
        for cls in call.result or ():
            classes.setdefault(cls.name, cls)
    return classes


@contextmanager
def _output_stream(path: str | None) -> Iterator[TextIO]:
    """stdout, or a file written to a temporary name and renamed into place when complete."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise FramecheckError(f"{path}: cannot write the report: is a directory")
    try:
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", delete=False)
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _use_color(output: str | None, choice: bool | None) -> bool:
    if choice is not None:
        return choice
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.group(cls=FramecheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framecheck")
@click.option("--debug", is_flag=True, help="Show full tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find propaganda and misinformation framing devices in news text."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@engine_options
@click.option("--format", "format_name", default="text", show_default=True, metavar="NAME",
              help="Report format: text, json, or one a plugin adds.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="warning", show_default=True,
              help="Exit 1 when a finding has this severity or higher.")
@click.option("--stdin-filename", default="<stdin>", show_default=True, help="Name used for '-' in reports.")
@click.option("--regex-timeout", type=click.FloatRange(min=0.01), default=ScanOptions.regex_timeout,
              show_default=True, help="Seconds one regex may run on one document before it is skipped.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal, unless NO_COLOR is set).")
@click.option("--skip-unreadable", is_flag=True,
              help="Warn about inputs that cannot be read instead of exiting 2 for them.")
@click.option("--debug", is_flag=True, help="Add tracebacks to plugin failures and internal errors.")
@click.option("--input-format", metavar="NAME",
              help="Read every input with this reader (text, markdown, html, jsonl, csv, or a plugin's) "
                   "instead of choosing by extension and content.")
@click.option("--text-field", default="text", show_default=True, help="Field or column holding the article text in JSONL/CSV corpora.")
@click.option("--id-field", default="id", show_default=True, help="Field or column naming each record in JSONL/CSV corpora (reports show FILE#ID).")
@click.pass_context
def scan(ctx: click.Context, paths: tuple[str, ...], rule_paths: tuple[str, ...], no_default_rules: bool,
         plugin_specs: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...], format_name: str,
         output: str | None, fail_on: str, stdin_filename: str, regex_timeout: float, color: bool | None,
         skip_unreadable: bool, debug: bool, input_format: str | None, text_field: str, id_field: str) -> None:
    """Scan files, directories (recursively, every extension a reader claims) or '-' for stdin."""
    if debug:
        ctx.find_root().obj["debug"] = True
    engine, manager = build_engine(rule_paths, no_default_rules, plugin_specs, select, ignore,
                                   ScanOptions(regex_timeout=regex_timeout))
    readers = ReaderSet(reader_objects(manager), ReadOptions(input_format, text_field, id_field))
    formatters = formatter_classes(manager)
    if format_name not in formatters:
        raise FramecheckError(f"unknown format {format_name!r} (available: {', '.join(sorted(formatters))})")
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    summary = RunSummary()
    failed = False
    with _output_stream(output) as stream:
        formatter = formatters[format_name](stream, color=_use_color(output, color))
        formatter.start()
        for document in _documents(paths, readers, stdin_filename):
            if isinstance(document, InputError):
                if skip_unreadable:
                    _warn(str(document))
                    summary.skipped.append(str(document))
                else:
                    click.echo(f"framecheck: error: {document}", err=True)
                    summary.errors.append(str(document))
                continue
            report = engine.scan(document)
            summary.add(report)
            formatter.article(report)
            worst = report.max_severity()
            failed = failed or (threshold is not None and worst is not None and worst >= threshold)
        formatter.finish(summary)
    ctx.exit(EXIT_ERROR if summary.errors else EXIT_FINDINGS if failed else EXIT_OK)


@cli.group()
def rules() -> None:
    """List, show and explain the rules that a scan would run."""


@rules.command("list")
@engine_options
@click.option("--format", "format_name", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_list(rule_paths: tuple[str, ...], no_default_rules: bool, plugin_specs: tuple[str, ...],
               select: tuple[str, ...], ignore: tuple[str, ...], format_name: str) -> None:
    """A table of every rule: id, technique, severity, and where it is defined."""
    engine, _ = build_engine(rule_paths, no_default_rules, plugin_specs, select, ignore)
    infos = engine.rules()
    if format_name == "json":
        rows = [{"id": r.id, "technique": r.technique, "severity": r.severity.label, "weight": r.weight,
                 "pack": r.pack, "origin": r.origin, "message": r.message} for r in infos]
        click.echo(json.dumps({"rules": rows}, indent=2, ensure_ascii=False))
        return
    header = ("RULE", "TECHNIQUE", "SEVERITY", "PACK", "DEFINED IN")
    rows_text = [(r.id, r.technique, r.severity.label, r.pack or "-", r.origin) for r in infos]
    widths = [max(len(row[i]) for row in [header, *rows_text]) for i in range(len(header) - 1)]
    for row in [header, *rows_text]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    click.echo(f"{len(infos)} rules")


@rules.command("show")
@click.argument("rule_id")
@engine_options
def rules_show(rule_id: str, rule_paths: tuple[str, ...], no_default_rules: bool, plugin_specs: tuple[str, ...],
               select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """Everything about one rule: message, technique, rationale, patterns and examples."""
    engine, _ = build_engine(rule_paths, no_default_rules, plugin_specs, select, ignore)
    found = {r.id: r for r in engine.rules()}
    if rule_id not in found:
        raise FramecheckError(f"no rule {rule_id!r} (see 'framecheck rules list')")
    info = found[rule_id]
    technique = TECHNIQUES[info.technique]
    lines = [
        f"{info.id}  ({info.severity.label}, weight {info.weight:g})",
        f"defined in: {info.origin}" + (f" (pack {info.pack})" if info.pack else ""),
        f"technique:  {technique.id} - {technique.name}",
        f"            {technique.definition}",
        f"message:    {info.message}",
    ]
    if info.why:
        lines.append(f"why:        {info.why}")
    if info.suggest:
        lines.append(f"instead:    {'; '.join(info.suggest)}")
    for title, items in (("patterns", info.patterns), ("exceptions", info.exceptions),
                         ("flags", info.examples.match), ("passes", info.examples.no_match),
                         ("references", info.references)):
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  - {item}" for item in items)
    click.echo("\n".join(lines))


@rules.command("techniques")
def rules_techniques() -> None:
    """The technique taxonomy that every rule reports against."""
    width = max(len(t) for t in TECHNIQUES)
    for technique in TECHNIQUES.values():
        label = technique.corpus_label or "-"
        click.echo(f"{technique.id.ljust(width)}  {technique.name} [{technique.origin}; corpus: {label}]")
        click.echo(f"{''.ljust(width)}  {technique.definition}")


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=argv, prog_name="framecheck")
