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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..core.errors import InputError
from ..core.model import ArticleReport, Document
from ..engine.budget import OverBudget, budget
from ..engine.engine import Engine
from ..inputs.readers import Input, ReaderSet

if TYPE_CHECKING:  # concurrent.futures is imported only by scans that fork
    from concurrent.futures import Future, ProcessPoolExecutor

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


def most_jobs() -> int:
    """The most worker processes a run starts: more than a few per CPU only costs memory and
    start-up (and thousands exhaust the process table: a failed fork)."""
    return 4 * available_cpus()


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
    engine: Engine, units: Iterable[Unit], jobs: int | None = None, readers: ReaderSet | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[Result]:
    """A report (or an error) per document of every unit, in input order.

    ``jobs``: 1 scans here; N > 1 uses N worker processes (at most :func:`most_jobs`); None
    decides (see the module). With a third-party plugin, 1 (and None) means one worker process,
    so that a plugin that ends its process is caught and reported. Where processes cannot fork,
    or a fork fails, the rest is scanned here, and ``warn`` is told. ``readers`` read the units
    that are files (needed only when there are some).
    """
    units = iter(units)
    if engine.runs_third_party_code and (jobs is None or jobs <= 1) and can_fork():
        yield from _scan_in_workers(engine, readers, units, 1, warn)  # a plugin's os._exit is then seen
        return
    if jobs is not None and jobs > most_jobs():
        if warn is not None:
            warn(f"--jobs {jobs} is more than {most_jobs()} (4 per CPU); using {most_jobs()}")
        jobs = most_jobs()
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
    yield from _scan_in_workers(engine, readers, units, jobs, warn)


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
    seconds = engine.options.document_budget(document.text)
    try:
        with budget(seconds, "the scan"):
            return engine.scan(document)
    except OverBudget:
        return InputError(f"{document.source}: not scanned: the scan took longer than {seconds:g} s "
                          "(--document-timeout)")
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop the scan of the others
        return InputError(f"{document.source}: could not be scanned: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:200] + "…"
    return (f"internal error {type(exc).__name__}: {text} "
            "(a bug in framecheck or a plugin; the other inputs were scanned)")


def _scan_in_workers(engine: Engine, readers: ReaderSet | None, units: Iterator[Unit], jobs: int,
                     warn: Callable[[str], None] | None = None) -> Iterator[Result]:
    batches = iter(lambda: list(itertools.islice(units, BATCH_UNITS)), [])
    first = next(batches, None)
    if first is None:
        return
    pool = _WorkerPool(engine, readers, jobs)
    try:
        pending: collections.deque[tuple[list[Unit], Future]] = collections.deque()
        for batch in itertools.chain([first], batches):
            try:
                pending.append((batch, pool.submit(batch)))
            except OSError as exc:  # a failed fork (no processes or memory left): go on here
                if warn is not None:
                    warn(f"could not start a worker process ({exc.strerror or exc}); scanning in this one")
                while pending:
                    yield from pool.collect(*pending.popleft(), pending)
                for unit in itertools.chain(batch, *batches):
                    yield from _results(engine, readers, unit)
                break
            if len(pending) >= jobs * BATCHES_IN_FLIGHT_PER_WORKER:
                yield from pool.collect(*pending.popleft(), pending)
        while pending:
            yield from pool.collect(*pending.popleft(), pending)
    except BaseException:  # Ctrl-C, or the reader of the results went away: stop the workers now
        _stop(pool.executor)
        raise
    pool.executor.shutdown(wait=True)


WORKER_DIED = ("the worker process scanning it died (killed, out of memory, or a plugin ended the process); "
               "it was not scanned")


class _WorkerPool:
    """Worker processes that may die: a dead worker (the OOM killer, ``kill -9``, a plugin's
    ``os._exit``) breaks the pool, and a new one takes over. The batches in flight are sent
    again; the batch the parent was waiting for is scanned unit by unit, each in a fresh worker,
    so that only the document that kills its worker is lost, reported by name."""

    def __init__(self, engine: Engine, readers: ReaderSet | None, jobs: int):
        self.engine, self.readers, self.jobs = engine, readers, jobs
        self.executor = self._start(jobs)

    def _start(self, workers: int) -> ProcessPoolExecutor:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_adopt, initargs=(self.engine, self.readers, os.getpid()))

    def submit(self, batch: list[Unit]) -> Future:
        return _submit(self.executor, batch)

    def collect(self, batch: list[Unit], future: Future, pending: collections.deque) -> list[Result]:
        """The results of ``batch``; after a worker died, the pool restarted and ``pending`` resent."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool:
            pass
        _stop(self.executor)
        self.executor = self._start(self.jobs)
        for index, (waiting, _) in enumerate(pending):
            pending[index] = (waiting, self.submit(waiting))
        return [result for unit in batch for result in self._alone(unit)]

    def _alone(self, unit: Unit) -> list[Result]:
        from concurrent.futures.process import BrokenProcessPool

        single = self._start(1)
        try:
            return _submit(single, [unit]).result()
        except BrokenProcessPool:
            return [InputError(f"{_unit_name(unit)}: {WORKER_DIED}")]
        finally:
            _stop(single)


def _submit(executor: ProcessPoolExecutor, batch: list[Unit]) -> Future:
    """Hand ``batch`` to the pool, with Ctrl-C and SIGTERM held back while it forks workers."""
    with _interrupts_held():
        return executor.submit(_scan_batch, batch)


INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is over.

    Submitting work forks the pool's workers, and a fork runs Python callbacks in the parent
    (logging's lock release among them) whose exceptions Python prints and ignores: an interrupt
    handled there was lost, and the run waited on for a worker it meant to stop. Held, the signal
    arrives after the fork, in ordinary code. The pool's threads, started here, keep the signals
    blocked for good, so they reach only the main thread; workers unblock them (``_adopt``).
    """
    if not hasattr(signal, "pthread_sigmask"):  # no POSIX threads' signal masks: nothing forks here either
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _stop(executor: ProcessPoolExecutor) -> None:
    """Shut the pool down without waiting for work nobody will read (Ctrl-C, an error)."""
    processes = list(getattr(executor, "_processes", None) or {})  # pids; CPython keeps them there
    executor.shutdown(wait=False, cancel_futures=True)
    for pid in processes:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass


def _unit_name(unit: Unit) -> str:
    return unit.source if isinstance(unit, Document) else unit.name if isinstance(unit, Input) else str(unit)


def _adopt(engine: Engine, readers: ReaderSet | None, parent: int) -> None:
    """Worker start-up: keep the inherited engine and readers; Ctrl-C is the parent's to handle."""
    global _worker
    _worker = (engine, readers)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent stops its workers with SIGTERM
    if hasattr(signal, "pthread_sigmask"):  # forked with them held (see _interrupts_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Have the kernel end this worker when the parent process dies (Linux): a killed run
    must not leave a worker scanning on, holding its pipes open."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's SIGTERM on exit still ends it
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _scan_batch(batch: list[Unit]) -> list[Result]:
    assert _worker is not None, "worker started without an engine"
    engine, readers = _worker
    return [result for unit in batch for result in _results(engine, readers, unit)]
