"""Thresholds chosen with a margin for the spread between folds, and the reliability curve
(framecheck.learn.calibration), on held-out tags built by hand."""

from __future__ import annotations

import pytest

from framecheck.learn.calibration import EXTEND_GRID, HeldOut, choose_thresholds, out_of_fold, reliability


def article(runs: list[tuple[float, bool]]) -> HeldOut:
    """An article whose candidate spans (one token each) have these probabilities, each inside a
    gold span or not; every gold span is one of the candidates."""
    spans = [(10 * index, 10 * index + 5, 1, probability) for index, (probability, _) in enumerate(runs)]
    gold = [(start, end) for (start, end, _, _), (_, right) in zip(spans, runs) if right]
    held = HeldOut(gold, [], [])
    for extend in EXTEND_GRID:
        held._runs[extend] = spans
    return held


# Fold one: every span right. Fold two: the spans the model is least sure of are all wrong.
STEADY = [article([(0.65, True)] * 10 + [(0.97, True)] * 10)]
SHAKY = [article([(0.65, False)] * 10 + [(0.97, True)] * 10)]


def test_a_threshold_must_keep_the_target_below_the_folds_spread() -> None:
    # all spans: precision 1.0 and 0.5 in the folds, 0.75 pooled; only the sure ones: 1.0 in both
    pooled_choice, reached = choose_thresholds([STEADY, SHAKY], 0.55, margin=0.0)
    assert reached and pooled_choice.short <= 0.65  # the pooled precision alone takes everything
    with_margin, reached = choose_thresholds([STEADY, SHAKY], 0.55)
    assert reached and 0.65 < with_margin.short <= 0.95  # 0.75 - sd 0.35 misses 0.55: the sure spans only


def test_out_of_fold_figures_come_from_thresholds_chosen_without_the_fold() -> None:
    figures = out_of_fold([STEADY, SHAKY], 0.55)
    both = figures["both"]
    assert len(both["per_fold"]) == 2 and set(figures) == {"rules", "filter", "add", "both"}
    # chosen on one fold alone (no spread), each threshold takes every span; the shaky fold pays
    assert [fold["precision"] for fold in both["per_fold"]] == [1.0, 0.5]
    assert both["precision"] == {"mean": 0.75, "sd": pytest.approx(0.3536, abs=1e-4)}


def test_the_reliability_curve_bins_spans_by_probability_with_their_precision() -> None:
    curve = reliability(STEADY + SHAKY, 0.3)
    assert [(row.low, row.high, row.spans, row.precision) for row in curve] == [
        (0.6, 0.7, 20, 0.5), (0.9, 1.0, 20, 1.0),
    ]
    assert curve[0].mean_probability == pytest.approx(0.65)


def test_the_auc_interval_is_delongs_and_narrows_with_more_articles() -> None:
    from framecheck.learn.evaluation import auc_interval, roc_auc

    small = [(0.9, 1), (0.8, 1), (0.7, 0), (0.6, 1), (0.4, 0), (0.3, 0), (0.3, 1), (0.1, 0)]
    interval = auc_interval(small)
    assert interval is not None and interval.auc == pytest.approx(roc_auc(small))
    # DeLong by hand: per positive the share of negatives below (ties half), per negative the
    # share of positives above; variances of those over m and n
    v10, v01 = [1.0, 1.0, 0.75, 0.375], [0.5, 0.75, 0.875, 1.0]
    mean10, mean01 = sum(v10) / 4, sum(v01) / 4
    variance = (sum((v - mean10) ** 2 for v in v10) / 3 / 4 + sum((v - mean01) ** 2 for v in v01) / 3 / 4)
    assert interval.high - interval.auc == pytest.approx(min(1.959964 * variance ** 0.5, 1 - interval.auc))
    assert interval.auc - interval.low == pytest.approx(1.959964 * variance ** 0.5)
    larger = auc_interval(small * 25)
    assert larger is not None and larger.auc == pytest.approx(interval.auc)
    assert larger.high - larger.low < (interval.high - interval.low) / 3
    assert auc_interval([(0.5, 1), (0.4, 0)]) is None  # one of each: no variance to speak of


def test_article_score_factors_favour_the_telling_technique_and_keep_the_total() -> None:
    from framecheck.learn.article_score import LabelledArticle, densities, fit_article_score, fit_factors

    articles = []
    for number in range(80):
        label = number % 2
        # distrust calls come with the label; exclamations come with both, a little more without
        points = {"distrust-call": 2.0 * label + (number % 5 == 0), "loaded-language": 1.0 + (number % 3) * 0.5}
        if not label and number % 4 == 0:
            points["loaded-language"] += 1.0
        articles.append(LabelledArticle(str(number), points, 300 + 7 * number, label, fold=number * 7 % 4))
    factors = fit_factors(articles, 400.0)
    assert factors["distrust-call"] > 1.0 and factors["loaded-language"] == 0.0  # never below zero
    techniques = sorted(factors)
    plain = sum(sum(densities(a, techniques, 400.0)) for a in articles)
    weighted = sum(sum(factors[t] * d for t, d in zip(techniques, densities(a, techniques, 400.0))) for a in articles)
    assert weighted == pytest.approx(plain, rel=1e-3)  # the bands keep their meaning
    fitted = fit_article_score(articles, 400.0)
    assert fitted["auc_out_of_fold"]["auc"] > fitted["auc_unfitted"]["auc"]
    assert fit_factors([a for a in articles if a.label], 400.0) == {}  # one class: nothing to fit
