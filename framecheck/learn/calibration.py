"""Choosing a model's thresholds so its precision holds on text it has not seen.

Training tags every labelled article with a model fitted on the other folds (see
:mod:`framecheck.learn.training`); this module works on those held-out tags only.

* **Thresholds with a margin.** A threshold that reaches the target precision on the pooled
  held-out articles reaches it on a new corpus only about half the time: precision varies from
  one set of articles to the next. A combination is accepted only when its precision, one
  standard deviation of its spread over the folds below the folds' mean, still reaches the
  target (``MARGIN_SD``); among those, the best span F1 of mode ``both`` wins.
* **Expected figures, out of fold.** The thresholds are then chosen again K times, each time
  without one fold, and applied to that fold: the figures of the folds no choice saw, with their
  mean and spread, are what a user should expect, and what ``eval --model`` prints.
* **Stricter thresholds for unfamiliar articles.** A model's learned spans are less precise on
  articles about stories its training articles did not tell (:mod:`framecheck.learn.familiarity`);
  the span thresholds are chosen again, by the same rule, on the less familiar half of the
  held-out articles (each measured against the articles its fold's model was fitted on), and a
  scan applies them below the same line.
* **A reliability curve.** Candidate spans binned by the model's probability, with the
  precision each bin had: whether a probability of 0.8 means eight spans in ten.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.model import Finding
from ..core.taxonomy import TECHNIQUES
from .evaluation import SpanScore, Spread, merge, overlap
from .familiarity import Familiarity, first_words
from .features import DocumentTokens
from .learned import LearnedModel, Thresholds, Unfamiliar, decode, finding_probability, thresholds_at
from .settings import MARGIN_SD

EXTEND_GRID = (0.3, 0.4, 0.5)
SPAN_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
FILTER_GRID = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
KEEP_RECALL = 0.9  # the filter may give up a tenth of the rules' recall for the precision it buys
MODES = {"rules": (False, False), "filter": (True, False), "add": (False, True), "both": (True, True)}
RELIABILITY_EDGES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass
class HeldOut:
    """Per held-out article: gold, rule spans (with each one's probability), and its blocks of
    tokens with their marginals."""

    gold: list[tuple[int, int]]
    rules: list[tuple[tuple[int, int], float | None]]
    tagged: list[tuple[DocumentTokens, np.ndarray]]
    familiarity: float = 1.0  # how familiar the article is to the articles its model was fitted on
    _runs: dict[float, list[tuple[int, int, int, float]]] = field(default_factory=dict)

    def runs(self, extend: float) -> list[tuple[int, int, int, float]]:
        """(start, end, tokens, mean marginal) of every candidate span at ``extend``, worked out
        once: the threshold search then only compares means."""
        if extend not in self._runs:
            everything = Thresholds(extend, 0.0, 0.0, 0.0)
            self._runs[extend] = [(span.start, span.end, span.tokens[1] - span.tokens[0] + 1, span.probability)
                                  for tokens, marginals in self.tagged
                                  for span in decode(tokens, marginals, everything)]
        return self._runs[extend]

    def learned_spans(self, thresholds: Thresholds) -> list[tuple[int, int, float]]:
        """(start, end, mean marginal) of the spans a scan would report at ``thresholds``."""
        return [(start, end, mean) for start, end, tokens, mean in self.runs(thresholds.extend)
                if mean >= thresholds.for_length(tokens)]


def tag_held_out(model: LearnedModel, examples: Sequence[Any], profile: Familiarity | None = None) -> list[HeldOut]:
    """Each example (``findings``, ``gold``, ``blocks``) tagged by ``model``, and with ``profile``
    (that of the articles the model was fitted on) how familiar it is, from its first block's
    words as a scan measures it."""
    held = []
    for example in examples:
        article = tag_article(model, example.findings, example.gold, example.blocks)
        if profile is not None:
            article.familiarity = profile.of(first_words(example.blocks))
        held.append(article)
    return held


def tag_article(model: LearnedModel, findings: Sequence[Finding], gold: list[tuple[int, int]],
                blocks: Iterable[DocumentTokens]) -> HeldOut:
    """One article's blocks of tokens tagged by ``model`` (``gold``: its labelled spans, merged),
    and each rule finding's probability as the scan's filter judges it (in the block it starts in)."""
    tagged = [(tokens, model.document_marginals(tokens)) for tokens in blocks if len(tokens)]
    block_starts = [tokens.starts[0] for tokens, _ in tagged]
    rules = []
    for finding in findings:
        if TECHNIQUES[finding.technique].corpus_label is None:
            continue  # as in 'framecheck eval': framecheck's own devices are not labelled in corpora
        block = bisect.bisect_right(block_starts, finding.start) - 1
        probability = finding_probability(finding, *tagged[block]) if block >= 0 else None
        rules.append(((finding.start, finding.end), probability))
    return HeldOut(gold, rules, tagged)


def measure(held: Sequence[HeldOut], thresholds: Thresholds, *, filter_rules: bool, add_spans: bool,
            rules: bool = True, unfamiliar: Unfamiliar | None = None) -> SpanScore:
    """Span identification on the held-out articles in one mode (an article less familiar than
    ``unfamiliar.below`` judged by its thresholds)."""
    score = SpanScore()
    for article in held:
        chosen = thresholds_at(article.familiarity, thresholds, unfamiliar)
        predicted = [span for span, p in article.rules
                     if rules and (not filter_rules or p is None or p >= chosen.filter)]
        if add_spans:
            predicted.extend((start, end) for start, end, _mean in article.learned_spans(chosen))
        score.add(predicted, article.gold)
    return score


def pooled(scores: Sequence[SpanScore]) -> SpanScore:
    total = SpanScore()
    for score in scores:
        total.pool(score)
    return total


def choose_thresholds(folds: Sequence[Sequence[HeldOut]], target_precision: float,
                      margin: float = MARGIN_SD) -> tuple[Thresholds, bool]:
    """(thresholds, whether the target precision is reached with the margin) on these folds:
    see the module. With a single fold there is no spread, and the margin is nothing."""
    everything = [article for fold in folds for article in fold]
    unfiltered = measure(everything, Thresholds(filter=0.0), filter_rules=True, add_spans=False).recall
    best_filter = max(
        t for t in FILTER_GRID
        if measure(everything, Thresholds(filter=t), filter_rules=True, add_spans=False).recall
        >= KEEP_RECALL * unfiltered
    )
    return _best_spans(folds, EXTEND_GRID, best_filter, target_precision, margin)


def _best_spans(folds: Sequence[Sequence[HeldOut]], extends: Sequence[float], filter_threshold: float,
                target_precision: float, margin: float) -> tuple[Thresholds, bool]:
    """The span thresholds (with one of ``extends``) with the best pooled F1 of mode ``both``
    among those whose precision reaches the target with the margin, or the most precise."""
    candidates = []
    for extend, short, medium, long in itertools.product(extends, SPAN_GRID, SPAN_GRID, SPAN_GRID):
        if not short <= medium <= long or short < extend:
            continue
        thresholds = Thresholds(extend, short, medium, long, filter_threshold)
        per_fold = [measure(fold, thresholds, filter_rules=True, add_spans=True) for fold in folds]
        floor = _floor([score.precision for score in per_fold], margin)
        candidates.append((floor >= target_precision, pooled(per_fold).f1, floor, -extend, thresholds))
    reached = [c for c in candidates if c[0]]
    if reached:
        return max(reached, key=lambda c: (c[1], c[2], c[3]))[4], True
    return max(candidates, key=lambda c: (c[2], c[1]))[4], False


def choose_unfamiliar(folds: Sequence[Sequence[HeldOut]], thresholds: Thresholds, target_precision: float,
                      margin: float = MARGIN_SD) -> Unfamiliar | None:
    """Span thresholds for the less familiar half of the held-out articles, chosen on them alone
    by the same rule (the filter and the extension threshold stay as ``thresholds``, so a
    finding's probability and the runs of tokens are what they are for any article); None when
    the articles' familiarity was not measured or every fold lacks such articles."""
    familiarity = sorted(article.familiarity for fold in folds for article in fold)
    below = familiarity[len(familiarity) // 2] if familiarity else 1.0
    unfamiliar = [[article for article in fold if article.familiarity < below] for fold in folds]
    unfamiliar = [fold for fold in unfamiliar if fold]
    if len(unfamiliar) < 2:
        return None  # one fold gives no spread to keep a margin for
    chosen, _ = _best_spans(unfamiliar, (thresholds.extend,), thresholds.filter, target_precision, margin)
    return Unfamiliar(round(below, 4), chosen)


def _floor(precisions: Sequence[float], margin: float) -> float:
    """The folds' mean precision less ``margin`` standard deviations of it."""
    spread = Spread.of(precisions)
    return spread.mean - margin * spread.sd


def figures(held: Sequence[HeldOut], thresholds: Thresholds,
            unfamiliar: Unfamiliar | None = None) -> dict[str, dict[str, Any]]:
    """Span identification on the held-out part for rules alone and each mode."""
    return {name: measure(held, thresholds, filter_rules=f, add_spans=a, unfamiliar=unfamiliar).to_dict()
            for name, (f, a) in MODES.items()}


def out_of_fold(folds: Sequence[Sequence[HeldOut]], target_precision: float,
                margin: float = MARGIN_SD) -> dict[str, dict[str, Any]]:
    """Per mode, each fold's figures at thresholds (and thresholds for unfamiliar articles)
    chosen without it, and their mean ± sd."""
    scores: dict[str, list[SpanScore]] = {mode: [] for mode in MODES}
    for number, fold in enumerate(folds):
        others = [other for index, other in enumerate(folds) if index != number]
        thresholds, _ = choose_thresholds(others, target_precision, margin)
        unfamiliar = choose_unfamiliar(others, thresholds, target_precision, margin)
        for mode, (filter_rules, add_spans) in MODES.items():
            scores[mode].append(measure(fold, thresholds, filter_rules=filter_rules, add_spans=add_spans,
                                        unfamiliar=unfamiliar))
    return {mode: {"per_fold": [score.to_dict() for score in per_fold],
                   **{name: Spread.of([getattr(score, name) for score in per_fold]).to_dict()
                      for name in ("precision", "recall", "f1")}}
            for mode, per_fold in scores.items()}


@dataclass(frozen=True)
class ReliabilityBin:
    """Candidate spans whose probability falls in [low, high): how many, and how precise."""

    low: float
    high: float
    spans: int
    mean_probability: float
    precision: float

    def to_dict(self) -> dict[str, float | int]:
        return {"low": self.low, "high": self.high, "spans": self.spans,
                "mean_probability": round(self.mean_probability, 4), "precision": round(self.precision, 4)}


class ReliabilityCurve:
    """Candidate spans at ``extend`` (whatever their length threshold), binned by their mean
    marginal, with the share of their characters inside gold spans (span precision, as
    ``eval``), added up article by article (``eval`` adds each as it scans it)."""

    def __init__(self, extend: float):
        self.extend = extend
        self.sums: dict[int, list[float]] = {}  # bin -> [spans, summed probability, summed precision]

    def add(self, article: HeldOut) -> None:
        gold = merge(article.gold)
        for start, end, _tokens, probability in article.runs(self.extend):
            index = min(bisect.bisect_right(RELIABILITY_EDGES, probability) - 1, len(RELIABILITY_EDGES) - 2)
            if index >= 0:
                entry = self.sums.setdefault(index, [0, 0.0, 0.0])
                entry[0] += 1
                entry[1] += probability
                entry[2] += overlap((start, end), gold) / (end - start)

    def bins(self) -> list[ReliabilityBin]:
        return [ReliabilityBin(RELIABILITY_EDGES[i], RELIABILITY_EDGES[i + 1], int(count), total / count, hits / count)
                for i, (count, total, hits) in sorted(self.sums.items())]


class SpansByFamiliarity:
    """The learned spans of evaluated articles on either side of a model's familiarity line
    (``train --familiarity``), at the thresholds a scan gives each article, with their precision:
    whether the articles are new to the model, and what that costs it here."""

    def __init__(self, model: LearnedModel):
        self.model = model
        self.articles: Counter[bool] = Counter()  # per side (less familiar?): articles
        self.spans: dict[bool, SpanScore] = {}  # and their learned spans against the labels

    def add(self, article: HeldOut, words: Sequence[str]) -> None:
        if self.model.unfamiliar is None or self.model.familiarity is None:
            return
        article.familiarity = self.model.familiarity.of(words)
        side = article.familiarity < self.model.unfamiliar.below
        self.articles[side] += 1
        self.spans.setdefault(side, SpanScore()).pool(measure(
            [article], self.model.thresholds, filter_rules=False, add_spans=True, rules=False,
            unfamiliar=self.model.unfamiliar))

    def rows(self) -> list[dict[str, Any]]:
        """Per side (less familiar first): articles, learned spans and their span precision."""
        return [{"less_familiar": side, "articles": self.articles[side], "learned_spans": score.predicted,
                 "precision": round(score.precision, 4) if score.predicted else None}
                for side, score in sorted(self.spans.items(), reverse=True)]


def reliability(held: Sequence[HeldOut], extend: float) -> list[ReliabilityBin]:
    """The reliability curve of these articles (see :class:`ReliabilityCurve`)."""
    curve = ReliabilityCurve(extend)
    for article in held:
        curve.add(article)
    return curve.bins()


def threshold_curve(held: Sequence[HeldOut], base: Thresholds) -> Iterator[tuple[float, SpanScore, SpanScore]]:
    """(threshold, learned spans alone, rules and learned spans) with every span threshold at one value."""
    for value in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        thresholds = Thresholds(min(base.extend, value), value, value, value, base.filter)
        yield (value, measure(held, thresholds, filter_rules=False, add_spans=True, rules=False),
               measure(held, thresholds, filter_rules=False, add_spans=True))
