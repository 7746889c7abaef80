"""Shell completion for what only a run knows: report formats (plugins add some) and rule and
technique ids (packs and plugins add them).

Click calls these while the shell asks, with the command line parsed so far: the ids are those
of the configuration and packs that line would load (``--config``, ``--rules``, ``--plugin``),
so a newsroom's own rules complete too. Anything that goes wrong (a broken pack, a plugin that
fails to import) completes nothing rather than printing into the user's shell.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import click
from click.shell_completion import CompletionItem

from ..app.config import Config
from ..core.taxonomy import TECHNIQUES


def _quietly(produce: Callable[[], list[CompletionItem]]) -> list[CompletionItem]:
    """``produce()``, with whatever it prints swallowed and any error turned into no items."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return produce()
    except Exception:  # noqa: BLE001 - completion must never break the shell
        return []


def format_names(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The report formats of this run (built-in and plugins'), with their descriptions."""

    def produce() -> list[CompletionItem]:
        from ..app.components import formatter_classes
        from ..engine.plugins import get_plugin_manager

        plugins = tuple(ctx.params.get("plugin_specs") or ())
        classes = formatter_classes(get_plugin_manager(plugins), warn=lambda _message: None)
        return [CompletionItem(name, help=getattr(cls, "description", "")) for name, cls in sorted(classes.items())
                if name.startswith(incomplete)]

    return _quietly(produce)


def _rule_items(config: Config, prefix: str, typed: str) -> list[CompletionItem]:
    """Rule ids of the run ``config`` describes, and technique ids, that start with ``typed``."""
    from ..app.options import engine_for

    engine, _manager = engine_for(config)
    items = [CompletionItem(prefix + rule.id, help=rule.message)
             for rule in engine.rules() if rule.id.startswith(typed)]
    items += [CompletionItem(prefix + technique.id, help=technique.name)
              for technique in TECHNIQUES.values() if technique.id.startswith(typed)]
    return sorted(items, key=lambda item: item.value)


Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def rule_id_completer(resolve: Callable[[click.Context], Config]) -> Completer:
    """A completer of rule or technique ids for ``--select``/``--ignore`` (comma-separated: the
    last one is completed) and ``rules show``; ``resolve`` gives the configuration the command
    line so far describes."""

    def complete(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        done, comma, typed = incomplete.rpartition(",")
        return _quietly(lambda: _rule_items(resolve(ctx), done + comma, typed))

    return complete
