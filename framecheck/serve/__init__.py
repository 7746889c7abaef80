"""``framecheck serve``: the HTTP API, the web page and the worker pool behind them.

Needs the ``serve`` extra (FastAPI, uvicorn). Layered above the application layer: requests
become :class:`~framecheck.serve.worker.ScanJob` s that worker processes run through
:meth:`framecheck.app.run.Application.scan_bytes`, the same path ``framecheck scan`` takes, so a
report through HTTP is the report of the command line.
"""
