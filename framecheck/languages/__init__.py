"""What framecheck knows of each language: telling a text's language, normalising look-alike
letters, and each language's word lists, read from its folder beside its packs.

Imports only ``core``.
"""
