"""A whole document tagged at once: every token's score from the model's weights, and every
sequence's marginals, as array operations (numpy) over all of a document's tokens.

Scoring one sentence at a time in Python cost a scan with a model four to five times a scan
without one. Here Python runs per distinct spelling (the first time the model sees it), per
sentence with findings or quotations, and per finding; everything done per token is numpy's.
The results equal the sums of the feature strings' weights (:func:`framecheck.learn.features.sequence_features`)
and CRFsuite's own forward-backward, as tests check.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .features import AFTER, BEFORE, MAX_SCORE, NEAR, DocumentTokens, word_features

NEIGHBOUR_PREFIXES = ("w-1=", "w-2=", "w+1=", "w+2=")  # the word is the token's left, 2nd left, right, 2nd right
PAIR_PREFIXES = ("b-=", "b+=")  # the pair ends at the token, starts at it
MAX_CACHED_WORDS = 200_000  # spellings remembered before the table starts afresh
POSITIONS, LENGTH_CLASSES = 5, 6  # p= and e= run 0..4, n= 0..5


def _pair_words(pair: str) -> tuple[str, str]:
    """The two words of a pair feature's value, "first|second"; either may be "|" itself (a
    token of one character), which words never contain otherwise."""
    if pair.startswith("||"):
        return "|", pair[2:]
    first, _, second = pair.partition("|")
    return first, second


@dataclass(frozen=True)
class Chains:
    """Where each token stands in its chain (sentence window), worked out once per block for both
    the scores and the forward-backward pass: chain ``k`` is tokens ``edges[k]`` to ``edges[k + 1] - 1``."""

    edges: np.ndarray
    lengths: np.ndarray  # tokens per chain
    chain: np.ndarray  # per token: its chain
    before: np.ndarray  # per token: tokens of its chain before it
    after: np.ndarray  # per token: tokens of its chain after it

    @classmethod
    def of(cls, bounds: Sequence[int]) -> Chains:
        edges = np.asarray(bounds, np.int64)
        lengths = np.diff(edges)
        chain = np.repeat(np.arange(len(lengths)), lengths)
        index = np.arange(int(edges[-1]) if len(edges) else 0)
        return cls(edges, lengths, chain, index - edges[:-1][chain], edges[1:][chain] - 1 - index)


class WeightTables:
    """A model's weights as arrays. Per distinct spelling (one row, added the first time it is
    seen): the summed weight of its own features, its weights as each kind of neighbour and
    its number among the words of pair features. Pairs are sorted integer keys, looked up for
    all tokens by one binary search. The rows grow as documents come, so a table serves one scan
    at a time (a process scans one document at a time; workers each load their own model)."""

    def __init__(self, weights: Mapping[str, float]):
        self.weights = weights
        neighbours: dict[str, list[float]] = {}
        pairs: dict[tuple[str, str], list[float]] = {}
        neighbour_slots = {prefix: slot for slot, prefix in enumerate(NEIGHBOUR_PREFIXES)}
        pair_slots = {prefix: slot for slot, prefix in enumerate(PAIR_PREFIXES)}
        for name, weight in weights.items():  # one pass, each name split once: the fastest way found
            prefix, equals, value = name.partition("=")
            kind = prefix + equals
            if kind in neighbour_slots:
                neighbours.setdefault(value, [0.0] * 4)[neighbour_slots[kind]] = weight
            elif kind in pair_slots:
                pairs.setdefault(_pair_words(value), [0.0, 0.0])[pair_slots[kind]] = weight
        self.neighbours = neighbours
        self.pair_words = {word: number for number, word in enumerate(sorted({w for pair in pairs for w in pair}))}
        number = self.pair_words.__getitem__
        keys = np.array([number(first) for first, _ in pairs], np.int64) * len(self.pair_words)
        keys += np.array([number(second) for _, second in pairs], np.int64)
        order = np.argsort(keys, kind="stable")
        self.pair_keys = keys[order]
        self.pair_weights = np.array(list(pairs.values()), np.float64).reshape(-1, 2)[order]
        self.before = np.array(neighbours.get(BEFORE, [0.0] * 4))
        self.after = np.array(neighbours.get(AFTER, [0.0] * 4))
        self.before_word, self.after_word = self.pair_words.get(BEFORE, -1), self.pair_words.get(AFTER, -1)
        get = weights.get
        self.starts_at = np.array([get(f"p={index}", 0.0) for index in range(POSITIONS)])
        self.ends_at = np.array([get(f"e={index}", 0.0) for index in range(POSITIONS)])
        self.lengths = np.array([get(f"n={index}", 0.0) for index in range(LENGTH_CLASSES)])
        self._forget()

    def _forget(self) -> None:
        self.rows: dict[str, int] = {}
        self.own = np.zeros(1024)
        self.around = np.zeros((1024, 4))
        self.pair_word = np.full(1024, -1, np.int64)

    def rows_of(self, words: Sequence[str]) -> np.ndarray:
        """Each token's row, adding the spellings not seen before."""
        rows = np.fromiter(map(self.rows.get, words, itertools.repeat(-1)), np.int64, len(words))
        unseen = np.flatnonzero(rows < 0).tolist()
        if unseen:
            new = sorted({words[index] for index in unseen})
            if self.rows and len(self.rows) + len(new) > MAX_CACHED_WORDS:
                self._forget()  # a document of more new spellings than that is taken whole, then forgotten
                return self.rows_of(words)
            self._add(new)
            rows[unseen] = [self.rows[words[index]] for index in unseen]
        return rows

    def _add(self, spellings: list[str]) -> None:
        first = len(self.rows)
        needed = first + len(spellings)
        if needed > len(self.own):
            size = max(needed, 2 * len(self.own))
            self.own = np.resize(self.own, size)
            self.around = np.resize(self.around, (size, 4))
            self.pair_word = np.resize(self.pair_word, size)
        get, nothing, zeros = self.weights.get, [0.0] * 4, itertools.repeat(0.0)
        described = [word_features(spelling) for spelling in spellings]
        self.own[first:needed] = [get(itself, 0.0) + sum(map(get, static, zeros)) for _, itself, static in described]
        self.around[first:needed] = [self.neighbours.get(lower, nothing) for lower, _, _ in described]
        self.pair_word[first:needed] = [self.pair_words.get(lower, -1) for lower, _, _ in described]
        self.rows.update(zip(spellings, range(first, needed)))

    def emissions(self, tokens: DocumentTokens, chains: Chains) -> np.ndarray:
        """Each token's inside-minus-outside score: its word's, its neighbours' and its pairs',
        its position's, its sentence's, and those of the findings and quotations on and near it
        (``chains``: ``Chains.of(tokens.bounds)``)."""
        if not tokens.words:
            return np.zeros(0)
        position, remaining = chains.before, chains.after
        rows = self.rows_of(tokens.words)
        scores = self.own[rows] + self._sentence_weights(tokens)[chains.chain]
        scores += self.starts_at[np.minimum(position, POSITIONS - 1)]
        scores += self.ends_at[np.minimum(remaining, POSITIONS - 1)]
        scores += self.lengths[np.minimum(chains.lengths // 10, LENGTH_CLASSES - 1)][chains.chain]
        scores += self._neighbour_weights(self.around[rows], position, remaining)
        scores += self._pair_scores(self.pair_word[rows], position, remaining)
        self._add_findings_and_quotes(tokens, scores)
        return scores

    def _sentence_weights(self, tokens: DocumentTokens) -> np.ndarray:
        """Per sequence: the bias, its flags and the techniques found in it."""
        get = self.weights.get
        shared = np.full(len(tokens), get("b", 0.0))
        for index in [index for index, flags in enumerate(tokens.flags) if flags or tokens.cues[index]]:
            shared[index] += sum(get(flag, 0.0) for flag in tokens.flags[index]) + sum(
                get("st=" + technique, 0.0) for technique in {cue.technique for cue in tokens.cues[index]})
        return shared

    def _neighbour_weights(self, around: np.ndarray, position: np.ndarray, remaining: np.ndarray) -> np.ndarray:
        """What each token's two words either side weigh, the sentence's ends standing in beyond it."""
        left, second_left, right, second_right = (np.empty(len(around)) for _ in range(4))
        left[1:], second_left[2:] = around[:-1, 0], around[:-2, 1]
        right[:-1], second_right[:-2] = around[1:, 2], around[2:, 3]
        left[position == 0] = self.before[0]
        second_left[position <= 1] = self.before[1]
        right[remaining == 0] = self.after[2]
        second_right[remaining <= 1] = self.after[3]
        return left + second_left + right + second_right

    def _pair_scores(self, words: np.ndarray, position: np.ndarray, remaining: np.ndarray) -> np.ndarray:
        """The weights of the pair that ends at each token and of the one that starts at it."""
        count = len(words)
        if not len(self.pair_keys):
            return np.zeros(count)
        previous, following = np.empty_like(words), np.empty_like(words)
        previous[1:], following[:-1] = words[:-1], words[1:]
        previous[position == 0] = self.before_word
        following[remaining == 0] = self.after_word
        firsts, seconds = np.concatenate([previous, words]), np.concatenate([words, following])
        keys = firsts * len(self.pair_words) + seconds
        found = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
        known = (firsts >= 0) & (seconds >= 0) & (self.pair_keys[found] == keys)
        weights = np.where(known, self.pair_weights[found, np.repeat([0, 1], count)], 0.0)
        return weights[:count] + weights[count:]

    def _add_findings_and_quotes(self, tokens: DocumentTokens, scores: np.ndarray) -> None:
        """A finding's weights on the tokens it covers and the NEAR tokens either side; a
        quotation's on the tokens inside it (once per quotation that holds them). Added up as
        changes at the edges of each stretch, then summed along the document once."""
        get = self.weights.get
        quoted = get("q", 0.0)
        edges: list[int] = []
        changes: list[float] = []
        for index in [index for index, cues in enumerate(tokens.cues) if cues or tokens.quotes[index]]:
            low, high = tokens.bounds[index], tokens.bounds[index + 1]
            for cue in tokens.cues[index]:
                first, following = tokens.covered(index, cue.start, cue.end)
                on = get("in", 0.0) + get("r=" + cue.rule_id, 0.0) + get("t=" + cue.technique, 0.0)
                on += sum(get("c=" + context, 0.0) for context in cue.context)
                near = get("nt=" + cue.technique, 0.0)
                edges += (max(low, first - NEAR), first, following, min(high, following + NEAR))
                changes += (near, on - near, near - on, -near)
            for quote_start, quote_end in tokens.quotes[index]:
                inside = bisect.bisect_left(tokens.starts, quote_start, low, high)
                outside = bisect.bisect_right(tokens.ends, quote_end, low, high)
                if outside > inside:
                    edges += (inside, outside)
                    changes += (quoted, -quoted)
        if edges:
            scores += np.cumsum(np.bincount(edges, changes, len(scores) + 1)[:-1])


def forward_backward(scores: np.ndarray, chains: Chains, transitions: Mapping[str, float]) -> np.ndarray:
    """Marginal probability of the inside label at each token of each two-label chain.

    ``scores[t]`` is the inside label's state score minus the outside label's (the outside
    label's potential is taken as 1). With M_t = [[oo, oi x_t], [io, ii x_t]] (x_t = exp of the
    score), the forward message at t is the first row of F M_1 ... M_t (F puts the chain's start
    in), the backward one N_{t+1} ... N_last [1, 1]. Both are products of 2x2 matrices along a
    chain, so both are computed at once, for all tokens, by :func:`_chain_products`; the backward
    products are kept transposed and in reverse order, which makes them run the same way.
    """
    count = len(scores)
    if not count:
        return np.zeros(0)
    oo, oi, io, ii = (math.exp(transitions.get(key, 0.0)) for key in ("OO", "OI", "IO", "II"))
    inside = np.exp(np.clip(scores, -MAX_SCORE, MAX_SCORE))
    edges = chains.edges
    matrices = np.empty((4, 2 * count))  # rows: a, b, c, d of [[a, b], [c, d]]; forward, then backward
    forward, backward = matrices[:, :count], matrices[:, count:]
    forward[0], forward[1], forward[2], forward[3] = oo, oi * inside, io, ii * inside
    firsts = edges[:-1]
    forward[0, firsts], forward[1, firsts], forward[2, firsts], forward[3, firsts] = 1.0, inside[firsts], 1.0, \
        inside[firsts]
    following = np.ones(count)
    following[:-1] = inside[1:]
    backward[0], backward[1], backward[2], backward[3] = oo, io, (oi * following)[::-1], (ii * following)[::-1]
    lasts = count - edges[1:]  # each chain's last token, counted from the end
    backward[0, lasts], backward[1, lasts], backward[2, lasts], backward[3, lasts] = 1.0, 0.0, 0.0, 1.0
    _chain_products(matrices, np.concatenate([chains.before, chains.after[::-1]]), int(chains.lengths.max()))
    alpha_inside = forward[1] / (forward[0] + forward[1])
    transposed = backward[:, ::-1]
    beta_outside, beta_inside = transposed[0] + transposed[2], transposed[1] + transposed[3]
    mass = alpha_inside * beta_inside
    return mass / ((1.0 - alpha_inside) * beta_outside + mass)


def _chain_products(matrices: np.ndarray, reach: np.ndarray, longest: int) -> None:
    """Turn each 2x2 matrix (columns of ``matrices``, entries a, b, c, d in rows) into the
    product of the ones before it in its chain and itself, in place. ``reach[t]``: how many
    matrices of its chain lie before t. By doubling: t takes in t - 1, then t - 2, t - 4, ...,
    log2 of the longest chain steps in all; each product is rescaled to sum 1, so nothing
    overflows (the messages are ratios)."""
    square = matrices.reshape(2, 2, -1)  # [row, column, token]
    step = 1
    while step < longest:
        product = np.einsum("ikt,kjt->ijt", square[:, :, :-step], square[:, :, step:])
        product /= product.sum(axis=(0, 1))
        np.copyto(square[:, :, step:], product, where=reach[step:] >= step)
        step *= 2
