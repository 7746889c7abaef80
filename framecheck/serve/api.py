"""The HTTP API (``/v1``), health checks, the web page and the API docs, on FastAPI.

Every error is an RFC 9457 problem document (``application/problem+json``) with no traceback.
A scan answers 200 with the report whether the check passes or fails; the header
``Framecheck-Check`` (pass, fail, incomplete) says which, for a CMS that reads no body.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from .._version import __version__
from ..core.errors import did_you_mean
from ..core.summary import RunSummary
from ..core.taxonomy import TECHNIQUES
from ..outputs.data import RULE_DETAIL
from ..outputs.html import COLOURS
from .batch import scan_batch
from .guard import BodyRefused, Guard
from .requests import BODY_TYPES, DEFAULT_NAME, MAX_NAME, MEDIA_TYPES, BatchRecord, ScanDocument, ScanSettings, job_for
from .service import Busy, Service, WorkerLost
from .worker import ScanReply

PAGE_DIR = Path(str(resources.files("framecheck.serve") / "page"))
RETRY_AFTER = "1"
SCAN_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ScanDocument"}},
        **{media: {"schema": {"type": "string"}} for media in BODY_TYPES},
    },
}


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None,
            kind: str = "about:blank") -> JSONResponse:
    return JSONResponse({"type": kind, "title": title, "status": status, "detail": detail}, status_code=status,
                        media_type="application/problem+json", headers=headers)


def create_app(service: Service, *, handle_signals: bool = False) -> Any:
    """The ASGI application: FastAPI inside the guard (token, body limits, headers)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if service.pool is None:  # the command line starts it before listening; a test client here
            await service.start()
        watcher = asyncio.create_task(service.watch())
        if handle_signals:
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(service.reload("SIGHUP")))
        try:
            yield
        finally:
            watcher.cancel()
            service.close()

    app = FastAPI(title="framecheck", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  summary="Find propaganda and misinformation framing devices in news text.")
    app.openapi = lambda: _schema(app)  # type: ignore[method-assign]
    _errors(app)
    _pages(app)
    _health(app, service)
    _catalogue(app, service)
    _scanning(app, service)
    if service.settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(service.settings.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])
    return Guard(app, token=service.settings.token, max_bytes=lambda: service.max_bytes,
                 body_timeout=service.settings.body_timeout)


def _schema(app: FastAPI) -> dict:
    """The framework's OpenAPI schema, with the request bodies that scan reads by content type."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ScanDocument, BatchRecord):
            schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        app.openapi_schema = schema
    return app.openapi_schema


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, "Unprocessable Content", _validation_detail(exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail),
                       dict(exc.headers or {}))

    @app.exception_handler(Busy)
    async def busy(_request: Request, _exc: Busy) -> JSONResponse:
        return problem(503, "Service Unavailable", "the service is scanning as many documents as it takes; retry",
                       {"retry-after": RETRY_AFTER})

    @app.exception_handler(WorkerLost)
    async def lost(_request: Request, exc: WorkerLost) -> JSONResponse:
        return problem(503, "Service Unavailable", str(exc), {"retry-after": RETRY_AFTER})

    @app.exception_handler(BodyRefused)
    async def refused(_request: Request, exc: BodyRefused) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail)

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception) -> JSONResponse:
        return problem(500, "Internal Server Error", f"internal error {type(exc).__name__} (see the server log)")


_TITLES = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 413: "Content Too Large",
           415: "Unsupported Media Type", 422: "Unprocessable Content"}


def _validation_detail(errors: Any) -> str:
    """Where and what, without echoing the (maybe large) input back."""
    parts = []
    for error in list(errors)[:5]:
        where = ".".join(str(item) for item in error.get("loc", ()) if item != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def _pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=PAGE_DIR), name="static")
    swagger = _swagger_dir()
    if swagger is not None:
        app.mount("/docs/assets", StaticFiles(directory=swagger), name="docs-assets")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(PAGE_DIR / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> FileResponse:
        return FileResponse(PAGE_DIR / "docs.html", media_type="text/html; charset=utf-8")


def _swagger_dir() -> Path | None:
    """Swagger UI's files, from the fastapi-swagger package (served here: no CDN)."""
    try:
        return Path(str(resources.files("fastapi_swagger") / "resources"))
    except ModuleNotFoundError:
        return None


def _health(app: FastAPI, service: Service) -> None:
    @app.get("/healthz", tags=["health"], summary="The process answers.")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Workers are warm; a failed reload shows here.")
    async def readyz() -> JSONResponse:
        status = service.status()
        return JSONResponse(status, status_code=200 if service.pool is not None else 503)

    @app.get("/v1/version", tags=["catalogue"], summary="framecheck's version and the engine generation.")
    async def version() -> dict:
        return {"name": "framecheck", "version": __version__, "api": "v1", "generation": service.generation}


def _catalogue(app: FastAPI, service: Service) -> None:
    @app.get("/v1/techniques", tags=["catalogue"], summary="The propaganda techniques rules report.")
    async def techniques() -> dict:
        return {"techniques": [{"id": t.id, "name": t.name, "definition": t.definition, "corpus_label": t.corpus_label,
                                "origin": t.origin, "colour": COLOURS[t.id]} for t in TECHNIQUES.values()]}

    @app.get("/v1/rules", tags=["catalogue"], summary="Every rule the server's configuration runs.")
    async def rules() -> dict:
        catalogue = await service.catalogue()
        return {"rules": [{key: value for key, value in rule.items() if key not in RULE_DETAIL}
                          for rule in catalogue["rules"]]}

    @app.get("/v1/rules/{rule_id}", tags=["catalogue"],
             summary="One rule: message, why, suggested wording, examples.")
    async def rule(rule_id: str) -> Any:
        found = {rule["id"]: rule for rule in (await service.catalogue())["rules"]}
        if rule_id not in found:
            return problem(404, "Not Found", f"no rule {rule_id!r}{did_you_mean(rule_id, found)}")
        return found[rule_id]


def _scanning(app: FastAPI, service: Service) -> None:
    @app.post("/v1/scan", tags=["scan"], openapi_extra={"requestBody": SCAN_BODY},
              summary="Scan one document; the report of `framecheck scan --format OUTPUT`.",
              responses={200: {"description": "The report; `Framecheck-Check` says pass, fail or incomplete."},
                         413: {"description": "Body over the limit"}, 415: {"description": "Unsupported type"},
                         422: {"description": "A setting or the document is invalid"},
                         503: {"description": "Full, or a worker was lost; see Retry-After"}})
    async def scan(request: Request) -> Response:
        body = await request.body()
        settings, data, name, input_format = _scan_request(request, body)
        reply = await service.scan(job_for(settings, data, name, input_format))
        return _scan_response(reply, settings.output)

    @app.post("/v1/scan/batch", tags=["scan"],
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/x-ndjson": {"schema": {"$ref": "#/components/schemas/BatchRecord"}}}}},
              summary="Scan JSON lines ({\"id\", \"text\", \"format\"}); JSON lines out, streamed, in input order, "
                      "then a summary line.")
    async def batch(request: Request) -> Response:
        _require_type(request, ("application/x-ndjson", "application/jsonl", "application/json-lines",
                                "application/json"))
        settings = _query_settings(request)
        if settings.output != "jsonl":
            settings = settings.model_copy(update={"output": "jsonl"})
        service.claim()  # released by the stream, which outlives this handler
        return _ReadingStream(scan_batch(service, request.stream(), settings), media_type="application/x-ndjson")


class _ReadingStream(StreamingResponse):
    """A streamed response whose body is produced while the request body is still being read.

    Starlette's own listens for the client's disconnect by reading the request meanwhile, which
    would take parts of the body away from the generator reading it; here a client that goes
    away is noticed when a write fails. The response starts only once the first lines are
    ready: a client that sent ``Expect: 100-continue`` (curl does, for large bodies) is told
    to go on when the body is first read, which must happen before any response is sent.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        lines = self.body_iterator.__aiter__()
        try:
            first = await anext(lines, None)
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            if first is not None:
                await send({"type": "http.response.body", "body": first.encode(), "more_body": True})
                async for chunk in lines:
                    await send({"type": "http.response.body", "body": chunk.encode(), "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            raise ClientDisconnect() from None
        finally:
            await lines.aclose()  # now, not when collected: it gives the request's room back


def _require_type(request: Request, allowed: tuple[str, ...]) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in allowed:
        raise HTTPException(415, f"send the document as one of {', '.join(allowed)}, not {media or 'no type'}")
    return media


def _charset(request: Request) -> str:
    for part in request.headers.get("content-type", "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


def _query_settings(request: Request, *, skip: tuple[str, ...] = ()) -> ScanSettings:
    query: dict[str, Any] = {}
    for key in request.query_params:
        if key in skip:
            continue
        values = request.query_params.getlist(key)
        query[key] = values if key in ("select", "ignore") else values[-1]
    try:
        return ScanSettings.model_validate(query)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


def _scan_request(request: Request, body: bytes) -> tuple[ScanSettings, bytes, str, str]:
    """(settings, document bytes in UTF-8, name, format hint) from a JSON or a raw body."""
    media = _require_type(request, ("application/json", *BODY_TYPES))
    if media == "application/json":
        try:
            document = ScanDocument.model_validate_json(body)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from None
        return document, _utf8(document.text), document.name, document.format
    settings = _query_settings(request, skip=("name",))
    try:
        text = body.decode(_charset(request))
    except LookupError:
        raise HTTPException(415, f"unknown charset {_charset(request)!r}") from None
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"the body is not valid {exc.encoding} at byte {exc.start}") from None
    name = request.query_params.get("name", DEFAULT_NAME)[:MAX_NAME]
    return settings, _utf8(text), name, BODY_TYPES[media]


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise HTTPException(400, f"the text holds a lone surrogate at character {exc.start}") from None


def _scan_response(reply: ScanReply, output: str) -> Response:
    if reply.problem == "invalid":
        return problem(422, "Unprocessable Content", reply.detail)
    if reply.problem is not None:
        return problem(500, "Internal Server Error", reply.detail)
    return Response(reply.body, media_type=MEDIA_TYPES.get(output, "text/plain; charset=utf-8"),
                    headers={"framecheck-check": check_result(reply.summary)})


def check_result(summary: RunSummary) -> str:
    """pass, fail or incomplete: what the gate says of the document."""
    if summary.incomplete:
        return "incomplete"
    return "fail" if summary.failed else "pass"
