"""What every request passes before the application sees it: the token, the body's size and
pace, and the headers every response carries.

Written as plain ASGI around the framework's application, so that a request body that is too
large, or sent too slowly, is refused before any of it is parsed, and so that every response,
the framework's own error pages included, carries the security headers.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The web page and the API docs load only what this server serves; nothing inline runs.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; font-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
# Everything else (JSON, reports) is data: nothing in it may run, even when opened directly.
DATA_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
PAGES = ("/", "/docs")
# Paths that a health checker or a browser loading the page reaches without the token.
OPEN_PATHS = ("/", "/docs", "/openapi.json", "/healthz", "/readyz")
OPEN_PREFIXES = ("/static/", "/docs/")
STREAMED_PATHS = ("/v1/scan/batch",)  # read as it arrives, with a per-chunk idle limit only


class BodyRefused(Exception):
    """The request body was refused while a streaming handler read it."""

    def __init__(self, status: int, title: str, detail: str):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


class Guard:
    """ASGI middleware: token check, body limits, security headers."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_bytes: Callable[[], int], body_timeout: float):
        self.app = app
        self.token = token.encode() if token else None
        self.max_bytes = max_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        send = _with_headers(send, PAGE_POLICY if path in PAGES or path.startswith("/static/") else DATA_POLICY)
        if self.token is not None and not _open(path) and not self._authorised(scope):
            await problem(send, 401, "Unauthorized", "send the service token as 'Authorization: Bearer TOKEN'",
                          {"www-authenticate": 'Bearer realm="framecheck"'})
            return
        if path in STREAMED_PATHS:  # records are limited one by one as they are read
            await self.app(scope, _paced(receive, self.body_timeout), send)
            return
        limit = self.max_bytes()
        length = _content_length(scope)
        if length is not None and length > limit:
            await problem(send, 413, "Content Too Large", f"the request body is {length} bytes; the limit is {limit}")
            return
        try:
            body = await asyncio.wait_for(_read_body(receive, limit), self.body_timeout)
        except asyncio.TimeoutError:
            await problem(send, 408, "Request Timeout", f"the request body did not arrive within {self.body_timeout:g} s")
            return
        except BodyRefused as exc:
            await problem(send, exc.status, exc.title, exc.detail)
            return
        await self.app(scope, _replay(body, receive), send)

    def _authorised(self, scope: Scope) -> bool:
        assert self.token is not None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.token)
        return False


def _open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BodyRefused(400, "Bad Request", "the client went away before sending the whole body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyRefused(413, "Content Too Large", f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the body read already, then waits for the disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _paced(receive: Receive, idle: float) -> Receive:
    """A receive that refuses a body whose next part takes more than ``idle`` seconds."""

    async def paced() -> Message:
        try:
            return await asyncio.wait_for(receive(), idle)
        except asyncio.TimeoutError:
            raise BodyRefused(408, "Request Timeout", f"no part of the request body arrived for {idle:g} s") from None

    return paced


def _with_headers(send: Send, policy: str) -> Send:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", policy.encode()),
    ]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", ())}
            message["headers"] = [*message.get("headers", ()), *(h for h in headers if h[0] not in present)]
        await send(message)

    return sending


async def problem(send: Send, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
    """An RFC 9457 problem document, sent before the framework is reached."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    extra = [(name.encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})
