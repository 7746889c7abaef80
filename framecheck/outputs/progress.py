"""A one-line progress display on stderr for long scans.

Shown only when stderr is a terminal, only once a scan has run for ``DELAY`` seconds (a
one-article check never flickers), redrawn at most ten times a second, and erased at the
end so reports and summaries stay clean. ``--quiet`` turns it off.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0
REDRAW_EVERY = 0.1


class StatusLine:
    """One line of a terminal, redrawn in place and erased when it has served (the scan's
    progress, the training's)."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self._width = 0

    def draw(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the line, if one was drawn."""
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and is_terminal(self.stream)
        self.started = time.monotonic()
        self.articles = 0
        self.characters = 0
        self.findings = 0
        self._drawn_at = 0.0
        self._status = StatusLine(self.stream)

    def advance(self, characters: int, findings: int) -> None:
        self.articles += 1
        self.characters += characters
        self.findings += findings
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started >= DELAY and now - self._drawn_at >= REDRAW_EVERY:
            self._draw(now)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        megabytes = self.characters / 1e6
        return (
            f"framecheck: {self.articles:,} articles, {megabytes:,.1f} M characters, "
            f"{self.findings:,} findings, {megabytes / elapsed:,.1f} MB/s, {elapsed:,.0f} s"
        )

    def _draw(self, now: float) -> None:
        self._status.draw(self.line(now))
        self._drawn_at = now

    def close(self) -> None:
        """Erase the line, if one was drawn."""
        self._status.clear()


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
