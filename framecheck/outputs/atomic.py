"""Writing reports: atomically, so an interrupted run never leaves a truncated file.

A regular file (or a new path) is replaced by renaming a finished temporary file over it; a
symbolic link keeps pointing where it did; a device, FIFO or socket is written to in place.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO, TextIO

from ..core.errors import FramecheckError


def _final_mode(target: Path) -> int:
    """The mode a report gets: the replaced file's, else what the umask allows for a new file."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_text_file(path: str | Path) -> Iterator[TextIO]:
    """A temporary file beside ``path``, renamed over it only when the block completes."""
    with _atomic_file(path, "w", "report") as handle:
        yield handle  # type: ignore[misc]


@contextmanager
def atomic_binary_file(path: str | Path, what: str = "model") -> Iterator[BinaryIO]:
    """The same for bytes (a model file)."""
    with _atomic_file(path, "wb", what) as handle:
        yield handle  # type: ignore[misc]


@contextmanager
def _atomic_file(path: str | Path, mode: str, what: str) -> Iterator[IO]:
    import tempfile  # imported on use: most scans print to stdout

    target = Path(path)
    if target.is_dir():
        raise FramecheckError(f"{path}: cannot write the {what}: is a directory")
    if target.exists() and not target.is_file():  # a device, a FIFO, /dev/stdout: never replaced
        with _opened(path, mode, what) as handle:
            yield handle
        return
    target = target.resolve() if target.is_symlink() else target  # the link stays; its file is replaced
    try:
        handle = tempfile.NamedTemporaryFile(
            mode, encoding="utf-8" if "b" not in mode else None, dir=target.parent, prefix=f".{target.name}.",
            delete=False,
        )
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None
    try:
        with handle:
            yield handle
        os.chmod(handle.name, _final_mode(target))  # temporary files are private; reports are not
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


@contextmanager
def _opened(path: str | Path, mode: str, what: str) -> Iterator[IO]:
    """A special file written in place: renaming a regular file over ``/dev/null`` (as root, in
    CI) or over a FIFO would destroy it, and writing to it is what was asked for."""
    try:
        handle = open(path, mode, encoding="utf-8" if "b" not in mode else None)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None
    with handle:
        yield handle
