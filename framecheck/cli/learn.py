"""``framecheck eval`` and ``framecheck train``: measuring rules and training the learned layer
on labelled articles (SemEval-2020 Task 11 span measures)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..learn.evaluation import SPLITS, AucInterval, fold_spreads, score_table
from .base import warn
from .options import build_engine, engine_options, resolve_settings

if TYPE_CHECKING:
    from ..app.evaluate import EvaluationOutcome


@click.command("eval")
@click.option("--articles", "articles_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of article<ID>.txt files.")
@click.option("--labels", "labels_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Gold spans: article_id<TAB>label<TAB>start<TAB>end (character offsets).")
@click.option("--split", type=click.Choice(SPLITS), default="all", show_default=True,
              help="dev: even article ids; report: odd ones; all: every article.")
@click.option("--include-unmapped", is_flag=True,
              help="Count predictions of techniques without a corpus label in span identification too.")
@click.option("--by-rule", is_flag=True,
              help="Also print each rule's findings and the share of them inside gold spans (any label, own label).")
@click.option("--article-labels", "article_labels_path", type=click.Path(exists=True, dir_okay=False),
              metavar="CSV",
              help="id,label (1 propaganda, 0 not) per article: also report the article score's ROC AUC.")
@click.option("--json", "json_path", metavar="FILE", help="Also write the scores (per rule included) as JSON.")
@click.option("--model", "model_path", metavar="FILE",
              help="A model from 'framecheck train': also score the rules with the learned layer in each mode.")
@click.option("--folds", type=click.IntRange(2, 50), metavar="K",
              help="Also give each of K folds' figures and their mean ± sd, the articles split by a hash of "
                   "their ids (seed 0: the folds 'framecheck train' holds out).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the --folds split.")
@engine_options
@click.pass_context
def eval_command(ctx: click.Context, articles_dir: str, labels_path: str, split: str, include_unmapped: bool,
                 by_rule: bool, article_labels_path: str | None, json_path: str | None, model_path: str | None,
                 folds: int | None, seed: int, **_: Any) -> None:
    """Precision, recall and F1 on labelled articles (SemEval-2020 Task 11 span measures)."""
    from ..app.evaluate import EvaluationRequest, evaluate  # imported on use, like the learned layer

    request = EvaluationRequest(articles_dir, labels_path, split, include_unmapped, article_labels_path, model_path,
                                folds or 0, seed)
    outcome = evaluate(resolve_settings(ctx, ()), request, build_engine)
    for line in evaluation_lines(outcome, by_rule=by_rule):
        click.echo(line)
    if json_path:
        outcome.write_json(json_path)


def evaluation_lines(outcome: EvaluationOutcome, *, by_rule: bool) -> list[str]:
    """The tables ``eval`` prints: span scores, per rule, per language, per model mode, AUC."""
    evaluation = outcome.rules
    lines = [f"{evaluation.articles} articles ({outcome.split} split)", *evaluation.table()]
    if by_rule:
        lines += ["", *evaluation.rule_table()]
    if evaluation.by_language:  # span identification per language, for the rules and each model mode
        rows = [(language if name == "rules" else f"{language}, mode {name}", score)
                for name, result in outcome.results.items() for language, score in sorted(result.by_language.items())]
        lines += ["", *score_table("LANGUAGE", rows)]
    if outcome.model_path:
        modes = [("rules alone" if name == "rules" else f"with the model, mode {name}", result.spans)
                 for name, result in outcome.results.items()]
        lines += ["", *score_table("span identification", modes), "", *model_lines(outcome)]
    if outcome.folds:
        lines += ["", *fold_lines(outcome)]
    if outcome.labelled_articles is not None:
        lines += ["", f"article score ROC AUC ({outcome.labelled_articles} articles with a label): " + ", ".join(
            f"{name} {auc_text(auc, outcome.auc_intervals.get(name))}" for name, auc in outcome.aucs.items())]
    return lines


def stored_auc(stored: dict[str, Any] | None) -> str:
    """An AUC and its interval as a model file stores them, in words ('-' for none)."""
    return "-" if not stored else str(AucInterval.from_dict(stored))


def auc_text(auc: float | None, interval: AucInterval | None) -> str:
    """'0.714 [0.690, 0.738]' (the 95% interval, when there are two of each class), or '-'."""
    if interval is not None:
        return str(interval)
    return "-" if auc is None else f"{auc:.3f}"


def model_lines(outcome: EvaluationOutcome) -> list[str]:
    """What the model expected of itself when trained, and its reliability curve here."""
    if outcome.model_expects:
        lines = ["expected at the model's thresholds (training's folds that no threshold choice saw):"]
        lines += [f"  mode {mode:<6} {expected_figures(row)}" for mode, row in outcome.model_expects.items()]
        drift = outcome.rules_drift
        if drift is not None and drift.below_expected:
            lines += [f"  note: the rules alone are less precise here ({drift.here:.3f}) than in the model's training "
                      f"folds ({drift.expected:.3f} ± {drift.sd:.3f});",
                      "        the model learnt how far to trust them there: expect its precision here to fall short "
                      "of the figures above (docs/learned-layer.md)"]
    else:
        lines = ["the model records no out-of-fold figures (trained by an older framecheck)"]
    if outcome.model_unfamiliar:
        lines.append(unfamiliar_text(outcome.model_unfamiliar))
        lines += [f"  learned spans here in the {'less' if row['less_familiar'] else 'more'} familiar articles: "
                  f"{row['articles']} articles, {row['learned_spans']} spans, precision "
                  + ("-" if row["precision"] is None else f"{row['precision']:.3f}") for row in outcome.by_familiarity]
    lines += ["", "reliability: candidate spans by the model's probability, and their precision here",
              f"{'PROBABILITY':<13}{'SPANS':>7}{'MEAN P':>9}{'PRECISION':>11}"]
    lines += [f"{row['low']:.1f}-{row['high']:.1f}{'':<6}{row['spans']:>7}{row['mean_probability']:>9.3f}"
              f"{row['precision']:>11.3f}" for row in outcome.reliability]
    return lines


def unfamiliar_text(unfamiliar: dict[str, Any]) -> str:
    """'articles less familiar than 0.29 to the training articles: span thresholds 0.7 / 0.7 /
    0.9 (short / medium / long; others 0.6 / 0.7 / 0.8)'."""
    def spans(thresholds: dict[str, float]) -> str:
        return " / ".join(f"{thresholds[length]:g}" for length in ("short", "medium", "long"))

    return (f"articles less familiar than {unfamiliar['below']:.2f} to the training articles: span thresholds "
            f"{spans(unfamiliar['thresholds'])} (short / medium / long; others {spans(unfamiliar['usual'])})")


def fold_lines(outcome: EvaluationOutcome) -> list[str]:
    """Span identification per fold for every run, then its mean ± sd over the folds."""
    count = len(outcome.folds["rules"])
    lines = [f"span identification in {count} folds (seed {outcome.seed})"]
    for name, folds in outcome.folds.items():
        run = "rules" if name == "rules" else f"mode {name}"
        lines += score_table(run.upper(), [(f"fold {index + 1} ({fold.articles} articles)", fold.spans)
                                           for index, fold in enumerate(folds)])
        spreads = fold_spreads(folds)
        lines.append(f"mean ± sd: P {spreads['precision']}  R {spreads['recall']}  F1 {spreads['f1']}")
    return lines


@click.command("train")
@click.option("--articles", "articles_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of article<ID>.txt files.")
@click.option("--labels", "labels_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Gold spans: article_id<TAB>label<TAB>start<TAB>end (character offsets; labels are not used).")
@click.option("-o", "--output", "output_path", required=True, metavar="FILE", help="Where to write the model (.fcm).")
@click.option("--split", type=click.Choice(SPLITS), default="all", show_default=True,
              help="Train on even article ids (dev), odd ones (report) or all.")
@click.option("--min-precision", "--precision", "target_precision", type=click.FloatRange(0, 1), default=0.55,
              show_default=True, help="Span precision (mode both) the thresholds must keep on the held-out folds, "
              "one standard deviation of its spread between folds below their mean.")
@click.option("--folds", type=click.IntRange(2, 10), default=5, show_default=True,
              help="Folds held out in turn to choose thresholds and measure the model.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the split into folds (as for 'eval --folds'): the same setting trained with other seeds "
              "shows how much of a difference between settings is the split's.")
@click.option("--article-labels", "article_labels_path", type=click.Path(exists=True, dir_okay=False),
              metavar="CSV", help="id,label (1 propaganda, 0 not) per article: also fit the article score's "
              "technique factors, used by scans with the model.")
@click.option("--familiarity", is_flag=True,
              help="Also choose span thresholds on the less familiar half of the held-out articles and apply them "
              "to articles unlike the training articles (learned spans on new stories are less precise; see "
              "docs/learned-layer.md).")
@click.option("--max-iterations", type=click.IntRange(min=1), default=150, show_default=True,
              help="CRF training iterations (L-BFGS).")
@click.option("--c1", type=click.FloatRange(min=0), default=0.05, show_default=True,
              help="L1 regularisation: higher keeps fewer features (a smaller model).")
@click.option("--c2", type=click.FloatRange(min=0), default=0.01, show_default=True, help="L2 regularisation.")
@click.option("--word-value", type=click.FloatRange(0, 1, min_open=True), default=1.0, show_default=True,
              help="Value of the features that name words (the word, its neighbours, its pairs) in training: below "
              "1 they cost the model more than rule, shape and suffix features, so it learns less of the training "
              "articles' stories (0.5: more precise on English news; see docs/learned-layer.md).")
@click.option("-q", "--quiet", is_flag=True, help="No progress or figures on stderr (warnings still show).")
@engine_options
@click.pass_context
def train_command(ctx: click.Context, articles_dir: str, labels_path: str, output_path: str, split: str,
                  target_precision: float, folds: int, seed: int, article_labels_path: str | None,
                  familiarity: bool, max_iterations: int, c1: float, c2: float, word_value: float, quiet: bool,
                  **_: Any) -> None:
    """Train the learned layer on labelled articles and write a model file for 'scan --model'."""
    from ..app.evaluate import TrainingRequest, train_model
    from ..learn.settings import TrainingProgress, TrainingSettings

    progress = TrainingProgress(enabled=not quiet)
    request = TrainingRequest(articles_dir, labels_path, output_path, split, article_labels_path)
    outcome = train_model(resolve_settings(ctx, ()), request,
                          TrainingSettings(folds, target_precision, c1, c2, max_iterations, familiarity=familiarity,
                                           seed=seed, word_value=word_value),
                          progress, build_engine)
    progress.done(f"wrote {output_path} ({outcome.size / 1e6:.1f} MB, {outcome.features:,} features)")
    for mode, row in outcome.held_out.items():
        progress.done(f"held out, {mode:<6}: P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f}")
    for mode, row in outcome.expected.items():
        progress.done(f"expected (folds no threshold choice saw), {mode:<6}: " + expected_figures(row))
    if outcome.unfamiliar:
        progress.done(unfamiliar_text(outcome.unfamiliar))
    if outcome.article_score:
        fitted, unfitted = (outcome.article_score[key] for key in ("auc_out_of_fold", "auc_unfitted"))
        progress.done(f"article score ROC AUC on {outcome.article_score['articles']} labelled articles: "
                      f"fitted {stored_auc(fitted)} (folds not fitted on), unfitted {stored_auc(unfitted)}")
    if not outcome.reached:
        warn(f"no threshold keeps precision {target_precision:.2f} on the held-out folds with the margin for their "
             "spread; the model uses the most precise one")


def expected_figures(row: dict[str, Any]) -> str:
    """"P 0.552 ± 0.031 R ... F1 ..." from a mode's out-of-fold figures."""
    return "  ".join(f"{short} {row[name]['mean']:.3f} ± {row[name]['sd']:.3f}"
                     for short, name in (("P", "precision"), ("R", "recall"), ("F1", "f1")))
