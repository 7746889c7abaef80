"""Unsourced attribution: a claim resting on an unnamed source, with no named source nearby.

A phrase list cannot do this: "It has been reported that" is unsourced in one sentence and
sourced in "It has been reported by Reuters that". The detector finds attribution cues
("it has been reported", "sources say", "according to reports", "experts believe"), then
looks through the rest of the sentence for a named person or organisation acting as a
source ("according to NATO", "Vedant Patel stated", "as reported by OBOZREVATEL"). Only
cues whose sentence names no source are flagged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import regex

from framecheck import (
    CompiledPatterns,
    Document,
    Examples,
    Finding,
    PhraseIndex,
    RuleInfo,
    Severity,
    fold_case,
    hookimpl,
    sentence_around,
)

RULE = RuleInfo(
    id="unsourced-attribution",
    technique="unsourced-attribution",
    severity=Severity.WARNING,
    message="claim attributed to an unnamed source; name who said it, or say the outlet could not confirm it",
    weight=1.5,
    why=(
        "Passive or anonymous attribution ('it has been reported', 'sources say') lets a story "
        "assert a claim while nobody answers for it; readers cannot judge a source they are not shown."
    ),
    suggest=("According to <named person or organisation>, ...", "<Outlet> could not independently confirm ..."),
    examples=Examples(
        match=(
            "It has also been reported that Tehran uses Chinese components to produce drones.",
            "Sources say the minister will resign next week.",
            "According to reports, the plant could start operating next year.",
            "Experts believe the ceasefire will not hold.",
            "It is widely believed that the vote was rigged.",
            "Anonymous officials said the talks had collapsed.",
            "It is believed to have killed 300 people in the raid.",
        ),
        no_match=(
            '"Russia has received hundreds of drones from Iran," Vedant Patel stated.',
            "It has been reported by Reuters that the plant is nearly finished.",
            "It was reported in 1999 and 2000 by L’Espresso, which said the bishops knew.",
            "According to NATO, the drills will continue until Friday.",
            "The State Department official said the partnership is growing.",
            "Experts at the Kyiv School of Economics said exports fell by a third.",
            "The report was published on Tuesday.",
            "It is believed to have a mass 1.4 times that of Earth.",
            "It is thought to be about 4.5 billion years old.",
        ),
    ),
    origin="plugin:unsourced-attribution",
    pack="bundled",
)

_VERBS = (
    r"report(?:ed|s)|said|says?|claim(?:ed|s)?|alleg(?:ed|es?)|rumou?red|suggest(?:ed|s)?|"
    r"believe[ds]?|understood|learn(?:ed|t)|revealed|thought|think|speculated|indicate[ds]?|"
    r"told|insist(?:ed|s)?|warn(?:ed|s)?|maintain(?:ed|s)?|contend(?:ed|s)?|agree[ds]?|fear(?:ed|s)?"
)
_SOURCE_NOUNS = (
    r"sources?|insiders?|experts?|analysts?|observers?|officials|critics?|commentators?|"
    r"(?:media\s+|press\s+|news\s+)?reports|rumou?rs|scientists|researchers|witnesses|people|diplomats"
)
_VAGUE_MODIFIERS = (
    r"some|many|several|most|unnamed|anonymous|senior|informed|well[- ]placed|reliable|"
    r"knowledgeable|western|local|intelligence|government|official|diplomatic|military|security|"
    r"industry|independent|leading|top|other|numerous|various|multiple|unconfirmed|recent|media|press"
)

# Every cue either starts with "according to" or ends with one of these words (before an
# optional "that"). One Aho-Corasick pass finds them; the cue is then matched forwards from the
# former and backwards from the latter, instead of trying this long alternation at every word
# of the text (which cost ~10x more).
FORWARD_TRIGGERS = ("according to",)
BACKWARD_TRIGGERS = (
    "report(ed|s)", "sa(id|ys|y)", "claim(ed|s|)", "alleg(ed|es|e)", "rumo(u|)red", "suggest(ed|s|)",
    "believe(d|s|)", "understood", "learn(ed|t)", "revealed", "thought", "think", "speculated",
    "indicate(d|s|)", "told", "insist(ed|s|)", "warn(ed|s|)", "maintain(ed|s|)", "contend(ed|s|)",
    "agree(d|s|)", "fear(ed|s|)", "has it", "are saying",
)
TRIGGERS = (
    CompiledPatterns.build(FORWARD_TRIGGERS, (), ignore_case=True, word_boundary=True),
    CompiledPatterns.build(BACKWARD_TRIGGERS, (), ignore_case=True, word_boundary=True),
)
TRIGGER_INDEX = PhraseIndex(TRIGGERS)
THAT = re.compile(r"\s+that(?!\w)", re.IGNORECASE)

CUES_SOURCE = rf"""
    \b(?=\w)(?:  # only at word starts
        it\s+(?:(?:has|had|have)\s+(?:also\s+|long\s+|now\s+|already\s+)?been|is|was)
            \s+(?:also\s+|widely\s+|now\s+|long\s+|generally\s+|often\s+)?
            (?:reported|said|claimed|alleged|rumou?red|suggested|believed|understood|learned|learnt|revealed|thought|speculated)
            (?:\s+that)?
      | according\s+to\s+(?:(?:{_VAGUE_MODIFIERS})\s+)*(?:{_SOURCE_NOUNS}|estimates|information|data)
      | (?:(?:{_VAGUE_MODIFIERS})\s+)*(?:{_SOURCE_NOUNS})
            (?:\s+close\s+to\s+the\s+\w+|\s+familiar\s+with\s+the\s+\w+)?
            \s+(?:{_VERBS})(?:\s+that)?
      | (?:rumou?r|word)\s+has\s+it(?:\s+that)?
      | (?:many\s+)?people\s+are\s+saying(?:\s+that)?
    )(?!\w)
    """


@functools.cache
def cues() -> re.Pattern:
    """The cue pattern, matched forwards (compiled on first use: most one-article scans never need it)."""
    return re.compile(CUES_SOURCE, re.IGNORECASE | re.VERBOSE)


@functools.cache
def cues_backwards() -> regex.Pattern:
    """The same pattern matched backwards from a trigger word."""
    return regex.compile(CUES_SOURCE, regex.IGNORECASE | regex.VERBOSE | regex.REVERSE)


CUE_REACH = 300  # characters a cue may span; longer ones are not one attribution

# A cue that ends at a one-word trigger has, among the ANCHOR_WORDS words before the trigger,
# its source noun ("officials said", "sources close to the army said") or the verb of "it is /
# was / has been said". Most "said"s have neither (a named speaker said it): they are passed
# over without matching the long pattern backwards.
ANCHOR_WORDS = 5


def _spellings(alternative: str) -> set[str]:
    """The words one alternative of _SOURCE_NOUNS matches: each ``x?`` both with and without x."""
    optional = re.search(r"(\w)\?", alternative)
    if optional is None:
        return {alternative}
    head, tail = alternative[: optional.start()], alternative[optional.end() :]
    return _spellings(head + optional.group(1) + tail) | _spellings(head + tail)


# The source nouns as the grammar spells them (a "(?:media\s+|...)?" before one is a word
# before the anchor, dropped), and the passive's verbs.
_SOURCE_ANCHORS = frozenset(
    {word for alternative in re.sub(r"\(\?:[^()]*\)\?", "", _SOURCE_NOUNS).split("|")
     for word in _spellings(alternative)} | {"is", "was", "been"}
)
_WORD = regex.compile(r"\w+")
_ANCHOR_LOOK_BACKS = (60, 200)  # characters read back for ANCHOR_WORDS words, then more


def _may_end_a_cue(text: str, trigger_start: int, trigger_end: int) -> bool:
    """Whether a cue could end at this trigger (a cheap test; the pattern decides). The words of
    a cue stand apart by white space alone, so its anchor is among the last ANCHOR_WORDS
    white-space-separated tokens (with what precedes the cue's first word, as in "(Sources")."""
    if not _WORD.fullmatch(text, trigger_start, trigger_end):
        return True  # a trigger of two words ("has it", "are saying") brings its own words
    for look_back in _ANCHOR_LOOK_BACKS:  # a short window holds five words of most prose
        window_start = max(0, trigger_start - look_back)
        tokens = text[window_start:trigger_start].rsplit(None, ANCHOR_WORDS)
        if len(tokens) > ANCHOR_WORDS or window_start == 0:
            break
    else:
        return True  # very long words: too few seen to rule anything out
    return not _SOURCE_ANCHORS.isdisjoint(_WORD.findall(fold_case(" ".join(tokens[-ANCHOR_WORDS:]))))


_NAME = r"(?:\p{Lu}[\p{L}\p{M}'’.\-]*)(?:\s+(?:of\s+|the\s+|for\s+)?\p{Lu}[\p{L}\p{M}'’.\-]*)*"
_SPEECH = (
    r"said|says|say|stated|states|told|tells|reported|reports|announced|announces|confirmed|confirms|"
    r"claimed|claims|noted|notes|stressed|wrote|writes|added|adds|tweeted|posted|explained|argued|warned|"
    r"insisted|declared|recalled|commented|emphasi[sz]ed|estimated|found|concluded"
)


@functools.cache
def named_source() -> regex.Pattern:
    """A named source and its speech verb; compiled on first use (only sentences holding a cue
    are searched for one)."""
    return regex.compile(
        rf"""
          (?i:according\s+to|reports?\s+by|(?:reported|stated|said|claimed|announced|confirmed|cited|quoted|revealed)(?:\s+[\w'’]+){{0,5}}?\s+by|told|
              in\s+an\s+interview\s+with|speaking\s+to)\s+(?:the\s+)?(?P<name>{_NAME})
        | (?P<name>{_NAME})(?:['’]s)?(?:\s+\p{{Ll}}[\p{{Ll}}-]*){{0,3}}\s+(?i:{_SPEECH})(?!\w)
        | (?i:\b(?:he|she)\s+(?:\p{{Ll}}+\s+)?(?:{_SPEECH}))(?!\w)
        """,
        regex.VERBOSE,
    )


_NOT_NAMES = frozenset(
    """a an the it this that these those some many several most sources source experts expert officials
    official reports report analysts observers critics insiders according as in on at but and however
    meanwhile they we he she there unnamed anonymous senior also earlier later if when while although
    thus so yet still then today yesterday people scientists researchers witnesses diplomats rumour rumor
    word western local intelligence government informed reliable other numerous""".split()
)


def _is_name(candidate: str) -> bool:
    words = candidate.split()
    while words and words[0].lower().strip("'’.") in _NOT_NAMES:
        words.pop(0)
    return bool(words)


# "It is believed to have a mass 1.4 times that of Earth": the "it" is the planet, and the
# hedge is a scientist's estimate of a quantity, not a claim resting on a hidden source. A cue
# of this shape (an impersonal passive without "that", then "to" and a verb) is passed over when
# the rest of its sentence measures something: a physical quantity, or a number with a unit.
ESTIMATE_CUE = re.compile(r"(?i)it\s+(?:is|was|has\s+been)\s+(?:\w+\s+)?(?:believed|thought|understood|estimated)$")
INFINITIVE = re.compile(r"\s+to\s+(?:be|have|weigh|measure|date|span|stretch|lie|contain|orbit|form)(?!\w)", re.I)
MEASUREMENT = regex.compile(
    r"""(?ix)(?<![\w])(?:
        mass|diameter|radius|temperature|density|circumference|wavelength|half-life|orbit(?:al\s+period)?
      | \d[\d.,]*\s*(?:times|km|kilomet(?:re|er)s?|miles?|met(?:re|er)s?|kg|kilograms?|tonnes?|degrees?|°
                       |light[- ]years?|(?:million|billion|thousand)\s+years|years?\s+old|centimet(?:re|er)s?|cm|mm)
    )(?![\w])"""
)


def is_estimate(text: str, cue_start: int, cue_end: int, sentence_end: int) -> bool:
    """Whether the cue hedges a measurement (see MEASUREMENT) rather than hiding a source."""
    if not ESTIMATE_CUE.fullmatch(text[cue_start:cue_end]):
        return False
    return INFINITIVE.match(text, cue_end) is not None and MEASUREMENT.search(text, cue_end, sentence_end) is not None


def has_named_source(sentence: str) -> bool:
    for match in named_source().finditer(sentence, overlapped=True):
        names = match.captures("name")
        if not names or any(_is_name(name) for name in names):
            return True
    return False


class UnsourcedAttributionDetector:
    name = "unsourced-attribution"
    rules = (RULE,)
    phrase_indexes = (TRIGGER_INDEX,)  # answered by the engine's one automaton pass

    def detect(self, document: Document) -> Iterator[Finding]:
        text = document.text
        cues = cue_spans(document)
        if not cues:
            return
        named: dict[tuple[int, int], bool] = {}
        for cue_start, cue_end in cues:
            start, end = sentence_around(text, cue_start, cue_end)
            if cue_end > end:  # a cue running across a sentence break is not one claim
                continue
            if (start, end) not in named:
                named[start, end] = has_named_source(text[start:end])
            if named[start, end] or is_estimate(text, cue_start, cue_end, end):
                continue
            yield document.finding_of(RULE, cue_start, cue_end, detector=self.name)


def cue_spans(source: Document | str) -> list[tuple[int, int]]:
    """Attribution cues, left to right and without overlap, found from their trigger words."""
    text = source if isinstance(source, str) else source.text
    candidates = TRIGGER_INDEX.candidates(source)
    if candidates is None:  # too long to fold: scan
        return [match.span() for match in cues().finditer(text)]
    found: list[tuple[int, int]] = []
    forward, backward = (
        TRIGGERS[number].spans(text, candidates.starts.get(number, ()), keys=candidates.keys.get(number, ()))
        for number in range(len(TRIGGERS))
    )
    for trigger_start, _ in forward:
        match = cues().match(text, trigger_start)
        if match:
            found.append(match.span())
    for trigger_start, trigger_end in backward:
        if not _may_end_a_cue(text, trigger_start, trigger_end):
            continue
        that = THAT.match(text, trigger_end)
        for end in (that.end(), trigger_end) if that else (trigger_end,):
            match = cues_backwards().match(text, max(0, trigger_end - CUE_REACH), end)
            if match:
                found.append(match.span())
                break
    kept: list[tuple[int, int]] = []
    for span in sorted(found, key=lambda span: (span[0], -span[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


@hookimpl
def framecheck_detectors() -> list[UnsourcedAttributionDetector]:
    return [UnsourcedAttributionDetector()]
