"""Finding the inputs of a run: command-line paths expanded, folders walked.

A walk reads article files only, in sorted order, and stays inside the folder; what it finds
and does not read (other formats, a rule pack's test articles) is reported back for the
summary to count, so a scan that read less than its folder holds says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, InputSkipped
from .readers import STDIN, Input


@dataclass(frozen=True)
class NotAnArticle:
    """A file a folder walk found but does not read: no reader takes its extension, or it is a
    rule pack's test article (``kind`` "pack test")."""

    where: Path
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:  # how the summary counts it: its extension, in lower case
            object.__setattr__(self, "kind", self.where.suffix.lower() or "no extension")


PACK_TEST = "pack test"
PACK_SUFFIXES = (".yaml", ".yml")


def pack_tested_by(path: Path) -> Path | None:
    """The rule pack whose test article ``path`` is (``NAME.test.md`` beside ``NAME.yaml``, or a
    file in ``NAME.tests/`` beside it, as ``framecheck rules test`` finds them), or None. Such
    a file is full of the devices its pack flags, on purpose: a scan of the folder must not
    fail on it."""
    stem, marker, _ = path.name.partition(".test.")
    if marker and stem:
        found = _pack_named(path.parent, stem)
        if found is not None:
            return found
    for folder in path.parents:
        if folder.name.endswith(".tests") and len(folder.name) > len(".tests"):
            found = _pack_named(folder.parent, folder.name[: -len(".tests")])
            if found is not None:
                return found
    return None


def _pack_named(folder: Path, stem: str) -> Path | None:
    candidates = (folder / f"{stem}{suffix}" for suffix in PACK_SUFFIXES)
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def _walk(directory: Path, extensions: frozenset[str], ignored: frozenset[Path] = frozenset(),
          follow_symlinks: bool = False) -> Iterator[Path | InputError | NotAnArticle]:
    """Readable files below ``directory`` in sorted order, skipping hidden files and folders and
    the ``ignored`` ones (absolute paths: what git ignores). A folder that cannot be listed is an
    error naming it, never a silent gap.

    Symbolic links to directories are not followed, so a link loop cannot make the walk endless;
    a link to a file outside ``directory`` is skipped with a note unless ``follow_symlinks``, so
    that ``scan tree/`` never prints another folder's secrets into a CI log.
    """
    inside = directory.resolve()
    unreadable: list[OSError] = []
    for root, dirs, files in os.walk(directory, onerror=unreadable.append):
        yield from _folder_errors(unreadable)
        here = Path(root)
        if ignored:
            absolute = here.absolute()
            dirs[:] = [d for d in dirs if absolute / d not in ignored]
            files = [f for f in files if absolute / f not in ignored]
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for tests in [d for d in dirs if d.endswith(".tests") and _pack_named(here, d[: -len(".tests")])]:
            dirs.remove(tests)  # a pack's test articles: counted, not walked into the scan
            yield from (NotAnArticle(path, PACK_TEST) for path in sorted((here / tests).rglob("*"))
                        if path.is_file() and not path.name.startswith("."))
        for name in sorted(name for name in files if not name.startswith(".")):
            found = here / name
            if found.suffix.lower() not in extensions:
                yield NotAnArticle(found)
            elif ".test." in name and pack_tested_by(found):
                yield NotAnArticle(found, PACK_TEST)
            elif not follow_symlinks and found.is_symlink() and not _within(found.resolve(), inside):
                yield InputSkipped(f"{found}: a link to {found.resolve()}, outside {directory}; skipped "
                                   "(--follow-symlinks reads it)")
            else:
                yield found
    yield from _folder_errors(unreadable)  # the last folder listed, when it failed


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _folder_errors(unreadable: list[OSError]) -> Iterator[InputError]:
    """The folders os.walk could not list since it was last asked, as errors (and forgotten)."""
    while unreadable:
        error = unreadable.pop(0)
        yield InputError(f"{error.filename}: cannot read folder: {error.strerror or error}; skipped")


def collect_inputs(
    paths: Sequence[str], extensions: frozenset[str], stdin_name: str = "<stdin>", *, respect_gitignore: bool = False,
    follow_symlinks: bool = False,
) -> Iterator[Input | InputError | NotAnArticle]:
    """Expand command-line paths into inputs; a missing path becomes an error, not a stop, and
    a walked file no reader takes is a :class:`NotAnArticle` (for the summary to count).

    With ``respect_gitignore``, a walk inside a git work tree skips what git ignores (build
    output, virtual environments); a file named on the command line is always read."""
    seen: set[str] = set()
    for raw in paths:
        if raw == STDIN:
            yield Input(stdin_name, None)
            continue
        path = Path(raw)
        try:
            is_dir, exists = path.is_dir(), path.exists() or path.is_symlink()
        except OSError as exc:  # a folder on the way that cannot be searched
            yield InputError(f"{raw}: cannot read: {exc.strerror or exc}")
            continue
        if is_dir:
            ignored = frozenset()
            if respect_gitignore:
                from .vcs import ignored_paths  # imported on use: only folder walks ask git

                ignored = ignored_paths(path)
            candidates = list(_walk(path, extensions, ignored, follow_symlinks))
        elif exists:
            candidates = [path]
        else:
            yield InputError(f"{raw}: no such file or directory")
            continue
        for candidate in candidates:
            if isinstance(candidate, (InputError, NotAnArticle)):
                yield candidate
                continue
            name = str(candidate)
            if name not in seen:
                seen.add(name)
                yield Input(name, candidate)
