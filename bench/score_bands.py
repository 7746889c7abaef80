"""Where the score's bands come from: the scores of ordinary news articles.

Usage (from the repository root, framecheck installed):

    python bench/score_bands.py [--corpus ../shared/corpora/ptc/train] [--prior-words 400]

"Ordinary" is the third of the PTC articles with the least labelled propaganda (the share of
their characters inside a labelled span). The script scans every article with the shipped
rules, scores it with the default scoring model (``--prior-words`` changes the shrinkage), and
prints, per half (dev: even ids, where the bands were chosen; report: odd ids, read once), the
median and upper quantiles of the ordinary third's scores and the median of the most labelled
third. The bands are set where a quarter (elevated) and one in twenty (high) of ordinary dev
articles score; the report half says whether that holds on articles the choice never saw.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from framecheck.engine.engine import Engine
from framecheck.engine.plugins import get_plugin_manager
from framecheck.engine.scoring import ScoringModel
from framecheck.inputs.readers import text_document
from framecheck.learn.evaluation import article_id, merge, read_labels

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "ptc" / "train"
QUANTILES = (0.5, 0.75, 0.9, 0.95)


def quantile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (the lower one, no interpolation)."""
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def labelled_share(length: int, spans: list[tuple[int, int]]) -> float:
    return sum(end - start for start, end in merge(spans)) / max(length, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--prior-words", type=float, default=None)
    args = parser.parse_args()
    scoring = ScoringModel() if args.prior_words is None else ScoringModel(prior_words=args.prior_words)
    engine = Engine.from_plugins(get_plugin_manager(autoload=False), scoring=scoring)
    gold = read_labels(args.corpus / "labels.tsv")
    rows: list[tuple[str, float, float]] = []  # (id, share labelled, score)
    for path in sorted((args.corpus / "articles").glob("article*.txt")):
        identifier = article_id(path) or path.stem
        document = text_document(str(path), path.read_text(encoding="utf-8"))
        report = engine.scan(document)
        spans = [span for by_label in gold.get(identifier or "", {}).values() for span in by_label]
        rows.append((identifier, labelled_share(len(document.text), spans), report.score.value))
    for half, name in ((0, "dev"), (1, "report")):
        part = sorted((row for row in rows if int(row[0]) % 2 == half), key=lambda row: row[1])
        third = len(part) // 3
        ordinary, heavy = [row[2] for row in part[:third]], [row[2] for row in part[-third:]]
        figures = "  ".join(f"q{round(q * 100)} {quantile(ordinary, q):5.1f}" for q in QUANTILES)
        print(f"{name:<6} ordinary third ({third} articles, at most {part[third - 1][1]:.1%} labelled): {figures}"
              f"   most labelled third: median {quantile(heavy, 0.5):.1f}")


if __name__ == "__main__":
    main()
