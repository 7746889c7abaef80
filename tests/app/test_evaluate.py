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
