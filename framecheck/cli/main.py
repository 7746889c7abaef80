"""The ``framecheck`` process: runs the group (``cli.base``) and ends the process itself."""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from ..core.errors import raise_interrupted
from .base import EXIT_TERMINATED, cli


def main(argv: Sequence[str] | None = None) -> None:
    """The command line. Called without ``argv`` (the ``framecheck`` command, ``python -m
    framecheck``), it ends the process itself: see :func:`_exit_now`."""
    if argv is not None:
        cli.main(args=argv, prog_name="framecheck")
        return
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, raise_interrupted)  # a plugin's KeyboardInterrupt is not the user's
    try:
        cli.main(prog_name="framecheck")
    except SystemExit as exc:
        _exit_now(exc.code)
    except Terminated:
        print("framecheck: terminated", file=sys.stderr)
        _exit_now(EXIT_TERMINATED)


class Terminated(BaseException):
    """SIGTERM arrived. A BaseException of its own: no plugin's ``except`` and no
    per-document guard takes it for a failure of theirs."""


def _terminated(_signum: int, _frame: object) -> None:
    """SIGTERM (a CI job cancelled, a container stopped): unwind like Ctrl-C, so temporary
    report files are removed and no half-written report replaces a whole one."""
    raise Terminated()


def _exit_now(code: object) -> NoReturn:
    """Exit without the interpreter's teardown.

    Freeing every compiled pattern, automaton and module one by one takes 20-35 ms, a tenth
    of a one-article scan, and achieves nothing when the process is about to end. Exit
    handlers (including any a plugin registered) still run, and output is flushed first.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): what the interpreter would print, with status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``) or a closed stream
            pass
    os._exit(status)
