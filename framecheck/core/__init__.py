"""The document model every other package speaks: documents, regions, findings, reports,
run summaries, offsets, case folding, the technique taxonomy, errors, and the small pieces
(safe YAML with line numbers, the on-disk cache, where shipped files live) below them all.

Imports nothing else of framecheck.
"""
