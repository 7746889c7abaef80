"""``framecheck lsp``: framecheck in the writer's editor, over the Language Server Protocol.

Needs the ``lsp`` extra (pygls). Documents are scanned by the service's worker processes
(:mod:`framecheck.serve.pool`), so an editor sees the report ``framecheck scan`` writes.
"""
