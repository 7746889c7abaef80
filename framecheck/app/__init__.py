"""The application layer every face calls (the command line, and later the HTTP service and the
language server): configuration, building an engine from it, the run loop over many inputs,
the gate, baselines, parallel and Dask runs, and pack testing.
"""
