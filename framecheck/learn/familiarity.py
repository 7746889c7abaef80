"""How familiar an article is to a model: how much of its vocabulary it shares with the nearest
training article.

A model's word features learn the stories of the articles it was trained on as well as their
devices: its learned spans are markedly more precise on articles about those stories than on
articles about new ones (docs/learned-layer.md). So training chooses stricter span thresholds for
the less familiar half of its held-out articles, and a scan applies them to an article whose
familiarity falls below the same line. Familiarity is the largest cosine between the article's
TF-IDF vector and a training article's signature (its most distinctive words), with the
document frequencies of the training articles. It reads the words the learned layer has already
split out of the article's first block of sentences (the whole of an ordinary article; the
first 200,000 characters of a longer one tell its story), so it costs a count and a few
dictionary look-ups per distinct word, the same in training and in a scan.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

MAX_ARTICLES = 1_000_000  # more training articles than a profile this tool wrote would hold
MIN_LETTERS = 3  # shorter words are grammar, not story
SIGNATURE_WORDS = 64  # a training article's most distinctive words: enough to tell its story
MIN_ARTICLES = 2  # a word in one training article tells no story apart from that article (and one
# in every training article tells none at all)


@dataclass(frozen=True, eq=False)
class Familiarity:
    """The training articles' profile, as arrays: row ``i`` is ``words[i]`` (sorted), its inverse
    document frequency ``rarity[i]``, and the training articles whose signature holds it,
    ``articles[starts[i]:starts[i + 1]]``, with its weight in each (``weights``, same slice).
    Arrays unpickle from the model cache in microseconds where a table of tuples would not."""

    words: tuple[str, ...]
    rarity: np.ndarray
    starts: np.ndarray
    articles: np.ndarray
    weights: np.ndarray

    @classmethod
    def of_articles(cls, articles: Sequence[Iterable[str]]) -> Familiarity:
        """The profile of training articles, each given as its words (tokens, in any case)."""
        counts = [Counter(map(str.lower, words)) for words in articles]
        frequency = Counter(word for article in counts for word in article)
        idf = {word: math.log(len(counts) / seen) for word, seen in sorted(frequency.items())
               if MIN_ARTICLES <= seen < len(counts) and len(word) >= MIN_LETTERS and word.isalpha()}
        postings: dict[str, list[tuple[int, float]]] = {}
        for number, article in enumerate(counts):
            weights = {word: (1.0 + math.log(count)) * idf[word] for word, count in article.items() if word in idf}
            signature = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:SIGNATURE_WORDS]
            norm = math.sqrt(sum(weight * weight for _, weight in signature)) or 1.0
            for word, weight in signature:
                postings.setdefault(word, []).append((number, weight / norm))
        return cls.of_tables(idf, postings)

    @classmethod
    def of_tables(cls, idf: Mapping[str, float], postings: Mapping[str, Sequence[tuple[int, float]]]) -> Familiarity:
        """The profile from a word's rarity and postings (words without a rarity are left out)."""
        words = tuple(sorted(idf))
        entries = [postings.get(word, ()) for word in words]
        starts = np.zeros(len(words) + 1, np.int64)
        np.cumsum([len(entry) for entry in entries], out=starts[1:])
        flat = [pair for entry in entries for pair in entry]
        return cls(words, np.array([idf[word] for word in words], np.float64), starts,
                   np.array([article for article, _ in flat], np.int64),
                   np.array([weight for _, weight in flat], np.float64))

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {word: row for row, word in enumerate(self.words)}

    def of(self, words: Iterable[str]) -> float:
        """How familiar an article given as its words is: its largest cosine with a training
        article's signature (0 to 1). The term frequency is damped (1 + log): a word said ten
        times is not ten times the story."""
        rows, starts = self._rows, self.starts
        merged = {rows[word]: count for word, count in Counter(map(str.lower, words)).items() if word in rows}
        if not merged:
            return 0.0
        found = np.fromiter(merged, np.int64, len(merged))
        weight = (1.0 + np.log(np.fromiter(merged.values(), np.float64, len(merged)))) * self.rarity[found]
        first, lengths = starts[found], starts[found + 1] - starts[found]
        if not lengths.any() or not weight.any():
            return 0.0
        at = np.repeat(first - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
        shared = np.bincount(self.articles[at], weights=np.repeat(weight, lengths) * self.weights[at])
        return float(min(1.0, shared.max() / math.sqrt(float(weight @ weight))))

    def to_dict(self) -> dict[str, Any]:
        postings = {}
        for row, word in enumerate(self.words):
            low, high = int(self.starts[row]), int(self.starts[row + 1])
            if high > low:
                postings[word] = [[int(article), round(float(weight), 5)] for article, weight in
                                  zip(self.articles[low:high], self.weights[low:high])]
        return {"idf": {word: round(float(value), 5) for word, value in zip(self.words, self.rarity)},
                "postings": postings}

    @classmethod
    def from_dict(cls, raw: Any) -> Familiarity:
        """The profile from a model file; ``ValueError`` says what is wrong with it."""
        if not isinstance(raw, dict) or not isinstance(raw.get("idf"), dict) or not isinstance(
                raw.get("postings"), dict):
            raise ValueError("the familiarity profile must hold 'idf' and 'postings' tables")
        idf = {str(word): _number(value) for word, value in raw["idf"].items()}
        postings = {}
        for word, entries in raw["postings"].items():
            if not isinstance(entries, list) or not all(isinstance(e, list) and len(e) == 2 for e in entries):
                raise ValueError(f"the familiarity profile's entry for {word!r} is not a list of [article, weight]")
            postings[str(word)] = [(_article(article), _number(weight)) for article, weight in entries]
        return cls.of_tables(idf, postings)


def first_words(blocks: Iterable[Any]) -> Sequence[str]:
    """The words of an article's first block of sentences that has any (what familiarity reads)."""
    return next((block.words for block in blocks if len(block)), ())


def _article(value: Any) -> int:
    """A training article's number, as a profile may hold it: a whole number, 0 to MAX_ARTICLES."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_ARTICLES:
        raise ValueError(f"the familiarity profile holds {value!r} where a training article's number belongs")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"the familiarity profile holds {value!r} where a number belongs")
    return float(value)
