"""Find the files to scan and decode them into documents.

Offsets everywhere are character offsets into the decoded text, so decoding happens here,
once, and nothing downstream sees bytes. Line endings are kept as they are (a CRLF file
keeps its ``\\r``), so columns match what an editor shows.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .model import Document

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
STDIN = "-"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Input:
    """One thing to scan: a path on disk, or standard input shown under ``name``."""

    name: str
    path: Path | None


def decode(data: bytes, source: str) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is an InputError."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}: not valid {encoding} at byte {exc.start + len(bom)}") from None
    if b"\0" in data:
        raise InputError(f"{source}: looks like a binary file (contains NUL bytes); skipped")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_document(item: Input, stdin: BinaryIO | None = None) -> Document:
    if item.path is None:
        stream = stdin if stdin is not None else sys.stdin.buffer
        return Document(item.name, decode(stream.read(), item.name))
    try:
        if not stat.S_ISREG(item.path.stat().st_mode):  # a FIFO or device would block or never end
            raise InputError(f"{item.name}: not a regular file; skipped")
        data = item.path.read_bytes()
    except OSError as exc:
        raise InputError(f"{item.name}: cannot read: {exc.strerror or exc}") from None
    return Document(item.name, decode(data, item.name))


def _walk(directory: Path) -> Iterator[Path]:
    """Text files below ``directory`` in sorted order, skipping hidden files and folders.

    Symbolic links to directories are not followed, so a link loop cannot make the walk endless.
    """
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in TEXT_SUFFIXES:
                yield Path(root) / name


def collect_inputs(paths: Sequence[str], stdin_name: str = "<stdin>") -> Iterator[Input | InputError]:
    """Expand command-line paths into inputs; a missing path becomes an error, not a stop."""
    seen: set[str] = set()
    for raw in paths:
        if raw == STDIN:
            yield Input(stdin_name, None)
            continue
        path = Path(raw)
        if path.is_dir():
            candidates = list(_walk(path))
        elif path.exists():
            candidates = [path]
        else:
            yield InputError(f"{raw}: no such file or directory")
            continue
        for candidate in candidates:
            name = str(candidate)
            if name not in seen:
                seen.add(name)
                yield Input(name, candidate)
