"""From reports to bytes: the formatters (text, JSON, SARIF, Markdown, HTML, ...), the progress
line and atomic file writing.

Imports ``core`` and ``languages``.
"""
