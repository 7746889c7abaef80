"""What the learned layer sees of a document: its sentences as token sequences, each token with
feature strings (its word, its neighbours, its shape, the rules and techniques that found
something on or near it, where it stands), and gold labels for training.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..core.model import Document, Finding
from ..inputs.structure import sentences

FEATURE_VERSION = 1  # bump when sequence_features changes: older models then refuse to load
INSIDE, OUTSIDE = "I", "O"

# Every character falls in one piece: a run of white space, a word (letters, digits and
# combining marks, with inner apostrophes), or one other character. ``findall`` then gives the
# words and, by adding up lengths, their offsets, at a third of the cost of a match object each.
PIECES = re.compile(r"\s+|(?:[^\W_]|[\u0300-\u036f])+(?:['’](?:[^\W_]|[\u0300-\u036f])+)*|.", re.DOTALL)
MAX_TOKENS = 200  # a longer sentence is tagged in windows of this many tokens
MAX_CHUNK = 20_000  # characters: a longer sentence is cut at white space before it is split into words
WHITE_SPACE = re.compile(r"\s")
NEAR = 3  # tokens either side of a finding that learn "a finding of technique T is near"
BEFORE, AFTER = "<", ">"  # the words beyond either end of a sentence
LONG_SPAN, SHORT_SPAN = 8, 3  # tokens: spans are judged by length, the longer more strictly
MAX_SCORE = 50.0  # emission scores are clamped so exp() never overflows


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
    tokens straight from the model's tables (:meth:`LearnedModel.emissions_of`).
    """

    text: str = field(repr=False)
    tokens: tuple[tuple[int, int], ...]
    words: tuple[str, ...] = ()  # text[start:end] of each token
    cues: tuple[Cue, ...] = ()
    flags: tuple[str, ...] = ()
    quotes: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.words:
            object.__setattr__(self, "words", tuple(self.text[start:end] for start, end in self.tokens))

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
    works this out once per distinct spelling (see :class:`_Scorer`)."""
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
    return lower, "w=" + lower, static


def _position_features(count: int) -> tuple[list[str], list[str], str]:
    starts = [f"p={min(index, 4)}" for index in range(count)]
    ends = [f"e={min(count - 1 - index, 4)}" for index in range(count)]
    return starts, ends, f"n={min(count // 10, 5)}"


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
    lower = [BEFORE, BEFORE, *(text[start:end].lower() for start, end in tokens), AFTER, AFTER]
    starts, ends, length = _position_features(count)
    shared = ("b", length, *flags, *sorted({"st=" + cue.technique for cue in cues}))
    features: dict[int, list[str]] = {}
    for index in wanted:
        here = index + 2
        word = lower[here]
        _, own, static = word_features(text[tokens[index][0] : tokens[index][1]])
        features[index] = [
            *shared, own, *static, starts[index], ends[index],
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


def words_of(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], list[str]]:
    """The (start, end) offsets and the spellings of the words and other characters (white space
    aside) of ``text[start:end]``."""
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    for chunk_start, chunk_end in _chunks(text, start, end):
        pieces = PIECES.findall(text, chunk_start, chunk_end)
        offset = chunk_start
        for piece in pieces:
            following = offset + len(piece)
            if not piece[0].isspace():
                spans.append((offset, following))
                words.append(piece)
            offset = following
    return spans, words


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` in pieces of about MAX_CHUNK characters cut at white space (or anywhere,
    in a run of MAX_CHUNK characters without any), so one enormous sentence never becomes one
    enormous list."""
    while end - start > MAX_CHUNK:
        space = WHITE_SPACE.search(text, start + MAX_CHUNK // 2, start + MAX_CHUNK)
        cut = space.start() if space else start + MAX_CHUNK
        yield start, cut
        start = cut
    if end > start:
        yield start, end


def document_sequences(
    document: Document, findings: Sequence[Finding], *, with_findings_only: bool = False
) -> Iterator[TokenSequence]:
    """Every sentence of the document as a sequence, in order (long ones in windows); with
    ``with_findings_only``, only those that a finding overlaps (all that filtering needs)."""
    text = document.text
    cues = sorted((Cue.of(f) for f in findings), key=lambda cue: (cue.start, cue.end, cue.rule_id))
    cue_starts = [cue.start for cue in cues]
    longest_cue = max((cue.end - cue.start for cue in cues), default=0)
    quotes = sorted((r.start, r.end) for r in document.regions if r.kind == "quote")
    quote_starts = [start for start, _ in quotes]
    longest_quote = max((end - start for start, end in quotes), default=0)
    headlines = [(r.start, r.end) for r in document.regions if r.kind == "headline"]
    for sentence_start, sentence_end in sentences(text):
        if with_findings_only and not _overlapping(cues, cue_starts, longest_cue, sentence_start, sentence_end,
                                                   lambda cue: cue.end):
            continue
        tokens, words = words_of(text, sentence_start, sentence_end)
        if not tokens:
            continue
        sentence = text[sentence_start:sentence_end]
        flags = tuple(flag for flag, present in (("!", "!" in sentence), ("?", "?" in sentence),
                                                 ("h", any(s <= sentence_start < e for s, e in headlines))) if present)
        for window in range(0, len(tokens), MAX_TOKENS):
            part = tokens[window : window + MAX_TOKENS]
            start, end = part[0][0], part[-1][1]
            near = _overlapping(cues, cue_starts, longest_cue, start, end, lambda cue: cue.end)
            inside = _overlapping(quotes, quote_starts, longest_quote, start, end, lambda quote: quote[1])
            yield TokenSequence(text, tuple(part), tuple(words[window : window + MAX_TOKENS]), tuple(near), flags,
                            tuple(inside))


def _overlapping(items: list, starts: list[int], longest: int, start: int, end: int, end_of: Any) -> list:
    """The items (sorted by start, none longer than ``longest``) that overlap [start, end)."""
    low = bisect.bisect_left(starts, start - longest)
    high = bisect.bisect_left(starts, end)
    return [item for item in items[low:high] if end_of(item) > start]


def gold_labels(tokens: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> list[str]:
    """``I`` for each token overlapping a gold span (``gold``: merged, sorted), else ``O``."""
    starts = [start for start, _ in gold]
    labels = []
    for start, end in tokens:
        index = bisect.bisect_left(starts, end) - 1
        labels.append(INSIDE if index >= 0 and gold[index][1] > start else OUTSIDE)
    return labels
