"""What the learned layer sees of a document: its sentences as token sequences, each token with
feature strings (its word, its neighbours, its shape, the rules and techniques that found
something on or near it, where it stands), and gold labels for training.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..core.model import Document, Finding
from ..inputs.structure import sentences

FEATURE_VERSION = 2  # bump when sequence_features changes: older models then refuse to load
# Versions whose models a scan reads as they were trained: version 2 only added features (the
# first letters of Cyrillic words, an emoji in the sentence), which a version 1 model has no weight for.
READABLE_FEATURE_VERSIONS = (1, 2)
INSIDE, OUTSIDE = "I", "O"

# A token is a word (letters, digits and combining marks, with inner apostrophes) or one other
# character that is not white space, so the tokens of a stretch of text hold each of its
# characters but white space once, in order: a token's start is the position of the n-th such
# character, n the length of the tokens before it (see :class:`_Tokeniser`).
TOKENS = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:['’](?:[^\W_]|[\u0300-\u036f])+)*|\S")
# The same tokens in text without an underscore (the only word character words leave out), in
# half the time: one character class instead of an alternation per character.
TOKENS_WITHOUT_UNDERSCORES = re.compile(r"[\w\u0300-\u036f]+(?:['’][\w\u0300-\u036f]+)*|\S")
SPACE_LIMIT = 0x3001  # no character from here on is white space (U+3000 is the last; a test checks)
IS_SPACE = np.array([chr(code).isspace() for code in range(SPACE_LIMIT)] + [False])  # as \s and str.isspace
MAX_TOKENS = 200  # a longer sentence is tagged in windows of this many tokens
MAX_CHUNK = 20_000  # characters: a longer sentence is cut at white space before it is split into words
BLOCK_GAP = 16  # characters between sentences split into words together
BLOCK_CHARACTERS = 200_000  # a document is tagged this many characters of sentences at a time
WHITE_SPACE = re.compile(r"\s")
# What a sentence holds that its tokens are flagged for (in this order): "!", "?", and "emo", an
# emoji or pictograph (‼, ☢, ✅, ⚡, 🔥 and the like: Telegram posts that manipulate are rich in them)
SENTENCE_MARKS = (re.compile("!"), re.compile(r"\?"),
                  re.compile("[\u203c\u2049\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]"))
SENTENCE_FLAGS = ("!", "?", "emo", "h")  # "h": the sentence starts in the headline
NEAR = 3  # tokens either side of a finding that learn "a finding of technique T is near"
BEFORE, AFTER = "<", ">"  # the words beyond either end of a sentence
LONG_SPAN, SHORT_SPAN = 8, 3  # tokens: spans are judged by length, the longer more strictly
MAX_SCORE = 50.0  # emission scores are clamped so exp() never overflows
STEM_LETTERS = 5  # a Cyrillic word longer than this also gives its first letters as a feature (pre=)
# The features that name words (the token's own, its neighbours', the pairs it is in): they learn
# the vocabulary of the training articles' stories as well as their devices, so training may
# weigh them down (TrainingSettings.word_value); suffixes, shapes and first letters carry over
# to words never seen and are not among them.
WORD_PREFIXES = ("w=", "w-1=", "w-2=", "w+1=", "w+2=", "b-=", "b+=")


@dataclass(frozen=True)
class Cue:
    """What the features use of one rule finding."""

    start: int
    end: int
    rule_id: str
    technique: str
    context: tuple[str, ...] = ()

    @classmethod
    def of(cls, finding: Finding) -> Cue:
        return cls(finding.start, finding.end, finding.rule_id, finding.technique, finding.context)


@dataclass(frozen=True)
class TokenSequence:
    """One sentence (or window of a long one) of a document's ``text``: its tokens, the findings
    overlapping it (``cues``), features every token gets (``flags``) and the quotations over it.

    ``features`` (strings, as training needs them) are built only when asked for: a scan scores
    a whole document's tokens straight from the model's tables (:class:`DocumentTokens`).
    """

    text: str = field(repr=False)
    tokens: tuple[tuple[int, int], ...]
    words: tuple[str, ...]  # text[start:end] of each token
    cues: tuple[Cue, ...] = ()
    flags: tuple[str, ...] = ()
    quotes: tuple[tuple[int, int], ...] = ()

    @cached_property
    def features(self) -> tuple[tuple[str, ...], ...]:
        return sequence_features(self.text, self.tokens, self.cues, self.flags, self.quotes)

    def features_of(self, first: int, last: int) -> tuple[tuple[str, ...], ...]:
        """The features of tokens ``first`` to ``last`` only."""
        if "features" in self.__dict__:
            return self.features[first : last + 1]
        return sequence_features(self.text, self.tokens, self.cues, self.flags, self.quotes, range(first, last + 1))


def word_features(word: str) -> tuple[str, str, tuple[str, ...]]:
    """(lower case, the feature for the word itself, its shape and suffix features); a scan
    works this out once per distinct spelling (see :class:`framecheck.learn.tagging.WeightTables`)."""
    lower = word.lower()
    if word.isupper() and len(word) > 1:
        shape = "sh=UP"
    elif word[:1].isupper():
        shape = "sh=Cap"
    elif word.isdigit():
        shape = "sh=D"
    elif not word[:1].isalnum():
        shape = "sh=P"
    else:
        shape = "sh=low"
    static = (shape, "s3=" + lower[-3:]) if len(lower) > 3 else (shape,)
    if len(lower) > STEM_LETTERS and "\u0400" <= lower[0] <= "\u04ff":
        static += ("pre=" + lower[:STEM_LETTERS],)  # Cyrillic words inflect: their first letters stay
    return lower, "w=" + lower, static


def sequence_features(
    text: str, tokens: Sequence[tuple[int, int]], cues: Sequence[Cue], flags: Sequence[str],
    quotes: Sequence[tuple[int, int]] = (), only: range | None = None,
) -> tuple[tuple[str, ...], ...]:
    """The features of each token of one sentence (of the tokens in ``only``, when given: an
    explanation needs those of a span, not of its whole sentence).

    ``cues`` are the findings overlapping the sentence, ``flags`` features every token of the
    sentence gets (an exclamation, a question, the headline), ``quotes`` the (start, end) of
    the quotations that overlap it.
    """
    count = len(tokens)
    wanted = range(count) if only is None else only
    # the lower case of the wanted tokens and two either side (the sentence's ends beyond it)
    lower = [BEFORE, BEFORE, *([""] * count), AFTER, AFTER]
    for index in range(max(0, wanted.start - 2), min(count, wanted.stop + 2)):
        lower[index + 2] = text[tokens[index][0] : tokens[index][1]].lower()
    shared = ("b", f"n={min(count // 10, 5)}", *flags, *sorted({"st=" + cue.technique for cue in cues}))
    features: dict[int, list[str]] = {}
    for index in wanted:
        here = index + 2
        word = lower[here]
        _, own, static = word_features(text[tokens[index][0] : tokens[index][1]])
        features[index] = [
            *shared, own, *static, f"p={min(index, 4)}", f"e={min(count - 1 - index, 4)}",
            "w-1=" + lower[here - 1], "w-2=" + lower[here - 2], "w+1=" + lower[here + 1], "w+2=" + lower[here + 2],
            "b-=" + lower[here - 1] + "|" + word, "b+=" + word + "|" + lower[here + 1],
        ]
    token_starts = [start for start, _ in tokens]
    for cue in cues:
        first, last = covered_tokens(tokens, token_starts, cue)
        for index in range(max(0, first - NEAR), min(count, last + NEAR + 1)):
            if index not in features:
                continue
            if first <= index <= last:
                features[index].extend(("in", "r=" + cue.rule_id, "t=" + cue.technique))
                features[index].extend("c=" + context for context in cue.context)
            else:
                features[index].append("nt=" + cue.technique)
    for index in quoted_tokens(tokens, quotes):
        if index in features:
            features[index].append("q")
    return tuple(tuple(features[index]) for index in wanted)


def covered_tokens(tokens: Sequence[tuple[int, int]], token_starts: Sequence[int], cue: Cue) -> tuple[int, int]:
    """Indexes of the first and last token a finding overlaps (first > last: none)."""
    first = bisect.bisect_right(token_starts, cue.start) - 1
    first = first if first >= 0 and tokens[first][1] > cue.start else first + 1
    return first, bisect.bisect_left(token_starts, cue.end) - 1


def quoted_tokens(tokens: Sequence[tuple[int, int]], quotes: Sequence[tuple[int, int]]) -> Iterator[int]:
    """Indexes of the tokens inside a quotation, once per quotation that holds them."""
    for quote_start, quote_end in quotes:
        for index, (start, end) in enumerate(tokens):
            if quote_start <= start and end <= quote_end:
                yield index


class _Tokeniser:
    """Splits ranges of one text into tokens with no Python code per token: each range's tokens
    come from one ``findall`` (C), their lengths from ``map(len)``, and their offsets from where
    the range's characters that are not white space lie (numpy), since tokens hold exactly those,
    in order."""

    def __init__(self, text: str):
        self.text = text
        self.findall = (TOKENS if "_" in text else TOKENS_WITHOUT_UNDERSCORES).findall
        self.words: list[str] = []  # the tokens of every range, in order
        self.starts: list[np.ndarray] = []  # their starts, a chunk at a time
        self.lengths: list[np.ndarray] = []  # and their lengths
        self.counts: list[int] = []  # tokens of each range added

    def add(self, start: int, end: int) -> int:
        """Tokenise ``text[start:end]``; returns how many tokens it holds."""
        count = 0
        for chunk_start, chunk_end in _chunks(self.text, start, end):
            words = self.findall(self.text, chunk_start, chunk_end)
            if words:
                lengths = np.fromiter(map(len, words), np.int64, len(words))
                codes = np.frombuffer(self.text[chunk_start:chunk_end].encode("utf-32-le", "surrogatepass"), np.uint32)
                not_space = np.flatnonzero(~IS_SPACE[np.minimum(codes, SPACE_LIMIT)])
                self.starts.append(not_space[np.cumsum(lengths) - lengths] + chunk_start)
                self.lengths.append(lengths)
                self.words.extend(words)
                count += len(words)
        self.counts.append(count)
        return count

    def finish(self) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
        """Every token's start, end and spelling."""
        if not self.words:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), ()
        starts = np.concatenate(self.starts)
        return starts, starts + np.concatenate(self.lengths), tuple(self.words)


def _chunks(text: str, start: int, end: int, size: int = MAX_CHUNK) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` in pieces of about ``size`` characters cut at white space (or anywhere,
    in a run of ``size`` characters without any), so one enormous sentence never becomes one
    enormous list."""
    while end - start > size:
        space = WHITE_SPACE.search(text, start + size // 2, start + size)
        cut = space.start() if space else start + size
        yield start, cut
        start = cut
    if end > start:
        yield start, end


@dataclass(frozen=True)
class DocumentTokens:
    """A document's sentences (long ones in windows of MAX_TOKENS) as one run of tokens:
    sequence ``k`` is tokens ``bounds[k]`` to ``bounds[k + 1] - 1``. A model scores all of them
    in one go (:meth:`LearnedModel.document_marginals`); :meth:`sequence` gives one as a
    :class:`TokenSequence`, with feature strings, for training and explanations."""

    text: str = field(repr=False)
    starts: list[int]
    ends: list[int]
    words: tuple[str, ...]
    bounds: list[int]  # where each sequence's tokens begin, then the number of tokens
    cues: tuple[tuple[Cue, ...], ...]  # per sequence: the findings overlapping it
    flags: tuple[tuple[str, ...], ...]  # per sequence: features all its tokens get
    quotes: tuple[tuple[tuple[int, int], ...], ...]  # per sequence: the quotations overlapping it

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def sequence(self, index: int) -> TokenSequence:
        first, following = self.bounds[index], self.bounds[index + 1]
        return TokenSequence(self.text, tuple(zip(self.starts[first:following], self.ends[first:following])),
                             self.words[first:following], self.cues[index], self.flags[index], self.quotes[index])

    @cached_property
    def sequences(self) -> tuple[TokenSequence, ...]:
        return tuple(self.sequence(index) for index in range(len(self)))

    def sequence_of(self, offset: int) -> int:
        """The sequence whose tokens span ``offset`` (from its first token's start to its last
        token's end), or -1."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return -1
        sequence = bisect.bisect_right(self.bounds, index) - 1
        return sequence if offset < self.ends[self.bounds[sequence + 1] - 1] else -1

    def covered(self, sequence: int, start: int, end: int) -> tuple[int, int]:
        """The tokens of one sequence that ``[start, end)`` overlaps, as (first, following)
        indexes into the document's tokens (first == following: none)."""
        low, high = self.bounds[sequence], self.bounds[sequence + 1]
        return bisect.bisect_right(self.ends, start, low, high), bisect.bisect_left(self.starts, end, low, high)


def document_blocks(document: Document, findings: Sequence[Finding], *, with_findings_only: bool = False
                    ) -> Iterator[DocumentTokens]:
    """Every sentence of the document, in order (long ones in windows of MAX_TOKENS), in blocks of
    consecutive sentences of at most BLOCK_CHARACTERS characters, so the arrays a model scores a
    document with stay small whatever its size (a longer sentence is cut at white space into
    parts of that size). With ``with_findings_only``, only the sentences that a finding overlaps
    (all that filtering needs)."""
    text = document.text
    cues = _Spans(sorted((Cue.of(f) for f in findings), key=lambda cue: (cue.start, cue.end, cue.rule_id)),
                  lambda cue: (cue.start, cue.end))
    quotes = _Spans(sorted((r.start, r.end) for r in document.regions if r.kind == "quote"), lambda quote: quote)
    spans = list(sentences(text))
    if any(end - start > BLOCK_CHARACTERS for start, end in spans):
        spans = [part for start, end in spans for part in _chunks(text, start, end, BLOCK_CHARACTERS)]
    if with_findings_only:
        spans = [span for span, found in zip(spans, cues.overlapping(spans)) if found]
    for block in _blocks(spans, BLOCK_CHARACTERS, gap=len(text)):  # an article of ordinary length: one
        yield _block(document, block, cues, quotes)


def _block(document: Document, spans: list[tuple[int, int]], cues: _Spans, quotes: _Spans) -> DocumentTokens:
    """The tokens of these sentences, their sequences and what overlaps each."""
    starts, ends, words, counts = _sentence_tokens(document.text, spans)
    bounds, flags = _windows(document, spans, counts)
    windows = [(starts[first], ends[following - 1]) for first, following in zip(bounds, bounds[1:])]
    return DocumentTokens(document.text, starts, ends, words, bounds, tuple(cues.overlapping(windows)), tuple(flags),
                          tuple(quotes.overlapping(windows)))


def _windows(document: Document, spans: list[tuple[int, int]], counts: list[int]
             ) -> tuple[list[int], list[tuple[str, ...]]]:
    """The sequences the sentences' tokens make (a sentence of more than MAX_TOKENS tokens makes
    several), as the token where each begins (then the number of tokens), and each one's flags:
    its sentence has "!", "?", an emoji, or starts in the headline."""
    tokens = np.array(counts, np.int64)
    windows = (tokens + MAX_TOKENS - 1) // MAX_TOKENS  # a sentence without tokens makes none
    sentence = np.repeat(np.arange(len(spans)), windows)
    within = np.arange(len(sentence)) - (np.cumsum(windows) - windows)[sentence]
    sizes = np.minimum(MAX_TOKENS, tokens[sentence] - within * MAX_TOKENS)
    starts = np.array([start for start, _ in spans], np.int64)
    ends = np.array([end for _, end in spans], np.int64)
    code = np.zeros(len(spans), np.int64)
    text, low, high = document.text, spans[0][0] if spans else 0, spans[-1][1] if spans else 0
    for bit, mark in enumerate(SENTENCE_MARKS):
        found = np.array([match.start() for match in mark.finditer(text, low, high)], np.int64)
        code += (np.searchsorted(found, starts) < np.searchsorted(found, ends)) * (1 << bit)
    for region in document.regions:
        if region.kind == "headline":
            code[(starts >= region.start) & (starts < region.end)] |= 1 << len(SENTENCE_MARKS)
    named = [tuple(flag for bit, flag in enumerate(SENTENCE_FLAGS) if value & (1 << bit))
             for value in range(1 << len(SENTENCE_FLAGS))]
    return [0, *np.cumsum(sizes).tolist()], [named[value] for value in code[sentence].tolist()]


def _sentence_tokens(text: str, spans: list[tuple[int, int]]
                     ) -> tuple[list[int], list[int], tuple[str, ...], list[int]]:
    """The tokens of the sentences ``spans`` (starts, ends, spellings) and how many each holds.

    Neighbouring sentences are split together, up to MAX_CHUNK characters at a time (a few calls
    per document instead of one per sentence), and the tokens then shared out by offset. Should
    a token run across the edge of a sentence (a break inside a word, which the sentence splitter
    never makes: its breaks are white space), every sentence is split on its own instead.
    """
    tokeniser = _Tokeniser(text)
    for together in _blocks(spans, MAX_CHUNK, BLOCK_GAP):
        tokeniser.add(together[0][0], together[-1][1])
    starts, ends, words = tokeniser.finish()
    if not words:
        return [], [], (), [0] * len(spans)
    sentence_starts = np.array([start for start, _ in spans], np.int64)
    sentence_ends = np.array([end for _, end in spans], np.int64)
    first = np.searchsorted(starts, sentence_starts)
    following = np.searchsorted(starts, sentence_ends)
    runs_in = (first > 0) & (ends[np.maximum(first - 1, 0)] > sentence_starts)
    runs_out = (following > first) & (ends[np.maximum(following - 1, 0)] > sentence_ends)
    if (runs_in | runs_out).any():
        tokeniser = _Tokeniser(text)
        for sentence_start, sentence_end in spans:
            tokeniser.add(sentence_start, sentence_end)
        starts, ends, words = tokeniser.finish()
        return starts.tolist(), ends.tolist(), words, tokeniser.counts
    counts = following - first
    if counts.sum() < len(words):  # tokens between sentences (in a sentence left out)
        edges = len(words) + 1
        keep = np.cumsum(np.bincount(first, minlength=edges) - np.bincount(following, minlength=edges))[:-1] > 0
        starts, ends = starts[keep], ends[keep]
        words = tuple(itertools.compress(words, keep.tolist()))
    return starts.tolist(), ends.tolist(), words, counts.tolist()


def _blocks(spans: list[tuple[int, int]], size: int, gap: int) -> Iterator[list[tuple[int, int]]]:
    """Runs of consecutive spans at most ``gap`` characters apart and ``size`` characters from
    the first's start to the last's end (a longer span is a run of its own)."""
    run: list[tuple[int, int]] = []
    for span in spans:
        if run and (span[0] - run[-1][1] > gap or span[1] - run[0][0] > size):
            yield run
            run = []
        run.append(span)
    if run:
        yield run


class _Spans:
    """Items sorted by start, each with a (start, end), indexed once for :meth:`overlapping`."""

    def __init__(self, items: list, span_of: Any):
        self.items = items
        spans = [span_of(item) for item in items]
        self.starts = np.array([start for start, _ in spans], np.int64)
        self.ends = [end for _, end in spans]
        self.longest = max((end - start for start, end in spans), default=0)

    def overlapping(self, spans: list[tuple[int, int]]) -> list[tuple]:
        """Per span (start, end): the items that overlap it."""
        if not self.items or not spans:
            return [()] * len(spans)
        span_starts = np.array([start for start, _ in spans], np.int64)
        low = np.searchsorted(self.starts, span_starts - self.longest).tolist()
        high = np.searchsorted(self.starts, np.array([end for _, end in spans], np.int64)).tolist()
        found: list[tuple] = [()] * len(spans)
        for index in np.flatnonzero(np.array(high) > np.array(low)).tolist():
            start = spans[index][0]
            found[index] = tuple(self.items[k] for k in range(low[index], high[index]) if self.ends[k] > start)
        return found


def names_a_word(feature: str) -> bool:
    return feature.startswith(WORD_PREFIXES)


def training_item(features: Sequence[str], word_value: float) -> list[str] | dict[str, float]:
    """A token as CRFsuite takes it in training: with ``word_value`` 1 its feature names, as
    always (valued, CRFsuite would add a feature named twice in another order, and a model would
    move a millionth); below 1 their values, ``word_value`` for those naming words and 1 for the
    others, a feature named twice (two findings on the token) counted twice. A weight learnt for
    value v scores v times itself, so the model keeps weight times v and a scan, which gives every
    feature 1, scores exactly what training did (``model_from_crfsuite``)."""
    if word_value == 1.0:
        return list(features)
    values: dict[str, float] = {}
    for feature in features:
        values[feature] = values.get(feature, 0.0) + (word_value if names_a_word(feature) else 1.0)
    return values


def gold_labels(tokens: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> list[str]:
    """``I`` for each token overlapping a gold span (``gold``: merged, sorted), else ``O``."""
    starts = [start for start, _ in gold]
    labels = []
    for start, end in tokens:
        index = bisect.bisect_left(starts, end) - 1
        labels.append(INSIDE if index >= 0 and gold[index][1] > start else OUTSIDE)
    return labels
