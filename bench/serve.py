"""How fast is framecheck as a service? One article's latency, and a batch body for throughput.

Usage (from the repository root, with ``framecheck[serve]`` installed and a server running,
e.g. ``framecheck serve --port 8787 --workers 2 &``):

    python bench/serve.py latency --url http://127.0.0.1:8787 examples/obozrevatel-iran-russia-2023.txt
    python bench/serve.py jsonl ../shared/corpora/ptc/train /tmp/ptc.jsonl

``latency`` sends the article N times over one keep-alive connection (after a warm-up) and
prints the median, 99th percentile and mean; with ``--clients`` it sends from that many
concurrent connections. ``jsonl`` writes a folder of articles as the JSON lines that
``POST /v1/scan/batch`` reads, so a batch can be timed as a whole process with curl against
``framecheck scan FOLDER --jobs 2`` (see docs/service.md, "Speed").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path

import httpx


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def timed_requests(url: str, body: bytes, count: int, clients: int) -> list[float]:
    """Seconds per request, ``count`` requests spread over ``clients`` connections."""
    seconds: list[float] = []
    remaining = [count]

    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            while remaining[0] > 0:
                remaining[0] -= 1
                started = time.perf_counter()
                response = await client.post("/v1/scan", content=body, headers={"content-type": "text/plain"})
                seconds.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"the server answered {response.status_code}: {response.text[:200]}")

    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return seconds


def latency(args: argparse.Namespace) -> None:
    body = Path(args.article).read_bytes()
    asyncio.run(timed_requests(args.url, body, args.warmup, args.clients))
    seconds = asyncio.run(timed_requests(args.url, body, args.n, args.clients))
    print(json.dumps({
        "article": args.article, "bytes": len(body), "requests": args.n, "clients": args.clients,
        "p50_ms": round(statistics.median(seconds) * 1000, 2), "p99_ms": round(percentile(seconds, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(seconds) * 1000, 2),
    }, indent=2))


def jsonl(args: argparse.Namespace) -> None:
    folder = Path(args.folder)
    count = 0
    with Path(args.out).open("w", encoding="utf-8") as out:
        for path in sorted(folder.glob("*.txt")):
            record = {"id": path.stem, "text": path.read_text(encoding="utf-8"), "format": "text"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    print(f"{count} articles -> {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    timing = commands.add_parser("latency", help="p50/p99 of one article through HTTP")
    timing.add_argument("article")
    timing.add_argument("--url", default="http://127.0.0.1:8787")
    timing.add_argument("-n", type=int, default=500)
    timing.add_argument("--warmup", type=int, default=50)
    timing.add_argument("--clients", type=int, default=1)
    timing.set_defaults(run=latency)
    batch = commands.add_parser("jsonl", help="a folder of .txt articles as a batch request body")
    batch.add_argument("folder")
    batch.add_argument("out")
    batch.set_defaults(run=jsonl)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
