"""Ask git which files changed, for ``framecheck scan --changed-since REF``."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..core.errors import FramecheckError


def _git(args: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise FramecheckError("--changed-since: git is not installed") from None
    if completed.returncode != 0:
        raise subprocess.CalledProcessError(completed.returncode, args, completed.stdout, completed.stderr)
    return completed.stdout


def changed_files(ref: str, cwd: Path) -> list[Path]:
    """Files added, copied, modified, renamed or untracked since ``ref``, that still exist."""
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except subprocess.CalledProcessError:
        raise FramecheckError(f"--changed-since: {cwd.resolve()} is not inside a git repository") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except subprocess.CalledProcessError:
        raise FramecheckError(f"--changed-since: unknown revision {ref!r}") from None
    changed = _git(["diff", "--name-only", "-z", "--diff-filter=ACMRT", ref, "--"], top).split("\0")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    names = sorted({name for name in changed + untracked if name})
    return [top / name for name in names if (top / name).is_file()]


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
