"""``framecheck config`` and ``framecheck init``: what a run resolves, and a starter file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..app.config import PYPROJECT, Config, framecheck_table
from ..core.errors import FramecheckError
from ..outputs.atomic import atomic_text_file
from .options import engine_options, resolve_settings


@click.command("config")
@click.argument("paths", nargs=-1)
@engine_options
@click.pass_context
def config_command(ctx: click.Context, paths: tuple[str, ...], **_: Any) -> None:
    """Print the resolved configuration for PATHS (or the current folder); 'framecheck scan
    --show-settings' prints it with a scan's own options applied."""
    print_settings(resolve_settings(ctx, paths))


def print_settings(config: Config) -> None:
    """The settings a run resolves, as a valid configuration file (every scoring factor shown)."""
    click.echo(f"# configuration file: {config.path or '(none; defaults)'}")
    import yaml  # imported on use: a scan whose packs come from the cache never needs PyYAML

    click.echo(yaml.safe_dump(config.to_dict(), sort_keys=True, allow_unicode=True).rstrip())


STARTER_CONFIG = """\
# framecheck configuration (https://pypi.org/project/framecheck/); paths are relative to this file.
# Every key is optional; 'framecheck config' prints what a run resolves.

fail-on: warning          # exit 1 on findings of this severity or higher: info | warning | error | never
fail-scope: own-voice     # own-voice: what speakers said (quoted or reported) and site chrome do not fail a story
max-score: 40             # also fail an article whose score (0-100) is above this (the 'high' band)
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


# The same settings as a [tool.framecheck] table, for a project that keeps its tools' settings in
# pyproject.toml (a test checks that both say the same).
STARTER_PYPROJECT = """
[tool.framecheck]  # framecheck configuration; 'framecheck config' prints what a run resolves
fail-on = "warning"        # exit 1 on findings of this severity or higher: info | warning | error | never
fail-scope = "own-voice"   # own-voice: what speakers said (quoted or reported) and site chrome do not fail a story
max-score = 40             # also fail an article whose score (0-100) is above this (the 'high' band)
include = []               # globs for files found by walking folders (empty: every article file)
exclude = []               # globs to skip, e.g. ["drafts/**", "*.wire.md"]
force-exclude = true       # exclude files named on the command line too (pre-commit names them)
respect-gitignore = true   # skip what git ignores when walking folders
rules = []                 # your own rule packs, e.g. ["style/house.yaml"]
ignore = []                # rule or technique ids to skip everywhere
per-file-ignores = {}      # e.g. {"opinion/**" = ["loaded-language"]}
severity = {}              # e.g. {distrust-call = "error", exclamation = "warning"}
require-reason = true      # waivers must say reason="..."
language = "auto"          # en, uk, ru...: treat every document as that language; auto: tell each one
"""


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing .framecheck.yaml, or write one beside a "
              "pyproject.toml that has [tool.framecheck] (the YAML file then wins).")
@click.option("--pyproject", "into_pyproject", is_flag=True,
              help="Add the starter settings to pyproject.toml as [tool.framecheck] instead (created if missing).")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init_command(directory: str, force: bool, into_pyproject: bool) -> None:
    """Write a commented starter .framecheck.yaml in DIRECTORY (default: here).

    A folder's .framecheck.yaml is read before its pyproject.toml, so one written beside a
    [tool.framecheck] table would silently replace it: init refuses that unless --force, and
    --pyproject writes the table instead."""
    folder = Path(directory)
    target = folder / ".framecheck.yaml"
    pyproject = folder / PYPROJECT
    configured = pyproject.is_file() and framecheck_table(pyproject) is not None
    if into_pyproject:
        _add_to_pyproject(pyproject, target, configured)
        return
    if target.exists() and not force:
        raise FramecheckError(f"{target}: already exists (--force to overwrite)")
    if configured and not force:
        raise FramecheckError(f"{pyproject} already configures framecheck ([tool.framecheck]); a .framecheck.yaml "
                              "here would be read instead of it. Edit that table, or --force to write the YAML file "
                              "anyway (it wins)")
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_text_file(target) as handle:
        handle.write(STARTER_CONFIG)
    click.echo(f"created {target}; check it with 'framecheck config', then 'framecheck scan {directory}'")
    if configured:
        click.echo(f"note: {target} is read instead of [tool.framecheck] in {pyproject}")


def _add_to_pyproject(pyproject: Path, yaml_file: Path, configured: bool) -> None:
    """Append the starter table to ``pyproject`` (its other text kept as it is)."""
    if configured:
        raise FramecheckError(f"{pyproject}: already has [tool.framecheck]")
    if yaml_file.exists():
        raise FramecheckError(f"{yaml_file} exists and is read before {pyproject}: remove it first, or edit it")
    before = pyproject.read_text(encoding="utf-8-sig") if pyproject.is_file() else ""
    after = before.rstrip("\n") + "\n" + STARTER_PYPROJECT if before.strip() else STARTER_PYPROJECT.lstrip("\n")
    framecheck_table(pyproject, after)  # a file that would no longer parse is refused before it is written
    pyproject.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_file(pyproject) as handle:
        handle.write(after)
    click.echo(f"added [tool.framecheck] to {pyproject}; check it with 'framecheck config'")
