"""``framecheck rules``: list, show, check, test and scaffold rules and rule packs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..app.config import Config
from ..core.errors import FramecheckError, did_you_mean
from ..core.taxonomy import TECHNIQUES
from ..languages.detect import runs_in
from ..outputs.base import plural
from ..outputs.data import rule_to_dict
from ..packs.loading import performance_hints
from .base import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, error
from .options import build_engine, complete_rule_ids, engine_options, resolve_settings


@click.group("rules")
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
    engine = build_engine(settings)
    infos = [r for r in engine.rules() if not settings.language or runs_in(r.language, settings.language)]
    if format_name == "json":
        rows = [rule_to_dict(rule) for rule in infos]
        click.echo(json.dumps({"rules": rows}, indent=2, ensure_ascii=False, allow_nan=False))
        return
    header = ("RULE", "TECHNIQUE", "SEVERITY", "PACK", "DEFINED IN")
    rows_text = [(r.id, r.technique, r.severity.label, r.pack or "-", r.origin) for r in infos]
    widths = [max(len(row[i]) for row in [header, *rows_text]) for i in range(len(header) - 1)]
    for row in [header, *rows_text]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    click.echo(f"{len(infos)} rules")


@rules.command("show")
@click.argument("rule_id", shell_complete=complete_rule_ids)
@engine_options
@click.pass_context
def rules_show(ctx: click.Context, rule_id: str, **_: Any) -> None:
    """Everything about one rule: message, technique, rationale, patterns and examples; for a
    technique id, its definition and every rule that reports it."""
    engine = build_engine(resolve_settings(ctx, ()))
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
    if info.instead:
        lines.append(f"instead:    {'; '.join(info.instead)}")
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
    """Validate rule packs and language files without running them: every error in every pack,
    and rule ids that clash with the shipped rules."""
    from ..languages.profiles import checked_language_files
    from ..packs.loading import check_packs

    shipped = {} if no_default_rules else {rule.id: rule.origin for rule in build_engine(Config()).rules()}
    packs, problems = check_packs(paths, shipped)
    languages, language_problems = checked_language_files(paths)
    problems += language_problems
    for problem in problems:
        error(str(problem))
    for hint in (hint for pack in packs for hint in performance_hints(pack)):
        click.echo(f"framecheck: hint: {hint}", err=True)
    count = sum(len(pack.rules) for pack in packs)
    if problems:
        click.echo(f"{plural(len(packs), 'pack')}, {plural(count, 'rule')} loaded; {plural(len(problems), 'error')}")
        ctx.exit(EXIT_ERROR)
    also = f", {plural(languages, 'language file')}" if languages else ""
    click.echo(f"{plural(len(packs), 'pack')}, {plural(count, 'rule')}{also}: OK")


@rules.command("test")
@click.argument("paths", nargs=-1, required=True)
@click.option("--plugin", "plugin_specs", multiple=True, metavar="MODULE_OR_FILE", help="Plugins the packs need.")
@click.option("--rules", "language_paths", multiple=True, metavar="PATH",
              help="A folder with the language.yaml of the packs' language, where framecheck does not ship it "
                   "(repeatable); its packs are not tested.")
@click.pass_context
def rules_test(ctx: click.Context, paths: tuple[str, ...], plugin_specs: tuple[str, ...],
               language_paths: tuple[str, ...]) -> None:
    """Run every rule's examples and the annotated test articles next to the packs."""
    from ..app.packtest import format_results, run_pack_tests

    results = run_pack_tests(paths, plugin_specs, language_paths)
    for line in format_results(results):
        click.echo(line)
    ctx.exit(EXIT_FINDINGS if any(not r.passed for r in results) else EXIT_OK)


@rules.command("new")
@click.argument("name")
@click.option("--directory", type=click.Path(file_okay=False), default=".", show_default=True)
@click.option("--language", default="en", show_default=True, metavar="CODE",
              help="The pack's language, worded as its language.yaml's 'scaffold' says (the shipped uk and ru "
                   "packs use lemma phrases).")
@click.option("--rules", "rule_paths", multiple=True, metavar="PATH",
              help="A folder with a language.yaml of your own, for a language framecheck does not ship (repeatable).")
def rules_new(name: str, directory: str, language: str, rule_paths: tuple[str, ...]) -> None:
    """Scaffold a rule pack NAME.yaml with one rule and a test article that passes 'rules test'."""
    from ..app.packtest import scaffold_pack
    from ..languages.profiles import run_languages

    for path in scaffold_pack(name, Path(directory), language, run_languages(rule_paths)):
        click.echo(f"created {path}")


@rules.command("techniques")
def rules_techniques() -> None:
    """The technique taxonomy that every rule reports against."""
    width = max(len(t) for t in TECHNIQUES)
    for technique in TECHNIQUES.values():
        label = technique.corpus_label or "-"
        click.echo(f"{technique.id.ljust(width)}  {technique.name} [{technique.origin}; corpus: {label}]")
        click.echo(f"{''.ljust(width)}  {technique.definition}")
