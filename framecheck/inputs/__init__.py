"""From files to documents: readers (text, Markdown, HTML, JSONL, CSV), the article's structure
(headline, lede, sentences, quotations and their speakers) and the files git reports changed.

Imports ``core``, ``languages`` and ``packs``.
"""
