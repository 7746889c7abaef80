"""``framecheck train``: fit the learned layer on the user's own labelled articles.

The articles are scanned with the rules the run is configured with (their findings are
features) and split by a hash of each article's id (and ``--seed``) into K folds. Each fold in
turn is held out: a CRF is fitted on the other folds with python-crfsuite (``pip install
'framecheck[learn]'``) and tags the held-out fold, so every article is tagged by a model that
never saw it. Those held-out marginals pick the thresholds (see
:class:`framecheck.learn.learned.Thresholds`); a held-out part of a few dozen articles would make
them depend on which articles it happened to hold. Then the model is fitted on every article.
The thresholds chosen:

* for filtering, the highest threshold at which the rule findings that pass it keep nine tenths
  of the rules' recall (a filter exists to make findings more precise; this bounds what it may
  cost, and any measure that weighs both would, on news, rather keep every finding);
* for learned spans, the combination with the best span F1 of mode ``both`` (the rule findings
  that pass the filter, and the learned spans) among those whose precision reaches the target
  with a margin for the spread between folds; if none does, the most precise
  (:mod:`framecheck.learn.calibration`);
* with ``--familiarity``, span thresholds of their own, chosen the same way on the less familiar
  half of the held-out articles, for articles unlike the training articles (new stories get
  less precise learned spans: :mod:`framecheck.learn.familiarity`).

The figures of folds no threshold choice saw, a reliability curve, and the rules the model
learnt from are stored in the model file and printed, so a model always says how good to
expect it on labels it had not seen, and a scan with other rules is warned.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .._version import __version__
from ..core.errors import FramecheckError
from ..core.model import Document, Finding
from ..core.taxonomy import LEARNED_TECHNIQUE
from ..engine.engine import Engine
from .article_score import LabelledArticle, fit_article_score
from .calibration import (
    HeldOut,
    choose_thresholds,
    choose_unfamiliar,
    figures,
    out_of_fold,
    reliability,
    tag_held_out,
)
from .evaluation import fold_of, merge
from .familiarity import Familiarity, first_words
from .features import FEATURE_VERSION, DocumentTokens, document_blocks, gold_labels, names_a_word, training_item
from .learned import LearnedModel, Thresholds, Unfamiliar, thresholds_at
from .settings import TrainingProgress, TrainingSettings


@dataclass
class Example:
    """One labelled article, scanned: its blocks of tokens, rule findings and merged gold spans."""

    identifier: str
    document: Document
    findings: tuple[Finding, ...]
    gold: list[tuple[int, int]]
    blocks: tuple[DocumentTokens, ...]


def scan_examples(
    engine: Engine, articles: Iterable[tuple[str, Document, list[tuple[int, int]]]], total: int,
    progress: TrainingProgress,
) -> list[Example]:
    """Scan every article with the rules and build its sequences."""
    examples = []
    for done, (identifier, document, gold) in enumerate(articles, 1):
        report = engine.scan(document)
        blocks = tuple(document_blocks(document, report.findings))
        examples.append(Example(identifier, document, report.findings, merge(gold), blocks))
        progress.step("scanning articles", done, total)
    progress.done(f"scanned {len(examples)} articles")
    return examples


def fit(
    examples: Sequence[Example], settings: TrainingSettings, progress: TrainingProgress, stage: str = "training"
) -> LearnedModel:
    """Fit the CRF on ``examples`` and read back its weights (inside minus outside per feature).
    Needs python-crfsuite (``framecheck.learn.require_extra`` says how to get it)."""
    import pycrfsuite

    class Trainer(pycrfsuite.Trainer):  # type: ignore[misc,name-defined]
        """CRFsuite's log, read for the iteration count and otherwise kept quiet."""

        def message(self, message: str) -> None:
            if self.logparser.feed(message) == "iteration":
                done = int(self.logparser.last_iteration.get("num", 0))
                progress.step(stage, min(done, settings.max_iterations), settings.max_iterations)

    trainer = Trainer()
    for example in examples:
        for sequence in (sequence for block in example.blocks for sequence in block.sequences):
            trainer.append([training_item(token, settings.word_value) for token in sequence.features],
                           gold_labels(sequence.tokens, example.gold))
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
    return model_from_crfsuite(info.state_features, info.transitions, settings.word_value)


def model_from_crfsuite(state_features: dict, transitions: dict, word_value: float = 1.0) -> LearnedModel:
    """Two-label CRFsuite weights as framecheck keeps them: per feature, inside minus outside,
    times the value the feature had in training (``word_value`` for those naming words: see
    :func:`framecheck.learn.features.training_item`), so a scan gives every feature 1."""
    weights: dict[str, float] = {}
    for (name, label), weight in state_features.items():
        sign = 1.0 if label == "I" else -1.0
        value = word_value if names_a_word(name) else 1.0
        weights[name] = weights.get(name, 0.0) + sign * weight * value
    moves = {f"{a}{b}": float(transitions.get((a, b), 0.0)) for a in "OI" for b in "OI"}
    return LearnedModel({k: v for k, v in weights.items() if v}, moves)


def train(
    engine: Engine, articles: Sequence[tuple[str, Document, list[tuple[int, int]]]], settings: TrainingSettings,
    progress: TrainingProgress, *, source: str = "", article_labels: Mapping[str, int] | None = None,
) -> tuple[LearnedModel, list[HeldOut], bool]:
    """A model trained on the user's labelled articles, every article tagged by a model that had
    not seen it, and whether the target precision was reached on those (with the margin). With
    ``article_labels`` (id -> 1 or 0), the article score's technique factors are fitted too."""
    examples = scan_examples(engine, articles, len(articles), progress)
    if not any(example.gold for example in examples):
        raise FramecheckError("no labelled span belongs to any article: check the labels file and article ids")
    folds = [[e for e in examples if fold_of(e.identifier, settings.folds, settings.seed) == fold]
             for fold in range(settings.folds)]
    if any(not fold for fold in folds):
        raise FramecheckError(
            f"{len(examples)} labelled articles cannot be split into {settings.folds} folds with an article in each: "
            "give more articles or fewer --folds"
        )
    held_folds: list[list[HeldOut]] = []
    for number, fold in enumerate(folds):
        rest = [e for other, part in enumerate(folds) if other != number for e in part]
        profile = profile_of(rest) if settings.familiarity else None
        held_folds.append(tag_held_out(fit(rest, settings, progress, f"fold {number + 1}/{settings.folds}"), fold,
                                       profile))
    held = [article for fold in held_folds for article in fold]
    thresholds, reached = choose_thresholds(held_folds, settings.precision, settings.margin)
    unfamiliar = choose_unfamiliar(held_folds, thresholds, settings.precision, settings.margin)
    expected = out_of_fold(held_folds, settings.precision, settings.margin)
    progress.done("chose thresholds on the held-out folds")
    model = fit(examples, settings, progress, "final model")
    model.thresholds = thresholds
    if unfamiliar is not None:
        model.unfamiliar, model.familiarity = unfamiliar, profile_of(examples)
    model.meta = {
        "framecheck_version": __version__,
        "trained_on": {"source": source, "articles": len(examples), "folds": settings.folds,
                       "labelled_spans": sum(len(e.gold) for e in examples)},
        "settings": {"folds": settings.folds, "seed": settings.seed, "precision": settings.precision,
                     "margin": settings.margin, "familiarity": settings.familiarity, "word_value": settings.word_value,
                     "c1": settings.c1, "c2": settings.c2, "max_iterations": settings.max_iterations},
        "held_out_figures": figures(held, thresholds, unfamiliar),
        "expected_out_of_fold": expected,
        "reliability": [row.to_dict() for row in reliability(held, thresholds.extend)],
        "target_precision_reached": reached,
        "features": len(model.weights),
        "feature_version": FEATURE_VERSION,
        **rules_trained_with(engine),
    }
    if article_labels:
        labelled = labelled_articles(engine, folds, held_folds, thresholds, article_labels, unfamiliar)
        model.meta["article_score"] = fit_article_score(labelled, engine.scoring.prior_words)
        progress.done(f"fitted the article score on {len(labelled)} labelled articles")
    return model, held, reached


def labelled_articles(engine: Engine, folds: Sequence[Sequence[Example]], held_folds: Sequence[Sequence[HeldOut]],
                      thresholds: Thresholds, article_labels: Mapping[str, int],
                      unfamiliar: Unfamiliar | None = None) -> list[LabelledArticle]:
    """Each labelled article's points per technique, as a scan with the model would count them:
    its active rule findings, and the learned spans its held-out tags give at ``thresholds``
    (``unfamiliar``'s for an article unlike the training articles; info findings whose weight is
    their probability)."""
    plain = dataclasses.replace(engine.scoring, technique={})
    info = plain.severity.get("info", 0.5)
    found = []
    for fold, (examples, held) in enumerate(zip(folds, held_folds)):
        for example, tags in zip(examples, held):
            if example.identifier not in article_labels:
                continue
            points: dict[str, float] = {}
            for finding in example.findings:
                if finding.active:
                    points[finding.technique] = points.get(finding.technique, 0.0) + plain.contribution(finding)
            chosen = thresholds_at(tags.familiarity, thresholds, unfamiliar)
            learned = sum(mean for _start, _end, mean in tags.learned_spans(chosen))
            if learned:
                points[LEARNED_TECHNIQUE] = points.get(LEARNED_TECHNIQUE, 0.0) + info * learned
            found.append(LabelledArticle(example.identifier, points, example.document.word_count,
                                         article_labels[example.identifier], fold))
    return found


def profile_of(examples: Sequence[Example]) -> Familiarity:
    """The familiarity profile of the articles a model is fitted on (from the words of each
    one's first block, as a scan measures an article)."""
    return Familiarity.of_articles([first_words(example.blocks) for example in examples])


def rules_trained_with(engine: Engine) -> dict[str, list[str]]:
    """The rule ids whose findings the model learnt from, and their packs: a scan with other
    rules feeds it features it never saw (see ``LearnedModel.rule_differences``)."""
    active = engine.selected_rules()
    return {"rules": [rule.id for rule in active],
            "packs": sorted({rule.pack for rule in active if rule.pack})}
