"""The learned layer: its model, training it on the user's labelled data, and evaluating findings
against labelled spans.

This package's own names are the learned layer's public API (the bundled ``learned_layer``
plugin uses them): features of a document, decoding marginals into spans, model files. They are
imported on first use, so a scan without a model never loads the layer's modules.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..core.errors import FramecheckError

_PUBLIC = {
    "Cue": "features", "DocumentTokens": "features", "TokenSequence": "features", "document_blocks": "features",
    "LearnedModel": "learned", "Thresholds": "learned", "decode": "learned", "describe_feature": "learned",
    "finding_probability": "learned",
    "load_model": "model_file", "save_model": "model_file",
}

__all__ = sorted([*_PUBLIC, "require_extra"])
_EXTRA = {"numpy": "numpy", "pycrfsuite": "python-crfsuite"}  # module: the package of the learn extra with it


def require_extra(purpose: str, *modules: str) -> None:
    """The learn extra's ``modules`` can be imported, or one clear error naming what ``purpose``
    needs and how to install it (asked before any of the layer's modules is imported, since
    they import numpy themselves)."""
    missing = []
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(_EXTRA.get(module, module))
    if missing:
        raise FramecheckError(f"{purpose} needs {' and '.join(missing)}: pip install 'framecheck[learn]'")


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value  # found once: the next use is a plain attribute, as after an import
    return value
