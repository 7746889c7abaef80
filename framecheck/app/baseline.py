"""Baselines: accept today's findings so that CI fails only on new ones.

A baseline file lists, per article, the fingerprints of its findings (rule id, normalised
excerpt and occurrence index; see :func:`framecheck.suppressions.with_fingerprints`), so an
edit elsewhere in the article, which shifts lines, does not turn old findings into new ones.
Article names are stored relative to the baseline file's folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import FramecheckError
from ..core.model import ArticleReport
from ..outputs.atomic import atomic_text_file

BASELINE_VERSION = 1


def _article_key(source: str, root: Path) -> str:
    path, hash_mark, record = source.partition("#")
    if path.startswith("<"):
        return source
    relative = os.path.relpath(Path(path).resolve(), root.resolve())
    return Path(relative).as_posix() + hash_mark + record


@dataclass
class Baseline:
    root: Path
    entries: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise FramecheckError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FramecheckError(f"{path}: not a framecheck baseline (invalid JSON: {exc})") from None
        except RecursionError:
            raise FramecheckError(f"{path}: not a framecheck baseline (nested too deeply)") from None
        if not isinstance(data, dict) or data.get("baseline_version") != BASELINE_VERSION or not isinstance(data.get("articles"), dict):
            raise FramecheckError(f"{path}: not a framecheck baseline (expected baseline_version {BASELINE_VERSION})")
        entries = {
            str(article): {str(item.get("fingerprint")) for item in items if isinstance(item, dict)}
            for article, items in data["articles"].items()
            if isinstance(items, list)
        }
        return cls(path.parent, entries)

    def fingerprints(self, source: str) -> frozenset[str]:
        """The accepted fingerprints of one article (resolving its path once per article)."""
        return frozenset(self.entries.get(_article_key(source, self.root), ()))


def write_baseline(path: Path, reports: Iterable[tuple[str, list[dict]]]) -> int:
    """Write (atomically) the baseline for ``(source, findings)`` pairs; returns the count."""
    root = path.parent
    articles: dict[str, list[dict]] = {}
    for source, findings in reports:
        if findings:
            articles[_article_key(source, root)] = findings
    document = {"baseline_version": BASELINE_VERSION, "articles": dict(sorted(articles.items()))}
    with atomic_text_file(path) as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False, allow_nan=False)
        handle.write("\n")
    return sum(len(items) for items in articles.values())


def baseline_entries(report: ArticleReport) -> list[dict]:
    """What the baseline keeps of an article: the findings that are not waived inline."""
    return [
        {"rule_id": f.rule_id, "excerpt": f.excerpt, "fingerprint": f.fingerprint}
        for f in report.findings
        if f.suppression is None
    ]
