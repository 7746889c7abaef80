"""Errors a user can act on: each names the file (and line) and says what is wrong."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


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


class InputSkipped(InputError):
    """An input left out on purpose (a link out of the scanned folder): said once as a note in
    the run's summary, never an error."""


class InputsPassedOver(InputSkipped):
    """Files a folder walk passed over because no reader takes their extension (data, other
    markup, files with no extension): counted by extension for the run's summary, so a scan
    that read less than its folder holds says so."""

    def __init__(self, counts: Mapping[str, int]):
        self.counts = dict(sorted(counts.items()))
        super().__init__(passed_over_note(self.counts))


def passed_over_note(counts: Mapping[str, int]) -> str:
    """"3 files passed over (.json 2, no extension 1)", or "" when none was."""
    total = sum(counts.values())
    if not total:
        return ""
    listed = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))
    return f"{total} file{'s' if total != 1 else ''} passed over ({listed})"


class Interrupted(KeyboardInterrupt):
    """A real Ctrl-C (SIGINT), as :func:`raise_interrupted` raises it once the command line has
    installed it: a plugin's own ``raise KeyboardInterrupt`` is then told apart from the user's,
    and costs only that plugin's findings instead of the whole run."""


def raise_interrupted(_signum: int, _frame: object) -> None:
    """SIGINT handler: the same unwinding as Python's default, with a class of its own."""
    raise Interrupted()


def interrupts_marked() -> bool:
    """Whether a real Ctrl-C raises :class:`Interrupted` in this process (the command line) or
    never reaches it (a worker process, which ignores SIGINT): only then may a plain
    KeyboardInterrupt be taken for a plugin's."""
    import signal

    handler = signal.getsignal(signal.SIGINT)
    return handler is raise_interrupted or handler == signal.SIG_IGN
