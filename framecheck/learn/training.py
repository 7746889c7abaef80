"""``framecheck train``: fit the learned layer on the user's own labelled articles.

The articles are scanned with the rules the run is configured with (their findings are
features) and split by a hash of each article's id into K folds. Each fold in turn is held
out: a CRF is fitted on the other folds with python-crfsuite (``pip install
'framecheck[learn]'``) and tags the held-out fold, so every article is tagged by a model that
never saw it. Those held-out marginals pick the thresholds (see
:class:`framecheck.learn.learned.Thresholds`); a held-out part of a few dozen articles would make
them depend on which articles it happened to hold. Then the model is fitted on every article.
The thresholds chosen:

* for filtering, the highest threshold at which the rule findings that pass it keep nine tenths
  of the rules' recall (a filter exists to make findings more precise; this bounds what it may
  cost, and any measure that weighs both would, on news, rather keep every finding);
* for learned spans, the combination with the best span F1 of mode ``both`` (the rule findings
  that pass the filter, and the learned spans) among those whose precision reaches the target;
  if none does, the most precise.

The held-out figures are stored in the model file and printed, so a model always says how
good it was on labels it had not seen.
"""

from __future__ import annotations

import bisect
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from .._version import __version__
from ..core.errors import FramecheckError
from ..core.model import Document, Finding
from ..core.taxonomy import TECHNIQUES
from ..engine.engine import Engine
from ..outputs.progress import REDRAW_EVERY, StatusLine, is_terminal
from .evaluation import SpanScore, fold_of, merge
from .features import FEATURE_VERSION, TokenSequence, document_sequences, gold_labels
from .learned import LearnedModel, Thresholds, decode, finding_probability

EXTEND_GRID = (0.3, 0.4, 0.5)
SPAN_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
FILTER_GRID = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
BAR = 24  # characters of the progress bar
KEEP_RECALL = 0.9  # the filter may give up a tenth of the rules' recall for the precision it buys


@dataclass(frozen=True)
class TrainingSettings:
    folds: int = 3  # each held out in turn to choose thresholds
    precision: float = 0.55  # target span precision on the held-out part
    c1: float = 0.1  # L1 regularisation: prunes features, keeps the model small
    c2: float = 0.01  # L2 regularisation
    max_iterations: int = 150


@dataclass
class Example:
    """One labelled article, scanned: its sequences, rule findings and merged gold spans."""

    identifier: str
    document: Document
    findings: tuple[Finding, ...]
    gold: list[tuple[int, int]]
    sequences: list[TokenSequence]


class TrainingProgress:
    """Progress on stderr: a redrawn line on a terminal, one line per stage elsewhere."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.terminal = enabled and is_terminal(self.stream)
        self._status = StatusLine(self.stream)
        self._last = 0.0

    def step(self, stage: str, done: int, total: int) -> None:
        if not self.terminal or (done < total and time.monotonic() - self._last < REDRAW_EVERY):
            return
        self._last = time.monotonic()
        filled = BAR * done // max(total, 1)
        self._status.draw(f"framecheck: {stage} [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}")

    def done(self, message: str) -> None:
        if not self.enabled:
            return
        self._status.clear()
        self.stream.write(f"framecheck: {message}\n")
        self.stream.flush()


def scan_examples(
    engine: Engine, articles: Iterable[tuple[str, Document, list[tuple[int, int]]]], total: int,
    progress: TrainingProgress,
) -> list[Example]:
    """Scan every article with the rules and build its sequences."""
    examples = []
    for done, (identifier, document, gold) in enumerate(articles, 1):
        report = engine.scan(document)
        sequences = list(document_sequences(document, report.findings))
        examples.append(Example(identifier, document, report.findings, merge(gold), sequences))
        progress.step("scanning articles", done, total)
    progress.done(f"scanned {len(examples)} articles")
    return examples


def require_crfsuite() -> Any:
    """The python-crfsuite module, or an error saying how to install it (called before a corpus
    is scanned, so a missing trainer costs no wait)."""
    try:
        import pycrfsuite
    except ImportError:
        raise FramecheckError(
            "training needs python-crfsuite: pip install 'framecheck[learn]' (scanning with a model does not)"
        ) from None
    return pycrfsuite


def fit(
    examples: Sequence[Example], settings: TrainingSettings, progress: TrainingProgress, stage: str = "training"
) -> LearnedModel:
    """Fit the CRF on ``examples`` and read back its weights (inside minus outside per feature)."""
    pycrfsuite = require_crfsuite()

    class Trainer(pycrfsuite.Trainer):  # type: ignore[misc,name-defined]
        """CRFsuite's log, read for the iteration count and otherwise kept quiet."""

        def message(self, message: str) -> None:
            if self.logparser.feed(message) == "iteration":
                done = int(self.logparser.last_iteration.get("num", 0))
                progress.step(stage, min(done, settings.max_iterations), settings.max_iterations)

    trainer = Trainer()
    for example in examples:
        for sequence in example.sequences:
            trainer.append([list(token) for token in sequence.features], gold_labels(sequence.tokens, example.gold))
    trainer.set_params({"c1": settings.c1, "c2": settings.c2, "max_iterations": settings.max_iterations,
                        "feature.possible_transitions": True})
    handle, scratch = tempfile.mkstemp(prefix="framecheck-crf-", suffix=".bin")
    os.close(handle)
    try:
        trainer.train(scratch)
        tagger = pycrfsuite.Tagger()
        tagger.open(scratch)
        info = tagger.info()
    finally:
        os.unlink(scratch)
    progress.done(f"{stage}: fitted on {len(examples)} articles")
    return model_from_crfsuite(info.state_features, info.transitions)


def model_from_crfsuite(state_features: dict, transitions: dict) -> LearnedModel:
    """Two-label CRFsuite weights as framecheck keeps them: per feature, inside minus outside."""
    weights: dict[str, float] = {}
    for (name, label), weight in state_features.items():
        sign = 1.0 if label == "I" else -1.0
        weights[name] = weights.get(name, 0.0) + sign * weight
    moves = {f"{a}{b}": float(transitions.get((a, b), 0.0)) for a in "OI" for b in "OI"}
    return LearnedModel({k: v for k, v in weights.items() if v}, moves)


@dataclass
class HeldOut:
    """Per held-out article: gold, rule spans (with each one's probability) and tagged sequences."""

    gold: list[tuple[int, int]]
    rules: list[tuple[tuple[int, int], float | None]]
    tagged: list[tuple[TokenSequence, list[float]]]
    text: str
    _runs: dict[float, list[tuple[int, int, int, float]]] = field(default_factory=dict)

    def runs(self, extend: float) -> list[tuple[int, int, int, float]]:
        """(start, end, tokens, mean marginal) of every candidate span at ``extend``, worked out
        once: the threshold search then only compares means."""
        if extend not in self._runs:
            everything = Thresholds(extend, 0.0, 0.0, 0.0)
            self._runs[extend] = [
                (span.start, span.end, span.tokens[1] - span.tokens[0] + 1, span.probability)
                for sequence, marginals in self.tagged
                for span in decode(self.text, sequence, marginals, everything)
            ]
        return self._runs[extend]


def tag_held_out(model: LearnedModel, examples: Sequence[Example]) -> list[HeldOut]:
    held = []
    for example in examples:
        tagged = [(sequence, model.marginals_of(sequence)) for sequence in example.sequences]
        starts = [sequence.tokens[0][0] for sequence in example.sequences]
        rules = []
        for finding in example.findings:
            if TECHNIQUES[finding.technique].corpus_label is None:
                continue  # as in 'framecheck eval': framecheck's own devices are not labelled in corpora
            # the sentence the finding starts in, as the scan's filter judges it
            index = bisect.bisect_right(starts, finding.start) - 1
            probability = finding_probability(finding, *tagged[index]) if index >= 0 else None
            rules.append(((finding.start, finding.end), probability))
        held.append(HeldOut(example.gold, rules, tagged, example.document.text))
    return held


def measure(held: Sequence[HeldOut], thresholds: Thresholds, *, filter_rules: bool, add_spans: bool,
            rules: bool = True) -> SpanScore:
    """Span identification on the held-out articles in one mode."""
    score = SpanScore()
    for article in held:
        predicted = [span for span, p in article.rules
                     if rules and (not filter_rules or p is None or p >= thresholds.filter)]
        if add_spans:
            predicted.extend((start, end) for start, end, tokens, mean in article.runs(thresholds.extend)
                             if mean >= thresholds.for_length(tokens))
        score.add(predicted, article.gold)
    return score


def choose_thresholds(held: Sequence[HeldOut], target_precision: float) -> tuple[Thresholds, bool]:
    """(thresholds, whether the span thresholds reach the target precision); see the module."""
    unfiltered = measure(held, Thresholds(filter=0.0), filter_rules=True, add_spans=False).recall
    best_filter = max(
        t for t in FILTER_GRID
        if measure(held, Thresholds(filter=t), filter_rules=True, add_spans=False).recall >= KEEP_RECALL * unfiltered
    )
    candidates = []
    for extend, short, medium, long in itertools.product(EXTEND_GRID, SPAN_GRID, SPAN_GRID, SPAN_GRID):
        if not short <= medium <= long or short < extend:
            continue
        thresholds = Thresholds(extend, short, medium, long, best_filter)
        score = measure(held, thresholds, filter_rules=True, add_spans=True)
        candidates.append((score.precision >= target_precision, score.f1, score.precision, -extend, thresholds))
    reached = [c for c in candidates if c[0]]
    if reached:
        return max(reached, key=lambda c: (c[1], c[2], c[3]))[4], True
    return max(candidates, key=lambda c: (c[2], c[1]))[4], False


def figures(held: Sequence[HeldOut], thresholds: Thresholds) -> dict[str, dict[str, Any]]:
    """Span identification on the held-out part for rules alone and each mode."""
    modes = {"rules": (False, False), "filter": (True, False), "add": (False, True), "both": (True, True)}
    return {name: measure(held, thresholds, filter_rules=f, add_spans=a).to_dict() for name, (f, a) in modes.items()}


def threshold_curve(held: Sequence[HeldOut], base: Thresholds) -> Iterator[tuple[float, SpanScore, SpanScore]]:
    """(threshold, learned spans alone, rules and learned spans) with every span threshold at one value."""
    for value in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        thresholds = Thresholds(min(base.extend, value), value, value, value, base.filter)
        yield (value, measure(held, thresholds, filter_rules=False, add_spans=True, rules=False),
               measure(held, thresholds, filter_rules=False, add_spans=True))


def train(
    engine: Engine, articles: Sequence[tuple[str, Document, list[tuple[int, int]]]], settings: TrainingSettings,
    progress: TrainingProgress, *, source: str = "",
) -> tuple[LearnedModel, list[HeldOut], bool]:
    """A model trained on the user's labelled articles, every article tagged by a model that had
    not seen it, and whether the target precision was reached on those."""
    examples = scan_examples(engine, articles, len(articles), progress)
    if not any(example.gold for example in examples):
        raise FramecheckError("no labelled span belongs to any article: check the labels file and article ids")
    folds = [[e for e in examples if fold_of(e.identifier, settings.folds) == fold] for fold in range(settings.folds)]
    if any(not fold for fold in folds):
        raise FramecheckError(
            f"{len(examples)} labelled articles cannot be split into {settings.folds} folds with an article in each: "
            "give more articles or fewer --folds"
        )
    held: list[HeldOut] = []
    for number, fold in enumerate(folds):
        rest = [e for other, part in enumerate(folds) if other != number for e in part]
        held.extend(tag_held_out(fit(rest, settings, progress, f"fold {number + 1}/{settings.folds}"), fold))
    thresholds, reached = choose_thresholds(held, settings.precision)
    progress.done("chose thresholds on the held-out folds")
    model = fit(examples, settings, progress, "final model")
    model.thresholds = thresholds
    model.meta = {
        "framecheck_version": __version__,
        "trained_on": {"source": source, "articles": len(examples), "folds": settings.folds,
                       "labelled_spans": sum(len(e.gold) for e in examples)},
        "settings": {"folds": settings.folds, "precision": settings.precision, "c1": settings.c1,
                     "c2": settings.c2, "max_iterations": settings.max_iterations},
        "held_out_figures": figures(held, thresholds),
        "target_precision_reached": reached,
        "features": len(model.weights),
        "feature_version": FEATURE_VERSION,
    }
    return model, held, reached
