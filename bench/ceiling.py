"""How far can a word list go on the PTC? A deliberately generous ceiling for rule packs.

Usage (from the repository root, framecheck installed):

    python bench/ceiling.py [--corpus ../shared/corpora/ptc/train] [--max-words 3]
                            [--min-precision 0.5] [--json out.json]

The script memorises, in memory only, every gold span of the development half (even article
ids) that is at most ``--max-words`` words long, keeps a phrase when at least
``--min-precision`` of its characters, over all its development-half occurrences, fall inside
gold spans, and gives each phrase the corpus label it carried most often. It then matches
those phrases, case-insensitively and on word boundaries, on the report half (odd ids) and
scores three predictors with the measures of ``framecheck eval``: framecheck's shipped rules
and plugins, the memorised list, and both together.

No rule author could write that list: it has read the answers, from the same outlets, in the
same months, as the articles it is scored on. So it answers a narrow question: could any
larger word list, built the honest way from published definitions, reach the issue's
targets? Where the memorised list falls short, a general one will too, and the gap is
sentence-level devices phrased without a fixed cue. The phrases are never written to disk.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from framecheck.core.taxonomy import TECHNIQUES
from framecheck.engine.engine import Engine
from framecheck.engine.plugins import get_plugin_manager
from framecheck.inputs.readers import text_document
from framecheck.learn.evaluation import Evaluation, Span, SpanScore, article_id, in_split, merge, read_labels

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "ptc" / "train"
TRIMMED = " \t\n\"'“”‘’.,;:!?()"
SHOWN_LABELS = ("Loaded_Language", "Name_Calling,Labeling")

Labelled = dict[str, list[Span]]
Memorised = dict[str, tuple[re.Pattern[str], str]]  # phrase -> (its pattern, its label)


@dataclass(frozen=True)
class Article:
    identifier: str
    text: str
    gold: Labelled
    gold_any_label: list[Span]  # merged, for the share of an occurrence that is labelled at all
    lowered: str  # a cheap test before the regex: most phrases occur in few articles


def read_articles(corpus: Path, labels: dict[str, dict[str, list[Span]]], split: str) -> list[Article]:
    articles = []
    for path in sorted((corpus / "articles").glob("article*.txt")):
        identifier = article_id(path)
        if identifier is not None and in_split(identifier, split):
            gold = {label: list(spans) for label, spans in labels.get(identifier, {}).items()}
            gold_any_label = merge(span for spans in gold.values() for span in spans)
            text = path.read_text(encoding="utf-8")
            articles.append(Article(identifier, text, gold, gold_any_label, text.lower()))
    return articles


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)


def gold_phrases(articles: Iterable[Article], max_words: int) -> dict[str, Counter[str]]:
    """Every short gold fragment, lower-cased and trimmed of quotes, with its label counts."""
    phrases: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for label, spans in article.gold.items():
            for start, end in spans:
                phrase = article.text[start:end].strip(TRIMMED).lower()
                if len(phrase) > 2 and len(phrase.split()) <= max_words:
                    phrases[phrase][label] += 1
    return phrases


def share_in_gold(phrase: str, pattern: re.Pattern[str], articles: Iterable[Article]) -> float:
    """Mean share of each occurrence's characters that lie inside a gold span of any label."""
    total, occurrences = 0.0, 0
    for article in articles:
        if phrase not in article.lowered:
            continue
        for found in pattern.finditer(article.text):
            start, end = found.span()
            overlap = sum(max(0, min(end, g_end) - max(start, g_start)) for g_start, g_end in article.gold_any_label)
            total += overlap / (end - start)
            occurrences += 1
    return total / occurrences if occurrences else 0.0


def memorise(articles: list[Article], max_words: int, min_precision: float) -> Memorised:
    """phrase -> (its pattern, its most frequent label), for phrases precise enough on the
    articles they came from; sorted by phrase."""
    kept = {}
    for phrase, labels in sorted(gold_phrases(articles, max_words).items()):
        pattern = phrase_pattern(phrase)
        if share_in_gold(phrase, pattern, articles) >= min_precision:
            kept[phrase] = (pattern, labels.most_common(1)[0][0])
    return kept


def framecheck_predictions(engine: Engine, article: Article) -> Labelled:
    predicted: Labelled = defaultdict(list)
    for finding in engine.scan(text_document(article.identifier, article.text)).active_findings:
        label = TECHNIQUES[finding.technique].corpus_label
        if label is not None:
            predicted[label].append((finding.start, finding.end))
    return predicted


def list_predictions(patterns: Memorised, article: Article) -> Labelled:
    predicted: Labelled = defaultdict(list)
    for phrase, (pattern, label) in patterns.items():
        if phrase in article.lowered:
            predicted[label].extend(found.span() for found in pattern.finditer(article.text))
    return predicted


def combined(*predictions: Labelled) -> Labelled:
    joined: Labelled = defaultdict(list)
    for prediction in predictions:
        for label, spans in prediction.items():
            joined[label].extend(spans)
    return joined


def shown_scores(evaluation: Evaluation) -> dict[str, SpanScore]:
    return {"span_identification": evaluation.spans, **{label: evaluation.by_label[label] for label in SHOWN_LABELS}}


def print_table(evaluations: dict[str, Evaluation]) -> None:
    """Figures as ``framecheck eval`` prints them (rounded once, from the unrounded scores)."""
    print(f"{'predictor':<25}" + "".join(f"{column:>23}" for column in ("span_identification", *SHOWN_LABELS)))
    for name, evaluation in evaluations.items():
        cells = [f"{s.precision:.3f}/{s.recall:.3f}/{s.f1:.3f}" for s in shown_scores(evaluation).values()]
        print(f"{name:<25}" + "".join(f"{cell:>23}" for cell in cells))
    print("(each cell: precision/recall/F1 on the report half)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--max-words", type=int, default=3, help="longest gold fragment memorised (default 3)")
    parser.add_argument("--min-precision", type=float, default=0.5,
                        help="keep a phrase when this share of its dev-half occurrences is gold (default 0.5)")
    parser.add_argument("--json", type=Path, help="also write the scores here")
    args = parser.parse_args()
    if not (args.corpus / "labels.tsv").is_file():
        parser.exit(2, f"ceiling.py: no corpus at {args.corpus} (expected labels.tsv and articles/)\n")
    labels = read_labels(args.corpus / "labels.tsv")
    memorised = memorise(read_articles(args.corpus, labels, "dev"), args.max_words, args.min_precision)
    engine = Engine.from_plugins(get_plugin_manager(autoload=False))
    evaluations = {name: Evaluation() for name in ("framecheck", "memorised dev-half list", "both")}
    for article in read_articles(args.corpus, labels, "report"):
        ours, listed = framecheck_predictions(engine, article), list_predictions(memorised, article)
        evaluations["framecheck"].add_article(ours, article.gold)
        evaluations["memorised dev-half list"].add_article(listed, article.gold)
        evaluations["both"].add_article(combined(ours, listed), article.gold)
    print(f"{len(memorised)} phrases of up to {args.max_words} words memorised from the dev half "
          f"(kept at >= {args.min_precision} precision there)")
    print_table(evaluations)
    if args.json:
        rows = [{"predictor": name, **{key: score.to_dict() for key, score in shown_scores(evaluation).items()}}
                for name, evaluation in evaluations.items()]
        args.json.write_text(json.dumps({"phrases": len(memorised), "max_words": args.max_words,
                                         "min_precision": args.min_precision, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
