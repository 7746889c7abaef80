"""``framecheck serve``: the HTTP API and the web page, on uvicorn (``framecheck[serve]``).

The configuration (file and options, as for ``scan``) is resolved here and again on every
reload; everything else lives in :mod:`framecheck.serve`, imported only by this command.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import click

from ..app.config import Config
from ..core.errors import FramecheckError
from ..core.model import ScanOptions
from .base import warn
from .options import engine_options, finite, model_options, resolve_settings, size

TOKEN_VARIABLE = "FRAMECHECK_SERVE_TOKEN"


@click.command("serve")
@engine_options
@model_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --token (or --no-auth).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port, printed when the server starts).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes scanning documents, each with a warm engine.")
@click.option("--token", envvar=TOKEN_VARIABLE, show_envvar=True, metavar="TOKEN",
              help="Clients must send 'Authorization: Bearer TOKEN' to /v1 (the page and health checks stay open).")
@click.option("--no-auth", is_flag=True, help="Listen beyond loopback without a token (a warning is printed).")
@click.option("--max-bytes", metavar="SIZE", callback=size,
              help="Largest request body, and document, in bytes or with K, M or G. Default: the configuration's "
                   "max-bytes (64M).")
@click.option("--document-timeout", type=click.FloatRange(min=0), callback=finite("--document-timeout"),
              default=ScanOptions.document_timeout, show_default=True,
              help="Seconds the scan of one document may take (per million characters), as for scan.")
@click.option("--queue", type=click.IntRange(min=1), default=64, show_default=True,
              help="Requests in flight before new ones get 503 with Retry-After.")
@click.option("--body-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a client may take to send a request body (for a batch: between two parts).")
@click.option("--reload-interval", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="Seconds between checks for a changed configuration, pack, plugin file or model; 0: reload "
                   "only on SIGHUP.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let pages from ORIGIN call the API from a browser (repeatable; default: none).")
@click.option("--access-log", is_flag=True, help="Log every request.")
@click.pass_context
def serve(ctx: click.Context, **options: Any) -> None:
    """Serve the HTTP API (/v1), a web page for editors (/) and the API docs (/docs)."""
    try:
        import uvicorn

        from ..serve.api import create_app
        from ..serve.service import ServeSettings, Service
    except ModuleNotFoundError as exc:
        raise FramecheckError(f"framecheck serve needs the serve extra ({exc.name} is not installed): "
                              "pip install 'framecheck[serve]'") from None
    token = options["token"] or None
    _check_exposure(options["host"], token, options["no_auth"])
    settings = ServeSettings(
        host=options["host"], port=options["port"], workers=options["workers"], token=token,
        max_bytes=options["max_bytes"], queue=options["queue"],
        body_timeout=options["body_timeout"], reload_interval=options["reload_interval"],
        cors_origins=tuple(options["cors_origins"]),
    )

    def resolve() -> Config:
        return resolve_settings(ctx, ())

    resolve()  # a configuration file with an error stops here, with its line
    service = Service(settings, resolve)
    app = create_app(service, handle_signals=True)
    server = uvicorn.Server(uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=options["access_log"], server_header=False,
        timeout_keep_alive=5, limit_concurrency=max(1024, settings.queue * 8), log_level="info",
    ))

    async def run() -> None:
        await service.start()  # before listening: a pack that does not load is an error here
        await server.serve()

    try:
        asyncio.run(run())
    finally:
        service.close()
    if not server.started:
        ctx.exit(2)


def _check_exposure(host: str, token: str | None, no_auth: bool) -> None:
    """Binding beyond loopback without a token is refused unless asked for by name."""
    if _loopback(host):
        return
    if token:
        return
    if not no_auth:
        raise click.UsageError(f"--host {host} listens beyond this machine: give --token (or set "
                               f"{TOKEN_VARIABLE}), or --no-auth to serve anyone who can reach it")
    warn(f"serving {host} with no token: anyone who can reach this port can use the service")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

