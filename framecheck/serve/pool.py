"""Worker processes for one configuration: started warm, asked to scan, retired whole.

A pool belongs to one generation of the configuration. Reloading starts a new pool beside the
old one and retires the old one once its work is done, so requests in flight finish on the
engine they started with.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ..app.config import Config
from ..core.errors import FramecheckError
from . import worker
from .worker import ScanJob, ScanReply

# Seconds a retired pool's workers get to finish the work they hold before they are killed.
RETIRE_GRACE = 30.0


def _context() -> Any:
    """A fork server where there is one: workers start from a clean, single-threaded process
    (forking the server itself, with its event loop and threads, is unsafe) that has the scan
    code imported already."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["framecheck.serve.worker"])
        return context
    return multiprocessing.get_context("spawn")


class ScanPool:
    """``workers`` processes, each holding the applications ``config`` describes."""

    def __init__(self, config: Config, workers: int, generation: int):
        self.config = config
        self.workers = workers
        self.generation = generation
        self.executor = ProcessPoolExecutor(workers, mp_context=_context(), initializer=worker.start,
                                            initargs=(config,))

    def warm_up(self) -> str:
        """Start every worker and build its engine; raises FramecheckError with the reason when
        the configuration does not load (blocking: run it in a thread)."""
        futures = [self.executor.submit(worker.ready) for _ in range(self.workers)]
        outcomes = [future.result() for future in futures]
        for ok, message in outcomes:
            if not ok:
                raise FramecheckError(message)
        return outcomes[0][1]

    async def scan(self, job: ScanJob, timeout: float | None) -> ScanReply:
        return (await self.scan_many([job], timeout))[0]

    async def scan_many(self, jobs: list[ScanJob], timeout: float | None) -> list[ScanReply]:
        """The jobs' replies, from one worker in one round trip; asyncio.TimeoutError past
        ``timeout`` seconds, BrokenProcessPool when the worker died."""
        future = asyncio.wrap_future(self.executor.submit(worker.scan_many, jobs))
        return await asyncio.wait_for(future, timeout)

    async def catalogue(self) -> dict:
        return await asyncio.wrap_future(self.executor.submit(worker.catalogue))

    def retire(self, grace: float = RETIRE_GRACE) -> None:
        """Take no new work; let the workers finish what they hold, then end them, killing any
        still busy after ``grace`` seconds (a scan stuck where no time budget reaches)."""
        processes = list(getattr(self.executor, "_processes", {}).values())  # the executor offers no other way
        self.executor.shutdown(wait=False, cancel_futures=False)

        def kill_stragglers() -> None:
            for process in processes:
                process.join(grace)
                if process.is_alive():
                    process.kill()

        threading.Thread(target=kill_stragglers, name="framecheck-retire", daemon=True).start()

    def close(self) -> None:
        """End the workers now (the server is stopping)."""
        processes = list(getattr(self.executor, "_processes", {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
