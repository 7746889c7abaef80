"""YAML rule packs: loading and checking them, the phrase mini-language, regex safety and
literal gates, lemma phrases, and the runtime indexes that find every pack's phrases in one pass.

Imports ``core`` and ``languages``.
"""
