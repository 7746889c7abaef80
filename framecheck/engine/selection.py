"""Which rules run: ``--select`` and ``--ignore`` by rule or technique id, checked against the
ids there are, so that a typo is an error with the closest id rather than a silent no-op."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.errors import FramecheckError, did_you_mean
from ..packs.loading import Pack


@dataclass(frozen=True)
class Selection:
    """Which rules run: ids or technique ids to keep (empty: all) and to drop."""

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()

    def allows(self, rule_id: str, technique: str) -> bool:
        keys = {rule_id, technique}
        if self.select and keys.isdisjoint(self.select):
            return False
        return keys.isdisjoint(self.ignore)

    def check_known(self, known: set[str]) -> None:
        require_known(self.select, known, "--select")
        require_known(self.ignore, known, "--ignore")


def require_known(ids: Iterable[str], known: Iterable[str], setting: str) -> None:
    """Fail, with the closest id, when a setting names an id no rule or technique has."""
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise FramecheckError(f"{setting}: unknown rule or technique {unknown[0]!r}{did_you_mean(unknown[0], known)}")


def filtered_packs(packs: Sequence[Pack], selection: Selection) -> list[Pack]:
    """The packs with only the rules the selection allows."""
    return [
        dataclasses.replace(
            pack, rules=tuple(r for r in pack.rules if selection.allows(r.id, r.info.technique))
        )
        for pack in packs
    ]
