"""The learned layer: its model, training it on the user's labelled data, and evaluating findings
against labelled spans.

This package's own names are the learned layer's public API (the bundled ``learned_layer``
plugin uses them): features of a document, decoding marginals into spans, model files. They are
imported on first use, so a scan without a model never loads the layer's modules.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "TokenSequence": "features", "document_sequences": "features",
    "LearnedModel": "learned", "decode": "learned", "describe_feature": "learned", "finding_probability": "learned",
    "load_model": "model_file", "save_model": "model_file",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value  # found once: the next use is a plain attribute, as after an import
    return value
