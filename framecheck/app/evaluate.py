"""Evaluating and training against labelled articles: the runs behind ``eval`` and ``train``.

Each run builds its engine from the configuration (for ``eval --model``, one per learned-layer
mode) and reads the articles afresh, so memory stays flat however many runs there are.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import FramecheckError
from ..core.model import MODEL_MODES, ArticleReport
from ..core.taxonomy import LEARNED_TECHNIQUE, TECHNIQUES
from ..engine.engine import Engine
from ..learn.evaluation import (
    AucInterval,
    Evaluation,
    RuleFinding,
    auc_interval,
    fold_of,
    fold_spreads,
    labelled_documents,
    merge,
    read_article_labels,
    read_labels,
    roc_auc,
    spans_of,
)
from ..learn.settings import TrainingProgress, TrainingSettings
from ..outputs.atomic import atomic_text_file
from .config import Config

BuildEngine = Callable[[Config], Engine]


@dataclass(frozen=True)
class EvaluationRequest:
    """What ``eval`` compares: labelled articles, and optionally article labels and a model."""

    articles_dir: str
    labels_path: str
    split: str = "all"
    include_unmapped: bool = False
    article_labels_path: str | None = None
    model_path: str | None = None
    folds: int = 0  # K > 1: also each fold's figures, articles split by a seeded hash of their ids
    seed: int = 0


@dataclass(frozen=True)
class RulesDrift:
    """The rules' span precision on the evaluated articles and in the model's training folds
    (mean, sd). A model learns how far to trust each rule on its training articles, and its own
    precision falls where the rules' does (docs/learned-layer.md), so rules that are less
    precise here than there warn that the model's expected figures are too high here."""

    here: float
    expected: float
    sd: float

    @property
    def below_expected(self) -> bool:
        return self.here < self.expected - self.sd

    def to_dict(self) -> dict[str, Any]:
        return {"here": self.here, "expected": self.expected, "sd": self.sd, "below_expected": self.below_expected}


@dataclass
class EvaluationOutcome:
    """Span scores per run ("rules", then one per model mode) and article-score ROC AUCs."""

    split: str
    results: dict[str, Evaluation] = field(default_factory=dict)
    aucs: dict[str, float | None] = field(default_factory=dict)
    auc_intervals: dict[str, AucInterval | None] = field(default_factory=dict)  # the same, with a 95% interval
    labelled_articles: int | None = None  # articles with an article label, when there were labels
    model_path: str | None = None
    folds: dict[str, list[Evaluation]] = field(default_factory=dict)  # run -> one Evaluation per fold
    seed: int = 0
    model_expects: dict[str, dict[str, Any]] = field(default_factory=dict)  # the model's out-of-fold figures
    reliability: list[dict[str, Any]] = field(default_factory=list)  # the model's probabilities here
    model_unfamiliar: dict[str, Any] | None = None  # its thresholds for unfamiliar articles (see unfamiliar_summary)
    by_familiarity: list[dict[str, Any]] = field(default_factory=list)  # its learned spans here, by familiarity

    @property
    def rules(self) -> Evaluation:
        return self.results["rules"]

    @property
    def rules_drift(self) -> RulesDrift | None:
        """The rules' precision here against their precision in the model's training folds (None
        without a model or its out-of-fold figures)."""
        expected = self.model_expects.get("rules")
        if not expected:
            return None
        return RulesDrift(round(self.rules.spans.precision, 4), expected["precision"]["mean"],
                          expected["precision"]["sd"])

    def add_auc(self, name: str, scored: list[tuple[float, int]]) -> None:
        interval = auc_interval(scored)
        self.auc_intervals[name] = interval
        self.aucs[name] = interval.auc if interval is not None else roc_auc(scored)

    def to_dict(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"split": self.split, **self.rules.to_dict()}
        if self.model_path:
            payload["model"] = {"path": self.model_path, "modes": {
                name: result.spans.to_dict() for name, result in self.results.items() if name != "rules"},
                "expected_out_of_fold": self.model_expects, "reliability": self.reliability,
                "unfamiliar": self.model_unfamiliar, "learned_spans_by_familiarity": self.by_familiarity}
            drift = self.rules_drift
            if drift is not None:
                payload["model"]["rules_precision"] = drift.to_dict()
        if self.labelled_articles is not None:
            payload["article_auc"] = {name: None if auc is None else round(auc, 4) for name, auc in self.aucs.items()}
            payload["article_auc_ci95"] = {name: None if interval is None else interval.to_dict()["ci95"]
                                           for name, interval in self.auc_intervals.items()}
        if self.folds:
            payload["folds"] = {"count": len(self.folds["rules"]), "seed": self.seed, "runs": {
                name: {"per_fold": [{"fold": index + 1, "articles": fold.articles,
                                     "span_identification": fold.spans.to_dict(),
                                     "technique_aware": fold.technique_aware.to_dict()}
                                    for index, fold in enumerate(folds)],
                       "span_identification": {key: spread.to_dict() for key, spread in fold_spreads(folds).items()}}
                for name, folds in self.folds.items()}}
        return payload

    def write_json(self, path: str) -> None:
        with atomic_text_file(path) as handle:
            json.dump(self.to_dict(), handle, indent=2, allow_nan=False)
            handle.write("\n")


def evaluate(config: Config, request: EvaluationRequest, build_engine: BuildEngine) -> EvaluationOutcome:
    """Score the rules (and, with a model, each learned-layer mode) on the labelled articles."""
    config = dataclasses.replace(config, model=None)
    labels = read_labels(Path(request.labels_path))
    languages: dict[str, str] = {}  # article id -> language, when the article labels name it
    article_labels = (read_article_labels(Path(request.article_labels_path), languages)
                      if request.article_labels_path else None)
    runs = {"rules": config}
    if request.model_path:
        runs.update({mode: dataclasses.replace(config, model=request.model_path, model_mode=mode)
                     for mode in MODEL_MODES})
    outcome = EvaluationOutcome(request.split, model_path=request.model_path, seed=request.seed)
    calibration = ModelCalibration(request.model_path, labels) if request.model_path else None
    scored: list[tuple[str, float]] = []
    for name, settings in runs.items():
        documents = labelled_documents(Path(request.articles_dir), request.split)
        folds = [Evaluation() for _ in range(request.folds)] if request.folds > 1 else None
        # the rules' run also tags each article with the model, for its reliability curve
        observe = calibration.add if calibration is not None and name == "rules" else None
        outcome.results[name], scored = score_articles(build_engine(settings), documents, labels,
                                                       request.include_unmapped, languages, folds, request.seed,
                                                       observe)
        if folds is not None:
            _require_filled(folds, request)
            outcome.folds[name] = folds
        if article_labels is not None:
            outcome.add_auc(name, [(score, article_labels[i]) for i, score in scored if i in article_labels])
            for language in sorted(set(languages.values())):
                outcome.add_auc(f"{name} ({language})", [(score, article_labels[i]) for i, score in scored
                                                         if i in article_labels and languages.get(i) == language])
    if article_labels is not None:
        outcome.labelled_articles = sum(1 for identifier, _ in scored if identifier in article_labels)
    if calibration is not None:
        outcome.model_expects, outcome.reliability = calibration.expected, calibration.curve()
        outcome.model_unfamiliar = unfamiliar_summary(calibration.model)
        outcome.by_familiarity = calibration.by_familiarity.rows()
    return outcome


def unfamiliar_summary(model: Any) -> dict[str, Any] | None:
    """A model's thresholds for articles unlike its training articles beside its usual ones
    (``below``: the familiarity under which they apply), or None when it has none."""
    if model.unfamiliar is None:
        return None
    return {"below": model.unfamiliar.below, "thresholds": dataclasses.asdict(model.unfamiliar.thresholds),
            "usual": dataclasses.asdict(model.thresholds)}


class ModelCalibration:
    """What a model expects of itself (its out-of-fold figures, from training) and how its
    probabilities hold on the evaluated articles: candidate spans binned by probability, each
    bin's precision (a reliability curve), added article by article as the rules' run scans."""

    def __init__(self, model_path: str, labels: dict):
        from ..learn import load_model
        from ..learn.calibration import ReliabilityCurve, SpansByFamiliarity

        self.model = load_model(model_path)
        self.labels = labels
        self.reliability = ReliabilityCurve(self.model.thresholds.extend)
        self.by_familiarity = SpansByFamiliarity(self.model)
        expected = self.model.meta.get("expected_out_of_fold")
        self.expected: dict[str, dict[str, Any]] = expected if isinstance(expected, dict) else {}

    def add(self, identifier: str, report: ArticleReport) -> None:
        from ..learn.calibration import tag_article
        from ..learn.familiarity import first_words
        from ..learn.features import document_blocks

        blocks = tuple(document_blocks(report.document, report.findings))
        gold = merge(spans_of(self.labels, identifier))
        tagged = tag_article(self.model, report.findings, gold, blocks)
        self.reliability.add(tagged)
        self.by_familiarity.add(tagged, first_words(blocks))

    def curve(self) -> list[dict[str, Any]]:
        return [row.to_dict() for row in self.reliability.bins()]


def _require_filled(folds: list[Evaluation], request: EvaluationRequest) -> None:
    if any(fold.articles == 0 for fold in folds):
        total = sum(fold.articles for fold in folds)
        raise FramecheckError(f"{total} articles in the {request.split} split cannot be split into {request.folds} "
                              "folds with an article in each: give more articles or fewer --folds")


def score_articles(engine: Engine, documents: Iterable[tuple[str, Any]], labels: dict, include_unmapped: bool,
                   languages: dict[str, str] | None = None, folds: list[Evaluation] | None = None,
                   seed: int = 0, observe: Callable[[str, ArticleReport], None] | None = None,
                   ) -> tuple[Evaluation, list[tuple[str, float]]]:
    """Span scores of one engine over the articles (also per language, where ``languages``
    names the article's, and per fold into ``folds``, split by ``fold_of`` with ``seed``), and
    each article's score; ``observe`` sees each article's report as it is made."""
    evaluation = Evaluation()
    scored = []
    technique_of = {rule.id: rule.technique for rule in engine.rules()}
    for identifier, document in documents:
        predicted: dict[str, list[tuple[int, int]]] = {}
        untyped: list[tuple[int, int]] = []
        found: list[RuleFinding] = []
        report = engine.scan(document)
        if observe is not None:
            observe(identifier, report)
        for finding in report.active_findings:
            if finding.technique == LEARNED_TECHNIQUE:
                untyped.append((finding.start, finding.end))
                continue
            # A finding that absorbed other rules on its span (engine.devices) predicts their
            # techniques too: one device reported once is still each rule's prediction.
            rules = [(finding.rule_id, finding.technique),
                     *((rule_id, technique_of.get(rule_id, finding.technique)) for rule_id in finding.absorbed)]
            for rule_id, technique in rules:
                label = TECHNIQUES[technique].corpus_label
                found.append(RuleFinding(rule_id, label, (finding.start, finding.end)))
                if label is None and include_unmapped:
                    label = f"(framecheck) {technique}"
                if label is not None:
                    predicted.setdefault(label, []).append((finding.start, finding.end))
        gold = labels.get(identifier, {})
        evaluation.add_article(predicted, gold, untyped, (languages or {}).get(identifier))
        evaluation.add_rule_findings(found, gold)
        if folds is not None:
            folds[fold_of(identifier, len(folds), seed)].add_article(predicted, gold, untyped)
        scored.append((identifier, report.score.value))
    return evaluation, scored


@dataclass(frozen=True)
class TrainingRequest:
    articles_dir: str
    labels_path: str
    output_path: str
    split: str = "all"
    article_labels_path: str | None = None  # id,label per article: also fit the article score

@dataclass(frozen=True)
class TrainingOutcome:
    features: int
    size: int  # bytes of the model file
    held_out: dict[str, dict[str, float]]  # mode -> precision, recall, f1
    reached: bool  # whether a threshold reached the target precision
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)  # mode -> out-of-fold figures
    article_score: dict[str, Any] | None = None  # the fitted technique factors and their AUCs
    unfamiliar: dict[str, Any] | None = None  # thresholds for unfamiliar articles (see unfamiliar_summary)


def train_model(config: Config, request: TrainingRequest, settings: TrainingSettings, progress: TrainingProgress,
                build_engine: BuildEngine) -> TrainingOutcome:
    """Train the learned layer on the labelled articles and write the model file."""
    from ..learn import require_extra

    # before the layer's modules (they import numpy) and before a corpus is scanned: no wait for an error
    require_extra("training", "pycrfsuite", "numpy")
    from ..learn.model_file import save_model
    from ..learn.training import train

    engine = build_engine(dataclasses.replace(config, model=None))
    labels = read_labels(Path(request.labels_path))
    articles = [(identifier, document, spans_of(labels, identifier))
                for identifier, document in labelled_documents(Path(request.articles_dir), request.split)]
    if not articles:
        raise FramecheckError(f"{request.articles_dir}: no article<ID>.txt files in the {request.split} split")
    article_labels = (read_article_labels(Path(request.article_labels_path))
                      if request.article_labels_path else None)
    model, _held, reached = train(engine, articles, settings, progress,
                                  source=f"{request.articles_dir} ({request.split})", article_labels=article_labels)
    save_model(model, Path(request.output_path))
    return TrainingOutcome(len(model.weights), Path(request.output_path).stat().st_size,
                           model.meta["held_out_figures"], reached, model.meta["expected_out_of_fold"],
                           model.meta.get("article_score"), unfamiliar_summary(model))
