"""The ``framecheck`` group, its exit codes, and how failures reach the terminal.

Every expected failure becomes one line on stderr and exit code 2, never a traceback; the
application layer reports what happens during a run through :class:`TerminalEvents`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from .._version import __version__
from ..core.errors import FramecheckError
from ..outputs.base import visible
from ..outputs.progress import Progress

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command killed by SIGPIPE (``| head``)
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports it
# Each command and the module of this package that holds it ("module:name").
COMMANDS = {
    "config": "setup:config_command", "eval": "learn:eval_command", "init": "setup:init_command", "lsp": "lsp:lsp",
    "rules": "rules:rules", "scan": "scan:scan", "serve": "serve:serve", "train": "learn:train_command",
}


def warn(message: str) -> None:
    click.echo(f"framecheck: warning: {visible(message)}", err=True)


def error(message: str) -> None:
    click.echo(f"framecheck: error: {visible(message)}", err=True)


class TerminalEvents:
    """What a run tells the person at the terminal: warnings and errors on stderr, after the
    progress line is cleared so the two never share a line."""

    def __init__(self, progress: Progress | None = None):
        self.progress = progress

    def warning(self, message: str) -> None:
        self._clear()
        warn(message)

    def error(self, message: str) -> None:
        self._clear()
        error(message)

    def _clear(self) -> None:
        if self.progress is not None:
            self.progress.close()


def debugging() -> bool:
    """Whether ``--debug`` was given, to the group or to the command."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    return bool(root and root.obj and root.obj.get("debug"))


class UserError(click.ClickException):
    """A FramecheckError shown as one line, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        error(self.format_message())


class FramecheckGroup(click.Group):
    """Turns every expected failure into one line and an exit code, never a traceback.

    Its commands live in modules of their own, imported when a command is first looked up:
    ``framecheck scan`` never imports what ``eval`` or ``rules`` need."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, attribute = COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(f"{__package__}.{module}"), attribute), name)
        return super().get_command(ctx, name)

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


@click.group(cls=FramecheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framecheck")
@click.option("--debug", is_flag=True, help="Show full tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find propaganda and misinformation framing devices in news text."""
    ctx.obj = {"debug": debug}
