"""framecheck: find propaganda and misinformation framing devices in news text.

This module is the public API: plugins, bundled or not, import from here (and the learned layer
from ``framecheck.learn``). Everything else is framecheck's own and may move.
"""

from ._version import __version__
from .core.errors import FramecheckError, PackError, PluginError
from .core.folding import fold_case, is_word_char
from .core.model import (
    MODEL_MODES,
    ArticleReport,
    Dismissal,
    Document,
    Examples,
    Finding,
    Region,
    RuleInfo,
    ScanOptions,
    ScanWarning,
    Severity,
)
from .core.taxonomy import LEARNED_TECHNIQUE, TECHNIQUES
from .engine.hookspecs import Detector, hookimpl, hookspec
from .inputs.structure import Coverage, sentence_around, speech_verbs
from .packs.indexes import CompiledPatterns, PhraseIndex

__all__ = [
    "LEARNED_TECHNIQUE",
    "MODEL_MODES",
    "TECHNIQUES",
    "ArticleReport",
    "CompiledPatterns",
    "Coverage",
    "Detector",
    "Dismissal",
    "Document",
    "Examples",
    "Finding",
    "FramecheckError",
    "PackError",
    "PhraseIndex",
    "PluginError",
    "Region",
    "RuleInfo",
    "ScanOptions",
    "ScanWarning",
    "Severity",
    "__version__",
    "fold_case",
    "hookimpl",
    "hookspec",
    "is_word_char",
    "sentence_around",
    "speech_verbs",
]
