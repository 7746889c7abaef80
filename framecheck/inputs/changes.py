"""The lines of a file that a diff changed (``--changed-lines``): plain data, kept apart from
the git calls in :mod:`framecheck.inputs.vcs` so that judging a report never imports them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True)
class ChangedLines:
    """The lines of one file that changed: ``whole`` for a new file, else 1-based inclusive ranges."""

    ranges: tuple[tuple[int, int], ...] = ()
    whole: bool = False

    def touches(self, first: int, last: int) -> bool:
        """Whether any line from ``first`` to ``last`` changed."""
        return self.whole or any(start <= last and first <= end for start, end in self.ranges)


def hunk_ranges(diff: str) -> tuple[tuple[int, int], ...]:
    """The new-side line ranges of a ``git diff --unified=0`` of one file (a hunk that only
    deletes adds no line)."""
    ranges = []
    for match in _HUNK.finditer(diff):
        start, count = int(match.group(1)), int(match.group(2) or 1)
        if count:
            ranges.append((start, start + count - 1))
    return tuple(ranges)
