"""Scans for the language server: warm worker processes per configuration, latest text wins.

Every scan runs in a worker process (the service's pool): a plugin that raises, loops or ends
its process cannot take the editor's server down, and time budgets work there. Each document
has at most one scan in flight; edits that arrive meanwhile are folded into one more scan of
the newest text when it returns, so typing never queues work and a finished scan is shown at
once. Documents over ``BIG_DOCUMENT`` characters go to a pool of their own, which is restarted
when the document is edited again mid-scan: a 5 MB article never delays a short one, and a
stale scan of it is cancelled, not waited for.

A document's configuration is found as ``scan`` finds it (the nearest ``.framecheck.yaml`` or
``pyproject.toml`` above the file); a changed configuration, pack, plugin file or model starts
new workers, and the open documents are scanned again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..app.config import Config, find_config, load_config
from ..core.errors import FramecheckError
from ..serve.pool import ScanPool
from ..serve.service import fingerprint
from ..serve.worker import ScanJob, ScanReply

log = logging.getLogger("framecheck.lsp")

BIG_DOCUMENT = 1_000_000  # characters: scanned in the background pool, cancelled by an edit
RECHECK_FILES = 2.0  # seconds between looks at the configuration's files for changes


@dataclass
class Workers:
    """The pools of one configuration: one for ordinary documents, one for big ones."""

    stamp: tuple
    pool: ScanPool
    big: ScanPool | None = None
    catalogue: dict | None = None

    @property
    def config(self) -> Config:
        return self.pool.config


@dataclass
class DocumentState:
    """A document's scanning: the newest text, and whether a scan of it is in flight."""

    running: bool = False
    wanted: tuple[int, str] | None = None  # (version, text) not yet scanned
    big_job: asyncio.Future | None = None


Publish = Callable[[str, int, str, ScanReply], Awaitable[None]]


@dataclass
class Scanner:
    """Scans documents for the server and hands each result to ``publish``."""

    publish: Publish
    workers: int = 1
    pools: dict[str, Workers] = field(default_factory=dict)  # configuration path ("" for none) -> workers
    documents: dict[str, DocumentState] = field(default_factory=dict)
    checked_at: float = 0.0
    starting: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def workers_for(self, path: Path) -> Workers:
        """The warm workers for the file's configuration, started on first use (once, however
        many documents ask at the same time). Finding the configuration costs a few stat calls
        per edit; it is read and parsed only when its workers start."""
        found = await asyncio.to_thread(find_config, path)
        key = str(found) if found else ""
        async with self.starting:
            workers = self.pools.get(key)
            if workers is None:
                config = await asyncio.to_thread(load_config, found) if found else Config()
                workers = await self._start(config)
                self.pools[key] = workers
        return workers

    async def _start(self, config: Config) -> Workers:
        stamp = await asyncio.to_thread(fingerprint, config)
        pool = ScanPool(config, self.workers, 1)
        try:
            await asyncio.to_thread(pool.warm_up)
        except BaseException:
            pool.close()
            raise
        return Workers(stamp, pool)

    async def reload_if_changed(self) -> bool:
        """New workers for every configuration whose files changed; True when any did."""
        if time.monotonic() - self.checked_at < RECHECK_FILES:
            return False
        self.checked_at = time.monotonic()
        changed = False
        for key, workers in list(self.pools.items()):
            stamp = await asyncio.to_thread(fingerprint, workers.config)
            if stamp == workers.stamp:
                continue
            workers.stamp = stamp  # tried once: a broken file is not reloaded again until it changes
            try:
                config = await asyncio.to_thread(self._reread, workers.config)
                fresh = await self._start(config)
            except FramecheckError as exc:
                log.error("framecheck: the changed configuration did not load: %s", exc)
                raise
            self.pools[key] = fresh
            self._retire(workers)
            changed = True
        return changed

    def _reread(self, config: Config) -> Config:
        return load_config(Path(config.path)) if config.path else Config()

    def request(self, uri: str, path: Path, version: int, text: str, reader: str) -> None:
        """Scan ``text`` (version ``version``) soon; a newer request replaces one not yet started."""
        state = self.documents.setdefault(uri, DocumentState())
        state.wanted = (version, text)
        if state.big_job is not None and not state.big_job.done():
            state.big_job.cancel()  # an edit cancels a background scan of the old text
        if not state.running:
            state.running = True
            asyncio.ensure_future(self._drain(uri, path, state, reader))

    async def _drain(self, uri: str, path: Path, state: DocumentState, reader: str) -> None:
        try:
            while state.wanted is not None:
                version, text = state.wanted
                state.wanted = None
                try:
                    reply = await self._scan(path, state, reader, text)
                except (FramecheckError, BrokenProcessPool) as exc:
                    reply = ScanReply(problem="failed", detail=_failure(exc))
                    await self._recover(path, exc)
                if reply is not None and state.wanted is None:
                    await self.publish(uri, version, text, reply)
        except Exception:  # a task's error is otherwise lost without a word
            log.exception("framecheck: scanning %s failed", uri)
        finally:
            state.running = False

    async def _recover(self, path: Path, exc: BaseException) -> None:
        """After a worker died: new workers for the file's configuration."""
        if isinstance(exc, BrokenProcessPool):
            found = await asyncio.to_thread(find_config, path)
            broken = self.pools.pop(str(found) if found else "", None)
            if broken is not None:
                self._retire(broken)

    async def _scan(self, path: Path, state: DocumentState, reader: str, text: str) -> ScanReply | None:
        workers = await self.workers_for(path)
        if not workers.config.wants(path):  # include/exclude: what the gate leaves out, the editor does too
            return ScanReply(body=json.dumps({"articles": []}))
        request = ScanJob(name=str(path), data=text.encode("utf-8"), input_format=reader, output="json")
        if len(text) <= BIG_DOCUMENT:
            return await workers.pool.scan(request, None)
        if workers.big is None:
            workers.big = ScanPool(workers.config, 1, 1)
        state.big_job = asyncio.ensure_future(workers.big.scan(request, None))
        try:
            return await state.big_job
        except asyncio.CancelledError:
            if state.wanted is None:
                raise  # the server is stopping, not an edit
            stale, workers.big = workers.big, ScanPool(workers.config, 1, 1)
            stale.retire(grace=0.0)  # the scan of the old text stops now
            return None

    async def catalogue(self, path: Path) -> dict:
        """The rules of the file's configuration, with examples (asked of a worker once)."""
        workers = await self.workers_for(path)
        if workers.catalogue is None:
            workers.catalogue = await workers.pool.catalogue()
        return workers.catalogue

    def forget(self, uri: str) -> None:
        state = self.documents.pop(uri, None)
        if state is not None and state.big_job is not None:
            state.big_job.cancel()

    def _retire(self, workers: Workers) -> None:
        workers.pool.retire()
        if workers.big is not None:
            workers.big.retire(grace=0.0)

    def close(self) -> None:
        for workers in self.pools.values():
            workers.pool.close()
            if workers.big is not None:
                workers.big.close()
        self.pools.clear()


def _failure(exc: BaseException) -> str:
    if isinstance(exc, BrokenProcessPool):
        return "the worker process scanning it died (a plugin ended the process?); it was restarted"
    return str(exc)


def report_of(reply: ScanReply) -> dict:
    """The JSON report a worker sent, or an empty one when the document could not be read."""
    return json.loads(reply.body) if reply.body else {"articles": []}
