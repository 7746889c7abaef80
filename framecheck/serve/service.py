"""The long-running service: one warm pool of workers, reloaded when its configuration changes.

The service owns the current :class:`~framecheck.serve.pool.ScanPool`, swaps in a new one when
the configuration, a rule pack, a plugin file or the model changes (noticed by polling their
modification times, or told by SIGHUP), and keeps the last good one when the new configuration
does not load. It also bounds the work it accepts: past ``queue`` documents in flight, a request
is turned away at once (HTTP 503) instead of waiting without end.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..app.config import Config
from ..core.errors import FramecheckError
from .pool import ScanPool
from .worker import ScanJob, ScanReply

log = logging.getLogger("uvicorn.error")  # the server's own log: one stream, one format

@dataclass(frozen=True)
class ServeSettings:
    """How the service runs (the configuration says how documents are scanned)."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    token: str | None = None
    max_bytes: int | None = None  # request body limit; None: the configuration's max-bytes
    queue: int = 64  # requests in flight (scanning or waiting) before new ones get 503
    body_timeout: float = 30.0  # seconds a client may take to send its request body
    reload_interval: float = 2.0  # seconds between checks for changed files; 0: only on SIGHUP
    cors_origins: tuple[str, ...] = ()
    # Seconds a worker may overrun a document's time budget (where the budget cannot interrupt
    # it: C code, a plugin blocking the alarm) before the service replaces the worker.
    hard_timeout_grace: float = 10.0


class Busy(Exception):
    """The service has ``queue`` requests in flight: the client should retry later."""


class WorkerLost(Exception):
    """The worker scanning a document died or hung past its time budget; the pool was replaced."""


class Service:
    """The current pool, its configuration, and the bookkeeping around them."""

    def __init__(self, settings: ServeSettings, resolve: Callable[[], Config]):
        self.settings = settings
        self.resolve = resolve  # re-reads the configuration file and applies the command line on top
        self.pool: ScanPool | None = None
        self.generation = 0
        self.loaded_at = 0.0
        self.reload_error: str | None = None
        self.in_flight = 0
        self._fingerprint: tuple = ()
        self._catalogue: tuple[int, dict] | None = None
        self._reload_lock = asyncio.Lock()

    @property
    def config(self) -> Config:
        """The configuration the current workers were built from."""
        return self.pool.config if self.pool is not None else Config()

    @property
    def max_bytes(self) -> int:
        return self.settings.max_bytes if self.settings.max_bytes is not None else self.config.max_bytes

    async def start(self) -> None:
        """Build the first pool; a configuration that does not load stops the server from starting."""
        config = self.resolve()
        self.pool = await self._new_pool(config)
        self._fingerprint = await asyncio.to_thread(fingerprint, config)

    async def _new_pool(self, config: Config) -> ScanPool:
        self.generation += 1
        pool = ScanPool(config, self.settings.workers, self.generation)
        try:
            description = await asyncio.to_thread(pool.warm_up)
        except BaseException:
            pool.close()
            raise
        self.loaded_at = time.time()
        log.info("framecheck: engine generation %d ready (%s, %d workers)", self.generation, description,
                 self.settings.workers)
        return pool

    async def reload(self, reason: str) -> bool:
        """Load the configuration again; on success swap pools, else keep the running one and
        remember why (shown by /readyz)."""
        async with self._reload_lock:
            try:
                config = await asyncio.to_thread(self.resolve)
                stamp = await asyncio.to_thread(fingerprint, config)
                pool = await self._new_pool(config)
            except FramecheckError as exc:
                self.reload_error = str(exc)
                log.error("framecheck: reload (%s) failed, still serving generation %d: %s", reason,
                          self.pool.generation if self.pool else 0, exc)
                return False
            old, self.pool, self._fingerprint = self.pool, pool, stamp
            self.reload_error = None
            if old is not None:
                old.retire()
            log.info("framecheck: reloaded (%s)", reason)
            return True

    async def watch(self) -> None:
        """Poll the watched files every ``reload_interval`` seconds; reload when they change."""
        interval = self.settings.reload_interval
        if interval <= 0:
            return
        while True:
            await asyncio.sleep(interval)
            stamp = await asyncio.to_thread(fingerprint, self.config)
            if stamp != self._fingerprint:
                self._fingerprint = stamp  # a broken file is tried once, not every interval
                await self.reload("files changed")

    async def scan(self, job: ScanJob) -> ScanReply:
        """Scan one document in a worker (Busy when the service is full)."""
        self.claim()
        try:
            return (await self.scan_group([job]))[0]
        finally:
            self.release()

    async def scan_group(self, jobs: list[ScanJob]) -> list[ScanReply]:
        """Scan documents in one round trip to one worker (one request's, or records of a
        batch); the caller holds the room. A worker that dies or hangs is replaced."""
        pool = self._current()
        timeout = self._hard_timeout(sum(len(job.data) for job in jobs), len(jobs))
        try:
            return await pool.scan_many(jobs, timeout)
        except (asyncio.TimeoutError, BrokenProcessPool) as exc:
            await self._replace(pool, "a worker hung" if isinstance(exc, asyncio.TimeoutError) else "a worker died")
            raise WorkerLost(_lost_reason(exc)) from None

    def claim(self) -> None:
        """Room for one more request in flight, or Busy; ``release`` gives it back."""
        if self.in_flight >= self.settings.queue:
            raise Busy()
        self.in_flight += 1

    def release(self) -> None:
        self.in_flight -= 1

    def _current(self) -> ScanPool:
        if self.pool is None:
            raise FramecheckError("the service has not started")
        return self.pool

    def _hard_timeout(self, size: int, documents: int = 1) -> float | None:
        seconds = self.config.document_timeout
        if seconds <= 0:
            return None
        return documents * seconds * max(1.0, size / 1_000_000) + self.settings.hard_timeout_grace

    async def _replace(self, broken: ScanPool, reason: str) -> None:
        """A fresh pool for the same configuration after a worker died or hung."""
        async with self._reload_lock:
            if self.pool is not broken:
                return  # another request replaced it already
            log.error("framecheck: %s; starting new workers", reason)
            try:
                pool = await self._new_pool(self.config)
            except FramecheckError as exc:  # the files changed under it since: try again next time
                self.reload_error = str(exc)
                log.error("framecheck: new workers did not start: %s", exc)
                return
            self.pool = pool
            broken.retire(grace=0.0)

    async def catalogue(self) -> dict:
        """The configured rules (asked of a worker once per generation)."""
        pool = self._current()
        if self._catalogue is None or self._catalogue[0] != pool.generation:
            self._catalogue = (pool.generation, await pool.catalogue())
        return self._catalogue[1]

    def status(self) -> dict:
        return {
            "status": "degraded" if self.reload_error else "ready",
            "generation": self.pool.generation if self.pool else 0,
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.loaded_at)),
            "workers": self.settings.workers,
            "in_flight": self.in_flight,
            "queue": self.settings.queue,
            "reload_error": self.reload_error,
        }

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def _lost_reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "the scan did not finish within the time budget and its worker was restarted"
    return "the worker process scanning it died (a plugin ended the process, or it ran out of memory)"


def watched_files(config: Config) -> list[Path]:
    """The files whose change means a new engine: the configuration, rule packs and language
    files, plugin files, the model and the baseline."""
    paths = [Path(p) for p in (config.path, config.model, config.baseline) if p]
    paths += [Path(p) for p in config.plugins if p.endswith(".py")]
    for rules in config.rules:
        root = Path(rules)
        if root.is_dir():
            paths += sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))
        else:
            paths.append(root)
    return paths


def fingerprint(config: Config) -> tuple:
    """(path, size, modification time) of every watched file; a missing file counts too."""
    stamps = []
    for path in watched_files(config):
        try:
            info = os.stat(path)
            stamps.append((str(path), info.st_size, info.st_mtime_ns))
        except OSError:
            stamps.append((str(path), -1, -1))
    return tuple(stamps)
