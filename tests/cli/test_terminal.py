"""How the command line reports what happens: one line on stderr, never over a progress line."""

from __future__ import annotations

import io

import pytest

from framecheck.cli.base import TerminalEvents, UserError
from framecheck.outputs.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_events_clear_the_progress_line_before_they_print(capsys: pytest.CaptureFixture) -> None:
    terminal = FakeTerminal()
    progress = Progress(terminal)
    progress._status.draw("framecheck: 10 articles")
    events = TerminalEvents(progress)
    events.warning("a.txt: skipped\x1b[31m")
    events.error("b.txt: unreadable")
    assert terminal.getvalue().endswith("\r" + " " * len("framecheck: 10 articles") + "\r")
    err = capsys.readouterr().err.splitlines()
    assert err == ["framecheck: warning: a.txt: skipped␛[31m", "framecheck: error: b.txt: unreadable"]


def test_a_user_error_is_one_line_and_exit_code_2(capsys: pytest.CaptureFixture) -> None:
    error = UserError("config.yaml:3: unknown key")
    error.show()
    assert error.exit_code == 2 and capsys.readouterr().err == "framecheck: error: config.yaml:3: unknown key\n"
