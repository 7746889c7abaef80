"""An on-disk cache of what a scan builds before it reads any text, so a one-article scan
does not re-read YAML or rebuild its phrase automaton.

Each validated rule pack, each automaton over a set of packs' phrases and each learned model
(checked, with its scoring tables) is cached as a pickle named by a hash of everything that
decides its content: the pack file's bytes and the name reports give it (or the automaton's
phrases, or the model file's bytes), the framecheck version, the Python version,
and the size and modification time of the modules whose classes are pickled (so an edited
checkout never loads a stale layout). Nothing else is trusted: a file that fails to load is
ignored and rebuilt. Only the newest ``KEEP_PER_KIND`` entries of a kind are kept, so editing
a pack day after day does not fill the disk. The directory is safe to delete at any time.

Location: ``$FRAMECHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/framecheck``, else
``~/.cache/framecheck``. ``FRAMECHECK_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .._version import __version__

CACHE_FORMAT = 1
KEEP_PER_KIND = 32
T = TypeVar("T")
# The packages whose classes are pickled into the cache (packs, indexes, the document model
# they name, learned models and their tables): a change to any of their modules makes every
# cached entry stale.
_PICKLED_PACKAGES = ("core", "languages", "packs", "learn")


def cache_dir() -> Path | None:
    """Where cached packs live, or None when caching is off."""
    if os.environ.get("FRAMECHECK_NO_CACHE", "") not in ("", "0"):
        return None
    configured = os.environ.get("FRAMECHECK_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "framecheck"


def file_signature(label: str, path: str | Path | None) -> str:
    """``label:size:mtime`` of a file (``label:?`` when it cannot be read): which build of a
    module or library made a cached value, so that a changed one is never trusted."""
    try:
        stat = os.stat(path or "")
    except OSError:
        return f"{label}:?"
    return f"{label}:{stat.st_size}:{stat.st_mtime_ns}"


@functools.cache
def _code_signature() -> bytes:
    """The modules pickled objects come from, by size and time: read once a process (a stat of
    each of ~25 files for every cache entry cost 20 ms of a one-article scan)."""
    package = Path(__file__).resolve().parents[1]
    modules = sorted(path for name in _PICKLED_PACKAGES for path in (package / name).glob("*.py"))
    return ";".join(file_signature(f"{path.parent.name}/{path.name}", path) for path in modules).encode()


def cache_key(kind: str, name: str, content: bytes) -> str:
    digest = hashlib.sha256()
    for part in (f"{kind}\0{CACHE_FORMAT}\0{__version__}\0{sys.version}\0{name}\0".encode(), _code_signature(), content):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def cached(kind: str, name: str, content: bytes, build: Callable[[], T]) -> T:
    """``build()``'s result, from the cache when an entry for exactly this input exists.

    Errors from ``build`` propagate and nothing is stored; problems with the cache itself
    (unreadable, corrupt, read-only) only cost the rebuild.
    """
    directory = cache_dir()
    if directory is None:
        return build()
    entry = directory / f"{kind}-{cache_key(kind, name, content)}.pickle"
    try:
        with entry.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, truncated or from another layout: rebuild
        pass
    value = build()
    if _store(entry, value):
        _prune(directory, kind)
    return value


def _store(entry: Path, value: object) -> bool:
    """Write ``entry``; False when it could not be written (which only costs a rebuild)."""
    import tempfile  # only writes need it; a warm cache never writes

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile("wb", dir=entry.parent, prefix=".tmp-", delete=False)
    except OSError:  # a read-only home must not fail the scan
        return False
    try:
        with handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, entry)
    except Exception:  # a full disk, or a value that will not pickle: no cache entry
        Path(handle.name).unlink(missing_ok=True)
        return False
    return True


def _prune(directory: Path, kind: str) -> None:
    """Delete all but the ``KEEP_PER_KIND`` most recently written entries of ``kind``."""
    try:
        entries = [(path.stat().st_mtime_ns, path) for path in directory.glob(f"{kind}-*.pickle")]
    except OSError:
        return
    for _mtime, path in sorted(entries, reverse=True)[KEEP_PER_KIND:]:
        try:
            path.unlink()
        except OSError:  # removed by a concurrent run, or not ours to remove
            pass
