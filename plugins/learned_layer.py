"""The learned layer in a scan: ``--model FILE`` (or ``model:`` in the configuration).

A reviewer, so it reads what every detector and the other reviewers found, with the same
features the model was trained on (see :mod:`framecheck.learn.learned`):

* mode ``filter`` drops a rule finding whose tokens the model scores below the model's filter
  threshold; the article's warnings name each dropped finding and its probability. Findings
  of framecheck's own devices (unsourced attribution, calls to distrust), which labelled
  corpora do not mark, are never filtered: the model has not learnt to judge them;
* mode ``add`` reports runs of tokens the model scores high as ``learned-span`` findings (info
  severity: a model's guess does not fail a check on its own), with the probability and the
  features that weighed most, so an editor can see why; a run that a rule finding already
  points at (one holding it, at most twice as long) is not repeated;
* mode ``both`` (the default) does both.

Without a model the plugin contributes nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from framecheck import (
    LEARNED_TECHNIQUE,
    TECHNIQUES,
    Dismissal,
    Document,
    Examples,
    Finding,
    FramecheckError,
    RuleInfo,
    ScanOptions,
    Severity,
    hookimpl,
)
from framecheck import MODEL_MODES as MODES

if TYPE_CHECKING:  # the learned layer is imported only by runs that use a model
    from numpy import ndarray

    from framecheck.learn import Cue, DocumentTokens, LearnedModel, Thresholds

KEPT_WITHOUT_DEFAULT_RULES = True  # a model reads a newsroom pack's findings as well as the shipped ones
LEARNED_SPAN = RuleInfo(
    id="learned-span", technique=LEARNED_TECHNIQUE, severity=Severity.INFO, weight=1.0,
    message="reads like propaganda to the trained model (p={match})",
    why="A model trained on labelled articles marks passages like this one, where no rule names the device. "
        "It is a pointer for an editor to read again, not a verdict.",
    suggest=("read the passage for loaded words, fear, doubt or oversimplification, and say it plainly",),
    examples=Examples(),
)


class LearnedReviewer:
    """Applies a trained model to one document's findings."""

    name = "learned-model"
    runs_last = True  # the model was trained on every other finding, so it must see them all

    def __init__(self, model: LearnedModel, mode: str):
        from framecheck import learn  # the layer's functions, looked up once (not per sentence)

        self.learn = learn
        self.model = model
        self.filters = mode in ("filter", "both")
        self.adds = mode in ("add", "both")
        self.rules: tuple[RuleInfo, ...] = (LEARNED_SPAN,) if self.adds else ()

    @property
    def technique_factors(self) -> dict[str, float]:
        """The article score's technique factors fitted with the model (``train --article-labels``),
        or none; the engine scores with them where the configuration sets no factor of its own."""
        fitted = self.model.meta.get("article_score") or {}
        return dict(fitted.get("technique", {}))  # checked when the model file was read

    def notes_on_rules(self, rules: Sequence[RuleInfo]) -> list[str]:
        """A warning when the run's rules are not those the model was trained with: its features
        (which rule found what) and thresholds assume those, so its findings may be off."""
        different = self.model.rule_differences(rule.id for rule in rules if rule.id != LEARNED_SPAN.id)
        if different is None:
            return []
        return [f"the model was trained with other rules: {different}; its thresholds were chosen for the rules "
                "it learnt from: train it again with this configuration"]

    def review(self, document: Document, findings: Sequence[Finding]) -> Iterator[Finding | Dismissal]:
        judged = sorted((f for f in findings if TECHNIQUES[f.technique].corpus_label is not None) if self.filters
                        else (), key=lambda f: f.start)  # framecheck's own devices: corpora do not label them
        starts = [finding.start for finding in judged]
        thresholds = self.model.thresholds  # the filter threshold is the same for every article
        measured = not self.adds  # span thresholds: stricter for an article unlike the training ones
        for tokens in self.learn.document_blocks(document, findings, with_findings_only=not self.adds):
            if not len(tokens):
                continue
            if not measured:  # from the first block's words, as training measured its articles
                thresholds, measured = self.model.thresholds_for(tokens.words), True
            marginals = self.model.document_marginals(tokens)
            first = bisect.bisect_left(starts, tokens.starts[0])
            yield from self._filter(judged[first : bisect.bisect_left(starts, tokens.ends[-1])], tokens, marginals,
                                    thresholds.filter)
            if self.adds:
                yield from self._add(document, tokens, marginals, thresholds)

    def _filter(self, findings: Sequence[Finding], tokens: DocumentTokens, marginals: ndarray,
                threshold: float) -> Iterator[Dismissal]:
        """The findings whose tokens, in the sentence each starts in, score below the filter threshold."""
        finding_probability = self.learn.finding_probability
        for finding in findings:
            probability = finding_probability(finding, tokens, marginals)
            if probability is not None and probability < threshold:
                yield Dismissal(finding, f"model probability {probability:.2f} < {threshold:.2f}")

    def _add(self, document: Document, tokens: DocumentTokens, marginals: ndarray,
             thresholds: Thresholds) -> Iterator[Finding]:
        decode, describe_feature = self.learn.decode, self.learn.describe_feature
        for span in decode(tokens, marginals, thresholds):
            if _restates_a_finding(span.start, span.end, tokens.cues[span.sequence]):
                continue
            strongest = self.model.strongest(tokens.sequence(span.sequence).features_of(*span.tokens))
            because = "; ".join(f"{describe_feature(name)} {weight:+.1f}" for name, weight in strongest)
            finding = document.finding_of(LEARNED_SPAN, span.start, span.end, detector=self.name)
            message = LEARNED_SPAN.message.replace("{match}", f"{span.probability:.2f}")
            right = self.model.held_out_precision(span.probability)
            if right is not None:
                message += f"; {right:.0%} of such spans were labelled in held-out training articles"
            yield finding.evolve(
                message=message + (f"; strongest features: {because}" if because else ""),
                weight=round(LEARNED_SPAN.weight * span.probability, 4),
            )


def _restates_a_finding(start: int, end: int, cues: Sequence[Cue]) -> bool:
    """Whether a rule finding already points at about these words: it holds the span and is at
    most twice as long (a sentence-long finding around it does not point at the words)."""
    return any(cue.start <= start and end <= cue.end and cue.end - cue.start <= 2 * (end - start) for cue in cues)


@hookimpl
def framecheck_reviewers(options: ScanOptions) -> list[LearnedReviewer]:
    if not options.model:
        return []
    if options.model_mode not in MODES:
        raise FramecheckError(f"unknown model mode {options.model_mode!r} (expected one of: {', '.join(MODES)})")
    from framecheck.learn import require_extra

    require_extra(f"scanning with a model ({options.model})", "numpy")  # documents are tagged with array operations
    from framecheck.learn import load_model

    return [LearnedReviewer(load_model(options.model), options.model_mode)]
