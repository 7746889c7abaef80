"""Measure framecheck end to end and against a baseline run in the same session.

Usage (from the repository root, with framecheck installed):

    python bench/throughput.py [--corpus DIR] [--runs N]

Prints medians of N runs (default 3): throughput of ``framecheck scan --format json`` over a
directory of articles (default: the PTC training articles in ../shared), the cold start of a
one-article scan next to a bare ``python -c pass``, and peak RSS. When ``proselint`` is
installed it is run on the same corpus and framecheck's speed is given as a ratio to it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "ptc" / "train" / "articles"
SEED = REPO / "examples" / "obozrevatel-iran-russia-2023.txt"


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process; its output is discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def median_run(command: list[str], runs: int) -> tuple[float, int]:
    results = [timed(command) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def corpus_size(corpus: Path) -> tuple[int, int]:
    files = sorted(corpus.rglob("*.txt"))
    return len(files), sum(len(p.read_text(encoding="utf-8")) for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"bench: corpus {args.corpus} not found (pass --corpus DIR)")
    framecheck = shutil.which("framecheck") or sys.exit("bench: install framecheck first (pip install .)")
    articles, chars = corpus_size(args.corpus)
    megabytes = chars / 1e6
    env_note = f"{articles} articles, {megabytes:.2f} M characters, median of {args.runs} runs"

    scan_s, scan_kb = median_run([framecheck, "scan", "--format", "json", str(args.corpus)], args.runs)
    cold_s, cold_kb = median_run([framecheck, "scan", str(SEED)], max(args.runs, 5))
    bare_s, _ = median_run([sys.executable, "-c", "pass"], max(args.runs, 5))
    rows = [
        ("framecheck scan (corpus)", f"{scan_s:.2f} s", f"{megabytes / scan_s:.2f} MB/s", f"{scan_kb / 1024:.0f} MiB"),
        ("framecheck scan (one article)", f"{cold_s:.3f} s", f"{cold_s / bare_s:.1f}x python -c pass", f"{cold_kb / 1024:.0f} MiB"),
        ("python -c pass (baseline)", f"{bare_s:.3f} s", "", ""),
    ]
    proselint = shutil.which("proselint")
    if proselint:
        base_s, base_kb = median_run([proselint, "check", "-o", "json", str(args.corpus)], args.runs)
        rows.append(("proselint check (corpus)", f"{base_s:.2f} s", f"{megabytes / base_s:.2f} MB/s", f"{base_kb / 1024:.0f} MiB"))
        rows.append(("framecheck / proselint", "", f"{base_s / scan_s:.1f}x faster", ""))
    print(env_note)
    for row in rows:
        print(f"{row[0]:<32}{row[1]:>10}  {row[2]:<24}{row[3]:>8}")


if __name__ == "__main__":
    main()
