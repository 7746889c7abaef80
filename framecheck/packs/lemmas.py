"""Phrases that match every inflected form of their words (``match: lemma`` in a pack).

Ukrainian and Russian nouns, adjectives and verbs change their endings with case, number,
gender, person and tense: "рашист" is also "рашиста", "рашистам", "рашистів"; "не вестися на
фейк" is also "не ведіться на фейки". A pack with ``match: lemma`` writes each phrase once, in
dictionary form, and framecheck matches every form of every word.

How, and why this way: the first time a scan meets a document in a language, each word of the
phrases of that language's packs is looked up in the OpenCorpora-derived dictionaries of
pymorphy3 (``pymorphy3-dicts-uk``, ``pymorphy3-dicts-ru``, offline) and replaced by the set of
all its forms (its paradigm; a word the dictionary lacks gets the paradigm pymorphy3 predicts
for it). The table of forms is kept in the on-disk cache, so later runs do not open the
dictionaries (0.25-0.35 s each), and a run that meets no Ukrainian or Russian text never does.
A scan then only splits the document into words once and looks each word up in the table: no
morphological analysis per document (it costs ~140 µs a word in pure Python; the whole rule
scan of a Telegram post costs less).

Matching is case-insensitive, "ё" matches "е", and the three apostrophes of Ukrainian
(``'``, ``’``, ``ʼ``) are one. Words of a phrase must follow each other separated by white space
only, or by exactly the punctuation the phrase has there ("будь-який").
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import regex

from ..core.cache import cached, file_signature
from ..core.folding import fold_case
from ..core.model import LARGE_TEXT
from ..languages.profiles import Languages, bundled_languages
from .indexes import FOLD_CHUNK, FOLD_OVERLAP
from .phrases import expand_phrase

TOKEN = regex.compile(r"[\w\p{M}]+(?:['’ʼ][\w\p{M}]+)*")
_FOLDED_ALIKE = (("’", "'"), ("ʼ", "'"), ("ё", "е"))
_SPACE = regex.compile(r"\s")


class LexiconError(ValueError):
    """A lemma phrase that cannot be prepared; the message says why."""


def fold_word(word: str) -> str:
    """How a word (or a whole text) is compared: lower case, one apostrophe, "ё" as "е".
    (Replacing what is present is several times faster than ``str.translate``.)"""
    folded = fold_case(word)
    for char, alike in _FOLDED_ALIKE:
        if char in folded:
            folded = folded.replace(char, alike)
    return folded


def dictionaries(languages: Languages | None = None) -> dict[str, str]:
    """Language code -> the pymorphy3 dictionary module its language.yaml names."""
    return {p.code: p.morphology for p in (languages or bundled_languages()).profiles if p.morphology}


def check_language(language: str, languages: Languages | None = None) -> None:
    """Refuse, when a pack loads (once per pack), a language without a dictionary or whose
    dictionary is not installed (looked for, not opened)."""
    known = dictionaries(languages)
    if language not in known:
        raise LexiconError(f"'match: lemma' needs a dictionary for the pack's language {language!r}; "
                           f"framecheck has them for {', '.join(sorted(known))} (a language's 'morphology' "
                           "in its language.yaml)")
    for module in ("pymorphy3", known[language]):
        if importlib.util.find_spec(module) is None:
            raise LexiconError(f"'match: lemma' needs pymorphy3 and its {language!r} dictionary "
                               f"(pip install pymorphy3 pymorphy3-dicts-{language})")


def dictionary_signature(languages: Languages | None = None) -> str:
    """Which dictionaries a table of forms was made from (part of its cache key)."""
    specs = {module: importlib.util.find_spec(module) for module in ("pymorphy3", *dictionaries(languages).values())}
    return ";".join(file_signature(module, spec and spec.origin) for module, spec in specs.items())


class Lexicons:
    """The dictionaries of one run, opened on first use (0.25-0.35 s and ~20 MB each), and the
    paradigms already looked up."""

    def __init__(self, languages: Languages | None = None) -> None:
        self.languages = languages
        self._analysers: dict[str, object] = {}
        self._forms: dict[tuple[str, str], frozenset[str]] = {}
        self._signature: str | None = None

    def _analyser(self, language: str):  # -> pymorphy3.MorphAnalyzer
        if language not in self._analysers:
            check_language(language, self.languages)
            import pymorphy3

            try:
                self._analysers[language] = pymorphy3.MorphAnalyzer(lang=language)
            except Exception as exc:  # noqa: BLE001 - a broken dictionary package
                raise LexiconError(f"cannot open the {language!r} dictionary (pip install "
                                   f"pymorphy3-dicts-{language}): {exc}") from None
        return self._analysers[language]

    def forms(self, language: str, word: str) -> frozenset[str]:
        """Every form of ``word`` (folded), the word itself included, that is the same part of
        speech. A word the dictionary knows as a lemma gets the forms of each reading of it
        ("мир", peace and world); an inflected word those of its likeliest reading. The part of
        speech is kept because a paradigm spans several: a participle's runs through its whole
        verb ("просроченный" would find "просрочил"), so a participle keeps its own tense and
        voice, an adjective its degrees, a verb its finite forms and infinitive."""
        key = (language, fold_word(word))
        if key not in self._forms:
            parses = self._analyser(language).parse(key[1])
            as_lemma = [p for p in parses if fold_word(p.normal_form) == key[1]] or parses[:1]
            found = {fold_word(form.word) for parse in as_lemma for form in parse.lexeme
                     if _same_kind(form.tag, parse.tag)}
            self._forms[key] = frozenset(found | {key[1]})
        return self._forms[key]

    def table(self, language: str, words: Iterable[str]) -> dict[str, frozenset[str]]:
        """The forms of each of ``words``, from the on-disk cache when these words were looked
        up before with the same dictionaries."""
        if self._signature is None:
            self._signature = dictionary_signature(self.languages)
        ordered = sorted(set(words))
        content = f"{self._signature}\n" + "\n".join(ordered)
        return cached("lemma-forms", language, content.encode(),
                      lambda: {word: self.forms(language, word) for word in ordered})


# Parts of speech (OpenCorpora tags) whose forms belong together in a phrase word's set.
_KINDS = {"ADJF": {"ADJF", "ADJS", "COMP"}, "ADJS": {"ADJF", "ADJS", "COMP"}, "COMP": {"ADJF", "ADJS", "COMP"},
          "PRTF": {"PRTF", "PRTS"}, "PRTS": {"PRTF", "PRTS"}, "INFN": {"INFN", "VERB"}, "VERB": {"INFN", "VERB"}}


def _same_kind(form, tag) -> bool:  # pymorphy3 OpencorporaTag objects
    """Whether a form of a paradigm is the same kind of word as the phrase word (see ``forms``)."""
    if form.POS not in _KINDS.get(tag.POS, {tag.POS}):
        return False
    return tag.POS not in ("PRTF", "PRTS") or (form.tense == tag.tense and form.voice == tag.voice)


@dataclass(frozen=True)
class LemmaPhrase:
    """One phrase: its words (folded, as written), which of them are to match only as written
    (``=word``), and between words what may stand (None: white space; else that punctuation,
    with white space around it allowed)."""

    words: tuple[str, ...]
    gaps: tuple[str | None, ...]
    literal: tuple[bool, ...]


@dataclass(frozen=True)
class LemmaPatterns:
    """A rule's lemma phrases (each ``(a|b)`` variant of each, see :func:`prepare_phrase`),
    checked when the pack loads; their forms are looked up when a document in their language is
    first scanned (:class:`LemmaIndex`). ``shown`` are the phrases as the pack writes them."""

    phrases: tuple[LemmaPhrase, ...]
    shown: tuple[str, ...]
    language: str


def prepare_phrase(phrase: str) -> list[LemmaPhrase]:
    """Every variant of a lemma phrase as words and gaps; raises PatternError or LexiconError
    with the reason when it cannot be one."""
    return [_prepare(variant) for variant in expand_phrase(phrase)]


def _prepare(variant: str) -> LemmaPhrase:
    """A phrase variant as words and gaps; ``=`` just before a word pins it to its written form."""
    tokens = list(TOKEN.finditer(variant))
    if not tokens:
        raise LexiconError(f"lemma phrase {variant!r} has no words")
    literal = tuple(token.start() > 0 and variant[token.start() - 1] == "=" for token in tokens)
    outside = [variant[: tokens[0].start()].removesuffix("="), variant[tokens[-1].end() :]]
    if any(part.strip() for part in outside):
        raise LexiconError(f"lemma phrase {variant!r} must begin and end with a word")
    gaps = tuple(variant[a.end() : b.start()].removesuffix("=").strip() or None for a, b in zip(tokens, tokens[1:]))
    return LemmaPhrase(tuple(fold_word(token.group()) for token in tokens), gaps, literal)


def _anchor(forms: Sequence[frozenset[str]]) -> int:
    """The word a phrase is looked up by: its longest, since short words ("не", "на", "в")
    occur in every text and would make the phrase be tried everywhere."""
    return max(range(len(forms)), key=lambda k: (min(map(len, forms[k])), -k))


@dataclass(frozen=True)
class _Indexed:
    """A phrase ready to match: the forms each word may take, and the phrase's gaps."""

    forms: tuple[frozenset[str], ...]
    gaps: tuple[str | None, ...]


@dataclass
class LemmaIndex:
    """Every lemma phrase of many patterns, indexed by the forms of one word each (its anchor),
    so that one walk over a document's words finds them all. Built when a document in their
    language first needs them; ``lexicons`` supplies the forms."""

    patterns: Sequence[LemmaPatterns | None]
    lexicons: Lexicons
    _anchored: dict[str, list[tuple[int, _Indexed, int]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._anchored = {}
        words: dict[str, set[str]] = {}
        for compiled in self.patterns:
            if compiled is not None:
                words.setdefault(compiled.language, set()).update(
                    word for p in compiled.phrases for word, pinned in zip(p.words, p.literal) if not pinned)
        tables = {language: self.lexicons.table(language, found) for language, found in words.items()}
        for number, compiled in enumerate(self.patterns):
            for phrase in compiled.phrases if compiled is not None else ():
                forms = tuple(frozenset({word}) if pinned else tables[compiled.language][word]
                              for word, pinned in zip(phrase.words, phrase.literal))
                anchor = _anchor(forms)
                for form in forms[anchor]:
                    self._anchored.setdefault(form, []).append((number, _Indexed(forms, phrase.gaps), anchor))

    def __bool__(self) -> bool:
        return bool(self._anchored)

    def spans(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """pattern number -> (start, end) of each match in ``text``. A text of LARGE_TEXT
        characters or more is walked a chunk at a time (its word list would cost gigabytes), in
        the chunks the phrase automaton folds (FOLD_CHUNK), each reaching FOLD_OVERLAP characters
        into the next and keeping the matches that
        start in its own part, so the matches are those of one walk over the whole. Chunks end
        at white space, so that none begins inside a word."""
        if len(text) < LARGE_TEXT:
            return self._spans(text, 0, len(text))
        found: dict[int, list[tuple[int, int]]] = {}
        base = 0
        while base < len(text):
            limit = _chunk_end(text, base + FOLD_CHUNK)
            for number, spans in self._spans(text[base : limit + FOLD_OVERLAP], base, limit).items():
                found.setdefault(number, []).extend(spans)
            base = limit
        return found

    def _spans(self, text: str, base: int, limit: int) -> dict[int, list[tuple[int, int]]]:
        """The matches in ``text`` (a piece of the document starting at ``base``) that start
        before ``limit``, in the document's offsets. The piece is folded once, whole (folding
        keeps one character for one, so offsets hold); word offsets are found only in a piece
        where some anchor occurs."""
        folded = fold_word(text)
        anchored = self._anchored
        words = TOKEN.findall(folded)
        hits = [index for index, word in enumerate(words) if word in anchored]
        if not hits:
            return {}
        places = list(TOKEN.finditer(folded))  # parallel to ``words``; read only around the hits
        found: dict[int, list[tuple[int, int]]] = {}
        for index in hits:
            for number, phrase, anchor in anchored[words[index]]:
                first, last = index - anchor, index - anchor + len(phrase.forms) - 1
                if first >= 0 and last < len(words) and _fits(text, words, places, first, phrase):
                    start = base + places[first].start()
                    if start < limit:
                        found.setdefault(number, []).append((start, base + places[last].end()))
        return found


def _chunk_end(text: str, at: int) -> int:
    """The first white space at or after ``at`` (the end of the text if none)."""
    if at >= len(text):
        return len(text)
    found = _SPACE.search(text, at)
    return found.start() if found else len(text)


def _fits(text: str, words: Sequence[str], places: Sequence, first: int, phrase: _Indexed) -> bool:
    """Whether ``phrase`` is found at word ``first`` onwards (``places``: the words' matches)."""
    for offset, forms in enumerate(phrase.forms):
        if words[first + offset] not in forms:
            return False
        if offset and not _gap_fits(text[places[first + offset - 1].end() : places[first + offset].start()],
                                    phrase.gaps[offset - 1]):
            return False
    return True


def _gap_fits(between: str, gap: str | None) -> bool:
    if gap is None:
        return bool(between) and between.isspace()
    return between.strip() == gap


def non_overlapping(spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Matches kept left to right without overlap, the longest at each start (as a regex scan
    keeps them)."""
    last_end = -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= last_end:
            last_end = end
            yield start, end

