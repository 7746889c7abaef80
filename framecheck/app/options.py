"""From a resolved configuration to an engine: the one place that knows both.

The engine takes packs, a selection and options, never a configuration; every face (the command
line, distributed workers, the service) builds its engine here so that they cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from ..core.model import ScanOptions
from ..engine.engine import Engine
from ..engine.plugins import get_plugin_manager
from ..engine.selection import Selection, require_known
from ..engine.suppressions import SuppressionPolicy
from .config import Config

if TYPE_CHECKING:  # the baseline module is imported only by runs that use one
    from .baseline import Baseline


def engine_for(config: Config, *, baseline: Baseline | None = None,
               debug: bool = False) -> tuple[Engine, pluggy.PluginManager]:
    """The engine (and plugin manager) a resolved configuration describes.

    Used by the command line and by distributed workers, which rebuild the engine from the
    configuration instead of receiving one (plugins loaded from a file cannot be pickled).
    """
    manager = get_plugin_manager(config.plugins)
    engine = Engine.from_plugins(
        manager,
        rule_paths=config.rules,
        default_rules=not config.no_default_rules,
        selection=Selection(frozenset(config.select), frozenset(config.ignore)),
        options=ScanOptions(regex_timeout=config.regex_timeout, model=config.model, model_mode=config.model_mode,
                            language=config.language,
                            plugin_timeout=config.plugin_timeout, document_timeout=config.document_timeout),
        debug=debug,
        severity_overrides=config.severity_overrides(),
        suppression_policy=SuppressionPolicy(require_reason=config.require_reason),
        baseline=baseline,
        scoring=config.scoring_model(),
    )
    if config.per_file_ignores:
        named = [rule for rules in config.per_file_ignores.values() for rule in rules]
        require_known(named, engine.known_ids, "per-file-ignores")
        engine.per_file_ignores = config.ignored_for
    return engine, manager
