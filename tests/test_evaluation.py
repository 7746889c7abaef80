"""The SemEval-2020 Task 11 span measures on hand-made cases with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import PTC, run

from framecheck.evaluation import Evaluation, SpanScore, in_split, merge


def test_merge_joins_overlapping_and_touching_spans() -> None:
    assert merge([(5, 8), (0, 3), (2, 4), (8, 10)]) == [(0, 4), (5, 10)]


@pytest.mark.parametrize(
    ("predicted", "gold", "precision", "recall"),
    [
        ([(0, 10)], [(0, 10)], 1.0, 1.0),                 # exact
        ([(0, 10)], [(0, 5)], 0.5, 1.0),                  # half of the prediction is gold
        ([(0, 5)], [(0, 10)], 1.0, 0.5),                  # half of the gold is predicted
        ([(0, 4), (20, 24)], [(0, 10)], 0.5, 0.4),        # one hit, one miss
        ([(0, 5), (3, 10)], [(0, 10), (5, 20)], 1.0, 0.5),  # overlaps merged on both sides first
        ([], [(0, 10)], 0.0, 0.0),
        ([(0, 10)], [], 0.0, 0.0),
    ],
)
def test_span_identification_partial_credit(predicted, gold, precision, recall) -> None:
    score = SpanScore()
    score.add(predicted, gold)
    assert (score.precision, score.recall) == pytest.approx((precision, recall))
    expected_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert score.f1 == pytest.approx(expected_f1)


def test_technique_aware_counts_overlap_only_within_a_label_and_pools_articles() -> None:
    evaluation = Evaluation()
    evaluation.add_article({"Doubt": [(0, 10)]}, {"Loaded_Language": [(0, 10)]})  # right place, wrong label
    evaluation.add_article({"Doubt": [(0, 10)]}, {"Doubt": [(0, 5)]})
    assert evaluation.spans.precision == pytest.approx((1.0 + 0.5) / 2)
    assert evaluation.spans.recall == pytest.approx(1.0)
    aware = evaluation.technique_aware
    assert (aware.precision, aware.recall) == pytest.approx((0.5 / 2, 1.0 / 2))
    assert evaluation.by_label["Loaded_Language"].recall == 0.0


def test_split_by_article_id_parity() -> None:
    assert in_split("111111112", "dev") and not in_split("111111112", "report")
    assert in_split("111111111", "report") and in_split("111111111", "all")


def test_eval_command_on_a_tiny_labelled_set(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "article1.txt").write_text("Title\n\nThey terrorised the town. It was barbaric.\n", encoding="utf-8")
    (articles / "article2.txt").write_text("Title\n\nA calm day.\n", encoding="utf-8")
    labels = tmp_path / "labels.tsv"
    labels.write_text("1\tLoaded_Language\t12\t22\n1\tLoaded_Language\t40\t48\n2\tDoubt\t7\t11\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    result = run("eval", "--articles", str(articles), "--labels", str(labels), "--json", str(out))
    assert result.exit_code == 0
    assert result.stdout.startswith("2 articles (all split)\n")
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert scores["by_label"]["Loaded_Language"] == {
        "precision": 1.0, "recall": 1.0, "f1": 1.0, "predicted_spans": 2, "gold_spans": 2
    }
    assert scores["by_label"]["Doubt"]["recall"] == 0.0
    assert scores["span_identification"]["recall"] == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.skipif(not PTC.is_dir(), reason="PTC corpus not found beside the checkout (../shared/corpora/ptc)")
def test_eval_runs_on_the_labelled_corpus(tmp_path: Path) -> None:
    out = tmp_path / "ptc.json"
    result = run("eval", "--articles", str(PTC / "articles"), "--labels", str(PTC / "labels.tsv"),
                 "--split", "report", "--json", str(out))
    assert result.exit_code == 0
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert scores["articles"] == 371 - 182
    assert scores["span_identification"]["predicted_spans"] > 0
