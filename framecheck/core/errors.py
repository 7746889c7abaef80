"""Errors a user can act on: each names the file (and line) and says what is wrong."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the known name closest to a mistyped one, or "": every
    error about an unknown key, id, format or directive says it the same way."""
    import difflib  # imported only when somebody made a mistake

    hint = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


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
