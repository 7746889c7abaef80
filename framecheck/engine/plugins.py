"""Build the plugin manager: built-in behaviour, bundled plugins, installed and named plugins.

There is no module-level manager: each call of :func:`get_plugin_manager` returns a fresh
one, so runs and tests never share plugin state.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import pkgutil
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from ..core.errors import PluginError
from ..core.resources import bundled_plugins_checkout_dir
from . import hookspecs

AUTOLOAD_ENV = "FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD"
CORE_PLUGIN_NAME = "framecheck.core"
DEFAULT_RULES_PLUGIN_NAME = "framecheck.default-rules"
BUNDLED_PREFIX = "framecheck.bundled:"


def _bundled_plugin_modules() -> list[ModuleType]:
    """Every module of the bundled ``plugins/`` folder, in name order."""
    try:
        package = importlib.import_module("framecheck.bundled_plugins")
    except ModuleNotFoundError:  # a source checkout run without installing
        return [_import_path(p) for p in sorted(bundled_plugins_checkout_dir().glob("[!_]*.py"))]
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_"))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def _import_path(path: Path) -> ModuleType:
    module_name = f"framecheck_plugin_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: cannot load as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise PluginError(f"{path}: plugin failed to import: {type(exc).__name__}: {exc}") from exc
    return module


def load_plugin_spec(spec: str) -> ModuleType:
    """Import ``--plugin`` SPEC: a path to a ``.py`` file, or a dotted module name."""
    if spec.endswith(".py") or os.sep in spec or "/" in spec:
        path = Path(spec)
        if not path.is_file():
            raise PluginError(f"{spec}: plugin file not found")
        return _import_path(path)
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise PluginError(f"{spec}: cannot import plugin module: {exc}") from exc
    except Exception as exc:
        raise PluginError(f"{spec}: plugin failed to import: {type(exc).__name__}: {exc}") from exc


def _register(manager: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        manager.register(plugin, name=name)
    except ValueError as exc:  # already registered under another name: keep the first
        if manager.is_registered(plugin):
            return
        raise PluginError(f"{name}: {exc}") from exc
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"{name}: invalid plugin: {exc}") from exc


_METADATA_DIR_SUFFIXES = (".dist-info", ".egg-info")


def _may_declare_entry_points(group: str) -> bool:
    """Whether any installed distribution could declare an entry point in ``group``.

    Importing ``importlib.metadata`` costs about as much as the rest of a one-article scan's
    start-up (it pulls in email, zipfile and csv), yet most machines have no framecheck
    plugin installed. This looks at the ``entry_points.txt`` files on ``sys.path`` first and
    answers "maybe" whenever it cannot be sure: a zip or egg on the path, or a meta-path
    finder other than the standard ones that could provide distributions of its own.
    """
    if any(_finds_distributions_elsewhere(finder) for finder in sys.meta_path):
        return True
    header = re.compile(rf"^[ \t]*\[[ \t]*{re.escape(group)}[ \t]*\]", re.MULTILINE)
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):  # a zip archive: let importlib.metadata read it
                return True
            continue
        if _folder_may_declare(folder, header):
            return True
    return False


def _finds_distributions_elsewhere(finder: object) -> bool:
    return hasattr(finder, "find_distributions") and finder is not importlib.machinery.PathFinder


def _folder_may_declare(folder: str, header: re.Pattern) -> bool:
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries]
    except OSError:
        return False
    for name in names:
        if name.endswith(".egg"):
            return True
        if not name.endswith(_METADATA_DIR_SUFFIXES):
            continue
        try:
            with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8", errors="replace") as file:
                if header.search(file.read()):
                    return True
        except OSError:  # no entry points, or an egg-info file rather than a folder
            continue
    return False


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    if not _may_declare_entry_points(hookspecs.ENTRY_POINT_GROUP):
        return
    import importlib.metadata

    for entry_point in sorted(importlib.metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        if manager.get_plugin(entry_point.name) is not None or manager.is_blocked(entry_point.name):
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:
            dist = entry_point.dist.name if entry_point.dist else "?"
            raise PluginError(
                f"entry point {entry_point.name!r} ({entry_point.value}, from {dist}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        _register(manager, plugin, entry_point.name)


def get_plugin_manager(plugins: Sequence[str] = (), *, autoload: bool | None = None) -> pluggy.PluginManager:
    """A fresh manager with framecheck's own plugins, installed plugins and ``plugins``.

    ``autoload`` defaults to on unless ``FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD`` is set, so a CI
    run can be made independent of whatever else is installed.
    """
    from . import builtin

    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    _register(manager, builtin.CorePlugin(), CORE_PLUGIN_NAME)
    _register(manager, builtin.DefaultRulesPlugin(), DEFAULT_RULES_PLUGIN_NAME)
    for module in _bundled_plugin_modules():
        _register(manager, module, BUNDLED_PREFIX + module.__name__.rsplit(".", 1)[-1])
    if autoload is None:
        autoload = not os.environ.get(AUTOLOAD_ENV)
    if autoload:
        _load_entry_points(manager)
    for spec in plugins:
        _register(manager, load_plugin_spec(spec), spec)
    return manager


KEPT_WITHOUT_DEFAULT_RULES = "KEPT_WITHOUT_DEFAULT_RULES"


def default_content_plugins(manager: pluggy.PluginManager) -> list[object]:
    """The plugins that ship rules (packs, bundled detectors and reviewers): what
    --no-default-rules drops.

    A bundled module that adds no rule of its own but context that every rule's findings need
    (site chrome, negation) sets ``KEPT_WITHOUT_DEFAULT_RULES = True`` and stays: a newsroom's
    own pack scanned alone is still not scored in an "Other News" list or a denial.
    """
    return [
        plugin
        for name, plugin in manager.list_name_plugin()
        if name == DEFAULT_RULES_PLUGIN_NAME
        or (name.startswith(BUNDLED_PREFIX) and not getattr(plugin, KEPT_WITHOUT_DEFAULT_RULES, False))
    ]


@dataclass(frozen=True)
class HookCall:
    """What one plugin's implementation of a hook returned, or how it failed."""

    plugin: str
    result: Any = None
    error: BaseException | None = None

    def describe_error(self, hook_name: str) -> str:
        return f"plugin {self.plugin!r}: {hook_name} raised {type(self.error).__name__}: {self.error}"


def call_each(
    manager: pluggy.PluginManager, hook_name: str, *, skip: Sequence[object] = (), **kwargs: Any
) -> list[HookCall]:
    """Call every implementation of ``hook_name`` on its own, in registration order.

    pluggy's own call stops at the first exception and cannot say which plugin returned
    what; calling each implementation separately lets one faulty plugin be reported by name
    while the others still contribute.
    """
    calls = []
    for impl in getattr(manager.hook, hook_name).get_hookimpls():
        if impl.plugin in skip:
            continue
        try:
            result = _as_list(impl.function(*(kwargs[name] for name in impl.argnames)))
        except Exception as exc:
            calls.append(HookCall(impl.plugin_name, error=exc))
        else:
            calls.append(HookCall(impl.plugin_name, result))
    return calls


def _as_list(result: Any) -> list | None:
    """A hook's result as a list (every hook returns a sequence, or None for nothing); any
    other return value is the plugin's error, reported with its name."""
    if result is None:
        return None
    if isinstance(result, (str, bytes, dict)) or not hasattr(result, "__iter__"):
        raise TypeError(f"returned {result!r}, not a list")
    return list(result)
