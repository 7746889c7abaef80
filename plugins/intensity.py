"""Intensity cues: exclamations, shouted capitals and stacked superlatives.

Typography and piled-up superlatives add emotional pressure without adding information. They
are weak signals one by one (reported as ``info`` with a small weight) but they add up in an
article's score.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from framecheck import (
    CompiledPatterns,
    Coverage,
    Document,
    Examples,
    Finding,
    Languages,
    PhraseIndex,
    RuleInfo,
    Severity,
    hookimpl,
    is_word_char,
    speech_verbs,
)


def _cue(rule_id: str, technique: str, message: str, why: str, suggest: str, match: tuple, no_match: tuple,
         typography: bool = True) -> RuleInfo:
    """An intensity rule: weak on its own, so reported as info with half weight. Typography
    (an exclamation, capitals) is not wording, so a severity set for its technique leaves it alone."""
    return RuleInfo(
        id=rule_id, technique=technique, severity=Severity.INFO, weight=0.5, message=message, why=why,
        suggest=(suggest,), examples=Examples(match=match, no_match=no_match),
        origin="plugin:intensity", pack="bundled", technique_severity=not typography,
    )


EXCLAMATION = _cue(
    "exclamation", "loaded-language", "an exclamation in the outlet's voice",
    "News prose states; an exclamation mark tells the reader how to feel about what was stated.",
    "(end the sentence with a full stop)",
    match=("This is a disgrace!", "They lied again!!"),
    no_match=("This is a disgrace, the senator said.", '"We will win!" the minister told supporters.',
              "Thank you for reading!", "Дякуємо всім, хто долучився до збору!", "Доброго ранку, Україно!",
              "Шановні земляки!", "Висловлюємо щирі співчуття рідним!", "Увага!", "Желаем вам крепкого здоровья!"),
)
SHOUTING = _cue(
    "shouted-capitals", "loaded-language", "a word in capitals for emphasis",
    "Capitals shout; they add alarm, not information.",
    "(lower case)",
    match=("The vaccine is NOT safe, they say, but it is not banned.", "This is a TOTAL disaster, a total one, for the town."),
    no_match=(
        "NATO and the FBI issued statements.", "BREAKING NEWS\n\nThe council met.",
        "The World Health Organization (WHO) said who was infected, and where.",
        "WHO said the people who fell ill had recovered.",
    ),
)
STACK = _cue(
    "superlative-stack", "exaggeration", "superlatives piled up; one claim, stated once, is stronger",
    "Stacked superlatives and intensifiers ('the most dangerous, most corrupt') inflate a claim by repetition.",
    "(keep the one the evidence supports)",
    match=("He is the most dishonest, most corrupt candidate.", "It is a very very bad deal."),
    no_match=("He is the most experienced candidate.", "a very good deal", "I'm not very smart, so it takes a while.",
              "It is very cold, so the match is off."),
    typography=False,
)

# An exclamation is reported on the sentence it ends: the whole sentence is said in that tone.
# The sentence starts after the last sentence end, line break or quotation mark before the
# "!", at most LOOK_BACK characters back; found by looking back from each "!" (a forward
# search would retry every word for every start).
BANGS = regex.compile(r"!+")
SENTENCE_ENDS = (".", "!", "?", "…", "\n", '"', "“", "”", "«", "»")
FIRST_WORD = regex.compile(r"[\p{L}\p{N}]")
LOOK_BACK = 200
CAPITALS = regex.compile(r"(?<![\p{L}\p{N}])\p{Lu}{3,}(?![\p{L}\p{N}])")
# Capitals acting as a source ("WHO said", "NATO warns") name an organisation, whatever the
# article does with the lower-case word.
@functools.cache
def speaking_after() -> regex.Pattern:
    """A speech verb right after a word; compiled on first use (only capitals need it)."""
    return regex.compile(rf"[ \t]+(?:{speech_verbs('en')})(?![\p{{L}}\p{{N}}])")

NEIGHBOUR_CAPITALS = regex.compile(r"\p{Lu}{2,}[ \t]*$|^[ \t]*\p{Lu}{2,}")


@dataclass(frozen=True)
class Stacking:
    """Stacked intensifiers ("very, very bad") in the words of the run's languages (their
    language.yaml's ``intensity`` section). An intensifier followed by a word it does not
    intensify ("so it takes", "most of", "so far") starts no stack.

    A stack starts at an intensifier, so the stack pattern is tried only there instead of at
    every word. The intensifiers are found by the engine's shared automaton pass (declared in
    ``phrase_indexes``), which costs next to nothing on top of the pass the YAML rules need.
    """

    pattern: regex.Pattern
    index: PhraseIndex | None

    @classmethod
    def of(cls, languages: Languages) -> Stacking:
        intensifiers = "|".join(languages.words("intensity", "intensifiers"))
        if not intensifiers:
            return cls(regex.compile(r"(?!)"), None)
        not_intensified = "|".join(languages.words("intensity", "not-intensified")) or r"(?!)"
        pattern = regex.compile(
            rf"(?i)\b(?:(?:{intensifiers})(?:\s+\w+)?(?:,|\s+and)?\s+)+(?:{intensifiers})"
            rf"\s+(?!(?:{not_intensified})\b)\w+"
        )
        words = CompiledPatterns.build(languages.words("intensity", "intensifiers"), (), ignore_case=True,
                                       word_boundary=True)
        return cls(pattern, PhraseIndex((words,)))


@dataclass(frozen=True)
class Courtesy:
    """Openings of sentences that end in "!" by etiquette, not for effect: thanks, greetings,
    addresses to the readers, condolences, wishes, alerts (the run's languages' ``intensity``
    ``courtesy`` lists, regular expressions matched case-blind from the sentence's first word to
    its "!"). A sentence that opens with one is not reported: of the exclamations this drops on
    the UNLP Telegram posts, 38 of 39 lie outside every labelled span.

    An opening is a word, so only the openings of the languages written in the script of the
    sentence's first letter can match: those are compiled, when a run first meets such a
    sentence (the Ukrainian and Russian ones together take ~5 ms, the English ones ~1 ms).
    """

    by_script: tuple[tuple[regex.Pattern, tuple[str, ...]], ...]  # (a script's letters, its openings)
    every: tuple[str, ...]  # for a sentence that opens with a digit or a letter of no run language
    compiled: dict[tuple[str, ...], regex.Pattern] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, languages: Languages) -> Courtesy:
        by_script = tuple(
            (languages.script_letters[script],
             tuple(dict.fromkeys(opening for language in languages.of_script(script)
                                 for opening in language.words_of("intensity", "courtesy"))))
            for script in languages.scripts
        )
        return cls(by_script, languages.words("intensity", "courtesy"))

    def opens(self, text: str, start: int, end: int) -> bool:
        """Whether the sentence ``text[start:end]`` (``start`` at its first letter or digit)
        opens with a courtesy."""
        openings = next((own for letters, own in self.by_script if letters.match(text, start)), self.every)
        pattern = self.compiled.get(openings)
        if pattern is None:
            pattern = self.compiled[openings] = regex.compile("(?i)(?:" + "|".join(openings) + ")" if openings
                                                              else r"(?!)")
        return pattern.match(text, start, end) is not None


ACRONYM_REPEATS = 3  # capitals used this often in one article are a name or an acronym
# Punctuation that makes capitals a label: "HANNITY:", "(WHO)", "[NATO]", "VDARE.COM", "/NEWS/".
LABEL_BEFORE = ("(", "[", ".", "/", "@", "#")
LABEL_AFTER = (":", ")", "]", "/")
MIXED_CASE_WORDS = 3  # a line needs this many lower-case words for capitals in it to be shouting
CONTEXT = 200  # characters either side that count as "the line" (texts can be one huge line)


def _count_as_word(text: str, word: str, limit: int) -> int:
    """How many times ``word`` occurs between non-word characters in ``text``, counting up to
    ``limit`` (str.find is a fast literal search; a regex with a look-behind in front would try
    every position)."""
    count, at = 0, text.find(word)
    while at != -1 and count < limit:
        end = at + len(word)
        if (at == 0 or not is_word_char(text[at - 1])) and (end == len(text) or not is_word_char(text[end])):
            count += 1
        at = text.find(word, at + 1)
    return count


def _is_shoutable_word(text: str, word: str) -> bool:
    """Whether capitals ``word`` is an ordinary word written loud rather than a name or acronym:
    its lower-case form occurs in the article (a name such as "Carter" only ever occurs
    Capitalised), and the capitals form is not a fixture of the article (an acronym such as
    "WHO" or a transcript's speaker label recurs; a shouted word is used once or twice)."""
    return _count_as_word(text, word.lower(), 1) == 1 and _count_as_word(text, word, ACRONYM_REPEATS) < ACRONYM_REPEATS


def _is_prose(line: str) -> bool:
    """Whether ``line`` has MIXED_CASE_WORDS words in lower case (stops counting there)."""
    count = 0
    for word in line.split():
        if word[:1].islower():
            count += 1
            if count >= MIXED_CASE_WORDS:
                return True
    return False


def _shouting(text: str, start: int, end: int, ordinary: dict[str, bool]) -> bool:
    """Capitals are shouting when they are an ordinary word written loud (see
    ``_is_shoutable_word``) in a line of ordinary prose, not a heading, a dateline, a speaker
    label ("HANNITY:"), an acronym in brackets or part of a web address. The local checks come
    first; the article-wide checks are remembered per word in ``ordinary``, and a word they
    already ruled out (an acronym used all through the article) needs no local check."""
    if ordinary.get(text[start:end]) is False:
        return False
    before, after = text[start - 1 : start] if start else "", text[end : end + 2]
    if before in LABEL_BEFORE or after[:1] in LABEL_AFTER or (after[:1] == "." and is_word_char(after[1:])):
        return False
    if NEIGHBOUR_CAPITALS.search(text[max(0, start - 30) : start]) or NEIGHBOUR_CAPITALS.search(text[end : end + 30]):
        return False  # a run of capitals is a heading or a name, not one shouted word
    if speaking_after().match(text, end, end + 20):
        return False
    window_start = max(0, start - CONTEXT)
    line_start = max(text.rfind("\n", window_start, start) + 1, window_start)
    line_end = text.find("\n", end, end + CONTEXT)
    line = text[line_start : min(len(text), end + CONTEXT) if line_end == -1 else line_end]
    dateline = start == line_start and text[end : end + 3].strip()[:1] in ("—", "–", "-", ",", "(")
    if dateline or not _is_prose(line):
        return False
    word = text[start:end]
    if word not in ordinary:
        ordinary[word] = _is_shoutable_word(text, word)
    return ordinary[word]


def _sentence_start(text: str, end: int) -> int | None:
    """Where the sentence ending at ``end`` starts: its first letter or digit after the last
    sentence end, line break or quotation mark, looking back at most LOOK_BACK characters.
    None when there is no word before ``end`` (a "!" on its own)."""
    window_start = max(0, end - LOOK_BACK)
    cut = max(text.rfind(mark, window_start, end) for mark in SENTENCE_ENDS)
    if cut >= 0:
        begin = cut + 1
    elif window_start == 0:
        begin = 0
    else:  # no boundary in reach: start at the next word, not inside one
        begin = text.find(" ", window_start, end) + 1
        if begin == 0:
            return None
    first = FIRST_WORD.search(text, begin, end)
    return None if first is None else first.start()


def _stacks(document: Document, stacking: Stacking) -> Iterator[tuple[int, int]]:
    """Stacked intensifiers, left to right without overlap, as a scan would find them."""
    text = document.text
    if stacking.index is None:
        return
    candidates = stacking.index.candidates(document)
    if candidates is None:  # too long to fold: scan
        yield from (match.span() for match in stacking.pattern.finditer(text))
        return
    last_end = 0
    # The pattern opens with a word boundary and an intensifier, so it is tried straight at each
    # place the automaton saw one ("so" inside "also" fails at the boundary), with no regex per
    # word first to confirm it: "so" alone occurs ~2 times per 1,000 characters of news.
    for start in sorted(set(candidates.starts.get(0, ()))):
        if start < last_end:
            continue
        match = stacking.pattern.match(text, start)
        if match:
            last_end = match.end()
            yield match.span()


class IntensityDetector:
    name = "intensity"
    rules = (EXCLAMATION, SHOUTING, STACK)

    def __init__(self, languages: Languages):
        self.stacking = Stacking.of(languages)
        self.courtesy = Courtesy.of(languages)
        self.phrase_indexes = (self.stacking.index,) if self.stacking.index is not None else ()

    def detect(self, document: Document) -> Iterator[Finding]:
        text = document.text
        if "!" in text:
            quoted = Coverage((q.start, q.end) for q in document.regions_of("quote"))
            for bang in BANGS.finditer(text):
                if quoted.covers(bang.start()):
                    continue  # a quoted speaker's exclamation is reported speech, not the outlet's voice
                start = _sentence_start(text, bang.start())
                if start is not None and not self.courtesy.opens(text, start, bang.start()):
                    yield document.finding_of(EXCLAMATION, start, bang.end(), detector=self.name)
        ordinary: dict[str, bool] = {}
        for match in CAPITALS.finditer(text):
            if _shouting(text, *match.span(), ordinary):
                yield document.finding_of(SHOUTING, *match.span(), detector=self.name)
        for start, end in _stacks(document, self.stacking):
            yield document.finding_of(STACK, start, end, detector=self.name)


@hookimpl
def framecheck_detectors(languages: Languages) -> list[IntensityDetector]:
    return [IntensityDetector(languages)]
