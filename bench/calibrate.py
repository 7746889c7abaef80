"""Does the article score rise with the gold propaganda density? Spearman's rho on the PTC.

Usage (from the repository root, framecheck installed):

    python bench/calibrate.py [--corpus ../shared/corpora/ptc/train] [--json out.json]

Gold density of an article is measured two ways: labelled spans per 1,000 words, and the
share of its characters inside a labelled span (overlapping spans merged). The score is
framecheck's default 0-100 score with the shipped rules. Rank correlation does not depend on
the saturation scale, so the script also reports how the corpus spreads over the bands.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from framecheck.engine.engine import Engine
from framecheck.engine.plugins import get_plugin_manager
from framecheck.inputs.readers import text_document
from framecheck.learn.evaluation import SPLITS, in_split

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "ptc" / "train"


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2
        i = j + 1
    return result


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    mean_a, mean_b = statistics.fmean(ra), statistics.fmean(rb)
    covariance = sum((x - mean_a) * (y - mean_b) for x, y in zip(ra, rb, strict=True))
    spread = (sum((x - mean_a) ** 2 for x in ra) * sum((y - mean_b) ** 2 for y in rb)) ** 0.5
    return covariance / spread if spread else 0.0


def gold_spans(labels: Path) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    with labels.open(encoding="utf-8") as handle:
        for article_id, _technique, start, end in csv.reader(handle, delimiter="\t"):
            spans[article_id].append((int(start), int(end)))
    return spans


def covered(spans: list[tuple[int, int]]) -> int:
    total, last_end = 0, -1
    for start, end in sorted(spans):
        start = max(start, last_end)
        if end > start:
            total += end - start
            last_end = end
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, help="also write per-article figures here")
    parser.add_argument("--split", choices=SPLITS, default="report",
                        help="articles to use (default: the report half, odd ids; rules are tuned on the even ones)")
    args = parser.parse_args()
    spans = gold_spans(args.corpus / "labels.tsv")
    engine = Engine.from_plugins(get_plugin_manager(autoload=False))
    rows = []
    for path in sorted((args.corpus / "articles").glob("article*.txt")):
        article_id = re.search(r"article(\d+)", path.name).group(1)
        if not in_split(article_id, args.split):
            continue
        text = path.read_text(encoding="utf-8")
        report = engine.scan(text_document(str(path), text))
        words = max(1, report.score.words)
        rows.append({
            "article": article_id,
            "score": report.score.value,
            "band": report.score.band,
            "spans_per_1000_words": len(spans[article_id]) * 1000 / words,
            "gold_share": covered(spans[article_id]) / max(1, len(text)),
        })
    scores = [r["score"] for r in rows]
    rho_spans = spearman(scores, [r["spans_per_1000_words"] for r in rows])
    rho_share = spearman(scores, [r["gold_share"] for r in rows])
    bands = Counter(r["band"] for r in rows)
    print(f"{len(rows)} articles ({args.split} split)")
    print(f"Spearman rho, score vs gold spans per 1,000 words: {rho_spans:.3f}")
    print(f"Spearman rho, score vs share of characters in gold spans: {rho_share:.3f}")
    print("bands: " + ", ".join(f"{band} {bands[band]}" for band in ("low", "elevated", "high")))
    if args.json:
        args.json.write_text(json.dumps({"rho_spans": rho_spans, "rho_share": rho_share, "articles": rows}, indent=2))


if __name__ == "__main__":
    main()
