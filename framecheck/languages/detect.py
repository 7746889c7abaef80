"""Which language a document is written in, so that only the packs written for it run.

framecheck ships packs for English, Ukrainian and Russian. Telling those three apart needs no
statistical model: English is written in Latin letters, and Ukrainian and Russian, both
Cyrillic, each use letters the other lacks (Ukrainian і ї є ґ, Russian ы э ъ ё). A text is
Ukrainian or Russian by which set it uses more, weighed by how often each occurs in running
text: "і" alone is about one Ukrainian letter in twenty, while "ы", "э", "ъ" and "ё" together
are one Russian letter in forty. Measured on the UNLP 2025 Telegram posts (half the corpus,
1,911 posts labelled uk or ru by their annotators) this names 1,903 of them right; the misses
are posts that mix both languages or are mostly in English.

A document's language can also be given: ``--language`` for a whole run, or a ``language`` /
``lang`` field in a JSON lines record, CSV row or Markdown front matter, or an HTML page's
``<html lang>`` or ``og:locale`` (see ``document_language``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import regex

from .profiles import LATIN, Language, Languages, bundled_languages

ANY = "any"  # a pack for every language (typography, a newsroom's names)
UNDETERMINED = "und"  # no letters to tell by (ISO 639-2)
LANGUAGE_CODE = regex.compile(r"^(?:[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*|any)$")
SAMPLE = 20_000  # characters looked at: a long text's language is clear long before its end

_ANY_LETTER = regex.compile(r"\p{L}")
# Web addresses, handles and hashtags are Latin whatever the language around them.
_NOT_PROSE = regex.compile(r"(?:https?://|www\.)\S+|[@#]\w+")


def primary(code: str) -> str:
    """The primary subtag of a language code, lower case: ``en-GB`` -> ``en``."""
    return code.split("-", 1)[0].lower()


def detect(text: str, languages: Languages | None = None) -> str:
    """The code of the language a text is in, or ``und``, from its letters (see the module's
    docstring). The script with the most runs of letters (words) wins, which is as telling as
    counting letters and cheaper; among that script's languages, the letters each has and the
    others lack, then common words, decide. A text with letters of no other script than Latin
    is answered in a few microseconds."""
    languages = languages or bundled_languages()
    sample = text[:SAMPLE]
    others = [script for script in languages.scripts if script != LATIN]
    if not any(languages.script_letters[script].search(sample) for script in others):  # the common case
        if _ANY_LETTER.search(sample) is None or LATIN not in languages.scripts:
            return UNDETERMINED
        return _within(languages.of_script(LATIN), sample, languages.script_runs[LATIN])
    if "/" in sample or "@" in sample or "#" in sample:
        sample = _NOT_PROSE.sub(" ", sample)
    runs = {script: len(languages.script_runs[script].findall(sample)) for script in languages.scripts}
    script = max(languages.scripts, key=lambda name: runs[name])  # ties: the first, Latin before others
    if runs[script] == 0:
        return UNDETERMINED
    return _within(languages.of_script(script), sample, languages.script_runs[script])


def _within(candidates: tuple[Language, ...], sample: str, runs: regex.Pattern) -> str:
    """The language among one script's that the sample is in: by its telling letters, weighed;
    where none occurs, by common words; the preferred one where the evidence is even."""
    if len(candidates) == 1:
        return candidates[0].code
    scores = {language.code: sum(sample.count(letter) for letter in language.letters) * language.letter_weight
              for language in candidates}
    if not any(scores.values()):
        words = [word.lower() for word in runs.findall(sample)]
        scores = {language.code: sum(1 for word in words if word in language.words) for language in candidates}
    best = max(scores.values())
    leaders = [language for language in candidates if scores[language.code] == best]
    preferred = [language for language in leaders if language.preferred]
    return (preferred or leaders)[0].code


def document_language(text: str, metadata: Mapping[str, Any], forced: str | None,
                      languages: Languages | None = None) -> str:
    """The language a scan treats a document as: ``forced`` (``--language``), else one named
    in its metadata (a corpus record's ``language`` or ``lang``), else the detected one."""
    if forced:
        return primary(forced)
    for key in ("language", "lang"):
        named = metadata.get(key)
        if isinstance(named, str):
            code = named.strip().replace("_", "-")  # og:locale writes uk_UA
            if LANGUAGE_CODE.match(code) and code != ANY:
                return primary(code)
    return detect(text, languages)


def checked_language(value: str) -> str | None:
    """A ``--language`` / ``language:`` setting: a language code, or None for ``auto``."""
    value = value.strip()
    if value == "auto":
        return None
    if value == ANY or not LANGUAGE_CODE.match(value):
        raise ValueError(f"{value!r} is not a language code (en, uk, ru, ...) or 'auto'")
    return primary(value)


def runs_in(rule_language: str, document_language: str) -> bool:
    """Whether a rule for ``rule_language`` (its pack's; "" for a plugin's rule, which runs on
    every language, like ``any``) runs on a document in ``document_language``. A text with no
    letters gets every rule (there is nothing for them to find anyway)."""
    return rule_language in ("", ANY, document_language) or document_language == UNDETERMINED
