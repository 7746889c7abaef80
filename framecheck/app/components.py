"""What plugins contribute to a run besides detectors: readers, formatters and output targets.

A plugin that returns something unusable loses only that contribution; the run goes on and the
face is told why (``warn``), so one broken plugin never stops a newsroom's check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

from ..core.errors import FramecheckError, did_you_mean
from ..core.model import ArticleReport
from ..core.summary import RunSummary
from ..engine.plugins import call_each
from ..inputs.readers import Reader
from ..outputs.base import Formatter
from .config import Config, split_output

Warn = Callable[[str], None]


def reader_objects(manager: pluggy.PluginManager, warn: Warn) -> list[Reader]:
    """Every reader the plugins offer, in registration order; malformed ones left out."""
    found: list[Reader] = []
    for call in call_each(manager, "framecheck_readers"):
        if call.error is not None:
            warn(call.describe_error("framecheck_readers") + "; its readers are unavailable")
            continue
        for reader in call.result or ():
            if isinstance(reader, Reader):
                found.append(reader)
            else:
                warn(f"plugin {call.plugin!r} returned {reader!r} as a reader (it needs name, description, "
                     "extensions, sniff() and read()); it was left out")
    return found


def formatter_classes(manager: pluggy.PluginManager, warn: Warn) -> dict[str, type[Formatter]]:
    """Formatter classes by name; the first plugin to name a format keeps it."""
    classes: dict[str, type[Formatter]] = {}
    for call in call_each(manager, "framecheck_formatters"):
        if call.error is not None:
            warn(call.describe_error("framecheck_formatters") + "; its formats are unavailable")
            continue
        for cls in call.result or ():
            if isinstance(cls, type) and issubclass(cls, Formatter) and isinstance(getattr(cls, "name", None), str):
                classes.setdefault(cls.name, cls)
            else:
                warn(f"plugin {call.plugin!r} returned {cls!r} as a formatter (it needs a framecheck "
                     "Formatter subclass with a name); it was left out")
    return classes


def output_targets(config: Config, formats: dict[str, type[Formatter]]) -> tuple[str | None, list[tuple[str, str]]]:
    """(format for stdout or None, [(format, file)]) from ``format`` and ``output`` entries
    (FORMAT=FILE, or FILE for ``format``, which then leaves stdout quiet)."""
    require_format(config.format, formats, "--format")
    stdout_format: str | None = config.format
    files: list[tuple[str, str]] = []
    for entry in config.output:
        name, target = split_output(entry)
        if name is None:
            files.append((config.format, target))
            stdout_format = None
        else:
            require_format(name, formats, f"--output {entry}")
            files.append((name, target))
    return stdout_format, files


def require_format(name: str, formats: dict[str, Any], where: str) -> None:
    if name not in formats:
        hint = did_you_mean(name, formats) or f" (available: {', '.join(sorted(formats))})"
        raise FramecheckError(f"{where}: unknown format {name!r}{hint}")


class Fanout(Formatter):
    """Hands every life-cycle call to several formatters: one run, many reports."""

    def __init__(self, formatters: list[Formatter]):
        self.formatters = formatters

    def start(self) -> None:
        for formatter in self.formatters:
            formatter.start()

    def article(self, report: ArticleReport) -> None:
        for formatter in self.formatters:
            formatter.article(report)

    def finish(self, summary: RunSummary) -> None:
        for formatter in self.formatters:
            formatter.finish(summary)
