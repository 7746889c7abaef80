"""The command-line reference of the docs site is written from the click commands: every command
and every option of this version is in it, so the manual cannot drift from the program."""

from __future__ import annotations

import importlib.util

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


def test_every_command_and_option_is_in_the_reference() -> None:
    text = reference()
    commands = list(every_command(cli))
    assert len(commands) >= 12
    for path, command in commands:
        assert f"`{path}`" in text, path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert any(opt in text for opt in param.opts), (path, param.opts)


def test_angle_brackets_in_help_are_escaped_for_the_page() -> None:
    assert "article&lt;ID&gt;.txt" in reference()
