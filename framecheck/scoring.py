"""A preliminary article score: how much weighted framing per 1,000 words.

Normalising by length lets a short wire story and a long feature be compared; the full,
saturating and explained model is tracked in its own issue and will replace this function
without changing its signature.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .model import Document, Finding, Score, TechniqueScore

PER_WORDS = 1000


def preliminary_score(document: Document, findings: Sequence[Finding]) -> Score:
    """Findings in boilerplate (site chrome such as "Other News") are reported but not scored."""
    counts: dict[str, int] = defaultdict(int)
    weights: dict[str, float] = defaultdict(float)
    for finding in findings:
        if finding.part == "boilerplate":
            continue
        counts[finding.technique] += 1
        weights[finding.technique] += finding.weight
    total = sum(weights.values())
    words = document.word_count
    value = total * PER_WORDS / words if words else 0.0
    by_technique = tuple(
        TechniqueScore(technique, counts[technique], round(weights[technique], 4))
        for technique in sorted(weights, key=lambda t: (-weights[t], t))
    )
    return Score(round(value, 2), words, round(total, 4), by_technique)
