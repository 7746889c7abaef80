"""What a scan request may say, and how it becomes a :class:`~framecheck.serve.worker.ScanJob`.

A request chooses only what ``framecheck scan`` lets a user choose per run without touching the
server's files: language, rule selection, gate settings, model mode, report format. Packs,
plugins, models and paths are the server's configuration and never come from a request.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..app.config import FAIL_ON, FAIL_SCOPES
from ..core.model import MODEL_MODES
from ..languages.detect import checked_language
from .worker import ScanJob

# Request format hint -> the reader that reads it; "auto" chooses by name and content as scan does.
READERS = {"text": "text", "markdown": "markdown", "html": "html"}
# Content type of a raw request body -> format hint.
BODY_TYPES = {"text/plain": "text", "text/markdown": "markdown", "text/x-markdown": "markdown", "text/html": "html"}
# Report format -> media type of the response.
MEDIA_TYPES = {
    "json": "application/json", "sarif": "application/sarif+json", "jsonl": "application/x-ndjson",
    "html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
}
FORMAT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,40}")
DEFAULT_NAME = "document"
MAX_NAME = 200


def _ids(value: object) -> object:
    """``"a,b"`` or ``["a", "b,c"]`` -> ``["a", "b", "c"]``, as ``--select`` takes them."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [part.strip() for item in value if isinstance(item, str) for part in item.split(",") if part.strip()]
    return value


class ScanSettings(BaseModel):
    """Per-request settings; each left out is the server's configuration."""

    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(None, description="Take the document to be in this language (en, uk, ru, ...); "
                                                   "default: told from its letters.")
    select: list[str] | None = Field(None, description="Only these rule or technique ids (a list, or comma-separated).")
    ignore: list[str] | None = Field(None, description="Skip these rule or technique ids.")
    fail_on: Literal[FAIL_ON] | None = Field(None, description="Severity at which the check fails.")  # type: ignore[valid-type]
    fail_scope: Literal[FAIL_SCOPES] | None = Field(None, description="Which findings fail_on counts.")  # type: ignore[valid-type]
    max_score: float | None = Field(None, ge=0, allow_inf_nan=False, description="The check also fails above this score.")
    model_mode: Literal[MODEL_MODES] | None = Field(None, description="How the learned layer is used, if the server has a model.")  # type: ignore[valid-type]
    output: str = Field("json", description="Report format: json (default), sarif, html, markdown, jsonl, or one a "
                                            "server plugin adds.")
    include_text: bool = Field(False, description="Add each article's decoded text (`text`) to a JSON report: the "
                                                  "offsets of its findings index it.")

    @field_validator("select", "ignore", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _ids(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else checked_language(value)

    @field_validator("output")
    @classmethod
    def _output(cls, value: str) -> str:
        if not FORMAT_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a format name")
        return value


class ScanDocument(ScanSettings):
    """A document to scan, as a JSON request body."""

    text: str = Field(..., description="The article: plain text, Markdown or HTML (see `format`).")
    format: Literal["auto", "text", "markdown", "html"] = Field(
        "auto", description="How to read `text`; auto: by the extension of `name`, then by content.")
    name: str = Field(DEFAULT_NAME, min_length=1, max_length=MAX_NAME,
                      description="The document's name in reports (only a label: nothing is read from it).")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("the name must be printable text")
        return value


class BatchRecord(BaseModel):
    """One line of a batch request (JSON lines)."""

    model_config = ConfigDict(extra="ignore")

    id: str | int | None = None
    text: str
    format: Literal["auto", "text", "markdown", "html"] = "auto"


def job_for(settings: ScanSettings, data: bytes, name: str, input_format: str) -> ScanJob:
    """The job a request describes."""
    return ScanJob(
        name=name, data=data, input_format=READERS.get(input_format), output=settings.output,
        select=tuple(settings.select) if settings.select is not None else None,
        ignore=tuple(settings.ignore) if settings.ignore is not None else None,
        language=settings.language, model_mode=settings.model_mode, fail_on=settings.fail_on,
        fail_scope=settings.fail_scope, max_score=settings.max_score, include_text=settings.include_text,
    )
