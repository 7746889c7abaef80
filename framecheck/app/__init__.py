"""The application layer every face calls (the command line, ``framecheck serve`` and
``framecheck lsp``, whose worker processes run ``Application.scan_bytes``): configuration,
building an engine from it, the run loop over many inputs, the gate, baselines, parallel and
Dask runs, and pack testing.
"""
