"""framecheck: find propaganda and misinformation framing devices in news text.

This module is the public API: plugins, bundled or not, import from here (and the learned layer
from ``framecheck.learn``). Everything else is framecheck's own and may move.
"""

from ._version import __version__
from .core.errors import FramecheckError, InputError, PackError, PluginError
from .core.folding import fold_case, is_word_char
from .core.model import (
    MODEL_MODES,
    REPORTED_SPEECH,
    ArticleReport,
    Disguise,
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
from .core.offsets import TextBuilder
from .core.summary import RunSummary
from .core.taxonomy import CONCEALMENT_TECHNIQUE, LEARNED_TECHNIQUE, TECHNIQUES
from .engine.hookspecs import Detector, hookimpl, hookspec
from .inputs.readers import Input, Reader, ReadOptions, decode
from .inputs.structure import NAME_PATTERN, Coverage, plain_structure, sentence_around, speech_verbs
from .languages.profiles import Language, Languages
from .outputs.base import Formatter
from .packs.indexes import CompiledPatterns, PhraseIndex

__all__ = [
    "CONCEALMENT_TECHNIQUE",
    "LEARNED_TECHNIQUE",
    "MODEL_MODES",
    "NAME_PATTERN",
    "REPORTED_SPEECH",
    "TECHNIQUES",
    "ArticleReport",
    "CompiledPatterns",
    "Coverage",
    "Detector",
    "Disguise",
    "Dismissal",
    "Document",
    "Examples",
    "Finding",
    "Formatter",
    "FramecheckError",
    "Input",
    "Language",
    "Languages",
    "InputError",
    "PackError",
    "PhraseIndex",
    "PluginError",
    "ReadOptions",
    "Reader",
    "Region",
    "RuleInfo",
    "RunSummary",
    "ScanOptions",
    "ScanWarning",
    "Severity",
    "TextBuilder",
    "__version__",
    "decode",
    "fold_case",
    "hookimpl",
    "hookspec",
    "is_word_char",
    "plain_structure",
    "sentence_around",
    "speech_verbs",
]
