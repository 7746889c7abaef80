"""An article's structure from its text: paragraphs, sentences, headline, lede and quotes.

Readers of structured formats know the headline from markup; plain text has to be read the
way an editor reads it: a short first line is the headline, the first full paragraph is the
lede, and a passage in quotation marks followed (or preceded) by "X said" is X's words, not
the outlet's.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Iterator

import regex

from ..core.model import Region
from ..core.paragraphs import paragraphs, trimmed_end
from ..languages.profiles import Languages, alternation, bundled_languages

_NON_SPACE_RUN = regex.compile(r"\S+")
MAX_HEADLINE_CHARS = 300


@functools.cache
def sentence_break(abbreviations: str) -> regex.Pattern:
    """Where sentences end, for one alternation of abbreviations a sentence does not end after."""
    not_after = rf"(?<!\b(?:{abbreviations})\.)" if abbreviations else ""
    return regex.compile(
        rf"""
          \n[ \t]*\n\s*                                             # a blank line
        | (?<=[.!?:;…][”"’')\]]*)[ \t]*\n\s*                        # a line break after final punctuation
        | (?<=[.!?…][”"’')\]]*){not_after}[ \t]+(?=[“"‘'(\[]*[\p{{Lu}}\d])  # punctuation first: cheaper
        """,
        regex.VERBOSE,
    )


def _sentence_break(languages: Languages | None) -> regex.Pattern:
    return sentence_break((languages or bundled_languages()).abbreviations)


def speech_verbs(language: str, languages: Languages | None = None) -> str:
    """The speech verbs of ``language`` ("said|says|..."), as a regex alternation."""
    profile = (languages or bundled_languages()).get(language)
    return alternation(profile.words_of("speech", "verbs")) if profile else ""


SPEAKER_REACH = 120  # characters before or after a quotation searched for its speaker
_WORD = r"[\p{L}\p{M}\d'’.\-]+"
# A person's name as text gives it: up to five capitalised words (shared with plugins that look
# for a speaker).
NAME_PATTERN = r"\p{Lu}[\p{L}\p{M}'’.\-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’.\-]*){0,4}"
_NOUN_PHRASE = rf"(?:{_WORD}[ \t]+){{0,4}}{_WORD}"
# "…," said analyst Jane Roe / — заявил министр обороны Сергей Шойгу: up to three lower-case
# words of a role before the name, which must then end the clause (else "said in an interview
# with CNN" would name CNN); the role's words are checked by :func:`_is_role`.
_ROLE = r"(?:(?:the|an?)[ \t]+)?(?P<role>(?:\p{Ll}[\p{L}\p{M}\-]*[ \t]+){1,3})"
_CLAUSE_ENDS = r"(?=[ \t]*(?:[,.;:!?\n]|$))"
_OBJECT = r"(?:[ \t]+(?:that|this|reporters|journalists|the[ \t]+\w+|\p{Lu}[\w'’.\-]*))?"


@functools.cache
def speaker_patterns(verbs: str) -> tuple[regex.Pattern, regex.Pattern]:
    """The speaker after a quotation ("…," X said / "…," said X) and the one before it (X said:
    "…" / said X: "…", searched in reverse from the mark, so only matches ending right there are
    tried), for one list of speech verbs; compiled on first use."""
    verb = rf"(?:[ \t]+\p{{Ll}}+ly)?[ \t]+(?i:{verbs})(?!\w)"
    after = (rf"[ \t]*[,.:;!?]?[ \t]*[—–-]?[ \t]*(?:(?i:{verbs})[ \t]+(?P<speaker>(?:the[ \t]+)?{NAME_PATTERN})"
             rf"|(?i:{verbs})[ \t]+{_ROLE}(?P<speaker>{NAME_PATTERN}){_CLAUSE_ENDS}"
             rf"|(?P<speaker>{_NOUN_PHRASE}){verb})")
    before = (rf"(?:(?P<speaker>{_NOUN_PHRASE}){verb}{_OBJECT}|(?i:{verbs})[ \t]+(?P<speaker>{NAME_PATTERN}))"
              r"[ \t]*[:,]?[ \t]*[—–-]?[ \t]*$")
    return regex.compile(after), regex.compile(before, regex.REVERSE)


# A quotation may run over line breaks (a quote of two sentences in a one-sentence-a-line
# corpus, a quote hard-wrapped in a plain-text file), but never over a blank line, and never
# longer than MAX_QUOTE characters: an unbalanced mark must not swallow the article. An opening
# mark is followed, and a closing one preceded, by something other than white space.
MAX_QUOTE = 1500
# Quote bodies hold no mark of their own pair, so the first such mark after an opening one is
# the only possible close: possessive runs reach it without backtracking, and the length limit
# is checked on the match (three times faster than a bounded repeat of one-character choices).
_QUOTED = r"[^{marks}\n]*+(?:\n(?![ \t]*\n)[^{marks}\n]*+)*+"
QUOTATION = regex.compile(
    "|".join(
        f"{open_mark}(?=\\S){_QUOTED.format(marks=marks)}(?<=\\S){close_mark}"
        for open_mark, close_mark, marks in (("“", "”", "“”"), ('"', '"', '"'), ("«", "»", "«»"), ("„", "“", "„“"))
    )
)


def quotation_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each quotation, marks included, left to right: one to MAX_QUOTE
    characters between the marks; a mark that opens nothing is passed over."""
    search = QUOTATION.search
    position = 0
    while (match := search(text, position)) is not None:
        start, end = match.span()
        if 0 < end - start - 2 <= MAX_QUOTE:
            yield start, end
            position = end
        else:
            position = start + 1


_FIRST_LOOK = 16  # characters before a span where sentence_around first looks for a break
_LOOK_AHEAD = 8  # characters after it that a break's lookahead may need


def sentences(text: str, languages: Languages | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, without surrounding whitespace."""
    cursor = 0
    for boundary in _sentence_break(languages).finditer(text):
        if boundary.start() > cursor:
            yield cursor, boundary.start()
        cursor = boundary.end()
    end = trimmed_end(text, cursor, len(text))
    if end > cursor:
        yield cursor, end


def sentence_around(text: str, start: int, end: int, reach: int = 1000,
                    languages: Languages | None = None) -> tuple[int, int]:
    """The sentence that holds ``text[start:end]`` (or the one it starts in, when it runs
    across a break), looking at most ``reach`` characters either way, so a detector that
    needs the sentence of a few cues need not split a whole long text.

    The break before is looked for in a window that grows from 16 characters: in text where
    sentences are short ("Wow! Wow! ..."), scanning all of ``reach`` for every cue made the
    cost per cue hundreds of matches."""
    window_start, window_end = max(0, start - reach), min(len(text), end + reach)
    breaks = _sentence_break(languages)
    sentence_start = window_start
    size = _FIRST_LOOK
    while True:
        lower = max(window_start, start - size)
        found = None
        for boundary in breaks.finditer(text, lower, min(window_end, start + _LOOK_AHEAD)):
            if boundary.end() > start:
                break
            found = boundary.end()
        if found is not None or lower == window_start:
            sentence_start = found if found is not None else window_start
            break
        size *= 4
    following = breaks.search(text, start, window_end)
    sentence_end = following.start() if following is not None else window_end
    return sentence_start, trimmed_end(text, sentence_start, sentence_end)


# What ends a clause inside a sentence: separating punctuation, quotation marks, brackets and
# a dash between spaces (a hyphen inside a word does not).
CLAUSE_BREAK = regex.compile(r"[,;:()\[\]«»“”„\"]|\s[–—-]\s|[–—]")
_EDGE_NOISE = " \t\n,;:—–-"


def extent_around(text: str, start: int, end: int, extent: str) -> tuple[int, int]:
    """The span a finding covers when its rule says ``extent: sentence`` or ``clause``: the
    sentence (never beyond its line: a post's lines are its sentences, a headline has no full
    stop) or the clause within it that holds ``text[start:end]``; the span itself for ``match``."""
    if extent == "match":
        return start, end
    sentence_start, sentence_end = sentence_around(text, start, end, reach=500)
    line_start = text.rfind("\n", sentence_start, start) + 1 or sentence_start
    line_end = text.find("\n", end, sentence_end)
    first, last = max(sentence_start, line_start), sentence_end if line_end == -1 else line_end
    if extent == "clause":
        breaks = [m.span() for m in CLAUSE_BREAK.finditer(text, first, last)]
        first = max([b_end for b_start, b_end in breaks if b_end <= start], default=first)
        last = min([b_start for b_start, _ in breaks if b_start >= end], default=last)
    while first < start and text[first] in _EDGE_NOISE:
        first += 1
    while last > end and text[last - 1] in _EDGE_NOISE:
        last -= 1
    return first, max(last, end)


class QuoteIndex:
    """A document's quotations sorted by start, for finding the one that holds a span in
    O(log quotes): a text with thousands of quotations and of findings must not cost their
    product. Quotations may nest (a reader's ``<q>`` and a quoted sentence inside it)."""

    def __init__(self, regions: Iterable[Region]):
        self.quotes = sorted((r for r in regions if r.kind == "quote"), key=lambda r: (r.start, r.end))
        self.starts = [r.start for r in self.quotes]
        self.longest = max((r.end - r.start for r in self.quotes), default=0)

    def holding(self, start: int, end: int) -> Region | None:
        """The shortest quotation holding ``[start, end)`` (of equally short ones, the first)."""
        best: Region | None = None
        index = bisect.bisect_right(self.starts, start)
        while index > 0:  # quotes starting at or before the span, nearest first
            index -= 1
            region = self.quotes[index]
            if start - region.start > self.longest:
                break  # no earlier quotation is long enough to reach the span
            if region.end >= end and (best is None or region.end - region.start <= best.end - best.start):
                best = region  # on a tie in length the earlier one (seen later here) wins
        return best


class Coverage:
    """Which offsets a set of (possibly overlapping) spans covers, answered in O(log n): a
    text with thousands of quotations and thousands of cues must not cost their product."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach: list[int] = []  # the furthest end of any span starting at or before each start
        furthest = -1
        for _, end in ordered:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def covers(self, offset: int) -> bool:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index >= 0 and self.reach[index] > offset


def _named(speaker: str, not_names: frozenset[str]) -> bool:
    words = [w for w in speaker.split() if w.lower() not in not_names]
    return any(word[:1].isupper() for word in words)


_KEEPS_ITS_FULL_STOP = regex.compile(r"(?:^|\s)(?:\p{L}|Jr|Sr|St|Dr)\.$")


def _tidy_name(speaker: str) -> str:
    """A speaker's name on one line, without the full stop of the sentence it ended ("said
    Jane Smith." -> "Jane Smith"; an initial or "Jr." keeps its own)."""
    name = " ".join(speaker.split())
    return name if _KEEPS_ITS_FULL_STOP.search(name) else name.rstrip(".")


MIN_ROLE_LETTERS = 3  # "в", "он", "in": a preposition or a pronoun, not a role


def _is_role(role: str | None, languages: Languages) -> bool:
    """Whether the words between a speech verb and a name describe the speaker ("analyst",
    "former president"), not when or where it was said ("last", "in an interview with")."""
    if role is None:
        return True
    ruled_out = languages.not_names | languages.pronoun_speakers
    return all(len(word) >= MIN_ROLE_LETTERS and word.lower() not in ruled_out for word in role.split())


def _speaker_of(text: str, quote_start: int, quote_end: int, block_start: int, block_end: int,
                languages: Languages) -> str | None:
    """The attributed speaker of a quotation, from "…," X said / X said: "…" around it."""
    after_end = min(block_end, quote_end + SPEAKER_REACH)
    verbs = languages.speech_verbs_in(text[quote_end:after_end])
    if verbs is not None:
        after = speaker_patterns(verbs)[0].match(text, quote_end, after_end)
        if after and _is_role(after.group("role"), languages):
            return _tidy_name(after.group("speaker"))
    before_start = max(block_start, quote_start - SPEAKER_REACH)
    verbs = languages.speech_verbs_in(text[before_start:quote_start])
    if verbs is not None:
        before = speaker_patterns(verbs)[1].search(text, before_start, quote_start)
        if before:
            return _tidy_name(before.group("speaker"))
    return None


class Speakers:
    """Who speaks each quotation of one text, worked out only when asked: a quote's speaker
    matters only where it holds a finding, and most quotes hold none (the PTC training articles
    have 3,921 quotations, and about one finding in eight sits in one).

    A pronoun speaker ("he said") takes the most recent named speaker before it, as a reader
    would; that is found by walking back, remembered for every quote passed on the way.
    """

    def __init__(self, text: str, quotes: list[tuple[int, int, int, int]], languages: Languages):
        self.text = text
        self.languages = languages
        self.quotes = quotes  # (start, end, first paragraph's start, last paragraph's end)
        self._own: dict[int, str | None] = {}
        self._named_before: dict[int, str] = {}

    def label(self, number: int) -> str:
        """The quote's speaker: a name, or a person described ("one soldier", "the mayor");
        "" when nobody is, or only a vague crowd or an anonymous source is ("critics said",
        "an official said": the anonymity is a device of its own, and the words stay the outlet's)."""
        speaker = self._speaker(number)
        if speaker and self._is_pronoun(speaker):
            return self._last_named_before(number)
        if not speaker:
            return ""
        return speaker if _named(speaker, self.languages.not_names) or self._described(speaker) else ""

    def _described(self, speaker: str) -> bool:
        last = speaker.split()[-1].lower()
        return last not in self.languages.unnamed_speakers and last not in self.languages.not_names

    def _speaker(self, number: int) -> str | None:
        if number not in self._own:
            self._own[number] = _speaker_of(self.text, *self.quotes[number], self.languages)
        return self._own[number]

    def _named_speaker(self, number: int) -> str:
        speaker = self._speaker(number)
        return (speaker if speaker and not self._is_pronoun(speaker) and _named(speaker, self.languages.not_names)
                else "")

    def _is_pronoun(self, speaker: str) -> bool:
        return speaker.split()[-1].lower() in self.languages.pronoun_speakers

    def _last_named_before(self, number: int) -> str:
        passed = []
        cursor, found = number, ""
        while cursor > 0 and cursor not in self._named_before:
            found = self._named_speaker(cursor - 1)
            if found:
                break
            passed.append(cursor)
            cursor -= 1
        if not found and cursor > 0:
            found = self._named_before[cursor]
        for each in passed:
            self._named_before[each] = found
        self._named_before[number] = found
        return found


class Quotation(Region):
    """A quote region whose ``label`` (its speaker) is named on first read, by :class:`Speakers`."""

    def __init__(self, start: int, end: int, speakers: Speakers, number: int):
        # frozen: the fields are set directly, and ``label`` is left to be worked out
        self.__dict__.update(kind="quote", start=start, end=end, _speakers=speakers, _number=number)

    @functools.cached_property
    def label(self) -> str:  # type: ignore[override]
        return self._speakers.label(self._number)


def quotations(text: str, blocks: list[tuple[int, int]], languages: Languages | None = None) -> list[Region]:
    """Direct quotations, each labelled with its speaker when one is named ("" otherwise),
    the speaker found when the label is first read (see :class:`Speakers`), with the speech
    verbs of ``languages`` (default: the shipped ones)."""
    spans: list[tuple[int, int, int, int]] = []
    starts = [start for start, _ in blocks]
    for start, end in quotation_spans(text) if blocks else ():  # one pass over the text
        index = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, end - 1) - 1
        if index < 0 or not blocks[index][0] <= start < blocks[index][1] or end > blocks[last][1]:
            continue  # begins or ends outside every paragraph (whitespace only): not a quotation in the text
        # A quote over several one-line paragraphs: its speaker is sought before its first
        # line and after its last.
        spans.append((start, end, blocks[index][0], blocks[last][1]))
    speakers = Speakers(text, spans, languages or bundled_languages())
    return [Quotation(start, end, speakers, number) for number, (start, end, _, _) in enumerate(spans)]


def _is_headline(text: str, start: int, end: int) -> bool:
    if end - start > MAX_HEADLINE_CHARS:
        return False
    block = text[start:end]
    return "\n" not in block.strip() and len(block.split()) <= 30 and not block.rstrip().endswith((".", ":"))


def _is_lede(text: str, start: int, end: int) -> bool:
    return _NON_SPACE_RUN.search(text, start, end) is not None and (
        end - start > 200 or len(text[start:end].split()) >= 12
    )


def plain_structure(
    text: str, *, headline: bool = True, blocks: list[tuple[int, int]] | None = None,
    languages: Languages | None = None,
) -> tuple[Region, ...]:
    """Headline, lede, body and quotations of a plain-text article (``blocks``: its paragraphs,
    when already known; ``languages``: whose speech verbs attribute quotations)."""
    blocks = paragraphs(text) if blocks is None else blocks
    regions: list[Region] = []
    body = list(blocks)
    if headline and body and _is_headline(text, *body[0]):
        regions.append(Region("headline", *body.pop(0)))
    if body:
        regions.append(Region("body", body[0][0], body[-1][1]))
        lede = next((block for block in body if _is_lede(text, *block)), None)
        if lede:
            regions.append(Region("lede", *lede))
    regions.extend(quotations(text, blocks, languages))
    return tuple(regions)
