"""Writing reports: atomically, so an interrupted run never leaves a truncated file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import FramecheckError


@contextmanager
def atomic_text_file(path: str | Path) -> Iterator[TextIO]:
    """A temporary file beside ``path``, renamed over it only when the block completes."""
    target = Path(path)
    if target.is_dir():
        raise FramecheckError(f"{path}: cannot write the report: is a directory")
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", delete=False
        )
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
