"""The runs behind ``eval``: span scores per run, article-score AUC, the JSON written."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import make_engine, write_corpus, write_rule_pack

from framecheck.app.config import Config
from framecheck.app.evaluate import EvaluationRequest, evaluate, score_articles
from framecheck.app.options import engine_for
from framecheck.learn.evaluation import labelled_documents, read_labels


def build(config: Config):
    return engine_for(config)[0]


def test_a_rule_that_finds_the_labelled_words_scores_and_writes_json(tmp_path: Path) -> None:
    articles, labels = write_corpus(tmp_path, articles=12)
    pack = write_rule_pack(tmp_path / "loaded.yaml", "invented-loaded", "[zorbic, flarnish, grulent, vexatory]",
                           technique="loaded-language")
    (tmp_path / "article-labels.csv").write_text(
        "id,label\n" + "".join(f"{n},{int(n % 3 != 0)}\n" for n in range(1, 13)), encoding="utf-8")
    config = Config(rules=(str(pack),), no_default_rules=True)
    outcome = evaluate(config, EvaluationRequest(str(articles), str(labels), "all",
                                                 article_labels_path=str(tmp_path / "article-labels.csv")), build)
    spans = outcome.rules.spans
    assert outcome.rules.articles == 12 and spans.precision > 0.5 and spans.recall > 0.5
    assert outcome.labelled_articles == 12 and outcome.aucs["rules"] is not None and outcome.aucs["rules"] > 0.5
    outcome.write_json(str(tmp_path / "scores.json"))
    written = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))
    assert written["split"] == "all" and written["article_auc"]["rules"] == round(outcome.aucs["rules"], 4)


def test_score_articles_keeps_each_article_s_score(tmp_path: Path) -> None:
    articles, labels = write_corpus(tmp_path, articles=6)
    evaluation, scored = score_articles(make_engine(default_rules=False), labelled_documents(articles, "all"),
                                        read_labels(labels), include_unmapped=False)
    assert [identifier for identifier, _ in scored] == [str(n) for n in range(1, 7)]
    assert evaluation.articles == 6 and all(score == 0 for _, score in scored)


def test_folds_split_articles_whole_and_add_up_to_the_overall_figures(tmp_path: Path) -> None:
    from framecheck.learn.evaluation import fold_of

    articles, labels = write_corpus(tmp_path, articles=30)
    pack = write_rule_pack(tmp_path / "loaded.yaml", "invented-loaded", "[zorbic, flarnish]",
                           technique="loaded-language")
    config = Config(rules=(str(pack),), no_default_rules=True)
    outcome = evaluate(config, EvaluationRequest(str(articles), str(labels), "all", folds=4), build)
    folds = outcome.folds["rules"]
    assert len(folds) == 4 and sum(fold.articles for fold in folds) == 30
    assert [fold.articles for fold in folds] == [sum(fold_of(str(n), 4) == k for n in range(1, 31)) for k in range(4)]
    overall = outcome.rules.spans
    assert sum(fold.spans.predicted for fold in folds) == overall.predicted
    assert sum(fold.spans.gold for fold in folds) == overall.gold
    outcome.write_json(str(tmp_path / "scores.json"))
    written = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))["folds"]
    assert written["count"] == 4 and written["seed"] == 0
    f1s = [fold["span_identification"]["f1"] for fold in written["runs"]["rules"]["per_fold"]]
    mean = written["runs"]["rules"]["span_identification"]["f1"]["mean"]
    assert abs(mean - sum(f1s) / 4) < 1e-3 and written["runs"]["rules"]["span_identification"]["f1"]["sd"] >= 0
    reseeded = evaluate(config, EvaluationRequest(str(articles), str(labels), "all", folds=4, seed=7), build)
    assert [f.articles for f in reseeded.folds["rules"]] != [f.articles for f in folds]
    assert sum(f.spans.predicted for f in reseeded.folds["rules"]) == overall.predicted


def test_folds_the_cli_prints_and_refuses(tmp_path: Path) -> None:
    from helpers import run

    articles, labels = write_corpus(tmp_path, articles=12)
    result = run("eval", "--articles", str(articles), "--labels", str(labels), "--folds", "3", "--no-default-rules")
    assert result.exit_code == 0, result.output
    assert "span identification in 3 folds (seed 0)" in result.stdout and "mean ± sd: P " in result.stdout
    too_many = run("eval", "--articles", str(articles), "--labels", str(labels), "--folds", "50", "--no-default-rules")
    assert too_many.exit_code == 2
    assert "12 articles in the all split cannot be split into 50 folds with an article in each" in too_many.stderr
