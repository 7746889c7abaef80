"""Scanning corpora with Dask: the ``framecheck[dask]`` extra.

Two entry points:

* :func:`scan_bag` / :func:`scan_dataframe` take a Dask bag of records (or texts) or a Dask
  DataFrame with a text column and return :class:`DaskScan`, two lazy Dask DataFrames:
  ``findings`` (one row per finding) and ``scores`` (one row per article). Both come from the
  same scan tasks: compute them together (``dask.compute(result.findings, result.scores)``)
  to scan once.
* :func:`scan_jsonl` serves ``framecheck scan --dask ADDRESS corpus.jsonl``: it cuts JSONL
  files into byte ranges at line starts, scans each range on the cluster, and yields the
  reports in file order, so every formatter prints exactly what a local scan prints.

Workers rebuild the engine from the :class:`~framecheck.app.config.Config` they are sent (once
per worker process and configuration), so rule packs, ``--plugin`` files and baselines named
in it must be readable on the workers, as with any Dask input.
"""

from __future__ import annotations

import collections
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import FramecheckError, InputError
from ..core.model import ArticleReport, Document
from ..engine.engine import Engine
from ..inputs.readers import Input, ReadOptions, jsonl_documents, text_document
from .config import Config
from .options import engine_for

CHUNK_BYTES = 8 * 1024 * 1024
FINDING_COLUMNS = {
    "source": "object", "rule_id": "object", "technique": "object", "severity": "object",
    "start": "int64", "end": "int64", "line": "int64", "column": "int64", "excerpt": "object",
    "message": "object", "part": "object", "quote": "object", "context": "object", "weight": "float64",
    "active": "bool", "fingerprint": "object",
}
SCORE_COLUMNS = {
    "source": "object", "score": "float64", "band": "object", "density": "float64", "words": "int64",
    "findings": "int64", "top_technique": "object",
}

# Engines a worker process has built, by pickled configuration: built once, reused by every
# task that process runs. Only workers fill it.
_engines: dict[bytes, Engine] = {}


def _require_dask() -> tuple[Any, Any]:
    """(dask, dask.dataframe), or a one-line error naming the extra to install."""
    try:
        import dask
        import dask.dataframe
    except ImportError:
        raise FramecheckError("Dask is not installed: pip install 'framecheck[dask]'") from None
    return dask, dask.dataframe


def _engine(config: Config) -> Engine:
    key = pickle.dumps(config)
    if key not in _engines:
        baseline = None
        if config.baseline:
            from .baseline import Baseline

            baseline = Baseline.load(Path(config.baseline))
        _engines[key] = engine_for(config, baseline=baseline)[0]
    return _engines[key]


@dataclass(frozen=True)
class DaskScan:
    """The lazy result of a Dask scan: findings and per-article scores as Dask DataFrames."""

    findings: Any
    scores: Any


def finding_rows(report: ArticleReport) -> list[dict[str, Any]]:
    return [
        {
            "source": report.source, "rule_id": f.rule_id, "technique": f.technique, "severity": f.severity.label,
            "start": f.start, "end": f.end, "line": f.line, "column": f.column, "excerpt": f.excerpt,
            "message": f.message, "part": f.part, "quote": f.quote, "context": ",".join(f.context),
            "weight": f.weight, "active": f.active, "fingerprint": f.fingerprint,
        }
        for f in report.findings
    ]


def score_row(report: ArticleReport) -> dict[str, Any]:
    score = report.score
    top = max(score.by_technique, key=lambda t: (t.weight, t.technique), default=None)
    return {
        "source": report.source, "score": float(score.value), "band": score.band, "density": float(score.density),
        "words": int(score.words), "findings": len(report.active_findings),
        "top_technique": top.technique if top is not None else None,
    }


def _bag_document(record: Any, position: str, text_field: str, id_field: str) -> Document | None:
    if isinstance(record, str):
        return text_document(position, record)
    if isinstance(record, dict) and isinstance(record.get(text_field), str):
        name = record.get(id_field)
        return text_document(str(name) if name not in (None, "") else position, record[text_field])
    return None


def _scan_records(records: Iterable[Any], config: Config, text_field: str, id_field: str, partition: int) -> list:
    engine = _engine(config)
    reports = []
    for number, record in enumerate(records):
        document = _bag_document(record, f"{partition}#{number}", text_field, id_field)
        if document is not None:
            reports.append(engine.scan(document))
    return reports


def scan_bag(bag: Any, config: Config | None = None, *, text_field: str = "text", id_field: str = "id") -> DaskScan:
    """Scan a bag of dicts (``text_field``, ``id_field``) or of strings. Articles are named by
    their id, else ``PARTITION#POSITION``; records without text are skipped."""
    dask, dd = _require_dask()
    import pandas as pd  # installed with dask[dataframe]

    config = config or Config()
    partitions = bag.to_delayed()
    scanned = [
        dask.delayed(_scan_records)(part, config, text_field, id_field, number)
        for number, part in enumerate(partitions)
    ]
    findings = [dask.delayed(_findings_frame)(reports) for reports in scanned]
    scores = [dask.delayed(_scores_frame)(reports) for reports in scanned]
    return DaskScan(
        dd.from_delayed(findings, meta=_empty(pd, FINDING_COLUMNS), verify_meta=False),
        dd.from_delayed(scores, meta=_empty(pd, SCORE_COLUMNS), verify_meta=False),
    )


def scan_dataframe(frame: Any, config: Config | None = None, *, text_column: str = "text", id_column: str | None = None) -> DaskScan:
    """Scan the ``text_column`` of a Dask DataFrame; articles are named by ``id_column`` (else
    by the index)."""
    _require_dask()
    columns = [text_column] + ([id_column] if id_column else [])
    records = frame[columns].reset_index().rename(columns={"index": "_index"})
    name_column = id_column or records.columns[0]
    bag = records.to_bag(format="dict")
    return scan_bag(bag, config, text_field=text_column, id_field=name_column)


def _empty(pd: Any, columns: dict[str, str]) -> Any:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _findings_frame(reports: list[ArticleReport]) -> Any:
    import pandas as pd

    rows = [row for report in reports for row in finding_rows(report)]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype(FINDING_COLUMNS) if rows else _empty(pd, FINDING_COLUMNS)


def _scores_frame(reports: list[ArticleReport]) -> Any:
    import pandas as pd

    rows = [score_row(report) for report in reports]
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS)).astype(SCORE_COLUMNS) if rows else _empty(pd, SCORE_COLUMNS)


# --- framecheck scan --dask -------------------------------------------------------------


@dataclass(frozen=True)
class JsonlChunk:
    """Lines ``first_number``... of a JSONL file: bytes ``start`` to ``end``."""

    name: str
    path: str
    start: int
    end: int
    first_number: int


def jsonl_chunks(name: str, path: Path, chunk_bytes: int = CHUNK_BYTES) -> list[JsonlChunk]:
    """Byte ranges of about ``chunk_bytes`` that start at line starts, with their first line's
    number (found by counting newlines: one sequential read)."""
    chunks = []
    with path.open("rb") as handle:
        start, number = 0, 1
        while True:
            handle.seek(start)
            block = handle.read(chunk_bytes)
            if not block:
                break
            rest = handle.readline()  # finish the line the block ends in
            data = block + rest
            chunks.append(JsonlChunk(name, str(path), start, start + len(data), number))
            number += data.count(b"\n")
            start += len(data)
    return chunks


def _scan_chunk(chunk: JsonlChunk, config: Config, options: ReadOptions) -> list[ArticleReport | InputError]:
    try:
        with open(chunk.path, "rb") as handle:
            handle.seek(chunk.start)
            data = handle.read(chunk.end - chunk.start)
    except OSError as exc:  # e.g. the file is not where this worker looks
        return [InputError(f"{chunk.name}: cannot read on the Dask worker: {exc.strerror or exc}")]
    engine = _engine(config)
    item = Input(chunk.name, Path(chunk.path))
    results: list[ArticleReport | InputError] = []
    for document in jsonl_documents(item, data.splitlines(keepends=True), options, chunk.first_number):
        if isinstance(document, InputError):
            results.append(document)
        else:
            results.append(engine.scan(document))
    return results


def _work(inputs: Iterable[Input | InputError]) -> Iterator[JsonlChunk | InputError]:
    """Chunks of every JSONL input, in order; unreadable inputs as their error, in place."""
    for item in inputs:
        if isinstance(item, InputError):
            yield item
        elif item.path is None or item.suffix not in (".jsonl", ".ndjson"):
            raise FramecheckError(f"{item.name}: --dask scans JSONL corpora (.jsonl, .ndjson) only")
        else:
            try:
                yield from jsonl_chunks(item.name, item.path)
            except OSError as exc:
                yield InputError(f"{item.name}: cannot read: {exc.strerror or exc}")


def scan_jsonl(
    address: str, inputs: Iterable[Input | InputError], config: Config, options: ReadOptions
) -> Iterator[ArticleReport | InputError]:
    """Reports for every record of the JSONL ``inputs``, scanned on the Dask scheduler at
    ``address``, in file and line order; a bounded number of chunks is in flight."""
    try:
        from distributed import Client
    except ImportError:
        raise FramecheckError("Dask is not installed: pip install 'framecheck[dask]'") from None
    try:
        client = Client(address, timeout="10s")
    except OSError as exc:
        raise FramecheckError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
    with client:
        in_flight = 2 * max(1, len(client.scheduler_info().get("workers", {})))
        pending: collections.deque = collections.deque()  # futures, or errors to report in place
        for work in _work(inputs):
            if isinstance(work, InputError):
                pending.append(work)
            else:
                pending.append(client.submit(_scan_chunk, work, config, options, pure=False))
            while sum(1 for entry in pending if not isinstance(entry, InputError)) > in_flight:
                yield from _finish(pending.popleft())
        while pending:
            yield from _finish(pending.popleft())


def _finish(entry: Any) -> list[ArticleReport | InputError]:
    return [entry] if isinstance(entry, InputError) else entry.result()
