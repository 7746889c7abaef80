"""Scanning in worker processes, with reports in input order and memory bounded.

``--jobs N`` forks N workers that inherit the engine and readers already built in the parent
(packs, automata and plugins are never pickled). Work travels to them in small batches: an
article file goes as its name, so the worker reads it, finds its structure and scans it;
records of a corpus (one JSONL or CSV file, or stdin) are read in the parent and go as
documents. At most a few batches per worker are in flight, so reading a huge corpus never
gets far ahead of scanning it, and reports come back in exactly the order ``--jobs 1`` gives.

Without ``--jobs`` (auto) a scan starts in the parent and moves to ``os.cpu_count()``
workers only after ``AUTO_PARALLEL_AFTER`` units of work: one article never pays for forking.
"""

from __future__ import annotations

import collections
import itertools
import os
import signal
from collections.abc import Iterable, Iterator

from .engine import Engine
from .errors import InputError
from .model import ArticleReport, Document
from .readers import Input, ReaderSet

AUTO_PARALLEL_AFTER = 64
BATCH_UNITS = 16
BATCHES_IN_FLIGHT_PER_WORKER = 3

# What a worker process scans with. Set once per worker by ``_adopt`` (inherited through
# fork), read by ``_scan_batch``; the parent process never sets it.
_worker: tuple[Engine, ReaderSet | None] | None = None

Unit = Input | Document | InputError  # a file to read, a document already read, or an error
Result = ArticleReport | InputError


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    import multiprocessing  # imported on use: a one-article scan never forks

    return "fork" in multiprocessing.get_all_start_methods()


def work_units(items: Iterable[Input | InputError], readers: ReaderSet) -> Iterator[Unit]:
    """What to hand out: article files as they are; the documents of corpora and of stdin,
    read here (a worker cannot read the parent's stdin, and one corpus is many documents)."""
    for item in items:
        if isinstance(item, InputError):
            yield item
        elif item.path is None or getattr(readers.reader_for(item), "corpus", False):
            yield from read_safely(readers, item)
        else:
            yield item


def scan_all(
    engine: Engine, units: Iterable[Unit], jobs: int | None = None, readers: ReaderSet | None = None
) -> Iterator[Result]:
    """A report (or an error) per document of every unit, in input order.

    ``jobs``: 1 scans here; N > 1 uses N worker processes; None decides (see the module).
    Where processes cannot fork, everything is scanned here. ``readers`` read the units that
    are files (needed only when there are some).
    """
    units = iter(units)
    if jobs is None:
        jobs = available_cpus()
        for unit in itertools.islice(units, AUTO_PARALLEL_AFTER):
            yield from _results(engine, readers, unit)
        following = next(units, None)
        if following is None:
            return
        units = itertools.chain([following], units)
    if jobs <= 1 or not can_fork():
        for unit in units:
            yield from _results(engine, readers, unit)
        return
    yield from _scan_in_workers(engine, readers, units, jobs)


def _results(engine: Engine, readers: ReaderSet | None, unit: Unit) -> Iterator[Result]:
    if isinstance(unit, InputError):
        yield unit
    elif isinstance(unit, Document):
        yield scan_safely(engine, unit)
    else:
        if readers is None:
            raise ValueError("scan_all needs readers to read files")
        for document in read_safely(readers, unit):
            yield document if isinstance(document, InputError) else scan_safely(engine, document)


def read_safely(readers: ReaderSet, item: Input) -> Iterator[Document | InputError]:
    """The documents of one input; whatever goes wrong while reading it (a reader's bug on a
    strange file included) becomes an error naming the input, and the run goes on."""
    try:
        yield from readers.read(item)
    except InputError as exc:
        yield exc
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the scan of the others
        yield InputError(f"{item.name}: could not be read: {_describe(exc)}")


def scan_safely(engine: Engine, document: Document) -> Result:
    """The document's report, or an error naming it when the scan itself failed."""
    try:
        return engine.scan(document)
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop the scan of the others
        return InputError(f"{document.source}: could not be scanned: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:200] + "…"
    return f"internal error {type(exc).__name__}: {text} (a framecheck bug; the other inputs were scanned)"


def _scan_in_workers(engine: Engine, readers: ReaderSet | None, units: Iterator[Unit], jobs: int) -> Iterator[Result]:
    batches = iter(lambda: list(itertools.islice(units, BATCH_UNITS)), [])
    first = next(batches, None)
    if first is None:
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_adopt, initargs=(engine, readers)) as pool:
        pending: collections.deque = collections.deque()
        for batch in itertools.chain([first], batches):
            pending.append(pool.apply_async(_scan_batch, (batch,)))
            if len(pending) >= jobs * BATCHES_IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _adopt(engine: Engine, readers: ReaderSet | None) -> None:
    """Worker start-up: keep the inherited engine and readers; Ctrl-C is the parent's to handle."""
    global _worker
    _worker = (engine, readers)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _scan_batch(batch: list[Unit]) -> list[Result]:
    assert _worker is not None, "worker started without an engine"
    engine, readers = _worker
    return [result for unit in batch for result in _results(engine, readers, unit)]
