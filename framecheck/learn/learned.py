"""The learned layer: a linear-chain CRF that marks propaganda spans from words and rule findings.

Word lists stop near span F1 0.29 on the labelled corpus (``bench/ceiling.py``): most labelled
propaganda is phrased in ways no list anticipates. A model trained on the user's own labelled
articles learns those phrasings, and the rule findings are among its features, so it also
learns which findings its labels agree with.

Each sentence is a sequence of tokens labelled inside (``I``) or outside (``O``) a span. The
features of a token are strings (its word, its neighbours, its shape, the rules and
techniques that found something on or near it, where it stands); training
(:mod:`framecheck.learn.training`, with python-crfsuite) fits one weight per feature and label. With
two labels only the difference of a feature's two weights matters, so a model file keeps that
difference per feature and the four transition weights, as plain JSON in a zip file: a scan
with a model needs numpy, not CRFsuite, and computes the marginals itself, a whole document at
once (:mod:`framecheck.learn.tagging`), exactly as CRFsuite would (a test compares them).

How the marginals are used, with thresholds chosen on held-out labels when the model was
trained (see :class:`Thresholds`): a rule finding whose tokens score low is dropped (mode
``filter``); a run of tokens that score high becomes a ``learned-span`` finding (mode ``add``).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..core.model import Finding
from .familiarity import Familiarity
from .features import AFTER, BEFORE, LONG_SPAN, SHORT_SPAN, DocumentTokens
from .tagging import Chains, WeightTables, forward_backward


@dataclass(frozen=True)
class Thresholds:
    """How marginals become decisions, chosen on held-out labels at training time.

    ``extend``: a token at or above it may be part of a learned span; a run of such tokens is
    kept when its mean marginal reaches ``short`` (up to 3 tokens), ``medium`` (up to 7) or
    ``long`` (8 or more: long runs are the least precise). ``filter``: a rule finding whose
    tokens' mean marginal is below it is dropped in mode ``filter``.
    """

    extend: float = 0.5
    short: float = 0.5
    medium: float = 0.7
    long: float = 0.9
    filter: float = 0.1

    def for_length(self, tokens: int) -> float:
        return self.short if tokens <= SHORT_SPAN else self.medium if tokens < LONG_SPAN else self.long


@dataclass(frozen=True)
class LearnedSpan:
    """A run of tokens the model marks as one propaganda span."""

    start: int
    end: int
    probability: float  # the mean marginal of its tokens
    tokens: tuple[int, int]  # first and last token index within its sequence
    sequence: int = 0  # which of the document's sequences holds it


@dataclass(frozen=True)
class Unfamiliar:
    """Stricter span thresholds for an article less familiar than ``below`` to the model (see
    :mod:`framecheck.learn.familiarity`), chosen on the less familiar half of the held-out
    articles."""

    below: float
    thresholds: Thresholds


def thresholds_at(familiarity: float, usual: Thresholds, unfamiliar: Unfamiliar | None) -> Thresholds:
    """The thresholds for an article this familiar to the model: ``unfamiliar``'s below its line."""
    return unfamiliar.thresholds if unfamiliar is not None and familiarity < unfamiliar.below else usual


@dataclass
class LearnedModel:
    """A trained model: feature weights (I minus O), transitions, thresholds and what training
    measured. ``transitions`` maps "OO", "OI", "IO", "II" (from, to) to weights. ``unfamiliar``:
    the thresholds for articles unlike the training articles, whose ``familiarity`` profile
    tells them (None for a model trained without them, or before they existed: its thresholds
    then hold for every article)."""

    weights: dict[str, float]
    transitions: dict[str, float]
    thresholds: Thresholds = Thresholds()
    meta: dict[str, Any] = field(default_factory=dict)
    unfamiliar: Unfamiliar | None = None
    familiarity: Familiarity | None = None

    def thresholds_for(self, words: Sequence[str]) -> Thresholds:
        """The span thresholds for an article, given as the words of its first block: the
        stricter ones when it is unlike the training articles."""
        if self.unfamiliar is None or self.familiarity is None:
            return self.thresholds
        return thresholds_at(self.familiarity.of(words), self.thresholds, self.unfamiliar)

    @cached_property
    def tables(self) -> WeightTables:
        """The weights laid out for scoring whole documents, without a feature string per token
        (built once; kept by the model cache). Tests hold the scores equal to the sums of the
        feature strings' weights, and the marginals to CRFsuite's."""
        return WeightTables(self.weights)

    def document_marginals(self, tokens: DocumentTokens) -> np.ndarray:
        """P(token inside a span) for every token of the block, each sequence its own chain."""
        chains = Chains.of(tokens.bounds)
        return forward_backward(self.tables.emissions(tokens, chains), chains, self.transitions)

    def held_out_precision(self, probability: float) -> float | None:
        """The precision that candidate spans of about this probability had on the held-out folds
        when the model was trained (its reliability curve), or None if it records none: the
        model's probabilities run high, and a reader should see what they have been worth."""
        for row in self.meta.get("reliability") or ():
            if row["low"] <= probability < row["high"] or (probability == row["high"] == 1.0):
                return float(row["precision"])
        return None

    def rule_differences(self, rule_ids: Iterable[str], shown: int = 3) -> str | None:
        """How the rules a scan runs differ from those the model learnt from, in words (None when
        they are the same, or the model, trained before models recorded them, does not say)."""
        trained = self.meta.get("rules")
        if not isinstance(trained, list):
            return None
        trained_with, running = {str(rule) for rule in trained}, set(rule_ids)
        missing, unseen = sorted(trained_with - running), sorted(running - trained_with)
        if not missing and not unseen:
            return None

        def some(ids: list[str]) -> str:
            return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")

        parts = ([f"{len(missing)} of its {len(trained_with)} rules do not run here ({some(missing)})"] if missing
                 else []) + ([f"{len(unseen)} rules run here that it never saw ({some(unseen)})"] if unseen else [])
        return "; ".join(parts)

    def strongest(self, features: Sequence[Sequence[str]], count: int = 3) -> list[tuple[str, float]]:
        """The features that pushed these tokens towards a span the most, with their summed weight
        (leaving out the bias and the position features, which explain nothing to a reader)."""
        weights = self.weights  # a sentence's features recur on every token: counted, then weighed once
        uses = Counter(filter(weights.__contains__, itertools.chain.from_iterable(features)))
        totals = [(name, weights[name] * times) for name, times in uses.items()
                  if name != "b" and name[:2] not in UNEXPLAINING]
        ranked = sorted((item for item in totals if item[1] > 0), key=lambda item: (-item[1], item[0]))
        return ranked[:count]


UNEXPLAINING = frozenset({"p=", "e=", "n="})


def decode(tokens: DocumentTokens, marginals: np.ndarray, thresholds: Thresholds) -> list[LearnedSpan]:
    """Runs of tokens at or above ``thresholds.extend`` within one sequence, without punctuation
    at either end, kept when their mean marginal passes the threshold for their length."""
    high = np.flatnonzero(marginals >= thresholds.extend)
    if not len(high):
        return []
    begins_sequence = np.zeros(len(marginals) + 1, bool)
    begins_sequence[tokens.bounds] = True
    # a run ends where the next high token is not the next token, or begins another sequence
    breaks = np.flatnonzero((np.diff(high) != 1) | begins_sequence[high[1:]])
    text, starts, ends, bounds = tokens.text, tokens.starts, tokens.ends, tokens.bounds
    spans = []
    for first, last in zip(high[np.r_[0, breaks + 1]].tolist(), high[np.r_[breaks, len(high) - 1]].tolist()):
        while first <= last and not text[starts[first]].isalnum():
            first += 1
        while last >= first and not text[starts[last]].isalnum():
            last -= 1
        if first > last:
            continue
        mean = _mean(marginals, first, last + 1)
        if mean >= thresholds.for_length(last - first + 1):
            sequence = bisect.bisect_right(bounds, first) - 1
            offset = bounds[sequence]
            spans.append(LearnedSpan(starts[first], ends[last], mean, (first - offset, last - offset), sequence))
    return spans


def finding_probability(finding: Finding, tokens: DocumentTokens, marginals: np.ndarray) -> float | None:
    """The mean marginal of the tokens a finding covers in the sequence it starts in, or None if
    it starts in none (between sentences, or in one a filtering scan left out) or covers none."""
    sequence = tokens.sequence_of(finding.start)
    if sequence < 0:
        return None
    first, following = tokens.covered(sequence, finding.start, finding.end)
    return _mean(marginals, first, following) if following > first else None


def _mean(values: np.ndarray, start: int, end: int) -> float:
    """The mean of a few values (numpy's own mean costs more than the adding up, for so few)."""
    return sum(values[start:end].tolist()) / (end - start)


FEATURE_PREFIXES = {
    "w=": "the word {}", "w-1=": "after {}", "w-2=": "two words after {}", "w+1=": "before {}",
    "w+2=": "two words before {}", "b-=": "the words {}", "b+=": "the words {}", "s3=": "a word ending in -{}",
    "sh=": "word shape {}", "r=": "rule {}", "t=": "a {} finding", "nt=": "a {} finding nearby",
    "st=": "a {} finding in the sentence", "c=": "context {}", "p=": "word {} of the sentence",
    "e=": "{} words before the sentence ends", "n=": "sentence length class {}",
    "pre=": "a word beginning {}",
}
FLAG_NAMES = {"b": "any word", "in": "inside a rule finding", "q": "inside a quotation", "!": "an exclamation",
              "?": "a question", "emo": "an emoji in the sentence", "h": "the headline"}


def describe_feature(name: str) -> str:
    """A feature as a reader would say it: ``w-1=the`` is 'after "the"'."""
    if name in FLAG_NAMES:
        return FLAG_NAMES[name]
    prefix, equals, value = name.partition("=")
    template = FEATURE_PREFIXES.get(prefix + equals)
    if template is None:
        return name
    if prefix in ("w", "w-1", "w-2", "w+1", "w+2", "b-", "b+", "pre"):
        value = '"' + value.replace("|", " ").replace(BEFORE, "(start)").replace(AFTER, "(end)") + '"'
    return template.format(value)
