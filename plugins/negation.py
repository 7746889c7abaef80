"""Negation and hedging windows: a loaded word that its own clause denies, supposes or reports.

"This was no massacre", "if the inquiry is a witch hunt" and "critics called the plan a
disaster" all contain a loaded word, but the outlet is not using it in its own voice: the
first denies it, the second supposes it, the third reports somebody else's label. The words
are still worth showing to an editor (a denial repeats the frame it denies), so the findings
stay, with a ``context`` that says why; the score counts them for less (by default half for
"negated" and "conditional", a quarter for "reported-label" and "reported-speech", like a named
speaker's quote; ``scoring: context:`` in the configuration changes that).

Reported speech is a named speaker's words without quotation marks: "Senator Smith said the
report was a witch hunt", "The report is a witch hunt, Smith said", "Зеленський заявив, що ...".
A finding after a named speaker and a speech verb in its sentence (or before ", X said" at the
sentence's end) gets "reported-speech", and is no longer counted as the outlet's own voice.
Named means a name, "the" and a role ("the minister"), or "he"/"she"; a vague crowd ("critics
said", "experts say") is not a speaker: attributing a claim to one is a device of its own. The
reported words start right after the verb ("said the plan failed") or after "that" for verbs
that need it ("added that ...": ``speech.needs-that``), never with a word of circumstance ("wrote
in a stunning admission": ``speech.circumstance-words``), and end at a semicolon or a quotation
mark.

The window is the few words just before a finding, in the same clause: a clause boundary
(punctuation, a quotation mark, a line break) ends it, so "It is not clear. The brutal
attack ..." does not negate "brutal".
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import regex

from framecheck import NAME_PATTERN, REPORTED_SPEECH, Document, Finding, Languages, RuleInfo, hookimpl, sentence_around

KEPT_WITHOUT_DEFAULT_RULES = True  # context for every rule, a newsroom pack's alone included
# Word-level devices only: before a sentence-long device a negation is part of the device.
TECHNIQUES = frozenset({"loaded-language", "name-calling", "exaggeration", "appeal-to-fear"})
MAX_WORDS_IN_FINDING = 4
WINDOW_WORDS = 3  # how far back a cue may stand: "not a truly brutal", "never been a"
LOOK_BACK = 80  # characters: the clause start a condition may stand at ("if the inquiry is a ...")
CLAUSE_END = regex.compile(r"[,;:.!?()\[\]\"“”«»\n]|\s[–—-]\s")
WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)?")


@dataclass(frozen=True)
class CueWords:
    """The cue words of a run's languages (each language.yaml's ``negation`` section): a
    negation, a condition, a verb of labelling or describing, and the words that undo them."""

    negations: frozenset[str]
    emphatic_after: frozenset[str]  # "not only", "no less", "never more": emphasis, not denial;
    # and "never stop", "did not end": a denied ending asserts what follows
    conditions: frozenset[str]
    labelling: frozenset[str]  # verbs of labelling, in forms that are rarely nouns ("called", "dubbed")
    not_a_label: frozenset[str]  # "called for a brutal ..."
    describing: frozenset[str]  # "described as"
    any_cue: regex.Pattern  # one search for any cue word rules most findings out before words are split

    @classmethod
    def of(cls, languages: Languages) -> CueWords:
        def words(key: str) -> frozenset[str]:
            return frozenset(word.casefold() for word in languages.words("negation", key))

        negations, conditions, labelling, describing = (
            words("negations"), words("conditions"), words("labelling-verbs"), words("describing-verbs"))
        any_cue = regex.compile(
            r"(?i)(?<![\p{L}\p{N}])(?:"
            + "|".join(sorted(negations | conditions | labelling | describing))
            + r")(?![\p{L}\p{N}])|n['’]t(?![\p{L}\p{N}])"
        )
        return cls(negations, words("emphatic-after") | words("ceasing-verbs"), conditions, labelling,
                   words("not-a-label"), describing, any_cue)


def _clause_before(text: str, start: int) -> list[str]:
    """The words of the clause before ``start`` (at most LOOK_BACK characters back), lower case."""
    before = text[max(0, start - LOOK_BACK) : start]
    boundaries = list(CLAUSE_END.finditer(before))
    if boundaries:
        before = before[boundaries[-1].end() :]
    return [w.casefold().replace("’", "'") for w in WORD.findall(before)]


_LETTER_OR_NUMBER = regex.compile(r"[\p{L}\p{N}]")


class CueIndex:
    """Where the cue words of a whole text stand, found in one pass: for a text with a finding
    every few words, cheaper than searching the window before each one.

    It answers "is there a cue in the window" generously (any cue overlapping it counts), and
    the clause's words then decide, as they do after a search. The one place a search of the
    window sees more than the whole text shows, a cue ending where the window ends inside a word
    ("no" of "nonsense" before a finding "nsense"), is left to the search.
    """

    def __init__(self, text: str, words: CueWords):
        self.text = text
        self.any_cue = words.any_cue
        spans = [match.span() for match in words.any_cue.finditer(text)]
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]  # cues do not overlap: ends ascend with starts

    def may_have_cue(self, low: int, high: int) -> bool:
        text = self.text
        if 0 < high < len(text) and _LETTER_OR_NUMBER.match(text, high - 1) and _LETTER_OR_NUMBER.match(text, high):
            return self.any_cue.search(text, low, high) is not None  # mid-word: a cue may end here only to a search
        last = bisect.bisect_left(self.starts, high) - 1  # the last cue starting before ``high``
        return last >= 0 and self.ends[last] > low


def context_of(text: str, start: int, words_of: CueWords, cues: CueIndex | None = None) -> str | None:
    """The context that changes what the words at ``start`` mean, or None: a negation or a
    reporting verb among the last WINDOW_WORDS words, or a condition anywhere in the clause."""
    low = max(0, start - LOOK_BACK)
    if not (cues.may_have_cue(low, start) if cues is not None else words_of.any_cue.search(text, low, start)):
        return None
    words = _clause_before(text, start)
    recent = words[-WINDOW_WORDS:]
    negation = [word in words_of.negations or word.endswith("n't") for word in recent]
    for index in range(len(recent)):
        # The word after the negation, past any further negation ("ніколи не припинять", "never
        # ever"): Ukrainian and Russian negate twice, and what follows the chain decides.
        following = next((w for w, negates in zip(recent[index + 1 :], negation[index + 1 :]) if not negates), "")
        if negation[index] and following not in words_of.emphatic_after:
            return "negated"
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in words_of.labelling and following not in words_of.not_a_label:
            return "reported-label"
        if word == "as" and index > 0 and words[index - 1] in words_of.describing:
            return "reported-label"
    if any(word in words_of.conditions for word in words):
        return "conditional"
    return None


_SPEAKER = rf"(?P<speaker>{NAME_PATTERN}|(?i:the)[ \t]+\p{{Ll}}+(?:[ \t]+\p{{Ll}}+)?|(?i:he|she))"
VERBS = "VERBS"  # where a language's speech verbs go in the two patterns below
_HEARERS = r"(?:[ \t]+(?:reporters|journalists|lawmakers|parliament|him|her|them|us|me))?"
_THAT = r"(?P<that>[ \t]+(?i:that|whether|why|how|if)|,?[ \t]+(?i:що|что|чтобы|щоб|чи|ли))?"
SPEAKER_BEFORE = (r"(?:^|(?<=[\s,(—–]))" + _SPEAKER + r"(?:[ \t]+\p{Ll}+ly)?[ \t]+(?P<verb>(?i:VERBS))(?![\p{L}])"
                  + _HEARERS + _THAT + r"[ \t]+(?P<next>[\p{L}]+)")
SPEAKER_AFTER = (r"[,—–][ \t]*(?:" + _SPEAKER + r"[ \t]+(?i:VERBS)|(?i:VERBS)[ \t]+(?P<speaker>" + NAME_PATTERN
                 + r"))[ \t]*[.!?]?$")
# A quotation mark or a semicolon between a speaker and a finding: the reported words ended
# ("he said that she had to be heard; then he attacked her in terms that were a slur").
REPORT_ENDS = regex.compile(r"[\"“”«»„;]")


@dataclass(frozen=True)
class _Sentence:
    """A sentence searched for reported speech: where each named speaker's speech verb (and
    "that") ends, and the pattern for a speaker after the words (None: no speech verb in it)."""

    start: int
    end: int
    speakers: tuple[int, ...]
    after: regex.Pattern | None


class ReportedSpeech:
    """Finds the named speaker of the sentence a finding sits in, when the sentence reports
    somebody's words without quoting them (see the module)."""

    def __init__(self, languages: Languages):
        self.languages = languages
        self.not_speakers = languages.not_names | languages.unnamed_speakers
        # "Senate Democrats continued their smear": a verb that reports speech only before "that"
        self.needs_that = frozenset(word.casefold() for word in languages.words("speech", "needs-that"))
        # "Murillo wrote in a stunning admission": what follows tells how it was said, not what
        self.circumstances = frozenset(word.casefold() for word in languages.words("speech", "circumstance-words"))
        self._patterns: dict[str, tuple[regex.Pattern, regex.Pattern]] = {}

    def patterns(self, verbs: str) -> tuple[regex.Pattern, regex.Pattern]:
        if verbs not in self._patterns:
            self._patterns[verbs] = (regex.compile(SPEAKER_BEFORE.replace(VERBS, verbs)),
                                     regex.compile(SPEAKER_AFTER.replace(VERBS, verbs)))
        return self._patterns[verbs]

    def speaks(self, text: str, start: int, end: int, sentence: _Sentence) -> bool:
        """Whether a named speaker in ``sentence`` (see :meth:`sentence_holding`) reports the words
        at ``[start, end)`` (quoted words are left to the quotation's speaker: a quotation mark
        between them ends the search)."""
        if sentence.after is None:
            return False
        if any(speaker_end <= start and not REPORT_ENDS.search(text, speaker_end, start)
               for speaker_end in sentence.speakers):
            return True
        tail = sentence.after.search(text, end, sentence.end)
        return (tail is not None and self.named(tail.group("speaker"))
                and not REPORT_ENDS.search(text, end, tail.start()))

    def sentence_holding(self, text: str, start: int, end: int, previous: _Sentence | None) -> _Sentence:
        """The sentence around ``[start, end)``: ``previous`` when it holds the span (findings come
        in reading order and several often share a sentence, which is then split and searched once)."""
        if previous is not None and previous.start <= start and end <= previous.end:
            return previous
        return self.sentence(text, start, end)

    def sentence(self, text: str, start: int, end: int) -> _Sentence:
        """The sentence around ``[start, end)``, with where each named speaker's verb ends in it."""
        sentence_start, sentence_end = sentence_around(text, start, end, reach=400)
        verbs = self.languages.speech_verbs_in(text[sentence_start:sentence_end])
        if verbs is None:
            return _Sentence(sentence_start, sentence_end, (), None)
        before, after = self.patterns(verbs)
        speakers = tuple(match.start("next") for match in before.finditer(text, sentence_start, sentence_end)
                         if self.named(match.group("speaker")) and self.reports(match))
        return _Sentence(sentence_start, sentence_end, speakers, after)

    def reports(self, match: regex.Match) -> bool:
        """Whether the words after a speaker's verb are what was said: "said the plan failed",
        "added that ...", not "continued their smear" or "wrote in a stunning admission"."""
        if match.group("that"):
            return True
        return (match.group("verb").casefold() not in self.needs_that
                and match.group("next").casefold() not in self.circumstances)

    def named(self, speaker: str) -> bool:
        words = [word.casefold() for word in speaker.split()]
        if words[0] == "the":
            return len(words) > 1 and words[-1] not in self.not_speakers
        if words[-1] in self.languages.pronoun_speakers:
            return True
        return any(word[:1].isupper() for word in speaker.split()) and words[-1] not in self.not_speakers


class NegationReviewer:
    """Marks word-level findings under a negation, a condition, a reporting verb or in reported speech."""

    name = "negation"
    rules: tuple[RuleInfo, ...] = ()

    def __init__(self, languages: Languages):
        self.words = CueWords.of(languages)
        self.reported = ReportedSpeech(languages)

    def review(self, document: Document, findings: Sequence[Finding]) -> Iterator[Finding]:
        text = document.text
        # A finding every LOOK_BACK characters or more often: one pass finds every cue.
        cues = CueIndex(text, self.words) if len(findings) * LOOK_BACK > len(text) else None
        sentence: _Sentence | None = None  # the one the previous finding was in
        for finding in findings:
            if finding.technique not in TECHNIQUES or finding.context:
                continue
            if len(finding.excerpt.split()) > MAX_WORDS_IN_FINDING:
                continue
            context = context_of(text, finding.start, self.words, cues)
            found = () if context is None else (context,)
            if finding.quote is None:
                sentence = self.reported.sentence_holding(text, finding.start, finding.end, sentence)
                if self.reported.speaks(text, finding.start, finding.end, sentence):
                    found = (*found, REPORTED_SPEECH)
            if found:
                yield finding.evolve(context=found)


@hookimpl
def framecheck_reviewers(languages: Languages) -> list[NegationReviewer]:
    return [NegationReviewer(languages)]
