"""The scan of one document: the plugin manager and its hooks, the built-in detectors, readers and
formatters registered through those hooks, suppressions, budgets and scoring.

Knows no configuration file and no command line: it is given packs, a selection and options.
"""
