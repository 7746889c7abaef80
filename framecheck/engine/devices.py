"""One device, one finding: rules that flag exactly the same words report them once.

"Do not fall for fakes!" is a call to distrust other sources (an error) and, being an
exclamation, an info finding as well; a Ukrainian sentence flagged whole by a pack may also be
the sentence stacked framing reports. A writer fixes the words once, and the score should count
them once: of the findings on one span, the strongest (highest severity, then weight, then rule
id) stays, naming the rules it absorbed (``absorbed``); the others leave the report. Waived
findings are grouped apart from the others, so a waiver for one rule never hides another's
finding; the engine merges before it asks the baseline, which thus records and accepts the
finding a report shows.

Two techniques say something else about the same words and keep their own findings beside the
device: ``repetition`` (how often: "3rd of 4 uses, first at line 2") and ``concealment`` (how
the word is written: which characters hid it). Their messages are the point of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.model import Finding
from ..core.taxonomy import CONCEALMENT_TECHNIQUE

OWN_FINDINGS = frozenset({"repetition", CONCEALMENT_TECHNIQUE})  # never absorbed: see the docstring


def _strength(finding: Finding) -> tuple[int, float, str]:
    return (-finding.severity, -finding.weight, finding.rule_id)


def one_per_device(findings: Sequence[Finding]) -> list[Finding]:
    """The findings with each span reported once (see the module's docstring), in order."""
    groups: dict[tuple[int, int, bool, str], list[Finding]] = {}
    for finding in findings:
        own = finding.technique if finding.technique in OWN_FINDINGS else ""
        groups.setdefault((finding.start, finding.end, finding.active, own), []).append(finding)
    if len(groups) == len(findings):
        return list(findings)  # the common case: no two findings share a span
    kept = []
    for group in groups.values():
        strongest = min(group, key=_strength)
        absorbed = sorted({f.rule_id for f in group} - {strongest.rule_id} | set(strongest.absorbed))
        kept.append(strongest.evolve(absorbed=tuple(absorbed)) if absorbed else strongest)
    return sorted(kept, key=lambda f: f.sort_key)
