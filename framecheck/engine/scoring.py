"""The article score: how heavily a story is framed, from 0 to 100, and why.

Each active finding contributes ``rule weight x severity factor x context factor``:

* severity: info 0.5, warning 1, error 2;
* where it stands: headline 2, lede 1.5, body 1, site chrome (boilerplate) 0;
* whose voice it is: inside a direct quotation attributed to a named speaker 0.25 (the
  story reports what somebody said), inside an unattributed quotation 0.6;
* what a reviewer found around it (its ``context``): a loaded word its clause denies
  ("negated") or supposes ("conditional") 0.5, a label the story attributes to somebody
  ("reported-label") 0.25; contexts without a factor count 1.

The contributions are summed and divided by the article's length (points per 1,000 words),
so a long feature and a short wire story are comparable, then saturated:
``score = 100 x (1 - exp(-density / scale))``, with ``scale`` 12: a density of 12 points per
1,000 words scores 63, and no article goes past 100. Bands: below 30 low, below 60 elevated,
else high. Every number is configurable (``scoring:`` in the configuration).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..core.model import Document, Finding, Score, Severity, TechniqueScore

PER_WORDS = 1000


@dataclass(frozen=True)
class ScoringModel:
    severity: Mapping[str, float] = field(default_factory=lambda: {"info": 0.5, "warning": 1.0, "error": 2.0})
    part: Mapping[str, float] = field(
        default_factory=lambda: {"headline": 2.0, "lede": 1.5, "body": 1.0, "boilerplate": 0.0}
    )
    context: Mapping[str, float] = field(
        default_factory=lambda: {"negated": 0.5, "conditional": 0.5, "reported-label": 0.25}
    )
    quote_named: float = 0.25
    quote_unnamed: float = 0.6
    scale: float = 12.0
    bands: Mapping[str, float] = field(default_factory=lambda: {"elevated": 30.0, "high": 60.0})

    def contribution(self, finding: Finding) -> float:
        """What one finding adds to the article's weighted total."""
        factor = self.severity.get(finding.severity.label, 1.0) * self.part.get(finding.part, 1.0)
        if finding.quote is not None:
            factor *= self.quote_named if finding.quote else self.quote_unnamed
        for name in finding.context:
            factor *= self.context.get(name, 1.0)
        return finding.weight * factor

    def to_settings(self) -> dict[str, object]:
        """Every factor in use, under the keys of ``scoring:`` in a configuration (so that
        ``framecheck config`` prints what a run scores with, defaults included)."""
        return {
            "severity": dict(self.severity), "part": dict(self.part), "context": dict(self.context),
            "quote-named": self.quote_named, "quote-unnamed": self.quote_unnamed, "scale": self.scale,
            "bands": dict(self.bands),
        }

    def band(self, value: float) -> str:
        if value >= self.bands["high"]:
            return "high"
        if value >= self.bands["elevated"]:
            return "elevated"
        return "low"

    def score(self, document: Document, findings: Sequence[Finding]) -> Score:
        """The score of an article from its active findings (waived and baselined ones excluded)."""
        counts: dict[str, int] = defaultdict(int)
        weights: dict[str, float] = defaultdict(float)
        for finding in findings:
            if not finding.active:
                continue
            points = self.contribution(finding)
            if points <= 0:
                continue
            counts[finding.technique] += 1
            weights[finding.technique] += points
        total = sum(weights.values())
        words = document.word_count
        density = total * PER_WORDS / words if words else 0.0
        value = 100.0 * (1.0 - math.exp(-density / self.scale)) if self.scale > 0 else 0.0
        by_technique = tuple(
            TechniqueScore(
                technique, counts[technique], round(weights[technique], 4),
                round(100.0 * weights[technique] / total, 1) if total else 0.0,
            )
            for technique in sorted(weights, key=lambda t: (-weights[t], t))
        )
        return Score(round(value, 1), words, round(total, 4), by_technique, round(density, 2), self.band(value))


DEFAULT_MODEL = ScoringModel()


def model_from_settings(settings: Mapping[str, object]) -> ScoringModel:
    """A model from the ``scoring:`` configuration (already validated by the config loader)."""
    default = ScoringModel()
    severity = {**default.severity, **dict(settings.get("severity", {}))}  # type: ignore[arg-type]
    part = {**default.part, **dict(settings.get("part", {}))}  # type: ignore[arg-type]
    context = {**default.context, **dict(settings.get("context", {}))}  # type: ignore[arg-type]
    bands = {**default.bands, **dict(settings.get("bands", {}))}  # type: ignore[arg-type]
    return ScoringModel(
        severity=severity,
        part=part,
        context=context,
        quote_named=float(settings.get("quote-named", default.quote_named)),  # type: ignore[arg-type]
        quote_unnamed=float(settings.get("quote-unnamed", default.quote_unnamed)),  # type: ignore[arg-type]
        scale=float(settings.get("scale", default.scale)),  # type: ignore[arg-type]
        bands=bands,
    )


SEVERITY_KEYS = tuple(s.label for s in Severity)
PART_KEYS = ("headline", "lede", "body", "boilerplate")
