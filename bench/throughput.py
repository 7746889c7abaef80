"""Measure framecheck's speed, scale and start-up against baselines run in the same session.

Usage (from the repository root, with framecheck installed, proselint optional):

    python bench/throughput.py [--runs 3] [--target-mb 50] [--quick]

Builds its corpus from the labelled PTC articles in ../shared (replicated to --target-mb, each
copy under its own folder so every article is a separate file) and prints medians of --runs
runs of end-to-end ``framecheck scan --format json`` (read, scan, score, JSON out):

* throughput on one core (``--jobs 1``) and with every CPU, in MB/s and articles/s, with peak RSS;
* proselint on the 1x corpus (it reads ~0.3 MB/s, so the full corpus would take minutes),
  next to framecheck on that same 1x corpus: the ratio compares like with like;
* growth: time for the 1x, 4x and 16x corpora, and seconds per MB for each;
* synthetic packs of 5,000 phrases on top of the defaults, against the defaults alone, on the
  4x corpus (and the start-up of a one-article scan with each): rare word pairs (the
  matcher's cost) and common words (tens of thousands of extra findings to report);
* memory when streaming: peak RSS of a JSONL corpus of the 1x and the 16x articles;
* cold start: ``framecheck scan`` of one article with a warm and with no pack cache, next to
  ``python -c pass`` and to importing framecheck's own dependencies;
* one huge line: the 1x corpus joined into a single line of --line-mb MB (no line breaks, so
  no paragraph or line structure to lean on), in MB/s next to the 1x corpus of articles;
* Ukrainian and Russian: the UNLP 2025 posts in ../shared (replicated 4x, a file each) with the
  uk/ru packs (lemma phrases, extents) against the same posts scanned as English
  (``--language en``: the English packs, no uk/ru rules), and the time to build the uk/ru packs'
  form tables from the dictionaries (the first scan, no pack cache) against a warm start.

``--only-languages`` runs the last part alone.

``--compare PATH`` also measures another framecheck executable (the last release, installed in a
venv of its own) beside this one, in turns: the 4x corpus on one core, whether both write
byte-identical JSON, and the one-article start. ``--only-compare`` runs that part alone.

``--quick`` uses one run and a 10 MB corpus, for a smoke check of the script itself.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO.parent / "shared" / "corpora" / "ptc" / "train" / "articles"
POSTS = REPO.parent / "shared" / "corpora" / "unlp25" / "train" / "articles"
SEED = REPO / "examples" / "obozrevatel-iran-russia-2023.txt"


def timed(command: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process; its output is discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def median_run(command: list[str], runs: int, env: dict | None = None) -> tuple[float, int]:
    results = [timed(command, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def replicate(articles: list[Path], copies: int, root: Path) -> Path:
    """``copies`` copies of the articles, one folder per copy."""
    folder = root / f"x{copies}"
    if not folder.exists():
        for copy in range(copies):
            target = folder / f"copy{copy:03d}"
            target.mkdir(parents=True)
            for path in articles:
                shutil.copyfile(path, target / path.name)
    return folder


def jsonl_corpus(articles: list[Path], copies: int, root: Path) -> Path:
    path = root / f"x{copies}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as handle:
            for copy in range(copies):
                for article in articles:
                    record = {"id": f"{copy}-{article.stem}", "text": article.read_text(encoding="utf-8")}
                    handle.write(json.dumps(record) + "\n")
    return path


def synthetic_pack(articles: list[Path], root: Path, kind: str, phrases: int = 5000) -> Path:
    """A pack of ``phrases`` phrases from the corpus's own vocabulary (words of 6+ letters).

    ``words``: single words, so thousands of them occur (the findings, not the matcher, then
    dominate the cost); ``pairs``: random word pairs, which almost never occur, so the cost
    is the matcher's alone, as for a large newsroom pack of rare loaded phrases.
    """
    text = " ".join(p.read_text(encoding="utf-8") for p in articles[:80]).lower()
    words = sorted(set(re.findall(r"[a-z]{6,}", text)))
    rng = random.Random(5000)
    chosen: set[str] = set()
    while len(chosen) < phrases:
        chosen.add(rng.choice(words) if kind == "words" else f"{rng.choice(words)} {rng.choice(words)}")
    ordered = sorted(chosen)
    lines = ["format: 1", f"id: synthetic-{kind}", f"name: Synthetic 5,000 {kind}", "rules:"]
    per_rule = 250
    for number in range(0, len(ordered), per_rule):
        lines += [f"  - id: synthetic-{kind}-{number // per_rule:02d}", "    technique: loaded-language",
                  "    severity: info", "    message: synthetic phrase", "    patterns:"]
        lines += [f"      - {json.dumps(phrase)}" for phrase in ordered[number : number + per_rule]]
    path = root / f"synthetic-{kind}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def single_line(articles: list[Path], megabytes: float, root: Path) -> Path:
    """The articles joined by spaces into one line of ``megabytes`` M characters, written a copy
    at a time: a process that once held the whole line passes its peak memory on to every child
    it starts afterwards (Linux counts a forked child's peak from its parent's), which would
    spoil the memory figures measured later."""
    path = root / f"line-{megabytes:g}mb.txt"
    if not path.exists():
        text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in articles) + " "
        left = int(megabytes * 1e6)
        with path.open("w", encoding="utf-8") as handle:
            while left > 0:
                handle.write(text[:left])
                left -= len(text)
    return path


def corpus_size(folder: Path) -> tuple[int, int]:
    files = list(folder.rglob("*.txt"))
    return len(files), sum(len(p.read_text(encoding="utf-8")) for p in files)


def line_vs_articles(args, rows, add, scan, articles, work, base_chars, cache_env, framecheck) -> None:
    """The one-line file's MB/s next to the 1x corpus of separate articles, in the same run."""
    articles_seconds, _ = scan(replicate(articles, 1, work), "--jobs", "1")
    add("articles: 1x corpus, --jobs 1", articles_seconds, 1)
    line = single_line(articles, args.line_mb, work)
    seconds, rss = median_run([framecheck, "scan", "--quiet", "--format", "json", "--max-bytes",
                               f"{int(args.line_mb * 2)}M", str(line)], args.runs, cache_env)
    line_rate = args.line_mb / seconds
    articles_rate = base_chars / 1e6 / articles_seconds
    rows.append((f"one line of {args.line_mb:g} MB", f"{seconds:8.2f} s", f"{line_rate:6.2f} MB/s",
                 f"{articles_rate / line_rate:.2f}x slower" if line_rate < articles_rate else "not slower"))
    rows.append(("  its peak memory", "", "", f"{rss / 1024:5.0f} MiB"))


def languages(args, rows, work, cache_env, framecheck) -> None:
    """uk/ru posts scanned with their packs against the same posts as English, same run."""
    if not POSTS.is_dir():
        rows.append(("uk/ru posts", "", f"not found: {POSTS}", ""))
        return
    posts = replicate(sorted(POSTS.glob("*.txt")), 4, work / "posts")
    count, chars = corpus_size(posts)
    command = [framecheck, "scan", "--quiet", "--format", "json", "--jobs", "1", str(posts)]
    with_packs, rss = median_run(command, args.runs, cache_env)
    as_english, _ = median_run(command[:-1] + ["--language", "en", str(posts)], args.runs, cache_env)
    for label, seconds in (("uk/ru posts 4x, uk/ru packs", with_packs), ("uk/ru posts 4x, --language en", as_english)):
        rows.append((label, f"{seconds:8.2f} s", f"{chars / 1e6 / seconds:6.2f} MB/s {count / seconds:7.0f} art/s", ""))
    rows.append(("  uk/ru packs / as English", "", f"{with_packs / as_english:.2f}x the time", f"{rss / 1024:5.0f} MiB"))
    post = str(next(iter(sorted(POSTS.glob("*.txt")))))
    starts = max(args.runs, 9)
    warm, _ = median_run([framecheck, "scan", post], starts, cache_env)
    cold_cache = {**cache_env, "FRAMECHECK_NO_CACHE": "1"}
    cold, _ = median_run([framecheck, "scan", post], starts, cold_cache)
    rows.append(("start: one post, warm cache", f"{warm:8.3f} s", "", ""))
    rows.append(("start: one post, no pack cache", f"{cold:8.3f} s", f"{cold / warm:.1f}x warm (dictionaries)", ""))


def interleaved(commands: list[list[str]], runs: int, envs: list[dict]) -> list[float]:
    """Median wall seconds of each command, run in turn ``runs`` times (A B A B ...), so a
    noisy machine slows both alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for number, (command, env) in enumerate(zip(commands, envs)):
            times[number].append(timed(command, env)[0])
    return [statistics.median(each) for each in times]


def same_output(commands: list[list[str]], envs: list[dict], work: Path) -> bool:
    """Whether the commands write byte-identical standard output (compared as files, so this
    process never holds a corpus's report: see :func:`single_line` on peak memory)."""
    paths = [work / f"output-{number}.json" for number in range(len(commands))]
    for command, env, path in zip(commands, envs, paths):
        with path.open("wb") as handle:
            subprocess.run(command, stdout=handle, stderr=subprocess.DEVNULL, env=env)
    return all(filecmp.cmp(paths[0], path, shallow=False) for path in paths[1:])


def compare(args, rows, articles, work, cache_env, framecheck) -> None:
    """This framecheck against another installation (``--compare``, say the last release in a
    venv of its own), in the same run: the 4x corpus on one core, whether both write the same
    JSON, and the start of a one-article scan."""
    other = str(Path(args.compare).resolve())
    other_env = {**cache_env, "FRAMECHECK_CACHE_DIR": str(work / "cache-compared")}
    envs = [cache_env, other_env]
    timed([other, "scan", "--quiet", str(SEED)], other_env)  # its own pack cache, filled
    corpus = replicate(articles, 4, work)
    count, chars = corpus_size(corpus)
    scans = [[tool, "scan", "--quiet", "--format", "json", "--jobs", "1", str(corpus)] for tool in (framecheck, other)]
    this_time, other_time = interleaved(scans, args.runs, envs)
    for label, seconds in (("this, 4x corpus --jobs 1", this_time), ("compared, same", other_time)):
        rows.append((label, f"{seconds:8.2f} s", f"{chars / 1e6 / seconds:6.2f} MB/s {count / seconds:7.0f} art/s", ""))
    identical = "identical JSON" if same_output(scans, envs, work) else "JSON DIFFERS"
    rows.append(("  this per core / compared", "", f"{other_time / this_time:.2f}x as fast", identical))
    starts = max(args.runs, 9)
    this_start, other_start = interleaved([[tool, "scan", str(SEED)] for tool in (framecheck, other)], starts, envs)
    rows.append(("start: one article, this", f"{this_start:8.3f} s", "", ""))
    rows.append(("start: one article, compared", f"{other_start:8.3f} s", f"{other_start / this_start:.2f}x as fast", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target-mb", type=float, default=50)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--line-mb", type=float, default=50, help="Size of the one-line file (MB).")
    parser.add_argument("--only-line", action="store_true", help="Measure the one-line file and the 1x corpus only.")
    parser.add_argument("--only-languages", action="store_true", help="Measure the uk/ru posts only.")
    parser.add_argument("--work", type=Path, help="Folder for the generated corpora (default: a temporary one).")
    parser.add_argument("--compare", metavar="FRAMECHECK",
                        help="Another framecheck executable (e.g. a venv's with the last release): measured beside "
                             "this one, in turns, on the 4x corpus and the one-article start.")
    parser.add_argument("--only-compare", action="store_true", help="Run the --compare part alone.")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.target_mb = 1, 10
    if not ARTICLES.is_dir():
        sys.exit(f"bench: corpus {ARTICLES} not found")
    framecheck = shutil.which("framecheck") or sys.exit("bench: install framecheck first (pip install .)")
    python = sys.executable
    articles = sorted(ARTICLES.glob("*.txt"))
    work = args.work or Path(tempfile.mkdtemp(prefix="framecheck-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cache_env = {**os.environ, "FRAMECHECK_CACHE_DIR": str(work / "cache")}
    base_articles, base_chars = corpus_size(replicate(articles, 1, work))
    copies = max(1, round(args.target_mb * 1e6 / base_chars + 0.4999))
    rows: list[tuple[str, str, str, str]] = []

    def scan(folder: Path, *extra: str) -> tuple[float, int]:
        return median_run([framecheck, "scan", "--quiet", "--format", "json", *extra, str(folder)], args.runs, cache_env)

    def add(label: str, seconds: float, copies_scanned: int, rss_kib: int | None = None, note: str = "") -> None:
        megabytes = base_chars * copies_scanned / 1e6
        rate = f"{megabytes / seconds:6.2f} MB/s {base_articles * copies_scanned / seconds:7.0f} art/s"
        rows.append((label, f"{seconds:8.2f} s", rate, f"{rss_kib / 1024:5.0f} MiB" if rss_kib else note))

    timed([framecheck, "scan", "--quiet", str(SEED)], cache_env)  # fill the pack cache
    if args.only_compare and not args.compare:
        sys.exit("bench: --only-compare needs --compare FRAMECHECK")
    if args.only_line or args.only_languages or args.only_compare:
        if args.only_line:
            line_vs_articles(args, rows, add, scan, articles, work, base_chars, cache_env, framecheck)
        elif args.only_languages:
            languages(args, rows, work, cache_env, framecheck)
        else:
            compare(args, rows, articles, work, cache_env, framecheck)
        for label, seconds, rate, extra in rows:
            print(f"{label:<38}{seconds:>11}  {rate:<32}{extra:>12}")
        return
    big = replicate(articles, copies, work)
    one_core, one_core_rss = scan(big, "--jobs", "1")
    add(f"framecheck --jobs 1, {copies}x corpus", one_core, copies, one_core_rss)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    all_cores, _ = scan(big, "--jobs", str(cpus))
    add(f"framecheck --jobs {cpus}, {copies}x corpus", all_cores, copies, None, f"{one_core / all_cores:.2f}x --jobs 1")

    base = replicate(articles, 1, work)
    framecheck_base, _ = scan(base, "--jobs", "1")
    add("framecheck --jobs 1, 1x corpus", framecheck_base, 1)
    proselint = shutil.which("proselint")
    if proselint:
        peer, peer_rss = median_run([proselint, "check", "-o", "json", str(base)], args.runs)
        add("proselint check, 1x corpus", peer, 1, peer_rss)
        rows.append(("framecheck / proselint (1x)", "", f"{peer / framecheck_base:.1f}x faster", ""))

    growth = []
    for factor in (1, 4, 16):
        seconds, _ = scan(replicate(articles, factor, work), "--jobs", "1")
        growth.append((factor, seconds))
        add(f"growth: {factor}x corpus", seconds, factor, None, f"{seconds / factor / base_chars * 1e6:.3f} s/MB")

    defaults_4x = dict(growth)[4]
    for kind in ("pairs", "words"):
        pack = str(synthetic_pack(articles, work, kind))
        with_pack, _ = scan(replicate(articles, 4, work), "--jobs", "1", "--rules", pack)
        add(f"4x + 5,000 synthetic {kind}", with_pack, 4, None, f"{with_pack / defaults_4x:.2f}x defaults")
        one, _ = median_run([framecheck, "scan", "--rules", pack, str(SEED)], args.runs, cache_env)
        rows.append((f"  one article + 5,000 {kind}", f"{one:8.3f} s", "start-up with the pack", ""))

    for factor in (1, 16):
        corpus = jsonl_corpus(articles, factor, work)
        seconds, rss = median_run([framecheck, "scan", "--quiet", "--format", "jsonl", "--jobs", "1", str(corpus)],
                                  args.runs, cache_env)
        add(f"JSONL stream, {factor}x corpus", seconds, factor, rss)

    line_vs_articles(args, rows, add, scan, articles, work, base_chars, cache_env, framecheck)
    languages(args, rows, work, cache_env, framecheck)
    if args.compare:
        compare(args, rows, articles, work, cache_env, framecheck)
    starts = max(args.runs, 9)
    warm, warm_rss = median_run([framecheck, "scan", str(SEED)], starts, cache_env)
    cold, _ = median_run([framecheck, "scan", str(SEED)], starts, {**cache_env, "FRAMECHECK_NO_CACHE": "1"})
    bare, _ = median_run([python, "-c", "pass"], starts)
    deps, _ = median_run([python, "-c", "import click, pluggy, regex, ahocorasick"], starts)
    rows += [
        ("start: scan one article", f"{warm:8.3f} s", f"{warm / bare:.1f}x python -c pass", f"{warm_rss / 1024:5.0f} MiB"),
        ("start: same, pack cache off", f"{cold:8.3f} s", "", ""),
        ("start: import click/pluggy/regex/aho", f"{deps:8.3f} s", "", ""),
        ("start: python -c pass", f"{bare:8.3f} s", "", ""),
    ]
    print(f"corpus: {base_articles} PTC articles, {base_chars / 1e6:.2f} M characters per copy; "
          f"medians of {args.runs} runs ({starts} for start-up); {cpus} CPUs; work folder {work}")
    for label, seconds, rate, extra in rows:
        print(f"{label:<38}{seconds:>11}  {rate:<32}{extra:>12}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
