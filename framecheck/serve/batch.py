"""``POST /v1/scan/batch``: JSON lines in, JSON lines out, streamed.

Records are read as they arrive, sent to the workers in small groups (one round trip carries
several short articles), and answered in input order as soon as each is scanned, so a client
can send a corpus larger than memory and read reports while it still sends. A record that
cannot be read or scanned gets an error line; the rest go on. The last line is the summary of
the whole batch, as ``scan --format jsonl`` ends.
"""

from __future__ import annotations

import asyncio
import collections
import json
from collections.abc import AsyncIterator

from pydantic import ValidationError

from ..core.summary import RunSummary
from ..outputs.data import summary_to_dict
from .guard import BodyRefused
from .requests import BatchRecord, ScanSettings, job_for
from .service import Service, WorkerLost
from .worker import ScanJob, ScanReply

GROUP_RECORDS = 8  # records per round trip to a worker
GROUP_BYTES = 256 * 1024  # ... or fewer, when they are long
GROUPS_PER_WORKER = 2  # groups in flight per worker: one scanning, one waiting


async def scan_batch(service: Service, chunks: AsyncIterator[bytes], settings: ScanSettings) -> AsyncIterator[str]:
    """The response lines for a batch. The caller has claimed the service's room for the
    request; it is released when the stream ends, however it ends."""
    summary = RunSummary()
    pending: collections.deque[tuple[list[str], asyncio.Future | None]] = collections.deque()
    limit = service.settings.workers * GROUPS_PER_WORKER
    try:
        async for group in _groups(_lines(chunks, service.max_bytes), settings):
            pending.append(_submit(service, group))
            while len(pending) >= limit:
                yield await _answer(pending.popleft(), summary)
        while pending:
            yield await _answer(pending.popleft(), summary)
    except BodyRefused as exc:
        while pending:
            yield await _answer(pending.popleft(), summary)
        summary.errors.append(exc.detail)
        yield _line({"error": {"title": exc.title, "status": exc.status, "detail": exc.detail}})
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()
        service.release()
    yield _line({"summary": summary_to_dict(summary)})


# One record ready to scan, or the error line that stands in for it.
Item = tuple[str, "ScanJob | str"]


async def _lines(chunks: AsyncIterator[bytes], limit: int) -> AsyncIterator[tuple[int, bytes | None]]:
    """(line number, line) for each non-empty line; None for a line over ``limit`` bytes, which
    is skipped without being kept."""
    buffer = bytearray()
    number = 0
    oversized = False
    async for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            number += 1
            if not oversized:
                buffer += chunk[start:end]
            if oversized or len(buffer) > limit:
                yield number, None
            elif buffer.strip():
                yield number, bytes(buffer)
            buffer.clear()
            oversized = False
            start = end + 1
        if not oversized:
            buffer += chunk[start:]
            if len(buffer) > limit:
                oversized = True
                buffer.clear()
    if oversized or buffer.strip():
        yield number + 1, None if oversized else bytes(buffer)


async def _groups(lines: AsyncIterator[tuple[int, bytes | None]],
                  settings: ScanSettings) -> AsyncIterator[list[Item]]:
    group: list[Item] = []
    size = 0
    async for number, line in lines:
        item = _item(number, line, settings)
        group.append(item)
        size += len(line or b"")
        if len(group) >= GROUP_RECORDS or size >= GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def _item(number: int, line: bytes | None, settings: ScanSettings) -> Item:
    if line is None:
        return str(number), f"line {number}: record larger than the body limit; skipped"
    try:
        record = BatchRecord.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "record"
        return str(number), f"line {number}: {where}: {first.get('msg', 'invalid')}"
    name = str(record.id) if record.id is not None else str(number)
    try:
        data = record.text.encode("utf-8")
    except UnicodeEncodeError:
        return name, f"line {number}: the text holds a lone surrogate"
    return name, job_for(settings, data, name, record.format)


def _submit(service: Service, group: list[Item]) -> tuple[list[Item], asyncio.Future | None]:
    jobs = [job for _, job in group if isinstance(job, ScanJob)]
    if not jobs:
        return group, None
    return group, asyncio.ensure_future(service.scan_group(jobs))


async def _answer(entry: tuple[list[Item], asyncio.Future | None], summary: RunSummary) -> str:
    group, future = entry
    try:
        replies = iter(await future) if future is not None else iter(())
    except WorkerLost as exc:
        replies = iter([ScanReply(problem="failed", detail=str(exc))] * len(group))
    out = []
    for name, job in group:
        if isinstance(job, str):
            summary.errors.append(job)
            out.append(_line({"id": name, "error": {"title": "Unprocessable Content", "status": 422, "detail": job}}))
            continue
        reply = next(replies)
        summary.merge(reply.summary)
        if reply.problem is not None:
            status = 422 if reply.problem == "invalid" else 503
            if not reply.summary.errors:  # an input error is in the reply's summary already
                summary.errors.append(f"{name}: {reply.detail}")
            out.append(_line({"id": name, "error": {"title": "Unprocessable Content" if status == 422 else
                                                    "Service Unavailable", "status": status, "detail": reply.detail}}))
            continue
        lines = reply.body.split("\n")  # the article lines, then the run's summary line, then ""
        out.append("".join(line + "\n" for line in lines[:-2]))
    return "".join(out)


def _line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False) + "\n"
