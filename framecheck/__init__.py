"""framecheck: find propaganda and misinformation framing devices in news text."""

__version__ = "0.1.0"

from .errors import FramecheckError, PackError, PluginError  # noqa: E402
from .hookspecs import Detector, hookimpl, hookspec  # noqa: E402
from .model import (  # noqa: E402
    ArticleReport,
    Dismissal,
    Document,
    Examples,
    Finding,
    RuleInfo,
    ScanOptions,
    ScanWarning,
    Severity,
)

__all__ = [
    "ArticleReport",
    "Detector",
    "Dismissal",
    "Document",
    "Examples",
    "Finding",
    "FramecheckError",
    "PackError",
    "PluginError",
    "RuleInfo",
    "ScanOptions",
    "ScanWarning",
    "Severity",
    "__version__",
    "hookimpl",
    "hookspec",
]
