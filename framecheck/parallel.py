"""Scanning in worker processes, with reports in input order and memory bounded.

``--jobs N`` forks N workers that inherit the engine already built in the parent (packs,
automata and plugins are never pickled). Documents travel to them in small batches; at most
a few batches per worker are in flight, so reading a huge corpus never gets far ahead of
scanning it, and reports come back in exactly the order ``--jobs 1`` gives.

Without ``--jobs`` (auto) a scan starts in the parent and moves to ``os.cpu_count()``
workers only after ``AUTO_PARALLEL_AFTER`` documents: one article never pays for forking.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator

from .engine import Engine
from .errors import InputError
from .model import ArticleReport, Document

AUTO_PARALLEL_AFTER = 64
BATCH_DOCUMENTS = 16
BATCHES_IN_FLIGHT_PER_WORKER = 3

# The engine a worker process scans with. Set once per worker by ``_adopt`` (inherited through
# fork), read by ``_scan_batch``; the parent process never sets it.
_worker_engine: Engine | None = None

Item = Document | InputError
Result = ArticleReport | InputError


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def scan_all(engine: Engine, items: Iterable[Item], jobs: int | None = None) -> Iterator[Result]:
    """A report (or the input's error) per item, in input order.

    ``jobs``: 1 scans here; N > 1 uses N worker processes; None decides (see the module).
    Where processes cannot fork, everything is scanned here.
    """
    items = iter(items)
    if jobs is None:
        jobs = available_cpus()
        yield from (_scan_here(engine, item) for item in itertools.islice(items, AUTO_PARALLEL_AFTER))
    if jobs <= 1 or not can_fork():
        yield from (_scan_here(engine, item) for item in items)
        return
    yield from _scan_in_workers(engine, items, jobs)


def _scan_here(engine: Engine, item: Item) -> Result:
    return item if isinstance(item, InputError) else engine.scan(item)


def _scan_in_workers(engine: Engine, items: Iterator[Item], jobs: int) -> Iterator[Result]:
    batches = iter(lambda: list(itertools.islice(items, BATCH_DOCUMENTS)), [])
    first = next(batches, None)
    if first is None:
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_adopt, initargs=(engine,)) as pool:
        pending: collections.deque = collections.deque()
        for batch in itertools.chain([first], batches):
            pending.append(pool.apply_async(_scan_batch, (batch,)))
            if len(pending) >= jobs * BATCHES_IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _adopt(engine: Engine) -> None:
    """Worker start-up: keep the inherited engine; Ctrl-C is the parent's to handle."""
    global _worker_engine
    _worker_engine = engine
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _scan_batch(batch: list[Item]) -> list[Result]:
    assert _worker_engine is not None, "worker started without an engine"
    return [_scan_here(_worker_engine, item) for item in batch]
