"""How soon after an edit does the language server show diagnostics? p50 and p99, warm.

Usage (from the repository root, with ``framecheck[lsp]`` installed):

    python bench/lsp.py [examples/obozrevatel-iran-russia-2023.txt] [-n 300]

Starts ``framecheck lsp`` over stdio as an editor does, opens the article, waits for its first
diagnostics (the warm-up: workers start, the engine is built), then edits one word back and
forth ``n`` times, each time timing from sending the change to receiving the diagnostics for
that version. Prints the median, the 99th percentile and the mean in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient


async def measure(article: Path, count: int) -> list[float]:
    client = LanguageClient("bench", "1")
    arrived: dict[int, float] = {}
    waiting: dict[int, asyncio.Event] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()
            waiting.setdefault(params.version, asyncio.Event()).set()

    await client.start_io(sys.executable, "-m", "framecheck", "lsp")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                         root_uri=article.parent.resolve().as_uri()))
    client.initialized(types.InitializedParams())
    uri = article.resolve().as_uri()
    text = article.read_text(encoding="utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text)))
    await asyncio.wait_for(waiting.setdefault(1, asyncio.Event()).wait(), 60)
    seconds = []
    for version in range(2, count + 2):
        edited = text.replace("terrorise", "attack" if version % 2 else "terrorise")
        waiting[version] = asyncio.Event()
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        await asyncio.wait_for(waiting[version].wait(), 60)
        seconds.append(arrived[version] - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("article", nargs="?", default="examples/obozrevatel-iran-russia-2023.txt")
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    seconds = sorted(asyncio.run(measure(Path(args.article), args.n)))
    print(json.dumps({
        "article": args.article, "edits": len(seconds),
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p99_ms": round(seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))] * 1000, 2),
        "mean_ms": round(statistics.fmean(seconds) * 1000, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
