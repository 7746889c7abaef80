"""The worker side of the service: warm applications in processes of their own.

Scans run in worker processes, never in the server's event loop: time budgets use the process's
real-time timer (SIGALRM), which works only in a process's main thread, a plugin that never
returns must not stall the server, and two cores scan two documents at once. Each worker builds
the configured application once when it starts, and one more per distinct rule selection a
request asks for (kept in a small least-recently-used table), so a request pays only for its
scan.

Everything crossing the process boundary is a plain dataclass of strings and numbers.
"""

from __future__ import annotations

import dataclasses
import json
import signal
from collections import OrderedDict
from dataclasses import dataclass, field

from ..app.config import Config
from ..app.run import Application, RunSettings
from ..core.errors import FramecheckError, raise_interrupted
from ..core.summary import RunSummary
from ..engine.selection import require_known
from ..outputs.data import rule_to_dict

# Applications kept per worker for request-specific selections, besides the configured one.
VARIANTS_KEPT = 8


@dataclass(frozen=True)
class ScanJob:
    """One document to scan, and the per-request settings that may differ from the server's."""

    name: str
    data: bytes
    input_format: str | None = None  # a reader name (text, markdown, html); None: by name and content
    output: str = "json"
    select: tuple[str, ...] | None = None  # None: as configured
    ignore: tuple[str, ...] | None = None
    language: str | None = None
    model_mode: str | None = None
    fail_on: str | None = None
    fail_scope: str | None = None
    max_score: float | None = None
    include_text: bool = False  # add each article's text to a JSON report (the web page shows it)

    def engine_key(self) -> tuple:
        """What decides which engine scans the job (selection, language, model mode)."""
        return (self.select, self.ignore, self.language, self.model_mode)


@dataclass(frozen=True)
class ScanReply:
    """What became of a job. ``problem`` is set when nothing could be scanned: ``"invalid"`` (a
    setting or the document itself, the client's to fix) or ``"failed"`` (the server's)."""

    body: str = ""
    summary: RunSummary = field(default_factory=RunSummary)
    problem: str | None = None
    detail: str = ""


@dataclass
class _Warnings:
    """Events of a worker's runs: kept, not printed (nobody reads a worker's stderr)."""

    messages: list[str] = field(default_factory=list)

    def warning(self, message: str) -> None:
        self.messages.append(message)

    def error(self, message: str) -> None:
        self.messages.append(message)


class Worker:
    """One process's applications: the configured one and recent request-specific variants."""

    def __init__(self, config: Config):
        self.config = config
        self.events = _Warnings()
        self.application = Application.from_config(config, self.events)
        self.variants: OrderedDict[tuple, Application] = OrderedDict()

    def application_for(self, job: ScanJob) -> Application:
        """The application for the job's engine settings (built once, then kept) with the job's
        gate settings."""
        key = job.engine_key()
        if key == (None, None, None, None):
            base = self.application
        else:
            base = self.variants.get(key) or self._variant(job, key)
            self.variants.move_to_end(key)
        gate = {name: value for name, value in (("fail_on", job.fail_on), ("fail_scope", job.fail_scope),
                                                  ("max_score", job.max_score)) if value is not None}
        if not gate:
            return base
        return Application(dataclasses.replace(base.config, **gate), base.engine, base.readers, base.formats,
                           base.events)

    def _variant(self, job: ScanJob, key: tuple) -> Application:
        known = self.application.engine.known_ids
        for setting, ids in (("select", job.select), ("ignore", job.ignore)):
            require_known(ids or (), known, setting)
        changes = {name: value for name, value in (("select", job.select), ("ignore", job.ignore),
                                                   ("language", job.language), ("model_mode", job.model_mode))
                   if value is not None}
        application = Application.from_config(dataclasses.replace(self.config, **changes), self.events)
        self.variants[key] = application
        while len(self.variants) > VARIANTS_KEPT:
            self.variants.popitem(last=False)
        return application

    def scan(self, job: ScanJob) -> ScanReply:
        try:
            application = self.application_for(job)
            if job.input_format:
                application = application.reading_as(job.input_format)
            settings = RunSettings(keep_texts=job.include_text)
            body, outcome = application.scan_bytes(job.name, job.data, job.output, settings)
        except FramecheckError as exc:
            return ScanReply(problem="invalid", detail=str(exc))
        summary = outcome.summary
        if summary.errors:
            return ScanReply(summary=summary, problem="invalid", detail="; ".join(summary.errors))
        if job.include_text and job.output == "json":
            body = _with_texts(body, outcome.texts)
        return ScanReply(body=body, summary=summary)

    def catalogue(self) -> dict:
        """The rules this worker's configured engine can report, as ``rules list --format json``
        lists them plus what ``rules show`` says."""
        rules = [rule_to_dict(rule, detail=True) for rule in self.application.engine.rules()]
        return {"rules": rules, "formats": sorted(self.application.formats),
                "readers": sorted(self.application.readers.readers), "warnings": list(self.events.messages)}


def _with_texts(body: str, texts: dict[str, str]) -> str:
    """A JSON report with each article's decoded text under ``text`` (its offsets index it)."""
    report = json.loads(body)
    for article in report["articles"]:
        article["text"] = texts.get(article["source"], "")
    return json.dumps(report, ensure_ascii=False, allow_nan=False)


# This process's worker, set once by the pool's initializer: the state a process pool's tasks
# share lives in the worker process, and nowhere else. A configuration that does not load leaves
# its error here instead, so that the parent can be told why (an initializer that raises only
# breaks the pool, silently).
_worker: Worker | None = None
_setup_error: str | None = None


def start(config: Config) -> None:
    """Pool initializer: build this process's applications."""
    global _worker, _setup_error
    signal.signal(signal.SIGINT, raise_interrupted)  # a plugin's KeyboardInterrupt is not the user's
    try:
        _worker = Worker(config)
    except FramecheckError as exc:
        _setup_error = str(exc)


def ready() -> tuple[bool, str]:
    """(whether this worker can scan, why not or how many rules it has)."""
    if _worker is None:
        return False, _setup_error or "the worker did not start"
    return True, f"{len(_worker.application.engine.rules())} rules"


def scan(job: ScanJob) -> ScanReply:
    if _worker is None:
        return ScanReply(problem="failed", detail=_setup_error or "the worker did not start")
    return _worker.scan(job)


def scan_many(jobs: list[ScanJob]) -> list[ScanReply]:
    """Several small jobs in one round trip: batches send records in groups to save overhead."""
    return [scan(job) for job in jobs]


def catalogue() -> dict:
    if _worker is None:
        raise FramecheckError(_setup_error or "the worker did not start")
    return _worker.catalogue()
