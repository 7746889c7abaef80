"""Errors a user can act on: each names the file (and line) and says what is wrong."""

from __future__ import annotations


class FramecheckError(Exception):
    """Base class for every error framecheck reports as one line and exit code 2."""


class PackError(FramecheckError):
    """A rule pack that cannot be loaded: carries the file, the line and the rule."""

    def __init__(self, path: str, line: int | None, message: str, rule_id: str | None = None):
        self.path = path
        self.line = line
        self.rule_id = rule_id
        self.detail = message
        where = f"{path}:{line}" if line else path
        rule = f"rule {rule_id!r}: " if rule_id else ""
        super().__init__(f"{where}: {rule}{message}")


class PluginError(FramecheckError):
    """A plugin that cannot be imported or registered."""


class InputError(FramecheckError):
    """A document that cannot be read; the scan reports it and goes on with the others."""
