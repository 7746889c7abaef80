"""Time budgets: a plugin that sleeps or loops forever must not hang a scan.

A budget is a ``with`` block that raises :class:`OverBudget` in the running code when its
seconds are spent. It uses the process's real-time interval timer (SIGALRM), so it works in the
main thread of a process (the command line and its ``--jobs`` workers) on POSIX systems;
elsewhere (a Dask worker's thread, Windows) a budget is not enforced and says so through
:func:`enforced`. Budgets nest: an inner one never outlives the outer one, and leaving it
restores what the outer one has left.

``OverBudget`` derives from BaseException, so that a plugin's own ``except Exception`` cannot
swallow it and carry on.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class OverBudget(BaseException):
    """Raised inside code that ran past its budget; ``label`` says which budget."""

    def __init__(self, label: str, seconds: float):
        super().__init__(f"{label} took longer than {seconds:g} s")
        self.label = label
        self.seconds = seconds


# Deadlines of the budgets open in this process, innermost last: (monotonic deadline, label,
# seconds). Each process has its own (workers are forked before any budget opens). The alarm
# handler stays installed once a budget has opened (installing it costs more than a plugin call
# on a short article) and does nothing while no budget is open: signals are process state.
_open: list[tuple[float, str, float]] = []


def enforced() -> bool:
    """Whether budgets can interrupt code here (main thread, a platform with SIGALRM)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _on_alarm(_signum: int, _frame: object) -> None:
    if not _open:
        return  # a late alarm after the last budget closed
    now = time.monotonic()
    for deadline, label, seconds in reversed(_open):  # the innermost spent budget
        if deadline <= now + 0.001:
            raise OverBudget(label, seconds)
    _arm()  # woken early (a clock's rounding): wait for the rest


def _arm() -> None:
    if not _open:
        signal.setitimer(_REAL, 0)
        return
    remaining = min(deadline for deadline, _, _ in _open) - time.monotonic()
    signal.setitimer(_REAL, max(remaining, 0.001))


_REAL = getattr(signal, "ITIMER_REAL", 0)  # looked up once: the module's enum lookups cost a call each


@contextmanager
def budget(seconds: float | None, label: str) -> Iterator[None]:
    """Run the block with ``seconds`` to spend (None or 0: no limit of its own)."""
    if not seconds or not enforced():
        yield
        return
    if signal.getsignal(signal.SIGALRM) is not _on_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
    _open.append((time.monotonic() + seconds, label, seconds))
    try:
        _arm()
        yield
    finally:
        _open.pop()
        _arm()
