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
with a model needs no compiled extension and computes the marginals itself (forward-backward,
below), exactly as CRFsuite would (a test compares them).

How the marginals are used, with thresholds chosen on held-out labels when the model was
trained (see :class:`Thresholds`): a rule finding whose tokens score low is dropped (mode
``filter``); a run of tokens that score high becomes a ``learned-span`` finding (mode ``add``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..core.model import Finding
from .features import (
    AFTER,
    BEFORE,
    LONG_SPAN,
    MAX_SCORE,
    MAX_TOKENS,
    NEAR,
    SHORT_SPAN,
    TokenSequence,
    covered_tokens,
    quoted_tokens,
    word_features,
)


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
    tokens: tuple[int, int]  # first and last token index within the sequence


@dataclass
class LearnedModel:
    """A trained model: feature weights (I minus O), transitions, thresholds and what training
    measured. ``transitions`` maps "OO", "OI", "IO", "II" (from, to) to weights."""

    weights: dict[str, float]
    transitions: dict[str, float]
    thresholds: Thresholds = Thresholds()
    meta: dict[str, Any] = field(default_factory=dict)

    def emissions(self, features: Sequence[Sequence[str]]) -> list[float]:
        get = self.weights.get
        return [sum(get(name, 0.0) for name in token) for token in features]

    def marginals(self, features: Sequence[Sequence[str]]) -> list[float]:
        """P(token inside a span) for each token of one sequence (forward-backward)."""
        return forward_backward(self.emissions(features), self.transitions)

    @cached_property
    def _scorer(self) -> _Scorer:
        return _Scorer(self.weights)

    def emissions_of(self, sequence: TokenSequence) -> list[float]:
        """``emissions(sequence.features)``, from the model's tables without building a feature
        string per token (a scan's cost; a test holds the two equal)."""
        return self._scorer.emissions(sequence)

    def marginals_of(self, sequence: TokenSequence) -> list[float]:
        return forward_backward(self.emissions_of(sequence), self.transitions)

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
        totals: dict[str, float] = {}
        for token in features:
            for name in token:
                if name == "b" or name[:2] in UNEXPLAINING:
                    continue
                weight = self.weights.get(name)
                if weight:
                    totals[name] = totals.get(name, 0.0) + weight
        ranked = sorted((item for item in totals.items() if item[1] > 0), key=lambda item: (-item[1], item[0]))
        return ranked[:count]


UNEXPLAINING = frozenset({"p=", "e=", "n="})
NEIGHBOUR_PREFIXES = ("w-1=", "w-2=", "w+1=", "w+2=")  # the word is the token's left, 2nd left, right, 2nd right
PAIR_PREFIXES = ("b-=", "b+=")  # the pair ends at the token, starts at it
MAX_CACHED_WORDS = 200_000
_NO_WEIGHTS = (0.0, 0.0, 0.0, 0.0)
_NO_PAIR = (0.0, 0.0)
_NO_PAIRS: dict[str, tuple[float, float]] = {}


def _pair_words(pair: str) -> tuple[str, str]:
    """The two words of a pair feature's value, "first|second"; either may be "|" itself (a
    token of one character), which words never contain otherwise."""
    if pair.startswith("||"):
        return "|", pair[2:]
    first, _, second = pair.partition("|")
    return first, second


class _Scorer:
    """Emission scores straight from a model's weights. Per distinct spelling, everything the
    model knows of the word is looked up once and cached as one tuple: its lower case, the
    summed weight of its own features, its weights as each kind of neighbour, and the pairs it
    starts (by second word). A token then costs one look-up for itself and one for its pair.
    The sums equal those over :func:`sequence_features`."""

    def __init__(self, weights: dict[str, float]):
        self.weights = weights
        neighbours: dict[str, list[float]] = {}
        pairs: dict[str, dict[str, list[float]]] = {}
        for name, weight in weights.items():
            for slot, prefix in enumerate(NEIGHBOUR_PREFIXES):
                if name.startswith(prefix):
                    neighbours.setdefault(name[len(prefix):], [0.0] * 4)[slot] = weight
            for slot, prefix in enumerate(PAIR_PREFIXES):
                if name.startswith(prefix):
                    first, second = _pair_words(name[len(prefix):])
                    pairs.setdefault(first, {}).setdefault(second, [0.0, 0.0])[slot] = weight
        self.neighbours = {word: tuple(values) for word, values in neighbours.items()}
        self.pairs = {first: {second: (values[0], values[1]) for second, values in seconds.items()}
                      for first, seconds in pairs.items()}
        self.positions: dict[int, list[float]] = {}
        self.words: dict[str, tuple[str, float, tuple[float, ...], dict[str, tuple[float, float]]]] = {}
        self.before = (self.neighbours.get(BEFORE, _NO_WEIGHTS), self.pairs.get(BEFORE, _NO_PAIRS))
        self.after = self.neighbours.get(AFTER, _NO_WEIGHTS)

    def word(self, spelling: str) -> tuple[str, float, tuple[float, ...], dict[str, tuple[float, float]]]:
        """(lower case, the summed weight of the word's own features, its neighbour weights, the
        pairs it starts)."""
        known = self.words.get(spelling)
        if known is None:
            lower, own, static = word_features(spelling)
            get = self.weights.get
            known = (lower, get(own, 0.0) + sum(get(name, 0.0) for name in static),
                     self.neighbours.get(lower, _NO_WEIGHTS), self.pairs.get(lower, _NO_PAIRS))
            if len(self.words) >= MAX_CACHED_WORDS:
                self.words.clear()
            self.words[spelling] = known
        return known

    def position_weights(self, count: int) -> list[float]:
        """Per token of a ``count``-token sequence: its position and length features."""
        known = self.positions.get(count)
        if known is None:
            get = self.weights.get
            length = get(f"n={min(count // 10, 5)}", 0.0)
            known = [get(f"p={min(index, 4)}", 0.0) + get(f"e={min(count - 1 - index, 4)}", 0.0) + length
                     for index in range(count)]
            if count <= MAX_TOKENS:
                self.positions[count] = known
        return known

    def emissions(self, sequence: TokenSequence) -> list[float]:
        """Each token's inside-minus-outside score: its word's, its neighbours', its position's,
        and the rule findings on and near it. Kept in one piece on purpose: it runs for every
        sentence a model scores, and helper calls per token would each cost a call per token."""
        tokens, get = sequence.tokens, self.weights.get
        known, word = self.words.get, self.word
        words = [known(spelling) or word(spelling) for spelling in sequence.words]
        before_weights, before_pairs = self.before
        around = [before_weights, before_weights, *(w[2] for w in words), self.after, self.after]
        # pairs[i]: the pair that ends at token i (its first word the one before it); the last
        # one ends after the sentence
        firsts = [before_pairs, *(w[3] for w in words)]
        seconds = [*(w[0] for w in words), AFTER]
        pairs = [first.get(second, _NO_PAIR) if first else _NO_PAIR for first, second in zip(firsts, seconds)]
        shared = get("b", 0.0) + sum(get(flag, 0.0) for flag in sequence.flags)
        shared += sum(get("st=" + technique, 0.0) for technique in {cue.technique for cue in sequence.cues})
        scores = [
            shared + own[1] + position + left[0] + second_left[1] + right[2] + second_right[3] + ending[0]
            + starting[1]
            for own, position, second_left, left, right, second_right, ending, starting in zip(
                words, self.position_weights(len(tokens)), around, around[1:], around[3:], around[4:], pairs,
                pairs[1:])
        ]
        if sequence.cues:
            token_starts = [start for start, _ in tokens]
            count = len(tokens)
            for cue in sequence.cues:
                first, last = covered_tokens(tokens, token_starts, cue)
                on = get("in", 0.0) + get("r=" + cue.rule_id, 0.0) + get("t=" + cue.technique, 0.0)
                on += sum(get("c=" + context, 0.0) for context in cue.context)
                near = get("nt=" + cue.technique, 0.0)
                for index in range(max(0, first - NEAR), min(count, last + NEAR + 1)):
                    scores[index] += on if first <= index <= last else near
        if sequence.quotes:
            quoted = get("q", 0.0)
            for index in quoted_tokens(tokens, sequence.quotes):
                scores[index] += quoted
        return scores


def forward_backward(scores: Sequence[float], transitions: Mapping[str, float]) -> list[float]:
    """Marginal probability of the inside label at each position of a two-label chain.

    ``scores[t]`` is the inside label's state score minus the outside label's; the outside
    label's potential is taken as 1, which leaves every probability unchanged. Forward and
    backward vectors are rescaled at each step, so long sequences never underflow.
    """
    count = len(scores)
    if not count:
        return []
    exp = math.exp
    oo, oi, io, ii = (exp(transitions.get(key, 0.0)) for key in ("OO", "OI", "IO", "II"))
    inside = [exp(-MAX_SCORE if score < -MAX_SCORE else MAX_SCORE if score > MAX_SCORE else score) for score in scores]
    forward_inside = [0.0] * count  # forward probability of "inside", normalised per position
    alpha_o, alpha_i = 1.0, inside[0]
    total = alpha_o + alpha_i
    alpha_o, alpha_i = alpha_o / total, alpha_i / total
    forward_inside[0] = alpha_i
    for position in range(1, count):
        alpha_o, alpha_i = alpha_o * oo + alpha_i * io, (alpha_o * oi + alpha_i * ii) * inside[position]
        total = alpha_o + alpha_i
        alpha_o, alpha_i = alpha_o / total, alpha_i / total
        forward_inside[position] = alpha_i
    result = [0.0] * count
    beta_o = beta_i = 0.5
    for position in range(count - 1, -1, -1):
        if position < count - 1:
            following = inside[position + 1]
            beta_o, beta_i = oo * beta_o + oi * following * beta_i, io * beta_o + ii * following * beta_i
            total = beta_o + beta_i
            beta_o, beta_i = beta_o / total, beta_i / total
        alpha_i = forward_inside[position]
        inside_mass = alpha_i * beta_i
        result[position] = inside_mass / ((1.0 - alpha_i) * beta_o + inside_mass)
    return result


def decode(text: str, sequence: TokenSequence, marginals: Sequence[float], thresholds: Thresholds) -> list[LearnedSpan]:
    """Runs of tokens at or above ``thresholds.extend``, without punctuation at either end,
    kept when their mean marginal passes the threshold for their length."""
    spans = []
    index, count = 0, len(marginals)
    while index < count:
        if marginals[index] < thresholds.extend:
            index += 1
            continue
        first = index
        while index < count and marginals[index] >= thresholds.extend:
            index += 1
        last = index - 1
        while first <= last and not _is_word(text, sequence.tokens[first]):
            first += 1
        while last >= first and not _is_word(text, sequence.tokens[last]):
            last -= 1
        if first > last:
            continue
        mean = sum(marginals[first : last + 1]) / (last - first + 1)
        if mean >= thresholds.for_length(last - first + 1):
            spans.append(LearnedSpan(sequence.tokens[first][0], sequence.tokens[last][1], mean, (first, last)))
    return spans


def _is_word(text: str, token: tuple[int, int]) -> bool:
    return text[token[0]].isalnum()


def finding_probability(finding: Finding, sequence: TokenSequence, marginals: Sequence[float]) -> float | None:
    """The mean marginal of the tokens a finding covers in this sequence, or None if it covers none."""
    covered = [p for (start, end), p in zip(sequence.tokens, marginals) if start < finding.end and end > finding.start]
    return sum(covered) / len(covered) if covered else None


FEATURE_PREFIXES = {
    "w=": "the word {}", "w-1=": "after {}", "w-2=": "two words after {}", "w+1=": "before {}",
    "w+2=": "two words before {}", "b-=": "the words {}", "b+=": "the words {}", "s3=": "a word ending in -{}",
    "sh=": "word shape {}", "r=": "rule {}", "t=": "a {} finding", "nt=": "a {} finding nearby",
    "st=": "a {} finding in the sentence", "c=": "context {}", "p=": "word {} of the sentence",
    "e=": "{} words before the sentence ends", "n=": "sentence length class {}",
}
FLAG_NAMES = {"b": "any word", "in": "inside a rule finding", "q": "inside a quotation", "!": "an exclamation",
              "?": "a question", "h": "the headline"}


def describe_feature(name: str) -> str:
    """A feature as a reader would say it: ``w-1=the`` is 'after "the"'."""
    if name in FLAG_NAMES:
        return FLAG_NAMES[name]
    prefix, equals, value = name.partition("=")
    template = FEATURE_PREFIXES.get(prefix + equals)
    if template is None:
        return name
    if prefix in ("w", "w-1", "w-2", "w+1", "w+2", "b-", "b+"):
        value = '"' + value.replace("|", " ").replace(BEFORE, "(start)").replace(AFTER, "(end)") + '"'
    return template.format(value)
