"""The SemEval-2020 Task 11 span measures on hand-made cases with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import PTC, labelled_set, run

from framecheck.learn.evaluation import (
    Evaluation,
    RuleFinding,
    SpanScore,
    in_split,
    merge,
    read_article_labels,
    roc_auc,
)


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


def test_rule_precision_counts_each_finding_on_its_own_against_any_label_and_its_own() -> None:
    evaluation = Evaluation()
    gold = {"Loaded_Language": [(0, 10)], "Doubt": [(10, 20)]}
    evaluation.add_rule_findings([
        RuleFinding("brutal", "Loaded_Language", (0, 10)),    # all gold, all its own label
        RuleFinding("brutal", "Loaded_Language", (5, 15)),    # all gold, half its own label
        RuleFinding("hedge", None, (15, 25)),                 # half gold; the corpus has no label for it
        RuleFinding("empty", "Doubt", (30, 30)),              # zero-length spans are not findings
    ], gold)
    evaluation.add_rule_findings([RuleFinding("brutal", "Loaded_Language", (0, 4))], {})  # an article without gold
    brutal, hedge = evaluation.by_rule["brutal"], evaluation.by_rule["hedge"]
    assert brutal.findings == 3
    assert brutal.precision == pytest.approx((1 + 1 + 0) / 3)
    assert brutal.label_precision == pytest.approx((1 + 0.5 + 0) / 3)
    assert (hedge.findings, hedge.precision, hedge.label_precision) == (1, 0.5, None)
    assert evaluation.by_rule["empty"].findings == 0
    assert evaluation.to_dict()["by_rule"]["hedge"] == {
        "label": None, "findings": 1, "precision": 0.5, "label_precision": None,
    }
    header, first, *_ = evaluation.rule_table()
    assert header.split() == ["RULE", "LABEL", "FOUND", "P(ANY)", "P(LABEL)"]
    assert first.split() == ["brutal", "Loaded_Language", "3", "0.667", "0.500"]


def test_split_by_article_id_parity() -> None:
    assert in_split("111111112", "dev") and not in_split("111111112", "report")
    assert in_split("111111111", "report") and in_split("111111111", "all")


def test_eval_command_on_a_tiny_labelled_set(tmp_path: Path) -> None:
    articles, labels = labelled_set(
        tmp_path, {"1": "Title\n\nThey terrorised the town. It was barbaric.\n", "2": "Title\n\nA calm day.\n"},
        "1\tLoaded_Language\t12\t22\n1\tLoaded_Language\t40\t48\n2\tDoubt\t7\t11\n",
    )
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
    assert sum(rule["findings"] for rule in scores["by_rule"].values()) == 2
    assert all(rule["precision"] == 1.0 and rule["label"] == "Loaded_Language" for rule in scores["by_rule"].values())
    assert "RULE" not in result.stdout


def test_eval_by_rule_prints_a_row_per_rule(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "article1.txt").write_text("Title\n\nThey terrorised the town. It was barbaric.\n", encoding="utf-8")
    labels = tmp_path / "labels.tsv"
    labels.write_text("1\tLoaded_Language\t12\t22\n", encoding="utf-8")
    result = run("eval", "--articles", str(articles), "--labels", str(labels), "--by-rule")
    assert result.exit_code == 0
    rule_rows = result.stdout.split("\n\n", 1)[1].splitlines()
    assert rule_rows[0].split() == ["RULE", "LABEL", "FOUND", "P(ANY)", "P(LABEL)"]
    rows = {row.split()[0]: row.split()[1:] for row in rule_rows[1:]}
    assert len(rows) == 2
    assert sorted(values[2:] for values in rows.values()) == [["0.000", "0.000"], ["1.000", "1.000"]]


@pytest.mark.skipif(not PTC.is_dir(), reason="PTC corpus not found beside the checkout (../shared/corpora/ptc)")
def test_eval_runs_on_the_labelled_corpus(tmp_path: Path) -> None:
    out = tmp_path / "ptc.json"
    result = run("eval", "--articles", str(PTC / "articles"), "--labels", str(PTC / "labels.tsv"),
                 "--split", "report", "--json", str(out))
    assert result.exit_code == 0
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert scores["articles"] == 371 - 182
    assert scores["span_identification"]["predicted_spans"] > 0


@pytest.mark.parametrize(
    ("scored", "auc"),
    [
        ([(0.9, 1), (0.8, 1), (0.1, 0), (0.2, 0)], 1.0),
        ([(0.1, 1), (0.9, 0)], 0.0),
        ([(0.5, 1), (0.5, 0)], 0.5),                       # a tie counts half
        ([(0.3, 1), (0.5, 1), (0.5, 0), (0.1, 0)], 0.625),  # two wins and a tie out of 4 pairs
        ([(0.3, 1), (0.5, 1)], None),                      # one class only
    ],
)
def test_roc_auc_is_the_chance_a_positive_outscores_a_negative(scored, auc) -> None:
    assert roc_auc(scored) == (None if auc is None else pytest.approx(auc))


def test_article_labels_are_read_and_a_bad_row_is_named(tmp_path: Path) -> None:
    good = tmp_path / "posts.csv"
    good.write_text("id,label,lang\n2,1,uk\n4,0,ru\n", encoding="utf-8")
    assert read_article_labels(good) == {"2": 1, "4": 0}
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label\n2,1\n4,yes\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"bad.csv:3: label must be 0 or 1, not 'yes'"):
        read_article_labels(bad)
    headless = tmp_path / "headless.csv"
    headless.write_text("2,1\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"headless.csv:1: expected a header"):
        read_article_labels(headless)
