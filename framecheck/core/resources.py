"""Where the shipped rule packs and bundled plugins live, installed or in a source checkout.

The wheel installs ``rules/`` as ``framecheck.bundled_rules`` and ``plugins/`` as
``framecheck.bundled_plugins`` (see ``pyproject.toml``); a checkout run without installing
has them beside the package.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


def _package_dir(package: str, checkout_dir: str) -> Path:
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return CHECKOUT_ROOT / checkout_dir


@functools.lru_cache(maxsize=1)
def bundled_rules_dir() -> Path:
    return _package_dir("framecheck.bundled_rules", "rules")


def display_path(path: Path) -> str:
    """How reports name a file: shipped ones as ``framecheck:rules/...``, others as given."""
    try:
        return "framecheck:rules/" + path.resolve().relative_to(bundled_rules_dir().resolve()).as_posix()
    except ValueError:
        return str(path)


def bundled_plugins_checkout_dir() -> Path:
    """The bundled plugins of a source checkout, used only when the package is not installed."""
    return CHECKOUT_ROOT / "plugins"
