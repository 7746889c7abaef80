"""The command-line reference of the docs site is written from the click commands: every command
and every option of this version is in it, so the manual cannot drift from the program."""

from __future__ import annotations

import importlib.util
import re

import click
from helpers import REPO

from framecheck.cli import cli


def reference() -> str:
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "docs" / "hooks" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert module.MARKER in page
    return module.on_page_markdown(page)


def every_command(group: click.Group, path: str = "framecheck"):
    yield path, group
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from every_command(command, f"{path} {name}")
        else:
            yield f"{path} {name}", command


def sections(text: str) -> dict[str, str]:
    """Each command's section of the page, by its heading (`framecheck rules show`)."""
    parts = re.split(r"^#+ `([^`]+)`$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_command_and_option_is_in_its_own_section_of_the_reference() -> None:
    found = sections(reference())
    commands = list(every_command(cli))
    assert len(commands) >= 12 and set(found) == {path for path, _ in commands}
    for path, command in commands:
        cells = re.findall(r"^\| `([^`]+)` \|", found[path], flags=re.M)
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert any(max(param.opts, key=len) in re.split(r"[ ,/]+", cell) for cell in cells), (path, param.opts)


def test_angle_brackets_in_help_are_escaped_for_the_page() -> None:
    assert "article&lt;ID&gt;.txt" in reference()
