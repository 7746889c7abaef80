"""MkDocs hook: the command-line reference is written from the click commands themselves.

A page holding the marker ``<!-- framecheck-cli-reference -->`` gets, in its place, every
command and group of ``framecheck`` with its usage, help and options, so the reference can
never drift from the code. ``cli_reference()`` is also what the test suite checks.
"""

from __future__ import annotations

import click

MARKER = "<!-- framecheck-cli-reference -->"


def cli_reference() -> str:
    """Markdown for every command of ``framecheck``, groups before their commands."""
    from framecheck.cli import cli

    root = click.Context(cli, info_name="framecheck")
    return "\n".join(_command(cli, root, "framecheck", level=2))


def _command(command: click.Command, parent: click.Context, path: str, level: int) -> list[str]:
    ctx = click.Context(command, info_name=path.split()[-1], parent=parent if path != "framecheck" else None)
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines = [f"{'#' * level} `{path}`", "", (command.help or "").strip(), "", "```text", f"{path} {usage}".rstrip(),
             "```", ""]
    options = [param for param in command.get_params(ctx) if isinstance(param, click.Option) and not param.hidden]
    if options:
        lines += ["| option | what it does |", "|---|---|"]
        lines += [f"| {_names(option, ctx)} | {_cell(_help(option, ctx))} |" for option in options]
        lines.append("")
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            lines += _command(command.get_command(ctx, name), ctx, f"{path} {name}", level + 1)
    return lines


def _names(option: click.Option, ctx: click.Context) -> str:
    record = option.get_help_record(ctx)
    return "`" + (record[0] if record else "/".join(option.opts)).replace("|", "\\|") + "`"


def _help(option: click.Option, ctx: click.Context) -> str:
    record = option.get_help_record(ctx)
    return record[1] if record else ""


def _cell(text: str) -> str:
    """One table cell: on one line, with the characters Markdown and HTML would take escaped."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def on_page_markdown(markdown: str, **_: object) -> str:
    return markdown.replace(MARKER, cli_reference()) if MARKER in markdown else markdown
