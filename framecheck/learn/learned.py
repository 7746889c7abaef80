"""The learned layer: a linear-chain CRF that marks propaganda spans from words and rule findings.

Word lists stop near span F1 0.29 on the labelled corpus (``bench/ceiling.py``): most labelled
propaganda is phrased in ways no list anticipates. A model trained on the user's own labelled
articles learns those phrasings, and the rule findings are among its features, so it also
learns which findings its labels agree with.

Each sentence is a sequence of tokens labelled inside (``I``) or outside (``O``) a span. The
features of a token are strings (its word, its neighbours, its shape, the rules and
techniques that found something on or near it, where it stands); training
(:mod:`framecheck.training`, with python-crfsuite) fits one weight per feature and label. With
two labels only the difference of a feature's two weights matters, so a model file keeps that
difference per feature and the four transition weights, as plain JSON in a zip file: a scan
with a model needs no compiled extension and computes the marginals itself (forward-backward,
below), exactly as CRFsuite would (a test compares them).

How the marginals are used, with thresholds chosen on held-out labels when the model was
trained (see :class:`Thresholds`): a rule finding whose tokens score low is dropped (mode
``filter``); a run of tokens that score high becomes a ``learned-span`` finding (mode ``add``).
"""

from __future__ import annotations

import bisect
import io
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core.errors import FramecheckError
from ..core.model import Document, Finding
from ..inputs.structure import sentences

FORMAT = "framecheck-model"
FORMAT_VERSION = 1
FEATURE_VERSION = 1  # bump when sequence_features changes: older models then refuse to load
META_NAME = "framecheck-model.json"
WEIGHTS_NAME = "weights.json"
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # a bigger member is not a model this tool wrote
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


def _word_features(word: str) -> tuple[str, str, tuple[str, ...]]:
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
        _, own, static = _word_features(text[tokens[index][0] : tokens[index][1]])
        features[index] = [
            *shared, own, *static, starts[index], ends[index],
            "w-1=" + lower[here - 1], "w-2=" + lower[here - 2], "w+1=" + lower[here + 1], "w+2=" + lower[here + 2],
            "b-=" + lower[here - 1] + "|" + word, "b+=" + word + "|" + lower[here + 1],
        ]
    token_starts = [start for start, _ in tokens]
    for cue in cues:
        first, last = _covered(tokens, token_starts, cue)
        for index in range(max(0, first - NEAR), min(count, last + NEAR + 1)):
            if index not in features:
                continue
            if first <= index <= last:
                features[index].extend(("in", "r=" + cue.rule_id, "t=" + cue.technique))
                features[index].extend("c=" + context for context in cue.context)
            else:
                features[index].append("nt=" + cue.technique)
    for index in _quoted(tokens, quotes):
        if index in features:
            features[index].append("q")
    return tuple(tuple(features[index]) for index in wanted)


def _covered(tokens: Sequence[tuple[int, int]], token_starts: Sequence[int], cue: Cue) -> tuple[int, int]:
    """Indexes of the first and last token a finding overlaps (first > last: none)."""
    first = bisect.bisect_right(token_starts, cue.start) - 1
    first = first if first >= 0 and tokens[first][1] > cue.start else first + 1
    return first, bisect.bisect_left(token_starts, cue.end) - 1


def _quoted(tokens: Sequence[tuple[int, int]], quotes: Sequence[tuple[int, int]]) -> Iterator[int]:
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


class _Scorer:
    """Emission scores straight from a model's weights: per distinct spelling, the weight of the
    word's own features is added up once (and cached); each word's weights as a neighbour, and
    each pair's, are one look-up. The sums equal those over :func:`sequence_features`."""

    def __init__(self, weights: dict[str, float]):
        self.weights = weights
        neighbours: dict[str, list[float]] = {}
        pairs: dict[str, list[float]] = {}
        for name, weight in weights.items():
            for table, prefixes in ((neighbours, NEIGHBOUR_PREFIXES), (pairs, PAIR_PREFIXES)):
                for slot, prefix in enumerate(prefixes):
                    if name.startswith(prefix):
                        table.setdefault(name[len(prefix):], [0.0] * len(prefixes))[slot] = weight
        self.neighbours = {word: tuple(values) for word, values in neighbours.items()}
        self.pairs = {pair: tuple(values) for pair, values in pairs.items()}
        self.positions: dict[int, list[float]] = {}
        self.words: dict[str, tuple[str, float]] = {}

    def word(self, spelling: str) -> tuple[str, float]:
        """(lower case, the summed weight of the word's own features)."""
        known = self.words.get(spelling)
        if known is None:
            lower, own, static = _word_features(spelling)
            get = self.weights.get
            known = (lower, get(own, 0.0) + sum(get(name, 0.0) for name in static))
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
        tokens, get = sequence.tokens, self.weights.get
        count = len(tokens)
        known, word = self.words.get, self.word
        words = [known(spelling) or word(spelling) for spelling in sequence.words]
        lower = [BEFORE, BEFORE, *(w[0] for w in words), AFTER, AFTER]
        around = [self.neighbours.get(word, _NO_WEIGHTS) for word in lower]
        pairs = [self.pairs.get(lower[index + 1] + "|" + lower[index + 2], _NO_WEIGHTS) for index in range(count + 1)]
        shared = get("b", 0.0) + sum(get(flag, 0.0) for flag in sequence.flags)
        shared += sum(get("st=" + technique, 0.0) for technique in {cue.technique for cue in sequence.cues})
        positions = self.position_weights(count)
        scores = [
            shared + words[index][1] + positions[index]
            + around[index + 1][0] + around[index][1] + around[index + 3][2] + around[index + 4][3]
            + pairs[index][0] + pairs[index + 1][1]
            for index in range(count)
        ]
        if sequence.cues:
            token_starts = [start for start, _ in tokens]
            for cue in sequence.cues:
                first, last = _covered(tokens, token_starts, cue)
                on = get("in", 0.0) + get("r=" + cue.rule_id, 0.0) + get("t=" + cue.technique, 0.0)
                on += sum(get("c=" + context, 0.0) for context in cue.context)
                near = get("nt=" + cue.technique, 0.0)
                for index in range(max(0, first - NEAR), min(count, last + NEAR + 1)):
                    scores[index] += on if first <= index <= last else near
        if sequence.quotes:
            quoted = get("q", 0.0)
            for index in _quoted(tokens, sequence.quotes):
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


# --------------------------------------------------------------------------------------
# Model files
# --------------------------------------------------------------------------------------

_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so the same model always writes the same bytes


def save_model(model: LearnedModel, path: Path) -> None:
    """Write ``model`` as a zip of two JSON members (atomically: a temporary file renamed)."""
    import zipfile  # imported on use: a scan without a model never reads or writes one

    from ..outputs.atomic import atomic_binary_file

    meta = {
        **model.meta, "format": FORMAT, "format_version": FORMAT_VERSION, "feature_version": FEATURE_VERSION,
        "thresholds": asdict(model.thresholds), "transitions": dict(sorted(model.transitions.items())),
    }
    weights = {name: round(weight, 6) for name, weight in sorted(model.weights.items()) if round(weight, 6)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in ((META_NAME, meta), (WEIGHTS_NAME, weights)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(content, indent=None, sort_keys=True, ensure_ascii=False))
    with atomic_binary_file(path) as handle:
        handle.write(buffer.getvalue())


def load_model(path: str | Path) -> LearnedModel:
    """Read a model file; anything else (missing, corrupt, another version) is a one-line error."""
    import zipfile

    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            meta = _member(archive, META_NAME, path)
            weights = _member(archive, WEIGHTS_NAME, path)
    except FileNotFoundError:
        raise FramecheckError(f"{path}: model file not found") from None
    except IsADirectoryError:
        raise FramecheckError(f"{path}: is a folder, not a model file") from None
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot read the model: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise FramecheckError(f"{path}: not a framecheck model file ({_plain_reason(exc)})") from None
    return _model_from(meta, weights, path)


def _plain_reason(exc: Exception) -> str:
    return str(exc).rstrip(".") or type(exc).__name__


def _member(archive: Any, name: str, path: Path) -> Any:
    import zipfile

    try:
        info = archive.getinfo(name)
    except KeyError:
        raise FramecheckError(f"{path}: not a framecheck model file (no {name} inside)") from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise FramecheckError(f"{path}: not a framecheck model file ({name} is {info.file_size:,} bytes)")
    try:
        return json.loads(archive.read(info).decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FramecheckError(f"{path}: corrupt model file ({name}: {_plain_reason(exc)})") from None
    except zipfile.BadZipFile as exc:  # a damaged member: CRC mismatch, bad compressed data
        raise FramecheckError(f"{path}: corrupt model file ({_plain_reason(exc)})") from None


def _reject_constant(name: str) -> float:
    raise json.JSONDecodeError(f"{name} is not a number a model may hold", name, 0)


def _model_from(meta: Any, weights: Any, path: Path) -> LearnedModel:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise FramecheckError(f"{path}: not a framecheck model file (its description names no framecheck model)")
    if meta.get("format_version") != FORMAT_VERSION or meta.get("feature_version") != FEATURE_VERSION:
        raise FramecheckError(
            f"{path}: model made for feature version {meta.get('feature_version')!r} "
            f"(file format {meta.get('format_version')!r}); this framecheck reads feature version "
            f"{FEATURE_VERSION} (format {FORMAT_VERSION}): train it again with 'framecheck train'"
        )
    if not isinstance(weights, dict) or not all(_finite(v) and isinstance(k, str) for k, v in weights.items()):
        raise FramecheckError(f"{path}: corrupt model file (weights must map feature names to numbers)")
    transitions = meta.get("transitions")
    if not isinstance(transitions, dict) or set(transitions) != {"OO", "OI", "IO", "II"} or not all(
        _finite(v) for v in transitions.values()
    ):
        raise FramecheckError(f"{path}: corrupt model file (transitions must give OO, OI, IO and II)")
    raw = meta.get("thresholds")
    names = set(Thresholds.__dataclass_fields__)
    if not isinstance(raw, dict) or set(raw) != names or not all(_finite(v) and 0 <= v <= 1 for v in raw.values()):
        expected = ", ".join(sorted(names))
        raise FramecheckError(f"{path}: corrupt model file (thresholds must be {expected}, each 0 to 1)")
    extra = {k: v for k, v in meta.items() if k not in ("transitions", "thresholds")}
    return LearnedModel(
        {k: float(v) for k, v in weights.items()}, {k: float(v) for k, v in transitions.items()},
        Thresholds(**{k: float(v) for k, v in raw.items()}), extra,
    )


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
