"""The learned layer: its model, training it on the user's labelled data, and evaluating findings
against labelled spans.

This package's own names are the learned layer's public API (the bundled ``learned_layer``
plugin uses them): features of a document, decoding marginals into spans, model files.
"""

from .features import TokenSequence, document_sequences
from .learned import LearnedModel, decode, describe_feature, finding_probability
from .model_file import load_model, save_model

__all__ = [
    "LearnedModel",
    "TokenSequence",
    "decode",
    "describe_feature",
    "document_sequences",
    "finding_probability",
    "load_model",
    "save_model",
]
