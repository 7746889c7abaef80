"""``framecheck lsp``: the language server (``framecheck[lsp]``), over stdio or TCP."""

from __future__ import annotations

import re

import click

from ..core.errors import FramecheckError


def _address(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[\w.\-\[\]:]*:\d{1,5}", value):
        raise click.BadParameter(f"{value!r} is not HOST:PORT")
    return value


@click.command("lsp")
@click.option("--stdio", "stdio", is_flag=True, default=True, help="Talk over stdin and stdout (the default).")
@click.option("--tcp", "address", metavar="HOST:PORT", callback=_address,
              help="Listen on HOST:PORT instead, for editors that connect to a running server.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes scanning documents.")
def lsp(stdio: bool, address: str | None, workers: int) -> None:
    """Serve diagnostics, hovers and quick fixes to an editor (Language Server Protocol).

    Editors start it as 'framecheck lsp'; documents are checked with the configuration that
    'framecheck scan' would use for them."""
    del stdio  # the default; the flag exists because editors pass it
    try:
        from ..lsp.server import run
    except ModuleNotFoundError as exc:
        raise FramecheckError(f"framecheck lsp needs the lsp extra ({exc.name} is not installed): "
                              "pip install 'framecheck[lsp]'") from None
    run(address, workers)
