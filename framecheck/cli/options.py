"""Options shared by several commands, and the configuration they resolve to.

The configuration file's settings are the base; an option given on the command line (or in the
environment) replaces the file's value, and list options (rules, plugins, exclude) add to it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import click

from ..app.config import Config, parse_size, resolve_config
from ..app.options import engine_for
from ..core.model import MODEL_MODES
from ..engine.engine import Engine
from ..languages.detect import checked_language
from .base import debugging, warn
from .completion import rule_id_completer


def split_ids(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for value in values for part in value.split(",") if part.strip()))


def finite(option: str) -> Callable[[click.Context, click.Parameter, float | None], float | None]:
    """A callback refusing nan and inf, which a FloatRange lets through (no comparison is true for nan)."""

    def check(_ctx: click.Context, _param: click.Parameter, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise click.BadParameter(f"{value} is not a finite number", param_hint=option)
        return value

    return check


def size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-bytes") from None


def language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return checked_language(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def engine_options(command: Callable) -> Callable:
    """The options that decide which rules run, shared by ``scan``, ``rules``, ``config``,
    ``eval`` and ``train``."""
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
        click.option("--select", multiple=True, metavar="IDS", shell_complete=complete_rule_ids,
                     help="Only these rule ids or technique ids (comma-separated, repeatable)."),
        click.option("--ignore", multiple=True, metavar="IDS", shell_complete=complete_rule_ids,
                     help="Skip these rule ids or technique ids (comma-separated, repeatable)."),
        click.option("--language", metavar="CODE", callback=language,
                     help="Take every document to be in this language (en, uk, ru, ...): only its packs run. "
                          "Default: auto, told per document from its letters."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def model_options(command: Callable) -> Callable:
    """``--model`` and ``--model-mode``, for ``scan``."""
    command = click.option("--model-mode", type=click.Choice(MODEL_MODES), default="both", show_default=True,
                           help="filter: drop rule findings the model scores low; add: report learned-span "
                                "findings; both.")(command)
    return click.option("--model", "model_path", metavar="FILE",
                        help="A model from 'framecheck train': run the learned layer too.")(command)


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


# Command-line option -> configuration field it replaces when given.
REPLACED = {
    "no_default_rules": "no_default_rules", "fail_on": "fail_on", "format_name": "format",
    "regex_timeout": "regex_timeout", "input_format": "input_format", "text_field": "text_field",
    "id_field": "id_field", "baseline_path": "baseline", "max_score": "max_score", "min_severity": "min_severity",
    "require_reason": "require_reason", "model_path": "model", "model_mode": "model_mode",
    "fail_scope": "fail_scope", "fail_on_empty": "fail_on_empty", "force_exclude": "force_exclude",
    "respect_gitignore": "respect_gitignore", "follow_symlinks": "follow_symlinks",
    "plugin_timeout": "plugin_timeout", "max_bytes": "max_bytes",
    "document_timeout": "document_timeout", "language": "language",
}


def resolve_settings(ctx: click.Context, paths: Sequence[str]) -> Config:
    """The configuration file's settings with the command line's on top."""
    params = ctx.params
    config = resolve_config(params.get("config_path"), list(paths))
    changes: dict[str, Any] = {
        "rules": config.rules + tuple(params.get("rule_paths") or ()),
        "plugins": config.plugins + tuple(params.get("plugin_specs") or ()),
    }
    for option, name in REPLACED.items():
        if option in params and _given(ctx, option):
            changes[name] = params[option]
    for option in ("select", "ignore"):
        if params.get(option):
            changes[option] = split_ids(params[option])
    if params.get("exclude"):
        changes["exclude"] = config.exclude + tuple(params["exclude"])
    if params.get("outputs"):
        changes["output"] = tuple(params["outputs"])
    return dataclasses.replace(config, **changes)


def build_engine(config: Config) -> Engine:
    """The engine a configuration describes, its set-up warnings shown."""
    engine, _manager = engine_for(config, debug=debugging())
    for warning in engine.setup_warnings:
        warn(warning)
    return engine


def _resolved(ctx: click.Context) -> Config:
    """The configuration of the command line typed so far (for completion)."""
    return resolve_settings(ctx, ())


complete_rule_ids = rule_id_completer(_resolved)  # --select, --ignore, rules show
