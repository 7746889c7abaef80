"""``framecheck config`` and ``framecheck init``: what a run resolves, and a starter file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..core.errors import FramecheckError
from ..outputs.atomic import atomic_text_file
from .options import engine_options, resolve_settings


@click.command("config")
@click.argument("paths", nargs=-1)
@engine_options
@click.pass_context
def config_command(ctx: click.Context, paths: tuple[str, ...], **_: Any) -> None:
    """Print the resolved configuration for PATHS (or the current folder)."""
    config = resolve_settings(ctx, paths)
    click.echo(f"# configuration file: {config.path or '(none; defaults)'}")
    import yaml  # imported on use: a scan whose packs come from the cache never needs PyYAML

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


@click.command("init")
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
