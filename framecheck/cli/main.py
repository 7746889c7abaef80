"""The ``framecheck`` command line.

Exit codes (documented in the README): 0 no finding at or over ``--fail-on``; 1 findings at
or over it; 2 a usage, configuration, rule-pack, plugin or input error; 130 interrupted.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NoReturn

import click

from .._version import __version__
from ..app.config import (
    FAIL_SCOPES,
    MAX_REGEX_TIMEOUT,
    MIN_REGEX_TIMEOUT,
    MODEL_MODES,
    Config,
    parse_size,
    resolve_config,
    split_output,
)
from ..app.options import engine_for
from ..app.parallel import scan_all, work_units
from ..core.errors import FramecheckError, InputError, did_you_mean
from ..core.model import ArticleReport, ScanOptions, printable
from ..core.summary import RunSummary
from ..core.taxonomy import LEARNED_TECHNIQUE, TECHNIQUES
from ..engine.engine import Engine
from ..engine.plugins import call_each
from ..inputs.readers import Input, Reader, ReaderSet, ReadOptions, collect_inputs
from ..languages.detect import ANY, checked_language, runs_in
from ..learn.evaluation import (
    SPLITS,
    Evaluation,
    RuleFinding,
    labelled_documents,
    read_article_labels,
    read_labels,
    roc_auc,
    score_table,
    spans_of,
)
from ..outputs.atomic import atomic_text_file
from ..outputs.formatters import Formatter, plural, visible
from ..outputs.progress import Progress
from ..packs.loading import performance_hints

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command killed by SIGPIPE (``| head``)
FAIL_ON_CHOICES = ("info", "warning", "error", "never")


class UserError(click.ClickException):
    """A FramecheckError shown as one line, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"framecheck: error: {visible(self.format_message())}", err=True)


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
        except BrokenPipeError:
            # The reader went away (``framecheck scan ... | head``): stop quietly, as other
            # command-line tools do, and keep the final flush from failing a second time.
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):  # stdout is not a file (an embedding program's stream)
                pass
            ctx.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                import traceback

                traceback.print_exc()
            else:
                click.echo(
                    f"framecheck: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                    err=True,
                )
            ctx.exit(EXIT_ERROR)


def _split_ids(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for value in values for part in value.split(",") if part.strip()))


def _finite(value: float | None, option: str) -> float | None:
    """Refuse nan and inf, which a FloatRange lets through (no comparison is true for nan)."""
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number", param_hint=option)
    return value


def _size(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-bytes") from None


def _language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return checked_language(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _warn(message: str) -> None:
    click.echo(f"framecheck: warning: {visible(message)}", err=True)


def engine_options(command: Callable) -> Callable:
    """The options that decide which rules run, shared by ``scan``, ``rules`` and ``config``."""
    decorators = [
        click.option("--config", "config_path", metavar="FILE",
                     help="Configuration file (default: the nearest .framecheck.yaml or pyproject.toml "
                          "with [tool.framecheck] above the first path)."),
        click.option("--rules", "rule_paths", multiple=True, metavar="PATH",
                     help="A rule-pack file or a directory of packs, added to the defaults (repeatable)."),
        click.option("--no-default-rules", is_flag=True, default=None,
                     help="Do not load the shipped packs and the bundled plugins' rules "
                          "(site chrome and negation handling stay)."),
        click.option("--plugin", "plugin_specs", multiple=True, metavar="MODULE_OR_FILE",
                     help="Load a plugin from a module name or a .py file (repeatable)."),
        click.option("--select", multiple=True, metavar="IDS",
                     help="Only these rule ids or technique ids (comma-separated, repeatable)."),
        click.option("--ignore", multiple=True, metavar="IDS",
                     help="Skip these rule ids or technique ids (comma-separated, repeatable)."),
        click.option("--language", metavar="CODE", callback=_language,
                     help="Take every document to be in this language (en, uk, ru, ...): only its packs run. "
                          "Default: auto, told per document from its letters."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def model_options(command: Callable) -> Callable:
    """``--model`` and ``--model-mode``, for ``scan`` and ``eval``."""
    command = click.option("--model-mode", type=click.Choice(MODEL_MODES), default="both", show_default=True,
                           help="filter: drop rule findings the model scores low; add: report learned-span "
                                "findings; both.")(command)
    return click.option("--model", "model_path", metavar="FILE",
                        help="A model from 'framecheck train': run the learned layer too.")(command)


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


def resolve_settings(ctx: click.Context, paths: Sequence[str]) -> Config:
    """The configuration file's settings with the command line's on top."""
    params = ctx.params
    config = resolve_config(params.get("config_path"), list(paths))
    changes: dict[str, Any] = {
        "rules": config.rules + tuple(params.get("rule_paths") or ()),
        "plugins": config.plugins + tuple(params.get("plugin_specs") or ()),
    }
    replaced = {
        "no_default_rules": "no_default_rules", "fail_on": "fail_on", "format_name": "format",
        "regex_timeout": "regex_timeout", "input_format": "input_format", "text_field": "text_field",
        "id_field": "id_field", "baseline_path": "baseline", "max_score": "max_score",
        "require_reason": "require_reason", "model_path": "model", "model_mode": "model_mode",
        "fail_scope": "fail_scope", "fail_on_empty": "fail_on_empty", "force_exclude": "force_exclude",
        "respect_gitignore": "respect_gitignore", "plugin_timeout": "plugin_timeout", "max_bytes": "max_bytes",
        "document_timeout": "document_timeout", "language": "language",
    }
    for option, name in replaced.items():
        if option in params and _given(ctx, option):
            changes[name] = params[option]
    for option in ("select", "ignore"):
        if params.get(option):
            changes[option] = _split_ids(params[option])
    if params.get("exclude"):
        changes["exclude"] = config.exclude + tuple(params["exclude"])
    if params.get("outputs"):
        changes["output"] = tuple(params["outputs"])
    return dataclasses.replace(config, **changes)


def build_engine(config: Config, *, baseline: Any = None) -> tuple[Engine, Any]:
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    engine, manager = engine_for(config, baseline=baseline, debug=bool(root and root.obj and root.obj.get("debug")))
    for warning in engine.setup_warnings:
        _warn(warning)
    return engine, manager


def reader_objects(manager: Any) -> list[Reader]:
    found: list[Reader] = []
    for call in call_each(manager, "framecheck_readers"):
        if call.error is not None:
            _warn(call.describe_error("framecheck_readers") + "; its readers are unavailable")
            continue
        for reader in call.result or ():
            if isinstance(reader, Reader):
                found.append(reader)
            else:
                _warn(f"plugin {call.plugin!r} returned {reader!r} as a reader (it needs name, description, "
                      "extensions, sniff() and read()); it was left out")
    return found


def formatter_classes(manager: Any) -> dict[str, type[Formatter]]:
    classes: dict[str, type[Formatter]] = {}
    for call in call_each(manager, "framecheck_formatters"):
        if call.error is not None:
            _warn(call.describe_error("framecheck_formatters") + "; its formats are unavailable")
            continue
        for cls in call.result or ():
            if isinstance(cls, type) and issubclass(cls, Formatter) and isinstance(getattr(cls, "name", None), str):
                classes.setdefault(cls.name, cls)
            else:
                _warn(f"plugin {call.plugin!r} returned {cls!r} as a formatter (it needs a framecheck "
                      "Formatter subclass with a name); it was left out")
    return classes


def _inputs(paths: Sequence[str], config: Config, readers: ReaderSet, stdin_name: str,
            changed_since: str | None) -> Iterator[Input | InputError]:
    """What to scan: the paths (walked, filtered by include/exclude and .gitignore), or git's
    changed files under them. Files named on the command line are scanned whatever the globs
    say, unless ``force-exclude`` is on."""
    if changed_since:
        roots = [Path(p).resolve() for p in paths] or [Path.cwd().resolve()]
        from ..inputs.vcs import changed_files  # imported on use: most scans never ask git

        for path in changed_files(changed_since, Path.cwd()):
            under = any(path == root or root in path.parents for root in roots)
            if under and path.suffix.lower() in readers.extensions and config.wants(path):
                yield Input(os.path.relpath(path), path)
        return
    walked = collect_inputs(paths, readers.extensions, stdin_name, respect_gitignore=config.respect_gitignore)
    for item in walked:
        if isinstance(item, Input) and item.path is not None:
            named = item.name in paths
            excluded = config.force_exclude and config.excluded(item.path) if named else not config.wants(item.path)
            if excluded:
                continue
        yield item


def _use_color(to_terminal: bool, choice: bool | None) -> bool:
    if choice is not None:
        return choice
    return to_terminal and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _output_targets(config: Config, formats: dict[str, type[Formatter]]) -> tuple[str | None, list[tuple[str, str]]]:
    """(format for stdout or None, [(format, file)]) from --format and --output FORMAT=FILE / FILE."""
    _require_format(config.format, formats, "--format")
    stdout_format: str | None = config.format
    files: list[tuple[str, str]] = []
    for entry in config.output:
        name, target = split_output(entry)
        if name is None:
            files.append((config.format, target))
            stdout_format = None
        else:
            _require_format(name, formats, f"--output {entry}")
            files.append((name, target))
    return stdout_format, files


def _require_format(name: str, formats: dict[str, type[Formatter]], where: str) -> None:
    if name not in formats:
        hint = did_you_mean(name, formats) or f" (available: {', '.join(sorted(formats))})"
        raise FramecheckError(f"{where}: unknown format {name!r}{hint}")


class _Fanout(Formatter):
    """Hands every life-cycle call to several formatters: one run, many reports."""

    def __init__(self, formatters: list[Formatter]):
        self.formatters = formatters

    def start(self) -> None:
        for formatter in self.formatters:
            formatter.start()

    def article(self, report: ArticleReport) -> None:
        for formatter in self.formatters:
            formatter.article(report)

    def finish(self, summary: RunSummary) -> None:
        for formatter in self.formatters:
            formatter.finish(summary)


@click.group(cls=FramecheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framecheck")
@click.option("--debug", is_flag=True, help="Show full tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find propaganda and misinformation framing devices in news text."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("paths", nargs=-1)
@engine_options
@click.option("--format", "format_name", default="text", show_default=True, metavar="NAME",
              help="Report format for stdout: text, concise, json, jsonl, sarif, github, markdown, annotated, "
                   "html, or one a plugin adds.")
@click.option("-o", "--output", "outputs", multiple=True, metavar="[FORMAT=]FILE",
              help="Write a report to FILE (atomically): FORMAT=FILE for another format, FILE for --format "
                   "(then stdout stays quiet). Repeatable.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="warning", show_default=True,
              help="Exit 1 when an active finding has this severity or higher.")
@click.option("--fail-scope", type=click.Choice(FAIL_SCOPES), default="own-voice", show_default=True,
              help="Which findings --fail-on counts: own-voice leaves out quotations of named speakers and "
                   "site chrome (still reported, marked); all counts every active finding.")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when findings or scores fail the check (errors still exit 2).")
@click.option("--fail-on-empty", is_flag=True, default=None,
              help="Exit 2 when no article was scanned (an empty folder, everything excluded).")
@click.option("--max-score", type=click.FloatRange(min=0), metavar="SCORE",
              callback=lambda _ctx, _param, value: _finite(value, "--max-score"),
              help="Also exit 1 when an article's score is above SCORE.")
@click.option("--stdin-filename", default="<stdin>", show_default=True,
              help="Name used for '-' in reports and for choosing its reader and config globs.")
@click.option("--regex-timeout", type=click.FloatRange(MIN_REGEX_TIMEOUT, MAX_REGEX_TIMEOUT),
              default=ScanOptions.regex_timeout, callback=lambda _ctx, _param, value: _finite(value, "--regex-timeout"),
              show_default=True, help="Seconds one regex may run per million characters of a document.")
@click.option("--max-bytes", metavar="SIZE", callback=lambda _ctx, _param, value: _size(value),
              help="Largest document (or corpus record) read, in bytes or with K, M or G; a larger one is an "
                   "error and the others are scanned. Default 64M.")
@click.option("--plugin-timeout", type=click.FloatRange(min=0), default=ScanOptions.plugin_timeout, show_default=True,
              callback=lambda _ctx, _param, value: _finite(value, "--plugin-timeout"),
              help="Seconds one plugin may spend on one document (per million characters); over it, its "
                   "findings for that document are dropped and the run exits 2. 0: no limit.")
@click.option("--document-timeout", type=click.FloatRange(min=0), default=ScanOptions.document_timeout,
              show_default=True, callback=lambda _ctx, _param, value: _finite(value, "--document-timeout"),
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
@click.option("--baseline", "baseline_path", metavar="FILE", help="Findings recorded in this baseline do not fail the check.")
@click.option("--write-baseline", metavar="FILE", help="Record every finding of this run in FILE as the new baseline.")
@click.option("--require-reason", is_flag=True, default=None, help="Inline suppressions without reason=\"...\" do not count.")
@click.option("--changed-since", metavar="REF", help="Only scan files that git reports changed since REF (and untracked ones).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Scan in N worker processes; reports keep input order. Default: all CPUs once a scan "
                   "passes 64 documents, one process before that.")
@click.option("-q", "--quiet", is_flag=True,
              help="Findings only: no progress line, notes, per-article summaries or totals in text output.")
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
    if not paths and not options["changed_since"]:
        raise click.UsageError("give at least one PATH (or --changed-since REF)")
    config = resolve_settings(ctx, paths)
    from ..app.baseline import Baseline, baseline_entries, write_baseline  # imported on use, like the commands below
    from ..app.gate import GatePolicy

    # A run that writes a baseline records every finding: it need not (and, the first time,
    # cannot) read the one the configuration names.
    baseline = Baseline.load(Path(config.baseline)) if config.baseline and not options["write_baseline"] else None
    engine, manager = build_engine(config, baseline=baseline)
    read_options = ReadOptions(config.input_format, config.text_field, config.id_field, config.max_bytes)
    readers = ReaderSet(reader_objects(manager), read_options)
    formats = formatter_classes(manager)
    stdout_format, files = _output_targets(config, formats)
    policy = GatePolicy.from_config(config)
    summary = RunSummary()
    recorded: list[tuple[str, list[dict]]] = []
    statistics: Counter[tuple[str, str, str]] = Counter()  # (rule, severity, technique) -> active findings
    items = _inputs(paths, config, readers, options["stdin_filename"], options["changed_since"])
    with ExitStack() as stack:
        outputs: list[Formatter] = []
        catalogue = engine.rules()
        if stdout_format and not options["statistics"]:
            outputs.append(formats[stdout_format](sys.stdout, color=_use_color(True, options["color"]), rules=catalogue))
        for name, target in files:
            stream = stack.enter_context(atomic_text_file(target))
            outputs.append(formats[name](stream, color=bool(options["color"]), rules=catalogue))
        for output in outputs:
            output.quiet = options["quiet"]
        report_to = _Fanout(outputs)
        report_to.start()
        progress = Progress(enabled=not options["quiet"])
        stack.callback(progress.close)
        if options["dask_address"]:
            from ..app.dask_scan import scan_jsonl

            results = scan_jsonl(options["dask_address"], items, config, read_options)
        else:
            results = scan_all(engine, work_units(items, readers), options["jobs"], readers)
        for report in results:
            if isinstance(report, InputError):
                progress.close()
                message = printable(str(report))  # a file name may hold bytes that are not UTF-8
                if options["skip_unreadable"]:
                    _warn(message)
                    summary.skipped.append(message)
                else:
                    click.echo(f"framecheck: error: {visible(message)}", err=True)
                    summary.errors.append(message)
                continue
            progress.advance(len(report.document.text), len(report.findings))
            if report.incomplete:  # a check that did not run cannot pass: exit 2, and say which
                message = printable(f"{report.source}: the check is incomplete: "
                                    f"{'; '.join(report.incomplete)} failed (see its notes)")
                click.echo(f"framecheck: error: {visible(message)}", err=True)
                summary.incomplete.append(message)
            summary.add(report)
            failures, left_out = policy.judge(report)
            summary.failures.extend(failures)
            summary.not_counted += left_out
            if options["statistics"]:
                statistics.update((f.rule_id, f.severity.label, f.technique) for f in report.active_findings)
            report_to.article(report)
            if options["write_baseline"]:
                recorded.append((report.source, baseline_entries(report)))
        if options["write_baseline"]:
            summary.failures.clear()  # the findings are accepted: the check does not fail
        report_to.finish(summary)
    if options["statistics"]:
        _print_statistics(statistics)
    if options["write_baseline"]:
        count = write_baseline(Path(options["write_baseline"]), recorded)
        shown = printable(options["write_baseline"])
        click.echo(f"framecheck: wrote {count} findings to the baseline {shown}", err=True)
    ctx.exit(_scan_exit(summary, paths, config, exit_zero=options["exit_zero"]))


def _scan_exit(summary: RunSummary, paths: Sequence[str], config: Config, *, exit_zero: bool) -> int:
    """The exit code, with the reason on stderr whenever it is not 0."""
    if summary.articles == 0 and not summary.errors and not summary.skipped:
        where = ", ".join(paths) or "the changed files"
        message = f"nothing was scanned: no article files under {where} (after include/exclude and .gitignore)"
        if config.fail_on_empty:
            click.echo(f"framecheck: error: {visible(message)}", err=True)
            return EXIT_ERROR
        _warn(message)
    if summary.errors or summary.incomplete:
        return EXIT_ERROR
    if summary.not_counted:
        _warn(f"{plural(summary.not_counted, 'finding')} at or above --fail-on quoted from named speakers or in "
              "site chrome did not count (--fail-scope all counts them)")
    if not summary.failed:
        return EXIT_OK
    reasons = [f"{failure.source}: {failure.reason}" for failure in summary.failures]
    shown = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
    if exit_zero:
        click.echo(f"framecheck: check would fail ({shown}); --exit-zero", err=True)
        return EXIT_OK
    click.echo(f"framecheck: check failed: {visible(shown)}", err=True)
    return EXIT_FINDINGS


def _print_statistics(statistics: Counter[tuple[str, str, str]]) -> None:
    """Active findings per rule, most frequent first (ties by rule id), and the total."""
    rows = sorted(statistics.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(rule) for (rule, _, _), _ in rows), default=0)
    for (rule, severity, technique), count in rows:
        click.echo(f"{count:6d}  {rule.ljust(width)}  {severity:<7}  {technique}")
    click.echo(f"{statistics.total():6d}  total")


@cli.command("eval")
@click.option("--articles", "articles_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of article<ID>.txt files.")
@click.option("--labels", "labels_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Gold spans: article_id<TAB>label<TAB>start<TAB>end (character offsets).")
@click.option("--split", type=click.Choice(SPLITS), default="all", show_default=True,
              help="dev: even article ids; report: odd ones; all: every article.")
@click.option("--include-unmapped", is_flag=True,
              help="Count predictions of techniques without a corpus label in span identification too.")
@click.option("--by-rule", is_flag=True,
              help="Also print each rule's findings and the share of them inside gold spans (any label, own label).")
@click.option("--article-labels", "article_labels_path", type=click.Path(exists=True, dir_okay=False),
              metavar="CSV",
              help="id,label (1 propaganda, 0 not) per article: also report the article score's ROC AUC.")
@click.option("--json", "json_path", metavar="FILE", help="Also write the scores (per rule included) as JSON.")
@click.option("--model", "model_path", metavar="FILE",
              help="A model from 'framecheck train': also score the rules with the learned layer in each mode.")
@engine_options
@click.pass_context
def eval_command(ctx: click.Context, articles_dir: str, labels_path: str, split: str, include_unmapped: bool,
                 by_rule: bool, article_labels_path: str | None, json_path: str | None, model_path: str | None,
                 **_: Any) -> None:
    """Precision, recall and F1 on labelled articles (SemEval-2020 Task 11 span measures)."""
    config = dataclasses.replace(resolve_settings(ctx, ()), model=None)
    labels = read_labels(Path(labels_path))
    languages: dict[str, str] = {}  # article id -> language, when the article labels name it
    article_labels = read_article_labels(Path(article_labels_path), languages) if article_labels_path else None
    runs = {"rules": config}
    if model_path:
        runs.update({mode: dataclasses.replace(config, model=model_path, model_mode=mode) for mode in MODEL_MODES})
    results: dict[str, Evaluation] = {}
    aucs: dict[str, float | None] = {}
    for name, settings in runs.items():
        engine, _manager = build_engine(settings)
        documents = labelled_documents(Path(articles_dir), split)  # read per run: memory stays flat
        results[name], scored = _evaluate(engine, documents, labels, include_unmapped, languages)
        if article_labels is not None:
            aucs[name] = roc_auc([(score, article_labels[i]) for i, score in scored if i in article_labels])
            for language in sorted(set(languages.values())):
                aucs[f"{name} ({language})"] = roc_auc([(score, article_labels[i]) for i, score in scored
                                                        if i in article_labels and languages.get(i) == language])
    evaluation = results["rules"]
    click.echo(f"{evaluation.articles} articles ({split} split)")
    for line in evaluation.table():
        click.echo(line)
    if by_rule:
        click.echo("")
        for line in evaluation.rule_table():
            click.echo(line)
    if evaluation.by_language:  # span identification per language, for the rules and each model mode
        click.echo("")
        rows = [(language if name == "rules" else f"{language}, mode {name}", score)
                for name, result in results.items() for language, score in sorted(result.by_language.items())]
        for line in score_table("LANGUAGE", rows):
            click.echo(line)
    if model_path:
        click.echo("")
        modes = [("rules alone" if name == "rules" else f"with the model, mode {name}", result.spans)
                 for name, result in results.items()]
        for line in score_table("span identification", modes):
            click.echo(line)
    if article_labels is not None:
        known = sum(1 for identifier, _ in scored if identifier in article_labels)
        click.echo("")
        click.echo(f"article score ROC AUC ({known} articles with a label): " + ", ".join(
            f"{name} {'-' if auc is None else f'{auc:.3f}'}" for name, auc in aucs.items()))
    if json_path:
        payload: dict[str, Any] = {"split": split, **evaluation.to_dict()}
        if model_path:
            payload["model"] = {"path": model_path, "modes": {
                name: results[name].spans.to_dict() for name in runs if name != "rules"}}
        if article_labels is not None:
            payload["article_auc"] = {name: None if auc is None else round(auc, 4) for name, auc in aucs.items()}
        with atomic_text_file(json_path) as handle:
            json.dump(payload, handle, indent=2, allow_nan=False)
            handle.write("\n")


def _evaluate(engine: Engine, documents: Iterable[tuple[str, Any]], labels: dict, include_unmapped: bool,
              languages: dict[str, str] | None = None) -> tuple[Evaluation, list[tuple[str, float]]]:
    """Span scores of one engine over the articles (also per language, where ``languages``
    names the article's), and each article's score."""
    evaluation = Evaluation()
    scored = []
    for identifier, document in documents:
        predicted: dict[str, list[tuple[int, int]]] = {}
        untyped: list[tuple[int, int]] = []
        found: list[RuleFinding] = []
        report = engine.scan(document)
        for finding in report.active_findings:
            label = TECHNIQUES[finding.technique].corpus_label
            if finding.technique == LEARNED_TECHNIQUE:
                untyped.append((finding.start, finding.end))
                continue
            found.append(RuleFinding(finding.rule_id, label, (finding.start, finding.end)))
            if label is None and include_unmapped:
                label = f"(framecheck) {finding.technique}"
            if label is not None:
                predicted.setdefault(label, []).append((finding.start, finding.end))
        gold = labels.get(identifier, {})
        evaluation.add_article(predicted, gold, untyped, (languages or {}).get(identifier))
        evaluation.add_rule_findings(found, gold)
        scored.append((identifier, report.score.value))
    return evaluation, scored


@cli.command("train")
@click.option("--articles", "articles_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of article<ID>.txt files.")
@click.option("--labels", "labels_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Gold spans: article_id<TAB>label<TAB>start<TAB>end (character offsets; labels are not used).")
@click.option("-o", "--output", "output_path", required=True, metavar="FILE", help="Where to write the model (.fcm).")
@click.option("--split", type=click.Choice(SPLITS), default="all", show_default=True,
              help="Train on even article ids (dev), odd ones (report) or all.")
@click.option("--precision", "target_precision", type=click.FloatRange(0, 1), default=0.55, show_default=True,
              help="Span precision (mode both) the thresholds aim for on the held-out folds.")
@click.option("--folds", type=click.IntRange(2, 10), default=3, show_default=True,
              help="Folds held out in turn to choose thresholds and measure the model.")
@click.option("--max-iterations", type=click.IntRange(min=1), default=150, show_default=True,
              help="CRF training iterations (L-BFGS).")
@click.option("--c1", type=click.FloatRange(min=0), default=0.1, show_default=True,
              help="L1 regularisation: higher keeps fewer features (a smaller model).")
@click.option("--c2", type=click.FloatRange(min=0), default=0.01, show_default=True, help="L2 regularisation.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or figures on stderr (warnings still show).")
@engine_options
@click.pass_context
def train_command(ctx: click.Context, articles_dir: str, labels_path: str, output_path: str, split: str,
                  target_precision: float, folds: int, max_iterations: int, c1: float, c2: float, quiet: bool,
                  **_: Any) -> None:
    """Train the learned layer on labelled articles and write a model file for 'scan --model'."""
    from ..learn.learned import save_model
    from ..learn.training import TrainingProgress, TrainingSettings, require_crfsuite, train

    require_crfsuite()
    config = dataclasses.replace(resolve_settings(ctx, ()), model=None)
    engine, _manager = build_engine(config)
    labels = read_labels(Path(labels_path))
    articles = [(identifier, document, spans_of(labels, identifier))
                for identifier, document in labelled_documents(Path(articles_dir), split)]
    if not articles:
        raise FramecheckError(f"{articles_dir}: no article<ID>.txt files in the {split} split")
    settings = TrainingSettings(folds, target_precision, c1, c2, max_iterations)
    progress = TrainingProgress(enabled=not quiet)
    model, _held, reached = train(engine, articles, settings, progress, source=f"{articles_dir} ({split})")
    save_model(model, Path(output_path))
    size = Path(output_path).stat().st_size
    progress.done(f"wrote {output_path} ({size / 1e6:.1f} MB, {len(model.weights):,} features)")
    for mode, row in model.meta["held_out_figures"].items():
        progress.done(f"held out, {mode:<6}: P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f}")
    if not reached:
        _warn(f"no threshold reaches precision {target_precision:.2f} on the held-out articles; "
              "the model uses the most precise one")


@cli.command("config")
@click.argument("paths", nargs=-1)
@engine_options
@click.pass_context
def config_command(ctx: click.Context, paths: tuple[str, ...], **_: Any) -> None:
    """Print the resolved configuration for PATHS (or the current folder)."""
    config = resolve_settings(ctx, paths)
    click.echo(f"# configuration file: {config.path or '(none; defaults)'}")
    import yaml

    click.echo(yaml.safe_dump(config.to_dict(), sort_keys=True, allow_unicode=True).rstrip())


STARTER_CONFIG = """\
# framecheck configuration (https://pypi.org/project/framecheck/); paths are relative to this file.
# Every key is optional; 'framecheck config' prints what a run resolves.

fail-on: warning          # exit 1 on findings of this severity or higher: info | warning | error | never
fail-scope: own-voice     # own-voice: quotations of named speakers and site chrome do not fail a story
max-score: 60             # also fail an article whose score (0-100) is above this
include: []               # globs for files found by walking folders (empty: every article file)
exclude: []               # globs to skip, e.g. ["drafts/**", "*.wire.md"]
force-exclude: true       # exclude files named on the command line too (pre-commit names them)
respect-gitignore: true   # skip what git ignores when walking folders
rules: []                 # your own rule packs, e.g. [style/house.yaml]
ignore: []                # rule or technique ids to skip everywhere
per-file-ignores: {}      # e.g. {"opinion/**": [loaded-language]}
severity: {}              # e.g. {distrust-call: error, exclamation: warning}
require-reason: true      # waivers must say reason="..."
language: auto            # en, uk, ru...: treat every document as that language; auto: tell each one
"""


@cli.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing .framecheck.yaml.")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init_command(directory: str, force: bool) -> None:
    """Write a commented starter .framecheck.yaml in DIRECTORY (default: here)."""
    target = Path(directory) / ".framecheck.yaml"
    if target.exists() and not force:
        raise FramecheckError(f"{target}: already exists (--force to overwrite)")
    Path(directory).mkdir(parents=True, exist_ok=True)
    with atomic_text_file(target) as handle:
        handle.write(STARTER_CONFIG)
    click.echo(f"created {target}; check it with 'framecheck config', then 'framecheck scan {directory}'")


@cli.group()
def rules() -> None:
    """List, show, test and scaffold rules and rule packs."""


@rules.command("list")
@engine_options
@click.option("--format", "format_name", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def rules_list(ctx: click.Context, format_name: str, **_: Any) -> None:
    """A table of every rule: id, technique, severity, and where it is defined; with --language,
    only the rules that run on documents in that language."""
    settings = resolve_settings(ctx, ())
    engine, _manager = build_engine(settings)
    infos = [r for r in engine.rules() if not settings.language or runs_in(r.language, settings.language)]
    if format_name == "json":
        rows = [{"id": r.id, "technique": r.technique, "severity": r.severity.label, "weight": r.weight,
                 "pack": r.pack, "language": r.language or ANY, "origin": r.origin, "message": r.message}
                for r in infos]
        click.echo(json.dumps({"rules": rows}, indent=2, ensure_ascii=False, allow_nan=False))
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
@click.pass_context
def rules_show(ctx: click.Context, rule_id: str, **_: Any) -> None:
    """Everything about one rule: message, technique, rationale, patterns and examples; for a
    technique id, its definition and every rule that reports it."""
    engine, _manager = build_engine(resolve_settings(ctx, ()))
    found = {r.id: r for r in engine.rules()}
    if rule_id not in found and rule_id in TECHNIQUES:
        _show_technique(rule_id, [r for r in found.values() if r.technique == rule_id])
        return
    if rule_id not in found:
        hint = did_you_mean(rule_id, [*found, *TECHNIQUES]) or " (see 'framecheck rules list')"
        raise FramecheckError(f"no rule or technique {rule_id!r}{hint}")
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


def _show_technique(technique_id: str, rules_of: list[Any]) -> None:
    technique = TECHNIQUES[technique_id]
    click.echo(f"{technique.id}  {technique.name} [{technique.origin}; corpus: {technique.corpus_label or '-'}]")
    click.echo(f"definition: {technique.definition}")
    click.echo(f"rules ({len(rules_of)}):")
    width = max((len(rule.id) for rule in rules_of), default=0)
    for rule in rules_of:
        click.echo(f"  {rule.id.ljust(width)}  {rule.severity.label:<7}  {rule.message}")


@rules.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--no-default-rules", is_flag=True,
              help="The packs run without the shipped rules: do not report ids that clash with them.")
@click.pass_context
def rules_check(ctx: click.Context, paths: tuple[str, ...], no_default_rules: bool) -> None:
    """Validate rule packs without running them: every error in every pack, and rule ids that
    clash with the shipped rules."""
    from ..packs.loading import check_packs

    shipped = {} if no_default_rules else {rule.id: rule.origin for rule in build_engine(Config())[0].rules()}
    packs, problems = check_packs(paths, shipped)
    for problem in problems:
        click.echo(f"framecheck: error: {visible(str(problem))}", err=True)
    for hint in (hint for pack in packs for hint in performance_hints(pack)):
        click.echo(f"framecheck: hint: {hint}", err=True)
    count = sum(len(pack.rules) for pack in packs)
    if problems:
        click.echo(f"{plural(len(packs), 'pack')}, {plural(count, 'rule')} loaded; {plural(len(problems), 'error')}")
        ctx.exit(EXIT_ERROR)
    click.echo(f"{len(packs)} packs, {count} rules: OK")


@rules.command("test")
@click.argument("paths", nargs=-1, required=True)
@click.option("--plugin", "plugin_specs", multiple=True, metavar="MODULE_OR_FILE", help="Plugins the packs need.")
@click.pass_context
def rules_test(ctx: click.Context, paths: tuple[str, ...], plugin_specs: tuple[str, ...]) -> None:
    """Run every rule's examples and the annotated test articles next to the packs."""
    from ..app.packtest import format_results, run_pack_tests

    results = run_pack_tests(paths, plugin_specs)
    for line in format_results(results):
        click.echo(line)
    ctx.exit(EXIT_FINDINGS if any(not r.passed for r in results) else EXIT_OK)


@rules.command("new")
@click.argument("name")
@click.option("--directory", type=click.Path(file_okay=False), default=".", show_default=True)
@click.option("--language", type=click.Choice(["en", "uk", "ru"]), default="en", show_default=True,
              help="The pack's language; uk and ru packs use lemma phrases (match: lemma).")
def rules_new(name: str, directory: str, language: str) -> None:
    """Scaffold a rule pack NAME.yaml with one rule and a test article that passes 'rules test'."""
    from ..app.packtest import scaffold_pack

    for path in scaffold_pack(name, Path(directory), language):
        click.echo(f"created {path}")


@rules.command("techniques")
def rules_techniques() -> None:
    """The technique taxonomy that every rule reports against."""
    width = max(len(t) for t in TECHNIQUES)
    for technique in TECHNIQUES.values():
        label = technique.corpus_label or "-"
        click.echo(f"{technique.id.ljust(width)}  {technique.name} [{technique.origin}; corpus: {label}]")
        click.echo(f"{''.ljust(width)}  {technique.definition}")


def main(argv: Sequence[str] | None = None) -> None:
    """The command line. Called without ``argv`` (the ``framecheck`` command, ``python -m
    framecheck``), it ends the process itself: see :func:`_exit_now`."""
    if argv is not None:
        cli.main(args=argv, prog_name="framecheck")
        return
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(prog_name="framecheck")
    except SystemExit as exc:
        _exit_now(exc.code)
    except Terminated:
        print("framecheck: terminated", file=sys.stderr)
        _exit_now(EXIT_TERMINATED)


EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports it


class Terminated(BaseException):
    """SIGTERM arrived. A BaseException of its own: no plugin's ``except`` and no
    per-document guard takes it for a failure of theirs."""


def _terminated(_signum: int, _frame: object) -> None:
    """SIGTERM (a CI job cancelled, a container stopped): unwind like Ctrl-C, so temporary
    report files are removed and no half-written report replaces a whole one."""
    raise Terminated()


def _exit_now(code: object) -> NoReturn:
    """Exit without the interpreter's teardown.

    Freeing every compiled pattern, automaton and module one by one takes 20-35 ms, a tenth
    of a one-article scan, and achieves nothing when the process is about to end. Exit
    handlers (including any a plugin registered) still run, and output is flushed first.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): what the interpreter would print, with status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``) or a closed stream
            pass
    os._exit(status)
