"""Readers: turn files (or stdin) into documents, whatever format the articles come in.

Every reader is contributed through the ``framecheck_readers`` hook, the built-in ones
included. A reader is chosen by ``--input-format``, else by file extension, else by sniffing
the first bytes, else plain text. Offsets everywhere are character offsets into the decoded
text; readers that extract text from markup keep an offset map back to the source file.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import math
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from ..core.errors import FramecheckError, InputError
from ..core.model import Document
from ..core.surrogates import printable
from ..languages.profiles import Languages
from .structure import plain_structure

STDIN = "-"
DEFAULT_MAX_BYTES = 64 * 2**20  # --max-bytes: a bigger article is a mistake or an attack
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that surrogateescape kept
FALLBACK_ENCODING = "windows-1252"
SNIFF_BYTES = 4096
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

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def open_binary(self) -> BinaryIO:
        """The input's bytes as a stream; FIFOs and devices are refused (they may never end)."""
        if self.path is None:
            return sys.stdin.buffer
        try:
            if not stat.S_ISREG(self.path.stat().st_mode):
                raise InputError(f"{self.name}: not a regular file; skipped")
            return self.path.open("rb")
        except OSError as exc:
            raise InputError(f"{self.name}: cannot read: {exc.strerror or exc}") from None

    def read_bytes(self, limit: int | None = None) -> bytes:
        """The input's bytes; more than ``limit`` of them (``--max-bytes``) is an error, found
        before they are read (standard input has no size: it is read up to the limit)."""
        stream = self.open_binary()
        try:
            data = stream.read() if limit is None else _read_at_most(stream, limit + 1)
        except OSError as exc:
            raise InputError(f"{self.name}: cannot read: {exc.strerror or exc}") from None
        finally:
            if self.path is not None:
                stream.close()
        if limit is not None and len(data) > limit:
            raise InputError(f"{self.name}: larger than --max-bytes ({format_bytes(limit)}); not scanned")
        return data

    def head(self) -> str:
        """The first bytes, decoded for sniffing a format: a file's ("" for standard input,
        which cannot be read twice)."""
        return _head(self.path) if self.path is not None else ""


@dataclass(frozen=True)
class MemoryInput(Input):
    """A document a program hands over as bytes (an HTTP request body, an editor's buffer),
    read by the same readers as a file; ``name`` (its extension) and its first bytes choose one."""

    data: bytes = b""

    def open_binary(self) -> BinaryIO:
        return io.BytesIO(self.data)

    def head(self) -> str:
        return self.data[:SNIFF_BYTES].decode("utf-8", errors="replace")


def _read_at_most(stream: BinaryIO, count: int) -> bytes:
    """Up to ``count`` bytes of ``stream``. ``read(count)`` sets aside ``count`` bytes before it
    reads (64 MB for --max-bytes' default), which made reading a 7 KB article four times slower:
    a file is read with a buffer the size it has, and only a file that grew meanwhile reads on."""
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, ValueError, io.UnsupportedOperation):
        size = 0
    if not 0 < size < count:
        return stream.read(count)
    data = stream.read(size + 1)
    if len(data) <= size:
        return data
    return data + stream.read(count - len(data))


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs: a forced format, and the fields of corpus records."""

    input_format: str | None = None
    text_field: str = "text"
    id_field: str = "id"
    max_bytes: int = DEFAULT_MAX_BYTES  # one document's limit (--max-bytes); also one corpus record's
    languages: Languages | None = None  # whose speech verbs attribute quotations (default: the shipped ones)


@runtime_checkable
class Reader(Protocol):
    """Reads one input into documents (one for an article, many for a corpus).

    ``extensions`` (lower-case, with the dot) and ``sniff`` decide when the reader is used;
    ``read`` yields documents, or InputErrors for records it had to skip.
    """

    name: str
    description: str
    extensions: tuple[str, ...]

    def sniff(self, head: str) -> bool: ...

    def read(self, item: Input, options: ReadOptions) -> Iterator[Document | InputError]: ...


def decode(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    """Decoded text and notes: UTF-8 (BOM or not), BOM-marked UTF-16, else Windows-1252.

    NUL bytes mean a binary file: an InputError. Text that is not UTF-8 is decoded as
    Windows-1252 (the usual encoding of legacy newsroom exports) with a note saying so.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _lone_returns_as_newlines(data[len(bom) :].decode(encoding)), ()
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}: not valid {encoding} at byte {exc.start + len(bom)}") from None
    if b"\0" in data:
        raise InputError(f"{source}: looks like a binary file (contains NUL bytes); skipped")
    try:
        return _lone_returns_as_newlines(data.decode("utf-8")), ()
    except UnicodeDecodeError as exc:
        note = (
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"decoded as {FALLBACK_ENCODING}"
        )
        return _lone_returns_as_newlines(data.decode(FALLBACK_ENCODING, errors="replace")), (note,)


_LONE_RETURN = re.compile(r"\r(?!\n)")


def _lone_returns_as_newlines(text: str) -> str:
    """A file whose lines end in a lone CR (classic Mac OS, some exports) is read with LF there,
    one character for one, so offsets stay offsets into the file while lines, paragraphs and
    waivers' scopes are those an editor shows."""
    return _LONE_RETURN.sub("\n", text) if "\r" in text else text


def text_document(source: str, text: str, notes: tuple[str, ...] = (), languages: Languages | None = None) -> Document:
    """A plain-text article with its structure (headline, lede, quotes), as every reader of text builds it."""
    document = Document(source, text, notes=notes)
    document.regions = plain_structure(text, blocks=document.paragraphs, languages=languages)
    return document


def read_text(item: Input, options: ReadOptions | None = None) -> tuple[str, tuple[str, ...]]:
    """The input decoded (see :func:`decode`), refused when over ``options.max_bytes``."""
    return decode(item.read_bytes(options.max_bytes if options else DEFAULT_MAX_BYTES), item.name)


def format_bytes(count: int) -> str:
    """1048576 -> "1 MiB": how limits are shown."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


class TextReader:
    name = "text"
    description = "plain text; a short first line is the headline"
    extensions = (".txt", ".text")

    def sniff(self, head: str) -> bool:
        return False

    def read(self, item: Input, options: ReadOptions) -> Iterator[Document]:
        text, notes = read_text(item, options)
        yield text_document(item.name, text, notes, options.languages)


def _scalar_metadata(record: dict, skip: Iterable[str]) -> dict:
    skipped = set(skip)
    return {
        key: value if not isinstance(value, float) or math.isfinite(value) else str(value)  # NaN is not JSON
        for key, value in record.items()
        if key not in skipped and isinstance(value, (str, int, float)) and not isinstance(value, bool)
    }


def _record_document(item: Input, record: dict, where: str, number: int, options: ReadOptions) -> Document | InputError:
    text = record.get(options.text_field)
    if not isinstance(text, str):
        return InputError(f"{where}: record has no text field {options.text_field!r}; skipped")
    record_id = record.get(options.id_field)
    name = f"{item.name}#{record_id if record_id not in (None, '') else number}"
    metadata = _scalar_metadata(record, (options.text_field,))
    has_headline = "title" in metadata or "headline" in metadata
    document = Document(name, text, metadata=metadata)
    document.regions = plain_structure(text, headline=not has_headline, blocks=document.paragraphs,
                                       languages=options.languages)
    return document


class JsonlReader:
    name = "jsonl"
    corpus = True
    description = "a corpus: one JSON object per line (--text-field, --id-field); streamed"
    extensions = (".jsonl", ".ndjson")

    def sniff(self, head: str) -> bool:
        first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0]
        return first.startswith("{") and first.rstrip().endswith("}")

    def read(self, item: Input, options: ReadOptions) -> Iterator[Document | InputError]:
        stream = item.open_binary()
        try:
            yield from jsonl_documents(item, bounded_lines(stream, options.max_bytes), options)
        finally:
            if item.path is not None:
                stream.close()


def bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes]:
    """The stream's lines, each read up to ``limit`` bytes: a longer line comes as ``b""`` plus
    its length class (``OVERSIZED``) and is skipped without being held in memory."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # the rest of the record, a block at a time
                line = stream.readline(2**20)
            yield OVERSIZED
            continue
        yield line


OVERSIZED = b"\0oversized"  # a record longer than --max-bytes (never a real JSON line: NUL)


def jsonl_documents(
    item: Input, lines: Iterable[bytes], options: ReadOptions, first_number: int = 1
) -> Iterator[Document | InputError]:
    """The records of JSONL ``lines`` (the file's lines from number ``first_number`` on) as
    documents; a bad record becomes an error naming its line. Shared by the reader and by
    distributed scans, which hand each worker a slice of the file."""
    for number, raw in enumerate(lines, first_number):
        where = f"{item.name}:{number}"
        if raw is OVERSIZED:
            yield InputError(f"{where}: record larger than --max-bytes ({format_bytes(options.max_bytes)}); skipped")
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield InputError(f"{where}: not valid UTF-8; record skipped")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{where}: invalid JSON ({exc.msg}); record skipped")
            continue
        except ValueError:  # an integer of more digits than Python converts
            yield InputError(f"{where}: invalid JSON (a number too long to read); record skipped")
            continue
        except RecursionError:
            yield InputError(f"{where}: invalid JSON (nested too deeply); record skipped")
            continue
        if not isinstance(record, dict):
            yield InputError(f"{where}: a record must be a JSON object; skipped")
            continue
        yield _record_document(item, record, where, number, options)


class CsvReader:
    name = "csv"
    corpus = True
    description = "a corpus: CSV with a header row (--text-field, --id-field); streamed"
    extensions = (".csv",)

    def sniff(self, head: str) -> bool:
        return False

    def read(self, item: Input, options: ReadOptions) -> Iterator[Document | InputError]:
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1, options.max_bytes))  # csv's default is 128 KiB
        stream = item.open_binary()
        # Bytes that are not UTF-8 are kept as lone surrogates, so that one bad byte costs its
        # row only: a strict decoder fails a whole buffer of rows at once.
        text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="surrogateescape")
        try:
            rows = csv.DictReader(text_stream)
            if rows.fieldnames is None:
                return
            if options.text_field not in rows.fieldnames:
                columns = printable(", ".join(rows.fieldnames))  # a header may hold bytes that are not UTF-8
                yield InputError(f"{item.name}: no column {options.text_field!r} (columns: {columns})")
                return
            for number, row in enumerate(rows, 1):
                where = f"{item.name}:{rows.line_num}"
                if any(isinstance(value, str) and _UNDECODED.search(value) for value in row.values()):
                    yield InputError(f"{where}: not valid UTF-8; record skipped")
                    continue
                yield _record_document(item, row, where, number, options)
        except csv.Error as exc:
            yield InputError(f"{item.name}: malformed CSV ({exc}); the rest of the file was skipped")
        finally:
            if item.path is not None:
                text_stream.close()
            else:
                text_stream.detach()


class ReaderSet:
    """The readers of a run, and the rule that picks one for each input."""

    def __init__(self, readers: Sequence[Reader], options: ReadOptions):
        self.readers = {reader.name: reader for reader in readers}
        self.options = options
        if options.input_format and options.input_format not in self.readers:
            known = ", ".join(sorted(self.readers))
            raise FramecheckError(f"--input-format: unknown format {options.input_format!r} (available: {known})")

    def forcing(self, input_format: str) -> ReaderSet:
        """The same readers, every input read by the one named ``input_format``."""
        return ReaderSet(list(self.readers.values()), dataclasses.replace(self.options, input_format=input_format))

    @property
    def extensions(self) -> frozenset[str]:
        """Extensions searched for when walking a folder: articles, not corpora.

        A data file that happens to be CSV must not break a scan of a newsroom's folder, so
        corpus readers (``corpus = True``) read only files named on the command line.
        """
        return frozenset(
            ext for reader in self.readers.values() if not getattr(reader, "corpus", False) for ext in reader.extensions
        )

    def reader_for(self, item: Input) -> Reader:
        if self.options.input_format:
            return self.readers[self.options.input_format]
        for reader in self.readers.values():
            if item.suffix in reader.extensions:
                return reader
        head = item.head()
        if head:
            for reader in self.readers.values():
                if reader.sniff(head):
                    return reader
        return self.readers.get("text") or next(iter(self.readers.values()))

    def read(self, item: Input) -> Iterator[Document | InputError]:
        return self.reader_for(item).read(item, self.options)


def _head(path: Path) -> str:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return ""
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""
