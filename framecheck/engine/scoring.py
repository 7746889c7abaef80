"""The article score: how heavily a story is framed, from 0 to 100, and why.

Each active finding contributes ``rule weight x severity x place x voice x technique x context``:

* severity: info 0.5, warning 1, error 2;
* where it stands: headline 2, lede 1.5, body 1, site chrome (boilerplate) 0;
* whose voice it is: inside a direct quotation attributed to a named or described speaker
  0.25 (the story reports what somebody said), inside a quotation attributed to nobody, a vague
  crowd or an anonymous source 0.6;
* its technique: 1, unless ``technique`` gives a factor (configured, or fitted on labelled
  articles by ``framecheck train --article-labels``);
* what a reviewer found around it (its ``context``): a loaded word its clause denies
  ("negated") or supposes ("conditional") 0.5, a label the story attributes to somebody
  ("reported-label") and a named speaker's words reported without quotation marks
  ("reported-speech") 0.25; contexts without a factor count 1.

The contributions are summed and divided by the article's length: the ``density`` reported is
points per 1,000 words, so a long feature and a short wire story are comparable. The score
shrinks that towards zero for short texts, as if ``prior_words`` (400) clean words were added:
one finding in a 29-word brief is evidence from two sentences, and must not score as if the
brief were a long story full of them. Then it is saturated:
``score = 100 x (1 - exp(-density x words / (words + prior_words) / scale))``, with ``scale``
12; no article goes past 100. A 2,000-word story keeps five sixths of its density; a 29-word
brief with one unsourced claim in its lede scores 35, not 99.

Bands, below 25 low, below 40 elevated, else high, come from a measured distribution
(docs/reports.md): among the third of the shared PTC articles with the least labelled
propaganda (its dev half), a quarter score 25 or more and one in twenty 40 or more. Every
number is configurable (``scoring:`` in the configuration).
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
        default_factory=lambda: {"negated": 0.5, "conditional": 0.5, "reported-label": 0.25, "reported-speech": 0.25}
    )
    quote_named: float = 0.25
    quote_unnamed: float = 0.6
    scale: float = 12.0
    prior_words: float = 400.0  # clean words a text is shrunk towards: see the module
    # Per technique, a factor (default 1): what a newsroom weighs more or less, or what
    # 'framecheck train --article-labels' fitted on labelled articles.
    technique: Mapping[str, float] = field(default_factory=dict)
    bands: Mapping[str, float] = field(default_factory=lambda: {"elevated": 25.0, "high": 40.0})

    def contribution(self, finding: Finding) -> float:
        """What one finding adds to the article's weighted total."""
        factor = self.severity.get(finding.severity.label, 1.0) * self.part.get(finding.part, 1.0)
        if finding.quote is not None:
            factor *= self.quote_named if finding.quote else self.quote_unnamed
        for name in finding.context:
            factor *= self.context.get(name, 1.0)
        return finding.weight * factor * self.technique.get(finding.technique, 1.0)

    def to_settings(self) -> dict[str, object]:
        """Every factor in use, under the keys of ``scoring:`` in a configuration (so that
        ``framecheck config`` prints what a run scores with, defaults included)."""
        return {
            "severity": dict(self.severity), "part": dict(self.part), "context": dict(self.context),
            "technique": dict(sorted(self.technique.items())),
            "quote-named": self.quote_named, "quote-unnamed": self.quote_unnamed, "scale": self.scale,
            "prior-words": self.prior_words, "bands": dict(self.bands),
        }

    def band(self, value: float) -> str:
        if value >= self.bands["high"]:
            return "high"
        if value >= self.bands["elevated"]:
            return "elevated"
        return "low"

    def value(self, total: float, words: int) -> float:
        """The 0-100 score of ``total`` points in ``words`` words, shrunk towards zero for short
        texts (see the module)."""
        if self.scale <= 0 or words <= 0:
            return 0.0  # a text without words has nothing to frame
        shrunk = total * PER_WORDS / (words + self.prior_words)
        return 100.0 * (1.0 - math.exp(-shrunk / self.scale))

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
        value = self.value(total, words)
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
        prior_words=float(settings.get("prior-words", default.prior_words)),  # type: ignore[arg-type]
        technique=dict(settings.get("technique", {})),  # type: ignore[arg-type]
        bands=bands,
    )


SEVERITY_KEYS = tuple(s.label for s in Severity)
PART_KEYS = ("headline", "lede", "body", "boilerplate")
