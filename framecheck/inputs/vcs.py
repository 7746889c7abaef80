"""Ask git which files changed (``framecheck scan --changed-since REF``), which of their lines
changed (``--changed-lines REF``), and which files it ignores (folder walks).

With ``--changed-lines`` only findings on lines the diff touches are reported and judged (as
reviewdog and diff-cover do for code): a gate that reports a whole article whenever one of its
sentences is edited gets turned off. The diff is git's, between REF and the working tree (what
pre-commit has staged; what a pull request changes against its base); a file git did not track
at REF (untracked, or added since) changed as a whole.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..core.errors import FramecheckError
from .changes import ChangedLines, hunk_ranges


def _git(args: list[str], cwd: Path, option: str = "--changed-since") -> str:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise FramecheckError(f"{option}: git is not installed") from None
    if completed.returncode != 0:
        raise subprocess.CalledProcessError(completed.returncode, args, completed.stdout, completed.stderr)
    return completed.stdout


def _top(ref: str, cwd: Path, option: str) -> Path:
    """The work tree's top folder, once ``ref`` is known to name a commit."""
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd, option).strip())
    except subprocess.CalledProcessError:
        raise FramecheckError(f"{option}: {cwd.resolve()} is not inside a git repository") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top, option)
    except subprocess.CalledProcessError:
        raise FramecheckError(f"{option}: unknown revision {ref!r}") from None
    return top


def changed_files(ref: str, cwd: Path, option: str = "--changed-since") -> list[Path]:
    """Files added, copied, modified, renamed or untracked since ``ref``, that still exist."""
    return _changed_under(_top(ref, cwd, option), ref, option)


def _changed_under(top: Path, ref: str, option: str) -> list[Path]:
    changed = _git(["diff", "--name-only", "-z", "--diff-filter=ACMRT", ref, "--"], top, option).split("\0")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top, option).split("\0")
    names = sorted({name for name in changed + untracked if name})
    return [top / name for name in names if (top / name).is_file()]


def changed_lines(ref: str, cwd: Path) -> dict[Path, ChangedLines]:
    """Every file changed since ``ref`` (as :func:`changed_files` finds them), by absolute path,
    with the lines that changed in it."""
    option = "--changed-lines"
    top = _top(ref, cwd, option)
    known = set(_git(["ls-tree", "-r", "-z", "--name-only", ref], top, option).split("\0"))
    found = {}
    for path in _changed_under(top, ref, option):
        name = path.relative_to(top).as_posix()
        if name not in known:
            found[path] = ChangedLines(whole=True)
            continue
        diff = _git(["diff", "--unified=0", "--no-color", "--no-ext-diff", ref, "--", name], top, option)
        found[path] = ChangedLines(hunk_ranges(diff))
    return found


def _inside_work_tree(folder: Path) -> bool:
    """Whether a ``.git`` lies at or above ``folder``: a quick test that spares most walks a git call."""
    return any((candidate / ".git").exists() for candidate in [folder, *folder.parents])


def ignored_paths(folder: Path) -> frozenset[Path]:
    """Absolute paths of the files and folders under ``folder`` that git ignores
    (.gitignore files, .git/info/exclude, the user's global excludes); tracked files are
    never among them. Empty outside a work tree or without git."""
    absolute = folder.absolute()
    if not _inside_work_tree(absolute.resolve()):
        return frozenset()
    try:
        listed = _git(["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "--", "."],
                      absolute)
    except (subprocess.CalledProcessError, FramecheckError, OSError):
        return frozenset()  # not a work tree after all, or git is missing: walk everything
    return frozenset(absolute / name.rstrip("/") for name in listed.split("\0") if name)
